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

}  // namespace
}  // namespace kubescrape::tsdb
