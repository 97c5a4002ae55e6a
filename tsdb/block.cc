// Block: opening a block directory and reading it (BlockQuerier).
#include "tsdb/block.h"

#include <algorithm>

#include "tsdb/chunk_format.h"
#include "tsdb/chunk_segments.h"
#include "tsdb/index_reader.h"
#include "tsdb/tombstones.h"
#include "util/logging.h"

namespace kubescrape::tsdb {
namespace {

// The series of a block whose ids matched, each with its chunks overlapping
// [mint, maxt]; decoded from the index one series at a time.
class BlockChunkSeriesSet final : public ChunkSeriesSet {
 public:
  BlockChunkSeriesSet(std::shared_ptr<const Block> block, util::StatusOr<std::vector<SeriesRef>> ids,
                      int64_t mint, int64_t maxt)
      : block_(std::move(block)), mint_(mint), maxt_(maxt) {
    if (ids.ok()) {
      ids_ = std::move(*ids);
    } else {
      status_ = ids.status();
    }
  }

  bool Next() override {
    if (!status_.ok()) return false;
    while (++pos_ < ids_.size()) {
      metas_.clear();
      if (util::Status s = block_->index().Series(ids_[pos_], &labels_, &metas_); !s.ok()) {
        status_ = s;
        return false;
      }
      auto snap = std::make_shared<SeriesChunks>();
      for (const ChunkMeta& m : metas_) {
        if (m.max_t < mint_ || m.min_t > maxt_) continue;
        util::StatusOr<ChunkSegmentReader::Chunk> c = block_->chunks().Read(m.ref);
        if (!c.ok()) {
          status_ = c.status();
          return false;
        }
        if (c->encoding != chunk_format::kEncodingXor) {
          status_ = util::UnimplementedError(
              "block " + block_->meta().ulid + ": chunk encoding " + std::to_string(c->encoding) +
              " (native histograms) is not supported");
          return false;
        }
        snap->chunks.push_back(ChunkView{m.min_t, m.max_t, c->data});
      }
      // As Prometheus: a series is selected by its chunks' time ranges, even
      // when no sample of it lies in the range (a gap inside a chunk).
      if (snap->chunks.empty()) continue;
      current_ = std::move(snap);
      return true;
    }
    current_.reset();
    return false;
  }
  const model::Labels& labels() const override { return labels_; }
  std::shared_ptr<const SeriesChunks> chunks() const override { return current_; }
  util::Status status() const override { return status_; }

 private:
  std::shared_ptr<const Block> block_;
  const int64_t mint_;
  const int64_t maxt_;
  std::vector<SeriesRef> ids_;
  size_t pos_ = static_cast<size_t>(-1);
  model::Labels labels_;
  std::vector<ChunkMeta> metas_;
  std::shared_ptr<const SeriesChunks> current_;
  util::Status status_;
};

class BlockQuerier final : public Querier, public ChunkQuerier {
 public:
  BlockQuerier(std::shared_ptr<const Block> block, int64_t mint, int64_t maxt)
      : block_(std::move(block)), mint_(mint), maxt_(maxt) {}

  std::unique_ptr<ChunkSeriesSet> SelectChunks(std::span<const model::Matcher> matchers) override {
    if (mint_ > maxt_) return std::make_unique<BlockChunkSeriesSet>(block_, std::vector<SeriesRef>{}, mint_, maxt_);
    return std::make_unique<BlockChunkSeriesSet>(block_, block_->index().PostingsForMatchers(matchers), mint_,
                                                 maxt_);
  }
  std::unique_ptr<SeriesSet> Select(std::span<const model::Matcher> matchers) override {
    return SamplesOf(SelectChunks(matchers), mint_, maxt_);
  }

  // As Prometheus's block querier: without matchers the index's own lists
  // (the block overlaps the range, so no sample-level check); with them, the
  // labels of the matching series.
  util::StatusOr<std::vector<std::string>> LabelNames(std::span<const model::Matcher> matchers) override {
    std::vector<std::string> out;
    if (mint_ > maxt_) return out;
    if (matchers.empty()) {
      for (std::string_view n : block_->index().LabelNames()) out.emplace_back(n);
      return out;
    }
    KS_ASSIGN_OR_RETURN(std::vector<model::Labels> series, MatchingLabels(matchers));
    for (const model::Labels& ls : series) {
      for (const model::Label& l : ls) out.emplace_back(l.name);
    }
    return SortedUnique(std::move(out));
  }

  util::StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                       std::span<const model::Matcher> matchers) override {
    std::vector<std::string> out;
    if (mint_ > maxt_) return out;
    if (matchers.empty()) {
      KS_ASSIGN_OR_RETURN(std::vector<std::string_view> values, block_->index().LabelValues(name));
      for (std::string_view v : values) {
        if (!v.empty()) out.emplace_back(v);
      }
      return out;
    }
    KS_ASSIGN_OR_RETURN(std::vector<model::Labels> series, MatchingLabels(matchers));
    for (const model::Labels& ls : series) {
      std::string_view v = ls.Get(name);
      if (!v.empty()) out.emplace_back(v);
    }
    return SortedUnique(std::move(out));
  }

 private:
  util::StatusOr<std::vector<model::Labels>> MatchingLabels(std::span<const model::Matcher> matchers) const {
    KS_ASSIGN_OR_RETURN(std::vector<SeriesRef> ids, block_->index().PostingsForMatchers(matchers));
    std::vector<model::Labels> out;
    out.reserve(ids.size());
    std::vector<ChunkMeta> metas;
    for (SeriesRef id : ids) {
      model::Labels ls;
      metas.clear();
      KS_RETURN_IF_ERROR(block_->index().Series(id, &ls, &metas));
      const bool overlaps = std::any_of(metas.begin(), metas.end(),
                                        [&](const ChunkMeta& m) { return m.max_t >= mint_ && m.min_t <= maxt_; });
      if (overlaps) out.push_back(std::move(ls));
    }
    return out;
  }
  static std::vector<std::string> SortedUnique(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  }

  std::shared_ptr<const Block> block_;
  const int64_t mint_;
  const int64_t maxt_;
};

}  // namespace

util::StatusOr<std::shared_ptr<Block>> Block::Open(const util::FileSystem& fs, std::string dir) {
  std::shared_ptr<Block> b(new Block());
  b->dir_ = std::move(dir);
  KS_ASSIGN_OR_RETURN(b->meta_, ReadBlockMeta(fs, b->dir_));
  const std::string index_path = b->dir_ + "/index";
  KS_ASSIGN_OR_RETURN(b->index_file_, fs.MapFile(index_path));
  util::StatusOr<std::unique_ptr<IndexReader>> index = IndexReader::Open(b->index_file_->data());
  if (!index.ok()) return util::Status(index.status().code(), index_path + ": " + index.status().message());
  b->index_ = std::move(*index);
  KS_ASSIGN_OR_RETURN(b->chunks_, ChunkSegmentReader::Open(fs, b->dir_ + "/chunks"));
  KS_ASSIGN_OR_RETURN(Tombstones tombstones, ReadTombstones(fs, b->dir_));
  if (!tombstones.empty()) {
    util::log::Warn("Block has tombstones, which are ignored (deleted series will show)",
                    {{"block", b->meta_.ulid}, {"series", static_cast<unsigned long>(tombstones.size())}});
  }
  b->size_bytes_ = b->index_file_->data().size() + b->chunks_->size_bytes();
  for (const char* f : {"/meta.json", "/tombstones"}) {
    util::StatusOr<uint64_t> n = fs.FileSize(b->dir_ + f);
    if (n.ok()) b->size_bytes_ += *n;
  }
  return b;
}

Block::~Block() = default;

uint64_t Block::num_series() const { return index_->NumSeries(); }

std::unique_ptr<Querier> Block::NewQuerier(int64_t mint, int64_t maxt) const {
  return std::make_unique<BlockQuerier>(shared_from_this(), mint, maxt);
}

std::unique_ptr<ChunkQuerier> Block::NewChunkQuerier(int64_t mint, int64_t maxt) const {
  return std::make_unique<BlockQuerier>(shared_from_this(), mint, maxt);
}

util::Status Block::Verify() const { return chunks_->Verify(); }

}  // namespace kubescrape::tsdb
