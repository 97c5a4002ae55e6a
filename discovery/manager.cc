#include "discovery/manager.h"

#include <utility>

#include "discovery/target_groups.h"

namespace kubescrape::discovery {

void Manager::ApplyConfig(const JobProviders& config) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    if (config.contains(it->first)) {
      ++it;
    } else {
      dirty_.insert(it->first);
      it = jobs_.erase(it);
    }
  }
  for (const auto& [name, providers] : config) {
    Job& job = jobs_[name];
    for (auto it = job.providers.begin(); it != job.providers.end();) {
      if (providers.contains(it->first)) {
        ++it;
      } else {
        if (!it->second.empty()) job.snapshot = nullptr;
        it = job.providers.erase(it);
      }
    }
    for (const std::string& id : providers) job.providers.try_emplace(id);
    // Full state after a reload, as Prometheus sends all groups after ApplyConfig.
    dirty_.insert(name);
  }
}

Manager::SourceMap* Manager::FindProviderLocked(std::string_view job, std::string_view provider,
                                                Job** job_out) {
  ++updates_received_;
  auto j = jobs_.find(job);
  if (j != jobs_.end()) {
    auto p = j->second.providers.find(provider);
    if (p != j->second.providers.end()) {
      *job_out = &j->second;
      return &p->second;
    }
  }
  ++updates_dropped_;
  return nullptr;
}

bool Manager::ApplyGroupLocked(SourceMap& sources, model::TargetGroup&& group) {
  auto it = sources.find(group.source);
  if (group.targets.empty()) {
    if (it == sources.end()) return false;
    sources.erase(it);
    return true;
  }
  if (it == sources.end()) {
    std::string source = group.source;
    sources.emplace(std::move(source), std::move(group));
    return true;
  }
  if (TargetGroupsEqual(it->second, group)) return false;
  it->second = std::move(group);
  return true;
}

void Manager::MarkChangedLocked(std::string_view name, Job& job) {
  job.snapshot = nullptr;
  dirty_.emplace(name);
}

bool Manager::Update(std::string_view job, std::string_view provider,
                     std::vector<model::TargetGroup> groups) {
  std::lock_guard<std::mutex> lock(mu_);
  Job* j = nullptr;
  SourceMap* sources = FindProviderLocked(job, provider, &j);
  if (sources == nullptr) return false;
  bool changed = false;
  for (model::TargetGroup& g : groups) changed |= ApplyGroupLocked(*sources, std::move(g));
  if (changed) MarkChangedLocked(job, *j);
  return true;
}

bool Manager::Replace(std::string_view job, std::string_view provider,
                      std::vector<model::TargetGroup> groups) {
  std::lock_guard<std::mutex> lock(mu_);
  Job* j = nullptr;
  SourceMap* sources = FindProviderLocked(job, provider, &j);
  if (sources == nullptr) return false;
  std::set<std::string_view> keep;
  for (const model::TargetGroup& g : groups) keep.insert(g.source);
  bool changed = false;
  for (auto it = sources->begin(); it != sources->end();) {
    if (keep.contains(it->first)) {
      ++it;
    } else {
      it = sources->erase(it);
      changed = true;
    }
  }
  for (model::TargetGroup& g : groups) changed |= ApplyGroupLocked(*sources, std::move(g));
  if (changed) MarkChangedLocked(job, *j);
  return true;
}

bool Manager::HasChanges() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !dirty_.empty();
}

GroupsSnapshot Manager::SnapshotLocked(const Job& job) {
  if (job.snapshot == nullptr) {
    auto groups = std::make_shared<std::vector<model::TargetGroup>>();
    for (const auto& [id, sources] : job.providers) {
      for (const auto& [source, group] : sources) groups->push_back(group);
    }
    job.snapshot = std::move(groups);
  }
  return job.snapshot;
}

std::vector<JobTargets> Manager::TakeChanges() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<JobTargets> out;
  out.reserve(dirty_.size());
  for (const std::string& name : dirty_) {
    auto it = jobs_.find(name);
    if (it == jobs_.end()) {
      out.push_back(
          {name, std::make_shared<const std::vector<model::TargetGroup>>(), /*removed=*/true});
    } else {
      out.push_back({name, SnapshotLocked(it->second), /*removed=*/false});
    }
  }
  dirty_.clear();
  if (!out.empty()) ++snapshots_taken_;
  return out;
}

GroupsSnapshot Manager::Groups(std::string_view job) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(job);
  if (it == jobs_.end()) return nullptr;
  return SnapshotLocked(it->second);
}

ManagerStats Manager::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  ManagerStats s;
  s.updates_received = updates_received_;
  s.updates_dropped = updates_dropped_;
  s.snapshots_taken = snapshots_taken_;
  for (const auto& [name, job] : jobs_) {
    size_t n = 0;
    for (const auto& [id, sources] : job.providers) {
      for (const auto& [source, group] : sources) n += group.targets.size();
    }
    s.discovered_targets[name] = n;
  }
  return s;
}

}  // namespace kubescrape::discovery
