#include "tsdb/symbols.h"

#include <cassert>
#include <cstdlib>
#include <cstring>
#include <new>

namespace kubescrape::tsdb {

SymbolTable::SymbolTable() : segments_(new std::atomic<Entry*>[kMaxSegments]) {
  for (size_t i = 0; i < kMaxSegments; ++i) segments_[i].store(nullptr, std::memory_order_relaxed);
}

SymbolTable::~SymbolTable() {
  for (size_t i = 0; i < num_segments_; ++i) {
    Entry* seg = segments_[i].load(std::memory_order_relaxed);
    for (uint32_t j = 0; j <= kSegmentMask; ++j) std::free(const_cast<char*>(seg[j].data));
    delete[] seg;
  }
}

SymbolTable::Id SymbolTable::InternLocked(std::string_view s) {
  auto it = index_.find(s);
  if (it != index_.end()) {
    ++At(it->second).refs;
    return it->second;
  }
  Id id;
  if (!free_ids_.empty()) {
    id = free_ids_.back();
    free_ids_.pop_back();
  } else {
    id = next_id_++;
    if ((id >> kSegmentBits) >= num_segments_) {
      // Cannot happen below 2^28 live strings (about 100x a large head).
      if (num_segments_ == kMaxSegments) std::abort();
      segments_[num_segments_].store(new Entry[kSegmentMask + 1], std::memory_order_release);
      ++num_segments_;
    }
  }
  char* data = nullptr;
  if (!s.empty()) {
    data = static_cast<char*>(std::malloc(s.size()));
    if (data == nullptr) throw std::bad_alloc();
    std::memcpy(data, s.data(), s.size());
  }
  Entry& e = At(id);
  e.data = data;
  e.size = static_cast<uint32_t>(s.size());
  e.refs = 1;
  index_.emplace(std::string_view(data, s.size()), id);
  string_bytes_ += s.size();
  return id;
}

void SymbolTable::InternLabels(const model::Labels& labels, std::span<Id> out) {
  assert(out.size() == 2 * labels.size());
  std::lock_guard<std::mutex> lock(mu_);
  size_t i = 0;
  for (const model::Label& l : labels) {
    out[i++] = InternLocked(l.name);
    out[i++] = InternLocked(l.value);
  }
}

void SymbolTable::Release(std::span<const Id> ids) {
  std::lock_guard<std::mutex> lock(mu_);
  for (Id id : ids) {
    Entry& e = At(id);
    assert(e.refs > 0);
    if (--e.refs > 0) continue;
    index_.erase(std::string_view(e.data, e.size));
    string_bytes_ -= e.size;
    std::free(const_cast<char*>(e.data));
    e.data = nullptr;
    e.size = 0;
    free_ids_.push_back(id);
  }
}

size_t SymbolTable::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return index_.size();
}

size_t SymbolTable::MemoryBytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  // Strings, segment tables, the index's nodes and buckets (an estimate).
  return string_bytes_ + num_segments_ * (kSegmentMask + 1) * sizeof(Entry) + kMaxSegments * sizeof(void*) +
         index_.size() * (sizeof(std::string_view) + sizeof(Id) + 2 * sizeof(void*)) +
         index_.bucket_count() * sizeof(void*) + free_ids_.capacity() * sizeof(Id);
}

}  // namespace kubescrape::tsdb
