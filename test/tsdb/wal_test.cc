// The WAL writer: rotation, syncing, power cuts, injected I/O errors,
// concurrent committers.

#include "tsdb/wal.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "test/tsdb/wal_test_util.h"

namespace kubescrape::tsdb {
namespace {

using namespace testing;  // NOLINT
using namespace std::chrono_literals;
using util::MemFileSystem;
using util::StatusCode;

constexpr char kDir[] = "/data/wal";

// Waits up to 10 s for `condition`.
template <typename F>
bool Eventually(F condition) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST(WalTest, RejectsBadSegmentSize) {
  MemFileSystem fs;
  EXPECT_EQ(Wal::Open(fs, kDir, {.segment_size = 0, .compression = WalCompression::kNone}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Wal::Open(fs, kDir, {.segment_size = kPage + 1, .compression = WalCompression::kNone}).status().code(), StatusCode::kInvalidArgument);
}

TEST(WalTest, ReplayErrorFailsOpen) {
  MemFileSystem fs;
  testing::WriteWal(fs, kDir, {"a", "b"});
  int calls = 0;
  auto wal = Wal::Open(fs, kDir, kUncompressed, [&](std::string_view) {
    return ++calls == 2 ? util::InvalidArgumentError("bad record") : util::Status::Ok();
  });
  EXPECT_EQ(wal.status(), util::InvalidArgumentError("bad record"));
  EXPECT_EQ(ReadAll(fs, kDir).records.size(), 2u) << "nothing was repaired or removed";
}

TEST(WalTest, Rotation) {
  MemFileSystem fs;
  auto wal = Wal::Open(fs, kDir, {.segment_size = 2 * kPage, .compression = WalCompression::kNone});
  ASSERT_TRUE(wal.ok());
  std::vector<std::string> logged;
  for (int i = 0; i < 30; ++i) {
    logged.push_back(MakeRecord(i, 10000));
    ASSERT_TRUE((*wal)->Log(logged.back()).ok());
  }
  // 10007 bytes per record: six fit in a two-page segment.
  EXPECT_EQ((*wal)->current_segment(), 4u);
  EXPECT_EQ((*wal)->stats().segments_created, 5u);
  EXPECT_EQ((*wal)->stats().records, 30u);
  for (uint64_t i = 0; i < 4; ++i) {
    EXPECT_EQ(*fs.FileSize(SegmentPath(kDir, i)), 2 * kPage) << "finished segments are padded";
    EXPECT_EQ(fs.SyncedSize(SegmentPath(kDir, i)), 0u) << "Log never fsyncs";
  }
  ASSERT_TRUE((*wal)->Sync().ok());
  for (uint64_t i = 0; i <= 4; ++i) {
    EXPECT_EQ(fs.SyncedSize(SegmentPath(kDir, i)), *fs.FileSize(SegmentPath(kDir, i)));
  }
  EXPECT_EQ(ReadAll(fs, kDir).records, logged);
}

TEST(WalTest, LogAfterCloseFails) {
  MemFileSystem fs;
  auto wal = Wal::Open(fs, kDir, kUncompressed);
  ASSERT_TRUE(wal.ok());
  ASSERT_TRUE((*wal)->Log("x").ok());
  ASSERT_TRUE((*wal)->Close().ok());
  EXPECT_TRUE((*wal)->Close().ok());
  EXPECT_TRUE((*wal)->Sync().ok());
  EXPECT_EQ((*wal)->Log("y").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(fs.SyncedSize(SegmentPath(kDir, 0)), kPage) << "Close pads and syncs";
}

TEST(WalTest, ZeroLengthRecordsAndBatches) {
  MemFileSystem fs;
  {
    auto wal = Wal::Open(fs, kDir, kUncompressed);
    ASSERT_TRUE(wal.ok());
    ASSERT_TRUE((*wal)->Log("").ok());
    ASSERT_TRUE((*wal)->Log({"a", "", "bc"}).ok());
    // Fill the page up to 7 bytes before its end (the four records above
    // take 31 bytes), then log an empty record: it fits exactly; a
    // non-empty one goes to the next page.
    ASSERT_TRUE((*wal)->Log(std::string(kPage - 31 - 7 - 7, 'x')).ok());
    ASSERT_TRUE((*wal)->Log({"", "next page"}).ok());
  }
  ReadResult r = ReadAll(fs, kDir);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.records.size(), 7u);
  EXPECT_EQ(r.records[0], "");
  EXPECT_EQ(r.records[3], "bc");
  EXPECT_EQ(r.positions[4], (WalPosition{0, 31}));
  EXPECT_EQ(r.records[5], "");
  EXPECT_EQ(r.positions[5], (WalPosition{0, kPage - 7})) << "an empty record fits the last 7 bytes";
  EXPECT_EQ(r.records[6], "next page");
  EXPECT_EQ(r.positions[6], (WalPosition{0, kPage}));
}

TEST(WalTest, PowerCutLosesOnlyUnsyncedData) {
  MemFileSystem fs;
  std::vector<std::string> logged;
  {
    auto wal = Wal::Open(fs, kDir, {.segment_size = 2 * kPage, .compression = WalCompression::kNone});
    ASSERT_TRUE(wal.ok());
    for (int i = 0; i < 30; ++i) {
      logged.push_back(MakeRecord(i, 5000));
      ASSERT_TRUE((*wal)->Log(logged.back()).ok());
    }
    ASSERT_TRUE((*wal)->Sync().ok());
    for (int i = 30; i < 60; ++i) {  // rotates into segments never synced
      logged.push_back(MakeRecord(i, 5000));
      ASSERT_TRUE((*wal)->Log(logged.back()).ok());
    }
    EXPECT_GE((*wal)->current_segment(), 4u);
    fs.DropUnsyncedData();  // the power goes; the Wal object is abandoned
    (*wal)->Close().IgnoreError();
    fs.DropUnsyncedData();  // nothing Close wrote after the "cut" counts
  }
  std::unique_ptr<Wal> wal;
  std::vector<std::string> replayed = OpenAndReplay(fs, kDir, &wal, {.segment_size = 2 * kPage, .compression = WalCompression::kNone});
  // Every synced record survives, in order; nothing unsynced does in this
  // model (a real disk may keep some of it).
  ASSERT_GE(replayed.size(), 30u);
  EXPECT_EQ(replayed, std::vector<std::string>(logged.begin(), logged.begin() + replayed.size()));
  EXPECT_EQ(replayed.size(), 30u);

  // After recovery, synced writes survive the next cut too.
  ASSERT_TRUE(wal->Log("after").ok());
  ASSERT_TRUE(wal->Sync().ok());
  fs.DropUnsyncedData();
  wal.reset();
  fs.DropUnsyncedData();
  replayed = OpenAndReplay(fs, kDir, &wal, {.segment_size = 2 * kPage, .compression = WalCompression::kNone});
  ASSERT_EQ(replayed.size(), 31u);
  EXPECT_EQ(replayed.back(), "after");
}

TEST(WalTest, WriteErrorIsStickyAndRepairedOnReopen) {
  MemFileSystem fs;
  std::vector<std::string> acknowledged;
  {
    auto wal = Wal::Open(fs, kDir, kUncompressed);
    ASSERT_TRUE(wal.ok());
    fs.SetAppendBudget(50000);  // the disk fills inside some record
    util::Status s;
    for (int i = 0; s.ok(); ++i) {
      std::string r = MakeRecord(i, 3000);
      s = (*wal)->Log(r);
      if (s.ok()) acknowledged.push_back(r);
    }
    EXPECT_EQ(s.code(), StatusCode::kIoError);
    fs.SetAppendBudget(-1);
    EXPECT_EQ((*wal)->Log("x").code(), StatusCode::kIoError) << "sticky";
    EXPECT_EQ((*wal)->Sync().code(), StatusCode::kIoError);
    EXPECT_EQ((*wal)->Close().code(), StatusCode::kIoError);
  }
  EXPECT_EQ(acknowledged.size(), 16u);
  std::unique_ptr<Wal> wal;
  EXPECT_EQ(OpenAndReplay(fs, kDir, &wal), acknowledged);
  EXPECT_EQ(wal->stats().replay.corruption.code(), StatusCode::kCorruption) << "the torn record was cut";
  EXPECT_TRUE(wal->Log("y").ok());
}

TEST(WalTest, SyncErrorIsSticky) {
  MemFileSystem fs;
  auto wal = Wal::Open(fs, kDir, kUncompressed);
  ASSERT_TRUE(wal.ok());
  ASSERT_TRUE((*wal)->Log("a").ok());
  fs.SetSyncError(util::IoError("fdatasync: Input/output error"));
  EXPECT_EQ((*wal)->Sync().code(), StatusCode::kIoError);
  fs.SetSyncError(util::Status::Ok());
  // Once an fsync failed the page cache may have dropped the data: the WAL
  // refuses to pretend later syncs make it durable.
  EXPECT_EQ((*wal)->Log("b").code(), StatusCode::kIoError);
  EXPECT_EQ((*wal)->Sync().code(), StatusCode::kIoError);
}

TEST(WalTest, SyncLoopSyncsPeriodically) {
  MemFileSystem fs;
  auto wal = Wal::Open(fs, kDir, kUncompressed);
  ASSERT_TRUE(wal.ok());
  std::jthread syncer([&](std::stop_token stop) { (*wal)->SyncLoop(stop, 1ms); });
  ASSERT_TRUE((*wal)->Log(MakeRecord(0, 100)).ok());
  const std::string path = SegmentPath(kDir, 0);
  EXPECT_TRUE(Eventually([&] { return fs.SyncedSize(path) == 107; }));
  syncer.request_stop();
  syncer.join();
}

TEST(WalTest, SyncLoopSyncsAFinishedSegmentAtOnce) {
  MemFileSystem fs;
  auto wal = Wal::Open(fs, kDir, {.segment_size = kPage, .compression = WalCompression::kNone});
  ASSERT_TRUE(wal.ok());
  // A period no test waits for: only the rotation can wake the loop.
  std::jthread syncer([&](std::stop_token stop) { (*wal)->SyncLoop(stop, std::chrono::hours(1)); });
  ASSERT_TRUE((*wal)->Log(MakeRecord(0, 30000)).ok());
  ASSERT_TRUE((*wal)->Log(MakeRecord(1, 30000)).ok());  // rotates
  EXPECT_TRUE(Eventually([&] { return fs.SyncedSize(SegmentPath(kDir, 0)) == kPage; }));
  syncer.request_stop();  // wakes the hour-long wait
  syncer.join();
}

TEST(WalTest, ConcurrentCommittersKeepBatchesWhole) {
  MemFileSystem fs;
  constexpr int kThreads = 8, kCommits = 300;
  {
    auto wal = Wal::Open(fs, kDir, {.segment_size = 4 * kPage, .compression = WalCompression::kNone});
    ASSERT_TRUE(wal.ok());
    std::jthread syncer([&](std::stop_token stop) { (*wal)->SyncLoop(stop, 1ms); });
    std::vector<std::jthread> committers;
    for (int t = 0; t < kThreads; ++t) {
      committers.emplace_back([&, t] {
        for (int i = 0; i < kCommits; ++i) {
          std::string head = std::to_string(t) + ":" + std::to_string(i);
          std::string body = head + MakeRecord(i, (i * 997) % 9000);
          ASSERT_TRUE((*wal)->Log({head, body}).ok());
        }
      });
    }
    committers.clear();  // joins
    syncer.request_stop();
  }
  ReadResult r = ReadAll(fs, kDir);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.records.size(), 2u * kThreads * kCommits);
  std::vector<int> next(kThreads, 0);
  for (size_t i = 0; i < r.records.size(); i += 2) {
    const std::string& head = r.records[i];
    ASSERT_TRUE(r.records[i + 1].starts_with(head)) << "a batch was split at " << i;
    int t = std::stoi(head.substr(0, head.find(':')));
    int seq = std::stoi(head.substr(head.find(':') + 1));
    EXPECT_EQ(seq, next[t]++) << "thread " << t << " out of order";
    EXPECT_EQ(r.records[i + 1], head + MakeRecord(seq, (seq * 997) % 9000));
  }
}

}  // namespace
}  // namespace kubescrape::tsdb
