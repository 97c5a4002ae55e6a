#include "server/self_metrics.h"

#include <gtest/gtest.h>

#include <map>

#include "api/router.h"
#include "scraper/textparse.h"
#include "server/api_routes.h"
#include "tsdb/memory_storage.h"
#include "util/clock.h"

namespace kubescrape::server {
namespace {

// Parses the exposition with the scraper's own parser: series -> value.
std::map<std::string, double> Parse(const std::string& body) {
  scraper::TextParser p;
  p.Reset(scraper::ExpositionFormat::kPrometheusText, body);
  std::map<std::string, double> out;
  for (;;) {
    auto e = p.Next();
    if (e == scraper::TextParser::Entry::kEof) break;
    EXPECT_NE(e, scraper::TextParser::Entry::kError) << p.error().message();
    if (e == scraper::TextParser::Entry::kError) break;
    if (e == scraper::TextParser::Entry::kSeries) out[std::string(p.Series())] = p.Value();
  }
  return out;
}

TEST(SelfMetricsTest, ValidExpositionWithPrometheusNames) {
  SelfMetricsSnapshot s;
  s.start_time_seconds = 1700000000.5;
  s.discovered_targets = {{"kubernetes-pods", 9}};
  s.active_targets = {{"kubernetes-pods", 4}};
  s.dropped_targets = {{"kubernetes-pods", 5}};
  s.k8s_lists = 2;
  s.k8s_pods = 9;
  s.last_reload_successful = false;
  auto m = Parse(FormatSelfMetrics(s));
  EXPECT_EQ(m.at("prometheus_target_scrape_pool_targets{scrape_job=\"kubernetes-pods\"}"), 4);
  EXPECT_EQ(m.at("kubescrape_target_scrape_pool_dropped_targets{scrape_job=\"kubernetes-pods\"}"), 5);
  EXPECT_EQ(m.at("prometheus_sd_discovered_targets{config=\"kubernetes-pods\",name=\"scrape\"}"), 9);
  EXPECT_EQ(m.at("prometheus_config_last_reload_successful"), 0);
  EXPECT_EQ(m.at("process_start_time_seconds"), 1700000000.5);
  EXPECT_EQ(m.at("kubescrape_sd_kubernetes_requests_total{kind=\"list\"}"), 2);
  EXPECT_EQ(m.count("prometheus_build_info{branch=\"main\",goversion=\"c++20\",revision=\"unknown\",version=\"" KS_VERSION
                    "\"}"),
            1u);
}

TEST(SelfMetricsTest, StorageMetricsWhenAStoreReportsThem) {
  SelfMetricsSnapshot s;
  EXPECT_EQ(Parse(FormatSelfMetrics(s)).count("prometheus_tsdb_head_series"), 0u);
  s.has_storage = true;
  s.storage.head_series = 26;
  s.storage.head_samples_appended = 260;
  auto m = Parse(FormatSelfMetrics(s));
  EXPECT_EQ(m.at("prometheus_tsdb_head_series"), 26);
  EXPECT_EQ(m.at("prometheus_tsdb_head_samples_appended_total{type=\"float\"}"), 260);
}

TEST(SelfMetricsTest, BlockMetricsFromTheDbsStats) {
  tsdb::DbStats st;
  st.head.num_series = 5;
  st.blocks.loaded = 3;
  st.blocks.bytes = 4096;
  st.blocks.min_time = 1'000'000;
  st.blocks.compactions = 4;
  st.blocks.checkpoints = 2;
  st.blocks.checkpoints_failed = 1;
  st.blocks.size_retentions = 1;
  SelfMetricsSnapshot s;
  s.has_storage = true;
  s.storage = StorageMetricsOf(st, 2'000'000, 9'000'000, 1 << 30);
  auto m = Parse(FormatSelfMetrics(s));
  EXPECT_EQ(m.at("prometheus_tsdb_head_series"), 5);
  EXPECT_EQ(m.at("prometheus_tsdb_blocks_loaded"), 3);
  EXPECT_EQ(m.at("prometheus_tsdb_storage_blocks_bytes"), 4096);
  EXPECT_EQ(m.at("prometheus_tsdb_compactions_total"), 4);
  EXPECT_EQ(m.at("prometheus_tsdb_checkpoint_creations_total"), 3);  // attempts
  EXPECT_EQ(m.at("prometheus_tsdb_checkpoint_creations_failed_total"), 1);
  EXPECT_EQ(m.at("prometheus_tsdb_size_retentions_total"), 1);
  EXPECT_EQ(m.at("prometheus_tsdb_retention_limit_bytes"), 1 << 30);
  EXPECT_EQ(m.at("prometheus_tsdb_lowest_timestamp"), 1'000'000);  // the oldest block's
  EXPECT_EQ(m.at("prometheus_tsdb_lowest_timestamp_seconds"), 1000);
  EXPECT_EQ(m.at("prometheus_tsdb_head_min_time"), 2'000'000);
  EXPECT_EQ(m.at("prometheus_tsdb_head_max_time"), 9'000'000);
  // No blocks: the head's oldest sample; an empty head reports 0.
  st.blocks.loaded = 0;
  EXPECT_EQ(StorageMetricsOf(st, 2'000'000, 9'000'000, 0).lowest_timestamp_ms, 2'000'000);
  EXPECT_EQ(StorageMetricsOf(st, 1, 0, 0).lowest_timestamp_ms, 0);
}

// The daemon's routes over a MemoryStorage with both metrics objects, as
// server.cc wires them.
class QueryMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto app = storage_.NewAppender();
    for (int64_t t = 0; t <= 60'000; t += 15'000) {
      app->Append(0, model::Labels::FromPairs({{"__name__", "up"}, {"job", "api"}}), t, 1);
      app->Append(0, model::Labels::FromPairs({{"__name__", "up"}, {"job", "db"}}), t, 0);
    }
    ASSERT_TRUE(app->Commit().ok());
    RouteContext ctx;
    ctx.engine = &engine_;
    ctx.storage = &storage_;
    ctx.engine_metrics = &engine_metrics_;
    router_.set_metrics(&http_metrics_);
    AddDaemonRoutes(router_, std::move(ctx));
  }

  int Get(std::string path, std::string query = "") {
    api::HttpRequest r;
    r.method = "GET";
    r.path = std::move(path);
    r.query = std::move(query);
    return router_.Handle(r).status;
  }

  std::string Exposition() {
    SelfMetricsSnapshot s;
    s.has_query_metrics = true;
    s.engine = engine_metrics_.Snapshot();
    s.http = http_metrics_.Snapshot();
    return FormatSelfMetrics(s);
  }

  tsdb::MemoryStorage storage_;
  promql::Engine engine_;
  util::FakeClock clock_{1'000'000};
  api::EngineMetrics engine_metrics_{20, clock_};
  api::HttpMetrics http_metrics_;
  api::Router router_;
};

TEST_F(QueryMetricsTest, CountersPerHandlerAndCode) {
  EXPECT_EQ(Get("/api/v1/query", "query=up&time=60"), 200);
  EXPECT_EQ(Get("/api/v1/query", "query=up&time=60"), 200);
  EXPECT_EQ(Get("/api/v1/query", "query=up%20%2B"), 400);
  EXPECT_EQ(Get("/api/v1/query_range", "query=up&start=0&end=60&step=15"), 200);
  EXPECT_EQ(Get("/api/v1/label/job/values"), 200);
  EXPECT_EQ(Get("/nope"), 404);
  const std::string text = Exposition();
  auto m = Parse(text);
  EXPECT_EQ(m.at("prometheus_http_requests_total{code=\"200\",handler=\"/api/v1/query\"}"), 2);
  EXPECT_EQ(m.at("prometheus_http_requests_total{code=\"400\",handler=\"/api/v1/query\"}"), 1);
  EXPECT_EQ(m.at("prometheus_http_requests_total{code=\"200\",handler=\"/api/v1/query_range\"}"), 1);
  EXPECT_EQ(m.at("prometheus_http_requests_total{code=\"200\",handler=\"/api/v1/label/:name/values\"}"), 1);
  // Registered routes start at 0; unmatched paths are not recorded.
  EXPECT_EQ(m.at("prometheus_http_requests_total{code=\"200\",handler=\"/api/v1/series\"}"), 0);
  EXPECT_EQ(text.find("handler=\"/nope\""), std::string::npos);
  EXPECT_EQ(text.find("handler=\"/api/v1/label/job/values\""), std::string::npos);
  EXPECT_EQ(m.at("prometheus_http_request_duration_seconds_count{handler=\"/api/v1/query\"}"), 3);
  EXPECT_EQ(m.count("prometheus_http_request_duration_seconds_count{handler=\"/api/v1/series\"}"), 0u);
  EXPECT_EQ(m.at("prometheus_http_response_size_bytes_count{handler=\"/api/v1/query_range\"}"), 1);
  EXPECT_NE(text.find("# TYPE prometheus_http_request_duration_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE prometheus_http_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("# HELP prometheus_http_response_size_bytes Histogram of response size for HTTP requests.\n"),
            std::string::npos);
}

TEST_F(QueryMetricsTest, HistogramBucketsAreCumulativeWithPrometheusBounds) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Get("/api/v1/query", "query=up&time=60"), 200);
  auto m = Parse(Exposition());
  const std::string h = "handler=\"/api/v1/query\"";
  double prev = 0;
  for (const char* le : {"0.1", "0.2", "0.4", "1", "3", "8", "20", "60", "120", "+Inf"}) {
    const std::string key = "prometheus_http_request_duration_seconds_bucket{" + h + ",le=\"" + le + "\"}";
    ASSERT_EQ(m.count(key), 1u) << key;
    EXPECT_GE(m.at(key), prev) << key;
    prev = m.at(key);
  }
  EXPECT_EQ(prev, 3);
  prev = 0;
  for (const char* le : {"100", "1000", "10000", "100000", "1e+06", "1e+07", "1e+08", "1e+09", "+Inf"}) {
    const std::string key = "prometheus_http_response_size_bytes_bucket{" + h + ",le=\"" + le + "\"}";
    ASSERT_EQ(m.count(key), 1u) << key;
    EXPECT_GE(m.at(key), prev) << key;
    prev = m.at(key);
  }
  EXPECT_EQ(prev, 3);
}

TEST_F(QueryMetricsTest, EngineMetrics) {
  EXPECT_EQ(Get("/api/v1/query", "query=up&time=60"), 200);                   // 2 samples
  EXPECT_EQ(Get("/api/v1/query_range", "query=up&start=0&end=60&step=15"), 200);  // 10 samples
  EXPECT_EQ(Get("/api/v1/query", "query=up%20%2B"), 400);                      // not executed
  const std::string text = Exposition();
  auto m = Parse(text);
  EXPECT_EQ(m.at("prometheus_engine_query_samples_total"), 12);
  EXPECT_EQ(m.at("prometheus_engine_queries"), 0);
  EXPECT_EQ(m.at("prometheus_engine_queries_concurrent_max"), 20);
  EXPECT_EQ(m.at("prometheus_engine_query_log_enabled"), 0);
  EXPECT_EQ(m.at("prometheus_engine_query_duration_seconds_count{slice=\"inner_eval\"}"), 2);
  EXPECT_EQ(m.at("prometheus_engine_query_duration_seconds_count{slice=\"prepare_time\"}"), 2);
  EXPECT_EQ(m.at("prometheus_engine_query_duration_seconds_count{slice=\"queue_time\"}"), 2);
  EXPECT_EQ(m.at("prometheus_engine_query_duration_seconds_count{slice=\"result_sort\"}"), 1);
  for (const char* q : {"0.5", "0.9", "0.99"}) {
    const std::string key = std::string("prometheus_engine_query_duration_seconds{slice=\"inner_eval\",quantile=\"") +
                            q + "\"}";
    ASSERT_EQ(m.count(key), 1u) << key;
    EXPECT_GE(m.at(key), 0) << key;
  }
  EXPECT_NE(text.find("# HELP prometheus_engine_query_duration_seconds Query timings\n"
                      "# TYPE prometheus_engine_query_duration_seconds summary\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE prometheus_engine_query_samples_total counter\n"), std::string::npos);
}

TEST(SelfMetricsTest, NoQueryMetricsWithoutAnApi) {
  SelfMetricsSnapshot s;
  const std::string text = FormatSelfMetrics(s);
  EXPECT_EQ(text.find("prometheus_http_"), std::string::npos);
  EXPECT_EQ(text.find("prometheus_engine_"), std::string::npos);
}

TEST(SelfMetricsTest, ProcessMetricsAreRead) {
  SelfMetricsSnapshot s;
  ReadProcessMetrics(&s);
  EXPECT_GT(s.resident_memory_bytes, 0u);
  EXPECT_GT(s.start_time_seconds, 1.6e9);
}

}  // namespace
}  // namespace kubescrape::server
