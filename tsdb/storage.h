#pragma once
// The storage seam: what scraping writes through (Appender) and queries read
// through (Querier). Interfaces only; the TSDB and MemoryStorage (tests)
// implement them.
//
// Contracts (Prometheus's, proven at scale):
//  - An Appender is one batch, typically one scrape: not thread-safe, used by
//    one caller, ended by exactly one Commit() or Rollback().
//  - Append() returns a series reference the caller may pass back on later
//    appends of the same series (0 = "look it up by labels"). Rejections
//    (out of order, out of bounds, duplicate) are reported per sample and are
//    not fatal to the batch.
//  - A Querier reads a consistent view of [mint, maxt] (inclusive, ms) taken
//    when it was made: samples committed later may or may not appear, but a
//    series never shows half of a commit. It is used by one caller at a
//    time; SeriesSets and iterators it returns must not outlive it.
//  - A Storage is thread-safe: many appenders and queriers may be open at once.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/labels.h"
#include "model/matcher.h"
#include "util/status.h"

namespace kubescrape::tsdb {

// Identifies a series within one Storage; 0 is "unknown".
using SeriesRef = uint64_t;

enum class AppendError : uint8_t {
  kNone = 0,
  kOutOfOrder,        // older than the series' newest sample
  kOutOfBounds,       // outside the time range the storage accepts
  kDuplicateSample,   // same timestamp as the newest sample, different value
  kUnknownRef,        // a ref without labels that the storage does not (or no longer) know
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
  // then skip the lookup. With a non-zero `ref`, `labels` may be empty (a
  // caller that keeps refs, not label sets): a ref the storage does not know
  // (e.g. the series was garbage-collected) then fails with kUnknownRef and
  // ref 0, and the caller retries with the labels. A sample equal in time
  // and value to the newest one is accepted and ignored. `t` is milliseconds
  // since the Unix epoch.
  // REQUIRES: labels non-empty with a __name__, or empty with ref != 0.
  virtual AppendResult Append(SeriesRef ref, const model::Labels& labels, int64_t t, double v) = 0;

  // Hints that `ref` is about to be appended (a scrape cache predicts the
  // order of a scrape's series). Called in two stages for each ref: kFar
  // some 16 appends ahead, kNear some 8 ahead, so the storage can fetch its
  // lookup structures level by level. Never required; the default ignores it.
  enum class PrefetchStage : uint8_t { kFar, kNear };
  virtual void Prefetch(SeriesRef ref, PrefetchStage stage) {
    (void)ref;
    (void)stage;
  }

  // Makes the batch durable (as the storage promises) and visible.
  [[nodiscard]] virtual util::Status Commit() = 0;

  // Discards the batch.
  virtual void Rollback() = 0;
};

struct Sample {
  int64_t t;
  double v;
};

// The samples of one series in time order, decoded lazily.
class SampleIterator {
 public:
  virtual ~SampleIterator() = default;
  // Moves to the next sample; false at the end or on error (see status()).
  virtual bool Next() = 0;
  // Moves to the first sample with timestamp >= t; stays when the current
  // one qualifies. False when there is none. May be called before Next().
  virtual bool Seek(int64_t t) = 0;
  // The current sample. REQUIRES: the last Next()/Seek() returned true.
  virtual int64_t t() const = 0;
  virtual double v() const = 0;
  virtual util::Status status() const = 0;
  // Moves forward as Next() would, up to out.size() times, storing each
  // sample it moves to; returns how many. A full batch leaves the iterator
  // on the last sample stored; a short one means Next() returned false (the
  // end, or an error: see status()). One call instead of three per sample:
  // decoders override it with a tight loop.
  virtual size_t NextBatch(std::span<Sample> out) {
    size_t n = 0;
    while (n < out.size() && Next()) out[n++] = Sample{t(), v()};
    return n;
  }
};

// The series a Select() found, sorted by labels.
class SeriesSet {
 public:
  virtual ~SeriesSet() = default;
  // Moves to the next series; false at the end or on error (see status()).
  virtual bool Next() = 0;
  // The current series. REQUIRES: the last Next() returned true. The labels
  // stay valid until the next Next().
  virtual const model::Labels& labels() const = 0;
  // The current series' samples within the querier's [mint, maxt].
  virtual std::unique_ptr<SampleIterator> Samples() const = 0;
  virtual util::Status status() const = 0;
};

class Querier {
 public:
  virtual ~Querier() = default;
  // The series with a sample in [mint, maxt] whose labels satisfy every
  // matcher (an absent label has the value ""), sorted by labels.
  // REQUIRES: matchers outlive the returned set.
  virtual std::unique_ptr<SeriesSet> Select(std::span<const model::Matcher> matchers) = 0;
  // Sorted, unique label names of the selected series (all series when
  // `matchers` is empty) with a sample in [mint, maxt].
  virtual util::StatusOr<std::vector<std::string>> LabelNames(std::span<const model::Matcher> matchers) = 0;
  // Sorted, unique non-empty values of label `name` of those series.
  virtual util::StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                               std::span<const model::Matcher> matchers) = 0;
};

class Storage {
 public:
  virtual ~Storage() = default;
  virtual std::unique_ptr<Appender> NewAppender() = 0;
  // A view of [mint, maxt] (milliseconds, inclusive).
  virtual util::StatusOr<std::unique_ptr<Querier>> NewQuerier(int64_t mint, int64_t maxt) = 0;
};

}  // namespace kubescrape::tsdb
