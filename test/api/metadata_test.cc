// /api/v1/metadata and /api/v1/targets/metadata (api/metadata.h) over
// targets whose metadata came through a real scrape parser run.
#include "api/metadata.h"

#include <gtest/gtest.h>

#include "scraper/metadata.h"

namespace kubescrape::api {
namespace {

// A tracker fed as the scrape processor feeds it, from a real body.
std::shared_ptr<const scraper::MetadataMap> MetadataOf(std::string_view body,
                                                       scraper::ExpositionFormat format =
                                                           scraper::ExpositionFormat::kPrometheusText) {
  scraper::MetadataTracker tracker;
  scraper::TextParser p(format, body);
  tracker.BeginScrape();
  for (auto e = p.Next(); e != scraper::TextParser::Entry::kEof && e != scraper::TextParser::Entry::kError;
       e = p.Next()) {
    if (e == scraper::TextParser::Entry::kType) tracker.OnType(p.MetricName(), p.Type());
    if (e == scraper::TextParser::Entry::kHelp) tracker.OnHelp(p.MetricName(), p.Help());
    if (e == scraper::TextParser::Entry::kUnit) tracker.OnUnit(p.MetricName(), p.Unit());
  }
  tracker.EndScrape();
  return tracker.Snapshot();
}

scraper::TargetStatus Target(std::string job, std::string instance, std::string_view body) {
  scraper::TargetStatus t;
  t.job = job;
  t.target.series_labels = model::Labels::FromPairs({{"instance", instance}, {"job", job}});
  t.metadata = MetadataOf(body);
  return t;
}

Params P(std::string query) {
  HttpRequest r;
  r.query = std::move(query);
  return *Params::Parse(r);
}

const char* kApp = R"(# HELP http_requests_total Requests.
# TYPE http_requests_total counter
http_requests_total{code="200"} 3
# HELP latency_seconds Latency.
# TYPE latency_seconds histogram
latency_seconds_bucket{le="1"} 1
latency_seconds_bucket{le="+Inf"} 1
latency_seconds_sum 0.5
latency_seconds_count 1
untyped_thing 1
)";
const char* kOtherVersion = R"(# HELP http_requests_total All requests served.
# TYPE http_requests_total counter
http_requests_total 1
# TYPE queue gauge
queue 2
)";

TEST(MetadataApiTest, DistinctMetadataPerMetricSortedByName) {
  std::vector<scraper::TargetStatus> ts = {Target("app", "a:1", kApp), Target("app", "b:1", kApp),
                                           Target("app", "c:1", kOtherVersion)};
  EXPECT_EQ(MetadataResponse(ts, P("")).body,
            R"({"status":"success","data":{)"
            R"("http_requests_total":[{"type":"counter","help":"Requests.","unit":""},)"
            R"({"type":"counter","help":"All requests served.","unit":""}],)"
            R"("latency_seconds":[{"type":"histogram","help":"Latency.","unit":""}],)"
            R"("queue":[{"type":"gauge","help":"","unit":""}]}})");
  EXPECT_EQ(MetadataResponse(ts, P("metric=queue")).body,
            R"({"status":"success","data":{"queue":[{"type":"gauge","help":"","unit":""}]}})");
  EXPECT_EQ(MetadataResponse(ts, P("limit=1&limit_per_metric=1")).body,
            R"({"status":"success","data":{"http_requests_total":[{"type":"counter","help":"Requests.","unit":""}]}})");
  EXPECT_EQ(MetadataResponse(ts, P("limit=0")).body, R"({"status":"success","data":{}})");
  EXPECT_EQ(MetadataResponse(ts, P("metric=nope")).body, R"({"status":"success","data":{}})");
  auto bad = MetadataResponse(ts, P("limit=x"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("limit must be a number"), std::string::npos);
}

TEST(MetadataApiTest, OpenMetricsUnitsAreKept) {
  scraper::TargetStatus t;
  t.metadata = MetadataOf("# TYPE temp_celsius gauge\n# UNIT temp_celsius celsius\ntemp_celsius 21\n# EOF\n",
                          scraper::ExpositionFormat::kOpenMetrics);
  EXPECT_EQ(MetadataResponse({t}, P("")).body,
            R"({"status":"success","data":{"temp_celsius":[{"type":"gauge","help":"","unit":"celsius"}]}})");
}

TEST(MetadataApiTest, TargetsMetadataPerTargetWithMatchers) {
  std::vector<scraper::TargetStatus> ts = {Target("app", "a:1", kApp), Target("db", "d:1", kOtherVersion)};
  EXPECT_EQ(TargetsMetadataResponse(ts, P("match_target=%7Bjob%3D%22db%22%7D")).body,
            R"({"status":"success","data":[)"
            R"({"target":{"instance":"d:1","job":"db"},"metric":"http_requests_total","type":"counter","help":"All requests served.","unit":""},)"
            R"({"target":{"instance":"d:1","job":"db"},"metric":"queue","type":"gauge","help":"","unit":""}]})");
  // With metric=, the metric field is left out.
  EXPECT_EQ(TargetsMetadataResponse(ts, P("metric=latency_seconds")).body,
            R"({"status":"success","data":[{"target":{"instance":"a:1","job":"app"},"type":"histogram","help":"Latency.","unit":""}]})");
  EXPECT_EQ(TargetsMetadataResponse(ts, P("match_target=%7Bjob%3D")).status, 400);
}

TEST(MetadataTrackerTest, ChangesArePublishedAndStaleFamiliesForgotten) {
  scraper::MetadataTracker m;
  auto empty = m.Snapshot();
  m.BeginScrape();
  m.OnType("a", scraper::MetricType::kCounter);
  m.OnHelp("b", "help b");
  m.EndScrape();
  auto first = m.Snapshot();
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ(first->at("b").type, "unknown");
  EXPECT_TRUE(empty->empty());
  // Unchanged scrapes publish nothing new.
  m.BeginScrape();
  m.OnType("a", scraper::MetricType::kCounter);
  m.OnHelp("b", "help b");
  m.EndScrape();
  EXPECT_EQ(m.Snapshot().get(), first.get());
  // "b" disappears; it is kept for 10 scrapes, then forgotten.
  for (uint64_t i = 0; i < scraper::MetadataTracker::kKeepScrapes; ++i) {
    m.BeginScrape();
    m.OnType("a", scraper::MetricType::kCounter);
    m.EndScrape();
  }
  EXPECT_EQ(m.Snapshot()->count("b"), 1u);
  m.BeginScrape();
  m.OnType("a", scraper::MetricType::kGauge);
  m.EndScrape();
  EXPECT_EQ(m.Snapshot()->count("b"), 0u);
  EXPECT_EQ(m.Snapshot()->at("a").type, "gauge");
}

}  // namespace
}  // namespace kubescrape::api
