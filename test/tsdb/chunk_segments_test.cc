#include "tsdb/chunk_segments.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <functional>
#include <string>
#include <vector>

#include "tsdb/block_format.h"
#include "tsdb/chunk_xor.h"
#include "util/coding.h"
#include "util/crc32c.h"

namespace kubescrape::tsdb {
namespace {

using util::MemFileSystem;
using util::StatusCode;

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::vector<uint8_t> XorBytes(int64_t t0, int n) {
  XorChunk c;
  for (int i = 0; i < n; ++i) c.Append(t0 + i * 15000, i * 0.5);
  return {c.bytes().begin(), c.bytes().end()};
}

std::unique_ptr<ChunkSegmentWriter> MustOpenWriter(
    util::FileSystem& fs, const std::string& dir,
    uint64_t max = block_format::kDefaultSegmentBytes) {
  auto w = ChunkSegmentWriter::Open(fs, dir, max);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  return w.ok() ? std::move(*w) : nullptr;
}

TEST(ChunkSegmentsTest, ExactBytesOfOneSegment) {
  MemFileSystem fs;
  auto w = MustOpenWriter(fs, "/b/chunks");
  auto r1 = w->Write(1, Bytes("abc"));
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(*r1, 8u) << "first chunk right after the 8-byte header of segment 0";
  auto r2 = w->Write(7, Bytes(""));
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(*r2, 8u + 1 + 1 + 3 + 4);
  ASSERT_TRUE(w->Close().ok());

  std::string want("\x85\xBD\x40\xDD\x01\x00\x00\x00", 8);
  want += '\x03';
  want += '\x01';
  want += "abc";
  char crc[4];
  util::EncodeFixed32BE(crc, util::crc32c::Value("\x01"
                                                 "abc"));
  want.append(crc, 4);
  want += '\x00';
  want += '\x07';
  util::EncodeFixed32BE(crc, util::crc32c::Value("\x07"));
  want.append(crc, 4);
  EXPECT_EQ(*fs.ReadFile("/b/chunks/000001"), want);
  EXPECT_EQ(w->bytes_written(), want.size());
  EXPECT_EQ(*fs.ListDir("/b/chunks"), std::vector<std::string>{"000001"});
}

TEST(ChunkSegmentsTest, RoundTripWithRotation) {
  MemFileSystem fs;
  // Room for the header and about three 100-byte chunks per segment.
  auto w = MustOpenWriter(fs, "/b/chunks", 8 + 3 * 110);
  std::vector<std::vector<uint8_t>> chunks;
  std::vector<uint64_t> refs;
  for (int i = 0; i < 20; ++i) {
    chunks.push_back(XorBytes(i * 1000000, 10 + i % 7));
    auto ref = w->Write(1, chunks.back());
    ASSERT_TRUE(ref.ok()) << ref.status().ToString();
    refs.push_back(*ref);
  }
  const uint64_t written = w->bytes_written();
  ASSERT_TRUE(w->Close().ok());
  ASSERT_TRUE(w->Close().ok()) << "idempotent";
  EXPECT_EQ(w->Write(1, chunks[0]).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_GE(w->num_segments(), 3u);

  auto names = *fs.ListDir("/b/chunks");
  ASSERT_EQ(names.size(), w->num_segments());
  EXPECT_EQ(names[0], "000001");
  EXPECT_EQ(names[1], "000002");
  uint64_t on_disk = 0;
  for (const std::string& n : names) {
    uint64_t size = *fs.FileSize("/b/chunks/" + n);
    EXPECT_LE(size, 8u + 3 * 110) << n;
    on_disk += size;
  }
  EXPECT_EQ(on_disk, written);

  auto r = ChunkSegmentReader::Open(fs, "/b/chunks");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->size_bytes(), written);
  EXPECT_EQ((*r)->num_segments(), names.size());
  ASSERT_TRUE((*r)->Verify().ok());
  for (size_t i = 0; i < chunks.size(); ++i) {
    auto c = (*r)->Read(refs[i]);
    ASSERT_TRUE(c.ok()) << i << ": " << c.status().ToString();
    EXPECT_EQ(c->encoding, 1);
    EXPECT_EQ(std::vector<uint8_t>(c->data.begin(), c->data.end()), chunks[i]) << i;
    XorIterator it(c->data);
    int n = 0;
    while (it.Next()) EXPECT_EQ(it.t(), static_cast<int64_t>(i) * 1000000 + n++ * 15000);
    EXPECT_FALSE(it.corrupt());
    EXPECT_EQ(n, 10 + static_cast<int>(i) % 7);
  }
  // Refs name segment index (0-based) and offset, increasing in write order.
  EXPECT_EQ(refs[0], 8u);
  EXPECT_EQ(refs.back() >> 32, names.size() - 1);
  for (size_t i = 1; i < refs.size(); ++i) EXPECT_LT(refs[i - 1], refs[i]);

  // ForEach visits the same refs in order.
  std::vector<uint64_t> seen;
  ASSERT_TRUE((*r)->ForEach([&](uint64_t ref, const ChunkSegmentReader::Chunk&) {
                    seen.push_back(ref);
                    return util::Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(seen, refs);
}

TEST(ChunkSegmentsTest, OversizedChunkGetsItsOwnSegment) {
  MemFileSystem fs;
  auto w = MustOpenWriter(fs, "/c", 64);
  std::vector<uint8_t> big(200, 0xAB);
  auto a = w->Write(1, Bytes("small"));
  auto b = w->Write(1, big);
  auto c = w->Write(1, Bytes("after"));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(*a, 8u);
  EXPECT_EQ(*b, (uint64_t{1} << 32) | 8);
  EXPECT_EQ(*c, (uint64_t{2} << 32) | 8);
  ASSERT_TRUE(w->Close().ok());
  auto r = ChunkSegmentReader::Open(fs, "/c");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->Read(*b)->data.size(), 200u);
  ASSERT_TRUE((*r)->Verify().ok());
}

TEST(ChunkSegmentsTest, CutRuleCountsFiveByteLengthField) {
  MemFileSystem fs;
  // Header 8 + chunk of 10 data bytes (1 + 1 + 10 + 4 = 16 on disk) = 24.
  // The next 10-byte chunk needs 24 + 5 + 1 + 10 + 4 = 44 by Prometheus's
  // worst case: it stays in a 44-byte segment and moves on at 43.
  for (uint64_t max : {44u, 43u}) {
    auto w = MustOpenWriter(fs, "/s" + std::to_string(max), max);
    ASSERT_TRUE(w->Write(1, std::vector<uint8_t>(10, 1)).ok());
    auto ref = w->Write(1, std::vector<uint8_t>(10, 2));
    ASSERT_TRUE(ref.ok());
    EXPECT_EQ(*ref >> 32, max == 44 ? 0u : 1u) << max;
    ASSERT_TRUE(w->Close().ok());
  }
}

TEST(ChunkSegmentsTest, EmptyWriterLeavesEmptyDir) {
  MemFileSystem fs;
  auto w = MustOpenWriter(fs, "/e/chunks");
  ASSERT_TRUE(w->Close().ok());
  EXPECT_TRUE(fs.ListDir("/e/chunks")->empty());
  auto r = ChunkSegmentReader::Open(fs, "/e/chunks");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->num_segments(), 0u);
  EXPECT_TRUE((*r)->Verify().ok());
  EXPECT_EQ((*r)->Read(8).status().code(), StatusCode::kCorruption);
}

TEST(ChunkSegmentsTest, OpenRejectsBadArguments) {
  MemFileSystem fs;
  EXPECT_EQ(ChunkSegmentWriter::Open(fs, "/x", 8).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ChunkSegmentWriter::Open(fs, "/x", (uint64_t{1} << 32) + 1).status().code(),
            StatusCode::kInvalidArgument);
  fs.WriteFile("/x/000001", "old");
  EXPECT_EQ(ChunkSegmentWriter::Open(fs, "/x").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ChunkSegmentReader::Open(fs, "/missing").status().code(), StatusCode::kNotFound);
}

TEST(ChunkSegmentsTest, SyncsEverySegmentAndTheDir) {
  MemFileSystem fs;
  // The writer makes the segments' entries in the chunks dir durable; the
  // chunks dir's own entry is its creator's business.
  ASSERT_TRUE(fs.CreateDirAll("/d/chunks").ok());
  ASSERT_TRUE(fs.SyncDir("/").ok());
  ASSERT_TRUE(fs.SyncDir("/d").ok());
  auto w = MustOpenWriter(fs, "/d/chunks", 40);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(w->Write(1, std::vector<uint8_t>(10, i)).ok());
  ASSERT_TRUE(w->Close().ok());
  fs.DropUnsyncedData();
  auto r = ChunkSegmentReader::Open(fs, "/d/chunks");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->num_segments(), 5u);
  EXPECT_EQ((*r)->size_bytes(), w->bytes_written());
  EXPECT_TRUE((*r)->Verify().ok());
}

TEST(ChunkSegmentsTest, WriteErrorsAreSticky) {
  MemFileSystem fs;
  auto w = MustOpenWriter(fs, "/f", 40);
  ASSERT_TRUE(w->Write(1, std::vector<uint8_t>(10, 1)).ok());
  fs.SetAppendBudget(0);
  auto ref = w->Write(1, std::vector<uint8_t>(10, 2));  // cuts: flushes segment 1
  EXPECT_FALSE(ref.ok());
  fs.SetAppendBudget(-1);
  EXPECT_FALSE(w->Write(1, std::vector<uint8_t>(1, 3)).ok());
  EXPECT_FALSE(w->Close().ok());
}

// --- Corruption ---------------------------------------------------------------

class ChunkSegmentsCorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto w = MustOpenWriter(fs_, "/b/chunks", 80);
    for (int i = 0; i < 4; ++i) {
      auto ref = w->Write(1, XorBytes(i, 3));
      ASSERT_TRUE(ref.ok());
      refs_.push_back(*ref);
    }
    ASSERT_TRUE(w->Close().ok());
    ASSERT_GE(fs_.ListDir("/b/chunks")->size(), 2u);
  }
  // Rewrites segment `name` through `edit`.
  void Edit(const std::string& name, const std::function<void(std::string&)>& edit) {
    std::string content = *fs_.ReadFile("/b/chunks/" + name);
    edit(content);
    fs_.WriteFile("/b/chunks/" + name, content);
  }
  util::Status OpenStatus() { return ChunkSegmentReader::Open(fs_, "/b/chunks").status(); }

  MemFileSystem fs_;
  std::vector<uint64_t> refs_;
};

TEST_F(ChunkSegmentsCorruptionTest, BadMagic) {
  Edit("000002", [](std::string& s) { s[0] = 0x00; });
  util::Status s = OpenStatus();
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("/b/chunks/000002"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("magic"), std::string::npos) << s.message();
}

TEST_F(ChunkSegmentsCorruptionTest, BadVersion) {
  Edit("000001", [](std::string& s) { s[4] = 2; });
  EXPECT_EQ(OpenStatus().code(), StatusCode::kCorruption);
}

TEST_F(ChunkSegmentsCorruptionTest, FileShorterThanHeader) {
  Edit("000001", [](std::string& s) { s.resize(5); });
  EXPECT_EQ(OpenStatus().code(), StatusCode::kCorruption);
}

TEST_F(ChunkSegmentsCorruptionTest, MissingSegmentIsAGap) {
  ASSERT_TRUE(fs_.RemoveFile("/b/chunks/000001").ok());
  EXPECT_EQ(OpenStatus().code(), StatusCode::kCorruption);
}

TEST_F(ChunkSegmentsCorruptionTest, TruncatedChunk) {
  Edit("000001", [](std::string& s) { s.resize(s.size() - 2); });
  auto r = ChunkSegmentReader::Open(fs_, "/b/chunks");
  ASSERT_TRUE(r.ok()) << "headers are fine";
  util::Status v = (*r)->Verify();
  EXPECT_EQ(v.code(), StatusCode::kCorruption);
  EXPECT_NE(v.message().find("runs past"), std::string::npos) << v.message();
  // The last chunk of segment 0 is cut short; the first is intact.
  EXPECT_TRUE((*r)->Read(refs_[0]).ok());
  uint64_t last_in_first = 0;
  for (uint64_t ref : refs_) {
    if ((ref >> 32) == 0) last_in_first = ref;
  }
  EXPECT_EQ((*r)->Read(last_in_first).status().code(), StatusCode::kCorruption);
}

TEST_F(ChunkSegmentsCorruptionTest, CrcMismatch) {
  // Flip a bit in the data of the first chunk.
  Edit("000001", [](std::string& s) { s[8 + 1 + 1 + 2] ^= 0x10; });
  auto r = ChunkSegmentReader::Open(fs_, "/b/chunks");
  ASSERT_TRUE(r.ok());
  util::Status v = (*r)->Verify();
  EXPECT_EQ(v.code(), StatusCode::kCorruption);
  EXPECT_NE(v.message().find("checksum mismatch"), std::string::npos) << v.message();
  EXPECT_EQ((*r)->Read(refs_[0]).status().code(), StatusCode::kCorruption);
  EXPECT_TRUE((*r)->Read(refs_[1]).ok());
}

TEST_F(ChunkSegmentsCorruptionTest, TrailingGarbageFailsVerify) {
  Edit("000002", [](std::string& s) { s.append(16, '\0'); });
  auto r = ChunkSegmentReader::Open(fs_, "/b/chunks");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->Verify().code(), StatusCode::kCorruption);
}

TEST_F(ChunkSegmentsCorruptionTest, RefOutOfBounds) {
  auto r = ChunkSegmentReader::Open(fs_, "/b/chunks");
  ASSERT_TRUE(r.ok());
  const uint64_t segs = (*r)->num_segments();
  EXPECT_EQ((*r)->Read(segs << 32 | 8).status().code(), StatusCode::kCorruption)
      << "segment past the last";
  EXPECT_EQ((*r)->Read(0).status().code(), StatusCode::kCorruption) << "inside the header";
  EXPECT_EQ((*r)->Read(100000).status().code(), StatusCode::kCorruption)
      << "past the segment's end";
  auto bad = (*r)->Read(refs_[0] + 1);  // mid-chunk: garbage length or CRC
  EXPECT_FALSE(bad.ok());
}

}  // namespace
}  // namespace kubescrape::tsdb
