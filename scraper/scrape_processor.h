#pragma once
// ScrapeProcessor: everything a scrape does between "the body arrived" (or
// "the fetch failed") and "the samples are committed", for one target, as
// Prometheus's scrapeLoop.append + report do it:
//
//   parse -> scrape cache (raw bytes -> ref, labels) -> on a miss: target
//   labels (honor_labels / exported_*), metric_relabel_configs, name and
//   label-limit checks -> sample_limit -> Append -> staleness markers for
//   series that vanished -> synthetic series (up, scrape_*) -> Commit.
//
// A failed scrape (fetch error, bad Content-Type, parse error, limits) keeps
// none of its samples, writes stale markers for every series of the last
// good scrape, and reports up=0 with the error.
//
// Pure over memory: no sockets, no timers; time comes from the caller and
// the injected Clock (for scrape_duration_seconds).
//
// Thread-safety: none; confined to the target's scrape loop. The config is
// shared read-only; `storage` and `clock` must outlive the processor.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/labels.h"
#include "model/labels_builder.h"
#include "scraper/config.h"
#include "scraper/metadata.h"
#include "scraper/scrape_cache.h"
#include "scraper/target.h"
#include "scraper/textparse.h"
#include "tsdb/storage.h"
#include "util/clock.h"
#include "util/status.h"

namespace kubescrape::scraper {

// What the fetch produced.
struct FetchedBody {
  std::string_view content_type;
  std::string_view body;  // uncompressed
};

// The outcome of one scrape, for the target's health and the targets API.
struct ScrapeReport {
  util::Status error;            // OK when up == 1
  std::string warning;           // e.g. the fallback protocol was used
  int64_t timestamp_ms = 0;      // scrape start, the samples' default timestamp
  double duration_seconds = 0;
  uint64_t samples_scraped = 0;          // sample lines parsed
  uint64_t samples_post_relabeling = 0;  // kept by metric relabeling
  uint64_t series_added = 0;             // new to the scrape cache
  uint64_t out_of_order = 0;
  uint64_t duplicate_timestamp = 0;      // same series twice, or same time other value
  uint64_t out_of_bounds = 0;
  uint64_t stale_markers = 0;
  bool up() const { return error.ok(); }
};

class ScrapeProcessor {
 public:
  ScrapeProcessor(std::shared_ptr<const ScrapeConfig> config, model::Labels target_series_labels,
                  tsdb::Storage& storage, const util::Clock& clock);
  ScrapeProcessor(const ScrapeProcessor&) = delete;
  ScrapeProcessor& operator=(const ScrapeProcessor&) = delete;

  // Processes one scrape that started at `start`; `fetched` is the body or
  // the fetch error. Appends and commits the samples, the stale markers and
  // the synthetic series in one batch.
  ScrapeReport Process(util::Clock::TimePoint start, const util::StatusOr<FetchedBody>& fetched);

  // The target is gone: stale markers at `t_ms` for every series of the last
  // scrape and for the synthetic series (Prometheus's end-of-run staleness).
  void MarkAllStale(int64_t t_ms);

  // Takes a new config whose sample processing is unchanged (see
  // SameSampleProcessing); keeps the cache.
  void SetConfig(std::shared_ptr<const ScrapeConfig> config) { config_ = std::move(config); }

  const ScrapeCache& cache() const { return cache_; }
  // The target's metric metadata; thread-safe.
  std::shared_ptr<const MetadataMap> Metadata() const { return metadata_.Snapshot(); }

 private:
  util::Status AppendBody(const FetchedBody& fetched, int64_t t, tsdb::Appender& app, ScrapeReport* report);
  util::Status AppendNewSeries(TextParser& parser, std::string_view raw, int64_t t, double v, bool tracked,
                               tsdb::Appender& app, ScrapeReport* report);
  // The final labels of the parser's current series (target labels, metric
  // relabeling, validation, label limits) into *out. False: relabeling
  // dropped it. Errors fail the scrape.
  util::StatusOr<bool> SeriesLabels(TextParser& parser, model::Labels* out);
  void BuildSampleLabels();
  void AppendStaleMarkers(bool success, int64_t t, tsdb::Appender& app, ScrapeReport* report);
  void AppendReport(tsdb::Appender& app, int64_t t, const ScrapeReport& report);

  std::shared_ptr<const ScrapeConfig> config_;
  const model::Labels target_labels_;  // public target labels: job, instance, ...
  tsdb::Storage& storage_;
  const util::Clock& clock_;

  ScrapeCache cache_;
  MetadataTracker metadata_;
  TextParser parser_;
  // Synthetic series: labels and refs, in the order of kReportNames.
  std::vector<model::Labels> report_labels_;
  std::vector<tsdb::SeriesRef> report_refs_;
  bool reported_ = false;
  // Scratch, reused across scrapes.
  std::vector<model::Label> parsed_;
  model::Labels scraped_;
  model::LabelsBuilder lb_;
  bool sample_limit_hit_ = false;
};

// Whether two configs process samples identically (metric relabeling,
// honor_labels/timestamps, limits, validation): a reload between them can
// keep the targets' scrape caches.
bool SameSampleProcessing(const ScrapeConfig& a, const ScrapeConfig& b);

}  // namespace kubescrape::scraper
