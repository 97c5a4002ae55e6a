// Head: construction, series lookup and creation, the registry of open
// appenders and queriers, and deferred freeing. Appending is in
// head_append.cc, reading in head_read.cc, truncation in head_truncate.cc.
#include "tsdb/head.h"

#include <algorithm>
#include <cassert>
#include <deque>

#include "tsdb/head_series.h"
#include "tsdb/series_table.h"

namespace kubescrape::tsdb {
namespace {

// marker = max(marker, appender), returning the previous marker: Truncate
// keeps series marked by an appender that is still open.
uint64_t Mark(MemSeries* s, uint64_t appender) {
  uint64_t m = s->marker.load(std::memory_order_relaxed);
  const uint64_t prev = m;
  while (m < appender && !s->marker.compare_exchange_weak(m, appender, std::memory_order_relaxed)) {
  }
  return prev;
}

}  // namespace

// Ids of the appenders and queriers that may hold series pointers.
struct Head::Registry {
  std::mutex mu;
  uint64_t next = 1;           // guarded by mu; the next id handed out
  std::vector<uint64_t> open;  // guarded by mu; unordered
};

// Memory Truncate unlinked, freed once no one registered before the unlink
// is still open.
struct Head::Graveyard {
  struct Batch {
    uint64_t tag;  // registry ids below it may still read the batch
    std::vector<MemSeries*> series;
    std::vector<const uint8_t*> chunks;
  };
  std::mutex mu;
  std::deque<Batch> batches;  // guarded by mu; tags increasing
  std::atomic<bool> pending{false};
};

Head::Head(HeadOptions options)
    : options_(options),
      stripe_mask_((uint64_t{1} << options.stripe_bits) - 1),
      ref_stripes_(new RefStripe[stripe_mask_ + 1]),
      hash_stripes_(new HashStripe[stripe_mask_ + 1]),
      registry_(std::make_unique<Registry>()),
      graveyard_(std::make_unique<Graveyard>()) {
  assert(options.samples_per_chunk >= 4 && options.samples_per_chunk <= 32767);
  assert(options.stripe_bits >= 0 && options.stripe_bits <= 20);
  assert(options.chunk_range_ms > 0);
}

Head::~Head() {
  for (uint64_t i = 0; i <= stripe_mask_; ++i) {
    ref_stripes_[i].table.ForEach([](MemSeries* s) { MemSeries::Destroy(s); });
  }
  for (Graveyard::Batch& b : graveyard_->batches) {
    for (const uint8_t* c : b.chunks) std::free(const_cast<uint8_t*>(c));
    for (MemSeries* s : b.series) MemSeries::Destroy(s);
  }
}

uint64_t Head::Register() {
  std::lock_guard<std::mutex> lock(registry_->mu);
  const uint64_t id = registry_->next++;
  registry_->open.push_back(id);
  return id;
}

void Head::Unregister(uint64_t id) {
  {
    std::lock_guard<std::mutex> lock(registry_->mu);
    std::vector<uint64_t>& open = registry_->open;
    auto it = std::find(open.begin(), open.end(), id);
    assert(it != open.end());
    *it = open.back();
    open.pop_back();
  }
  if (graveyard_->pending.load(std::memory_order_acquire)) FreeGarbage();
}

uint64_t Head::OldestAppenderId() const {
  std::lock_guard<std::mutex> lock(registry_->mu);
  uint64_t oldest = registry_->next;
  for (uint64_t id : registry_->open) oldest = std::min(oldest, id);
  return oldest;
}

void Head::Bury(std::vector<MemSeries*> series, std::vector<const uint8_t*> chunks) {
  // Ids handed out so far may still read it.
  uint64_t tag;
  {
    std::lock_guard<std::mutex> lock(registry_->mu);
    tag = registry_->next;
  }
  std::lock_guard<std::mutex> lock(graveyard_->mu);
  graveyard_->batches.push_back(Graveyard::Batch{tag, std::move(series), std::move(chunks)});
  graveyard_->pending.store(true, std::memory_order_release);
}

void Head::FreeGarbage() {
  uint64_t min_open = UINT64_MAX;
  {
    std::lock_guard<std::mutex> lock(registry_->mu);
    for (uint64_t id : registry_->open) min_open = std::min(min_open, id);
  }
  std::vector<Graveyard::Batch> ready;
  {
    std::lock_guard<std::mutex> lock(graveyard_->mu);
    while (!graveyard_->batches.empty() && graveyard_->batches.front().tag <= min_open) {
      ready.push_back(std::move(graveyard_->batches.front()));
      graveyard_->batches.pop_front();
    }
    graveyard_->pending.store(!graveyard_->batches.empty(), std::memory_order_release);
  }
  for (Graveyard::Batch& b : ready) {
    for (const uint8_t* c : b.chunks) std::free(const_cast<uint8_t*>(c));
    for (MemSeries* s : b.series) FreeSeries(s);
  }
}

void Head::FreeSeries(MemSeries* s) {
  symbols_.Release(s->label_ids());
  MemSeries::Destroy(s);
}

RefStripe& Head::RefStripeOf(SeriesRef ref) const { return ref_stripes_[ref & stripe_mask_]; }

void Head::PrefetchRef(SeriesRef ref, Appender::PrefetchStage stage) const {
  RefStripe& st = RefStripeOf(ref);
  if (stage == Appender::PrefetchStage::kFar) {
    __builtin_prefetch(&st);
  } else {
    st.table.PrefetchHome(ref);
  }
}

MemSeries* Head::LookupForAppend(SeriesRef ref, uint64_t appender, uint64_t* prev) {
  RefStripe& st = RefStripeOf(ref);
  std::lock_guard<SpinLock> lock(st.mu);
  MemSeries* s = st.table.Find(ref, [](const MemSeries*) { return true; });
  if (s != nullptr) *prev = Mark(s, appender);
  return s;
}

MemSeries* Head::Lookup(SeriesRef ref) const {
  RefStripe& st = RefStripeOf(ref);
  std::lock_guard<SpinLock> lock(st.mu);
  return st.table.Find(ref, [](const MemSeries*) { return true; });
}

bool Head::HasSeries(SeriesRef ref) const {
  if (Lookup(ref) != nullptr) return true;
  std::lock_guard<std::mutex> lock(alias_mu_);
  auto it = aliases_.find(ref);
  return it != aliases_.end() && Lookup(it->second) != nullptr;
}

bool Head::LabelsEqual(const MemSeries& s, const model::Labels& labels) const {
  std::span<const uint32_t> ids = s.label_ids();
  size_t i = 0;
  for (const model::Label& l : labels) {
    if (i + 2 > ids.size() || symbols_.Get(ids[i]) != l.name || symbols_.Get(ids[i + 1]) != l.value) {
      return false;
    }
    i += 2;
  }
  return i == ids.size();
}

model::Labels Head::LabelsOf(const MemSeries& s) const {
  return model::Labels::FromSorted(LabelPairs(symbols_, s).pairs());
}

MemSeries* Head::GetOrCreate(const model::Labels& labels, uint64_t appender, bool* created, uint64_t* prev) {
  const uint64_t hash = labels.Hash();
  HashStripe& hs = hash_stripes_[hash & stripe_mask_];
  std::lock_guard<SpinLock> lock(hs.mu);
  MemSeries* s = hs.table.Find(hash, [&](const MemSeries* c) { return LabelsEqual(*c, labels); });
  if (s != nullptr) {
    *prev = Mark(s, appender);
    *created = false;
    return s;
  }
  s = CreateSeriesLocked(hs, labels, hash, next_ref_.fetch_add(1, std::memory_order_relaxed), appender);
  *prev = 0;
  *created = true;
  return s;
}

MemSeries* Head::CreateSeriesLocked(HashStripe& hs, const model::Labels& labels, uint64_t hash, SeriesRef ref,
                                    uint64_t marker) {
  MemSeries* s = MemSeries::Create(ref, hash, static_cast<uint32_t>(labels.size()));
  s->marker.store(marker, std::memory_order_relaxed);
  symbols_.InternLabels(labels, s->mutable_label_ids());
  // Postings keep views of the interned strings, alive as long as the series.
  postings_.Add(ref, LabelPairs(symbols_, *s).pairs());
  {
    RefStripe& rs = RefStripeOf(ref);
    std::lock_guard<SpinLock> ref_lock(rs.mu);
    rs.table.Insert(s);
  }
  hs.table.Insert(s);
  num_series_.fetch_add(1, std::memory_order_relaxed);
  series_created_.fetch_add(1, std::memory_order_relaxed);
  return s;
}

int64_t Head::AppendMinValidTime() const {
  const int64_t floor = min_valid_time_.load(std::memory_order_relaxed);
  const int64_t maxt = max_time_.load(std::memory_order_relaxed);
  if (maxt == std::numeric_limits<int64_t>::min()) return floor;
  // Prometheus: samples more than half a chunk range older than the newest
  // sample in the head are out of bounds.
  const int64_t half = options_.chunk_range_ms / 2;
  const int64_t window = maxt < std::numeric_limits<int64_t>::min() + half ? std::numeric_limits<int64_t>::min()
                                                                             : maxt - half;
  return std::max(floor, window);
}

void Head::NoteTimeRange(int64_t mint, int64_t maxt) {
  int64_t cur = min_time_.load(std::memory_order_relaxed);
  while (mint < cur && !min_time_.compare_exchange_weak(cur, mint, std::memory_order_relaxed)) {
  }
  cur = max_time_.load(std::memory_order_relaxed);
  while (maxt > cur && !max_time_.compare_exchange_weak(cur, maxt, std::memory_order_relaxed)) {
  }
}

HeadStats Head::stats() const {
  HeadStats st;
  st.series_created = series_created_.load(std::memory_order_relaxed);
  st.series_removed = series_removed_.load(std::memory_order_relaxed);
  st.samples_appended = samples_appended_.load(std::memory_order_relaxed);
  st.out_of_order = out_of_order_.load(std::memory_order_relaxed);
  st.out_of_bounds = out_of_bounds_.load(std::memory_order_relaxed);
  st.duplicates = duplicates_.load(std::memory_order_relaxed);
  st.chunks_created = chunks_created_.load(std::memory_order_relaxed);
  st.chunks_removed = chunks_removed_.load(std::memory_order_relaxed);
  st.num_series = num_series_.load(std::memory_order_relaxed);
  st.num_symbols = symbols_.size();
  return st;
}

Head::Memory Head::MemoryUsage() const {
  Memory m;
  m.tables = (stripe_mask_ + 1) * (sizeof(RefStripe) + sizeof(HashStripe));
  for (uint64_t i = 0; i <= stripe_mask_; ++i) {
    {
      std::lock_guard<SpinLock> lock(hash_stripes_[i].mu);
      m.tables += hash_stripes_[i].table.MemoryBytes();
    }
    std::lock_guard<SpinLock> lock(ref_stripes_[i].mu);
    m.tables += ref_stripes_[i].table.MemoryBytes();
    ref_stripes_[i].table.ForEach([&](MemSeries* s) {
      std::lock_guard<SpinLock> series_lock(s->mu);
      s->AddMemoryLocked(&m.series, &m.chunk_data, &m.chunk_index);
    });
  }
  m.postings = postings_.MemoryBytes();
  m.symbols = symbols_.MemoryBytes();
  return m;
}

}  // namespace kubescrape::tsdb
