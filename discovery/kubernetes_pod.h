#pragma once
// Compact Kubernetes objects for pod discovery, and their JSON decoders.
//
// A Pod keeps only what Prometheus's pod role turns into labels (see
// docs/discovery.md): managedFields, whole specs and statuses are never kept.
// It is split in two immutable parts:
//   - PodShape: what the replicas of one pod template share (namespace,
//     labels, annotations, controller, containers with images and ports). It
//     is held by shared_ptr so that PodStore can intern it: a Deployment's
//     replicas then hold one copy.
//   - the pod's own strings (name, uid, node, IPs, phase, container IDs) and
//     its ready/deleting flags, in one PackedStrings block.
// Label and annotation pairs are sorted by key (the API server already sends
// them so).
//
// Node and Namespace keep name, labels and annotations (what attach_metadata
// adds); ControllerObject keeps a ReplicaSet's or Job's controller.
//
// The decoders read the API server's JSON with RapidJSON's SAX reader (no
// DOM; unknown fields, managedFields included, are skipped without copying)
// and return errors as values: bad JSON, a wrong type for a field that is
// used, a missing name, or a kept string that is not valid UTF-8 (strings
// skipped are not checked).
//
// Thread-safety: the objects are immutable values (the decoders are pure).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "discovery/kubernetes_packed.h"
#include "util/status.h"

namespace kubescrape::discovery {

// The kinds a watch or list can carry.
enum class ObjectKind : uint8_t { kPod, kNode, kNamespace, kReplicaSet, kJob };
std::string_view ObjectKindName(ObjectKind kind);  // "Pod", "Node", ...

struct KeyValue {
  std::string_view key;
  std::string_view value;
};

// The Ready condition's status. Prometheus lowercases the condition status;
// the API server allows only True, False and Unknown, so any other value
// (and a missing condition) is kUnknown.
enum class PodReady : uint8_t { kUnknown = 0, kTrue = 1, kFalse = 2 };
std::string_view PodReadyLabelValue(PodReady r);  // "true", "false", "unknown"

// What the replicas of one pod template share. Built by the decoders.
class PodShape {
 public:
  explicit PodShape(PackedStrings data);

  std::string_view namespace_name() const { return data_.str(0); }
  // The ownerReference with controller=true ("" when none).
  std::string_view controller_kind() const { return data_.str(1); }
  std::string_view controller_name() const { return data_.str(2); }
  size_t num_labels() const { return data_.int_at(0); }
  KeyValue label(size_t i) const { return Pair(kFirstPair + 2 * i); }
  size_t num_annotations() const { return data_.int_at(1); }
  KeyValue annotation(size_t i) const { return Pair(kFirstPair + 2 * (num_labels() + i)); }
  // Containers: spec.containers in order, then spec.initContainers.
  size_t num_containers() const { return data_.int_at(2) + data_.int_at(3); }
  size_t num_init_containers() const { return data_.int_at(3); }

  uint64_t hash() const { return hash_; }
  const PackedStrings& data() const { return data_; }
  // Bytes held (this object and its block).
  size_t ByteSize() const { return sizeof(PodShape) + data_.ByteSize(); }
  friend bool operator==(const PodShape& a, const PodShape& b) {
    return a.hash_ == b.hash_ && a.data_ == b.data_;
  }

 private:
  friend class Pod;
  static constexpr size_t kFirstPair = 3;
  KeyValue Pair(size_t i) const { return {data_.str(i), data_.str(i + 1)}; }

  PackedStrings data_;
  uint64_t hash_;
};

struct PodPort {
  std::string_view name;
  std::string_view number;  // decimal containerPort
  std::string_view protocol;
};

// A view of one container of a Pod; valid while the Pod lives.
class PodContainer {
 public:
  std::string_view name() const { return shape_->str(first_); }
  std::string_view image() const { return shape_->str(first_ + 1); }
  std::string_view id() const { return id_; }  // from the status; "" when unknown
  bool init() const { return init_; }
  size_t num_ports() const { return num_ports_; }
  PodPort port(size_t i) const {
    const size_t s = first_ + 2 + 3 * i;
    return {shape_->str(s), shape_->str(s + 1), shape_->str(s + 2)};
  }

 private:
  friend class Pod;
  const PackedStrings* shape_ = nullptr;
  std::string_view id_;
  uint32_t first_ = 0;
  uint32_t num_ports_ = 0;
  bool init_ = false;
};

class Pod {
 public:
  // REQUIRES: fields laid out as the decoders build them (kubernetes_pod.cc).
  Pod(std::shared_ptr<const PodShape> shape, PackedStrings fields);

  std::string_view namespace_name() const { return shape_->namespace_name(); }
  std::string_view name() const { return fields_.str(0); }
  std::string_view uid() const { return fields_.str(1); }
  std::string_view node_name() const { return fields_.str(2); }
  std::string_view pod_ip() const { return fields_.str(3); }
  std::string_view host_ip() const { return fields_.str(4); }
  std::string_view phase() const { return fields_.str(5); }
  PodReady ready() const { return static_cast<PodReady>(fields_.int_at(0) & 3); }
  // metadata.deletionTimestamp is set (the pod is terminating). Prometheus
  // does not use it; kept for callers.
  bool deleting() const { return (fields_.int_at(0) & 4) != 0; }

  std::string_view controller_kind() const { return shape_->controller_kind(); }
  std::string_view controller_name() const { return shape_->controller_name(); }
  size_t num_labels() const { return shape_->num_labels(); }
  KeyValue label(size_t i) const { return shape_->label(i); }
  size_t num_annotations() const { return shape_->num_annotations(); }
  KeyValue annotation(size_t i) const { return shape_->annotation(i); }
  size_t num_containers() const { return shape_->num_containers(); }
  // REQUIRES: i < num_containers().
  PodContainer container(size_t i) const;

  const std::shared_ptr<const PodShape>& shape() const { return shape_; }
  // Replaces the shape by an equal one (interning). REQUIRES: *s == *shape().
  void ShareShape(std::shared_ptr<const PodShape> s);

  // Bytes of the pod's own block (not the shape).
  size_t OwnByteSize() const { return fields_.ByteSize(); }
  // Bytes held: this object, its own block, and its share of the shape
  // (the shape's bytes divided by the number of its holders).
  size_t MemoryUsage() const;

 private:
  std::shared_ptr<const PodShape> shape_;
  PackedStrings fields_;
};

// A Node or a Namespace: name, labels and annotations.
template <ObjectKind K>
class MetaObject {
 public:
  // REQUIRES: data laid out as the decoders build it.
  explicit MetaObject(PackedStrings data) : data_(std::move(data)) {}
  std::string_view name() const { return data_.str(0); }
  size_t num_labels() const { return data_.int_at(0); }
  KeyValue label(size_t i) const { return {data_.str(1 + 2 * i), data_.str(2 + 2 * i)}; }
  size_t num_annotations() const { return data_.int_at(1); }
  KeyValue annotation(size_t i) const {
    const size_t s = 1 + 2 * (num_labels() + i);
    return {data_.str(s), data_.str(s + 1)};
  }
  size_t MemoryUsage() const { return sizeof(*this) + data_.ByteSize(); }
  // Same name, labels and annotations.
  friend bool operator==(const MetaObject& a, const MetaObject& b) { return a.data_ == b.data_; }

 private:
  PackedStrings data_;
};
using Node = MetaObject<ObjectKind::kNode>;
using Namespace = MetaObject<ObjectKind::kNamespace>;

// A ReplicaSet or a Job, reduced to what links a pod to its Deployment or
// CronJob: its own controller.
struct ControllerObject {
  ObjectKind kind = ObjectKind::kReplicaSet;
  std::string namespace_name;
  std::string name;
  std::string controller_kind;  // "" when it has no controller
  std::string controller_name;
  friend bool operator==(const ControllerObject&, const ControllerObject&) = default;
};

// A decoded list: its items, metadata.resourceVersion and metadata.continue.
template <typename T>
struct ObjectList {
  std::vector<T> items;
  std::string resource_version;
  std::string continue_token;
};
using PodList = ObjectList<Pod>;

// A Pod from the JSON of one Pod object. Requires metadata.name and
// metadata.namespace.
util::StatusOr<Pod> DecodePod(std::string_view json);
// A PodList (`GET /api/v1/pods`): every item must decode.
util::StatusOr<PodList> DecodePodList(std::string_view body);

util::StatusOr<Node> DecodeNode(std::string_view json);
util::StatusOr<ObjectList<Node>> DecodeNodeList(std::string_view body);
util::StatusOr<Namespace> DecodeNamespace(std::string_view json);
util::StatusOr<ObjectList<Namespace>> DecodeNamespaceList(std::string_view body);
// `kind` is kReplicaSet or kJob.
util::StatusOr<ControllerObject> DecodeController(ObjectKind kind, std::string_view json);
util::StatusOr<ObjectList<ControllerObject>> DecodeControllerList(ObjectKind kind,
                                                                  std::string_view body);

}  // namespace kubescrape::discovery
