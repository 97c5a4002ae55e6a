#pragma once
// Constants of the block index format (docs/format/index.md), byte-compatible
// with Prometheus's index format v2, and the chunk metadata the index stores
// per series.

#include <cstddef>
#include <cstdint>

namespace kubescrape::tsdb {

// One chunk of a series as the index records it: the first and last sample
// times (ms, inclusive) and the chunk's reference in the block's chunk
// segments (segment index << 32 | byte offset).
struct ChunkMeta {
  int64_t min_t = 0;
  int64_t max_t = 0;
  uint64_t ref = 0;
  friend bool operator==(const ChunkMeta&, const ChunkMeta&) = default;
};

namespace index_format {

inline constexpr uint32_t kMagic = 0xBAAAD700;
inline constexpr uint8_t kVersion1 = 1;  // rejected
inline constexpr uint8_t kVersion2 = 2;  // written and read
inline constexpr uint8_t kVersion3 = 3;  // read as version 2 (Prometheus reserves it)
inline constexpr size_t kHeaderBytes = 5;  // magic + version

// Series entries start at multiples of 16; the series id is offset / 16.
inline constexpr uint64_t kSeriesAlign = 16;
// Postings lists start at multiples of 4.
inline constexpr uint64_t kPostingsAlign = 4;
// Ids are 32-bit in postings: the file may not exceed 16 * 2^32 bytes.
inline constexpr uint64_t kMaxFileBytes = kSeriesAlign << 32;

// TOC: six big-endian 64-bit offsets, then the CRC-32C of those 48 bytes.
inline constexpr size_t kTocFields = 6;
inline constexpr size_t kTocBytes = kTocFields * 8 + 4;

// Postings offset table entries hold two keys (name, value).
inline constexpr uint64_t kPostingsTableKeys = 2;

// Readers keep every kSampleFactor-th symbol offset and postings table
// entry (Prometheus's symbolFactor).
inline constexpr uint32_t kSampleFactor = 32;

inline constexpr size_t kCrcBytes = 4;

}  // namespace index_format
}  // namespace kubescrape::tsdb
