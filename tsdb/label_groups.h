#pragma once
// LabelGroups: walks several label-sorted sets (SeriesSet, ChunkSeriesSet)
// together, as a k-way merge: each Next() yields the indexes of the sets
// whose current series has the smallest labels. The sets of the current
// group are advanced only by the following Next(), so their labels (and
// whatever else they hold for the current series) stay valid until then.
//
// Thread-safety: none; one caller. The sets must outlive the groups.

#include <cstddef>
#include <memory>
#include <vector>

#include "model/labels.h"

namespace kubescrape::tsdb {

template <typename Set>
class LabelGroups {
 public:
  explicit LabelGroups(const std::vector<std::unique_ptr<Set>>& sets) : sets_(sets), valid_(sets.size(), false) {}

  bool Next() {
    if (!started_) {
      started_ = true;
      for (size_t i = 0; i < sets_.size(); ++i) valid_[i] = sets_[i]->Next();
    } else {
      for (size_t i : group_) valid_[i] = sets_[i]->Next();
    }
    group_.clear();
    for (size_t i = 0; i < sets_.size(); ++i) {
      if (!valid_[i]) continue;
      if (group_.empty()) {
        group_.push_back(i);
        continue;
      }
      const int c = model::Labels::Compare(sets_[i]->labels(), sets_[group_[0]]->labels());
      if (c < 0) {
        group_.assign(1, i);
      } else if (c == 0) {
        group_.push_back(i);
      }
    }
    return !group_.empty();
  }

  // The sets on the current series, in their order. REQUIRES: Next() was true.
  const std::vector<size_t>& group() const { return group_; }

 private:
  const std::vector<std::unique_ptr<Set>>& sets_;
  std::vector<bool> valid_;
  std::vector<size_t> group_;
  bool started_ = false;
};

}  // namespace kubescrape::tsdb
