#include "util/coding.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace kubescrape::util {
namespace {

TEST(CodingTest, FixedBigEndian) {
  std::string s;
  PutFixed32BE(&s, 0x01020304);
  PutFixed64BE(&s, 0x0102030405060708ull);
  EXPECT_EQ(s, std::string("\x01\x02\x03\x04\x01\x02\x03\x04\x05\x06\x07\x08", 12));
  std::string_view in = s;
  uint32_t a;
  uint64_t b;
  ASSERT_TRUE(GetFixed32BE(&in, &a));
  ASSERT_TRUE(GetFixed64BE(&in, &b));
  EXPECT_EQ(a, 0x01020304u);
  EXPECT_EQ(b, 0x0102030405060708ull);
  EXPECT_TRUE(in.empty());
  EXPECT_FALSE(GetFixed32BE(&in, &a));
  char buf[2];
  EncodeFixed16BE(buf, 0xABCD);
  EXPECT_EQ(DecodeFixed16BE(buf), 0xABCD);
  EXPECT_EQ(static_cast<unsigned char>(buf[0]), 0xAB);
}

TEST(CodingTest, UvarintMatchesGoEncoding) {
  // Go: binary.PutUvarint(buf, 300) == []byte{0xac, 0x02}.
  std::string s;
  PutUvarint64(&s, 300);
  EXPECT_EQ(s, "\xac\x02");
  s.clear();
  PutUvarint64(&s, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(s.size(), 10u);
  EXPECT_EQ(UvarintLength(std::numeric_limits<uint64_t>::max()), 10u);
  EXPECT_EQ(UvarintLength(127), 1u);
  EXPECT_EQ(UvarintLength(128), 2u);
}

TEST(CodingTest, VarintIsZigZag) {
  // Go: binary.PutVarint(buf, -1) == []byte{0x01}; PutVarint(1) == {0x02}.
  std::string s;
  PutVarint64(&s, -1);
  PutVarint64(&s, 1);
  PutVarint64(&s, -64);
  EXPECT_EQ(s, std::string("\x01\x02\x7f", 3));
}

TEST(CodingTest, RoundTripsBoundaries) {
  const int64_t values[] = {0, 1, -1, 63, -64, 64, 127, 128, -129, 1 << 20, -(1ll << 40),
                            std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()};
  std::string s;
  for (int64_t v : values) {
    PutVarint64(&s, v);
    PutUvarint64(&s, static_cast<uint64_t>(v));
  }
  std::string_view in = s;
  for (int64_t v : values) {
    int64_t sv;
    uint64_t uv;
    ASSERT_TRUE(GetVarint64(&in, &sv));
    ASSERT_TRUE(GetUvarint64(&in, &uv));
    EXPECT_EQ(sv, v);
    EXPECT_EQ(uv, static_cast<uint64_t>(v));
  }
  EXPECT_TRUE(in.empty());
}

TEST(CodingTest, RejectsTruncatedAndOverlongVarints) {
  uint64_t v;
  std::string_view truncated("\x80\x80", 2);
  EXPECT_FALSE(GetUvarint64(&truncated, &v));
  std::string_view overlong("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 10);  // > 64 bits
  EXPECT_FALSE(GetUvarint64(&overlong, &v));
  std::string_view eleven("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 11);
  EXPECT_FALSE(GetUvarint64(&eleven, &v));
  std::string_view empty;
  EXPECT_FALSE(GetUvarint64(&empty, &v));
}

TEST(CodingTest, LengthPrefixed) {
  std::string s;
  PutLengthPrefixed(&s, "abc");
  PutLengthPrefixed(&s, "");
  std::string_view in = s, out;
  ASSERT_TRUE(GetLengthPrefixed(&in, &out));
  EXPECT_EQ(out, "abc");
  ASSERT_TRUE(GetLengthPrefixed(&in, &out));
  EXPECT_EQ(out, "");
  std::string_view short_input("\x05" "ab", 3);
  EXPECT_FALSE(GetLengthPrefixed(&short_input, &out));
  EXPECT_EQ(short_input.size(), 3u);  // unchanged on failure
}

}  // namespace
}  // namespace kubescrape::util
