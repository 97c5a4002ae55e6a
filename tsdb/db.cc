// Db: opening, the background threads, closing (see db.h). The WAL side
// (logging commits, replaying on open) is in db_wal.cc.
#include "tsdb/db.h"

#include <condition_variable>
#include <limits>
#include <mutex>
#include <optional>

#include "tsdb/db_wal.h"
#include "tsdb/head_snapshot.h"
#include "tsdb/merge_querier.h"
#include "util/logging.h"

namespace kubescrape::tsdb {

Db::Db(util::FileSystem& fs, std::string dir, DbOptions options)
    : fs_(fs),
      dir_(std::move(dir)),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : util::SystemClock::Default()) {}

util::StatusOr<std::unique_ptr<Db>> Db::Open(util::FileSystem& fs, std::string dir,
                                             DbOptions options) {
  if (options.head.stripe_bits < 0 || options.head.stripe_bits > 20 ||
      options.head.samples_per_chunk < 4 || options.head.samples_per_chunk > 32767 ||
      options.head.chunk_range_ms <= 0) {
    return util::InvalidArgumentError("tsdb: invalid head options");
  }
  // Wal::Open creates `dir/wal` and its missing parents durably (a
  // CreateDirAll here would leave `dir`'s own entry unsynced).
  std::unique_ptr<Db> db(new Db(fs, std::move(dir), std::move(options)));
  db->logger_ = std::make_unique<WalLogger>();
  HeadOptions head_options = db->options_.head;
  head_options.logger = db->logger_.get();
  db->head_ = std::make_unique<Head>(head_options);
  KS_RETURN_IF_ERROR(db->LoadBlocks());
  KS_ASSIGN_OR_RETURN(WalPosition replay_from, db->LoadSnapshot());
  KS_RETURN_IF_ERROR(db->Replay(replay_from));
  db->logger_->set_wal(db->wal_.get());
  {
    // What the blocks hold is not the head's any more (a crash between a
    // block's write and the WAL's truncation replays it again).
    std::vector<std::shared_ptr<Block>> blocks = db->Blocks();
    if (!blocks.empty()) db->head_->Truncate(blocks.back()->meta().max_time);
  }
  db->ApplyRetention();
  db->StartThreads();
  const DbReplayStats& r = db->replay_stats_;
  util::log::Info("TSDB opened",
                  {{"dir", db->dir_},
                   {"series", static_cast<unsigned long>(db->head_->stats().num_series)},
                  {"blocks", static_cast<unsigned long>(db->Blocks().size())},
                   {"snapshot_series", static_cast<unsigned long>(r.snapshot_series)},
                   {"wal_records", static_cast<unsigned long>(r.records)},
                   {"wal_samples", static_cast<unsigned long>(r.samples)},
                   {"repaired", r.repaired},
                   {"duration_ms", static_cast<long long>(r.duration.count())}});
  return db;
}

Db::~Db() {
  if (util::Status s = Close(); !s.ok()) {
    util::log::Error("Closing TSDB failed", {{"dir", dir_}, {"err", s}});
  }
}

std::unique_ptr<Appender> Db::NewAppender() { return head_->NewAppender(); }

util::StatusOr<std::unique_ptr<Querier>> Db::NewQuerier(int64_t mint, int64_t maxt) {
  std::vector<std::unique_ptr<Querier>> parts;
  for (const std::shared_ptr<Block>& b : Blocks()) {
    if (b->Overlaps(mint, maxt)) parts.push_back(b->NewQuerier(mint, maxt));
  }
  KS_ASSIGN_OR_RETURN(std::unique_ptr<Querier> head, head_->NewQuerier(mint, maxt));
  parts.push_back(std::move(head));
  return NewMergeQuerier(std::move(parts));
}

util::Status Db::Sync() { return wal_->Sync(); }

void Db::StartThreads() {
  if (options_.wal_sync_period.count() > 0) {
    syncer_ = std::jthread(
        [this](std::stop_token stop) { wal_->SyncLoop(stop, options_.wal_sync_period); });
  }
  if (options_.maintenance_period.count() > 0) {
    maintenance_ = std::jthread([this](std::stop_token stop) { MaintenanceLoop(stop); });
  }
}

void Db::MaintenanceLoop(std::stop_token stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock<std::mutex> lock(mu);
  while (!stop.stop_requested()) {
    // Returns early (true) only when a stop is requested.
    if (cv.wait_for(lock, stop, options_.maintenance_period, [] { return false; }) ||
        stop.stop_requested())
      break;
    if (util::Status s = Compact(); !s.ok()) {
      util::log::Error("Compacting the head failed", {{"dir", dir_}, {"err", s}});
    }
    ApplyRetention();
  }
}

util::Status Db::Close() {
  std::lock_guard<std::mutex> lock(close_mu_);
  if (closed_) return close_status_;
  closed_ = true;
  // Threads first: SyncLoop must stop before the WAL closes.
  if (maintenance_.joinable()) {
    maintenance_.request_stop();
    maintenance_.join();
  }
  if (syncer_.joinable()) {
    syncer_.request_stop();
    syncer_.join();
  }
  if (wal_ != nullptr) close_status_ = wal_->Close();
  if (wal_ != nullptr && close_status_.ok() && options_.snapshot_on_shutdown) WriteSnapshot();
  return close_status_;
}

util::StatusOr<WalPosition> Db::LoadSnapshot() {
  // On one thread: restoring is bound by the postings and symbol tables'
  // locks; two workers measured 1.8x slower than one (docs/storage.md).
  const auto start = std::chrono::steady_clock::now();
  util::StatusOr<std::optional<SnapshotInfo>> loaded = LoadHeadSnapshot(fs_, dir_, *head_, /*workers=*/1);
  replay_stats_.snapshot_duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  replay_stats_.duration = replay_stats_.snapshot_duration;
  if (!loaded.ok()) {
    util::log::Warn("Ignoring a damaged head snapshot; replaying the whole WAL",
                    {{"dir", dir_}, {"err", loaded.status()}});
    replay_stats_.snapshot_failed = true;
    HeadOptions head_options = options_.head;
    head_options.logger = logger_.get();
    head_ = std::make_unique<Head>(head_options);
    return WalPosition{};
  }
  if (!loaded->has_value()) return WalPosition{};
  const SnapshotInfo& info = **loaded;
  replay_stats_.snapshot_loaded = true;
  replay_stats_.snapshot_series = info.series;
  replay_stats_.snapshot_chunks = info.chunks;
  return info.position;
}

void Db::WriteSnapshot() {
  const auto start = std::chrono::steady_clock::now();
  const std::string wal_dir = util::JoinDir(dir_, "wal");
  const WalPosition end{wal_->current_segment(), 0};
  util::StatusOr<uint64_t> size = fs_.FileSize(util::JoinDir(wal_dir, wal_format::SegmentName(end.segment)));
  util::StatusOr<SnapshotInfo> written =
      size.ok() ? WriteHeadSnapshot(fs_, dir_, *head_, WalPosition{end.segment, *size})
                : util::StatusOr<SnapshotInfo>(size.status());
  if (!written.ok()) {
    util::log::Error("Writing the head snapshot failed; the next start replays the WAL",
                     {{"dir", dir_}, {"err", written.status()}});
    return;
  }
  snapshot_series_written_.store(written->series, std::memory_order_relaxed);
  util::log::Info("Head snapshot written",
                  {{"dir", written->dir},
                   {"series", static_cast<unsigned long>(written->series)},
                   {"chunks", static_cast<unsigned long>(written->chunks)},
                   {"duration_ms", static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                              std::chrono::steady_clock::now() - start)
                                                              .count())}});
}

DbStats Db::stats() const {
  DbStats s;
  {
    std::lock_guard<std::mutex> lock(blocks_mu_);
    s.blocks = block_stats_;
    s.blocks.loaded = blocks_.size();
    for (const auto& b : blocks_) s.blocks.bytes += b->size_bytes();
    if (!blocks_.empty()) s.blocks.min_time = blocks_.front()->meta().min_time;
  }
  s.head = head_->stats();
  s.wal = wal_->stats();
  s.wal_segment = wal_->current_segment();
  s.replay = replay_stats_;
  s.commits = logger_->batches();
  s.snapshot_series_written = snapshot_series_written_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace kubescrape::tsdb
