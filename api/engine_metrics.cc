#include "api/engine_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kubescrape::api {
namespace {

constexpr int64_t kBucketWidthMs = SlidingSummary::kMaxAgeMs / SlidingSummary::kAgeBuckets;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

void SlidingSummary::Observe(double v, int64_t now_ms) {
  const int64_t start = FloorDiv(now_ms, kBucketWidthMs) * kBucketWidthMs;
  AgeBucket& b = buckets_[static_cast<size_t>(
      ((FloorDiv(now_ms, kBucketWidthMs) % kAgeBuckets) + kAgeBuckets) % kAgeBuckets)];
  if (b.start_ms != start) {
    b.start_ms = start;
    b.values.clear();
    b.seen = 0;
  }
  if (b.values.size() < kMaxPerBucket) {
    b.values.push_back(v);
  } else {
    b.values[b.seen % kMaxPerBucket] = v;  // keep the newest
  }
  ++b.seen;
  sum_ += v;
  ++count_;
}

SummaryData SlidingSummary::Snapshot(int64_t now_ms) const {
  std::vector<double> window;
  const int64_t oldest =
      FloorDiv(now_ms, kBucketWidthMs) * kBucketWidthMs - (kAgeBuckets - 1) * kBucketWidthMs;
  for (const AgeBucket& b : buckets_) {
    if (b.start_ms >= oldest && b.start_ms <= now_ms)
      window.insert(window.end(), b.values.begin(), b.values.end());
  }
  std::sort(window.begin(), window.end());
  SummaryData d;
  d.sum = sum_;
  d.count = count_;
  for (double q : kQuantiles) {
    double v = std::numeric_limits<double>::quiet_NaN();
    if (!window.empty()) {
      const double rank = std::ceil(q * static_cast<double>(window.size()));
      const size_t i =
          static_cast<size_t>(std::clamp(rank, 1.0, static_cast<double>(window.size()))) - 1;
      v = window[i];
    }
    d.quantiles.emplace_back(q, v);
  }
  return d;
}

EngineMetrics::EngineMetrics(int max_concurrency, const util::Clock& clock)
    : concurrent_max_(max_concurrency), clock_(clock) {
  for (const char* slice : {kQueueTime, kPrepareTime, kInnerEval, kResultSort}) durations_[slice];
}

void EngineMetrics::ObserveQuery(double queue_seconds, const promql::QueryStats& stats,
                                 bool range) {
  if (!stats.executed) return;
  const int64_t now = clock_.NowMillis();
  std::lock_guard<std::mutex> lock(mu_);
  durations_[kQueueTime].Observe(queue_seconds, now);
  durations_[kPrepareTime].Observe(stats.timings.query_preparation, now);
  durations_[kInnerEval].Observe(stats.timings.inner_eval, now);
  if (range) durations_[kResultSort].Observe(stats.timings.result_sort, now);
  samples_total_ +=
      static_cast<uint64_t>(std::max<int64_t>(0, stats.samples.total_queryable_samples));
}

EngineMetricsSnapshot EngineMetrics::Snapshot() const {
  EngineMetricsSnapshot s;
  s.queries = queries_.load(std::memory_order_relaxed);
  s.concurrent_max = concurrent_max_;
  const int64_t now = clock_.NowMillis();
  std::lock_guard<std::mutex> lock(mu_);
  s.samples_total = samples_total_;
  for (const auto& [slice, summary] : durations_) s.durations.emplace(slice, summary.Snapshot(now));
  return s;
}

}  // namespace kubescrape::api
