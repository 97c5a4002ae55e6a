// Head append semantics (Prometheus's memSeries.appendable and
// appendPreprocessor), the commit hook and chunk cutting.
#include <gtest/gtest.h>

#include <cmath>

#include "model/value.h"
#include "test/tsdb/head_test_util.h"
#include "tsdb/head.h"

namespace kubescrape::tsdb {
namespace {

using testing::Sample;
using testing::SamplesOf;

const model::Labels kUp = model::Labels::FromPairs({{"__name__", "up"}, {"job", "a"}});
const model::Labels kUpB = model::Labels::FromPairs({{"__name__", "up"}, {"job", "b"}});
constexpr int64_t kHour = 3600 * 1000;

HeadOptions SmallHead() {
  HeadOptions o;
  o.stripe_bits = 4;
  return o;
}

TEST(HeadAppendTest, CommitMakesSamplesVisibleRollbackDiscards) {
  Head head(SmallHead());
  auto app = head.NewAppender();
  AppendResult r = app->Append(0, kUp, 1000, 1);
  EXPECT_NE(r.ref, 0u);
  EXPECT_EQ(r.error, AppendError::kNone);
  EXPECT_TRUE(SamplesOf(head, kUp).empty());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(SamplesOf(head, kUp), (std::vector<Sample>{{1000, 1}}));
  // The appender is reusable; the cached ref skips the lookup.
  EXPECT_EQ(app->Append(r.ref, kUp, 2000, 2).ref, r.ref);
  app->Rollback();
  EXPECT_EQ(SamplesOf(head, kUp).size(), 1u);
  EXPECT_EQ(head.MinTime(), 1000);
  EXPECT_EQ(head.MaxTime(), 1000);
  EXPECT_EQ(head.stats().samples_appended, 1u);
  EXPECT_EQ(head.stats().num_series, 1u);
}

// Prefetch is a hint: any ref (unknown, zero, before any table exists) is
// harmless, and appends by ref and by labels work as before.
TEST(HeadAppendTest, PrefetchIsOnlyAHint) {
  Head head(SmallHead());
  auto app = head.NewAppender();
  for (SeriesRef ref : {SeriesRef{0}, SeriesRef{1}, SeriesRef{12345}, ~SeriesRef{0}}) {
    app->Prefetch(ref, Appender::PrefetchStage::kFar);
    app->Prefetch(ref, Appender::PrefetchStage::kNear);
  }
  AppendResult r = app->Append(0, kUp, 1000, 1);
  ASSERT_EQ(r.error, AppendError::kNone);
  app->Prefetch(r.ref, Appender::PrefetchStage::kFar);
  app->Prefetch(r.ref, Appender::PrefetchStage::kNear);
  EXPECT_EQ(app->Append(r.ref, model::Labels(), 2000, 2).error, AppendError::kNone);
  EXPECT_EQ(app->Append(r.ref + 99, model::Labels(), 2000, 2).error, AppendError::kUnknownRef);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(SamplesOf(head, kUp), (std::vector<Sample>{{1000, 1}, {2000, 2}}));
}

TEST(HeadAppendTest, DestroyingAnOpenAppenderRollsBack) {
  Head head(SmallHead());
  {
    auto app = head.NewAppender();
    app->Append(0, kUp, 1000, 1);
  }
  EXPECT_TRUE(SamplesOf(head, kUp).empty());
}

TEST(HeadAppendTest, AppendRules) {
  Head head(SmallHead());
  auto app = head.NewAppender();
  SeriesRef ref = app->Append(0, kUp, 1000, 1).ref;
  EXPECT_EQ(app->Append(ref, kUp, 1000, 1).error, AppendError::kNone);  // same value: no-op
  EXPECT_EQ(app->Append(ref, kUp, 1000, 2).error, AppendError::kDuplicateSample);
  EXPECT_EQ(app->Append(ref, kUp, 999, 1).error, AppendError::kOutOfOrder);
  EXPECT_EQ(app->Append(ref, kUp, 2000, model::StaleNaN()).error, AppendError::kNone);
  ASSERT_TRUE(app->Commit().ok());
  std::vector<Sample> got = SamplesOf(head, kUp);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(model::IsStaleNaN(got[1].v));

  // Against committed data, in a new batch.
  auto late = head.NewAppender();
  EXPECT_EQ(late->Append(0, kUp, 1500, 1).error, AppendError::kOutOfOrder);
  EXPECT_EQ(late->Append(ref, kUp, 2000, 5).error, AppendError::kDuplicateSample);
  EXPECT_EQ(late->Append(ref, kUp, 2000, model::StaleNaN()).error, AppendError::kNone);  // bits equal
  EXPECT_EQ(late->Append(ref, kUp, 2000, model::NormalNaN()).error, AppendError::kDuplicateSample);
  ASSERT_TRUE(late->Commit().ok());
  EXPECT_EQ(SamplesOf(head, kUp).size(), 2u);
  HeadStats st = head.stats();
  EXPECT_EQ(st.out_of_order, 2u);
  EXPECT_EQ(st.duplicates, 3u);
  EXPECT_EQ(st.samples_appended, 2u);
}

TEST(HeadAppendTest, OutOfBoundsIsHalfAChunkRangeBehindTheNewest) {
  Head head(SmallHead());
  auto app = head.NewAppender();
  // The first batch of an empty head accepts any time.
  app->Append(0, kUp, 10 * kHour, 1);
  app->Append(0, kUpB, 5 * kHour, 1);
  ASSERT_TRUE(app->Commit().ok());
  auto next = head.NewAppender();
  // Newest is 10h: the floor is 9h for every series, even a new one.
  EXPECT_EQ(next->Append(0, kUpB, 9 * kHour - 1, 2).error, AppendError::kOutOfBounds);
  EXPECT_EQ(next->Append(0, kUpB, 9 * kHour, 2).error, AppendError::kNone);
  const model::Labels fresh = model::Labels::FromPairs({{"__name__", "new"}});
  EXPECT_EQ(next->Append(0, fresh, 8 * kHour, 2).error, AppendError::kOutOfBounds);
  // Out of bounds wins over out of order.
  EXPECT_EQ(next->Append(0, kUp, 1, 2).error, AppendError::kOutOfBounds);
  ASSERT_TRUE(next->Commit().ok());
  EXPECT_EQ(head.stats().out_of_bounds, 3u);
  EXPECT_EQ(SamplesOf(head, kUpB).size(), 2u);
}

TEST(HeadAppendTest, UnknownRefFallsBackToLabels) {
  Head head(SmallHead());
  auto app = head.NewAppender();
  SeriesRef ref = app->Append(12345, kUp, 1000, 1).ref;  // never handed out
  EXPECT_NE(ref, 12345u);
  EXPECT_EQ(app->Append(0, kUp, 2000, 2).ref, ref);  // same series by labels
  EXPECT_NE(app->Append(0, kUpB, 1000, 1).ref, ref);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(SamplesOf(head, kUp).size(), 2u);
  EXPECT_EQ(head.stats().num_series, 2u);
}

TEST(HeadAppendTest, InterleavedSeriesInOneBatch) {
  Head head(SmallHead());
  auto app = head.NewAppender();
  app->Append(0, kUp, 1000, 1);
  app->Append(0, kUpB, 1000, 1);
  app->Append(0, kUp, 2000, 2);
  app->Append(0, kUpB, 3000, 3);
  app->Append(0, kUp, 3000, 3);
  // Older than this batch's 3000 for kUpB, but not consecutive: caught at
  // commit, as in Prometheus.
  EXPECT_EQ(app->Append(0, kUpB, 2000, 2).error, AppendError::kNone);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(SamplesOf(head, kUp), (std::vector<Sample>{{1000, 1}, {2000, 2}, {3000, 3}}));
  EXPECT_EQ(SamplesOf(head, kUpB), (std::vector<Sample>{{1000, 1}, {3000, 3}}));
  EXPECT_EQ(head.stats().out_of_order, 1u);
}

TEST(HeadAppendTest, SpecialValuesRoundTrip) {
  Head head(SmallHead());
  auto app = head.NewAppender();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<Sample> want = {{1, 0.0}, {2, -0.0}, {3, inf}, {4, -inf}, {5, model::NormalNaN()}, {6, model::StaleNaN()}};
  for (const Sample& s : want) EXPECT_EQ(app->Append(0, kUp, s.t, s.v).error, AppendError::kNone);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(SamplesOf(head, kUp), want);
}

// Records what the head logs, in order.
class RecordingLogger : public HeadLogger {
 public:
  util::Status Log(std::span<const RefSeries> series, std::span<const RefSample> samples) override {
    calls.push_back({std::vector<RefSeries>(series.begin(), series.end()),
                     std::vector<RefSample>(samples.begin(), samples.end())});
    return fail ? util::IoError("disk full") : util::Status::Ok();
  }
  struct Call {
    std::vector<RefSeries> series;
    std::vector<RefSample> samples;
  };
  std::vector<Call> calls;
  bool fail = false;
};

TEST(HeadAppendTest, LoggerSeesNewSeriesThenSamplesBeforeApply) {
  RecordingLogger logger;
  HeadOptions o = SmallHead();
  o.logger = &logger;
  Head head(o);
  auto app = head.NewAppender();
  SeriesRef a = app->Append(0, kUp, 1000, 1).ref;
  app->Append(a, kUp, 2000, 2);
  app->Append(a, kUp, 1500, 9);  // rejected at Append: not logged
  ASSERT_TRUE(app->Commit().ok());
  ASSERT_EQ(logger.calls.size(), 1u);
  ASSERT_EQ(logger.calls[0].series.size(), 1u);
  EXPECT_EQ(logger.calls[0].series[0].ref, a);
  EXPECT_EQ(logger.calls[0].series[0].labels, kUp);
  ASSERT_EQ(logger.calls[0].samples.size(), 2u);
  EXPECT_EQ(logger.calls[0].samples[1].ref, a);
  EXPECT_EQ(logger.calls[0].samples[1].t, 2000);

  // A known series is not logged again; an empty commit logs nothing.
  app->Append(a, kUp, 3000, 3);
  ASSERT_TRUE(app->Commit().ok());
  ASSERT_EQ(logger.calls.size(), 2u);
  EXPECT_TRUE(logger.calls[1].series.empty());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(logger.calls.size(), 2u);

  // A logging failure fails the commit and applies nothing.
  logger.fail = true;
  app->Append(a, kUp, 4000, 4);
  util::Status st = app->Commit();
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), util::StatusCode::kIoError);
  EXPECT_EQ(SamplesOf(head, kUp).size(), 3u);
}

TEST(HeadAppendTest, RollbackStillLogsTheNewSeries) {
  RecordingLogger logger;
  HeadOptions o = SmallHead();
  o.logger = &logger;
  Head head(o);
  auto app = head.NewAppender();
  SeriesRef a = app->Append(0, kUp, 1000, 1).ref;
  app->Rollback();
  // The series stays in the head, so a later batch may log samples for its
  // ref: its series record must be in the log.
  ASSERT_EQ(logger.calls.size(), 1u);
  ASSERT_EQ(logger.calls[0].series.size(), 1u);
  EXPECT_EQ(logger.calls[0].series[0].ref, a);
  EXPECT_TRUE(logger.calls[0].samples.empty());
  app->Append(a, kUp, 2000, 2);
  ASSERT_TRUE(app->Commit().ok());
  ASSERT_EQ(logger.calls.size(), 2u);
  EXPECT_TRUE(logger.calls[1].series.empty());
  EXPECT_EQ(logger.calls[1].samples.size(), 1u);
  app->Rollback();  // nothing open: nothing logged
  EXPECT_EQ(logger.calls.size(), 2u);
}

TEST(HeadAppendTest, ChunksHold120SamplesAndNeverCrossTheRange) {
  Head head(SmallHead());
  auto app = head.NewAppender();
  // 15 s scrapes from 0 to 4h: 480 samples per 2h range.
  for (int64_t t = 0; t < 4 * kHour; t += 15000) {
    ASSERT_EQ(app->Append(0, kUp, t, static_cast<double>(t)).error, AppendError::kNone);
  }
  ASSERT_TRUE(app->Commit().ok());
  std::vector<Head::ChunkInfo> chunks = head.ChunksOf(kUp);
  ASSERT_EQ(chunks.size(), 8u);
  for (const Head::ChunkInfo& c : chunks) {
    EXPECT_EQ(c.num_samples, 120u);
    EXPECT_EQ(c.min_t / (2 * kHour), c.max_t / (2 * kHour)) << c.min_t << ".." << c.max_t;
    EXPECT_LE(c.bytes, 1024u);
  }
  EXPECT_EQ(head.stats().chunks_created, 8u);
}

TEST(HeadAppendTest, ChunkCutIsSpreadEvenlyOverTheRange) {
  Head head(SmallHead());
  auto app = head.NewAppender();
  // 1 s scrapes starting mid-range: 5400 samples until the 2h boundary.
  const int64_t start = kHour / 2;
  for (int64_t t = start; t < 2 * kHour + 60000; t += 1000) app->Append(0, kUp, t, 1);
  ASSERT_TRUE(app->Commit().ok());
  std::vector<Head::ChunkInfo> chunks = head.ChunksOf(kUp);
  ASSERT_GE(chunks.size(), 2u);
  size_t total = 0;
  for (size_t i = 0; i < chunks.size(); ++i) {
    total += chunks[i].num_samples;
    EXPECT_LE(chunks[i].num_samples, 240u);
    EXPECT_EQ(chunks[i].min_t / (2 * kHour), chunks[i].max_t / (2 * kHour));
    if (chunks[i].max_t < 2 * kHour - 1000) {
      // Prometheus's estimate at 30 samples: n = 5400000/(29001*4) = 46.5,
      // so 46 chunks of about 117 s.
      EXPECT_NEAR(static_cast<double>(chunks[i].num_samples), 117.0, 2.0) << i;
    }
  }
  EXPECT_EQ(total, static_cast<size_t>((2 * kHour + 60000 - start) / 1000));
  EXPECT_EQ(chunks.back().min_t, 2 * kHour);  // cut at the boundary
}

TEST(HeadAppendTest, LargeValuesCutAtOneKiB) {
  Head head(SmallHead());
  auto app = head.NewAppender();
  // Random values and jittered timestamps: about 80 bits per sample.
  uint64_t x = 88172645463325252ull;
  int64_t t = 0;
  for (int i = 0; i < 200; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    t += 15000 + static_cast<int64_t>(x % 4000);
    app->Append(0, kUp, t, std::bit_cast<double>(x & 0x7FEFFFFFFFFFFFFFull));
  }
  ASSERT_TRUE(app->Commit().ok());
  std::vector<Head::ChunkInfo> chunks = head.ChunksOf(kUp);
  ASSERT_GE(chunks.size(), 2u);
  for (const Head::ChunkInfo& c : chunks) EXPECT_LE(c.bytes, 1024u);
  EXPECT_LT(chunks[0].num_samples, 120u);
  EXPECT_EQ(SamplesOf(head, kUp).size(), 200u);
}

}  // namespace
}  // namespace kubescrape::tsdb
