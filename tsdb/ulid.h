#pragma once
// ULIDs (github.com/oklog/ulid), the names of Prometheus's block directories:
// a 48-bit Unix time in milliseconds then 80 random bits, written as 26
// Crockford base32 characters ("0123456789ABCDEFGHJKMNPQRSTVWXYZ"), most
// significant first. Strings of a later millisecond sort after earlier ones.
//
// The caller supplies the randomness, so tests are deterministic.
//
// Thread-safety: pure functions.

#include <cstdint>
#include <string>
#include <string_view>

namespace kubescrape::tsdb {

// The ULID of time `unix_ms` with entropy (random_hi & 0xFFFF) << 64 |
// random_lo, upper case. REQUIRES: 0 <= unix_ms < 2^48.
std::string NewUlid(int64_t unix_ms, uint64_t random_hi, uint64_t random_lo);

// Whether `s` parses as a ULID as oklog/ulid's ParseStrict does: 26
// characters of the alphabet (either case) and a first character <= '7'.
bool ValidUlid(std::string_view s);

// The millisecond time of ULID `s`. REQUIRES: ValidUlid(s).
int64_t UlidTime(std::string_view s);

}  // namespace kubescrape::tsdb
