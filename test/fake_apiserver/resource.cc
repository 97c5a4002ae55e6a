#include "test/fake_apiserver/resource.h"

#include <array>

#include "test/fake_apiserver/validation.h"

namespace kubescrape::fake_apiserver {
namespace {

std::string BoolField(const rapidjson::Value& obj, std::initializer_list<std::string_view> path) {
  const rapidjson::Value* v = FindPath(obj, path);
  return v != nullptr && v->IsBool() && v->GetBool() ? "true" : "false";
}

// Pod field labels (pkg/apis/core/v1/conversion.go, v1.32).
std::optional<std::string> ConvertPodField(std::string_view field) {
  static constexpr std::array<std::string_view, 10> kFields = {
      "metadata.name",      "metadata.namespace",       "spec.nodeName", "spec.restartPolicy",
      "spec.schedulerName", "spec.serviceAccountName",  "spec.hostNetwork", "status.phase",
      "status.podIP",       "status.nominatedNodeName"};
  for (std::string_view f : kFields) {
    if (f == field) return std::string(f);
  }
  if (field == "spec.host") return std::string("spec.nodeName");  // old v1 clients
  return std::nullopt;
}

void ExtractPodFields(const rapidjson::Value& obj, StringMap& out) {
  out["metadata.name"] = GetString(obj, {"metadata", "name"});
  out["metadata.namespace"] = GetString(obj, {"metadata", "namespace"});
  out["spec.nodeName"] = GetString(obj, {"spec", "nodeName"});
  out["spec.restartPolicy"] = GetString(obj, {"spec", "restartPolicy"});
  out["spec.schedulerName"] = GetString(obj, {"spec", "schedulerName"});
  out["spec.serviceAccountName"] = GetString(obj, {"spec", "serviceAccountName"});
  out["spec.hostNetwork"] = BoolField(obj, {"spec", "hostNetwork"});
  out["status.phase"] = GetString(obj, {"status", "phase"});
  // The internal type keeps only podIPs; podIP is podIPs[0] when present.
  std::string ip = GetString(obj, {"status", "podIP"});
  const rapidjson::Value* ips = FindPath(obj, {"status", "podIPs"});
  if (ips != nullptr && ips->IsArray() && !ips->Empty()) ip = GetString((*ips)[0], {"ip"});
  out["status.podIP"] = ip;
  out["status.nominatedNodeName"] = GetString(obj, {"status", "nominatedNodeName"});
}

void SetIfAbsent(rapidjson::Value& obj, std::string_view name, rapidjson::Value value, JsonAllocator& alloc) {
  if (FindPath(obj, {name}) == nullptr) SetMember(obj, name, std::move(value), alloc);
}

void DefaultContainers(rapidjson::Value& spec, std::string_view member, JsonAllocator& alloc) {
  rapidjson::Value* list = FindPath(spec, {member});
  if (list == nullptr || !list->IsArray()) return;
  for (rapidjson::Value& c : list->GetArray()) {
    if (!c.IsObject()) continue;
    std::string image = GetString(c, {"image"});
    // A digest or a tag other than latest pulls IfNotPresent.
    size_t slash = image.rfind('/');
    std::string_view last = std::string_view(image).substr(slash == std::string::npos ? 0 : slash + 1);
    bool latest = last.find('@') == std::string_view::npos &&
                  (last.find(':') == std::string_view::npos || last.ends_with(":latest"));
    SetIfAbsent(c, "imagePullPolicy", JsonString(latest ? "Always" : "IfNotPresent", alloc), alloc);
    SetIfAbsent(c, "resources", rapidjson::Value(rapidjson::kObjectType), alloc);
    SetIfAbsent(c, "terminationMessagePath", JsonString("/dev/termination-log", alloc), alloc);
    SetIfAbsent(c, "terminationMessagePolicy", JsonString("File", alloc), alloc);
    rapidjson::Value* ports = FindPath(c, {"ports"});
    if (ports != nullptr && ports->IsArray()) {
      for (rapidjson::Value& p : ports->GetArray()) {
        if (p.IsObject()) SetIfAbsent(p, "protocol", JsonString("TCP", alloc), alloc);
      }
    }
  }
}

rapidjson::Value Toleration(std::string_view key, JsonAllocator& alloc) {
  rapidjson::Value t(rapidjson::kObjectType);
  t.AddMember("key", JsonString(key, alloc), alloc);
  t.AddMember("operator", "Exists", alloc);
  t.AddMember("effect", "NoExecute", alloc);
  t.AddMember("tolerationSeconds", 300, alloc);
  return t;
}

// Defaults from pkg/apis/core/v1/defaults.go plus the admission plugins a
// default cluster runs (ServiceAccount, DefaultTolerationSeconds, Priority).
void DefaultPod(rapidjson::Value& obj, JsonAllocator& alloc) {
  rapidjson::Value& spec = EnsureObject(obj, "spec", alloc);
  SetIfAbsent(spec, "restartPolicy", JsonString("Always", alloc), alloc);
  SetIfAbsent(spec, "terminationGracePeriodSeconds", rapidjson::Value(30), alloc);
  SetIfAbsent(spec, "dnsPolicy", JsonString("ClusterFirst", alloc), alloc);
  SetIfAbsent(spec, "serviceAccountName", JsonString("default", alloc), alloc);
  SetIfAbsent(spec, "serviceAccount", JsonString(GetString(spec, {"serviceAccountName"}), alloc), alloc);
  SetIfAbsent(spec, "securityContext", rapidjson::Value(rapidjson::kObjectType), alloc);
  SetIfAbsent(spec, "schedulerName", JsonString("default-scheduler", alloc), alloc);
  if (FindPath(spec, {"tolerations"}) == nullptr) {
    rapidjson::Value tolerations(rapidjson::kArrayType);
    tolerations.PushBack(Toleration("node.kubernetes.io/not-ready", alloc), alloc);
    tolerations.PushBack(Toleration("node.kubernetes.io/unreachable", alloc), alloc);
    spec.AddMember("tolerations", std::move(tolerations), alloc);
  }
  SetIfAbsent(spec, "priority", rapidjson::Value(0), alloc);
  SetIfAbsent(spec, "enableServiceLinks", rapidjson::Value(true), alloc);
  SetIfAbsent(spec, "preemptionPolicy", JsonString("PreemptLowerPriority", alloc), alloc);
  DefaultContainers(spec, "containers", alloc);
  DefaultContainers(spec, "initContainers", alloc);
  rapidjson::Value& status = EnsureObject(obj, "status", alloc);
  SetIfAbsent(status, "phase", JsonString("Pending", alloc), alloc);
  SetIfAbsent(status, "qosClass", JsonString("BestEffort", alloc), alloc);
}

std::optional<std::string> ConvertNamespaceField(std::string_view field) {
  if (field == "metadata.name" || field == "status.phase") return std::string(field);
  return std::nullopt;
}

void ExtractNamespaceFields(const rapidjson::Value& obj, StringMap& out) {
  out["metadata.name"] = GetString(obj, {"metadata", "name"});
  out["status.phase"] = GetString(obj, {"status", "phase"});
}

void DefaultNamespace(rapidjson::Value& obj, JsonAllocator& alloc) {
  std::string name = GetString(obj, {"metadata", "name"});
  rapidjson::Value& labels = EnsureObject(EnsureObject(obj, "metadata", alloc), "labels", alloc);
  SetMember(labels, "kubernetes.io/metadata.name", JsonString(name, alloc), alloc);
  rapidjson::Value& spec = EnsureObject(obj, "spec", alloc);
  if (FindPath(spec, {"finalizers"}) == nullptr) {
    rapidjson::Value finalizers(rapidjson::kArrayType);
    finalizers.PushBack("kubernetes", alloc);
    spec.AddMember("finalizers", std::move(finalizers), alloc);
  }
  SetIfAbsent(EnsureObject(obj, "status", alloc), "phase", JsonString("Active", alloc), alloc);
}

std::optional<std::string> ConvertNodeField(std::string_view field) {
  if (field == "metadata.name" || field == "spec.unschedulable") return std::string(field);
  return std::nullopt;
}

void ExtractNodeFields(const rapidjson::Value& obj, StringMap& out) {
  out["metadata.name"] = GetString(obj, {"metadata", "name"});
  out["spec.unschedulable"] = BoolField(obj, {"spec", "unschedulable"});
}

void NoDefaults(rapidjson::Value&, JsonAllocator&) {}

const ResourceType kPods = {
    .name = "pods",
    .singular = "pod",
    .kind = "Pod",
    .list_kind = "PodList",
    .namespaced = true,
    .short_names = {"po"},
    .verbs = {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"},
    .storage_version_hash = "xPOwRZ+Yhw8=",
    .convert_field = ConvertPodField,
    .extract_fields = ExtractPodFields,
    .apply_defaults = DefaultPod,
    .name_errors = Dns1123SubdomainErrors,
};

const ResourceType kNamespaces = {
    .name = "namespaces",
    .singular = "namespace",
    .kind = "Namespace",
    .list_kind = "NamespaceList",
    .namespaced = false,
    .short_names = {"ns"},
    .verbs = {"create", "delete", "get", "list", "patch", "update", "watch"},
    .storage_version_hash = "Q3oi5N2YM8M=",
    .convert_field = ConvertNamespaceField,
    .extract_fields = ExtractNamespaceFields,
    .apply_defaults = DefaultNamespace,
    .name_errors = Dns1123LabelErrors,
};

const ResourceType kNodes = {
    .name = "nodes",
    .singular = "node",
    .kind = "Node",
    .list_kind = "NodeList",
    .namespaced = false,
    .short_names = {"no"},
    .verbs = {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"},
    .storage_version_hash = "XwShjMxG9Fs=",
    .convert_field = ConvertNodeField,
    .extract_fields = ExtractNodeFields,
    .apply_defaults = NoDefaults,
    .name_errors = Dns1123SubdomainErrors,
};

const ResourceType* const kAll[] = {&kNamespaces, &kNodes, &kPods};

}  // namespace

const ResourceType& PodsResource() { return kPods; }
const ResourceType& NamespacesResource() { return kNamespaces; }
const ResourceType& NodesResource() { return kNodes; }

std::span<const ResourceType* const> AllResources() { return kAll; }

const ResourceType* FindResource(std::string_view name) {
  for (const ResourceType* r : kAll) {
    if (r->name == name) return r;
  }
  return nullptr;
}

StringMap ExtractLabels(const rapidjson::Value& obj) {
  StringMap out;
  const rapidjson::Value* labels = FindPath(obj, {"metadata", "labels"});
  if (labels == nullptr || !labels->IsObject()) return out;
  for (const auto& m : labels->GetObject()) {
    if (!m.value.IsString()) continue;
    out.emplace(std::string(m.name.GetString(), m.name.GetStringLength()),
                std::string(m.value.GetString(), m.value.GetStringLength()));
  }
  return out;
}

}  // namespace kubescrape::fake_apiserver
