#pragma once
// `scrapectl targets --config FILE [--kubeconfig K]`: discovery and
// relabeling once, without a daemon (a superset of `promtool check
// service-discovery`). Static and file groups are read, each
// kubernetes_sd_config lists its pods once (through K when given), then
// every job's targets are built exactly as the daemon builds them and shown
// with the same views as `scrapectl targets` (health "unknown": nothing is
// scraped).
//
// Thread-safety: reentrant.

#include <chrono>
#include <ostream>
#include <string>

#include "cmd/scrapectl/targets.h"
#include "util/file_system.h"

namespace kubescrape::scrapectl {

struct OfflineTargetsOptions {
  std::string config_file;
  std::string kubeconfig;  // overrides every kubernetes_sd_config's API server
  std::chrono::seconds timeout{30};  // for the Kubernetes lists
};

int OfflineTargets(const TargetsOptions& view, const OfflineTargetsOptions& options, std::ostream& out,
                   std::ostream& err, const util::FileSystem& fs = util::FileSystem::Default());

}  // namespace kubescrape::scrapectl
