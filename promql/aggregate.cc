// Aggregation operators: sum, avg, count, min, max, group, stddev, stdvar,
// quantile, topk, bottomk, limitk, limit_ratio and count_values.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "model/label_names.h"
#include "promql/functions_internal.h"
#include "promql/label_hash.h"
#include "util/utf8.h"

namespace kubescrape::promql::internal {
namespace {

// The per-step values of an aggregation parameter (topk's k, quantile's q).
struct FParams {
  std::vector<double> values;  // one per step (or one when constant)
  bool constant = false;
  size_t next = 0;
  double current = 0;
  double min = 0, max = 0;
  bool any_nan = false;

  double Next() {
    if (constant) return current;
    if (next < values.size()) current = values[next++];
    return current;
  }
};

double GoMinNaN(double a, double b) { return std::isnan(a) || std::isnan(b) ? std::nan("") : std::min(a, b); }
double GoMaxNaN(double a, double b) { return std::isnan(a) || std::isnan(b) ? std::nan("") : std::max(a, b); }

// The group key: the `by` labels, or all labels but __name__ and the
// `without` ones.
std::string GroupingKey(const model::Labels& l, const std::vector<std::string>& grouping, bool without) {
  std::string key;
  for (const model::Label& x : l) {
    bool listed = std::binary_search(grouping.begin(), grouping.end(), x.name);
    bool include = without ? (!listed && x.name != model::kMetricName) : listed;
    if (!include) continue;
    key.append(x.name);
    key.push_back('\xff');
    key.append(x.value);
    key.push_back('\xff');
  }
  return key;
}

model::Labels GroupingLabels(const model::Labels& l, const std::vector<std::string>& grouping, bool without) {
  if (without) return DropLabels(l, grouping, true);
  if (!grouping.empty()) return KeepLabels(l, grouping);
  return model::Labels();
}

struct Group {
  bool seen = false;
  double value = 0, mean = 0, kahan = 0, count = 0;
  bool incremental_mean = false;
  bool drop_name = false;
  std::vector<double> values;   // quantile
  std::vector<size_t> heap;     // topk & co: input series indices
};

// Fraction in [0, 1) derived from the label set, for limit_ratio.
double SampleOffset(const model::Labels& l) {
  return static_cast<double>(PrometheusLabelsHash(l)) /
         static_cast<double>(std::numeric_limits<uint64_t>::max());
}

bool AddRatioSample(double ratio, const model::Labels& l) {
  double off = SampleOffset(l);
  return (ratio >= 0 && off < ratio) || (ratio < 0 && off >= 1.0 + ratio);
}

}  // namespace

util::StatusOr<Matrix> Evaluator::EvalAggregate(AggregateExpr& e) {
  std::vector<std::string> grouping = e.grouping;
  std::sort(grouping.begin(), grouping.end());
  if (e.op == AggOp::kCountValues) return EvalCountValues(e, std::move(grouping));

  FParams params;
  if (e.param && e.param->Type() != ValueType::kString) {
    KS_ASSIGN_OR_RETURN(Matrix pm, Eval(*e.param));
    if (!pm.empty()) {
      params.constant = e.param->kind == NodeKind::kNumberLiteral;
      for (const FPoint& p : pm[0].floats) params.values.push_back(p.f);
      if (params.constant && !params.values.empty()) {
        params.current = params.values[0];
        params.min = params.max = params.current;
        params.any_nan = std::isnan(params.current);
      } else {
        params.min = std::numeric_limits<double>::max();
        params.max = -std::numeric_limits<double>::max();
        for (double v : params.values) {
          params.min = GoMinNaN(params.min, v);
          params.max = GoMaxNaN(params.max, v);
          if (std::isnan(v)) params.any_nan = true;
        }
      }
    }
  }
  KS_ASSIGN_OR_RETURN(Matrix input, Eval(*e.expr));

  const bool k_op = e.op == AggOp::kTopk || e.op == AggOp::kBottomk || e.op == AggOp::kLimitk ||
                    e.op == AggOp::kLimitRatio;
  std::unordered_map<std::string, size_t> group_index;
  std::vector<size_t> series_group(input.size());
  Matrix result;
  for (size_t si = 0; si < input.size(); ++si) {
    std::string key = GroupingKey(input[si].metric, grouping, e.without);
    auto [it, inserted] = group_index.emplace(std::move(key), group_index.size());
    if (inserted && !k_op) result.push_back(Series{GroupingLabels(input[si].metric, grouping, e.without), {}, false});
    series_group[si] = it->second;
  }
  std::vector<Group> groups(group_index.size());
  const PosRange param_pos = e.param ? e.param->pos : e.pos;
  const int64_t max_int64 = 9223372036854774784LL;
  switch (e.op) {
    case AggOp::kTopk:
    case AggOp::kBottomk:
    case AggOp::kLimitk:
      if (params.max < 1) return Matrix{};
      if (params.any_nan) return util::FailedPreconditionError("Parameter value is NaN");
      if (params.min <= static_cast<double>(std::numeric_limits<int64_t>::min())) {
        return util::FailedPreconditionError(fmt::format("Scalar value {} underflows int64", FormatFloatG(params.min)));
      }
      if (params.max >= static_cast<double>(max_int64)) {
        return util::FailedPreconditionError(fmt::format("Scalar value {} overflows int64", FormatFloatG(params.max)));
      }
      break;
    case AggOp::kLimitRatio:
      if (params.max == 0 && params.min == 0) return Matrix{};
      if (params.any_nan) return util::FailedPreconditionError("Ratio value is NaN");
      if (params.max > 1.0) {
        ctx_.annotations.AddWarning(fmt::format("ratio value should be between -1 and 1, got {}, capping to 1",
                                                FormatFloatG(params.max)),
                                    param_pos);
      }
      if (params.min < -1.0) {
        ctx_.annotations.AddWarning(fmt::format("ratio value should be between -1 and 1, got {}, capping to -1",
                                                FormatFloatG(params.min)),
                                    param_pos);
      }
      break;
    case AggOp::kQuantile:
      if (params.any_nan) {
        ctx_.annotations.AddWarning("quantile value should be between 0 and 1, got NaN", param_pos);
      }
      if (params.max > 1) {
        ctx_.annotations.AddWarning("quantile value should be between 0 and 1, got " + FormatFloatG(params.max),
                                    param_pos);
      }
      if (params.min < 0) {
        ctx_.annotations.AddWarning("quantile value should be between 0 and 1, got " + FormatFloatG(params.min),
                                    param_pos);
      }
      break;
    default: break;
  }

  std::vector<size_t> cursor(input.size(), 0);
  // Output of the k operators in a range query, by label set.
  std::unordered_map<const model::Labels*, size_t> k_out;
  Matrix k_result;
  const int steps = NumSteps();
  for (int64_t ts = start_; ts <= end_; ts += interval_) {
    KS_RETURN_IF_ERROR(ctx_.CheckInterrupt());
    const double fparam = params.Next();
    for (Group& g : groups) g.seen = false;
    int64_t k = 0;
    double ratio = 0;
    if (e.op == AggOp::kTopk || e.op == AggOp::kBottomk || e.op == AggOp::kLimitk) {
      k = std::min(static_cast<int64_t>(fparam), static_cast<int64_t>(input.size()));
    } else if (e.op == AggOp::kLimitRatio) {
      ratio = std::clamp(fparam, -1.0, 1.0);
    }
    for (size_t si = 0; si < input.size(); ++si) {
      Series& s = input[si];
      size_t& c = cursor[si];
      if (c >= s.floats.size() || s.floats[c].t != ts) continue;
      const double f = s.floats[c++].f;
      if (k_op && ((e.op != AggOp::kLimitRatio && k < 1) || (e.op == AggOp::kLimitRatio && fparam == 0))) continue;
      Group& g = groups[series_group[si]];
      if (!g.seen) {
        g = Group{};
        g.seen = true;
        g.value = f;
        g.mean = f;
        g.count = 1;
        g.drop_name = s.drop_name;
        switch (e.op) {
          case AggOp::kStddev:
          case AggOp::kStdvar: g.value = (std::isnan(f) || std::isinf(f)) ? std::nan("") : 0; break;
          case AggOp::kQuantile: g.values.push_back(f); break;
          case AggOp::kGroup: g.value = 1; break;
          case AggOp::kLimitRatio:
            if (AddRatioSample(ratio, s.metric)) g.heap.push_back(si);
            break;
          case AggOp::kTopk:
          case AggOp::kBottomk:
          case AggOp::kLimitk: g.heap.push_back(si); break;
          default: break;
        }
        continue;
      }
      if (s.drop_name) g.drop_name = true;
      switch (e.op) {
        case AggOp::kSum: KahanInc(f, &g.value, &g.kahan); break;
        case AggOp::kAvg: {
          g.count++;
          if (!g.incremental_mean) {
            double sum = g.value, kc = g.kahan;
            KahanInc(f, &sum, &kc);
            if (!std::isinf(sum)) {
              g.value = sum, g.kahan = kc;
              break;
            }
            g.incremental_mean = true;
            g.mean = g.value / (g.count - 1);
            g.kahan /= g.count - 1;
          }
          const double q = (g.count - 1) / g.count;
          double mean = q * g.mean, kc = q * g.kahan;
          KahanInc(f / g.count, &mean, &kc);
          g.mean = mean, g.kahan = kc;
          break;
        }
        case AggOp::kGroup: break;
        case AggOp::kMax:
          if (g.value < f || std::isnan(g.value)) g.value = f;
          break;
        case AggOp::kMin:
          if (g.value > f || std::isnan(g.value)) g.value = f;
          break;
        case AggOp::kCount: g.count++; break;
        case AggOp::kStddev:
        case AggOp::kStdvar: {
          g.count++;
          const double delta = f - g.mean;
          g.mean += delta / g.count;
          g.value += delta * (f - g.mean);
          break;
        }
        case AggOp::kQuantile: g.values.push_back(f); break;
        case AggOp::kTopk:
        case AggOp::kBottomk: g.heap.push_back(si); break;
        case AggOp::kLimitk:
          if (static_cast<int64_t>(g.heap.size()) < k) g.heap.push_back(si);
          break;
        case AggOp::kLimitRatio:
          if (AddRatioSample(ratio, s.metric)) g.heap.push_back(si);
          break;
        case AggOp::kCountValues: break;
      }
    }
    if (k_op) {
      for (Group& g : groups) {
        if (!g.seen) continue;
        auto value_of = [&](size_t idx) { return input[idx].floats[cursor[idx] - 1].f; };
        if (e.op == AggOp::kTopk || e.op == AggOp::kBottomk) {
          const bool top = e.op == AggOp::kTopk;
          std::stable_sort(g.heap.begin(), g.heap.end(), [&](size_t a, size_t b) {
            double va = value_of(a), vb = value_of(b);
            if (std::isnan(va) != std::isnan(vb)) return !std::isnan(va);  // NaN last
            return top ? va > vb : va < vb;
          });
          if (static_cast<int64_t>(g.heap.size()) > k) g.heap.resize(static_cast<size_t>(k));
        }
        for (size_t idx : g.heap) {
          const double v = value_of(idx);
          if (start_ == end_) {
            k_result.push_back(Series{input[idx].metric, {{ts, v}}, input[idx].drop_name});
            continue;
          }
          auto [it, inserted] = k_out.emplace(&input[idx].metric, k_result.size());
          if (inserted) {
            k_result.push_back(Series{input[idx].metric, {}, input[idx].drop_name});
            k_result.back().floats.reserve(static_cast<size_t>(steps));
          }
          k_result[it->second].floats.push_back({ts, v});
        }
      }
      continue;
    }
    for (size_t gi = 0; gi < groups.size(); ++gi) {
      Group& g = groups[gi];
      if (!g.seen) continue;
      double v = g.value;
      switch (e.op) {
        case AggOp::kAvg:
          v = g.incremental_mean ? g.mean + g.kahan : g.value / g.count + g.kahan / g.count;
          break;
        case AggOp::kCount: v = g.count; break;
        case AggOp::kStdvar: v = g.value / g.count; break;
        case AggOp::kStddev: v = std::sqrt(g.value / g.count); break;
        case AggOp::kQuantile: v = Quantile(fparam, g.values); break;
        case AggOp::kSum: v = g.value + g.kahan; break;
        default: break;
      }
      Series& out = result[gi];
      if (out.floats.empty()) out.floats.reserve(static_cast<size_t>(steps));
      out.floats.push_back({ts, v});
      out.drop_name = g.drop_name;
    }
  }
  if (k_op) return k_result;
  Matrix nonempty;
  nonempty.reserve(result.size());
  for (Series& s : result) {
    if (!s.floats.empty()) nonempty.push_back(std::move(s));
  }
  return nonempty;
}

util::StatusOr<Matrix> Evaluator::EvalCountValues(AggregateExpr& e, std::vector<std::string> grouping) {
  const std::string& label = As<StringLiteral>(*e.param).val;
  if (label.empty() || !util::IsValidUtf8(label)) {
    return util::FailedPreconditionError("invalid label name " + util::GoQuote(label));
  }
  if (!e.without) {
    grouping.push_back(label);
    std::sort(grouping.begin(), grouping.end());
  }
  Expr* exprs[] = {e.expr.get()};
  return RangeEval(
      nullptr,
      [&](std::span<StepVector> in, EvalNodeHelper& enh) {
        std::unordered_map<std::string, std::pair<const model::Labels*, double>> counts;
        std::vector<std::string> order;
        for (const VecElem& s : in[0]) {
          model::Labels with_value = SetLabel(*s.metric, label, FormatFloat(s.f));
          std::string key = GroupingKey(with_value, grouping, e.without);
          auto it = counts.find(key);
          if (it == counts.end()) {
            const model::Labels* l = enh.arena->Add(GroupingLabels(with_value, grouping, e.without));
            counts.emplace(key, std::make_pair(l, 1.0));
            order.push_back(std::move(key));
          } else {
            it->second.second++;
          }
        }
        for (const std::string& key : order) {
          const auto& [l, n] = counts[key];
          enh.out.push_back(VecElem{l, n, enh.ts, false, 0});
        }
        return util::Status::Ok();
      },
      exprs);
}

}  // namespace kubescrape::promql::internal
