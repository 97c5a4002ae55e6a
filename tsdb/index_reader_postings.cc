// IndexReader: label names and values, postings lists and
// PostingsForMatchers, over the postings offset table.
#include <fmt/format.h>

#include <algorithm>

#include "tsdb/index_reader.h"
#include "tsdb/postings.h"
#include "util/coding.h"
#include "util/crc32c.h"

namespace kubescrape::tsdb {
namespace {

namespace f = index_format;

util::Status Corrupt(std::string what) { return util::CorruptionError("index: " + std::move(what)); }

}  // namespace

const IndexReader::NameEntry* IndexReader::FindName(std::string_view name) const {
  auto it = std::lower_bound(names_.begin(), names_.end(), name,
                             [](const NameEntry& e, std::string_view n) { return e.name < n; });
  if (it == names_.end() || it->name != name) return nullptr;
  return &*it;
}

template <typename F>
util::Status IndexReader::ForEachValue(const NameEntry& e, F&& f) const {
  uint64_t pos = e.samples[0].entry_off;
  for (uint32_t i = 0; i < e.num_values; ++i) {
    KS_ASSIGN_OR_RETURN(TableEntry t, ReadTableEntry(pos));
    KS_RETURN_IF_ERROR(f(t.value, t.postings_off));
    pos = t.next;
  }
  return util::Status::Ok();
}

std::vector<std::string_view> IndexReader::LabelNames() const {
  std::vector<std::string_view> out;
  out.reserve(names_.size());
  for (const NameEntry& e : names_) {
    if (!e.name.empty()) out.push_back(e.name);
  }
  return out;
}

util::StatusOr<std::vector<std::string_view>> IndexReader::LabelValues(std::string_view name) const {
  std::vector<std::string_view> out;
  const NameEntry* e = name.empty() ? nullptr : FindName(name);
  if (e == nullptr) return out;
  out.reserve(e->num_values);
  KS_RETURN_IF_ERROR(ForEachValue(*e, [&](std::string_view v, uint64_t) {
    out.push_back(v);
    return util::Status::Ok();
  }));
  return out;
}

util::Status IndexReader::ReadPostings(uint64_t off, std::vector<SeriesRef>* out) const {
  if (off > data_.size() || data_.size() - off < 8 + f::kCrcBytes) {
    return Corrupt(fmt::format("postings list at {} out of bounds", off));
  }
  const char* p = data_.data() + off;
  const uint64_t len = util::DecodeFixed32BE(p);
  if (len < 4 || len + 4 + f::kCrcBytes > data_.size() - off) {
    return Corrupt(fmt::format("postings list at {}: length {} out of bounds", off, len));
  }
  if (util::crc32c::Value(p + 4, len) != util::DecodeFixed32BE(p + 4 + len)) {
    return Corrupt(fmt::format("postings list at {}: checksum mismatch", off));
  }
  const uint64_t n = util::DecodeFixed32BE(p + 4);
  if (len != 4 + 4 * n) {
    return Corrupt(fmt::format("postings list at {}: {} bytes for {} entries", off, len, n));
  }
  out->reserve(out->size() + n);
  for (const char* q = p + 8; q < p + 4 + len; q += 4) out->push_back(util::DecodeFixed32BE(q));
  return util::Status::Ok();
}

util::StatusOr<std::vector<SeriesRef>> IndexReader::Postings(std::string_view name, std::string_view value) const {
  std::vector<SeriesRef> out;
  const NameEntry* e = FindName(name);
  if (e == nullptr) return out;
  // The last sample at or before `value`, then at most one sample interval
  // of entries.
  auto it = std::upper_bound(e->samples.begin(), e->samples.end(), value,
                             [](std::string_view v, const ValueSample& s) { return v < s.value; });
  if (it == e->samples.begin()) return out;
  uint64_t pos = std::prev(it)->entry_off;
  for (uint32_t i = 0; i <= f::kSampleFactor && pos < table_end_; ++i) {
    KS_ASSIGN_OR_RETURN(TableEntry t, ReadTableEntry(pos));
    if (t.name != name || t.value > value) break;
    if (t.value == value) {
      KS_RETURN_IF_ERROR(ReadPostings(t.postings_off, &out));
      break;
    }
    pos = t.next;
  }
  return out;
}

util::StatusOr<std::vector<std::vector<SeriesRef>>> IndexReader::ListsForValues(const model::Matcher& m,
                                                                                bool negate) const {
  std::vector<std::vector<SeriesRef>> lists;
  const NameEntry* e = m.name().empty() ? nullptr : FindName(m.name());
  if (e == nullptr) return lists;
  // The one value an (in)equality selects is looked up, not scanned for.
  if ((m.type() == model::MatchType::kEqual && !negate) || (m.type() == model::MatchType::kNotEqual && negate)) {
    KS_ASSIGN_OR_RETURN(std::vector<SeriesRef> l, Postings(m.name(), m.value()));
    if (!l.empty()) lists.push_back(std::move(l));
    return lists;
  }
  KS_RETURN_IF_ERROR(ForEachValue(*e, [&](std::string_view v, uint64_t off) {
    if (m.Matches(v) == negate) return util::Status::Ok();
    lists.emplace_back();
    return ReadPostings(off, &lists.back());
  }));
  return lists;
}

util::StatusOr<std::vector<SeriesRef>> IndexReader::PostingsForMatchers(
    std::span<const model::Matcher> matchers) const {
  if (matchers.empty()) return AllPostings();
  // As MemPostings::ForMatchers: a matcher that rejects "" needs the label,
  // so intersect with the series whose value it accepts; one that accepts ""
  // also selects series without the label, so subtract the series whose
  // value it rejects.
  std::vector<std::vector<SeriesRef>> owned;
  owned.reserve(matchers.size());
  std::vector<std::span<const SeriesRef>> its, nots;
  for (const model::Matcher& m : matchers) {
    const bool intersect = !m.MatchesEmpty();
    KS_ASSIGN_OR_RETURN(std::vector<std::vector<SeriesRef>> lists, ListsForValues(m, /*negate=*/!intersect));
    if (lists.empty()) {
      if (intersect) return std::vector<SeriesRef>();
      continue;
    }
    if (lists.size() == 1) {
      owned.push_back(std::move(lists[0]));
    } else {
      std::vector<std::span<const SeriesRef>> spans(lists.begin(), lists.end());
      owned.push_back(MergePostings(std::move(spans)));
    }
    (intersect ? its : nots).push_back(owned.back());
  }
  std::vector<SeriesRef> result;
  if (its.empty()) {
    KS_ASSIGN_OR_RETURN(result, AllPostings());
  } else {
    result = IntersectPostings(std::move(its));
  }
  for (std::span<const SeriesRef> n : nots) {
    if (result.empty()) break;
    result = WithoutPostings(result, n);
  }
  return result;
}

}  // namespace kubescrape::tsdb
