#pragma once
// ScrapeManager: one scrape pool per job; turns each job's discovered target
// groups into targets (BuildTargets) and keeps exactly one ScrapeLoop per
// distinct target running (Prometheus's scrape.Manager + scrapePool).
//
//  - Sync(job, groups): loops start for new targets and stop (with
//    end-of-run staleness) for targets that are gone.
//  - ApplyConfig(jobs): jobs that vanished stop; for a changed job, targets
//    are rebuilt from its last groups; loops whose target and sample
//    processing are unchanged keep running with the new config (no data
//    lost), the others are replaced.
//
// Thread-safety: all methods are thread-safe (one mutex); loops run on the
// executor given at construction. `storage` and `clock` must outlive the
// manager; call Stop() before destroying it.

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "model/target_group.h"
#include "scraper/config.h"
#include "scraper/scrape_loop.h"
#include "scraper/target.h"
#include "tsdb/storage.h"
#include "util/clock.h"

namespace kubescrape::scraper {

// One target as the targets API shows it.
struct TargetStatus {
  std::string job;
  Target target;
  TargetHealth health;
  std::shared_ptr<const MetadataMap> metadata = std::make_shared<const MetadataMap>();  // never null
};

// A discovered target that was dropped by relabeling or is invalid.
struct DroppedTarget {
  std::string job;
  model::Labels discovered;
  std::string error;  // empty when relabeling dropped it
};

class ScrapeManager {
 public:
  ScrapeManager(boost::asio::any_io_executor executor, tsdb::Storage& storage, const util::Clock& clock,
                ScrapeLoop::Options options);
  ~ScrapeManager();
  ScrapeManager(const ScrapeManager&) = delete;
  ScrapeManager& operator=(const ScrapeManager&) = delete;

  // The seed of the scrape phases (OffsetSeed) for loops started from now on.
  void SetOffsetSeed(uint64_t seed);

  void ApplyConfig(const std::vector<std::shared_ptr<const ScrapeConfig>>& jobs);
  // The full current target groups of `job`. Unknown jobs are ignored.
  void Sync(const std::string& job, const std::vector<model::TargetGroup>& groups);
  // Stops every loop, without staleness markers (shutdown). Later
  // ApplyConfig/Sync calls are ignored; the targets stay listed.
  void Stop();

  std::vector<TargetStatus> ActiveTargets() const;
  // Dropped targets: at most the pool's keep_dropped_targets each (0: no
  // cap), as Prometheus keeps their details.
  std::vector<DroppedTarget> DroppedTargets() const;
  // The error forced on a pool's targets (target_limit exceeded), or "".
  std::string ForcedError(const std::string& job) const;
  // Every pool's number of dropped targets, uncapped.
  std::map<std::string, size_t> DroppedTargetCounts() const;
  size_t NumLoops() const;

 private:
  struct Pool {
    std::shared_ptr<const ScrapeConfig> config;
    std::vector<model::TargetGroup> groups;
    std::map<uint64_t, std::shared_ptr<ScrapeLoop>> loops;  // by target hash
    std::vector<DroppedTarget> dropped;  // at most keep_dropped_targets (0: all)
    size_t dropped_count = 0;            // all of them
  };
  void SyncLocked(Pool& pool, bool config_changed, std::shared_ptr<const ScrapeConfig> old_config);

  boost::asio::any_io_executor executor_;
  tsdb::Storage& storage_;
  const util::Clock& clock_;

  mutable std::mutex mu_;
  ScrapeLoop::Options options_;        // guarded by mu_
  std::map<std::string, Pool> pools_;  // guarded by mu_
  bool stopped_ = false;               // guarded by mu_
};

}  // namespace kubescrape::scraper
