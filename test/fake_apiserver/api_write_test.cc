// Api writes: create, update, merge patch and delete, with the API
// server's defaults, checks and error Statuses.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test/fake_apiserver/test_util.h"

namespace kubescrape::fake_apiserver {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kPod =
    R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-0","labels":{"app":"web"}},)"
    R"("spec":{"containers":[{"name":"app","image":"nginx:1.27","ports":[{"containerPort":80}]}]}})";

class ApiWriteTest : public ::testing::Test {
 protected:
  ApiResponse Post(std::string ns, std::string_view body) {
    return cluster_.Do("POST", "/api/v1/namespaces/" + ns + "/pods", std::string(body), "application/json");
  }
  Cluster cluster_;
};

TEST_F(ApiWriteTest, CreateSetsSystemFieldsAndDefaults) {
  ApiResponse r = Post("default", kPod);
  ASSERT_EQ(r.code, 201) << r.body;
  rapidjson::Document pod = Parse(r.body);
  EXPECT_EQ(GetString(pod, {"kind"}), "Pod");
  EXPECT_EQ(GetString(pod, {"metadata", "namespace"}), "default");
  EXPECT_EQ(GetString(pod, {"metadata", "uid"}).size(), 36u);
  EXPECT_EQ(GetString(pod, {"metadata", "creationTimestamp"}), "2023-11-14T22:13:20Z");
  EXPECT_EQ(GetString(pod, {"metadata", "resourceVersion"}), std::to_string(cluster_.store().current_rv()));
  EXPECT_EQ(GetString(pod, {"spec", "schedulerName"}), "default-scheduler");
  EXPECT_EQ(GetString(pod, {"spec", "serviceAccountName"}), "default");
  EXPECT_EQ(GetString(pod["spec"]["containers"][0], {"imagePullPolicy"}), "IfNotPresent");
  EXPECT_EQ(GetString(pod["spec"]["containers"][0]["ports"][0], {"protocol"}), "TCP");
  EXPECT_EQ(GetString(pod, {"status", "phase"}), "Pending");
  // The namespace came into being with the pod.
  EXPECT_EQ(cluster_.Get("/api/v1/namespaces/default").code, 200);
}

TEST_F(ApiWriteTest, CreateConflictsAndValidation) {
  ASSERT_EQ(Post("default", kPod).code, 201);
  ApiResponse dup = Post("default", kPod);
  EXPECT_EQ(dup.code, 409);
  EXPECT_EQ(dup.body,
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"pods "
            "\\\"web-0\\\" already exists\",\"reason\":\"AlreadyExists\",\"details\":{\"name\":\"web-0\",\"kind\":"
            "\"pods\"},\"code\":409}");
  EXPECT_EQ(Post("other", kPod).code, 201);  // same name, other namespace

  ApiResponse mismatch = Post("prod", R"({"metadata":{"name":"x","namespace":"dev"}})");
  EXPECT_EQ(mismatch.code, 400);
  EXPECT_THAT(mismatch.body,
              HasSubstr("the namespace of the provided object does not match the namespace sent on the request"));

  ApiResponse bad_name = Post("default", R"({"metadata":{"name":"Web_0"}})");
  EXPECT_EQ(bad_name.code, 422);
  rapidjson::Document status = Parse(bad_name.body);
  EXPECT_EQ(GetString(status, {"reason"}), "Invalid");
  EXPECT_EQ(GetString(status, {"message"}),
            "Pod \"Web_0\" is invalid: metadata.name: Invalid value: \"Web_0\": a lowercase RFC 1123 subdomain must "
            "consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric "
            "character (e.g. 'example.com', regex used for validation is "
            "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  EXPECT_EQ(GetString(status["details"]["causes"][0], {"field"}), "metadata.name");

  ApiResponse no_name = Post("default", R"({"metadata":{}})");
  EXPECT_EQ(no_name.code, 422);
  EXPECT_THAT(no_name.body, HasSubstr("metadata.name: Required value: name or generateName is required"));

  ApiResponse with_rv = Post("default", R"({"metadata":{"name":"x","resourceVersion":"5"}})");
  EXPECT_EQ(with_rv.code, 500);
  EXPECT_THAT(with_rv.body, HasSubstr("resourceVersion should not be set on objects to be created"));

  EXPECT_EQ(Post("default", "{not json").code, 400);
  EXPECT_EQ(Post("default", R"({"kind":"Service","metadata":{"name":"s"}})").code, 400);
}

TEST_F(ApiWriteTest, GenerateName) {
  ApiResponse r = Post("default", R"({"metadata":{"generateName":"job-"}})");
  ASSERT_EQ(r.code, 201);
  std::string name = GetString(Parse(r.body), {"metadata", "name"});
  EXPECT_EQ(name.size(), 9u);
  EXPECT_EQ(name.substr(0, 4), "job-");
}

TEST_F(ApiWriteTest, UpdateWithOptimisticConcurrency) {
  rapidjson::Document created = Parse(Post("default", kPod).body);
  std::string rv = GetString(created, {"metadata", "resourceVersion"});
  std::string uid = GetString(created, {"metadata", "uid"});
  std::string body = R"({"metadata":{"name":"web-0","resourceVersion":")" + rv +
                     R"(","labels":{"app":"web","v":"2"}},"spec":{"containers":[{"name":"app","image":"nginx:1.28"}]}})";
  ApiResponse ok = cluster_.Do("PUT", "/api/v1/namespaces/default/pods/web-0", body);
  ASSERT_EQ(ok.code, 200) << ok.body;
  rapidjson::Document updated = Parse(ok.body);
  EXPECT_NE(GetString(updated, {"metadata", "resourceVersion"}), rv);
  EXPECT_EQ(GetString(updated, {"metadata", "uid"}), uid);  // system fields survive
  EXPECT_EQ(GetString(updated, {"metadata", "creationTimestamp"}), "2023-11-14T22:13:20Z");
  EXPECT_EQ(GetString(updated, {"status", "phase"}), "Pending");  // kept when the body has none
  // The same body again carries a stale resourceVersion.
  ApiResponse stale = cluster_.Do("PUT", "/api/v1/namespaces/default/pods/web-0", body);
  EXPECT_EQ(stale.code, 409);
  EXPECT_EQ(GetString(Parse(stale.body), {"message"}),
            "Operation cannot be fulfilled on pods \"web-0\": the object has been modified; please apply your "
            "changes to the latest version and try again");
  ApiResponse renamed = cluster_.Do("PUT", "/api/v1/namespaces/default/pods/web-0", R"({"metadata":{"name":"x"}})");
  EXPECT_EQ(renamed.code, 400);
  EXPECT_THAT(renamed.body, HasSubstr("the name of the object (x) does not match the name on the URL (web-0)"));
  EXPECT_EQ(cluster_.Do("PUT", "/api/v1/namespaces/default/pods/nope", R"({"metadata":{"name":"nope"}})").code, 404);
}

TEST_F(ApiWriteTest, AnUnchangedUpdateKeepsTheVersion) {
  ObjectPtr created = cluster_.Create(std::string(kPod));
  uint64_t rv = cluster_.store().current_rv();
  ApiOr<ObjectPtr> same = cluster_.api().Update(PodsResource(), "default", "web-0", created->FullJson());
  ASSERT_TRUE(same.ok()) << same.error().StatusJson();
  EXPECT_EQ((*same)->resource_version, created->resource_version);
  EXPECT_EQ(cluster_.store().current_rv(), rv);
}

TEST_F(ApiWriteTest, MergePatch) {
  ASSERT_EQ(Post("default", kPod).code, 201);
  ApiResponse r = cluster_.Do("PATCH", "/api/v1/namespaces/default/pods/web-0",
                              R"({"metadata":{"labels":{"app":null,"tier":"front"}}})", "application/merge-patch+json");
  ASSERT_EQ(r.code, 200) << r.body;
  rapidjson::Document pod = Parse(r.body);
  EXPECT_FALSE(FindPath(pod, {"metadata", "labels"})->HasMember("app"));
  EXPECT_EQ(GetString(pod, {"metadata", "labels", "tier"}), "front");
  // Strategic merge patches are applied as merge patches.
  ApiResponse smp = cluster_.Do("PATCH", "/api/v1/namespaces/default/pods/web-0",
                                R"({"$retainKeys":["x"],"metadata":{"annotations":{"a":"b"}}})",
                                "application/strategic-merge-patch+json");
  EXPECT_EQ(smp.code, 200) << smp.body;
  ApiResponse json_patch = cluster_.Do("PATCH", "/api/v1/namespaces/default/pods/web-0", "[]",
                                       "application/json-patch+json");
  EXPECT_EQ(json_patch.code, 415);
  EXPECT_EQ(cluster_.Do("PATCH", "/api/v1/namespaces/default/pods/nope", "{}", "application/merge-patch+json").code,
            404);
}

TEST_F(ApiWriteTest, StatusSubresourceChangesOnlyStatus) {
  ASSERT_EQ(Post("default", kPod).code, 201);
  ApiResponse r = cluster_.Do("PATCH", "/api/v1/namespaces/default/pods/web-0/status",
                              R"({"metadata":{"labels":{"x":"y"}},"status":{"phase":"Running","podIP":"10.1.2.3"}})",
                              "application/merge-patch+json");
  ASSERT_EQ(r.code, 200) << r.body;
  rapidjson::Document pod = Parse(r.body);
  EXPECT_EQ(GetString(pod, {"status", "podIP"}), "10.1.2.3");
  EXPECT_EQ(GetString(pod, {"metadata", "labels", "x"}), "");  // only status changed
  ObjectPtr stored = cluster_.store().Get(PodsResource(), "default/web-0");
  EXPECT_EQ(stored->fields.at("status.podIP"), "10.1.2.3");
}

TEST_F(ApiWriteTest, Delete) {
  rapidjson::Document created = Parse(Post("default", kPod).body);
  ApiResponse precondition =
      cluster_.Do("DELETE", "/api/v1/namespaces/default/pods/web-0", R"({"preconditions":{"uid":"other"}})");
  EXPECT_EQ(precondition.code, 409);
  EXPECT_THAT(precondition.body, HasSubstr("Precondition failed: UID in precondition: other"));
  ApiResponse r = cluster_.Do("DELETE", "/api/v1/namespaces/default/pods/web-0",
                              R"({"propagationPolicy":"Background"})");
  ASSERT_EQ(r.code, 200) << r.body;
  rapidjson::Document gone = Parse(r.body);
  EXPECT_EQ(GetString(gone, {"metadata", "uid"}), GetString(created, {"metadata", "uid"}));
  EXPECT_EQ(GetString(gone, {"metadata", "resourceVersion"}), std::to_string(cluster_.store().current_rv()));
  EXPECT_EQ(cluster_.Do("DELETE", "/api/v1/namespaces/default/pods/web-0").code, 404);
}

TEST_F(ApiWriteTest, DeletingANamespaceDeletesItsPods) {
  ASSERT_EQ(Post("team", kPod).code, 201);
  ASSERT_EQ(cluster_.Do("DELETE", "/api/v1/namespaces/team").code, 200);
  EXPECT_EQ(cluster_.store().Get(PodsResource(), "team/web-0"), nullptr);
  EXPECT_EQ(cluster_.Get("/api/v1/namespaces/team").code, 404);
}

TEST_F(ApiWriteTest, VerbsThatDoNotExist) {
  EXPECT_EQ(cluster_.Do("POST", "/api/v1/pods", std::string(kPod)).code, 405);
  EXPECT_EQ(cluster_.Do("DELETE", "/api/v1/namespaces/default/pods").code, 405);
  EXPECT_EQ(cluster_.Do("PUT", "/api/v1/watch/pods").code, 405);
}

TEST_F(ApiWriteTest, NodesAreClusterScoped) {
  ApiResponse r = cluster_.Do("POST", "/api/v1/nodes", R"({"metadata":{"name":"node-1","namespace":"x"}})");
  ASSERT_EQ(r.code, 201) << r.body;
  EXPECT_EQ(GetString(Parse(r.body), {"metadata", "namespace"}), "");
  EXPECT_EQ(cluster_.Get("/api/v1/nodes/node-1").code, 200);
  EXPECT_EQ(cluster_.Get("/api/v1/nodes?fieldSelector=spec.unschedulable%3Dfalse").code, 200);
}

}  // namespace
}  // namespace kubescrape::fake_apiserver
