#pragma once
// Helpers for the WAL tests: deterministic records, reading a WAL back,
// and editing segment files in a MemFileSystem.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tsdb/wal.h"
#include "tsdb/wal_format.h"
#include "tsdb/wal_reader.h"
#include "util/coding.h"
#include "util/crc32c.h"
#include "util/file_system.h"

namespace kubescrape::tsdb::testing {

inline constexpr uint64_t kPage = wal_format::kPageSize;
// The framing tests place records at exact offsets: no compression.
inline const WalOptions kUncompressed = {.compression = WalCompression::kNone};

// Record `i` of `size` bytes: recognisable content that differs per record.
inline std::string MakeRecord(uint64_t i, size_t size) {
  std::string r(size, '\0');
  for (size_t j = 0; j < size; ++j) r[j] = static_cast<char>('a' + (i * 7 + j) % 26);
  return r;
}

struct ReadResult {
  std::vector<std::string> records;
  std::vector<WalPosition> positions;
  util::Status status;
  WalPosition last_good;
};

// Reads segments of `dir` with a WalReader (no repair).
inline ReadResult ReadAll(util::FileSystem& fs, const std::string& dir, uint64_t first = 0) {
  ReadResult out;
  auto reader = WalReader::Open(fs, dir, first);
  if (!reader.ok()) {
    out.status = reader.status();
    return out;
  }
  while ((*reader)->Next()) {
    out.records.emplace_back((*reader)->record());
    out.positions.push_back((*reader)->record_position());
  }
  out.status = (*reader)->status();
  out.last_good = (*reader)->last_good();
  return out;
}

// Opens the WAL (replaying and repairing) and returns the records replayed.
inline std::vector<std::string> OpenAndReplay(util::FileSystem& fs, const std::string& dir,
                                              std::unique_ptr<Wal>* wal, WalOptions options = kUncompressed) {
  std::vector<std::string> records;
  auto opened = Wal::Open(fs, dir, options, [&](std::string_view r) {
    records.emplace_back(r);
    return util::Status::Ok();
  });
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  if (opened.ok()) *wal = std::move(opened).value();
  return records;
}

// Logs `records` one per Log call into a fresh WAL and closes it.
inline void WriteWal(util::FileSystem& fs, const std::string& dir, const std::vector<std::string>& records,
                     uint64_t segment_size = 64 * kPage) {
  auto wal = Wal::Open(fs, dir, {.segment_size = segment_size, .compression = WalCompression::kNone});
  ASSERT_TRUE(wal.ok()) << wal.status().ToString();
  for (const std::string& r : records) ASSERT_TRUE((*wal)->Log(r).ok());
  ASSERT_TRUE((*wal)->Close().ok());
}

inline std::string SegmentPath(const std::string& dir, uint64_t index) {
  return dir + "/" + wal_format::SegmentName(index);
}

// One fragment with a correct checksum.
inline std::string Fragment(uint8_t type, std::string_view data) {
  std::string f(wal_format::kHeaderSize, '\0');
  f[0] = static_cast<char>(type);
  util::EncodeFixed16BE(f.data() + 1, static_cast<uint16_t>(data.size()));
  util::EncodeFixed32BE(f.data() + 3, util::crc32c::Value(data));
  f.append(data);
  return f;
}

}  // namespace kubescrape::tsdb::testing
