#pragma once
// The values a PromQL query returns: scalar, string, instant vector and
// range vector (matrix), as Prometheus's promql.Value types.
//
// Thread-safety: plain data.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/labels.h"

namespace kubescrape::promql {

// One float point of a series.
struct FPoint {
  int64_t t;  // ms since the Unix epoch
  double f;
  friend bool operator==(const FPoint&, const FPoint&) = default;
};

struct Series {
  model::Labels metric;
  std::vector<FPoint> floats;  // ascending t
  // Evaluation only: __name__ is to be dropped at the end (Prometheus's
  // delayed name removal).
  bool drop_name = false;
};
using Matrix = std::vector<Series>;

struct Sample {
  model::Labels metric;
  int64_t t = 0;
  double f = 0;
};
using Vector = std::vector<Sample>;

struct Scalar {
  int64_t t = 0;
  double v = 0;
};

struct String {
  int64_t t = 0;
  std::string v;
};

using Value = std::variant<Scalar, String, Vector, Matrix>;

// Go's strconv.FormatFloat(f, 'f', -1, 64): the shortest decimal that
// round-trips, never exponent notation; "+Inf", "-Inf", "NaN". The HTTP API
// and count_values format values this way.
std::string FormatFloat(double f);

// Sorts a matrix by labels (labels.Compare order), as range query results are.
void SortByLabels(Matrix& m);

}  // namespace kubescrape::promql
