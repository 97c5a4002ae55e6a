#pragma once
// The resource types the fake API server serves (core/v1 pods, namespaces
// and nodes) and what differs between them: names, scope, the field labels
// their field selectors accept, the selectable field values of an object, and
// the defaults the real API server fills in on create.
//
// Thread-safety: the descriptors are immutable statics.

#include <rapidjson/document.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "test/fake_apiserver/json.h"
#include "test/fake_apiserver/selector.h"

namespace kubescrape::fake_apiserver {

struct ResourceType {
  std::string_view name;      // "pods": the URL segment
  std::string_view singular;  // "pod"
  std::string_view kind;      // "Pod"
  std::string_view list_kind;  // "PodList"
  bool namespaced = true;
  std::vector<std::string_view> short_names;
  std::vector<std::string_view> verbs;
  std::string_view storage_version_hash;
  // The field label a selector names, converted (e.g. "spec.host" ->
  // "spec.nodeName"); nullopt when this kind does not support it.
  std::optional<std::string> (*convert_field)(std::string_view field);
  // Fills `out` with the selectable field values of `obj`.
  void (*extract_fields)(const rapidjson::Value& obj, StringMap& out);
  // Fills defaults the API server sets on create (e.g. restartPolicy).
  void (*apply_defaults)(rapidjson::Value& obj, JsonAllocator& alloc);
  // The name validator for metadata.name (DNS subdomain or label).
  std::vector<std::string> (*name_errors)(std::string_view name);
};

const ResourceType& PodsResource();
const ResourceType& NamespacesResource();
const ResourceType& NodesResource();

// All served resources, in the order /api/v1 lists them.
std::span<const ResourceType* const> AllResources();

// The resource named `name` ("pods"), or null.
const ResourceType* FindResource(std::string_view name);

// metadata.labels of `obj` (string values only).
StringMap ExtractLabels(const rapidjson::Value& obj);

}  // namespace kubescrape::fake_apiserver
