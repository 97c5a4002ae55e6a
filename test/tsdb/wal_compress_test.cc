// WAL record compression (tsdb/wal_compress.h): Snappy and zstd records
// written and replayed, flags on every fragment, incompressible records
// left as they are.
#include "tsdb/wal_compress.h"

#include <gtest/gtest.h>

#include <random>

#include "test/tsdb/wal_test_util.h"
#include "tsdb/wal.h"

namespace kubescrape::tsdb {
namespace {

using namespace testing;  // NOLINT

const std::string kDir = "/data/wal";

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

uint64_t WalBytes(util::MemFileSystem& fs) {
  uint64_t total = 0;
  const std::vector<std::string> names = *fs.ListDir(kDir);
  for (const std::string& n : names) total += *fs.FileSize(kDir + "/" + n);
  return total;
}

class WalCompressTest : public ::testing::TestWithParam<WalCompression> {};

TEST_P(WalCompressTest, RecordsRoundTripAndTheWalShrinks) {
  util::MemFileSystem fs;
  std::vector<std::string> written;
  {
    auto wal = Wal::Open(fs, kDir, {.segment_size = 4 * kPage, .compression = GetParam()});
    ASSERT_TRUE(wal.ok());
    for (uint64_t i = 0; i < 300; ++i) {
      // Small, page-spanning and segment-sized records; compressible.
      written.push_back(MakeRecord(i, i % 50 == 0 ? 3 * kPage : 10 + i * 37));
      ASSERT_TRUE((*wal)->Log(written.back()).ok());
    }
    written.push_back(RandomBytes(5000, 1));  // does not shrink: written as is
    ASSERT_TRUE((*wal)->Log(written.back()).ok());
    written.push_back("");
    ASSERT_TRUE((*wal)->Log(written.back()).ok());
    ASSERT_TRUE((*wal)->Close().ok());
  }
  ReadResult r = ReadAll(fs, kDir);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.records, written);
  uint64_t raw = 0;
  for (const std::string& w : written) raw += w.size();
  EXPECT_LT(WalBytes(fs), raw / 2) << "compressible records must shrink";
  // Replay through Open as well.
  std::unique_ptr<Wal> wal;
  EXPECT_EQ(OpenAndReplay(fs, kDir, &wal, {.compression = GetParam()}), written);
}

TEST_P(WalCompressTest, EveryFragmentOfACompressedRecordCarriesTheFlag) {
  util::MemFileSystem fs;
  {
    auto wal = Wal::Open(fs, kDir, {.compression = GetParam()});
    ASSERT_TRUE(wal.ok());
    // Compressible but still bigger than a page once compressed.
    std::string big = RandomBytes(40000, 2) + std::string(40000, 'x');
    ASSERT_TRUE((*wal)->Log(big).ok());
    ASSERT_TRUE((*wal)->Close().ok());
  }
  const std::string seg = *fs.ReadFile(kDir + "/00000000");
  const uint8_t flag = GetParam() == WalCompression::kSnappy ? wal_format::kSnappyFlag : wal_format::kZstdFlag;
  // First fragment at 0, the next at the start of page 1.
  EXPECT_EQ(static_cast<uint8_t>(seg[0]), wal_format::kFirst | flag);
  EXPECT_EQ(static_cast<uint8_t>(seg[kPage]) & ~wal_format::kKindMask, flag);
}

INSTANTIATE_TEST_SUITE_P(Codecs, WalCompressTest,
                         ::testing::Values(WalCompression::kSnappy, WalCompression::kZstd),
                         [](const auto& info) { return info.param == WalCompression::kSnappy ? "Snappy" : "Zstd"; });

TEST(WalCompressionTest, UncompressedWalsStillReadAndMixedWalsToo) {
  util::MemFileSystem fs;
  std::vector<std::string> written;
  for (WalCompression c : {WalCompression::kNone, WalCompression::kSnappy, WalCompression::kZstd}) {
    auto wal = Wal::Open(fs, kDir, {.compression = c});  // a new segment each time
    ASSERT_TRUE(wal.ok());
    written.push_back(MakeRecord(written.size(), 1000));
    ASSERT_TRUE((*wal)->Log(written.back()).ok());
    ASSERT_TRUE((*wal)->Close().ok());
  }
  ReadResult r = ReadAll(fs, kDir);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.records, written);
}

TEST(WalCompressionTest, ParseNames) {
  EXPECT_EQ(*ParseWalCompression("snappy"), WalCompression::kSnappy);
  EXPECT_EQ(*ParseWalCompression("zstd"), WalCompression::kZstd);
  EXPECT_EQ(*ParseWalCompression("none"), WalCompression::kNone);
  EXPECT_FALSE(ParseWalCompression("lz4").ok());
}

}  // namespace
}  // namespace kubescrape::tsdb
