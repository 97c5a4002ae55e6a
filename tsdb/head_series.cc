#include "tsdb/head_series.h"

#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>

#include "tsdb/chunk_format.h"

namespace kubescrape::tsdb {

int64_t ChunkRangeEnd(int64_t t, int64_t range) {
  const int64_t start = (t / range) * range;
  if (start > std::numeric_limits<int64_t>::max() - range) return std::numeric_limits<int64_t>::max();
  return start + range;
}

int64_t ComputeChunkEndTime(int64_t start, int64_t cur, int64_t max) {
  // Wrapping differences, as in Go.
  const auto span = static_cast<int64_t>(static_cast<uint64_t>(max) - static_cast<uint64_t>(start));
  const auto elapsed = static_cast<int64_t>(static_cast<uint64_t>(cur) - static_cast<uint64_t>(start) + 1);
  const double n = static_cast<double>(span) / (static_cast<double>(elapsed) * 4);
  if (!(n > 1)) return max;
  const double end = static_cast<double>(start) + static_cast<double>(span) / std::floor(n);
  if (!(end < 9.2e18 && end > -9.2e18)) return max;
  return static_cast<int64_t>(end);
}

void ChunkList::Reserve(uint32_t capacity) {
  void* p = std::realloc(rep_, sizeof(Rep) + size_t{capacity} * sizeof(HeadChunk));
  if (p == nullptr) throw std::bad_alloc();
  const bool fresh = rep_ == nullptr;
  rep_ = static_cast<Rep*>(p);
  if (fresh) rep_->size = 0;
  rep_->capacity = capacity;
}

void ChunkList::push_back(const HeadChunk& c) {
  if (size() == capacity()) Reserve(capacity() == 0 ? 2 : static_cast<uint32_t>(capacity() * 2));
  items()[rep_->size++] = c;
}

void ChunkList::erase_front(size_t n) {
  if (n == 0) return;
  const size_t left = size() - n;
  std::memmove(items(), items() + n, left * sizeof(HeadChunk));
  rep_->size = static_cast<uint32_t>(left);
  if (left == 0) {
    std::free(rep_);
    rep_ = nullptr;
  } else if (capacity() > 4 && left < capacity() / 2) {
    Reserve(static_cast<uint32_t>(left));
  }
}

MemSeries* MemSeries::Create(SeriesRef ref, uint64_t hash, uint32_t num_labels) {
  void* p = ::operator new(sizeof(MemSeries) + 2 * size_t{num_labels} * sizeof(uint32_t));
  return new (p) MemSeries(ref, hash, num_labels);
}

void MemSeries::Destroy(MemSeries* s) {
  s->~MemSeries();
  ::operator delete(static_cast<void*>(s));
}

MemSeries::~MemSeries() {
  for (const HeadChunk& c : sealed_) std::free(const_cast<uint8_t*>(c.block));
}

int64_t MemSeries::OpenMinTLocked() const {
  int64_t t = 0;
  XorFirstTimestamp(open_.bytes(), &t);
  return t;
}

void MemSeries::PushSealedLocked(int64_t min_t, int64_t max_t, std::span<const uint8_t> bytes) {
  const size_t size = bytes.size();
  auto* block = static_cast<uint8_t*>(std::malloc(size + 2));
  if (block == nullptr) throw std::bad_alloc();
  block[0] = static_cast<uint8_t>(size);
  block[1] = static_cast<uint8_t>(size >> 8);
  std::memcpy(block + 2, bytes.data(), size);
  sealed_.push_back(HeadChunk{min_t, max_t, block});
}

void MemSeries::SealLocked() {
  PushSealedLocked(OpenMinTLocked(), enc_.last_t(), {open_.data(), open_.size()});
  open_.Clear();
}

void MemSeries::RefreshMinTLocked() {
  int64_t oldest = std::numeric_limits<int64_t>::max();
  if (!sealed_.empty()) {
    oldest = sealed_.front().min_t;
  } else if (!open_.empty()) {
    oldest = OpenMinTLocked();
  }
  min_t.store(oldest, std::memory_order_relaxed);
}

bool MemSeries::AppendLocked(int64_t t, double v, const ChunkOptions& o) {
  bool cut = open_.empty();
  if (!cut) {
    const uint32_t n = enc_.num_samples();
    if (open_.size() > chunk_format::kMaxBytesPerXorChunkBeforeAppend) {
      cut = true;
    } else {
      // A quarter full: predict the end so the rest of the range splits
      // into equal chunks.
      if (n == static_cast<uint32_t>(o.samples_per_chunk / 4)) {
        next_at_ = ComputeChunkEndTime(OpenMinTLocked(), enc_.last_t(), next_at_);
      }
      cut = t >= next_at_ || n >= static_cast<uint32_t>(2 * o.samples_per_chunk);
    }
    if (cut) SealLocked();
  }
  if (cut) {
    enc_.Start(open_);
    next_at_ = ChunkRangeEnd(t, o.chunk_range);
    if (sealed_.empty()) min_t.store(t, std::memory_order_relaxed);
  }
  enc_.Append(open_, t, v);
  max_t.store(t, std::memory_order_relaxed);
  return cut;
}

size_t MemSeries::TruncateLocked(int64_t mint, std::vector<const uint8_t*>* dropped) {
  size_t n = 0;
  while (n < sealed_.size() && sealed_[n].max_t < mint) {
    dropped->push_back(sealed_[n].block);
    ++n;
  }
  sealed_.erase_front(n);
  if (!open_.empty() && enc_.last_t() < mint) {
    // Readers copy the open chunk under the lock: it can go at once.
    open_.Clear();
    ++n;
  }
  RefreshMinTLocked();
  return n;
}

void MemSeries::SnapshotLocked(int64_t mint, int64_t maxt, std::vector<ChunkView>* out,
                               std::vector<uint8_t>* open_copy) const {
  for (const HeadChunk& c : sealed_) {
    if (c.max_t < mint || c.min_t > maxt) continue;
    out->push_back(ChunkView{c.min_t, c.max_t, c.bytes()});
  }
  if (open_.empty() || enc_.num_samples() == 0) return;
  const int64_t last = enc_.last_t();
  const int64_t first = OpenMinTLocked();
  if (last < mint || first > maxt) return;
  open_copy->assign(open_.data(), open_.data() + open_.size());
  out->push_back(ChunkView{first, last, {open_copy->data(), open_copy->size()}});
}

void MemSeries::ExportLocked(SeriesState* out) const {
  out->max_t = max_t.load(std::memory_order_relaxed);
  out->next_at = next_at_;
  out->enc = enc_.state();
  out->sealed.clear();
  for (const HeadChunk& c : sealed_) out->sealed.push_back(ChunkView{c.min_t, c.max_t, c.bytes()});
  out->open = open_.bytes();
  out->open_free_bits = open_.free_bits();
}

void MemSeries::ImportLocked(const SeriesState& in) {
  for (const ChunkView& c : in.sealed) PushSealedLocked(c.min_t, c.max_t, c.bytes);
  open_.Assign(in.open, in.open_free_bits);
  enc_.Restore(in.enc);
  next_at_ = in.next_at;
  max_t.store(in.max_t, std::memory_order_relaxed);
  RefreshMinTLocked();
}

void MemSeries::AddMemoryLocked(size_t* object, size_t* chunk_data, size_t* chunk_index) const {
  *object += sizeof(MemSeries) + num_ids_ * sizeof(uint32_t);
  *chunk_index += sealed_.capacity() == 0 ? 0 : 8 + sealed_.capacity() * sizeof(HeadChunk);
  *chunk_data += open_.capacity();
  for (const HeadChunk& c : sealed_) *chunk_data += 2 + c.bytes().size();
}

}  // namespace kubescrape::tsdb
