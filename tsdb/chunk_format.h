#pragma once
// Constants of the XOR chunk format (docs/format/chunks.md), byte-compatible
// with Prometheus's chunkenc.XORChunk, and of the head's chunk cutting.

#include <cstddef>
#include <cstdint>

namespace kubescrape::tsdb::chunk_format {

// Chunk encodings (Prometheus chunkenc.Encoding); only XOR is implemented.
inline constexpr uint8_t kEncodingNone = 0;
inline constexpr uint8_t kEncodingXor = 1;

// Bytes 0..1: the sample count, big-endian.
inline constexpr size_t kHeaderBytes = 2;
inline constexpr uint32_t kMaxSamples = 0xFFFF;

// Timestamp delta-of-delta buckets: '0' for 0, then these prefixes with that
// many payload bits. A bucket of n bits holds -(2^(n-1)-1) .. 2^(n-1).
inline constexpr int kDodBits1 = 14;  // prefix '10'
inline constexpr int kDodBits2 = 17;  // prefix '110'
inline constexpr int kDodBits3 = 20;  // prefix '1110'
inline constexpr int kDodBits4 = 64;  // prefix '1111'

// Value XOR block: leading zeros fit 5 bits (clamped to 31), significant bits
// 6 bits (64 written as 0). kNoWindow is the encoder's "no window yet".
inline constexpr int kLeadingBits = 5;
inline constexpr int kSigBits = 6;
inline constexpr uint8_t kMaxLeading = 31;
inline constexpr uint8_t kNoWindow = 0xFF;

// The largest sample: 4 + 64 + 2 + 5 + 6 + 64 bits = 145 bits < 19 bytes.
inline constexpr size_t kMaxBytesPerSample = 19;
inline constexpr size_t kMaxBytesPerXorChunk = 1024;
// A chunk larger than this is cut before the next append.
inline constexpr size_t kMaxBytesPerXorChunkBeforeAppend = kMaxBytesPerXorChunk - kMaxBytesPerSample;

// Head chunk cutting (Prometheus defaults): about 120 samples per chunk, at
// most twice that, never crossing a chunk-range (block) boundary.
inline constexpr int kDefaultSamplesPerChunk = 120;
inline constexpr int64_t kDefaultChunkRangeMs = 2 * 3600 * 1000;

}  // namespace kubescrape::tsdb::chunk_format
