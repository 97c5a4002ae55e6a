#pragma once
// Manager: collects the target groups of every discovery provider and hands
// the scrape side one snapshot per job (Prometheus's discovery.Manager).
//
// A provider is one discoverer of one job, named by an id unique within the
// job ("static/0", "file/1", "kubernetes/0"). An id names one configuration:
// when a provider's configuration changes on reload, give it a new id (or
// Replace() its groups), otherwise the old configuration's groups survive,
// since Prometheus too treats a changed configuration as a new provider.
//
// Groups are keyed by (job, provider, source). Update() replaces each group
// with the same source and removes a source given a group without targets;
// Replace() sets a provider's complete set. TakeChanges() returns, for each
// job that changed since the last call, all of its groups. The daemon calls it
// every 5 s (Prometheus's updatert): that is the debounce, a burst of updates
// between two calls becomes one snapshot.
//
// Thread-safety: thread-safe; providers call Update() from their own threads
// or strands while the scrape side calls TakeChanges(). Snapshots are
// immutable and may be kept and read from any thread.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "model/target_group.h"

namespace kubescrape::discovery {

// The configured providers: job name -> its provider ids.
using JobProviders = std::map<std::string, std::set<std::string>>;

// All groups of a job: every provider's, sorted by provider id then source
// (byte-wise); none without targets.
using GroupsSnapshot = std::shared_ptr<const std::vector<model::TargetGroup>>;

// One job's entry in TakeChanges().
struct JobTargets {
  std::string job;
  GroupsSnapshot groups;  // never null; empty when removed
  bool removed = false;   // the job is no longer configured
};

// Counters for the daemon to export.
struct ManagerStats {
  // Update() and Replace() calls (prometheus_sd_received_updates_total).
  uint64_t updates_received = 0;
  // Of those, the ones for providers not configured.
  uint64_t updates_dropped = 0;
  // TakeChanges() calls that returned jobs (prometheus_sd_updates_total).
  uint64_t snapshots_taken = 0;
  // Targets per configured job (prometheus_sd_discovered_targets).
  std::map<std::string, size_t> discovered_targets;
};

class Manager {
 public:
  Manager() = default;
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // Sets the configured jobs and providers. Jobs and providers absent from
  // `config` are dropped with their groups; those kept keep their groups (a
  // reload does not lose discovered targets); new ones start empty. Every
  // configured job is then reported by the next TakeChanges() (the scrape
  // side expects full state after a reload), and every dropped job as removed.
  void ApplyConfig(const JobProviders& config);

  // Applies a provider's groups: each replaces the group with its source; a
  // group without targets removes its source. Returns false, and drops the
  // groups, when (job, provider) is not configured (e.g. a provider removed
  // by a reload that is still delivering).
  bool Update(std::string_view job, std::string_view provider,
              std::vector<model::TargetGroup> groups);

  // Like Update(), but `groups` is the provider's complete set: sources not
  // in it are removed. For providers that always know everything (static).
  bool Replace(std::string_view job, std::string_view provider,
               std::vector<model::TargetGroup> groups);

  // True when TakeChanges() would return something.
  bool HasChanges() const;

  // The jobs changed or removed since the previous call, sorted by name, each
  // with all its current groups; empty when nothing changed. An update that
  // leaves a job's groups as they were is not a change.
  std::vector<JobTargets> TakeChanges();

  // The current groups of `job`; nullptr when the job is not configured.
  GroupsSnapshot Groups(std::string_view job) const;

  ManagerStats Stats() const;

 private:
  using SourceMap = std::map<std::string, model::TargetGroup, std::less<>>;
  struct Job {
    std::map<std::string, SourceMap, std::less<>> providers;
    // The last snapshot built, or null when groups changed since.
    mutable GroupsSnapshot snapshot;
  };

  // The provider's groups, or nullptr when not configured. Counts the update.
  SourceMap* FindProviderLocked(std::string_view job, std::string_view provider, Job** job_out);
  // Sets or removes one group; returns true when the provider's groups changed.
  static bool ApplyGroupLocked(SourceMap& sources, model::TargetGroup&& group);
  void MarkChangedLocked(std::string_view name, Job& job);
  static GroupsSnapshot SnapshotLocked(const Job& job);

  mutable std::mutex mu_;
  std::map<std::string, Job, std::less<>> jobs_;  // guarded by mu_
  std::set<std::string, std::less<>> dirty_;      // jobs changed or removed; guarded by mu_
  uint64_t updates_received_ = 0;                 // guarded by mu_
  uint64_t updates_dropped_ = 0;                  // guarded by mu_
  uint64_t snapshots_taken_ = 0;                  // guarded by mu_
};

}  // namespace kubescrape::discovery
