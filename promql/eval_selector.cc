// Reading series from the storage and evaluating selectors. Selectors are
// read series by series (streamed): only one series' samples in the
// current window are held at a time, never the whole selection.
#include "model/value.h"
#include "promql/evaluator.h"
#include "promql/sample_window.h"

namespace kubescrape::promql::internal {
namespace {

// What a query without a querier (no selectors at plan time) selects.
class EmptySeriesSet final : public tsdb::SeriesSet {
 public:
  bool Next() override { return false; }
  const model::Labels& labels() const override { return EmptyLabels(); }
  std::unique_ptr<tsdb::SampleIterator> Samples() const override { return nullptr; }
  util::Status status() const override { return util::Status::Ok(); }
};

}  // namespace

util::StatusOr<std::unique_ptr<tsdb::SeriesSet>> Evaluator::Select(const VectorSelector& vs,
                                                                   const SelectorData** data) {
  auto it = ctx_.selectors.find(&vs);
  if (it == ctx_.selectors.end()) return util::InternalError("selector without a time range");
  *data = &it->second;
  if (ctx_.querier == nullptr) return std::unique_ptr<tsdb::SeriesSet>(new EmptySeriesSet());
  return ctx_.querier->Select(vs.matchers);
}

util::StatusOr<Matrix> Evaluator::EvalInstantSelector(const VectorSelector& vs, bool timestamps) {
  const SelectorData* d = nullptr;
  KS_ASSIGN_OR_RETURN(std::unique_ptr<tsdb::SeriesSet> set, Select(vs, &d));
  Matrix out;
  const int64_t lookback = ctx_.lookback_ms;
  const size_t steps = static_cast<size_t>(NumSteps());
  LatestSample latest;
  while (set->Next()) {
    KS_RETURN_IF_ERROR(ctx_.CheckInterrupt());
    latest.Reset(set->Samples(), d->mint, d->maxt);
    Series r;
    int step = -1;
    for (int64_t ts = start_; ts <= end_; ts += interval_) {
      ++step;
      // With @ (timestamp()), the selector looks at the fixed time on every
      // step; otherwise SetOffsetForAtModifier has folded @ into the offset.
      const int64_t ref = timestamps && vs.timestamp ? *vs.timestamp : ts - vs.offset_ms;
      const FPoint* p = latest.At(ref, lookback);
      if (p == nullptr || model::IsStaleNaN(p->f)) continue;
      if (r.floats.empty()) r.floats.reserve(steps);
      r.floats.push_back({ts, timestamps ? static_cast<double>(p->t) / 1000.0 : p->f});
      AddSamplesAtStep(step, 1);
      if (++ctx_.current_samples > ctx_.max_samples) return ctx_.TooManySamples();
    }
    KS_RETURN_IF_ERROR(latest.status());
    latest.Clear();
    if (!timestamps) ctx_.UpdatePeak(ctx_.current_samples);
    if (r.floats.empty()) continue;
    if (timestamps) {
      r.metric = delayed() ? set->labels() : DropMetricName(set->labels());
      r.drop_name = true;
    } else {
      r.metric = set->labels();
    }
    out.push_back(std::move(r));
  }
  KS_RETURN_IF_ERROR(set->status());
  return out;
}

util::StatusOr<Matrix> Evaluator::EvalVectorSelector(const VectorSelector& vs) {
  return EvalInstantSelector(vs, /*timestamps=*/false);
}

util::StatusOr<Matrix> Evaluator::EvalMatrixSelector(const MatrixSelector& ms) {
  const VectorSelector& vs = ms.vs();
  const SelectorData* d = nullptr;
  KS_ASSIGN_OR_RETURN(std::unique_ptr<tsdb::SeriesSet> set, Select(vs, &d));
  const int64_t maxt = start_ - vs.offset_ms;
  const int64_t mint = maxt - ms.range_ms;
  Matrix out;
  SampleWindow window;
  while (set->Next()) {
    KS_RETURN_IF_ERROR(ctx_.CheckInterrupt());
    window.Reset(set->Samples(), d->mint, d->maxt);
    std::span<const FPoint> w = window.Slide(mint, maxt);
    KS_RETURN_IF_ERROR(window.status());
    Series r;
    r.metric = set->labels();
    r.floats.assign(w.begin(), w.end());
    window.Clear();
    AddSamplesAtStep(0, static_cast<int64_t>(r.floats.size()));
    if (!r.floats.empty()) out.push_back(std::move(r));
  }
  KS_RETURN_IF_ERROR(set->status());
  return out;
}

util::StatusOr<Matrix> Evaluator::EvalTimestampOfSelector(const Call& call, const VectorSelector& vs) {
  (void)call;
  KS_ASSIGN_OR_RETURN(Matrix out, EvalInstantSelector(vs, /*timestamps=*/true));
  if (!delayed()) return MergeSeriesWithSameLabelset(std::move(out));
  return out;
}

}  // namespace kubescrape::promql::internal
