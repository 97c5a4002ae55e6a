#pragma once
// Head snapshots (docs/format/snapshot.md): the whole head written on a
// clean shutdown and loaded on the next open instead of replaying the WAL
// it summarises (Prometheus's chunk snapshot).
//
//   // Db::Close, after the WAL is closed at position `end`:
//   KS_ASSIGN_OR_RETURN(SnapshotInfo written, WriteHeadSnapshot(fs, dir, head, end));
//   // Db::Open, into a fresh head:
//   KS_ASSIGN_OR_RETURN(std::optional<SnapshotInfo> loaded, LoadHeadSnapshot(fs, dir, head));
//   // then replay the WAL from loaded->position.
//
// Thread-safety: the functions are thread-safe with respect to the Head;
// two of them must not run on the same directory at once.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tsdb/head.h"
#include "tsdb/wal_reader.h"
#include "util/file_system.h"
#include "util/status.h"

namespace kubescrape::tsdb {

struct SnapshotInfo {
  std::string dir;       // the snapshot's directory
  WalPosition position;  // the WAL position it is consistent with
  uint64_t series = 0;
  uint64_t chunks = 0;   // sealed and open
};

// "chunk_snapshot.000042.0000065536" for position (42, 65536); the parse
// returns nullopt for any other name (a ".tmp" one included).
std::string SnapshotDirName(WalPosition position);
std::optional<WalPosition> ParseSnapshotDirName(std::string_view name);

// Writes every series of `head` with its chunks, and its minimum valid
// time, as `dir/SnapshotDirName(position)` (through a ".tmp" directory,
// renamed, `dir` fsynced), then deletes every other snapshot in `dir`.
// `position` is where the WAL ends: the head must hold exactly what the WAL
// holds before it (no commit running). Errors: I/O errors (the ".tmp"
// directory may be left; the next load removes it).
util::StatusOr<SnapshotInfo> WriteHeadSnapshot(util::FileSystem& fs, const std::string& dir, const Head& head,
                                               WalPosition position);

// Deletes unfinished (".tmp") snapshots in `dir`, then restores the newest
// snapshot into `head` with `workers` threads (1: on the calling thread).
// nullopt when there is none. Errors: Corruption when the snapshot is
// damaged (the head is then partly filled and must be discarded), I/O
// errors. REQUIRES: `head` is new (no series) and serves nobody yet.
util::StatusOr<std::optional<SnapshotInfo>> LoadHeadSnapshot(util::FileSystem& fs, const std::string& dir,
                                                             Head& head, int workers = 1);

}  // namespace kubescrape::tsdb
