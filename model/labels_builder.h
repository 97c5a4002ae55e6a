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

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <utility>
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
  void Range(F&& f) {
    RangeWithPrefix("", std::forward<F>(f));
  }

  // Like Range, but visits only the labels whose name starts with `prefix`
  // (in the same order), finding the base ones by binary search.
  template <typename F>
  void RangeWithPrefix(std::string_view prefix, F&& f);

  // The current label set, sorted.
  Labels Build() const;

  // Number of labels currently present.
  size_t size() const;

 private:
  struct BaseEntry {
    Label label;
    uint32_t offset;  // of the encoded entry in the base payload
    uint32_t size;    // encoded bytes
    bool shadowed;    // deleted or overridden since Reset(); never cleared
  };

  struct AddEntry {
    Label label;    // name and value in arena_
    uint32_t pos;   // where it sorts among base_: the lower bound of its name
  };

  void Shadow(size_t base_index);
  // Lower bound of `name` in base_; sets *found when base_[result] is `name`.
  size_t LowerBound(std::string_view name, bool* found) const;
  // Index of `name` in base_, or -1 (hash index, then a probe or two).
  int FindBase(std::string_view name) const;

  // Index of `name` in add_, or -1.
  int FindAdd(std::string_view name) const;

  const char* base_payload_ = nullptr;
  size_t base_payload_bytes_ = 0;
  size_t shadowed_bytes_ = 0;  // encoded bytes of the shadowed base entries
  size_t shadowed_count_ = 0;
  std::vector<uint32_t> shadowed_;  // base indices shadowed since Reset(), unordered
  std::vector<BaseEntry> base_;  // sorted by name
  // Open-addressing hash index over base_ names: slot -> base index + 1
  // (0 = empty). Sized to a power of two at least twice base_.size().
  std::vector<uint16_t> index_;
  size_t index_mask_ = 0;
  std::vector<AddEntry> add_;    // insertion order
  std::vector<Label> snapshot_;  // scratch for Range()
  mutable std::vector<AddEntry> sorted_adds_;  // scratch for Build()
  mutable std::vector<uint32_t> sorted_shadowed_;  // scratch for Build()
  util::Arena arena_;
};

template <typename F>
void LabelsBuilder::RangeWithPrefix(std::string_view prefix, F&& f) {
  snapshot_.clear();
  bool found;
  for (size_t i = prefix.empty() ? 0 : LowerBound(prefix, &found);
       i < base_.size() && base_[i].label.name.starts_with(prefix); ++i) {
    if (!base_[i].shadowed) snapshot_.push_back(base_[i].label);
  }
  for (const AddEntry& a : add_) {
    if (a.label.name.starts_with(prefix)) snapshot_.push_back(a.label);
  }
  // Index-based: f may not call Range, so snapshot_ is stable during the loop.
  for (size_t i = 0; i < snapshot_.size(); ++i) f(snapshot_[i]);
}

}  // namespace kubescrape::model
