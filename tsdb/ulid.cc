#include "tsdb/ulid.h"

namespace kubescrape::tsdb {
namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr size_t kUlidChars = 26;

// The 5-bit value of a base32 character, or -1.
int DecodeChar(char c) {
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  for (int i = 0; i < 32; ++i) {
    if (kAlphabet[i] == c) return i;
  }
  return -1;
}

}  // namespace

std::string NewUlid(int64_t unix_ms, uint64_t random_hi, uint64_t random_lo) {
  // 130 bits of output for 128 bits of value: the top two are zero.
  unsigned __int128 v =
      static_cast<unsigned __int128>(static_cast<uint64_t>(unix_ms) & 0xFFFFFFFFFFFFull) << 80;
  v |= static_cast<unsigned __int128>(random_hi & 0xFFFF) << 64;
  v |= random_lo;
  std::string out(kUlidChars, '0');
  for (size_t i = kUlidChars; i-- > 0;) {
    out[i] = kAlphabet[static_cast<unsigned>(v & 31)];
    v >>= 5;
  }
  return out;
}

bool ValidUlid(std::string_view s) {
  if (s.size() != kUlidChars || s[0] > '7') return false;
  for (char c : s) {
    if (DecodeChar(c) < 0) return false;
  }
  return true;
}

int64_t UlidTime(std::string_view s) {
  uint64_t t = 0;
  for (size_t i = 0; i < 10; ++i) t = (t << 5) | static_cast<uint64_t>(DecodeChar(s[i]));
  return static_cast<int64_t>(t);  // 50 bits, the top two zero in a valid ULID
}

}  // namespace kubescrape::tsdb
