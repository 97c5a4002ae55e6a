#include "promql/value.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace kubescrape::promql {

std::string FormatFloat(double f) {
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f > 0 ? "+Inf" : "-Inf";
  char buf[400];
  auto res = std::to_chars(buf, buf + sizeof(buf), f, std::chars_format::fixed);
  return std::string(buf, res.ptr);
}

void SortByLabels(Matrix& m) {
  std::sort(m.begin(), m.end(), [](const Series& a, const Series& b) { return a.metric < b.metric; });
}

}  // namespace kubescrape::promql
