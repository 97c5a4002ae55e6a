#include "tsdb/memory_storage.h"

#include <gtest/gtest.h>

#include "model/value.h"

namespace kubescrape::tsdb {
namespace {

const model::Labels kUp = model::Labels::FromPairs({{"__name__", "up"}, {"job", "a"}});

TEST(MemoryStorageTest, CommitMakesSamplesVisibleRollbackDiscards) {
  MemoryStorage s;
  auto app = s.NewAppender();
  AppendResult r = app->Append(0, kUp, 1000, 1);
  EXPECT_NE(r.ref, 0u);
  EXPECT_TRUE(s.SamplesOf(kUp).empty());
  ASSERT_TRUE(app->Commit().ok());
  ASSERT_EQ(s.SamplesOf(kUp).size(), 1u);
  auto app2 = s.NewAppender();
  app2->Append(r.ref, kUp, 2000, 1);
  app2->Rollback();
  EXPECT_EQ(s.SamplesOf(kUp).size(), 1u);
}

TEST(MemoryStorageTest, AppendRules) {
  MemoryStorage s;
  auto app = s.NewAppender();
  SeriesRef ref = app->Append(0, kUp, 1000, 1).ref;
  EXPECT_EQ(app->Append(ref, kUp, 1000, 1).error, AppendError::kNone);             // same value: no-op
  EXPECT_EQ(app->Append(ref, kUp, 1000, 2).error, AppendError::kDuplicateSample);
  EXPECT_EQ(app->Append(ref, kUp, 999, 1).error, AppendError::kOutOfOrder);
  EXPECT_EQ(app->Append(ref, kUp, 2000, model::StaleNaN()).error, AppendError::kNone);
  ASSERT_TRUE(app->Commit().ok());
  auto samples = s.SamplesOf(kUp);
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_TRUE(model::IsStaleNaN(samples[1].v));
  auto late = s.NewAppender();
  EXPECT_EQ(late->Append(0, kUp, 1500, 1).error, AppendError::kOutOfOrder);  // against committed data
}

TEST(MemoryStorageTest, QuerierSelectsByMatchersAndRange) {
  MemoryStorage s;
  const model::Labels a = model::Labels::FromPairs({{"__name__", "up"}, {"job", "b"}});
  auto app = s.NewAppender();
  for (int64_t t = 1000; t <= 5000; t += 1000) {
    app->Append(0, kUp, t, static_cast<double>(t));
    app->Append(0, a, t, 1);
  }
  ASSERT_TRUE(app->Commit().ok());
  auto q = s.NewQuerier(2000, 3000);
  ASSERT_TRUE(q.ok());
  std::vector<model::Matcher> ms = {*model::Matcher::Make(model::MatchType::kEqual, "__name__", "up"),
                                    *model::Matcher::Make(model::MatchType::kRegexMatch, "job", "a|c")};
  auto set = (*q)->Select(ms);
  ASSERT_TRUE(set->Next());
  EXPECT_EQ(set->labels(), kUp);
  auto it = set->Samples();
  ASSERT_TRUE(it->Seek(2500));
  EXPECT_EQ(it->t(), 3000);
  EXPECT_FALSE(it->Next());
  EXPECT_FALSE(set->Next());
  auto values = (*q)->LabelValues("job", {});
  ASSERT_TRUE(values.ok());
  EXPECT_EQ(*values, (std::vector<std::string>{"a", "b"}));
  auto names = (*q)->LabelNames(std::span<const model::Matcher>(ms.data(), 1));
  EXPECT_EQ(*names, (std::vector<std::string>{"__name__", "job"}));
  auto empty = s.NewQuerier(6000, 7000);
  EXPECT_FALSE((*empty)->Select({})->Next());
}

}  // namespace
}  // namespace kubescrape::tsdb
