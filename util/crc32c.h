#pragma once
// CRC-32C (Castagnoli, polynomial 0x1EDC6F41, reflected 0x82F63B78), the
// checksum of Prometheus's WAL fragments and chunk files and of iSCSI/ext4.
// Uses the SSE4.2 CRC32 instruction when the CPU has it (checked once at run
// time) and slicing-by-8 tables otherwise; both give identical results.
//
// Values are the plain CRC (no LevelDB-style masking): crc32c::Value("123456789")
// == 0xE3069283.
//
// Thread-safety: pure functions.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kubescrape::util::crc32c {

// The CRC-32C of `data` appended to a byte string whose CRC-32C is `crc`:
// Extend(Value(a), b) == Value(a + b), and Extend(0, x) == Value(x).
uint32_t Extend(uint32_t crc, const char* data, size_t n);

inline uint32_t Value(const char* data, size_t n) { return Extend(0, data, n); }
inline uint32_t Value(std::string_view data) { return Extend(0, data.data(), data.size()); }

// Whether Extend uses the CPU instruction (for benchmarks and logs).
bool IsHardwareAccelerated();

// The portable table implementation, exposed so tests can compare both paths.
uint32_t ExtendPortable(uint32_t crc, const char* data, size_t n);

}  // namespace kubescrape::util::crc32c
