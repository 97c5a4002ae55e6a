// Reading series from the storage and evaluating selectors.
#include "model/value.h"
#include "promql/evaluator.h"

namespace kubescrape::promql::internal {

util::StatusOr<SelectorData*> Evaluator::Load(const VectorSelector& vs) {
  auto it = ctx_.selectors.find(&vs);
  if (it == ctx_.selectors.end()) return util::InternalError("selector without a time range");
  SelectorData& d = it->second;
  if (d.loaded) return &d;
  d.loaded = true;
  if (ctx_.querier == nullptr) return &d;
  std::unique_ptr<tsdb::SeriesSet> set = ctx_.querier->Select(vs.matchers);
  while (set->Next()) {
    KS_RETURN_IF_ERROR(ctx_.CheckInterrupt());
    Series s;
    s.metric = set->labels();
    std::unique_ptr<tsdb::SampleIterator> it2 = set->Samples();
    bool ok = it2->Seek(d.mint);
    while (ok && it2->t() <= d.maxt) {
      double v = it2->v();
      if (!d.in_matrix || !model::IsStaleNaN(v)) s.floats.push_back({it2->t(), v});
      ok = it2->Next();
    }
    KS_RETURN_IF_ERROR(it2->status());
    if (!s.floats.empty()) d.series.push_back(std::move(s));
  }
  KS_RETURN_IF_ERROR(set->status());
  return &d;
}

util::StatusOr<Matrix> Evaluator::EvalVectorSelector(const VectorSelector& vs) {
  KS_ASSIGN_OR_RETURN(SelectorData * d, Load(vs));
  Matrix out;
  out.reserve(d->series.size());
  const int64_t lookback = ctx_.lookback_ms;
  const size_t steps = static_cast<size_t>(NumSteps());
  for (const Series& s : d->series) {
    KS_RETURN_IF_ERROR(ctx_.CheckInterrupt());
    Series r;
    const std::vector<FPoint>& pts = s.floats;
    size_t i = 0;  // first point with t > ref
    int step = -1;
    for (int64_t ts = start_; ts <= end_; ts += interval_) {
      ++step;
      const int64_t ref = ts - vs.offset_ms;
      while (i < pts.size() && pts[i].t <= ref) ++i;
      if (i == 0) continue;
      const FPoint& p = pts[i - 1];
      if (p.t <= ref - lookback || model::IsStaleNaN(p.f)) continue;
      if (r.floats.empty()) r.floats.reserve(steps);
      r.floats.push_back({ts, p.f});
      AddSamplesAtStep(step, 1);
      if (++ctx_.current_samples > ctx_.max_samples) return ctx_.TooManySamples();
    }
    ctx_.UpdatePeak(ctx_.current_samples);
    if (!r.floats.empty()) {
      r.metric = s.metric;
      out.push_back(std::move(r));
    }
  }
  return out;
}

util::StatusOr<Matrix> Evaluator::EvalMatrixSelector(const MatrixSelector& ms) {
  const VectorSelector& vs = ms.vs();
  KS_ASSIGN_OR_RETURN(SelectorData * d, Load(vs));
  const int64_t maxt = start_ - vs.offset_ms;
  const int64_t mint = maxt - ms.range_ms;
  Matrix out;
  for (const Series& s : d->series) {
    Series r;
    r.metric = s.metric;
    for (const FPoint& p : s.floats) {
      if (p.t > mint && p.t <= maxt) r.floats.push_back(p);
    }
    AddSamplesAtStep(0, static_cast<int64_t>(r.floats.size()));
    if (!r.floats.empty()) out.push_back(std::move(r));
  }
  return out;
}

util::StatusOr<Matrix> Evaluator::EvalTimestampOfSelector(const Call& call, const VectorSelector& vs) {
  (void)call;
  KS_ASSIGN_OR_RETURN(SelectorData * d, Load(vs));
  Matrix out;
  const int64_t lookback = ctx_.lookback_ms;
  for (const Series& s : d->series) {
    Series r;
    const std::vector<FPoint>& pts = s.floats;
    size_t i = 0;
    int step = -1;
    for (int64_t ts = start_; ts <= end_; ts += interval_) {
      ++step;
      // With @, the selector looks at the fixed time on every step.
      const int64_t ref = vs.timestamp ? *vs.timestamp : ts - vs.offset_ms;
      if (vs.timestamp) i = 0;
      while (i < pts.size() && pts[i].t <= ref) ++i;
      if (i == 0) continue;
      const FPoint& p = pts[i - 1];
      if (p.t <= ref - lookback || model::IsStaleNaN(p.f)) continue;
      r.floats.push_back({ts, static_cast<double>(p.t) / 1000.0});
      AddSamplesAtStep(step, 1);
      if (++ctx_.current_samples > ctx_.max_samples) return ctx_.TooManySamples();
    }
    if (r.floats.empty()) continue;
    r.metric = delayed() ? s.metric : DropMetricName(s.metric);
    r.drop_name = true;
    out.push_back(std::move(r));
  }
  if (!delayed()) return MergeSeriesWithSameLabelset(std::move(out));
  return out;
}

}  // namespace kubescrape::promql::internal
