#pragma once
// ScrapeCache: one target's memory between scrapes (Prometheus's scrapeCache).
//
//  - raw series bytes (`name{labels}` exactly as exposed) -> storage
//    reference, so a steady-state scrape never parses labels, runs metric
//    relabeling or hashes a label set. The final labels are not kept (the
//    storage has them): a reference the storage no longer knows sends the
//    series back through the slow path;
//  - raw bytes of series that metric relabeling dropped;
//  - which series the last scrape exposed, for staleness markers.
//
// Targets expose their series in the same order scrape after scrape, so
// Find() first compares the raw bytes with the entry that followed the
// previous hit in the last scrape's order: in the steady state a lookup is
// one memcmp over memory read in sequence, with no hashing: the raw bytes
// live back to back in one arena, in the order they were first seen. A miss
// falls back to the hash index and resynchronises the prediction. About 70
// bytes per series plus the raw bytes.
//
// Iterations: each scrape is one iteration, ended by EndIteration(). A
// series "tracked" in iteration N and not in N+1 is stale at the end of N+1.
// A failed iteration tracks nothing, so every series of the last successful
// one goes stale once. Entries not seen in a successful iteration are
// evicted (series churn must not grow the cache forever).
//
// Thread-safety: none; confined to the target's scrape loop.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tsdb/storage.h"

namespace kubescrape::scraper {

class ScrapeCache {
 public:
  // A cached series. `index` is stable until the entry is evicted.
  struct Entry {
    tsdb::SeriesRef ref = 0;
    uint64_t seen_iter = 0;          // last iteration its raw bytes appeared in
    uint64_t tracked_iter = 0;       // last iteration it counted for staleness
    uint64_t prev_tracked_iter = 0;  // tracked_iter before the current iteration
    uint32_t raw_offset = 0;         // the raw bytes in the arena
    uint32_t raw_size = 0;
    uint32_t hash = 0;               // of the raw bytes (index probes compare it first)
    uint32_t last_pos = kNoPos;      // position in the last scrape's order
    bool live = false;               // false: a free slot
  };
  static constexpr uint32_t kNoPos = UINT32_MAX;

  ScrapeCache() = default;
  ScrapeCache(const ScrapeCache&) = delete;
  ScrapeCache& operator=(const ScrapeCache&) = delete;

  // The entry for raw series bytes, or null. The pointer is valid until the
  // next Add() or EndIteration().
  Entry* Find(std::string_view raw);

  // The ref of the entry the order prediction expects `ahead` lookups
  // after the next one, or 0 (for Appender::Prefetch).
  tsdb::SeriesRef PredictedRef(size_t ahead) const {
    const size_t pos = next_ + ahead;
    return pos < last_order_.size() ? entries_[last_order_[pos]].ref : 0;
  }

  // Adds a series seen for the first time. REQUIRES: Find(raw) == null;
  // raw.size() < 4 GiB.
  Entry* Add(std::string_view raw, tsdb::SeriesRef ref);

  // The raw series bytes of a live entry; valid until the next Add() or
  // EndIteration().
  std::string_view Raw(const Entry& e) const { return std::string_view(arena_.data() + e.raw_offset, e.raw_size); }

  // Whether metric relabeling dropped this raw series before; marks it seen.
  bool IsDropped(std::string_view raw);
  void AddDropped(std::string_view raw);

  // Marks `e` as exposed in the current iteration. Returns false when it
  // already was (the same series twice in one scrape).
  bool MarkSeen(Entry* e) {
    if (e->seen_iter == iter_) return false;
    e->seen_iter = iter_;
    return true;
  }
  // Counts `e` for staleness in the current iteration (series exposed
  // without an explicit timestamp, or with track_timestamps_staleness).
  void Track(Entry* e) {
    if (e->tracked_iter != iter_) {
      e->prev_tracked_iter = e->tracked_iter;
      e->tracked_iter = iter_;
    }
  }

  // Calls `stale(entry)` for every series tracked in the previous iteration
  // and not in this one (all of them when `success` is false), then ends the
  // iteration; on success, evicts entries this iteration did not see.
  template <typename F>
  void EndIteration(bool success, F&& stale);

  // Calls `f(entry)` for every series the last ended iteration tracked
  // (used when a target disappears).
  template <typename F>
  void ForEachTracked(F&& f) const;

  size_t size() const { return live_; }
  size_t dropped_size() const { return dropped_.size(); }
  uint64_t iteration() const { return iter_; }
  // Heap bytes held (entries, raw bytes, index, orders; not the dropped set).
  size_t MemoryBytes() const;

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  static uint32_t HashOf(std::string_view raw) {
    const uint64_t h = std::hash<std::string_view>{}(raw);
    return static_cast<uint32_t>(h ^ (h >> 32));
  }
  bool Matches(const Entry& e, std::string_view raw) const {
    return e.raw_size == raw.size() && std::memcmp(arena_.data() + e.raw_offset, raw.data(), raw.size()) == 0;
  }
  // Index of open-addressing slots holding entry slot + 1 (0: empty).
  uint32_t IndexFind(std::string_view raw, uint32_t hash) const;
  void IndexInsert(uint32_t slot);
  void RebuildIndex(size_t capacity);
  void Evict();
  // Rewrites the arena without evicted bytes, in the last scrape's order.
  void CompactArena();
  // Returns spare capacity once the cache stopped growing.
  void Trim();
  // Makes this iteration's order of hits the prediction for the next one.
  void FinishOrder(bool success);

  uint64_t iter_ = 1;  // 0 means "never"
  std::vector<Entry> entries_;
  std::string arena_;                 // raw bytes of the entries, back to back
  size_t dead_bytes_ = 0;             // arena bytes of evicted entries
  std::vector<uint32_t> index_;       // power-of-two size, at most half full
  size_t live_ = 0;
  bool added_ = false;                // this iteration added an entry
  std::vector<uint32_t> last_order_;  // slots in the order the last successful scrape found them
  std::vector<uint32_t> cur_order_;   // this scrape's, so far
  size_t next_ = 0;                   // index into last_order_ of the predicted next hit
  std::vector<uint32_t> free_;
  std::unordered_map<std::string, uint64_t, StringHash, std::equal_to<>> dropped_;  // raw -> seen iteration
};

template <typename F>
void ScrapeCache::EndIteration(bool success, F&& stale) {
  const uint64_t prev = iter_ - 1;
  for (Entry& e : entries_) {
    if (!e.live) continue;
    // prev == 0 (the first iteration): nothing was tracked before.
    bool was_tracked =
        prev != 0 && (e.tracked_iter == prev || (e.tracked_iter == iter_ && e.prev_tracked_iter == prev));
    bool now_tracked = success && e.tracked_iter == iter_;
    if (was_tracked && !now_tracked) stale(static_cast<const Entry&>(e));
    if (!success && e.tracked_iter == iter_) e.tracked_iter = 0;
  }
  if (success) Evict();
  FinishOrder(success);
  if (success && !added_) Trim();
  added_ = false;
  ++iter_;
}

template <typename F>
void ScrapeCache::ForEachTracked(F&& f) const {
  for (const Entry& e : entries_) {
    if (e.live && e.tracked_iter != 0 && e.tracked_iter == iter_ - 1) f(e);
  }
}

}  // namespace kubescrape::scraper
