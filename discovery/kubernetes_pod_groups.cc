#include "discovery/kubernetes_pod_groups.h"

#include <cstring>

#include "model/label_names.h"
#include "util/utf8.h"

namespace kubescrape::discovery {
namespace {

// Prometheus's pod-role label names (discovery/kubernetes/pod.go, kubernetes.go).
constexpr std::string_view kNamespaceLabel = "__meta_kubernetes_namespace";
constexpr std::string_view kPodName = "__meta_kubernetes_pod_name";
constexpr std::string_view kPodIp = "__meta_kubernetes_pod_ip";
constexpr std::string_view kPodReady = "__meta_kubernetes_pod_ready";
constexpr std::string_view kPodPhase = "__meta_kubernetes_pod_phase";
constexpr std::string_view kPodNodeName = "__meta_kubernetes_pod_node_name";
constexpr std::string_view kPodHostIp = "__meta_kubernetes_pod_host_ip";
constexpr std::string_view kPodUid = "__meta_kubernetes_pod_uid";
constexpr std::string_view kPodControllerKind = "__meta_kubernetes_pod_controller_kind";
constexpr std::string_view kPodControllerName = "__meta_kubernetes_pod_controller_name";
constexpr std::string_view kPodDeploymentName = "__meta_kubernetes_pod_deployment_name";
constexpr std::string_view kPodJobName = "__meta_kubernetes_pod_job_name";
constexpr std::string_view kPodCronJobName = "__meta_kubernetes_pod_cronjob_name";
constexpr std::string_view kPodLabelPrefix = "__meta_kubernetes_pod_label_";
constexpr std::string_view kPodLabelPresentPrefix = "__meta_kubernetes_pod_labelpresent_";
constexpr std::string_view kPodAnnotationPrefix = "__meta_kubernetes_pod_annotation_";
constexpr std::string_view kPodAnnotationPresentPrefix = "__meta_kubernetes_pod_annotationpresent_";
constexpr std::string_view kNodeName = "__meta_kubernetes_node_name";
constexpr std::string_view kNodeLabelPrefix = "__meta_kubernetes_node_label_";
constexpr std::string_view kNodeLabelPresentPrefix = "__meta_kubernetes_node_labelpresent_";
constexpr std::string_view kNodeAnnotationPrefix = "__meta_kubernetes_node_annotation_";
constexpr std::string_view kNodeAnnotationPresentPrefix =
    "__meta_kubernetes_node_annotationpresent_";
constexpr std::string_view kNamespaceLabelPrefix = "__meta_kubernetes_namespace_label_";
constexpr std::string_view kNamespaceLabelPresentPrefix =
    "__meta_kubernetes_namespace_labelpresent_";
constexpr std::string_view kNamespaceAnnotationPrefix = "__meta_kubernetes_namespace_annotation_";
constexpr std::string_view kNamespaceAnnotationPresentPrefix =
    "__meta_kubernetes_namespace_annotationpresent_";
// Target labels, in byte order (FromSorted needs it).
constexpr std::string_view kContainerId = "__meta_kubernetes_pod_container_id";
constexpr std::string_view kContainerImage = "__meta_kubernetes_pod_container_image";
constexpr std::string_view kContainerInit = "__meta_kubernetes_pod_container_init";
constexpr std::string_view kContainerName = "__meta_kubernetes_pod_container_name";
constexpr std::string_view kContainerPortName = "__meta_kubernetes_pod_container_port_name";
constexpr std::string_view kContainerPortNumber = "__meta_kubernetes_pod_container_port_number";
constexpr std::string_view kContainerPortProtocol = "__meta_kubernetes_pod_container_port_protocol";
constexpr std::string_view kPresent = "true";
constexpr std::string_view kPodPrefix = "pod/";

bool IsNameByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Writes SanitizeLabelName(name) at `out` (at most name.size() bytes);
// returns the bytes written.
size_t Sanitize(std::string_view name, char* out) {
  size_t n = 0;
  for (size_t i = 0; i < name.size();) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (c < 0x80) {
      out[n++] = IsNameByte(c) ? static_cast<char>(c) : '_';
      ++i;
    } else {
      size_t width = 1;
      util::DecodeRune(name, i, &width);
      out[n++] = '_';
      i += width;
    }
  }
  return n;
}

}  // namespace

PodGroupOptions PodGroupOptions::FromConfig(const KubernetesSdConfig& c) {
  PodGroupOptions o;
  o.attach_node = c.attach_node_metadata;
  o.attach_namespace = c.attach_namespace_metadata;
  return o;
}

std::string PodSource(std::string_view namespace_name, std::string_view name) {
  std::string s;
  s.reserve(kPodPrefix.size() + namespace_name.size() + 1 + name.size());
  s.append(kPodPrefix).append(namespace_name).append(1, '/').append(name);
  return s;
}

model::TargetGroup EmptyPodGroup(std::string_view namespace_name, std::string_view name) {
  model::TargetGroup g;
  g.source = PodSource(namespace_name, name);
  return g;
}

std::string SanitizeLabelName(std::string_view name) {
  std::string out(name.size(), '\0');
  out.resize(Sanitize(name, out.data()));
  return out;
}

std::string_view PodGroupBuilder::MetaName(std::string_view prefix, std::string_view key) {
  char* p = arena_.Allocate(prefix.size() + key.size());
  std::memcpy(p, prefix.data(), prefix.size());
  return {p, prefix.size() + Sanitize(key, p + prefix.size())};
}

template <typename Object>
void PodGroupBuilder::AddObjectLabels(const Object& o, std::string_view label_prefix,
                                      std::string_view label_present_prefix,
                                      std::string_view annotation_prefix,
                                      std::string_view annotation_present_prefix) {
  for (size_t i = 0; i < o.num_labels(); ++i) {
    const KeyValue kv = o.label(i);
    labels_.push_back({MetaName(label_prefix, kv.key), kv.value});
    labels_.push_back({MetaName(label_present_prefix, kv.key), kPresent});
  }
  for (size_t i = 0; i < o.num_annotations(); ++i) {
    const KeyValue kv = o.annotation(i);
    labels_.push_back({MetaName(annotation_prefix, kv.key), kv.value});
    labels_.push_back({MetaName(annotation_present_prefix, kv.key), kPresent});
  }
}

model::TargetGroup PodGroupBuilder::Build(const Pod& pod, const PodGroupOptions& options,
                                          const PodMetadata& metadata) {
  model::TargetGroup g;
  g.source = PodSource(pod.namespace_name(), pod.name());
  const std::string_view ip = pod.pod_ip();
  if (ip.empty()) return g;                                       // starting or evicted
  if (options.attach_node && metadata.node == nullptr) return g;  // node unknown or filtered out

  arena_.Reset();
  labels_.clear();
  labels_.push_back({kNamespaceLabel, pod.namespace_name()});
  labels_.push_back({kPodName, pod.name()});
  labels_.push_back({kPodIp, ip});
  labels_.push_back({kPodReady, PodReadyLabelValue(pod.ready())});
  labels_.push_back({kPodPhase, pod.phase()});
  labels_.push_back({kPodNodeName, pod.node_name()});
  labels_.push_back({kPodHostIp, pod.host_ip()});
  labels_.push_back({kPodUid, pod.uid()});
  labels_.push_back({kPodControllerKind, pod.controller_kind()});
  labels_.push_back({kPodControllerName, pod.controller_name()});
  AddObjectLabels(pod, kPodLabelPrefix, kPodLabelPresentPrefix, kPodAnnotationPrefix,
                  kPodAnnotationPresentPrefix);
  if (options.attach_node) {
    labels_.push_back({kNodeName, metadata.node->name()});
    AddObjectLabels(*metadata.node, kNodeLabelPrefix, kNodeLabelPresentPrefix,
                    kNodeAnnotationPrefix, kNodeAnnotationPresentPrefix);
  }
  if (options.attach_namespace && metadata.namespace_object != nullptr) {
    AddObjectLabels(*metadata.namespace_object, kNamespaceLabelPrefix, kNamespaceLabelPresentPrefix,
                    kNamespaceAnnotationPrefix, kNamespaceAnnotationPresentPrefix);
  }
  if (options.attach_deployment) labels_.push_back({kPodDeploymentName, metadata.deployment_name});
  if (options.attach_job && pod.controller_kind() == "Job") {
    labels_.push_back({kPodJobName, pod.controller_name()});
  }
  if (options.attach_cronjob) labels_.push_back({kPodCronJobName, metadata.cronjob_name});
  g.labels = model::Labels::FromUnsorted(labels_);

  const bool ipv6 = ip.find(':') != std::string_view::npos;
  g.targets.reserve(pod.num_containers());
  for (size_t i = 0; i < pod.num_containers(); ++i) {
    const PodContainer c = pod.container(i);
    const std::string_view init = c.init() ? "true" : "false";
    if (c.num_ports() == 0) {
      // No port: the address is the bare pod IP (never bracketed).
      const model::Label l[] = {{model::kAddressLabel, ip},
                                {kContainerId, c.id()},
                                {kContainerImage, c.image()},
                                {kContainerInit, init},
                                {kContainerName, c.name()}};
      g.targets.push_back(model::Labels::FromSorted(l));
      continue;
    }
    for (size_t p = 0; p < c.num_ports(); ++p) {
      const PodPort port = c.port(p);
      // net.JoinHostPort: brackets around an IPv6 host.
      const size_t size = ip.size() + 1 + port.number.size() + (ipv6 ? 2 : 0);
      char* a = arena_.Allocate(size);
      char* w = a;
      if (ipv6) *w++ = '[';
      std::memcpy(w, ip.data(), ip.size());
      w += ip.size();
      if (ipv6) *w++ = ']';
      *w++ = ':';
      std::memcpy(w, port.number.data(), port.number.size());
      const model::Label l[] = {{model::kAddressLabel, std::string_view(a, size)},
                                {kContainerId, c.id()},
                                {kContainerImage, c.image()},
                                {kContainerInit, init},
                                {kContainerName, c.name()},
                                {kContainerPortName, port.name},
                                {kContainerPortNumber, port.number},
                                {kContainerPortProtocol, port.protocol}};
      g.targets.push_back(model::Labels::FromSorted(l));
    }
  }
  return g;
}

model::TargetGroup BuildPodGroup(const Pod& pod, const PodGroupOptions& options,
                                 const PodMetadata& metadata) {
  PodGroupBuilder b;
  return b.Build(pod, options, metadata);
}

}  // namespace kubescrape::discovery
