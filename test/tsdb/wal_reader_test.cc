// The WAL failure-mode catalogue: one test per way a log can be damaged,
// each checking what the reader reports and what opening (repair) keeps.

#include "tsdb/wal_reader.h"

#include <gtest/gtest.h>

#include <random>

#include "test/tsdb/wal_test_util.h"
#include "tsdb/record.h"

namespace kubescrape::tsdb {
namespace {

using namespace testing;  // NOLINT
using util::MemFileSystem;
using util::StatusCode;

constexpr char kDir[] = "/data/wal";

std::vector<std::string> Records(std::initializer_list<size_t> sizes) {
  std::vector<std::string> out;
  for (size_t size : sizes) out.push_back(MakeRecord(out.size(), size));
  return out;
}

std::vector<std::string> Prefix(const std::vector<std::string>& v, size_t n) {
  return std::vector<std::string>(v.begin(), v.begin() + n);
}

TEST(WalFailureTest, EmptyWal) {
  MemFileSystem fs;
  EXPECT_EQ(WalReader::Open(fs, kDir).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(fs.CreateDirAll(kDir).ok());
  ReadResult empty_dir = ReadAll(fs, kDir);
  EXPECT_TRUE(empty_dir.status.ok());
  EXPECT_TRUE(empty_dir.records.empty());

  std::unique_ptr<Wal> wal;
  EXPECT_TRUE(OpenAndReplay(fs, kDir, &wal).empty());
  ASSERT_TRUE(wal->Close().ok());
  EXPECT_EQ(*fs.ListDir(kDir), std::vector<std::string>{"00000000"});
  EXPECT_EQ(*fs.FileSize(SegmentPath(kDir, 0)), 0u);

  // An empty segment reads cleanly and is reused rather than followed.
  EXPECT_TRUE(OpenAndReplay(fs, kDir, &wal).empty());
  EXPECT_EQ(wal->current_segment(), 0u);
  EXPECT_TRUE(wal->stats().replay.corruption.ok());
}

TEST(WalFailureTest, ManyRecordsRoundTrip) {
  MemFileSystem fs;
  std::mt19937 rng(7);
  std::vector<std::string> logged;
  const uint64_t segment_size = 4 * kPage;
  {
    auto wal = Wal::Open(fs, kDir, {.segment_size = segment_size, .compression = WalCompression::kNone});
    ASSERT_TRUE(wal.ok());
    for (int batch = 0; batch < 1500; ++batch) {
      std::vector<std::string> records;
      for (int n = rng() % 4 + 1; n > 0; --n) {
        int kind = rng() % 100;
        size_t size = kind < 70 ? rng() % 200 : kind < 97 ? rng() % 5000 : rng() % 200000;
        records.push_back(MakeRecord(logged.size() + records.size(), size));
      }
      std::vector<std::string_view> views(records.begin(), records.end());
      ASSERT_TRUE((*wal)->Log(views).ok());
      logged.insert(logged.end(), records.begin(), records.end());
    }
    ASSERT_TRUE((*wal)->Close().ok());
  }
  const std::vector<std::string> names = *fs.ListDir(kDir);
  EXPECT_GT(names.size(), 10u);
  for (const std::string& name : names) {
    EXPECT_LE(*fs.FileSize(std::string(kDir) + "/" + name), segment_size) << name;
  }
  std::unique_ptr<Wal> wal;
  std::vector<std::string> replayed = OpenAndReplay(fs, kDir, &wal, {.segment_size = segment_size, .compression = WalCompression::kNone});
  EXPECT_TRUE(wal->stats().replay.corruption.ok());
  ASSERT_EQ(replayed.size(), logged.size());
  EXPECT_TRUE(replayed == logged);
}

TEST(WalFailureTest, TornFinalRecord) {
  MemFileSystem fs;
  std::vector<std::string> logged = Records({100, 200, 300});
  WriteWal(fs, kDir, logged);
  ReadResult clean = ReadAll(fs, kDir);
  ASSERT_EQ(clean.records, logged);

  // The process died while writing the last record: its header and part
  // of its data reached the file.
  const std::string path = SegmentPath(kDir, 0);
  const uint64_t torn_at = clean.positions[2].offset + wal_format::kHeaderSize + 100;
  fs.WriteFile(path, fs.ReadFile(path)->substr(0, torn_at));
  ReadResult torn = ReadAll(fs, kDir);
  EXPECT_EQ(torn.status.code(), StatusCode::kCorruption);
  EXPECT_NE(torn.status.message().find("torn fragment"), std::string::npos) << torn.status.message();
  EXPECT_EQ(torn.last_good, (WalPosition{0, clean.positions[2].offset}));

  std::unique_ptr<Wal> wal;
  EXPECT_EQ(OpenAndReplay(fs, kDir, &wal), Prefix(logged, 2));
  EXPECT_EQ(wal->stats().replay.corruption.code(), StatusCode::kCorruption);
  EXPECT_EQ(*fs.FileSize(path), kPage) << "cut after record 1, padded to a page";
  ASSERT_TRUE(wal->Log("after repair").ok());
  ASSERT_TRUE(wal->Close().ok());
  std::vector<std::string> want = Prefix(logged, 2);
  want.push_back("after repair");
  EXPECT_EQ(OpenAndReplay(fs, kDir, &wal), want);
  EXPECT_TRUE(wal->stats().replay.corruption.ok());
}

TEST(WalFailureTest, TornFinalRecordSpanningPages) {
  MemFileSystem fs;
  std::vector<std::string> logged = Records({100, 50000});
  WriteWal(fs, kDir, logged);
  const std::string path = SegmentPath(kDir, 0);
  // The first page (with the record's first fragment) is whole; the second
  // stops inside the last fragment.
  fs.WriteFile(path, fs.ReadFile(path)->substr(0, kPage + 1000));
  ReadResult torn = ReadAll(fs, kDir);
  EXPECT_EQ(torn.status.code(), StatusCode::kCorruption);
  EXPECT_EQ(torn.records, Prefix(logged, 1));
  std::unique_ptr<Wal> wal;
  EXPECT_EQ(OpenAndReplay(fs, kDir, &wal), Prefix(logged, 1));
}

TEST(WalFailureTest, BadCrc) {
  MemFileSystem fs;
  // Two-page segments hold about three 20000-byte records: 10 records fill
  // segments 0..3.
  std::vector<std::string> logged;
  for (int i = 0; i < 10; ++i) logged.push_back(MakeRecord(i, 20000));
  WriteWal(fs, kDir, logged, 2 * kPage);
  ReadResult clean = ReadAll(fs, kDir);
  ASSERT_EQ(clean.records, logged);
  ASSERT_EQ(clean.positions[4].segment, 1u);
  ASSERT_EQ(fs.ListDir(kDir)->size(), 4u);

  // Flip one bit in the data of record 4, in segment 1.
  const std::string path = SegmentPath(kDir, 1);
  std::string bytes = *fs.ReadFile(path);
  bytes[clean.positions[4].offset + wal_format::kHeaderSize + 10] ^= 0x04;
  fs.WriteFile(path, bytes);

  ReadResult bad = ReadAll(fs, kDir);
  EXPECT_EQ(bad.status.code(), StatusCode::kCorruption);
  const std::string want_msg = std::string(kDir) + "/00000001 offset " +
                               std::to_string(clean.positions[4].offset) + ": checksum mismatch";
  EXPECT_EQ(bad.status.message(), want_msg);
  EXPECT_EQ(bad.records, Prefix(logged, 4));

  std::unique_ptr<Wal> wal;
  EXPECT_EQ(OpenAndReplay(fs, kDir, &wal, {.segment_size = 2 * kPage, .compression = WalCompression::kNone}), Prefix(logged, 4));
  // Segments after the damaged one are gone; writing resumes after it.
  EXPECT_FALSE(fs.Exists(SegmentPath(kDir, 3)));
  EXPECT_EQ(wal->current_segment(), 2u);
}

TEST(WalFailureTest, ZeroFilledPageTail) {
  MemFileSystem fs;
  std::vector<std::string> logged = Records({1000, 1000, 1000, 1000, 1000, 1000});
  WriteWal(fs, kDir, logged);
  ReadResult clean = ReadAll(fs, kDir);
  const std::string path = SegmentPath(kDir, 0);
  const std::string original = *fs.ReadFile(path);
  ASSERT_EQ(original.size(), kPage);

  // A power cut after the file grew but before its last blocks were written:
  // zeros from record 4's header to the end of the page read as padding, a
  // clean end (those records were never synced).
  std::string zeroed = original;
  std::fill(zeroed.begin() + clean.positions[4].offset, zeroed.end(), '\0');
  fs.WriteFile(path, zeroed);
  ReadResult padded = ReadAll(fs, kDir);
  EXPECT_TRUE(padded.status.ok()) << padded.status.ToString();
  EXPECT_EQ(padded.records, Prefix(logged, 4));

  // Zeros from inside record 4's data on: its header survived, so its
  // checksum fails and the tail is cut there.
  zeroed = original;
  std::fill(zeroed.begin() + clean.positions[4].offset + wal_format::kHeaderSize + 10, zeroed.end(), '\0');
  fs.WriteFile(path, zeroed);
  ReadResult torn = ReadAll(fs, kDir);
  EXPECT_EQ(torn.status.code(), StatusCode::kCorruption);
  std::unique_ptr<Wal> wal;
  EXPECT_EQ(OpenAndReplay(fs, kDir, &wal), Prefix(logged, 4));
  EXPECT_TRUE(ReadAll(fs, kDir).status.ok());
}

TEST(WalFailureTest, TruncatedSegment) {
  MemFileSystem fs;
  std::vector<std::string> logged;
  for (int i = 0; i < 10; ++i) logged.push_back(MakeRecord(i, 20000));
  WriteWal(fs, kDir, logged, 2 * kPage);
  ReadResult clean = ReadAll(fs, kDir);
  ASSERT_EQ(clean.positions[3].segment, 1u);
  ASSERT_EQ(clean.positions[4].segment, 1u);

  // Segment 1 lost its tail although segments 2 and 3 exist: cut right
  // after its first record, a fragment boundary but not a page boundary.
  const std::string path = SegmentPath(kDir, 1);
  fs.WriteFile(path, fs.ReadFile(path)->substr(0, clean.positions[4].offset));
  ReadResult truncated = ReadAll(fs, kDir);
  EXPECT_EQ(truncated.status.code(), StatusCode::kCorruption);
  EXPECT_NE(truncated.status.message().find("truncated segment"), std::string::npos);
  EXPECT_EQ(truncated.records, Prefix(logged, 4));

  std::unique_ptr<Wal> wal;
  EXPECT_EQ(OpenAndReplay(fs, kDir, &wal, {.segment_size = 2 * kPage, .compression = WalCompression::kNone}), Prefix(logged, 4));
  EXPECT_EQ(*fs.ListDir(kDir), (std::vector<std::string>{"00000000", "00000001", "00000002"}));
  EXPECT_EQ(*fs.FileSize(path) % kPage, 0u);
}

TEST(WalFailureTest, UnknownRecordType) {
  MemFileSystem fs;
  std::string series, samples;
  RefSeries s{1, model::Labels::FromPairs({{"__name__", "up"}})};
  EncodeSeries(std::span<const RefSeries>(&s, 1), &series);
  RefSample sample{1, 1000, 1};
  EncodeSamples(std::span<const RefSample>(&sample, 1), &samples);
  const std::string future = "\x63 a record type from a newer version";
  WriteWal(fs, kDir, {series, future, samples});

  // The WAL layer hands it over; the caller skips it by type and goes on.
  std::unique_ptr<Wal> wal;
  std::vector<std::string> replayed = OpenAndReplay(fs, kDir, &wal);
  ASSERT_EQ(replayed.size(), 3u);
  EXPECT_TRUE(wal->stats().replay.corruption.ok());
  int decoded = 0, skipped = 0;
  for (const std::string& r : replayed) {
    std::vector<RefSeries> out_series;
    std::vector<RefSample> out_samples;
    switch (GetRecordType(r)) {
      case RecordType::kSeries: decoded += DecodeSeries(r, &out_series).ok(); break;
      case RecordType::kSamples: decoded += DecodeSamples(r, &out_samples).ok(); break;
      case RecordType::kUnknown:
        EXPECT_EQ(RawRecordType(r), 0x63);
        ++skipped;
        break;
    }
  }
  EXPECT_EQ(decoded, 2);
  EXPECT_EQ(skipped, 1);
}

TEST(WalFailureTest, RecordSpanningSegmentBoundary) {
  MemFileSystem fs;
  // One-page segments: the 100000-byte record cannot fit any segment, so it
  // starts a fresh one (1) and continues through segments 2, 3 and 4.
  std::vector<std::string> logged = {"a", MakeRecord(1, 100000), "b"};
  WriteWal(fs, kDir, logged, kPage);
  ReadResult clean = ReadAll(fs, kDir);
  ASSERT_TRUE(clean.status.ok()) << clean.status.ToString();
  EXPECT_EQ(clean.records, logged);
  EXPECT_EQ(clean.positions[1], (WalPosition{1, 0}));
  EXPECT_EQ(clean.positions[2].segment, 4u);
  for (uint64_t i = 0; i < 4; ++i) EXPECT_EQ(*fs.FileSize(SegmentPath(kDir, i)), kPage);

  // Losing the segment with its end tears the record: the cut goes back to
  // where it started, in segment 1.
  ASSERT_TRUE(fs.RemoveFile(SegmentPath(kDir, 4)).ok());
  ReadResult torn = ReadAll(fs, kDir);
  EXPECT_EQ(torn.status.code(), StatusCode::kCorruption);
  EXPECT_NE(torn.status.message().find("00000001 offset 0: torn record"), std::string::npos)
      << torn.status.message();
  EXPECT_EQ(torn.last_good, (WalPosition{1, 0}));
  std::unique_ptr<Wal> wal;
  EXPECT_EQ(OpenAndReplay(fs, kDir, &wal, {.segment_size = kPage, .compression = WalCompression::kNone}), Prefix(logged, 1));
  EXPECT_EQ(*fs.ListDir(kDir), (std::vector<std::string>{"00000000", "00000001"}));
  EXPECT_EQ(wal->current_segment(), 1u) << "the emptied segment is reused";
}

TEST(WalFailureTest, MissingSegment) {
  MemFileSystem fs;
  std::vector<std::string> logged;
  for (int i = 0; i < 4; ++i) logged.push_back(MakeRecord(i, 20000));
  WriteWal(fs, kDir, logged, kPage);  // one record per segment
  ASSERT_TRUE(fs.RemoveFile(SegmentPath(kDir, 2)).ok());
  ReadResult gap = ReadAll(fs, kDir);
  EXPECT_EQ(gap.status.code(), StatusCode::kCorruption);
  EXPECT_NE(gap.status.message().find("segment 00000002 is missing"), std::string::npos);
  std::unique_ptr<Wal> wal;
  EXPECT_EQ(OpenAndReplay(fs, kDir, &wal, {.segment_size = kPage, .compression = WalCompression::kNone}), Prefix(logged, 2));
  EXPECT_FALSE(fs.Exists(SegmentPath(kDir, 3)));
}

TEST(WalFailureTest, MalformedFraming) {
  struct Case {
    const char* name;
    std::string bytes;
    const char* reason;
  };
  const std::string ok = Fragment(wal_format::kFull, "ok");
  std::string bad_padding = ok + std::string(100, '\0');
  bad_padding[ok.size() + 50] = 1;
  const std::string crossing = ok + Fragment(wal_format::kFull, std::string(40000, 'x'));
  const Case cases[] = {
      {"bad snappy", ok + Fragment(wal_format::kFull | wal_format::kSnappyFlag, "z"), "snappy: corrupt record"},
      {"bad zstd", ok + Fragment(wal_format::kFull | wal_format::kZstdFlag, "zzzz"), "zstd: "},
      {"both flags", ok + Fragment(wal_format::kFull | wal_format::kSnappyFlag | wal_format::kZstdFlag, "z"),
       "both snappy and zstd"},
      {"kind 5", ok + Fragment(5, "z"), "invalid fragment type 0x05"},
      {"high bit", ok + Fragment(0x81, "z"), "invalid fragment type 0x81"},
      {"padding", bad_padding, "non-zero byte in page padding"},
      {"middle first", ok + Fragment(wal_format::kMiddle, "z"), "middle fragment outside a record"},
      {"last first", ok + Fragment(wal_format::kLast, "z"), "last fragment outside a record"},
      {"full in record", ok + Fragment(wal_format::kFirst, "a") + Fragment(wal_format::kFull, "b"),
       "full fragment inside an unfinished record"},
      {"torn header", ok + Fragment(wal_format::kFull, "z").substr(0, 4), "torn fragment header"},
      {"crosses page", crossing, "fragment crosses a page boundary"},
  };
  for (const Case& c : cases) {
    MemFileSystem fs;
    fs.WriteFile(SegmentPath(kDir, 0), c.bytes);
    ReadResult r = ReadAll(fs, kDir);
    EXPECT_EQ(r.records, std::vector<std::string>{"ok"}) << c.name;
    EXPECT_EQ(r.status.code(), StatusCode::kCorruption) << c.name;
    EXPECT_NE(r.status.message().find(c.reason), std::string::npos) << c.name << ": " << r.status.message();
    EXPECT_EQ(r.last_good, (WalPosition{0, ok.size()})) << c.name;
  }
}

TEST(WalFailureTest, CheckpointIsReadFirstAndSegmentsAfterIt) {
  MemFileSystem fs;
  std::vector<std::string> logged;
  for (int i = 0; i < 6; ++i) logged.push_back(MakeRecord(i, 20000));
  WriteWal(fs, kDir, logged, kPage);  // segments 0..5, one record each
  WriteWal(fs, std::string(kDir) + "/checkpoint.00000002", {"cp0", "cp1"});
  ASSERT_TRUE(fs.CreateDirAll(std::string(kDir) + "/checkpoint.00000001").ok());  // older: ignored
  ASSERT_TRUE(fs.CreateDirAll(std::string(kDir) + "/checkpoint.00000009.tmp").ok());  // interrupted

  std::unique_ptr<Wal> wal;
  std::vector<std::string> want = {"cp0", "cp1", logged[3], logged[4], logged[5]};
  EXPECT_EQ(OpenAndReplay(fs, kDir, &wal, {.segment_size = kPage, .compression = WalCompression::kNone}), want);
  EXPECT_EQ(wal->stats().replay.checkpoint, std::optional<uint64_t>(2));
  EXPECT_EQ(wal->current_segment(), 6u);
  EXPECT_FALSE(fs.Exists(std::string(kDir) + "/checkpoint.00000009.tmp"));
}

TEST(WalFailureTest, NewSegmentFollowsANewerCheckpoint) {
  MemFileSystem fs;
  WriteWal(fs, std::string(kDir) + "/checkpoint.00000004", {"cp"});
  std::unique_ptr<Wal> wal;
  EXPECT_EQ(OpenAndReplay(fs, kDir, &wal), std::vector<std::string>{"cp"});
  EXPECT_EQ(wal->current_segment(), 5u);
}

}  // namespace
}  // namespace kubescrape::tsdb
