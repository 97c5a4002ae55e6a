// Rebuilding a head from what another head logged (the WAL replay path).
#include <gtest/gtest.h>

#include "test/tsdb/head_test_util.h"
#include "tsdb/head.h"

namespace kubescrape::tsdb {
namespace {

using testing::SamplesOf;

const model::Labels kA = model::Labels::FromPairs({{"__name__", "up"}, {"job", "a"}});
const model::Labels kB = model::Labels::FromPairs({{"__name__", "up"}, {"job", "b"}});

HeadOptions SmallHead(HeadLogger* logger = nullptr) {
  HeadOptions o;
  o.stripe_bits = 2;
  o.logger = logger;
  return o;
}

// Keeps everything logged, as a WAL would.
class MemLog : public HeadLogger {
 public:
  util::Status Log(std::span<const RefSeries> s, std::span<const RefSample> smp) override {
    series.insert(series.end(), s.begin(), s.end());
    samples.insert(samples.end(), smp.begin(), smp.end());
    return util::Status::Ok();
  }
  std::vector<RefSeries> series;
  std::vector<RefSample> samples;
};

TEST(HeadReplayTest, ReplayRebuildsWhatWasLogged) {
  MemLog log;
  Head original(SmallHead(&log));
  auto app = original.NewAppender();
  for (int64_t t = 0; t < 500; ++t) {
    app->Append(0, kA, t * 1000, static_cast<double>(t));
    if (t % 3 == 0) app->Append(0, kB, t * 1000, 1);
    if (t % 50 == 49) {
      ASSERT_TRUE(app->Commit().ok());
    }
  }
  ASSERT_TRUE(app->Commit().ok());

  Head replayed(SmallHead());
  replayed.ReplaySeries(log.series);
  EXPECT_EQ(replayed.ReplaySamples(log.samples), 0u);
  EXPECT_EQ(SamplesOf(replayed, kA), SamplesOf(original, kA));
  EXPECT_EQ(SamplesOf(replayed, kB), SamplesOf(original, kB));
  EXPECT_EQ(replayed.MinTime(), original.MinTime());
  EXPECT_EQ(replayed.MaxTime(), original.MaxTime());
  // Same refs: cached refs and later WAL records stay meaningful.
  auto next = replayed.NewAppender();
  const SeriesRef ref_a = log.series[0].ref;
  EXPECT_EQ(next->Append(ref_a, kA, 600000, 1).ref, ref_a);
  // New series get refs above the replayed ones.
  const model::Labels c = model::Labels::FromPairs({{"__name__", "up"}, {"job", "c"}});
  EXPECT_GT(next->Append(0, c, 600000, 1).ref, log.series[1].ref);
  ASSERT_TRUE(next->Commit().ok());
  // Replaying again changes nothing (all duplicates).
  replayed.ReplaySamples(log.samples);
  EXPECT_EQ(SamplesOf(replayed, kA).size(), 501u);
}

TEST(HeadReplayTest, UnknownRefsAreCountedAndAliasesFollowed) {
  Head head(SmallHead());
  head.ReplaySeries(std::vector<RefSeries>{{7, kA}, {9, kA}, {8, kB}});  // 9 aliases 7
  std::vector<RefSample> samples = {{7, 1000, 1}, {9, 2000, 2}, {42, 1000, 1}, {42, 2000, 1}, {8, 1000, 3}};
  EXPECT_EQ(head.ReplaySamples(samples), 2u);
  EXPECT_EQ(SamplesOf(head, kA), (std::vector<testing::Sample>{{1000, 1}, {2000, 2}}));
  EXPECT_EQ(SamplesOf(head, kB), (std::vector<testing::Sample>{{1000, 3}}));
  EXPECT_EQ(head.stats().num_series, 2u);
}

// Batches long enough for the prefetching pipeline (runs looked up 8 ahead,
// a ring of 16): every run lands in its own series, unknown refs and
// aliases anywhere in the batch, runs of one to three samples.
TEST(HeadReplayTest, LongBatchesApplyEveryRunToItsSeries) {
  Head head(SmallHead());
  std::vector<RefSeries> series;
  std::vector<model::Labels> labels;
  for (int i = 0; i < 300; ++i) {
    labels.push_back(model::Labels::FromPairs({{"__name__", "m"}, {"i", std::to_string(i)}}));
    series.push_back({static_cast<SeriesRef>(10 + i), labels.back()});
  }
  series.push_back({1000, labels[5]});  // ref 1000 aliases ref 15
  head.ReplaySeries(series);
  std::vector<RefSample> batch;  // grouped by ref, as the WAL replayer hands it over
  uint64_t unknown = 0;
  for (int i = 0; i < 300; ++i) {
    const SeriesRef ref = static_cast<SeriesRef>(10 + i);
    for (int k = 0; k < 1 + i % 3; ++k) batch.push_back({ref, 1000 * (k + 1), static_cast<double>(i * 10 + k)});
    if (i % 50 == 7) {
      batch.push_back({static_cast<SeriesRef>(5000 + i), 1000, 1});  // no such series
      ++unknown;
    }
  }
  batch.push_back({1000, 9000, 99});  // via the alias, after ref 15's own samples
  EXPECT_EQ(head.ReplaySamples(batch), unknown);
  for (int i = 0; i < 300; ++i) {
    std::vector<testing::Sample> want;
    for (int k = 0; k < 1 + i % 3; ++k) want.push_back({1000 * (k + 1), static_cast<double>(i * 10 + k)});
    if (i == 5) want.push_back({9000, 99});
    EXPECT_EQ(SamplesOf(head, labels[i]), want) << i;
  }
  EXPECT_EQ(head.stats().num_series, 300u);
}

}  // namespace
}  // namespace kubescrape::tsdb
