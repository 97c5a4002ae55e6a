#pragma once
// LabelsBuilder: a mutable view over a base Labels, used by relabeling and
// target building, with the exact semantics of Prometheus's labels.Builder:
//
//  - Set(name, "") deletes; Get of an absent name returns "".
//  - Range() visits a snapshot taken when it starts: the base labels that were
//    not deleted or overridden, in name order, then the added labels in the
//    order they were first added. Changes made by the callback are not
//    revisited (relabel's labelmap depends on this order).
//  - Build() returns the sorted result.
//
// Strings passed to Set() are copied into an internal arena, so callers may
// pass temporaries. Reset() reuses all memory: a steady-state caller does not
// allocate.
//
// Lifetime: the base Labels passed to the constructor or Reset() must outlive
// the builder's use of it (until the next Reset or destruction). Views
// returned by Get() are valid until the next Reset().
//
// Thread-safety: none; one owner at a time.

#include <string_view>
#include <vector>

#include "model/labels.h"
#include "util/arena.h"

namespace kubescrape::model {

class LabelsBuilder {
 public:
  LabelsBuilder() = default;
  explicit LabelsBuilder(const Labels& base) { Reset(base); }
  LabelsBuilder(const LabelsBuilder&) = delete;
  LabelsBuilder& operator=(const LabelsBuilder&) = delete;

  // Starts over from `base`. REQUIRES: `base` outlives this use.
  void Reset(const Labels& base);

  // The current value of `name`, "" when absent.
  std::string_view Get(std::string_view name) const;

  // Sets `name` to `value`; an empty value deletes the label.
  void Set(std::string_view name, std::string_view value);

  // Deletes `name` (a no-op when absent).
  void Del(std::string_view name);

  // Calls f(Label) for each label of a snapshot (see the class comment). `f`
  // may call Set() and Del(). Not reentrant: `f` must not call Range().
  template <typename F>
  void Range(F&& f);

  // The current label set, sorted.
  Labels Build() const;

  // Number of labels currently present.
  size_t size() const;

 private:
  struct BaseEntry {
    Label label;
    bool shadowed;  // deleted or overridden since Reset(); never cleared
  };

  // Index of `name` in base_, or -1.
  int FindBase(std::string_view name) const;
  // Index of `name` in add_, or -1.
  int FindAdd(std::string_view name) const;

  std::vector<BaseEntry> base_;  // sorted by name
  std::vector<Label> add_;       // insertion order; names and values in arena_
  std::vector<Label> snapshot_;  // scratch for Range()
  mutable std::vector<Label> merge_scratch_;  // scratch for Build()
  util::Arena arena_;
};

template <typename F>
void LabelsBuilder::Range(F&& f) {
  snapshot_.clear();
  for (const BaseEntry& e : base_) {
    if (!e.shadowed) snapshot_.push_back(e.label);
  }
  snapshot_.insert(snapshot_.end(), add_.begin(), add_.end());
  // Index-based: f may not call Range, so snapshot_ is stable during the loop.
  for (size_t i = 0; i < snapshot_.size(); ++i) f(snapshot_[i]);
}

}  // namespace kubescrape::model
