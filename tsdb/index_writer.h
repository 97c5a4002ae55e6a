#pragma once
// IndexWriter: writes a block's `index` file (docs/format/index.md),
// byte-compatible with Prometheus's index format v2, in one forward pass:
//
//   Open -> AddSymbol* -> AddSeries* -> Close
//
// The writer keeps the symbol table (strings and a lookup map) and, per label
// pair, the sorted list of 32-bit series ids in memory until Close writes
// the postings; everything else is streamed to the file through a 1 MiB
// buffer. Measured: 1M series of 10 labels (1.1M distinct symbols and label
// pairs) hold ~190 MB of heap before Close.
//
// Errors: calls out of order (a symbol after a series, symbols or series not
// strictly increasing, a label that is not a symbol, badly ordered chunks)
// return InvalidArgument and leave the writer usable (the call had no
// effect); I/O errors return the file's error and the writer is then failed:
// every later call returns that error. An index that was not closed
// successfully is incomplete and must be deleted by the caller.
//
// Thread-safety: not thread-safe; one caller.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/labels.h"
#include "tsdb/index_format.h"
#include "util/file_system.h"
#include "util/status.h"

namespace kubescrape::tsdb {

class IndexWriter {
 public:
  // Creates the file `path`, writing the header. Errors: AlreadyExists when
  // `path` exists; the file system's error otherwise.
  // `fs` must outlive the writer.
  static util::StatusOr<std::unique_ptr<IndexWriter>> Open(util::FileSystem& fs, std::string path);

  ~IndexWriter();
  IndexWriter(const IndexWriter&) = delete;
  IndexWriter& operator=(const IndexWriter&) = delete;

  // Adds the next symbol. REQUIRES (else InvalidArgument): every label name
  // and value used by the series is added, strictly increasing in byte
  // order, all before the first AddSeries.
  util::Status AddSymbol(std::string_view s);

  // Adds the next series and returns its id (offset / 16), the value its
  // postings hold. REQUIRES (else InvalidArgument): labels non-empty and
  // strictly greater than the previous series' (model::Labels::Compare,
  // Prometheus's labels.Compare); every name and value a symbol; chunks with
  // max_t >= min_t, each min_t > the previous chunk's max_t, refs never
  // decreasing across the whole file (chunks written in series order).
  util::StatusOr<uint64_t> AddSeries(const model::Labels& labels, std::span<const ChunkMeta> chunks);

  // Writes the postings (the all-series list under ""="" then one list per
  // name=value in order), the postings offset table and the TOC; syncs and
  // closes the file. Call once; later calls fail. Does not sync the
  // directory: the caller does (SyncDir) when it publishes the block.
  util::Status Close();

  // Bytes written so far (buffered bytes included).
  uint64_t Size() const { return pos_; }

 private:
  enum class Stage : uint8_t { kSymbols, kSeries, kDone };

  IndexWriter(std::unique_ptr<util::WritableFile> file, std::string path);

  std::string_view SymbolAt(uint32_t index) const;
  util::Status FinishSymbols();
  util::Status WritePostings();
  util::Status WritePostingsTable(std::span<const uint64_t> keys, std::span<const uint64_t> offsets);
  // Appends to the buffer, flushing it when full.
  util::Status Write(std::string_view data);
  util::Status Pad(uint64_t align);
  util::Status Flush();
  util::Status Fail(util::Status s);

  // Immutable after construction.
  const std::string path_;
  std::unique_ptr<util::WritableFile> file_;

  Stage stage_ = Stage::kSymbols;
  util::Status error_;  // sticky I/O error
  uint64_t pos_ = 0;    // bytes written, buffer included
  std::string buf_;

  // Symbols: their encoded table body (uvarint length + bytes each), the
  // offset of each string's bytes in it, and after the symbol stage a map
  // from string (views into symbol_body_) to index.
  std::string symbol_body_;
  std::vector<uint32_t> symbol_offsets_;
  std::unordered_map<std::string_view, uint32_t> symbol_index_;

  // Series and postings.
  uint64_t series_start_ = 0;
  model::Labels last_series_;
  uint64_t last_chunk_ref_ = 0;
  std::string entry_;                             // scratch for one series
  // The label pairs (name << 32 | value symbol) of the last series, and
  // scratch for the one before.
  std::vector<uint64_t> keys_;
  std::vector<uint64_t> prev_keys_;
  std::vector<uint32_t> all_ids_;                 // the ""="" list
  std::unordered_map<uint64_t, uint32_t> lists_;  // name<<32|value symbol -> index in postings_
  std::vector<std::vector<uint32_t>> postings_;
  uint64_t toc_[index_format::kTocFields] = {};
};

}  // namespace kubescrape::tsdb
