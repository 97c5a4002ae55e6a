#include "tsdb/querier.h"

#include <algorithm>

namespace kubescrape::tsdb {

bool SeriesChunks::HasSampleIn(int64_t mint, int64_t maxt) const {
  bool maybe = false;
  for (const ChunkView& c : chunks) {
    if (c.max_t < mint || c.min_t > maxt) continue;
    // A chunk's first or last sample inside the range settles it.
    if (c.min_t >= mint || c.max_t <= maxt) return true;
    maybe = true;  // the chunk spans the whole range: look inside
  }
  if (!maybe) return false;
  ChunkSampleIterator it(std::shared_ptr<const SeriesChunks>(std::shared_ptr<const SeriesChunks>(), this), mint,
                         maxt);
  return it.Next();
}

bool ChunkSampleIterator::OpenChunkFor(size_t from, int64_t t) {
  const std::vector<ChunkView>& cs = data_->chunks;
  size_t i = from;
  while (i < cs.size() && cs[i].max_t < t) ++i;
  if (i >= cs.size() || cs[i].min_t > maxt_) return false;
  chunk_ = i;
  it_.Reset(cs[i].bytes);
  return true;
}

bool ChunkSampleIterator::Advance() {
  for (;;) {
    if (it_.Next()) {
      if (it_.t() < mint_) continue;
      if (it_.t() > maxt_) return Stop();
      valid_ = true;
      return true;
    }
    if (it_.corrupt()) {
      corrupt_ = true;
      return Stop();
    }
    if (!OpenChunkFor(chunk_ + 1, mint_)) return Stop();
  }
}

bool ChunkSampleIterator::Next() {
  if (done_) return false;
  if (!started_) {
    started_ = true;
    if (!OpenChunkFor(0, mint_)) return Stop();
  }
  valid_ = false;
  return Advance();
}

size_t ChunkSampleIterator::NextBatch(std::span<Sample> out) {
  size_t n = 0;
  while (n < out.size() && ChunkSampleIterator::Next()) out[n++] = Sample{it_.t(), it_.v()};
  return n;
}

bool ChunkSampleIterator::Seek(int64_t t) {
  if (done_) return false;
  t = std::max(t, mint_);
  if (valid_ && it_.t() >= t) return true;
  if (t > maxt_) return Stop();
  const std::vector<ChunkView>& cs = data_->chunks;
  if (!started_ || cs[chunk_].max_t < t) {
    // Skip whole chunks without decoding them.
    if (!OpenChunkFor(started_ ? chunk_ + 1 : 0, t)) return Stop();
    started_ = true;
  }
  valid_ = false;
  while (Advance()) {
    if (it_.t() >= t) return true;
  }
  return false;
}

util::Status ChunkSampleIterator::status() const {
  if (corrupt_) return util::CorruptionError("XOR chunk ends before its sample count");
  return util::Status::Ok();
}

namespace {

class ChunkSamplesSet final : public SeriesSet {
 public:
  ChunkSamplesSet(std::unique_ptr<ChunkSeriesSet> set, int64_t mint, int64_t maxt)
      : set_(std::move(set)), mint_(mint), maxt_(maxt) {}
  bool Next() override { return set_->Next(); }
  const model::Labels& labels() const override { return set_->labels(); }
  std::unique_ptr<SampleIterator> Samples() const override {
    return std::make_unique<ChunkSampleIterator>(set_->chunks(), mint_, maxt_);
  }
  util::Status status() const override { return set_->status(); }

 private:
  std::unique_ptr<ChunkSeriesSet> set_;
  int64_t mint_;
  int64_t maxt_;
};

}  // namespace

std::unique_ptr<SeriesSet> SamplesOf(std::unique_ptr<ChunkSeriesSet> set, int64_t mint, int64_t maxt) {
  return std::make_unique<ChunkSamplesSet>(std::move(set), mint, maxt);
}

}  // namespace kubescrape::tsdb
