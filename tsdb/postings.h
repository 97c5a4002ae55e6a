#pragma once
// Postings: for every label pair name=value, the sorted list of the series
// references that carry it, plus the list of all series (Prometheus's
// MemPostings). Selecting series is set algebra over these lists:
// ForMatchers() implements Prometheus's PostingsForMatchers.
//
// The name and value views given to Add() become keys when the pair is new,
// so they must stay valid until the pair's list empties: the head passes
// interned symbols, one storage shared by every series with the pair.
//
// Thread-safety: thread-safe (a reader-writer lock); visitor callbacks run
// under the read lock and must not call back into this object's writers.

#include <cstdint>
#include <shared_mutex>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/labels.h"
#include "model/matcher.h"
#include "tsdb/storage.h"

namespace kubescrape::tsdb {

// Sorted-list algebra (inputs sorted ascending, without duplicates).
std::vector<SeriesRef> IntersectPostings(std::vector<std::span<const SeriesRef>> lists);
std::vector<SeriesRef> MergePostings(std::vector<std::span<const SeriesRef>> lists);
std::vector<SeriesRef> WithoutPostings(std::span<const SeriesRef> a, std::span<const SeriesRef> b);

class MemPostings {
 public:
  using List = std::vector<SeriesRef>;
  using ValueMap = std::unordered_map<std::string_view, List>;

  // Adds `ref` to the list of each pair and to the all-series list. Refs
  // are expected in increasing order (appended in O(1)); others are inserted.
  void Add(SeriesRef ref, std::span<const model::Label> labels);

  // Removes `refs` (sorted) from the lists of the pairs in `affected` (the
  // union of the removed series' labels) and from the all-series list;
  // drops lists left empty.
  void Delete(std::span<const SeriesRef> refs, std::span<const model::Label> affected);

  // The series whose labels satisfy every matcher (an absent label has the
  // value ""), sorted. No matchers: all series.
  std::vector<SeriesRef> ForMatchers(std::span<const model::Matcher> matchers) const;

  // Calls f(name, const ValueMap&) for every label name, unordered.
  template <typename F>
  void ForEachName(F&& f) const {
    std::shared_lock lock(mu_);
    for (const auto& [name, values] : names_) f(name, values);
  }
  // Calls f(value, const List&) for every value of `name`, unordered.
  template <typename F>
  void ForEachValue(std::string_view name, F&& f) const {
    std::shared_lock lock(mu_);
    auto it = names_.find(name);
    if (it == names_.end()) return;
    for (const auto& [value, list] : it->second) f(value, list);
  }

  size_t NumSeries() const;
  // Bytes held by the lists and maps (an estimate).
  size_t MemoryBytes() const;

 private:
  // Lists of the values of m.name() that m matches (or, `negate`, does not).
  std::vector<std::span<const SeriesRef>> ListsForValues(const model::Matcher& m, bool negate) const;

  mutable std::shared_mutex mu_;
  std::unordered_map<std::string_view, ValueMap> names_;  // guarded by mu_
  List all_;                                              // guarded by mu_
};

}  // namespace kubescrape::tsdb
