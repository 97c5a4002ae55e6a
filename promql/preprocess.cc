// Query preparation: step-invariant wrapping, @ offsets and the time range
// each selector reads (Prometheus's PreprocessExpr, setOffsetForAtModifier
// and FindMinMaxTime).
#include <algorithm>
#include <limits>
#include <set>

#include "promql/evaluator.h"
#include "promql/functions.h"

namespace kubescrape::promql::internal {
namespace {

// Functions whose value depends on the evaluation time even when their
// arguments do not.
const std::set<std::string_view>& AtModifierUnsafeFunctions() {
  static const auto* s = new std::set<std::string_view>{
      "days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour", "minute", "month", "year",
      "predict_linear", "time", "timestamp", "start", "end", "step", "range"};
  return *s;
}

void UnwrapParens(ExprPtr& e) {
  while (e && e->kind == NodeKind::kParen) {
    ExprPtr inner = std::move(As<ParenExpr>(*e).expr);
    e = std::move(inner);
  }
}

ExprPtr WrapStepInvariant(ExprPtr e) {
  auto w = std::make_unique<StepInvariantExpr>();
  w->pos = e->pos;
  w->expr = std::move(e);
  return w;
}

struct Helper {
  bool invariant;
  bool wrap;
};

Helper Preprocess(ExprPtr& e, int64_t start, int64_t end) {
  switch (e->kind) {
    case NodeKind::kVectorSelector: {
      auto& vs = As<VectorSelector>(*e);
      if (vs.start_or_end == AtPreprocessor::kStart) vs.timestamp = start;
      if (vs.start_or_end == AtPreprocessor::kEnd) vs.timestamp = end;
      return {vs.timestamp.has_value(), vs.timestamp.has_value()};
    }
    case NodeKind::kAggregate: {
      auto& a = As<AggregateExpr>(*e);
      UnwrapParens(a.expr);
      UnwrapParens(a.param);
      return Preprocess(a.expr, start, end);
    }
    case NodeKind::kBinary: {
      auto& b = As<BinaryExpr>(*e);
      Helper l = Preprocess(b.lhs, start, end);
      Helper r = Preprocess(b.rhs, start, end);
      if (l.invariant && r.invariant) return {true, true};
      if (l.wrap) b.lhs = WrapStepInvariant(std::move(b.lhs));
      if (r.wrap) b.rhs = WrapStepInvariant(std::move(b.rhs));
      return {false, false};
    }
    case NodeKind::kCall: {
      auto& c = As<Call>(*e);
      bool invariant = AtModifierUnsafeFunctions().count(c.func->name) == 0;
      std::vector<bool> wrap(c.args.size());
      for (size_t i = 0; i < c.args.size(); ++i) {
        UnwrapParens(c.args[i]);
        Helper h = Preprocess(c.args[i], start, end);
        wrap[i] = h.wrap;
        invariant = invariant && h.invariant;
      }
      if (invariant) return {true, true};
      for (size_t i = 0; i < c.args.size(); ++i) {
        if (wrap[i]) c.args[i] = WrapStepInvariant(std::move(c.args[i]));
      }
      return {false, false};
    }
    case NodeKind::kMatrixSelector: {
      Helper h = Preprocess(As<MatrixSelector>(*e).vector_selector, start, end);
      return {h.invariant, false};
    }
    case NodeKind::kSubquery: {
      auto& sq = As<SubqueryExpr>(*e);
      Helper h = Preprocess(sq.expr, start, end);
      if (h.invariant) sq.expr = WrapStepInvariant(std::move(sq.expr));
      if (sq.start_or_end == AtPreprocessor::kStart) sq.timestamp = start;
      if (sq.start_or_end == AtPreprocessor::kEnd) sq.timestamp = end;
      return {sq.timestamp.has_value(), sq.timestamp.has_value()};
    }
    case NodeKind::kParen: return Preprocess(As<ParenExpr>(*e).expr, start, end);
    case NodeKind::kUnary: return Preprocess(As<UnaryExpr>(*e).expr, start, end);
    case NodeKind::kNumberLiteral:
    case NodeKind::kStringLiteral:
      return {true, false};
    case NodeKind::kStepInvariant: return {true, false};
  }
  return {false, false};
}

// Sum of the offsets and ranges of the subqueries on `path`; an @ on a
// subquery resets the sums and fixes the time.
void SubqueryTimes(const std::vector<Expr*>& path, int64_t* offset, int64_t* range, std::optional<int64_t>* ts) {
  *offset = 0;
  *range = 0;
  ts->reset();
  for (Expr* n : path) {
    if (n->kind != NodeKind::kSubquery) continue;
    const auto& sq = As<SubqueryExpr>(*n);
    *offset += sq.original_offset_ms;
    *range += sq.range_ms;
    if (sq.timestamp) {
      *offset = sq.original_offset_ms;
      *range = sq.range_ms;
      *ts = sq.timestamp;
    }
  }
}

}  // namespace

void PreprocessExpr(ExprPtr& expr, int64_t start, int64_t end) {
  Helper h = Preprocess(expr, start, end);
  if (h.wrap) expr = WrapStepInvariant(std::move(expr));
}

void SetOffsetForAtModifier(int64_t eval_time, Expr& expr) {
  auto offset_for = [&](const std::optional<int64_t>& ts, int64_t original, const std::vector<Expr*>& path) {
    if (!ts) return original;
    int64_t subq_offset, subq_range;
    std::optional<int64_t> subq_ts;
    SubqueryTimes(path, &subq_offset, &subq_range, &subq_ts);
    if (subq_ts) subq_offset += eval_time - *subq_ts;
    return original + (eval_time - *ts) - subq_offset;
  };
  Inspect(expr, [&](Expr& n, const std::vector<Expr*>& path) {
    switch (n.kind) {
      case NodeKind::kVectorSelector: {
        auto& vs = As<VectorSelector>(n);
        vs.offset_ms = offset_for(vs.timestamp, vs.original_offset_ms, path);
        break;
      }
      case NodeKind::kSubquery: {
        auto& sq = As<SubqueryExpr>(n);
        sq.offset_ms = offset_for(sq.timestamp, sq.original_offset_ms, path);
        break;
      }
      default: break;
    }
  });
}

void ComputeSelectorRanges(Expr& expr, int64_t start, int64_t end, int64_t lookback_ms, QueryContext& ctx,
                           int64_t* mint, int64_t* maxt) {
  *mint = std::numeric_limits<int64_t>::max();
  *maxt = std::numeric_limits<int64_t>::min();
  Inspect(expr, [&](Expr& n, const std::vector<Expr*>& path) {
    if (n.kind != NodeKind::kVectorSelector) return;
    const auto& vs = As<VectorSelector>(n);
    int64_t range = 0;
    if (!path.empty() && path.back()->kind == NodeKind::kMatrixSelector) range = As<MatrixSelector>(*path.back()).range_ms;
    int64_t s = start, e = end;
    int64_t subq_offset, subq_range;
    std::optional<int64_t> subq_ts;
    SubqueryTimes(path, &subq_offset, &subq_range, &subq_ts);
    if (subq_ts) s = e = *subq_ts;
    if (vs.timestamp) {
      s = e = *vs.timestamp;
    } else {
      s = s - subq_offset - subq_range;
      e -= subq_offset;
    }
    if (range == 0) {
      s -= lookback_ms - 1;
    } else {
      s -= range - 1;
    }
    s -= vs.original_offset_ms;
    e -= vs.original_offset_ms;
    SelectorData& d = ctx.selectors[&vs];
    d.mint = s;
    d.maxt = e;
    d.in_matrix = range != 0;
    *mint = std::min(*mint, s);
    *maxt = std::max(*maxt, e);
  });
  if (*maxt == std::numeric_limits<int64_t>::min()) *mint = *maxt = 0;
}

}  // namespace kubescrape::promql::internal
