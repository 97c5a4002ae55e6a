#include "tsdb/block_meta.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tsdb/block_format.h"
#include "tsdb/tombstones.h"
#include "tsdb/ulid.h"
#include "util/coding.h"
#include "util/crc32c.h"

namespace kubescrape::tsdb {
namespace {

using util::MemFileSystem;
using util::StatusCode;

// --- ULID -----------------------------------------------------------------------

TEST(UlidTest, KnownValues) {
  EXPECT_EQ(NewUlid(0, 0, 0), "00000000000000000000000000");
  // oklog/ulid's MaxTime with all-ones entropy.
  EXPECT_EQ(NewUlid((int64_t{1} << 48) - 1, ~uint64_t{0}, ~uint64_t{0}),
            "7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
  // Entropy only uses the low 16 bits of random_hi.
  EXPECT_EQ(NewUlid(0, 0x12340001, 0), NewUlid(0, 1, 0));
  EXPECT_EQ(NewUlid(0, 0, 1), "00000000000000000000000001");
  EXPECT_EQ(NewUlid(1, 0, 0), "00000000010000000000000000");
  // A ULID promtool made at 2026-11-25T01:24:36.931Z.
  EXPECT_EQ(UlidTime("01M884VZY3PM80T321VDG6ZFFK"), 1795569876931);
  EXPECT_EQ(NewUlid(1795569876931, 0, 0).substr(0, 10), "01M884VZY3");
}

TEST(UlidTest, SortsByTimeAndRoundTripsTime) {
  std::vector<std::string> ids;
  const std::vector<int64_t> times = {
      0, 1, 31, 32, 1000, 1700000000000, 1700000000001, (int64_t{1} << 48) - 1};
  for (size_t i = 0; i < times.size(); ++i) {
    // Later times sort later whatever the entropy.
    ids.push_back(NewUlid(times[i], ~uint64_t{0} - i, ~uint64_t{0} - i * 7));
    EXPECT_TRUE(ValidUlid(ids.back())) << ids.back();
    EXPECT_EQ(ids.back().size(), 26u);
    EXPECT_EQ(UlidTime(ids.back()), times[i]);
  }
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_LT(NewUlid(5, 0, 1), NewUlid(5, 0, 2));
}

TEST(UlidTest, Validation) {
  EXPECT_TRUE(ValidUlid("01M884VZY3PM80T321VDG6ZFFK"));
  EXPECT_TRUE(ValidUlid("01m884vzy3pm80t321vdg6zffk")) << "either case, as oklog/ulid";
  EXPECT_FALSE(ValidUlid(""));
  EXPECT_FALSE(ValidUlid("01M884VZY3PM80T321VDG6ZFF")) << "25 chars";
  EXPECT_FALSE(ValidUlid("01M884VZY3PM80T321VDG6ZFFKK")) << "27 chars";
  EXPECT_FALSE(ValidUlid("81M884VZY3PM80T321VDG6ZFFK")) << "overflows 128 bits";
  EXPECT_FALSE(ValidUlid("01M884VZY3PM80T321VDG6ZFFI")) << "I is not Crockford";
  EXPECT_FALSE(ValidUlid("01M884VZY3PM80T321VDG6ZFFU")) << "U is not Crockford";
  EXPECT_FALSE(ValidUlid("01M884VZY3PM80T321VDG6ZFF-"));
}

// --- meta.json --------------------------------------------------------------------

// What Prometheus writes for a block cut from the head (json.MarshalIndent,
// tab-indented, no trailing newline).
constexpr char kHeadBlockJson[] =
    "{\n"
    "\t\"ulid\": \"01M884VZY3PM80T321VDG6ZFFK\",\n"
    "\t\"minTime\": 1700000000000,\n"
    "\t\"maxTime\": 1700003600001,\n"
    "\t\"stats\": {\n"
    "\t\t\"numSamples\": 7,\n"
    "\t\t\"numSeries\": 3,\n"
    "\t\t\"numChunks\": 3\n"
    "\t},\n"
    "\t\"compaction\": {\n"
    "\t\t\"level\": 1,\n"
    "\t\t\"sources\": [\n"
    "\t\t\t\"01M884VZY3PM80T321VDG6ZFFK\"\n"
    "\t\t]\n"
    "\t},\n"
    "\t\"version\": 1\n"
    "}";

BlockMeta CompactedMeta() {
  BlockMeta m;
  m.ulid = NewUlid(1700007200000, 1, 2);
  m.min_time = -5;
  m.max_time = 7200000;
  m.stats = {.num_samples = 100,
             .num_float_samples = 90,
             .num_histogram_samples = 10,
             .num_series = 4,
             .num_chunks = 8,
             .num_tombstones = 2};
  m.compaction_level = 2;
  m.compaction_sources = {NewUlid(1, 0, 1), NewUlid(2, 0, 2)};
  m.parents = {{NewUlid(1, 0, 1), -5, 3600000}, {NewUlid(2, 0, 2), 3600000, 7200000}};
  m.compaction_deletable = true;
  m.compaction_failed = true;
  m.compaction_hints = {"from-out-of-order"};
  return m;
}

TEST(BlockMetaTest, ParsesPrometheusHeadBlock) {
  auto m = ParseBlockMeta(kHeadBlockJson);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->ulid, "01M884VZY3PM80T321VDG6ZFFK");
  EXPECT_EQ(m->min_time, 1700000000000);
  EXPECT_EQ(m->max_time, 1700003600001);
  EXPECT_EQ(m->stats.num_samples, 7u);
  EXPECT_EQ(m->stats.num_series, 3u);
  EXPECT_EQ(m->stats.num_chunks, 3u);
  EXPECT_EQ(m->stats.num_tombstones, 0u);
  EXPECT_EQ(m->compaction_level, 1);
  EXPECT_EQ(m->compaction_sources, std::vector<std::string>{"01M884VZY3PM80T321VDG6ZFFK"});
  EXPECT_TRUE(m->parents.empty());
  EXPECT_EQ(m->version, 1);
  // And formats back byte for byte.
  EXPECT_EQ(FormatBlockMeta(*m), kHeadBlockJson);
}

TEST(BlockMetaTest, FormatsEveryFieldLikeGo) {
  const std::string json = FormatBlockMeta(CompactedMeta());
  const std::string want =
      "{\n"
      "\t\"ulid\": \"" +
      CompactedMeta().ulid +
      "\",\n"
      "\t\"minTime\": -5,\n"
      "\t\"maxTime\": 7200000,\n"
      "\t\"stats\": {\n"
      "\t\t\"numSamples\": 100,\n"
      "\t\t\"numFloatSamples\": 90,\n"
      "\t\t\"numHistogramSamples\": 10,\n"
      "\t\t\"numSeries\": 4,\n"
      "\t\t\"numChunks\": 8,\n"
      "\t\t\"numTombstones\": 2\n"
      "\t},\n"
      "\t\"compaction\": {\n"
      "\t\t\"level\": 2,\n"
      "\t\t\"sources\": [\n"
      "\t\t\t\"" +
      NewUlid(1, 0, 1) +
      "\",\n"
      "\t\t\t\"" +
      NewUlid(2, 0, 2) +
      "\"\n"
      "\t\t],\n"
      "\t\t\"deletable\": true,\n"
      "\t\t\"parents\": [\n"
      "\t\t\t{\n"
      "\t\t\t\t\"ulid\": \"" +
      NewUlid(1, 0, 1) +
      "\",\n"
      "\t\t\t\t\"minTime\": -5,\n"
      "\t\t\t\t\"maxTime\": 3600000\n"
      "\t\t\t},\n"
      "\t\t\t{\n"
      "\t\t\t\t\"ulid\": \"" +
      NewUlid(2, 0, 2) +
      "\",\n"
      "\t\t\t\t\"minTime\": 3600000,\n"
      "\t\t\t\t\"maxTime\": 7200000\n"
      "\t\t\t}\n"
      "\t\t],\n"
      "\t\t\"failed\": true,\n"
      "\t\t\"hints\": [\n"
      "\t\t\t\"from-out-of-order\"\n"
      "\t\t]\n"
      "\t},\n"
      "\t\"version\": 1\n"
      "}";
  EXPECT_EQ(json, want);
  auto back = ParseBlockMeta(json);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, CompactedMeta());
}

TEST(BlockMetaTest, EmptyStatsIsAnEmptyObject) {
  BlockMeta m;
  m.ulid = NewUlid(0, 0, 0);
  EXPECT_EQ(FormatBlockMeta(m),
            "{\n\t\"ulid\": \"00000000000000000000000000\",\n\t\"minTime\": 0,\n\t\"maxTime\": 0,\n"
            "\t\"stats\": {},\n\t\"compaction\": {\n\t\t\"level\": 1\n\t},\n\t\"version\": 1\n}");
  EXPECT_EQ(*ParseBlockMeta(FormatBlockMeta(m)), m);
}

TEST(BlockMetaTest, EscapesStringsLikeGo) {
  BlockMeta m = CompactedMeta();
  m.compaction_hints = {"a\"b\\c<d>&\n\x01"};
  const std::string json = FormatBlockMeta(m);
  EXPECT_NE(json.find(R"("a\"b\\c\u003cd\u003e\u0026\n\u0001")"), std::string::npos) << json;
  EXPECT_EQ(ParseBlockMeta(json)->compaction_hints, m.compaction_hints);
}

TEST(BlockMetaTest, UnknownFieldsAndNullsAreIgnored) {
  auto m = ParseBlockMeta(
      R"({"ulid":"01M884VZY3PM80T321VDG6ZFFK","minTime":1,"maxTime":2,"extra":{"x":[1]},
      "stats":{"numSamples":3,"numFuture":9},"compaction":{"level":3,"sources":null,"new":true},
      "thanos":{"labels":{"a":"b"}},"version":1})");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->stats.num_samples, 3u);
  EXPECT_EQ(m->compaction_level, 3);
  EXPECT_TRUE(m->compaction_sources.empty());
}

void ExpectInvalid(const std::string& json, const std::string& words) {
  auto m = ParseBlockMeta(json);
  ASSERT_FALSE(m.ok()) << json;
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument) << json;
  EXPECT_NE(m.status().message().find(words), std::string::npos) << m.status().message();
}

TEST(BlockMetaTest, Errors) {
  const std::string u = R"("ulid":"01M884VZY3PM80T321VDG6ZFFK")";
  ExpectInvalid("{", "offset");
  ExpectInvalid("[]", "object");
  ExpectInvalid("{" + u + R"(,"minTime":1,"maxTime":2,"version":1} x)", "offset");
  ExpectInvalid(R"({"ulid":7,"minTime":1,"maxTime":2,"version":1})", "\"ulid\"");
  ExpectInvalid(R"({"ulid":"nope","minTime":1,"maxTime":2,"version":1})", "invalid ULID");
  ExpectInvalid("{" + u + R"(,"minTime":"1","maxTime":2,"version":1})", "\"minTime\"");
  ExpectInvalid("{" + u + R"(,"minTime":1.5,"maxTime":2,"version":1})", "\"minTime\"");
  ExpectInvalid("{" + u + R"(,"minTime":1,"maxTime":1e99,"version":1})", "\"maxTime\"");
  ExpectInvalid("{" + u + R"(,"minTime":1,"maxTime":2,"stats":[],"version":1})", "\"stats\"");
  ExpectInvalid("{" + u + R"(,"minTime":1,"maxTime":2,"stats":{"numSeries":-1},"version":1})",
                "\"stats.numSeries\"");
  ExpectInvalid("{" + u + R"(,"minTime":1,"maxTime":2,"compaction":{"level":"1"},"version":1})",
                "\"compaction.level\"");
  ExpectInvalid("{" + u + R"(,"minTime":1,"maxTime":2,"compaction":{"sources":["x"]},"version":1})",
                "\"compaction.sources\"");
  ExpectInvalid(
      "{" + u +
          R"(,"minTime":1,"maxTime":2,"compaction":{"parents":[{"minTime":"a"}]},"version":1})",
      "\"compaction.parents.minTime\"");
  ExpectInvalid("{" + u + R"(,"minTime":1,"maxTime":2,"compaction":{"failed":1},"version":1})",
                "\"compaction.failed\"");
  ExpectInvalid("{" + u + R"(,"minTime":1,"maxTime":2,"version":2})",
                "unexpected meta file version 2");
  ExpectInvalid("{" + u + R"(,"minTime":1,"maxTime":2})", "unexpected meta file version 0");
  ExpectInvalid(R"({"minTime":1,"maxTime":2,"version":1})", "\"ulid\": missing");
  ExpectInvalid("{" + u + R"(,"maxTime":2,"version":1})", "\"minTime\": missing");
}

TEST(BlockMetaTest, WriteAndReadAreAtomicAndDurable) {
  MemFileSystem fs;
  ASSERT_TRUE(fs.CreateDirAll("/data/b").ok());
  ASSERT_TRUE(fs.SyncDir("/").ok());
  ASSERT_TRUE(fs.SyncDir("/data").ok());
  ASSERT_TRUE(WriteBlockMeta(fs, "/data/b", CompactedMeta()).ok());
  EXPECT_FALSE(fs.Exists("/data/b/meta.json.tmp"));
  fs.DropUnsyncedData();
  auto m = ReadBlockMeta(fs, "/data/b");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(*m, CompactedMeta());

  fs.WriteFile("/data/c/meta.json", R"({"ulid":1})");
  auto bad = ReadBlockMeta(fs, "/data/c");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("/data/c/meta.json"), std::string::npos)
      << bad.status().message();
  EXPECT_EQ(ReadBlockMeta(fs, "/data/none").status().code(), StatusCode::kNotFound);
}

// --- Tombstones ------------------------------------------------------------------

TEST(TombstonesTest, ExactBytes) {
  // Empty: magic, version, and the CRC of no entries (0), as promtool writes.
  EXPECT_EQ(EncodeTombstones({}), std::string("\x01\x30\xBA\x30\x01\x00\x00\x00\x00", 9));
  Tombstones t{{3, {{-1, 5}}}};
  std::string entries;
  util::PutUvarint64(&entries, 3);
  util::PutVarint64(&entries, -1);
  util::PutVarint64(&entries, 5);
  std::string want("\x01\x30\xBA\x30\x01", 5);
  want += entries;
  util::PutFixed32BE(&want, util::crc32c::Value(entries));  // the version byte is not covered
  EXPECT_EQ(EncodeTombstones(t), want);
}

TEST(TombstonesTest, RoundTrip) {
  MemFileSystem fs;
  ASSERT_TRUE(fs.CreateDirAll("/b").ok());
  ASSERT_TRUE(fs.SyncDir("/").ok());
  EXPECT_TRUE(ReadTombstones(fs, "/b")->empty()) << "missing file is empty";
  Tombstones t{
      {1, {{0, 10}, {20, 30}}}, {7, {{INT64_MIN, INT64_MAX}}}, {uint64_t{1} << 40, {{-100, -50}}}};
  ASSERT_TRUE(WriteTombstones(fs, "/b", t).ok());
  EXPECT_FALSE(fs.Exists("/b/tombstones.tmp"));
  fs.DropUnsyncedData();
  auto back = ReadTombstones(fs, "/b");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, t);
  ASSERT_TRUE(WriteTombstones(fs, "/b", {}).ok());
  EXPECT_TRUE(ReadTombstones(fs, "/b")->empty());
}

TEST(TombstonesTest, ReadMergesOverlappingIntervals) {
  // A file may list intervals of one series in any order; Prometheus merges
  // them as it reads (Intervals.Add).
  std::string entries;
  for (auto [mint, maxt] :
       std::vector<std::pair<int64_t, int64_t>>{{20, 30}, {0, 5}, {6, 8}, {25, 40}, {50, 60}}) {
    util::PutUvarint64(&entries, 9);
    util::PutVarint64(&entries, mint);
    util::PutVarint64(&entries, maxt);
  }
  std::string file("\x01\x30\xBA\x30\x01", 5);
  file += entries;
  util::PutFixed32BE(&file, util::crc32c::Value(entries));
  auto t = DecodeTombstones(file);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[9], (std::vector<Interval>{{0, 8}, {20, 40}, {50, 60}}));
}

TEST(TombstonesTest, AddInterval) {
  std::vector<Interval> ivs;
  AddInterval(ivs, {10, 20});
  AddInterval(ivs, {30, 40});
  AddInterval(ivs, {0, 2});
  EXPECT_EQ(ivs, (std::vector<Interval>{{0, 2}, {10, 20}, {30, 40}}));
  AddInterval(ivs, {21, 29});  // touches both neighbours
  EXPECT_EQ(ivs, (std::vector<Interval>{{0, 2}, {10, 40}}));
  AddInterval(ivs, {50, 60});
  AddInterval(ivs, {5, 55});
  EXPECT_EQ(ivs, (std::vector<Interval>{{0, 2}, {5, 60}}));
  AddInterval(ivs, {INT64_MIN, 3});
  EXPECT_EQ(ivs, (std::vector<Interval>{{INT64_MIN, 3}, {5, 60}}));
  AddInterval(ivs, {4, INT64_MAX});
  EXPECT_EQ(ivs, (std::vector<Interval>{{INT64_MIN, INT64_MAX}}));
}

TEST(TombstonesTest, Corruption) {
  MemFileSystem fs;
  Tombstones t{{1, {{0, 10}}}};
  const std::string good = EncodeTombstones(t);
  auto expect_corrupt = [&](std::string file, const std::string& words) {
    fs.WriteFile("/b/tombstones", file);
    auto r = ReadTombstones(fs, "/b");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
    EXPECT_NE(r.status().message().find(words), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("/b/tombstones"), std::string::npos)
        << r.status().message();
  };
  expect_corrupt(good.substr(0, 8), "shorter");
  std::string bad_magic = good;
  bad_magic[0] = 0x02;
  expect_corrupt(bad_magic, "magic");
  std::string bad_crc = good;
  bad_crc[6] ^= 1;
  expect_corrupt(bad_crc, "checksum");
  std::string bad_version = good;
  bad_version[4] = 2;
  expect_corrupt(bad_version, "format");
  // A truncated entry with a matching CRC.
  std::string entries("\x01\x00", 2);
  std::string truncated("\x01\x30\xBA\x30\x01", 5);
  truncated += entries;
  util::PutFixed32BE(&truncated, util::crc32c::Value(entries));
  expect_corrupt(truncated, "truncated");
}

}  // namespace
}  // namespace kubescrape::tsdb
