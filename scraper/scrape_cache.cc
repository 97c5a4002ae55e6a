#include "scraper/scrape_cache.h"

namespace kubescrape::scraper {

ScrapeCache::Entry* ScrapeCache::Find(std::string_view raw) {
  auto it = index_.find(raw);
  return it == index_.end() ? nullptr : &entries_[it->second];
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
  index_.emplace(std::string(raw), slot);
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
  for (auto it = index_.begin(); it != index_.end();) {
    Entry& e = entries_[it->second];
    if (e.seen_iter != iter_) {
      e = Entry{};
      free_.push_back(it->second);
      it = index_.erase(it);
    } else {
      ++it;
    }
  }
  std::erase_if(dropped_, [this](const auto& kv) { return kv.second != iter_; });
}

}  // namespace kubescrape::scraper
