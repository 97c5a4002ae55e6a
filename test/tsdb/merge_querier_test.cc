#include "tsdb/merge_querier.h"

#include <gtest/gtest.h>

#include <limits>
#include <utility>
#include <vector>

#include "tsdb/memory_storage.h"

namespace kubescrape::tsdb {
namespace {

using Sample = std::pair<int64_t, double>;

model::Labels Series(const char* job) { return model::Labels::FromPairs({{"__name__", "up"}, {"job", job}}); }

void Fill(MemoryStorage& s, const model::Labels& l, std::vector<Sample> samples) {
  auto app = s.NewAppender();
  for (auto [t, v] : samples) app->Append(0, l, t, v);
  ASSERT_TRUE(app->Commit().ok());
}

std::unique_ptr<Querier> QuerierOf(MemoryStorage& s, int64_t mint = std::numeric_limits<int64_t>::min(),
                                   int64_t maxt = std::numeric_limits<int64_t>::max()) {
  auto q = s.NewQuerier(mint, maxt);
  EXPECT_TRUE(q.ok());
  return std::move(*q);
}

std::vector<Sample> Drain(SampleIterator& it) {
  std::vector<Sample> out;
  while (it.Next()) out.emplace_back(it.t(), it.v());
  EXPECT_TRUE(it.status().ok());
  return out;
}

TEST(MergeQuerierTest, MergesSeriesInLabelOrderAndSamplesInTimeOrder) {
  MemoryStorage block, head;
  Fill(block, Series("a"), {{1, 1}, {2, 2}, {3, 3}});
  Fill(block, Series("c"), {{1, 10}});
  Fill(head, Series("a"), {{3, 99}, {4, 4}});  // t=3 overlaps: the first querier wins
  Fill(head, Series("b"), {{5, 5}});
  std::vector<std::unique_ptr<Querier>> qs;
  qs.push_back(QuerierOf(block));
  qs.push_back(QuerierOf(head));
  auto q = NewMergeQuerier(std::move(qs));
  auto set = q->Select({});
  std::vector<std::pair<model::Labels, std::vector<Sample>>> got;
  while (set->Next()) got.emplace_back(set->labels(), Drain(*set->Samples()));
  ASSERT_TRUE(set->status().ok());
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].first, Series("a"));
  EXPECT_EQ(got[0].second, (std::vector<Sample>{{1, 1}, {2, 2}, {3, 3}, {4, 4}}));
  EXPECT_EQ(got[1].first, Series("b"));
  EXPECT_EQ(got[1].second, (std::vector<Sample>{{5, 5}}));
  EXPECT_EQ(got[2].first, Series("c"));
}

TEST(MergeQuerierTest, SeekAcrossParts) {
  MemoryStorage x, y;
  Fill(x, Series("a"), {{10, 1}, {30, 3}, {50, 5}});
  Fill(y, Series("a"), {{20, 2}, {40, 4}, {60, 6}});
  std::vector<std::unique_ptr<Querier>> qs;
  qs.push_back(QuerierOf(x));
  qs.push_back(QuerierOf(y));
  auto q = NewMergeQuerier(std::move(qs));
  auto set = q->Select({});
  ASSERT_TRUE(set->Next());
  auto it = set->Samples();
  ASSERT_TRUE(it->Seek(25));
  EXPECT_EQ(it->t(), 30);
  ASSERT_TRUE(it->Seek(30));  // stays
  EXPECT_EQ(it->t(), 30);
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(it->t(), 40);
  ASSERT_TRUE(it->Seek(55));
  EXPECT_EQ(it->t(), 60);
  EXPECT_FALSE(it->Next());
  EXPECT_FALSE(it->Seek(70));
}

TEST(MergeQuerierTest, SelectAppliesMatchersAndRangeOfEachPart) {
  MemoryStorage x, y;
  Fill(x, Series("a"), {{10, 1}});
  Fill(y, Series("b"), {{20, 2}, {200, 3}});
  std::vector<std::unique_ptr<Querier>> qs;
  qs.push_back(QuerierOf(x, 0, 100));
  qs.push_back(QuerierOf(y, 0, 100));
  auto q = NewMergeQuerier(std::move(qs));
  std::vector<model::Matcher> ms = {*model::Matcher::Make(model::MatchType::kNotEqual, "job", "a")};
  auto set = q->Select(ms);
  ASSERT_TRUE(set->Next());
  EXPECT_EQ(set->labels(), Series("b"));
  EXPECT_EQ(Drain(*set->Samples()), (std::vector<Sample>{{20, 2}}));
  EXPECT_FALSE(set->Next());
}

TEST(MergeQuerierTest, LabelNamesAndValuesAreTheSortedUnion) {
  MemoryStorage x, y;
  Fill(x, model::Labels::FromPairs({{"__name__", "up"}, {"job", "b"}, {"zone", "z1"}}), {{1, 1}});
  Fill(y, model::Labels::FromPairs({{"__name__", "up"}, {"instance", "i"}, {"job", "a"}}), {{1, 1}});
  Fill(y, Series("b"), {{1, 1}});
  std::vector<std::unique_ptr<Querier>> qs;
  qs.push_back(QuerierOf(x));
  qs.push_back(QuerierOf(y));
  auto q = NewMergeQuerier(std::move(qs));
  auto names = q->LabelNames({});
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"__name__", "instance", "job", "zone"}));
  auto values = q->LabelValues("job", {});
  ASSERT_TRUE(values.ok());
  EXPECT_EQ(*values, (std::vector<std::string>{"a", "b"}));
}

TEST(MergeQuerierTest, NoQueriersIsEmptyAndOneIsPassedThrough) {
  auto empty = NewMergeQuerier({});
  EXPECT_FALSE(empty->Select({})->Next());
  EXPECT_TRUE(empty->LabelNames({})->empty());
  MemoryStorage x;
  Fill(x, Series("a"), {{1, 1}});
  std::vector<std::unique_ptr<Querier>> qs;
  qs.push_back(QuerierOf(x));
  Querier* raw = qs[0].get();
  auto one = NewMergeQuerier(std::move(qs));
  EXPECT_EQ(one.get(), raw);
}

}  // namespace
}  // namespace kubescrape::tsdb
