// Wal: Open and Log (Sync and Close are in wal_sync.cc).

#include "tsdb/wal.h"

#include <algorithm>

#include "util/coding.h"
#include "util/crc32c.h"
#include "util/logging.h"

namespace kubescrape::tsdb {

using namespace wal_format;  // NOLINT: the format's constants

namespace {

// Removes checkpoint.N.tmp directories an interrupted checkpoint left.
util::Status RemoveTempCheckpoints(util::FileSystem& fs, const std::string& dir) {
  KS_ASSIGN_OR_RETURN(std::vector<std::string> names, fs.ListDir(dir));
  for (const std::string& name : names) {
    if (name.starts_with(kCheckpointPrefix) && name.ends_with(".tmp")) {
      util::log::Info("Removing an interrupted WAL checkpoint", {{"dir", dir + "/" + name}});
      KS_RETURN_IF_ERROR(fs.RemoveAll(dir + "/" + name));
    }
  }
  return util::Status::Ok();
}

// Creates `dir` and its missing parents, each made durable in its parent.
util::Status CreateDirDurably(util::FileSystem& fs, const std::string& dir) {
  std::vector<std::string> missing;
  for (std::string p = dir; !p.empty() && p != "/" && p != "." && !fs.Exists(p); p = util::DirName(p)) {
    missing.push_back(p);
  }
  KS_RETURN_IF_ERROR(fs.CreateDirAll(dir));
  for (const std::string& p : missing) KS_RETURN_IF_ERROR(fs.SyncDir(util::DirName(p)));
  return util::Status::Ok();
}

}  // namespace

Wal::Wal(util::FileSystem& fs, std::string dir, uint64_t segment_size, WalCompression compression)
    : fs_(fs), dir_(std::move(dir)), segment_size_(segment_size), compression_(compression) {}

util::StatusOr<std::unique_ptr<Wal>> Wal::Open(util::FileSystem& fs, std::string dir, WalOptions options,
                                               const RecordFn& replay, WalPosition replay_from) {
  if (options.segment_size == 0 || options.segment_size % kPageSize != 0) {
    return util::InvalidArgumentError("WAL segment size " + std::to_string(options.segment_size) +
                                      " is not a positive multiple of the page size " +
                                      std::to_string(kPageSize));
  }
  KS_RETURN_IF_ERROR(CreateDirDurably(fs, dir));
  KS_RETURN_IF_ERROR(RemoveTempCheckpoints(fs, dir));
  KS_ASSIGN_OR_RETURN(ReplayResult replayed, ReplayWal(fs, dir, replay, replay_from));

  // The new segment follows every segment and checkpoint; an empty last
  // segment is reused, a partial last page is padded (wal.md "Whole pages").
  KS_ASSIGN_OR_RETURN(std::vector<std::string> names, fs.ListDir(dir));
  std::optional<uint64_t> last;
  for (const std::string& name : names) {
    std::optional<uint64_t> index = ParseSegmentName(name);
    if (index && (!last || *index > *last)) last = index;
  }
  uint64_t next = 0;
  if (last) {
    const std::string path = dir + "/" + SegmentName(*last);
    KS_ASSIGN_OR_RETURN(uint64_t size, fs.FileSize(path));
    next = size == 0 ? *last : *last + 1;
    if (size % kPageSize != 0) {
      KS_RETURN_IF_ERROR(fs.Truncate(path, (size + kPageSize - 1) / kPageSize * kPageSize));
    }
  }
  if (replayed.checkpoint && next <= *replayed.checkpoint) next = *replayed.checkpoint + 1;

  auto wal = std::unique_ptr<Wal>(new Wal(fs, std::move(dir), options.segment_size, options.compression));
  std::lock_guard<std::mutex> lock(wal->mu_);
  wal->stats_.replay = std::move(replayed);
  KS_RETURN_IF_ERROR(wal->StartSegment(next));
  return wal;
}

util::Status Wal::StartSegment(uint64_t index) {
  KS_ASSIGN_OR_RETURN(std::unique_ptr<util::WritableFile> file,
                      fs_.NewWritableFile(dir_ + "/" + SegmentName(index)));
  current_ = std::move(file);
  segment_index_ = index;
  segment_bytes_ = 0;
  dir_dirty_ = true;
  ++stats_.segments_created;
  return util::Status::Ok();
}

util::Status Wal::Log(std::span<const std::string_view> records) {
  // Compressed before taking the lock, so committers compress in parallel.
  thread_local std::vector<std::string> compressed;
  thread_local std::vector<uint8_t> flags;
  if (compressed.size() < records.size()) compressed.resize(records.size());
  flags.assign(records.size(), 0);
  for (size_t i = 0; i < records.size(); ++i) flags[i] = CompressRecord(compression_, records[i], &compressed[i]);
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return util::FailedPreconditionError("WAL " + dir_ + " is closed");
  if (!error_.ok()) return error_;
  util::Status s;
  for (size_t i = 0; i < records.size(); ++i) {
    s = flags[i] != 0 ? AppendRecord(compressed[i], flags[i]) : AppendRecord(records[i]);
    if (!s.ok()) break;
  }
  if (s.ok()) s = WriteBuffer();
  if (!s.ok()) {
    error_ = s;
    buf_.clear();
    return s;
  }
  stats_.records += records.size();
  return s;
}

uint64_t Wal::Capacity() const {
  if (segment_bytes_ >= segment_size_) return 0;
  const uint64_t page_left = kPageSize - segment_bytes_ % kPageSize;
  const uint64_t whole_pages = (segment_size_ - segment_bytes_ - page_left) / kPageSize;
  return (page_left > kHeaderSize ? page_left - kHeaderSize : 0) + whole_pages * kMaxFragmentData;
}

util::Status Wal::AppendRecord(std::string_view record, uint8_t flags) {
  // Records do not cross segments unless they are bigger than a segment.
  if (record.size() > Capacity() && segment_bytes_ > 0) KS_RETURN_IF_ERROR(Rotate());
  bool first = true;
  while (true) {
    if (segment_bytes_ >= segment_size_) KS_RETURN_IF_ERROR(Rotate());
    const size_t page_left = kPageSize - segment_bytes_ % kPageSize;
    // No fragment in the last 7 bytes of a page, nor an empty one that
    // would only carry the header (a zero-length record still gets one).
    if (page_left < kHeaderSize || (page_left == kHeaderSize && !record.empty())) {
      PadPage();
      continue;
    }
    const size_t n = std::min(record.size(), page_left - kHeaderSize);
    const bool last = n == record.size();
    const uint8_t kind = first ? (last ? kFull : kFirst) : (last ? kLast : kMiddle);
    char header[kHeaderSize];
    header[0] = static_cast<char>(kind | flags);
    util::EncodeFixed16BE(header + 1, static_cast<uint16_t>(n));
    util::EncodeFixed32BE(header + 3, util::crc32c::Value(record.data(), n));
    buf_.append(header, kHeaderSize);
    buf_.append(record.data(), n);
    segment_bytes_ += kHeaderSize + n;
    record.remove_prefix(n);
    first = false;
    if (last) return util::Status::Ok();
  }
}

void Wal::PadPage() {
  const uint64_t used = segment_bytes_ % kPageSize;
  if (used == 0) return;
  buf_.append(kPageSize - used, '\0');
  segment_bytes_ += kPageSize - used;
}

util::Status Wal::Rotate() {
  PadPage();
  KS_RETURN_IF_ERROR(WriteBuffer());
  finished_.push_back(std::move(current_));
  KS_RETURN_IF_ERROR(StartSegment(segment_index_ + 1));
  rotated_cv_.notify_all();
  return util::Status::Ok();
}

util::Status Wal::WriteBuffer() {
  if (buf_.empty()) return util::Status::Ok();
  util::Status s = current_->Append(buf_);
  stats_.bytes += buf_.size();
  buf_.clear();
  if (s.ok()) ++writes_;
  return s;
}

util::Status Wal::NextSegment() {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return util::FailedPreconditionError("WAL " + dir_ + " is closed");
  KS_RETURN_IF_ERROR(error_);
  if (util::Status s = Rotate(); !s.ok()) {
    error_ = s;
    return s;
  }
  return util::Status::Ok();
}

uint64_t Wal::current_segment() const {
  std::lock_guard<std::mutex> lock(mu_);
  return segment_index_;
}

WalStats Wal::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace kubescrape::tsdb
