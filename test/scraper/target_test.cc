#include "scraper/target.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kubescrape::scraper {
namespace {

using model::Labels;
using namespace std::chrono_literals;

ScrapeConfig Job() {
  ScrapeConfig c;
  c.job_name = "kubernetes-pods";
  c.scrape_interval = 15s;
  c.scrape_timeout = 10s;
  return c;
}

relabel::Rule Rule(relabel::RuleConfig rc) { return *relabel::Rule::Compile(rc); }

TEST(BuildTargetTest, DefaultsAndInstanceFromAddress) {
  TargetOutcome o = BuildTarget(Labels::FromPairs({{"__address__", "10.0.0.1:8001"}, {"__meta_x", "y"}}),
                                Labels::FromPairs({{"team", "a"}}), Job());
  ASSERT_TRUE(o.target) << o.error.message();
  const Target& t = *o.target;
  EXPECT_EQ(t.labels, Labels::FromPairs({{"__address__", "10.0.0.1:8001"},
                                         {"__metrics_path__", "/metrics"},
                                         {"__scheme__", "http"},
                                         {"__scrape_interval__", "15s"},
                                         {"__scrape_timeout__", "10s"},
                                         {"instance", "10.0.0.1:8001"},
                                         {"job", "kubernetes-pods"},
                                         {"team", "a"}}));
  EXPECT_EQ(t.series_labels,
            Labels::FromPairs({{"instance", "10.0.0.1:8001"}, {"job", "kubernetes-pods"}, {"team", "a"}}));
  EXPECT_EQ(t.discovered.Get("__meta_x"), "y");
  EXPECT_EQ(t.Url(), "http://10.0.0.1:8001/metrics");
  EXPECT_EQ(t.interval, 15s);
  EXPECT_EQ(t.timeout, 10s);
}

TEST(BuildTargetTest, TargetLabelsWinOverGroupLabelsAndDefaults) {
  TargetOutcome o = BuildTarget(
      Labels::FromPairs({{"__address__", "h:1"}, {"team", "mine"}, {"job", "custom"}, {"__scheme__", "https"}}),
      Labels::FromPairs({{"team", "group"}}), Job());
  ASSERT_TRUE(o.target);
  EXPECT_EQ(o.target->labels.Get("team"), "mine");
  EXPECT_EQ(o.target->labels.Get("job"), "custom");
  EXPECT_EQ(o.target->Url(), "https://h:1/metrics");
}

TEST(BuildTargetTest, RelabelingFromAnnotations) {
  // The origin's rules: keep annotated pods, take path and port from annotations.
  ScrapeConfig c = Job();
  relabel::RuleConfig keep;
  keep.source_labels = {"__meta_kubernetes_pod_annotation_prometheus_io_scrape"};
  keep.source_labels_set = true;
  keep.regex = "true";
  keep.action = relabel::Action::kKeep;
  relabel::RuleConfig path;
  path.source_labels = {"__meta_kubernetes_pod_annotation_prometheus_io_path"};
  path.source_labels_set = true;
  path.regex = "(.+)";
  path.target_label = "__metrics_path__";
  relabel::RuleConfig port;
  port.source_labels = {"__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"};
  port.source_labels_set = true;
  port.regex = "([^:]+)(?::\\d+)?;(\\d+)";
  port.replacement = "$1:$2";
  port.target_label = "__address__";
  c.relabel_configs = {Rule(keep), Rule(path), Rule(port)};
  TargetOutcome o = BuildTarget(Labels::FromPairs({{"__address__", "10.1.2.3"},
                                                   {"__meta_kubernetes_pod_annotation_prometheus_io_scrape", "true"},
                                                   {"__meta_kubernetes_pod_annotation_prometheus_io_path", "/m"},
                                                   {"__meta_kubernetes_pod_annotation_prometheus_io_port", "8001"}}),
                                Labels(), c);
  ASSERT_TRUE(o.target) << o.error.message();
  EXPECT_EQ(o.target->Url(), "http://10.1.2.3:8001/m");
  EXPECT_EQ(o.target->labels.Get("instance"), "10.1.2.3:8001");
  EXPECT_TRUE(o.target->labels.Get("__meta_kubernetes_pod_annotation_prometheus_io_path").empty());

  TargetOutcome dropped = BuildTarget(Labels::FromPairs({{"__address__", "10.1.2.4"}}), Labels(), c);
  EXPECT_TRUE(dropped.dropped);
  EXPECT_FALSE(dropped.target);
  EXPECT_EQ(dropped.discovered.Get("job"), "kubernetes-pods");
}

TEST(BuildTargetTest, InvalidTargetsAreReportedWithPrometheusMessages) {
  ScrapeConfig c = Job();
  auto error = [&](Labels l) { return BuildTarget(l, Labels(), c).error.message(); };
  EXPECT_EQ(error(Labels::FromPairs({{"a", "b"}})), "no address");
  EXPECT_EQ(error(Labels::FromPairs({{"__address__", "h:1/x"}})), "\"h:1/x\" is not a valid hostname");
  EXPECT_EQ(error(Labels::FromPairs({{"__address__", "h"}, {"__scrape_interval__", "5x"}})),
            "error parsing scrape interval: unknown unit \"x\" in duration \"5x\"");
  EXPECT_EQ(error(Labels::FromPairs({{"__address__", "h"}, {"__scrape_interval__", "0s"}})),
            "scrape interval cannot be 0");
  EXPECT_EQ(error(Labels::FromPairs({{"__address__", "h"}, {"__scrape_timeout__", "0s"}})),
            "scrape timeout cannot be 0");
  EXPECT_EQ(error(Labels::FromPairs({{"__address__", "h"}, {"__scrape_timeout__", "20s"}})),
            "scrape timeout cannot be greater than scrape interval (\"20s\" > \"15s\")");
  EXPECT_EQ(error(Labels::FromPairs({{"__address__", "h"}, {"x", "\xff"}})), "invalid label value for \"x\": \"\\xff\"");
  // No default port is added (Prometheus 3).
  EXPECT_EQ(BuildTarget(Labels::FromPairs({{"__address__", "h"}}), Labels(), c).target->Url(), "http://h/metrics");
}

TEST(BuildTargetTest, ParamsBecomeLabelsAndQuery) {
  ScrapeConfig c = Job();
  c.params = {{"module", {"http_2xx", "second"}}, {"a b", {"x&y"}}};
  TargetOutcome o = BuildTarget(Labels::FromPairs({{"__address__", "h:9115"}}), Labels(), c);
  ASSERT_TRUE(o.target);
  EXPECT_EQ(o.target->labels.Get("__param_module"), "http_2xx");
  EXPECT_EQ(o.target->request_target, "/metrics?a+b=x%26y&module=http_2xx&module=second");
  // A __param_ label (e.g. from relabeling) overrides the first value.
  o = BuildTarget(Labels::FromPairs({{"__address__", "h:9115"}, {"__param_module", "tcp"}, {"__param_target", "x"}}),
                  Labels(), c);
  EXPECT_EQ(o.target->request_target, "/metrics?a+b=x%26y&module=tcp&module=second&target=x");
}

TEST(BuildTargetsTest, IdenticalTargetsAreOneAndErrorsNameTheGroup) {
  model::TargetGroup g;
  g.source = "0";
  g.targets = {Labels::FromPairs({{"__address__", "a:1"}}), Labels::FromPairs({{"__address__", "a:1"}}),
               Labels::FromPairs({{"__address__", "b:1"}}), Labels::FromPairs({{"x", "y"}})};
  auto out = BuildTargets({g}, Job());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].target->host_port, "a:1");
  EXPECT_EQ(out[1].target->host_port, "b:1");
  EXPECT_EQ(out[2].error.message(), "instance 3 in group 0: no address");
  EXPECT_NE(out[0].target->hash, out[1].target->hash);
}

TEST(ScrapeOffsetTest, FixedPhaseWithinTheInterval) {
  const auto interval = std::chrono::nanoseconds(15s);
  for (uint64_t hash : {0ull, 1ull, 123456789ull, ~0ull}) {
    // Whatever "now" is, now + offset lands on the same phase.
    std::optional<int64_t> phase;
    for (int64_t now : {0ll, 1'000ll, 7'654'321'000ll, 1'700'000'000'123'456'789ll}) {
      auto off = ScrapeOffset(hash, 42, interval, std::chrono::nanoseconds(now));
      EXPECT_GE(off.count(), 0);
      EXPECT_LE(off, interval);
      int64_t p = (now + off.count()) % interval.count();
      if (phase) {
        EXPECT_EQ(p, *phase);
      }
      phase = p;
    }
  }
}

TEST(Fnv64aTest, KnownValues) {
  EXPECT_EQ(Fnv64a(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(Fnv64a("a"), 0xaf63dc4c8601ec8cull);
}

}  // namespace
}  // namespace kubescrape::scraper
