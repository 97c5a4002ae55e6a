#pragma once
// EngineMetrics: the PromQL engine's metrics as Prometheus's engine.go
// exports them, fed by the query handlers (api/query.h):
//   prometheus_engine_queries                  gauge   queries executing now
//   prometheus_engine_queries_concurrent_max   gauge   --query.max-concurrency
//   prometheus_engine_query_duration_seconds   summary {slice=queue_time|
//                                              prepare_time|inner_eval|result_sort}
//   prometheus_engine_query_samples_total      counter totalQueryableSamples, summed
//   prometheus_engine_query_log_enabled        gauge   0 (no query log)
//   prometheus_engine_query_log_failures_total counter 0
// Quantiles 0.5/0.9/0.99 are Prometheus's objectives. Like client_golang's
// summary they cover a sliding 10-minute window in five 2-minute age
// buckets; unlike it they are exact over the window's observations, keeping
// at most kMaxPerBucket values per age bucket (the newest). _sum and _count
// cover all time.
//
// Thread-safety: all methods are thread-safe. The clock must outlive the
// object.

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "promql/query_stats.h"
#include "util/clock.h"

namespace kubescrape::api {

struct SummaryData {
  std::vector<std::pair<double, double>> quantiles;  // (quantile, value); NaN without observations
  double sum = 0;
  uint64_t count = 0;
};

// A summary over a sliding time window. Thread-safety: none (EngineMetrics
// locks around it).
class SlidingSummary {
 public:
  static constexpr int64_t kMaxAgeMs = 10 * 60 * 1000;
  static constexpr int kAgeBuckets = 5;
  static constexpr size_t kMaxPerBucket = 2048;
  static constexpr std::array<double, 3> kQuantiles = {0.5, 0.9, 0.99};

  void Observe(double v, int64_t now_ms);
  SummaryData Snapshot(int64_t now_ms) const;

 private:
  struct AgeBucket {
    int64_t start_ms = INT64_MIN;
    std::vector<double> values;
    uint64_t seen = 0;  // observations, also those overwritten
  };
  std::array<AgeBucket, kAgeBuckets> buckets_;
  double sum_ = 0;
  uint64_t count_ = 0;
};

struct EngineMetricsSnapshot {
  int64_t queries = 0;
  int64_t concurrent_max = 0;
  uint64_t samples_total = 0;
  std::map<std::string, SummaryData> durations;  // by slice
};

class EngineMetrics {
 public:
  // Slices, in Prometheus's names.
  static constexpr const char* kQueueTime = "queue_time";
  static constexpr const char* kPrepareTime = "prepare_time";
  static constexpr const char* kInnerEval = "inner_eval";
  static constexpr const char* kResultSort = "result_sort";

  explicit EngineMetrics(int max_concurrency,
                         const util::Clock& clock = util::SystemClock::Default());
  EngineMetrics(const EngineMetrics&) = delete;
  EngineMetrics& operator=(const EngineMetrics&) = delete;

  // Counts a query in prometheus_engine_queries while alive; `m` may be null.
  class InFlight {
   public:
    explicit InFlight(EngineMetrics* m) : m_(m) {
      if (m_ != nullptr) m_->queries_.fetch_add(1, std::memory_order_relaxed);
    }
    ~InFlight() {
      if (m_ != nullptr) m_->queries_.fetch_sub(1, std::memory_order_relaxed);
    }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

   private:
    EngineMetrics* m_;
  };

  // Records one executed query: its queue wait (seconds) and the engine's
  // stats. `range`: result_sort is observed for range queries only, as in
  // Prometheus. Queries that did not parse (stats.executed false) are skipped.
  void ObserveQuery(double queue_seconds, const promql::QueryStats& stats, bool range);
  EngineMetricsSnapshot Snapshot() const;

 private:
  const int concurrent_max_;
  const util::Clock& clock_;
  std::atomic<int64_t> queries_{0};
  mutable std::mutex mu_;
  uint64_t samples_total_ = 0;                       // guarded by mu_
  std::map<std::string, SlidingSummary> durations_;  // guarded by mu_
};

}  // namespace kubescrape::api
