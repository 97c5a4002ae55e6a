#pragma once
// A block's meta.json: its ULID, time range, statistics and compaction
// history, in Prometheus's field names and layout (tsdb/block.go BlockMeta,
// written with json.MarshalIndent and a tab): docs/format/blocks.md.
//
// Thread-safety: pure functions, and functions over the thread-safe
// FileSystem; one writer per block directory at a time.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/file_system.h"
#include "util/status.h"

namespace kubescrape::tsdb {

// A parent block of a compaction (Prometheus's BlockDesc).
struct BlockDesc {
  std::string ulid;
  int64_t min_time = 0;
  int64_t max_time = 0;
  friend bool operator==(const BlockDesc&, const BlockDesc&) = default;
};

// Counters written when the block is; a zero counter is left out of the
// JSON (omitempty), and reads back as zero.
struct BlockStats {
  uint64_t num_samples = 0;
  uint64_t num_float_samples = 0;
  uint64_t num_histogram_samples = 0;
  uint64_t num_series = 0;
  uint64_t num_chunks = 0;
  uint64_t num_tombstones = 0;
  friend bool operator==(const BlockStats&, const BlockStats&) = default;
};

struct BlockMeta {
  std::string ulid;
  // The block holds samples with min_time <= t < max_time (max exclusive).
  int64_t min_time = 0;
  int64_t max_time = 0;
  BlockStats stats;
  // "compaction": level 1 for a block cut from the head.
  int compaction_level = 1;
  std::vector<std::string> compaction_sources;  // ULIDs of the head blocks it holds
  std::vector<BlockDesc> parents;               // the blocks compacted into it
  bool compaction_deletable = false;
  bool compaction_failed = false;
  std::vector<std::string> compaction_hints;  // e.g. "from-out-of-order"
  int version = 1;
  friend bool operator==(const BlockMeta&, const BlockMeta&) = default;
};

// Parses meta.json content. Unknown fields are ignored and null counts as
// absent, as Go's encoding/json does. InvalidArgument naming the field for a
// wrong type, an invalid ULID, a missing ulid/minTime/maxTime, or a version
// other than 1 ("unexpected meta file version 2", as Prometheus).
util::StatusOr<BlockMeta> ParseBlockMeta(std::string_view json);

// The JSON Prometheus writes for `meta`, byte for byte: tab-indented, zero
// stats and empty lists left out, no trailing newline.
std::string FormatBlockMeta(const BlockMeta& meta);

// Writes <block_dir>/meta.json atomically: meta.json.tmp, synced, renamed
// over meta.json, the directory synced. REQUIRES: block_dir exists.
util::Status WriteBlockMeta(util::FileSystem& fs, const std::string& block_dir,
                            const BlockMeta& meta);

// Reads and parses <block_dir>/meta.json; errors name the path.
util::StatusOr<BlockMeta> ReadBlockMeta(const util::FileSystem& fs, const std::string& block_dir);

}  // namespace kubescrape::tsdb
