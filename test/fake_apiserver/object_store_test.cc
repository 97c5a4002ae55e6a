// ObjectStore: one global resourceVersion, history, reads in the past,
// compaction and the horizon.
#include "test/fake_apiserver/object_store.h"

#include <gtest/gtest.h>

#include "test/fake_apiserver/json.h"

namespace kubescrape::fake_apiserver {
namespace {

rapidjson::Document Obj(std::string_view ns, std::string_view name, std::string_view app = "web") {
  util::StatusOr<rapidjson::Document> doc = ParseJson(
      "{\"metadata\":{\"name\":\"" + std::string(name) + "\",\"namespace\":\"" + std::string(ns) +
      "\",\"labels\":{\"app\":\"" + std::string(app) + "\"}},\"spec\":{\"nodeName\":\"n1\"}}");
  return std::move(*doc);
}

ObjectStore::MutateFn SetApp(std::string app) {
  return [app](const StoredObject& cur) -> util::StatusOr<rapidjson::Document> {
    rapidjson::Document d = cur.ToDocument();
    SetMember(*FindPath(d, {"metadata", "labels"}), "app", JsonString(app, d.GetAllocator()), d.GetAllocator());
    return d;
  };
}

std::vector<std::string> Keys(const ObjectStore::Snapshot& s) {
  std::vector<std::string> out;
  for (const ObjectPtr& o : s.items) out.push_back(o->key + "@" + std::to_string(o->resource_version));
  return out;
}

class ObjectStoreTest : public ::testing::Test {
 protected:
  const ResourceType& pods_ = PodsResource();
  const ResourceType& nodes_ = NodesResource();
  ObjectStore store_{ObjectStore::Options{}};
};

TEST_F(ObjectStoreTest, OneVersionCounterForAllTypes) {
  ObjectPtr a = *store_.Create(pods_, Obj("default", "a"));
  ObjectPtr n = *store_.Create(nodes_, Obj("", "node-1"));
  ObjectPtr b = *store_.Create(pods_, Obj("default", "b"));
  EXPECT_EQ(a->resource_version, 1u);
  EXPECT_EQ(n->resource_version, 2u);
  EXPECT_EQ(b->resource_version, 3u);
  EXPECT_EQ(store_.current_rv(), 3u);
  EXPECT_EQ(n->key, "node-1");  // cluster-scoped: no namespace in the key
  EXPECT_EQ(a->key, "default/a");
  EXPECT_NE(a->item_json.find("\"resourceVersion\":\"1\""), std::string::npos);
  EXPECT_EQ(a->fields.at("spec.nodeName"), "n1");
  EXPECT_EQ(a->labels.at("app"), "web");
}

TEST_F(ObjectStoreTest, StoredJsonHasTheApiServersMemberOrder) {
  ObjectPtr a = *store_.Create(pods_, Obj("default", "a"));
  EXPECT_EQ(a->FullJson().rfind("{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"a\",\"namespace\":"
                                "\"default\",\"resourceVersion\":\"1\"",
                                0),
            0u)
      << a->FullJson();
  EXPECT_EQ(a->item_json.find("\"kind\""), std::string::npos);  // list items carry no kind
}

TEST_F(ObjectStoreTest, CreateTwiceIsAlreadyExists) {
  ASSERT_TRUE(store_.Create(pods_, Obj("default", "a")).ok());
  EXPECT_EQ(store_.Create(pods_, Obj("default", "a")).status().code(), util::StatusCode::kAlreadyExists);
  EXPECT_TRUE(store_.Create(pods_, Obj("other", "a")).ok());  // another namespace
}

TEST_F(ObjectStoreTest, MutateBumpsTheVersionOnlyOnChange) {
  ASSERT_TRUE(store_.Create(pods_, Obj("default", "a")).ok());
  ObjectPtr same = *store_.Mutate(pods_, "default/a", SetApp("web"));
  EXPECT_EQ(same->resource_version, 1u);
  EXPECT_EQ(store_.EventsSince(pods_, 1)->size(), 0u);
  ObjectPtr changed = *store_.Mutate(pods_, "default/a", SetApp("db"));
  EXPECT_EQ(changed->resource_version, 2u);
  std::vector<StoreEvent> events = *store_.EventsSince(pods_, 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, EventType::kModified);
  EXPECT_EQ(events[0].prev->labels.at("app"), "web");
  EXPECT_EQ(store_.Mutate(pods_, "default/zzz", SetApp("x")).status().code(), util::StatusCode::kNotFound);
}

TEST_F(ObjectStoreTest, DeleteReturnsTheLastStateAtTheDeletionsVersion) {
  ASSERT_TRUE(store_.Create(pods_, Obj("default", "a")).ok());
  ObjectPtr gone = *store_.Delete(pods_, "default/a");
  EXPECT_EQ(gone->resource_version, 2u);
  EXPECT_EQ(gone->labels.at("app"), "web");
  EXPECT_EQ(store_.Get(pods_, "default/a"), nullptr);
  std::vector<StoreEvent> events = *store_.EventsSince(pods_, 0);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].type, EventType::kDeleted);
  EXPECT_EQ(events[1].object->resource_version, 2u);
  EXPECT_EQ(events[1].prev->resource_version, 1u);
  EXPECT_EQ(store_.Delete(pods_, "default/a").status().code(), util::StatusCode::kNotFound);
}

TEST_F(ObjectStoreTest, DeletePreconditions) {
  ObjectPtr a = *store_.Create(pods_, Obj("default", "a"));
  EXPECT_EQ(store_.Delete(pods_, "default/a", 7).status().message(),
            "Precondition failed: ResourceVersion in precondition: 7, ResourceVersion in object meta: 1");
  EXPECT_EQ(store_.Delete(pods_, "default/a", std::nullopt, "nope").status().code(),
            util::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(store_.Delete(pods_, "default/a", 1, a->uid).ok());
}

TEST_F(ObjectStoreTest, ListInThePastUndoesLaterEvents) {
  ASSERT_TRUE(store_.Create(pods_, Obj("default", "a")).ok());            // 1
  ASSERT_TRUE(store_.Create(pods_, Obj("default", "b")).ok());            // 2
  ASSERT_TRUE(store_.Create(pods_, Obj("kube-system", "c")).ok());        // 3
  ASSERT_TRUE(store_.Mutate(pods_, "default/a", SetApp("db")).ok());      // 4
  ASSERT_TRUE(store_.Delete(pods_, "default/b").ok());                    // 5
  ASSERT_TRUE(store_.Create(pods_, Obj("default", "d")).ok());            // 6
  EXPECT_EQ(Keys(*store_.List(pods_, std::nullopt)),
            (std::vector<std::string>{"default/a@4", "default/d@6", "kube-system/c@3"}));
  EXPECT_EQ(Keys(*store_.List(pods_, 3)),
            (std::vector<std::string>{"default/a@1", "default/b@2", "kube-system/c@3"}));
  EXPECT_EQ(Keys(*store_.List(pods_, 3, "default/")), (std::vector<std::string>{"default/a@1", "default/b@2"}));
  EXPECT_EQ(Keys(*store_.List(pods_, 0)), (std::vector<std::string>{}));
  EXPECT_EQ(store_.List(pods_, 3)->resource_version, 3u);
  EXPECT_EQ(store_.List(pods_, 7).status().code(), util::StatusCode::kInvalidArgument);
}

TEST_F(ObjectStoreTest, KeysSortLikeEtcdBytes) {
  ASSERT_TRUE(store_.Create(pods_, Obj("default", "a")).ok());
  ASSERT_TRUE(store_.Create(pods_, Obj("default-x", "a")).ok());
  // '-' (0x2d) sorts before '/' (0x2f).
  EXPECT_EQ(Keys(*store_.List(pods_, std::nullopt)), (std::vector<std::string>{"default-x/a@2", "default/a@1"}));
}

TEST_F(ObjectStoreTest, CompactionMovesTheHorizon) {
  ASSERT_TRUE(store_.Create(pods_, Obj("default", "a")).ok());
  ASSERT_TRUE(store_.Create(pods_, Obj("default", "b")).ok());
  ASSERT_TRUE(store_.Mutate(pods_, "default/a", SetApp("db")).ok());
  store_.Compact();
  EXPECT_EQ(store_.horizon(pods_), 3u);
  EXPECT_EQ(store_.List(pods_, 2).status().code(), util::StatusCode::kOutOfRange);
  EXPECT_TRUE(store_.List(pods_, 3).ok());
  EXPECT_EQ(store_.EventsSince(pods_, 1).status().message(), "too old resource version: 1 (3)");
  EXPECT_TRUE(store_.EventsSince(pods_, 3)->empty());
  // A type first written after the compaction starts at its horizon too.
  EXPECT_EQ(store_.horizon(nodes_), 3u);
  ASSERT_TRUE(store_.Create(nodes_, Obj("", "n")).ok());
  EXPECT_EQ(store_.EventsSince(nodes_, 2).status().code(), util::StatusCode::kOutOfRange);
  EXPECT_EQ(store_.EventsSince(nodes_, 3)->size(), 1u);
}

TEST(ObjectStoreHistoryTest, BoundedHistoryExpiresOldVersions) {
  ObjectStore store(ObjectStore::Options{2});
  const ResourceType& pods = PodsResource();
  for (std::string name : {"a", "b", "c", "d"}) ASSERT_TRUE(store.Create(pods, Obj("default", name)).ok());
  EXPECT_EQ(store.horizon(pods), 2u);
  EXPECT_EQ(store.EventsSince(pods, 1).status().message(), "too old resource version: 1 (2)");
  std::vector<StoreEvent> events = *store.EventsSince(pods, 2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].resource_version, 3u);
}

TEST(ObjectStoreListenerTest, CalledAfterEveryWrite) {
  ObjectStore store(ObjectStore::Options{});
  int calls = 0;
  store.SetListener([&] { ++calls; });
  ASSERT_TRUE(store.Create(PodsResource(), Obj("default", "a")).ok());
  ASSERT_TRUE(store.Delete(PodsResource(), "default/a").ok());
  EXPECT_EQ(calls, 2);
}

TEST(NewUidTest, Version4Format) {
  std::string uid = NewUid();
  ASSERT_EQ(uid.size(), 36u);
  EXPECT_EQ(uid[14], '4');
  EXPECT_NE(NewUid(), uid);
}

}  // namespace
}  // namespace kubescrape::fake_apiserver
