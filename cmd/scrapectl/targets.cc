#include "cmd/scrapectl/targets.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <ctime>
#include <optional>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cmd/scrapectl/commands.h"
#include "cmd/scrapectl/trace.h"
#include "net/http_fetcher.h"
#include "util/url.h"

namespace kubescrape::scrapectl {
namespace {

using Value = rapidjson::Value;

std::string Str(const Value& v, const char* key) {
  auto it = v.FindMember(key);
  return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

std::string LabelsJson(const Value& labels) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  labels.Accept(w);
  return buf.GetString();
}

model::Labels ToLabels(const Value& labels) {
  std::vector<model::Label> out;
  for (auto it = labels.MemberBegin(); it != labels.MemberEnd(); ++it) {
    if (it->value.IsString()) out.push_back({it->name.GetString(), it->value.GetString()});
  }
  return model::Labels::FromUnsorted(std::move(out));
}

std::string LabelsText(const Value& labels) {
  std::vector<std::string> parts;
  for (auto it = labels.MemberBegin(); it != labels.MemberEnd(); ++it) {
    parts.push_back(fmt::format("{}=\"{}\"", it->name.GetString(), it->value.GetString()));
  }
  return "{" + fmt::format("{}", fmt::join(parts, ", ")) + "}";
}

// "3s ago", "never", from Go's RFC 3339 time.
std::string Ago(const std::string& rfc3339, int64_t now_ms) {
  if (rfc3339.empty() || rfc3339.starts_with("0001-")) return "never";
  std::tm tm{};
  if (strptime(rfc3339.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) return rfc3339;
  int64_t then = static_cast<int64_t>(timegm(&tm)) * 1000;
  int64_t secs = std::max<int64_t>(0, (now_ms - then) / 1000);
  if (secs < 120) return fmt::format("{}s ago", secs);
  if (secs < 7200) return fmt::format("{}m ago", secs / 60);
  return fmt::format("{}h ago", secs / 3600);
}

std::string Millis(const Value& t) {
  auto it = t.FindMember("lastScrapeDuration");
  if (it == t.MemberEnd() || !it->value.IsNumber()) return "";
  return fmt::format("{:.1f}ms", it->value.GetDouble() * 1000);
}

void PrintTable(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& r : rows) {
    if (width.size() < r.size()) width.resize(r.size());
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    fmt::print(out, "{}\n", line);
  }
}

// Who a discovered target is: "namespace/pod address" for pods.
std::string Who(const Value& discovered) {
  std::string ns = Str(discovered, "__meta_kubernetes_namespace");
  std::string pod = Str(discovered, "__meta_kubernetes_pod_name");
  std::string addr = Str(discovered, "__address__");
  if (!pod.empty()) return ns + "/" + pod + " " + addr;
  return addr;
}

util::StatusOr<rapidjson::Document> GetJson(const HttpGet& get, const std::string& path) {
  KS_ASSIGN_OR_RETURN(std::string body, get(path));
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  if (doc.HasParseError() || !doc.IsObject()) {
    return util::InvalidArgumentError(fmt::format("{}: response is not JSON", path));
  }
  if (Str(doc, "status") != "success") {
    return util::UnavailableError(fmt::format("{}: {}", path, Str(doc, "error")));
  }
  return doc;
}

// The value a dropping rule saw: its source labels' values joined by its
// separator, read from the labels before it.
std::string SawValue(const Value& rule, const Value& before) {
  std::string sep = Str(rule, "separator");
  std::vector<std::string> values;
  auto it = rule.FindMember("source_labels");
  if (it != rule.MemberEnd() && it->value.IsArray()) {
    for (const Value& name : it->value.GetArray()) {
      values.push_back(name.IsString() ? Str(before, name.GetString()) : "");
    }
  }
  return fmt::format("{}", fmt::join(values, sep));
}

std::string RuleText(const Value& rule) {
  std::vector<std::string> parts;
  auto it = rule.FindMember("source_labels");
  if (it != rule.MemberEnd() && it->value.IsArray() && !it->value.Empty()) {
    std::vector<std::string> names;
    for (const Value& n : it->value.GetArray()) names.push_back(n.GetString());
    parts.push_back(fmt::format("source_labels: [{}]", fmt::join(names, ", ")));
  }
  std::string regex = Str(rule, "regex");
  if (regex != "(.*)") parts.push_back(fmt::format("regex: \"{}\"", regex));
  std::string target = Str(rule, "target_label");
  if (!target.empty()) parts.push_back("target_label: " + target);
  std::string replacement = Str(rule, "replacement");
  if (replacement != "$1") parts.push_back(fmt::format("replacement: \"{}\"", replacement));
  parts.push_back("action: " + Str(rule, "action"));
  return "{" + fmt::format("{}", fmt::join(parts, ", ")) + "}";
}

std::string StepsPath(const std::string& pool, const Value& discovered) {
  std::string path = "/api/v1/targets/relabel_steps?scrapePool=";
  util::AppendQueryEscaped(&path, pool);
  path += "&labels=";
  util::AppendQueryEscaped(&path, LabelsJson(discovered));
  return path;
}

int ShowActive(const Value& data, std::ostream& out, int64_t now_ms) {
  std::vector<std::vector<std::string>> rows = {{"POOL", "ENDPOINT", "HEALTH", "LAST SCRAPE", "DURATION", "ERROR"}};
  for (const Value& t : data["activeTargets"].GetArray()) {
    const std::string ago = Ago(Str(t, "lastScrape"), now_ms);
    rows.push_back({Str(t, "scrapePool"), Str(t, "scrapeUrl"), Str(t, "health"), ago,
                    ago == "never" ? "" : Millis(t), Str(t, "lastError")});
  }
  PrintTable(out, rows);
  return kExitOk;
}

int ShowDropped(const Value& data, const HttpGet& get, std::ostream& out, std::ostream& err) {
  std::vector<std::vector<std::string>> rows = {{"POOL", "TARGET", "DROPPED BY"}};
  for (const Value& d : data["droppedTargets"].GetArray()) {
    const std::string pool = Str(d, "scrapePool");
    const Value& discovered = d["discoveredLabels"];
    std::string why = "?";
    auto steps = GetJson(get, StepsPath(pool, discovered));
    if (!steps.ok()) {
      why = steps.status().message();
    } else {
      const Value& list = (*steps)["data"]["steps"];
      for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
        if (list[i]["keep"].GetBool()) continue;
        const Value& before = i == 0 ? discovered : list[i - 1]["output"];
        const Value& rule = list[i]["rule"];
        why = fmt::format("rule {} ({}) on [{}]: saw \"{}\"", i + 1, Str(rule, "action"),
                          fmt::join([&] {
                            std::vector<std::string> n;
                            for (const Value& s : rule["source_labels"].GetArray()) n.push_back(s.GetString());
                            return n;
                          }(),
                                    ", "),
                          SawValue(rule, before));
        if (Str(rule, "regex") != "(.*)") why += fmt::format(", regex \"{}\"", Str(rule, "regex"));
        break;
      }
      if (why == "?") why = "invalid target (no rule dropped it)";
    }
    rows.push_back({pool, Who(discovered), why});
  }
  PrintTable(out, rows);
  auto counts = data.FindMember("droppedTargetCounts");
  if (counts != data.MemberEnd() && counts->value.IsObject()) {
    for (auto it = counts->value.MemberBegin(); it != counts->value.MemberEnd(); ++it) {
      fmt::print(out, "{}: {} dropped\n", it->name.GetString(), it->value.GetUint64());
    }
  }
  (void)err;
  return kExitOk;
}

int Explain(const Value& data, const std::string& who, const HttpGet& get, std::ostream& out, std::ostream& err) {
  size_t slash = who.find('/');
  if (slash == std::string::npos) {
    fmt::print(err, "scrapectl targets: --explain wants NAMESPACE/POD, got \"{}\"\n", who);
    return kExitUsage;
  }
  const std::string ns = who.substr(0, slash), pod = who.substr(slash + 1);
  int found = 0;
  auto explain_one = [&](const Value& t, bool active) {
    const Value& discovered = t["discoveredLabels"];
    if (Str(discovered, "__meta_kubernetes_namespace") != ns || Str(discovered, "__meta_kubernetes_pod_name") != pod) {
      return;
    }
    ++found;
    const std::string pool = Str(t, "scrapePool");
    fmt::print(out, "{} target {} in pool {}: {}\n", active ? "Active" : "Dropped", Str(discovered, "__address__"),
               pool, active ? Str(t, "scrapeUrl") : "not scraped");
    auto steps = GetJson(get, StepsPath(pool, discovered));
    if (!steps.ok()) {
      fmt::print(out, "  (no relabel steps: {})\n", steps.status().message());
      return;
    }
    fmt::print(out, "  input: {} labels (__address__=\"{}\")\n", discovered.MemberCount(),
               Str(discovered, "__address__"));
    model::Labels before = ToLabels(discovered);
    int index = 0;
    for (const Value& step : (*steps)["data"]["steps"].GetArray()) {
      fmt::print(out, "  rule {}: {}\n", ++index, RuleText(step["rule"]));
      if (!step["keep"].GetBool()) {
        fmt::print(out, "           DROPPED\n");
        break;
      }
      model::Labels after = ToLabels(step["output"]);
      std::vector<std::string> diff = DiffLabels(before, after);
      if (diff.empty()) fmt::print(out, "           kept, no change\n");
      for (const std::string& d : diff) fmt::print(out, "           {}\n", d);
      before = std::move(after);
    }
    if (active) fmt::print(out, "  final labels: {}\n", LabelsText(t["labels"]));
    fmt::print(out, "\n");
  };
  for (const Value& t : data["activeTargets"].GetArray()) explain_one(t, true);
  for (const Value& t : data["droppedTargets"].GetArray()) explain_one(t, false);
  if (found == 0) {
    fmt::print(err, "no target of pod {} was discovered (is it in a watched namespace, with a pod IP?)\n", who);
    return kExitFailure;
  }
  return kExitOk;
}

boost::asio::awaitable<void> FetchInto(net::HttpFetcher& fetcher, const net::FetchRequest& req,
                                       std::optional<util::StatusOr<std::string>>* result) {
  auto resp = co_await fetcher.Fetch(req);
  if (!resp.ok()) {
    *result = resp.status();
  } else if (resp->status != 200 && resp->body.find("\"status\"") == std::string_view::npos) {
    *result = util::UnavailableError(fmt::format("HTTP status {}", resp->status));
  } else {
    *result = std::string(resp->body);  // API errors carry their JSON envelope
  }
}

}  // namespace

int Targets(const TargetsOptions& options, const HttpGet& get, std::ostream& out, std::ostream& err, int64_t now_ms) {
  auto doc = GetJson(get, "/api/v1/targets");
  if (!doc.ok()) {
    fmt::print(err, "scrapectl targets: {}\n", doc.status().message());
    return kExitFailure;
  }
  const Value& data = (*doc)["data"];
  if (!data.IsObject() || !data.HasMember("activeTargets") || !data["activeTargets"].IsArray() ||
      !data.HasMember("droppedTargets") || !data["droppedTargets"].IsArray()) {
    fmt::print(err, "scrapectl targets: unexpected /api/v1/targets response\n");
    return kExitFailure;
  }
  if (options.json) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    data.Accept(w);
    fmt::print(out, "{}\n", buf.GetString());
    return kExitOk;
  }
  if (!options.explain.empty()) return Explain(data, options.explain, get, out, err);
  if (options.dropped) return ShowDropped(data, get, out, err);
  return ShowActive(data, out, now_ms);
}

HttpGet DaemonGetter(const std::string& base_url) {
  return [base_url](const std::string& path) -> util::StatusOr<std::string> {
    size_t sep = base_url.find("://");
    if (sep == std::string::npos) return util::InvalidArgumentError("invalid --url \"" + base_url + "\"");
    std::string rest = base_url.substr(sep + 3);
    while (!rest.empty() && rest.back() == '/') rest.pop_back();
    size_t slash = rest.find('/');
    net::FetchRequest req;
    req.scheme = base_url.substr(0, sep);
    req.host_port = rest.substr(0, slash);
    req.target = (slash == std::string::npos ? "" : rest.substr(slash)) + path;
    req.accept = "application/json";
    req.scrape_timeout_header = false;
    req.any_status = true;
    req.timeout = std::chrono::seconds(30);
    boost::asio::io_context ioc;
    auto fetcher = net::HttpFetcher::Open(ioc.get_executor(), {}, "scrapectl/" KS_VERSION);
    if (!fetcher.ok()) return fetcher.status();
    std::optional<util::StatusOr<std::string>> result;
    boost::asio::co_spawn(ioc, FetchInto(**fetcher, req, &result), boost::asio::detached);
    ioc.run();
    if (!result) return util::InternalError("request did not complete");
    return *std::move(result);
  };
}

}  // namespace kubescrape::scrapectl
