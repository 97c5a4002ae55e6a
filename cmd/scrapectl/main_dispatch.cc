#include <fmt/format.h>
#include <fmt/ostream.h>

#include <chrono>

#include "cmd/scrapectl/commands.h"
#include "cmd/scrapectl/query.h"
#include "cmd/scrapectl/targets.h"
#include "cmd/scrapectl/targets_offline.h"
#include "cmd/scrapectl/tsdb.h"
#include "model/duration.h"

namespace kubescrape::scrapectl {
namespace {

constexpr std::string_view kUsage = R"(usage: scrapectl COMMAND [ARGS...]

Commands:
  check config FILE...          validate prometheus.yml files (exit 1 if any is invalid)
  test relabel [-v] FILE...     run relabel rule unit tests (docs/relabel-tests.md)
  test promql FILE...           run PromQL test scripts (docs/promql.md)
  relabel --config FILE --job JOB (--labels JSON | --label k=v ...) [--rules metric_relabel_configs]
                                show what a job's rules do to a label set, rule by rule
  query [--url URL] [--time T | --start T --end T [--step D]] [-o json] EXPR
                                a PromQL query against a running daemon
  targets [--url URL] [--dropped | --explain NAMESPACE/POD] [-o json]
                                a running daemon's targets; why each dropped one was dropped
  targets --config FILE [--kubeconfig K] [--dropped | --explain NAMESPACE/POD] [-o json]
                                the same without a daemon: discovery and relabeling once
  tsdb create-blocks-from openmetrics [--max-block-duration D] [-q] FILE [DATA_DIR]
                                backfill an OpenMetrics file with timestamps into blocks (default DATA_DIR: data/)
  tsdb list [-r] DATA_DIR       the blocks of a data directory (-r: human-readable times)
  version                       print the version
)";

// Reads "--name value" or "--name=value" at args[*i]; advances *i.
bool FlagValue(const std::vector<std::string>& args, size_t* i, std::string_view name, std::string* out) {
  const std::string& a = args[*i];
  std::string prefix = "--" + std::string(name);
  if (a == prefix && *i + 1 < args.size()) {
    *out = args[++*i];
    return true;
  }
  if (a.rfind(prefix + "=", 0) == 0) {
    *out = a.substr(prefix.size() + 1);
    return true;
  }
  return false;
}

int ParseRelabel(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  RelabelOptions o;
  for (size_t i = 1; i < args.size(); ++i) {
    std::string v;
    if (FlagValue(args, &i, "config", &o.config_file) || FlagValue(args, &i, "job", &o.job) ||
        FlagValue(args, &i, "rules", &o.rules) || FlagValue(args, &i, "labels", &o.labels_json)) {
      continue;
    }
    if (FlagValue(args, &i, "label", &v)) {
      o.labels.push_back(v);
      continue;
    }
    fmt::print(err, "scrapectl relabel: unknown argument \"{}\"\n", args[i]);
    return kExitUsage;
  }
  return Relabel(o, out, err);
}

int ParseQuery(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  QueryOptions o;
  for (size_t i = 1; i < args.size(); ++i) {
    if (FlagValue(args, &i, "url", &o.url) || FlagValue(args, &i, "time", &o.time) ||
        FlagValue(args, &i, "start", &o.start) || FlagValue(args, &i, "end", &o.end) ||
        FlagValue(args, &i, "step", &o.step)) {
      continue;
    }
    if ((args[i] == "-o" || args[i] == "--output") && i + 1 < args.size()) {
      o.json = args[++i] == "json";
    } else if (args[i].starts_with("--")) {
      fmt::print(err, "scrapectl query: unknown argument \"{}\"\n", args[i]);
      return kExitUsage;
    } else {
      o.expr = args[i];
    }
  }
  return Query(o, DaemonGetter(o.url), out, err);
}

int ParseTargets(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  TargetsOptions o;
  OfflineTargetsOptions offline;
  for (size_t i = 1; i < args.size(); ++i) {
    std::string v;
    if (FlagValue(args, &i, "url", &o.url) || FlagValue(args, &i, "explain", &o.explain) ||
        FlagValue(args, &i, "config", &offline.config_file) || FlagValue(args, &i, "kubeconfig", &offline.kubeconfig)) {
      continue;
    }
    if (args[i] == "--dropped") {
      o.dropped = true;
    } else if ((args[i] == "-o" || args[i] == "--output") && i + 1 < args.size()) {
      o.json = args[++i] == "json";
    } else if (args[i] == "-o=json" || args[i] == "--output=json") {
      o.json = true;
    } else {
      fmt::print(err, "scrapectl targets: unknown argument \"{}\"\n", args[i]);
      return kExitUsage;
    }
  }
  if (!offline.config_file.empty()) return OfflineTargets(o, offline, out, err);
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  return Targets(o, DaemonGetter(o.url), out, err, now.count());
}

int ParseTsdb(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.size() >= 3 && args[1] == "create-blocks-from" && args[2] == "openmetrics") {
    CreateBlocksOptions o;
    std::vector<std::string> positional;
    for (size_t i = 3; i < args.size(); ++i) {
      std::string v;
      if (FlagValue(args, &i, "max-block-duration", &v)) {
        util::StatusOr<model::Duration> d = model::ParseDuration(v);
        if (!d.ok() || d->count() <= 0) {
          fmt::print(err, "scrapectl tsdb: invalid --max-block-duration \"{}\"\n", v);
          return kExitUsage;
        }
        o.max_block_duration_ms = d->count();
      } else if (args[i] == "-q" || args[i] == "--quiet") {
        o.quiet = true;
      } else if (args[i] == "-r" || args[i] == "--human-readable") {
        o.human_readable = true;
      } else if (args[i].starts_with("-")) {
        fmt::print(err, "scrapectl tsdb: unknown argument \"{}\"\n", args[i]);
        return kExitUsage;
      } else {
        positional.push_back(args[i]);
      }
    }
    if (positional.empty() || positional.size() > 2) {
      fmt::print(err, "usage: scrapectl tsdb create-blocks-from openmetrics FILE [DATA_DIR]\n");
      return kExitUsage;
    }
    o.input_file = positional[0];
    if (positional.size() == 2) o.output_dir = positional[1];
    return CreateBlocksFromOpenMetrics(o, out, err);
  }
  if (args.size() >= 2 && args[1] == "list") {
    bool human = false;
    std::string dir;
    for (size_t i = 2; i < args.size(); ++i) {
      if (args[i] == "-r" || args[i] == "--human-readable") {
        human = true;
      } else {
        dir = args[i];
      }
    }
    if (dir.empty()) {
      fmt::print(err, "usage: scrapectl tsdb list [-r] DATA_DIR\n");
      return kExitUsage;
    }
    return ListBlocks(dir, human, out, err);
  }
  fmt::print(err, "usage: scrapectl tsdb (create-blocks-from openmetrics FILE [DATA_DIR] | list [-r] DATA_DIR)\n");
  return kExitUsage;
}

}  // namespace

int Main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    fmt::print(args.empty() ? err : out, "{}", kUsage);
    return args.empty() ? kExitUsage : kExitOk;
  }
  const std::string& cmd = args[0];
  if (cmd == "version" || cmd == "--version") {
    fmt::print(out, "scrapectl, version {}\n", KS_VERSION);
    return kExitOk;
  }
  if (cmd == "check" && args.size() >= 2 && args[1] == "config") {
    return CheckConfig(std::vector<std::string>(args.begin() + 2, args.end()), out, err);
  }
  if (cmd == "test" && args.size() >= 2 && args[1] == "relabel") {
    TestRelabelOptions o;
    for (size_t i = 2; i < args.size(); ++i) {
      if (args[i] == "-v" || args[i] == "--verbose") {
        o.verbose = true;
      } else {
        o.files.push_back(args[i]);
      }
    }
    return TestRelabel(o, out, err);
  }
  if (cmd == "test" && args.size() >= 2 && args[1] == "promql") {
    return TestPromql({std::vector<std::string>(args.begin() + 2, args.end())}, out, err);
  }
  if (cmd == "relabel") return ParseRelabel(args, out, err);
  if (cmd == "targets") return ParseTargets(args, out, err);
  if (cmd == "query") return ParseQuery(args, out, err);
  if (cmd == "tsdb") return ParseTsdb(args, out, err);
  fmt::print(err, "scrapectl: unknown command \"{}\"\n\n{}", fmt::join(args.begin(), args.begin() + std::min<size_t>(2, args.size()), " "), kUsage);
  return kExitUsage;
}

}  // namespace kubescrape::scrapectl
