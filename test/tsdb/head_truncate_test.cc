// Head::Truncate: old chunks dropped, empty series collected with their
// postings and symbols, memory bounded under churn, open appenders and
// queriers protected.
#include <gtest/gtest.h>

#include "test/tsdb/head_test_util.h"
#include "tsdb/head.h"

namespace kubescrape::tsdb {
namespace {

using model::MatchType;
using testing::M;
using testing::Query;
using testing::SamplesOf;

constexpr int64_t kHour = 3600 * 1000;

HeadOptions SmallHead() {
  HeadOptions o;
  o.stripe_bits = 2;
  return o;
}

model::Labels Pod(int round, int i) {
  return model::Labels::FromPairs({{"__name__", "container_cpu_usage_seconds_total"},
                                   {"namespace", "ns"},
                                   {"pod", "web-" + std::to_string(round) + "-" + std::to_string(i)},
                                   {"job", "kubelet"}});
}

TEST(HeadTruncateTest, DropsChunksBeforeMintAndTheSeriesLeftEmpty) {
  Head head(SmallHead());
  const model::Labels old_series = Pod(0, 0);
  const model::Labels live = Pod(0, 1);
  auto app = head.NewAppender();
  for (int64_t t = 0; t < 3 * kHour; t += 15000) {
    if (t < kHour) app->Append(0, old_series, t, 1);
    app->Append(0, live, t, 2);
  }
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(head.stats().num_series, 2u);
  const size_t chunks_before = head.ChunksOf(live).size();

  head.Truncate(2 * kHour);
  HeadStats st = head.stats();
  EXPECT_EQ(st.num_series, 1u);
  EXPECT_EQ(st.series_removed, 1u);
  EXPECT_TRUE(head.ChunksOf(old_series).empty());
  std::vector<Head::ChunkInfo> chunks = head.ChunksOf(live);
  ASSERT_FALSE(chunks.empty());
  EXPECT_LT(chunks.size(), chunks_before);
  EXPECT_GE(chunks.front().max_t, 2 * kHour);
  EXPECT_EQ(head.MinTime(), chunks.front().min_t);
  // Whole chunks only: nothing in a kept chunk is lost.
  EXPECT_EQ(SamplesOf(head, live).front().t, chunks.front().min_t);

  // The removed series is gone from postings and label values.
  EXPECT_TRUE(Query(head, INT64_MIN, INT64_MAX, {M(MatchType::kEqual, "pod", "web-0-0")}).empty());
  auto q = head.NewQuerier(INT64_MIN, INT64_MAX);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*(*q)->LabelValues("pod", {}), (std::vector<std::string>{"web-0-1"}));

  // Samples older than the truncation point are out of bounds now.
  auto late = head.NewAppender();
  EXPECT_EQ(late->Append(0, old_series, 2 * kHour - 1, 1).error, AppendError::kOutOfBounds);
  EXPECT_EQ(late->Append(0, old_series, 3 * kHour, 1).error, AppendError::kNone);
  ASSERT_TRUE(late->Commit().ok());
  EXPECT_EQ(head.stats().num_series, 2u);  // re-created
}

TEST(HeadTruncateTest, MemoryDoesNotGrowUnderPodChurn) {
  Head head(SmallHead());
  size_t peak_series = 0, first_round_bytes = 0, last_round_bytes = 0;
  uint64_t peak_symbols = 0, last_symbols = 0;
  for (int round = 0; round < 30; ++round) {
    // Each round's pods live for one hour, then are replaced.
    auto app = head.NewAppender();
    const int64_t base = round * kHour;
    for (int i = 0; i < 50; ++i) {
      SeriesRef ref = 0;
      for (int64_t t = base; t < base + kHour; t += 60000) ref = app->Append(ref, Pod(round, i), t, 1).ref;
    }
    ASSERT_TRUE(app->Commit().ok());
    head.Truncate(base);  // keeps only the current round
    HeadStats st = head.stats();
    peak_series = std::max<size_t>(peak_series, st.num_series);
    peak_symbols = std::max(peak_symbols, st.num_symbols);
    last_symbols = st.num_symbols;
    if (round == 1) first_round_bytes = head.MemoryUsage().total();
    last_round_bytes = head.MemoryUsage().total();
  }
  EXPECT_EQ(peak_series, 50u);
  EXPECT_EQ(head.stats().series_removed, 29u * 50);
  // name, namespace, job: 6 strings shared; per pod name one value.
  EXPECT_EQ(last_symbols, 4 + 2 + 1 + 50u);
  EXPECT_LE(peak_symbols, last_symbols);
  EXPECT_LE(last_round_bytes, first_round_bytes + first_round_bytes / 10);
}

TEST(HeadTruncateTest, AnOpenAppenderKeepsTheSeriesItTouched) {
  Head head(SmallHead());
  auto app = head.NewAppender();
  SeriesRef ref = app->Append(0, Pod(0, 0), 10 * kHour, 1).ref;  // created, not committed
  head.Truncate(kHour);
  EXPECT_EQ(head.stats().num_series, 1u);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(SamplesOf(head, Pod(0, 0)).size(), 1u);
  // The cached ref still works.
  EXPECT_EQ(app->Append(ref, Pod(0, 0), 10 * kHour + 1, 2).ref, ref);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(SamplesOf(head, Pod(0, 0)).size(), 2u);
}

TEST(HeadTruncateTest, RolledBackSeriesAreCollected) {
  Head head(SmallHead());
  auto app = head.NewAppender();
  app->Append(0, Pod(0, 0), 1000, 1);
  app->Rollback();
  EXPECT_EQ(head.stats().num_series, 1u);
  head.Truncate(0);
  EXPECT_EQ(head.stats().num_series, 0u);
  EXPECT_EQ(head.stats().num_symbols, 0u);
}

TEST(HeadTruncateTest, StaleRefAfterCollectionFallsBackToLabels) {
  Head head(SmallHead());
  auto app = head.NewAppender();
  SeriesRef old_ref = app->Append(0, Pod(0, 0), 1000, 1).ref;
  ASSERT_TRUE(app->Commit().ok());
  head.Truncate(2000);
  EXPECT_EQ(head.stats().num_series, 0u);
  AppendResult r = app->Append(old_ref, Pod(0, 0), 3000, 2);
  EXPECT_EQ(r.error, AppendError::kNone);
  EXPECT_NE(r.ref, old_ref);  // refs are never reused
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(SamplesOf(head, Pod(0, 0)), (std::vector<testing::Sample>{{3000, 2}}));
}

TEST(HeadTruncateTest, AQuerierOpenedBeforeKeepsReadingDroppedChunks) {
  Head head(SmallHead());
  const model::Labels l = Pod(0, 0);
  auto app = head.NewAppender();
  for (int64_t t = 0; t < 2 * kHour; t += 15000) app->Append(0, l, t, 1);
  ASSERT_TRUE(app->Commit().ok());
  auto q = head.NewQuerier(0, 2 * kHour);
  ASSERT_TRUE(q.ok());
  std::vector<model::Matcher> ms = {M(MatchType::kEqual, "pod", "web-0-0")};
  auto set = (*q)->Select(ms);
  ASSERT_TRUE(set->Next());
  auto it = set->Samples();
  head.Truncate(3 * kHour);  // drops every chunk and the series
  EXPECT_EQ(head.stats().num_series, 0u);
  // Still readable (ASan would flag a use after free), then freed on close.
  EXPECT_EQ(testing::Drain(*it).size(), 480u);
  EXPECT_EQ(set->labels(), l);
  EXPECT_FALSE(set->Next());
  it.reset();
  set.reset();
  q->reset();
  EXPECT_EQ(head.stats().num_symbols, 0u);
}

}  // namespace
}  // namespace kubescrape::tsdb
