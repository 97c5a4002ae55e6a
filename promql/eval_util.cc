// Label helpers and the shared query context of the evaluator.
#include <algorithm>
#include <unordered_set>

#include "model/label_names.h"
#include "promql/evaluator.h"

namespace kubescrape::promql::internal {
namespace {

bool IsMetadataLabel(std::string_view name) {
  return name == model::kMetricName || name == "__type__" || name == "__unit__";
}

bool Contains(std::span<const std::string> names, std::string_view n) {
  return std::find(names.begin(), names.end(), n) != names.end();
}

}  // namespace

const model::Labels& EmptyLabels() {
  static const model::Labels* empty = new model::Labels();
  return *empty;
}

model::Labels DropMetricName(const model::Labels& l) {
  bool any = false;
  for (const model::Label& x : l) {
    if (IsMetadataLabel(x.name)) {
      any = true;
      break;
    }
  }
  if (!any) return l;
  std::vector<model::Label> kept;
  kept.reserve(l.size());
  for (const model::Label& x : l) {
    if (!IsMetadataLabel(x.name)) kept.push_back(x);
  }
  return model::Labels::FromSorted(kept);
}

model::Labels KeepLabels(const model::Labels& l, std::span<const std::string> names) {
  std::vector<model::Label> kept;
  for (const model::Label& x : l) {
    if (Contains(names, x.name)) kept.push_back(x);
  }
  return model::Labels::FromSorted(kept);
}

model::Labels DropLabels(const model::Labels& l, std::span<const std::string> names, bool drop_name) {
  std::vector<model::Label> kept;
  for (const model::Label& x : l) {
    if (Contains(names, x.name) || (drop_name && x.name == model::kMetricName)) continue;
    kept.push_back(x);
  }
  return model::Labels::FromSorted(kept);
}

model::Labels SetLabel(const model::Labels& l, std::string_view name, std::string_view value) {
  std::vector<model::Label> out;
  out.reserve(l.size() + 1);
  bool done = false;
  for (const model::Label& x : l) {
    if (!done && x.name >= name) {
      if (!value.empty()) out.push_back({name, value});
      done = true;
      if (x.name == name) continue;
    }
    out.push_back(x);
  }
  if (!done && !value.empty()) out.push_back({name, value});
  return model::Labels::FromSorted(out);
}

bool ContainsSameLabelset(const StepVector& v) {
  if (v.size() <= 1) return false;
  if (v.size() == 2) return *v[0].metric == *v[1].metric;
  std::unordered_set<model::Labels, model::LabelsHash> seen;
  for (const VecElem& e : v) {
    if (!seen.insert(*e.metric).second) return true;
  }
  return false;
}

bool ContainsSameLabelset(const Matrix& m) {
  if (m.size() <= 1) return false;
  std::unordered_set<model::Labels, model::LabelsHash> seen;
  for (const Series& s : m) {
    if (!seen.insert(s.metric).second) return true;
  }
  return false;
}

const model::Labels* EvalNodeHelper::WithoutName(const model::Labels* metric) {
  auto it = without_name.find(metric);
  if (it != without_name.end()) return it->second;
  const model::Labels* out = arena->Add(DropMetricName(*metric));
  without_name.emplace(metric, out);
  return out;
}

util::Status QueryContext::CheckInterrupt() {
  if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
    return util::Status(util::StatusCode::kCancelled, "query was canceled in expression evaluation");
  }
  if ((++interrupt_counter & 63) != 0 || clock == nullptr || deadline_ms == 0) return util::Status::Ok();
  if (clock->NowMillis() > deadline_ms) {
    return util::Status(util::StatusCode::kDeadlineExceeded, "query timed out in expression evaluation");
  }
  return util::Status::Ok();
}

util::Status QueryContext::TooManySamples() const {
  return util::ResourceExhaustedError("query processing would load too many samples into memory in query execution");
}

}  // namespace kubescrape::promql::internal
