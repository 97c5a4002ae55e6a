#pragma once
// MemoryStorage: a Storage that keeps every committed sample in memory, with
// the head's append rules (out of order, duplicate, same-value no-op).
// For tests and for running the scraper before the real store exists; it is
// not the product's store (no compression, no WAL, no limits). Its Querier
// copies the matching data when made (simple, not fast).
//
// Thread-safety: thread-safe; appenders may run concurrently.

#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "tsdb/storage.h"

namespace kubescrape::tsdb {

class MemoryStorage final : public Storage {
 public:
  std::unique_ptr<Appender> NewAppender() override;
  util::StatusOr<std::unique_ptr<Querier>> NewQuerier(int64_t mint, int64_t maxt) override;

  // The committed samples of every series, by labels.
  std::map<model::Labels, std::vector<Sample>> Snapshot() const;
  // The committed samples of one series (empty when unknown).
  std::vector<Sample> SamplesOf(const model::Labels& labels) const;
  size_t NumSeries() const;
  uint64_t commits() const;

 private:
  friend class MemoryAppender;
  struct Series {
    model::Labels labels;
    std::vector<Sample> samples;
  };

  mutable std::mutex mu_;
  std::vector<Series> series_;                                      // guarded by mu_; ref = index + 1
  std::unordered_map<model::Labels, SeriesRef, model::LabelsHash> refs_;  // guarded by mu_
  uint64_t commits_ = 0;                                            // guarded by mu_
};

}  // namespace kubescrape::tsdb
