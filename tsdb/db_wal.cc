// Db and its WAL: logging each commit, and rebuilding the head from the log
// on open (see db.h).
#include "tsdb/db_wal.h"

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "tsdb/record.h"
#include "tsdb/work_queue.h"
#include "util/logging.h"

namespace kubescrape::tsdb {

util::Status Db::WalLogger::Log(std::span<const RefSeries> series,
                                std::span<const RefSample> samples) {
  if (series.empty() && samples.empty()) return util::Status::Ok();
  if (wal_ == nullptr) return util::FailedPreconditionError("tsdb: the WAL is not open");
  // Per thread, so committers reuse their buffers without sharing them.
  thread_local std::string series_buf;
  thread_local std::string samples_buf;
  std::string_view records[2];
  size_t n = 0;
  if (!series.empty()) {
    EncodeSeries(series, &series_buf);
    records[n++] = series_buf;
  }
  if (!samples.empty()) {
    EncodeSamples(samples, &samples_buf);
    records[n++] = samples_buf;
  }
  KS_RETURN_IF_ERROR(wal_->Log(std::span<const std::string_view>(records, n)));
  batches_.fetch_add(1, std::memory_order_relaxed);
  return util::Status::Ok();
}

namespace {

// Applies WAL records in log order, the samples on `workers` threads
// (Prometheus's loadWAL with per-shard workers). The reading thread decodes
// each record, applies series records itself (before any later sample
// needs them) and hands samples to the worker owning their series (ref mod
// workers), so each series' samples stay in log order. A sample may precede
// the record of its series (a batch still open created the series when
// another batch committed samples to it; see head.h): such samples wait in
// `pending_` until the series record arrives. A series logged again under
// a new ref (after a crash) is an alias: its samples go to the first ref.
class Replayer {
 public:
  Replayer(Head& head, DbReplayStats& stats, int workers)
      : head_(head),
        stats_(stats),
        workers_(static_cast<size_t>(std::max(workers, 1))),
        // Each worker has a batch being filled, one queued, one applied.
        batch_samples_(std::max<size_t>(kMinBatchSamples, kBatchBudgetBytes / sizeof(RefSample) / 3 / workers_.size())) {
    batches_.resize(workers_.size());
    for (std::vector<RefSample>& b : batches_) b.reserve(std::min<size_t>(batch_samples_, kMinBatchSamples));
    if (workers_.size() > 1) {
      for (Worker& w : workers_) {
        w.queue = std::make_unique<WorkQueue<std::vector<RefSample>>>(1);
        w.thread = std::thread([this, &w] { Run(w); });
      }
    }
  }
  ~Replayer() { Stop(); }
  Replayer(const Replayer&) = delete;
  Replayer& operator=(const Replayer&) = delete;

  util::Status Apply(std::string_view record) {
    ++stats_.records;
    switch (GetRecordType(record)) {
      case RecordType::kSeries:
        series_.clear();
        KS_RETURN_IF_ERROR(DecodeSeries(record, &series_));
        stats_.series += series_.size();
        aliases_made_.clear();
        head_.ReplaySeries(series_, &aliases_made_);
        for (const auto& [from, to] : aliases_made_) aliases_[from] = to;
        for (const RefSeries& s : series_) {
          MarkKnown(s.ref);
          if (pending_.empty()) continue;
          auto it = pending_.find(s.ref);
          if (it == pending_.end()) continue;
          for (const RefSample& smp : it->second) Dispatch(smp);
          pending_.erase(it);
        }
        return util::Status::Ok();
      case RecordType::kSamples: {
        samples_.clear();
        KS_RETURN_IF_ERROR(DecodeSamples(record, &samples_));
        stats_.samples += samples_.size();
        for (const RefSample& smp : samples_) {
          if (IsKnown(smp.ref)) {
            Dispatch(smp);
          } else {
            pending_[smp.ref].push_back(smp);
          }
        }
        return util::Status::Ok();
      }
      case RecordType::kUnknown:
        if (stats_.unknown_records++ == 0) first_unknown_type_ = RawRecordType(record);
        return util::Status::Ok();
    }
    return util::Status::Ok();
  }

  // Applies what is still queued, stops the workers, counts and logs what
  // never found its series.
  void Finish() {
    for (size_t i = 0; i < workers_.size(); ++i) Flush(i);
    Stop();
    for (const auto& [ref, samples] : pending_) stats_.orphan_samples += samples.size();
    for (const Worker& w : workers_) stats_.orphan_samples += w.unknown;
    if (stats_.unknown_records > 0) {
      util::log::Warn("Skipped WAL records of unknown type",
                      {{"records", static_cast<unsigned long>(stats_.unknown_records)},
                       {"first_type", static_cast<unsigned>(first_unknown_type_)}});
    }
    if (stats_.orphan_samples > 0) {
      util::log::Warn("Dropped WAL samples of unknown series",
                      {{"samples", static_cast<unsigned long>(stats_.orphan_samples)},
                       {"series", static_cast<unsigned long>(pending_.size())}});
    }
  }

 private:
  // Samples are applied in large batches grouped by series (ApplyBatch):
  // a series' samples then cost one lookup and one cache miss, not one
  // per sample. The budget bounds the memory of all batches.
  static constexpr size_t kBatchBudgetBytes = size_t{96} << 20;
  static constexpr size_t kMinBatchSamples = 64 * 1024;
  static constexpr SeriesRef kMaxBitmapRef = SeriesRef{1} << 28;  // 32 MiB of bits at most

  struct Worker {
    std::unique_ptr<WorkQueue<std::vector<RefSample>>> queue;  // null when applying inline
    std::thread thread;
    uint64_t unknown = 0;  // written by the worker; read after it is joined
  };

  void Run(Worker& w) {
    std::vector<RefSample> batch;
    while (w.queue->Pop(&batch)) w.unknown += ApplyBatch(batch);
  }

  // Groups the batch by series, keeping each series' samples in log order,
  // and applies it. The batch is a concatenation of records, each usually
  // in ascending ref order (a scrape's series were created in order): a
  // bottom-up stable merge of those runs costs O(n log runs). Batches with
  // too many runs are applied as they are.
  uint64_t ApplyBatch(std::vector<RefSample>& b) {
    std::vector<size_t> bounds{0}, next_bounds;  // run starts, then the end
    for (size_t i = 1; i < b.size(); ++i) {
      if (b[i].ref < b[i - 1].ref) bounds.push_back(i);
    }
    bounds.push_back(b.size());
    if (bounds.size() - 1 <= std::max<size_t>(64, b.size() / 64)) {
      const auto by_ref = [](const RefSample& x, const RefSample& y) { return x.ref < y.ref; };
      while (bounds.size() > 2) {
        next_bounds.assign(1, 0);
        size_t i = 0;
        for (; i + 2 < bounds.size(); i += 2) {
          std::inplace_merge(b.begin() + static_cast<ptrdiff_t>(bounds[i]),
                             b.begin() + static_cast<ptrdiff_t>(bounds[i + 1]),
                             b.begin() + static_cast<ptrdiff_t>(bounds[i + 2]), by_ref);
          next_bounds.push_back(bounds[i + 2]);
        }
        if (i + 1 < bounds.size()) next_bounds.push_back(bounds.back());  // an odd run out
        bounds.swap(next_bounds);
      }
    }
    return head_.ReplaySamples(b);
  }

  void Stop() {
    for (Worker& w : workers_) {
      if (w.queue != nullptr) w.queue->Close();
    }
    for (Worker& w : workers_) {
      if (w.thread.joinable()) w.thread.join();
    }
  }

  void Dispatch(RefSample smp) {
    if (!aliases_.empty()) {
      auto it = aliases_.find(smp.ref);
      if (it != aliases_.end()) smp.ref = it->second;
    }
    const size_t i = workers_.size() == 1 ? 0 : smp.ref % workers_.size();
    batches_[i].push_back(smp);
    if (batches_[i].size() >= batch_samples_) Flush(i);
  }

  void Flush(size_t i) {
    if (batches_[i].empty()) return;
    Worker& w = workers_[i];
    if (w.queue == nullptr) {
      w.unknown += ApplyBatch(batches_[i]);
      batches_[i].clear();
      return;
    }
    w.queue->Push(std::move(batches_[i]));
    batches_[i] = std::vector<RefSample>();
    batches_[i].reserve(std::min<size_t>(batch_samples_, kMinBatchSamples));
  }

  // Known: its series record was read, or the head had it already (from a
  // snapshot). A bitmap by ref, as refs are small and dense.
  bool IsKnown(SeriesRef ref) {
    if (ref < known_bits_.size() && known_bits_[ref]) return true;
    if (ref >= kMaxBitmapRef && known_large_.contains(ref)) return true;
    if (!head_.HasSeries(ref)) return false;
    MarkKnown(ref);
    return true;
  }
  void MarkKnown(SeriesRef ref) {
    if (ref >= kMaxBitmapRef) {
      known_large_.insert(ref);
      return;
    }
    if (ref >= known_bits_.size()) {
      known_bits_.resize(std::min<size_t>(std::max<size_t>(ref + 1, 2 * known_bits_.size()), kMaxBitmapRef));
    }
    known_bits_[ref] = true;
  }

  Head& head_;
  DbReplayStats& stats_;
  std::vector<Worker> workers_;
  const size_t batch_samples_;
  std::vector<std::vector<RefSample>> batches_;  // per worker, being filled
  std::vector<RefSeries> series_;
  std::vector<RefSample> samples_;
  std::vector<std::pair<SeriesRef, SeriesRef>> aliases_made_;
  std::unordered_map<SeriesRef, SeriesRef> aliases_;
  std::vector<bool> known_bits_;
  std::unordered_set<SeriesRef> known_large_;
  std::unordered_map<SeriesRef, std::vector<RefSample>> pending_;
  uint8_t first_unknown_type_ = 0;
};

}  // namespace

int Db::ReplayWorkers() const {
  if (options_.replay_workers > 0) return options_.replay_workers;
  // The reading thread decodes and dispatches: it takes a core of its own
  // (on 2 cores, reader + 2 workers measured slower than sequential).
  const unsigned hw = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp<unsigned>(hw > 1 ? hw - 1 : 1, 1, 8));
}

util::Status Db::Replay(WalPosition from) {
  const auto start = std::chrono::steady_clock::now();
  replay_stats_.workers = ReplayWorkers();
  Replayer replayer(*head_, replay_stats_, replay_stats_.workers);
  const Wal::RecordFn apply = [&replayer](std::string_view record) {
    return replayer.Apply(record);
  };
  KS_ASSIGN_OR_RETURN(wal_, Wal::Open(fs_, util::JoinDir(dir_, "wal"), options_.wal, apply, from));
  replayer.Finish();
  replay_stats_.repaired = !wal_->stats().replay.corruption.ok();
  replay_stats_.duration += std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  return util::Status::Ok();
}

}  // namespace kubescrape::tsdb
