#pragma once
// A block's tombstones file: the deleted time ranges of its series,
// byte-compatible with Prometheus's tsdb/tombstones (docs/format/blocks.md).
//
// Thread-safety: functions over the FileSystem, which is thread-safe; one
// writer per block directory at a time.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tsdb/storage.h"
#include "util/file_system.h"
#include "util/status.h"

namespace kubescrape::tsdb {

// A closed interval [min_t, max_t] of deleted samples, in ms.
struct Interval {
  int64_t min_t;
  int64_t max_t;
  friend bool operator==(const Interval&, const Interval&) = default;
};

// Per series (its ref in the block's index), sorted, non-overlapping,
// non-adjacent intervals.
using Tombstones = std::map<SeriesRef, std::vector<Interval>>;

// Adds `iv` to the sorted, merged `ivs`, merging it with the intervals it
// overlaps or touches (as Prometheus's Intervals.Add). REQUIRES: iv.min_t <=
// iv.max_t for a meaningful result.
void AddInterval(std::vector<Interval>& ivs, Interval iv);

// The file's bytes (magic, version, entries in series order, CRC32C).
std::string EncodeTombstones(const Tombstones& t);
// Parses a whole tombstones file; Corruption on a short file, bad magic,
// version or checksum, or a truncated entry. Intervals are merged per series
// as they are read (AddInterval).
util::StatusOr<Tombstones> DecodeTombstones(std::string_view file);

// Writes <block_dir>/tombstones atomically (a .tmp file, synced, renamed over
// it, the directory synced). An empty Tombstones writes a file with no
// entries, as Prometheus does.
util::Status WriteTombstones(util::FileSystem& fs, const std::string& block_dir,
                             const Tombstones& t);
// Reads <block_dir>/tombstones; a missing file is an empty Tombstones.
util::StatusOr<Tombstones> ReadTombstones(const util::FileSystem& fs, const std::string& block_dir);

}  // namespace kubescrape::tsdb
