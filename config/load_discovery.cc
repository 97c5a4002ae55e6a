#include <fmt/format.h>

#include "config/load_internal.h"
#include "model/label_names.h"

namespace kubescrape::config::internal {
namespace {

// Service discovery mechanisms of Prometheus that Kubescrape does not have.
// A job that relies on one would silently get no targets, so they are errors.
constexpr std::string_view kUnsupportedSd[] = {
    "azure_sd_configs",     "consul_sd_configs",    "digitalocean_sd_configs", "docker_sd_configs",
    "dockerswarm_sd_configs", "dns_sd_configs",     "ec2_sd_configs",          "eureka_sd_configs",
    "gce_sd_configs",       "hetzner_sd_configs",   "http_sd_configs",         "ionos_sd_configs",
    "kuma_sd_configs",      "lightsail_sd_configs", "linode_sd_configs",       "marathon_sd_configs",
    "nerve_sd_configs",     "nomad_sd_configs",     "openstack_sd_configs",    "ovhcloud_sd_configs",
    "puppetdb_sd_configs",  "scaleway_sd_configs",  "serverset_sd_configs",    "stackit_sd_configs",
    "triton_sd_configs",    "uyuni_sd_configs",     "vultr_sd_configs",
};

util::Status LoadStatic(const Node& node, size_t index, discovery::StaticConfig* out) {
  KS_ASSIGN_OR_RETURN(MapReader m, MapReader::Open(node));
  std::vector<std::string> targets;
  KS_RETURN_IF_ERROR(m.StringList("targets", &targets));
  out->group.source = std::to_string(index);
  if (auto labels = m.Take("labels")) {
    KS_ASSIGN_OR_RETURN(out->group.labels,
                        LoadLabelMap(*labels, model::NameValidationScheme::kUtf8, /*expand_env=*/false));
  }
  for (const std::string& t : targets) {
    out->group.targets.push_back(model::Labels::FromPairs({{model::kAddressLabel, t}}));
  }
  return m.Finish();
}

util::Status LoadFileSd(const Node& node, discovery::FileSdConfig* out) {
  KS_ASSIGN_OR_RETURN(MapReader m, MapReader::Open(node));
  KS_RETURN_IF_ERROR(m.StringList("files", &out->files));
  KS_RETURN_IF_ERROR(m.Duration("refresh_interval", &out->refresh_interval));
  KS_RETURN_IF_ERROR(m.Finish());
  if (auto s = discovery::ValidateFileSdConfig(*out); !s.ok()) return node.Error(s.message());
  return util::Status::Ok();
}

util::Status LoadKubernetesSd(const Node& node, discovery::KubernetesSdConfig* out) {
  KS_ASSIGN_OR_RETURN(MapReader m, MapReader::Open(node));
  if (auto role = m.Take("role"); role && !role->IsNull()) {
    KS_ASSIGN_OR_RETURN(std::string name, role->AsString());
    if (!discovery::ParseKubernetesRole(name, &out->role)) {
      return role->Error(fmt::format("unknown Kubernetes SD role \"{}\"", name));
    }
    if (out->role != discovery::KubernetesRole::kPod) {
      return role->Error(fmt::format(
          "role \"{}\" is not supported by Kubescrape yet (supported: pod)", name));
    }
    out->role_set = true;
  }
  KS_RETURN_IF_ERROR(m.String("api_server", &out->api_server));
  if (!out->api_server.empty() && out->api_server.rfind("http://", 0) != 0 &&
      out->api_server.rfind("https://", 0) != 0) {
    return m.Take("api_server")->Error(
        fmt::format("api_server \"{}\" must be an http:// or https:// URL", out->api_server));
  }
  KS_RETURN_IF_ERROR(m.String("kubeconfig_file", &out->kubeconfig_file));
  if (auto ns = m.Take("namespaces")) {
    KS_ASSIGN_OR_RETURN(MapReader nm, MapReader::Open(*ns));
    KS_RETURN_IF_ERROR(nm.Bool("own_namespace", &out->own_namespace));
    KS_RETURN_IF_ERROR(nm.StringList("names", &out->namespaces));
    KS_RETURN_IF_ERROR(nm.Finish());
  }
  if (auto selectors = m.Take("selectors")) {
    KS_ASSIGN_OR_RETURN(std::vector<Node> elements, selectors->Elements());
    for (const Node& e : elements) {
      KS_ASSIGN_OR_RETURN(MapReader sm, MapReader::Open(e));
      discovery::KubernetesSelector sel;
      std::string role;
      KS_RETURN_IF_ERROR(sm.String("role", &role));
      if (!discovery::ParseKubernetesRole(role, &sel.role)) {
        return e.Error(fmt::format("unknown Kubernetes SD role \"{}\"", role));
      }
      KS_RETURN_IF_ERROR(sm.String("label", &sel.label));
      KS_RETURN_IF_ERROR(sm.String("field", &sel.field));
      KS_RETURN_IF_ERROR(sm.Finish());
      out->selectors.push_back(std::move(sel));
    }
  }
  if (auto attach = m.Take("attach_metadata")) {
    KS_ASSIGN_OR_RETURN(MapReader am, MapReader::Open(*attach));
    KS_RETURN_IF_ERROR(am.Bool("node", &out->attach_node_metadata));
    KS_RETURN_IF_ERROR(am.Bool("namespace", &out->attach_namespace_metadata));
    KS_RETURN_IF_ERROR(am.Finish());
  }
  KS_RETURN_IF_ERROR(LoadHttpClientConfig(m, &out->http_client));
  KS_RETURN_IF_ERROR(m.Finish());
  if (auto s = discovery::ValidateKubernetesSdConfig(*out); !s.ok()) return node.Error(s.message());
  return util::Status::Ok();
}

template <typename T, typename LoadFn>
util::Status LoadList(MapReader& m, std::string_view key, std::vector<T>* out, LoadFn load) {
  auto list = m.Take(key);
  if (!list) return util::Status::Ok();
  KS_ASSIGN_OR_RETURN(std::vector<Node> elements, list->Elements());
  for (size_t i = 0; i < elements.size(); ++i) {
    T item;
    KS_RETURN_IF_ERROR(load(elements[i], i, &item));
    out->push_back(std::move(item));
  }
  return util::Status::Ok();
}

}  // namespace

util::Status LoadJobDiscovery(MapReader& m, discovery::JobDiscovery* out) {
  for (std::string_view key : kUnsupportedSd) {
    if (auto n = m.Take(key); n && !n->IsNull()) {
      return n->Error(fmt::format(
          "{} is not supported by Kubescrape (supported: static_configs, file_sd_configs, kubernetes_sd_configs)",
          key));
    }
  }
  KS_RETURN_IF_ERROR(LoadList(m, "static_configs", &out->static_configs,
                              [](const Node& n, size_t i, discovery::StaticConfig* c) { return LoadStatic(n, i, c); }));
  KS_RETURN_IF_ERROR(LoadList(m, "file_sd_configs", &out->file_sd_configs,
                              [](const Node& n, size_t, discovery::FileSdConfig* c) { return LoadFileSd(n, c); }));
  return LoadList(m, "kubernetes_sd_configs", &out->kubernetes_sd_configs,
                  [](const Node& n, size_t, discovery::KubernetesSdConfig* c) { return LoadKubernetesSd(n, c); });
}

}  // namespace kubescrape::config::internal
