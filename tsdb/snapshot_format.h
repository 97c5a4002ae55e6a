#pragma once
// Constants of the head snapshot format, version 1. The format is specified
// in docs/format/snapshot.md; change both together.
//
// Thread-safety: constants.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kubescrape::tsdb::snapshot_format {

inline constexpr uint8_t kFormatVersion = 1;

// "chunk_snapshot.<segment %06d>.<offset %010d>" in the data directory.
inline constexpr std::string_view kDirPrefix = "chunk_snapshot.";
inline constexpr std::string_view kTmpSuffix = ".tmp";

// Record types (first byte); above every WAL record type.
inline constexpr uint8_t kHeadRecord = 101;
inline constexpr uint8_t kSeriesRecord = 102;
inline constexpr uint8_t kEndRecord = 103;

// A Series record is closed once it holds this many bytes.
// (Small, so records loaded by parallel workers interleave little: each
// restored series should land at the end of its postings lists.)
inline constexpr size_t kTargetRecordBytes = 32 * 1024;

}  // namespace kubescrape::tsdb::snapshot_format
