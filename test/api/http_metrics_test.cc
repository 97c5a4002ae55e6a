// HttpMetrics and the Router's instrumentation (prometheus_http_*).
#include "api/http_metrics.h"

#include <gtest/gtest.h>

#include "api/router.h"

namespace kubescrape::api {
namespace {

HttpRequest Get(std::string path) {
  HttpRequest r;
  r.method = "GET";
  r.path = std::move(path);
  return r;
}

HttpResponse Reply(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(HttpMetricsTest, PrometheusBuckets) {
  EXPECT_EQ(HttpMetrics::DurationBuckets(),
            (std::vector<double>{.1, .2, .4, 1, 3, 8, 20, 60, 120}));
  EXPECT_EQ(HttpMetrics::ResponseSizeBuckets(),
            (std::vector<double>{1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}));
}

TEST(HttpMetricsTest, HistogramBucketsAreCumulative) {
  HttpMetrics m;
  m.Observe("/x", 200, 0.05, 50);
  m.Observe("/x", 200, 0.3, 5000);
  m.Observe("/x", 500, 200, 2e9);
  const HttpMetricsSnapshot s = m.Snapshot();
  const HttpHandlerMetrics& h = s.handlers.at("/x");
  EXPECT_EQ(h.duration.cumulative, (std::vector<uint64_t>{1, 1, 2, 2, 2, 2, 2, 2, 2}));
  EXPECT_EQ(h.duration.count, 3u);
  EXPECT_DOUBLE_EQ(h.duration.sum, 200.35);
  EXPECT_EQ(h.response_size.cumulative, (std::vector<uint64_t>{1, 1, 2, 2, 2, 2, 2, 2}));
  EXPECT_EQ(h.requests_by_code, (std::map<int, uint64_t>{{200, 2}, {500, 1}}));
}

TEST(HttpMetricsTest, RegisterCreatesTheOkCounterAtZero) {
  HttpMetrics m;
  m.Register("/api/v1/query");
  m.Register("/api/v1/query");
  const HttpMetricsSnapshot s = m.Snapshot();
  const HttpHandlerMetrics& h = s.handlers.at("/api/v1/query");
  EXPECT_EQ(h.requests_by_code, (std::map<int, uint64_t>{{200, 0}}));
  EXPECT_EQ(h.duration.count, 0u);
}

TEST(RouterMetricsTest, RecordsRoutePatternCodeAndSize) {
  HttpMetrics m;
  Router router;
  router.Add({"GET"}, "/api/v1/query", [](const HttpRequest&) { return Reply(200, "0123456789"); });
  router.set_metrics(&m);  // routes added before and after are registered
  router.Add(
      {"GET"}, "/api/v1/label/", [](const HttpRequest&) { return Reply(400, "bad"); },
      "/api/v1/label/:name/values");
  router.Handle(Get("/api/v1/query"));
  router.Handle(Get("/api/v1/query"));
  router.Handle(Get("/api/v1/label/job/values"));
  router.Handle(Get("/api/v1/label/instance/values"));
  HttpMetricsSnapshot s = m.Snapshot();
  ASSERT_EQ(s.handlers.size(), 2u);  // raw paths never become labels
  const HttpHandlerMetrics& q = s.handlers.at("/api/v1/query");
  EXPECT_EQ(q.requests_by_code, (std::map<int, uint64_t>{{200, 2}}));
  EXPECT_EQ(q.response_size.sum, 20);
  EXPECT_EQ(q.duration.count, 2u);
  EXPECT_GE(q.duration.sum, 0);
  const HttpHandlerMetrics& l = s.handlers.at("/api/v1/label/:name/values");
  EXPECT_EQ(l.requests_by_code, (std::map<int, uint64_t>{{200, 0}, {400, 2}}));
}

TEST(RouterMetricsTest, UnmatchedRequestsAreNotRecorded) {
  HttpMetrics m;
  Router router;
  router.set_metrics(&m);
  router.Add({"POST"}, "/-/reload", [](const HttpRequest&) { return Reply(200, ""); });
  EXPECT_EQ(router.Handle(Get("/nope")).status, 404);
  EXPECT_EQ(router.Handle(Get("/api/v1/nope")).status, 404);
  EXPECT_EQ(router.Handle(Get("/-/reload")).status, 405);
  HttpMetricsSnapshot s = m.Snapshot();
  ASSERT_EQ(s.handlers.size(), 1u);
  EXPECT_EQ(s.handlers.at("/-/reload").requests_by_code, (std::map<int, uint64_t>{{200, 0}}));
}

}  // namespace
}  // namespace kubescrape::api
