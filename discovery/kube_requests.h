#pragma once
// The Kubernetes API requests pod discovery makes, and how it reads their
// failures: pure helpers of the list/watch client (kube_reflector.h).
//
//   list:  GET /api/v1[/namespaces/NS]/pods?limit=500&resourceVersion=RV
//              [&continue=TOKEN][&labelSelector=..][&fieldSelector=..]
//   watch: GET ...?watch=true&allowWatchBookmarks=true&resourceVersion=RV
//              &timeoutSeconds=T[&labelSelector=..][&fieldSelector=..]
// (nodes and namespaces are cluster-scoped; ReplicaSets and Jobs live under
// /apis/apps/v1 and /apis/batch/v1).
//
// Thread-safety: plain values and pure functions; Backoff has no locking.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "discovery/config.h"
#include "discovery/kubernetes_pod.h"

namespace kubescrape::discovery {

// One list+watch: a kind of object in one namespace ("" = all, or
// cluster-scoped), with the selectors the API server applies.
struct KubeResource {
  ObjectKind kind = ObjectKind::kPod;
  std::string namespace_name;
  std::string label_selector;
  std::string field_selector;
  friend bool operator==(const KubeResource&, const KubeResource&) = default;
};

// The resources one kubernetes_sd_config (role pod) lists and watches: pods
// per namespace (own namespace added when asked), plus nodes and namespaces
// for attach_metadata.
std::vector<KubeResource> PodRoleResources(const KubernetesSdConfig& config, std::string_view own_namespace);

// "/api/v1/namespaces/NS/pods", "/api/v1/nodes", ...
std::string ResourcePath(const KubeResource& r);

inline constexpr int kListPageSize = 500;

// Path and query of one list page. `continue_token` empty for the first
// page; the API server then ignores resourceVersion on later pages.
std::string ListTarget(const KubeResource& r, std::string_view resource_version,
                       std::string_view continue_token);

std::string WatchTarget(const KubeResource& r, std::string_view resource_version,
                        std::chrono::seconds timeout);

// A failed request as the API server explains it (its Status object).
struct KubeApiError {
  int http_status = 0;  // or the Status's `code` for a watch ERROR event
  std::string reason;   // "Expired", "Forbidden", "Unauthorized", ...
  std::string message;  // the API's message, or the raw body's start

  // 410 Gone/Expired: the resource version is too old; relist.
  bool expired() const { return http_status == 410; }
};

// Reads a non-200 response: a Status object's reason and message, else the
// body's first bytes.
KubeApiError ParseApiError(int http_status, std::string_view body);

// client-go's backoff for failing lists and watches: 800 ms doubling up to
// 30 s; Reset() after a success.
class Backoff {
 public:
  std::chrono::milliseconds Next();
  void Reset() { next_ = kInitial; }

  static constexpr std::chrono::milliseconds kInitial{800};
  static constexpr std::chrono::milliseconds kMax{30000};

 private:
  std::chrono::milliseconds next_ = kInitial;
};

}  // namespace kubescrape::discovery
