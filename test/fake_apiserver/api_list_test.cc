// Api reads: list shapes, resourceVersion semantics, limit/continue
// pagination and expiry, selectors, Status errors, authentication,
// discovery and Table output.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test/fake_apiserver/test_util.h"

namespace kubescrape::fake_apiserver {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ApiListTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_.api().Bootstrap();  // namespaces take versions 1-4
    for (const char* name : {"a", "b", "c", "d", "e"}) {
      cluster_.Create(PodBuilder("default", name).Label("app", name[0] < 'c' ? "web" : "db"));
    }
    cluster_.Create(PodBuilder("kube-system", "dns").Label("app", "dns").Node("node-1").Running("10.0.0.9"));
  }

  rapidjson::Document List(std::string target) {
    ApiResponse r = cluster_.Get(std::move(target));
    EXPECT_EQ(r.code, 200) << r.body;
    return Parse(r.body);
  }

  Cluster cluster_;
};

TEST_F(ApiListTest, PodListShape) {
  ApiResponse r = cluster_.Get("/api/v1/namespaces/default/pods");
  ASSERT_EQ(r.code, 200);
  EXPECT_EQ(r.content_type, "application/json");
  rapidjson::Document list = Parse(r.body);
  EXPECT_EQ(GetString(list, {"kind"}), "PodList");
  EXPECT_EQ(GetString(list, {"apiVersion"}), "v1");
  EXPECT_EQ(GetString(list, {"metadata", "resourceVersion"}), std::to_string(cluster_.store().current_rv()));
  EXPECT_THAT(ItemKeys(list), ElementsAre("default/a", "default/b", "default/c", "default/d", "default/e"));
  const rapidjson::Value& item = list["items"][0];
  EXPECT_FALSE(item.HasMember("kind"));  // list items carry no kind/apiVersion
  EXPECT_EQ(GetString(item, {"metadata", "resourceVersion"}), "5");
  EXPECT_EQ(GetString(item, {"metadata", "creationTimestamp"}), "2023-11-14T22:13:20Z");
  EXPECT_EQ(GetString(item, {"metadata", "uid"}).size(), 36u);
  EXPECT_EQ(GetString(item, {"status", "phase"}), "Pending");  // defaulted
  EXPECT_EQ(GetString(item, {"spec", "restartPolicy"}), "Always");
  EXPECT_FALSE(list["metadata"].HasMember("continue"));
}

TEST_F(ApiListTest, AllNamespacesAndEmptyNamespaces) {
  EXPECT_EQ(ItemKeys(List("/api/v1/pods")).size(), 6u);
  rapidjson::Document none = List("/api/v1/namespaces/nowhere/pods");
  EXPECT_TRUE(none["items"].IsArray());
  EXPECT_EQ(none["items"].Size(), 0u);
  EXPECT_THAT(ItemKeys(List("/api/v1/namespaces")),
              ElementsAre("default", "kube-node-lease", "kube-public", "kube-system"));
}

TEST_F(ApiListTest, GetOneObject) {
  ApiResponse r = cluster_.Get("/api/v1/namespaces/kube-system/pods/dns");
  ASSERT_EQ(r.code, 200);
  rapidjson::Document pod = Parse(r.body);
  EXPECT_EQ(GetString(pod, {"kind"}), "Pod");
  EXPECT_EQ(GetString(pod, {"status", "podIP"}), "10.0.0.9");
}

TEST_F(ApiListTest, NotFoundIsAStatus) {
  ApiResponse r = cluster_.Get("/api/v1/namespaces/default/pods/nope");
  EXPECT_EQ(r.code, 404);
  EXPECT_EQ(r.body,
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"pods "
            "\\\"nope\\\" not found\",\"reason\":\"NotFound\",\"details\":{\"name\":\"nope\",\"kind\":\"pods\"},"
            "\"code\":404}");
  ApiResponse unknown = cluster_.Get("/api/v1/services");
  EXPECT_EQ(unknown.code, 404);
  EXPECT_THAT(unknown.body, HasSubstr("the server could not find the requested resource"));
}

TEST_F(ApiListTest, PaginationIsAConsistentSnapshot) {
  rapidjson::Document p1 = List("/api/v1/namespaces/default/pods?limit=2");
  EXPECT_THAT(ItemKeys(p1), ElementsAre("default/a", "default/b"));
  std::string rv = GetString(p1, {"metadata", "resourceVersion"});
  std::string token = GetString(p1, {"metadata", "continue"});
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(p1["metadata"]["remainingItemCount"].GetInt(), 3);
  // Writes between pages do not show in later pages.
  cluster_.Create(PodBuilder("default", "bb"));
  ASSERT_TRUE(cluster_.api().Delete(PodsResource(), "default", "d").ok());
  rapidjson::Document p2 = List("/api/v1/namespaces/default/pods?limit=2&continue=" + token);
  EXPECT_THAT(ItemKeys(p2), ElementsAre("default/c", "default/d"));
  EXPECT_EQ(GetString(p2, {"metadata", "resourceVersion"}), rv);
  EXPECT_EQ(p2["metadata"]["remainingItemCount"].GetInt(), 1);
  rapidjson::Document p3 = List("/api/v1/namespaces/default/pods?limit=2&continue=" +
                                GetString(p2, {"metadata", "continue"}));
  EXPECT_THAT(ItemKeys(p3), ElementsAre("default/e"));
  EXPECT_FALSE(p3["metadata"].HasMember("continue"));
  EXPECT_FALSE(p3["metadata"].HasMember("remainingItemCount"));
}

TEST_F(ApiListTest, ContinueTokenFormat) {
  rapidjson::Document p1 = List("/api/v1/pods?limit=1");
  ApiOr<ContinueToken> token = DecodeContinue(GetString(p1, {"metadata", "continue"}));
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->resource_version, static_cast<int64_t>(cluster_.store().current_rv()));
  EXPECT_EQ(token->start, std::string("default/a\0", 10));
  EXPECT_EQ(EncodeContinue(ContinueToken{5, std::string("a\0", 2)}),
            "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NSwic3RhcnQiOiJhXHUwMDAwIn0");
}

TEST_F(ApiListTest, ExpiredContinueIs410WithAnInconsistentToken) {
  rapidjson::Document p1 = List("/api/v1/namespaces/default/pods?limit=2");
  cluster_.Create(PodBuilder("default", "z"));
  cluster_.store().Compact();
  ApiResponse r = cluster_.Get("/api/v1/namespaces/default/pods?limit=2&continue=" +
                               GetString(p1, {"metadata", "continue"}));
  EXPECT_EQ(r.code, 410);
  rapidjson::Document status = Parse(r.body);
  EXPECT_EQ(GetString(status, {"reason"}), "Expired");
  EXPECT_EQ(GetString(status, {"message"}),
            "The provided continue parameter is too old to display a consistent list result. You can start a new "
            "list without the continue parameter, or use the continue token in this response to retrieve the "
            "remainder of the results. Continuing with the provided token results in an inconsistent list - objects "
            "that were created, modified, or deleted between the time the first chunk was returned and now may show "
            "up in the list.");
  // Its token continues at the newest version, after the same key.
  std::string inconsistent = GetString(status, {"metadata", "continue"});
  ASSERT_FALSE(inconsistent.empty());
  EXPECT_EQ(DecodeContinue(inconsistent)->resource_version, -1);
  rapidjson::Document rest = List("/api/v1/namespaces/default/pods?continue=" + inconsistent);
  EXPECT_THAT(ItemKeys(rest), ElementsAre("default/c", "default/d", "default/e", "default/z"));
  EXPECT_EQ(GetString(rest, {"metadata", "resourceVersion"}), std::to_string(cluster_.store().current_rv()));
}

TEST_F(ApiListTest, BadContinueTokens) {
  ApiResponse garbage = cluster_.Get("/api/v1/pods?continue=abc");
  EXPECT_EQ(garbage.code, 400);
  EXPECT_THAT(garbage.body, HasSubstr("invalid continue token: continue key is not valid"));
  std::string token = GetString(List("/api/v1/pods?limit=1"), {"metadata", "continue"});
  ApiResponse with_rv = cluster_.Get("/api/v1/pods?limit=1&resourceVersion=3&continue=" + token);
  EXPECT_EQ(with_rv.code, 400);
  EXPECT_THAT(with_rv.body, HasSubstr("specifying resource version is not allowed when using continue"));
}

TEST_F(ApiListTest, ResourceVersionZeroIgnoresLimit) {
  // Served from the watch cache, which does not paginate.
  rapidjson::Document list = List("/api/v1/pods?resourceVersion=0&limit=2");
  EXPECT_EQ(ItemKeys(list).size(), 6u);
  EXPECT_FALSE(list["metadata"].HasMember("continue"));
}

TEST_F(ApiListTest, ResourceVersionMatch) {
  uint64_t before = cluster_.store().current_rv();
  ASSERT_TRUE(cluster_.api().Delete(PodsResource(), "default", "a").ok());
  std::string at = std::to_string(before);
  // Exact: the state at that version; NotOlderThan: the newest.
  EXPECT_EQ(ItemKeys(List("/api/v1/namespaces/default/pods?resourceVersionMatch=Exact&resourceVersion=" + at)).size(),
            5u);
  EXPECT_EQ(ItemKeys(List("/api/v1/namespaces/default/pods?resourceVersionMatch=NotOlderThan&resourceVersion=" + at))
                .size(),
            4u);
  EXPECT_EQ(ItemKeys(List("/api/v1/namespaces/default/pods?resourceVersion=" + at)).size(), 4u);
  // A resourceVersion with a limit and no match means Exact (legacy).
  EXPECT_EQ(ItemKeys(List("/api/v1/namespaces/default/pods?limit=10&resourceVersion=" + at)).size(), 5u);
  cluster_.store().Compact();
  ApiResponse old = cluster_.Get("/api/v1/pods?resourceVersionMatch=Exact&resourceVersion=" + at);
  EXPECT_EQ(old.code, 410);
  EXPECT_THAT(old.body, HasSubstr("The resourceVersion for the provided list is too old."));
  ApiResponse future = cluster_.Get("/api/v1/pods?resourceVersion=1000");
  EXPECT_EQ(future.code, 504);
  EXPECT_THAT(future.body, HasSubstr("Too large resource version: 1000, current: "));
  EXPECT_THAT(future.body, HasSubstr("\"reason\":\"Timeout\""));
}

TEST_F(ApiListTest, ListOptionsValidation) {
  ApiResponse r = cluster_.Get("/api/v1/pods?resourceVersionMatch=Exact");
  EXPECT_EQ(r.code, 422);
  EXPECT_THAT(r.body, HasSubstr("ListOptions.meta.k8s.io \\\"\\\" is invalid: resourceVersionMatch: Forbidden: "
                                "resourceVersionMatch is forbidden unless resourceVersion is provided"));
  EXPECT_EQ(cluster_.Get("/api/v1/pods?resourceVersionMatch=Exact&resourceVersion=0").code, 422);
  EXPECT_EQ(cluster_.Get("/api/v1/pods?limit=x").code, 400);
  ApiResponse bad_rv = cluster_.Get("/api/v1/pods?resourceVersion=abc");
  EXPECT_EQ(bad_rv.code, 400);
  EXPECT_THAT(bad_rv.body, HasSubstr("resourceVersion: Invalid value: \\\"abc\\\""));
}

TEST_F(ApiListTest, LabelSelectors) {
  EXPECT_THAT(ItemKeys(List("/api/v1/pods?labelSelector=app%3Dweb")), ElementsAre("default/a", "default/b"));
  EXPECT_THAT(ItemKeys(List("/api/v1/pods?labelSelector=app+in+(dns,web),app!=web")), ElementsAre("kube-system/dns"));
  EXPECT_EQ(ItemKeys(List("/api/v1/pods?labelSelector=!app")).size(), 0u);
  ApiResponse bad = cluster_.Get("/api/v1/pods?labelSelector=app+web");
  EXPECT_EQ(bad.code, 400);
  EXPECT_THAT(bad.body, HasSubstr("\"message\":\"unable to parse requirement: found 'web', expected: in, notin, =, "
                                  "==, !=, gt, lt\",\"reason\":\"BadRequest\""));
}

TEST_F(ApiListTest, FieldSelectors) {
  EXPECT_THAT(ItemKeys(List("/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1")), ElementsAre("kube-system/dns"));
  EXPECT_THAT(ItemKeys(List("/api/v1/pods?fieldSelector=status.phase%3DRunning,status.podIP%3D10.0.0.9")),
              ElementsAre("kube-system/dns"));
  EXPECT_EQ(ItemKeys(List("/api/v1/pods?fieldSelector=spec.nodeName%3D")).size(), 5u);
  EXPECT_THAT(ItemKeys(List("/api/v1/pods?fieldSelector=metadata.namespace!%3Ddefault")),
              ElementsAre("kube-system/dns"));
  EXPECT_THAT(ItemKeys(List("/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dc")),
              ElementsAre("default/c"));
  ApiResponse bad = cluster_.Get("/api/v1/pods?fieldSelector=spec.foo%3Dx");
  EXPECT_EQ(bad.code, 400);
  EXPECT_EQ(bad.body,
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"field "
            "label not supported: spec.foo\",\"reason\":\"BadRequest\",\"code\":400}");
}

TEST_F(ApiListTest, PaginationWithASelectorHasNoRemainingCount) {
  rapidjson::Document p1 = List("/api/v1/namespaces/default/pods?limit=1&labelSelector=app%3Ddb");
  EXPECT_THAT(ItemKeys(p1), ElementsAre("default/c"));
  EXPECT_FALSE(p1["metadata"].HasMember("remainingItemCount"));
  rapidjson::Document p2 = List("/api/v1/namespaces/default/pods?limit=5&labelSelector=app%3Ddb&continue=" +
                                GetString(p1, {"metadata", "continue"}));
  EXPECT_THAT(ItemKeys(p2), ElementsAre("default/d", "default/e"));
}

TEST(ApiAuthTest, BearerToken) {
  Api::Options options;
  options.token = "s3cret";
  Cluster cluster(options);
  ApiResponse missing = cluster.Get("/api/v1/pods");
  EXPECT_EQ(missing.code, 401);
  EXPECT_EQ(missing.body,
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
            "\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}");
  EXPECT_EQ(cluster.Do("GET", "/api/v1/pods", "", "", "", "Bearer wrong").code, 401);
  EXPECT_EQ(cluster.Do("GET", "/api/v1/pods", "", "", "", "Bearer s3cret").code, 200);
  // Anonymous clients may read the public endpoints; a wrong token may not.
  EXPECT_EQ(cluster.Get("/version").code, 200);
  EXPECT_EQ(cluster.Get("/healthz").code, 200);
  EXPECT_EQ(cluster.Do("GET", "/healthz", "", "", "", "Bearer wrong").code, 401);
  EXPECT_EQ(cluster.Get("/fake/compact").code, 401);
}

TEST(ApiDiscoveryTest, Endpoints) {
  Cluster cluster;
  rapidjson::Document version = Parse(cluster.Get("/version").body);
  EXPECT_EQ(GetString(version, {"gitVersion"}), "v1.32.0");
  EXPECT_EQ(GetString(version, {"minor"}), "32");
  rapidjson::Document api = Parse(cluster.Get("/api").body);
  EXPECT_EQ(GetString(api, {"kind"}), "APIVersions");
  EXPECT_EQ(api["versions"][0].GetString(), std::string("v1"));
  EXPECT_EQ(cluster.Get("/apis").body, "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[]}");
  rapidjson::Document v1 = Parse(cluster.Get("/api/v1").body);
  EXPECT_EQ(GetString(v1, {"kind"}), "APIResourceList");
  bool pods = false;
  for (const rapidjson::Value& r : v1["resources"].GetArray()) {
    if (GetString(r, {"name"}) == "pods") {
      pods = true;
      EXPECT_TRUE(r["namespaced"].GetBool());
      EXPECT_EQ(GetString(r, {"kind"}), "Pod");
      EXPECT_EQ(r["shortNames"][0].GetString(), std::string("po"));
    }
  }
  EXPECT_TRUE(pods);
  for (const char* p : {"/healthz", "/livez", "/readyz", "/readyz/ping"}) {
    ApiResponse r = cluster.Get(p);
    EXPECT_EQ(r.code, 200) << p;
    EXPECT_EQ(r.body, "ok") << p;
  }
  EXPECT_THAT(cluster.Get("/livez?verbose").body, HasSubstr("livez check passed"));
  EXPECT_EQ(cluster.Do("POST", "/api/v1").code, 405);
  EXPECT_EQ(cluster.Get("/metrics").code, 404);
}

TEST_F(ApiListTest, ContentNegotiation) {
  ApiResponse proto = cluster_.Do("GET", "/api/v1/pods", "", "", "application/vnd.kubernetes.protobuf");
  EXPECT_EQ(proto.code, 406);
  EXPECT_THAT(proto.body, HasSubstr("\"reason\":\"NotAcceptable\""));
  EXPECT_EQ(cluster_.Do("GET", "/api/v1/pods", "", "", "application/vnd.kubernetes.protobuf, application/json").code,
            200);
  EXPECT_EQ(cluster_.Do("GET", "/api/v1/pods", "", "", "*/*").code, 200);
}

TEST_F(ApiListTest, TablesForKubectlGet) {
  cluster_.clock().AdvanceMillis(150'000);
  ApiResponse r = cluster_.Do("GET", "/api/v1/namespaces/kube-system/pods", "", "",
                              "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g="
                              "meta.k8s.io,application/json");
  ASSERT_EQ(r.code, 200);
  EXPECT_EQ(r.content_type, "application/json;as=Table;v=v1;g=meta.k8s.io");
  rapidjson::Document table = Parse(r.body);
  EXPECT_EQ(GetString(table, {"kind"}), "Table");
  EXPECT_EQ(GetString(table, {"apiVersion"}), "meta.k8s.io/v1");
  std::vector<std::string> columns;
  for (const rapidjson::Value& c : table["columnDefinitions"].GetArray()) columns.push_back(GetString(c, {"name"}));
  EXPECT_THAT(columns, ElementsAre("Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node",
                                   "Readiness Gates"));
  ASSERT_EQ(table["rows"].Size(), 1u);
  std::vector<std::string> cells;
  for (const rapidjson::Value& c : table["rows"][0]["cells"].GetArray()) cells.push_back(c.GetString());
  EXPECT_THAT(cells, ElementsAre("dns", "1/1", "Running", "0", "2m30s", "10.0.0.9", "node-1", "<none>", "<none>"));
  EXPECT_EQ(GetString(table["rows"][0], {"object", "kind"}), "PartialObjectMetadata");
  EXPECT_EQ(GetString(table["rows"][0], {"object", "metadata", "namespace"}), "kube-system");
}

TEST(HumanDurationTest, KubectlAges) {
  EXPECT_EQ(HumanDuration(5), "5s");
  EXPECT_EQ(HumanDuration(119), "119s");
  EXPECT_EQ(HumanDuration(150), "2m30s");
  EXPECT_EQ(HumanDuration(600), "10m");
  EXPECT_EQ(HumanDuration(3 * 3600 + 60), "3h1m");
  EXPECT_EQ(HumanDuration(10 * 3600), "10h");
  EXPECT_EQ(HumanDuration(3 * 86400 + 3600), "3d1h");
  EXPECT_EQ(HumanDuration(100 * 86400), "100d");
  EXPECT_EQ(HumanDuration(-5), "<invalid>");
}

}  // namespace
}  // namespace kubescrape::fake_apiserver
