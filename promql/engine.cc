#include "promql/engine.h"

#include <chrono>

#include <fmt/format.h>

#include "model/label_names.h"
#include "promql/evaluator.h"

namespace kubescrape::promql {
namespace {

const StringLiteral* TopLevelString(const Expr& e) {
  const Expr* cur = &e;
  while (cur->kind == NodeKind::kParen || cur->kind == NodeKind::kStepInvariant) {
    cur = cur->kind == NodeKind::kParen ? As<ParenExpr>(*cur).expr.get() : As<StepInvariantExpr>(*cur).expr.get();
  }
  return cur->kind == NodeKind::kStringLiteral ? &As<StringLiteral>(*cur) : nullptr;
}

// Drops __name__ from series marked for it and checks the result for
// duplicate label sets (Prometheus's cleanupMetricLabels).
util::StatusOr<Matrix> CleanupMetricLabels(internal::Evaluator& ev, Matrix m) {
  for (Series& s : m) {
    if (s.drop_name) s.metric = internal::DropMetricName(s.metric);
  }
  return ev.MergeSeriesWithSameLabelset(std::move(m));
}

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Fills the stats of `result` from the evaluation's counters and timers.
void FinishStats(Result& result, const internal::QueryContext& ctx, const internal::StepSamples& samples,
                 int64_t start, int64_t interval, std::chrono::steady_clock::time_point eval_start) {
  QuerySampleStats& s = result.stats.samples;
  s.total_queryable_samples = samples.total;
  s.peak_samples = ctx.peak_samples;
  s.per_step.clear();
  for (size_t i = 0; i < samples.per_step.size(); ++i) {
    s.per_step.emplace_back(start + static_cast<int64_t>(i) * interval, samples.per_step[i]);
  }
  result.stats.timings.eval_total = SecondsSince(eval_start);
}

}  // namespace

Result Engine::InstantQuery(tsdb::Storage& storage, std::string_view query, int64_t time_ms,
                            const QueryOptions& options) const {
  return Exec(storage, query, time_ms, time_ms, 0, true, options);
}

Result Engine::RangeQuery(tsdb::Storage& storage, std::string_view query, int64_t start_ms, int64_t end_ms,
                          int64_t step_ms, const QueryOptions& options) const {
  return Exec(storage, query, start_ms, end_ms, step_ms, false, options);
}

Result Engine::Exec(tsdb::Storage& storage, std::string_view query, int64_t start, int64_t end, int64_t step,
                    bool instant, const QueryOptions& options) const {
  Result result;
  auto parsed = ParseExpr(query, options_.parse);
  if (!parsed.ok()) {
    result.status = parsed.status();
    return result;
  }
  ExprPtr expr = std::move(*parsed);
  const ValueType type = expr->Type();
  if (!instant && type != ValueType::kVector && type != ValueType::kScalar) {
    result.status = util::InvalidArgumentError(fmt::format(
        "invalid expression type \"{}\" for range query, must be Scalar or instant Vector", DocumentedType(type)));
    return result;
  }
  // Prometheus's timers: EvalTotalTime covers preparation, the inner
  // evaluation and sorting; parsing comes before.
  const auto eval_start = std::chrono::steady_clock::now();
  result.stats.executed = true;
  internal::PreprocessExpr(expr, start, end);

  internal::QueryContext ctx;
  ctx.query = query;
  ctx.lookback_ms = options.lookback_delta_ms > 0 ? options.lookback_delta_ms : options_.lookback_delta_ms;
  ctx.max_samples = options_.max_samples;
  ctx.no_step_subquery_ms = options_.no_step_subquery_interval_ms;
  ctx.delayed_name_removal = options_.delayed_name_removal;
  ctx.query_start = start;
  ctx.query_end = end;
  ctx.query_step = step;
  ctx.clock = options_.clock;
  // The query's own timeout can only shorten the engine's (Prometheus: a
  // context deadline inside the engine's timeout).
  int64_t timeout_ms = options_.timeout_ms;
  if (options.timeout_ms > 0 && (timeout_ms <= 0 || options.timeout_ms < timeout_ms)) timeout_ms = options.timeout_ms;
  ctx.deadline_ms = options_.clock != nullptr && timeout_ms > 0 ? options_.clock->NowMillis() + timeout_ms : 0;
  ctx.cancel = options.cancel;

  int64_t mint, maxt;
  internal::ComputeSelectorRanges(*expr, start, end, ctx.lookback_ms, ctx, &mint, &maxt);
  std::unique_ptr<tsdb::Querier> querier;
  if (!ctx.selectors.empty()) {
    auto q = storage.NewQuerier(mint, maxt);
    if (!q.ok()) {
      result.status = q.status();
      return result;
    }
    querier = std::move(*q);
    ctx.querier = querier.get();
  }
  internal::SetOffsetForAtModifier(start, *expr);
  result.stats.timings.query_preparation = SecondsSince(eval_start);

  const int64_t interval = instant ? 1 : step;
  internal::StepSamples samples;
  if (options.per_step_stats) samples.per_step.assign(static_cast<size_t>((end - start) / interval) + 1, 0);
  internal::Evaluator ev(ctx, start, end, interval, samples);
  if (const StringLiteral* s = TopLevelString(*expr)) {
    result.value = String{start, s->val};
    FinishStats(result, ctx, samples, start, interval, eval_start);
    return result;
  }
  const auto inner_start = std::chrono::steady_clock::now();
  auto evaluated = ev.Eval(*expr);
  if (evaluated.ok() && ctx.delayed_name_removal) evaluated = CleanupMetricLabels(ev, std::move(*evaluated));
  result.stats.timings.inner_eval = SecondsSince(inner_start);
  result.annotations = std::move(ctx.annotations);
  if (!evaluated.ok()) {
    result.status = evaluated.status();
    FinishStats(result, ctx, samples, start, interval, eval_start);
    return result;
  }
  Matrix m = std::move(*evaluated);
  if (!instant) {
    const auto sort_start = std::chrono::steady_clock::now();
    SortByLabels(m);
    result.stats.timings.result_sort = SecondsSince(sort_start);
    result.value = std::move(m);
    FinishStats(result, ctx, samples, start, interval, eval_start);
    return result;
  }
  switch (type) {
    case ValueType::kVector: {
      Vector v;
      v.reserve(m.size());
      for (Series& s : m) v.push_back(Sample{std::move(s.metric), start, s.floats[0].f});
      result.value = std::move(v);
      break;
    }
    case ValueType::kScalar:
      result.value = Scalar{start, m.empty() || m[0].floats.empty() ? 0 : m[0].floats[0].f};
      break;
    default:
      SortByLabels(m);
      result.value = std::move(m);
      break;
  }
  FinishStats(result, ctx, samples, start, interval, eval_start);
  return result;
}

}  // namespace kubescrape::promql
