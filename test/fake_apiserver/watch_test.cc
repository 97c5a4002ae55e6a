// Watch streams without sockets: starting points, selector transitions,
// bookmarks, expiry.
#include "test/fake_apiserver/watch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test/fake_apiserver/test_util.h"

namespace kubescrape::fake_apiserver {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// "TYPE ns/name rv" per line of a watch's output.
std::vector<std::string> Events(std::string_view lines) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < lines.size()) {
    size_t nl = lines.find('\n', start);
    EXPECT_NE(nl, std::string_view::npos) << "a line without a newline";
    if (nl == std::string_view::npos) break;
    rapidjson::Document e = Parse(lines.substr(start, nl - start));
    std::string type = GetString(e, {"type"});
    const rapidjson::Value& obj = e["object"];
    std::string ns = GetString(obj, {"metadata", "namespace"});
    std::string name = GetString(obj, {"metadata", "name"});
    std::string key = ns.empty() ? name : ns + "/" + name;
    if (type == "ERROR") key = GetString(obj, {"reason"});
    out.push_back(type + " " + key + " " + GetString(obj, {"metadata", "resourceVersion"}));
    start = nl + 1;
  }
  return out;
}

class WatchTest : public ::testing::Test {
 protected:
  ObjectPtr Create(std::string ns, std::string name, std::string app = "web") {
    return cluster_.Create(PodBuilder(std::move(ns), std::move(name)).Label("app", std::move(app)));
  }
  void Patch(std::string_view name, std::string_view patch) {
    ApiOr<ObjectPtr> r = cluster_.api().Patch(PodsResource(), "default", name, "application/merge-patch+json", patch);
    ASSERT_TRUE(r.ok()) << r.error().StatusJson();
  }
  void Delete(std::string_view name) { ASSERT_TRUE(cluster_.api().Delete(PodsResource(), "default", name).ok()); }
  std::string Rv() { return std::to_string(cluster_.store().current_rv()); }

  Cluster cluster_;
};

TEST_F(WatchTest, FromAResourceVersion) {
  Create("default", "a");                 // 1 (namespace default), 2
  std::string start = Rv();
  std::unique_ptr<Watch> w = cluster_.StartWatch("/api/v1/namespaces/default/pods?watch=1&resourceVersion=" + start);
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->Poll(cluster_.store()), "");
  Create("default", "b");                 // 3
  Patch("a", R"({"metadata":{"labels":{"x":"y"}}})");  // 4
  Delete("b");                            // 5
  EXPECT_THAT(Events(w->Poll(cluster_.store())),
              ElementsAre("ADDED default/b 3", "MODIFIED default/a 4", "DELETED default/b 5"));
  EXPECT_EQ(w->Poll(cluster_.store()), "");
  EXPECT_EQ(w->resource_version(), 5u);
}

TEST_F(WatchTest, EventObjectsAreFullObjects) {
  std::unique_ptr<Watch> w = cluster_.StartWatch("/api/v1/pods?watch=true&resourceVersion=" + Rv());
  Create("default", "a");
  std::string line = w->Poll(cluster_.store());
  EXPECT_EQ(line.rfind("{\"type\":\"ADDED\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":", 0), 0u)
      << line;
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
}

TEST_F(WatchTest, EmptyOrZeroVersionStartsWithTheCurrentState) {
  Create("default", "a");
  Create("kube-system", "b");
  for (std::string rv : {"", "0"}) {
    std::unique_ptr<Watch> w = cluster_.StartWatch("/api/v1/pods?watch=1&resourceVersion=" + rv);
    ASSERT_NE(w, nullptr);
    EXPECT_THAT(Events(w->Poll(cluster_.store())), ElementsAre("ADDED default/a 2", "ADDED kube-system/b 4")) << rv;
  }
  // sendInitialEvents=false: only what happens from now on.
  std::unique_ptr<Watch> w = cluster_.StartWatch("/api/v1/pods?watch=1&sendInitialEvents=false&resourceVersionMatch="
                                                 "NotOlderThan");
  EXPECT_EQ(w->Poll(cluster_.store()), "");
}

TEST_F(WatchTest, SendInitialEventsEndsWithAnAnnotatedBookmark) {
  Create("default", "a");
  std::unique_ptr<Watch> w = cluster_.StartWatch(
      "/api/v1/pods?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true");
  ASSERT_NE(w, nullptr);
  std::string out = w->Poll(cluster_.store());
  EXPECT_THAT(Events(out), ElementsAre("ADDED default/a 2", "BOOKMARK  2"));
  EXPECT_THAT(out, HasSubstr("\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}"));
  ApiResponse bad = cluster_.Get("/api/v1/pods?watch=1&sendInitialEvents=true");
  EXPECT_EQ(bad.code, 422);
  EXPECT_THAT(bad.body, HasSubstr("sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"));
}

TEST_F(WatchTest, LabelSelectorTransitions) {
  Create("default", "a", "web");
  std::unique_ptr<Watch> w =
      cluster_.StartWatch("/api/v1/namespaces/default/pods?watch=1&labelSelector=app%3Dweb&resourceVersion=" + Rv());
  Patch("a", R"({"metadata":{"labels":{"app":"db"}}})");    // stops matching: DELETED
  Patch("a", R"({"metadata":{"labels":{"tier":"x"}}})");    // still not matching: nothing
  Patch("a", R"({"metadata":{"labels":{"app":"web"}}})");   // matches again: ADDED
  Create("default", "b", "db");                              // never matches
  Delete("a");
  std::string out = w->Poll(cluster_.store());
  EXPECT_THAT(Events(out), ElementsAre("DELETED default/a 3", "ADDED default/a 5", "DELETED default/a 7"));
  // The DELETED of a transition shows the last matching content at the new version.
  rapidjson::Document first = Parse(out.substr(0, out.find('\n')));
  EXPECT_EQ(GetString(first, {"object", "metadata", "labels", "app"}), "web");
}

TEST_F(WatchTest, FieldSelectorTransitions) {
  Create("default", "a");
  std::unique_ptr<Watch> w =
      cluster_.StartWatch("/api/v1/pods?watch=1&fieldSelector=spec.nodeName%3Dnode-1&resourceVersion=" + Rv());
  Patch("a", R"({"spec":{"nodeName":"node-1"}})");
  Patch("a", R"({"status":{"phase":"Running"}})");
  Patch("a", R"({"spec":{"nodeName":"node-2"}})");
  EXPECT_THAT(Events(w->Poll(cluster_.store())),
              ElementsAre("ADDED default/a 3", "MODIFIED default/a 4", "DELETED default/a 5"));
}

TEST_F(WatchTest, OneNamespaceAndOneObject) {
  Create("default", "a");
  Create("other", "a");
  std::unique_ptr<Watch> ns = cluster_.StartWatch("/api/v1/namespaces/other/pods?watch=1");
  std::unique_ptr<Watch> one = cluster_.StartWatch("/api/v1/watch/namespaces/default/pods/a");
  EXPECT_THAT(Events(ns->Poll(cluster_.store())), ElementsAre("ADDED other/a 4"));
  EXPECT_THAT(Events(one->Poll(cluster_.store())), ElementsAre("ADDED default/a 2"));
  Create("default", "b");
  Patch("a", R"({"metadata":{"labels":{"x":"y"}}})");
  EXPECT_EQ(ns->Poll(cluster_.store()), "");
  EXPECT_THAT(Events(one->Poll(cluster_.store())), ElementsAre("MODIFIED default/a 6"));
}

TEST_F(WatchTest, TooOldIsAnErrorEvent) {
  Create("default", "a");
  Create("default", "b");
  cluster_.store().Compact();
  std::unique_ptr<Watch> w = cluster_.StartWatch("/api/v1/pods?watch=1&resourceVersion=2");
  std::string out = w->Poll(cluster_.store());
  EXPECT_EQ(out,
            "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":"
            "\"Failure\",\"message\":\"too old resource version: 2 (3)\",\"reason\":\"Expired\",\"code\":410}}\n");
  EXPECT_TRUE(w->done());
  EXPECT_EQ(w->Poll(cluster_.store()), "");
  // From the compaction point on, watching works.
  std::unique_ptr<Watch> ok = cluster_.StartWatch("/api/v1/pods?watch=1&resourceVersion=3");
  EXPECT_EQ(ok->Poll(cluster_.store()), "");
  EXPECT_FALSE(ok->done());
}

TEST(WatchHistoryTest, ASlowWatcherOvertakenByTheHistoryGets410) {
  Cluster cluster({}, /*history_limit=*/3);
  cluster.Create(PodBuilder("default", "a"));
  std::unique_ptr<Watch> w = cluster.StartWatch("/api/v1/pods?watch=1&resourceVersion=2");
  for (std::string name : {"b", "c", "d", "e"}) cluster.Create(PodBuilder("default", name));
  EXPECT_THAT(Events(w->Poll(cluster.store())), ElementsAre("ERROR Expired "));
  EXPECT_TRUE(w->done());
}

TEST_F(WatchTest, Bookmarks) {
  Create("default", "a");
  std::unique_ptr<Watch> w =
      cluster_.StartWatch("/api/v1/namespaces/default/pods?watch=1&allowWatchBookmarks=true&resourceVersion=" + Rv());
  // Writes elsewhere advance the bookmark's version too.
  ASSERT_TRUE(cluster_.api().Create(NodesResource(), "", R"({"metadata":{"name":"n1"}})").ok());
  std::string line = w->Bookmark(cluster_.store());
  EXPECT_EQ(line,
            "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{"
            "\"resourceVersion\":\"3\",\"creationTimestamp\":null},\"spec\":{\"containers\":null},\"status\":{}}}\n");
  // Pending events come before the bookmark, which is never behind them.
  Create("default", "b");
  EXPECT_THAT(Events(w->Bookmark(cluster_.store())), ElementsAre("ADDED default/b 4", "BOOKMARK  4"));
  EXPECT_EQ(w->Poll(cluster_.store()), "");
}

TEST_F(WatchTest, NoBookmarksUnlessAllowed) {
  std::unique_ptr<Watch> w = cluster_.StartWatch("/api/v1/pods?watch=1&resourceVersion=" + Rv());
  Create("default", "a");
  EXPECT_THAT(Events(w->Bookmark(cluster_.store())), ElementsAre("ADDED default/a 2"));
}

TEST_F(WatchTest, TableEvents) {
  std::unique_ptr<Watch> w = cluster_.StartWatch("/api/v1/pods?watch=1&resourceVersion=" + Rv(),
                                                 "application/json;as=Table;v=v1;g=meta.k8s.io");
  ASSERT_NE(w, nullptr);
  Create("default", "a");
  Create("default", "b");
  std::string out = w->Poll(cluster_.store());
  size_t nl = out.find('\n');
  rapidjson::Document first = Parse(out.substr(0, nl));
  rapidjson::Document second = Parse(out.substr(nl + 1, out.size() - nl - 2));
  EXPECT_EQ(GetString(first, {"type"}), "ADDED");
  EXPECT_EQ(GetString(first, {"object", "kind"}), "Table");
  EXPECT_EQ(first["object"]["rows"][0]["cells"][0].GetString(), std::string("a"));
  EXPECT_TRUE(first["object"]["columnDefinitions"].IsArray());
  EXPECT_TRUE(second["object"]["columnDefinitions"].IsNull());  // headers once
}

TEST_F(WatchTest, TimeoutIsPassedToTheShell) {
  ApiRequest r;
  r.method = "GET";
  r.target = "/api/v1/pods?watch=1&timeoutSeconds=7";
  HandleResult result = cluster_.api().Handle(r);
  ASSERT_TRUE(std::holds_alternative<WatchStart>(result));
  EXPECT_EQ(std::get<WatchStart>(result).timeout, std::chrono::seconds(7));
  r.target = "/api/v1/pods?watch=1";
  std::chrono::seconds dflt = std::get<WatchStart>(cluster_.api().Handle(r)).timeout;
  EXPECT_GE(dflt.count(), 1800);
  EXPECT_LT(dflt.count(), 3600);
}

}  // namespace
}  // namespace kubescrape::fake_apiserver
