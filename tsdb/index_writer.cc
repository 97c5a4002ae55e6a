#include "tsdb/index_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "util/coding.h"
#include "util/crc32c.h"

namespace kubescrape::tsdb {
namespace {

namespace f = index_format;

constexpr size_t kBufferBytes = size_t{1} << 20;

void PutCrc(std::string* dst, std::string_view covered) {
  util::PutFixed32BE(dst, util::crc32c::Value(covered));
}

void PutUvarint(std::string* dst, uint64_t v) {
  char tmp[util::kMaxVarintBytes];
  dst->append(tmp, util::EncodeUvarint64(tmp, v) - tmp);
}

void PutVarint(std::string* dst, int64_t v) {
  char tmp[util::kMaxVarintBytes];
  dst->append(tmp, util::EncodeVarint64(tmp, v) - tmp);
}

std::string Quote(std::string_view s) { return fmt::format("\"{}\"", s); }

}  // namespace

util::StatusOr<std::unique_ptr<IndexWriter>> IndexWriter::Open(util::FileSystem& fs, std::string path) {
  if (fs.Exists(path)) return util::Status(util::StatusCode::kAlreadyExists, "index " + path + " already exists");
  KS_ASSIGN_OR_RETURN(std::unique_ptr<util::WritableFile> file, fs.NewWritableFile(path));
  std::unique_ptr<IndexWriter> w(new IndexWriter(std::move(file), std::move(path)));
  char header[f::kHeaderBytes];
  util::EncodeFixed32BE(header, f::kMagic);
  header[4] = static_cast<char>(f::kVersion2);
  KS_RETURN_IF_ERROR(w->Write(std::string_view(header, sizeof(header))));
  return w;
}

IndexWriter::IndexWriter(std::unique_ptr<util::WritableFile> file, std::string path)
    : path_(std::move(path)), file_(std::move(file)) {
  buf_.reserve(kBufferBytes + 4096);
  toc_[0] = f::kHeaderBytes;  // symbols
}

IndexWriter::~IndexWriter() = default;

util::Status IndexWriter::Fail(util::Status s) {
  if (error_.ok()) error_ = s.WithPrefix("index " + path_);
  return error_;
}

util::Status IndexWriter::Flush() {
  if (buf_.empty()) return util::Status::Ok();
  util::Status s = file_->Append(buf_);
  buf_.clear();
  if (!s.ok()) return Fail(std::move(s));
  return util::Status::Ok();
}

util::Status IndexWriter::Write(std::string_view data) {
  if (pos_ + data.size() > f::kMaxFileBytes) {
    return Fail(util::ResourceExhaustedError("exceeds the index format's 64 GiB limit"));
  }
  pos_ += data.size();
  if (buf_.size() + data.size() > kBufferBytes) {
    KS_RETURN_IF_ERROR(Flush());
    if (data.size() >= kBufferBytes) {
      util::Status s = file_->Append(data);
      if (!s.ok()) return Fail(std::move(s));
      return util::Status::Ok();
    }
  }
  buf_.append(data);
  return util::Status::Ok();
}

util::Status IndexWriter::Pad(uint64_t align) {
  static constexpr char kZeros[16] = {};
  uint64_t rem = pos_ % align;
  if (rem == 0) return util::Status::Ok();
  return Write(std::string_view(kZeros, align - rem));
}

std::string_view IndexWriter::SymbolAt(uint32_t index) const {
  std::string_view body(symbol_body_);
  std::string_view s;
  body.remove_prefix(symbol_offsets_[index]);
  util::GetLengthPrefixed(&body, &s);
  return s;
}

util::Status IndexWriter::AddSymbol(std::string_view s) {
  KS_RETURN_IF_ERROR(error_);
  if (stage_ != Stage::kSymbols) {
    return util::InvalidArgumentError("symbol " + Quote(s) + " added after the first series");
  }
  if (!symbol_offsets_.empty() && s <= SymbolAt(static_cast<uint32_t>(symbol_offsets_.size() - 1))) {
    return util::InvalidArgumentError("symbol " + Quote(s) + " out of order (symbols must be strictly increasing)");
  }
  if (symbol_offsets_.size() == std::numeric_limits<uint32_t>::max() ||
      symbol_body_.size() + s.size() + util::kMaxVarintBytes > std::numeric_limits<uint32_t>::max() - 8) {
    return util::ResourceExhaustedError("symbol table exceeds 4 GiB");
  }
  symbol_offsets_.push_back(static_cast<uint32_t>(symbol_body_.size()));
  util::PutLengthPrefixed(&symbol_body_, s);
  return util::Status::Ok();
}

// Writes the symbol table and builds the string -> index map.
util::Status IndexWriter::FinishSymbols() {
  std::string head;
  util::PutFixed32BE(&head, static_cast<uint32_t>(4 + symbol_body_.size()));
  util::PutFixed32BE(&head, static_cast<uint32_t>(symbol_offsets_.size()));
  uint32_t crc = util::crc32c::Value(std::string_view(head).substr(4));
  crc = util::crc32c::Extend(crc, symbol_body_.data(), symbol_body_.size());
  util::PutFixed32BE(&head, 0);
  util::EncodeFixed32BE(head.data() + 8, crc);
  KS_RETURN_IF_ERROR(Write(std::string_view(head).substr(0, 8)));
  KS_RETURN_IF_ERROR(Write(symbol_body_));
  KS_RETURN_IF_ERROR(Write(std::string_view(head).substr(8)));
  symbol_index_.reserve(symbol_offsets_.size());
  for (uint32_t i = 0; i < symbol_offsets_.size(); ++i) symbol_index_.emplace(SymbolAt(i), i);
  toc_[1] = pos_;  // series
  stage_ = Stage::kSeries;
  return util::Status::Ok();
}

util::StatusOr<uint64_t> IndexWriter::AddSeries(const model::Labels& labels, std::span<const ChunkMeta> chunks) {
  KS_RETURN_IF_ERROR(error_);
  if (stage_ == Stage::kDone) return util::FailedPreconditionError("index writer is closed");
  if (labels.empty()) return util::InvalidArgumentError("series with an empty label set");
  if (model::Labels::Compare(labels, last_series_) <= 0) {
    return util::InvalidArgumentError("out-of-order series added with label set " + labels.ToString() +
                                      ", last label set " + last_series_.ToString());
  }
  uint64_t last_ref = last_chunk_ref_;
  for (size_t i = 0; i < chunks.size(); ++i) {
    const ChunkMeta& c = chunks[i];
    if (c.ref < last_ref) {
      return util::InvalidArgumentError(fmt::format("unsorted chunk reference {}, previous {}", c.ref, last_ref));
    }
    last_ref = c.ref;
    if (c.max_t < c.min_t) {
      return util::InvalidArgumentError(fmt::format("chunk max_t {} is less than min_t {}", c.max_t, c.min_t));
    }
    if (i > 0 && c.min_t <= chunks[i - 1].max_t) {
      return util::InvalidArgumentError(
          fmt::format("chunk min_t {} is not higher than previous chunk max_t {}", c.min_t, chunks[i - 1].max_t));
    }
  }
  if (stage_ == Stage::kSymbols) KS_RETURN_IF_ERROR(FinishSymbols());

  // Encode the entry body before writing anything: a label that is not a
  // symbol leaves the file untouched.
  entry_.clear();
  PutUvarint(&entry_, labels.size());
  // Sorted series share leading labels with the previous one, and mostly
  // its label names at the same positions: reuse its symbol indices where
  // the strings are equal, look up the rest.
  prev_keys_.swap(keys_);
  keys_.clear();
  auto prev = last_series_.begin();
  const auto prev_end = last_series_.end();
  bool same = true;
  for (const model::Label& l : labels) {
    model::Label p;
    uint64_t prev_key = 0;
    const bool have_prev = prev != prev_end;
    if (have_prev) {
      p = *prev++;
      prev_key = prev_keys_[keys_.size()];
    }
    same = same && have_prev && p == l;
    if (same) {
      keys_.push_back(prev_key);
    } else {
      uint64_t name_ref = prev_key >> 32;
      if (!have_prev || p.name != l.name) {
        auto n = symbol_index_.find(l.name);
        if (n == symbol_index_.end()) {
          keys_.swap(prev_keys_);
          return util::InvalidArgumentError("symbol entry for " + Quote(l.name) + " does not exist");
        }
        name_ref = n->second;
      }
      auto v = symbol_index_.find(l.value);
      if (v == symbol_index_.end()) {
        keys_.swap(prev_keys_);
        return util::InvalidArgumentError("symbol entry for " + Quote(l.value) + " does not exist");
      }
      keys_.push_back(name_ref << 32 | v->second);
    }
    PutUvarint(&entry_, keys_.back() >> 32);
    PutUvarint(&entry_, static_cast<uint32_t>(keys_.back()));
  }
  PutUvarint(&entry_, chunks.size());
  if (!chunks.empty()) {
    PutVarint(&entry_, chunks[0].min_t);
    PutUvarint(&entry_, static_cast<uint64_t>(chunks[0].max_t) - static_cast<uint64_t>(chunks[0].min_t));
    PutUvarint(&entry_, chunks[0].ref);
    for (size_t i = 1; i < chunks.size(); ++i) {
      const ChunkMeta& c = chunks[i];
      PutUvarint(&entry_, static_cast<uint64_t>(c.min_t) - static_cast<uint64_t>(chunks[i - 1].max_t));
      PutUvarint(&entry_, static_cast<uint64_t>(c.max_t) - static_cast<uint64_t>(c.min_t));
      PutVarint(&entry_, static_cast<int64_t>(c.ref - chunks[i - 1].ref));
    }
  }
  std::string head;
  PutUvarint(&head, entry_.size());
  PutCrc(&entry_, std::string_view(entry_));

  KS_RETURN_IF_ERROR(Pad(f::kSeriesAlign));
  const uint64_t id = pos_ / f::kSeriesAlign;
  if (id > std::numeric_limits<uint32_t>::max()) {
    return Fail(util::ResourceExhaustedError("series id exceeds 32 bits (index over 64 GiB)"));
  }
  KS_RETURN_IF_ERROR(Write(head));
  KS_RETURN_IF_ERROR(Write(entry_));

  const auto id32 = static_cast<uint32_t>(id);
  all_ids_.push_back(id32);
  for (uint64_t key : keys_) {
    auto [it, inserted] = lists_.try_emplace(key, static_cast<uint32_t>(postings_.size()));
    if (inserted) postings_.emplace_back();
    postings_[it->second].push_back(id32);
  }
  last_series_ = labels;
  last_chunk_ref_ = last_ref;
  return id;
}

util::Status IndexWriter::Close() {
  KS_RETURN_IF_ERROR(error_);
  if (stage_ == Stage::kDone) return util::FailedPreconditionError("index writer is already closed");
  if (stage_ == Stage::kSymbols) KS_RETURN_IF_ERROR(FinishSymbols());
  stage_ = Stage::kDone;
  toc_[2] = pos_;  // label indices: none, the series section ends here
  toc_[4] = pos_;  // postings (lists start after padding to 4)
  KS_RETURN_IF_ERROR(WritePostings());
  std::string toc;
  for (uint64_t off : toc_) util::PutFixed64BE(&toc, off);
  PutCrc(&toc, toc);
  KS_RETURN_IF_ERROR(Write(toc));
  KS_RETURN_IF_ERROR(Flush());
  if (util::Status s = file_->Sync(); !s.ok()) return Fail(std::move(s));
  if (util::Status s = file_->Close(); !s.ok()) return Fail(std::move(s));
  return util::Status::Ok();
}

util::Status IndexWriter::WritePostings() {
  KS_RETURN_IF_ERROR(Pad(f::kPostingsAlign));
  // Symbol indices follow string order, so sorting the packed keys sorts
  // the pairs by (name, value).
  std::vector<std::pair<uint64_t, uint32_t>> lists(lists_.begin(), lists_.end());
  std::unordered_map<uint64_t, uint32_t>().swap(lists_);
  std::sort(lists.begin(), lists.end());
  std::vector<uint64_t> keys;
  keys.reserve(lists.size());
  std::vector<uint64_t> offsets;
  offsets.reserve(keys.size() + 1);

  std::string list;
  auto write_list = [&](std::span<const uint32_t> ids) -> util::Status {
    offsets.push_back(pos_);
    list.clear();
    util::PutFixed32BE(&list, static_cast<uint32_t>(4 + 4 * ids.size()));
    util::PutFixed32BE(&list, static_cast<uint32_t>(ids.size()));
    size_t at = list.size();
    list.resize(at + 4 * ids.size());
    for (uint32_t id : ids) {
      util::EncodeFixed32BE(list.data() + at, id);
      at += 4;
    }
    PutCrc(&list, std::string_view(list).substr(4));
    return Write(list);
  };
  KS_RETURN_IF_ERROR(write_list(all_ids_));
  for (const auto& [key, index] : lists) {
    keys.push_back(key);
    KS_RETURN_IF_ERROR(write_list(postings_[index]));
    std::vector<uint32_t>().swap(postings_[index]);  // release as we go
  }
  std::vector<std::pair<uint64_t, uint32_t>>().swap(lists);
  toc_[3] = pos_;  // label offset table: none, the postings end here
  toc_[5] = pos_;  // postings offset table
  return WritePostingsTable(keys, offsets);
}

util::Status IndexWriter::WritePostingsTable(std::span<const uint64_t> keys, std::span<const uint64_t> offsets) {
  auto entry_bytes = [](std::string_view name, std::string_view value, uint64_t off) {
    return util::UvarintLength(f::kPostingsTableKeys) + util::UvarintLength(name.size()) + name.size() +
           util::UvarintLength(value.size()) + value.size() + util::UvarintLength(off);
  };
  // Size first: the length precedes the entries and the file is append-only.
  uint64_t len = 4 + entry_bytes("", "", offsets[0]);
  for (size_t i = 0; i < keys.size(); ++i) {
    len += entry_bytes(SymbolAt(keys[i] >> 32), SymbolAt(static_cast<uint32_t>(keys[i])), offsets[i + 1]);
  }
  if (len > std::numeric_limits<uint32_t>::max()) {
    return Fail(util::ResourceExhaustedError("postings offset table exceeds 4 GiB"));
  }
  std::string out;
  util::PutFixed32BE(&out, static_cast<uint32_t>(len));
  util::PutFixed32BE(&out, static_cast<uint32_t>(keys.size() + 1));
  uint32_t crc = util::crc32c::Value(std::string_view(out).substr(4));
  KS_RETURN_IF_ERROR(Write(out));
  auto put = [&](std::string_view name, std::string_view value, uint64_t off) -> util::Status {
    out.clear();
    PutUvarint(&out, f::kPostingsTableKeys);
    util::PutLengthPrefixed(&out, name);
    util::PutLengthPrefixed(&out, value);
    PutUvarint(&out, off);
    crc = util::crc32c::Extend(crc, out.data(), out.size());
    return Write(out);
  };
  KS_RETURN_IF_ERROR(put("", "", offsets[0]));
  for (size_t i = 0; i < keys.size(); ++i) {
    KS_RETURN_IF_ERROR(put(SymbolAt(keys[i] >> 32), SymbolAt(static_cast<uint32_t>(keys[i])), offsets[i + 1]));
  }
  out.clear();
  util::PutFixed32BE(&out, crc);
  return Write(out);
}

}  // namespace kubescrape::tsdb
