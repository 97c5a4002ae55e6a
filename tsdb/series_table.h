#pragma once
// SeriesTable: an open-addressing hash table (linear probing, backward-shift
// deletion) of MemSeries pointers by a 64-bit key, one per head stripe.
// Equal keys may repeat (label hash collisions). Two layouts:
//   ByRef   slots hold the key: the append fast path probes without
//           touching series it does not want (16 bytes a slot);
//   ByHash  slots hold only the pointer and read the key from the series
//           (8 bytes a slot; lookups by labels are the slow path).
//
// Thread-safety: none; each table is guarded by its stripe's lock.

#include <atomic>
#include <cstdint>
#include <memory>
#include <type_traits>

#include "tsdb/head_series.h"
#include "tsdb/spin_lock.h"

namespace kubescrape::tsdb {

struct ByRef {
  static constexpr bool kInlineKey = true;
  static uint64_t Key(const MemSeries* s) { return s->ref; }
};
struct ByHash {
  static constexpr bool kInlineKey = false;
  static uint64_t Key(const MemSeries* s) { return s->hash; }
};

template <typename Policy>
class SeriesTable {
 public:
  SeriesTable() = default;
  SeriesTable(const SeriesTable&) = delete;
  SeriesTable& operator=(const SeriesTable&) = delete;

  // The first series with `key` for which pred(series) holds, or null.
  template <typename Pred>
  MemSeries* Find(uint64_t key, Pred pred) const {
    if (size_ == 0) return nullptr;
    for (uint32_t i = Home(key);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.series == nullptr) return nullptr;
      if (KeyOf(s) == key && pred(s.series)) return s.series;
    }
  }

  void Insert(MemSeries* series) {
    if (slots_ == nullptr) {
      Resize(8);
    } else if ((size_ + 1) * 4 > (mask_ + 1) * 3) {
      Resize((mask_ + 1) * 2);
    }
    Place(MakeSlot(series));
    ++size_;
  }

  // Removes `series`; false when absent.
  bool Erase(const MemSeries* series) {
    if (size_ == 0) return false;
    uint32_t i = Home(Policy::Key(series));
    while (slots_[i].series != series) {
      if (slots_[i].series == nullptr) return false;
      i = (i + 1) & mask_;
    }
    // Backward shift: move later entries of the probe run into the hole
    // unless their home lies cyclically in (hole, j].
    uint32_t hole = i;
    for (uint32_t j = (i + 1) & mask_; slots_[j].series != nullptr; j = (j + 1) & mask_) {
      const uint32_t home = Home(KeyOf(slots_[j]));
      const bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
      if (stays) continue;
      slots_[hole] = slots_[j];
      hole = j;
    }
    slots_[hole] = Slot{};
    --size_;
    if (mask_ + 1 > 8 && size_ * 8 < mask_ + 1) Resize((mask_ + 1) / 2);
    return true;
  }

  // Hints the CPU to fetch the slot a lookup of `key` probes first. Needs no
  // lock: it reads a relaxed copy of the table's address and size, and a
  // stale copy only wastes the hint (prefetching never faults).
  void PrefetchHome(uint64_t key) const {
    const uintptr_t base = hint_slots_.load(std::memory_order_relaxed);
    if (base == 0) return;
    const uint32_t home = HomeIn(key, hint_mask_.load(std::memory_order_relaxed));
    __builtin_prefetch(reinterpret_cast<const void*>(base + uintptr_t{home} * sizeof(Slot)));
  }

  template <typename F>
  void ForEach(F&& f) const {
    for (uint32_t i = 0; size_ > 0 && i <= mask_; ++i) {
      if (slots_[i].series != nullptr) f(slots_[i].series);
    }
  }
  size_t size() const { return size_; }
  size_t MemoryBytes() const { return slots_ ? (size_t{mask_} + 1) * sizeof(Slot) : 0; }

 private:
  struct KeyedSlot {
    uint64_t key = 0;
    MemSeries* series = nullptr;
  };
  struct PlainSlot {
    MemSeries* series = nullptr;
  };
  using Slot = std::conditional_t<Policy::kInlineKey, KeyedSlot, PlainSlot>;

  static uint64_t KeyOf(const Slot& s) {
    if constexpr (Policy::kInlineKey) {
      return s.key;
    } else {
      return Policy::Key(s.series);
    }
  }
  static Slot MakeSlot(MemSeries* series) {
    if constexpr (Policy::kInlineKey) {
      return Slot{Policy::Key(series), series};
    } else {
      return Slot{series};
    }
  }
  static uint32_t HomeIn(uint64_t key, uint32_t mask) {
    return static_cast<uint32_t>((key * 0x9E3779B97F4A7C15ull) >> 32) & mask;
  }
  uint32_t Home(uint64_t key) const { return HomeIn(key, mask_); }
  void Place(const Slot& slot) {
    uint32_t i = Home(KeyOf(slot));
    while (slots_[i].series != nullptr) i = (i + 1) & mask_;
    slots_[i] = slot;
  }
  void Resize(uint32_t capacity) {
    std::unique_ptr<Slot[]> old = std::move(slots_);
    const uint32_t old_cap = old ? mask_ + 1 : 0;
    slots_.reset(new Slot[capacity]());
    mask_ = capacity - 1;
    hint_slots_.store(reinterpret_cast<uintptr_t>(slots_.get()), std::memory_order_relaxed);
    hint_mask_.store(mask_, std::memory_order_relaxed);
    for (uint32_t i = 0; i < old_cap; ++i) {
      if (old[i].series != nullptr) Place(old[i]);
    }
  }

  std::unique_ptr<Slot[]> slots_;
  uint32_t mask_ = 0;
  uint32_t size_ = 0;
  // Copies of slots_ and mask_ for PrefetchHome, which runs without the lock.
  std::atomic<uintptr_t> hint_slots_{0};
  std::atomic<uint32_t> hint_mask_{0};
};

// One stripe of the head's series tables.
struct alignas(64) RefStripe {
  SpinLock mu;
  SeriesTable<ByRef> table;  // guarded by mu
};
struct alignas(64) HashStripe {
  SpinLock mu;
  SeriesTable<ByHash> table;  // guarded by mu
};

}  // namespace kubescrape::tsdb
