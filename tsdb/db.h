#pragma once
// Db: the durable store the daemon runs on. A Head (the recent samples in
// memory) whose every commit is first written to a write-ahead log in
// `dir/wal`, replayed into a fresh Head when the Db is opened, and the
// persisted, immutable blocks in `dir/<ulid>/` (Prometheus's data directory
// layout: docs/storage.md).
//
//   KS_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::Open(fs, "data", {}));
//   auto app = db->NewAppender();   // Storage: as the Head
//   ...
//   KS_RETURN_IF_ERROR(db->Close());
//
// Durability (docs/format/durability.md, "The store"): a Commit returns
// after its batch was handed to the OS (it survives kill -9 of the
// process); a background thread fsyncs the WAL every `wal_sync_period`, so a
// power cut loses at most the commits of the last period. Close() syncs
// everything.
//
// Blocks: when the head spans more than 1.5 block ranges (the head's chunk
// range, 2 h), its oldest range is written as a block, the head truncated to
// the block's end and the WAL's older two thirds condensed into a checkpoint
// (Prometheus's compactHead and truncateWAL). Queries merge the blocks
// overlapping their range with the head. A background thread does this
// every `maintenance_period`, then applies retention.
//
// Retention deletes whole blocks: by time, those whose end is `retention`
// or more older than the newest block's end (Prometheus's rule); by size,
// the oldest blocks while blocks + WAL exceed `retention_bytes`. The head
// itself is also truncated to now - retention.
//
// Thread-safety: thread-safe (the Storage contract). Appenders and queriers
// must be destroyed before the Db. The file system and the clock must
// outlive the Db. After Close() the Db still answers queries but every
// Commit fails (FailedPrecondition from the closed WAL).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "tsdb/block.h"
#include "tsdb/head.h"
#include "tsdb/storage.h"
#include "tsdb/wal.h"
#include "util/clock.h"
#include "util/file_system.h"
#include "util/status.h"

namespace kubescrape::tsdb {

struct DbOptions {
  // How often the WAL is fsynced (and at once when a segment is finished).
  // Bounds what a power cut loses (Prometheus syncs only on segment
  // rotation). Zero or negative: no background thread; only Sync() and
  // Close() sync (tests).
  std::chrono::milliseconds wal_sync_period{1000};
  // Blocks whose data ends this much before the newest block's end are
  // deleted; the head drops data older than now - retention. Zero or
  // negative: keep everything.
  std::chrono::milliseconds retention{std::chrono::hours(24 * 15)};
  // The oldest blocks are deleted while blocks and WAL take more bytes than
  // this. Zero: no limit.
  uint64_t retention_bytes = 0;
  // How often head compaction and retention run. Zero or negative: never in
  // the background (Compact() and ApplyRetention() only); tests.
  std::chrono::milliseconds maintenance_period{std::chrono::minutes(1)};
  // Write blocks from the head and merge adjacent blocks into larger ones
  // (Prometheus always does; off for tools that only read).
  bool compact_head = true;
  // The largest block compaction makes. Zero: a tenth of the retention, at
  // most 31 d (Prometheus's default for --storage.tsdb.max-block-duration).
  int64_t max_block_duration_ms = 0;
  // Close() writes a head snapshot (docs/format/snapshot.md) that the next
  // Open() loads instead of replaying the WAL before its position.
  bool snapshot_on_shutdown = true;
  // Threads applying the WAL's samples on Open, besides the thread reading
  // it. Zero: the hardware concurrency minus one, 1..8; 1: all on the
  // opening thread. (A snapshot is loaded on the opening thread.)
  int replay_workers = 0;
  // Head layout; `head.logger` is ignored (the Db installs the WAL).
  HeadOptions head;
  WalOptions wal;
  // Not owned; null means util::SystemClock::Default(). Must outlive the Db.
  const util::Clock* clock = nullptr;
};

// What Open read from the snapshot and the WAL.
struct DbReplayStats {
  bool snapshot_loaded = false;  // the head came from a snapshot
  bool snapshot_failed = false;  // one was there but damaged: ignored, whole WAL replayed
  uint64_t snapshot_series = 0;
  uint64_t snapshot_chunks = 0;
  std::chrono::milliseconds snapshot_duration{0};
  uint64_t records = 0;          // WAL records replayed (after the snapshot's position)
  uint64_t series = 0;           // series records' entries
  uint64_t samples = 0;          // sample records' entries
  uint64_t unknown_records = 0;  // of a type this version does not know (skipped)
  uint64_t orphan_samples = 0;   // samples of a series never logged (dropped)
  bool repaired = false;         // a torn or corrupt tail was cut
  std::chrono::milliseconds duration{0};  // snapshot and WAL
  int workers = 1;                        // threads that applied the WAL
};

struct DbBlockStats {
  uint64_t loaded = 0;            // blocks open now
  uint64_t bytes = 0;             // their size on disk
  int64_t min_time = 0;           // of the oldest block (when loaded > 0)
  uint64_t compactions = 0;       // blocks written since Open (from the head or merged)
  uint64_t compactions_failed = 0;
  uint64_t time_retentions = 0;   // blocks deleted by time retention
  uint64_t size_retentions = 0;   // blocks deleted by size retention
  uint64_t checkpoints = 0;       // WAL checkpoints written
  uint64_t checkpoints_failed = 0;
  uint64_t wal_truncations = 0;
};

struct DbStats {
  DbBlockStats blocks;
  HeadStats head;
  WalStats wal;
  uint64_t wal_segment = 0;  // index of the segment being written
  DbReplayStats replay;
  uint64_t commits = 0;  // batches logged since Open (Commit and Rollback with new series)
  uint64_t snapshot_series_written = 0;  // by Close()
};

class Db final : public Storage {
 public:
  // Opens (creating when missing) the store in `dir`: loads the newest head
  // snapshot, if any (a damaged one is ignored with a warning), then
  // replays `dir/wal` from the snapshot's position (all of it without one)
  // with replay_workers threads (a torn or corrupt tail is repaired with a
  // warning), drops
  // data older than the retention, and starts the background threads.
  // Errors: I/O errors (directory not creatable, unreadable WAL), a corrupt
  // WAL checkpoint, a WAL record of a known type that does not decode
  // (Corruption), InvalidArgument for bad options.
  static util::StatusOr<std::unique_ptr<Db>> Open(util::FileSystem& fs, std::string dir,
                                                  DbOptions options = {});
  ~Db() override;  // Close()s, logging an error
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  std::unique_ptr<Appender> NewAppender() override;
  util::StatusOr<std::unique_ptr<Querier>> NewQuerier(int64_t mint, int64_t maxt) override;

  // Makes every commit that returned before the call durable (fsync).
  util::Status Sync();
  // While the head spans more than 1.5 block ranges, writes its oldest
  // range as a block, truncates the head and checkpoints the WAL (what the
  // background thread does). Errors are returned (and counted); the head is
  // left as it was.
  util::Status Compact();
  // Deletes the blocks beyond the retention and truncates the head to
  // now - retention (what the background thread does).
  void ApplyRetention();
  // The blocks open now, oldest first.
  std::vector<std::shared_ptr<Block>> Blocks() const;
  // Stops the background threads, syncs and closes the WAL, then (with
  // snapshot_on_shutdown) writes a head snapshot; failing to write it is
  // logged, not returned (the WAL still holds everything). Commits must
  // have finished. Idempotent (returns the first result).
  util::Status Close();

  DbStats stats() const;
  const std::string& dir() const { return dir_; }
  // For tests and tools.
  Head& head() { return *head_; }

 private:
  class WalLogger;
  Db(util::FileSystem& fs, std::string dir, DbOptions options);
  // Loads the newest head snapshot (a damaged one is ignored with a
  // warning and the head reset); returns the WAL position to replay from.
  util::StatusOr<WalPosition> LoadSnapshot();
  util::Status Replay(WalPosition from);
  void WriteSnapshot();
  int ReplayWorkers() const;
  // Opens every block directory in dir_, removing unfinished ones.
  util::Status LoadBlocks();
  util::Status CompactRange(int64_t mint, int64_t maxt);
  // Merges `parents` into one block and replaces them with it.
  util::Status CompactBlocks(const std::vector<std::shared_ptr<Block>>& parents);
  // Opens the block WriteBlock reported (null when it wrote none); counts a
  // failure.
  util::StatusOr<std::shared_ptr<Block>> OpenWrittenBlock(util::StatusOr<std::optional<BlockMeta>> meta,
                                                          const std::string& ulid);
  // Replaces `remove` with `add` (may be null) in one step for queries.
  void SwapBlocks(const std::vector<std::shared_ptr<Block>>& remove, const std::shared_ptr<Block>& add);
  // Renames the block's directory out of the way, then removes it.
  void RemoveBlockDir(const Block& b);
  void TruncateWal(int64_t mint);
  void DeleteBlocks(const std::vector<std::shared_ptr<Block>>& doomed, std::string_view reason);
  uint64_t WalBytes() const;
  void StartThreads();
  void MaintenanceLoop(std::stop_token stop);

  // Immutable after Open.
  util::FileSystem& fs_;
  const std::string dir_;
  const DbOptions options_;
  const util::Clock& clock_;
  DbReplayStats replay_stats_;

  // Destroyed in reverse order: threads first, then the head (which
  // calls the logger), then the WAL, then the logger.
  std::unique_ptr<WalLogger> logger_;
  std::unique_ptr<Wal> wal_;
  std::unique_ptr<Head> head_;
  std::mutex close_mu_;
  bool closed_ = false;        // guarded by close_mu_
  util::Status close_status_;  // guarded by close_mu_
  std::atomic<uint64_t> snapshot_series_written_{0};
  std::jthread syncer_;        // runs wal_->SyncLoop
  std::jthread maintenance_;   // runs MaintenanceLoop

  mutable std::mutex blocks_mu_;
  std::vector<std::shared_ptr<Block>> blocks_;  // guarded by blocks_mu_; by min_time
  std::mutex maintenance_mu_;                   // serialises Compact and ApplyRetention
  DbBlockStats block_stats_;                    // guarded by blocks_mu_ (loaded/bytes computed)
};

}  // namespace kubescrape::tsdb
