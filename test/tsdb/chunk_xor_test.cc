#include "tsdb/chunk_xor.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "model/value.h"

namespace kubescrape::tsdb {
namespace {

struct S {
  int64_t t;
  double v;
};

XorChunk Encode(const std::vector<S>& samples) {
  XorChunk c;
  for (const S& s : samples) c.Append(s.t, s.v);
  return c;
}

// Decodes and compares timestamps and value bits exactly.
void ExpectRoundTrip(const std::vector<S>& samples) {
  XorChunk c = Encode(samples);
  ASSERT_EQ(c.num_samples(), samples.size());
  XorIterator it(c.bytes());
  EXPECT_EQ(it.num_samples(), samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    ASSERT_TRUE(it.Next()) << "sample " << i;
    ASSERT_EQ(it.t(), samples[i].t) << "sample " << i;
    ASSERT_EQ(it.v_bits(), std::bit_cast<uint64_t>(samples[i].v)) << "sample " << i;
  }
  EXPECT_FALSE(it.Next());
  EXPECT_FALSE(it.corrupt());
}

std::vector<S> Regular(int n, int64_t start = 1700000000000, int64_t step = 15000) {
  std::vector<S> out;
  for (int i = 0; i < n; ++i) out.push_back({start + i * step, 100.0 + i * 0.25});
  return out;
}

TEST(XorChunkTest, EmptyChunkIsTheHeaderOnly) {
  XorChunk c;
  ASSERT_EQ(c.bytes().size(), 2u);
  EXPECT_EQ(c.bytes()[0], 0);
  EXPECT_EQ(c.bytes()[1], 0);
  XorIterator it(c.bytes());
  EXPECT_FALSE(it.Next());
  EXPECT_FALSE(it.Seek(0));
  EXPECT_FALSE(it.corrupt());
}

TEST(XorChunkTest, RoundTripsCounts) {
  for (int n : {1, 2, 3, 119, 120, 240, 1000}) {
    SCOPED_TRACE(n);
    ExpectRoundTrip(Regular(n));
  }
}

TEST(XorChunkTest, SpecialValuesKeepTheirBits) {
  const double kInf = std::numeric_limits<double>::infinity();
  std::vector<S> samples = {
      {1000, 0.0},
      {2000, -0.0},
      {3000, std::numeric_limits<double>::quiet_NaN()},
      {4000, model::StaleNaN()},
      {5000, model::NormalNaN()},
      {6000, kInf},
      {7000, -kInf},
      {8000, std::numeric_limits<double>::denorm_min()},
      {9000, std::numeric_limits<double>::max()},
      {10000, -std::numeric_limits<double>::max()},
      {11000, model::StaleNaN()},
      {12000, 1.0},
  };
  ExpectRoundTrip(samples);
  XorChunk c = Encode(samples);
  XorIterator it(c.bytes());
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(it.Next());
  EXPECT_TRUE(model::IsStaleNaN(it.v()));
  ASSERT_TRUE(it.Next());
  EXPECT_TRUE(std::isnan(it.v()));
  EXPECT_FALSE(model::IsStaleNaN(it.v()));
}

TEST(XorChunkTest, NegativeAndExtremeTimestamps) {
  ExpectRoundTrip({{-1, 1}, {0, 2}, {1, 3}});
  ExpectRoundTrip({{-1700000000000, 1}, {-1699999985000, 2}, {-1699999970000, 3}, {-1699999955001, 4}});
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  // Deltas and deltas of deltas that overflow int64 wrap as in Go.
  ExpectRoundTrip({{kMin, 1}, {kMax, 2}, {kMin, 3}, {0, 4}, {kMax, 5}});
  ExpectRoundTrip({{0, 1}, {int64_t{1} << 40, 2}, {(int64_t{1} << 40) + 1, 3}, {int64_t{1} << 62, 4}});
}

TEST(XorChunkTest, ArbitraryTimestampOrderRoundTrips) {
  // The encoding does not require increasing timestamps.
  ExpectRoundTrip({{5000, 1}, {1000, 1}, {1000, 2}, {9000, 3}, {-9000, 3}});
}

// The third sample's delta of delta lands in Prometheus's bucket: prefix and
// payload width at each boundary of the 14/17/20/64-bit ranges.
TEST(XorChunkTest, DeltaOfDeltaBucketBoundaries) {
  struct Case {
    int64_t dod;
    int prefix_ones;  // 0 = '0', 1 = '10', 2 = '110', 3 = '1110', 4 = '1111'
  };
  const Case cases[] = {
      {0, 0},          {1, 1},         {-1, 1},       {8192, 1},      {-8191, 1},     {8193, 2},
      {-8192, 2},      {65536, 2},     {-65535, 2},   {65537, 3},     {-65536, 3},    {524288, 3},
      {-524287, 3},    {524289, 4},    {-524288, 4},  {int64_t{1} << 40, 4},
  };
  const int widths[] = {0, 14, 17, 20, 64};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.dod);
    std::vector<S> samples = {{0, 0}, {10, 0}, {20 + c.dod, 0}};
    XorChunk chunk = Encode(samples);
    ExpectRoundTrip(samples);
    // header 16 + varint(0) 8 + v0 64 + uvarint(10) 8 + v1 '0' 1 = 97 bits.
    BitReader r(chunk.bytes().data(), chunk.bytes().size());
    uint64_t skip = 0;
    ASSERT_TRUE(r.ReadBits(64, &skip));
    ASSERT_TRUE(r.ReadBits(33, &skip));
    int ones = 0;
    bool bit = true;
    while (ones < 4) {
      ASSERT_TRUE(r.ReadBit(&bit));
      if (!bit) break;
      ++ones;
    }
    EXPECT_EQ(ones, c.prefix_ones);
    const int w = widths[ones];
    if (w > 0) {
      uint64_t payload = 0;
      ASSERT_TRUE(r.ReadBits(w, &payload));
      const uint64_t mask = w == 64 ? ~uint64_t{0} : (uint64_t{1} << w) - 1;
      EXPECT_EQ(payload, static_cast<uint64_t>(c.dod) & mask);
    }
  }
}

// Prometheus's own bytes. One sample (the chunk from Prometheus's
// chunkenc tests and rusty-chunkenc, t = 7200000, v = 12000).
TEST(XorChunkTest, ByteExactOneSample) {
  XorChunk c = Encode({{7200000, 12000.0}});
  const std::vector<uint8_t> want = {0x00, 0x01, 0x80, 0xF4, 0xEE, 0x06, 0x40, 0xC7, 0x70, 0x00, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(std::vector<uint8_t>(c.bytes().begin(), c.bytes().end()), want);
}

// Ten samples t = 1234123324 + i, v = 123535.123 + i, as encoded by
// Prometheus's Go chunkenc.XORChunk (rusty-chunkenc golang-tests/test.json):
// exercises the uvarint delta, dod '0' and both value-window paths.
TEST(XorChunkTest, ByteExactAgainstGoEncoder) {
  std::vector<S> samples;
  for (int i = 0; i < 10; ++i) samples.push_back({1234123324 + i, 123535.123 + i});
  XorChunk c = Encode(samples);
  const std::vector<uint8_t> want = {0x00, 0x0a, 0xf8, 0xe8, 0xf9, 0x98, 0x09, 0x40, 0xfe, 0x28, 0xf1, 0xf7, 0xce, 0xd9,
                                     0x17, 0x01, 0xee, 0x2f, 0xd0, 0x50, 0xd0, 0x51, 0xd0, 0x50, 0xd0, 0x53, 0xc0};
  EXPECT_EQ(std::vector<uint8_t>(c.bytes().begin(), c.bytes().end()), want);
  XorIterator it({want.data(), want.size()});
  for (const S& s : samples) {
    ASSERT_TRUE(it.Next());
    EXPECT_EQ(it.t(), s.t);
    EXPECT_EQ(it.v(), s.v);
  }
  EXPECT_FALSE(it.Next());
}

TEST(XorChunkTest, UnchangedValueAndIntervalCostTwoBits) {
  std::vector<S> samples;
  for (int i = 0; i < 120; ++i) samples.push_back({i * 15000, 42});
  XorChunk c = Encode(samples);
  // Header 16 bits, varint(0) 8, v0 64, uvarint(15000) 16, v1 '0' 1, then
  // 118 samples of '0' '0'.
  const size_t bits = 16 + 8 + 64 + 16 + 1 + 118 * 2;
  EXPECT_EQ(c.bytes().size(), (bits + 7) / 8);
}

TEST(XorIteratorTest, Seek) {
  XorChunk c = Encode(Regular(120, 0, 10));
  XorIterator it(c.bytes());
  ASSERT_TRUE(it.Seek(-5));  // before Next: the first sample
  EXPECT_EQ(it.t(), 0);
  ASSERT_TRUE(it.Seek(505));
  EXPECT_EQ(it.t(), 510);
  ASSERT_TRUE(it.Seek(510));  // the current one qualifies: stay
  EXPECT_EQ(it.t(), 510);
  ASSERT_TRUE(it.Seek(100));  // never backwards
  EXPECT_EQ(it.t(), 510);
  ASSERT_TRUE(it.Next());
  EXPECT_EQ(it.t(), 520);
  ASSERT_TRUE(it.Seek(1190));
  EXPECT_EQ(it.t(), 1190);
  EXPECT_FALSE(it.Seek(1191));
  EXPECT_FALSE(it.corrupt());
}

TEST(XorIteratorTest, TruncatedDataIsCorrupt) {
  XorChunk c = Encode(Regular(50));
  std::vector<uint8_t> bytes(c.bytes().begin(), c.bytes().end());
  for (size_t cut : {size_t{0}, size_t{1}, size_t{5}, bytes.size() / 2, bytes.size() - 1}) {
    SCOPED_TRACE(cut);
    XorIterator it({bytes.data(), cut});
    size_t n = 0;
    while (it.Next()) ++n;
    EXPECT_LT(n, 50u);
    EXPECT_TRUE(it.corrupt());
  }
}

TEST(XorIteratorTest, CountLargerThanDataIsCorrupt) {
  XorChunk c = Encode(Regular(3));
  std::vector<uint8_t> bytes(c.bytes().begin(), c.bytes().end());
  bytes[1] = 200;
  XorIterator it({bytes.data(), bytes.size()});
  size_t n = 0;
  while (it.Next()) ++n;
  EXPECT_GE(n, 3u);
  EXPECT_LT(n, 200u);
  EXPECT_TRUE(it.corrupt());
}

// Property test: random series of every shape round-trip bit for bit.
TEST(XorChunkTest, RandomRoundTrips) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 300; ++round) {
    SCOPED_TRACE(round);
    const int n = static_cast<int>(rng() % 300);
    const int shape = round % 6;
    std::vector<S> samples;
    int64_t t = static_cast<int64_t>(rng() % 4000000000000) - 2000000000000;
    double v = 0;
    for (int i = 0; i < n; ++i) {
      switch (shape) {
        case 0:  // regular scrape with jitter, slow counter
          t += 15000 + static_cast<int64_t>(rng() % 21) - 10;
          v += static_cast<double>(rng() % 3);
          break;
        case 1:  // gauge of random doubles
          t += 1000;
          v = std::bit_cast<double>(rng());
          break;
        case 2:  // big irregular gaps, wrapping past the int64 range
          t = static_cast<int64_t>(static_cast<uint64_t>(t) + (rng() >> (rng() % 64)));
          v = static_cast<double>(rng() % 1000) / 7.0;
          break;
        case 3:  // arbitrary timestamps (wrapping deltas)
          t = static_cast<int64_t>(rng());
          v = i % 2 ? std::numeric_limits<double>::infinity() : model::StaleNaN();
          break;
        case 4:  // constant
          t += 30000;
          v = 1;
          break;
        default:  // decimal-looking gauge
          t += 10000;
          v = static_cast<double>(static_cast<int64_t>(rng() % 100000)) / 100.0;
          break;
      }
      samples.push_back({t, v});
    }
    ExpectRoundTrip(samples);
  }
}

}  // namespace
}  // namespace kubescrape::tsdb
