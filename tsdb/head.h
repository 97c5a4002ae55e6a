#pragma once
// Head: the in-memory part of the TSDB, a tsdb::Storage holding the recent
// samples of every active series in XOR chunks (docs/format/chunks.md).
//
// Layout (see docs/architecture.md, "tsdb"):
//  - one compact MemSeries per series: its label pairs as ids into a shared
//    SymbolTable, the open chunk being appended to and its sealed chunks;
//  - series found by reference or by label hash through striped tables
//    (stripe = key mod 2^stripe_bits, a spin lock each);
//  - MemPostings (name=value -> sorted refs) for selection.
//
// Append semantics are Prometheus's (memSeries.appendable): a sample older
// than the appender's minimum valid time (the head's newest sample minus half
// a chunk range, or the truncation point) is out of bounds; older than the
// series' newest is out of order; at the same timestamp it is a no-op with
// the same value bits and a duplicate otherwise. Stale markers are ordinary
// values. Rejections are counted (stats()).
//
// Commit makes a batch visible series by series: a reader sees all of a
// commit's samples of a series or none. With a HeadLogger, Commit first
// hands it the batch (new series, then samples); a logging error fails the
// Commit and applies nothing. Series are created by Append and stay even
// when the batch is rolled back, so Rollback logs them (without samples).
// As in Prometheus, a series created by a batch still open may receive
// samples from another batch that commits first: its series record then
// follows those samples in the log.
//
// Memory is reclaimed by Truncate(mint): chunks wholly before mint are
// dropped, then series left without samples, unless an appender that is
// still open has touched them. Memory that an open appender or querier may
// still read is freed when the last of them closes.
//
// Thread-safety: thread-safe (the Storage contract). Appenders and queriers
// must be destroyed before the Head. Truncate never waits for open appenders
// or queriers, so any thread may call it, even one holding an appender.

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tsdb/chunk_format.h"
#include "tsdb/postings.h"
#include "tsdb/querier.h"
#include "tsdb/record.h"
#include "tsdb/storage.h"
#include "tsdb/symbols.h"

namespace kubescrape::tsdb {

class MemSeries;
struct SeriesState;
struct RefStripe;
struct HashStripe;
class HeadAppender;
class HeadQuerier;
class HeadChunkSeriesSet;

// Receives each batch before Commit applies it (the WAL).
class HeadLogger {
 public:
  virtual ~HeadLogger() = default;
  // `series` are the series this batch created, `samples` its samples in
  // append order (series first: a sample's ref may be one of `series`).
  // Rollback calls it with the new series and no samples. Called from the
  // committing thread; must be thread-safe when several appenders commit at
  // once.
  [[nodiscard]] virtual util::Status Log(std::span<const RefSeries> series, std::span<const RefSample> samples) = 0;
};

struct HeadOptions {
  // Chunks never cross a multiple of this (the block range), ms.
  int64_t chunk_range_ms = chunk_format::kDefaultChunkRangeMs;
  // Target samples per chunk. REQUIRES: 4 <= samples_per_chunk <= 32767.
  int samples_per_chunk = chunk_format::kDefaultSamplesPerChunk;
  // 2^stripe_bits stripes for the series tables. REQUIRES: 0..20.
  // 4096 stripes keep lock contention negligible for dozens of appending
  // threads; Prometheus's 16384 cost 3 MiB before the first series (two
  // cache-line-aligned stripes and two small tables each), ~60 bytes per
  // series at 50k series.
  int stripe_bits = 12;
  // Not owned; may be null. Must outlive the Head.
  HeadLogger* logger = nullptr;
};

// Counters since the Head was made.
struct HeadStats {
  uint64_t series_created = 0;
  uint64_t series_removed = 0;
  uint64_t samples_appended = 0;
  uint64_t out_of_order = 0;
  uint64_t out_of_bounds = 0;
  uint64_t duplicates = 0;
  uint64_t chunks_created = 0;
  uint64_t chunks_removed = 0;
  uint64_t num_series = 0;   // live series now
  uint64_t num_symbols = 0;  // live interned strings now
};

class Head final : public Storage {
 public:
  explicit Head(HeadOptions options = {});
  ~Head() override;
  Head(const Head&) = delete;
  Head& operator=(const Head&) = delete;

  std::unique_ptr<Appender> NewAppender() override;
  // A view of [mint, maxt]; see storage.h for its consistency.
  util::StatusOr<std::unique_ptr<Querier>> NewQuerier(int64_t mint, int64_t maxt) override;
  // The same view, for readers of whole chunks (block writing).
  std::unique_ptr<ChunkQuerier> NewChunkQuerier(int64_t mint, int64_t maxt);

  // Drops the chunks whose samples are all older than `mint`, then the series
  // left without samples (and their postings and symbols); samples older
  // than `mint` are out of bounds from now on. Calls are serialised.
  void Truncate(int64_t mint);

  // The oldest and newest sample timestamps in the head; MinTime() >
  // MaxTime() when it is empty.
  int64_t MinTime() const { return min_time_.load(std::memory_order_relaxed); }
  int64_t MaxTime() const { return max_time_.load(std::memory_order_relaxed); }

  // The chunks of the series `labels`, oldest first (the open one last);
  // empty when the series is unknown. For tests and tools.
  struct ChunkInfo {
    int64_t min_t;
    int64_t max_t;
    uint32_t num_samples;
    size_t bytes;
  };
  std::vector<ChunkInfo> ChunksOf(const model::Labels& labels) const;

  // WAL replay, before the head serves appenders (thread-safe, so records
  // may be applied from several threads, each series' samples in order).
  // ReplaySeries recreates series under their logged refs; a series logged
  // again under another ref (Prometheus does that after a crash) keeps its
  // first ref and the new one becomes an alias. Refs handed out later are
  // above every replayed one. ReplaySamples applies samples by ref with the
  // append rules minus the time floor (older or duplicate samples are
  // skipped) and returns how many named no known series.
  // When `aliases` is not null, each alias made is appended to it as
  // (logged ref, head ref).
  void ReplaySeries(std::span<const RefSeries> series,
                    std::vector<std::pair<SeriesRef, SeriesRef>>* aliases = nullptr);
  uint64_t ReplaySamples(std::span<const RefSample> samples);

  // True when the head holds the series `ref` (or a replayed alias of it).
  bool HasSeries(SeriesRef ref) const;

  // Head snapshots (head_snapshot.h). ForEachSeriesState calls `fn` with
  // every series' ref, labels and state (views valid during the call), in
  // increasing ref order, while holding that series' and its stripe's spin
  // locks: `fn` must be short and must not call into the Head.
  // `between` (may be null) runs every few hundred series with no lock
  // held. Concurrent appends are allowed; each series is seen at one
  // instant; series created meanwhile may be missed.
  using SeriesStateFn = std::function<void(SeriesRef, std::span<const model::Label>, const SeriesState&)>;
  void ForEachSeriesState(const SeriesStateFn& fn, const std::function<void()>& between) const;
  // Creates the series `ref` with `labels` holding `state` (copied), as
  // ReplaySeries creates series; false, changing nothing, when ref is 0,
  // `labels` is empty, or either is in the head already. Thread-safe; for
  // restoring a snapshot before the head serves appenders.
  bool RestoreSeries(SeriesRef ref, const model::Labels& labels, const SeriesState& state);
  // The truncation point: older samples are out of bounds (min() when
  // never truncated). RestoreMinValidTime raises it to `t` without
  // dropping anything (a snapshot's value).
  int64_t MinValidTime() const { return min_valid_time_.load(std::memory_order_relaxed); }
  void RestoreMinValidTime(int64_t t);

  HeadStats stats() const;
  const HeadOptions& options() const { return options_; }

  // Bytes the head's structures hold, estimated from sizes and capacities
  // (allocator overhead excluded); for tests and benchmarks. Walks every
  // series.
  struct Memory {
    size_t series = 0;       // series objects with their label ids
    size_t chunk_data = 0;   // chunk bytes (open chunks at capacity)
    size_t chunk_index = 0;  // per-chunk bookkeeping
    size_t tables = 0;       // stripes and series tables
    size_t postings = 0;
    size_t symbols = 0;
    size_t total() const { return series + chunk_data + chunk_index + tables + postings + symbols; }
  };
  Memory MemoryUsage() const;

 private:
  friend class HeadAppender;
  friend class HeadQuerier;
class HeadChunkSeriesSet;
  friend class HeadChunkSeriesSet;
  struct Registry;
  struct Graveyard;

  // The series `ref` or null; for appenders, records `appender` in its
  // marker (under the stripe lock, so Truncate sees it) and returns the
  // marker's previous value in *prev.
  MemSeries* LookupForAppend(SeriesRef ref, uint64_t appender, uint64_t* prev);
  // The series with `labels`, created when absent (*created = true).
  MemSeries* GetOrCreate(const model::Labels& labels, uint64_t appender, bool* created, uint64_t* prev);
  // Creates the series `ref` with `labels` in both tables and postings.
  // REQUIRES: hs is the locked stripe of `hash`; neither exists yet.
  MemSeries* CreateSeriesLocked(HashStripe& hs, const model::Labels& labels, uint64_t hash, SeriesRef ref,
                                uint64_t marker);
  // The series `ref` or null, for readers.
  MemSeries* Lookup(SeriesRef ref) const;
  // Appender::Prefetch: kFar fetches the ref's stripe, kNear its table slot.
  void PrefetchRef(SeriesRef ref, Appender::PrefetchStage stage) const;
  // Lookup, falling back to the replay's alias of `ref`.
  MemSeries* LookupForReplay(SeriesRef ref) const;
  RefStripe& RefStripeOf(SeriesRef ref) const;
  // The series' labels. REQUIRES: the series is alive (caller registered).
  model::Labels LabelsOf(const MemSeries& s) const;
  bool LabelsEqual(const MemSeries& s, const model::Labels& labels) const;

  // Appenders and queriers register while they may hold series pointers;
  // memory Truncate unlinks is freed once everyone registered before it left.
  uint64_t Register();
  void Unregister(uint64_t id);
  // The smallest id an open or future appender can have.
  uint64_t OldestAppenderId() const;
  // Hands unlinked memory to the graveyard.
  void Bury(std::vector<MemSeries*> series, std::vector<const uint8_t*> chunks);
  void FreeGarbage();
  void FreeSeries(MemSeries* s);

  // Drops the series of `candidates` that are still empty and untouched by
  // appenders at or after `min_open`; returns them.
  std::vector<MemSeries*> RemoveSeries(const std::vector<MemSeries*>& candidates, uint64_t min_open);
  int64_t AppendMinValidTime() const;
  void NoteTimeRange(int64_t mint, int64_t maxt);

  const HeadOptions options_;
  const uint64_t stripe_mask_;
  std::unique_ptr<RefStripe[]> ref_stripes_;    // by ref
  std::unique_ptr<HashStripe[]> hash_stripes_;  // by labels hash
  SymbolTable symbols_;
  MemPostings postings_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<Graveyard> graveyard_;
  std::mutex truncate_mu_;  // serialises Truncate
  mutable std::mutex alias_mu_;
  std::unordered_map<SeriesRef, SeriesRef> aliases_;  // guarded by alias_mu_; replayed ref -> ref

  std::atomic<SeriesRef> next_ref_{1};
  std::atomic<int64_t> min_time_{std::numeric_limits<int64_t>::max()};
  std::atomic<int64_t> max_time_{std::numeric_limits<int64_t>::min()};
  std::atomic<int64_t> min_valid_time_{std::numeric_limits<int64_t>::min()};

  std::atomic<uint64_t> num_series_{0};
  std::atomic<uint64_t> series_created_{0};
  std::atomic<uint64_t> series_removed_{0};
  std::atomic<uint64_t> samples_appended_{0};
  std::atomic<uint64_t> out_of_order_{0};
  std::atomic<uint64_t> out_of_bounds_{0};
  std::atomic<uint64_t> duplicates_{0};
  std::atomic<uint64_t> chunks_created_{0};
  std::atomic<uint64_t> chunks_removed_{0};
};

}  // namespace kubescrape::tsdb
