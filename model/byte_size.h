#pragma once
// Byte sizes as Prometheus's config writes them (alecthomas/units
// Base2Bytes): "512B", "10MB", "1.5GiB", "1KB512B"; KB/MB/... and KiB/MiB/...
// are both powers of 1024. Every number needs a unit, except "0".
//
// Thread-safety: pure functions.

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace kubescrape::model {

// Parses a size. Negative sizes are rejected (Prometheus accepts them and
// treats them as "no limit"; we report them as the mistake they are).
util::StatusOr<int64_t> ParseByteSize(std::string_view s);

// Formats with the largest exact binary unit: "0B", "512B", "10MiB".
std::string FormatByteSize(int64_t bytes);

}  // namespace kubescrape::model
