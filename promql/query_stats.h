#pragma once
// QueryStats: what one query cost, as Prometheus's util/stats reports it for
// the API's `stats` parameter (BuiltinStats).
//
// Samples follow Prometheus's accounting (promql/engine.go):
//  - total_queryable_samples: per step, an instant selector counts 1 per
//    series with a value; a range function over a selector counts the points
//    in its window (so points shared by overlapping windows count once per
//    step); a range selector returned as the result counts its points; a
//    step-invariant subtree counts its single evaluation at every step; a
//    subquery counts its inner samples at the last step (and, under a range
//    function, counts the window of subquery points instead);
//  - peak_samples: the largest number of points the engine held at once, as
//    the engine counts them for --query.max-samples (outputs of every node
//    plus, in range functions, the current window). An approximation of
//    Prometheus's figure: we do not count a selector's buffered raw samples.
//
// Thread-safety: plain values.

#include <cstdint>
#include <utility>
#include <vector>

namespace kubescrape::promql {

// Durations in seconds, measured with std::chrono::steady_clock.
struct QueryTimings {
  double eval_total = 0;         // preparation + inner evaluation + sorting
  double result_sort = 0;        // sorting a range query's matrix
  double query_preparation = 0;  // preprocessing and opening the querier
  double inner_eval = 0;         // evaluation (selectors load series lazily, so loading is here)
};

struct QuerySampleStats {
  int64_t total_queryable_samples = 0;
  int64_t peak_samples = 0;
  // With QueryOptions::per_step_stats: (step timestamp ms, samples) per step.
  std::vector<std::pair<int64_t, int64_t>> per_step;
};

struct QueryStats {
  bool executed = false;  // the query parsed and reached evaluation
  QueryTimings timings;
  QuerySampleStats samples;
};

}  // namespace kubescrape::promql
