#pragma once
// IndexReader: lookups over a block's `index` file (docs/format/index.md,
// Prometheus's format v2) held in memory, typically mmapped by the caller.
//
// Open() checks the header, the TOC's CRC, the symbol table's CRC and the
// postings offset table's CRC, and keeps what lookups need, as Prometheus's
// index.Reader does: every 32nd symbol offset, and per label name every 32nd
// value (plus the last) of the postings offset table. Series entries and
// postings lists are checked against their CRC each time they are decoded.
// Corruption errors (util::StatusCode::kCorruption) say which section and
// what is wrong.
//
// Series ids are the file's (offset / 16): sorted ids are sorted label sets.
//
// Lifetime: string_views returned (names, values, symbols) point into
// `data`; `data` must outlive the reader and those views.
//
// Thread-safety: immutable after Open(); const methods are thread-safe.

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "model/labels.h"
#include "model/matcher.h"
#include "tsdb/index_format.h"
#include "tsdb/storage.h"
#include "util/status.h"

namespace kubescrape::tsdb {

class IndexReader {
 public:
  // REQUIRES: `data` (the whole file) outlives the reader. Errors:
  // Corruption for a bad magic, an unsupported version (1 is rejected; 2 and
  // 3 are read), a bad TOC, symbol table or postings offset table.
  static util::StatusOr<std::unique_ptr<IndexReader>> Open(std::string_view data);

  IndexReader(const IndexReader&) = delete;
  IndexReader& operator=(const IndexReader&) = delete;

  uint8_t version() const { return version_; }

  // The number of series (the size of the all-postings list).
  uint64_t NumSeries() const { return num_series_; }

  // Label names, sorted, without the all-postings key "".
  std::vector<std::string_view> LabelNames() const;

  // The values of `name`, sorted; empty for an unknown name.
  util::StatusOr<std::vector<std::string_view>> LabelValues(std::string_view name) const;

  // The sorted ids of the series with name=value; empty when absent.
  util::StatusOr<std::vector<SeriesRef>> Postings(std::string_view name, std::string_view value) const;
  util::StatusOr<std::vector<SeriesRef>> AllPostings() const { return Postings("", ""); }

  // The sorted ids of the series matching every matcher, with Prometheus's
  // PostingsForMatchers semantics: an absent label has the value "", so a
  // matcher that matches "" also selects series without the label. No
  // matchers: all series.
  util::StatusOr<std::vector<SeriesRef>> PostingsForMatchers(std::span<const model::Matcher> matchers) const;

  // Decodes series `id`: its labels (owning) and, when `chunks` is not null,
  // its chunk metas (replacing the vector's content). Errors: NotFound when
  // `id` is outside the series section; Corruption when the entry is bad
  // (also for an id that is not a series' start).
  util::Status Series(SeriesRef id, model::Labels* labels, std::vector<ChunkMeta>* chunks) const;

  // Every symbol in order (compaction merges the tables of several blocks).
  util::StatusOr<std::vector<std::string_view>> Symbols() const;
  uint32_t NumSymbols() const { return num_symbols_; }

  // Bytes the reader holds besides `data` (an estimate).
  size_t MemoryBytes() const;

 private:
  // Every kSampleFactor-th value of a name in the postings offset table, and
  // the last one, with the file offset of its table entry.
  struct ValueSample {
    std::string_view value;
    uint64_t entry_off;
  };
  struct NameEntry {
    std::string_view name;
    uint32_t num_values = 0;
    std::vector<ValueSample> samples;
  };
  // One decoded postings offset table entry.
  struct TableEntry {
    std::string_view name;
    std::string_view value;
    uint64_t postings_off = 0;
    uint64_t next = 0;  // offset of the following entry
  };

  explicit IndexReader(std::string_view data) : data_(data) {}

  util::Status LoadSymbols();
  util::Status LoadPostingsTable();
  util::Status LoadNameSymbols();

  util::StatusOr<TableEntry> ReadTableEntry(uint64_t off) const;
  const NameEntry* FindName(std::string_view name) const;
  util::StatusOr<std::string_view> Symbol(uint32_t ref) const;
  // Appends the ids of the postings list at `off` to `out`.
  util::Status ReadPostings(uint64_t off, std::vector<SeriesRef>* out) const;
  // Calls f(value, postings_off) for each value of `e`, in order; stops at
  // the first error f returns.
  template <typename F>
  util::Status ForEachValue(const NameEntry& e, F&& f) const;
  // The lists of the values of m.name() that m accepts (negate: rejects).
  util::StatusOr<std::vector<std::vector<SeriesRef>>> ListsForValues(const model::Matcher& m, bool negate) const;

  // Immutable after Open().
  std::string_view data_;
  uint8_t version_ = 0;
  uint64_t toc_[index_format::kTocFields] = {};
  uint64_t series_end_ = 0;
  uint64_t symbols_begin_ = 0;  // first string
  uint64_t symbols_end_ = 0;    // the CRC
  uint32_t num_symbols_ = 0;
  std::vector<uint64_t> symbol_samples_;  // offset of symbols 0, 32, 64, ...
  uint64_t table_end_ = 0;                // the postings offset table's CRC
  std::vector<NameEntry> names_;          // sorted by name, "" first
  std::vector<std::pair<uint32_t, std::string_view>> name_symbols_;  // sorted by ref
  uint64_t num_series_ = 0;
};

}  // namespace kubescrape::tsdb
