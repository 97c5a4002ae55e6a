// Interop: blocks written by Prometheus's own promtool (tsdb
// create-blocks-from openmetrics) read through our block file readers, and
// our writers reproduce promtool's bytes. Skipped when promtool is absent.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "test/testing/subprocess.h"
#include "tsdb/block_format.h"
#include "tsdb/block_meta.h"
#include "tsdb/chunk_segments.h"
#include "tsdb/chunk_xor.h"
#include "tsdb/tombstones.h"
#include "tsdb/ulid.h"

namespace kubescrape::tsdb {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kStartSec = 1700000000;  // 2023-11-14T22:13:20Z
constexpr int64_t kStepSec = 15;
constexpr int kSeries = 3;
constexpr int kSamplesPerSeries = 300;  // 75 minutes: more than one 120-sample chunk
// One more series crosses into the next 2h block.
constexpr int kLateSamples = 500;  // 125 minutes from kStartSec

// Sample i of series k has value i * 0.25 + k.
double ValueAt(int i, int k) { return i * 0.25 + k; }

class BlockPromtoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::HaveExecutable("promtool")) GTEST_SKIP() << "promtool is not installed";
    char tmpl[] = "/tmp/ks_block_promtool_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::ofstream om(dir_ + "/input.om");
    om << "# HELP requests_total Requests.\n# TYPE requests_total counter\n";
    for (int k = 0; k < kSeries; ++k) {
      for (int i = 0; i < kSamplesPerSeries; ++i) {
        om << "requests_total{k=\"" << k << "\"} " << ValueAt(i, k) << " "
           << kStartSec + i * kStepSec << ".000\n";
      }
    }
    om << "# TYPE late gauge\n";
    for (int i = 0; i < kLateSamples; ++i) {
      om << "late " << ValueAt(i, kSeries) << " " << kStartSec + i * kStepSec << ".000\n";
    }
    om << "# EOF\n";
    om.close();
    total_samples_ = kSeries * kSamplesPerSeries + kLateSamples;

    // promtool prints a table of blocks; the shell reports its exit code.
    std::optional<testing::Subprocess> p =
        testing::Subprocess::Start({"sh", "-c",
                                    "promtool tsdb create-blocks-from openmetrics '" + dir_ +
                                        "/input.om' '" + dir_ + "/out' 2>&1; echo \"exit=$?\""});
    ASSERT_TRUE(p.has_value());
    while (std::optional<std::string> line = p->ReadLine(120s)) output_ += *line + "\n";
    ASSERT_NE(output_.find("exit=0"), std::string::npos) << output_;
    for (const auto& e : std::filesystem::directory_iterator(dir_ + "/out")) {
      blocks_.push_back(e.path().string());
    }
    std::sort(blocks_.begin(), blocks_.end());
    ASSERT_EQ(blocks_.size(), 2u) << output_;
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  std::string output_;
  std::vector<std::string> blocks_;
  int total_samples_ = 0;
};

TEST_F(BlockPromtoolTest, MetaJson) {
  util::FileSystem& fs = util::FileSystem::Default();
  int64_t prev_max = INT64_MIN;
  uint64_t samples = 0;
  for (const std::string& block : blocks_) {
    const std::string name = std::filesystem::path(block).filename();
    EXPECT_TRUE(ValidUlid(name)) << name;
    auto meta = ReadBlockMeta(fs, block);
    ASSERT_TRUE(meta.ok()) << meta.status().ToString();
    EXPECT_EQ(meta->ulid, name);
    EXPECT_EQ(meta->version, 1);
    EXPECT_EQ(meta->compaction_level, 1);
    EXPECT_EQ(meta->compaction_sources, std::vector<std::string>{name});
    EXPECT_LT(meta->min_time, meta->max_time);
    EXPECT_GE(meta->min_time, prev_max) << "blocks do not overlap";
    EXPECT_GE(meta->min_time, kStartSec * 1000);
    EXPECT_LE(meta->max_time, (kStartSec + kLateSamples * kStepSec) * 1000 + 1);
    prev_max = meta->max_time;
    EXPECT_GT(meta->stats.num_series, 0u);
    EXPECT_GE(meta->stats.num_chunks, meta->stats.num_series);
    samples += meta->stats.num_samples;
    // Our formatter writes promtool's bytes back.
    EXPECT_EQ(FormatBlockMeta(*meta), *fs.ReadFile(block + "/meta.json"));
  }
  EXPECT_EQ(samples, static_cast<uint64_t>(total_samples_));
}

TEST_F(BlockPromtoolTest, ChunksDecodeToTheSamplesWritten) {
  util::FileSystem& fs = util::FileSystem::Default();
  int decoded = 0;
  for (const std::string& block : blocks_) {
    auto meta = ReadBlockMeta(fs, block);
    ASSERT_TRUE(meta.ok()) << meta.status().ToString();
    auto r = ChunkSegmentReader::Open(fs, block + "/chunks");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_GE((*r)->num_segments(), 1u);
    ASSERT_TRUE((*r)->Verify().ok()) << (*r)->Verify().ToString();

    uint64_t chunks = 0, samples = 0;
    util::Status s = (*r)->ForEach([&](uint64_t ref, const ChunkSegmentReader::Chunk& c) {
      ++chunks;
      EXPECT_EQ(c.encoding, chunk_format::kEncodingXor) << ref;
      auto again = (*r)->Read(ref);
      EXPECT_TRUE(again.ok() && again->data.data() == c.data.data()) << ref;
      XorIterator it(c.data);
      EXPECT_GT(it.num_samples(), 0u);
      EXPECT_LE(it.num_samples(), 240u) << "Prometheus cuts chunks at ~120 samples";
      int64_t prev_t = INT64_MIN;
      while (it.Next()) {
        ++samples;
        EXPECT_GE(it.t(), meta->min_time);
        EXPECT_LT(it.t(), meta->max_time) << "max_time is exclusive";
        EXPECT_GT(it.t(), prev_t);
        prev_t = it.t();
        // Sample i of some series k: t = start + 15s * i, v = i/4 + k.
        const int64_t since = it.t() - kStartSec * 1000;
        EXPECT_EQ(since % (kStepSec * 1000), 0) << it.t();
        const int i = static_cast<int>(since / (kStepSec * 1000));
        const double k = it.v() - i * 0.25;
        EXPECT_TRUE(k >= 0 && k <= kSeries && k == std::floor(k))
            << "t=" << it.t() << " v=" << it.v();
      }
      EXPECT_FALSE(it.corrupt()) << ref;
      return util::Status::Ok();
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(chunks, meta->stats.num_chunks);
    EXPECT_EQ(samples, meta->stats.num_samples);
    decoded += static_cast<int>(samples);
  }
  EXPECT_EQ(decoded, total_samples_);
}

TEST_F(BlockPromtoolTest, OurWriterReproducesPromtoolsSegments) {
  util::FileSystem& fs = util::FileSystem::Default();
  for (const std::string& block : blocks_) {
    auto r = ChunkSegmentReader::Open(fs, block + "/chunks");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const std::string copy = dir_ + "/copy/" + std::filesystem::path(block).filename().string();
    auto w = ChunkSegmentWriter::Open(fs, copy);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    util::Status s = (*r)->ForEach([&](uint64_t ref, const ChunkSegmentReader::Chunk& c) {
      auto got = (*w)->Write(c.encoding, c.data);
      if (!got.ok()) return got.status();
      EXPECT_EQ(*got, ref) << "same chunks in the same order get the same refs";
      return util::Status::Ok();
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_TRUE((*w)->Close().ok());
    EXPECT_EQ((*w)->bytes_written(), (*r)->size_bytes());
    auto names = fs.ListDir(block + "/chunks");
    ASSERT_TRUE(names.ok());
    EXPECT_EQ(*fs.ListDir(copy), *names);
    for (const std::string& n : *names) {
      EXPECT_TRUE(*fs.ReadFile(copy + "/" + n) == *fs.ReadFile(block + "/chunks/" + n)) << n;
    }
  }
}

TEST_F(BlockPromtoolTest, Tombstones) {
  util::FileSystem& fs = util::FileSystem::Default();
  for (const std::string& block : blocks_) {
    auto t = ReadTombstones(fs, block);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_TRUE(t->empty());
    EXPECT_EQ(EncodeTombstones({}), *fs.ReadFile(block + "/tombstones"));
  }
}

}  // namespace
}  // namespace kubescrape::tsdb
