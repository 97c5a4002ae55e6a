// Function calls: dispatch, range-vector functions over selectors and
// subqueries, absent_over_time, label_replace and label_join.
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <utility>

#include "model/label_names.h"
#include "model/regex.h"
#include "promql/functions.h"
#include "promql/functions_internal.h"
#include "promql/sample_window.h"
#include "util/utf8.h"

namespace kubescrape::promql::internal {
namespace {

const Expr& UnwrapStepInvariant(const Expr& e) {
  return e.kind == NodeKind::kStepInvariant ? *As<StepInvariantExpr>(e).expr : e;
}

const std::string& StringArg(const Expr& e) { return As<StringLiteral>(UnwrapStepInvariant(e)).val; }

bool IsValidLabelName(std::string_view name) { return !name.empty() && util::IsValidUtf8(name); }

// The labels absent() and absent_over_time() return: the equality matchers
// of the selector, except __name__ and names matched more than once.
model::Labels LabelsForAbsent(const Expr& arg) {
  const VectorSelector* vs = nullptr;
  if (arg.kind == NodeKind::kVectorSelector) vs = &As<VectorSelector>(arg);
  if (arg.kind == NodeKind::kMatrixSelector) vs = &As<MatrixSelector>(arg).vs();
  if (vs == nullptr) return model::Labels();
  std::map<std::string, std::string> out;
  std::set<std::string> has;
  for (const model::Matcher& m : vs->matchers) {
    if (m.name() == model::kMetricName) continue;
    if (m.type() == model::MatchType::kEqual && !has.count(m.name())) {
      out[m.name()] = m.value();
      has.insert(m.name());
    } else {
      out.erase(m.name());
    }
  }
  return model::Labels::FromMap(out);
}

bool IsSortFunction(std::string_view name) {
  return name == "sort" || name == "sort_desc" || name == "sort_by_label" || name == "sort_by_label_desc";
}

// Go's Regexp.Expand for label_replace's replacement: $1, ${1}, $name,
// ${name}; $$ is a literal $.
std::string ExpandTemplate(std::string_view tmpl, const model::Regex& re, const std::vector<std::string_view>& groups) {
  std::string out;
  size_t i = 0;
  while (i < tmpl.size()) {
    size_t dollar = tmpl.find('$', i);
    if (dollar == std::string_view::npos) {
      out.append(tmpl.substr(i));
      break;
    }
    out.append(tmpl.substr(i, dollar - i));
    std::string_view rest = tmpl.substr(dollar + 1);
    if (!rest.empty() && rest[0] == '$') {
      out.push_back('$');
      i = dollar + 2;
      continue;
    }
    std::string_view name;
    size_t consumed = 0;
    if (!rest.empty() && rest[0] == '{') {
      size_t close = rest.find('}');
      if (close != std::string_view::npos && close > 1) {
        name = rest.substr(1, close - 1);
        consumed = close + 1;
        for (size_t k = 0; k < name.size();) {
          size_t w = 1;
          if (!util::IsWordRune(util::DecodeRune(name, k, &w))) {
            name = {};
            break;
          }
          k += w;
        }
      }
    } else {
      size_t k = 0;
      while (k < rest.size()) {
        size_t w = 1;
        if (!util::IsWordRune(util::DecodeRune(rest, k, &w))) break;
        k += w;
      }
      name = rest.substr(0, k);
      consumed = k;
    }
    if (name.empty()) {  // malformed: keep the '$'
      out.push_back('$');
      i = dollar + 1;
      continue;
    }
    i = dollar + 1 + consumed;
    bool numeric = std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (numeric) {
      size_t idx = 0;
      bool overflow = false;
      for (char c : name) {
        idx = idx * 10 + static_cast<size_t>(c - '0');
        if (idx > 1000000) overflow = true;
      }
      if (!overflow && idx < groups.size() && groups[idx].data() != nullptr) out.append(groups[idx]);
      continue;
    }
    for (int g : re.GroupsNamed(name)) {
      if (static_cast<size_t>(g) < groups.size() && groups[static_cast<size_t>(g)].data() != nullptr) {
        out.append(groups[static_cast<size_t>(g)]);
        break;
      }
    }
  }
  return out;
}

}  // namespace

util::StatusOr<Matrix> Evaluator::EvalCall(Call& call) {
  const std::string_view name = call.func->name;
  if (name == "timestamp") {
    const Expr& arg = UnwrapStepInvariant(*call.args[0]);
    if (arg.kind == NodeKind::kVectorSelector) return EvalTimestampOfSelector(call, As<VectorSelector>(arg));
  }
  if (IsSortFunction(name) && start_ != end_) {
    ctx_.annotations.AddWarning("sort is ineffective for range queries since results are always ordered by labels",
                                call.pos);
  }
  for (size_t i = 0; i < call.args.size(); ++i) {
    NodeKind k = call.args[i]->kind;
    if (k == NodeKind::kMatrixSelector || k == NodeKind::kSubquery) return EvalRangeFunction(call, i);
  }
  if (name == "label_replace") return EvalLabelReplace(call);
  if (name == "label_join") return EvalLabelJoin(call);
  InstantFn fn = FindInstantFunction(name);
  if (fn == nullptr) return util::UnimplementedError(fmt::format("function {} is not supported", name));
  std::vector<Expr*> args;
  for (ExprPtr& a : call.args) args.push_back(a.get());
  Annotations& annos = ctx_.annotations;
  return RangeEval(
      nullptr,
      [&](std::span<StepVector> in, EvalNodeHelper& enh) {
        InstantCall c{call, in, enh, ctx_, annos};
        return fn(c);
      },
      args);
}

util::StatusOr<Matrix> Evaluator::EvalRangeFunction(Call& call, size_t matrix_arg) {
  const std::string_view name = call.func->name;
  RangeFn fn = FindRangeFunction(name);
  if (fn == nullptr) return util::UnimplementedError(fmt::format("function {} is not supported", name));
  // Scalar arguments, one point per step.
  std::vector<Matrix> scalar_args;
  for (size_t i = 0; i < call.args.size(); ++i) {
    if (i == matrix_arg) continue;
    KS_ASSIGN_OR_RETURN(Matrix m, Eval(*call.args[i]));
    scalar_args.push_back(std::move(m));
  }
  const bool drop_name = name != "last_over_time" && name != "first_over_time";
  const bool is_rate = name == "rate" || name == "increase";
  const int steps = NumSteps();
  Matrix out;
  std::vector<double> scalars(scalar_args.size());
  int64_t range = 0, offset = 0;
  bool fixed_time = false;  // @: the window does not move with the steps

  // Computes all steps of one series; `slide(mint, maxt)` returns its
  // samples in (mint, maxt] (both never decrease).
  auto eval_series = [&](const model::Labels& metric, bool src_drop_name, auto&& slide) -> util::Status {
    Series r;
    std::span<const FPoint> window;
    int step = -1;
    for (int64_t ts = start_; ts <= end_; ts += interval_) {
      ++step;
      for (size_t k = 0; k < scalar_args.size(); ++k) {
        const Matrix& m = scalar_args[k];
        scalars[k] = m.empty() || static_cast<size_t>(step) >= m[0].floats.size() ? 0 : m[0].floats[static_cast<size_t>(step)].f;
      }
      if (ts == start_ || !fixed_time) window = slide(ts - offset - range, ts - offset);
      if (window.empty()) continue;
      const auto n = static_cast<int64_t>(window.size());
      AddSamplesAtStep(step, n);
      // The window's points are held besides the finished series' outputs
      // (Prometheus's matrixIterSlice counts them against the limit too).
      if (ctx_.current_samples + n > ctx_.max_samples) return ctx_.TooManySamples();
      ctx_.UpdatePeak(ctx_.current_samples + static_cast<int64_t>(r.floats.size()) + n);
      RangeCall c{call, window, ts, range, offset, scalars, metric, ctx_.annotations, util::Status::Ok()};
      std::optional<double> v = fn(c);
      KS_RETURN_IF_ERROR(c.status);
      if (!v) continue;
      if (r.floats.empty()) r.floats.reserve(static_cast<size_t>(steps));
      r.floats.push_back({ts, *v});
    }
    if (r.floats.empty()) return util::Status::Ok();
    ctx_.current_samples += static_cast<int64_t>(r.floats.size());
    if (ctx_.current_samples > ctx_.max_samples) return ctx_.TooManySamples();
    if (is_rate) {
      std::string_view metric_name = metric.Get(model::kMetricName);
      if (!metric_name.empty() && !metric_name.ends_with("_total") && !metric_name.ends_with("_sum") &&
          !metric_name.ends_with("_count") && !metric_name.ends_with("_bucket")) {
        ctx_.annotations.AddInfo(
            "metric might not be a counter, name does not end in _total/_sum/_count/_bucket: " +
                util::GoQuote(metric_name),
            call.args[0]->pos);
      }
    }
    r.metric = (drop_name && !delayed()) ? DropMetricName(metric) : metric;
    // A subquery whose result is to lose __name__ keeps that mark.
    r.drop_name = drop_name || src_drop_name;
    out.push_back(std::move(r));
    return util::Status::Ok();
  };

  Expr& arg = *call.args[matrix_arg];
  if (arg.kind == NodeKind::kMatrixSelector) {
    // A range selector: streamed from the storage one series at a time
    // through a window buffer reused across series.
    auto& ms = As<MatrixSelector>(arg);
    range = ms.range_ms;
    offset = ms.vs().offset_ms;
    fixed_time = ms.vs().timestamp.has_value();
    const SelectorData* d = nullptr;
    KS_ASSIGN_OR_RETURN(std::unique_ptr<tsdb::SeriesSet> set, Select(ms.vs(), &d));
    SampleWindow buffer;
    while (set->Next()) {
      KS_RETURN_IF_ERROR(ctx_.CheckInterrupt());
      buffer.Reset(set->Samples(), d->mint, d->maxt);
      KS_RETURN_IF_ERROR(
          eval_series(set->labels(), false, [&](int64_t mint, int64_t maxt) { return buffer.Slide(mint, maxt); }));
      KS_RETURN_IF_ERROR(buffer.status());
      buffer.Clear();
    }
    KS_RETURN_IF_ERROR(set->status());
  } else {
    // A subquery: its result, with its range and offset.
    auto& sq = As<SubqueryExpr>(arg);
    // The subquery's own samples are not counted: its points are, per step,
    // as the function's windows (Prometheus's evalSubquery).
    StepSamples uncounted;
    StepSamples* counted = std::exchange(samples_, &uncounted);
    auto evaluated = Eval(sq);
    samples_ = counted;
    if (!evaluated.ok()) return evaluated.status();
    const Matrix subquery_result = std::move(*evaluated);
    range = sq.range_ms;
    offset = sq.offset_ms;
    if (sq.timestamp) offset = sq.original_offset_ms + (start_ - *sq.timestamp);
    fixed_time = sq.timestamp.has_value();
    for (const Series& s : subquery_result) {
      KS_RETURN_IF_ERROR(ctx_.CheckInterrupt());
      const std::vector<FPoint>& pts = s.floats;
      size_t lo = 0, hi = 0;
      KS_RETURN_IF_ERROR(eval_series(s.metric, s.drop_name, [&](int64_t mint, int64_t maxt) {
        while (hi < pts.size() && pts[hi].t <= maxt) ++hi;
        while (lo < hi && pts[lo].t <= mint) ++lo;
        return std::span<const FPoint>(pts.data() + lo, hi - lo);
      }));
    }
  }
  if (name == "absent_over_time") {
    const size_t total = static_cast<size_t>(steps);
    std::set<int64_t> found;
    for (const Series& s : out) {
      if (s.floats.size() == total) return Matrix{};
      for (const FPoint& p : s.floats) found.insert(p.t);
    }
    if (found.size() == total) return Matrix{};
    Series r;
    r.metric = LabelsForAbsent(UnwrapStepInvariant(arg));
    r.drop_name = drop_name;
    for (int64_t ts = start_; ts <= end_; ts += interval_) {
      if (!found.count(ts)) r.floats.push_back({ts, 1});
    }
    return Matrix{std::move(r)};
  }
  if (!delayed() && ContainsSameLabelset(out)) {
    return util::FailedPreconditionError("vector cannot contain metrics with the same labelset");
  }
  return out;
}

util::StatusOr<Matrix> Evaluator::EvalLabelReplace(Call& call) {
  const std::string& dst = StringArg(*call.args[1]);
  const std::string& repl = StringArg(*call.args[2]);
  const std::string& src = StringArg(*call.args[3]);
  const std::string& regex_str = StringArg(*call.args[4]);
  auto re = model::Regex::Compile(regex_str);
  if (!re.ok()) {
    return util::FailedPreconditionError("invalid regular expression in label_replace(): " + regex_str);
  }
  if (!IsValidLabelName(dst)) {
    return util::FailedPreconditionError("invalid destination label name in label_replace(): " + dst);
  }
  KS_ASSIGN_OR_RETURN(Matrix m, Eval(*call.args[0]));
  std::vector<std::string_view> groups;
  for (Series& s : m) {
    std::string_view src_val = s.metric.Get(src);
    if (!re->Match(src_val, &groups)) continue;
    std::string res = ExpandTemplate(repl, *re, groups);
    s.metric = SetLabel(s.metric, dst, res);
    if (dst == model::kMetricName) s.drop_name = false;
  }
  return MergeSeriesWithSameLabelset(std::move(m));
}

util::StatusOr<Matrix> Evaluator::EvalLabelJoin(Call& call) {
  const std::string& dst = StringArg(*call.args[1]);
  const std::string& sep = StringArg(*call.args[2]);
  std::vector<std::string> srcs;
  for (size_t i = 3; i < call.args.size(); ++i) {
    const std::string& src = StringArg(*call.args[i]);
    if (!IsValidLabelName(src)) {
      return util::FailedPreconditionError("invalid source label name in label_join(): " + src);
    }
    srcs.push_back(src);
  }
  if (!IsValidLabelName(dst)) {
    return util::FailedPreconditionError("invalid destination label name in label_join(): " + dst);
  }
  KS_ASSIGN_OR_RETURN(Matrix m, Eval(*call.args[0]));
  for (Series& s : m) {
    std::string joined;
    for (size_t i = 0; i < srcs.size(); ++i) {
      if (i > 0) joined += sep;
      joined.append(s.metric.Get(srcs[i]));
    }
    s.metric = SetLabel(s.metric, dst, joined);
    if (dst == model::kMetricName) s.drop_name = false;
  }
  return MergeSeriesWithSameLabelset(std::move(m));
}

}  // namespace kubescrape::promql::internal
