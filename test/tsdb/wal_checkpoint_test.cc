#include "tsdb/wal_checkpoint.h"

#include <gtest/gtest.h>

#include "test/tsdb/wal_test_util.h"
#include "tsdb/record.h"

namespace kubescrape::tsdb {
namespace {

using namespace testing;  // NOLINT
using util::MemFileSystem;
using util::StatusCode;

constexpr char kDir[] = "/data/wal";

struct Decoded {
  std::vector<SeriesRef> series;
  std::vector<std::pair<SeriesRef, int64_t>> samples;
  int unknown = 0;
  friend bool operator==(const Decoded&, const Decoded&) = default;
};

// Decodes records, keeping series with `keep` and samples at or after `mint`.
Decoded Decode(const std::vector<std::string>& records, const std::function<bool(SeriesRef)>& keep = nullptr,
               int64_t mint = INT64_MIN) {
  Decoded d;
  for (const std::string& r : records) {
    std::vector<RefSeries> series;
    std::vector<RefSample> samples;
    switch (GetRecordType(r)) {
      case RecordType::kSeries:
        EXPECT_TRUE(DecodeSeries(r, &series).ok());
        for (const RefSeries& s : series) {
          EXPECT_EQ(s.labels.Get("id"), std::to_string(s.ref));
          if (!keep || keep(s.ref)) d.series.push_back(s.ref);
        }
        break;
      case RecordType::kSamples:
        EXPECT_TRUE(DecodeSamples(r, &samples).ok());
        for (const RefSample& s : samples) {
          if (s.t >= mint) d.samples.emplace_back(s.ref, s.t);
        }
        break;
      case RecordType::kUnknown:
        if (!keep) ++d.unknown;
        break;
    }
  }
  return d;
}

// One commit: a new series (ref c+1), a sample for every series so far at
// t = c*1000, and a 5000-byte record of an unknown type (so that one-page
// segments rotate every few commits).
void Commit(Wal& wal, int c) {
  std::string series_rec, samples_rec;
  RefSeries s{static_cast<SeriesRef>(c + 1),
              model::Labels::FromPairs({{"__name__", "m"}, {"id", std::to_string(c + 1)}})};
  EncodeSeries(std::span<const RefSeries>(&s, 1), &series_rec);
  std::vector<RefSample> samples;
  for (int ref = 1; ref <= c + 1; ++ref) samples.push_back({static_cast<SeriesRef>(ref), c * 1000, 1.0 * c});
  EncodeSamples(samples, &samples_rec);
  ASSERT_TRUE(wal.Log({series_rec, samples_rec, "\x63" + std::string(5000, 'u')}).ok());
}

TEST(WalCheckpointTest, CondensesAndReplaysBeforeLaterSegments) {
  MemFileSystem fs;
  auto wal = Wal::Open(fs, kDir, {.segment_size = kPage, .compression = WalCompression::kNone});
  ASSERT_TRUE(wal.ok());
  for (int c = 0; c < 30; ++c) Commit(**wal, c);
  ASSERT_GE((*wal)->current_segment(), 4u);
  auto even = [](SeriesRef ref) { return ref % 2 == 0; };

  // Checkpoint 1: segments 0..1 condensed.
  std::vector<std::string> upto1, after1;
  {
    auto reader = WalReader::Open(fs, kDir, 0, 1);
    while ((*reader)->Next()) upto1.emplace_back((*reader)->record());
    after1 = ReadAll(fs, kDir, 2).records;
  }
  auto stats = WriteCheckpoint(fs, kDir, 1, even, 5000);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_GT(stats->series_dropped, 0u);
  EXPECT_GT(stats->samples_dropped, 0u);
  EXPECT_EQ(stats->records_dropped, upto1.size() / 3);
  ASSERT_TRUE(DeleteCheckpointedSegments(fs, kDir, 1).ok());
  EXPECT_FALSE(fs.Exists(SegmentPath(kDir, 0)));
  EXPECT_FALSE(fs.Exists(SegmentPath(kDir, 1)));
  EXPECT_EQ(WriteCheckpoint(fs, kDir, 1, even, 0).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(WriteCheckpoint(fs, kDir, 99, even, 0).status().code(), StatusCode::kFailedPrecondition);

  // The writer goes on; replay is checkpoint, then segments 2.. unfiltered.
  for (int c = 30; c < 33; ++c) Commit(**wal, c);
  ASSERT_TRUE((*wal)->Close().ok());
  std::vector<std::string> checkpoint = ReadAll(fs, std::string(kDir) + "/checkpoint.00000001").records;
  EXPECT_EQ(Decode(checkpoint), Decode(upto1, even, 5000));

  std::unique_ptr<Wal> reopened;
  std::vector<std::string> replayed = OpenAndReplay(fs, kDir, &reopened, {.segment_size = kPage});
  ASSERT_GT(replayed.size(), checkpoint.size());
  EXPECT_EQ(std::vector<std::string>(replayed.begin(), replayed.begin() + checkpoint.size()), checkpoint);
  std::vector<std::string> rest(replayed.begin() + checkpoint.size(), replayed.end());
  EXPECT_EQ(std::vector<std::string>(rest.begin(), rest.begin() + after1.size()), after1);

  // Checkpoint 3 builds on checkpoint 1 and segments 2..3.
  std::vector<std::string> input = checkpoint;
  {
    auto reader = WalReader::Open(fs, kDir, 2, 3);
    while ((*reader)->Next()) input.emplace_back((*reader)->record());
  }
  ASSERT_TRUE(WriteCheckpoint(fs, kDir, 3, even, 12000).ok());
  ASSERT_TRUE(DeleteCheckpointedSegments(fs, kDir, 3).ok());
  EXPECT_FALSE(fs.Exists(std::string(kDir) + "/checkpoint.00000001"));
  EXPECT_EQ(Decode(ReadAll(fs, std::string(kDir) + "/checkpoint.00000003").records), Decode(input, even, 12000));
  EXPECT_EQ(*LastCheckpoint(fs, kDir), std::optional<uint64_t>(3));
}

TEST(WalCheckpointTest, RefusesToSplitARecordSpanningSegments) {
  MemFileSystem fs;
  std::string big(3 * kPage, 's');
  big[0] = 2;  // a "samples" record that would not decode; it is never decoded here
  WriteWal(fs, kDir, {"\x63small", big}, kPage);  // the big record spans segments 1..4
  auto stats = WriteCheckpoint(fs, kDir, 2, [](SeriesRef) { return true; }, 0);
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().code(), StatusCode::kCorruption);
  EXPECT_NE(stats.status().message().find("torn record"), std::string::npos) << stats.status().message();
  EXPECT_FALSE(fs.Exists(std::string(kDir) + "/checkpoint.00000002"));
}

}  // namespace
}  // namespace kubescrape::tsdb
