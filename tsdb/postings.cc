#include "tsdb/postings.h"

#include <algorithm>
#include <iterator>
#include <mutex>

namespace kubescrape::tsdb {
namespace {

// a ∩ b into out. Probes the longer list by binary search when the lengths
// differ a lot (a 10-series selector against `job="node"`).
void IntersectTwo(std::span<const SeriesRef> a, std::span<const SeriesRef> b, std::vector<SeriesRef>* out) {
  out->clear();
  if (a.size() > b.size()) std::swap(a, b);
  if (a.size() * 16 < b.size()) {
    auto lo = b.begin();
    for (SeriesRef r : a) {
      lo = std::lower_bound(lo, b.end(), r);
      if (lo == b.end()) break;
      if (*lo == r) out->push_back(r);
    }
    return;
  }
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(*out));
}

void InsertSorted(MemPostings::List& list, SeriesRef ref) {
  if (list.empty() || list.back() < ref) {
    list.push_back(ref);
    return;
  }
  auto it = std::lower_bound(list.begin(), list.end(), ref);
  if (it == list.end() || *it != ref) list.insert(it, ref);
}

// Removes the sorted `refs` from `list`; returns memory when it shrank a lot
// (series churn must not leave lists at their peak size).
void EraseSorted(MemPostings::List& list, std::span<const SeriesRef> refs) {
  auto out = list.begin();
  auto del = refs.begin();
  for (auto it = list.begin(); it != list.end(); ++it) {
    while (del != refs.end() && *del < *it) ++del;
    if (del != refs.end() && *del == *it) continue;
    *out++ = *it;
  }
  list.erase(out, list.end());
  if (list.capacity() > 16 && list.size() < list.capacity() / 4) list.shrink_to_fit();
}

}  // namespace

std::vector<SeriesRef> IntersectPostings(std::vector<std::span<const SeriesRef>> lists) {
  if (lists.empty()) return {};
  std::sort(lists.begin(), lists.end(), [](auto a, auto b) { return a.size() < b.size(); });
  std::vector<SeriesRef> result(lists[0].begin(), lists[0].end());
  std::vector<SeriesRef> next;
  for (size_t i = 1; i < lists.size() && !result.empty(); ++i) {
    IntersectTwo(result, lists[i], &next);
    result.swap(next);
  }
  return result;
}

std::vector<SeriesRef> MergePostings(std::vector<std::span<const SeriesRef>> lists) {
  if (lists.empty()) return {};
  if (lists.size() == 1) return std::vector<SeriesRef>(lists[0].begin(), lists[0].end());
  // Pairwise merge rounds: O(n log k).
  std::vector<std::vector<SeriesRef>> level;
  level.reserve((lists.size() + 1) / 2);
  for (size_t i = 0; i < lists.size(); i += 2) {
    std::vector<SeriesRef> m;
    if (i + 1 == lists.size()) {
      m.assign(lists[i].begin(), lists[i].end());
    } else {
      m.reserve(lists[i].size() + lists[i + 1].size());
      std::set_union(lists[i].begin(), lists[i].end(), lists[i + 1].begin(), lists[i + 1].end(),
                     std::back_inserter(m));
    }
    level.push_back(std::move(m));
  }
  while (level.size() > 1) {
    std::vector<std::vector<SeriesRef>> next;
    next.reserve((level.size() + 1) / 2);
    for (size_t i = 0; i < level.size(); i += 2) {
      if (i + 1 == level.size()) {
        next.push_back(std::move(level[i]));
        continue;
      }
      std::vector<SeriesRef> m;
      m.reserve(level[i].size() + level[i + 1].size());
      std::set_union(level[i].begin(), level[i].end(), level[i + 1].begin(), level[i + 1].end(),
                     std::back_inserter(m));
      next.push_back(std::move(m));
    }
    level.swap(next);
  }
  return std::move(level[0]);
}

std::vector<SeriesRef> WithoutPostings(std::span<const SeriesRef> a, std::span<const SeriesRef> b) {
  std::vector<SeriesRef> out;
  out.reserve(a.size());
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

void MemPostings::Add(SeriesRef ref, std::span<const model::Label> labels) {
  std::unique_lock lock(mu_);
  for (const model::Label& l : labels) InsertSorted(names_[l.name][l.value], ref);
  InsertSorted(all_, ref);
}

void MemPostings::Delete(std::span<const SeriesRef> refs, std::span<const model::Label> affected) {
  if (refs.empty()) return;
  std::unique_lock lock(mu_);
  for (const model::Label& l : affected) {
    auto n = names_.find(l.name);
    if (n == names_.end()) continue;
    auto v = n->second.find(l.value);
    if (v == n->second.end()) continue;
    EraseSorted(v->second, refs);
    if (!v->second.empty()) continue;
    n->second.erase(v);
    if (n->second.empty()) names_.erase(n);
  }
  EraseSorted(all_, refs);
}

std::vector<std::span<const SeriesRef>> MemPostings::ListsForValues(const model::Matcher& m, bool negate) const {
  std::vector<std::span<const SeriesRef>> lists;
  auto n = names_.find(m.name());
  if (n == names_.end()) return lists;
  const ValueMap& values = n->second;
  // The values an (in)equality selects are known without scanning.
  if ((m.type() == model::MatchType::kEqual && !negate) || (m.type() == model::MatchType::kNotEqual && negate)) {
    auto v = values.find(m.value());
    if (v != values.end()) lists.emplace_back(v->second);
    return lists;
  }
  for (const auto& [value, list] : values) {
    if (m.Matches(value) != negate) lists.emplace_back(list);
  }
  return lists;
}

std::vector<SeriesRef> MemPostings::ForMatchers(std::span<const model::Matcher> matchers) const {
  std::shared_lock lock(mu_);
  if (matchers.empty()) return all_;
  // A matcher that rejects "" needs the label: intersect with the series
  // whose value it accepts. One that accepts "" also selects series without
  // the label: subtract the series whose value it rejects.
  std::vector<std::vector<SeriesRef>> merged;  // owners of merged lists
  merged.reserve(matchers.size());
  std::vector<std::span<const SeriesRef>> its;
  std::vector<std::span<const SeriesRef>> nots;
  for (const model::Matcher& m : matchers) {
    const bool intersect = !m.MatchesEmpty();
    std::vector<std::span<const SeriesRef>> lists = ListsForValues(m, /*negate=*/!intersect);
    if (lists.empty()) {
      if (intersect) return {};
      continue;
    }
    std::span<const SeriesRef> list = lists[0];
    if (lists.size() > 1) {
      merged.push_back(MergePostings(std::move(lists)));
      list = merged.back();
    }
    (intersect ? its : nots).push_back(list);
  }
  std::vector<SeriesRef> result = its.empty() ? all_ : IntersectPostings(std::move(its));
  for (std::span<const SeriesRef> n : nots) {
    if (result.empty()) break;
    result = WithoutPostings(result, n);
  }
  return result;
}

size_t MemPostings::NumSeries() const {
  std::shared_lock lock(mu_);
  return all_.size();
}

size_t MemPostings::MemoryBytes() const {
  std::shared_lock lock(mu_);
  // Lists at capacity; map nodes as libstdc++ lays them out (key, value,
  // next pointer, cached hash) plus bucket arrays.
  constexpr size_t kNode = 2 * sizeof(void*);
  size_t bytes = all_.capacity() * sizeof(SeriesRef) + names_.bucket_count() * sizeof(void*);
  for (const auto& [name, values] : names_) {
    bytes += kNode + sizeof(name) + sizeof(values) + values.bucket_count() * sizeof(void*);
    for (const auto& [value, list] : values) {
      bytes += kNode + sizeof(value) + sizeof(list) + list.capacity() * sizeof(SeriesRef);
    }
  }
  return bytes;
}

}  // namespace kubescrape::tsdb
