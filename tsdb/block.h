#pragma once
// Block: one persisted, immutable block directory (docs/format/blocks.md),
// Prometheus's layout and byte format, so blocks written by Prometheus or
// promtool open here and ours open there:
//
//   <dir>/meta.json   time range [min_time, max_time), stats, compaction
//   <dir>/index       symbols, series with chunk metas, postings (index.md)
//   <dir>/chunks/     segment files of XOR chunks
//   <dir>/tombstones  deletions (read; a non-empty file is reported and
//                     ignored: Kubescrape has no delete API yet)
//
// The index and chunk segments are memory-mapped (util::FileSystem::MapFile)
// and read in place; the Block holds only the index reader's lookup tables.
//
// Lifetime: Blocks are shared (std::shared_ptr); every querier keeps its
// Block alive, so the Db may drop a block (retention) while queries still
// read it: the mapping goes away with the last querier.
//
// Thread-safety: immutable after Open; all methods are thread-safe.

#include <cstdint>
#include <memory>
#include <string>

#include "tsdb/block_meta.h"
#include "tsdb/querier.h"
#include "tsdb/storage.h"
#include "util/file_system.h"
#include "util/status.h"

namespace kubescrape::tsdb {

class IndexReader;
class ChunkSegmentReader;

class Block : public std::enable_shared_from_this<Block> {
 public:
  // Opens the block in `dir`. Errors: NotFound/IoError from the files,
  // Corruption for a damaged meta.json, index or chunk segment header.
  // `fs` must outlive the Block.
  static util::StatusOr<std::shared_ptr<Block>> Open(const util::FileSystem& fs, std::string dir);
  ~Block();
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;

  const BlockMeta& meta() const { return meta_; }
  const std::string& dir() const { return dir_; }
  // Bytes of the block's files on disk (index, chunks, meta, tombstones).
  uint64_t size_bytes() const { return size_bytes_; }
  // Series without tombstones applied (from the index).
  uint64_t num_series() const;
  // True when the block may hold samples in [mint, maxt] (inclusive).
  bool Overlaps(int64_t mint, int64_t maxt) const { return meta_.min_time <= maxt && meta_.max_time > mint; }

  // Queriers over [mint, maxt] (inclusive) that keep the block alive.
  std::unique_ptr<Querier> NewQuerier(int64_t mint, int64_t maxt) const;
  std::unique_ptr<ChunkQuerier> NewChunkQuerier(int64_t mint, int64_t maxt) const;

  // Reads every chunk, checking CRCs (scrapectl tsdb analyze; tests).
  util::Status Verify() const;

  // For the querier (block.cc).
  const IndexReader& index() const { return *index_; }
  const ChunkSegmentReader& chunks() const { return *chunks_; }

 private:
  Block() = default;

  std::string dir_;
  BlockMeta meta_;
  uint64_t size_bytes_ = 0;
  std::unique_ptr<util::MappedFile> index_file_;
  std::unique_ptr<IndexReader> index_;
  std::unique_ptr<ChunkSegmentReader> chunks_;
};

}  // namespace kubescrape::tsdb
