#include "util/coding.h"

namespace kubescrape::util {

void PutFixed32BE(std::string* dst, uint32_t v) {
  char buf[4];
  EncodeFixed32BE(buf, v);
  dst->append(buf, 4);
}

void PutFixed64BE(std::string* dst, uint64_t v) {
  char buf[8];
  EncodeFixed64BE(buf, v);
  dst->append(buf, 8);
}

bool GetFixed32BE(std::string_view* in, uint32_t* v) {
  if (in->size() < 4) return false;
  *v = DecodeFixed32BE(in->data());
  in->remove_prefix(4);
  return true;
}

bool GetFixed64BE(std::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  *v = DecodeFixed64BE(in->data());
  in->remove_prefix(8);
  return true;
}

void PutUvarint64(std::string* dst, uint64_t v) {
  char buf[kMaxVarintBytes];
  dst->append(buf, EncodeUvarint64(buf, v) - buf);
}

void PutVarint64(std::string* dst, int64_t v) { PutUvarint64(dst, ZigZagEncode(v)); }

void PutLengthPrefixed(std::string* dst, std::string_view s) {
  PutUvarint64(dst, s.size());
  dst->append(s);
}

const char* DecodeUvarint64Slow(const char* p, const char* limit, uint64_t* v) {
  uint64_t result = 0;
  for (unsigned shift = 0; shift < 70 && p < limit; shift += 7) {
    auto byte = static_cast<unsigned char>(*p++);
    if (shift == 63 && byte > 1) return nullptr;  // overflows 64 bits
    result |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if (byte < 0x80) {
      *v = result;
      return p;
    }
  }
  return nullptr;
}

bool GetUvarint64(std::string_view* in, uint64_t* v) {
  const char* end = in->data() + in->size();
  const char* p = DecodeUvarint64(in->data(), end, v);
  if (p == nullptr) return false;
  in->remove_prefix(p - in->data());
  return true;
}

bool GetVarint64(std::string_view* in, int64_t* v) {
  uint64_t u;
  if (!GetUvarint64(in, &u)) return false;
  *v = ZigZagDecode(u);
  return true;
}

bool GetLengthPrefixed(std::string_view* in, std::string_view* out) {
  uint64_t len;
  std::string_view rest = *in;
  if (!GetUvarint64(&rest, &len) || rest.size() < len) return false;
  *out = rest.substr(0, len);
  rest.remove_prefix(len);
  *in = rest;
  return true;
}

}  // namespace kubescrape::util
