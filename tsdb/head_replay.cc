// Rebuilding the head from the WAL: series under their logged refs, then
// samples by ref (see Head::ReplaySeries in head.h); and from a snapshot:
// whole series with their chunks (Head::RestoreSeries).
#include <algorithm>
#include <array>
#include <bit>

#include "tsdb/head.h"
#include "tsdb/head_series.h"
#include "tsdb/series_table.h"

namespace kubescrape::tsdb {

void Head::ReplaySeries(std::span<const RefSeries> series,
                        std::vector<std::pair<SeriesRef, SeriesRef>>* aliases) {
  for (const RefSeries& rs : series) {
    if (rs.ref == 0 || rs.labels.empty()) continue;
    const uint64_t hash = rs.labels.Hash();
    HashStripe& hs = hash_stripes_[hash & stripe_mask_];
    std::lock_guard<SpinLock> lock(hs.mu);
    MemSeries* s = hs.table.Find(hash, [&](const MemSeries* c) { return LabelsEqual(*c, rs.labels); });
    if (s != nullptr) {
      if (s->ref != rs.ref) {
        std::lock_guard<std::mutex> alias_lock(alias_mu_);
        aliases_[rs.ref] = s->ref;
        if (aliases != nullptr) aliases->emplace_back(rs.ref, s->ref);
      }
      continue;
    }
    // A ref already taken by other labels cannot come from one log; keep
    // the first.
    if (Lookup(rs.ref) != nullptr) continue;
    CreateSeriesLocked(hs, rs.labels, hash, rs.ref, /*marker=*/0);
    SeriesRef next = next_ref_.load(std::memory_order_relaxed);
    while (next <= rs.ref && !next_ref_.compare_exchange_weak(next, rs.ref + 1, std::memory_order_relaxed)) {
    }
  }
}

MemSeries* Head::LookupForReplay(SeriesRef ref) const {
  MemSeries* s = Lookup(ref);
  if (s != nullptr) return s;
  std::lock_guard<std::mutex> alias_lock(alias_mu_);
  if (aliases_.empty()) return nullptr;
  auto it = aliases_.find(ref);
  return it == aliases_.end() ? nullptr : Lookup(it->second);
}

uint64_t Head::ReplaySamples(std::span<const RefSample> samples) {
  // Registered so Truncate, if someone runs it meanwhile, frees nothing
  // under us.
  const uint64_t id = Register();
  const ChunkOptions opts{options_.chunk_range_ms, options_.samples_per_chunk};
  uint64_t unknown = 0, appended = 0, chunks = 0, out_of_order = 0, duplicates = 0;
  int64_t batch_min = std::numeric_limits<int64_t>::max();
  int64_t batch_max = std::numeric_limits<int64_t>::min();

  // The runs of one ref (the batch is grouped by series). With a million
  // series every run misses the cache three or four times (table slot,
  // series, chunk tail), one after the other since each lookup takes a
  // lock. Software pipelining overlaps them: the slot of run r + 16 and the
  // stripe of run r + 24 are prefetched, run r + 8 is looked up and its
  // series prefetched, the chunk tail of run r + 4 prefetched, run r
  // appended.
  std::vector<uint32_t> starts;
  starts.reserve(samples.size() / 2 + 2);
  for (size_t k = 0; k < samples.size(); ++k) {
    if (k == 0 || samples[k].ref != samples[k - 1].ref) starts.push_back(static_cast<uint32_t>(k));
  }
  const size_t runs = starts.size();
  starts.push_back(static_cast<uint32_t>(samples.size()));
  constexpr size_t kStripeAhead = 24, kSlotAhead = 16, kSeriesAhead = 8, kTailAhead = 4;
  constexpr size_t kRing = 16;  // > kSeriesAhead
  std::array<MemSeries*, kRing> ahead{};
  auto ref_of = [&](size_t run) { return samples[starts[run]].ref; };
  auto resolve = [&](size_t run) {
    MemSeries* s = LookupForReplay(ref_of(run));
    ahead[run % kRing] = s;
    if (s != nullptr) {
      __builtin_prefetch(s, 1);
      __builtin_prefetch(reinterpret_cast<const char*>(s) + 64, 1);
      __builtin_prefetch(reinterpret_cast<const char*>(s) + 128, 1);
    }
  };
  for (size_t r = 0; r < std::min(kSeriesAhead, runs); ++r) resolve(r);
  for (size_t r = 0; r < runs; ++r) {
    if (r + kStripeAhead < runs) PrefetchRef(ref_of(r + kStripeAhead), Appender::PrefetchStage::kFar);
    if (r + kSlotAhead < runs) PrefetchRef(ref_of(r + kSlotAhead), Appender::PrefetchStage::kNear);
    if (r + kSeriesAhead < runs) resolve(r + kSeriesAhead);
    if (r + kTailAhead < runs && ahead[(r + kTailAhead) % kRing] != nullptr) {
      ahead[(r + kTailAhead) % kRing]->PrefetchAppendTail();
    }
    MemSeries* s = ahead[r % kRing];
    size_t k = starts[r];
    const size_t end = starts[r + 1];
    if (s == nullptr) {
      unknown += end - k;
      continue;
    }
    // One lock hold for the run of samples of this ref.
    std::lock_guard<SpinLock> lock(s->mu);
    for (; k < end; ++k) {
      const RefSample& smp = samples[k];
      const int64_t max_t = s->max_t.load(std::memory_order_relaxed);
      if (max_t != MemSeries::kNoTime && smp.t <= max_t) {
        if (smp.t < max_t) {
          ++out_of_order;
        } else if (std::bit_cast<uint64_t>(smp.v) != s->LastValueBitsLocked()) {
          ++duplicates;
        }
        continue;
      }
      chunks += s->AppendLocked(smp.t, smp.v, opts) ? 1 : 0;
      ++appended;
      batch_min = std::min(batch_min, smp.t);
      batch_max = std::max(batch_max, smp.t);
    }
  }
  if (appended > 0) NoteTimeRange(batch_min, batch_max);
  samples_appended_.fetch_add(appended, std::memory_order_relaxed);
  chunks_created_.fetch_add(chunks, std::memory_order_relaxed);
  out_of_order_.fetch_add(out_of_order, std::memory_order_relaxed);
  duplicates_.fetch_add(duplicates, std::memory_order_relaxed);
  Unregister(id);
  return unknown;
}

void Head::ForEachSeriesState(const SeriesStateFn& fn, const std::function<void()>& between_stripes) const {
  // In ref order, so a loader adds each series at the end of its postings
  // lists (out-of-order inserts cost a memmove each).
  std::vector<SeriesRef> refs;
  for (uint64_t i = 0; i <= stripe_mask_; ++i) {
    RefStripe& st = ref_stripes_[i];
    std::lock_guard<SpinLock> lock(st.mu);
    st.table.ForEach([&](MemSeries* s) { refs.push_back(s->ref); });
  }
  std::sort(refs.begin(), refs.end());
  SeriesState state;
  for (size_t i = 0; i < refs.size(); ++i) {
    {
      RefStripe& st = RefStripeOf(refs[i]);
      std::lock_guard<SpinLock> lock(st.mu);
      MemSeries* s = st.table.Find(refs[i], [](const MemSeries*) { return true; });
      if (s != nullptr) {
        std::lock_guard<SpinLock> series_lock(s->mu);
        if (!s->removed) {
          s->ExportLocked(&state);
          fn(s->ref, LabelPairs(symbols_, *s).pairs(), state);
        }
      }
    }
    if (between_stripes && (i % 256 == 255 || i + 1 == refs.size())) between_stripes();
  }
}

bool Head::RestoreSeries(SeriesRef ref, const model::Labels& labels, const SeriesState& state) {
  if (ref == 0 || labels.empty()) return false;
  const uint64_t hash = labels.Hash();
  HashStripe& hs = hash_stripes_[hash & stripe_mask_];
  int64_t mint = 0;
  {
    std::lock_guard<SpinLock> lock(hs.mu);
    if (hs.table.Find(hash, [&](const MemSeries* c) { return LabelsEqual(*c, labels); }) != nullptr) return false;
    if (Lookup(ref) != nullptr) return false;
    MemSeries* s = CreateSeriesLocked(hs, labels, hash, ref, /*marker=*/0);
    // Under the stripe lock: Truncate cannot remove the series before its
    // chunks are in.
    std::lock_guard<SpinLock> series_lock(s->mu);
    s->ImportLocked(state);
    mint = s->min_t.load(std::memory_order_relaxed);
  }
  SeriesRef next = next_ref_.load(std::memory_order_relaxed);
  while (next <= ref && !next_ref_.compare_exchange_weak(next, ref + 1, std::memory_order_relaxed)) {
  }
  if (state.max_t != MemSeries::kNoTime && mint != std::numeric_limits<int64_t>::max()) {
    NoteTimeRange(mint, state.max_t);
  }
  chunks_created_.fetch_add(state.sealed.size() + (state.open.empty() ? 0 : 1), std::memory_order_relaxed);
  return true;
}

void Head::RestoreMinValidTime(int64_t t) {
  int64_t cur = min_valid_time_.load(std::memory_order_relaxed);
  while (t > cur && !min_valid_time_.compare_exchange_weak(cur, t, std::memory_order_relaxed)) {
  }
}

}  // namespace kubescrape::tsdb
