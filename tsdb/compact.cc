#include "tsdb/compact.h"

#include <algorithm>
#include <limits>

#include "tsdb/chunk_format.h"
#include "tsdb/chunk_xor.h"
#include "tsdb/label_groups.h"
#include "tsdb/merge_querier.h"

namespace kubescrape::tsdb {
namespace {

// Go's floor alignment of t to a multiple of `range` (Prometheus's
// splitByRange handles negative times this way).
int64_t WindowStart(int64_t t, int64_t range) {
  if (t >= 0) return range * (t / range);
  return range * ((t - range + 1) / range);
}

// Groups of consecutive blocks that fit in one window of `range`.
std::vector<std::vector<size_t>> SplitByRange(const std::vector<BlockMeta>& metas, const std::vector<size_t>& idx,
                                              int64_t range) {
  std::vector<std::vector<size_t>> groups;
  for (size_t i = 0; i < idx.size();) {
    const BlockMeta& m = metas[idx[i]];
    const int64_t t0 = WindowStart(m.min_time, range);
    // A block that does not fit its window is skipped.
    if (m.max_time > t0 + range) {
      ++i;
      continue;
    }
    std::vector<size_t> group;
    for (; i < idx.size(); ++i) {
      const BlockMeta& b = metas[idx[i]];
      if (b.max_time > t0 + range) break;
      group.push_back(idx[i]);
    }
    if (!group.empty()) groups.push_back(std::move(group));
  }
  return groups;
}

std::vector<size_t> OverlappingBlocks(const std::vector<BlockMeta>& metas) {
  // The first run of blocks whose ranges chain-overlap.
  std::vector<size_t> run;
  int64_t run_max = 0;
  for (size_t i = 0; i < metas.size(); ++i) {
    if (!run.empty() && metas[i].min_time < run_max) {
      run.push_back(i);
      run_max = std::max(run_max, metas[i].max_time);
      continue;
    }
    if (run.size() > 1) return run;
    run.assign(1, i);
    run_max = metas[i].max_time;
  }
  return run.size() > 1 ? run : std::vector<size_t>{};
}

class MergedChunkSeriesSet final : public ChunkSeriesSet {
 public:
  explicit MergedChunkSeriesSet(std::vector<std::unique_ptr<ChunkSeriesSet>> sets)
      : sets_(std::move(sets)), groups_(sets_) {}

  bool Next() override {
    if (!groups_.Next()) {
      current_.reset();
      return false;
    }
    const std::vector<size_t>& group = groups_.group();
    current_ = group.size() == 1 ? sets_[group[0]]->chunks() : Merge();
    return true;
  }
  const model::Labels& labels() const override { return sets_[groups_.group()[0]]->labels(); }
  std::shared_ptr<const SeriesChunks> chunks() const override { return current_; }
  util::Status status() const override {
    for (const auto& s : sets_) {
      if (util::Status st = s->status(); !st.ok()) return st;
    }
    return util::Status::Ok();
  }

 private:
  std::shared_ptr<const SeriesChunks> Merge() const {
    auto out = std::make_shared<SeriesChunks>();
    std::vector<std::shared_ptr<const SeriesChunks>> parts;
    for (size_t i : groups_.group()) parts.push_back(sets_[i]->chunks());
    std::vector<ChunkView> all;
    for (const auto& p : parts) all.insert(all.end(), p->chunks.begin(), p->chunks.end());
    std::stable_sort(all.begin(), all.end(), [](const ChunkView& a, const ChunkView& b) { return a.min_t < b.min_t; });
    bool overlap = false;
    for (size_t i = 1; i < all.size(); ++i) overlap |= all[i].min_t <= all[i - 1].max_t;
    if (!overlap) {
      // The views point into the parts' blocks, which the queriers keep
      // mapped; copies of open chunks (head) are kept with them.
      out->chunks = std::move(all);
      out->keep_alive = std::move(parts);
      return out;
    }
    // Decode everything, merged by time, and cut fresh chunks.
    std::vector<std::unique_ptr<SampleIterator>> its;
    for (const auto& p : parts) {
      its.push_back(std::make_unique<ChunkSampleIterator>(p, std::numeric_limits<int64_t>::min(),
                                                          std::numeric_limits<int64_t>::max()));
    }
    std::unique_ptr<SampleIterator> it = NewMergedSampleIterator(std::move(its));
    struct Cut {
      int64_t min_t, max_t;
      size_t begin, end;
    };
    std::vector<Cut> cuts;
    XorChunk chunk;
    int64_t first = 0, last = 0;
    auto flush = [&] {
      if (chunk.num_samples() == 0) return;
      const size_t begin = out->open_copy.size();
      out->open_copy.insert(out->open_copy.end(), chunk.bytes().begin(), chunk.bytes().end());
      cuts.push_back(Cut{first, last, begin, out->open_copy.size()});
      chunk = XorChunk();
    };
    while (it->Next()) {
      if (chunk.num_samples() == static_cast<uint32_t>(chunk_format::kDefaultSamplesPerChunk)) flush();
      if (chunk.num_samples() == 0) first = it->t();
      last = it->t();
      chunk.Append(it->t(), it->v());
    }
    flush();
    for (const Cut& c : cuts) {
      out->chunks.push_back(ChunkView{c.min_t, c.max_t, {out->open_copy.data() + c.begin, c.end - c.begin}});
    }
    return out;
  }

  std::vector<std::unique_ptr<ChunkSeriesSet>> sets_;
  LabelGroups<ChunkSeriesSet> groups_;
  std::shared_ptr<const SeriesChunks> current_;
};

}  // namespace

std::vector<int64_t> ExponentialBlockRanges(int64_t min, int steps, int64_t step_size) {
  std::vector<int64_t> out;
  int64_t r = min;
  for (int i = 0; i < steps; ++i) {
    out.push_back(r);
    r *= step_size;
  }
  return out;
}

std::vector<int64_t> CompactionRanges(int64_t min_block_ms, int64_t max_block_ms) {
  std::vector<int64_t> out;
  for (int64_t r : ExponentialBlockRanges(min_block_ms, 10, 3)) {
    if (!out.empty() && r > max_block_ms) break;
    out.push_back(r);
  }
  return out;
}

std::vector<size_t> PlanCompaction(const std::vector<BlockMeta>& metas, const std::vector<int64_t>& ranges) {
  if (std::vector<size_t> o = OverlappingBlocks(metas); !o.empty()) return o;
  if (ranges.size() < 2 || metas.size() < 2) return {};
  // Leave the newest block out: it gets a full range of time before being
  // rewritten (Prometheus: room for piece-wise backups).
  std::vector<size_t> idx;
  for (size_t i = 0; i + 1 < metas.size(); ++i) {
    if (!metas[i].compaction_failed) idx.push_back(i);
  }
  if (idx.empty()) return {};
  const int64_t high = metas[idx.back()].min_time;
  for (size_t r = 1; r < ranges.size(); ++r) {
    for (const std::vector<size_t>& g : SplitByRange(metas, idx, ranges[r])) {
      const int64_t mint = metas[g.front()].min_time;
      const int64_t maxt = metas[g.back()].max_time;
      if (g.size() > 1 && (maxt - mint == ranges[r] || maxt <= high)) return g;
    }
  }
  return {};
}

std::unique_ptr<ChunkSeriesSet> MergeChunkSets(std::vector<std::unique_ptr<ChunkSeriesSet>> sets) {
  return std::make_unique<MergedChunkSeriesSet>(std::move(sets));
}

}  // namespace kubescrape::tsdb
