#include "scraper/scrape_processor.h"

#include <bit>
#include <cmath>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model/value.h"
#include "tsdb/head.h"
#include "tsdb/memory_storage.h"

namespace kubescrape::scraper {
namespace {

using model::Labels;
using ::testing::HasSubstr;

constexpr std::string_view kText = "text/plain; version=0.0.4; charset=utf-8";

class ScrapeProcessorTest : public ::testing::Test {
 protected:
  ScrapeProcessorTest() : clock_(1'700'000'000'000) {}

  ScrapeProcessor& Make(ScrapeConfig cfg = {}) {
    cfg.job_name = "app";
    config_ = std::make_shared<const ScrapeConfig>(std::move(cfg));
    processor_ = std::make_unique<ScrapeProcessor>(
        config_, Labels::FromPairs({{"instance", "10.0.0.1:8001"}, {"job", "app"}}), storage_, clock_);
    return *processor_;
  }

  ScrapeReport Scrape(std::string_view body, std::string_view content_type = kText) {
    auto start = clock_.Now();
    clock_.AdvanceMillis(15'000);
    return processor_->Process(start, FetchedBody{content_type, body});
  }
  ScrapeReport Fail(util::Status error) {
    auto start = clock_.Now();
    clock_.AdvanceMillis(15'000);
    return processor_->Process(start, error);
  }

  std::vector<tsdb::Sample> Samples(std::initializer_list<std::pair<std::string_view, std::string_view>> extra) {
    std::map<std::string, std::string> m = {{"instance", "10.0.0.1:8001"}, {"job", "app"}};
    for (auto& [k, v] : extra) m[std::string(k)] = std::string(v);
    return storage_.SamplesOf(Labels::FromMap(m));
  }
  double Report(std::string_view name) {
    auto s = Samples({{"__name__", name}});
    return s.empty() ? -1 : s.back().v;
  }

  util::FakeClock clock_;
  tsdb::MemoryStorage storage_;
  std::shared_ptr<const ScrapeConfig> config_;
  std::unique_ptr<ScrapeProcessor> processor_;
};

relabel::Rule CompileRule(relabel::RuleConfig rc) {
  auto r = relabel::Rule::Compile(rc);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return *r;
}

TEST_F(ScrapeProcessorTest, AppendsSamplesWithTargetLabelsAndReport) {
  Make();
  ScrapeReport r = Scrape("# TYPE a counter\na_total 1\nb{x=\"1\"} 2.5\n");
  ASSERT_TRUE(r.up()) << r.error.message();
  EXPECT_EQ(r.samples_scraped, 2u);
  EXPECT_EQ(r.samples_post_relabeling, 2u);
  EXPECT_EQ(r.series_added, 2u);
  auto a = Samples({{"__name__", "a_total"}});
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].t, 1'700'000'000'000);
  EXPECT_EQ(a[0].v, 1);
  ASSERT_EQ(Samples({{"__name__", "b"}, {"x", "1"}}).size(), 1u);
  EXPECT_EQ(Report("up"), 1);
  EXPECT_EQ(Report("scrape_samples_scraped"), 2);
  EXPECT_EQ(Report("scrape_samples_post_metric_relabeling"), 2);
  EXPECT_EQ(Report("scrape_series_added"), 2);
  EXPECT_NEAR(Report("scrape_duration_seconds"), 15.0, 1e-9);  // the fake clock moved 15 s
}

TEST_F(ScrapeProcessorTest, SteadyStateUsesTheCacheAndMarksVanishedSeriesStale) {
  Make();
  ASSERT_TRUE(Scrape("a 1\nb 2\n").up());
  ScrapeReport r = Scrape("a 3\n");
  ASSERT_TRUE(r.up());
  EXPECT_EQ(r.series_added, 0u);
  EXPECT_EQ(r.stale_markers, 1u);
  auto b = Samples({{"__name__", "b"}});
  ASSERT_EQ(b.size(), 2u);
  EXPECT_TRUE(model::IsStaleNaN(b[1].v));
  EXPECT_EQ(b[1].t, 1'700'000'015'000);  // the second scrape's start
  EXPECT_EQ(Samples({{"__name__", "a"}}).size(), 2u);
  EXPECT_EQ(processor_->cache().size(), 1u);  // b evicted
  // A stale marker is written once.
  ASSERT_TRUE(Scrape("a 4\n").up());
  EXPECT_EQ(Samples({{"__name__", "b"}}).size(), 2u);
}

TEST_F(ScrapeProcessorTest, FailedFetchReportsDownAndMarksEverythingStale) {
  Make();
  ASSERT_TRUE(Scrape("a 1\nb 2\n").up());
  ScrapeReport r = Fail(util::UnavailableError("connection refused"));
  EXPECT_FALSE(r.up());
  EXPECT_EQ(r.samples_scraped, 0u);
  EXPECT_EQ(r.stale_markers, 2u);
  EXPECT_EQ(Report("up"), 0);
  EXPECT_EQ(Report("scrape_samples_scraped"), 0);
  EXPECT_TRUE(model::IsStaleNaN(Samples({{"__name__", "a"}}).back().v));
  // Recovery: the series come back, no second marker while down.
  ScrapeReport again = Fail(util::UnavailableError("connection refused"));
  EXPECT_EQ(again.stale_markers, 0u);
  ASSERT_TRUE(Scrape("a 5\n").up());
  EXPECT_EQ(Samples({{"__name__", "a"}}).back().v, 5);
}

TEST_F(ScrapeProcessorTest, ParseErrorFailsTheWholeScrapeWithItsLine) {
  Make();
  ASSERT_TRUE(Scrape("a 1\n").up());
  ScrapeReport r = Scrape("a 2\nb 3\nc{x=\"1\" 4\n");
  EXPECT_FALSE(r.up());
  EXPECT_THAT(r.error.message(), ::testing::StartsWith("3:"));
  EXPECT_EQ(Report("up"), 0);
  auto a = Samples({{"__name__", "a"}});
  ASSERT_EQ(a.size(), 2u);  // 1, then the stale marker: the 2 was rolled back
  EXPECT_TRUE(model::IsStaleNaN(a[1].v));
  EXPECT_TRUE(Samples({{"__name__", "b"}}).empty());
}

TEST_F(ScrapeProcessorTest, ConflictingLabelsMoveToExported) {
  Make();
  ASSERT_TRUE(Scrape("m{job=\"other\",instance=\"i\",exported_instance=\"x\"} 1\n").up());
  EXPECT_EQ(Samples({{"__name__", "m"}, {"exported_job", "other"}, {"exported_exported_instance", "i"},
                     {"exported_instance", "x"}})
                .size(),
            1u);
}

TEST_F(ScrapeProcessorTest, HonorLabelsKeepsScrapedValues) {
  ScrapeConfig cfg;
  cfg.honor_labels = true;
  Make(cfg);
  ASSERT_TRUE(Scrape("m{job=\"other\"} 1\n").up());
  auto s = storage_.SamplesOf(Labels::FromPairs({{"__name__", "m"}, {"instance", "10.0.0.1:8001"}, {"job", "other"}}));
  EXPECT_EQ(s.size(), 1u);
}

TEST_F(ScrapeProcessorTest, MetricRelabelingSeesTargetLabelsAndDropsAreCached) {
  ScrapeConfig cfg;
  relabel::RuleConfig drop;
  drop.source_labels = {"__name__", "job"};
  drop.source_labels_set = true;
  drop.regex = "go_.*;app";
  drop.action = relabel::Action::kDrop;
  cfg.metric_relabel_configs.push_back(CompileRule(drop));
  Make(cfg);
  ScrapeReport r = Scrape("go_goroutines 5\nhttp_requests_total 7\n");
  ASSERT_TRUE(r.up());
  EXPECT_EQ(r.samples_scraped, 2u);
  EXPECT_EQ(r.samples_post_relabeling, 1u);
  EXPECT_TRUE(Samples({{"__name__", "go_goroutines"}}).empty());
  EXPECT_EQ(processor_->cache().dropped_size(), 1u);
  r = Scrape("go_goroutines 6\nhttp_requests_total 8\n");
  EXPECT_EQ(r.samples_post_relabeling, 1u);
  EXPECT_EQ(Report("scrape_samples_post_metric_relabeling"), 1);
}

TEST_F(ScrapeProcessorTest, SampleLimitFailsTheScrapeAndKeepsNothing) {
  ScrapeConfig cfg;
  cfg.limits.sample_limit = 2;
  Make(cfg);
  ASSERT_TRUE(Scrape("a 1\nb 1\n").up());
  ScrapeReport r = Scrape("a 2\nb 2\nc 2\nd 2\n");
  EXPECT_FALSE(r.up());
  EXPECT_EQ(r.error.message(), "sample limit exceeded");
  EXPECT_EQ(r.samples_scraped, 4u);  // parsing went on
  EXPECT_TRUE(Samples({{"__name__", "c"}}).empty());
  auto a = Samples({{"__name__", "a"}});
  ASSERT_EQ(a.size(), 2u);
  EXPECT_TRUE(model::IsStaleNaN(a[1].v));
  EXPECT_EQ(Report("up"), 0);
}

TEST_F(ScrapeProcessorTest, LabelLimitsFailTheScrape) {
  ScrapeConfig cfg;
  cfg.limits.label_limit = 3;  // __name__, instance, job + one more is too many
  Make(cfg);
  ScrapeReport r = Scrape("m{a=\"1\"} 1\n");
  EXPECT_FALSE(r.up());
  EXPECT_EQ(r.error.message(), "label_limit exceeded (metric: m, number of labels: 4, limit: 3)");
  cfg.limits.label_limit = 0;
  cfg.limits.label_value_length_limit = 3;
  Make(cfg);
  r = Scrape("m{a=\"long\"} 1\n");
  EXPECT_THAT(r.error.message(), HasSubstr("label_value_length_limit exceeded (metric: m, label name: a"));
}

TEST_F(ScrapeProcessorTest, DuplicateSeriesInOneScrapeAreCountedAndDropped) {
  Make();
  ScrapeReport r = Scrape("a 1\na 2\n");
  ASSERT_TRUE(r.up());
  EXPECT_EQ(r.duplicate_timestamp, 1u);
  auto a = Samples({{"__name__", "a"}});
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].v, 1);
  r = Scrape("a 3\na 4\n");  // also on the cache-hit path
  EXPECT_EQ(r.duplicate_timestamp, 1u);
}

TEST_F(ScrapeProcessorTest, ExplicitTimestampsAreHonoredAndNotTrackedForStaleness) {
  Make();
  ASSERT_TRUE(Scrape("a 1 1600000000000\nb 1\n").up());
  EXPECT_EQ(Samples({{"__name__", "a"}})[0].t, 1600000000000);
  ScrapeReport r = Scrape("\n");
  EXPECT_EQ(r.stale_markers, 1u);  // b only
  EXPECT_EQ(Samples({{"__name__", "a"}}).size(), 1u);

  ScrapeConfig cfg;
  cfg.honor_timestamps = false;
  Make(cfg);
  ASSERT_TRUE(Scrape("c 1 1600000000000\n").up());
  EXPECT_NE(Samples({{"__name__", "c"}})[0].t, 1600000000000);
}

TEST_F(ScrapeProcessorTest, ContentTypeNegotiation) {
  Make();
  ScrapeReport r = Scrape("a 1\n", "");
  EXPECT_FALSE(r.up());
  EXPECT_THAT(r.error.message(), HasSubstr("blank Content-Type and no fallback_scrape_protocol"));
  r = Scrape("a 1\n", "text/html; charset=utf-8");
  EXPECT_THAT(r.error.message(), HasSubstr("received unsupported Content-Type \"text/html; charset=utf-8\""));
  // OpenMetrics needs its # EOF.
  r = Scrape("a 1\n", "application/openmetrics-text; version=1.0.0");
  EXPECT_FALSE(r.up());
  r = Scrape("a 1\n# EOF\n", "application/openmetrics-text; version=1.0.0");
  EXPECT_TRUE(r.up()) << r.error.message();

  ScrapeConfig cfg;
  cfg.fallback_scrape_protocol = ScrapeProtocol::kPrometheusText0_0_4;
  Make(cfg);
  r = Scrape("a 1\n", "");
  EXPECT_TRUE(r.up());
  EXPECT_THAT(r.warning, HasSubstr("using fallback_scrape_protocol \"PrometheusText0.0.4\""));
}

TEST_F(ScrapeProcessorTest, MarkAllStaleCoversSeriesAndReport) {
  Make();
  ASSERT_TRUE(Scrape("a 1\n").up());
  processor_->MarkAllStale(1'700'000'030'000);
  EXPECT_TRUE(model::IsStaleNaN(Samples({{"__name__", "a"}}).back().v));
  auto up = Samples({{"__name__", "up"}});
  ASSERT_EQ(up.size(), 2u);
  EXPECT_TRUE(model::IsStaleNaN(up[1].v));
  EXPECT_EQ(up[1].t, 1'700'000'030'000);
}

TEST_F(ScrapeProcessorTest, InvalidNamesUnderLegacyValidationFail) {
  ScrapeConfig cfg;
  cfg.name_validation = model::NameValidationScheme::kLegacy;
  Make(cfg);
  ScrapeReport r = Scrape("{\"my.metric\"} 1\n");
  EXPECT_FALSE(r.up());
  EXPECT_THAT(r.error.message(), HasSubstr("invalid metric name or label names"));
  Make();
  EXPECT_TRUE(Scrape("{\"my.metric\"} 1\n").up());
}

// The cache keeps refs, not labels: when the head garbage-collects a series
// the target still exposes (here after a long outage), the next scrape
// rebuilds its labels from the raw bytes and the series comes back whole.
TEST(ScrapeProcessorHeadTest, ASeriesTheHeadDroppedIsRecreatedFromItsRawBytes) {
  tsdb::Head head;
  util::FakeClock clock(1'700'000'000'000);
  ScrapeConfig cfg;
  cfg.job_name = "app";
  const Labels target = Labels::FromPairs({{"instance", "10.0.0.1:8001"}, {"job", "app"}});
  ScrapeProcessor p(std::make_shared<const ScrapeConfig>(std::move(cfg)), target, head, clock);
  const std::string body = "# TYPE requests_total counter\nrequests_total{code=\"200\"} 1\n";
  ASSERT_TRUE(p.Process(clock.Now(), FetchedBody{kText, body}).up());
  clock.AdvanceMillis(15'000);
  ASSERT_FALSE(p.Process(clock.Now(), util::UnavailableError("connection refused")).up());
  const uint64_t series_before = head.stats().num_series;
  ASSERT_EQ(series_before, 6u);  // requests_total and the five synthetic series
  clock.AdvanceMillis(3 * 3600'000);
  head.Truncate(clock.NowMillis());  // every sample is older: every series goes
  ASSERT_EQ(head.stats().num_series, 0u);

  const int64_t t = clock.NowMillis();
  ScrapeReport r = p.Process(clock.Now(), FetchedBody{kText, "requests_total{code=\"200\"} 7\n"});
  ASSERT_TRUE(r.up()) << r.error.message();
  EXPECT_EQ(r.series_added, 0u);  // a cache hit, as in Prometheus
  EXPECT_EQ(r.samples_post_relabeling, 1u);
  auto q = head.NewQuerier(t, t);
  ASSERT_TRUE(q.ok());
  model::Matcher name = *model::Matcher::Make(model::MatchType::kEqual, "__name__", "requests_total");
  std::unique_ptr<tsdb::SeriesSet> set = (*q)->Select(std::span<const model::Matcher>(&name, 1));
  ASSERT_TRUE(set->Next());
  EXPECT_EQ(set->labels(), Labels::FromPairs({{"__name__", "requests_total"},
                                              {"code", "200"},
                                              {"instance", "10.0.0.1:8001"},
                                              {"job", "app"}}));
  auto it = set->Samples();
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(it->t(), t);
  EXPECT_EQ(it->v(), 7);
  EXPECT_FALSE(set->Next());
  set.reset();
  q->reset();
  // The next scrape appends by the new ref.
  clock.AdvanceMillis(15'000);
  EXPECT_TRUE(p.Process(clock.Now(), FetchedBody{kText, "requests_total{code=\"200\"} 8\n"}).up());
  EXPECT_EQ(head.stats().num_series, 6u);
}

TEST(SameSampleProcessingTest, ComparesWhatChangesSamples) {
  ScrapeConfig a, b;
  EXPECT_TRUE(SameSampleProcessing(a, b));
  b.scrape_interval = std::chrono::seconds(5);  // schedule only
  EXPECT_TRUE(SameSampleProcessing(a, b));
  b.honor_labels = true;
  EXPECT_FALSE(SameSampleProcessing(a, b));
}

}  // namespace
}  // namespace kubescrape::scraper
