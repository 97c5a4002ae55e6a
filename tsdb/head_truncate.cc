// Head::Truncate: dropping old chunks and the series left without samples
// (the head's garbage collection under series churn).
#include <algorithm>

#include "tsdb/head.h"
#include "tsdb/head_series.h"
#include "tsdb/series_table.h"

namespace kubescrape::tsdb {

void Head::Truncate(int64_t mint) {
  std::lock_guard<std::mutex> truncate_lock(truncate_mu_);
  {
    int64_t cur = min_valid_time_.load(std::memory_order_relaxed);
    while (mint > cur && !min_valid_time_.compare_exchange_weak(cur, mint, std::memory_order_relaxed)) {
    }
  }
  // Appenders opened from now on get ids >= min_open; series marked by them
  // or by one still open are kept.
  const uint64_t min_open = OldestAppenderId();

  // 1. Drop old chunks; collect the series left empty.
  std::vector<const uint8_t*> dropped;
  std::vector<MemSeries*> candidates;
  uint64_t chunks_removed = 0;
  int64_t new_min = std::numeric_limits<int64_t>::max();
  for (uint64_t i = 0; i <= stripe_mask_; ++i) {
    RefStripe& st = ref_stripes_[i];
    std::lock_guard<SpinLock> lock(st.mu);
    st.table.ForEach([&](MemSeries* s) {
      std::lock_guard<SpinLock> series_lock(s->mu);
      chunks_removed += s->TruncateLocked(mint, &dropped);
      if (s->EmptyLocked()) {
        candidates.push_back(s);
      } else {
        new_min = std::min(new_min, s->min_t.load(std::memory_order_relaxed));
      }
    });
  }

  // 2. Unlink the empty series nobody is appending to.
  std::vector<MemSeries*> removed = RemoveSeries(candidates, min_open);

  // 3. Their postings. The views stay valid: the series still hold their
  // symbols until they are freed.
  if (!removed.empty()) {
    std::vector<SeriesRef> refs;
    refs.reserve(removed.size());
    std::vector<std::pair<uint32_t, uint32_t>> id_pairs;
    for (const MemSeries* s : removed) {
      refs.push_back(s->ref);
      std::span<const uint32_t> ids = s->label_ids();
      for (size_t j = 0; j + 1 < ids.size(); j += 2) id_pairs.emplace_back(ids[j], ids[j + 1]);
    }
    std::sort(refs.begin(), refs.end());
    std::sort(id_pairs.begin(), id_pairs.end());
    id_pairs.erase(std::unique(id_pairs.begin(), id_pairs.end()), id_pairs.end());
    std::vector<model::Label> affected;
    affected.reserve(id_pairs.size());
    for (auto [name, value] : id_pairs) affected.push_back(model::Label{symbols_.Get(name), symbols_.Get(value)});
    postings_.Delete(refs, affected);
    num_series_.fetch_sub(removed.size(), std::memory_order_relaxed);
    series_removed_.fetch_add(removed.size(), std::memory_order_relaxed);
  }
  chunks_removed_.fetch_add(chunks_removed, std::memory_order_relaxed);

  // The oldest sample left. A commit racing with this pass may hold an older
  // one for a moment; the next commit or truncation corrects MinTime.
  {
    int64_t cur = min_time_.load(std::memory_order_relaxed);
    while (cur < new_min && !min_time_.compare_exchange_weak(cur, new_min, std::memory_order_relaxed)) {
    }
  }

  // 4. Free what no open appender or querier can reach, now or when the last
  // one registered before this point closes.
  if (!removed.empty() || !dropped.empty()) Bury(std::move(removed), std::move(dropped));
  FreeGarbage();
}

std::vector<MemSeries*> Head::RemoveSeries(const std::vector<MemSeries*>& candidates, uint64_t min_open) {
  std::vector<MemSeries*> removed;
  for (MemSeries* s : candidates) {
    // Lock order: hash stripe, ref stripe, series (as GetOrCreate).
    HashStripe& hs = hash_stripes_[s->hash & stripe_mask_];
    RefStripe& rs = RefStripeOf(s->ref);
    std::lock_guard<SpinLock> hash_lock(hs.mu);
    std::lock_guard<SpinLock> ref_lock(rs.mu);
    std::lock_guard<SpinLock> series_lock(s->mu);
    // Appends can only reach the series through these two stripes, where they
    // set its marker: an appender open since min_open keeps it alive.
    if (!s->EmptyLocked() || s->marker.load(std::memory_order_relaxed) >= min_open) continue;
    s->removed = true;
    rs.table.Erase(s);
    hs.table.Erase(s);
    removed.push_back(s);
  }
  return removed;
}

}  // namespace kubescrape::tsdb
