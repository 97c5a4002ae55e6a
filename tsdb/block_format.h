#pragma once
// Constants of the persisted block files besides the index, byte-compatible
// with Prometheus's TSDB: docs/format/blocks.md. Change both together.
//
// Thread-safety: constants only.

#include <cstddef>
#include <cstdint>

namespace kubescrape::tsdb::block_format {

// --- Block directory --------------------------------------------------------

inline constexpr char kChunksDirName[] = "chunks";
inline constexpr char kIndexFileName[] = "index";
inline constexpr char kMetaFileName[] = "meta.json";
inline constexpr char kTombstonesFileName[] = "tombstones";
// A block is written under "<ulid>.tmp-for-creation" and renamed into place.
inline constexpr char kTmpForCreationSuffix[] = ".tmp-for-creation";
inline constexpr int kMetaVersion1 = 1;

// --- Chunk segment files (chunks/000001, ...) -------------------------------

// magic <4, BE> | version <1> | padding <3, zero>
inline constexpr uint32_t kChunksMagic = 0x85BD40DD;
inline constexpr uint8_t kChunksFormatV1 = 1;
inline constexpr size_t kSegmentHeaderSize = 8;
inline constexpr uint64_t kDefaultSegmentBytes = 512ull << 20;
// A chunk: len <uvarint, at most 5 bytes> | encoding <1> | data <len> |
// CRC32C(encoding | data) <4, BE>.
inline constexpr size_t kMaxChunkLengthFieldSize = 5;
inline constexpr size_t kChunkEncodingSize = 1;
inline constexpr size_t kChunkCrcSize = 4;

// A block chunk ref: segment index (0 for file 000001) in the upper 32 bits,
// byte offset of the chunk in that file in the lower 32.
inline constexpr uint64_t ChunkRef(uint32_t segment_index, uint32_t offset) {
  return (static_cast<uint64_t>(segment_index) << 32) | offset;
}
inline constexpr uint32_t ChunkRefSegment(uint64_t ref) { return static_cast<uint32_t>(ref >> 32); }
inline constexpr uint32_t ChunkRefOffset(uint64_t ref) { return static_cast<uint32_t>(ref); }

// --- Tombstones file ---------------------------------------------------------

// magic <4, BE> | version <1> | entries | CRC32C(entries) <4, BE>, where an
// entry is series ref <uvarint> | min_t <varint> | max_t <varint>. The CRC
// does not cover the version byte.
inline constexpr uint32_t kTombstonesMagic = 0x0130BA30;
inline constexpr uint8_t kTombstonesFormatV1 = 1;
inline constexpr size_t kTombstonesHeaderSize = 5;
inline constexpr size_t kTombstonesCrcSize = 4;

}  // namespace kubescrape::tsdb::block_format
