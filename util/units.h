#pragma once
// Byte sizes as Prometheus's flags take them (alecthomas/units Base2Bytes,
// used by --storage.tsdb.retention.size): an integer and a unit, powers of
// 1024: "512MB", "1GB", "10GiB", "100KB", "2TB", "0"; B, KB/KiB, MB/MiB,
// GB/GiB, TB/TiB, PB/PiB, EB/EiB.
//
// Thread-safety: pure functions.

#include <cstdint>
#include <string_view>

#include "util/status.h"

namespace kubescrape::util {

// InvalidArgument for anything else (`units: unknown unit X in 5X`,
// `units: invalid size "x"`), and for sizes that overflow 64 bits.
StatusOr<uint64_t> ParseBase2Bytes(std::string_view s);

}  // namespace kubescrape::util
