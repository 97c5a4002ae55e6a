// Preloading objects from JSON and YAML files.
#include "test/fake_apiserver/manifest.h"

#include <gtest/gtest.h>

#include "test/fake_apiserver/test_util.h"

namespace kubescrape::fake_apiserver {
namespace {

TEST(ManifestTest, YamlDocuments) {
  util::StatusOr<std::vector<ManifestObject>> objs = ParseManifests(R"(
apiVersion: v1
kind: Namespace
metadata: {name: prod}
---
apiVersion: v1
kind: Pod
metadata:
  name: web-0
  namespace: prod
  labels: {app: web, version: "2", replicas: 3}
  annotations: {prometheus.io/scrape: "true"}
spec:
  hostNetwork: true
  containers:
  - name: app
    image: nginx
    ports: [{containerPort: 8080, name: http}]
---
kind: Node
metadata: {name: node-1}
spec: {unschedulable: false}
)");
  ASSERT_TRUE(objs.ok()) << objs.status().message();
  ASSERT_EQ(objs->size(), 3u);
  EXPECT_EQ((*objs)[0].type, &NamespacesResource());
  EXPECT_EQ((*objs)[1].type, &PodsResource());
  EXPECT_EQ((*objs)[2].type, &NodesResource());
  rapidjson::Document pod = Parse((*objs)[1].json);
  EXPECT_TRUE(pod["spec"]["hostNetwork"].IsBool());
  EXPECT_TRUE(pod["spec"]["containers"][0]["ports"][0]["containerPort"].IsInt());
  EXPECT_TRUE(pod["metadata"]["labels"]["version"].IsString());  // quoted stays a string
  EXPECT_TRUE(pod["metadata"]["labels"]["replicas"].IsInt());
  EXPECT_EQ(GetString(pod, {"metadata", "annotations", "prometheus.io/scrape"}), "true");
}

TEST(ManifestTest, JsonPodList) {
  util::StatusOr<std::vector<ManifestObject>> objs = ParseManifests(
      R"({"kind":"PodList","apiVersion":"v1","items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]})");
  ASSERT_TRUE(objs.ok()) << objs.status().message();
  ASSERT_EQ(objs->size(), 2u);
  EXPECT_EQ((*objs)[1].type, &PodsResource());
  EXPECT_EQ(GetString(Parse((*objs)[1].json), {"metadata", "name"}), "b");
}

TEST(ManifestTest, MixedList) {
  util::StatusOr<std::vector<ManifestObject>> objs = ParseManifests(R"(
kind: List
items:
- {kind: Namespace, metadata: {name: x}}
- {kind: Pod, metadata: {name: p, namespace: x}}
)");
  ASSERT_TRUE(objs.ok()) << objs.status().message();
  ASSERT_EQ(objs->size(), 2u);
  EXPECT_EQ((*objs)[0].type, &NamespacesResource());
}

TEST(ManifestTest, Errors) {
  EXPECT_EQ(ParseManifests("kind: Service\nmetadata: {name: s}\n").status().message(),
            "kind \"Service\" is not served by the fake API server");
  util::StatusOr<std::vector<ManifestObject>> bad = ParseManifests("a: [1, 2\n");
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(':'), std::string::npos);
  EXPECT_FALSE(ParseManifests("- 1\n- 2\n").ok());
  EXPECT_TRUE(ParseManifests("")->empty());
}

TEST(PodBuilderTest, ProducesAValidPod) {
  Cluster cluster;
  ObjectPtr pod = cluster.Create(PodBuilder("ns", "p")
                                     .Label("app", "x")
                                     .Annotation("a", "b")
                                     .Node("n1")
                                     .Running("10.0.0.1")
                                     .Container("c", "img:1", {{"http", 80}})
                                     .InitContainer("init", "img:1")
                                     .HostNetwork()
                                     .Owner("ReplicaSet", "rs-1"));
  ASSERT_NE(pod, nullptr);
  EXPECT_EQ(pod->fields.at("status.podIP"), "10.0.0.1");
  EXPECT_EQ(pod->fields.at("spec.hostNetwork"), "true");
  EXPECT_EQ(pod->fields.at("spec.nodeName"), "n1");
  rapidjson::Document doc = pod->ToDocument();
  EXPECT_EQ(GetString(doc["metadata"]["ownerReferences"][0], {"kind"}), "ReplicaSet");
  EXPECT_EQ(GetString(doc["spec"]["initContainers"][0], {"name"}), "init");
}

}  // namespace
}  // namespace kubescrape::fake_apiserver
