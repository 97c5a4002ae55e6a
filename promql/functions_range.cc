// Range-vector functions: rate and friends, *_over_time, changes, resets,
// deriv, predict_linear, double_exponential_smoothing.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "promql/functions_internal.h"

namespace kubescrape::promql::internal {
namespace {

using Window = std::span<const FPoint>;

// rate, increase and delta with Prometheus's extrapolation to the window
// boundaries.
std::optional<double> ExtrapolatedRate(RangeCall& c, bool is_counter, bool is_rate) {
  Window w = c.window;
  if (w.size() < 2) return std::nullopt;
  const int64_t range_start = c.ts - (c.range_ms + c.offset_ms);
  const int64_t range_end = c.ts - c.offset_ms;
  double result = w.back().f - w.front().f;
  if (is_counter) {
    for (size_t i = 1; i < w.size(); ++i) {
      if (w[i].f < w[i - 1].f) result += w[i - 1].f;
    }
  }
  const int64_t first_t = w.front().t, last_t = w.back().t;
  double to_start = static_cast<double>(first_t - range_start) / 1000.0;
  double to_end = static_cast<double>(range_end - last_t) / 1000.0;
  const double sampled = static_cast<double>(last_t - first_t) / 1000.0;
  const double avg = sampled / static_cast<double>(w.size() - 1);
  const double threshold = avg * 1.1;
  if (to_start >= threshold) to_start = avg / 2;
  if (is_counter) {
    double to_zero = to_start;
    if (result > 0 && w.front().f >= 0) to_zero = sampled * (w.front().f / result);
    if (to_zero < to_start) to_start = to_zero;
  }
  if (to_end >= threshold) to_end = avg / 2;
  double factor = (sampled + to_start + to_end) / sampled;
  if (is_rate) factor /= static_cast<double>(c.range_ms) / 1000.0;
  return result * factor;
}

std::optional<double> Rate(RangeCall& c) { return ExtrapolatedRate(c, true, true); }
std::optional<double> Increase(RangeCall& c) { return ExtrapolatedRate(c, true, false); }
std::optional<double> Delta(RangeCall& c) { return ExtrapolatedRate(c, false, false); }

std::optional<double> InstantValue(RangeCall& c, bool is_rate) {
  Window w = c.window;
  if (w.size() < 2) return std::nullopt;
  const FPoint& prev = w[w.size() - 2];
  const FPoint& last = w[w.size() - 1];
  const int64_t interval = last.t - prev.t;
  if (interval == 0) return std::nullopt;
  double v = last.f;
  if (!is_rate || !(last.f < prev.f)) v = last.f - prev.f;
  if (is_rate) v /= static_cast<double>(interval) / 1000.0;
  return v;
}

std::optional<double> Irate(RangeCall& c) { return InstantValue(c, true); }
std::optional<double> Idelta(RangeCall& c) { return InstantValue(c, false); }

std::optional<double> AvgOverTime(RangeCall& c) {
  Window w = c.window;
  double sum = w[0].f, count = 1, mean = 0, kc = 0;
  bool incremental = false;
  for (size_t i = 1; i < w.size(); ++i) {
    count = static_cast<double>(i + 1);
    if (!incremental) {
      double s = sum, k = kc;
      KahanInc(w[i].f, &s, &k);
      if (!std::isinf(s)) {
        sum = s, kc = k;
        continue;
      }
      incremental = true;
      mean = sum / (count - 1);
      kc /= count - 1;
    }
    const double q = (count - 1) / count;
    double m = q * mean, k = q * kc;
    KahanInc(w[i].f / count, &m, &k);
    mean = m, kc = k;
  }
  if (incremental) return mean + kc;
  return sum / count + kc / count;
}

std::optional<double> CountOverTime(RangeCall& c) { return static_cast<double>(c.window.size()); }
std::optional<double> FirstOverTime(RangeCall& c) { return c.window.front().f; }
std::optional<double> LastOverTime(RangeCall& c) { return c.window.back().f; }
std::optional<double> PresentOverTime(RangeCall&) { return 1.0; }
std::optional<double> AbsentOverTime(RangeCall&) { return 1.0; }

std::optional<double> SumOverTime(RangeCall& c) {
  double sum = 0, kc = 0;
  for (const FPoint& p : c.window) KahanInc(p.f, &sum, &kc);
  if (std::isinf(sum)) return sum;
  return sum + kc;
}

template <bool kMax, bool kTimestamp, bool kOrEqual>
std::optional<double> CompareOverTime(RangeCall& c) {
  double best = c.window[0].f;
  int64_t best_t = c.window[0].t;
  for (const FPoint& p : c.window) {
    bool take;
    if constexpr (kMax) {
      take = kOrEqual ? p.f >= best : p.f > best;
    } else {
      take = kOrEqual ? p.f <= best : p.f < best;
    }
    if (take || std::isnan(best)) {
      best = p.f;
      best_t = p.t;
    }
  }
  if constexpr (kTimestamp) return static_cast<double>(best_t) / 1000.0;
  return best;
}

std::optional<double> QuantileOverTime(RangeCall& c) {
  const double q = c.scalars.empty() ? 0 : c.scalars[0];
  if (std::isnan(q) || q < 0 || q > 1) {
    c.annos.AddWarning("quantile value should be between 0 and 1, got " + FormatFloatG(q), c.call.args[0]->pos);
  }
  std::vector<double> values;
  values.reserve(c.window.size());
  for (const FPoint& p : c.window) values.push_back(p.f);
  return Quantile(q, values);
}

std::optional<double> Variance(RangeCall& c) {
  double count = 0, mean = 0, cmean = 0, aux = 0, caux = 0;
  for (const FPoint& p : c.window) {
    count++;
    const double delta = p.f - (mean + cmean);
    KahanInc(delta / count, &mean, &cmean);
    KahanInc(delta * (p.f - (mean + cmean)), &aux, &caux);
  }
  return (aux + caux) / count;
}

std::optional<double> StdvarOverTime(RangeCall& c) { return Variance(c); }
std::optional<double> StddevOverTime(RangeCall& c) { return std::sqrt(*Variance(c)); }

std::optional<double> MadOverTime(RangeCall& c) {
  std::vector<double> values;
  for (const FPoint& p : c.window) {
    if (std::isnan(p.f)) return std::nan("");
    values.push_back(p.f);
  }
  const double median = Quantile(0.5, values);
  values.clear();
  for (const FPoint& p : c.window) values.push_back(std::fabs(p.f - median));
  return Quantile(0.5, values);
}

std::optional<double> TsOfFirstOverTime(RangeCall& c) { return static_cast<double>(c.window.front().t) / 1000.0; }
std::optional<double> TsOfLastOverTime(RangeCall& c) { return static_cast<double>(c.window.back().t) / 1000.0; }

std::optional<double> Changes(RangeCall& c) {
  int n = 0;
  for (size_t i = 1; i < c.window.size(); ++i) {
    const double a = c.window[i - 1].f, b = c.window[i].f;
    if (a != b && !(std::isnan(a) && std::isnan(b))) ++n;
  }
  return static_cast<double>(n);
}

std::optional<double> Resets(RangeCall& c) {
  int n = 0;
  for (size_t i = 1; i < c.window.size(); ++i) {
    if (c.window[i].f < c.window[i - 1].f) ++n;
  }
  return static_cast<double>(n);
}

// Least-squares fit; returns the slope and the value at `intercept_time`.
void LinearRegression(Window w, int64_t intercept_time, double* slope, double* intercept) {
  double n = 0, sum_x = 0, cx = 0, sum_y = 0, cy = 0, sum_xy = 0, cxy = 0, sum_x2 = 0, cx2 = 0;
  const double init_y = w[0].f;
  bool const_y = true;
  for (size_t i = 0; i < w.size(); ++i) {
    if (const_y && i > 0 && w[i].f != init_y) const_y = false;
    n += 1.0;
    const double x = static_cast<double>(w[i].t - intercept_time) / 1e3;
    KahanInc(x, &sum_x, &cx);
    KahanInc(w[i].f, &sum_y, &cy);
    KahanInc(x * w[i].f, &sum_xy, &cxy);
    KahanInc(x * x, &sum_x2, &cx2);
  }
  if (const_y) {
    if (std::isinf(init_y)) {
      *slope = *intercept = std::nan("");
      return;
    }
    *slope = 0;
    *intercept = init_y;
    return;
  }
  sum_x += cx;
  sum_y += cy;
  sum_xy += cxy;
  sum_x2 += cx2;
  const double cov_xy = sum_xy - sum_x * sum_y / n;
  const double var_x = sum_x2 - sum_x * sum_x / n;
  *slope = cov_xy / var_x;
  *intercept = sum_y / n - *slope * sum_x / n;
}

std::optional<double> Deriv(RangeCall& c) {
  if (c.window.size() < 2) return std::nullopt;
  double slope, intercept;
  LinearRegression(c.window, c.window[0].t, &slope, &intercept);
  return slope;
}

std::optional<double> PredictLinear(RangeCall& c) {
  if (c.window.size() < 2 || c.scalars.empty()) return std::nullopt;
  double slope, intercept;
  LinearRegression(c.window, c.ts, &slope, &intercept);
  return slope * c.scalars[0] + intercept;
}

std::optional<double> DoubleExponentialSmoothing(RangeCall& c) {
  if (c.scalars.size() < 2) return std::nullopt;
  const double sf = c.scalars[0], tf = c.scalars[1];
  if (sf <= 0 || sf >= 1) {
    c.status = util::FailedPreconditionError(fmt::format("invalid smoothing factor. Expected: 0 < sf < 1, got: {:.6f}", sf));
    return std::nullopt;
  }
  if (tf <= 0 || tf >= 1) {
    c.status = util::FailedPreconditionError(fmt::format("invalid trend factor. Expected: 0 < tf < 1, got: {:.6f}", tf));
    return std::nullopt;
  }
  Window w = c.window;
  if (w.size() < 2) return std::nullopt;
  double s0 = 0, s1 = w[0].f, b = w[1].f - w[0].f;
  for (size_t i = 1; i < w.size(); ++i) {
    const double x = sf * w[i].f;
    if (i - 1 != 0) b = tf * (s1 - s0) + (1 - tf) * b;
    const double y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
}

const std::map<std::string_view, RangeFn>& Table() {
  static const auto* t = new std::map<std::string_view, RangeFn>{
      {"absent_over_time", AbsentOverTime},
      {"avg_over_time", AvgOverTime},
      {"changes", Changes},
      {"count_over_time", CountOverTime},
      {"delta", Delta},
      {"deriv", Deriv},
      {"double_exponential_smoothing", DoubleExponentialSmoothing},
      {"first_over_time", FirstOverTime},
      {"idelta", Idelta},
      {"increase", Increase},
      {"irate", Irate},
      {"last_over_time", LastOverTime},
      {"mad_over_time", MadOverTime},
      {"max_over_time", CompareOverTime<true, false, false>},
      {"min_over_time", CompareOverTime<false, false, false>},
      {"predict_linear", PredictLinear},
      {"present_over_time", PresentOverTime},
      {"quantile_over_time", QuantileOverTime},
      {"rate", Rate},
      {"resets", Resets},
      {"stddev_over_time", StddevOverTime},
      {"stdvar_over_time", StdvarOverTime},
      {"sum_over_time", SumOverTime},
      {"ts_of_first_over_time", TsOfFirstOverTime},
      {"ts_of_last_over_time", TsOfLastOverTime},
      {"ts_of_max_over_time", CompareOverTime<true, true, true>},
      {"ts_of_min_over_time", CompareOverTime<false, true, true>},
  };
  return *t;
}

}  // namespace

RangeFn FindRangeFunction(std::string_view name) {
  auto it = Table().find(name);
  return it == Table().end() ? nullptr : it->second;
}

}  // namespace kubescrape::promql::internal
