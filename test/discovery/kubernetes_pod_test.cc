#include "discovery/kubernetes_pod.h"

#include <gtest/gtest.h>

#include <string>

#include "test/discovery/kubernetes_test_util.h"

namespace kubescrape::discovery {
namespace {

using testing::Pairs;
using testing::TestContainer;
using testing::TestPod;

std::string DecodeError(std::string_view json) {
  auto p = DecodePod(json);
  EXPECT_FALSE(p.ok());
  return p.ok() ? "" : p.status().message();
}

TEST(PackedStringsTest, EmptyHoldsNothing) {
  PackedStrings::Builder b;
  PackedStrings p = b.Build();
  EXPECT_EQ(p.num_ints(), 0u);
  EXPECT_EQ(p.num_strings(), 0u);
  EXPECT_EQ(p.ByteSize(), 0u);
  EXPECT_EQ(p, PackedStrings());
}

TEST(PackedStringsTest, IntsStringsCopyAndEquality) {
  PackedStrings::Builder b;
  b.AddInt(7);
  b.AddInt(0);
  b.SetInt(1, 9);
  b.Add("alpha");
  b.Add("");
  b.Add("gamma");
  PackedStrings p = b.Build();
  ASSERT_EQ(p.num_ints(), 2u);
  EXPECT_EQ(p.int_at(0), 7u);
  EXPECT_EQ(p.int_at(1), 9u);
  ASSERT_EQ(p.num_strings(), 3u);
  EXPECT_EQ(p.str(0), "alpha");
  EXPECT_EQ(p.str(1), "");
  EXPECT_EQ(p.str(2), "gamma");
  EXPECT_EQ(p.ByteSize(), 4u * (3 + 2 + 3) + 10);
  EXPECT_EQ(b.num_strings(), 0u);  // Build() empties the builder

  PackedStrings copy = p;
  EXPECT_EQ(copy, p);
  EXPECT_NE(copy.block().data(), p.block().data());
  b.AddInt(7);
  b.AddInt(9);
  b.Add("alpha");
  b.Add("");
  b.Add("gammb");
  EXPECT_NE(b.Build(), p);
}

TEST(DecodePodTest, KeepsWhatTheLabelsNeed) {
  TestPod t;
  t.labels = {{"app", "web"}, {"test/label", "testvalue"}};
  t.annotations = {{"prometheus.io/scrape", "true"}};
  t.controller_kind = "ReplicaSet";
  t.controller_name = "web-5d8f";
  t.containers = {
      {"c0", "img0:1", {{"http", 9000, "TCP"}, {"", 9001, "UDP"}}, "docker://c0"},
      {"c1", "img1:1", {}, "containerd://c1"},
      {"init0", "initimg", {}, "containerd://i0", true},
  };
  Pod p = t.Decode();
  EXPECT_EQ(p.namespace_name(), "default");
  EXPECT_EQ(p.name(), "testpod");
  EXPECT_EQ(p.uid(), "abc123");
  EXPECT_EQ(p.node_name(), "testnode");
  EXPECT_EQ(p.pod_ip(), "1.2.3.4");
  EXPECT_EQ(p.host_ip(), "2.3.4.5");
  EXPECT_EQ(p.phase(), "Running");
  EXPECT_EQ(p.ready(), PodReady::kTrue);
  EXPECT_FALSE(p.deleting());
  EXPECT_EQ(p.controller_kind(), "ReplicaSet");
  EXPECT_EQ(p.controller_name(), "web-5d8f");
  ASSERT_EQ(p.num_labels(), 2u);
  EXPECT_EQ(p.label(0).key, "app");
  EXPECT_EQ(p.label(1).key, "test/label");
  EXPECT_EQ(p.label(1).value, "testvalue");
  ASSERT_EQ(p.num_annotations(), 1u);
  EXPECT_EQ(p.annotation(0).key, "prometheus.io/scrape");

  ASSERT_EQ(p.num_containers(), 3u);
  PodContainer c0 = p.container(0);
  EXPECT_EQ(c0.name(), "c0");
  EXPECT_EQ(c0.image(), "img0:1");
  EXPECT_EQ(c0.id(), "docker://c0");
  EXPECT_FALSE(c0.init());
  ASSERT_EQ(c0.num_ports(), 2u);
  EXPECT_EQ(c0.port(0).name, "http");
  EXPECT_EQ(c0.port(0).number, "9000");
  EXPECT_EQ(c0.port(0).protocol, "TCP");
  EXPECT_EQ(c0.port(1).name, "");
  EXPECT_EQ(c0.port(1).number, "9001");
  EXPECT_EQ(c0.port(1).protocol, "UDP");
  PodContainer c1 = p.container(1);
  EXPECT_EQ(c1.name(), "c1");
  EXPECT_EQ(c1.num_ports(), 0u);
  EXPECT_EQ(c1.id(), "containerd://c1");
  // Init containers come after the others (the JSON has them first).
  PodContainer i0 = p.container(2);
  EXPECT_EQ(i0.name(), "init0");
  EXPECT_TRUE(i0.init());
  EXPECT_EQ(i0.id(), "containerd://i0");
}

TEST(DecodePodTest, ManagedFieldsAndSpecAreNotKept) {
  TestPod t;
  std::string json = t.Json();
  // Grow managedFields by 100 kB: the pod must not grow.
  const std::string big =
      "{\"manager\":\"x\",\"fieldsV1\":{\"f:a\":\"" + std::string(100000, 'z') + "\"}},";
  json.insert(json.find("\"managedFields\":[") + 17, big);
  auto small = DecodePod(t.Json());
  auto large = DecodePod(json);
  ASSERT_TRUE(small.ok() && large.ok()) << large.status().ToString();
  EXPECT_EQ(large->MemoryUsage(), small->MemoryUsage());
  EXPECT_LT(large->MemoryUsage(), 600u);
}

TEST(DecodePodTest, ContainerIdsMatchByNameAndKind) {
  // A status for another container, and an init status whose name matches a
  // regular container: neither is used.
  std::string json = R"({"metadata":{"name":"p","namespace":"n"},
    "spec":{"containers":[{"name":"a","image":"i"}],"initContainers":[{"name":"b","image":"j"}]},
    "status":{"podIP":"10.0.0.1",
      "initContainerStatuses":[{"name":"a","containerID":"init://a"}],
      "containerStatuses":[{"name":"z","containerID":"cri://z"},{"name":"a","containerID":"cri://a"},
                           {"name":"a","containerID":"cri://second"}]}})";
  auto p = DecodePod(json);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->num_containers(), 2u);
  EXPECT_EQ(p->container(0).id(), "cri://a");  // the first match, as Prometheus
  EXPECT_EQ(p->container(1).id(), "");         // no init status named b
}

TEST(DecodePodTest, ReadyCondition) {
  TestPod t;
  t.ready = "False";
  EXPECT_EQ(t.Decode().ready(), PodReady::kFalse);
  t.ready = "Unknown";
  EXPECT_EQ(t.Decode().ready(), PodReady::kUnknown);
  t.ready = "";
  EXPECT_EQ(t.Decode().ready(), PodReady::kUnknown);  // no Ready condition
  EXPECT_EQ(PodReadyLabelValue(PodReady::kTrue), "true");
  EXPECT_EQ(PodReadyLabelValue(PodReady::kFalse), "false");
  EXPECT_EQ(PodReadyLabelValue(PodReady::kUnknown), "unknown");
}

TEST(DecodePodTest, DeletionTimestampMarksDeleting) {
  TestPod t;
  t.deleting = true;
  EXPECT_TRUE(t.Decode().deleting());
  auto p = DecodePod(R"({"metadata":{"name":"p","namespace":"n","deletionTimestamp":null}})");
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->deleting());
}

TEST(DecodePodTest, ControllerIsTheFirstOwnerWithControllerTrue) {
  auto p = DecodePod(R"({"metadata":{"name":"p","namespace":"n","ownerReferences":[
      {"kind":"A","name":"a","controller":false},{"kind":"B","name":"b","controller":true},
      {"kind":"C","name":"c","controller":true}]}})");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->controller_kind(), "B");
  EXPECT_EQ(p->controller_name(), "b");
}

TEST(DecodePodTest, LabelsAreSortedAndTheLastDuplicateWins) {
  auto p = DecodePod(R"({"metadata":{"name":"p","namespace":"n",
      "labels":{"b":"1","a":"2","b":"3"}}})");
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->num_labels(), 2u);
  EXPECT_EQ(p->label(0).key, "a");
  EXPECT_EQ(p->label(1).key, "b");
  EXPECT_EQ(p->label(1).value, "3");
}

TEST(DecodePodTest, NullsAreAbsent) {
  auto p = DecodePod(R"({"metadata":{"name":"p","namespace":"n","labels":null,"uid":null},
      "spec":{"containers":null,"nodeName":null},"status":null})");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->num_labels(), 0u);
  EXPECT_EQ(p->uid(), "");
  EXPECT_EQ(p->num_containers(), 0u);
  EXPECT_EQ(p->pod_ip(), "");
}

TEST(DecodePodTest, DeepNestingInIgnoredFieldsIsFine) {
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  auto p = DecodePod(R"({"metadata":{"name":"p","namespace":"n","managedFields":)" + deep + "}}");
  EXPECT_TRUE(p.ok()) << p.status().ToString();
}

TEST(DecodePodTest, Errors) {
  EXPECT_EQ(DecodeError(R"({"metadata":{"namespace":"n"}})"), "Pod without metadata.name");
  EXPECT_EQ(DecodeError(R"({"metadata":{"name":"p"}})"), "Pod \"p\" without metadata.namespace");
  EXPECT_EQ(DecodeError(R"({"metadata":{"name":5}})"),
            "invalid JSON at byte 20: metadata: a field has the wrong type (a number)");
  EXPECT_EQ(DecodeError(R"({"metadata":{"labels":["a"]}})"),
            "invalid JSON at byte 22: metadata: a field has the wrong type (an array)");
  EXPECT_EQ(DecodeError(R"({"metadata":{"name":"p","namespace":"n"},
      "spec":{"containers":[{"name":"c","ports":[{"containerPort":"80"}]}]}})"),
            "invalid JSON at byte 112: spec.containers[].ports[]: a field has the wrong type "
            "(a string)");
  EXPECT_EQ(DecodeError(R"({"spec":{"containers":[{"ports":[{"containerPort":80.5}]}]})"),
            "invalid JSON at byte 50: spec.containers[].ports[].containerPort: not a valid port "
            "number");
  EXPECT_EQ(DecodeError(R"({"spec":{"containers":[{"ports":[{"containerPort":-1}]}]})"),
            "invalid JSON at byte 50: spec.containers[].ports[].containerPort: not a valid port "
            "number");
  EXPECT_EQ(DecodeError(R"({"spec":{"containers":["c"]}})"),
            "invalid JSON at byte 26: spec.containers: an element has the wrong type (an object)");
  EXPECT_EQ(DecodeError(R"({"spec":{"containers":[null]}})"),
            "invalid JSON at byte 27: spec.containers: an element has the wrong type (null)");
  EXPECT_EQ(DecodeError("[]"), "invalid JSON at byte 0: expected an object, found an array");
  EXPECT_EQ(DecodeError("\"x\""), "invalid JSON at byte 3: expected an object");
  EXPECT_EQ(DecodeError(R"({"metadata":{"name":"p",)"),
            "invalid JSON at byte 24: Missing a name for object member.");
  EXPECT_EQ(DecodeError(R"({"metadata":{"name":"p"}} x)"),
            "invalid JSON at byte 26: The document root must not be followed by other values.");
  EXPECT_EQ(DecodeError("{\"metadata\":{\"name\":\"\xff\"}}"),
            "invalid JSON at byte 23: metadata: invalid UTF-8 in a string");
  EXPECT_EQ(DecodeError("{\"metadata\":{\"labels\":{\"\xc3\":\"v\"}}}"),
            "invalid JSON at byte 26: metadata.labels: invalid UTF-8 in a key");
  // Skipped strings are not checked.
  EXPECT_TRUE(DecodePod("{\"metadata\":{\"name\":\"p\",\"namespace\":\"n\",\"x\":\"\xff\"}}").ok());
  EXPECT_EQ(DecodeError(""), "invalid JSON at byte 0: The document is empty.");
}

TEST(DecodePodListTest, ItemsAndListMetadata) {
  TestPod a, b;
  b.name = "other";
  b.ns = "ns2";
  std::string body = R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"123",
      "continue":"tok","remainingItemCount":5},"items":[)" +
                     a.Json() + "," + b.Json() + "]}";
  auto list = DecodePodList(body);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ(list->resource_version, "123");
  EXPECT_EQ(list->continue_token, "tok");
  ASSERT_EQ(list->items.size(), 2u);
  EXPECT_EQ(list->items[0].name(), "testpod");
  EXPECT_EQ(list->items[1].namespace_name(), "ns2");
  EXPECT_EQ(list->items[1].name(), "other");
  EXPECT_EQ(list->items[1].container(0).port(0).number, "9000");
}

TEST(DecodePodListTest, EmptyAndNullItems) {
  auto list = DecodePodList(R"({"metadata":{"resourceVersion":"7"},"items":null})");
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->items.empty());
  EXPECT_EQ(list->resource_version, "7");
  EXPECT_EQ(list->continue_token, "");
}

TEST(DecodePodListTest, BadItemNamesItsIndex) {
  TestPod a;
  auto list = DecodePodList(R"({"items":[)" + a.Json() + R"(,{"metadata":{"name":"x"}}]})");
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.status().message(), "items[1]: Pod \"x\" without metadata.namespace");
}

TEST(DecodeNodeTest, NameLabelsAnnotations) {
  auto n = DecodeNode(
      testing::MetaJson("Node", "n1", {{"zone", "a"}, {"arch", "amd64"}}, {{"note", "x"}}));
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->name(), "n1");
  ASSERT_EQ(n->num_labels(), 2u);
  EXPECT_EQ(n->label(0).key, "arch");
  EXPECT_EQ(n->label(1).value, "a");
  ASSERT_EQ(n->num_annotations(), 1u);
  EXPECT_EQ(n->annotation(0).key, "note");
  EXPECT_EQ(n->annotation(0).value, "x");
  EXPECT_FALSE(DecodeNode(R"({"metadata":{}})").ok());
}

TEST(DecodeNamespaceTest, ListAndEquality) {
  auto list = DecodeNamespaceList(R"({"metadata":{"resourceVersion":"9"},"items":[)" +
                                  testing::MetaJson("Namespace", "a", {{"k", "v"}}) + "," +
                                  testing::MetaJson("Namespace", "b", {}) + "]}");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->items.size(), 2u);
  EXPECT_EQ(list->items[0].name(), "a");
  EXPECT_EQ(list->items[1].num_labels(), 0u);
  EXPECT_EQ(list->items[0], testing::TestNamespace("a", {{"k", "v"}}));
  EXPECT_FALSE(list->items[0] == testing::TestNamespace("a", {{"k", "w"}}));
}

TEST(DecodeControllerTest, ReplicaSetAndJob) {
  auto rs = DecodeController(ObjectKind::kReplicaSet, R"({"metadata":{"name":"web-5d8f",
      "namespace":"default","ownerReferences":[{"kind":"Deployment","name":"web","controller":true}]},
      "spec":{"template":{"spec":{"containers":[{"name":"x"}]}}}})");
  ASSERT_TRUE(rs.ok()) << rs.status().ToString();
  EXPECT_EQ(rs->kind, ObjectKind::kReplicaSet);
  EXPECT_EQ(rs->namespace_name, "default");
  EXPECT_EQ(rs->name, "web-5d8f");
  EXPECT_EQ(rs->controller_kind, "Deployment");
  EXPECT_EQ(rs->controller_name, "web");
  auto jobs = DecodeControllerList(ObjectKind::kJob,
                                   R"({"items":[{"metadata":{"name":"j","namespace":"n"}}]})");
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->items.size(), 1u);
  EXPECT_EQ(jobs->items[0].kind, ObjectKind::kJob);
  EXPECT_EQ(jobs->items[0].controller_kind, "");
}

}  // namespace
}  // namespace kubescrape::discovery
