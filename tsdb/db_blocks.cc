// Db: blocks. Loading them on open, writing the head's oldest range as a
// block (compaction), checkpointing the WAL behind it, and retention.
#include <algorithm>
#include <random>
#include <set>

#include "tsdb/block_writer.h"
#include "tsdb/compact.h"
#include "tsdb/db.h"
#include "tsdb/head_series.h"
#include "tsdb/ulid.h"
#include "tsdb/wal_checkpoint.h"
#include "tsdb/wal_format.h"
#include "util/logging.h"

namespace kubescrape::tsdb {
namespace {

constexpr std::string_view kTmpCreation = ".tmp-for-creation";
constexpr std::string_view kTmpDeletion = ".tmp-for-deletion";

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string RandomUlid(int64_t now_ms) {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard<std::mutex> lock(mu);
  const uint64_t hi = rng();
  const uint64_t lo = rng();
  return NewUlid(now_ms, hi, lo);
}

}  // namespace

std::vector<std::shared_ptr<Block>> Db::Blocks() const {
  std::lock_guard<std::mutex> lock(blocks_mu_);
  return blocks_;
}

util::Status Db::LoadBlocks() {
  if (!fs_.Exists(dir_)) return util::Status::Ok();
  KS_ASSIGN_OR_RETURN(std::vector<std::string> names, fs_.ListDir(dir_));
  std::vector<std::shared_ptr<Block>> blocks;
  for (const std::string& name : names) {
    const std::string path = dir_ + "/" + name;
    if (EndsWith(name, kTmpCreation) || EndsWith(name, kTmpDeletion)) {
      // A block write or deletion a crash interrupted.
      util::log::Info("Removing an unfinished block directory", {{"dir", path}});
      KS_RETURN_IF_ERROR(fs_.RemoveAll(path));
      continue;
    }
    if (!ValidUlid(name)) continue;
    util::StatusOr<bool> is_dir = fs_.IsDirectory(path);
    if (!is_dir.ok() || !*is_dir) continue;
    util::StatusOr<std::shared_ptr<Block>> b = Block::Open(fs_, path);
    if (!b.ok()) {
      return util::Status(b.status().code(), "opening block " + path + ": " + b.status().message());
    }
    blocks.push_back(std::move(*b));
  }
  // A crash after a compaction wrote its block but before the parents were
  // deleted leaves both: the parents go now (Prometheus does the same).
  std::set<std::string> parents;
  for (const auto& b : blocks) {
    for (const BlockDesc& p : b->meta().parents) parents.insert(p.ulid);
  }
  if (!parents.empty()) {
    std::vector<std::shared_ptr<Block>> kept;
    for (auto& b : blocks) {
      if (!parents.contains(b->meta().ulid)) {
        kept.push_back(std::move(b));
        continue;
      }
      util::log::Info("Removing a block already compacted into another", {{"ulid", b->meta().ulid}});
      KS_RETURN_IF_ERROR(fs_.RemoveAll(b->dir()));
    }
    blocks = std::move(kept);
  }
  std::sort(blocks.begin(), blocks.end(), [](const auto& a, const auto& b) {
    return a->meta().min_time < b->meta().min_time;
  });
  std::lock_guard<std::mutex> lock(blocks_mu_);
  blocks_ = std::move(blocks);
  return util::Status::Ok();
}

util::Status Db::Compact() {
  std::lock_guard<std::mutex> lock(maintenance_mu_);
  if (!options_.compact_head) return util::Status::Ok();
  const int64_t range = options_.head.chunk_range_ms;
  for (;;) {
    const int64_t mint = head_->MinTime();
    const int64_t maxt = head_->MaxTime();
    // Prometheus's compactable(): more than 1.5 ranges in the head.
    if (mint > maxt || maxt - mint <= range / 2 * 3) break;
    const int64_t end = ChunkRangeEnd(mint, range);
    KS_RETURN_IF_ERROR(CompactRange(mint, end));
    if (head_->MinTime() < end) break;  // a racing commit; next round
  }
  // Then merge blocks, one plan at a time, until nothing is left to do.
  int64_t max_block = options_.max_block_duration_ms;
  if (max_block <= 0) {
    constexpr int64_t k31Days = int64_t{31} * 24 * 3600 * 1000;
    max_block = options_.retention.count() > 0 ? std::min(options_.retention.count() / 10, k31Days) : k31Days;
  }
  const std::vector<int64_t> ranges = CompactionRanges(range, max_block);
  for (;;) {
    std::vector<std::shared_ptr<Block>> blocks = Blocks();
    std::vector<BlockMeta> metas;
    for (const auto& b : blocks) metas.push_back(b->meta());
    std::vector<size_t> plan = PlanCompaction(metas, ranges);
    if (plan.empty()) return util::Status::Ok();
    std::vector<std::shared_ptr<Block>> parents;
    for (size_t i : plan) parents.push_back(blocks[i]);
    KS_RETURN_IF_ERROR(CompactBlocks(parents));
  }
}

util::Status Db::CompactBlocks(const std::vector<std::shared_ptr<Block>>& parents) {
  const auto start = std::chrono::steady_clock::now();
  BlockWriteInfo info;
  info.ulid = RandomUlid(clock_.NowMillis());
  int64_t mint = std::numeric_limits<int64_t>::max(), maxt = std::numeric_limits<int64_t>::min();
  std::set<std::string> sources;
  for (const auto& p : parents) {
    const BlockMeta& m = p->meta();
    mint = std::min(mint, m.min_time);
    maxt = std::max(maxt, m.max_time);
    info.compaction_level = std::max(info.compaction_level, m.compaction_level + 1);
    sources.insert(m.compaction_sources.begin(), m.compaction_sources.end());
    info.parents.push_back(BlockDesc{m.ulid, m.min_time, m.max_time});
  }
  info.sources.assign(sources.begin(), sources.end());
  util::StatusOr<std::optional<BlockMeta>> meta = [&] {
    std::vector<std::unique_ptr<ChunkQuerier>> queriers;
    std::vector<std::unique_ptr<ChunkSeriesSet>> sets;
    for (const auto& p : parents) {
      queriers.push_back(p->NewChunkQuerier(p->meta().min_time, p->meta().max_time - 1));
      sets.push_back(queriers.back()->SelectChunks({}));
    }
    std::unique_ptr<ChunkSeriesSet> merged = MergeChunkSets(std::move(sets));
    return WriteBlock(fs_, dir_, *merged, mint, maxt, info);
  }();
  KS_ASSIGN_OR_RETURN(std::shared_ptr<Block> block, OpenWrittenBlock(std::move(meta), info.ulid));
  // One swap, so a query sees either the parents or the new block.
  SwapBlocks(parents, block);
  for (const auto& p : parents) RemoveBlockDir(*p);
  KS_RETURN_IF_ERROR(fs_.SyncDir(dir_));
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  util::log::Info("Compacted blocks",
                  {{"ulid", info.ulid},
                   {"parents", static_cast<unsigned long>(parents.size())},
                   {"mint", static_cast<long long>(mint)},
                   {"maxt", static_cast<long long>(maxt)},
                   {"duration_ms", static_cast<long long>(ms.count())}});
  return util::Status::Ok();
}

util::StatusOr<std::shared_ptr<Block>> Db::OpenWrittenBlock(util::StatusOr<std::optional<BlockMeta>> meta,
                                                            const std::string& ulid) {
  util::StatusOr<std::shared_ptr<Block>> block = std::shared_ptr<Block>();
  if (meta.ok() && meta->has_value()) block = Block::Open(fs_, dir_ + "/" + ulid);
  if (!meta.ok()) block = meta.status();
  if (!block.ok()) {
    std::lock_guard<std::mutex> lock(blocks_mu_);
    ++block_stats_.compactions_failed;
  }
  return block;
}

void Db::SwapBlocks(const std::vector<std::shared_ptr<Block>>& remove, const std::shared_ptr<Block>& add) {
  std::lock_guard<std::mutex> lock(blocks_mu_);
  for (const auto& r : remove) std::erase(blocks_, r);
  if (add != nullptr) {
    blocks_.insert(std::upper_bound(blocks_.begin(), blocks_.end(), add,
                                    [](const auto& a, const auto& b) {
                                      return a->meta().min_time < b->meta().min_time;
                                    }),
                   add);
    ++block_stats_.compactions;
  }
}

void Db::RemoveBlockDir(const Block& b) {
  // Open queriers keep reading the mapped files; the names go now.
  const std::string tmp = b.dir() + std::string(kTmpDeletion);
  util::Status s = fs_.Rename(b.dir(), tmp);
  if (s.ok()) s = fs_.RemoveAll(tmp);
  if (!s.ok()) util::log::Error("Deleting a block failed", {{"dir", b.dir()}, {"err", s}});
}

util::Status Db::CompactRange(int64_t mint, int64_t maxt) {
  const auto start = std::chrono::steady_clock::now();
  const std::string ulid = RandomUlid(clock_.NowMillis());
  util::StatusOr<std::optional<BlockMeta>> meta = [&] {
    std::unique_ptr<ChunkQuerier> q = head_->NewChunkQuerier(mint, maxt - 1);
    std::unique_ptr<ChunkSeriesSet> set = q->SelectChunks({});
    return WriteBlock(fs_, dir_, *set, mint, maxt, WriteInfo(ulid));
  }();
  KS_ASSIGN_OR_RETURN(std::shared_ptr<Block> block, OpenWrittenBlock(std::move(meta), ulid));
  SwapBlocks({}, block);
  // Queries now find the range in the block (and, until this returns, in
  // the head too: the merge drops the duplicates).
  head_->Truncate(maxt);
  TruncateWal(maxt);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  if (block != nullptr) {
    util::log::Info("Wrote block from the head",
                    {{"ulid", ulid},
                     {"mint", static_cast<long long>(mint)},
                     {"maxt", static_cast<long long>(maxt)},
                     {"series", static_cast<unsigned long>(block->meta().stats.num_series)},
                     {"samples", static_cast<unsigned long>(block->meta().stats.num_samples)},
                     {"bytes", static_cast<unsigned long>(block->size_bytes())},
                     {"duration_ms", static_cast<long long>(ms.count())}});
  }
  return util::Status::Ok();
}

// Prometheus's truncateWAL: start a new segment (so a quiet store does not
// keep old data in its live segment), then condense the lower two thirds of
// the older segments into a checkpoint holding the series still in the head
// and the samples at or after `mint`, and delete them.
void Db::TruncateWal(int64_t mint) {
  const std::string& wal_dir = wal_->dir();
  auto fail = [&](const util::Status& s) {
    util::log::Error("Truncating the WAL failed", {{"dir", wal_dir}, {"err", s}});
    std::lock_guard<std::mutex> lock(blocks_mu_);
    ++block_stats_.checkpoints_failed;
  };
  if (util::Status s = wal_->NextSegment(); !s.ok()) return fail(s);
  util::StatusOr<std::vector<std::string>> names = fs_.ListDir(wal_dir);
  if (!names.ok()) return fail(names.status());
  const uint64_t current = wal_->current_segment();
  std::optional<uint64_t> first, last;
  for (const std::string& n : *names) {
    std::optional<uint64_t> idx = wal_format::ParseSegmentName(n);
    if (!idx || *idx >= current) continue;
    if (!first || *idx < *first) first = idx;
    if (!last || *idx > *last) last = idx;
  }
  if (!first) return;
  const uint64_t n = *first + (*last - *first) * 2 / 3;
  if (n <= *first) return;
  util::StatusOr<CheckpointStats> cp =
      WriteCheckpoint(fs_, wal_dir, n, [this](SeriesRef ref) { return head_->HasSeries(ref); }, mint);
  if (!cp.ok()) return fail(cp.status());
  if (util::Status s = DeleteCheckpointedSegments(fs_, wal_dir, n); !s.ok()) return fail(s);
  std::lock_guard<std::mutex> lock(blocks_mu_);
  ++block_stats_.checkpoints;
  ++block_stats_.wal_truncations;
}

void Db::ApplyRetention() {
  std::lock_guard<std::mutex> lock(maintenance_mu_);
  std::vector<std::shared_ptr<Block>> blocks = Blocks();  // oldest first
  const int64_t retention = options_.retention.count();
  if (retention > 0 && !blocks.empty()) {
    const int64_t newest = blocks.back()->meta().max_time;
    std::vector<std::shared_ptr<Block>> doomed;
    for (const auto& b : blocks) {
      if (newest - b->meta().max_time >= retention) doomed.push_back(b);
    }
    if (!doomed.empty()) {
      DeleteBlocks(doomed, "time");
      blocks = Blocks();
    }
  }
  if (options_.retention_bytes > 0 && !blocks.empty()) {
    uint64_t total = WalBytes();
    std::vector<std::shared_ptr<Block>> doomed;
    for (auto it = blocks.rbegin(); it != blocks.rend(); ++it) {
      total += (*it)->size_bytes();
      if (total > options_.retention_bytes) doomed.push_back(*it);
    }
    if (!doomed.empty()) DeleteBlocks(doomed, "size");
  }
  if (retention > 0) {
    const int64_t now = clock_.NowMillis();
    if (now >= std::numeric_limits<int64_t>::min() + retention) head_->Truncate(now - retention);
  }
}

void Db::DeleteBlocks(const std::vector<std::shared_ptr<Block>>& doomed, std::string_view reason) {
  {
    std::lock_guard<std::mutex> lock(blocks_mu_);
    for (const auto& d : doomed) std::erase(blocks_, d);
    (reason == "time" ? block_stats_.time_retentions : block_stats_.size_retentions) += doomed.size();
  }
  for (const auto& d : doomed) {
    util::log::Info("Deleting block beyond retention", {{"ulid", d->meta().ulid}, {"reason", std::string(reason)}});
    RemoveBlockDir(*d);
  }
  if (util::Status s = fs_.SyncDir(dir_); !s.ok()) {
    util::log::Error("Syncing the data directory failed", {{"dir", dir_}, {"err", s}});
  }
}

uint64_t Db::WalBytes() const {
  uint64_t total = 0;
  const std::string& wal_dir = wal_->dir();
  util::StatusOr<std::vector<std::string>> names = fs_.ListDir(wal_dir);
  if (!names.ok()) return 0;
  for (const std::string& n : *names) {
    const std::string path = wal_dir + "/" + n;
    util::StatusOr<bool> is_dir = fs_.IsDirectory(path);
    if (is_dir.ok() && *is_dir) {
      util::StatusOr<std::vector<std::string>> inner = fs_.ListDir(path);
      if (!inner.ok()) continue;
      for (const std::string& f : *inner) {
        if (util::StatusOr<uint64_t> sz = fs_.FileSize(path + "/" + f); sz.ok()) total += *sz;
      }
    } else if (util::StatusOr<uint64_t> sz = fs_.FileSize(path); sz.ok()) {
      total += *sz;
    }
  }
  return total;
}

}  // namespace kubescrape::tsdb
