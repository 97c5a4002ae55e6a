#include "discovery/kube_requests.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "util/url.h"

namespace kubescrape::discovery {
namespace {

void AppendParam(std::string* out, std::string_view key, std::string_view value) {
  out->push_back(out->find('?') == std::string::npos ? '?' : '&');
  out->append(key);
  out->push_back('=');
  util::AppendQueryEscaped(out, value);
}

void AppendSelectors(std::string* out, const KubeResource& r) {
  if (!r.label_selector.empty()) AppendParam(out, "labelSelector", r.label_selector);
  if (!r.field_selector.empty()) AppendParam(out, "fieldSelector", r.field_selector);
}

std::string_view Trimmed(std::string_view s, size_t max) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
  return s.substr(0, max);
}

}  // namespace

std::vector<KubeResource> PodRoleResources(const KubernetesSdConfig& config, std::string_view own_namespace) {
  std::set<std::string> namespaces(config.namespaces.begin(), config.namespaces.end());
  if (config.own_namespace) namespaces.emplace(own_namespace);
  if (namespaces.empty()) namespaces.emplace("");  // all namespaces
  std::string pod_label, pod_field, node_label, node_field;
  for (const KubernetesSelector& s : config.selectors) {
    if (s.role == KubernetesRole::kPod) {
      pod_label = s.label;
      pod_field = s.field;
    } else if (s.role == KubernetesRole::kNode) {
      node_label = s.label;
      node_field = s.field;
    }
  }
  std::vector<KubeResource> out;
  for (const std::string& ns : namespaces) out.push_back({ObjectKind::kPod, ns, pod_label, pod_field});
  if (config.attach_node_metadata) out.push_back({ObjectKind::kNode, "", node_label, node_field});
  if (config.attach_namespace_metadata) out.push_back({ObjectKind::kNamespace, "", "", ""});
  return out;
}

std::string ResourcePath(const KubeResource& r) {
  std::string_view group = "/api/v1";
  std::string_view plural = "pods";
  bool namespaced = true;
  switch (r.kind) {
    case ObjectKind::kPod: break;
    case ObjectKind::kNode: plural = "nodes", namespaced = false; break;
    case ObjectKind::kNamespace: plural = "namespaces", namespaced = false; break;
    case ObjectKind::kReplicaSet: group = "/apis/apps/v1", plural = "replicasets"; break;
    case ObjectKind::kJob: group = "/apis/batch/v1", plural = "jobs"; break;
  }
  std::string path(group);
  if (namespaced && !r.namespace_name.empty()) {
    path += "/namespaces/";
    util::AppendPathEscaped(&path, r.namespace_name);
  }
  path += '/';
  path += plural;
  return path;
}

std::string ListTarget(const KubeResource& r, std::string_view resource_version, std::string_view continue_token) {
  std::string out = ResourcePath(r);
  AppendParam(&out, "limit", std::to_string(kListPageSize));
  if (!continue_token.empty()) {
    AppendParam(&out, "continue", continue_token);
  } else if (!resource_version.empty()) {
    AppendParam(&out, "resourceVersion", resource_version);
  }
  AppendSelectors(&out, r);
  return out;
}

std::string WatchTarget(const KubeResource& r, std::string_view resource_version, std::chrono::seconds timeout) {
  std::string out = ResourcePath(r);
  AppendParam(&out, "watch", "true");
  AppendParam(&out, "allowWatchBookmarks", "true");
  if (!resource_version.empty()) AppendParam(&out, "resourceVersion", resource_version);
  AppendParam(&out, "timeoutSeconds", std::to_string(timeout.count()));
  AppendSelectors(&out, r);
  return out;
}

KubeApiError ParseApiError(int http_status, std::string_view body) {
  KubeApiError e;
  e.http_status = http_status;
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseStopWhenDoneFlag>(body.data(), body.size());
  if (!doc.HasParseError() && doc.IsObject()) {
    auto str = [&doc](const char* name) -> std::string {
      auto it = doc.FindMember(name);
      return it != doc.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
    };
    if (str("kind") == "Status") {
      e.reason = str("reason");
      e.message = str("message");
      return e;
    }
  }
  e.message = std::string(Trimmed(body, 256));
  return e;
}

std::chrono::milliseconds Backoff::Next() {
  std::chrono::milliseconds d = next_;
  next_ = std::min(next_ * 2, kMax);
  return d;
}

}  // namespace kubescrape::discovery
