#pragma once
// Byte encodings shared by the on-disk formats (docs/format/): big-endian
// fixed-width integers, unsigned LEB128 varints ("uvarint") and zigzag
// signed varints ("varint"), bit-compatible with Go's encoding/binary, which
// Prometheus's formats use.
//
// Put* append to a std::string; Encode* write into a buffer the caller sized;
// Get* consume from the front of a std::string_view and return false (input
// unchanged or partly consumed, caller treats it as corruption) when the
// input is too short or a varint is longer than 10 bytes.
//
// Thread-safety: pure functions.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace kubescrape::util {

inline constexpr size_t kMaxVarintBytes = 10;

// --- Big-endian fixed width -------------------------------------------------

inline void EncodeFixed16BE(char* p, uint16_t v) {
  v = __builtin_bswap16(v);
  std::memcpy(p, &v, 2);
}
inline void EncodeFixed32BE(char* p, uint32_t v) {
  v = __builtin_bswap32(v);
  std::memcpy(p, &v, 4);
}
inline void EncodeFixed64BE(char* p, uint64_t v) {
  v = __builtin_bswap64(v);
  std::memcpy(p, &v, 8);
}
inline uint16_t DecodeFixed16BE(const char* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return __builtin_bswap16(v);
}
inline uint32_t DecodeFixed32BE(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return __builtin_bswap32(v);
}
inline uint64_t DecodeFixed64BE(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return __builtin_bswap64(v);
}

void PutFixed32BE(std::string* dst, uint32_t v);
void PutFixed64BE(std::string* dst, uint64_t v);
bool GetFixed32BE(std::string_view* in, uint32_t* v);
bool GetFixed64BE(std::string_view* in, uint64_t* v);

// --- Varints ----------------------------------------------------------------

// Bytes the uvarint encoding of `v` takes (1..10).
inline size_t UvarintLength(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

inline uint64_t ZigZagEncode(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t ZigZagDecode(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

// Writes the uvarint of `v` at `p` and returns the byte after it.
// REQUIRES: kMaxVarintBytes of room at p.
inline char* EncodeUvarint64(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}
inline char* EncodeVarint64(char* p, int64_t v) { return EncodeUvarint64(p, ZigZagEncode(v)); }

void PutUvarint64(std::string* dst, uint64_t v);
void PutVarint64(std::string* dst, int64_t v);
// A uvarint length followed by the bytes of `s`.
void PutLengthPrefixed(std::string* dst, std::string_view s);

// Decodes a uvarint from [p, limit); returns the byte after it, or nullptr
// when truncated or longer than 10 bytes.
const char* DecodeUvarint64Slow(const char* p, const char* limit, uint64_t* v);
inline const char* DecodeUvarint64(const char* p, const char* limit, uint64_t* v) {
  if (p < limit && static_cast<unsigned char>(*p) < 0x80) {
    *v = static_cast<unsigned char>(*p);
    return p + 1;
  }
  return DecodeUvarint64Slow(p, limit, v);
}
inline const char* DecodeVarint64(const char* p, const char* limit, int64_t* v) {
  uint64_t u;
  p = DecodeUvarint64(p, limit, &u);
  if (p != nullptr) *v = ZigZagDecode(u);
  return p;
}

bool GetUvarint64(std::string_view* in, uint64_t* v);
bool GetVarint64(std::string_view* in, int64_t* v);
// A uvarint length then that many bytes; `out` views into the input.
bool GetLengthPrefixed(std::string_view* in, std::string_view* out);

}  // namespace kubescrape::util
