#include "cmd/scrapectl/targets.h"

#include <gtest/gtest.h>

#include <sstream>

#include "api/params.h"
#include "api/router.h"
#include "api/targets.h"
#include "cmd/scrapectl/commands.h"
#include "relabel/rule.h"

namespace kubescrape::scrapectl {
namespace {

// A daemon's API in memory: the same handlers the daemon registers.
class FakeDaemon {
 public:
  FakeDaemon() {
    relabel::RuleConfig keep;
    keep.source_labels = {"__meta_kubernetes_pod_annotation_prometheus_io_scrape"};
    keep.regex = "true";
    keep.action = relabel::Action::kKeep;
    rules_.push_back(*relabel::Rule::Compile(keep));

    scraper::TargetStatus up;
    up.job = "kubernetes-pods";
    up.target.scheme = "http";
    up.target.host_port = "10.0.0.5:8001";
    up.target.request_target = "/metrics";
    up.target.discovered = model::Labels::FromPairs({{"__address__", "10.0.0.5:8001"},
                                                     {"__meta_kubernetes_namespace", "test"},
                                                     {"__meta_kubernetes_pod_annotation_prometheus_io_scrape", "true"},
                                                     {"__meta_kubernetes_pod_name", "flask-minio"}});
    up.target.series_labels = model::Labels::FromPairs({{"instance", "10.0.0.5:8001"}, {"pod", "flask-minio"}});
    up.health.state = scraper::TargetHealth::State::kUp;
    up.health.last_scrape_ms = 1'000'000;
    up.health.last_duration_seconds = 0.0123;
    view_.active.push_back(up);
    view_.dropped.push_back({"kubernetes-pods",
                             model::Labels::FromPairs({{"__address__", "10.0.0.7:27017"},
                                                       {"__meta_kubernetes_namespace", "test"},
                                                       {"__meta_kubernetes_pod_name", "mongo"}}),
                             ""});
    view_.dropped_counts = {{"kubernetes-pods", 1}};
    router_.Add({"GET"}, "/api/v1/targets", [this](const api::HttpRequest& r) {
      return api::TargetsResponse(view_, *api::Params::Parse(r), "host");
    });
    router_.Add({"GET"}, "/api/v1/targets/relabel_steps", [this](const api::HttpRequest& r) {
      auto p = api::Params::Parse(r);
      return api::RelabelStepsResponse(rules_, *api::ParseLabelsParam(p->Get("labels")));
    });
  }

  HttpGet Getter() {
    return [this](const std::string& path) -> util::StatusOr<std::string> {
      api::HttpRequest r;
      r.method = "GET";
      size_t q = path.find('?');
      r.path = path.substr(0, q);
      if (q != std::string::npos) r.query = path.substr(q + 1);
      return router_.Handle(r).body;
    };
  }

 private:
  std::vector<relabel::Rule> rules_;
  api::TargetsView view_;
  api::Router router_;
};

TEST(TargetsCommandTest, ActiveTable) {
  FakeDaemon d;
  std::ostringstream out, err;
  ASSERT_EQ(Targets({}, d.Getter(), out, err, 1'003'000), kExitOk) << err.str();
  EXPECT_NE(out.str().find("POOL"), std::string::npos);
  EXPECT_NE(out.str().find("http://10.0.0.5:8001/metrics  up"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("3s ago"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("12.3ms"), std::string::npos) << out.str();
}

TEST(TargetsCommandTest, DroppedNamesTheRuleAndTheValueItSaw) {
  FakeDaemon d;
  std::ostringstream out, err;
  TargetsOptions o;
  o.dropped = true;
  ASSERT_EQ(Targets(o, d.Getter(), out, err, 0), kExitOk) << err.str();
  EXPECT_NE(out.str().find("test/mongo 10.0.0.7:27017"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("rule 1 (keep) on [__meta_kubernetes_pod_annotation_prometheus_io_scrape]: saw \"\", "
                           "regex \"true\""),
            std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("kubernetes-pods: 1 dropped"), std::string::npos);
}

TEST(TargetsCommandTest, ExplainShowsEveryRuleOfThePod) {
  FakeDaemon d;
  std::ostringstream out, err;
  TargetsOptions o;
  o.explain = "test/flask-minio";
  ASSERT_EQ(Targets(o, d.Getter(), out, err, 0), kExitOk) << err.str();
  EXPECT_NE(out.str().find("Active target 10.0.0.5:8001 in pool kubernetes-pods"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("action: keep"), std::string::npos) << out.str();
  o.explain = "test/nope";
  std::ostringstream out2, err2;
  EXPECT_EQ(Targets(o, d.Getter(), out2, err2, 0), kExitFailure);
  EXPECT_NE(err2.str().find("no target of pod test/nope"), std::string::npos);
}

TEST(TargetsCommandTest, JsonAndUnreachableDaemon) {
  FakeDaemon d;
  std::ostringstream out, err;
  TargetsOptions o;
  o.json = true;
  ASSERT_EQ(Targets(o, d.Getter(), out, err, 0), kExitOk);
  EXPECT_EQ(out.str().rfind("{\"activeTargets\":[", 0), 0u) << out.str();
  std::ostringstream out2, err2;
  HttpGet down = [](const std::string&) -> util::StatusOr<std::string> {
    return util::UnavailableError("connection refused");
  };
  EXPECT_EQ(Targets({}, down, out2, err2, 0), kExitFailure);
  EXPECT_NE(err2.str().find("connection refused"), std::string::npos);
}

}  // namespace
}  // namespace kubescrape::scrapectl
