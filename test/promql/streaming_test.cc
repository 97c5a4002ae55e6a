// The streaming evaluation of selectors (promql/sample_window.h): series are
// read one at a time and range windows slide over the storage's iterator.
// Cases over a tsdb::Head with tiny chunks (a series spans many chunks and
// every window crosses chunk boundaries): exact window contents, stale
// markers at window edges, range queries equal to instant queries at every
// step, the --query.max-samples limit and per-step sample statistics.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "model/value.h"
#include "promql/engine.h"
#include "test/promql/result_string.h"
#include "tsdb/head.h"
#include "tsdb/memory_storage.h"

namespace kubescrape::promql {
namespace {

constexpr int64_t kSec = 1000;
constexpr int64_t kMin = 60 * kSec;

tsdb::HeadOptions TinyChunks() {
  tsdb::HeadOptions o;
  o.samples_per_chunk = 4;  // the smallest: ~250 chunks per 1000 samples
  return o;
}

class StreamingTest : public ::testing::Test {
 protected:
  void Add(std::initializer_list<std::pair<std::string_view, std::string_view>> labels,
           const std::vector<std::pair<int64_t, double>>& samples) {
    auto app = head_.NewAppender();
    model::Labels l = model::Labels::FromPairs(labels);
    for (const auto& [t, v] : samples) {
      ASSERT_EQ(app->Append(0, l, t, v).error, tsdb::AppendError::kNone) << t;
    }
    ASSERT_TRUE(app->Commit().ok());
  }

  static std::string Str(const Result& r) { return testing::ResultString(r); }

  // Checks that a range query returns, at every step, exactly what an
  // instant query at that step returns (values compared bit for bit).
  void ExpectRangeMatchesInstants(const std::string& q, int64_t start, int64_t end, int64_t step) {
    SCOPED_TRACE(q + " step " + std::to_string(step / 1000) + "s");
    Result range = engine_.RangeQuery(head_, q, start, end, step);
    ASSERT_TRUE(range.status.ok()) << range.status.message();
    std::map<std::pair<std::string, int64_t>, double> from_range;
    for (const Series& s : std::get<Matrix>(range.value)) {
      for (const FPoint& p : s.floats) from_range[{s.metric.ToString(), p.t}] = p.f;
    }
    size_t from_instants = 0;
    for (int64_t ts = start; ts <= end; ts += step) {
      Result r = engine_.InstantQuery(head_, q, ts);
      ASSERT_TRUE(r.status.ok()) << r.status.message();
      for (const Sample& s : std::get<Vector>(r.value)) {
        ++from_instants;
        auto it = from_range.find({s.metric.ToString(), ts});
        ASSERT_NE(it, from_range.end()) << s.metric.ToString() << " at " << ts;
        EXPECT_TRUE(it->second == s.f || (std::isnan(it->second) && std::isnan(s.f)))
            << s.metric.ToString() << " at " << ts << ": " << it->second << " vs " << s.f;
      }
    }
    EXPECT_EQ(from_instants, from_range.size());
    points_ += from_instants;
  }

  tsdb::Head head_{TinyChunks()};
  Engine engine_;
  size_t points_ = 0;  // compared by ExpectRangeMatchesInstants
};

TEST_F(StreamingTest, WindowsSlideAcrossManyChunks) {
  // 1000 samples, one a second, value = t in seconds.
  std::vector<std::pair<int64_t, double>> s;
  for (int i = 0; i < 1000; ++i) s.push_back({i * kSec, static_cast<double>(i)});
  Add({{"__name__", "m"}}, s);
  // (ts - 100s, ts] holds t = ts-99 .. ts: 100 samples summing to 100 ts - 4950;
  // windows overlap by 99 samples, so the buffer is compacted many times.
  Result r = engine_.RangeQuery(head_, "sum_over_time(m[100s])", 100 * kSec, 999 * kSec, kSec);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  const Matrix& m = std::get<Matrix>(r.value);
  ASSERT_EQ(m.size(), 1u);
  ASSERT_EQ(m[0].floats.size(), 900u);
  for (const FPoint& p : m[0].floats) {
    const double ts = static_cast<double>(p.t / kSec);
    ASSERT_EQ(p.f, 100 * ts - 4950) << p.t;
  }
  // Steps far apart and short windows: the reader seeks over whole chunks.
  EXPECT_EQ(Str(engine_.RangeQuery(head_, "count_over_time(m[10s])", 0, 999 * kSec, 250 * kSec)),
            "{}: 0=1 250=10 500=10 750=10; ");
  EXPECT_EQ(Str(engine_.RangeQuery(head_, "sum_over_time(m[10s])", 250 * kSec, 999 * kSec, 250 * kSec)),
            "{}: 250=2455 500=4955 750=7455; ");
  // The instant selector between samples and past the end (lookback 5m).
  EXPECT_EQ(Str(engine_.RangeQuery(head_, "m", 998 * kSec, 1300 * kSec, 100 * kSec)),
            "{__name__=\"m\"}: 998=998 1098=999 1198=999 1298=999; ");
}

TEST_F(StreamingTest, StaleMarkersAtWindowEdges) {
  Add({{"__name__", "m"}},
      {{0, 1}, {kMin, 2}, {2 * kMin, model::StaleNaN()}, {3 * kMin, 4}, {4 * kMin, 5}});
  // Instant selectors: the marker ends the series until the next sample.
  EXPECT_EQ(Str(engine_.RangeQuery(head_, "m", 0, 4 * kMin, 30 * kSec)),
            "{__name__=\"m\"}: 0=1 30=1 60=2 90=2 180=4 210=4 240=5; ");
  EXPECT_EQ(Str(engine_.RangeQuery(head_, "timestamp(m)", 0, 4 * kMin, kMin)), "{}: 0=0 60=60 180=180 240=240; ");
  // Range windows drop the marker: (60s, 120s] holds only it, so no point.
  EXPECT_EQ(Str(engine_.RangeQuery(head_, "count_over_time(m[1m])", 0, 4 * kMin, kMin)),
            "{}: 0=1 60=1 180=1 240=1; ");
  // Left-open windows: (60s, 180s] excludes the sample at 60s.
  EXPECT_EQ(Str(engine_.RangeQuery(head_, "sum_over_time(m[2m])", 3 * kMin, 4 * kMin, kMin)), "{}: 180=4 240=9; ");
  EXPECT_EQ(Str(engine_.InstantQuery(head_, "m[2m]", 3 * kMin)), "{__name__=\"m\"}: 180=4; ");
  EXPECT_EQ(Str(engine_.InstantQuery(head_, "last_over_time(m[1m])", 2 * kMin)), "");
}

TEST_F(StreamingTest, RangeQueriesEqualInstantQueries) {
  // Irregular scrapes with a counter reset, a stale marker, a 20 minute gap
  // and a second series that starts late.
  std::vector<std::pair<int64_t, double>> a, b;
  double v = 0;
  for (int i = 0; i < 700; ++i) {
    const int64_t t = i * 5 * kSec + (i % 3) * kSec;
    if (i >= 300 && i < 540) continue;  // the gap
    v = i == 200 ? 3 : v + (i % 7);
    a.push_back({t, i == 150 ? model::StaleNaN() : v});
    if (i >= 100 && i % 2 == 0) b.push_back({t, std::sin(i) * 10});
  }
  Add({{"__name__", "m"}, {"s", "a"}}, a);
  Add({{"__name__", "m"}, {"s", "b"}}, b);
  const char* queries[] = {
      "m",
      "m offset 1m",
      "timestamp(m)",
      "rate(m[1m])",
      "rate(m[4s])",
      "increase(m[10m])",
      "delta(m[30s] offset 2m)",
      "irate(m[1m])",
      "idelta(m[1m])",
      "changes(m[10m])",
      "resets(m[10m])",
      "deriv(m[5m])",
      "predict_linear(m[5m], 60)",
      "quantile_over_time(0.3, m[10m])",
      "count_over_time(m[10m])",
      "sum_over_time(m[1m])",
      "avg_over_time(m[3m])",
      "max_over_time(m[10m])",
      "min_over_time(m[2m])",
      "stddev_over_time(m[3m])",
      "first_over_time(m[1m])",
      "last_over_time(m[15s])",
      "present_over_time(m[30s])",
      "absent_over_time(m{s=\"b\"}[30s])",
      "max_over_time(m[5m:30s])",
  };
  for (const char* q : queries) {
    ExpectRangeMatchesInstants(q, 0, 3600 * kSec, 13 * kSec);
    ExpectRangeMatchesInstants(q, 0, 3600 * kSec, 7 * kMin);
  }
  EXPECT_GT(points_, 5000u);
}

TEST(StreamingLimitsTest, MaxSamplesCountsRangeWindows) {
  tsdb::MemoryStorage storage;
  auto app = storage.NewAppender();
  for (int i = 0; i < 100; ++i) {
    app->Append(0, model::Labels::FromPairs({{"__name__", "m"}, {"i", "1"}}), i * kSec, 1);
    app->Append(0, model::Labels::FromPairs({{"__name__", "m"}, {"i", "2"}}), i * kSec, 1);
  }
  ASSERT_TRUE(app->Commit().ok());
  EngineOptions small;
  small.max_samples = 50;
  Engine e(small);
  // A window of 60 points is more than the engine may hold (Prometheus's
  // matrixIterSlice counts window points against the limit); 40 are not.
  Result r = e.InstantQuery(storage, "count_over_time(m[60s])", 99 * kSec);
  EXPECT_EQ(r.status.code(), util::StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status.message(), "query processing would load too many samples into memory in query execution");
  EXPECT_TRUE(e.InstantQuery(storage, "count_over_time(m[40s])", 99 * kSec).status.ok());
  // Finished series' outputs count too: 2 x 100 points.
  EngineOptions mid;
  mid.max_samples = 150;
  EXPECT_EQ(Engine(mid).RangeQuery(storage, "count_over_time(m[5s])", 0, 99 * kSec, kSec).status.code(),
            util::StatusCode::kResourceExhausted);
  mid.max_samples = 200;
  EXPECT_TRUE(Engine(mid).RangeQuery(storage, "count_over_time(m[5s])", 0, 99 * kSec, kSec).status.ok());
}

TEST(StreamingLimitsTest, PerStepStatisticsCountWindowPoints) {
  tsdb::MemoryStorage storage;
  auto app = storage.NewAppender();
  for (int i = 0; i < 100; ++i) app->Append(0, model::Labels::FromPairs({{"__name__", "m"}}), i * kSec, i);
  ASSERT_TRUE(app->Commit().ok());
  Engine e;
  QueryOptions o;
  o.per_step_stats = true;
  Result r = e.RangeQuery(storage, "rate(m[10s])", 20 * kSec, 50 * kSec, 10 * kSec, o);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.stats.samples.total_queryable_samples, 40);
  const std::vector<std::pair<int64_t, int64_t>> want = {{20 * kSec, 10}, {30 * kSec, 10}, {40 * kSec, 10}, {50 * kSec, 10}};
  EXPECT_EQ(r.stats.samples.per_step, want);
  // An instant selector counts one sample per series and step.
  Result s = e.RangeQuery(storage, "m", 20 * kSec, 50 * kSec, 10 * kSec, o);
  EXPECT_EQ(s.stats.samples.total_queryable_samples, 4);
}

}  // namespace
}  // namespace kubescrape::promql
