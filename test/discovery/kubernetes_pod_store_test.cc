#include "discovery/kubernetes_pod_store.h"

#include <gtest/gtest.h>

#include "test/discovery/kubernetes_test_util.h"

namespace kubescrape::discovery {
namespace {

using model::TargetGroup;
using testing::TestPod;

TestPod Replica(std::string_view name, std::string_view ip, std::string_view node = "n1") {
  TestPod t;
  t.name = name;
  t.uid = "uid-" + std::string(name);
  t.ip = ip;
  t.node = node;
  t.labels = {{"app", "web"}, {"pod-template-hash", "5d8f"}};
  t.annotations = {{"prometheus.io/scrape", "true"}};
  t.controller_kind = "ReplicaSet";
  t.controller_name = "web-5d8f";
  t.containers[0].id = "containerd://" + std::string(name);
  return t;
}

// "source:<number of targets>" per group.
std::vector<std::string> Summary(const std::vector<TargetGroup>& groups) {
  std::vector<std::string> out;
  for (const TargetGroup& g : groups)
    out.push_back(g.source + ":" + std::to_string(g.targets.size()));
  return out;
}

using S = std::vector<std::string>;

TEST(PodStoreTest, ListThenRelistRemovesVanishedPods) {
  PodStore s({});
  EXPECT_EQ(Summary(s.ReplacePods(
                "", {Replica("a", "10.0.0.1").Decode(), Replica("b", "10.0.0.2").Decode()})),
            (S{"pod/default/a:1", "pod/default/b:1"}));
  EXPECT_EQ(s.pod_count(), 2u);
  // After a 410: the relist no longer has a.
  EXPECT_EQ(Summary(s.ReplacePods("", {Replica("b", "10.0.0.2").Decode()})),
            (S{"pod/default/b:1", "pod/default/a:0"}));
  EXPECT_EQ(s.pod_count(), 1u);
  EXPECT_EQ(s.FindPod("default", "a"), nullptr);
  ASSERT_NE(s.FindPod("default", "b"), nullptr);
}

TEST(PodStoreTest, ScopedListsLeaveOtherNamespacesAlone) {
  PodStore s({});
  TestPod a = Replica("a", "10.0.0.1");
  a.ns = "ns1";
  TestPod b = Replica("b", "10.0.0.2");
  b.ns = "ns2";
  s.ReplacePods("ns1", {a.Decode()}).clear();
  s.ReplacePods("ns2", {b.Decode()}).clear();
  EXPECT_EQ(Summary(s.ReplacePods("ns1", {})), (S{"pod/ns1/a:0"}));
  EXPECT_NE(s.FindPod("ns2", "b"), nullptr);
  EXPECT_EQ(s.pod_count(), 1u);
}

TEST(PodStoreTest, Events) {
  PodStore s({});
  EXPECT_EQ(Summary(s.ApplyPod(WatchEventType::kAdded, Replica("a", "10.0.0.1").Decode())),
            (S{"pod/default/a:1"}));
  TestPod evicted = Replica("a", "");
  EXPECT_EQ(Summary(s.ApplyPod(WatchEventType::kModified, evicted.Decode())),
            (S{"pod/default/a:0"}));
  EXPECT_EQ(s.FindPod("default", "a")->pod_ip(), "");
  EXPECT_EQ(Summary(s.ApplyPod(WatchEventType::kDeleted, evicted.Decode())),
            (S{"pod/default/a:0"}));
  EXPECT_EQ(s.pod_count(), 0u);
  // Deleting an unknown pod still says so; BOOKMARK and ERROR do nothing.
  EXPECT_EQ(Summary(s.ApplyPod(WatchEventType::kDeleted, evicted.Decode())),
            (S{"pod/default/a:0"}));
  EXPECT_TRUE(s.ApplyPod(WatchEventType::kBookmark, evicted.Decode()).empty());
  WatchEvent bookmark;
  bookmark.type = WatchEventType::kBookmark;
  EXPECT_TRUE(s.Apply(bookmark).empty());
}

TEST(PodStoreTest, ApplyWatchEventDispatches) {
  PodStore s({});
  WatchEvent e;
  e.type = WatchEventType::kAdded;
  e.object = Replica("a", "10.0.0.1").Decode();
  EXPECT_EQ(Summary(s.Apply(std::move(e))), (S{"pod/default/a:1"}));
  EXPECT_EQ(Summary(s.AllGroups()), (S{"pod/default/a:1"}));
}

TEST(PodStoreTest, ReplicasShareOneShape) {
  PodStore s({});
  std::vector<Pod> pods;
  for (int i = 0; i < 10; ++i) {
    pods.push_back(Replica("web-" + std::to_string(i), "10.0.0." + std::to_string(i)).Decode());
  }
  s.ReplacePods("", std::move(pods)).clear();
  EXPECT_EQ(s.shape_count(), 1u);
  const size_t ten = s.MemoryUsage();
  // A pod with other labels has its own shape.
  TestPod other = Replica("web-0", "10.0.0.0");
  other.labels.push_back({"canary", "true"});
  s.ApplyPod(WatchEventType::kModified, other.Decode()).clear();
  EXPECT_EQ(s.shape_count(), 2u);
  s.ApplyPod(WatchEventType::kModified, Replica("web-0", "10.0.0.0").Decode()).clear();
  EXPECT_EQ(s.shape_count(), 1u);  // the canary shape is released
  EXPECT_EQ(s.FindPod("default", "web-3")->shape(), s.FindPod("default", "web-0")->shape());
  // Memory: shared shape, so a pod costs much less than its JSON.
  EXPECT_LT(ten / 10, 1500u);
  s.ReplacePods("", {}).clear();
  EXPECT_EQ(s.shape_count(), 0u);
  EXPECT_LT(s.MemoryUsage(), ten);
}

TEST(PodStoreTest, ShapeOfAPodCopiedOutIsSweptAtTheNextList) {
  PodStore s({});
  s.ReplacePods("", {Replica("a", "10.0.0.1").Decode()}).clear();
  {
    Pod copy = *s.FindPod("default", "a");
    s.ApplyPod(WatchEventType::kDeleted, copy).clear();
    EXPECT_EQ(s.shape_count(), 1u);  // the copy still uses it
  }
  s.ReplacePods("", {}).clear();
  EXPECT_EQ(s.shape_count(), 0u);
}

TEST(PodStoreTest, AttachedNodeMetadata) {
  PodGroupOptions o;
  o.attach_node = true;
  PodStore s(o);
  // The pod arrives before its node: no targets yet.
  EXPECT_EQ(Summary(s.ApplyPod(WatchEventType::kAdded, Replica("a", "10.0.0.1", "n1").Decode())),
            (S{"pod/default/a:0"}));
  s.ApplyPod(WatchEventType::kAdded, Replica("b", "10.0.0.2", "n2").Decode()).clear();
  // The node arrives: only its pods are re-emitted.
  std::vector<TargetGroup> g =
      s.ApplyNode(WatchEventType::kAdded, testing::TestNode("n1", {{"zone", "a"}}));
  ASSERT_EQ(Summary(g), (S{"pod/default/a:1"}));
  EXPECT_EQ(g[0].labels.Get("__meta_kubernetes_node_label_zone"), "a");
  // A node update that changes no label or annotation re-emits nothing.
  EXPECT_TRUE(
      s.ApplyNode(WatchEventType::kModified, testing::TestNode("n1", {{"zone", "a"}})).empty());
  g = s.ApplyNode(WatchEventType::kModified, testing::TestNode("n1", {{"zone", "b"}}));
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].labels.Get("__meta_kubernetes_node_label_zone"), "b");
  // Relist of nodes: n1 gone, n2 appears.
  EXPECT_EQ(Summary(s.ReplaceNodes({testing::TestNode("n2", {})})),
            (S{"pod/default/a:0", "pod/default/b:1"}));
  EXPECT_EQ(Summary(s.ApplyNode(WatchEventType::kDeleted, testing::TestNode("n2", {}))),
            (S{"pod/default/b:0"}));
}

TEST(PodStoreTest, AttachedNamespaceMetadata) {
  PodGroupOptions o;
  o.attach_namespace = true;
  PodStore s(o);
  s.ReplacePods("", {Replica("a", "10.0.0.1").Decode()}).clear();
  std::vector<TargetGroup> g =
      s.ReplaceNamespaces({testing::TestNamespace("default", {{"t", "1"}})});
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].labels.Get("__meta_kubernetes_namespace_label_t"), "1");
  EXPECT_TRUE(s.ReplaceNamespaces({testing::TestNamespace("default", {{"t", "1"}})}).empty());
  g = s.ApplyNamespace(WatchEventType::kModified, testing::TestNamespace("default", {{"t", "2"}}));
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].labels.Get("__meta_kubernetes_namespace_label_t"), "2");
  EXPECT_TRUE(
      s.ApplyNamespace(WatchEventType::kAdded, testing::TestNamespace("other", {})).empty());
}

TEST(PodStoreTest, MetadataIgnoredWhenNotAttached) {
  PodStore s({});
  s.ReplacePods("", {Replica("a", "10.0.0.1").Decode()}).clear();
  EXPECT_TRUE(s.ApplyNode(WatchEventType::kAdded, testing::TestNode("n1", {{"z", "a"}})).empty());
  EXPECT_TRUE(s.ReplaceNamespaces({testing::TestNamespace("default", {})}).empty());
  ControllerObject rs{ObjectKind::kReplicaSet, "default", "web-5d8f", "Deployment", "web"};
  EXPECT_TRUE(s.ApplyController(WatchEventType::kAdded, rs).empty());
  EXPECT_FALSE(s.AllGroups()[0].labels.Has("__meta_kubernetes_node_name"));
}

TEST(PodStoreTest, DeploymentAndCronJob) {
  PodGroupOptions o;
  o.attach_deployment = true;
  o.attach_cronjob = true;
  PodStore s(o);
  TestPod job_pod = Replica("j", "10.0.0.9");
  job_pod.controller_kind = "Job";
  job_pod.controller_name = "nightly-1";
  s.ReplacePods("", {Replica("a", "10.0.0.1").Decode(), job_pod.Decode()}).clear();
  ControllerObject rs{ObjectKind::kReplicaSet, "default", "web-5d8f", "Deployment", "web"};
  std::vector<TargetGroup> g = s.ReplaceControllers(ObjectKind::kReplicaSet, "", {rs});
  ASSERT_EQ(Summary(g), (S{"pod/default/a:1"}));
  EXPECT_EQ(g[0].labels.Get("__meta_kubernetes_pod_deployment_name"), "web");
  // A ReplicaSet status update (same controller) re-emits nothing.
  EXPECT_TRUE(s.ApplyController(WatchEventType::kModified, rs).empty());
  ControllerObject job{ObjectKind::kJob, "default", "nightly-1", "CronJob", "nightly"};
  g = s.ApplyController(WatchEventType::kAdded, job);
  ASSERT_EQ(Summary(g), (S{"pod/default/j:1"}));
  EXPECT_EQ(g[0].labels.Get("__meta_kubernetes_pod_cronjob_name"), "nightly");
  g = s.ApplyController(WatchEventType::kDeleted, rs);
  ASSERT_EQ(g.size(), 1u);
  EXPECT_FALSE(g[0].labels.Has("__meta_kubernetes_pod_deployment_name"));
}

}  // namespace
}  // namespace kubescrape::discovery
