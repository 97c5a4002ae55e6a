#include "tsdb/bstream.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace kubescrape::tsdb {
namespace {

TEST(BitWriterTest, WritesMostSignificantBitFirstAndZeroPads) {
  BitWriter w;
  w.WriteBit(true);
  w.WriteBits(0b01, 2);
  EXPECT_EQ(w.size(), 1u);
  EXPECT_EQ(w.data()[0], 0b10100000);
  w.WriteByte(0xFF);  // crosses into a second byte at bit offset 3
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w.data()[0], 0b10111111);
  EXPECT_EQ(w.data()[1], 0b11100000);
  w.WriteBits(0, 0);  // no-op
  EXPECT_EQ(w.size(), 2u);
}

TEST(BitWriterTest, SixtyFourBitsAtAnOffset) {
  BitWriter w;
  w.WriteBits(0b1, 1);
  w.WriteBits(0x0123456789ABCDEFull, 64);
  ASSERT_EQ(w.size(), 9u);
  // 1 then 0x0123... shifted right by one bit.
  EXPECT_EQ(w.data()[0], 0x80);
  EXPECT_EQ(w.data()[1], 0x91);
  EXPECT_EQ(w.data()[7], 0xF7);
  EXPECT_EQ(w.data()[8], 0x80);
  BitReader r(w.data(), w.size());
  uint64_t bit = 0, v = 0;
  ASSERT_TRUE(r.ReadBits(1, &bit));
  ASSERT_TRUE(r.ReadBits(64, &v));
  EXPECT_EQ(bit, 1u);
  EXPECT_EQ(v, 0x0123456789ABCDEFull);
}

TEST(BitWriterTest, IgnoresBitsAboveWidth) {
  BitWriter w;
  w.WriteBits(~uint64_t{0}, 3);
  EXPECT_EQ(w.data()[0], 0b11100000);
}

TEST(BitWriterTest, ShrinkReleaseAndMove) {
  BitWriter w;
  for (int i = 0; i < 100; ++i) w.WriteBits(i, 7);
  EXPECT_GE(w.capacity(), w.size());
  std::vector<uint8_t> before(w.data(), w.data() + w.size());
  w.ShrinkToFit();
  EXPECT_EQ(w.capacity(), w.size());
  BitWriter moved = std::move(w);
  EXPECT_TRUE(w.empty());  // NOLINT: moved-from is empty by contract
  EXPECT_EQ(std::vector<uint8_t>(moved.data(), moved.data() + moved.size()), before);
  size_t size = moved.size();
  uint8_t* p = moved.Release();
  EXPECT_TRUE(moved.empty());
  EXPECT_EQ(std::vector<uint8_t>(p, p + size), before);
  std::free(p);
}

TEST(BitReaderTest, RandomWidthsRoundTrip) {
  std::mt19937_64 rng(42);
  std::vector<std::pair<uint64_t, int>> written;
  BitWriter w;
  for (int i = 0; i < 5000; ++i) {
    int n = static_cast<int>(rng() % 64) + 1;
    uint64_t v = rng();
    if (n < 64) v &= (uint64_t{1} << n) - 1;
    written.emplace_back(v, n);
    w.WriteBits(v, n);
  }
  BitReader r(w.data(), w.size());
  for (const auto& [v, n] : written) {
    uint64_t got = 0;
    ASSERT_TRUE(r.ReadBits(n, &got));
    ASSERT_EQ(got, v) << n;
  }
  // Only the zero padding of the last byte is left.
  uint64_t rest = 0;
  EXPECT_FALSE(r.ReadBits(8, &rest));
}

TEST(BitReaderTest, EndOfData) {
  const uint8_t data[] = {0xA5};
  BitReader r(data, 1);
  uint64_t v = 0;
  EXPECT_FALSE(r.ReadBits(9, &v));
  BitReader r2(data, 1);
  ASSERT_TRUE(r2.ReadBits(8, &v));
  EXPECT_EQ(v, 0xA5u);
  bool bit = false;
  EXPECT_FALSE(r2.ReadBit(&bit));
  BitReader empty;
  EXPECT_FALSE(empty.ReadBit(&bit));
}

}  // namespace
}  // namespace kubescrape::tsdb
