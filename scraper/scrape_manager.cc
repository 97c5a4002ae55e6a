#include "scraper/scrape_manager.h"

#include <set>

#include <fmt/format.h>

#include "util/logging.h"

namespace kubescrape::scraper {

ScrapeManager::ScrapeManager(boost::asio::any_io_executor executor, tsdb::Storage& storage,
                             const util::Clock& clock, ScrapeLoop::Options options)
    : executor_(std::move(executor)), storage_(storage), clock_(clock), options_(std::move(options)) {}

ScrapeManager::~ScrapeManager() { Stop(); }

void ScrapeManager::SetOffsetSeed(uint64_t seed) {
  std::lock_guard<std::mutex> lock(mu_);
  options_.offset_seed = seed;
}

void ScrapeManager::ApplyConfig(const std::vector<std::shared_ptr<const ScrapeConfig>>& jobs) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopped_) return;
  std::set<std::string> names;
  for (const auto& cfg : jobs) {
    names.insert(cfg->job_name);
    auto [it, inserted] = pools_.try_emplace(cfg->job_name);
    Pool& pool = it->second;
    std::shared_ptr<const ScrapeConfig> old = pool.config;
    pool.config = cfg;
    if (!inserted) SyncLocked(pool, /*config_changed=*/true, old);
  }
  for (auto it = pools_.begin(); it != pools_.end();) {
    if (names.contains(it->first)) {
      ++it;
      continue;
    }
    for (auto& [hash, loop] : it->second.loops) loop->Stop(/*end_of_run_staleness=*/true);
    it = pools_.erase(it);
  }
}

void ScrapeManager::Sync(const std::string& job, const std::vector<model::TargetGroup>& groups) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopped_) return;
  auto it = pools_.find(job);
  if (it == pools_.end()) return;
  it->second.groups = groups;
  SyncLocked(it->second, /*config_changed=*/false, nullptr);
}

void ScrapeManager::SyncLocked(Pool& pool, bool config_changed, std::shared_ptr<const ScrapeConfig> old_config) {
  std::vector<TargetOutcome> outcomes = BuildTargets(pool.groups, *pool.config);
  std::map<uint64_t, std::shared_ptr<ScrapeLoop>> next;
  pool.dropped.clear();
  pool.dropped_count = 0;
  const uint64_t keep = pool.config->limits.keep_dropped_targets;
  const bool reusable = !config_changed || SameSampleProcessing(*old_config, *pool.config);
  // Over target_limit: every target of the pool fails without being scraped
  // (Prometheus's errTargetLimit), until the count drops again. Set before a
  // new loop starts, so not even its first scrape happens.
  std::set<uint64_t> unique;
  for (const TargetOutcome& o : outcomes) {
    if (o.target) unique.insert(o.target->hash);
  }
  const uint64_t target_limit = pool.config->limits.target_limit;
  std::string forced;
  if (target_limit > 0 && unique.size() > target_limit) {
    forced = fmt::format("target_limit exceeded (number of targets: {}, limit: {})", unique.size(), target_limit);
    util::log::Warn("Scrape pool over its target_limit", {{"scrape_pool", pool.config->job_name}, {"err", forced}});
  }
  for (TargetOutcome& o : outcomes) {
    if (!o.target) {
      ++pool.dropped_count;
      if (keep == 0 || pool.dropped.size() < keep) {
        pool.dropped.push_back({pool.config->job_name, std::move(o.discovered),
                                o.error.ok() ? std::string() : o.error.message()});
      }
      if (!o.error.ok()) {
        util::log::Debug("Invalid target", {{"scrape_pool", pool.config->job_name}, {"err", o.error.message()}});
      }
      continue;
    }
    const uint64_t hash = o.target->hash;
    auto old = pool.loops.find(hash);
    if (old != pool.loops.end()) {
      // Same labels and URL; interval and timeout are labels, so unchanged too.
      if (config_changed) {
        if (reusable) {
          old->second->UpdateConfig(pool.config);
        } else {
          old->second->Stop(/*end_of_run_staleness=*/true);
          old = pool.loops.end();
        }
      }
      if (old != pool.loops.end()) {
        old->second->SetForcedError(forced);
        next.emplace(hash, std::move(old->second));
        pool.loops.erase(old);
        continue;
      }
    }
    auto loop = ScrapeLoop::Create(executor_, std::move(*o.target), pool.config, storage_, clock_, options_);
    loop->SetForcedError(forced);
    loop->Start();
    next.emplace(hash, std::move(loop));
  }
  // Whatever is left is gone (or was replaced above).
  for (auto& [hash, loop] : pool.loops) {
    if (loop) loop->Stop(/*end_of_run_staleness=*/true);
  }
  pool.loops = std::move(next);
}

void ScrapeManager::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopped_) return;
  stopped_ = true;
  // The pools stay, so the final state can still be reported.
  for (auto& [name, pool] : pools_) {
    for (auto& [hash, loop] : pool.loops) loop->Stop(/*end_of_run_staleness=*/false);
  }
}

std::vector<TargetStatus> ScrapeManager::ActiveTargets() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<TargetStatus> out;
  for (const auto& [name, pool] : pools_) {
    for (const auto& [hash, loop] : pool.loops) {
      out.push_back({name, loop->target(), loop->Health(), loop->Metadata()});
    }
  }
  return out;
}

std::vector<DroppedTarget> ScrapeManager::DroppedTargets() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<DroppedTarget> out;
  for (const auto& [name, pool] : pools_) out.insert(out.end(), pool.dropped.begin(), pool.dropped.end());
  return out;
}

std::string ScrapeManager::ForcedError(const std::string& job) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pools_.find(job);
  if (it == pools_.end() || it->second.loops.empty()) return "";
  return it->second.loops.begin()->second->forced_error();
}

std::map<std::string, size_t> ScrapeManager::DroppedTargetCounts() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, size_t> out;
  for (const auto& [name, pool] : pools_) out[name] = pool.dropped_count;
  return out;
}

size_t ScrapeManager::NumLoops() const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& [name, pool] : pools_) n += pool.loops.size();
  return n;
}

}  // namespace kubescrape::scraper
