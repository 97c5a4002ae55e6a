#include <gtest/gtest.h>

#include <rapidjson/document.h>

#include "api/envelope.h"
#include "api/params.h"
#include "api/router.h"
#include "api/targets.h"
#include "relabel/rule.h"

namespace kubescrape::api {
namespace {

rapidjson::Document Json(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str());
  EXPECT_FALSE(d.HasParseError()) << body;
  return d;
}

TEST(ParamsTest, PostFormBeforeQueryAndRepeatedKeys) {
  HttpRequest r;
  r.method = "POST";
  r.content_type = "application/x-www-form-urlencoded";
  r.body = "query=1%2B1&time=4&match%5B%5D=up";
  r.query = "time=5&match[]=a+b";
  auto p = Params::Parse(r);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->Get("query"), "1+1");
  EXPECT_EQ(p->Get("time"), "4");  // the body wins, as Go's FormValue
  EXPECT_EQ(p->GetAll("match[]"), (std::vector<std::string>{"up", "a b"}));
  EXPECT_FALSE(p->Has("step"));
  r.body = "query=%zz";
  EXPECT_FALSE(Params::Parse(r).ok());
}

TEST(EnvelopeTest, ErrorShapesAndStatusCodes) {
  HttpResponse r = ErrorResponse({ErrorType::kBadData, "invalid parameter \"query\""});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"query\""})");
  EXPECT_EQ(ErrorResponse({ErrorType::kExecution, "x"}).status, 422);
  EXPECT_EQ(ErrorResponse({ErrorType::kTimeout, "x"}).status, 503);
  EXPECT_EQ(ErrorResponse({ErrorType::kCanceled, "x"}).status, 499);
  EXPECT_EQ(ErrorResponse({ErrorType::kNotFound, "x"}).status, 404);
  HttpResponse ok = SuccessResponse([](JsonWriter& w) { w.Int(1); }, {"careful"});
  EXPECT_EQ(ok.body, R"({"status":"success","data":1,"warnings":["careful"]})");
}

TEST(RouterTest, ExactPrefixMethodsAndNotFound) {
  Router router;
  auto text = [](std::string s) {
    return [s](const HttpRequest&) {
      HttpResponse r;
      r.body = s;
      return r;
    };
  };
  router.Add({"GET", "POST"}, "/api/v1/query", text("query"));
  router.Add({"GET"}, "/api/v1/label/", text("label"));
  router.Add({"GET"}, "/api/v1/label/__name__/values", text("names"));
  router.Add({"POST", "PUT"}, "/-/reload", text("reload"));
  auto handle = [&](std::string method, std::string path) {
    HttpRequest r;
    r.method = std::move(method);
    r.path = std::move(path);
    return router.Handle(r);
  };
  EXPECT_EQ(handle("POST", "/api/v1/query").body, "query");
  EXPECT_EQ(handle("GET", "/api/v1/label/job/values").body, "label");
  EXPECT_EQ(handle("GET", "/api/v1/label/__name__/values").body, "names");
  EXPECT_EQ(handle("HEAD", "/api/v1/query").body, "query");
  EXPECT_EQ(handle("GET", "/-/reload").status, 405);
  HttpResponse missing = handle("GET", "/api/v1/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Json(missing.body)["errorType"].GetString(), std::string("not_found"));
  EXPECT_EQ(handle("GET", "/nope").status, 404);
}

scraper::TargetStatus Active(std::string job, std::string address, scraper::TargetHealth::State state) {
  scraper::TargetStatus t;
  t.job = job;
  t.target.scheme = "http";
  t.target.host_port = address;
  t.target.request_target = "/metrics";
  t.target.interval = std::chrono::seconds(15);
  t.target.timeout = std::chrono::seconds(10);
  t.target.discovered = model::Labels::FromPairs({{"__address__", address}, {"__meta_kubernetes_pod_name", "p"}});
  t.target.series_labels = model::Labels::FromPairs({{"instance", address}, {"job", job}});
  t.health.state = state;
  t.health.last_scrape_ms = 1700000000123;
  t.health.last_duration_seconds = 0.25;
  if (state == scraper::TargetHealth::State::kDown) t.health.last_error = "connection refused";
  return t;
}

TEST(TargetsTest, ActiveDroppedCountsAndFilters) {
  TargetsView view;
  view.active = {Active("pods", "127.0.0.1:8001", scraper::TargetHealth::State::kUp),
                 Active("node", "10.0.0.2:9100", scraper::TargetHealth::State::kDown)};
  view.dropped = {{"pods", model::Labels::FromPairs({{"__address__", "10.0.0.9:80"}}), ""}};
  view.dropped_counts = {{"node", 0}, {"pods", 1}};
  view.pools = {"node", "pods"};
  auto all = Json(TargetsResponse(view, *Params::Parse({}), "host-a").body);
  const auto& data = all["data"];
  ASSERT_EQ(data["activeTargets"].Size(), 2u);
  const auto& t = data["activeTargets"][0];
  EXPECT_STREQ(t["scrapePool"].GetString(), "pods");
  EXPECT_STREQ(t["scrapeUrl"].GetString(), "http://127.0.0.1:8001/metrics");
  EXPECT_STREQ(t["globalUrl"].GetString(), "http://host-a:8001/metrics");
  EXPECT_STREQ(t["health"].GetString(), "up");
  EXPECT_STREQ(t["lastScrape"].GetString(), "2023-11-14T22:13:20.123Z");
  EXPECT_DOUBLE_EQ(t["lastScrapeDuration"].GetDouble(), 0.25);
  EXPECT_STREQ(t["scrapeInterval"].GetString(), "15s");
  EXPECT_STREQ(t["discoveredLabels"]["__meta_kubernetes_pod_name"].GetString(), "p");
  EXPECT_FALSE(t["labels"].HasMember("__address__"));
  EXPECT_STREQ(data["activeTargets"][1]["lastError"].GetString(), "connection refused");
  ASSERT_EQ(data["droppedTargets"].Size(), 1u);
  EXPECT_STREQ(data["droppedTargets"][0]["scrapePool"].GetString(), "pods");
  EXPECT_EQ(data["droppedTargetCounts"]["pods"].GetInt(), 1);

  HttpRequest q;
  q.query = "state=active&scrapePool=node";
  auto active = Json(TargetsResponse(view, *Params::Parse(q), "h").body);
  ASSERT_EQ(active["data"]["activeTargets"].Size(), 1u);
  EXPECT_TRUE(active["data"]["droppedTargets"].IsNull());
  EXPECT_STREQ(Json(ScrapePoolsResponse(view).body)["data"]["scrapePools"][1].GetString(), "pods");
}

TEST(TargetsTest, RelabelStepsShowEachRuleUntilTheDrop) {
  relabel::RuleConfig keep;
  keep.source_labels = {"__meta_kubernetes_pod_annotation_prometheus_io_scrape"};
  keep.regex = "true";
  keep.action = relabel::Action::kKeep;
  relabel::RuleConfig copy;
  copy.source_labels = {"__meta_kubernetes_namespace"};
  copy.target_label = "namespace";
  std::vector<relabel::Rule> rules = {*relabel::Rule::Compile(copy), *relabel::Rule::Compile(keep)};
  auto input = ParseLabelsParam(R"({"__address__":"10.0.0.1:80","__meta_kubernetes_namespace":"test"})");
  ASSERT_TRUE(input.ok());
  auto doc = Json(RelabelStepsResponse(rules, *input).body);
  const auto& steps = doc["data"]["steps"];
  ASSERT_EQ(steps.Size(), 2u);
  EXPECT_STREQ(steps[0]["output"]["namespace"].GetString(), "test");
  EXPECT_TRUE(steps[0]["keep"].GetBool());
  EXPECT_STREQ(steps[0]["rule"]["action"].GetString(), "replace");
  EXPECT_STREQ(steps[1]["rule"]["action"].GetString(), "keep");
  EXPECT_STREQ(steps[1]["rule"]["regex"].GetString(), "true");
  EXPECT_FALSE(steps[1]["keep"].GetBool());
  EXPECT_EQ(steps[1]["output"].MemberCount(), 0u);
  EXPECT_FALSE(ParseLabelsParam("[1]").ok());
  EXPECT_FALSE(ParseLabelsParam(R"({"a":1})").ok());
}

TEST(TargetsTest, Rfc3339AsGoPrintsTimes) {
  EXPECT_EQ(FormatRfc3339(0), "0001-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(1700000000000), "2023-11-14T22:13:20Z");
  EXPECT_EQ(FormatRfc3339(1700000000100), "2023-11-14T22:13:20.1Z");
}

}  // namespace
}  // namespace kubescrape::api
