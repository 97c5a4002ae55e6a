#pragma once
// The PromQL engine: evaluates instant and range queries over a
// tsdb::Storage with Prometheus 3.x semantics (promql/engine.go):
//
//  - instant selectors look back `lookback_delta` (5m) and take the newest
//    sample in (t - lookback, t]; a stale marker as the newest sample hides
//    the series;
//  - range selectors select (t - range, t], stale markers excluded;
//  - `offset` (negative too), `@ t`, `@ start()`, `@ end()`, subqueries
//    (default step `no_step_subquery_interval_ms`);
//  - functions and arithmetic drop __name__ (immediately, or at the end of
//    the evaluation with `delayed_name_removal`, as Prometheus's
//    promql-delayed-name-removal feature and its test engine do);
//  - the same errors for vector matching and duplicate output series.
//
// Errors (Result::status):
//   InvalidArgument     the query does not parse or has the wrong type for a
//                       range query ("1:15: parse error: ...");
//   FailedPrecondition  evaluation failed (many-to-many matching, duplicate
//                       label sets, invalid function arguments, ...);
//   ResourceExhausted   more than `max_samples` points in memory at once;
//   DeadlineExceeded    `timeout_ms` passed; Cancelled: QueryOptions::cancel;
//   other codes         from the storage.
// Annotations (warnings, infos) come back beside the value, also on error.
//
// Thread-safety: an Engine is immutable and thread-safe; queries may run
// concurrently (the Storage must be thread-safe, as its contract says).

#include <atomic>
#include <cstdint>
#include <string_view>

#include "promql/annotations.h"
#include "promql/ast.h"
#include "promql/parser.h"
#include "promql/query_stats.h"
#include "promql/value.h"
#include "tsdb/storage.h"
#include "util/clock.h"
#include "util/status.h"

namespace kubescrape::promql {

struct EngineOptions {
  int64_t lookback_delta_ms = 5 * 60 * 1000;
  int64_t max_samples = 50'000'000;
  int64_t timeout_ms = 2 * 60 * 1000;
  // Step of subqueries written without one (`x[10m:]`): Prometheus uses the
  // global evaluation interval, 1m by default.
  int64_t no_step_subquery_interval_ms = 60 * 1000;
  bool delayed_name_removal = false;
  ParseOptions parse;
  // Measures the timeout. Must outlive the engine.
  const util::Clock* clock = &util::SystemClock::Default();
};

struct QueryOptions {
  int64_t lookback_delta_ms = 0;  // 0: the engine's
  int64_t timeout_ms = 0;         // 0: the engine's; else the shorter of the two
  // When set and true, evaluation stops with Cancelled. Must outlive the call.
  const std::atomic<bool>* cancel = nullptr;
  // Also count samples per step (the API's stats=all).
  bool per_step_stats = false;
};

struct Result {
  util::Status status;
  Value value;  // valid when status is OK
  Annotations annotations;
  QueryStats stats;  // timings and sample counts, also on evaluation errors
};

class Engine {
 public:
  explicit Engine(EngineOptions options = {}) : options_(options) {}

  const EngineOptions& options() const { return options_; }

  // Evaluates `query` at `time_ms` (ms since the epoch). The value is a
  // Vector, Scalar, String, or, for a range selector, a Matrix.
  Result InstantQuery(tsdb::Storage& storage, std::string_view query, int64_t time_ms,
                      const QueryOptions& options = {}) const;

  // Evaluates `query` at every step from `start_ms` to `end_ms`. The value
  // is a Matrix sorted by labels. REQUIRES: step_ms > 0, end_ms >= start_ms.
  Result RangeQuery(tsdb::Storage& storage, std::string_view query, int64_t start_ms, int64_t end_ms,
                    int64_t step_ms, const QueryOptions& options = {}) const;

 private:
  Result Exec(tsdb::Storage& storage, std::string_view query, int64_t start_ms, int64_t end_ms, int64_t step_ms,
              bool instant, const QueryOptions& options) const;

  EngineOptions options_;
};

}  // namespace kubescrape::promql
