// RepairWal, LastCheckpoint and ReplayWal (declared in wal_reader.h).

#include <algorithm>

#include "tsdb/wal_format.h"
#include "tsdb/wal_reader.h"
#include "util/logging.h"

namespace kubescrape::tsdb {

using namespace wal_format;  // NOLINT: the format's constants

util::Status RepairWal(util::FileSystem& fs, const std::string& dir, WalPosition at) {
  KS_ASSIGN_OR_RETURN(std::vector<std::string> names, fs.ListDir(dir));
  std::vector<uint64_t> later;
  for (const std::string& name : names) {
    std::optional<uint64_t> index = ParseSegmentName(name);
    if (index && *index > at.segment) later.push_back(*index);
  }
  // Highest first and made durable before the cut, so a crash in between
  // leaves a WAL that still reads in order and repairs the same way again.
  std::sort(later.rbegin(), later.rend());
  for (uint64_t index : later) KS_RETURN_IF_ERROR(fs.RemoveFile(dir + "/" + SegmentName(index)));
  if (!later.empty()) KS_RETURN_IF_ERROR(fs.SyncDir(dir));

  const std::string path = dir + "/" + SegmentName(at.segment);
  if (!fs.Exists(path)) return util::Status::Ok();
  KS_ASSIGN_OR_RETURN(uint64_t size, fs.FileSize(path));
  if (size != at.offset) KS_RETURN_IF_ERROR(fs.Truncate(path, at.offset));
  // A segment followed by another must be whole pages (wal.md): pad with zeros.
  const uint64_t rounded = (at.offset + kPageSize - 1) / kPageSize * kPageSize;
  if (rounded != at.offset) KS_RETURN_IF_ERROR(fs.Truncate(path, rounded));
  return util::Status::Ok();
}

util::StatusOr<std::optional<uint64_t>> LastCheckpoint(util::FileSystem& fs, const std::string& dir) {
  KS_ASSIGN_OR_RETURN(std::vector<std::string> names, fs.ListDir(dir));
  std::optional<uint64_t> last;
  for (const std::string& name : names) {
    std::optional<uint64_t> index = ParseCheckpointName(name);
    if (index && (!last || *index > *last)) last = index;
  }
  return last;
}

util::StatusOr<ReplayResult> ReplayWal(util::FileSystem& fs, const std::string& dir,
                                       const std::function<util::Status(std::string_view)>& fn,
                                       WalPosition from) {
  ReplayResult result;
  KS_ASSIGN_OR_RETURN(result.checkpoint, LastCheckpoint(fs, dir));
  const bool read_checkpoint = result.checkpoint && *result.checkpoint >= from.segment;
  if (read_checkpoint) {
    const std::string cp_dir = dir + "/" + CheckpointName(*result.checkpoint);
    KS_ASSIGN_OR_RETURN(std::unique_ptr<WalReader> reader, WalReader::Open(fs, cp_dir));
    while (reader->Next()) {
      if (fn) KS_RETURN_IF_ERROR(fn(reader->record()));
      ++result.records;
    }
    if (!reader->status().ok()) return reader->status().WithPrefix("reading WAL checkpoint");
  }

  const uint64_t first = read_checkpoint ? *result.checkpoint + 1 : from.segment;
  KS_ASSIGN_OR_RETURN(std::unique_ptr<WalReader> reader, WalReader::Open(fs, dir, first));
  if (!read_checkpoint) reader->StartAt(from.offset);
  while (reader->Next()) {
    if (fn) KS_RETURN_IF_ERROR(fn(reader->record()));
    ++result.records;
  }
  const util::Status& status = reader->status();
  if (status.ok()) return result;
  if (status.code() != util::StatusCode::kCorruption) return status;

  const WalPosition cut = reader->last_good();
  util::log::Warn("WAL is torn or corrupt; truncating it after the last good record",
                  {{"dir", dir},
                   {"err", status},
                   {"segment", static_cast<unsigned long>(cut.segment)},
                   {"offset", static_cast<unsigned long>(cut.offset)},
                   {"records_read", static_cast<unsigned long>(result.records)}});
  KS_RETURN_IF_ERROR(RepairWal(fs, dir, cut));
  result.corruption = status;
  return result;
}

}  // namespace kubescrape::tsdb
