#include "tsdb/record.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

namespace kubescrape::tsdb {
namespace {

using model::Labels;

TEST(RecordTest, SeriesRoundTrip) {
  std::vector<RefSeries> in = {
      {1, Labels::FromPairs({{"__name__", "up"}, {"job", "node"}})},
      {1ull << 40, Labels::FromPairs({{"__name__", "x"}, {"long", std::string(300, 'v')}})},
      {7, Labels()},
  };
  std::string rec;
  EncodeSeries(in, &rec);
  EXPECT_EQ(GetRecordType(rec), RecordType::kSeries);
  std::vector<RefSeries> out;
  ASSERT_TRUE(DecodeSeries(rec, &out).ok());
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].ref, in[i].ref);
    EXPECT_EQ(out[i].labels, in[i].labels);
  }
}

TEST(RecordTest, SeriesBytesArePrometheus) {
  std::string rec;
  RefSeries s{1, Labels::FromPairs({{"a", "b"}})};
  EncodeSeries(std::span<const RefSeries>(&s, 1), &rec);
  EXPECT_EQ(rec, std::string("\x01" "\0\0\0\0\0\0\0\x01" "\x01" "\x01" "a" "\x01" "b", 14));
}

TEST(RecordTest, SamplesBytesArePrometheus) {
  // firstRef/firstT as BE64, then signed-varint deltas and BE64 value bits.
  std::vector<RefSample> in = {{10, 1000, 1.5}, {9, 1001, 2.0}};
  std::string rec;
  EncodeSamples(in, &rec);
  const std::string want("\x02"
                         "\0\0\0\0\0\0\0\x0a"
                         "\0\0\0\0\0\0\x03\xe8"
                         "\x00\x00" "\x3f\xf8\0\0\0\0\0\0"
                         "\x01\x02" "\x40\x00\0\0\0\0\0\0",
                         37);
  EXPECT_EQ(rec, want);
}

TEST(RecordTest, SamplesRoundTripKeepsBitPatterns) {
  const double stale = std::bit_cast<double>(uint64_t{0x7FF0000000000002});
  std::vector<RefSample> in = {
      {5, -1000, stale},
      {3, 0, std::numeric_limits<double>::infinity()},
      {1ull << 62, std::numeric_limits<int64_t>::max(), -0.0},
      {0, std::numeric_limits<int64_t>::min(), -std::numeric_limits<double>::infinity()},
      {5, 17, 3.25},
  };
  std::string rec;
  EncodeSamples(in, &rec);
  std::vector<RefSample> out = {{99, 99, 99}};  // decoders append
  ASSERT_TRUE(DecodeSamples(rec, &out).ok());
  ASSERT_EQ(out.size(), in.size() + 1);
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i + 1].ref, in[i].ref);
    EXPECT_EQ(out[i + 1].t, in[i].t);
    EXPECT_EQ(std::bit_cast<uint64_t>(out[i + 1].v), std::bit_cast<uint64_t>(in[i].v));
  }
}

TEST(RecordTest, EmptyRecords) {
  std::string rec;
  EncodeSamples({}, &rec);
  EXPECT_EQ(rec, "\x02");
  std::vector<RefSample> samples;
  EXPECT_TRUE(DecodeSamples(rec, &samples).ok());
  EXPECT_TRUE(samples.empty());
  EncodeSeries({}, &rec);
  EXPECT_EQ(rec, "\x01");
  std::vector<RefSeries> series;
  EXPECT_TRUE(DecodeSeries(rec, &series).ok());
  EXPECT_TRUE(series.empty());
}

TEST(RecordTest, UnknownTypes) {
  EXPECT_EQ(GetRecordType(""), RecordType::kUnknown);
  EXPECT_EQ(GetRecordType("\x03tombstones"), RecordType::kUnknown);
  EXPECT_EQ(RawRecordType("\x63"), 0x63);
  std::vector<RefSample> samples;
  EXPECT_EQ(DecodeSamples("\x01", &samples).code(), util::StatusCode::kCorruption);
}

TEST(RecordTest, TruncatedRecordsAreCorruption) {
  std::vector<RefSample> in = {{1, 2, 3}, {4, 5, 6}};
  std::string rec;
  EncodeSamples(in, &rec);
  ASSERT_EQ(rec.size(), 37u);  // type, 16-byte header, two 10-byte samples
  for (size_t len = 2; len < rec.size(); ++len) {
    if (len == 27) continue;  // ends at a sample boundary: a valid one-sample record
    std::vector<RefSample> out;
    EXPECT_EQ(DecodeSamples(std::string_view(rec).substr(0, len), &out).code(), util::StatusCode::kCorruption)
        << len;
  }
  RefSeries s{1, Labels::FromPairs({{"a", "b"}, {"c", "d"}})};
  EncodeSeries(std::span<const RefSeries>(&s, 1), &rec);
  for (size_t len = 2; len < rec.size(); ++len) {
    std::vector<RefSeries> out;
    EXPECT_EQ(DecodeSeries(std::string_view(rec).substr(0, len), &out).code(), util::StatusCode::kCorruption)
        << len;
  }
  // Label names out of order.
  std::string unsorted("\x01" "\0\0\0\0\0\0\0\x01" "\x02" "\x01" "b" "\x01" "x" "\x01" "a" "\x01" "y", 18);
  std::vector<RefSeries> out;
  EXPECT_EQ(DecodeSeries(unsorted, &out).code(), util::StatusCode::kCorruption);
}

}  // namespace
}  // namespace kubescrape::tsdb
