#pragma once
// Service-discovery configuration: what a scrape job's *_sd_configs and
// static_configs say. Plain data filled by the config loader; the
// discoverers (static, file, kubernetes) consume it.
//
// Thread-safety: plain values.

#include <string>
#include <vector>

#include "model/duration.h"
#include "model/http_config.h"
#include "model/target_group.h"
#include "util/status.h"

namespace kubescrape::discovery {

// static_configs: one entry is one target group (source = its index).
struct StaticConfig {
  model::TargetGroup group;
};

// file_sd_configs.
struct FileSdConfig {
  std::vector<std::string> files;  // patterns; relative to the config file
  model::Duration refresh_interval = std::chrono::minutes(5);
};

// Checks Prometheus's file SD rules: at least one file; each a JSON or YAML
// path with at most one `*`, in the last path element.
util::Status ValidateFileSdConfig(const FileSdConfig& c);

enum class KubernetesRole { kPod, kService, kEndpoints, kEndpointSlice, kNode, kIngress };
bool ParseKubernetesRole(std::string_view s, KubernetesRole* role);
std::string_view KubernetesRoleName(KubernetesRole r);

struct KubernetesSelector {
  KubernetesRole role = KubernetesRole::kPod;
  std::string label;  // a Kubernetes label selector, e.g. "app=web,tier!=db"
  std::string field;  // a Kubernetes field selector, e.g. "spec.nodeName=n1"
};

// kubernetes_sd_configs.
struct KubernetesSdConfig {
  KubernetesRole role = KubernetesRole::kPod;
  bool role_set = false;
  std::string api_server;       // empty: in-cluster or kubeconfig
  std::string kubeconfig_file;  // relative to the config file
  model::HttpClientConfig http_client;
  bool own_namespace = false;
  std::vector<std::string> namespaces;  // empty: all namespaces
  std::vector<KubernetesSelector> selectors;
  bool attach_node_metadata = false;
  bool attach_namespace_metadata = false;
};

// Checks Prometheus's kubernetes_sd_config rules and messages (role required,
// api_server vs kubeconfig_file vs own_namespace, custom HTTP settings need
// api_server, selector roles allowed for the role, selector syntax).
util::Status ValidateKubernetesSdConfig(const KubernetesSdConfig& c);

// Kubernetes selector syntax (apimachinery labels.Parse / fields.ParseSelector).
util::Status ValidateLabelSelector(std::string_view selector);
util::Status ValidateFieldSelector(std::string_view selector);

// All discovery settings of one scrape job.
struct JobDiscovery {
  std::vector<StaticConfig> static_configs;
  std::vector<FileSdConfig> file_sd_configs;
  std::vector<KubernetesSdConfig> kubernetes_sd_configs;
};

}  // namespace kubescrape::discovery
