// Db and its WAL: logging each commit, and rebuilding the head from the log
// on open (see db.h).
#include "tsdb/db_wal.h"

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "tsdb/record.h"
#include "util/logging.h"

namespace kubescrape::tsdb {

util::Status Db::WalLogger::Log(std::span<const RefSeries> series,
                                std::span<const RefSample> samples) {
  if (series.empty() && samples.empty()) return util::Status::Ok();
  if (wal_ == nullptr) return util::FailedPreconditionError("tsdb: the WAL is not open");
  // Per thread, so committers reuse their buffers without sharing them.
  thread_local std::string series_buf;
  thread_local std::string samples_buf;
  std::string_view records[2];
  size_t n = 0;
  if (!series.empty()) {
    EncodeSeries(series, &series_buf);
    records[n++] = series_buf;
  }
  if (!samples.empty()) {
    EncodeSamples(samples, &samples_buf);
    records[n++] = samples_buf;
  }
  KS_RETURN_IF_ERROR(wal_->Log(std::span<const std::string_view>(records, n)));
  batches_.fetch_add(1, std::memory_order_relaxed);
  return util::Status::Ok();
}

namespace {

// Applies records in log order. A sample may precede the record of its
// series (a batch still open created the series when another batch
// committed samples to it; see head.h): such samples wait in `pending`
// until the series record arrives.
class Replayer {
 public:
  Replayer(Head& head, DbReplayStats& stats) : head_(head), stats_(stats) {}

  util::Status Apply(std::string_view record) {
    ++stats_.records;
    switch (GetRecordType(record)) {
      case RecordType::kSeries:
        series_.clear();
        KS_RETURN_IF_ERROR(DecodeSeries(record, &series_));
        stats_.series += series_.size();
        head_.ReplaySeries(series_);
        for (const RefSeries& s : series_) {
          known_.insert(s.ref);
          if (pending_.empty()) continue;
          auto it = pending_.find(s.ref);
          if (it == pending_.end()) continue;
          head_.ReplaySamples(it->second);
          pending_.erase(it);
        }
        return util::Status::Ok();
      case RecordType::kSamples: {
        samples_.clear();
        KS_RETURN_IF_ERROR(DecodeSamples(record, &samples_));
        stats_.samples += samples_.size();
        if (head_.ReplaySamples(samples_) == 0) return util::Status::Ok();
        for (const RefSample& s : samples_) {
          if (!known_.contains(s.ref)) pending_[s.ref].push_back(s);
        }
        return util::Status::Ok();
      }
      case RecordType::kUnknown:
        if (stats_.unknown_records++ == 0) first_unknown_type_ = RawRecordType(record);
        return util::Status::Ok();
    }
    return util::Status::Ok();
  }

  // Counts and logs what never found its series.
  void Finish() {
    for (const auto& [ref, samples] : pending_) stats_.orphan_samples += samples.size();
    if (stats_.unknown_records > 0) {
      util::log::Warn("Skipped WAL records of unknown type",
                      {{"records", static_cast<unsigned long>(stats_.unknown_records)},
                       {"first_type", static_cast<unsigned>(first_unknown_type_)}});
    }
    if (stats_.orphan_samples > 0) {
      util::log::Warn("Dropped WAL samples of unknown series",
                      {{"samples", static_cast<unsigned long>(stats_.orphan_samples)},
                       {"series", static_cast<unsigned long>(pending_.size())}});
    }
  }

 private:
  Head& head_;
  DbReplayStats& stats_;
  std::vector<RefSeries> series_;
  std::vector<RefSample> samples_;
  std::unordered_set<SeriesRef> known_;
  std::unordered_map<SeriesRef, std::vector<RefSample>> pending_;
  uint8_t first_unknown_type_ = 0;
};

}  // namespace

util::Status Db::Replay() {
  const auto start = std::chrono::steady_clock::now();
  Replayer replayer(*head_, replay_stats_);
  const Wal::RecordFn apply = [&replayer](std::string_view record) {
    return replayer.Apply(record);
  };
  KS_ASSIGN_OR_RETURN(wal_, Wal::Open(fs_, util::JoinDir(dir_, "wal"), options_.wal, apply));
  replayer.Finish();
  replay_stats_.repaired = !wal_->stats().replay.corruption.ok();
  replay_stats_.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  return util::Status::Ok();
}

}  // namespace kubescrape::tsdb
