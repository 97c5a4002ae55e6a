#include "scraper/target.h"

#include <algorithm>
#include <unordered_set>

#include <fmt/format.h>

#include "model/label_names.h"
#include "model/labels_builder.h"
#include "model/validation.h"
#include "relabel/process.h"
#include "util/url.h"
#include "util/utf8.h"

namespace kubescrape::scraper {
namespace {

// Adds group labels, the job defaults and the first value of each param,
// each only where the target has no (non-empty) value yet.
void PopulateDiscoveredLabels(model::LabelsBuilder& lb, const model::Labels& target_labels,
                              const model::Labels& group_labels, const ScrapeConfig& config) {
  lb.Reset(target_labels);
  for (const model::Label& l : group_labels) {
    if (!target_labels.Has(l.name)) lb.Set(l.name, l.value);
  }
  const std::string interval = model::FormatDuration(config.scrape_interval);
  const std::string timeout = model::FormatDuration(config.scrape_timeout);
  const std::pair<std::string_view, std::string_view> defaults[] = {
      {model::kJobLabel, config.job_name},
      {model::kScrapeIntervalLabel, interval},
      {model::kScrapeTimeoutLabel, timeout},
      {model::kMetricsPathLabel, config.metrics_path},
      {model::kSchemeLabel, config.scheme},
  };
  for (const auto& [name, value] : defaults) {
    if (lb.Get(name).empty()) lb.Set(name, value);
  }
  std::string param_label;
  for (const auto& [key, values] : config.params) {
    if (values.empty()) continue;
    param_label.assign(model::kParamLabelPrefix);
    param_label += key;
    if (lb.Get(param_label).empty()) lb.Set(param_label, values.front());
  }
}

util::Status CheckTarget(const model::LabelsBuilder& lb, model::Duration* interval, model::Duration* timeout) {
  std::string_view addr = lb.Get(model::kAddressLabel);
  if (addr.empty()) return util::InvalidArgumentError("no address");
  if (addr.find('/') != std::string_view::npos) {
    return util::InvalidArgumentError(fmt::format("{} is not a valid hostname", util::GoQuote(addr)));
  }
  std::string_view interval_text = lb.Get(model::kScrapeIntervalLabel);
  auto parsed_interval = model::ParseDuration(interval_text);
  if (!parsed_interval.ok()) {
    return util::InvalidArgumentError("error parsing scrape interval: " + parsed_interval.status().message());
  }
  if (parsed_interval->count() == 0) return util::InvalidArgumentError("scrape interval cannot be 0");
  std::string_view timeout_text = lb.Get(model::kScrapeTimeoutLabel);
  auto parsed_timeout = model::ParseDuration(timeout_text);
  if (!parsed_timeout.ok()) {
    return util::InvalidArgumentError("error parsing scrape timeout: " + parsed_timeout.status().message());
  }
  if (parsed_timeout->count() == 0) return util::InvalidArgumentError("scrape timeout cannot be 0");
  if (*parsed_timeout > *parsed_interval) {
    return util::InvalidArgumentError(fmt::format("scrape timeout cannot be greater than scrape interval ({} > {})",
                                                  util::GoQuote(timeout_text), util::GoQuote(interval_text)));
  }
  *interval = *parsed_interval;
  *timeout = *parsed_timeout;
  return util::Status::Ok();
}

model::Labels WithoutInternal(const model::Labels& labels) {
  std::vector<model::Label> kept;
  kept.reserve(labels.size());
  for (const model::Label& l : labels) {
    if (!l.name.starts_with(model::kReservedLabelPrefix)) kept.push_back(l);
  }
  return model::Labels::FromSorted(kept);
}

}  // namespace

uint64_t Fnv64a(std::string_view data, uint64_t seed) {
  uint64_t h = seed;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

uint64_t OffsetSeed(std::string_view hostname, const model::Labels& external_labels) {
  return Fnv64a(external_labels.ToString(), Fnv64a(hostname));
}

std::chrono::nanoseconds ScrapeOffset(uint64_t target_hash, uint64_t seed, std::chrono::nanoseconds interval,
                                      std::chrono::nanoseconds now_since_epoch) {
  const auto ival = static_cast<uint64_t>(interval.count());
  const auto now = static_cast<uint64_t>(now_since_epoch.count());
  uint64_t base = ival - now % ival;
  uint64_t offset = (target_hash ^ seed) % ival;
  uint64_t next = base + offset;
  if (next > ival) next -= ival;
  return std::chrono::nanoseconds(static_cast<int64_t>(next));
}

std::string RequestTarget(const model::Labels& labels, const ScrapeConfig& config) {
  std::string out;
  util::AppendPathEscaped(&out, labels.Get(model::kMetricsPathLabel));
  // Keys sorted (std::map), values in order; __param_<k> replaces the first.
  std::map<std::string, std::vector<std::string>> query = config.params;
  for (const model::Label& l : labels) {
    if (!l.name.starts_with(model::kParamLabelPrefix)) continue;
    std::string key(l.name.substr(model::kParamLabelPrefix.size()));
    auto& values = query[key];
    if (values.empty()) {
      values.emplace_back(l.value);
    } else {
      values.front() = std::string(l.value);
    }
  }
  char sep = '?';
  for (const auto& [key, values] : query) {
    for (const std::string& v : values) {
      out.push_back(sep);
      sep = '&';
      util::AppendQueryEscaped(&out, key);
      out.push_back('=');
      util::AppendQueryEscaped(&out, v);
    }
  }
  return out;
}

TargetOutcome BuildTarget(const model::Labels& target_labels, const model::Labels& group_labels,
                          const ScrapeConfig& config) {
  TargetOutcome outcome;
  model::LabelsBuilder lb;
  PopulateDiscoveredLabels(lb, target_labels, group_labels, config);
  outcome.discovered = lb.Build();
  if (!relabel::Process(config.relabel_configs, lb)) {
    outcome.dropped = true;
    return outcome;
  }
  Target t;
  if (util::Status s = CheckTarget(lb, &t.interval, &t.timeout); !s.ok()) {
    outcome.error = s;
    return outcome;
  }
  std::vector<std::string> meta;
  lb.RangeWithPrefix(model::kMetaLabelPrefix, [&](const model::Label& l) { meta.emplace_back(l.name); });
  for (const std::string& name : meta) lb.Del(name);
  if (lb.Get(model::kInstanceLabel).empty()) {
    std::string addr(lb.Get(model::kAddressLabel));
    lb.Set(model::kInstanceLabel, addr);
  }
  t.labels = lb.Build();
  for (const model::Label& l : t.labels) {
    if (!model::IsValidLabelValue(l.value)) {
      outcome.error = util::InvalidArgumentError(
          fmt::format("invalid label value for {}: {}", util::GoQuote(l.name), util::GoQuote(l.value)));
      return outcome;
    }
  }
  t.discovered = outcome.discovered;
  t.series_labels = WithoutInternal(t.labels);
  t.scheme = std::string(t.labels.Get(model::kSchemeLabel));
  t.host_port = std::string(t.labels.Get(model::kAddressLabel));
  t.request_target = RequestTarget(t.labels, config);
  t.hash = Fnv64a(fmt::format("{:016d}", t.labels.Hash()) + t.Url());
  outcome.target = std::move(t);
  return outcome;
}

std::vector<TargetOutcome> BuildTargets(const std::vector<model::TargetGroup>& groups, const ScrapeConfig& config) {
  std::vector<TargetOutcome> out;
  std::unordered_set<uint64_t> seen;
  for (const model::TargetGroup& g : groups) {
    for (size_t i = 0; i < g.targets.size(); ++i) {
      TargetOutcome o = BuildTarget(g.targets[i], g.labels, config);
      if (!o.error.ok()) {
        o.error = util::InvalidArgumentError(
            fmt::format("instance {} in group {}: {}", i, g.source, o.error.message()));
      }
      if (o.target && !seen.insert(o.target->hash).second) continue;
      out.push_back(std::move(o));
    }
  }
  return out;
}

}  // namespace kubescrape::scraper
