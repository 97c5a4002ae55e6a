#include <fmt/format.h>
#include <fmt/ostream.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "cmd/scrapectl/commands.h"
#include "cmd/scrapectl/trace.h"
#include "config/config.h"

namespace kubescrape::scrapectl {
namespace {

// Reads the input labels from --labels JSON and --label k=v flags.
util::StatusOr<model::Labels> InputLabels(const RelabelOptions& o) {
  std::vector<std::pair<std::string, std::string>> owned;
  if (!o.labels_json.empty()) {
    rapidjson::Document doc;
    doc.Parse(o.labels_json.data(), o.labels_json.size());
    if (doc.HasParseError()) {
      return util::InvalidArgumentError(fmt::format("--labels: invalid JSON at offset {}: {}", doc.GetErrorOffset(),
                                                    rapidjson::GetParseError_En(doc.GetParseError())));
    }
    if (!doc.IsObject()) return util::InvalidArgumentError("--labels: expected a JSON object of strings");
    for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
      if (!it->value.IsString()) {
        return util::InvalidArgumentError(
            fmt::format("--labels: the value of \"{}\" is not a string", it->name.GetString()));
      }
      owned.emplace_back(std::string(it->name.GetString(), it->name.GetStringLength()),
                         std::string(it->value.GetString(), it->value.GetStringLength()));
    }
  }
  for (const std::string& kv : o.labels) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return util::InvalidArgumentError(fmt::format("--label \"{}\": expected name=value", kv));
    }
    owned.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  std::vector<model::Label> views;
  for (const auto& [n, v] : owned) views.push_back({n, v});
  return model::Labels::FromUnsorted(std::move(views));
}

}  // namespace

int Relabel(const RelabelOptions& o, std::ostream& out, std::ostream& err, const util::FileSystem& fs) {
  if (o.config_file.empty() || o.job.empty() || (o.labels_json.empty() && o.labels.empty())) {
    fmt::print(err,
               "usage: scrapectl relabel --config FILE --job JOB [--rules relabel_configs|metric_relabel_configs]\n"
               "                         (--labels '{{\"name\":\"value\",...}}' | --label name=value ...)\n");
    return kExitUsage;
  }
  if (o.rules != "relabel_configs" && o.rules != "metric_relabel_configs") {
    fmt::print(err, "--rules must be relabel_configs or metric_relabel_configs\n");
    return kExitUsage;
  }
  auto input = InputLabels(o);
  if (!input.ok()) {
    fmt::print(err, "{}\n", input.status().message());
    return kExitUsage;
  }
  auto cfg = config::LoadFile(o.config_file, fs);
  if (!cfg.ok()) {
    fmt::print(err, "{}\n", cfg.status().message());
    return kExitFailure;
  }
  const config::ScrapeJob* job = cfg->FindJob(o.job);
  if (job == nullptr) {
    std::vector<std::string> names;
    for (const auto& j : cfg->scrape_configs) names.push_back(j.scrape.job_name);
    fmt::print(err, "no job \"{}\" in {} (jobs: {})\n", o.job, o.config_file, fmt::join(names, ", "));
    return kExitFailure;
  }
  const auto& rules = o.rules == "relabel_configs" ? job->scrape.relabel_configs : job->scrape.metric_relabel_configs;
  fmt::print(out, "job {}, {} ({} rules)\n", o.job, o.rules, rules.size());
  fmt::print(out, "{}", FormatTrace(rules, RunTrace(rules, *input)));
  return kExitOk;
}

}  // namespace kubescrape::scrapectl
