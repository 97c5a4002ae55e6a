#pragma once
// Reading series out of chunks: the pieces every Querier of the TSDB shares
// (the head's today, blocks' later).
//
//   SeriesChunks         the chunks of one series a reader took, oldest first
//                        (views of immutable bytes plus, for the head, a copy
//                        of the open chunk).
//   ChunkSampleIterator  a SampleIterator over them restricted to
//                        [mint, maxt], decoding one chunk at a time; Seek
//                        skips whole chunks by their time range.
//   ChunkSeriesSet       series with their chunks rather than samples: what
//   ChunkQuerier         compaction and block writing read; SamplesOf()
//                        turns one into a SeriesSet.
//
// Thread-safety: none; one reader. The bytes the views point at must stay
// valid and unchanged while an iterator uses them (the querier guarantees it).

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "tsdb/chunk_xor.h"
#include "tsdb/head_series.h"
#include "tsdb/storage.h"

namespace kubescrape::tsdb {

struct SeriesChunks {
  // Time-ordered, not overlapping.
  std::vector<ChunkView> chunks;
  // Backing bytes of a copied chunk (the head's open chunk), if any.
  std::vector<uint8_t> open_copy;
  // Other snapshots whose bytes `chunks` points into (merged series).
  std::vector<std::shared_ptr<const SeriesChunks>> keep_alive;

  // True when some sample lies in [mint, maxt]; decodes only when the
  // chunks' time ranges cannot tell.
  bool HasSampleIn(int64_t mint, int64_t maxt) const;
};

class ChunkSampleIterator final : public SampleIterator {
 public:
  ChunkSampleIterator(std::shared_ptr<const SeriesChunks> chunks, int64_t mint, int64_t maxt)
      : data_(std::move(chunks)), mint_(mint), maxt_(maxt) {}

  bool Next() override;
  bool Seek(int64_t t) override;
  int64_t t() const override { return it_.t(); }
  double v() const override { return it_.v(); }
  util::Status status() const override;
  size_t NextBatch(std::span<Sample> out) override;

 private:
  // Positions on the first chunk at or after index `from` whose max_t >= t
  // and resets the decoder there; false when there is none.
  bool OpenChunkFor(size_t from, int64_t t);
  // Advances the decoder to the next sample in range, crossing chunks.
  bool Advance();
  bool Stop() {
    done_ = true;
    valid_ = false;
    return false;
  }

  std::shared_ptr<const SeriesChunks> data_;
  int64_t mint_;
  int64_t maxt_;
  XorIterator it_;
  size_t chunk_ = 0;
  bool started_ = false;
  bool valid_ = false;  // it_ is on a sample in range
  bool done_ = false;
  bool corrupt_ = false;
};

// The series a ChunkQuerier selected, sorted by labels, each with its
// chunks overlapping the querier's range (not clipped to it: a chunk may
// hold samples outside). As in Prometheus, a series appears when one of its
// chunks overlaps the range, even if no sample of it lies inside (a gap).
class ChunkSeriesSet {
 public:
  virtual ~ChunkSeriesSet() = default;
  virtual bool Next() = 0;
  // REQUIRES: the last Next() returned true. Valid until the next Next().
  virtual const model::Labels& labels() const = 0;
  // REQUIRES: as labels(). The views stay valid while the querier lives.
  virtual std::shared_ptr<const SeriesChunks> chunks() const = 0;
  virtual util::Status status() const = 0;
};

// Like Querier, for readers of whole chunks. Same lifetime rules.
class ChunkQuerier {
 public:
  virtual ~ChunkQuerier() = default;
  // REQUIRES: matchers outlive the returned set.
  virtual std::unique_ptr<ChunkSeriesSet> SelectChunks(std::span<const model::Matcher> matchers) = 0;
};

// The samples in [mint, maxt] of each series of `set`.
std::unique_ptr<SeriesSet> SamplesOf(std::unique_ptr<ChunkSeriesSet> set, int64_t mint, int64_t maxt);

}  // namespace kubescrape::tsdb
