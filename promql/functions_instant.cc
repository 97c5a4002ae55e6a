// Instant-vector and scalar functions: math, clamp, round, time and date,
// sort, vector/scalar, absent, timestamp.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <set>

#include "model/label_names.h"
#include "promql/functions.h"
#include "promql/functions_internal.h"

namespace kubescrape::promql::internal {

// Defined in functions_histogram.cc.
util::Status HistogramQuantileFn(InstantCall& c);
util::Status HistogramFractionFn(InstantCall& c);
util::Status HistogramQuantilesFn(InstantCall& c);
util::Status SortByLabelFn(InstantCall& c);
util::Status SortByLabelDescFn(InstantCall& c);

namespace {

void PushScalar(InstantCall& c, double v) { c.enh.out.push_back(VecElem{&EmptyLabels(), v, c.enh.ts, false, 0}); }

// Applies f to every sample; the result drops __name__.
template <typename F>
util::Status Simple(InstantCall& c, F f) {
  for (const VecElem& e : c.args[0]) {
    const model::Labels* m = c.enh.delayed_name_removal ? e.metric : c.enh.WithoutName(e.metric);
    c.enh.out.push_back(VecElem{m, f(e.f), c.enh.ts, true, 0});
  }
  return util::Status::Ok();
}

#define KS_MATH_FN(fname, expr) \
  util::Status fname(InstantCall& c) { return Simple(c, [](double v) { return (expr); }); }

KS_MATH_FN(Abs, std::fabs(v))
KS_MATH_FN(Ceil, std::ceil(v))
KS_MATH_FN(Floor, std::floor(v))
KS_MATH_FN(Exp, std::exp(v))
KS_MATH_FN(Sqrt, std::sqrt(v))
KS_MATH_FN(Ln, std::log(v))
KS_MATH_FN(Log2, std::log2(v))
KS_MATH_FN(Log10, std::log10(v))
KS_MATH_FN(Sin, std::sin(v))
KS_MATH_FN(Cos, std::cos(v))
KS_MATH_FN(Tan, std::tan(v))
KS_MATH_FN(Asin, std::asin(v))
KS_MATH_FN(Acos, std::acos(v))
KS_MATH_FN(Atan, std::atan(v))
KS_MATH_FN(Sinh, std::sinh(v))
KS_MATH_FN(Cosh, std::cosh(v))
KS_MATH_FN(Tanh, std::tanh(v))
KS_MATH_FN(Asinh, std::asinh(v))
KS_MATH_FN(Acosh, std::acosh(v))
KS_MATH_FN(Atanh, std::atanh(v))
KS_MATH_FN(Rad, v * std::numbers::pi / 180)
KS_MATH_FN(Deg, v * 180 / std::numbers::pi)
KS_MATH_FN(Sgn, v < 0 ? -1.0 : (v > 0 ? 1.0 : v))

#undef KS_MATH_FN

util::Status Clamp(InstantCall& c, double min, double max) {
  if (max < min) return util::Status::Ok();
  return Simple(c, [&](double v) { return GoMax(min, GoMin(max, v)); });
}

util::Status ClampFn(InstantCall& c) { return Clamp(c, c.args[1][0].f, c.args[2][0].f); }
util::Status ClampMax(InstantCall& c) { return Clamp(c, -INFINITY, c.args[1][0].f); }
util::Status ClampMin(InstantCall& c) { return Clamp(c, c.args[1][0].f, INFINITY); }

util::Status Round(InstantCall& c) {
  double to_nearest = 1;
  if (c.args.size() >= 2 && !c.args[1].empty()) to_nearest = c.args[1][0].f;
  const double inverse = 1.0 / to_nearest;
  return Simple(c, [&](double v) { return std::floor(v * inverse + 0.5) / inverse; });
}

util::Status Scalar(InstantCall& c) {
  if (c.args[0].size() != 1) {
    PushScalar(c, std::nan(""));
  } else {
    PushScalar(c, c.args[0][0].f);
  }
  return util::Status::Ok();
}

util::Status VectorFn(InstantCall& c) {
  c.enh.out.push_back(VecElem{&EmptyLabels(), c.args[0][0].f, c.enh.ts, false, 0});
  return util::Status::Ok();
}

util::Status Time(InstantCall& c) {
  PushScalar(c, static_cast<double>(c.enh.ts) / 1000.0);
  return util::Status::Ok();
}

util::Status Pi(InstantCall& c) {
  PushScalar(c, std::numbers::pi);
  return util::Status::Ok();
}

util::Status MinOf(InstantCall& c) {
  PushScalar(c, GoMin(c.args[0][0].f, c.args[1][0].f));
  return util::Status::Ok();
}
util::Status MaxOf(InstantCall& c) {
  PushScalar(c, GoMax(c.args[0][0].f, c.args[1][0].f));
  return util::Status::Ok();
}

util::Status StartFn(InstantCall& c) {
  PushScalar(c, static_cast<double>(c.ctx.query_start) / 1000.0);
  return util::Status::Ok();
}
util::Status EndFn(InstantCall& c) {
  PushScalar(c, static_cast<double>(c.ctx.query_end) / 1000.0);
  return util::Status::Ok();
}
util::Status StepFn(InstantCall& c) {
  PushScalar(c, static_cast<double>(c.ctx.query_step) / 1000.0);
  return util::Status::Ok();
}
util::Status RangeFn(InstantCall& c) {
  PushScalar(c, static_cast<double>(c.ctx.query_end - c.ctx.query_start) / 1000.0);
  return util::Status::Ok();
}

util::Status TimestampFn(InstantCall& c) {
  for (const VecElem& e : c.args[0]) {
    const model::Labels* m = c.enh.delayed_name_removal ? e.metric : c.enh.WithoutName(e.metric);
    c.enh.out.push_back(VecElem{m, static_cast<double>(e.t) / 1000.0, c.enh.ts, true, 0});
  }
  return util::Status::Ok();
}

util::Status Absent(InstantCall& c) {
  if (!c.args[0].empty()) return util::Status::Ok();
  const Expr& arg = *c.call.args[0];
  const VectorSelector* vs = nullptr;
  if (arg.kind == NodeKind::kVectorSelector) vs = &As<VectorSelector>(arg);
  if (arg.kind == NodeKind::kMatrixSelector) vs = &As<MatrixSelector>(arg).vs();
  std::map<std::string, std::string> labels;
  if (vs != nullptr) {
    std::set<std::string> has;
    for (const model::Matcher& m : vs->matchers) {
      if (m.name() == model::kMetricName) continue;
      if (m.type() == model::MatchType::kEqual && !has.count(m.name())) {
        labels[m.name()] = m.value();
        has.insert(m.name());
      } else {
        labels.erase(m.name());
      }
    }
  }
  c.enh.out.push_back(VecElem{c.enh.arena->Add(model::Labels::FromMap(labels)), 1, c.enh.ts, false, 0});
  return util::Status::Ok();
}

// Sorts by value; NaN last (sort, sort_desc).
util::Status SortImpl(InstantCall& c, bool desc) {
  c.enh.out = c.args[0];
  std::stable_sort(c.enh.out.begin(), c.enh.out.end(), [desc](const VecElem& a, const VecElem& b) {
    if (std::isnan(a.f) != std::isnan(b.f)) return !std::isnan(a.f);
    return desc ? a.f > b.f : a.f < b.f;
  });
  return util::Status::Ok();
}
util::Status Sort(InstantCall& c) { return SortImpl(c, false); }
util::Status SortDesc(InstantCall& c) { return SortImpl(c, true); }

// Civil date of Unix seconds (proleptic Gregorian, UTC).
struct Civil {
  int64_t year;
  int month, day, hour, minute, weekday, yday;
};

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

Civil ToCivil(int64_t secs) {
  const int64_t days = FloorDiv(secs, 86400);
  const int64_t sod = secs - days * 86400;
  Civil c;
  c.hour = static_cast<int>(sod / 3600);
  c.minute = static_cast<int>(sod % 3600 / 60);
  c.weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
  const int64_t z = days + 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = yoe + era * 400 + (c.month <= 2 ? 1 : 0);
  const bool leap = (c.year % 4 == 0 && c.year % 100 != 0) || c.year % 400 == 0;
  static constexpr int kCum[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  c.yday = kCum[c.month - 1] + c.day + (leap && c.month > 2 ? 1 : 0);
  return c;
}

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// Go's int64(f) on amd64: out-of-range and NaN become MinInt64.
int64_t GoInt64(double f) {
  if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0)) return INT64_MIN;
  return static_cast<int64_t>(f);
}

template <typename F>
util::Status DateFn(InstantCall& c, F f) {
  if (c.args.empty()) {
    PushScalar(c, f(ToCivil(FloorDiv(c.enh.ts, 1000))));
    return util::Status::Ok();
  }
  return Simple(c, [&](double v) { return f(ToCivil(GoInt64(v))); });
}

util::Status DayOfMonth(InstantCall& c) { return DateFn(c, [](const Civil& t) { return double(t.day); }); }
util::Status DayOfWeek(InstantCall& c) { return DateFn(c, [](const Civil& t) { return double(t.weekday); }); }
util::Status DayOfYear(InstantCall& c) { return DateFn(c, [](const Civil& t) { return double(t.yday); }); }
util::Status DaysInMonthFn(InstantCall& c) {
  return DateFn(c, [](const Civil& t) { return double(DaysInMonth(t.year, t.month)); });
}
util::Status Hour(InstantCall& c) { return DateFn(c, [](const Civil& t) { return double(t.hour); }); }
util::Status Minute(InstantCall& c) { return DateFn(c, [](const Civil& t) { return double(t.minute); }); }
util::Status Month(InstantCall& c) { return DateFn(c, [](const Civil& t) { return double(t.month); }); }
util::Status Year(InstantCall& c) { return DateFn(c, [](const Civil& t) { return double(t.year); }); }

// Native-histogram functions have nothing to do on float samples.
util::Status NoFloats(InstantCall&) { return util::Status::Ok(); }

const std::map<std::string_view, InstantFn>& Table() {
  static const auto* t = new std::map<std::string_view, InstantFn>{
      {"abs", Abs}, {"absent", Absent}, {"acos", Acos}, {"acosh", Acosh}, {"asin", Asin}, {"asinh", Asinh},
      {"atan", Atan}, {"atanh", Atanh}, {"ceil", Ceil}, {"clamp", ClampFn}, {"clamp_max", ClampMax},
      {"clamp_min", ClampMin}, {"cos", Cos}, {"cosh", Cosh}, {"day_of_month", DayOfMonth},
      {"day_of_week", DayOfWeek}, {"day_of_year", DayOfYear}, {"days_in_month", DaysInMonthFn}, {"deg", Deg},
      {"end", EndFn}, {"exp", Exp}, {"floor", Floor}, {"histogram_avg", NoFloats},
      {"histogram_count", NoFloats}, {"histogram_fraction", HistogramFractionFn},
      {"histogram_quantile", HistogramQuantileFn}, {"histogram_quantiles", HistogramQuantilesFn},
      {"histogram_stddev", NoFloats}, {"histogram_stdvar", NoFloats}, {"histogram_sum", NoFloats},
      {"hour", Hour}, {"ln", Ln}, {"log10", Log10}, {"log2", Log2}, {"max_of", MaxOf}, {"min_of", MinOf}, {"minute", Minute}, {"month", Month},
      {"pi", Pi}, {"rad", Rad}, {"range", RangeFn}, {"round", Round}, {"scalar", Scalar}, {"sgn", Sgn},
      {"sin", Sin}, {"sinh", Sinh}, {"sort", Sort}, {"sort_by_label", SortByLabelFn},
      {"sort_by_label_desc", SortByLabelDescFn}, {"sort_desc", SortDesc}, {"sqrt", Sqrt}, {"start", StartFn},
      {"step", StepFn}, {"tan", Tan}, {"tanh", Tanh}, {"time", Time}, {"timestamp", TimestampFn},
      {"vector", VectorFn}, {"year", Year},
  };
  return *t;
}

}  // namespace

double GoMax(double a, double b) {
  if (std::isinf(a) && a > 0) return a;
  if (std::isinf(b) && b > 0) return b;
  if (std::isnan(a) || std::isnan(b)) return std::nan("");
  if (a == 0 && b == 0) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}

double GoMin(double a, double b) {
  if (std::isinf(a) && a < 0) return a;
  if (std::isinf(b) && b < 0) return b;
  if (std::isnan(a) || std::isnan(b)) return std::nan("");
  if (a == 0 && b == 0) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}

InstantFn FindInstantFunction(std::string_view name) {
  auto it = Table().find(name);
  return it == Table().end() ? nullptr : it->second;
}

}  // namespace kubescrape::promql::internal
