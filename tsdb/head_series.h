#pragma once
// Internals of the Head (head.h): the per-series object, sized for a million
// of them (about 120 bytes plus 8 per label, see docs/architecture.md).
// Not for use outside tsdb/head*.cc, tsdb/querier.* and tests.
//
// Thread-safety: MemSeries fields are grouped by guard below.

#include <atomic>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "model/labels.h"
#include "tsdb/bstream.h"
#include "tsdb/chunk_xor.h"
#include "tsdb/spin_lock.h"
#include "tsdb/storage.h"
#include "tsdb/symbols.h"

namespace kubescrape::tsdb {

// A sealed chunk: the times of its first and last samples and a malloc'd
// block [u16 size, little-endian][chunk bytes], immutable once sealed.
struct HeadChunk {
  int64_t min_t;
  int64_t max_t;
  const uint8_t* block;
  std::span<const uint8_t> bytes() const {
    return {block + 2, static_cast<size_t>(block[0] | (block[1] << 8))};
  }
};

// A chunk as a reader sees it (sealed bytes, or a copy of the open chunk).
struct ChunkView {
  int64_t min_t;
  int64_t max_t;
  std::span<const uint8_t> bytes;
};

struct ChunkOptions {
  int64_t chunk_range;
  int samples_per_chunk;
};

// A series' chunks and append state as a head snapshot saves and restores
// them (head_snapshot.h). Exported views are valid while the series' lock
// is held; imported ones only during the call.
struct SeriesState {
  int64_t max_t = std::numeric_limits<int64_t>::min();  // no sample yet
  int64_t next_at = 0;                                  // cut the open chunk here
  XorEncoder::State enc;                                // holds the newest sample
  std::vector<ChunkView> sealed;                        // oldest first
  std::span<const uint8_t> open;                        // empty: no open chunk
  uint8_t open_free_bits = 0;                           // unused bits of open's last byte
};

// The end of the chunk range holding t: (t / range) * range + range, with
// Go's truncating division (Prometheus's rangeForTimestamp).
int64_t ChunkRangeEnd(int64_t t, int64_t range);
// Prometheus's computeChunkEndTime(start, cur, max, 4): where to cut a chunk
// a quarter full so the rest of the range splits evenly.
int64_t ComputeChunkEndTime(int64_t start, int64_t cur, int64_t max);

// The sealed chunks of a series, oldest first: one heap array holding its
// own size and capacity, so the series pays one pointer.
class ChunkList {
 public:
  ChunkList() = default;
  ~ChunkList() { std::free(rep_); }
  ChunkList(const ChunkList&) = delete;
  ChunkList& operator=(const ChunkList&) = delete;

  size_t size() const { return rep_ == nullptr ? 0 : rep_->size; }
  size_t capacity() const { return rep_ == nullptr ? 0 : rep_->capacity; }
  bool empty() const { return size() == 0; }
  const HeadChunk* begin() const { return items(); }
  const HeadChunk* end() const { return items() + size(); }
  const HeadChunk& operator[](size_t i) const { return items()[i]; }
  const HeadChunk& front() const { return items()[0]; }

  void push_back(const HeadChunk& c);
  // Removes the first n entries (the caller owns their blocks).
  void erase_front(size_t n);

 private:
  struct Rep {
    uint32_t size;
    uint32_t capacity;
  };
  HeadChunk* items() const {
    return rep_ == nullptr ? nullptr : reinterpret_cast<HeadChunk*>(reinterpret_cast<char*>(rep_) + sizeof(Rep));
  }
  void Reserve(uint32_t capacity);

  Rep* rep_ = nullptr;
};

class MemSeries {
 public:
  static constexpr int64_t kNoTime = std::numeric_limits<int64_t>::min();

  // A series with room for 2 * num_labels symbol ids. Free with Destroy().
  static MemSeries* Create(SeriesRef ref, uint64_t hash, uint32_t num_labels);
  // Frees the series and its chunks (not its symbols).
  static void Destroy(MemSeries* s);

  // Immutable after Create.
  const SeriesRef ref;
  const uint64_t hash;  // of the labels
  std::span<const uint32_t> label_ids() const { return {ids(), num_ids_}; }
  std::span<uint32_t> mutable_label_ids() { return {ids(), num_ids_}; }

  // Read without the lock (relaxed); written under mu.
  std::atomic<int64_t> max_t{kNoTime};                               // newest committed
  std::atomic<int64_t> min_t{std::numeric_limits<int64_t>::max()};  // oldest held
  // The newest appender id that looked the series up; written under a
  // stripe lock (see Head::LookupForAppend).
  std::atomic<uint64_t> marker{0};

  SpinLock mu;
  // Guarded by mu.
  bool removed = false;  // unlinked by Truncate

  // The value bits of the newest sample. REQUIRES: mu held; max_t set.
  uint64_t LastValueBitsLocked() const { return enc_.last_v_bits(); }
  // Appends (t, v), cutting chunks as Prometheus does. REQUIRES: mu held;
  // t > max_t. Returns true when a chunk was created.
  bool AppendLocked(int64_t t, double v, const ChunkOptions& o);
  // Drops chunks whose newest sample is before mint; sealed blocks go to
  // *dropped (readers may still hold them). Returns the chunks dropped.
  // REQUIRES: mu held.
  size_t TruncateLocked(int64_t mint, std::vector<const uint8_t*>* dropped);
  // Appends views of the chunks overlapping [mint, maxt] to *out; the open
  // chunk is copied into *open_copy. REQUIRES: mu held.
  void SnapshotLocked(int64_t mint, int64_t maxt, std::vector<ChunkView>* out, std::vector<uint8_t>* open_copy) const;
  // The series' chunks and append state (views into the series).
  // REQUIRES: mu held (while the views are used).
  void ExportLocked(SeriesState* out) const;
  // Installs `in` (copied) as the series' chunks and state.
  // REQUIRES: mu held; the series has no chunks; `in` is consistent (each
  // sealed chunk at most 65535 bytes, the open chunk written by in.enc).
  void ImportLocked(const SeriesState& in);
  bool EmptyLocked() const { return sealed_.empty() && open_.empty(); }
  // Hints the CPU to fetch the bytes the next append writes (the open
  // chunk's end). REQUIRES: no other thread modifies the series meanwhile
  // (WAL replay: each series belongs to one worker).
  void PrefetchAppendTail() const {
    if (open_.data() != nullptr) __builtin_prefetch(open_.data() + open_.size(), 1);
  }
  // Adds the series' heap bytes: the object with its label ids, chunk bytes
  // (the open chunk at capacity) and the sealed-chunk list. REQUIRES: mu held.
  void AddMemoryLocked(size_t* object, size_t* chunk_data, size_t* chunk_index) const;

 private:
  MemSeries(SeriesRef r, uint64_t h, uint32_t num_labels) : ref(r), hash(h), num_ids_(2 * num_labels) {}
  ~MemSeries();
  uint32_t* ids() { return reinterpret_cast<uint32_t*>(this + 1); }
  const uint32_t* ids() const { return reinterpret_cast<const uint32_t*>(this + 1); }
  int64_t OpenMinTLocked() const;
  void SealLocked();
  // Appends a sealed chunk holding a copy of `bytes` ([u16 size][bytes] in
  // one exactly sized block).
  void PushSealedLocked(int64_t min_t, int64_t max_t, std::span<const uint8_t> bytes);
  // Sets min_t from the oldest chunk left (max() when there is none).
  void RefreshMinTLocked();

  const uint32_t num_ids_;
  // Guarded by mu.
  ChunkList sealed_;
  BitWriter open_;  // empty when there is no open chunk
  XorEncoder enc_;  // holds the newest sample even when open_ was dropped
  int64_t next_at_ = 0;  // cut the open chunk at this timestamp
};

// A series' label pairs as views of the interned strings.
class LabelPairs {
 public:
  LabelPairs(const SymbolTable& symbols, const MemSeries& s) {
    std::span<const uint32_t> ids = s.label_ids();
    n_ = ids.size() / 2;
    if (n_ > kInline) {
      heap_.resize(n_);
      out_ = heap_.data();
    }
    for (size_t i = 0; i < n_; ++i) out_[i] = model::Label{symbols.Get(ids[2 * i]), symbols.Get(ids[2 * i + 1])};
  }
  LabelPairs(const LabelPairs&) = delete;
  LabelPairs& operator=(const LabelPairs&) = delete;
  std::span<const model::Label> pairs() const { return {out_, n_}; }

 private:
  static constexpr size_t kInline = 32;
  model::Label inline_[kInline];
  std::vector<model::Label> heap_;
  model::Label* out_ = inline_;
  size_t n_ = 0;
};

}  // namespace kubescrape::tsdb
