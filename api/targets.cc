#include "api/targets.h"

#include <ctime>

#include <fmt/format.h>

#include "api/envelope.h"
#include <rapidjson/document.h>

#include "model/duration.h"
#include "model/labels_builder.h"
#include "relabel/process.h"
#include "net/http_request.h"

namespace kubescrape::api {

std::string FormatRfc3339(int64_t unix_ms) {
  if (unix_ms == 0) return "0001-01-01T00:00:00Z";
  int64_t secs = unix_ms / 1000;
  int64_t ms = unix_ms % 1000;
  if (ms < 0) {
    ms += 1000;
    --secs;
  }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                                tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (ms != 0) {
    std::string frac = fmt::format(".{:03}", ms);
    while (frac.back() == '0') frac.pop_back();
    out += frac;
  }
  out += 'Z';
  return out;
}

std::string GlobalUrl(const scraper::Target& target, std::string_view hostname) {
  net::HostPort hp = net::SplitHostPort(target.host_port);
  const bool loopback = hp.host == "localhost" || hp.host.starts_with("127.") || hp.host == "::1";
  if (!loopback || hostname.empty()) return target.Url();
  std::string host_port(hostname);
  if (!hp.port.empty()) host_port += ":" + std::string(hp.port);
  return target.scheme + "://" + host_port + target.request_target;
}

namespace {

std::string_view HealthName(scraper::TargetHealth::State s) {
  switch (s) {
    case scraper::TargetHealth::State::kUp: return "up";
    case scraper::TargetHealth::State::kDown: return "down";
    default: return "unknown";
  }
}

void WriteActive(JsonWriter& w, const scraper::TargetStatus& t, std::string_view hostname) {
  w.StartObject();
  w.Key("discoveredLabels");
  WriteLabels(w, t.target.discovered);
  w.Key("labels");
  WriteLabels(w, t.target.series_labels);
  w.Key("scrapePool");
  WriteString(w, t.job);
  w.Key("scrapeUrl");
  WriteString(w, t.target.Url());
  w.Key("globalUrl");
  WriteString(w, GlobalUrl(t.target, hostname));
  w.Key("lastError");
  WriteString(w, t.health.last_error);
  w.Key("lastScrape");
  WriteString(w, FormatRfc3339(t.health.last_scrape_ms));
  w.Key("lastScrapeDuration");
  w.Double(t.health.last_duration_seconds);
  w.Key("health");
  WriteString(w, HealthName(t.health.state));
  w.Key("scrapeInterval");
  WriteString(w, model::FormatDuration(t.target.interval));
  w.Key("scrapeTimeout");
  WriteString(w, model::FormatDuration(t.target.timeout));
  w.EndObject();
}

}  // namespace

HttpResponse TargetsResponse(const TargetsView& view, const Params& params, std::string_view hostname) {
  const std::string_view state = params.Get("state");
  const std::string_view pool = params.Get("scrapePool");
  const bool any = state.empty() || state == "any";
  const bool show_active = any || state == "active";
  const bool show_dropped = any || state == "dropped";
  return SuccessResponse([&](JsonWriter& w) {
    w.StartObject();
    w.Key("activeTargets");
    if (show_active) {
      w.StartArray();
      for (const scraper::TargetStatus& t : view.active) {
        if (pool.empty() || t.job == pool) WriteActive(w, t, hostname);
      }
      w.EndArray();
    } else {
      w.Null();
    }
    w.Key("droppedTargets");
    if (show_dropped) {
      w.StartArray();
      for (const scraper::DroppedTarget& d : view.dropped) {
        if (!pool.empty() && d.job != pool) continue;
        w.StartObject();
        w.Key("discoveredLabels");
        WriteLabels(w, d.discovered);
        w.Key("scrapePool");
        WriteString(w, d.job);
        w.EndObject();
      }
      w.EndArray();
    } else {
      w.Null();
    }
    w.Key("droppedTargetCounts");
    if (show_dropped) {
      w.StartObject();
      for (const auto& [job, n] : view.dropped_counts) {
        if (!pool.empty() && job != pool) continue;
        WriteString(w, job);
        w.Uint64(n);
      }
      w.EndObject();
    } else {
      w.Null();
    }
    w.EndObject();
  });
}

HttpResponse ScrapePoolsResponse(const TargetsView& view) {
  return SuccessResponse([&](JsonWriter& w) {
    w.StartObject();
    w.Key("scrapePools");
    w.StartArray();
    for (const std::string& p : view.pools) WriteString(w, p);
    w.EndArray();
    w.EndObject();
  });
}

util::StatusOr<model::Labels> ParseLabelsParam(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return util::InvalidArgumentError("invalid parameter \"labels\": not a JSON object of strings");
  }
  std::vector<model::Label> labels;
  for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
    if (!it->value.IsString()) {
      return util::InvalidArgumentError("invalid parameter \"labels\": not a JSON object of strings");
    }
    labels.push_back({std::string_view(it->name.GetString(), it->name.GetStringLength()),
                      std::string_view(it->value.GetString(), it->value.GetStringLength())});
  }
  return model::Labels::FromUnsorted(std::move(labels));
}

namespace {

void WriteRule(JsonWriter& w, const relabel::Rule& rule) {
  const relabel::RuleConfig& c = rule.config();
  w.StartObject();
  w.Key("source_labels");
  w.StartArray();
  for (const std::string& s : c.source_labels) WriteString(w, s);
  w.EndArray();
  w.Key("separator");
  WriteString(w, c.separator);
  w.Key("regex");
  WriteString(w, rule.regex().pattern());
  if (c.modulus != 0) {
    w.Key("modulus");
    w.Uint64(c.modulus);
  }
  if (!c.target_label.empty()) {
    w.Key("target_label");
    WriteString(w, c.target_label);
  }
  w.Key("replacement");
  WriteString(w, c.replacement);
  w.Key("action");
  WriteString(w, relabel::ActionName(rule.action()));
  w.EndObject();
}

}  // namespace

HttpResponse RelabelStepsResponse(std::span<const relabel::Rule> rules, const model::Labels& input) {
  struct Step {
    size_t index;
    model::Labels output;
    bool keep;
  };
  std::vector<Step> steps;
  model::LabelsBuilder lb;
  lb.Reset(input);
  relabel::ProcessTraced(rules, lb, [&](size_t index, const model::LabelsBuilder& b, bool keep) {
    steps.push_back({index, keep ? b.Build() : model::Labels(), keep});
  });
  return SuccessResponse([&](JsonWriter& w) {
    w.StartObject();
    w.Key("steps");
    w.StartArray();
    for (const Step& s : steps) {
      w.StartObject();
      w.Key("rule");
      WriteRule(w, rules[s.index]);
      w.Key("output");
      WriteLabels(w, s.output);
      w.Key("keep");
      w.Bool(s.keep);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  });
}

}  // namespace kubescrape::api
