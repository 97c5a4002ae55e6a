// The compact Kubernetes objects: layouts, builders from RawObject, and the
// public decoders.
//
// PodShape block: ints  [num_labels, num_annotations, num_containers,
//                        num_init_containers, first string of container i...]
//                 strings [namespace, controller kind, controller name,
//                          (label key, value)*, (annotation key, value)*,
//                          per container: name, image, (port name, number,
//                          protocol)*]
// Pod block:      ints  [flags: bits 0-1 PodReady, bit 2 deleting]
//                 strings [name, uid, node name, pod IP, host IP, phase,
//                          container ID of container i...]
// MetaObject:     ints  [num_labels, num_annotations]
//                 strings [name, (label key, value)*, (annotation key, value)*]

#include "discovery/kubernetes_pod.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <functional>

#include "discovery/kubernetes_raw.h"

namespace kubescrape::discovery {

std::string_view ObjectKindName(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::kPod:
      return "Pod";
    case ObjectKind::kNode:
      return "Node";
    case ObjectKind::kNamespace:
      return "Namespace";
    case ObjectKind::kReplicaSet:
      return "ReplicaSet";
    case ObjectKind::kJob:
      return "Job";
  }
  return "?";
}

std::string_view PodReadyLabelValue(PodReady r) {
  switch (r) {
    case PodReady::kTrue:
      return "true";
    case PodReady::kFalse:
      return "false";
    case PodReady::kUnknown:
      break;
  }
  return "unknown";
}

PodShape::PodShape(PackedStrings data)
    : data_(std::move(data)), hash_(std::hash<std::string_view>{}(data_.block())) {}

Pod::Pod(std::shared_ptr<const PodShape> shape, PackedStrings fields)
    : shape_(std::move(shape)), fields_(std::move(fields)) {}

PodContainer Pod::container(size_t i) const {
  const PackedStrings& d = shape_->data();
  PodContainer c;
  c.shape_ = &d;
  c.first_ = d.int_at(4 + i);
  const size_t end = i + 1 < num_containers() ? d.int_at(5 + i) : d.num_strings();
  c.num_ports_ = static_cast<uint32_t>((end - c.first_ - 2) / 3);
  c.init_ = i >= num_containers() - shape_->num_init_containers();
  c.id_ = fields_.str(6 + i);
  return c;
}

void Pod::ShareShape(std::shared_ptr<const PodShape> s) {
  assert(*s == *shape_);
  shape_ = std::move(s);
}

size_t Pod::MemoryUsage() const {
  const long holders = std::max(1L, shape_.use_count());
  return sizeof(Pod) + fields_.ByteSize() + shape_->ByteSize() / static_cast<size_t>(holders);
}

namespace raw {
namespace {

// Reused buffers of the builders (no allocation per object once warm).
struct Scratch {
  PackedStrings::Builder builder;
  std::vector<KeyValue> labels, annotations;
};
Scratch& LocalScratch() {
  thread_local Scratch scratch;
  return scratch;
}

// `in` as views sorted by key; of duplicate keys the last is kept (as Go's
// JSON decoding into a map does).
void SortedPairs(const RawObject& raw, const std::vector<RawObject::Pair>& in,
                 std::vector<KeyValue>* out) {
  out->clear();
  bool sorted = true;
  for (const RawObject::Pair& p : in) {
    KeyValue kv{raw.Get(p.key), raw.Get(p.value)};
    if (!out->empty() && !(out->back().key < kv.key)) sorted = false;
    out->push_back(kv);
  }
  if (sorted) return;
  std::stable_sort(out->begin(), out->end(),
                   [](const KeyValue& a, const KeyValue& b) { return a.key < b.key; });
  size_t n = 0;
  for (size_t i = 0; i < out->size(); ++i) {
    if (n > 0 && (*out)[n - 1].key == (*out)[i].key) {
      (*out)[n - 1] = (*out)[i];
    } else {
      (*out)[n++] = (*out)[i];
    }
  }
  out->resize(n);
}

void AddPairs(const std::vector<KeyValue>& pairs, PackedStrings::Builder* b) {
  for (const KeyValue& kv : pairs) {
    b->Add(kv.key);
    b->Add(kv.value);
  }
}

// Adds the containers (regular first, then init) to the shape builder; the
// ints at 4.. receive each container's first string.
void AddContainers(const RawObject& raw, bool init, PackedStrings::Builder* b) {
  for (const RawObject::Container& c : raw.containers) {
    if (c.init != init) continue;
    b->AddInt(static_cast<uint32_t>(b->num_strings()));
    b->Add(raw.Get(c.name));
    b->Add(raw.Get(c.image));
    for (uint32_t p = c.first_port; p < c.first_port + c.num_ports; ++p) {
      const RawObject::Port& port = raw.ports[p];
      b->Add(raw.Get(port.name));
      b->Add(raw.Get(port.number));
      b->Add(raw.Get(port.protocol));
    }
  }
}

// Prometheus looks a container's ID up by name in containerStatuses (or
// initContainerStatuses) and takes the first match.
std::string_view ContainerId(const RawObject& raw, const RawObject::Container& c) {
  const std::string_view name = raw.Get(c.name);
  for (const RawObject::ContainerStatus& s : raw.statuses) {
    if (s.init == c.init && raw.Get(s.name) == name) return raw.Get(s.id);
  }
  return {};
}

util::Status RequireName(const RawObject& raw, std::string_view what, bool namespaced) {
  if (raw.name.size == 0) {
    return util::InvalidArgumentError(fmt::format("{} without metadata.name", what));
  }
  if (namespaced && raw.namespace_name.size == 0) {
    return util::InvalidArgumentError(
        fmt::format("{} \"{}\" without metadata.namespace", what, raw.Get(raw.name)));
  }
  return util::Status::Ok();
}

template <ObjectKind K>
util::StatusOr<MetaObject<K>> MakeMeta(const RawObject& raw) {
  KS_RETURN_IF_ERROR(RequireName(raw, ObjectKindName(K), false));
  Scratch& s = LocalScratch();
  SortedPairs(raw, raw.labels, &s.labels);
  SortedPairs(raw, raw.annotations, &s.annotations);
  s.builder.AddInt(static_cast<uint32_t>(s.labels.size()));
  s.builder.AddInt(static_cast<uint32_t>(s.annotations.size()));
  s.builder.Add(raw.Get(raw.name));
  AddPairs(s.labels, &s.builder);
  AddPairs(s.annotations, &s.builder);
  return MetaObject<K>(s.builder.Build());
}

}  // namespace

util::StatusOr<Pod> MakePod(const RawObject& raw) {
  KS_RETURN_IF_ERROR(RequireName(raw, "Pod", true));
  Scratch& s = LocalScratch();
  SortedPairs(raw, raw.labels, &s.labels);
  SortedPairs(raw, raw.annotations, &s.annotations);
  uint32_t num_init = 0;
  for (const RawObject::Container& c : raw.containers) num_init += c.init ? 1 : 0;
  const auto num_regular = static_cast<uint32_t>(raw.containers.size()) - num_init;

  PackedStrings::Builder& b = s.builder;
  b.AddInt(static_cast<uint32_t>(s.labels.size()));
  b.AddInt(static_cast<uint32_t>(s.annotations.size()));
  b.AddInt(num_regular);
  b.AddInt(num_init);
  b.Add(raw.Get(raw.namespace_name));
  b.Add(raw.Get(raw.controller_kind));
  b.Add(raw.Get(raw.controller_name));
  AddPairs(s.labels, &b);
  AddPairs(s.annotations, &b);
  AddContainers(raw, false, &b);
  AddContainers(raw, true, &b);
  auto shape = std::make_shared<const PodShape>(b.Build());

  b.AddInt(static_cast<uint32_t>(raw.ready) | (raw.deleting ? 4u : 0u));
  b.Add(raw.Get(raw.name));
  b.Add(raw.Get(raw.uid));
  b.Add(raw.Get(raw.node_name));
  b.Add(raw.Get(raw.pod_ip));
  b.Add(raw.Get(raw.host_ip));
  b.Add(raw.Get(raw.phase));
  for (bool init : {false, true}) {
    for (const RawObject::Container& c : raw.containers) {
      if (c.init == init) b.Add(ContainerId(raw, c));
    }
  }
  return Pod(std::move(shape), b.Build());
}

util::StatusOr<Node> MakeNode(const RawObject& raw) { return MakeMeta<ObjectKind::kNode>(raw); }

util::StatusOr<Namespace> MakeNamespace(const RawObject& raw) {
  return MakeMeta<ObjectKind::kNamespace>(raw);
}

util::StatusOr<ControllerObject> MakeController(ObjectKind kind, const RawObject& raw) {
  KS_RETURN_IF_ERROR(RequireName(raw, ObjectKindName(kind), true));
  ControllerObject o;
  o.kind = kind;
  o.namespace_name = raw.Get(raw.namespace_name);
  o.name = raw.Get(raw.name);
  o.controller_kind = raw.Get(raw.controller_kind);
  o.controller_name = raw.Get(raw.controller_name);
  return o;
}

}  // namespace raw

namespace {

template <typename T, typename Make>
util::StatusOr<T> DecodeOne(std::string_view json, Make make) {
  raw::RawObject obj;
  KS_RETURN_IF_ERROR(raw::ParseObject(json, &obj));
  return make(obj);
}

template <typename T, typename Make>
util::StatusOr<ObjectList<T>> DecodeList(std::string_view body, Make make) {
  ObjectList<T> list;
  raw::ListMeta meta;
  KS_RETURN_IF_ERROR(raw::ParseList(
      body,
      [&](const raw::RawObject& obj) -> util::Status {
        util::StatusOr<T> item = make(obj);
        if (!item.ok()) return item.status();
        list.items.push_back(std::move(item).value());
        return util::Status::Ok();
      },
      &meta));
  list.resource_version = std::move(meta.resource_version);
  list.continue_token = std::move(meta.continue_token);
  return list;
}

}  // namespace

util::StatusOr<Pod> DecodePod(std::string_view json) { return DecodeOne<Pod>(json, raw::MakePod); }

util::StatusOr<PodList> DecodePodList(std::string_view body) {
  return DecodeList<Pod>(body, raw::MakePod);
}

util::StatusOr<Node> DecodeNode(std::string_view json) {
  return DecodeOne<Node>(json, raw::MakeNode);
}

util::StatusOr<ObjectList<Node>> DecodeNodeList(std::string_view body) {
  return DecodeList<Node>(body, raw::MakeNode);
}

util::StatusOr<Namespace> DecodeNamespace(std::string_view json) {
  return DecodeOne<Namespace>(json, raw::MakeNamespace);
}

util::StatusOr<ObjectList<Namespace>> DecodeNamespaceList(std::string_view body) {
  return DecodeList<Namespace>(body, raw::MakeNamespace);
}

util::StatusOr<ControllerObject> DecodeController(ObjectKind kind, std::string_view json) {
  return DecodeOne<ControllerObject>(
      json, [kind](const raw::RawObject& obj) { return raw::MakeController(kind, obj); });
}

util::StatusOr<ObjectList<ControllerObject>> DecodeControllerList(ObjectKind kind,
                                                                  std::string_view body) {
  return DecodeList<ControllerObject>(
      body, [kind](const raw::RawObject& obj) { return raw::MakeController(kind, obj); });
}

}  // namespace kubescrape::discovery
