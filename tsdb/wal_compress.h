#pragma once
// WAL record compression, as Prometheus's wlog: a whole record is compressed
// (Snappy block format, or a zstd frame) before it is cut into fragments,
// and every fragment of it carries the flag (docs/format/wal.md). A record
// that does not get smaller is written uncompressed. Prometheus 2.20+ and 3.x
// compress with Snappy by default, so reading both is what lets Kubescrape
// open a Prometheus data directory.
//
// Thread-safety: pure functions.

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace kubescrape::tsdb {

enum class WalCompression : uint8_t { kNone, kSnappy, kZstd };

// Parses "none", "snappy", "zstd" (Prometheus's
// --storage.tsdb.wal-compression-type values plus "none").
util::StatusOr<WalCompression> ParseWalCompression(std::string_view s);

// Compresses `record` into *out and returns the fragment flag to set (0 when
// the record is to be written as is: kNone, or no gain).
uint8_t CompressRecord(WalCompression c, std::string_view record, std::string* out);

// Decompresses a record whose fragments carried `flags` (the type bits
// above the kind) into *out. Corruption on bad input or both flags.
util::Status DecompressRecord(uint8_t flags, std::string_view in, std::string* out);

}  // namespace kubescrape::tsdb
