// Engine cases over MemoryStorage: lookback and staleness, range queries,
// errors, limits, cancellation, annotations and the name-removal modes.
#include "promql/engine.h"
#include "test/promql/result_string.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <thread>

#include "model/value.h"
#include "tsdb/memory_storage.h"

namespace kubescrape::promql {
namespace {

constexpr int64_t kMin = 60 * 1000;

class EngineTest : public ::testing::Test {
 protected:
  // Appends `values` at t = i * step_ms (NaN-free; use Stale() for markers).
  void Add(std::initializer_list<std::pair<std::string_view, std::string_view>> labels, int64_t step_ms,
           std::vector<double> values) {
    auto app = storage_.NewAppender();
    model::Labels l = model::Labels::FromPairs(labels);
    for (size_t i = 0; i < values.size(); ++i) app->Append(0, l, static_cast<int64_t>(i) * step_ms, values[i]);
    ASSERT_TRUE(app->Commit().ok());
  }

  Result Instant(std::string_view q, int64_t t) { return engine_.InstantQuery(storage_, q, t); }
  Result Range(std::string_view q, int64_t s, int64_t e, int64_t step) {
    return engine_.RangeQuery(storage_, q, s, e, step);
  }

  static std::string Str(const Result& r) { return testing::ResultString(r); }

  tsdb::MemoryStorage storage_;
  EngineOptions options_;
  Engine engine_{options_};
};

TEST_F(EngineTest, InstantSelectorLooksBackFiveMinutes) {
  Add({{"__name__", "m"}, {"job", "a"}}, 10000, {1, 2});
  EXPECT_EQ(Str(Instant("m", 10000)), "{__name__=\"m\", job=\"a\"}=2 ");
  EXPECT_EQ(Str(Instant("m", 10000 + 5 * kMin - 1)), "{__name__=\"m\", job=\"a\"}=2 ");
  EXPECT_EQ(Str(Instant("m", 10000 + 5 * kMin)), "");  // (t - 5m, t] is left-open
  EXPECT_EQ(Str(Instant("m", -1)), "");
}

TEST_F(EngineTest, StaleMarkerEndsTheSeries) {
  Add({{"__name__", "m"}}, 10000, {1, model::StaleNaN(), 3});
  EXPECT_EQ(Str(Instant("m", 10000)), "");
  EXPECT_EQ(Str(Instant("m", 20000)), "{__name__=\"m\"}=3 ");
  // Range selectors drop the marker.
  EXPECT_EQ(Str(Instant("count_over_time(m[1m])", 20000)), "{}=2 ");
}

TEST_F(EngineTest, RangeQueryIsSortedAndStepAligned) {
  Add({{"__name__", "m"}, {"i", "b"}}, 30000, {1, 2, 3, 4, 5});
  Add({{"__name__", "m"}, {"i", "a"}}, 30000, {10, 20, 30, 40, 50});
  EXPECT_EQ(Str(Range("m * 2", 0, 2 * kMin, kMin)),
            "{i=\"a\"}: 0=20 60=60 120=100; {i=\"b\"}: 0=2 60=6 120=10; ");
  Result r = Range("m[1m]", 0, kMin, kMin);
  EXPECT_EQ(r.status.code(), util::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status.message(),
            "invalid expression type \"range vector\" for range query, must be Scalar or instant Vector");
}

TEST_F(EngineTest, RateExtrapolatesToTheWindow) {
  Add({{"__name__", "c_total"}}, 15000, {0, 15, 30, 45, 60, 75, 90, 105, 120, 135, 150});
  // 1/s everywhere; the window (t-1m, t] holds 4 samples spaced 15s.
  EXPECT_EQ(Str(Instant("rate(c_total[1m])", 150000)), "{}=0.9999999999999999 ");
  EXPECT_EQ(Str(Instant("increase(c_total[1m])", 150000)), "{}=60 ");
  Result r = Instant("rate(c_total[1m])", 150000);
  EXPECT_TRUE(r.annotations.empty());
}

TEST_F(EngineTest, RateOnANonCounterNameAddsAnInfo) {
  Add({{"__name__", "gauge"}}, 15000, {1, 2, 3, 4, 5});
  Result r = Instant("rate(gauge[1m])", 60000);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.annotations.Infos("rate(gauge[1m])"),
            std::vector<std::string>{"PromQL info: metric might not be a counter, name does not end in "
                                     "_total/_sum/_count/_bucket: \"gauge\" (1:6)"});
}

TEST_F(EngineTest, ScalarsAndStrings) {
  EXPECT_EQ(Str(Instant("1 + 1", 4000)), "scalar 2");
  EXPECT_EQ(Str(Instant("\"Foo\"", 0)), "string Foo");
  EXPECT_EQ(Str(Instant("time()", 4000)), "scalar 4");
  EXPECT_EQ(Str(Range("time()", 0, 2000, 1000)), "{}: 0=0 1=1 2=2; ");
}

TEST_F(EngineTest, ManyToManyMatchingIsAnError) {
  Add({{"__name__", "a"}, {"x", "1"}}, 10000, {1});
  Add({{"__name__", "b"}, {"x", "1"}, {"y", "1"}}, 10000, {1});
  Add({{"__name__", "b"}, {"x", "1"}, {"y", "2"}}, 10000, {1});
  Result r = Instant("a + on(x) b", 0);
  EXPECT_EQ(r.status.code(), util::StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status.message(),
            "found duplicate series for the match group {x=\"1\"} on the right hand-side of the operation: "
            "[{__name__=\"b\", x=\"1\", y=\"1\"}, {__name__=\"b\", x=\"1\", y=\"2\"}];many-to-many matching not "
            "allowed: matching labels must be unique on one side");
  EXPECT_EQ(Str(Instant("b + on(x) group_left a", 0)), "{x=\"1\", y=\"1\"}=2 {x=\"1\", y=\"2\"}=2 ");
  r = Instant("b + ignoring(y) a", 0);
  EXPECT_EQ(r.status.message(),
            "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
}

TEST_F(EngineTest, DuplicateLabelSetsAreAnError) {
  Add({{"__name__", "a"}, {"x", "1"}}, 10000, {1});
  Add({{"__name__", "b"}, {"x", "1"}}, 10000, {2});
  Result r = Instant("abs({x=\"1\"})", 0);
  EXPECT_EQ(r.status.message(), "vector cannot contain metrics with the same labelset");
}

TEST_F(EngineTest, AggregationsAndTopkOrder) {
  Add({{"__name__", "m"}, {"g", "a"}, {"i", "1"}}, 10000, {1});
  Add({{"__name__", "m"}, {"g", "a"}, {"i", "2"}}, 10000, {3});
  Add({{"__name__", "m"}, {"g", "b"}, {"i", "3"}}, 10000, {2});
  EXPECT_EQ(Str(Instant("sum by (g) (m)", 0)), "{g=\"a\"}=4 {g=\"b\"}=2 ");
  EXPECT_EQ(Str(Instant("topk(2, m)", 0)),
            "{__name__=\"m\", g=\"a\", i=\"2\"}=3 {__name__=\"m\", g=\"b\", i=\"3\"}=2 ");
  EXPECT_EQ(Str(Instant("quantile(0.5, m)", 0)), "{}=2 ");
  EXPECT_EQ(Str(Instant("count_values(\"v\", m)", 0)), "{v=\"1\"}=1 {v=\"3\"}=1 {v=\"2\"}=1 ");
}

TEST_F(EngineTest, OffsetAtAndSubqueries) {
  Add({{"__name__", "m"}}, kMin, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  EXPECT_EQ(Str(Instant("m offset 2m", 10 * kMin)), "{__name__=\"m\"}=8 ");
  EXPECT_EQ(Str(Instant("m offset -2m", 5 * kMin)), "{__name__=\"m\"}=7 ");
  EXPECT_EQ(Str(Instant("m @ 120", 10 * kMin)), "{__name__=\"m\"}=2 ");
  EXPECT_EQ(Str(Range("m @ end()", 0, 2 * kMin, kMin)), "{__name__=\"m\"}: 0=2 60=2 120=2; ");
  EXPECT_EQ(Str(Instant("max_over_time(m[5m:1m])", 10 * kMin)), "{}=10 ");
  EXPECT_EQ(Str(Instant("sum_over_time(m[3m:1m] offset 1m)", 10 * kMin)), "{}=24 ");
}

TEST_F(EngineTest, NameRemovalModes) {
  Add({{"__name__", "m_total"}, {"a", "1"}}, kMin, {1, 2, 3});
  EXPECT_EQ(Str(Instant("rate(m_total[5m])", 2 * kMin)), "{a=\"1\"}=0.008333333333333333 ");
  EXPECT_EQ(Str(Instant("last_over_time(m_total[5m])", 2 * kMin)), "{__name__=\"m_total\", a=\"1\"}=3 ");
  EXPECT_EQ(Str(Instant("m_total > 0", 2 * kMin)), "{__name__=\"m_total\", a=\"1\"}=3 ");
  EngineOptions delayed = options_;
  delayed.delayed_name_removal = true;
  Engine e(delayed);
  // With delayed removal, label_replace can still read the name.
  Result r = e.InstantQuery(storage_, "label_replace(rate(m_total[5m]), \"n\", \"$1\", \"__name__\", \"(.*)\")",
                            2 * kMin);
  EXPECT_EQ(Str(r), "{a=\"1\", n=\"m_total\"}=0.008333333333333333 ");
}

TEST_F(EngineTest, MaxSamples) {
  Add({{"__name__", "m"}, {"i", "1"}}, 1000, std::vector<double>(100, 1));
  Add({{"__name__", "m"}, {"i", "2"}}, 1000, std::vector<double>(100, 1));
  EngineOptions small = options_;
  small.max_samples = 50;
  Engine e(small);
  Result r = e.RangeQuery(storage_, "m", 0, 99000, 1000);
  EXPECT_EQ(r.status.code(), util::StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status.message(), "query processing would load too many samples into memory in query execution");
  EXPECT_TRUE(e.RangeQuery(storage_, "m", 0, 20000, 1000).status.ok());
}

// A clock that moves one second every time it is read.
class TickingClock final : public util::Clock {
 public:
  TimePoint Now() const override { return TimePoint(std::chrono::milliseconds(1000 * ++ticks_)); }

 private:
  mutable std::atomic<int64_t> ticks_{0};
};

TEST_F(EngineTest, TimeoutAndCancellation) {
  Add({{"__name__", "m"}}, 1000, std::vector<double>(1000, 1));
  TickingClock clock;
  EngineOptions timed = options_;
  timed.clock = &clock;
  timed.timeout_ms = 5000;
  Engine e(timed);
  Result r = e.RangeQuery(storage_, "sum(m) + sum(m) + sum(m)", 0, 999000, 1000);
  EXPECT_EQ(r.status.code(), util::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(r.status.message(), "query timed out in expression evaluation");

  // A query's own timeout only shortens the engine's.
  EngineOptions roomy = timed;
  roomy.timeout_ms = 1'000'000'000;
  Engine patient(roomy);
  QueryOptions short_timeout;
  short_timeout.timeout_ms = 5000;
  r = patient.RangeQuery(storage_, "sum(m) + sum(m) + sum(m)", 0, 999000, 1000, short_timeout);
  EXPECT_EQ(r.status.code(), util::StatusCode::kDeadlineExceeded);
  QueryOptions long_timeout;
  long_timeout.timeout_ms = 2'000'000'000;
  r = e.RangeQuery(storage_, "sum(m) + sum(m) + sum(m)", 0, 999000, 1000, long_timeout);
  EXPECT_EQ(r.status.code(), util::StatusCode::kDeadlineExceeded);  // still the engine's 5 s
  r = patient.RangeQuery(storage_, "sum(m)", 0, 999000, 1000);
  EXPECT_TRUE(r.status.ok()) << r.status.ToString();

  std::atomic<bool> cancel{true};
  QueryOptions qo;
  qo.cancel = &cancel;
  r = engine_.InstantQuery(storage_, "m", 0, qo);
  EXPECT_EQ(r.status.code(), util::StatusCode::kCancelled);
  EXPECT_EQ(r.status.message(), "query was canceled in expression evaluation");
}

TEST_F(EngineTest, ParseErrorsAreInvalidArgument) {
  Result r = Instant("sum(up", 0);
  EXPECT_EQ(r.status.code(), util::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status.message(), "1:7: parse error: unclosed left parenthesis");
}

TEST_F(EngineTest, SortWarnsInRangeQueries) {
  Add({{"__name__", "m"}}, kMin, {1, 2});
  Result r = Range("sum(sort(m))", 0, kMin, kMin);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.annotations.Warnings("sum(sort(m))"),
            std::vector<std::string>{
                "PromQL warning: sort is ineffective for range queries since results are always ordered by labels "
                "(1:5)"});
}

// One engine, one storage, several threads: every thread sees the same
// results as a query run alone.
TEST_F(EngineTest, ConcurrentQueries) {
  for (int i = 0; i < 20; ++i) {
    const std::string inst = std::to_string(i);
    std::vector<double> values;
    for (int j = 0; j <= 40; ++j) values.push_back(j * (i + 1) + (j > 20 ? 0 : 100));  // a reset at j = 21
    Add({{"__name__", "c_total"}, {"instance", inst}, {"mode", i % 2 ? "user" : "idle"}, {"le", inst}}, 15000,
        values);
  }
  const std::vector<std::string> queries = {"sum by (mode) (rate(c_total[5m]))", "topk(3, c_total)",
                                            "count({__name__=~\".+\"})", "histogram_quantile(0.9, c_total)"};
  std::vector<std::string> want;
  for (const std::string& q : queries) want.push_back(Str(Range(q, 5 * kMin, 10 * kMin, 15000)));
  ASSERT_NE(want[0].find("mode=\"user\""), std::string::npos) << want[0];
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        const size_t qi = static_cast<size_t>(t + round) % queries.size();
        if (Str(Range(queries[qi], 5 * kMin, 10 * kMin, 15000)) != want[qi]) ++mismatches;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace kubescrape::promql
