#pragma once
// Special sample values. Prometheus marks a series that ended with a
// "stale marker": a NaN with a specific bit pattern, distinct from the NaN a
// target may expose. Compare by bits, never with ==.

#include <bit>
#include <cstdint>

namespace kubescrape::model {

inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ull;
inline constexpr uint64_t kNormalNaNBits = 0x7ff8000000000001ull;

inline double StaleNaN() { return std::bit_cast<double>(kStaleNaNBits); }
inline double NormalNaN() { return std::bit_cast<double>(kNormalNaNBits); }
inline bool IsStaleNaN(double v) { return std::bit_cast<uint64_t>(v) == kStaleNaNBits; }

}  // namespace kubescrape::model
