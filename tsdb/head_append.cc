// The Head's append path: HeadAppender batches samples and applies them at
// Commit (after the HeadLogger), one lock hold per series run.
#include <algorithm>
#include <bit>
#include <numeric>

#include "tsdb/head.h"
#include "tsdb/head_series.h"

namespace kubescrape::tsdb {

// Not thread-safe (one caller, the Appender contract). Registered with the
// head from its first Append until Commit/Rollback; reusable afterwards.
class HeadAppender final : public Appender {
 public:
  explicit HeadAppender(Head* head) : head_(head) {}
  ~HeadAppender() override {
    if (id_ != 0) Rollback();
  }

  AppendResult Append(SeriesRef ref, const model::Labels& labels, int64_t t, double v) override;
  void Prefetch(SeriesRef ref, PrefetchStage stage) override { head_->PrefetchRef(ref, stage); }
  util::Status Commit() override;
  void Rollback() override;

 private:
  void Open();
  void Close();
  void Apply();

  Head* const head_;
  uint64_t id_ = 0;  // registry id while open
  int64_t min_valid_t_ = 0;
  bool revisit_ = false;  // a series came back after another: group at commit
  std::vector<RefSample> samples_;
  std::vector<MemSeries*> series_;  // series_[i] holds samples_[i]
  std::vector<RefSeries> created_;
  uint64_t out_of_order_ = 0;
  uint64_t out_of_bounds_ = 0;
  uint64_t duplicates_ = 0;
};

std::unique_ptr<Appender> Head::NewAppender() { return std::make_unique<HeadAppender>(this); }

void HeadAppender::Open() {
  id_ = head_->Register();
  min_valid_t_ = head_->AppendMinValidTime();
}

void HeadAppender::Close() {
  head_->out_of_order_.fetch_add(out_of_order_, std::memory_order_relaxed);
  head_->out_of_bounds_.fetch_add(out_of_bounds_, std::memory_order_relaxed);
  head_->duplicates_.fetch_add(duplicates_, std::memory_order_relaxed);
  out_of_order_ = out_of_bounds_ = duplicates_ = 0;
  samples_.clear();
  series_.clear();
  created_.clear();
  revisit_ = false;
  head_->Unregister(id_);
  id_ = 0;
}

AppendResult HeadAppender::Append(SeriesRef ref, const model::Labels& labels, int64_t t, double v) {
  if (id_ == 0) Open();
  // The minimum valid time is checked first, before any lookup (Prometheus).
  if (t < min_valid_t_ || t == MemSeries::kNoTime) {
    ++out_of_bounds_;
    return {ref, AppendError::kOutOfBounds};
  }
  uint64_t prev = 0;
  MemSeries* s = ref != 0 ? head_->LookupForAppend(ref, id_, &prev) : nullptr;
  if (s == nullptr) {
    if (labels.empty()) return {0, AppendError::kUnknownRef};
    bool created = false;
    s = head_->GetOrCreate(labels, id_, &created, &prev);
    if (created) created_.push_back(RefSeries{s->ref, labels});
  }
  // Check against this batch's previous sample of the series when it is the
  // one just appended, else against the committed newest; Commit re-checks.
  const bool consecutive = !series_.empty() && series_.back() == s;
  if (prev == id_ && !consecutive) revisit_ = true;
  const int64_t last_t = consecutive ? samples_.back().t : s->max_t.load(std::memory_order_relaxed);
  if (last_t != MemSeries::kNoTime && t <= last_t) {
    if (t < last_t) {
      ++out_of_order_;
      return {s->ref, AppendError::kOutOfOrder};
    }
    // Same timestamp (rare): compare values, the committed one under the lock.
    uint64_t last_v;
    if (consecutive) {
      last_v = std::bit_cast<uint64_t>(samples_.back().v);
    } else {
      std::lock_guard<SpinLock> lock(s->mu);
      if (s->max_t.load(std::memory_order_relaxed) > t) {  // a commit got in between
        ++out_of_order_;
        return {s->ref, AppendError::kOutOfOrder};
      }
      last_v = s->LastValueBitsLocked();
    }
    if (std::bit_cast<uint64_t>(v) == last_v) return {s->ref, AppendError::kNone};
    ++duplicates_;
    return {s->ref, AppendError::kDuplicateSample};
  }
  samples_.push_back(RefSample{s->ref, t, v});
  series_.push_back(s);
  return {s->ref, AppendError::kNone};
}

util::Status HeadAppender::Commit() {
  if (id_ == 0) return util::Status::Ok();
  if (head_->options_.logger != nullptr && (!samples_.empty() || !created_.empty())) {
    util::Status st = head_->options_.logger->Log(created_, samples_);
    if (!st.ok()) {
      Rollback();
      return st;
    }
  }
  Apply();
  Close();
  return util::Status::Ok();
}

void HeadAppender::Rollback() {
  if (id_ == 0) return;
  // The batch's new series stay in the head (a later batch may append to
  // them by ref), so they are logged even now, as Prometheus does. A failure
  // here has no one to report to; the Commit that failed already did.
  if (head_->options_.logger != nullptr && !created_.empty()) {
    head_->options_.logger->Log(created_, {}).IgnoreError();
  }
  Close();
}

void HeadAppender::Apply() {
  const size_t n = samples_.size();
  if (n == 0) return;
  const ChunkOptions opts{head_->options_.chunk_range_ms, head_->options_.samples_per_chunk};
  // Truncate may have moved the floor since Open().
  const int64_t floor = head_->min_valid_time_.load(std::memory_order_relaxed);
  uint64_t appended = 0, chunks = 0;
  int64_t batch_min = std::numeric_limits<int64_t>::max();
  int64_t batch_max = std::numeric_limits<int64_t>::min();

  // Each series' samples are applied under one lock hold, so a reader sees
  // all of them or none. They are consecutive unless a series came back
  // after another; then a stable sort by series groups them.
  std::vector<uint32_t> order;
  if (revisit_) {
    order.resize(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      return std::less<const MemSeries*>()(series_[a], series_[b]);
    });
  }
  auto at = [&](size_t k) -> size_t { return revisit_ ? order[k] : k; };
  for (size_t k = 0; k < n;) {
    MemSeries* s = series_[at(k)];
    std::lock_guard<SpinLock> lock(s->mu);
    for (; k < n && series_[at(k)] == s; ++k) {
      const RefSample& smp = samples_[at(k)];
      if (s->removed || smp.t < floor) {
        ++out_of_bounds_;
        continue;
      }
      const int64_t max_t = s->max_t.load(std::memory_order_relaxed);
      if (smp.t <= max_t) {
        if (smp.t < max_t) {
          ++out_of_order_;
        } else if (std::bit_cast<uint64_t>(smp.v) != s->LastValueBitsLocked()) {
          ++duplicates_;
        }
        continue;
      }
      chunks += s->AppendLocked(smp.t, smp.v, opts) ? 1 : 0;
      ++appended;
      batch_min = std::min(batch_min, smp.t);
      batch_max = std::max(batch_max, smp.t);
    }
  }
  if (appended > 0) {
    head_->NoteTimeRange(batch_min, batch_max);
    head_->samples_appended_.fetch_add(appended, std::memory_order_relaxed);
    head_->chunks_created_.fetch_add(chunks, std::memory_order_relaxed);
  }
}

}  // namespace kubescrape::tsdb
