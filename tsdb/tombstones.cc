#include "tsdb/tombstones.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "tsdb/block_format.h"
#include "util/coding.h"
#include "util/crc32c.h"

namespace kubescrape::tsdb {

using block_format::kTombstonesCrcSize;
using block_format::kTombstonesHeaderSize;

void AddInterval(std::vector<Interval>& ivs, Interval iv) {
  // Intervals are closed over integers: [1,2] and [3,4] merge into [1,4].
  // The first interval ending at or after iv.min_t - 1 ...
  auto first = ivs.begin();
  if (iv.min_t != std::numeric_limits<int64_t>::min()) {
    first = std::find_if(ivs.begin(), ivs.end(),
                         [&](const Interval& x) { return x.max_t >= iv.min_t - 1; });
  }
  // ... and the first one starting after iv.max_t + 1 bound those to merge.
  auto last = ivs.end();
  if (iv.max_t != std::numeric_limits<int64_t>::max()) {
    last =
        std::find_if(first, ivs.end(), [&](const Interval& x) { return x.min_t > iv.max_t + 1; });
  }
  if (first == last) {
    ivs.insert(first, iv);
    return;
  }
  Interval merged{std::min(iv.min_t, first->min_t), std::max(iv.max_t, (last - 1)->max_t)};
  *first = merged;
  ivs.erase(first + 1, last);
}

std::string EncodeTombstones(const Tombstones& t) {
  std::string out;
  util::PutFixed32BE(&out, block_format::kTombstonesMagic);
  out.push_back(static_cast<char>(block_format::kTombstonesFormatV1));
  for (const auto& [ref, ivs] : t) {
    for (const Interval& iv : ivs) {
      util::PutUvarint64(&out, ref);
      util::PutVarint64(&out, iv.min_t);
      util::PutVarint64(&out, iv.max_t);
    }
  }
  // The checksum covers the entries, not the version byte (as Prometheus).
  const uint32_t crc = util::crc32c::Value(std::string_view(out).substr(kTombstonesHeaderSize));
  util::PutFixed32BE(&out, crc);
  return out;
}

util::StatusOr<Tombstones> DecodeTombstones(std::string_view file) {
  if (file.size() < kTombstonesHeaderSize + kTombstonesCrcSize) {
    return util::CorruptionError("tombstones: " + std::to_string(file.size()) +
                                 " bytes, shorter than header and CRC");
  }
  if (uint32_t magic = util::DecodeFixed32BE(file.data());
      magic != block_format::kTombstonesMagic) {
    char hex[16];
    std::snprintf(hex, sizeof(hex), "%08x", magic);
    return util::CorruptionError(std::string("tombstones: invalid magic number ") + hex);
  }
  std::string_view entries =
      file.substr(kTombstonesHeaderSize, file.size() - kTombstonesHeaderSize - kTombstonesCrcSize);
  const uint32_t want = util::DecodeFixed32BE(file.data() + file.size() - kTombstonesCrcSize);
  if (util::crc32c::Value(entries) != want)
    return util::CorruptionError("tombstones: checksum did not match");
  if (uint8_t version = static_cast<uint8_t>(file[4]);
      version != block_format::kTombstonesFormatV1) {
    return util::CorruptionError("tombstones: invalid tombstone format " + std::to_string(version));
  }
  Tombstones t;
  while (!entries.empty()) {
    uint64_t ref;
    Interval iv;
    if (!util::GetUvarint64(&entries, &ref) || !util::GetVarint64(&entries, &iv.min_t) ||
        !util::GetVarint64(&entries, &iv.max_t)) {
      return util::CorruptionError("tombstones: truncated entry");
    }
    AddInterval(t[ref], iv);
  }
  return t;
}

util::Status WriteTombstones(util::FileSystem& fs, const std::string& block_dir,
                             const Tombstones& t) {
  return util::WriteFileAtomically(fs, block_dir + "/" + block_format::kTombstonesFileName,
                                   EncodeTombstones(t));
}

util::StatusOr<Tombstones> ReadTombstones(const util::FileSystem& fs,
                                          const std::string& block_dir) {
  const std::string path = block_dir + "/" + block_format::kTombstonesFileName;
  auto content = fs.ReadFile(path);
  if (!content.ok()) {
    if (content.status().code() == util::StatusCode::kNotFound) return Tombstones{};
    return content.status();
  }
  auto t = DecodeTombstones(*content);
  if (!t.ok()) return util::CorruptionError(path + ": " + t.status().message());
  return t;
}

}  // namespace kubescrape::tsdb
