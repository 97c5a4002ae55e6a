// Db with blocks: the head's oldest range written as a block, the WAL
// checkpointed behind it, queries merging blocks and head, retention by
// time and size (tsdb/db.h), on MemFileSystem.
#include <gtest/gtest.h>

#include <algorithm>

#include "test/tsdb/head_test_util.h"
#include "tsdb/block_writer.h"
#include "tsdb/compact.h"
#include "tsdb/db.h"
#include "tsdb/ulid.h"
#include "tsdb/wal_format.h"
#include "util/clock.h"

namespace kubescrape::tsdb {
namespace {

using testing::Query;
using testing::Sample;
using testing::SamplesOf;
using util::MemFileSystem;

const std::string kDir = "data";
const model::Labels kA = model::Labels::FromPairs({{"__name__", "up"}, {"job", "a"}});
const model::Labels kB = model::Labels::FromPairs({{"__name__", "up"}, {"job", "b"}});
constexpr int64_t kRange = 10'000;  // block range (ms) for the tests

class DbBlocksTest : public ::testing::Test {
 protected:
  DbOptions Options() {
    DbOptions o;
    o.wal_sync_period = std::chrono::milliseconds(0);
    o.maintenance_period = std::chrono::milliseconds(0);  // Compact()/ApplyRetention() by hand
    o.retention = std::chrono::milliseconds(0);
    o.head.stripe_bits = 2;
    o.head.chunk_range_ms = kRange;
    o.max_block_duration_ms = kRange;  // no merging of blocks unless a test asks
    o.wal.segment_size = wal_format::kPageSize;  // many segments, so checkpoints happen
    o.clock = &clock_;
    return o;
  }
  std::unique_ptr<Db> OpenDb(DbOptions o) {
    auto db = Db::Open(fs_, kDir, o);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? *std::move(db) : nullptr;
  }
  // One sample per series every 100 ms in [from, to); series a gets t/100,
  // series b (when `b`) gets -t/100.
  void Fill(Db& db, int64_t from, int64_t to, bool b = true) {
    for (int64_t t = from; t < to; t += 100) {
      auto app = db.NewAppender();
      app->Append(0, kA, t, static_cast<double>(t / 100));
      if (b) app->Append(0, kB, t, -static_cast<double>(t / 100));
      ASSERT_TRUE(app->Commit().ok());
    }
  }
  static std::vector<Sample> Expected(int64_t from, int64_t to, double sign = 1) {
    std::vector<Sample> out;
    for (int64_t t = from; t < to; t += 100) out.push_back({t, sign * static_cast<double>(t / 100)});
    return out;
  }
  std::vector<std::string> BlockDirs() {
    std::vector<std::string> out;
    const std::vector<std::string> names = *fs_.ListDir(kDir);
    for (const std::string& n : names) {
      if (ValidUlid(n)) out.push_back(n);
    }
    return out;
  }
  std::vector<std::string> WalEntries() { return *fs_.ListDir(kDir + "/wal"); }

  MemFileSystem fs_;
  util::FakeClock clock_{1'000'000};
};

TEST_F(DbBlocksTest, HeadIsCompactedPastOneAndAHalfRanges) {
  auto db = OpenDb(Options());
  Fill(*db, 0, 15'000);  // exactly 1.5 ranges minus a step: not yet
  ASSERT_TRUE(db->Compact().ok());
  EXPECT_TRUE(BlockDirs().empty());
  Fill(*db, 15'000, 16'000);
  ASSERT_TRUE(db->Compact().ok());
  ASSERT_EQ(BlockDirs().size(), 1u);
  auto blocks = db->Blocks();
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0]->meta().min_time, 0);
  EXPECT_EQ(blocks[0]->meta().max_time, kRange);
  EXPECT_EQ(blocks[0]->meta().stats.num_series, 2u);
  EXPECT_EQ(blocks[0]->meta().stats.num_samples, 200u);
  EXPECT_GE(db->head().MinTime(), kRange);  // the head let go of the range
  EXPECT_EQ(db->stats().blocks.compactions, 1u);
  // Queries see block and head as one.
  EXPECT_EQ(SamplesOf(*db, kA), Expected(0, 16'000));
  EXPECT_EQ(SamplesOf(*db, kB), Expected(0, 16'000, -1));
  EXPECT_EQ(SamplesOf(*db, kA, 9'950, 10'150), Expected(10'000, 10'200));
  // Appending into the compacted range is out of bounds now.
  auto app = db->NewAppender();
  EXPECT_EQ(app->Append(0, kA, 9'999, 1).error, AppendError::kOutOfBounds);
  app->Rollback();
}

TEST_F(DbBlocksTest, LabelQueriesSpanBlocksAndHead) {
  auto db = OpenDb(Options());
  Fill(*db, 0, 10'000);
  Fill(*db, 10'000, 16'000, /*b=*/false);  // series b only in what becomes the block
  ASSERT_TRUE(db->Compact().ok());
  ASSERT_EQ(db->Blocks().size(), 1u);
  auto q = db->NewQuerier(0, 20'000);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*(*q)->LabelValues("job", {}), (std::vector<std::string>{"a", "b"}));
  auto head_only = db->NewQuerier(12'000, 20'000);
  ASSERT_TRUE(head_only.ok());
  EXPECT_EQ(*(*head_only)->LabelValues("job", {}), (std::vector<std::string>{"a"}));
}

TEST_F(DbBlocksTest, WalIsCheckpointedAndReopenLosesNothing) {
  {
    auto db = OpenDb(Options());
    Fill(*db, 0, 36'000);
    ASSERT_TRUE(db->Compact().ok());
    EXPECT_EQ(db->Blocks().size(), 3u);  // [0,10s), [10s,20s), [20s,30s)
    EXPECT_GE(db->stats().blocks.checkpoints, 1u);
    std::vector<std::string> wal = WalEntries();
    EXPECT_TRUE(std::any_of(wal.begin(), wal.end(), [](const std::string& n) {
      return wal_format::ParseCheckpointName(n).has_value();
    }));
    EXPECT_FALSE(std::any_of(wal.begin(), wal.end(), [](const std::string& n) { return n == "00000000"; }));
    Fill(*db, 36'000, 37'000);
    ASSERT_TRUE(db->Close().ok());
  }
  auto db = OpenDb(Options());
  EXPECT_EQ(db->Blocks().size(), 3u);
  EXPECT_EQ(SamplesOf(*db, kA), Expected(0, 37'000));
  EXPECT_EQ(SamplesOf(*db, kB), Expected(0, 37'000, -1));
  // It goes on appending and compacting from where it was.
  Fill(*db, 37'000, 46'000);
  ASSERT_TRUE(db->Compact().ok());
  EXPECT_EQ(db->Blocks().size(), 4u);
  EXPECT_EQ(SamplesOf(*db, kA), Expected(0, 46'000));
}

TEST_F(DbBlocksTest, ACrashBetweenBlockAndWalTruncationDuplicatesNothing) {
  // A crash after a block was written but before the head and WAL were
  // truncated: the WAL still holds the block's range.
  DbOptions o = Options();
  o.compact_head = false;
  {
    auto db = OpenDb(o);
    Fill(*db, 0, 16'000);
    ASSERT_TRUE(db->Close().ok());
  }
  {
    HeadOptions ho;
    ho.chunk_range_ms = kRange;
    ho.stripe_bits = 2;
    Head head(ho);
    auto app = head.NewAppender();
    for (int64_t t = 0; t < 16'000; t += 100) app->Append(0, kA, t, static_cast<double>(t / 100));
    ASSERT_TRUE(app->Commit().ok());
    auto q = head.NewChunkQuerier(0, kRange - 1);
    auto set = q->SelectChunks({});
    auto meta = WriteBlock(fs_, kDir, *set, 0, kRange, WriteInfo(NewUlid(1, 2, 3)));
    ASSERT_TRUE(meta.ok() && meta->has_value()) << meta.status().ToString();
  }
  auto db = OpenDb(Options());
  ASSERT_EQ(db->Blocks().size(), 1u);
  EXPECT_GE(db->head().MinTime(), kRange);
  EXPECT_EQ(SamplesOf(*db, kA), Expected(0, 16'000));
  EXPECT_EQ(SamplesOf(*db, kB), Expected(kRange, 16'000, -1));  // the block had only a
}

TEST_F(DbBlocksTest, UnfinishedBlockDirectoriesAreRemovedOnOpen) {
  ASSERT_TRUE(fs_.CreateDirAll(kDir + "/01JDKZ2Y4S3N6Q8R0T2V4X6Z8A.tmp-for-creation/chunks").ok());
  ASSERT_TRUE(fs_.CreateDirAll(kDir + "/01JDKZ2Y4S3N6Q8R0T2V4X6Z8B.tmp-for-deletion").ok());
  auto db = OpenDb(Options());
  const std::vector<std::string> names = *fs_.ListDir(kDir);
  for (const std::string& n : names) EXPECT_EQ(n.find(".tmp-for-"), std::string::npos) << n;
}

TEST_F(DbBlocksTest, ACorruptBlockFailsOpenNamingIt) {
  {
    auto db = OpenDb(Options());
    Fill(*db, 0, 16'000);
    ASSERT_TRUE(db->Compact().ok());
    ASSERT_TRUE(db->Close().ok());
  }
  const std::string index = kDir + "/" + BlockDirs()[0] + "/index";
  auto data = fs_.ReadFile(index);
  ASSERT_TRUE(data.ok());
  std::string bad = *data;
  bad[0] ^= 0xFF;  // magic
  ASSERT_TRUE(fs_.RemoveFile(index).ok());
  auto f = fs_.NewWritableFile(index);
  ASSERT_TRUE((*f)->Append(bad).ok());
  ASSERT_TRUE((*f)->Close().ok());
  auto db = Db::Open(fs_, kDir, Options());
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().message().find(BlockDirs()[0]), std::string::npos) << db.status().ToString();
}

TEST_F(DbBlocksTest, TimeRetentionDeletesBlocksRelativeToTheNewest) {
  DbOptions o = Options();
  o.retention = std::chrono::milliseconds(2 * kRange);
  clock_.SetMillis(0);  // the head also drops data older than now - retention
  auto db = OpenDb(o);
  Fill(*db, 0, 46'000);
  ASSERT_TRUE(db->Compact().ok());
  ASSERT_EQ(db->Blocks().size(), 4u);  // ends 10s, 20s, 30s, 40s
  clock_.SetMillis(46'000);
  db->ApplyRetention();
  // Blocks ending 20 s or more before the newest one's end go.
  auto blocks = db->Blocks();
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0]->meta().min_time, 2 * kRange);
  EXPECT_EQ(BlockDirs().size(), 2u);
  EXPECT_EQ(db->stats().blocks.time_retentions, 2u);
  EXPECT_EQ(SamplesOf(*db, kA), Expected(2 * kRange, 46'000));
}

TEST_F(DbBlocksTest, SizeRetentionDeletesTheOldestBlocks) {
  DbOptions o = Options();
  uint64_t newest_two = 0;
  {
    auto db = OpenDb(o);
    Fill(*db, 0, 46'000);
    ASSERT_TRUE(db->Compact().ok());
    auto blocks = db->Blocks();
    ASSERT_EQ(blocks.size(), 4u);
    newest_two = blocks[2]->size_bytes() + blocks[3]->size_bytes();
    ASSERT_TRUE(db->Close().ok());
  }
  // The WAL counts too (as Prometheus's head size): exactly the newest two
  // blocks fit beside it.
  uint64_t wal_bytes = 0;
  for (const std::string& n : WalEntries()) {
    const std::string path = kDir + "/wal/" + n;
    if (*fs_.IsDirectory(path)) {
      const std::vector<std::string> files = *fs_.ListDir(path);
      for (const std::string& f : files) wal_bytes += *fs_.FileSize(path + "/" + f);
    } else {
      wal_bytes += *fs_.FileSize(path);
    }
  }
  o.retention_bytes = wal_bytes + newest_two;
  auto db = OpenDb(o);
  EXPECT_EQ(db->Blocks().size(), 2u);
  EXPECT_GE(db->stats().blocks.size_retentions, 2u);
  auto blocks = db->Blocks();
  ASSERT_FALSE(blocks.empty());
  EXPECT_EQ(blocks.back()->meta().max_time, 4 * kRange);  // the newest survives
  EXPECT_EQ(BlockDirs().size(), blocks.size());
}

TEST_F(DbBlocksTest, QueriersKeepDeletedBlocksReadable) {
  DbOptions o = Options();
  o.retention = std::chrono::milliseconds(kRange);
  clock_.SetMillis(0);
  auto db = OpenDb(o);
  Fill(*db, 0, 36'000);
  ASSERT_TRUE(db->Compact().ok());
  ASSERT_EQ(db->Blocks().size(), 3u);
  auto q = db->NewQuerier(0, 5'000);
  ASSERT_TRUE(q.ok());
  clock_.SetMillis(36'000);
  db->ApplyRetention();
  EXPECT_EQ(db->Blocks().size(), 1u);
  std::vector<model::Matcher> ms = {testing::M(model::MatchType::kEqual, "job", "a")};
  auto set = (*q)->Select(ms);
  ASSERT_TRUE(set->Next());
  auto it = set->Samples();
  EXPECT_EQ(testing::Drain(*it), Expected(0, 5'100));
}

TEST_F(DbBlocksTest, AdjacentBlocksAreMergedIntoTheNextRange) {
  DbOptions o = Options();
  o.max_block_duration_ms = 3 * kRange;  // ranges 10 s, 30 s
  {
    auto db = OpenDb(o);
    Fill(*db, 0, 36'000);
    ASSERT_TRUE(db->Compact().ok());
    // [0,10) [10,20) [20,30): the newest is left alone, two do not fill 30 s.
    ASSERT_EQ(db->Blocks().size(), 3u);
    Fill(*db, 36'000, 46'000);
    ASSERT_TRUE(db->Compact().ok());
    // [30,40) arrived: the first three fill [0,30) and become one block.
    auto blocks = db->Blocks();
    ASSERT_EQ(blocks.size(), 2u);
    const BlockMeta& m = blocks[0]->meta();
    EXPECT_EQ(m.min_time, 0);
    EXPECT_EQ(m.max_time, 3 * kRange);
    EXPECT_EQ(m.compaction_level, 2);
    EXPECT_EQ(m.parents.size(), 3u);
    EXPECT_EQ(m.compaction_sources.size(), 3u);
    EXPECT_EQ(m.stats.num_samples, 600u);
    EXPECT_EQ(m.stats.num_series, 2u);
    EXPECT_EQ(BlockDirs().size(), 2u);  // the parents are gone from disk
    EXPECT_EQ(SamplesOf(*db, kA), Expected(0, 46'000));
    EXPECT_EQ(SamplesOf(*db, kB), Expected(0, 46'000, -1));
    ASSERT_TRUE(db->Close().ok());
  }
  auto db = OpenDb(o);
  EXPECT_EQ(db->Blocks().size(), 2u);
  EXPECT_EQ(SamplesOf(*db, kA), Expected(0, 46'000));
}

TEST_F(DbBlocksTest, ParentsLeftByACrashedCompactionAreRemovedOnOpen) {
  DbOptions o = Options();
  {
    auto db = OpenDb(o);
    Fill(*db, 0, 46'000);
    ASSERT_TRUE(db->Compact().ok());
    ASSERT_EQ(db->Blocks().size(), 4u);
    ASSERT_TRUE(db->Close().ok());
  }
  // Merge the first two by hand, as a compaction that crashed before
  // deleting its parents would leave them.
  std::vector<std::string> dirs = BlockDirs();
  std::vector<std::shared_ptr<Block>> parents;
  for (const std::string& d : dirs) {
    auto b = Block::Open(fs_, kDir + "/" + d);
    ASSERT_TRUE(b.ok());
    if ((*b)->meta().max_time <= 2 * kRange) parents.push_back(*b);
  }
  ASSERT_EQ(parents.size(), 2u);
  {
    BlockWriteInfo info = WriteInfo(NewUlid(5, 6, 7));
    info.compaction_level = 2;
    std::vector<std::unique_ptr<ChunkQuerier>> qs;
    std::vector<std::unique_ptr<ChunkSeriesSet>> sets;
    for (const auto& p : parents) {
      info.parents.push_back(BlockDesc{p->meta().ulid, p->meta().min_time, p->meta().max_time});
      qs.push_back(p->NewChunkQuerier(0, 2 * kRange - 1));
      sets.push_back(qs.back()->SelectChunks({}));
    }
    auto merged = MergeChunkSets(std::move(sets));
    auto meta = WriteBlock(fs_, kDir, *merged, 0, 2 * kRange, info);
    ASSERT_TRUE(meta.ok() && meta->has_value());
  }
  ASSERT_EQ(BlockDirs().size(), 5u);
  auto db = OpenDb(o);
  EXPECT_EQ(db->Blocks().size(), 3u);
  EXPECT_EQ(BlockDirs().size(), 3u);
  EXPECT_EQ(SamplesOf(*db, kA), Expected(0, 46'000));
}

}  // namespace
}  // namespace kubescrape::tsdb
