#pragma once
// Targets: what a scrape loop scrapes, built from discovered target groups
// exactly as Prometheus's PopulateDiscoveredLabels + PopulateLabels do
// (defaults, __param_*, relabel_configs, checks, __meta_* removal, instance
// default), plus the scrape URL and the per-target phase in its interval.
//
// Pure functions over memory; thread-safe (no shared state).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/duration.h"
#include "model/labels.h"
#include "model/target_group.h"
#include "scraper/config.h"
#include "util/status.h"

namespace kubescrape::scraper {

// A target that survived relabeling and the checks.
struct Target {
  model::Labels labels;       // final labels, internal `__*` ones included, no __meta_*
  model::Labels discovered;   // the labels before relabeling (for the targets API)
  model::Labels series_labels;  // `labels` without the `__*` ones: attached to every sample
  std::string scheme;         // from __scheme__
  std::string host_port;      // __address__, verbatim
  std::string request_target; // path and encoded query: "/metrics?a=b"
  model::Duration interval{0};
  model::Duration timeout{0};
  uint64_t hash = 0;          // identity: equal labels and URL give equal hashes

  std::string Url() const { return scheme + "://" + host_port + request_target; }
};

// What became of one discovered target.
struct TargetOutcome {
  std::optional<Target> target;  // set when kept and valid
  model::Labels discovered;      // labels before relabeling
  bool dropped = false;          // dropped by relabel_configs
  util::Status error;            // invalid after relabeling (not scraped; reported)
};

// Builds one target from a discovered target's labels and its group's labels.
// REQUIRES: `config` validated (relabel rules compiled).
TargetOutcome BuildTarget(const model::Labels& target_labels, const model::Labels& group_labels,
                          const ScrapeConfig& config);

// All targets of `groups`, in order. Targets whose final labels and URL are
// equal are one target: later duplicates are left out.
std::vector<TargetOutcome> BuildTargets(const std::vector<model::TargetGroup>& groups,
                                        const ScrapeConfig& config);

// The URL path and query of a target: `metrics_path`, then the config's
// params with every `__param_<k>` label overriding the first value of k,
// encoded as Go's url.Values.Encode (keys sorted).
std::string RequestTarget(const model::Labels& labels, const ScrapeConfig& config);

// FNV-1a 64 over bytes, as Prometheus uses for target identity and offsets.
uint64_t Fnv64a(std::string_view data, uint64_t seed = 14695981039346656037ull);

// The seed that spreads scrape phases, from this host's name and the
// external labels (Prometheus's setOffsetSeed).
uint64_t OffsetSeed(std::string_view hostname, const model::Labels& external_labels);

// Time to wait from `now` until the target's first scrape: each target
// scrapes at the fixed phase `(hash ^ seed) % interval` of Unix time.
// REQUIRES: interval > 0.
std::chrono::nanoseconds ScrapeOffset(uint64_t target_hash, uint64_t seed, std::chrono::nanoseconds interval,
                                      std::chrono::nanoseconds now_since_epoch);

}  // namespace kubescrape::scraper
