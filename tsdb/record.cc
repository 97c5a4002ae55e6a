#include "tsdb/record.h"

#include <bit>

#include "util/coding.h"

namespace kubescrape::tsdb {
namespace {

using util::CorruptionError;

}  // namespace

uint8_t RawRecordType(std::string_view record) {
  return record.empty() ? 0 : static_cast<uint8_t>(record[0]);
}

RecordType GetRecordType(std::string_view record) {
  switch (RawRecordType(record)) {
    case 1: return RecordType::kSeries;
    case 2: return RecordType::kSamples;
    default: return RecordType::kUnknown;
  }
}

void EncodeSeries(std::span<const RefSeries> series, std::string* out) {
  out->clear();
  out->push_back(static_cast<char>(RecordType::kSeries));
  for (const RefSeries& s : series) {
    util::PutFixed64BE(out, s.ref);
    util::PutUvarint64(out, s.labels.size());
    for (const model::Label& l : s.labels) {
      util::PutLengthPrefixed(out, l.name);
      util::PutLengthPrefixed(out, l.value);
    }
  }
}

void EncodeSamples(std::span<const RefSample> samples, std::string* out) {
  out->clear();
  // Worst case: type, two BE64 and per sample two 10-byte varints and 8 bytes.
  out->resize(1 + 16 + samples.size() * (2 * util::kMaxVarintBytes + 8));
  char* p = out->data();
  *p++ = static_cast<char>(RecordType::kSamples);
  if (!samples.empty()) {
    const uint64_t first_ref = samples[0].ref;
    const int64_t first_t = samples[0].t;
    util::EncodeFixed64BE(p, first_ref);
    util::EncodeFixed64BE(p + 8, static_cast<uint64_t>(first_t));
    p += 16;
    for (const RefSample& s : samples) {
      p = util::EncodeVarint64(p, static_cast<int64_t>(s.ref - first_ref));
      p = util::EncodeVarint64(p, static_cast<int64_t>(static_cast<uint64_t>(s.t) - static_cast<uint64_t>(first_t)));
      util::EncodeFixed64BE(p, std::bit_cast<uint64_t>(s.v));
      p += 8;
    }
  }
  out->resize(p - out->data());
}

util::Status DecodeSeries(std::string_view record, std::vector<RefSeries>* out) {
  if (GetRecordType(record) != RecordType::kSeries) return CorruptionError("not a series record");
  record.remove_prefix(1);
  std::vector<model::Label> labels;
  while (!record.empty()) {
    uint64_t ref, n;
    if (!util::GetFixed64BE(&record, &ref) || !util::GetUvarint64(&record, &n) || n > record.size()) {
      return CorruptionError("series record: truncated series header");
    }
    labels.clear();
    for (uint64_t i = 0; i < n; ++i) {
      model::Label l;
      if (!util::GetLengthPrefixed(&record, &l.name) || !util::GetLengthPrefixed(&record, &l.value)) {
        return CorruptionError("series record: truncated label");
      }
      if (!labels.empty() && !(labels.back().name < l.name)) {
        return CorruptionError("series record: label names not sorted for series " + std::to_string(ref));
      }
      labels.push_back(l);
    }
    out->push_back(RefSeries{ref, model::Labels::FromSorted(labels)});
  }
  return util::Status::Ok();
}

util::Status DecodeSamples(std::string_view record, std::vector<RefSample>* out) {
  if (GetRecordType(record) != RecordType::kSamples) return CorruptionError("not a samples record");
  record.remove_prefix(1);
  if (record.empty()) return util::Status::Ok();
  if (record.size() < 16) return CorruptionError("samples record: truncated header");
  const uint64_t first_ref = util::DecodeFixed64BE(record.data());
  const uint64_t first_t = util::DecodeFixed64BE(record.data() + 8);
  const char* p = record.data() + 16;
  const char* limit = record.data() + record.size();
  if (p == limit) return CorruptionError("samples record: header without samples");
  out->reserve(out->size() + (limit - p) / 10);
  while (p < limit) {
    int64_t dref, dt;
    p = util::DecodeVarint64(p, limit, &dref);
    if (p != nullptr) p = util::DecodeVarint64(p, limit, &dt);
    if (p == nullptr || limit - p < 8) return CorruptionError("samples record: truncated sample");
    RefSample s;
    s.ref = first_ref + static_cast<uint64_t>(dref);
    s.t = static_cast<int64_t>(first_t + static_cast<uint64_t>(dt));
    s.v = std::bit_cast<double>(util::DecodeFixed64BE(p));
    p += 8;
    out->push_back(s);
  }
  return util::Status::Ok();
}

}  // namespace kubescrape::tsdb
