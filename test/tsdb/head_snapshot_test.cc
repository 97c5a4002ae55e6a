// Head snapshots (tsdb/head_snapshot.h, docs/format/snapshot.md): the round
// trip through WriteHeadSnapshot/LoadHeadSnapshot, and the Db writing one on
// Close and loading it on Open, on MemFileSystem.
#include "tsdb/head_snapshot.h"

#include <gtest/gtest.h>

#include <bit>
#include <map>

#include "model/value.h"
#include "test/tsdb/head_test_util.h"
#include "tsdb/db.h"
#include "tsdb/head_series.h"
#include "util/clock.h"
#include "util/coding.h"

namespace kubescrape::tsdb {
namespace {

using testing::Sample;
using testing::SamplesOf;
using util::MemFileSystem;

constexpr int64_t kHour = 3600 * 1000;

model::Labels L(const std::string& job) { return model::Labels::FromPairs({{"__name__", "up"}, {"job", job}}); }

// Everything the snapshot must preserve, per ref: labels, chunks (bytes
// included), open chunk with its bit fill, encoder state, cut time.
std::map<SeriesRef, std::string> Dump(const Head& head) {
  std::map<SeriesRef, std::string> out;
  head.ForEachSeriesState(
      [&](SeriesRef ref, std::span<const model::Label> labels, const SeriesState& st) {
        std::string& s = out[ref];
        for (const model::Label& l : labels) s += std::string(l.name) + "=" + std::string(l.value) + ",";
        s += "|" + std::to_string(st.max_t) + "|" + std::to_string(st.next_at) + "|" + std::to_string(st.enc.t) +
             "|" + std::to_string(st.enc.v_bits) + "|" + std::to_string(st.enc.t_delta) + "|" +
             std::to_string(st.enc.num) + "|" + std::to_string(st.enc.leading) + "|" +
             std::to_string(st.enc.trailing);
        for (const ChunkView& c : st.sealed) {
          s += "|" + std::to_string(c.min_t) + ":" + std::to_string(c.max_t) + ":";
          s.append(reinterpret_cast<const char*>(c.bytes.data()), c.bytes.size());
        }
        s += "|open" + std::to_string(st.open_free_bits) + ":";
        s.append(reinterpret_cast<const char*>(st.open.data()), st.open.size());
      },
      nullptr);
  return out;
}

HeadOptions SmallHead() {
  HeadOptions o;
  o.stripe_bits = 2;
  return o;
}

// Appends the same samples to every head in `heads`.
void AppendAll(std::initializer_list<Head*> heads, const model::Labels& l, int64_t t, double v) {
  for (Head* h : heads) {
    auto app = h->NewAppender();
    ASSERT_EQ(app->Append(0, l, t, v).error, AppendError::kNone) << t;
    ASSERT_TRUE(app->Commit().ok());
  }
}

class HeadSnapshotTest : public ::testing::Test {
 protected:
  // Fills `head` with: "empty" (a series without samples: created by a
  // rolled-back batch), "one" (one open chunk), "many" (sealed chunks across
  // a chunk range, irregular values), "stale" (stale markers).
  void Fill(Head& head) {
    {
      auto app = head.NewAppender();
      app->Append(0, L("empty"), 1000, 1);
      app->Rollback();
    }
    // In time order: the head refuses samples far older than its newest.
    for (int i = 0; i < 1000; ++i) {
      if (i < 7) AppendAll({&head}, L("one"), 1000 + i * 15'000, i * 0.25);
      if (i < 10) AppendAll({&head}, L("stale"), 1000 + i * 15'000, i % 2 == 0 ? model::StaleNaN() : i);
      AppendAll({&head}, L("many"), 1000 + i * 15'000 + (i % 7) * 13, i % 3 == 0 ? i : 1.0 / (i + 1));
    }
  }
  Head& Reload(const Head& from, int workers = 1) {
    auto w = WriteHeadSnapshot(fs_, "data", from, WalPosition{3, 65536});
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    loaded_ = std::make_unique<Head>(SmallHead());
    auto l = LoadHeadSnapshot(fs_, "data", *loaded_, workers);
    EXPECT_TRUE(l.ok()) << l.status().ToString();
    if (l.ok()) {
      EXPECT_TRUE(l->has_value());
      if (l->has_value()) {
        EXPECT_EQ((*l)->position, (WalPosition{3, 65536}));
        EXPECT_EQ((*l)->series, w->series);
        EXPECT_EQ((*l)->chunks, w->chunks);
      }
    }
    return *loaded_;
  }

  MemFileSystem fs_;
  std::unique_ptr<Head> loaded_;
};

TEST_F(HeadSnapshotTest, NamesRoundTrip) {
  EXPECT_EQ(SnapshotDirName({42, 65536}), "chunk_snapshot.000042.0000065536");
  EXPECT_EQ(ParseSnapshotDirName("chunk_snapshot.000042.0000065536"), (WalPosition{42, 65536}));
  EXPECT_EQ(ParseSnapshotDirName("chunk_snapshot.1234567.12345678901"), (WalPosition{1234567, 12345678901}));
  EXPECT_FALSE(ParseSnapshotDirName("chunk_snapshot.000042.0000065536.tmp"));
  EXPECT_FALSE(ParseSnapshotDirName("chunk_snapshot.000042"));
  EXPECT_FALSE(ParseSnapshotDirName("checkpoint.000042"));
}

TEST_F(HeadSnapshotTest, RoundTripsSeriesWithZeroOneAndManyChunks) {
  Head head(SmallHead());
  Fill(head);
  ASSERT_EQ(head.ChunksOf(L("empty")).size(), 0u);
  ASSERT_EQ(head.ChunksOf(L("one")).size(), 1u);
  ASSERT_GT(head.ChunksOf(L("many")).size(), 5u);
  Head& got = Reload(head);
  EXPECT_EQ(Dump(got), Dump(head));
  EXPECT_EQ(got.stats().num_series, 4u);
  EXPECT_EQ(got.MinTime(), head.MinTime());
  EXPECT_EQ(got.MaxTime(), head.MaxTime());
  for (const char* job : {"empty", "one", "many", "stale"}) {
    EXPECT_EQ(SamplesOf(got, L(job)), SamplesOf(head, L(job))) << job;
  }
  const std::vector<Sample> stale = SamplesOf(got, L("stale"));
  ASSERT_EQ(stale.size(), 10u);
  EXPECT_TRUE(model::IsStaleNaN(stale[0].v));
  EXPECT_FALSE(model::IsStaleNaN(stale[1].v));
}

TEST_F(HeadSnapshotTest, ParallelLoadGivesTheSameHead) {
  Head head(SmallHead());
  for (int s = 0; s < 3000; ++s) AppendAll({&head}, L("s" + std::to_string(s)), 1000, s);
  Fill(head);
  Head& got = Reload(head, /*workers=*/3);
  EXPECT_EQ(Dump(got), Dump(head));
}

TEST_F(HeadSnapshotTest, OpenChunkKeepsAppendingLikeANeverRestartedHead) {
  Head head(SmallHead());
  Fill(head);
  Head& got = Reload(head);
  // Appends that continue the open chunks, cut new ones (quarter-full
  // prediction, range end, size) and repeat stale markers.
  for (int i = 1000; i < 1600; ++i) {
    const int64_t t = 1000 + i * 15'000 + (i % 5) * 7;
    AppendAll({&head, &got}, L("many"), t, i % 4 == 0 ? model::StaleNaN() : i * 1.5);
    AppendAll({&head, &got}, L("one"), t, 3.0);
    AppendAll({&head, &got}, L("empty"), t, -i);
  }
  EXPECT_EQ(Dump(got), Dump(head));
  // Duplicates and out-of-order samples are judged as before.
  const int64_t last = 1000 + 1599 * 15'000 + (1599 % 5) * 7;
  for (Head* h : {&head, &got}) {
    auto app = h->NewAppender();
    EXPECT_EQ(app->Append(0, L("one"), last, 3.0).error, AppendError::kNone);
    EXPECT_EQ(app->Append(0, L("one"), last, 4.0).error, AppendError::kDuplicateSample);
    EXPECT_EQ(app->Append(0, L("one"), last - 1, 4.0).error, AppendError::kOutOfOrder);
    ASSERT_TRUE(app->Commit().ok());
  }
}

TEST_F(HeadSnapshotTest, KeepsTheMinimumValidTime) {
  Head head(SmallHead());
  Fill(head);
  head.Truncate(3 * kHour);
  Head& got = Reload(head);
  EXPECT_EQ(got.MinValidTime(), 3 * kHour);
  EXPECT_EQ(Dump(got), Dump(head));
  auto app = got.NewAppender();
  EXPECT_EQ(app->Append(0, L("new"), 3 * kHour - 1, 1).error, AppendError::kOutOfBounds);
}

TEST_F(HeadSnapshotTest, NothingToLoad) {
  Head head(SmallHead());
  auto l = LoadHeadSnapshot(fs_, "data", head);
  ASSERT_TRUE(l.ok());
  EXPECT_FALSE(l->has_value());
}

TEST_F(HeadSnapshotTest, OlderSnapshotsAndUnfinishedOnesAreRemoved) {
  Head head(SmallHead());
  Fill(head);
  ASSERT_TRUE(WriteHeadSnapshot(fs_, "data", head, {1, 0}).ok());
  ASSERT_TRUE(WriteHeadSnapshot(fs_, "data", head, {2, 32768}).ok());
  ASSERT_TRUE(fs_.CreateDirAll("data/chunk_snapshot.000009.0000000000.tmp").ok());
  auto names = fs_.ListDir("data");
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"chunk_snapshot.000002.0000032768",
                                              "chunk_snapshot.000009.0000000000.tmp"}));
  Head got(SmallHead());
  auto l = LoadHeadSnapshot(fs_, "data", got);
  ASSERT_TRUE(l.ok());
  ASSERT_TRUE(l->has_value());
  EXPECT_EQ((*l)->position, (WalPosition{2, 32768}));
  names = fs_.ListDir("data");
  EXPECT_EQ(*names, (std::vector<std::string>{"chunk_snapshot.000002.0000032768"}));
}

// Flips one byte in the middle of the snapshot's first segment.
void Corrupt(MemFileSystem& fs, const std::string& data_dir) {
  auto names = fs.ListDir(data_dir);
  ASSERT_TRUE(names.ok());
  for (const std::string& n : *names) {
    if (!n.starts_with("chunk_snapshot.")) continue;
    const std::string path = data_dir + "/" + n + "/00000000";
    auto content = fs.ReadFile(path);
    ASSERT_TRUE(content.ok());
    ASSERT_GT(content->size(), 200u);
    (*content)[150] ^= 0x40;
    fs.WriteFile(path, *content);
    return;
  }
  FAIL() << "no snapshot";
}

TEST_F(HeadSnapshotTest, CorruptSnapshotIsAnError) {
  Head head(SmallHead());
  Fill(head);
  ASSERT_TRUE(WriteHeadSnapshot(fs_, "data", head, {1, 0}).ok());
  Corrupt(fs_, "data");
  Head got(SmallHead());
  auto l = LoadHeadSnapshot(fs_, "data", got);
  EXPECT_EQ(l.status().code(), util::StatusCode::kCorruption) << l.status().ToString();
}

TEST_F(HeadSnapshotTest, TruncatedSnapshotIsAnError) {
  Head head(SmallHead());
  for (int s = 0; s < 2000; ++s) AppendAll({&head}, L("s" + std::to_string(s)), 1000, s);
  ASSERT_TRUE(WriteHeadSnapshot(fs_, "data", head, {1, 0}).ok());
  const std::string path = "data/" + SnapshotDirName({1, 0}) + "/00000000";
  auto size = fs_.FileSize(path);
  ASSERT_TRUE(size.ok());
  // Whole pages cut off the end: the end record is gone, no fragment is torn.
  ASSERT_TRUE(fs_.Truncate(path, (*size / wal_format::kPageSize - 1) * wal_format::kPageSize).ok());
  Head got(SmallHead());
  auto l = LoadHeadSnapshot(fs_, "data", got);
  EXPECT_EQ(l.status().code(), util::StatusCode::kCorruption) << l.status().ToString();
}

// The Db side.
class DbSnapshotTest : public ::testing::Test {
 protected:
  DbOptions Options() {
    DbOptions o;
    o.wal_sync_period = std::chrono::milliseconds(0);
    o.maintenance_period = std::chrono::milliseconds(0);
    o.retention = std::chrono::milliseconds(0);
    o.head.stripe_bits = 2;
    o.wal.segment_size = 4 * wal_format::kPageSize;  // several segments
    o.replay_workers = 2;
    o.clock = &clock_;
    return o;
  }
  std::unique_ptr<Db> OpenDb(DbOptions o) {
    auto db = Db::Open(fs_, "data", o);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? *std::move(db) : nullptr;
  }
  std::unique_ptr<Db> OpenDb() { return OpenDb(Options()); }
  // `n` commits of one sample for each of `series` series from t = first,
  // 15 s apart.
  void Fill(Db& db, int series, int64_t first, int n) {
    for (int i = 0; i < n; ++i) {
      auto app = db.NewAppender();
      for (int s = 0; s < series; ++s) app->Append(0, L("s" + std::to_string(s)), first + i * 15'000, i * 10 + s);
      ASSERT_TRUE(app->Commit().ok());
    }
  }
  std::vector<std::string> Snapshots() {
    std::vector<std::string> out;
    auto names = fs_.ListDir("data");
    if (!names.ok()) return out;
    for (const std::string& n : *names) {
      if (n.starts_with("chunk_snapshot.")) out.push_back(n);
    }
    return out;
  }
  std::map<SeriesRef, std::string> DumpOf(Db& db) { return Dump(db.head()); }

  MemFileSystem fs_;
  util::FakeClock clock_{1'000'000};
};

TEST_F(DbSnapshotTest, CleanRestartLoadsTheSnapshotAndReplaysNoWal) {
  std::map<SeriesRef, std::string> want;
  {
    auto db = OpenDb();
    Fill(*db, 50, 1000, 300);
    want = DumpOf(*db);
    ASSERT_TRUE(db->Close().ok());
    EXPECT_EQ(db->stats().snapshot_series_written, 50u);
  }
  EXPECT_EQ(Snapshots().size(), 1u);
  auto db = OpenDb();
  const DbReplayStats r = db->stats().replay;
  EXPECT_TRUE(r.snapshot_loaded);
  EXPECT_FALSE(r.snapshot_failed);
  EXPECT_EQ(r.snapshot_series, 50u);
  EXPECT_EQ(r.records, 0u);
  EXPECT_EQ(r.samples, 0u);
  EXPECT_EQ(DumpOf(*db), want);
  EXPECT_EQ(SamplesOf(*db, L("s7")).size(), 300u);
  // New refs do not collide with restored ones.
  auto app = db->NewAppender();
  const SeriesRef fresh = app->Append(0, L("fresh"), 5'000'000, 1).ref;
  ASSERT_TRUE(app->Commit().ok());
  for (const auto& [ref, _] : want) EXPECT_NE(ref, fresh);
}

TEST_F(DbSnapshotTest, WalNewerThanTheSnapshotIsReplayedOnTop) {
  {
    auto db = OpenDb();
    Fill(*db, 20, 1000, 100);
  }  // clean: snapshot
  std::map<SeriesRef, std::string> want;
  {
    DbOptions o = Options();
    o.snapshot_on_shutdown = false;  // as if killed after these commits
    auto db = OpenDb(o);
    EXPECT_TRUE(db->stats().replay.snapshot_loaded);
    Fill(*db, 25, 1000 + 100 * 15'000, 50);  // 5 new series
    want = DumpOf(*db);
  }
  auto db = OpenDb();
  const DbReplayStats r = db->stats().replay;
  EXPECT_TRUE(r.snapshot_loaded);
  EXPECT_EQ(r.snapshot_series, 20u);
  EXPECT_EQ(r.series, 5u);
  EXPECT_EQ(r.samples, 25u * 50);
  EXPECT_EQ(r.orphan_samples, 0u);
  EXPECT_EQ(DumpOf(*db), want);
  EXPECT_EQ(SamplesOf(*db, L("s3")).size(), 150u);
}

TEST_F(DbSnapshotTest, CorruptSnapshotFallsBackToTheWholeWal) {
  std::map<SeriesRef, std::string> want;
  {
    auto db = OpenDb();
    Fill(*db, 30, 1000, 200);
    want = DumpOf(*db);
  }
  Corrupt(fs_, "data");
  auto db = OpenDb();
  const DbReplayStats r = db->stats().replay;
  EXPECT_FALSE(r.snapshot_loaded);
  EXPECT_TRUE(r.snapshot_failed);
  EXPECT_EQ(r.samples, 30u * 200);
  EXPECT_EQ(DumpOf(*db), want);
  // The next clean close replaces it.
  ASSERT_TRUE(db->Close().ok());
  db = OpenDb();
  EXPECT_TRUE(db->stats().replay.snapshot_loaded);
  EXPECT_EQ(DumpOf(*db), want);
}

TEST_F(DbSnapshotTest, SnapshotOlderThanACheckpointStaysValid) {
  // Run 1 ends cleanly; run 2 writes a block, checkpoints the WAL past the
  // snapshot's segment (deleting it) and is killed; run 3 must see it all.
  DbOptions o = Options();
  o.wal.segment_size = wal_format::kPageSize;
  {
    auto db = OpenDb(o);
    Fill(*db, 10, 0, 400);  // 100 min
  }
  const std::vector<std::string> first = Snapshots();
  ASSERT_EQ(first.size(), 1u);
  const WalPosition snap = *ParseSnapshotDirName(first[0]);
  std::vector<Sample> want;
  {
    DbOptions killed = o;
    killed.snapshot_on_shutdown = false;
    auto db = OpenDb(killed);
    Fill(*db, 10, 400 * 15'000, 800);  // up to 5 h: more than 1.5 ranges
    ASSERT_TRUE(db->Compact().ok());
    EXPECT_GE(db->stats().blocks.checkpoints, 1u);
    want = SamplesOf(*db, L("s4"));
    ASSERT_EQ(want.size(), 1200u);
  }
  EXPECT_FALSE(fs_.Exists("data/wal/" + wal_format::SegmentName(snap.segment)));
  auto db = OpenDb(o);
  EXPECT_TRUE(db->stats().replay.snapshot_loaded);
  EXPECT_EQ(SamplesOf(*db, L("s4")), want);
  EXPECT_EQ(db->stats().replay.orphan_samples, 0u);
}

TEST_F(DbSnapshotTest, NoSnapshotWhenDisabled) {
  DbOptions o = Options();
  o.snapshot_on_shutdown = false;
  {
    auto db = OpenDb(o);
    Fill(*db, 5, 1000, 10);
  }
  EXPECT_TRUE(Snapshots().empty());
  auto db = OpenDb(o);
  EXPECT_FALSE(db->stats().replay.snapshot_loaded);
  EXPECT_EQ(db->stats().replay.samples, 50u);
}

}  // namespace
}  // namespace kubescrape::tsdb
