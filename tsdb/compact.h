#pragma once
// Block compaction (Prometheus's LeveledCompactor): adjacent blocks are
// merged into blocks of the next range (2 h -> 6 h -> 18 h ...), so a long
// retention is held in few, large blocks (one index and symbol table per
// range instead of per 2 h; fewer blocks per query).
//
//   PlanCompaction   which blocks to merge next (pure, over metas).
//   MergeChunkSets   the series of several blocks as one ChunkSeriesSet.
//
// Thread-safety: pure functions; a merged set is used by one caller.

#include <cstdint>
#include <memory>
#include <vector>

#include "tsdb/block_meta.h"
#include "tsdb/querier.h"

namespace kubescrape::tsdb {

// Prometheus's ExponentialBlockRanges(min, steps, step_size).
std::vector<int64_t> ExponentialBlockRanges(int64_t min, int steps, int64_t step_size);

// The ranges the Db compacts into: 2 h * 3^i up to `max_block_ms` (Prometheus
// caps blocks at a tenth of the retention, and at 31 d), at least [min].
std::vector<int64_t> CompactionRanges(int64_t min_block_ms, int64_t max_block_ms);

// Indexes into `metas` (sorted by min_time) of the blocks to merge next, or
// empty. As Prometheus's plan(): first any overlapping blocks (vertical
// compaction); otherwise, never touching the newest block, the first group
// of at least two blocks inside one window of ranges[1..] that either fills
// the window or lies wholly before the newest block.
std::vector<size_t> PlanCompaction(const std::vector<BlockMeta>& metas, const std::vector<int64_t>& ranges);

// The union of `sets` (each sorted by labels): a series in several sets
// gets all their chunks in time order; chunks that overlap in time are
// decoded, merged (the first set wins on equal timestamps) and re-encoded.
std::unique_ptr<ChunkSeriesSet> MergeChunkSets(std::vector<std::unique_ptr<ChunkSeriesSet>> sets);

}  // namespace kubescrape::tsdb
