// Db: the head made durable by the WAL (tsdb/db.h), on MemFileSystem.
#include "tsdb/db.h"

#include <gtest/gtest.h>

#include <thread>

#include "model/value.h"
#include "test/tsdb/head_test_util.h"
#include "tsdb/record.h"
#include "util/clock.h"

namespace kubescrape::tsdb {
namespace {

using testing::M;
using testing::Query;
using testing::Sample;
using testing::SamplesOf;
using util::MemFileSystem;

const std::string kDir = "data";
const model::Labels kA = model::Labels::FromPairs({{"__name__", "up"}, {"job", "a"}});
const model::Labels kB = model::Labels::FromPairs({{"__name__", "up"}, {"job", "b"}});
constexpr int64_t kHour = 3600 * 1000;

class DbTest : public ::testing::Test {
 protected:
  DbOptions Options() {
    DbOptions o;
    o.wal_sync_period = std::chrono::milliseconds(0);  // tests sync explicitly
    o.maintenance_period = std::chrono::milliseconds(0);
    o.retention = std::chrono::milliseconds(0);
    o.head.stripe_bits = 2;
    o.wal.segment_size = wal_format::kPageSize;  // several segments
    o.clock = &clock_;
    o.snapshot_on_shutdown = snapshots_;
    return o;
  }
  std::unique_ptr<Db> OpenDb() { return OpenDb(Options()); }
  std::unique_ptr<Db> OpenDb(DbOptions o) {
    auto db = Db::Open(fs_, kDir, o);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? *std::move(db) : nullptr;
  }
  // Commits `n` batches of one sample per series at t = first + i*1000.
  void Fill(Db& db, int64_t first, int n, std::vector<Sample>* a = nullptr) {
    for (int i = 0; i < n; ++i) {
      auto app = db.NewAppender();
      const int64_t t = first + i * 1000;
      app->Append(0, kA, t, static_cast<double>(i));
      app->Append(0, kB, t, static_cast<double>(-i));
      ASSERT_TRUE(app->Commit().ok());
      if (a != nullptr) a->push_back({t, static_cast<double>(i)});
    }
  }
  std::string LastSegment() {
    auto names = fs_.ListDir(kDir + "/wal");
    EXPECT_TRUE(names.ok());
    std::string last;
    for (const std::string& n : *names) {
      if (n.find("checkpoint") == std::string::npos) last = n;
    }
    return kDir + "/wal/" + last;
  }

  MemFileSystem fs_;
  util::FakeClock clock_{1'000'000};
  // Off in tests of WAL replay: a clean Close would otherwise write a head
  // snapshot and the next Open replay no WAL (head_snapshot_test.cc).
  bool snapshots_ = true;
};

TEST_F(DbTest, ReopenRestoresSamplesAndRefs) {
  snapshots_ = false;  // WAL replay
  std::vector<Sample> want;
  SeriesRef ref_a = 0;
  {
    auto db = OpenDb();
    Fill(*db, 1000, 2000, &want);  // rotates segments
    auto app = db->NewAppender();
    ref_a = app->Append(0, kA, 3'000'000, 7).ref;
    ASSERT_TRUE(app->Commit().ok());
    want.push_back({3'000'000, 7});
    EXPECT_EQ(db->stats().commits, 2001u);
    EXPECT_GT(db->stats().wal_segment, 1u);
    ASSERT_TRUE(db->Close().ok());
  }
  auto db = OpenDb();
  EXPECT_EQ(SamplesOf(*db, kA), want);
  EXPECT_EQ(SamplesOf(*db, kB).size(), 2000u);
  const DbStats st = db->stats();
  EXPECT_EQ(st.head.num_series, 2u);
  EXPECT_EQ(st.replay.series, 2u);
  EXPECT_EQ(st.replay.samples, 4001u);
  EXPECT_FALSE(st.replay.repaired);
  // The ref handed out before the restart still names kA.
  auto app = db->NewAppender();
  EXPECT_EQ(app->Append(ref_a, kA, 3'001'000, 8).ref, ref_a);
  ASSERT_TRUE(app->Commit().ok());
  want.push_back({3'001'000, 8});
  EXPECT_EQ(SamplesOf(*db, kA), want);
}

TEST_F(DbTest, PowerCutKeepsSyncedCommits) {
  snapshots_ = false;  // WAL replay
  std::vector<Sample> synced;
  {
    auto db = OpenDb();
    Fill(*db, 1000, 200, &synced);
    ASSERT_TRUE(db->Sync().ok());
    Fill(*db, 201'000, 300);  // logged, never synced
    fs_.DropUnsyncedData();   // the power goes; the Db is abandoned
    db->Close().IgnoreError();
    fs_.DropUnsyncedData();  // nothing Close wrote after the cut counts
  }
  auto db = OpenDb();
  // In this model exactly the synced commits survive (a real disk may keep more).
  EXPECT_EQ(SamplesOf(*db, kA), synced);
  // The store works normally after recovery, and survives the next cut.
  Fill(*db, 600'000, 10);
  ASSERT_TRUE(db->Sync().ok());
  fs_.DropUnsyncedData();
  db->Close().IgnoreError();
  fs_.DropUnsyncedData();
  db = OpenDb();
  EXPECT_EQ(SamplesOf(*db, kA).size(), 210u);
}

TEST_F(DbTest, TornTailIsRepairedOnOpen) {
  snapshots_ = false;  // WAL replay
  std::vector<Sample> want;
  std::string segment;
  uint64_t size = 0;
  {
    auto db = OpenDb();
    Fill(*db, 1000, 20, &want);
    segment = LastSegment();
    auto s = fs_.FileSize(segment);
    ASSERT_TRUE(s.ok());
    size = *s;
    ASSERT_TRUE(db->Close().ok());
  }
  // Cut the last record (the last commit's samples) short.
  ASSERT_TRUE(fs_.Truncate(segment, size - 5).ok());
  want.pop_back();
  auto db = OpenDb();
  EXPECT_TRUE(db->stats().replay.repaired);
  EXPECT_EQ(SamplesOf(*db, kA), want);
  // Appends continue after the repaired log, and a reopen reads it cleanly.
  Fill(*db, 100'000, 1);
  want.push_back({100'000, 0});
  ASSERT_TRUE(db->Close().ok());
  db = OpenDb();
  EXPECT_FALSE(db->stats().replay.repaired);
  EXPECT_EQ(SamplesOf(*db, kA), want);
}

TEST_F(DbTest, StaleMarkersSurviveRestart) {
  {
    auto db = OpenDb();
    auto app = db->NewAppender();
    app->Append(0, kA, 1000, 1);
    app->Append(0, kA, 2000, model::StaleNaN());
    ASSERT_TRUE(app->Commit().ok());
  }  // the destructor closes
  auto db = OpenDb();
  std::vector<Sample> got = SamplesOf(*db, kA);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(model::IsStaleNaN(got[1].v));
}

TEST_F(DbTest, AppendRulesHoldAfterReplay) {
  {
    auto db = OpenDb();
    Fill(*db, 1000, 10);  // kA newest: t=10000, v=9
  }
  auto db = OpenDb();
  auto app = db->NewAppender();
  EXPECT_EQ(app->Append(0, kA, 5000, 1).error, AppendError::kOutOfOrder);
  EXPECT_EQ(app->Append(0, kA, 10'000, 42).error, AppendError::kDuplicateSample);
  EXPECT_EQ(app->Append(0, kA, 10'000, 9).error, AppendError::kNone);  // same value: no-op
  EXPECT_EQ(app->Append(0, kA, 11'000, 10).error, AppendError::kNone);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(SamplesOf(*db, kA).size(), 11u);
}

TEST_F(DbTest, QuerierOverReplayedData) {
  {
    auto db = OpenDb();
    Fill(*db, 1000, 30);
  }
  auto db = OpenDb();
  std::vector<model::Matcher> ms = {M(model::MatchType::kRegexMatch, "job", "a|b")};
  auto got = Query(*db, 5000, 9000, ms);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].labels, kA);
  EXPECT_EQ(got[0].samples.size(), 5u);
  EXPECT_EQ(got[1].labels, kB);
  auto q = db->NewQuerier(0, 100'000);
  ASSERT_TRUE(q.ok());
  auto values = (*q)->LabelValues("job", {});
  ASSERT_TRUE(values.ok());
  EXPECT_EQ(*values, (std::vector<std::string>{"a", "b"}));
}

TEST_F(DbTest, SamplesLoggedBeforeTheirSeriesAreReplayed) {
  std::vector<Sample> want;
  {
    auto db = OpenDb();
    // app1 creates kA but commits last; app2 commits samples to it first,
    // so the log holds app2's samples before kA's series record.
    auto app1 = db->NewAppender();
    const SeriesRef ref = app1->Append(0, kA, 1000, 1).ref;
    auto app2 = db->NewAppender();
    EXPECT_EQ(app2->Append(ref, kA, 500, 0.5).error, AppendError::kNone);
    ASSERT_TRUE(app2->Commit().ok());
    ASSERT_TRUE(app1->Commit().ok());
    want = SamplesOf(*db, kA);
    ASSERT_EQ(want.size(), 2u);
  }
  auto db = OpenDb();
  EXPECT_EQ(SamplesOf(*db, kA), want);
  EXPECT_EQ(db->stats().replay.orphan_samples, 0u);
}

TEST_F(DbTest, UnknownRecordTypesAreSkipped) {
  snapshots_ = false;  // WAL replay
  {
    auto db = OpenDb();
    Fill(*db, 1000, 3);
  }
  {
    auto wal = Wal::Open(fs_, kDir + "/wal", Options().wal);
    ASSERT_TRUE(wal.ok());
    ASSERT_TRUE((*wal)->Log(std::string("\xC8payload-of-a-future-type")).ok());
  }
  {
    auto db = OpenDb();
    Fill(*db, 4000, 1);
  }
  auto db = OpenDb();
  EXPECT_EQ(db->stats().replay.unknown_records, 1u);
  EXPECT_EQ(SamplesOf(*db, kA).size(), 4u);
}

TEST_F(DbTest, RetentionDropsOldDataInMemoryAndOnReopen) {
  DbOptions o = Options();
  o.retention = std::chrono::milliseconds(2 * kHour);
  o.head.chunk_range_ms = kHour;  // chunks end on the hour
  const model::Labels gone = model::Labels::FromPairs({{"__name__", "gone"}});
  {
    auto db = OpenDb(o);
    auto app = db->NewAppender();
    app->Append(0, gone, 10 * 60 * 1000, 1);  // only at 0h10
    for (int64_t t = 0; t <= 5 * kHour; t += 15 * 60 * 1000) app->Append(0, kA, t, 1);
    ASSERT_TRUE(app->Commit().ok());
    clock_.SetMillis(5 * kHour);
    db->ApplyRetention();  // keeps [3h, 5h]
    EXPECT_EQ(db->stats().head.num_series, 1u);
    EXPECT_TRUE(SamplesOf(*db, gone).empty());
    EXPECT_GE(SamplesOf(*db, kA).front().t, 3 * kHour);
  }
  // The WAL still has everything; Open applies retention after replay.
  auto db = OpenDb(o);
  EXPECT_EQ(db->stats().head.num_series, 1u);
  EXPECT_GE(SamplesOf(*db, kA).front().t, 3 * kHour);
  auto app = db->NewAppender();
  EXPECT_EQ(app->Append(0, kB, kHour, 1).error, AppendError::kOutOfBounds);
  app->Rollback();
}

TEST_F(DbTest, CommitFailsAfterClose) {
  auto db = OpenDb();
  ASSERT_TRUE(db->Close().ok());
  EXPECT_TRUE(db->Close().ok());  // idempotent
  auto app = db->NewAppender();
  app->Append(0, kA, 1000, 1);
  EXPECT_FALSE(app->Commit().ok());
  EXPECT_TRUE(SamplesOf(*db, kA).empty());
}

TEST_F(DbTest, ConcurrentCommittersWithBackgroundSync) {
  DbOptions o = Options();
  o.wal_sync_period = std::chrono::milliseconds(1);
  constexpr int kThreads = 4, kBatches = 200;
  {
    auto db = OpenDb(o);
    std::vector<std::thread> threads;
    for (int w = 0; w < kThreads; ++w) {
      threads.emplace_back([&db, w] {
        const model::Labels l =
            model::Labels::FromPairs({{"__name__", "w"}, {"id", std::to_string(w)}});
        SeriesRef ref = 0;
        for (int i = 0; i < kBatches; ++i) {
          auto app = db->NewAppender();
          ref = app->Append(ref, l, 1000 + i, i).ref;
          EXPECT_TRUE(app->Commit().ok());
        }
      });
    }
    for (auto& t : threads) t.join();
    ASSERT_TRUE(db->Close().ok());
  }
  auto db = OpenDb(o);
  EXPECT_EQ(db->stats().head.num_series, static_cast<uint64_t>(kThreads));
  for (int w = 0; w < kThreads; ++w) {
    const model::Labels l =
        model::Labels::FromPairs({{"__name__", "w"}, {"id", std::to_string(w)}});
    EXPECT_EQ(SamplesOf(*db, l).size(), static_cast<size_t>(kBatches));
  }
}

TEST_F(DbTest, CleanRestartLoadsTheSnapshotAndReplaysNoWal) {
  std::vector<Sample> want;
  {
    auto db = OpenDb();
    Fill(*db, 1000, 500, &want);
    ASSERT_TRUE(db->Close().ok());
  }
  auto db = OpenDb();
  const DbReplayStats r = db->stats().replay;
  EXPECT_TRUE(r.snapshot_loaded);
  EXPECT_EQ(r.snapshot_series, 2u);
  EXPECT_EQ(r.records, 0u);
  EXPECT_EQ(SamplesOf(*db, kA), want);
  EXPECT_EQ(SamplesOf(*db, kB).size(), 500u);
}

// The parallel replay keeps the sequential one's semantics: samples logged
// before their series, a series re-logged under a new ref (an alias, its
// samples landing on another worker), samples of a series never logged.
TEST_F(DbTest, ParallelReplayMatchesSequentialReplay) {
  snapshots_ = false;  // WAL replay
  {
    auto wal = Wal::Open(fs_, kDir + "/wal", Options().wal);
    ASSERT_TRUE(wal.ok());
    std::string rec;
    EncodeSeries(std::vector<RefSeries>{{1, kA}}, &rec);
    ASSERT_TRUE((*wal)->Log(rec).ok());
    std::vector<RefSample> samples;
    for (int i = 0; i < 300; ++i) {
      samples.push_back({1, 1000 + i * 1000, static_cast<double>(i)});
      samples.push_back({7, 1000 + i * 1000, static_cast<double>(-i)});  // kB, logged later
      samples.push_back({9, 1000 + i * 1000, 9.0});                      // never logged
    }
    EncodeSamples(samples, &rec);
    ASSERT_TRUE((*wal)->Log(rec).ok());
    EncodeSeries(std::vector<RefSeries>{{7, kB}, {5, kA}}, &rec);  // 5: an alias of 1
    ASSERT_TRUE((*wal)->Log(rec).ok());
    samples.clear();
    for (int i = 300; i < 600; ++i) {
      samples.push_back({5, 1000 + i * 1000, static_cast<double>(i)});
      samples.push_back({7, 1000 + i * 1000, static_cast<double>(-i)});
    }
    EncodeSamples(samples, &rec);
    ASSERT_TRUE((*wal)->Log(rec).ok());
    ASSERT_TRUE((*wal)->Close().ok());
  }
  DbOptions o = Options();
  o.replay_workers = 1;
  std::vector<Sample> a, b;
  DbReplayStats seq;
  {
    auto db = OpenDb(o);
    a = SamplesOf(*db, kA);
    b = SamplesOf(*db, kB);
    seq = db->stats().replay;
  }
  EXPECT_EQ(a.size(), 600u);
  EXPECT_EQ(b.size(), 600u);
  EXPECT_EQ(seq.orphan_samples, 300u);
  EXPECT_EQ(seq.workers, 1);
  for (int workers : {2, 3, 8}) {
    o.replay_workers = workers;
    auto db = OpenDb(o);
    const DbReplayStats par = db->stats().replay;
    EXPECT_EQ(par.workers, workers);
    EXPECT_EQ(SamplesOf(*db, kA), a) << workers;
    EXPECT_EQ(SamplesOf(*db, kB), b) << workers;
    EXPECT_EQ(par.samples, seq.samples);
    EXPECT_EQ(par.series, seq.series);
    EXPECT_EQ(par.orphan_samples, seq.orphan_samples);
    EXPECT_EQ(db->stats().head.num_series, 2u);
  }
}

TEST_F(DbTest, OpenFailsWhenTheDirectoryCannotBeCreated) {
  fs_.WriteFile("file", "not a directory");
  auto db = Db::Open(fs_, "file/data", Options());
  EXPECT_FALSE(db.ok());
}

}  // namespace
}  // namespace kubescrape::tsdb
