#pragma once
// ScrapeCache: one target's memory between scrapes (Prometheus's scrapeCache).
//
//  - raw series bytes (`name{labels}` exactly as exposed) -> storage reference
//    and final labels, so a steady-state scrape never parses labels, runs
//    metric relabeling or hashes a label set;
//  - raw bytes of series that metric relabeling dropped;
//  - which series the last scrape exposed, for staleness markers.
//
// Targets expose their series in the same order scrape after scrape, so
// Find() first compares the raw bytes with the entry that followed the
// previous hit in the last scrape's order: in the steady state a lookup is
// one memcmp over memory read in sequence, with no hashing. A miss falls
// back to the hash index and resynchronises the prediction.
//
// Iterations: each scrape is one iteration, ended by EndIteration(). A
// series "tracked" in iteration N and not in N+1 is stale at the end of N+1.
// A failed iteration tracks nothing, so every series of the last successful
// one goes stale once. Entries not seen in a successful iteration are
// evicted (series churn must not grow the cache forever).
//
// Thread-safety: none; confined to the target's scrape loop.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/labels.h"
#include "tsdb/storage.h"

namespace kubescrape::scraper {

class ScrapeCache {
 public:
  // A cached series. `index` is stable until the entry is evicted.
  struct Entry {
    tsdb::SeriesRef ref = 0;
    model::Labels labels;
    uint64_t seen_iter = 0;          // last iteration its raw bytes appeared in
    uint64_t tracked_iter = 0;       // last iteration it counted for staleness
    uint64_t prev_tracked_iter = 0;  // tracked_iter before the current iteration
    bool live = false;               // false: a free slot
    const std::string* raw = nullptr;  // the index key (stable while live)
    uint32_t last_pos = kNoPos;        // position in the last scrape's order
  };
  static constexpr uint32_t kNoPos = UINT32_MAX;

  ScrapeCache() = default;
  ScrapeCache(const ScrapeCache&) = delete;
  ScrapeCache& operator=(const ScrapeCache&) = delete;

  // The entry for raw series bytes, or null. The pointer is valid until the
  // next Add() or EndIteration().
  Entry* Find(std::string_view raw);

  // Adds a series seen for the first time. REQUIRES: Find(raw) == null.
  Entry* Add(std::string_view raw, tsdb::SeriesRef ref, model::Labels labels);

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

  size_t size() const { return index_.size(); }
  size_t dropped_size() const { return dropped_.size(); }
  uint64_t iteration() const { return iter_; }

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  void Evict();
  // Makes this iteration's order of hits the prediction for the next one.
  void FinishOrder(bool success);

  uint64_t iter_ = 1;  // 0 means "never"
  std::vector<Entry> entries_;
  std::vector<uint32_t> last_order_;  // slots in the order the last successful scrape found them
  std::vector<uint32_t> cur_order_;   // this scrape's, so far
  size_t next_ = 0;                   // index into last_order_ of the predicted next hit
  std::vector<uint32_t> free_;
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> index_;
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
  ++iter_;
}

template <typename F>
void ScrapeCache::ForEachTracked(F&& f) const {
  for (const Entry& e : entries_) {
    if (e.live && e.tracked_iter != 0 && e.tracked_iter == iter_ - 1) f(e);
  }
}

}  // namespace kubescrape::scraper
