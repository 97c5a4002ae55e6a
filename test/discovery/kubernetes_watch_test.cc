#include "discovery/kubernetes_watch.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test/discovery/kubernetes_test_util.h"

namespace kubescrape::discovery {
namespace {

using testing::TestPod;

std::string Event(std::string_view type, const std::string& object) {
  return "{\"type\":\"" + std::string(type) + "\",\"object\":" + object + "}\n";
}

const char kBookmark[] =
    R"({"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"12746",)"
    R"("annotations":{"k8s.io/initial-events-end":"true"}}}})"
    "\n";
const char kExpired[] =
    R"({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
    R"j("message":"too old resource version: 5 (10)","reason":"Expired","code":410}})j"
    "\n";

// A short description of each result: "ADDED ns/name rv", "BOOKMARK rv",
// "ERROR code reason", or "error: <message>".
std::vector<std::string> Describe(const std::vector<util::StatusOr<WatchEvent>>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) {
    if (!e.ok()) {
      out.push_back("error: " + e.status().message());
      continue;
    }
    std::string s(WatchEventTypeName(e->type));
    if (const Pod* p = std::get_if<Pod>(&e->object)) {
      s += " " + std::string(p->namespace_name()) + "/" + std::string(p->name());
    }
    if (const Node* n = std::get_if<Node>(&e->object)) s += " node " + std::string(n->name());
    if (e->type == WatchEventType::kError) {
      s += " " + std::to_string(e->status.code) + " " + e->status.reason;
    } else {
      s += " " + e->resource_version;
    }
    if (e->initial_events_end) s += " end";
    out.push_back(s);
  }
  return out;
}

std::vector<std::string> FeedAll(WatchDecoder& d, std::string_view stream, size_t chunk) {
  std::vector<util::StatusOr<WatchEvent>> all;
  for (size_t i = 0; i < stream.size(); i += chunk) {
    for (auto& e : d.Feed(stream.substr(i, chunk))) all.push_back(std::move(e));
  }
  return Describe(all);
}

std::string ThreeEvents() {
  TestPod a, b;
  b.name = "b";
  b.annotations = {{"weird", "}{\"]["}};  // braces and quotes inside strings
  return Event("ADDED", a.Json()) + Event("MODIFIED", b.Json()) + Event("DELETED", a.Json());
}

const std::vector<std::string> kThreeEvents = {"ADDED default/testpod 42", "MODIFIED default/b 42",
                                               "DELETED default/testpod 42"};

TEST(WatchDecoderTest, WholeStream) {
  WatchDecoder d(ObjectKind::kPod);
  EXPECT_EQ(FeedAll(d, ThreeEvents(), 1 << 20), kThreeEvents);
  EXPECT_FALSE(d.has_partial_event());
  EXPECT_EQ(d.buffered_bytes(), 0u);
}

TEST(WatchDecoderTest, ByteByByte) {
  WatchDecoder d(ObjectKind::kPod);
  EXPECT_EQ(FeedAll(d, ThreeEvents(), 1), kThreeEvents);
}

TEST(WatchDecoderTest, EverySplitPoint) {
  const std::string stream = ThreeEvents();
  for (size_t cut = 0; cut <= stream.size(); cut += 7) {
    WatchDecoder d(ObjectKind::kPod);
    std::vector<util::StatusOr<WatchEvent>> all = d.Feed(std::string_view(stream).substr(0, cut));
    for (auto& e : d.Feed(std::string_view(stream).substr(cut))) all.push_back(std::move(e));
    ASSERT_EQ(Describe(all), kThreeEvents) << "cut at " << cut;
  }
}

TEST(WatchDecoderTest, NoNewlinesAndPrettyPrinted) {
  TestPod a;
  std::string pretty = "{\n  \"type\": \"ADDED\",\n  \"object\": " + a.Json() + "\n}";
  std::string stream = pretty + pretty + "\r\n\t " + pretty;
  WatchDecoder d(ObjectKind::kPod);
  EXPECT_EQ(FeedAll(d, stream, 5), std::vector<std::string>(3, "ADDED default/testpod 42"));
}

TEST(WatchDecoderTest, BookmarkAndExpired) {
  WatchDecoder d(ObjectKind::kPod);
  auto events = d.Feed(std::string(kBookmark) + kExpired);
  EXPECT_EQ(Describe(events),
            (std::vector<std::string>{"BOOKMARK 12746 end", "ERROR 410 Expired"}));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(events[0]->object));
  EXPECT_EQ(events[1]->status.message, "too old resource version: 5 (10)");
}

TEST(WatchDecoderTest, MalformedEventIsAnErrorAndDecodingGoesOn) {
  TestPod a;
  std::string stream = std::string("{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":}}}\n") +
                       Event("ADDED", a.Json());
  WatchDecoder d(ObjectKind::kPod);
  auto got = FeedAll(d, stream, 3);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], "error: watch event: invalid JSON at byte 45: Invalid value.");
  EXPECT_EQ(got[1], "ADDED default/testpod 42");
}

TEST(WatchDecoderTest, GarbageBetweenEventsSkipsToTheNextLine) {
  TestPod a;
  std::string stream = "garbage {\"not\": \"seen\"}\n" + Event("ADDED", a.Json());
  WatchDecoder d(ObjectKind::kPod);
  EXPECT_EQ(FeedAll(d, stream, 4),
            (std::vector<std::string>{"error: watch stream: unexpected byte 0x67 between events",
                                      "ADDED default/testpod 42"}));
}

TEST(WatchDecoderTest, BadEvents) {
  TestPod a;
  WatchDecoder d(ObjectKind::kPod);
  auto got = Describe(d.Feed(Event("EXPLODED", a.Json()) +
                             R"({"object":{}})"
                             "\n" +
                             Event("ADDED", R"({"kind":"Node","metadata":{"name":"n"}})") +
                             Event("ADDED", R"({"kind":"Pod","metadata":{"name":"p"}})")));
  EXPECT_EQ(got, (std::vector<std::string>{
                     "error: unknown watch event type \"EXPLODED\"",
                     "error: watch event without a type",
                     "error: ADDED event: expected a Pod, got a Node",
                     "error: ADDED event: Pod \"p\" without metadata.namespace",
                 }));
}

TEST(WatchDecoderTest, OversizedEventIsDroppedWithBoundedBuffer) {
  TestPod big;
  big.annotations = {{"blob", std::string(5000, 'x')}};
  TestPod small;
  const std::string stream = Event("ADDED", big.Json()) + Event("ADDED", small.Json());
  WatchDecoder d(ObjectKind::kPod, 2000);
  std::vector<util::StatusOr<WatchEvent>> all;
  for (size_t i = 0; i < stream.size(); i += 100) {
    for (auto& e : d.Feed(std::string_view(stream).substr(i, 100))) all.push_back(std::move(e));
    EXPECT_LE(d.buffered_bytes(), 2000u);
  }
  EXPECT_EQ(Describe(all), (std::vector<std::string>{"error: watch event larger than 2000 bytes",
                                                     "ADDED default/testpod 42"}));
}

TEST(WatchDecoderTest, CutStreamLeavesAPartialEvent) {
  TestPod a;
  const std::string e = Event("ADDED", a.Json());
  WatchDecoder d(ObjectKind::kPod);
  EXPECT_TRUE(d.Feed(std::string_view(e).substr(0, 50)).empty());
  EXPECT_TRUE(d.has_partial_event());
  EXPECT_EQ(d.buffered_bytes(), 50u);
  d.Reset();
  EXPECT_FALSE(d.has_partial_event());
  EXPECT_EQ(Describe(d.Feed(e)), std::vector<std::string>{"ADDED default/testpod 42"});
}

TEST(WatchDecoderTest, NodeWatch) {
  WatchDecoder d(ObjectKind::kNode);
  auto got = Describe(d.Feed(Event("MODIFIED", testing::MetaJson("Node", "n1", {{"a", "b"}}))));
  EXPECT_EQ(got, std::vector<std::string>{"MODIFIED node n1 "});
}

TEST(DecodeWatchEventTest, OneEvent) {
  TestPod a;
  auto e = DecodeWatchEvent(ObjectKind::kPod, Event("DELETED", a.Json()));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->type, WatchEventType::kDeleted);
  ASSERT_TRUE(std::holds_alternative<Pod>(e->object));
  EXPECT_EQ(std::get<Pod>(e->object).uid(), "abc123");
  EXPECT_FALSE(DecodeWatchEvent(ObjectKind::kPod, "{").ok());
}

}  // namespace
}  // namespace kubescrape::discovery
