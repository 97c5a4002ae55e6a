#pragma once
// Writing blocks (docs/format/blocks.md): the series of a ChunkSeriesSet,
// clipped to a time range, become a new block directory.
//
// The block is written under `<parent>/<ulid>.tmp-for-creation`, every file
// synced, then renamed to `<parent>/<ulid>` and the parent synced, so a
// crash leaves either no block or a whole one (Db::Open deletes leftover
// temporary directories).
//
// Chunks wholly inside the range are copied as they are (no re-encoding);
// a chunk that crosses a range edge is re-encoded with only its samples
// inside. Series without samples in the range are left out; a range without
// any sample writes no block.
//
// Memory: the labels and chunk metas of every series are held until the
// index is written (symbols must precede series in the index).
//
// Thread-safety: WriteBlock is thread-safe; the set is consumed by it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tsdb/block_meta.h"
#include "tsdb/querier.h"
#include "util/file_system.h"
#include "util/status.h"

namespace kubescrape::tsdb {

struct BlockWriteInfo {
  std::string ulid;  // REQUIRES: ValidUlid(ulid)
  int compaction_level = 1;
  // The ULIDs of the blocks merged into this one (compaction); the block's
  // own ULID is its source when empty.
  std::vector<std::string> sources;
  std::vector<BlockDesc> parents;
};

// A level-1 block's info (cut from a head).
inline BlockWriteInfo WriteInfo(std::string ulid) {
  BlockWriteInfo info;
  info.ulid = std::move(ulid);
  return info;
}

// Writes the samples of `set` in [mint, maxt) into a new block in
// `parent_dir` and returns its meta, or nullopt when there were none.
// Errors: the set's error, I/O errors (the temporary directory is removed).
util::StatusOr<std::optional<BlockMeta>> WriteBlock(util::FileSystem& fs, const std::string& parent_dir,
                                                    ChunkSeriesSet& set, int64_t mint, int64_t maxt,
                                                    const BlockWriteInfo& info);

}  // namespace kubescrape::tsdb
