#include "tsdb/wal_format.h"

#include <cstdio>

namespace kubescrape::tsdb::wal_format {
namespace {

std::optional<uint64_t> ParseIndex(std::string_view digits) {
  if (digits.empty() || digits.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

}  // namespace

std::string SegmentName(uint64_t index) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%08llu", static_cast<unsigned long long>(index));
  return buf;
}

std::optional<uint64_t> ParseSegmentName(std::string_view name) { return ParseIndex(name); }

std::string CheckpointName(uint64_t index) { return std::string(kCheckpointPrefix) + SegmentName(index); }

std::optional<uint64_t> ParseCheckpointName(std::string_view name) {
  if (!name.starts_with(kCheckpointPrefix)) return std::nullopt;
  return ParseIndex(name.substr(kCheckpointPrefix.size()));
}

}  // namespace kubescrape::tsdb::wal_format
