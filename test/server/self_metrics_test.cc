#include "server/self_metrics.h"

#include <gtest/gtest.h>

#include <map>

#include "scraper/textparse.h"

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

TEST(SelfMetricsTest, ProcessMetricsAreRead) {
  SelfMetricsSnapshot s;
  ReadProcessMetrics(&s);
  EXPECT_GT(s.resident_memory_bytes, 0u);
  EXPECT_GT(s.start_time_seconds, 1.6e9);
}

}  // namespace
}  // namespace kubescrape::server
