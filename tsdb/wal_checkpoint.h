#pragma once
// WAL checkpoints (docs/format/wal.md "Checkpoints"). When the head has
// written everything older than `mint` to a block, the WAL up to segment N
// is condensed into checkpoint.N (the series still alive and the samples at
// or after mint), after which segments <= N can be deleted. Replay
// (ReplayWal, Wal::Open) reads the newest checkpoint, then segments > N.
//
// Thread-safety: the functions are thread-safe, but a checkpoint must not
// run concurrently with another one or with a repair of the same WAL. The
// writer may keep logging (into segments > N).

#include <cstdint>
#include <functional>
#include <string>

#include "tsdb/storage.h"
#include "util/file_system.h"
#include "util/status.h"

namespace kubescrape::tsdb {

struct CheckpointStats {
  uint64_t series_kept = 0;
  uint64_t series_dropped = 0;
  uint64_t samples_kept = 0;
  uint64_t samples_dropped = 0;
  uint64_t records_dropped = 0;  // of unknown type
};

// Writes checkpoint.N (N = `last_segment`) for the WAL in `dir` from the
// previous checkpoint (if any) and the segments after it up to N, keeping
// the series for which `keep_series(ref)` is true and the samples with
// t >= `mint`. Atomic: written as checkpoint.N.tmp, synced, renamed, and the
// directory synced.
// Errors: FailedPrecondition when segment N does not exist or a checkpoint
// >= N does; Corruption when the input is damaged, including when segment N
// ends inside a record (choose another N).
// REQUIRES: N < the writer's current segment.
util::StatusOr<CheckpointStats> WriteCheckpoint(util::FileSystem& fs, const std::string& dir,
                                                uint64_t last_segment,
                                                const std::function<bool(SeriesRef)>& keep_series,
                                                int64_t mint);

// After checkpoint.N is written: deletes segments <= N and checkpoints
// older than N, then syncs the directory.
util::Status DeleteCheckpointedSegments(util::FileSystem& fs, const std::string& dir, uint64_t checkpoint);

}  // namespace kubescrape::tsdb
