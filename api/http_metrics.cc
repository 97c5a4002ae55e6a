#include "api/http_metrics.h"

namespace kubescrape::api {

HistogramData::HistogramData(std::vector<double> bounds)
    : upper_bounds(std::move(bounds)), cumulative(upper_bounds.size(), 0) {}

void HistogramData::Observe(double v) {
  for (size_t i = 0; i < upper_bounds.size(); ++i) {
    if (v <= upper_bounds[i]) ++cumulative[i];
  }
  sum += v;
  ++count;
}

const std::vector<double>& HttpMetrics::DurationBuckets() {
  static const std::vector<double> kBuckets = {.1, .2, .4, 1, 3, 8, 20, 60, 120};
  return kBuckets;
}

const std::vector<double>& HttpMetrics::ResponseSizeBuckets() {
  static const std::vector<double> kBuckets = {1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
  return kBuckets;
}

HttpHandlerMetrics& HttpMetrics::Get(std::string_view handler) {
  auto it = handlers_.find(handler);
  if (it == handlers_.end()) {
    HttpHandlerMetrics m;
    m.duration = HistogramData(DurationBuckets());
    m.response_size = HistogramData(ResponseSizeBuckets());
    it = handlers_.emplace(std::string(handler), std::move(m)).first;
  }
  return it->second;
}

void HttpMetrics::Register(std::string_view handler) {
  std::lock_guard<std::mutex> lock(mu_);
  Get(handler).requests_by_code.try_emplace(200, 0);
}

void HttpMetrics::Observe(std::string_view handler, int code, double seconds,
                          size_t response_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  HttpHandlerMetrics& m = Get(handler);
  ++m.requests_by_code[code];
  m.duration.Observe(seconds);
  m.response_size.Observe(static_cast<double>(response_bytes));
}

HttpMetricsSnapshot HttpMetrics::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  HttpMetricsSnapshot s;
  for (const auto& [name, m] : handlers_) s.handlers.emplace(name, m);
  return s;
}

}  // namespace kubescrape::api
