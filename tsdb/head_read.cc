// The Head's read side: HeadQuerier (Select through postings, LabelNames,
// LabelValues) and HeadChunkSeriesSet, which snapshots each series' chunks as the
// caller reaches it.
#include <algorithm>
#include <limits>
#include <string>

#include "tsdb/head.h"
#include "tsdb/head_series.h"
#include "tsdb/querier.h"
#include "tsdb/series_table.h"

namespace kubescrape::tsdb {
namespace {

struct SelectedSeries {
  model::Labels labels;
  MemSeries* series;
};

}  // namespace

// Series sorted by labels; each one's chunks are copied (views of sealed
// chunks, a copy of the open one) under its lock when Next() reaches it, so
// a series shows whole commits.
class HeadChunkSeriesSet final : public ChunkSeriesSet {
 public:
  HeadChunkSeriesSet(std::vector<SelectedSeries> series, int64_t mint, int64_t maxt)
      : series_(std::move(series)), mint_(mint), maxt_(maxt) {}

  bool Next() override {
    while (++pos_ < series_.size()) {
      auto snap = std::make_shared<SeriesChunks>();
      MemSeries* s = series_[pos_].series;
      {
        std::lock_guard<SpinLock> lock(s->mu);
        s->SnapshotLocked(mint_, maxt_, &snap->chunks, &snap->open_copy);
      }
      // As Prometheus: selected by chunk time ranges (see block.cc).
      if (snap->chunks.empty()) continue;
      current_ = std::move(snap);
      return true;
    }
    current_.reset();
    return false;
  }
  const model::Labels& labels() const override { return series_[pos_].labels; }
  std::shared_ptr<const SeriesChunks> chunks() const override { return current_; }
  util::Status status() const override { return util::Status::Ok(); }

 private:
  std::vector<SelectedSeries> series_;
  int64_t mint_;
  int64_t maxt_;
  size_t pos_ = static_cast<size_t>(-1);
  std::shared_ptr<const SeriesChunks> current_;
};

// Registered with the head for its lifetime, so the series and chunks it
// reaches are not freed under it.
class HeadQuerier final : public Querier, public ChunkQuerier {
 public:
  HeadQuerier(Head* head, int64_t mint, int64_t maxt) : head_(head), id_(head->Register()), mint_(mint), maxt_(maxt) {}
  ~HeadQuerier() override { head_->Unregister(id_); }

  std::unique_ptr<SeriesSet> Select(std::span<const model::Matcher> matchers) override {
    return SamplesOf(SelectChunks(matchers), mint_, maxt_);
  }
  std::unique_ptr<ChunkSeriesSet> SelectChunks(std::span<const model::Matcher> matchers) override;
  util::StatusOr<std::vector<std::string>> LabelNames(std::span<const model::Matcher> matchers) override;
  util::StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                       std::span<const model::Matcher> matchers) override;

 private:
  // True when the series holds samples and its time range overlaps the
  // querier's (LabelNames/LabelValues do not look inside chunks).
  bool Overlaps(const MemSeries& s) const {
    const int64_t lo = s.min_t.load(std::memory_order_relaxed);
    const int64_t hi = s.max_t.load(std::memory_order_relaxed);
    return lo != std::numeric_limits<int64_t>::max() && hi != MemSeries::kNoTime && lo <= maxt_ && hi >= mint_;
  }
  bool AnyOverlaps(const MemPostings::List& refs) const {
    for (SeriesRef ref : refs) {
      const MemSeries* s = head_->Lookup(ref);
      if (s != nullptr && Overlaps(*s)) return true;
    }
    return false;
  }
  // The series of `refs` that overlap the range.
  std::vector<MemSeries*> SeriesOf(const std::vector<SeriesRef>& refs) const {
    std::vector<MemSeries*> out;
    out.reserve(refs.size());
    for (SeriesRef ref : refs) {
      MemSeries* s = head_->Lookup(ref);
      if (s != nullptr && Overlaps(*s)) out.push_back(s);
    }
    return out;
  }
  static std::vector<std::string> SortedUnique(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  }

  Head* const head_;
  const uint64_t id_;
  const int64_t mint_;
  const int64_t maxt_;
};

util::StatusOr<std::unique_ptr<Querier>> Head::NewQuerier(int64_t mint, int64_t maxt) {
  return std::unique_ptr<Querier>(std::make_unique<HeadQuerier>(this, mint, maxt));
}

std::unique_ptr<ChunkQuerier> Head::NewChunkQuerier(int64_t mint, int64_t maxt) {
  return std::make_unique<HeadQuerier>(this, mint, maxt);
}

std::vector<Head::ChunkInfo> Head::ChunksOf(const model::Labels& labels) const {
  std::vector<ChunkInfo> out;
  const uint64_t hash = labels.Hash();
  HashStripe& hs = hash_stripes_[hash & stripe_mask_];
  // Under the stripe and series locks nothing read here can be unlinked.
  std::lock_guard<SpinLock> lock(hs.mu);
  MemSeries* s = hs.table.Find(hash, [&](const MemSeries* c) { return LabelsEqual(*c, labels); });
  if (s == nullptr) return out;
  std::lock_guard<SpinLock> series_lock(s->mu);
  SeriesChunks snap;
  s->SnapshotLocked(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), &snap.chunks,
                    &snap.open_copy);
  for (const ChunkView& c : snap.chunks) {
    out.push_back(ChunkInfo{c.min_t, c.max_t, XorIterator(c.bytes).num_samples(), c.bytes.size()});
  }
  return out;
}

std::unique_ptr<ChunkSeriesSet> HeadQuerier::SelectChunks(std::span<const model::Matcher> matchers) {
  std::vector<SelectedSeries> selected;
  if (mint_ <= maxt_) {
    for (MemSeries* s : SeriesOf(head_->postings_.ForMatchers(matchers))) {
      selected.push_back(SelectedSeries{head_->LabelsOf(*s), s});
    }
    std::sort(selected.begin(), selected.end(),
              [](const SelectedSeries& a, const SelectedSeries& b) { return a.labels < b.labels; });
  }
  return std::make_unique<HeadChunkSeriesSet>(std::move(selected), mint_, maxt_);
}

util::StatusOr<std::vector<std::string>> HeadQuerier::LabelNames(std::span<const model::Matcher> matchers) {
  std::vector<std::string> names;
  if (mint_ > maxt_) return names;
  if (matchers.empty()) {
    // A name qualifies as soon as one of its series does.
    head_->postings_.ForEachName([&](std::string_view name, const MemPostings::ValueMap& values) {
      for (const auto& [value, refs] : values) {
        if (AnyOverlaps(refs)) {
          names.emplace_back(name);
          return;
        }
      }
    });
    return SortedUnique(std::move(names));
  }
  std::vector<uint32_t> ids;
  for (const MemSeries* s : SeriesOf(head_->postings_.ForMatchers(matchers))) {
    std::span<const uint32_t> l = s->label_ids();
    for (size_t i = 0; i < l.size(); i += 2) ids.push_back(l[i]);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  names.reserve(ids.size());
  for (uint32_t id : ids) names.emplace_back(head_->symbols_.Get(id));
  return SortedUnique(std::move(names));
}

util::StatusOr<std::vector<std::string>> HeadQuerier::LabelValues(std::string_view name,
                                                                  std::span<const model::Matcher> matchers) {
  std::vector<std::string> values;
  if (mint_ > maxt_) return values;
  if (matchers.empty()) {
    head_->postings_.ForEachValue(name, [&](std::string_view value, const MemPostings::List& refs) {
      if (AnyOverlaps(refs)) values.emplace_back(value);
    });
    return SortedUnique(std::move(values));
  }
  std::vector<uint32_t> ids;
  for (const MemSeries* s : SeriesOf(head_->postings_.ForMatchers(matchers))) {
    std::span<const uint32_t> l = s->label_ids();
    for (size_t i = 0; i < l.size(); i += 2) {
      if (head_->symbols_.Get(l[i]) == name) {
        ids.push_back(l[i + 1]);
        break;
      }
    }
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  values.reserve(ids.size());
  for (uint32_t id : ids) values.emplace_back(head_->symbols_.Get(id));
  return SortedUnique(std::move(values));
}

}  // namespace kubescrape::tsdb
