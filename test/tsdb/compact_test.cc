// Block compaction planning and merging (tsdb/compact.h).
#include "tsdb/compact.h"

#include <gtest/gtest.h>

#include <limits>

#include "test/tsdb/head_test_util.h"
#include "tsdb/head.h"

namespace kubescrape::tsdb {
namespace {

BlockMeta Meta(int64_t mint, int64_t maxt) {
  BlockMeta m;
  m.min_time = mint;
  m.max_time = maxt;
  return m;
}

const std::vector<int64_t> kRanges = {20, 60, 180, 540};

TEST(PlanCompactionTest, WaitsUntilARangeIsFullOrBehindTheNewestBlock) {
  EXPECT_TRUE(PlanCompaction({}, kRanges).empty());
  EXPECT_TRUE(PlanCompaction({Meta(0, 20)}, kRanges).empty());
  // Two of three 20s in the 60 window, the newest left alone: wait.
  EXPECT_TRUE(PlanCompaction({Meta(0, 20), Meta(20, 40), Meta(40, 60)}, kRanges).empty());
  // A fourth block: the first three fill [0,60).
  EXPECT_EQ(PlanCompaction({Meta(0, 20), Meta(20, 40), Meta(40, 60), Meta(60, 80)}, kRanges),
            (std::vector<size_t>{0, 1, 2}));
  // A gap: [0,20) and [40,60) lie wholly before the newest block.
  EXPECT_EQ(PlanCompaction({Meta(0, 20), Meta(40, 60), Meta(120, 140)}, kRanges), (std::vector<size_t>{0, 1}));
  // Already compacted 60s fill [0,180) once a newer block exists.
  EXPECT_EQ(PlanCompaction({Meta(0, 60), Meta(60, 120), Meta(120, 180), Meta(180, 200)}, kRanges),
            (std::vector<size_t>{0, 1, 2}));
  // A single block in a window is never "merged".
  EXPECT_TRUE(PlanCompaction({Meta(0, 60), Meta(60, 80)}, kRanges).empty());
}

TEST(PlanCompactionTest, OverlappingBlocksComeFirst) {
  EXPECT_EQ(PlanCompaction({Meta(0, 20), Meta(10, 30), Meta(40, 60)}, kRanges), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(PlanCompaction({Meta(0, 20), Meta(20, 40), Meta(30, 50), Meta(45, 60), Meta(80, 100)}, kRanges),
            (std::vector<size_t>{1, 2, 3}));
}

TEST(PlanCompactionTest, FailedBlocksAndTooLargeBlocksAreLeftAlone) {
  BlockMeta failed = Meta(20, 40);
  failed.compaction_failed = true;
  EXPECT_TRUE(PlanCompaction({Meta(0, 20), failed, Meta(60, 80)}, {20, 60}).empty());
  // A block larger than a window is not part of its groups.
  EXPECT_TRUE(PlanCompaction({Meta(0, 100), Meta(100, 120), Meta(200, 220)}, {20, 60}).empty());
}

TEST(CompactionRangesTest, AreExponentialUpToTheMaximum) {
  const int64_t h = 3600 * 1000;
  EXPECT_EQ(CompactionRanges(2 * h, 36 * h), (std::vector<int64_t>{2 * h, 6 * h, 18 * h}));
  EXPECT_EQ(CompactionRanges(2 * h, h), (std::vector<int64_t>{2 * h}));
}

std::vector<testing::Sample> SamplesOfSet(ChunkSeriesSet& set) {
  ChunkSampleIterator it(set.chunks(), std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
  return testing::Drain(it);
}

TEST(MergeChunkSetsTest, ConcatenatesDisjointAndReencodesOverlappingChunks) {
  const model::Labels a = model::Labels::FromPairs({{"__name__", "x"}, {"k", "a"}});
  const model::Labels b = model::Labels::FromPairs({{"__name__", "x"}, {"k", "b"}});
  const model::Labels c = model::Labels::FromPairs({{"__name__", "x"}, {"k", "c"}});
  Head h1, h2;
  {
    auto app = h1.NewAppender();
    for (int64_t t = 0; t < 300; ++t) app->Append(0, a, t * 10, 1);  // a: [0, 3000)
    for (int64_t t = 0; t < 10; ++t) app->Append(0, b, t * 10, 2);   // b: overlaps h2's b
    ASSERT_TRUE(app->Commit().ok());
  }
  {
    auto app = h2.NewAppender();
    for (int64_t t = 300; t < 400; ++t) app->Append(0, a, t * 10, 1);  // a continues: disjoint
    for (int64_t t = 5; t < 15; ++t) app->Append(0, b, t * 10, 3);     // b: t=50..90 overlap
    app->Append(0, c, 5, 4);
    ASSERT_TRUE(app->Commit().ok());
  }
  auto q1 = h1.NewChunkQuerier(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
  auto q2 = h2.NewChunkQuerier(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
  std::vector<std::unique_ptr<ChunkSeriesSet>> sets;
  sets.push_back(q1->SelectChunks({}));
  sets.push_back(q2->SelectChunks({}));
  auto merged = MergeChunkSets(std::move(sets));

  ASSERT_TRUE(merged->Next());
  EXPECT_EQ(merged->labels(), a);
  EXPECT_EQ(SamplesOfSet(*merged).size(), 400u);
  EXPECT_GE(merged->chunks()->chunks.size(), 4u);  // the heads' own chunks, kept as they are

  ASSERT_TRUE(merged->Next());
  EXPECT_EQ(merged->labels(), b);
  std::vector<testing::Sample> want;
  for (int64_t t = 0; t < 15; ++t) want.push_back({t * 10, t < 10 ? 2.0 : 3.0});  // the first set wins
  EXPECT_EQ(SamplesOfSet(*merged), want);
  ASSERT_EQ(merged->chunks()->chunks.size(), 1u);
  EXPECT_EQ(merged->chunks()->chunks[0].min_t, 0);
  EXPECT_EQ(merged->chunks()->chunks[0].max_t, 140);

  ASSERT_TRUE(merged->Next());
  EXPECT_EQ(merged->labels(), c);
  EXPECT_FALSE(merged->Next());
  EXPECT_TRUE(merged->status().ok());
}

}  // namespace
}  // namespace kubescrape::tsdb
