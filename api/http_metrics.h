#pragma once
// HttpMetrics: the API server's per-handler request metrics, as Prometheus's
// web.go instruments its routes:
//   prometheus_http_requests_total{handler,code}           counter
//   prometheus_http_request_duration_seconds{handler}      histogram
//   prometheus_http_response_size_bytes{handler}           histogram
// `handler` is the route pattern ("/api/v1/query",
// "/api/v1/label/:name/values"), never the raw path, so cardinality is
// bounded by the routes. Register() creates a route's {code="200"} counter at
// 0, as Prometheus does when it registers a route; the histograms appear with
// the first request. Requests no route matches are not recorded (Prometheus
// instruments registered routes only).
//
// Thread-safety: all methods are thread-safe.

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace kubescrape::api {

// A classic histogram's state. `cumulative[i]` counts observations <=
// upper_bounds[i]; the +Inf bucket is `count`.
struct HistogramData {
  std::vector<double> upper_bounds;
  std::vector<uint64_t> cumulative;
  double sum = 0;
  uint64_t count = 0;

  HistogramData() = default;
  explicit HistogramData(std::vector<double> bounds);
  void Observe(double v);
};

struct HttpHandlerMetrics {
  std::map<int, uint64_t> requests_by_code;  // HTTP status -> requests
  HistogramData duration;                    // seconds
  HistogramData response_size;               // bytes
};

struct HttpMetricsSnapshot {
  std::map<std::string, HttpHandlerMetrics> handlers;  // by handler label
};

class HttpMetrics {
 public:
  // Prometheus's buckets: {.1, .2, .4, 1, 3, 8, 20, 60, 120} seconds (web.go,
  // not client_golang's DefBuckets) and ExponentialBuckets(100, 10, 8) bytes.
  static const std::vector<double>& DurationBuckets();
  static const std::vector<double>& ResponseSizeBuckets();

  // Creates `handler`'s {code="200"} counter at 0. Idempotent.
  void Register(std::string_view handler);
  // Records one request served by `handler`.
  void Observe(std::string_view handler, int code, double seconds, size_t response_bytes);
  HttpMetricsSnapshot Snapshot() const;

 private:
  HttpHandlerMetrics& Get(std::string_view handler);  // REQUIRES: mu_ held

  mutable std::mutex mu_;
  std::map<std::string, HttpHandlerMetrics, std::less<>> handlers_;  // guarded by mu_
};

}  // namespace kubescrape::api
