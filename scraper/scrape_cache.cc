#include "scraper/scrape_cache.h"

#include <limits>

namespace kubescrape::scraper {

ScrapeCache::Entry* ScrapeCache::Find(std::string_view raw) {
  if (next_ < last_order_.size()) {
    const uint32_t slot = last_order_[next_];
    Entry& e = entries_[slot];
    if (e.live && Matches(e, raw)) {
      ++next_;
      cur_order_.push_back(slot);
      return &e;
    }
  }
  if (live_ == 0) return nullptr;
  const uint32_t slot = IndexFind(raw, HashOf(raw));
  if (slot == kNoPos) return nullptr;
  Entry& e = entries_[slot];
  if (e.last_pos != kNoPos) next_ = e.last_pos + 1;  // resynchronise
  cur_order_.push_back(slot);
  return &e;
}

ScrapeCache::Entry* ScrapeCache::Add(std::string_view raw, tsdb::SeriesRef ref) {
  uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<uint32_t>(entries_.size());
    entries_.emplace_back();
  }
  Entry& e = entries_[slot];
  e = Entry{};
  e.ref = ref;
  e.live = true;
  e.raw_offset = static_cast<uint32_t>(arena_.size());
  e.raw_size = static_cast<uint32_t>(raw.size());
  e.hash = HashOf(raw);
  arena_.append(raw);
  ++live_;
  added_ = true;
  if ((live_ + 1) * 2 > index_.size()) {
    RebuildIndex(std::max<size_t>(16, index_.size() * 2));
  } else {
    IndexInsert(slot);
  }
  cur_order_.push_back(slot);
  return &e;
}

uint32_t ScrapeCache::IndexFind(std::string_view raw, uint32_t hash) const {
  const size_t mask = index_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const uint32_t v = index_[i];
    if (v == 0) return kNoPos;
    const Entry& e = entries_[v - 1];
    if (e.hash == hash && Matches(e, raw)) return v - 1;
  }
}

void ScrapeCache::IndexInsert(uint32_t slot) {
  const size_t mask = index_.size() - 1;
  size_t i = entries_[slot].hash & mask;
  while (index_[i] != 0) i = (i + 1) & mask;
  index_[i] = slot + 1;
}

void ScrapeCache::RebuildIndex(size_t capacity) {
  index_.assign(capacity, 0);
  for (uint32_t slot = 0; slot < entries_.size(); ++slot) {
    if (entries_[slot].live) IndexInsert(slot);
  }
}

bool ScrapeCache::IsDropped(std::string_view raw) {
  auto it = dropped_.find(raw);
  if (it == dropped_.end()) return false;
  it->second = iter_;
  return true;
}

void ScrapeCache::AddDropped(std::string_view raw) { dropped_.emplace(std::string(raw), iter_); }

void ScrapeCache::Evict() {
  // A pass over the slots (sequential memory); the index is rebuilt only
  // when something went (series churn, not the steady state).
  bool evicted = false;
  for (uint32_t slot = 0; slot < entries_.size(); ++slot) {
    Entry& e = entries_[slot];
    if (!e.live || e.seen_iter == iter_) continue;
    dead_bytes_ += e.raw_size;
    e = Entry{};
    free_.push_back(slot);
    --live_;
    evicted = true;
  }
  if (evicted) {
    size_t capacity = 16;
    while (capacity < (live_ + 1) * 2) capacity *= 2;
    RebuildIndex(capacity);
    if (dead_bytes_ > 4096 && dead_bytes_ * 2 > arena_.size()) CompactArena();
  }
  std::erase_if(dropped_, [this](const auto& kv) { return kv.second != iter_; });
}

void ScrapeCache::CompactArena() {
  std::string packed;
  packed.reserve(arena_.size() - dead_bytes_);
  auto move = [&](Entry& e) {
    const uint32_t offset = static_cast<uint32_t>(packed.size());
    packed.append(arena_, e.raw_offset, e.raw_size);
    e.raw_offset = offset;
  };
  // This scrape's order first (the next scrape reads the bytes in it), then
  // any live entry it did not reach (it saw every live one: evicted are not).
  std::vector<bool> moved(entries_.size(), false);
  for (uint32_t slot : cur_order_) {
    if (slot < entries_.size() && entries_[slot].live && !moved[slot]) {
      move(entries_[slot]);
      moved[slot] = true;
    }
  }
  for (uint32_t slot = 0; slot < entries_.size(); ++slot) {
    if (entries_[slot].live && !moved[slot]) move(entries_[slot]);
  }
  arena_.swap(packed);
  dead_bytes_ = 0;
}

void ScrapeCache::Trim() {
  auto trim = [](auto& v) {
    if (v.capacity() - v.size() > v.size() / 4 + 16) v.shrink_to_fit();
  };
  trim(arena_);
  trim(entries_);
  trim(last_order_);
  trim(free_);
}

size_t ScrapeCache::MemoryBytes() const {
  return entries_.capacity() * sizeof(Entry) + arena_.capacity() + index_.capacity() * sizeof(uint32_t) +
         (last_order_.capacity() + cur_order_.capacity() + free_.capacity()) * sizeof(uint32_t);
}

void ScrapeCache::FinishOrder(bool success) {
  if (success) {
    for (uint32_t slot : last_order_) {
      if (slot < entries_.size()) entries_[slot].last_pos = kNoPos;
    }
    last_order_.swap(cur_order_);
    for (uint32_t i = 0; i < last_order_.size(); ++i) {
      Entry& e = entries_[last_order_[i]];
      if (e.last_pos == kNoPos) e.last_pos = i;  // a series found twice keeps its first place
    }
  }
  cur_order_.clear();
  next_ = 0;
}

}  // namespace kubescrape::scraper
