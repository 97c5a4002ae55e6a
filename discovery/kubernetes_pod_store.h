#pragma once
// PodStore: the informer-like state that pod discovery's lists and watches
// feed, and the source of its target groups (Prometheus's pod informer store
// plus the node, namespace, ReplicaSet and Job stores of attach_metadata).
//
// The caller (the list/watch client) lists and watches what the
// configuration asks for, one list+watch per namespace, or one for all, with
// the selectors as query parameters, and hands the results here:
//   - Replace*(): a complete list, e.g. the initial LIST or the relist after a
//     410 Expired. Returns a group for every listed pod, plus an empty group
//     (source only: "remove") for each pod of that list's scope that
//     disappeared since.
//   - Apply*() / Apply(WatchEvent): one watch event. A pod ADDED or MODIFIED
//     yields its group, a pod DELETED its empty group. A node, namespace,
//     ReplicaSet or Job whose relevant content changed yields the groups of
//     the pods that show it (all pods on the node, in the namespace, ...);
//     one whose labels and annotations (or controller) did not change yields
//     nothing, since the groups would be the same.
// The groups go to discovery::Manager::Update(); BuildPodGroup
// (kubernetes_pod_groups.h) defines them. Nodes, namespaces, ReplicaSets and
// Jobs are kept only when the options need them (attach_node,
// attach_namespace, attach_deployment, attach_cronjob); otherwise they are
// ignored.
//
// Pods replicating one template share one PodShape (interned here; a shape
// is dropped when its last stored pod goes, or, if a copy of a pod outlived
// that, at the next ReplacePods). A node,
// namespace or controller change scans all pods: O(pods), done only when
// the change alters labels.
//
// Thread-safety: none. One owner: the strand that runs the pod watches.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "discovery/kubernetes_pod.h"
#include "discovery/kubernetes_pod_groups.h"
#include "discovery/kubernetes_watch.h"
#include "model/target_group.h"

namespace kubescrape::discovery {

class PodStore {
 public:
  explicit PodStore(PodGroupOptions options) : options_(options) {}
  PodStore(const PodStore&) = delete;
  PodStore& operator=(const PodStore&) = delete;

  const PodGroupOptions& options() const { return options_; }

  // The pods of one list. `scope` is the namespace the list covered, or ""
  // for all namespaces; pods of other namespaces are left alone.
  // REQUIRES: every pod is in `scope`.
  std::vector<model::TargetGroup> ReplacePods(std::string_view scope, std::vector<Pod> pods);
  // One pod event (ADDED, MODIFIED or DELETED; others return nothing).
  std::vector<model::TargetGroup> ApplyPod(WatchEventType type, Pod pod);

  std::vector<model::TargetGroup> ReplaceNodes(std::vector<Node> nodes);
  std::vector<model::TargetGroup> ApplyNode(WatchEventType type, Node node);
  std::vector<model::TargetGroup> ReplaceNamespaces(std::vector<Namespace> namespaces);
  std::vector<model::TargetGroup> ApplyNamespace(WatchEventType type, Namespace ns);
  // ReplicaSets or Jobs (`kind`) of one list; `scope` as for ReplacePods.
  // REQUIRES: every object has kind `kind` and is in `scope`.
  std::vector<model::TargetGroup> ReplaceControllers(ObjectKind kind, std::string_view scope,
                                                     std::vector<ControllerObject> objects);
  std::vector<model::TargetGroup> ApplyController(WatchEventType type, ControllerObject object);

  // Dispatches on the event's object; BOOKMARK and ERROR return nothing (the
  // caller tracks resource versions and relists).
  std::vector<model::TargetGroup> Apply(WatchEvent event);

  // A group for every stored pod, sorted by source (e.g. for a new consumer).
  std::vector<model::TargetGroup> AllGroups();

  // The stored pod, or nullptr.
  const Pod* FindPod(std::string_view namespace_name, std::string_view name) const;
  size_t pod_count() const { return pods_.size(); }
  // Distinct pod shapes held (pods per shape = sharing).
  size_t shape_count() const { return shapes_.size(); }

  // An estimate of the heap bytes held by the store: objects, blocks, hash
  // tables and allocator overhead. O(objects).
  size_t MemoryUsage() const;

 private:
  struct PodKey {
    std::string_view namespace_name, name;
    friend bool operator==(const PodKey&, const PodKey&) = default;
  };
  struct PodHash {
    using is_transparent = void;
    size_t operator()(const PodKey& k) const;
    size_t operator()(const Pod& p) const { return (*this)(PodKey{p.namespace_name(), p.name()}); }
  };
  struct PodEq {
    using is_transparent = void;
    static PodKey Key(const PodKey& k) { return k; }
    static PodKey Key(const Pod& p) { return {p.namespace_name(), p.name()}; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return Key(a) == Key(b);
    }
  };
  using ShapePtr = std::shared_ptr<const PodShape>;
  struct ShapeHash {
    size_t operator()(const ShapePtr& s) const { return s->hash(); }
  };
  struct ShapeEq {
    bool operator()(const ShapePtr& a, const ShapePtr& b) const { return a == b || *a == *b; }
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <typename T>
  using NameMap = std::unordered_map<std::string, T, StringHash, std::equal_to<>>;

  // Stores `pod` (interning its shape), replacing the pod of the same key.
  const Pod& Upsert(Pod pod);
  // Removes the pod; false when absent.
  bool Erase(std::string_view namespace_name, std::string_view name);
  void Release(ShapePtr shape);
  bool StoresControllers(ObjectKind kind) const;
  PodMetadata Resolve(const Pod& pod);
  model::TargetGroup Group(const Pod& pod) { return builder_.Build(pod, options_, Resolve(pod)); }
  // Groups of the stored pods for which `pred(pod)` holds, sorted by source.
  template <typename Pred>
  std::vector<model::TargetGroup> Regroup(Pred pred);

  const PodGroupOptions options_;
  std::unordered_set<Pod, PodHash, PodEq> pods_;
  std::unordered_set<ShapePtr, ShapeHash, ShapeEq> shapes_;
  NameMap<Node> nodes_;
  NameMap<Namespace> namespaces_;
  NameMap<ControllerObject> replicasets_;  // by "<namespace>/<name>"
  NameMap<ControllerObject> jobs_;         // by "<namespace>/<name>"
  PodGroupBuilder builder_;
  std::string key_scratch_;
};

}  // namespace kubescrape::discovery
