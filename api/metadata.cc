#include "api/metadata.h"

#include <charconv>
#include <map>

#include "api/envelope.h"
#include "promql/parser.h"

namespace kubescrape::api {
namespace {

// Prometheus's strconv.Atoi on limit parameters: absent or "" is -1 (none);
// any integer, negative included, is taken.
bool IntParam(const Params& params, std::string_view name, int64_t* out) {
  *out = -1;
  if (!params.Has(name) || params.Get(name).empty()) return true;
  std::string_view s = params.Get(name);
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

void WriteMetadata(JsonWriter& w, const scraper::MetricMetadata& m) {
  w.Key("type");
  WriteString(w, m.type);
  w.Key("help");
  WriteString(w, m.help);
  w.Key("unit");
  WriteString(w, m.unit);
}

}  // namespace

HttpResponse MetadataResponse(const std::vector<scraper::TargetStatus>& targets, const Params& params) {
  int64_t limit = -1, per_metric = -1;
  if (!IntParam(params, "limit", &limit)) return ErrorResponse({ErrorType::kBadData, "limit must be a number"});
  if (!IntParam(params, "limit_per_metric", &per_metric)) {
    return ErrorResponse({ErrorType::kBadData, "limit_per_metric must be a number"});
  }
  const std::string metric(params.Get("metric"));
  // Per metric, its distinct metadata in the order first seen.
  std::map<std::string, std::vector<scraper::MetricMetadata>, std::less<>> metrics;
  auto add = [&](const std::string& name, const scraper::MetricMetadata& m) {
    std::vector<scraper::MetricMetadata>& list = metrics[name];
    if (per_metric > 0 && static_cast<int64_t>(list.size()) >= per_metric) return;
    for (const auto& x : list) {
      if (x == m) return;
    }
    list.push_back(m);
  };
  for (const scraper::TargetStatus& t : targets) {
    if (metric.empty()) {
      for (const auto& [name, m] : *t.metadata) add(name, m);
    } else if (auto it = t.metadata->find(metric); it != t.metadata->end()) {
      add(it->first, it->second);
    }
  }
  return SuccessResponse([&](JsonWriter& w) {
    w.StartObject();
    int64_t n = 0;
    for (const auto& [name, list] : metrics) {
      if (limit >= 0 && n >= limit) break;
      ++n;
      w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
      w.StartArray();
      for (const auto& m : list) {
        w.StartObject();
        WriteMetadata(w, m);
        w.EndObject();
      }
      w.EndArray();
    }
    w.EndObject();
  });
}

HttpResponse TargetsMetadataResponse(const std::vector<scraper::TargetStatus>& targets, const Params& params) {
  int64_t limit = -1;
  if (!IntParam(params, "limit", &limit)) return ErrorResponse({ErrorType::kBadData, "limit must be a number"});
  std::vector<model::Matcher> matchers;
  const std::string match_target(params.Get("match_target"));
  if (!match_target.empty()) {
    util::StatusOr<std::vector<model::Matcher>> m = promql::ParseMetricSelector(match_target);
    if (!m.ok()) return ErrorResponse({ErrorType::kBadData, m.status().message()});
    matchers = std::move(*m);
  }
  const std::string metric(params.Get("metric"));
  return SuccessResponse([&](JsonWriter& w) {
    w.StartArray();
    int64_t n = 0;
    for (const scraper::TargetStatus& t : targets) {
      if (limit >= 0 && n >= limit) break;
      const model::Labels& labels = t.target.series_labels;
      bool match = true;
      for (const model::Matcher& m : matchers) match = match && m.Matches(labels.Get(m.name()));
      if (!match) continue;
      auto write = [&](const std::string* name, const scraper::MetricMetadata& md) {
        ++n;
        w.StartObject();
        w.Key("target");
        WriteLabels(w, labels);
        if (name != nullptr) {
          w.Key("metric");
          WriteString(w, *name);
        }
        WriteMetadata(w, md);
        w.EndObject();
      };
      if (metric.empty()) {
        for (const auto& [name, md] : *t.metadata) write(&name, md);
      } else if (auto it = t.metadata->find(metric); it != t.metadata->end()) {
        write(nullptr, it->second);
      }
    }
    w.EndArray();
  });
}

}  // namespace kubescrape::api
