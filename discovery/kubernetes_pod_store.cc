#include "discovery/kubernetes_pod_store.h"

#include <algorithm>
#include <set>
#include <utility>

namespace kubescrape::discovery {
namespace {

// Assumed bytes of allocator bookkeeping per heap block (glibc: an 8-byte
// header, 16-byte rounding).
constexpr size_t kAllocOverhead = 16;

size_t Block(size_t bytes) { return bytes == 0 ? 0 : bytes + kAllocOverhead; }

// Heap bytes of a std::string beyond the object (none when short).
size_t StringHeap(const std::string& s) { return s.capacity() > 15 ? Block(s.capacity() + 1) : 0; }

void SortBySource(std::vector<model::TargetGroup>* groups) {
  std::sort(
      groups->begin(), groups->end(),
      [](const model::TargetGroup& a, const model::TargetGroup& b) { return a.source < b.source; });
}

std::string ControllerKey(std::string_view namespace_name, std::string_view name) {
  std::string k;
  k.reserve(namespace_name.size() + 1 + name.size());
  k.append(namespace_name).append(1, '/').append(name);
  return k;
}

// Replaces `*map` by `items` keyed by `key(item)`; returns the keys whose
// value appeared, disappeared or changed.
template <typename T, typename Map, typename KeyFn>
std::set<std::string, std::less<>> ReplaceAll(Map* map, std::vector<T> items, KeyFn key) {
  Map next;
  next.reserve(items.size());
  for (T& item : items) {
    std::string k = key(item);
    next.insert_or_assign(std::move(k), std::move(item));
  }
  std::set<std::string, std::less<>> changed;
  for (const auto& [k, v] : *map) {
    auto it = next.find(k);
    if (it == next.end() || !(it->second == v)) changed.insert(k);
  }
  for (const auto& [k, v] : next) {
    if (!map->contains(k)) changed.insert(k);
  }
  *map = std::move(next);
  return changed;
}

// Applies one event to `*map`; true when the stored value changed.
template <typename T, typename Map>
bool ApplyOne(Map* map, WatchEventType type, std::string key, T item) {
  if (type == WatchEventType::kDeleted) return map->erase(key) > 0;
  if (type != WatchEventType::kAdded && type != WatchEventType::kModified) return false;
  auto it = map->find(key);
  if (it != map->end() && it->second == item) return false;
  map->insert_or_assign(std::move(key), std::move(item));
  return true;
}

template <typename T>
size_t MapBytes(const T& map, size_t value_heap) {
  // Buckets, plus per node: the pair, a next pointer and a cached hash.
  return map.bucket_count() * sizeof(void*) +
         map.size() * Block(sizeof(typename T::value_type) + 2 * sizeof(void*)) + value_heap;
}

}  // namespace

size_t PodStore::PodHash::operator()(const PodKey& k) const {
  size_t h = std::hash<std::string_view>{}(k.namespace_name);
  return h ^ (std::hash<std::string_view>{}(k.name) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

const Pod& PodStore::Upsert(Pod pod) {
  auto shape_it = shapes_.find(pod.shape());
  if (shape_it == shapes_.end()) {
    shapes_.insert(pod.shape());
  } else if (shape_it->get() != pod.shape().get()) {
    pod.ShareShape(*shape_it);
  }
  auto it = pods_.find(PodKey{pod.namespace_name(), pod.name()});
  if (it == pods_.end()) return *pods_.insert(std::move(pod)).first;
  auto node = pods_.extract(it);
  ShapePtr old = node.value().shape();
  node.value() = std::move(pod);
  Release(std::move(old));
  return *pods_.insert(std::move(node)).position;
}

bool PodStore::Erase(std::string_view namespace_name, std::string_view name) {
  auto it = pods_.find(PodKey{namespace_name, name});
  if (it == pods_.end()) return false;
  ShapePtr old = it->shape();
  pods_.erase(it);
  Release(std::move(old));
  return true;
}

void PodStore::Release(ShapePtr shape) {
  // Held by `shape` and by shapes_ only: no pod uses it any more.
  if (shape.use_count() == 2) shapes_.erase(shape);
}

bool PodStore::StoresControllers(ObjectKind kind) const {
  return kind == ObjectKind::kReplicaSet ? options_.attach_deployment : options_.attach_cronjob;
}

PodMetadata PodStore::Resolve(const Pod& pod) {
  PodMetadata m;
  if (options_.attach_node) {
    auto it = nodes_.find(pod.node_name());
    if (it != nodes_.end()) m.node = &it->second;
  }
  if (options_.attach_namespace) {
    auto it = namespaces_.find(pod.namespace_name());
    if (it != namespaces_.end()) m.namespace_object = &it->second;
  }
  auto controller_of = [&](const NameMap<ControllerObject>& map, std::string_view kind,
                           std::string_view parent_kind) -> std::string_view {
    if (pod.controller_kind() != kind) return {};
    key_scratch_.assign(pod.namespace_name()).append(1, '/').append(pod.controller_name());
    auto it = map.find(key_scratch_);
    if (it == map.end() || it->second.controller_kind != parent_kind) return {};
    return it->second.controller_name;
  };
  if (options_.attach_deployment)
    m.deployment_name = controller_of(replicasets_, "ReplicaSet", "Deployment");
  if (options_.attach_cronjob) m.cronjob_name = controller_of(jobs_, "Job", "CronJob");
  return m;
}

template <typename Pred>
std::vector<model::TargetGroup> PodStore::Regroup(Pred pred) {
  std::vector<model::TargetGroup> out;
  for (const Pod& p : pods_) {
    if (pred(p)) out.push_back(Group(p));
  }
  SortBySource(&out);
  return out;
}

std::vector<model::TargetGroup> PodStore::ReplacePods(std::string_view scope,
                                                      std::vector<Pod> pods) {
  std::vector<model::TargetGroup> out;
  out.reserve(pods.size());
  // Pods of the scope that the list no longer has.
  std::unordered_set<PodKey, PodHash> listed;
  listed.reserve(pods.size());
  for (const Pod& p : pods) listed.insert(PodKey{p.namespace_name(), p.name()});
  std::vector<std::pair<std::string, std::string>> gone;
  for (const Pod& p : pods_) {
    if (!scope.empty() && p.namespace_name() != scope) continue;
    if (!listed.contains(PodKey{p.namespace_name(), p.name()})) {
      gone.emplace_back(p.namespace_name(), p.name());
    }
  }
  listed.clear();
  for (Pod& p : pods) out.push_back(Group(Upsert(std::move(p))));
  std::vector<model::TargetGroup> removed;
  removed.reserve(gone.size());
  for (const auto& [ns, name] : gone) {
    Erase(ns, name);
    removed.push_back(EmptyPodGroup(ns, name));
  }
  SortBySource(&removed);
  std::move(removed.begin(), removed.end(), std::back_inserter(out));
  // Shapes whose last pod left while a copy of it lived elsewhere.
  std::erase_if(shapes_, [](const ShapePtr& s) { return s.use_count() == 1; });
  return out;
}

std::vector<model::TargetGroup> PodStore::ApplyPod(WatchEventType type, Pod pod) {
  std::vector<model::TargetGroup> out;
  switch (type) {
    case WatchEventType::kAdded:
    case WatchEventType::kModified:
      out.push_back(Group(Upsert(std::move(pod))));
      break;
    case WatchEventType::kDeleted:
      // An unknown pod still gets its empty group, as Prometheus sends one.
      Erase(pod.namespace_name(), pod.name());
      out.push_back(EmptyPodGroup(pod.namespace_name(), pod.name()));
      break;
    default:
      break;
  }
  return out;
}

std::vector<model::TargetGroup> PodStore::ReplaceNodes(std::vector<Node> nodes) {
  if (!options_.attach_node) return {};
  std::set<std::string, std::less<>> changed =
      ReplaceAll(&nodes_, std::move(nodes), [](const Node& n) { return std::string(n.name()); });
  if (changed.empty()) return {};
  return Regroup([&](const Pod& p) { return changed.contains(p.node_name()); });
}

std::vector<model::TargetGroup> PodStore::ApplyNode(WatchEventType type, Node node) {
  if (!options_.attach_node) return {};
  std::string name(node.name());
  if (!ApplyOne(&nodes_, type, name, std::move(node))) return {};
  return Regroup([&](const Pod& p) { return p.node_name() == name; });
}

std::vector<model::TargetGroup> PodStore::ReplaceNamespaces(std::vector<Namespace> namespaces) {
  if (!options_.attach_namespace) return {};
  std::set<std::string, std::less<>> changed =
      ReplaceAll(&namespaces_, std::move(namespaces),
                 [](const Namespace& n) { return std::string(n.name()); });
  if (changed.empty()) return {};
  return Regroup([&](const Pod& p) { return changed.contains(p.namespace_name()); });
}

std::vector<model::TargetGroup> PodStore::ApplyNamespace(WatchEventType type, Namespace ns) {
  if (!options_.attach_namespace) return {};
  std::string name(ns.name());
  if (!ApplyOne(&namespaces_, type, name, std::move(ns))) return {};
  return Regroup([&](const Pod& p) { return p.namespace_name() == name; });
}

std::vector<model::TargetGroup> PodStore::ReplaceControllers(
    ObjectKind kind, std::string_view scope, std::vector<ControllerObject> objects) {
  if (!StoresControllers(kind)) return {};
  NameMap<ControllerObject>& map = kind == ObjectKind::kReplicaSet ? replicasets_ : jobs_;
  // Keep the other namespaces' objects: replace only those of `scope`.
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!scope.empty() && it->second.namespace_name != scope) objects.push_back(it->second);
  }
  std::set<std::string, std::less<>> changed =
      ReplaceAll(&map, std::move(objects),
                 [](const ControllerObject& o) { return ControllerKey(o.namespace_name, o.name); });
  if (changed.empty()) return {};
  const std::string_view kind_name = ObjectKindName(kind);
  return Regroup([&](const Pod& p) {
    return p.controller_kind() == kind_name &&
           changed.contains(ControllerKey(p.namespace_name(), p.controller_name()));
  });
}

std::vector<model::TargetGroup> PodStore::ApplyController(WatchEventType type,
                                                          ControllerObject object) {
  if (!StoresControllers(object.kind)) return {};
  NameMap<ControllerObject>& map = object.kind == ObjectKind::kReplicaSet ? replicasets_ : jobs_;
  const std::string_view kind_name = ObjectKindName(object.kind);
  const std::string ns = object.namespace_name;
  const std::string name = object.name;
  if (!ApplyOne(&map, type, ControllerKey(ns, name), std::move(object))) return {};
  return Regroup([&](const Pod& p) {
    return p.controller_kind() == kind_name && p.namespace_name() == ns &&
           p.controller_name() == name;
  });
}

std::vector<model::TargetGroup> PodStore::Apply(WatchEvent event) {
  const WatchEventType type = event.type;
  if (auto* p = std::get_if<Pod>(&event.object)) return ApplyPod(type, std::move(*p));
  if (auto* n = std::get_if<Node>(&event.object)) return ApplyNode(type, std::move(*n));
  if (auto* n = std::get_if<Namespace>(&event.object)) return ApplyNamespace(type, std::move(*n));
  if (auto* c = std::get_if<ControllerObject>(&event.object)) {
    return ApplyController(type, std::move(*c));
  }
  return {};
}

std::vector<model::TargetGroup> PodStore::AllGroups() {
  return Regroup([](const Pod&) { return true; });
}

const Pod* PodStore::FindPod(std::string_view namespace_name, std::string_view name) const {
  auto it = pods_.find(PodKey{namespace_name, name});
  return it == pods_.end() ? nullptr : &*it;
}

size_t PodStore::MemoryUsage() const {
  size_t pod_blocks = 0;
  for (const Pod& p : pods_) pod_blocks += Block(p.OwnByteSize());
  size_t shape_blocks = 0;
  for (const ShapePtr& s : shapes_) {
    // make_shared: one block for the control block and the PodShape.
    shape_blocks += Block(sizeof(PodShape) + 2 * sizeof(void*)) + Block(s->data().ByteSize());
  }
  size_t meta_blocks = 0;
  for (const auto& [k, n] : nodes_)
    meta_blocks += StringHeap(k) + Block(n.MemoryUsage() - sizeof(n));
  for (const auto& [k, n] : namespaces_) {
    meta_blocks += StringHeap(k) + Block(n.MemoryUsage() - sizeof(n));
  }
  for (const auto* map : {&replicasets_, &jobs_}) {
    for (const auto& [k, c] : *map) {
      meta_blocks += StringHeap(k) + StringHeap(c.namespace_name) + StringHeap(c.name) +
                     StringHeap(c.controller_kind) + StringHeap(c.controller_name);
    }
  }
  return sizeof(*this) + MapBytes(pods_, pod_blocks) + MapBytes(shapes_, shape_blocks) +
         MapBytes(nodes_, 0) + MapBytes(namespaces_, 0) + MapBytes(replicasets_, 0) +
         MapBytes(jobs_, 0) + meta_blocks;
}

}  // namespace kubescrape::discovery
