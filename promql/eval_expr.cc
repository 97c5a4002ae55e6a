// Evaluation dispatch, RangeEval (the step loop), literals, unary minus,
// step-invariant subtrees and subqueries.
#include <algorithm>
#include <map>
#include <unordered_map>

#include "model/label_names.h"
#include "promql/evaluator.h"

namespace kubescrape::promql::internal {
namespace {

int64_t TotalPoints(const Matrix& m) {
  int64_t n = 0;
  for (const Series& s : m) n += static_cast<int64_t>(s.floats.size());
  return n;
}

// The join signature of a series for vector matching: the `on` labels, or
// all labels but __name__ and the `ignoring` ones.
std::string Signature(const model::Labels& l, const VectorMatching& m) {
  std::string sig;
  for (const model::Label& x : l) {
    bool listed = std::find(m.matching_labels.begin(), m.matching_labels.end(), x.name) != m.matching_labels.end();
    bool include = m.on ? listed : (!listed && x.name != model::kMetricName);
    if (!include) continue;
    sig.append(x.name);
    sig.push_back('\xff');
    sig.append(x.value);
    sig.push_back('\xff');
  }
  return sig;
}

// Collects per-step results into series keyed by label set.
class SeriesCollector {
 public:
  explicit SeriesCollector(int num_steps) : num_steps_(num_steps) {}

  util::Status Add(const VecElem& e, int64_t ts) {
    size_t idx;
    auto pit = by_ptr_.find(e.metric);
    if (pit != by_ptr_.end()) {
      idx = pit->second;
    } else {
      auto& bucket = by_hash_[e.metric->Hash()];
      idx = SIZE_MAX;
      for (size_t i : bucket) {
        if (out_[i].metric == *e.metric) idx = i;
      }
      if (idx == SIZE_MAX) {
        idx = out_.size();
        out_.push_back(Series{*e.metric, {}, e.drop_name});
        out_.back().floats.reserve(static_cast<size_t>(std::min(num_steps_, 1024)));
        last_ts_.push_back(INT64_MIN);
        bucket.push_back(idx);
      }
      by_ptr_.emplace(e.metric, idx);
    }
    if (last_ts_[idx] == ts) {
      return util::FailedPreconditionError("vector cannot contain metrics with the same labelset");
    }
    last_ts_[idx] = ts;
    out_[idx].floats.push_back({ts, e.f});
    return util::Status::Ok();
  }

  Matrix Take() { return std::move(out_); }

 private:
  int num_steps_;
  Matrix out_;
  std::vector<int64_t> last_ts_;
  std::unordered_map<const model::Labels*, size_t> by_ptr_;
  std::unordered_map<uint64_t, std::vector<size_t>> by_hash_;
};

}  // namespace

util::StatusOr<Matrix> Evaluator::Eval(Expr& e) {
  KS_RETURN_IF_ERROR(ctx_.CheckInterrupt());
  if (end_ < start_) return Matrix{};
  const int64_t before = ctx_.current_samples;
  KS_ASSIGN_OR_RETURN(Matrix m, EvalNode(e));
  ctx_.UpdatePeak(ctx_.current_samples);
  ctx_.current_samples = before + TotalPoints(m);
  ctx_.UpdatePeak(ctx_.current_samples);
  if (ctx_.current_samples > ctx_.max_samples) return ctx_.TooManySamples();
  return m;
}

util::StatusOr<Matrix> Evaluator::EvalNode(Expr& e) {
  switch (e.kind) {
    case NodeKind::kAggregate: return EvalAggregate(As<AggregateExpr>(e));
    case NodeKind::kCall: return EvalCall(As<Call>(e));
    case NodeKind::kParen: return Eval(*As<ParenExpr>(e).expr);
    case NodeKind::kUnary: return EvalUnary(As<UnaryExpr>(e));
    case NodeKind::kBinary: return EvalBinary(As<BinaryExpr>(e));
    case NodeKind::kNumberLiteral: {
      const double v = As<NumberLiteral>(e).val;
      Matrix m(1);
      m[0].floats.reserve(static_cast<size_t>(NumSteps()));
      for (int64_t ts = start_; ts <= end_; ts += interval_) m[0].floats.push_back({ts, v});
      return m;
    }
    case NodeKind::kStringLiteral:
      return util::InternalError("string literal evaluated as a matrix");
    case NodeKind::kVectorSelector: return EvalVectorSelector(As<VectorSelector>(e));
    case NodeKind::kMatrixSelector:
      if (start_ != end_) return util::InternalError("cannot do range evaluation of matrix selector");
      return EvalMatrixSelector(As<MatrixSelector>(e));
    case NodeKind::kSubquery: return EvalSubquery(As<SubqueryExpr>(e));
    case NodeKind::kStepInvariant: return EvalStepInvariant(As<StepInvariantExpr>(e));
  }
  return util::InternalError("unhandled expression");
}

util::StatusOr<Matrix> Evaluator::EvalUnary(UnaryExpr& e) {
  KS_ASSIGN_OR_RETURN(Matrix m, Eval(*e.expr));
  if (!e.negate) return m;
  for (Series& s : m) {
    if (!delayed()) s.metric = DropMetricName(s.metric);
    s.drop_name = true;
    for (FPoint& p : s.floats) p.f = -p.f;
  }
  if (!delayed()) return MergeSeriesWithSameLabelset(std::move(m));
  return m;
}

util::StatusOr<Matrix> Evaluator::EvalStepInvariant(StepInvariantExpr& e) {
  // One evaluation, counted at every step (Prometheus: as if each step ran
  // as an instant query).
  StepSamples inner;
  Evaluator once(ctx_, start_, start_, interval_, inner);
  KS_ASSIGN_OR_RETURN(Matrix m, once.Eval(*e.expr));
  for (int step = 0; step < NumSteps(); ++step) AddSamplesAtStep(step, inner.total);
  if (e.expr->kind == NodeKind::kMatrixSelector || e.expr->kind == NodeKind::kSubquery) return m;
  for (Series& s : m) {
    if (s.floats.size() != 1) return util::InternalError("unexpected number of samples");
    const double v = s.floats[0].f;
    s.floats.reserve(static_cast<size_t>(NumSteps()));
    for (int64_t ts = start_ + interval_; ts <= end_; ts += interval_) {
      s.floats.push_back({ts, v});
      if (++ctx_.current_samples > ctx_.max_samples) return ctx_.TooManySamples();
    }
  }
  return m;
}

util::StatusOr<Matrix> Evaluator::EvalSubquery(SubqueryExpr& e) {
  const int64_t offset = e.offset_ms;
  const int64_t range = e.range_ms;
  const int64_t interval = e.step_ms != 0 ? e.step_ms : ctx_.no_step_subquery_ms;
  // The first step after (start - offset - range) aligned to the interval.
  int64_t sub_start = interval * ((start_ - offset - range) / interval);
  if (sub_start <= start_ - offset - range) sub_start += interval;
  if (sub_start != start_) SetOffsetForAtModifier(sub_start, *e.expr);
  StepSamples inner;
  Evaluator sub(ctx_, sub_start, end_ - offset, interval, inner);
  KS_ASSIGN_OR_RETURN(Matrix m, sub.Eval(*e.expr));
  AddSamplesAtTime(end_, inner.total);  // Prometheus counts them at the last step
  return m;
}

util::StatusOr<Matrix> Evaluator::RangeEval(const VectorMatching* matching, const StepFn& fn,
                                            std::span<Expr* const> exprs) {
  const size_t n = exprs.size();
  std::vector<Matrix> inputs(n);
  for (size_t i = 0; i < n; ++i) {
    if (exprs[i] != nullptr && exprs[i]->Type() != ValueType::kString) {
      KS_ASSIGN_OR_RETURN(inputs[i], Eval(*exprs[i]));
    }
  }
  std::vector<std::vector<int32_t>> sigs(n);
  EvalNodeHelper enh;
  LabelArena arena;
  enh.arena = &arena;
  enh.delayed_name_removal = delayed();
  if (matching != nullptr) {
    std::unordered_map<std::string, int32_t> ordinals;
    for (size_t i = 0; i < n; ++i) {
      sigs[i].reserve(inputs[i].size());
      for (const Series& s : inputs[i]) {
        auto [it, inserted] = ordinals.emplace(Signature(s.metric, *matching), static_cast<int32_t>(ordinals.size()));
        sigs[i].push_back(it->second);
      }
    }
    enh.num_sigs = static_cast<int>(ordinals.size());
  }
  std::vector<std::vector<size_t>> cursors(n);
  size_t biggest = 1;
  for (size_t i = 0; i < n; ++i) {
    cursors[i].assign(inputs[i].size(), 0);
    biggest = std::max(biggest, inputs[i].size());
  }
  std::vector<StepVector> vectors(n);
  for (auto& v : vectors) v.reserve(biggest);
  enh.out.reserve(biggest);
  SeriesCollector collector(NumSteps());
  for (int64_t ts = start_; ts <= end_; ts += interval_) {
    KS_RETURN_IF_ERROR(ctx_.CheckInterrupt());
    for (size_t i = 0; i < n; ++i) {
      vectors[i].clear();
      Matrix& in = inputs[i];
      for (size_t si = 0; si < in.size(); ++si) {
        size_t& c = cursors[i][si];
        if (c < in[si].floats.size() && in[si].floats[c].t == ts) {
          vectors[i].push_back(VecElem{&in[si].metric, in[si].floats[c].f, ts, in[si].drop_name,
                                       matching != nullptr ? sigs[i][si] : 0});
          ++c;
        }
      }
    }
    enh.ts = ts;
    enh.out.clear();
    KS_RETURN_IF_ERROR(fn(std::span<StepVector>(vectors), enh));
    if (start_ == end_) {
      if (!delayed() && ContainsSameLabelset(enh.out)) {
        return util::FailedPreconditionError("vector cannot contain metrics with the same labelset");
      }
      Matrix m;
      m.reserve(enh.out.size());
      for (const VecElem& e : enh.out) m.push_back(Series{*e.metric, {{ts, e.f}}, e.drop_name});
      return m;
    }
    for (const VecElem& e : enh.out) KS_RETURN_IF_ERROR(collector.Add(e, ts));
  }
  return collector.Take();
}

util::StatusOr<Matrix> Evaluator::MergeSeriesWithSameLabelset(Matrix m) {
  if (!ContainsSameLabelset(m)) return m;
  std::map<model::Labels, size_t> first;
  Matrix merged;
  for (Series& s : m) {
    auto [it, inserted] = first.emplace(s.metric, merged.size());
    if (inserted) {
      merged.push_back(std::move(s));
      continue;
    }
    Series& base = merged[it->second];
    base.floats.insert(base.floats.end(), s.floats.begin(), s.floats.end());
    std::sort(base.floats.begin(), base.floats.end(), [](const FPoint& a, const FPoint& b) { return a.t < b.t; });
    for (size_t i = 1; i < base.floats.size(); ++i) {
      if (base.floats[i].t == base.floats[i - 1].t) {
        return util::FailedPreconditionError("vector cannot contain metrics with the same labelset");
      }
    }
  }
  return merged;
}

}  // namespace kubescrape::promql::internal
