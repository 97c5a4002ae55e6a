// The `stats` parameter of /api/v1/query and /api/v1/query_range, and the
// engine metrics the query handlers feed.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cmath>

#include "api/engine_metrics.h"
#include "api/query.h"
#include "tsdb/memory_storage.h"
#include "util/clock.h"

namespace kubescrape::api {
namespace {

class QueryStatsTest : public ::testing::Test {
 protected:
  // up{job=api}, up{job=db} and http_requests_total{job=api} every 15s from 0 to 60s.
  void SetUp() override {
    auto app = storage_.NewAppender();
    for (int64_t t = 0; t <= 60'000; t += 15'000) {
      app->Append(0, model::Labels::FromPairs({{"__name__", "up"}, {"job", "api"}}), t, 1);
      app->Append(0, model::Labels::FromPairs({{"__name__", "up"}, {"job", "db"}}), t, 0);
      app->Append(0,
                  model::Labels::FromPairs({{"__name__", "http_requests_total"}, {"job", "api"}}),
                  t, static_cast<double>(t) / 1000);
    }
    ASSERT_TRUE(app->Commit().ok());
  }

  rapidjson::Document Call(HttpResponse (*fn)(const QueryContext&, const Params&),
                           std::string query, double queue_seconds = 0) {
    HttpRequest r;
    r.method = "GET";
    r.query = std::move(query);
    QueryContext ctx{engine_, storage_, 60'000, &metrics_, queue_seconds};
    HttpResponse resp = fn(ctx, *Params::Parse(r));
    rapidjson::Document d;
    d.Parse(resp.body.c_str());
    EXPECT_FALSE(d.HasParseError()) << resp.body;
    EXPECT_EQ(resp.status, 200) << resp.body;
    return d;
  }

  static int64_t Total(const rapidjson::Document& d) {
    return d["data"]["stats"]["samples"]["totalQueryableSamples"].GetInt64();
  }
  static int64_t Peak(const rapidjson::Document& d) {
    return d["data"]["stats"]["samples"]["peakSamples"].GetInt64();
  }
  // totalQueryableSamplesPerStep as (seconds, n) pairs.
  static std::vector<std::pair<double, int64_t>> PerStep(const rapidjson::Document& d) {
    std::vector<std::pair<double, int64_t>> out;
    for (const auto& p : d["data"]["stats"]["samples"]["totalQueryableSamplesPerStep"].GetArray()) {
      EXPECT_EQ(p.Size(), 2u);
      out.emplace_back(p[0].GetDouble(), p[1].GetInt64());
    }
    return out;
  }

  tsdb::MemoryStorage storage_;
  promql::Engine engine_;
  util::FakeClock clock_{1'000'000};
  EngineMetrics metrics_{20, clock_};
};

TEST_F(QueryStatsTest, AbsentWithoutTheParameter) {
  auto d = Call(InstantQuery, "query=up&time=60");
  EXPECT_FALSE(d["data"].HasMember("stats"));
  auto r = Call(RangeQuery, "query=up&start=0&end=60&step=15&stats=");
  EXPECT_FALSE(r["data"].HasMember("stats"));
}

TEST_F(QueryStatsTest, TimingsHavePrometheusFieldsAndAreNonNegative) {
  auto d = Call(InstantQuery, "query=up&time=60&stats=true", 0.25);
  const auto& t = d["data"]["stats"]["timings"];
  ASSERT_TRUE(t.IsObject());
  const char* fields[] = {"evalTotalTime", "resultSortTime", "queryPreparationTime",
                          "innerEvalTime", "execQueueTime",  "execTotalTime"};
  EXPECT_EQ(t.MemberCount(), 6u);
  for (const char* f : fields) {
    ASSERT_TRUE(t.HasMember(f)) << f;
    ASSERT_TRUE(t[f].IsNumber()) << f;
    EXPECT_GE(t[f].GetDouble(), 0) << f;
  }
  EXPECT_EQ(t["execQueueTime"].GetDouble(), 0.25);
  EXPECT_GE(t["execTotalTime"].GetDouble(), 0.25);
  EXPECT_GE(t["evalTotalTime"].GetDouble(), t["innerEvalTime"].GetDouble());
  // Without stats=all, no per-step samples; the key order is Prometheus's.
  const auto& s = d["data"]["stats"]["samples"];
  EXPECT_FALSE(s.HasMember("totalQueryableSamplesPerStep"));
  EXPECT_STREQ(s.MemberBegin()->name.GetString(), "totalQueryableSamples");
}

TEST_F(QueryStatsTest, InstantSelectorCountsOneSamplePerSeries) {
  auto d = Call(InstantQuery, "query=up&time=60&stats=1");
  EXPECT_EQ(Total(d), 2);
  EXPECT_EQ(Peak(d), 2);
  auto none = Call(InstantQuery, "query=up&time=1000&stats=1");  // beyond the 5m lookback
  EXPECT_EQ(Total(none), 0);
  auto scalar = Call(InstantQuery, "query=1%2B1&stats=1");
  EXPECT_EQ(Total(scalar), 0);
}

TEST_F(QueryStatsTest, RangeQueryPerStepWithStatsAll) {
  auto d = Call(RangeQuery, "query=up&start=0&end=60&step=15&stats=all");
  EXPECT_EQ(Total(d), 10);
  EXPECT_EQ(Peak(d), 10);
  std::vector<std::pair<double, int64_t>> want = {{0, 2}, {15, 2}, {30, 2}, {45, 2}, {60, 2}};
  EXPECT_EQ(PerStep(d), want);
  // The same query with stats=1: the total only.
  auto t = Call(RangeQuery, "query=up&start=0&end=60&step=15&stats=1");
  EXPECT_EQ(Total(t), 10);
  EXPECT_FALSE(t["data"]["stats"]["samples"].HasMember("totalQueryableSamplesPerStep"));
}

TEST_F(QueryStatsTest, InstantQueryWithStatsAllHasOneStep) {
  auto d = Call(InstantQuery, "query=up&time=60.5&stats=all");
  std::vector<std::pair<double, int64_t>> want = {{60.5, 2}};
  EXPECT_EQ(PerStep(d), want);
}

TEST_F(QueryStatsTest, RangeFunctionCountsItsWindowAtEveryStep) {
  // (t-30s, t]: two points per window.
  auto i = Call(InstantQuery, "query=rate(http_requests_total[30s])&time=60&stats=1");
  EXPECT_EQ(Total(i), 2);
  auto d =
      Call(RangeQuery, "query=rate(http_requests_total[30s])&start=30&end=60&step=15&stats=all");
  EXPECT_EQ(Total(d), 6);
  std::vector<std::pair<double, int64_t>> want = {{30, 2}, {45, 2}, {60, 2}};
  EXPECT_EQ(PerStep(d), want);
  // 1m windows at 45s (0..45) and 60s (15..60) share three points; each
  // step counts its whole window (4 points x 2 series).
  auto w = Call(RangeQuery, "query=sum_over_time(up[1m])&start=45&end=60&step=15&stats=all");
  std::vector<std::pair<double, int64_t>> want_w = {{45, 8}, {60, 8}};
  EXPECT_EQ(PerStep(w), want_w);
}

TEST_F(QueryStatsTest, RangeSelectorResultCountsItsPoints) {
  auto d = Call(InstantQuery, "query=up[1m]&time=60&stats=1");
  EXPECT_EQ(Total(d), 8);  // 15, 30, 45, 60 for two series
  EXPECT_GE(Peak(d), 8);
}

TEST_F(QueryStatsTest, StepInvariantCountsItsEvaluationAtEveryStep) {
  auto d = Call(RangeQuery, "query=up%20%40%2060&start=0&end=60&step=30&stats=all");  // up @ 60
  std::vector<std::pair<double, int64_t>> want = {{0, 2}, {30, 2}, {60, 2}};
  EXPECT_EQ(PerStep(d), want);
  EXPECT_EQ(Total(d), 6);
}

TEST_F(QueryStatsTest, SubqueryUnderAFunctionCountsTheWindowNotTheInnerSamples) {
  // up[30s:15s] at 60 has steps 45 and 60: two points per series.
  auto d = Call(InstantQuery, "query=max_over_time(up[30s:15s])&time=60&stats=1");
  EXPECT_EQ(Total(d), 4);
  // A bare subquery counts its inner selector's samples.
  auto bare = Call(InstantQuery, "query=up[30s:15s]&time=60&stats=1");
  EXPECT_EQ(Total(bare), 4);
}

TEST_F(QueryStatsTest, ErrorsCarryNoStats) {
  HttpRequest r;
  r.method = "GET";
  r.query = "query=up%20%2B&stats=all";
  QueryContext ctx{engine_, storage_, 60'000, &metrics_, 0};
  HttpResponse resp = InstantQuery(ctx, *Params::Parse(r));
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(resp.body.find("stats"), std::string::npos);
  // A query that did not parse is not an engine query.
  EXPECT_EQ(metrics_.Snapshot().durations.at("inner_eval").count, 0u);
}

TEST_F(QueryStatsTest, HandlersFeedTheEngineMetrics) {
  Call(InstantQuery, "query=up&time=60");                                   // 2 samples
  Call(RangeQuery, "query=up&start=0&end=60&step=15");                      // 10 samples
  Call(InstantQuery, "query=rate(http_requests_total[30s])&time=60", 0.5);  // 2 samples
  EngineMetricsSnapshot s = metrics_.Snapshot();
  EXPECT_EQ(s.samples_total, 14u);
  EXPECT_EQ(s.queries, 0);
  EXPECT_EQ(s.concurrent_max, 20);
  EXPECT_EQ(s.durations.at("inner_eval").count, 3u);
  EXPECT_EQ(s.durations.at("prepare_time").count, 3u);
  EXPECT_EQ(s.durations.at("queue_time").count, 3u);
  EXPECT_EQ(s.durations.at("queue_time").sum, 0.5);
  EXPECT_EQ(s.durations.at("result_sort").count, 1u);  // range queries only
  const SummaryData& q = s.durations.at("queue_time");
  ASSERT_EQ(q.quantiles.size(), 3u);
  EXPECT_EQ(q.quantiles[0].first, 0.5);
  EXPECT_EQ(q.quantiles[0].second, 0);
  EXPECT_EQ(q.quantiles[2].first, 0.99);
  EXPECT_EQ(q.quantiles[2].second, 0.5);
}

TEST(SlidingSummaryTest, ExactQuantilesOverTheWindow) {
  SlidingSummary s;
  for (int i = 1; i <= 100; ++i) s.Observe(i, 0);
  SummaryData d = s.Snapshot(0);
  ASSERT_EQ(d.quantiles.size(), 3u);
  EXPECT_EQ(d.quantiles[0].second, 50);
  EXPECT_EQ(d.quantiles[1].second, 90);
  EXPECT_EQ(d.quantiles[2].second, 99);
  EXPECT_EQ(d.count, 100u);
  EXPECT_EQ(d.sum, 5050);
}

TEST(SlidingSummaryTest, ObservationsAgeOutAfterTenMinutesButSumAndCountStay) {
  SlidingSummary s;
  s.Observe(7, 0);
  EXPECT_EQ(s.Snapshot(9 * 60 * 1000).quantiles[0].second, 7);
  s.Observe(3, 9 * 60 * 1000);
  EXPECT_EQ(s.Snapshot(9 * 60 * 1000).quantiles[2].second, 7);
  SummaryData later = s.Snapshot(10 * 60 * 1000);  // the first age bucket left the window
  EXPECT_EQ(later.quantiles[2].second, 3);
  SummaryData empty = s.Snapshot(30 * 60 * 1000);
  EXPECT_TRUE(std::isnan(empty.quantiles[0].second));
  EXPECT_EQ(empty.count, 2u);
  EXPECT_EQ(empty.sum, 10);
}

TEST(SlidingSummaryTest, KeepsTheNewestValuesWhenABucketIsFull) {
  SlidingSummary s;
  for (size_t i = 0; i < SlidingSummary::kMaxPerBucket; ++i) s.Observe(1000, 0);
  for (size_t i = 0; i < SlidingSummary::kMaxPerBucket; ++i) s.Observe(1, 0);
  EXPECT_EQ(s.Snapshot(0).quantiles[2].second, 1);
  EXPECT_EQ(s.Snapshot(0).count, 2 * SlidingSummary::kMaxPerBucket);
}

}  // namespace
}  // namespace kubescrape::api
