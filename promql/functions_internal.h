#pragma once
// Function bodies (internal to promql/): instant-vector functions run once
// per step over the evaluated arguments; range-vector functions run once per
// series and step over the samples in the window.

#include <cmath>
#include <optional>
#include <string>
#include <span>
#include <string_view>
#include <vector>

#include "promql/annotations.h"
#include "promql/evaluator.h"

namespace kubescrape::promql::internal {

struct InstantCall {
  const Call& call;
  std::span<StepVector> args;  // one per argument (empty for strings)
  EvalNodeHelper& enh;         // enh.out receives the result
  QueryContext& ctx;
  Annotations& annos;
};
// Returns an error to fail the query.
using InstantFn = util::Status (*)(InstantCall& c);

// nullptr when `name` is not an instant-vector function.
InstantFn FindInstantFunction(std::string_view name);

struct RangeCall {
  const Call& call;
  std::span<const FPoint> window;  // samples in (ts - offset - range, ts - offset]
  int64_t ts;
  int64_t range_ms;
  int64_t offset_ms;
  std::span<const double> scalars;  // the other (scalar) arguments at this step, in order
  const model::Labels& metric;
  Annotations& annos;
  util::Status status;  // set to fail the query
};
// The value at this step, or nullopt for none.
using RangeFn = std::optional<double> (*)(RangeCall& c);

// nullptr when `name` is not a range-vector function.
RangeFn FindRangeFunction(std::string_view name);

// Kahan-Neumaier summation step (Prometheus's kahansum.Inc).
inline void KahanInc(double inc, double* sum, double* c) {
  double t = *sum + inc;
  if (std::isinf(t)) {
    *c = 0;
  } else if (std::fabs(*sum) >= std::fabs(inc)) {
    *c += (*sum - t) + inc;
  } else {
    *c += (inc - t) + *sum;
  }
  *sum = t;
}

// Go's math.Max / math.Min: NaN wins.
double GoMax(double a, double b);
double GoMin(double a, double b);

// Go's strconv.FormatFloat(f, 'g', -1, 64) (what %g prints).
std::string FormatFloatG(double f);

// The q-quantile of `values` (sorted in place), Prometheus's quantile():
// NaN for no values or a NaN q, -Inf/+Inf for q < 0 / q > 1.
double Quantile(double q, std::vector<double>& values);

struct Bucket {
  double upper;
  double count;
};

struct BucketQuantileResult {
  double value;
  bool forced_monotonic;
};
// histogram_quantile over classic buckets (Prometheus's BucketQuantile).
BucketQuantileResult BucketQuantile(double q, std::vector<Bucket>& buckets);
// histogram_fraction over classic buckets.
double BucketFraction(double lower, double upper, std::vector<Bucket>& buckets);

}  // namespace kubescrape::promql::internal
