#pragma once
// Reading a write-ahead log (docs/format/wal.md): WalReader walks the
// segments of a WAL directory in order and reassembles records, including
// records that span pages and segments; it stops at the first corruption
// and says where the last good record ended. RepairWal cuts the WAL there;
// ReplayWal reads a whole WAL (checkpoint, then segments) and repairs a
// corrupt tail with a warning, as opening the WAL does.
//
// Thread-safety: a WalReader is used by one thread. The free functions are
// thread-safe but must not run concurrently with a writer on the same
// directory.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/file_system.h"
#include "util/status.h"

namespace kubescrape::tsdb {

// A byte offset in a WAL segment.
struct WalPosition {
  uint64_t segment = 0;
  uint64_t offset = 0;
  friend bool operator==(const WalPosition&, const WalPosition&) = default;
};

class WalReader {
 public:
  // A reader over the segments of `dir` numbered in [first_segment,
  // last_segment]. NotFound when `dir` does not exist. `fs` must outlive the
  // reader.
  static util::StatusOr<std::unique_ptr<WalReader>> Open(util::FileSystem& fs, std::string dir,
                                                         uint64_t first_segment = 0,
                                                         uint64_t last_segment = UINT64_MAX);
  ~WalReader();
  WalReader(const WalReader&) = delete;
  WalReader& operator=(const WalReader&) = delete;

  // Makes the reader start at byte `offset` of segment `first_segment`
  // (when that segment is the first one read) instead of its beginning.
  // REQUIRES: called before Next(); `offset` is a record boundary (a
  // position record_position() or last_good() gave for that segment).
  void StartAt(uint64_t offset) { first_offset_ = offset; }

  // Moves to the next record. False at the end of the WAL or on an error;
  // status() tells which.
  bool Next();
  // The current record. Valid until the next call to Next().
  // REQUIRES: the last Next() returned true.
  std::string_view record() const { return record_; }
  // Where the current record starts.
  WalPosition record_position() const { return record_position_; }

  // OK at the clean end; Corruption ("wal segment 00000003 offset 4096:
  // checksum mismatch") or an I/O error from the file system.
  const util::Status& status() const { return status_; }
  // Just after the last complete record read (see wal.md "Reading"): where
  // RepairWal must cut after a corruption.
  WalPosition last_good() const { return last_good_; }
  // The segment indexes read, in order.
  const std::vector<uint64_t>& segments() const { return segments_; }

 private:
  WalReader(util::FileSystem& fs, std::string dir, std::vector<uint64_t> segments);
  bool NextChunk();
  bool OpenSegment(size_t i);
  bool Corrupt(uint64_t offset, std::string_view reason);
  // Sets record_ to `data`, decompressed when `flags` say so.
  bool Finish(std::string_view data, uint8_t flags, uint64_t at);
  bool Fail(util::Status status);

  util::FileSystem& fs_;
  const std::string dir_;
  const std::vector<uint64_t> segments_;

  uint64_t first_offset_ = 0;                     // where segment first_segment_ starts
  uint64_t first_segment_ = 0;
  size_t seg_i_ = 0;                              // index into segments_
  std::unique_ptr<util::SequentialFile> file_;  // null before the first segment opens
  std::unique_ptr<char[]> buf_;                   // a whole number of pages
  uint64_t buf_start_ = 0;                        // segment offset of buf_[0]
  size_t buf_len_ = 0;
  size_t pos_ = 0;  // read position in buf_
  bool eof_ = false;

  bool in_record_ = false;  // fragments of an unfinished record are in assembled_
  std::string assembled_;
  uint8_t record_flags_ = 0;   // compression flags of the record in assembled_
  std::string decompressed_;
  std::string_view record_;
  WalPosition record_position_;
  WalPosition last_good_;
  util::Status status_;
  bool done_ = false;
};

// Makes the WAL in `dir` end at `at`: truncates that segment there, pads it
// with zeros to a whole page, syncs it, and removes every later segment.
util::Status RepairWal(util::FileSystem& fs, const std::string& dir, WalPosition at);

// The newest complete checkpoint (checkpoint.N) in `dir`: its index.
util::StatusOr<std::optional<uint64_t>> LastCheckpoint(util::FileSystem& fs, const std::string& dir);

struct ReplayResult {
  uint64_t records = 0;                   // records passed to the callback
  std::optional<uint64_t> checkpoint;     // the newest checkpoint (read first unless before `from`)
  util::Status corruption;                // OK, or the corruption repaired
};

// Reads the newest checkpoint of `dir` (if any) then every segment after it,
// calling `fn` (may be null) with each record in order; the record is valid
// only during the call. A corruption in the
// segments is logged as a warning and repaired (RepairWal); one in the
// checkpoint is returned as an error. Errors from `fn` stop the replay and
// are returned.
//
// `from` (a head snapshot's position, a record boundary) skips what is
// before it: the checkpoint unless its index is >= from.segment (it then
// holds data newer than `from` too; replaying it again over the snapshot
// is harmless), the segments before from.segment, and the bytes of
// from.segment before from.offset. {0, 0} reads everything.
util::StatusOr<ReplayResult> ReplayWal(util::FileSystem& fs, const std::string& dir,
                                       const std::function<util::Status(std::string_view)>& fn,
                                       WalPosition from = {});

}  // namespace kubescrape::tsdb
