#pragma once
// Wal: the write-ahead log writer (format: docs/format/wal.md; what survives
// a crash: docs/format/durability.md).
//
// Open() replays and repairs the existing log, then appends to a fresh
// segment. Log() appends whole records and hands them to the OS before
// returning (they survive kill -9), but never fsyncs: durability against a
// power cut comes from Sync(), which the owner calls explicitly or from a
// thread of its own running SyncLoop(). A finished segment (rotation at
// `segment_size`) is fsynced by the next Sync(), which SyncLoop runs at
// once; Close() syncs everything.
//
//   auto wal = Wal::Open(fs, dir, {}, replay_fn);     // StatusOr
//   std::jthread syncer([&](std::stop_token st) { (*wal)->SyncLoop(st, 1s); });
//   KS_RETURN_IF_ERROR((*wal)->Log({series_record, samples_record}));
//
// After a write or sync error the Wal is failed: every later Log/Sync
// returns that error (a torn record may be on disk; reopening repairs it).
//
// Thread-safety: thread-safe. Log() from many threads is serialised by one
// mutex; Sync() does its fsyncs without holding it, so committers never
// wait for the disk. The file system must outlive the Wal; a thread running
// SyncLoop must be stopped before the Wal is destroyed.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "tsdb/wal_compress.h"
#include "tsdb/wal_format.h"
#include "tsdb/wal_reader.h"
#include "util/file_system.h"
#include "util/status.h"

namespace kubescrape::tsdb {

struct WalOptions {
  // Segments rotate before exceeding this. REQUIRES: a positive multiple of
  // wal_format::kPageSize.
  uint64_t segment_size = wal_format::kDefaultSegmentSize;
  // Records are compressed as Prometheus 3 does by default (a record that
  // would not shrink is written as is).
  WalCompression compression = WalCompression::kSnappy;
};

struct WalStats {
  uint64_t records = 0;        // logged since Open
  uint64_t bytes = 0;          // appended since Open, framing and padding included
  uint64_t syncs = 0;          // Sync() calls that fsynced something
  uint64_t segments_created = 0;
  ReplayResult replay;         // what Open read
};

class Wal {
 public:
  using RecordFn = std::function<util::Status(std::string_view record)>;

  // Opens the WAL in `dir` (created if missing): replays the newest
  // checkpoint and the segments after it through `replay` (may be null; each
  // record is valid only during the call), repairing a torn or corrupt tail
  // with a warning, then starts a new segment. Errors: InvalidArgument (options), I/O errors, a corrupt
  // checkpoint, or the first error `replay` returns.
  // `replay_from` skips what a head snapshot holds (see ReplayWal).
  static util::StatusOr<std::unique_ptr<Wal>> Open(util::FileSystem& fs, std::string dir, WalOptions options = {},
                                                   const RecordFn& replay = nullptr, WalPosition replay_from = {});
  ~Wal();  // Close()s if needed, logging an error
  Wal(const Wal&) = delete;
  Wal& operator=(const Wal&) = delete;

  // Appends `records` in order, each whole, and hands them to the OS. A crash
  // can cut the batch only between records (the torn one is repaired away).
  util::Status Log(std::span<const std::string_view> records);
  util::Status Log(std::initializer_list<std::string_view> records) {
    return Log(std::span<const std::string_view>(records.begin(), records.size()));
  }
  util::Status Log(std::string_view record) { return Log(std::span<const std::string_view>(&record, 1)); }

  // Makes everything logged before the call durable: fsyncs finished
  // segments (then closes them), the current one, and the directory when a
  // segment was created. A no-op when nothing changed. OK after Close().
  util::Status Sync();

  // Calls Sync() every `period`, and at once when a segment was finished,
  // until `stop` is requested or the Wal is closed (no final Sync: Close()
  // does it). Errors are logged (once).
  void SyncLoop(std::stop_token stop, std::chrono::milliseconds period);

  // Pads the last page, syncs and closes every file. Later Log() calls fail
  // with FailedPrecondition. Idempotent (returns the first result).
  util::Status Close();

  const std::string& dir() const { return dir_; }
  uint64_t segment_size() const { return segment_size_; }
  // The index of the segment being written.
  uint64_t current_segment() const;
  // Finishes the current segment (padded; fsynced by the next Sync()) and
  // starts the next one, so every record logged so far is in a segment
  // below current_segment() (checkpointing needs that). Errors as Log().
  util::Status NextSegment();
  WalStats stats() const;

 private:
  Wal(util::FileSystem& fs, std::string dir, uint64_t segment_size, WalCompression compression);
  util::Status StartSegment(uint64_t index);               // REQUIRES: mu_
  // `flags` are the record's compression flags (wal_compress.h).
  util::Status AppendRecord(std::string_view record, uint8_t flags = 0);  // REQUIRES: mu_
  util::Status Rotate();                                   // REQUIRES: mu_
  util::Status WriteBuffer();                              // REQUIRES: mu_
  void PadPage();                                          // REQUIRES: mu_
  uint64_t Capacity() const;                               // REQUIRES: mu_
  util::Status SyncFiles(const std::vector<std::shared_ptr<util::WritableFile>>& finished,
                         util::WritableFile* current, bool sync_dir);

  // Immutable after construction.
  util::FileSystem& fs_;
  const std::string dir_;
  const uint64_t segment_size_;
  const WalCompression compression_;

  // Serialises Sync() and Close() (the only places files are closed).
  std::mutex sync_mu_;
  uint64_t synced_writes_ = 0;      // guarded by sync_mu_
  util::Status close_status_;       // guarded by sync_mu_

  mutable std::mutex mu_;
  std::condition_variable_any rotated_cv_;  // signalled when finished_ grows or on Close
  std::shared_ptr<util::WritableFile> current_;                  // guarded by mu_
  std::vector<std::shared_ptr<util::WritableFile>> finished_;    // guarded by mu_; awaiting fsync
  uint64_t segment_index_ = 0;   // guarded by mu_
  uint64_t segment_bytes_ = 0;   // guarded by mu_; including buf_
  std::string buf_;              // guarded by mu_; bytes not yet appended to current_
  uint64_t writes_ = 0;          // guarded by mu_; Append calls that succeeded
  bool dir_dirty_ = false;       // guarded by mu_; a segment was created since the last SyncDir
  bool closed_ = false;          // guarded by mu_
  util::Status error_;           // guarded by mu_; sticky
  WalStats stats_;               // guarded by mu_
};

}  // namespace kubescrape::tsdb
