#pragma once
// Constants of the write-ahead log format, version 1. The format is
// specified in docs/format/wal.md; change both together.
//
// Thread-safety: constants and pure functions.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kubescrape::tsdb::wal_format {

inline constexpr int kFormatVersion = 1;

inline constexpr size_t kPageSize = 32 * 1024;
inline constexpr uint64_t kDefaultSegmentSize = 128ull * 1024 * 1024;

// type <1> | len <2, BE> | CRC32C(data) <4, BE>
inline constexpr size_t kHeaderSize = 7;
// The most data one fragment can carry (a whole page minus its header).
inline constexpr size_t kMaxFragmentData = kPageSize - kHeaderSize;

// Fragment kinds: the low 3 bits of the type byte.
enum FragmentKind : uint8_t {
  kPadding = 0,  // the rest of the page is zeros
  kFull = 1,
  kFirst = 2,
  kMiddle = 3,
  kLast = 4,
};
inline constexpr uint8_t kKindMask = 0x07;
// Prometheus's compression flags; reserved in version 1 (never written,
// rejected by readers).
inline constexpr uint8_t kSnappyFlag = 0x08;
inline constexpr uint8_t kZstdFlag = 0x10;

// "00000042": the file name of segment `index`.
std::string SegmentName(uint64_t index);
// The index of a segment file name (all decimal digits), or nullopt.
std::optional<uint64_t> ParseSegmentName(std::string_view name);

// "checkpoint.00000040" and its parser (nullopt for other names, including
// "checkpoint.00000040.tmp").
inline constexpr std::string_view kCheckpointPrefix = "checkpoint.";
std::string CheckpointName(uint64_t index);
std::optional<uint64_t> ParseCheckpointName(std::string_view name);

}  // namespace kubescrape::tsdb::wal_format
