#include "tsdb/wal_checkpoint.h"

#include <vector>

#include "tsdb/record.h"
#include "tsdb/wal.h"
#include "tsdb/wal_format.h"
#include "tsdb/wal_reader.h"

namespace kubescrape::tsdb {
namespace {

using namespace wal_format;  // NOLINT: the format's constants

constexpr size_t kMaxSeriesPerRecord = 10000;
constexpr size_t kMaxSamplesPerRecord = 100000;

// Filters records into the checkpoint's WAL, merging runs of records of the
// same type and keeping their order (series before the samples after them).
class CheckpointFilter {
 public:
  CheckpointFilter(Wal& out, const std::function<bool(SeriesRef)>& keep, int64_t mint, CheckpointStats& stats)
      : out_(out), keep_(keep), mint_(mint), stats_(stats) {}

  util::Status Add(std::string_view record) {
    switch (GetRecordType(record)) {
      case RecordType::kSeries:
        decoded_series_.clear();
        KS_RETURN_IF_ERROR(DecodeSeries(record, &decoded_series_));
        KS_RETURN_IF_ERROR(FlushSamples());
        for (RefSeries& s : decoded_series_) {
          if (keep_(s.ref)) {
            series_.push_back(std::move(s));
            ++stats_.series_kept;
          } else {
            ++stats_.series_dropped;
          }
        }
        if (series_.size() >= kMaxSeriesPerRecord) KS_RETURN_IF_ERROR(FlushSeries());
        return util::Status::Ok();
      case RecordType::kSamples:
        decoded_samples_.clear();
        KS_RETURN_IF_ERROR(DecodeSamples(record, &decoded_samples_));
        KS_RETURN_IF_ERROR(FlushSeries());
        for (const RefSample& s : decoded_samples_) {
          if (s.t >= mint_) {
            samples_.push_back(s);
            ++stats_.samples_kept;
          } else {
            ++stats_.samples_dropped;
          }
        }
        if (samples_.size() >= kMaxSamplesPerRecord) KS_RETURN_IF_ERROR(FlushSamples());
        return util::Status::Ok();
      case RecordType::kUnknown:
        ++stats_.records_dropped;
        return util::Status::Ok();
    }
    return util::Status::Ok();
  }

  util::Status Flush() {
    KS_RETURN_IF_ERROR(FlushSeries());
    return FlushSamples();
  }

 private:
  util::Status FlushSeries() {
    if (series_.empty()) return util::Status::Ok();
    EncodeSeries(series_, &buf_);
    series_.clear();
    return out_.Log(buf_);
  }
  util::Status FlushSamples() {
    if (samples_.empty()) return util::Status::Ok();
    EncodeSamples(samples_, &buf_);
    samples_.clear();
    return out_.Log(buf_);
  }

  Wal& out_;
  const std::function<bool(SeriesRef)>& keep_;
  const int64_t mint_;
  CheckpointStats& stats_;
  std::vector<RefSeries> series_, decoded_series_;
  std::vector<RefSample> samples_, decoded_samples_;
  std::string buf_;
};

util::Status Prefixed(const util::Status& s, std::string_view prefix) {
  return s.ok() ? s : s.WithPrefix(prefix);
}

util::Status CopyRecords(util::FileSystem& fs, const std::string& dir, uint64_t first, uint64_t last,
                         CheckpointFilter& filter) {
  KS_ASSIGN_OR_RETURN(std::unique_ptr<WalReader> reader, WalReader::Open(fs, dir, first, last));
  while (reader->Next()) KS_RETURN_IF_ERROR(filter.Add(reader->record()));
  return reader->status();
}

}  // namespace

util::StatusOr<CheckpointStats> WriteCheckpoint(util::FileSystem& fs, const std::string& dir,
                                                uint64_t last_segment,
                                                const std::function<bool(SeriesRef)>& keep_series,
                                                int64_t mint) {
  KS_ASSIGN_OR_RETURN(std::optional<uint64_t> previous, LastCheckpoint(fs, dir));
  if (previous && *previous >= last_segment) {
    return util::FailedPreconditionError("WAL checkpoint " + CheckpointName(*previous) + " in " + dir +
                                         " already covers segment " + SegmentName(last_segment));
  }
  if (!fs.Exists(dir + "/" + SegmentName(last_segment))) {
    return util::FailedPreconditionError("WAL segment " + dir + "/" + SegmentName(last_segment) +
                                         " does not exist");
  }
  const std::string final_dir = dir + "/" + CheckpointName(last_segment);
  const std::string tmp_dir = final_dir + ".tmp";
  KS_RETURN_IF_ERROR(fs.RemoveAll(tmp_dir));

  CheckpointStats stats;
  {
    KS_ASSIGN_OR_RETURN(std::unique_ptr<Wal> out, Wal::Open(fs, tmp_dir));
    CheckpointFilter filter(*out, keep_series, mint, stats);
    if (previous) {
      KS_RETURN_IF_ERROR(Prefixed(CopyRecords(fs, dir + "/" + CheckpointName(*previous), 0, UINT64_MAX, filter),
                                  "reading the previous WAL checkpoint"));
    }
    KS_RETURN_IF_ERROR(
        Prefixed(CopyRecords(fs, dir, previous ? *previous + 1 : 0, last_segment, filter), "WAL checkpoint"));
    KS_RETURN_IF_ERROR(filter.Flush());
    KS_RETURN_IF_ERROR(out->Close());
  }
  KS_RETURN_IF_ERROR(fs.Rename(tmp_dir, final_dir));
  KS_RETURN_IF_ERROR(fs.SyncDir(dir));
  return stats;
}

util::Status DeleteCheckpointedSegments(util::FileSystem& fs, const std::string& dir, uint64_t checkpoint) {
  KS_ASSIGN_OR_RETURN(std::vector<std::string> names, fs.ListDir(dir));
  // Segments lowest first: if interrupted, the rest are still ignored by
  // replay (it starts after the checkpoint).
  for (const std::string& name : names) {
    std::optional<uint64_t> index = ParseSegmentName(name);
    if (index && *index <= checkpoint) KS_RETURN_IF_ERROR(fs.RemoveFile(dir + "/" + name));
  }
  for (const std::string& name : names) {
    std::optional<uint64_t> index = ParseCheckpointName(name);
    if (index && *index < checkpoint) KS_RETURN_IF_ERROR(fs.RemoveAll(dir + "/" + name));
  }
  return fs.SyncDir(dir);
}

}  // namespace kubescrape::tsdb
