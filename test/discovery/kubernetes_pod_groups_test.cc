#include "discovery/kubernetes_pod_groups.h"

#include <gtest/gtest.h>

#include "test/discovery/kubernetes_test_util.h"

namespace kubescrape::discovery {
namespace {

using model::Labels;
using testing::L;
using testing::TestContainer;
using testing::TestPod;

// Prometheus's TestPodDiscoveryBeforeRun pod.
TestPod BeforeRunPod() {
  TestPod t;
  t.labels = {{"test/label", "testvalue"}};
  t.annotations = {{"test/annotation", "testannotationvalue"}};
  t.controller_kind = "testcontrollerkind";
  t.controller_name = "testcontrollername";
  t.containers = {
      {"testcontainer0",
       "testcontainer0:latest",
       {{"testport0", 9000, "TCP"}, {"testport1", 9001, "UDP"}},
       "docker://a1b2c3d4e5f6"},
      {"testcontainer1", "testcontainer1:latest", {}, "containerd://6f5e4d3c2b1a"},
  };
  return t;
}

TEST(SanitizeLabelNameTest, PerRune) {
  EXPECT_EQ(SanitizeLabelName("prometheus.io/scrape"), "prometheus_io_scrape");
  EXPECT_EQ(SanitizeLabelName("app.kubernetes.io/name"), "app_kubernetes_io_name");
  EXPECT_EQ(SanitizeLabelName("Az09_"), "Az09_");
  EXPECT_EQ(SanitizeLabelName("caf\xc3\xa9-x"), "caf__x");  // é is one rune
  EXPECT_EQ(SanitizeLabelName("\xe2\x82\xac"), "_");        // € is one rune
  EXPECT_EQ(SanitizeLabelName("a\xff\xfe"), "a__");         // each invalid byte
  EXPECT_EQ(SanitizeLabelName(""), "");
}

TEST(BuildPodGroupTest, PrometheusBeforeRun) {
  model::TargetGroup g = BuildPodGroup(BeforeRunPod().Decode());
  EXPECT_EQ(g.source, "pod/default/testpod");
  EXPECT_EQ(g.labels,
            L({
                {"__meta_kubernetes_pod_name", "testpod"},
                {"__meta_kubernetes_namespace", "default"},
                {"__meta_kubernetes_pod_label_test_label", "testvalue"},
                {"__meta_kubernetes_pod_labelpresent_test_label", "true"},
                {"__meta_kubernetes_pod_annotation_test_annotation", "testannotationvalue"},
                {"__meta_kubernetes_pod_annotationpresent_test_annotation", "true"},
                {"__meta_kubernetes_pod_node_name", "testnode"},
                {"__meta_kubernetes_pod_ip", "1.2.3.4"},
                {"__meta_kubernetes_pod_host_ip", "2.3.4.5"},
                {"__meta_kubernetes_pod_ready", "true"},
                {"__meta_kubernetes_pod_phase", "Running"},
                {"__meta_kubernetes_pod_uid", "abc123"},
                {"__meta_kubernetes_pod_controller_kind", "testcontrollerkind"},
                {"__meta_kubernetes_pod_controller_name", "testcontrollername"},
            }))
      << g.labels.ToString();
  ASSERT_EQ(g.targets.size(), 3u);
  EXPECT_EQ(g.targets[0], L({{"__address__", "1.2.3.4:9000"},
                             {"__meta_kubernetes_pod_container_name", "testcontainer0"},
                             {"__meta_kubernetes_pod_container_image", "testcontainer0:latest"},
                             {"__meta_kubernetes_pod_container_port_name", "testport0"},
                             {"__meta_kubernetes_pod_container_port_number", "9000"},
                             {"__meta_kubernetes_pod_container_port_protocol", "TCP"},
                             {"__meta_kubernetes_pod_container_init", "false"},
                             {"__meta_kubernetes_pod_container_id", "docker://a1b2c3d4e5f6"}}));
  EXPECT_EQ(g.targets[1].Get("__address__"), "1.2.3.4:9001");
  EXPECT_EQ(g.targets[1].Get("__meta_kubernetes_pod_container_port_protocol"), "UDP");
  EXPECT_EQ(g.targets[2], L({{"__address__", "1.2.3.4"},
                             {"__meta_kubernetes_pod_container_name", "testcontainer1"},
                             {"__meta_kubernetes_pod_container_image", "testcontainer1:latest"},
                             {"__meta_kubernetes_pod_container_init", "false"},
                             {"__meta_kubernetes_pod_container_id", "containerd://6f5e4d3c2b1a"}}));
}

TEST(BuildPodGroupTest, NoPodIpIsAnEmptyGroup) {
  TestPod t;
  t.ip = "";
  model::TargetGroup g = BuildPodGroup(t.Decode());
  EXPECT_EQ(g.source, "pod/default/testpod");
  EXPECT_TRUE(g.labels.empty());
  EXPECT_TRUE(g.targets.empty());
}

TEST(BuildPodGroupTest, Ipv6IsBracketedOnlyWithAPort) {
  TestPod t;
  t.ip = "fd00::1";
  t.containers.push_back({"noports", "img", {}, ""});
  model::TargetGroup g = BuildPodGroup(t.Decode());
  ASSERT_EQ(g.targets.size(), 2u);
  EXPECT_EQ(g.targets[0].Get("__address__"), "[fd00::1]:9000");
  EXPECT_EQ(g.targets[1].Get("__address__"), "fd00::1");
  EXPECT_FALSE(g.targets[1].Has("__meta_kubernetes_pod_container_id"));  // no status: absent
  EXPECT_EQ(g.labels.Get("__meta_kubernetes_pod_ip"), "fd00::1");
}

TEST(BuildPodGroupTest, InitContainersComeLast) {
  TestPod t;
  t.ready = "False";
  t.phase = "Pending";
  t.containers.push_back({"initcontainer", "initcontainer:latest", {}, "containerd://6f5e", true});
  model::TargetGroup g = BuildPodGroup(t.Decode());
  ASSERT_EQ(g.targets.size(), 2u);
  EXPECT_EQ(g.targets[0].Get("__meta_kubernetes_pod_container_init"), "false");
  EXPECT_EQ(g.targets[1], L({{"__address__", "1.2.3.4"},
                             {"__meta_kubernetes_pod_container_name", "initcontainer"},
                             {"__meta_kubernetes_pod_container_image", "initcontainer:latest"},
                             {"__meta_kubernetes_pod_container_init", "true"},
                             {"__meta_kubernetes_pod_container_id", "containerd://6f5e"}}));
  EXPECT_EQ(g.labels.Get("__meta_kubernetes_pod_ready"), "false");
  EXPECT_EQ(g.labels.Get("__meta_kubernetes_pod_phase"), "Pending");
}

TEST(BuildPodGroupTest, EmptyValuesAreAbsentButPresentLabelsStay) {
  TestPod t;
  t.labels = {{"empty", ""}};
  t.containers = {{"c", "img", {{"", 80, "TCP"}}, ""}};
  model::TargetGroup g = BuildPodGroup(t.Decode());
  EXPECT_FALSE(g.labels.Has("__meta_kubernetes_pod_label_empty"));
  EXPECT_EQ(g.labels.Get("__meta_kubernetes_pod_labelpresent_empty"), "true");
  EXPECT_FALSE(g.labels.Has("__meta_kubernetes_pod_controller_kind"));
  ASSERT_EQ(g.targets.size(), 1u);
  EXPECT_FALSE(g.targets[0].Has("__meta_kubernetes_pod_container_port_name"));
  EXPECT_FALSE(g.targets[0].Has("__meta_kubernetes_pod_container_id"));
}

TEST(BuildPodGroupTest, SanitisingCollisionsPickTheLastKey) {
  TestPod t;
  t.labels = {{"a/b", "slash"}, {"a.b", "dot"}};  // "a/b" sorts after "a.b"
  model::TargetGroup g = BuildPodGroup(t.Decode());
  EXPECT_EQ(g.labels.Get("__meta_kubernetes_pod_label_a_b"), "slash");
  EXPECT_EQ(g.labels.Get("__meta_kubernetes_pod_labelpresent_a_b"), "true");
}

TEST(BuildPodGroupTest, AttachedNode) {
  PodGroupOptions o;
  o.attach_node = true;
  Pod pod = TestPod().Decode();
  // Node unknown (not yet seen, or filtered by a node selector): no targets.
  model::TargetGroup g = BuildPodGroup(pod, o, {});
  EXPECT_TRUE(g.labels.empty());
  EXPECT_TRUE(g.targets.empty());

  Node node = testing::TestNode("testnode", {{"l1", "v1"}}, {{"a.b", "x"}});
  PodMetadata m;
  m.node = &node;
  g = BuildPodGroup(pod, o, m);
  EXPECT_EQ(g.labels.Get("__meta_kubernetes_node_name"), "testnode");
  EXPECT_EQ(g.labels.Get("__meta_kubernetes_node_label_l1"), "v1");
  EXPECT_EQ(g.labels.Get("__meta_kubernetes_node_labelpresent_l1"), "true");
  EXPECT_EQ(g.labels.Get("__meta_kubernetes_node_annotation_a_b"), "x");
  EXPECT_EQ(g.labels.Get("__meta_kubernetes_node_annotationpresent_a_b"), "true");
  EXPECT_EQ(g.targets.size(), 1u);
  // Without the option the node is ignored.
  EXPECT_FALSE(BuildPodGroup(pod, {}, m).labels.Has("__meta_kubernetes_node_name"));
}

TEST(BuildPodGroupTest, AttachedNamespace) {
  PodGroupOptions o;
  o.attach_namespace = true;
  Pod pod = TestPod().Decode();
  // An unknown namespace adds nothing (the pod keeps its targets).
  model::TargetGroup g = BuildPodGroup(pod, o, {});
  EXPECT_EQ(g.targets.size(), 1u);
  EXPECT_EQ(g.labels.size(), 8u);
  Namespace ns = testing::TestNamespace("default", {{"team", "a"}}, {{"owner", "b"}});
  PodMetadata m;
  m.namespace_object = &ns;
  g = BuildPodGroup(pod, o, m);
  EXPECT_EQ(g.labels.Get("__meta_kubernetes_namespace_label_team"), "a");
  EXPECT_EQ(g.labels.Get("__meta_kubernetes_namespace_labelpresent_team"), "true");
  EXPECT_EQ(g.labels.Get("__meta_kubernetes_namespace_annotation_owner"), "b");
  EXPECT_EQ(g.labels.Get("__meta_kubernetes_namespace_annotationpresent_owner"), "true");
  EXPECT_EQ(g.labels.Get("__meta_kubernetes_namespace"), "default");
}

TEST(BuildPodGroupTest, ControllerChain) {
  TestPod t;
  t.controller_kind = "Job";
  t.controller_name = "nightly-123";
  Pod pod = t.Decode();
  PodGroupOptions o;
  o.attach_job = true;
  o.attach_cronjob = true;
  o.attach_deployment = true;
  PodMetadata m;
  m.cronjob_name = "nightly";
  model::TargetGroup g = BuildPodGroup(pod, o, m);
  EXPECT_EQ(g.labels.Get("__meta_kubernetes_pod_job_name"), "nightly-123");
  EXPECT_EQ(g.labels.Get("__meta_kubernetes_pod_cronjob_name"), "nightly");
  EXPECT_FALSE(g.labels.Has("__meta_kubernetes_pod_deployment_name"));
  // Options off: none of them.
  g = BuildPodGroup(pod, {}, m);
  EXPECT_FALSE(g.labels.Has("__meta_kubernetes_pod_job_name"));
  EXPECT_FALSE(g.labels.Has("__meta_kubernetes_pod_cronjob_name"));
}

TEST(BuildPodGroupTest, OptionsFromConfig) {
  KubernetesSdConfig c;
  c.attach_node_metadata = true;
  PodGroupOptions o = PodGroupOptions::FromConfig(c);
  EXPECT_TRUE(o.attach_node);
  EXPECT_FALSE(o.attach_namespace);
}

TEST(BuildPodGroupTest, BuilderIsReusable) {
  PodGroupBuilder b;
  Pod p1 = BeforeRunPod().Decode();
  TestPod t2;
  t2.name = "second";
  Pod p2 = t2.Decode();
  model::TargetGroup g1 = b.Build(p1, {}, {});
  model::TargetGroup g2 = b.Build(p2, {}, {});
  EXPECT_EQ(b.Build(p1, {}, {}).labels, g1.labels);
  EXPECT_EQ(g2.source, "pod/default/second");
  EXPECT_EQ(EmptyPodGroup("ns", "n").source, "pod/ns/n");
}

}  // namespace
}  // namespace kubescrape::discovery
