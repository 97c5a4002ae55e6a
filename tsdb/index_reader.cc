// IndexReader: opening (header, TOC, symbol table, postings offset table),
// symbols and series. Postings lookups are in index_reader_postings.cc.
#include "tsdb/index_reader.h"

#include <fmt/format.h>

#include <algorithm>

#include "util/coding.h"
#include "util/crc32c.h"

namespace kubescrape::tsdb {
namespace {

namespace f = index_format;

util::Status Corrupt(std::string what) { return util::CorruptionError("index: " + std::move(what)); }

// Decodes a uvarint-prefixed string from [*p, limit); false when truncated.
bool GetString(const char** p, const char* limit, std::string_view* out) {
  uint64_t n;
  const char* q = util::DecodeUvarint64(*p, limit, &n);
  if (q == nullptr || n > static_cast<uint64_t>(limit - q)) return false;
  *out = std::string_view(q, n);
  *p = q + n;
  return true;
}

}  // namespace

util::StatusOr<std::unique_ptr<IndexReader>> IndexReader::Open(std::string_view data) {
  if (data.size() < f::kHeaderBytes + f::kTocBytes) {
    return Corrupt(fmt::format("file too short: {} bytes", data.size()));
  }
  if (uint32_t magic = util::DecodeFixed32BE(data.data()); magic != f::kMagic) {
    return Corrupt(fmt::format("invalid magic number {:#x} (want {:#x})", magic, f::kMagic));
  }
  std::unique_ptr<IndexReader> r(new IndexReader(data));
  r->version_ = static_cast<uint8_t>(data[4]);
  if (r->version_ == f::kVersion1) {
    return Corrupt("format version 1 is not supported (only versions 2 and 3, written by Prometheus 2.x and later)");
  }
  if (r->version_ != f::kVersion2 && r->version_ != f::kVersion3) {
    return Corrupt(fmt::format("unknown format version {}", r->version_));
  }
  const char* toc = data.data() + data.size() - f::kTocBytes;
  if (util::crc32c::Value(toc, f::kTocFields * 8) != util::DecodeFixed32BE(toc + f::kTocFields * 8)) {
    return Corrupt("TOC checksum mismatch");
  }
  const uint64_t toc_start = data.size() - f::kTocBytes;
  for (size_t i = 0; i < f::kTocFields; ++i) {
    r->toc_[i] = util::DecodeFixed64BE(toc + 8 * i);
    if (r->toc_[i] > toc_start) return Corrupt(fmt::format("TOC entry {} ({}) points past the TOC", i, r->toc_[i]));
  }
  if (r->toc_[0] < f::kHeaderBytes) return Corrupt("TOC has no symbol table");
  if (r->toc_[5] == 0) return Corrupt("TOC has no postings offset table");
  r->series_end_ = r->toc_[2] != 0 ? r->toc_[2] : r->toc_[4];
  if (r->toc_[1] != 0 && r->series_end_ < r->toc_[1]) return Corrupt("TOC: series section ends before it starts");
  KS_RETURN_IF_ERROR(r->LoadSymbols());
  KS_RETURN_IF_ERROR(r->LoadPostingsTable());
  KS_RETURN_IF_ERROR(r->LoadNameSymbols());
  return r;
}

util::Status IndexReader::LoadSymbols() {
  const uint64_t off = toc_[0];
  if (off + 8 > data_.size()) return Corrupt("symbol table header out of bounds");
  const uint64_t len = util::DecodeFixed32BE(data_.data() + off);
  if (len < 4 || off + 4 + len + f::kCrcBytes > data_.size()) {
    return Corrupt(fmt::format("symbol table length {} out of bounds", len));
  }
  const char* body = data_.data() + off + 4;
  if (util::crc32c::Value(body, len) != util::DecodeFixed32BE(body + len)) {
    return Corrupt("symbol table checksum mismatch");
  }
  num_symbols_ = util::DecodeFixed32BE(body);
  if (num_symbols_ > len - 4) return Corrupt(fmt::format("symbol count {} exceeds the table's {} bytes", num_symbols_, len));
  symbols_begin_ = off + 8;
  symbols_end_ = off + 4 + len;
  symbol_samples_.reserve(num_symbols_ / f::kSampleFactor + 1);
  const char* p = data_.data() + symbols_begin_;
  const char* limit = data_.data() + symbols_end_;
  for (uint32_t i = 0; i < num_symbols_; ++i) {
    if (i % f::kSampleFactor == 0) symbol_samples_.push_back(p - data_.data());
    std::string_view s;
    if (!GetString(&p, limit, &s)) return Corrupt(fmt::format("symbol {} of {} truncated", i, num_symbols_));
  }
  return util::Status::Ok();
}

util::Status IndexReader::LoadPostingsTable() {
  const uint64_t off = toc_[5];
  if (off + 8 > data_.size()) return Corrupt("postings offset table header out of bounds");
  const uint64_t len = util::DecodeFixed32BE(data_.data() + off);
  if (len < 4 || off + 4 + len + f::kCrcBytes > data_.size()) {
    return Corrupt(fmt::format("postings offset table length {} out of bounds", len));
  }
  const char* body = data_.data() + off + 4;
  if (util::crc32c::Value(body, len) != util::DecodeFixed32BE(body + len)) {
    return Corrupt("postings offset table checksum mismatch");
  }
  const uint32_t count = util::DecodeFixed32BE(body);
  table_end_ = off + 4 + len;
  uint64_t pos = off + 8;
  std::string_view last_name, last_value;
  uint64_t last_off = 0;
  for (uint32_t i = 0; i < count; ++i) {
    KS_ASSIGN_OR_RETURN(TableEntry e, ReadTableEntry(pos));
    if (i > 0 && (e.name < last_name || (e.name == last_name && e.value <= last_value))) {
      return Corrupt(fmt::format("postings offset table entry {} out of order", i));
    }
    if (names_.empty() || names_.back().name != e.name) {
      if (!names_.empty() && names_.back().samples.back().entry_off != last_off) {
        names_.back().samples.push_back({last_value, last_off});  // always keep the last value
      }
      names_.push_back(NameEntry{e.name, 0, {}});
    }
    NameEntry& n = names_.back();
    if (n.num_values % f::kSampleFactor == 0) n.samples.push_back({e.value, pos});
    ++n.num_values;
    last_name = e.name;
    last_value = e.value;
    last_off = pos;
    pos = e.next;
  }
  if (!names_.empty() && names_.back().samples.back().entry_off != last_off) {
    names_.back().samples.push_back({last_value, last_off});
  }
  for (NameEntry& n : names_) n.samples.shrink_to_fit();
  // The series count is the length of the all-postings list.
  if (!names_.empty() && names_[0].name.empty()) {
    KS_ASSIGN_OR_RETURN(TableEntry all, ReadTableEntry(names_[0].samples[0].entry_off));
    if (all.value.empty()) {
      if (all.postings_off + 8 > data_.size()) return Corrupt("all-postings list out of bounds");
      num_series_ = util::DecodeFixed32BE(data_.data() + all.postings_off + 4);
    }
  }
  return util::Status::Ok();
}

util::StatusOr<IndexReader::TableEntry> IndexReader::ReadTableEntry(uint64_t off) const {
  const char* p = data_.data() + off;
  const char* limit = data_.data() + table_end_;
  uint64_t keys;
  TableEntry e;
  p = off < table_end_ ? util::DecodeUvarint64(p, limit, &keys) : nullptr;
  if (p == nullptr) return Corrupt(fmt::format("postings offset table entry at {} truncated", off));
  if (keys != f::kPostingsTableKeys) {
    return Corrupt(fmt::format("unexpected number of keys {} in postings offset table entry at {}", keys, off));
  }
  if (!GetString(&p, limit, &e.name) || !GetString(&p, limit, &e.value) ||
      (p = util::DecodeUvarint64(p, limit, &e.postings_off)) == nullptr) {
    return Corrupt(fmt::format("postings offset table entry at {} truncated", off));
  }
  e.next = p - data_.data();
  return e;
}

// Finds the symbol index of every label name: both lists are sorted, so one
// merge pass over the symbol table.
util::Status IndexReader::LoadNameSymbols() {
  name_symbols_.reserve(names_.size());
  const char* p = data_.data() + symbols_begin_;
  const char* limit = data_.data() + symbols_end_;
  size_t n = (!names_.empty() && names_[0].name.empty()) ? 1 : 0;
  for (uint32_t i = 0; i < num_symbols_ && n < names_.size(); ++i) {
    std::string_view s;
    if (!GetString(&p, limit, &s)) return Corrupt("symbol table truncated");
    if (names_[n].name < s) break;  // not a symbol: reported below
    if (names_[n].name == s) {
      name_symbols_.emplace_back(i, s);
      ++n;
    }
  }
  if (n < names_.size()) {
    return Corrupt("label name \"" + std::string(names_[n].name) + "\" is not in the symbol table");
  }
  return util::Status::Ok();
}

util::StatusOr<std::string_view> IndexReader::Symbol(uint32_t ref) const {
  auto it = std::lower_bound(name_symbols_.begin(), name_symbols_.end(), ref,
                             [](const auto& e, uint32_t r) { return e.first < r; });
  if (it != name_symbols_.end() && it->first == ref) return it->second;
  if (ref >= num_symbols_) return Corrupt(fmt::format("unknown symbol reference {}", ref));
  const char* p = data_.data() + symbol_samples_[ref / f::kSampleFactor];
  const char* limit = data_.data() + symbols_end_;
  std::string_view s;
  for (uint32_t i = ref % f::kSampleFactor;; --i) {
    if (!GetString(&p, limit, &s)) return Corrupt("symbol table truncated");
    if (i == 0) return s;
  }
}

util::StatusOr<std::vector<std::string_view>> IndexReader::Symbols() const {
  std::vector<std::string_view> out;
  out.reserve(num_symbols_);
  const char* p = data_.data() + symbols_begin_;
  const char* limit = data_.data() + symbols_end_;
  for (uint32_t i = 0; i < num_symbols_; ++i) {
    std::string_view s;
    if (!GetString(&p, limit, &s)) return Corrupt("symbol table truncated");
    out.push_back(s);
  }
  return out;
}

util::Status IndexReader::Series(SeriesRef id, model::Labels* labels, std::vector<ChunkMeta>* chunks) const {
  if (id > series_end_ / f::kSeriesAlign || id * f::kSeriesAlign < toc_[1] || id * f::kSeriesAlign >= series_end_) {
    return util::NotFoundError(fmt::format("index: series {} not in the series section", id));
  }
  const uint64_t off = id * f::kSeriesAlign;
  const char* limit = data_.data() + series_end_;
  uint64_t len;
  const char* body = util::DecodeUvarint64(data_.data() + off, limit, &len);
  if (body == nullptr || len + f::kCrcBytes > static_cast<uint64_t>(limit - body)) {
    return Corrupt(fmt::format("series {} truncated", id));
  }
  if (util::crc32c::Value(body, len) != util::DecodeFixed32BE(body + len)) {
    return Corrupt(fmt::format("series {} checksum mismatch", id));
  }
  const char* p = body;
  const char* end = body + len;
  auto bad = [id](std::string_view what) { return Corrupt(fmt::format("series {}: {}", id, what)); };

  uint64_t n;
  if ((p = util::DecodeUvarint64(p, end, &n)) == nullptr || n > len) return bad("label count truncated");
  std::vector<model::Label> ls(n);
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t name_ref, value_ref;
    if ((p = util::DecodeUvarint64(p, end, &name_ref)) == nullptr ||
        (p = util::DecodeUvarint64(p, end, &value_ref)) == nullptr) {
      return bad("labels truncated");
    }
    if (name_ref > UINT32_MAX || value_ref > UINT32_MAX) return bad("symbol reference over 32 bits");
    KS_ASSIGN_OR_RETURN(ls[i].name, Symbol(static_cast<uint32_t>(name_ref)));
    KS_ASSIGN_OR_RETURN(ls[i].value, Symbol(static_cast<uint32_t>(value_ref)));
    if (i > 0 && ls[i].name <= ls[i - 1].name) return bad("label names not sorted");
  }
  if (labels != nullptr) *labels = model::Labels::FromSorted(ls);
  if (chunks == nullptr) return util::Status::Ok();
  chunks->clear();
  if ((p = util::DecodeUvarint64(p, end, &n)) == nullptr || n > len) return bad("chunk count truncated");
  if (n == 0) return util::Status::Ok();
  chunks->reserve(n);
  int64_t min_t;
  uint64_t d, ref;
  if ((p = util::DecodeVarint64(p, end, &min_t)) == nullptr || (p = util::DecodeUvarint64(p, end, &d)) == nullptr ||
      (p = util::DecodeUvarint64(p, end, &ref)) == nullptr) {
    return bad("chunk 0 truncated");
  }
  int64_t max_t = static_cast<int64_t>(static_cast<uint64_t>(min_t) + d);
  chunks->push_back({min_t, max_t, ref});
  for (uint64_t i = 1; i < n; ++i) {
    uint64_t dmin, dmax;
    int64_t dref;
    if ((p = util::DecodeUvarint64(p, end, &dmin)) == nullptr || (p = util::DecodeUvarint64(p, end, &dmax)) == nullptr ||
        (p = util::DecodeVarint64(p, end, &dref)) == nullptr) {
      return bad(fmt::format("chunk {} truncated", i));
    }
    min_t = static_cast<int64_t>(static_cast<uint64_t>(max_t) + dmin);
    max_t = static_cast<int64_t>(static_cast<uint64_t>(min_t) + dmax);
    ref += static_cast<uint64_t>(dref);
    chunks->push_back({min_t, max_t, ref});
  }
  return util::Status::Ok();
}

size_t IndexReader::MemoryBytes() const {
  size_t bytes = sizeof(*this) + symbol_samples_.capacity() * sizeof(uint64_t) +
                 names_.capacity() * sizeof(NameEntry) + name_symbols_.capacity() * sizeof(name_symbols_[0]);
  for (const NameEntry& n : names_) bytes += n.samples.capacity() * sizeof(ValueSample);
  return bytes;
}

}  // namespace kubescrape::tsdb
