#pragma once
// Internal to kubernetes_raw.cc: the part of the Kubernetes object schema the
// SAX parser reads, as contexts (where the parser is), fields (which value
// comes next) and, per object context, the keys it uses. Every other key is
// skipped without copying.
//
// Thread-safety: constant data and pure functions.

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <string_view>

namespace kubescrape::discovery::raw::schema {

// Where the parser is. The order matches kCtxInfo below.
// clang-format off
enum class Ctx : uint8_t {
  kList, kListMeta, kItems, kEvent, kObject, kMeta, kLabels, kAnnotations, kOwnerRefs, kOwnerRef,
  kSpec, kContainers, kInitContainers, kContainer, kPorts, kPort, kStatus, kConditions, kCondition,
  kStatuses, kInitStatuses, kContainerStatus
};
// clang-format on

// The field whose value comes next. kIgnore: skip it.
// clang-format off
enum class Field : uint8_t {
  kIgnore, kKind, kMetadata, kSpec, kStatus, kCode, kReason, kMessage, kName, kNamespace, kUid,
  kResourceVersion, kDeletionTimestamp, kLabels, kAnnotations, kOwnerReferences, kController,
  kNodeName, kContainers, kInitContainers, kImage, kPorts, kContainerPort, kProtocol, kPhase,
  kPodIP, kHostIP, kConditions, kContainerStatuses, kInitContainerStatuses, kType,
  kConditionStatus, kContainerID, kContinue, kItems, kObject, kEntry
};
// clang-format on

struct FieldName {
  std::string_view key;
  Field field;
};

// The fields used in each object context; every other key is skipped
// (managedFields, creationTimestamp, volumes, probes, ...).
constexpr FieldName kListFields[] = {{"metadata", Field::kMetadata}, {"items", Field::kItems}};
constexpr FieldName kListMetaFields[] = {{"resourceVersion", Field::kResourceVersion},
                                         {"continue", Field::kContinue}};
constexpr FieldName kEventFields[] = {{"type", Field::kType}, {"object", Field::kObject}};
constexpr FieldName kObjectFields[] = {{"metadata", Field::kMetadata}, {"spec", Field::kSpec},
                                       {"status", Field::kStatus},     {"kind", Field::kKind},
                                       {"code", Field::kCode},         {"reason", Field::kReason},
                                       {"message", Field::kMessage}};
constexpr FieldName kMetaFields[] = {{"name", Field::kName},
                                     {"namespace", Field::kNamespace},
                                     {"uid", Field::kUid},
                                     {"resourceVersion", Field::kResourceVersion},
                                     {"labels", Field::kLabels},
                                     {"annotations", Field::kAnnotations},
                                     {"ownerReferences", Field::kOwnerReferences},
                                     {"deletionTimestamp", Field::kDeletionTimestamp}};
constexpr FieldName kOwnerRefFields[] = {
    {"kind", Field::kKind}, {"name", Field::kName}, {"controller", Field::kController}};
constexpr FieldName kSpecFields[] = {{"containers", Field::kContainers},
                                     {"initContainers", Field::kInitContainers},
                                     {"nodeName", Field::kNodeName}};
constexpr FieldName kContainerFields[] = {
    {"name", Field::kName}, {"image", Field::kImage}, {"ports", Field::kPorts}};
constexpr FieldName kPortFields[] = {{"name", Field::kName},
                                     {"containerPort", Field::kContainerPort},
                                     {"protocol", Field::kProtocol}};
constexpr FieldName kStatusFields[] = {{"phase", Field::kPhase},
                                       {"podIP", Field::kPodIP},
                                       {"hostIP", Field::kHostIP},
                                       {"conditions", Field::kConditions},
                                       {"containerStatuses", Field::kContainerStatuses},
                                       {"initContainerStatuses", Field::kInitContainerStatuses}};
constexpr FieldName kConditionFields[] = {{"type", Field::kType},
                                          {"status", Field::kConditionStatus}};
constexpr FieldName kContainerStatusFields[] = {{"name", Field::kName},
                                                {"containerID", Field::kContainerID}};

struct CtxInfo {
  std::string_view path;  // for error messages
  bool array;
  std::span<const FieldName> fields;
};

// Indexed by Ctx.
constexpr CtxInfo kCtxInfo[] = {
    {"list", false, kListFields},
    {"list metadata", false, kListMetaFields},
    {"items", true, {}},
    {"event", false, kEventFields},
    {"object", false, kObjectFields},
    {"metadata", false, kMetaFields},
    {"metadata.labels", false, {}},
    {"metadata.annotations", false, {}},
    {"metadata.ownerReferences", true, {}},
    {"metadata.ownerReferences[]", false, kOwnerRefFields},
    {"spec", false, kSpecFields},
    {"spec.containers", true, {}},
    {"spec.initContainers", true, {}},
    {"spec.containers[]", false, kContainerFields},
    {"spec.containers[].ports", true, {}},
    {"spec.containers[].ports[]", false, kPortFields},
    {"status", false, kStatusFields},
    {"status.conditions", true, {}},
    {"status.conditions[]", false, kConditionFields},
    {"status.containerStatuses", true, {}},
    {"status.initContainerStatuses", true, {}},
    {"status.containerStatuses[]", false, kContainerStatusFields},
};
static_assert(std::size(kCtxInfo) == static_cast<size_t>(Ctx::kContainerStatus) + 1);

inline std::string_view CtxPath(Ctx c) { return kCtxInfo[static_cast<size_t>(c)].path; }
inline bool IsArray(Ctx c) { return kCtxInfo[static_cast<size_t>(c)].array; }

// The field named `key` in context `c`; kIgnore for fields not used.
inline Field Lookup(Ctx c, std::string_view key) {
  if (c == Ctx::kLabels || c == Ctx::kAnnotations) return Field::kEntry;
  for (const FieldName& f : kCtxInfo[static_cast<size_t>(c)].fields) {
    if (f.key == key) return f.field;
  }
  return Field::kIgnore;
}

}  // namespace kubescrape::discovery::raw::schema
