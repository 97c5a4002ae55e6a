#pragma once
// BuildPodGroup: the target group of one pod, exactly as Prometheus's pod role
// builds it (discovery/kubernetes/pod.go, buildPod; see
// ../shared/reference/prometheus-semantics.md §1 and docs/discovery.md):
//
//   - source "pod/<namespace>/<name>";
//   - no pod IP: the group has no labels and no targets (it removes the
//     source); so does a pod whose node is unknown when attach_metadata.node
//     is on;
//   - group labels: __meta_kubernetes_namespace, __meta_kubernetes_pod_{name,
//     ip, ready, phase, node_name, host_ip, uid, controller_kind,
//     controller_name}, pod_label_<n>/pod_labelpresent_<n> and
//     pod_annotation_<n>/pod_annotationpresent_<n> with sanitised names, and
//     the attached node, namespace, deployment, job and cronjob labels;
//   - targets: one per declared port of each container (`ip:port`, IPv6
//     bracketed) and one per container without ports (address = the bare pod
//     IP), containers in spec order then init containers
//     (__meta_kubernetes_pod_container_init="true").
// Empty values are absent (model::Labels drops them, as Prometheus's scrape
// side does). When two label or annotation keys sanitise to the same name
// (`a.b`, `a/b`), the key that sorts last byte-wise wins (Go's map order makes
// Prometheus's choice random).
//
// Thread-safety: pure functions; a PodGroupBuilder has one owner at a time.

#include <string>
#include <string_view>
#include <vector>

#include "discovery/config.h"
#include "discovery/kubernetes_pod.h"
#include "model/labels.h"
#include "model/target_group.h"
#include "util/arena.h"

namespace kubescrape::discovery {

// attach_metadata. KubernetesSdConfig holds only node and namespace today;
// deployment, job and cronjob (Prometheus 3.11+) are set by hand.
struct PodGroupOptions {
  bool attach_node = false;
  bool attach_namespace = false;
  bool attach_deployment = false;  // __meta_kubernetes_pod_deployment_name (needs ReplicaSets)
  bool attach_job = false;         // __meta_kubernetes_pod_job_name
  bool attach_cronjob = false;     // __meta_kubernetes_pod_cronjob_name (needs Jobs)

  static PodGroupOptions FromConfig(const KubernetesSdConfig& c);
};

// What the caller found for the pod; null or empty when absent.
struct PodMetadata {
  const Node* node = nullptr;                   // the pod's spec.nodeName
  const Namespace* namespace_object = nullptr;  // the pod's namespace
  std::string_view deployment_name;             // the Deployment controlling the pod's ReplicaSet
  std::string_view cronjob_name;                // the CronJob controlling the pod's Job
};

// "pod/<namespace>/<name>".
std::string PodSource(std::string_view namespace_name, std::string_view name);

// The group that removes a pod's source (no labels, no targets).
model::TargetGroup EmptyPodGroup(std::string_view namespace_name, std::string_view name);

// Prometheus's strutil.SanitizeLabelName: every rune outside [a-zA-Z0-9_]
// (and every invalid UTF-8 byte) becomes one '_'.
std::string SanitizeLabelName(std::string_view name);

// Builds groups reusing its scratch memory (the store keeps one).
class PodGroupBuilder {
 public:
  PodGroupBuilder() = default;
  PodGroupBuilder(const PodGroupBuilder&) = delete;
  PodGroupBuilder& operator=(const PodGroupBuilder&) = delete;

  // See the file comment. `metadata` is read only for the options set.
  model::TargetGroup Build(const Pod& pod, const PodGroupOptions& options,
                           const PodMetadata& metadata);

 private:
  // prefix + SanitizeLabelName(key), in arena_.
  std::string_view MetaName(std::string_view prefix, std::string_view key);
  template <typename Object>
  void AddObjectLabels(const Object& o, std::string_view label_prefix,
                       std::string_view label_present_prefix, std::string_view annotation_prefix,
                       std::string_view annotation_present_prefix);

  util::Arena arena_;
  std::vector<model::Label> labels_;
};

// One-off form of PodGroupBuilder::Build.
model::TargetGroup BuildPodGroup(const Pod& pod, const PodGroupOptions& options = {},
                                 const PodMetadata& metadata = {});

}  // namespace kubescrape::discovery
