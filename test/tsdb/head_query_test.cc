// The Head's read side: Select through postings (checked against
// MemoryStorage as the oracle), time ranges, Seek across chunks, LabelNames
// and LabelValues.
#include <gtest/gtest.h>

#include <random>

#include "test/tsdb/head_test_util.h"
#include "tsdb/head.h"
#include "tsdb/memory_storage.h"

namespace kubescrape::tsdb {
namespace {

using model::MatchType;
using testing::Describe;
using testing::M;
using testing::Query;
using testing::Sample;
using testing::Series;

HeadOptions SmallHead() {
  HeadOptions o;
  o.stripe_bits = 3;
  return o;
}

// Writes the same random data into a Head and a MemoryStorage.
class HeadQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937 rng(11);
    const char* jobs[] = {"api", "db", "web"};
    const char* envs[] = {"", "prod", "dev"};
    auto a = head_.NewAppender();
    auto b = oracle_.NewAppender();
    for (int i = 0; i < 60; ++i) {
      const std::string instance = "10.0.0." + std::to_string(i % 7);
      const std::string id = std::to_string(i);
      std::vector<model::Label> ls = {{"__name__", i % 2 ? "up" : "cpu_seconds_total"},
                                      {"job", jobs[i % 3]},
                                      {"instance", instance},
                                      {"env", envs[rng() % 3]},
                                      {"id", id}};
      model::Labels labels = model::Labels::FromUnsorted(ls);
      // Series start and stop at different times; 300 samples each at most.
      const int64_t start = static_cast<int64_t>(rng() % 200) * 15000;
      const int n = 1 + static_cast<int>(rng() % 300);
      SeriesRef ra = 0, rb = 0;
      for (int k = 0; k < n; ++k) {
        const int64_t t = start + k * 15000 + static_cast<int64_t>(rng() % 5);
        const double v = static_cast<double>(rng() % 1000);
        ra = a->Append(ra, labels, t, v).ref;
        rb = b->Append(rb, labels, t, v).ref;
      }
    }
    ASSERT_TRUE(a->Commit().ok());
    ASSERT_TRUE(b->Commit().ok());
  }

  void ExpectSame(int64_t mint, int64_t maxt, const std::vector<model::Matcher>& ms) {
    std::vector<Series> got = Query(head_, mint, maxt, ms);
    std::vector<Series> want = Query(oracle_, mint, maxt, ms);
    std::string desc;
    for (const auto& m : ms) desc += m.ToString() + " ";
    ASSERT_EQ(got.size(), want.size()) << desc << "\nhead:\n" << Describe(got) << "oracle:\n" << Describe(want);
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i].labels, want[i].labels) << desc;
      ASSERT_EQ(got[i].samples, want[i].samples) << desc << got[i].labels.ToString();
    }
  }

  Head head_{SmallHead()};
  MemoryStorage oracle_;
};

TEST_F(HeadQueryTest, SelectMatchesTheOracle) {
  const std::vector<std::vector<model::Matcher>> cases = {
      {M(MatchType::kEqual, "__name__", "up")},
      {M(MatchType::kEqual, "__name__", "up"), M(MatchType::kEqual, "job", "db")},
      {M(MatchType::kNotEqual, "job", "db")},
      {M(MatchType::kRegexMatch, "job", "api|web"), M(MatchType::kRegexNoMatch, "instance", ".*[12]")},
      {M(MatchType::kEqual, "env", "")},
      {M(MatchType::kNotEqual, "env", "")},
      {M(MatchType::kRegexMatch, "env", "|dev")},
      {M(MatchType::kRegexMatch, "__name__", ".+")},
      {M(MatchType::kRegexNoMatch, "env", ".*")},
      {M(MatchType::kEqual, "missing", "")},
      {M(MatchType::kEqual, "missing", "x")},
  };
  for (const auto& ms : cases) {
    ExpectSame(INT64_MIN, INT64_MAX, ms);
    ExpectSame(1000000, 2000000, ms);
    ExpectSame(0, 0, ms);
    ExpectSame(2999990, 4000000, ms);
  }
}

TEST_F(HeadQueryTest, ResultsAreSortedByLabels) {
  std::vector<Series> got = Query(head_, INT64_MIN, INT64_MAX, {M(MatchType::kRegexMatch, "job", ".+")});
  ASSERT_EQ(got.size(), 60u);
  for (size_t i = 1; i < got.size(); ++i) EXPECT_LT(got[i - 1].labels, got[i].labels);
}

TEST_F(HeadQueryTest, LabelNamesAndValuesMatchTheOracle) {
  for (auto [mint, maxt] : {std::pair<int64_t, int64_t>{INT64_MIN, INT64_MAX}, {1000000, 1100000}, {-10, -1}}) {
    auto hq = head_.NewQuerier(mint, maxt);
    auto oq = oracle_.NewQuerier(mint, maxt);
    ASSERT_TRUE(hq.ok() && oq.ok());
    for (const auto& ms : std::vector<std::vector<model::Matcher>>{
             {}, {M(MatchType::kEqual, "job", "db")}, {M(MatchType::kNotEqual, "env", "")}}) {
      auto hn = (*hq)->LabelNames(ms);
      auto on = (*oq)->LabelNames(ms);
      ASSERT_TRUE(hn.ok() && on.ok());
      EXPECT_EQ(*hn, *on) << mint;
      for (const char* name : {"env", "instance", "__name__", "missing"}) {
        auto hv = (*hq)->LabelValues(name, ms);
        auto ov = (*oq)->LabelValues(name, ms);
        ASSERT_TRUE(hv.ok() && ov.ok());
        EXPECT_EQ(*hv, *ov) << name << " " << mint;
      }
    }
  }
}

TEST(HeadReadTest, SeekAcrossChunksAndWithinRange) {
  Head head(SmallHead());
  const model::Labels l = model::Labels::FromPairs({{"__name__", "x"}});
  auto app = head.NewAppender();
  for (int64_t t = 0; t < 1000; ++t) app->Append(0, l, t * 10, static_cast<double>(t));  // ~8 chunks
  ASSERT_TRUE(app->Commit().ok());
  ASSERT_GT(head.ChunksOf(l).size(), 4u);
  auto q = head.NewQuerier(100, 8000);
  ASSERT_TRUE(q.ok());
  std::vector<model::Matcher> ms = {M(MatchType::kEqual, "__name__", "x")};
  auto set = (*q)->Select(ms);
  ASSERT_TRUE(set->Next());
  auto it = set->Samples();
  ASSERT_TRUE(it->Seek(0));  // clamped to the querier's mint
  EXPECT_EQ(it->t(), 100);
  ASSERT_TRUE(it->Seek(5005));  // several chunks ahead
  EXPECT_EQ(it->t(), 5010);
  EXPECT_EQ(it->v(), 501);
  ASSERT_TRUE(it->Seek(10));  // stays
  EXPECT_EQ(it->t(), 5010);
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(it->t(), 5020);
  ASSERT_TRUE(it->Seek(8000));
  EXPECT_FALSE(it->Next());  // 8010 is past maxt
  EXPECT_FALSE(it->Seek(8000));
  auto fresh = set->Samples();
  EXPECT_FALSE(fresh->Seek(8001));
  EXPECT_FALSE(set->Next());
}

// NextBatch reads what Next would, across chunks and up to the querier's
// maxt; a full batch leaves the iterator on the last sample it stored.
TEST(HeadReadTest, NextBatchReadsWhatNextReads) {
  Head head(SmallHead());
  const model::Labels l = model::Labels::FromPairs({{"__name__", "x"}});
  auto app = head.NewAppender();
  for (int64_t t = 0; t < 1000; ++t) app->Append(0, l, t * 10, static_cast<double>(t));  // ~8 chunks
  ASSERT_TRUE(app->Commit().ok());
  auto q = head.NewQuerier(100, 8000);
  ASSERT_TRUE(q.ok());
  std::vector<model::Matcher> ms = {M(MatchType::kEqual, "__name__", "x")};
  auto set = (*q)->Select(ms);
  ASSERT_TRUE(set->Next());
  auto by_next = set->Samples();
  auto by_batch = set->Samples();
  ASSERT_TRUE(by_batch->Seek(150));
  ASSERT_TRUE(by_next->Seek(150));
  std::vector<tsdb::Sample> batch(37);  // not a divisor of anything here
  int64_t expect_t = 150;
  for (;;) {
    const size_t n = by_batch->NextBatch(batch);
    for (size_t i = 0; i < n; ++i) {
      ASSERT_TRUE(by_next->Next());
      EXPECT_EQ(batch[i].t, by_next->t());
      EXPECT_EQ(batch[i].v, by_next->v());
      EXPECT_EQ(batch[i].t, expect_t += 10);
    }
    if (n == batch.size()) {
      EXPECT_EQ(by_batch->t(), batch[n - 1].t);  // a full batch: on the last one stored
    }
    if (n < batch.size()) break;
  }
  EXPECT_EQ(expect_t, 8000);  // maxt is the last
  EXPECT_FALSE(by_next->Next());
  EXPECT_EQ(by_batch->NextBatch(batch), 0u);
}

TEST(HeadReadTest, ASeriesIsSelectedByItsChunksEvenInAGap) {
  // As Prometheus (and /api/v1/series there): a chunk overlapping the range
  // selects its series; the iterator then has no sample in the range.
  Head head(SmallHead());
  const model::Labels l = model::Labels::FromPairs({{"__name__", "gap"}});
  auto app = head.NewAppender();
  app->Append(0, l, 1000, 1);
  app->Append(0, l, 9000, 2);  // one chunk [1000, 9000]
  ASSERT_TRUE(app->Commit().ok());
  auto in_gap = Query(head, 2000, 8000, {M(MatchType::kEqual, "__name__", "gap")});
  ASSERT_EQ(in_gap.size(), 1u);
  EXPECT_TRUE(in_gap[0].samples.empty());
  auto with_sample = Query(head, 2000, 9000, {M(MatchType::kEqual, "__name__", "gap")});
  ASSERT_EQ(with_sample.size(), 1u);
  EXPECT_EQ(with_sample[0].samples.size(), 1u);
  EXPECT_TRUE(Query(head, 9001, 10000, {M(MatchType::kEqual, "__name__", "gap")}).empty());
}

TEST(HeadReadTest, AnIteratorKeepsItsViewWhileTheSeriesGrows) {
  Head head(SmallHead());
  const model::Labels l = model::Labels::FromPairs({{"__name__", "grow"}});
  auto app = head.NewAppender();
  for (int64_t t = 1; t <= 10; ++t) app->Append(0, l, t, 1);
  ASSERT_TRUE(app->Commit().ok());
  auto q = head.NewQuerier(0, 1000000);
  ASSERT_TRUE(q.ok());
  std::vector<model::Matcher> ms = {M(MatchType::kEqual, "__name__", "grow")};
  auto set = (*q)->Select(ms);
  ASSERT_TRUE(set->Next());
  auto it = set->Samples();
  for (int64_t t = 11; t <= 500; ++t) app->Append(0, l, t, 2);  // cuts chunks, reallocates
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(testing::Drain(*it).size(), 10u);
}

TEST(HeadReadTest, EmptyHeadAndInvertedRange) {
  Head head(SmallHead());
  EXPECT_TRUE(Query(head, 0, 100, {M(MatchType::kRegexMatch, "__name__", ".*")}).empty());
  auto app = head.NewAppender();
  app->Append(0, model::Labels::FromPairs({{"__name__", "a"}}), 50, 1);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_TRUE(Query(head, 100, 0, {M(MatchType::kRegexMatch, "__name__", ".*")}).empty());
  auto q = head.NewQuerier(100, 0);
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE((*q)->LabelNames({})->empty());
}

}  // namespace
}  // namespace kubescrape::tsdb
