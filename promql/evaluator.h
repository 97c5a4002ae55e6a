#pragma once
// The engine's evaluator (internal to promql/). Like Prometheus's, it
// evaluates a node over all steps [start, end] at once: every expression
// becomes a Matrix with at most one point per step, and operators/functions
// are applied step by step over aligned input vectors (RangeEval).
//
// Split by concern: eval_expr.cc (dispatch, RangeEval, literals, unary,
// subqueries), eval_selector.cc (streaming selectors, with
// sample_window.h's readers), eval_call.cc
// (function dispatch, range functions, label_*), binary.cc, aggregate.cc,
// functions_*.cc (function bodies).
//
// Thread-safety: none; one query.

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/labels.h"
#include "promql/annotations.h"
#include "promql/ast.h"
#include "promql/value.h"
#include "tsdb/storage.h"
#include "util/clock.h"
#include "util/status.h"

namespace kubescrape::promql::internal {

// One element of an instant vector during evaluation. `metric` points into
// an input matrix or the node's LabelArena, both alive during RangeEval.
struct VecElem {
  const model::Labels* metric;
  double f;
  int64_t t;
  bool drop_name;
  int32_t sig;  // vector matching signature ordinal (binary operators)
};
using StepVector = std::vector<VecElem>;

// Label sets created while evaluating one node, at stable addresses.
class LabelArena {
 public:
  const model::Labels* Add(model::Labels l) {
    store_.push_back(std::move(l));
    return &store_.back();
  }

 private:
  std::deque<model::Labels> store_;
};

const model::Labels& EmptyLabels();
// The labels without __name__ (and Prometheus's other metadata labels
// __type__ and __unit__).
model::Labels DropMetricName(const model::Labels& l);
// Only the labels named in `names`.
model::Labels KeepLabels(const model::Labels& l, std::span<const std::string> names);
// All labels except those named in `names` (and __name__ when `drop_name`).
model::Labels DropLabels(const model::Labels& l, std::span<const std::string> names, bool drop_name);
// `l` with `name` set to `value` ("" deletes).
model::Labels SetLabel(const model::Labels& l, std::string_view name, std::string_view value);
// True when two entries share a label set.
bool ContainsSameLabelset(const StepVector& v);
bool ContainsSameLabelset(const Matrix& m);

// Per-node state shared by the steps of one RangeEval.
struct EvalNodeHelper {
  int64_t ts = 0;
  StepVector out;
  LabelArena* arena = nullptr;
  bool delayed_name_removal = false;
  int num_sigs = 0;
  // Caches `metric` without __name__ (for functions that drop it when name
  // removal is not delayed).
  const model::Labels* WithoutName(const model::Labels* metric);
  std::unordered_map<const model::Labels*, const model::Labels*> without_name;

  // histogram_quantile & co over classic buckets: per input series, its `le`
  // bound and histogram (group), computed once for all steps.
  struct BucketSeries {
    double upper = 0;
    int group = -1;  // -1: `le` missing or malformed
  };
  std::unordered_map<const model::Labels*, BucketSeries> bucket_series;
  std::unordered_map<std::string, int> bucket_group_index;  // labels without le -> group
  std::vector<const model::Labels*> bucket_group_metric;      // group -> labels without __name__, le
};

// The time range a selector reads (ComputeSelectorRanges); its samples
// are not kept: every evaluation selects again and streams the series.
struct SelectorData {
  int64_t mint = 0;
  int64_t maxt = 0;
  bool in_matrix = false;  // under a range selector: stale markers are dropped
};

// Samples counted against one evaluator's steps (Prometheus's QuerySamples
// TotalSamples / TotalSamplesPerStep); nested evaluators get their own.
struct StepSamples {
  int64_t total = 0;
  std::vector<int64_t> per_step;  // empty: per-step counts not kept
  void Add(int step, int64_t n) {
    total += n;
    if (static_cast<size_t>(step) < per_step.size()) per_step[static_cast<size_t>(step)] += n;
  }
};

// State shared by all evaluators of one query.
struct QueryContext {
  std::string_view query;
  tsdb::Querier* querier = nullptr;
  int64_t lookback_ms = 0;
  int64_t max_samples = 0;
  int64_t no_step_subquery_ms = 60000;
  bool delayed_name_removal = false;
  int64_t query_start = 0, query_end = 0, query_step = 0;
  const util::Clock* clock = nullptr;
  int64_t deadline_ms = 0;
  const std::atomic<bool>* cancel = nullptr;
  uint32_t interrupt_counter = 0;
  int64_t current_samples = 0;
  int64_t peak_samples = 0;  // the largest current_samples seen
  Annotations annotations;
  std::unordered_map<const VectorSelector*, SelectorData> selectors;

  // Timeout or cancellation, checked cheaply (the clock every 64 calls).
  util::Status CheckInterrupt();
  util::Status TooManySamples() const;
  void UpdatePeak(int64_t n) {
    if (n > peak_samples) peak_samples = n;
  }
};

class Evaluator;

// Called once per step with the input vectors; appends to enh.out.
using StepFn = std::function<util::Status(std::span<StepVector> in, EvalNodeHelper& enh)>;

class Evaluator {
 public:
  // `samples` receives the samples counted at this evaluator's steps; it
  // must outlive the evaluator.
  Evaluator(QueryContext& ctx, int64_t start, int64_t end, int64_t interval, StepSamples& samples)
      : ctx_(ctx), start_(start), end_(end), interval_(interval), samples_(&samples) {}

  // Evaluates a non-string expression into a matrix aligned to the steps.
  util::StatusOr<Matrix> Eval(Expr& e);

  QueryContext& ctx() { return ctx_; }
  int64_t start() const { return start_; }
  int64_t end() const { return end_; }
  int64_t interval() const { return interval_; }
  int NumSteps() const { return static_cast<int>((end_ - start_) / interval_) + 1; }
  bool delayed() const { return ctx_.delayed_name_removal; }

  // Evaluates `exprs` (string literals are skipped: functions read them from
  // the AST) and calls fn per step. With `matching`, fills VecElem::sig.
  util::StatusOr<Matrix> RangeEval(const VectorMatching* matching, const StepFn& fn, std::span<Expr* const> exprs);

  // Merges series whose label sets became equal; overlapping points are an
  // error ("vector cannot contain metrics with the same labelset").
  util::StatusOr<Matrix> MergeSeriesWithSameLabelset(Matrix m);

 private:
  util::StatusOr<Matrix> EvalNode(Expr& e);
  util::StatusOr<Matrix> EvalStepInvariant(StepInvariantExpr& e);
  util::StatusOr<Matrix> EvalSubquery(SubqueryExpr& e);
  util::StatusOr<Matrix> EvalUnary(UnaryExpr& e);

  // eval_selector.cc. Selectors are streamed: series by series from the
  // querier, keeping only the current series' window (sample_window.h).
  // The series `vs` selects (an empty set without a querier) and, in
  // `*data`, the time range to read them in.
  util::StatusOr<std::unique_ptr<tsdb::SeriesSet>> Select(const VectorSelector& vs, const SelectorData** data);
  // The selector's value (or with `timestamps`, its sample's timestamp, for
  // timestamp()) at each step, within the lookback delta.
  util::StatusOr<Matrix> EvalInstantSelector(const VectorSelector& vs, bool timestamps);
  util::StatusOr<Matrix> EvalVectorSelector(const VectorSelector& vs);
  util::StatusOr<Matrix> EvalMatrixSelector(const MatrixSelector& ms);
  util::StatusOr<Matrix> EvalTimestampOfSelector(const Call& call, const VectorSelector& vs);

  // eval_call.cc
  util::StatusOr<Matrix> EvalCall(Call& call);
  util::StatusOr<Matrix> EvalRangeFunction(Call& call, size_t matrix_arg);
  util::StatusOr<Matrix> EvalLabelReplace(Call& call);
  util::StatusOr<Matrix> EvalLabelJoin(Call& call);

  // binary.cc
  util::StatusOr<Matrix> EvalBinary(BinaryExpr& e);

  // aggregate.cc
  util::StatusOr<Matrix> EvalAggregate(AggregateExpr& e);
  util::StatusOr<Matrix> EvalCountValues(AggregateExpr& e, std::vector<std::string> grouping);

  // Counts `n` samples at step `step` (0-based) / at the step of time `ts`.
  void AddSamplesAtStep(int step, int64_t n) { samples_->Add(step, n); }
  void AddSamplesAtTime(int64_t ts, int64_t n) { samples_->Add(static_cast<int>((ts - start_) / interval_), n); }

  QueryContext& ctx_;
  const int64_t start_;
  const int64_t end_;
  const int64_t interval_;
  StepSamples* samples_;  // swapped while a range function evaluates a subquery
};

// Prepares a parsed expression for evaluation (Prometheus's PreprocessExpr):
// wraps step-invariant subtrees in StepInvariantExpr, resolves @ start()/end()
// and drops parentheses around function and aggregation arguments.
void PreprocessExpr(ExprPtr& expr, int64_t start, int64_t end);

// Sets the evaluation offsets of selectors and subqueries for the @
// modifier relative to `eval_time` (Prometheus's setOffsetForAtModifier).
void SetOffsetForAtModifier(int64_t eval_time, Expr& expr);

// The time range each selector reads, for the querier (FindMinMaxTime).
void ComputeSelectorRanges(Expr& expr, int64_t start, int64_t end, int64_t lookback_ms, QueryContext& ctx,
                           int64_t* mint, int64_t* maxt);

}  // namespace kubescrape::promql::internal
