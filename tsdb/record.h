#pragma once
// WAL record payloads: what the head logs on commit and replays on start.
// The byte encoding is specified in docs/format/wal.md ("Records"); it is
// Prometheus's record package's for series and float samples.
//
// Thread-safety: plain values and pure functions.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/labels.h"
#include "tsdb/storage.h"
#include "util/status.h"

namespace kubescrape::tsdb {

// A series created by a commit: its head reference and labels.
struct RefSeries {
  SeriesRef ref = 0;
  model::Labels labels;
};

// A float sample appended by a commit.
struct RefSample {
  SeriesRef ref = 0;
  int64_t t = 0;
  double v = 0;
};

// The first byte of a record.
enum class RecordType : uint8_t {
  kUnknown = 0,  // empty, or a type this version does not write (see wal.md)
  kSeries = 1,
  kSamples = 2,
};

// The type of an encoded record. kUnknown records are to be skipped with a
// warning naming RawRecordType.
RecordType GetRecordType(std::string_view record);
// The record's first byte (0 for an empty record).
uint8_t RawRecordType(std::string_view record);

// Encoders replace *out with the record (reusing its capacity).
void EncodeSeries(std::span<const RefSeries> series, std::string* out);
void EncodeSamples(std::span<const RefSample> samples, std::string* out);

// Decoders append to *out. Corruption when the record is not of the type,
// is truncated, or (series) has label names out of order.
util::Status DecodeSeries(std::string_view record, std::vector<RefSeries>* out);
util::Status DecodeSamples(std::string_view record, std::vector<RefSample>* out);

}  // namespace kubescrape::tsdb
