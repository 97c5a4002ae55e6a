#include "scraper/scrape_cache.h"

namespace kubescrape::scraper {

ScrapeCache::Entry* ScrapeCache::Find(std::string_view raw) {
  if (next_ < last_order_.size()) {
    const uint32_t slot = last_order_[next_];
    Entry& e = entries_[slot];
    if (e.live && *e.raw == raw) {
      ++next_;
      cur_order_.push_back(slot);
      return &e;
    }
  }
  auto it = index_.find(raw);
  if (it == index_.end()) return nullptr;
  Entry& e = entries_[it->second];
  if (e.last_pos != kNoPos) next_ = e.last_pos + 1;  // resynchronise
  cur_order_.push_back(it->second);
  return &e;
}

ScrapeCache::Entry* ScrapeCache::Add(std::string_view raw, tsdb::SeriesRef ref, model::Labels labels) {
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
  e.labels = std::move(labels);
  e.live = true;
  e.raw = &index_.emplace(std::string(raw), slot).first->first;
  cur_order_.push_back(slot);
  return &e;
}

bool ScrapeCache::IsDropped(std::string_view raw) {
  auto it = dropped_.find(raw);
  if (it == dropped_.end()) return false;
  it->second = iter_;
  return true;
}

void ScrapeCache::AddDropped(std::string_view raw) { dropped_.emplace(std::string(raw), iter_); }

void ScrapeCache::Evict() {
  // A pass over the slots (sequential memory); the index is touched only
  // for what goes.
  for (uint32_t slot = 0; slot < entries_.size(); ++slot) {
    Entry& e = entries_[slot];
    if (!e.live || e.seen_iter == iter_) continue;
    index_.erase(index_.find(*e.raw));
    e = Entry{};
    free_.push_back(slot);
  }
  std::erase_if(dropped_, [this](const auto& kv) { return kv.second != iter_; });
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
