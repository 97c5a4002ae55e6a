#pragma once
// Per-target metric metadata (HELP, TYPE, UNIT of each metric family), kept
// as Prometheus's scrape cache keeps it for /api/v1/metadata and
// /api/v1/targets/metadata: an entry per family name seen in the target's
// bodies, type "unknown" until a TYPE line says otherwise, forgotten 10
// scrapes after the family last appeared.
//
// MetadataTracker is written by its scrape loop (BeginScrape, On*,
// EndScrape) and read by API threads through Snapshot(), an immutable copy
// republished only when something changed, so steady-state scrapes copy
// nothing.
//
// Thread-safety: the On*/Begin/End calls from one thread; Snapshot() from any.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "scraper/textparse.h"

namespace kubescrape::scraper {

struct MetricMetadata {
  std::string type = "unknown";  // MetricTypeName(): "counter", "gauge", ...
  std::string help;
  std::string unit;
  friend bool operator==(const MetricMetadata&, const MetricMetadata&) = default;
};

using MetadataMap = std::map<std::string, MetricMetadata, std::less<>>;

class MetadataTracker {
 public:
  // Scrapes after its last appearance before a family is forgotten.
  static constexpr uint64_t kKeepScrapes = 10;

  void BeginScrape() { ++iteration_; }
  void OnType(std::string_view name, MetricType type);
  void OnHelp(std::string_view name, std::string_view help);
  void OnUnit(std::string_view name, std::string_view unit);
  // Forgets stale families and publishes a new snapshot if anything changed.
  void EndScrape();

  // The metadata as of the last EndScrape (never null).
  std::shared_ptr<const MetadataMap> Snapshot() const;

 private:
  struct Entry {
    MetricMetadata meta;
    uint64_t last_seen = 0;
  };
  Entry& Touch(std::string_view name);

  std::map<std::string, Entry, std::less<>> entries_;  // loop thread only
  uint64_t iteration_ = 0;
  bool changed_ = false;

  mutable std::mutex mu_;
  std::shared_ptr<const MetadataMap> snapshot_ = std::make_shared<MetadataMap>();  // guarded by mu_
};

}  // namespace kubescrape::scraper
