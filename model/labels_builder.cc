#include "model/labels_builder.h"

#include <algorithm>

namespace kubescrape::model {

void LabelsBuilder::Reset(const Labels& base) {
  base_.clear();
  add_.clear();
  arena_.Reset();
  for (Label l : base) base_.push_back({l, false});
}

int LabelsBuilder::FindBase(std::string_view name) const {
  auto it = std::lower_bound(base_.begin(), base_.end(), name,
                             [](const BaseEntry& e, std::string_view n) { return e.label.name < n; });
  if (it == base_.end() || it->label.name != name) return -1;
  return static_cast<int>(it - base_.begin());
}

int LabelsBuilder::FindAdd(std::string_view name) const {
  for (size_t i = 0; i < add_.size(); ++i) {
    if (add_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::string_view LabelsBuilder::Get(std::string_view name) const {
  if (int i = FindAdd(name); i >= 0) return add_[i].value;
  int b = FindBase(name);
  if (b >= 0 && !base_[b].shadowed) return base_[b].label.value;
  return {};
}

void LabelsBuilder::Set(std::string_view name, std::string_view value) {
  if (value.empty()) {
    Del(name);
    return;
  }
  if (int i = FindAdd(name); i >= 0) {
    add_[i].value = arena_.Copy(value);
    return;
  }
  // Even an unchanged value becomes an addition, as in Prometheus: it moves
  // the label to the end of Range()'s order.
  if (int b = FindBase(name); b >= 0) base_[b].shadowed = true;
  add_.push_back({arena_.Copy(name), arena_.Copy(value)});
}

void LabelsBuilder::Del(std::string_view name) {
  if (int i = FindAdd(name); i >= 0) add_.erase(add_.begin() + i);
  if (int b = FindBase(name); b >= 0) base_[b].shadowed = true;
}

size_t LabelsBuilder::size() const {
  size_t n = add_.size();
  for (const BaseEntry& e : base_) n += e.shadowed ? 0 : 1;
  return n;
}

Labels LabelsBuilder::Build() const {
  merge_scratch_.clear();
  merge_scratch_.reserve(base_.size() + add_.size());
  for (const BaseEntry& e : base_) {
    if (!e.shadowed) merge_scratch_.push_back(e.label);
  }
  if (!add_.empty()) {
    size_t mid = merge_scratch_.size();
    merge_scratch_.insert(merge_scratch_.end(), add_.begin(), add_.end());
    auto by_name = [](const Label& a, const Label& b) { return a.name < b.name; };
    std::sort(merge_scratch_.begin() + static_cast<std::ptrdiff_t>(mid), merge_scratch_.end(), by_name);
    std::inplace_merge(merge_scratch_.begin(), merge_scratch_.begin() + static_cast<std::ptrdiff_t>(mid),
                       merge_scratch_.end(), by_name);
  }
  return Labels::FromSorted(merge_scratch_);
}

}  // namespace kubescrape::model
