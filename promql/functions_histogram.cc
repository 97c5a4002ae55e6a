// histogram_quantile, histogram_fraction and histogram_quantiles over
// classic (`le`-labelled) buckets, quantile helpers, sort_by_label.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "model/label_names.h"
#include "promql/functions_internal.h"
#include "promql/parser.h"
#include "util/utf8.h"

namespace kubescrape::promql::internal {
namespace {

struct BucketGroup {
  const model::Labels* metric;  // without __name__ and le
  std::vector<Bucket> buckets;
};

// Groups the samples into classic histograms by their labels without `le`
// (Prometheus's resetHistograms), in order of first appearance. Bad `le`
// values are warned about. What each series contributes is cached in `enh`
// across steps.
std::vector<BucketGroup> GroupBuckets(InstantCall& c, const StepVector& in, const Expr& arg) {
  EvalNodeHelper& enh = c.enh;
  std::vector<BucketGroup> groups;
  std::vector<int> slot_of_group;  // group -> index in `groups`, or -1
  for (const VecElem& s : in) {
    auto [info, fresh] = enh.bucket_series.try_emplace(s.metric);
    if (fresh) {
      auto upper = ParseFloat(s.metric->Get(model::kBucketLabel));
      if (upper.ok()) {
        std::string sig;
        for (const model::Label& l : *s.metric) {
          if (l.name == model::kBucketLabel) continue;
          sig.append(l.name);
          sig.push_back('\xff');
          sig.append(l.value);
          sig.push_back('\xff');
        }
        auto [it, inserted] =
            enh.bucket_group_index.try_emplace(std::move(sig), static_cast<int>(enh.bucket_group_metric.size()));
        if (inserted) {
          static const std::vector<std::string> kExcluded = {std::string(model::kMetricName),
                                                             std::string(model::kBucketLabel)};
          enh.bucket_group_metric.push_back(enh.arena->Add(DropLabels(*s.metric, kExcluded, true)));
        }
        info->second = EvalNodeHelper::BucketSeries{*upper, it->second};
      }
    }
    const EvalNodeHelper::BucketSeries& b = info->second;
    if (b.group < 0) {
      std::string_view le = s.metric->Get(model::kBucketLabel);
      std::string msg = fmt::format("bucket label \"le\" is missing or has a malformed value of {}", util::GoQuote(le));
      std::string_view name = s.metric->Get(model::kMetricName);
      if (enh.delayed_name_removal && !name.empty()) msg += " for metric name " + util::GoQuote(name);
      c.annos.AddWarning(msg, arg.pos);
      continue;
    }
    if (slot_of_group.size() <= static_cast<size_t>(b.group)) slot_of_group.resize(enh.bucket_group_metric.size(), -1);
    int& slot = slot_of_group[static_cast<size_t>(b.group)];
    if (slot < 0) {
      slot = static_cast<int>(groups.size());
      groups.push_back(BucketGroup{enh.bucket_group_metric[static_cast<size_t>(b.group)], {}});
    }
    groups[static_cast<size_t>(slot)].buckets.push_back(Bucket{b.upper, s.f});
  }
  return groups;
}

void ValidateQuantile(InstantCall& c, double q, const Expr& arg) {
  if (std::isnan(q) || q < 0 || q > 1) {
    c.annos.AddWarning("quantile value should be between 0 and 1, got " + FormatFloatG(q), arg.pos);
  }
}

void MonotonicityInfo(InstantCall& c, const Expr& arg) {
  c.annos.AddInfo(
      "input to histogram_quantile needed to be fixed for monotonicity (see "
      "https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)",
      arg.pos);
}

// Prometheus's labels.FormatOpenMetricsFloat: integers get ".0".
std::string FormatOpenMetricsFloat(double f) {
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f > 0 ? "+Inf" : "-Inf";
  std::string s = FormatFloatG(f);
  if (s.find_first_of("e.") == std::string::npos) s += ".0";
  return s;
}

// github.com/facette/natsort: digit runs compare as numbers.
std::vector<std::string_view> Chunks(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    const bool digit = s[i] >= '0' && s[i] <= '9';
    size_t j = i;
    while (j < s.size() && ((s[j] >= '0' && s[j] <= '9') == digit)) ++j;
    out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

bool Atoi(std::string_view s, int64_t* v) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), *v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool NatLess(std::string_view a, std::string_view b) {
  std::vector<std::string_view> ca = Chunks(a), cb = Chunks(b);
  for (size_t i = 0; i < ca.size(); ++i) {
    if (i >= cb.size()) return false;
    int64_t ia, ib;
    const bool both_num = Atoi(ca[i], &ia) && Atoi(cb[i], &ib);
    const bool equal = both_num ? ia == ib : ca[i] == cb[i];
    if (equal) {
      if (i == ca.size() - 1) return true;
      if (i == cb.size() - 1) return false;
      continue;
    }
    return both_num ? ia < ib : ca[i] < cb[i];
  }
  return false;
}

util::Status SortByLabelImpl(InstantCall& c, bool desc) {
  std::vector<std::string> names;
  for (size_t i = 1; i < c.call.args.size(); ++i) {
    const Expr& a = *c.call.args[i];
    names.push_back(As<StringLiteral>(a.kind == NodeKind::kStepInvariant ? *As<StepInvariantExpr>(a).expr : a).val);
  }
  c.enh.out = c.args[0];
  std::stable_sort(c.enh.out.begin(), c.enh.out.end(), [&](const VecElem& x, const VecElem& y) {
    for (const std::string& n : names) {
      std::string_view a = x.metric->Get(n), b = y.metric->Get(n);
      if (a == b) continue;
      return desc ? !NatLess(a, b) : NatLess(a, b);
    }
    int cmp = model::Labels::Compare(*x.metric, *y.metric);
    return desc ? cmp > 0 : cmp < 0;
  });
  return util::Status::Ok();
}

}  // namespace

util::Status SortByLabelFn(InstantCall& c) { return SortByLabelImpl(c, false); }
util::Status SortByLabelDescFn(InstantCall& c) { return SortByLabelImpl(c, true); }

util::Status HistogramQuantileFn(InstantCall& c) {
  if (c.args[0].empty()) return util::Status::Ok();
  const double q = c.args[0][0].f;
  ValidateQuantile(c, q, *c.call.args[0]);
  for (BucketGroup& g : GroupBuckets(c, c.args[1], *c.call.args[1])) {
    BucketQuantileResult r = BucketQuantile(q, g.buckets);
    if (r.forced_monotonic) MonotonicityInfo(c, *c.call.args[1]);
    c.enh.out.push_back(VecElem{g.metric, r.value, c.enh.ts, true, 0});
  }
  return util::Status::Ok();
}

util::Status HistogramFractionFn(InstantCall& c) {
  if (c.args[0].empty() || c.args[1].empty()) return util::Status::Ok();
  const double lower = c.args[0][0].f, upper = c.args[1][0].f;
  for (BucketGroup& g : GroupBuckets(c, c.args[2], *c.call.args[2])) {
    c.enh.out.push_back(VecElem{g.metric, BucketFraction(lower, upper, g.buckets), c.enh.ts, true, 0});
  }
  return util::Status::Ok();
}

util::Status HistogramQuantilesFn(InstantCall& c) {
  const Expr& label_arg = *c.call.args[1];
  const std::string& label =
      As<StringLiteral>(label_arg.kind == NodeKind::kStepInvariant ? *As<StepInvariantExpr>(label_arg).expr : label_arg)
          .val;
  std::vector<double> qs;
  for (size_t i = 2; i < c.args.size(); ++i) {
    const double q = c.args[i][0].f;
    ValidateQuantile(c, q, *c.call.args[i]);
    qs.push_back(q);
  }
  std::vector<BucketGroup> groups = GroupBuckets(c, c.args[0], *c.call.args[0]);
  for (const BucketGroup& g : groups) {
    if (g.metric->Has(label)) {
      return util::FailedPreconditionError(
          fmt::format("histogram_quantiles(): conflicting label {}: the input already has it", util::GoQuote(label)));
    }
  }
  for (double q : qs) {
    const std::string qs_label = FormatOpenMetricsFloat(q);
    for (BucketGroup& g : groups) {
      std::vector<Bucket> buckets = g.buckets;
      BucketQuantileResult r = BucketQuantile(q, buckets);
      if (r.forced_monotonic) MonotonicityInfo(c, *c.call.args[0]);
      const model::Labels* l = c.enh.arena->Add(SetLabel(*g.metric, label, qs_label));
      c.enh.out.push_back(VecElem{l, r.value, c.enh.ts, true, 0});
    }
  }
  return util::Status::Ok();
}

double Quantile(double q, std::vector<double>& values) {
  if (values.empty() || std::isnan(q)) return std::nan("");
  if (q < 0) return -INFINITY;
  if (q > 1) return INFINITY;
  std::sort(values.begin(), values.end(), [](double a, double b) { return (std::isnan(a) && !std::isnan(b)) || a < b; });
  const double n = static_cast<double>(values.size());
  const double rank = q * (n - 1);
  const double lower = std::max(0.0, std::floor(rank));
  const double upper = std::min(n - 1, lower + 1);
  const double weight = rank - std::floor(rank);
  return values[static_cast<size_t>(lower)] * (1 - weight) + values[static_cast<size_t>(upper)] * weight;
}

namespace {

std::vector<Bucket>& SortAndCoalesce(std::vector<Bucket>& b) {
  std::sort(b.begin(), b.end(), [](const Bucket& x, const Bucket& y) { return x.upper < y.upper; });
  size_t i = 0;
  for (size_t j = 1; j < b.size(); ++j) {
    if (b[j].upper == b[i].upper) {
      b[i].count += b[j].count;
    } else {
      b[++i] = b[j];
    }
  }
  b.resize(b.empty() ? 0 : i + 1);
  return b;
}

bool AlmostEqual(double a, double b, double epsilon) {
  if (a == b) return true;
  const double min_normal = 2.2250738585072014e-308;
  const double diff = std::fabs(a - b);
  if (a == 0 || b == 0 || std::fabs(a) + std::fabs(b) < min_normal) return diff < epsilon * min_normal;
  return diff / std::min(std::fabs(a) + std::fabs(b), 1.7976931348623157e308) < epsilon;
}

}  // namespace

BucketQuantileResult BucketQuantile(double q, std::vector<Bucket>& buckets) {
  if (std::isnan(q)) return {std::nan(""), false};
  if (q < 0) return {-INFINITY, false};
  if (q > 1) return {INFINITY, false};
  if (buckets.empty()) return {std::nan(""), false};
  std::sort(buckets.begin(), buckets.end(), [](const Bucket& x, const Bucket& y) { return x.upper < y.upper; });
  if (!(std::isinf(buckets.back().upper) && buckets.back().upper > 0)) return {std::nan(""), false};
  SortAndCoalesce(buckets);
  bool forced = false;
  double prev = buckets[0].count;
  for (size_t i = 1; i < buckets.size(); ++i) {
    const double curr = buckets[i].count;
    if (curr == prev) continue;
    if (AlmostEqual(prev, curr, 1e-12)) {
      buckets[i].count = prev;
      continue;
    }
    if (curr < prev) {
      buckets[i].count = prev;
      forced = true;
      continue;
    }
    prev = curr;
  }
  if (buckets.size() < 2) return {std::nan(""), false};
  const double observations = buckets.back().count;
  if (observations == 0) return {std::nan(""), false};
  double rank = q * observations;
  size_t b = 0;
  while (b < buckets.size() - 1 && !(buckets[b].count >= rank)) ++b;
  if (b == buckets.size() - 1) return {buckets[buckets.size() - 2].upper, forced};
  if (b == 0 && buckets[0].upper <= 0) return {buckets[0].upper, forced};
  double start = 0, end = buckets[b].upper, count = buckets[b].count;
  if (b > 0) {
    start = buckets[b - 1].upper;
    count -= buckets[b - 1].count;
    rank -= buckets[b - 1].count;
  }
  return {start + (end - start) * (rank / count), forced};
}

double BucketFraction(double lower, double upper, std::vector<Bucket>& buckets) {
  if (buckets.empty()) return std::nan("");
  SortAndCoalesce(buckets);
  if (!(std::isinf(buckets.back().upper) && buckets.back().upper > 0)) return std::nan("");
  const double total = buckets.back().count;
  if (total == 0 || std::isnan(lower) || std::isnan(upper)) return std::nan("");
  if (lower >= upper) return 0;
  double rank = 0, lower_rank = 0, upper_rank = 0;
  bool lower_set = false, upper_set = false;
  for (size_t i = 0; i < buckets.size(); ++i) {
    double b_lower = i == 0 ? -INFINITY : buckets[i - 1].upper;
    const double b_upper = buckets[i].upper;
    const double count = buckets[i].count - (i == 0 ? 0 : buckets[i - 1].count);
    if (i == 0 && b_upper > 0) b_lower = 0;  // the natural lower bound of positive buckets
    // Observations in an infinitely wide bucket sit at its infinite end.
    auto interpolate = [&](double v) {
      if (std::isinf(b_lower)) return rank + count;
      if (std::isinf(b_upper)) return rank;
      return rank + count * (v - b_lower) / (b_upper - b_lower);
    };
    if (!lower_set && b_lower >= lower) {
      lower_rank = rank;
      lower_set = true;
    }
    if (!upper_set && b_lower >= upper) {
      upper_rank = rank;
      upper_set = true;
    }
    if (lower_set && upper_set) break;
    if (!lower_set && b_lower < lower && b_upper > lower) {
      lower_rank = interpolate(lower);
      lower_set = true;
    }
    if (!upper_set && b_lower < upper && b_upper > upper) {
      upper_rank = interpolate(upper);
      upper_set = true;
    }
    if (lower_set && upper_set) break;
    rank += count;
  }
  if (!lower_set || lower_rank > total) lower_rank = total;
  if (!upper_set || upper_rank > total) upper_rank = total;
  return (upper_rank - lower_rank) / total;
}

std::string FormatFloatG(double f) {
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f > 0 ? "+Inf" : "-Inf";
  if (f == 0) return std::signbit(f) ? "-0" : "0";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), f, std::chars_format::scientific);
  std::string sci(buf, r.ptr);  // d.ddde±XX
  const size_t e = sci.find('e');
  std::string mant = sci.substr(0, e);
  const int exp = std::stoi(sci.substr(e + 1));
  const bool neg = mant[0] == '-';
  if (neg) mant.erase(0, 1);
  std::string digits;
  for (char ch : mant) {
    if (ch != '.') digits.push_back(ch);
  }
  std::string out = neg ? "-" : "";
  if (exp < -4 || exp >= 6) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    out += fmt::format("e{}{:02d}", exp < 0 ? '-' : '+', std::abs(exp));
    return out;
  }
  if (exp < 0) return out + "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
  if (static_cast<size_t>(exp) + 1 >= digits.size()) {
    return out + digits + std::string(static_cast<size_t>(exp) + 1 - digits.size(), '0');
  }
  return out + digits.substr(0, static_cast<size_t>(exp) + 1) + "." + digits.substr(static_cast<size_t>(exp) + 1);
}

}  // namespace kubescrape::promql::internal
