#pragma once
// The storage seam: what scraping writes through and queries read through.
// Interfaces only; tsdb::Head (the storage issue) and MemoryStorage (tests)
// implement them.
//
// Contracts (Prometheus's, proven at scale):
//  - An Appender is one batch, typically one scrape: not thread-safe, used by
//    one caller, ended by exactly one Commit() or Rollback().
//  - Append() returns a series reference the caller may pass back on later
//    appends of the same series (0 = "look it up by labels"). Rejections
//    (out of order, out of bounds, duplicate) are reported per sample and are
//    not fatal to the batch.
//  - A Storage is thread-safe: many appenders may be open at once.

#include <cstdint>
#include <memory>
#include <string_view>

#include "model/labels.h"
#include "util/status.h"

namespace kubescrape::tsdb {

// Identifies a series within one Storage; 0 is "unknown".
using SeriesRef = uint64_t;

enum class AppendError : uint8_t {
  kNone = 0,
  kOutOfOrder,        // older than the series' newest sample
  kOutOfBounds,       // outside the time range the storage accepts
  kDuplicateSample,   // same timestamp as the newest sample, different value
};

std::string_view AppendErrorName(AppendError e);

struct AppendResult {
  SeriesRef ref = 0;  // valid whenever the series exists (also on rejection)
  AppendError error = AppendError::kNone;
};

class Appender {
 public:
  virtual ~Appender() = default;

  // Appends (t, v) to the series `labels`. When `ref` is non-zero it must be
  // a reference this storage returned for the same labels; the storage may
  // then skip the lookup. A sample equal in time and value to the newest one
  // is accepted and ignored. `t` is milliseconds since the Unix epoch.
  // REQUIRES: labels non-empty with a __name__.
  virtual AppendResult Append(SeriesRef ref, const model::Labels& labels, int64_t t, double v) = 0;

  // Makes the batch durable (as the storage promises) and visible.
  [[nodiscard]] virtual util::Status Commit() = 0;

  // Discards the batch.
  virtual void Rollback() = 0;
};

class Storage {
 public:
  virtual ~Storage() = default;
  virtual std::unique_ptr<Appender> NewAppender() = 0;
};

}  // namespace kubescrape::tsdb
