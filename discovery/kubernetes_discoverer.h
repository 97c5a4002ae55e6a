#pragma once
// KubernetesDiscoverer: pod discovery (role: pod) for one
// kubernetes_sd_config, over the real API protocol. For every resource the
// config needs (pods per namespace, plus nodes and namespaces for
// attach_metadata; kube_requests.h) it runs client-go's reflector loop:
//   LIST (pages of 500, first with resourceVersion=0) -> PodStore::Replace*
//   -> WATCH from the list's resourceVersion with bookmarks and a timeout
//   of 5-10 min -> PodStore::Apply per event -> re-WATCH from the last
//   resourceVersion when the stream ends.
// A 410 Expired (HTTP status or ERROR event) relists with resourceVersion=""
// and the store replaces its contents (pods that vanished meanwhile become
// empty groups). Other failures (connection refused, 401/403, 5xx, bad
// events) are logged with the API's message and retried with client-go's
// backoff (800 ms doubling to 30 s); they never stop the daemon.
//
// Changed target groups go to every subscriber: jobs whose configs name the
// same API server, namespaces, selectors and attach_metadata share one
// discoverer (SharingKey()), hence one set of lists and watches.
//
// Thread-safety: every public method may be called from any thread. Sinks
// are called on the discoverer's strand, one at a time, under the
// subscribers' lock: a sink must be quick (Manager::Update is) and must not
// call back into the discoverer. Lifetime: reference-counted; the coroutines
// keep it alive until they have seen Stop().

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "discovery/config.h"
#include "discovery/kube_endpoint.h"
#include "model/target_group.h"
#include "util/file_system.h"
#include "util/status.h"

namespace kubescrape::discovery {

struct KubernetesDiscovererOptions {
  std::string user_agent = "Kubescrape";
  // Watches last a random time in [min, 2*min) (client-go: 5 min).
  std::chrono::seconds min_watch_timeout{300};
  // Failed requests are retried after this, doubling (client-go: 800 ms).
  std::chrono::milliseconds initial_backoff{800};
};

struct KubernetesDiscovererStats {
  uint64_t lists = 0;             // complete LISTs (all pages)
  uint64_t watches = 0;           // WATCH requests that got a 200
  uint64_t events = 0;            // watch events applied
  uint64_t failures = 0;          // failed requests and bad events
  uint64_t relists_expired = 0;   // relists caused by 410
  size_t pods = 0;                // pods held
  size_t memory_bytes = 0;        // estimate of the store's heap bytes
};

class KubernetesDiscoverer : public std::enable_shared_from_this<KubernetesDiscoverer> {
 public:
  using Sink = std::function<void(std::vector<model::TargetGroup>)>;

  // Resolves the endpoint (kubeconfig, in-cluster or api_server) and builds
  // the TLS context. Nothing is requested before Start().
  // REQUIRES: `config` validated, role pod; `fs` outlives the discoverer.
  [[nodiscard]] static util::StatusOr<std::shared_ptr<KubernetesDiscoverer>> Open(
      boost::asio::any_io_executor executor, const KubernetesSdConfig& config, const util::FileSystem& fs,
      const EnvLookup& env, KubernetesDiscovererOptions options = {});

  ~KubernetesDiscoverer();
  KubernetesDiscoverer(const KubernetesDiscoverer&) = delete;
  KubernetesDiscoverer& operator=(const KubernetesDiscoverer&) = delete;

  // A string equal for configs that can share one discoverer.
  static std::string SharingKey(const KubernetesSdConfig& config);

  // Adds (or replaces) a consumer named `id`. It first receives every group
  // the store holds, then each change.
  void Subscribe(std::string id, Sink sink);
  void Unsubscribe(std::string id);
  size_t subscribers() const;

  // Starts the list/watch loops. Call once.
  void Start();
  // Ends every request and loop. No sink is called after Stop() returns.
  void Stop();

  const KubeEndpoint& endpoint() const;
  KubernetesDiscovererStats stats() const;

 private:
  struct Impl;
  explicit KubernetesDiscoverer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kubescrape::discovery
