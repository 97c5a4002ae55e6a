#pragma once
// SymbolTable: the head's interned label strings. Each distinct name or
// value is stored once with a reference count; a series holds 32-bit ids
// instead of strings, so the instance, job and pod values shared by
// thousands of series cost 4 bytes per series each.
//
// Ids are reused after their string is released. Get() reads without a
// lock: callers may only pass ids they (or a series they keep alive) hold a
// reference on.
//
// Thread-safety: thread-safe. Intern/Release/Find serialise on a mutex;
// Get() is lock-free.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/labels.h"

namespace kubescrape::tsdb {

class SymbolTable {
 public:
  using Id = uint32_t;

  SymbolTable();
  ~SymbolTable();
  SymbolTable(const SymbolTable&) = delete;
  SymbolTable& operator=(const SymbolTable&) = delete;

  // Interns every name and value of `labels` (one reference each), writing
  // 2 * labels.size() ids to `out` in label order: name0, value0, name1, ...
  // REQUIRES: out.size() == 2 * labels.size().
  void InternLabels(const model::Labels& labels, std::span<Id> out);

  // Drops one reference on each id; a string whose count reaches zero is
  // freed and its id may be reused.
  void Release(std::span<const Id> ids);

  // The string of `id`, valid while a reference on it is held.
  std::string_view Get(Id id) const {
    const Entry& e = segments_[id >> kSegmentBits].load(std::memory_order_acquire)[id & kSegmentMask];
    return {e.data, e.size};
  }

  // Number of live strings and the bytes they take (strings, table, index).
  size_t size() const;
  size_t MemoryBytes() const;

 private:
  struct Entry {
    const char* data = nullptr;
    uint32_t size = 0;
    uint32_t refs = 0;
  };
  static constexpr int kSegmentBits = 12;
  static constexpr uint32_t kSegmentMask = (1u << kSegmentBits) - 1;
  static constexpr size_t kMaxSegments = size_t{1} << 16;  // 2^28 live strings

  Id InternLocked(std::string_view s);
  Entry& At(Id id) { return segments_[id >> kSegmentBits].load(std::memory_order_relaxed)[id & kSegmentMask]; }

  mutable std::mutex mu_;
  // Segment pointers are published once and never move; entries change only
  // under mu_ and only for ids no reader holds.
  std::unique_ptr<std::atomic<Entry*>[]> segments_;
  size_t num_segments_ = 0;                           // guarded by mu_
  Id next_id_ = 0;                                    // guarded by mu_
  std::vector<Id> free_ids_;                          // guarded by mu_
  std::unordered_map<std::string_view, Id> index_;    // guarded by mu_; keys point at entry data
  size_t string_bytes_ = 0;                           // guarded by mu_
};

}  // namespace kubescrape::tsdb
