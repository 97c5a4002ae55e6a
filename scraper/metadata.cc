#include "scraper/metadata.h"

namespace kubescrape::scraper {

MetadataTracker::Entry& MetadataTracker::Touch(std::string_view name) {
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    it = entries_.emplace(std::string(name), Entry{}).first;
    changed_ = true;
  }
  it->second.last_seen = iteration_;
  return it->second;
}

void MetadataTracker::OnType(std::string_view name, MetricType type) {
  Entry& e = Touch(name);
  const std::string_view t = MetricTypeName(type);
  if (e.meta.type != t) {
    e.meta.type = std::string(t);
    changed_ = true;
  }
}

void MetadataTracker::OnHelp(std::string_view name, std::string_view help) {
  Entry& e = Touch(name);
  if (e.meta.help != help) {
    e.meta.help = std::string(help);
    changed_ = true;
  }
}

void MetadataTracker::OnUnit(std::string_view name, std::string_view unit) {
  Entry& e = Touch(name);
  if (e.meta.unit != unit) {
    e.meta.unit = std::string(unit);
    changed_ = true;
  }
}

void MetadataTracker::EndScrape() {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (iteration_ - it->second.last_seen > kKeepScrapes) {
      it = entries_.erase(it);
      changed_ = true;
    } else {
      ++it;
    }
  }
  if (!changed_) return;
  changed_ = false;
  auto snap = std::make_shared<MetadataMap>();
  for (const auto& [name, e] : entries_) snap->emplace_hint(snap->end(), name, e.meta);
  std::lock_guard<std::mutex> lock(mu_);
  snapshot_ = std::move(snap);
}

std::shared_ptr<const MetadataMap> MetadataTracker::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return snapshot_;
}

}  // namespace kubescrape::scraper
