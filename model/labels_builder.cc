#include "model/labels_builder.h"

#include <algorithm>
#include <cstring>

namespace kubescrape::model {
namespace {

// Length of the common prefix of a[0..n) and b[0..n), given that the first
// k bytes are equal; eight bytes at a time.
inline size_t CommonPrefix(const char* a, const char* b, size_t k, size_t n) {
  while (k + 8 <= n) {
    uint64_t x, y;
    std::memcpy(&x, a + k, 8);
    std::memcpy(&y, b + k, 8);
    if (uint64_t diff = x ^ y; diff != 0) return k + static_cast<size_t>(__builtin_ctzll(diff)) / 8;
    k += 8;
  }
  while (k < n && a[k] == b[k]) ++k;
  return k;
}

// A cheap hash of a label name: its length and last eight bytes. Names that
// share long prefixes (__meta_kubernetes_pod_...) differ at the end.
inline size_t NameHash(std::string_view n) {
  uint64_t tail = 0;
  if (n.size() >= 8) {
    std::memcpy(&tail, n.data() + n.size() - 8, 8);
  } else if (!n.empty()) {
    std::memcpy(&tail, n.data(), n.size());
  }
  uint64_t h = (tail ^ (n.size() * 0x9E3779B97F4A7C15ull)) * 0xBF58476D1CE4E5B9ull;
  return static_cast<size_t>(h >> 32);
}

constexpr size_t kMaxIndexedLabels = 30000;  // base indices must fit uint16_t

}  // namespace

void LabelsBuilder::Reset(const Labels& base) {
  base_.clear();
  add_.clear();
  arena_.Reset();
  shadowed_bytes_ = 0;
  shadowed_count_ = 0;
  shadowed_.clear();
  if (base.empty()) {
    base_payload_ = nullptr;
    base_payload_bytes_ = 0;
    return;
  }
  base_payload_ = base.payload();
  base_payload_bytes_ = base.payload_bytes();
  const size_t n = base.size();
  base_.reserve(n);
  size_t slots = 16;
  while (slots < 2 * n) slots *= 2;
  index_.assign(n <= kMaxIndexedLabels ? slots : 0, 0);
  index_mask_ = index_.empty() ? 0 : slots - 1;
  const char* p = base_payload_;
  const char* end = base_payload_ + base_payload_bytes_;
  while (p < end) {
    const char* start = p;
    Label l;
    p = labels_encoding::GetString(labels_encoding::GetString(p, &l.name), &l.value);
    base_.push_back({l, static_cast<uint32_t>(start - base_payload_), static_cast<uint32_t>(p - start), false});
    if (!index_.empty()) {
      size_t slot = NameHash(l.name) & index_mask_;
      while (index_[slot] != 0) slot = (slot + 1) & index_mask_;
      index_[slot] = static_cast<uint16_t>(base_.size());
    }
  }
}

int LabelsBuilder::FindBase(std::string_view name) const {
  if (index_.empty()) {
    bool found;
    size_t pos = LowerBound(name, &found);
    return found ? static_cast<int>(pos) : -1;
  }
  for (size_t slot = NameHash(name) & index_mask_; index_[slot] != 0; slot = (slot + 1) & index_mask_) {
    const size_t i = index_[slot] - 1u;
    if (base_[i].label.name == name) return static_cast<int>(i);
  }
  return -1;
}

// Binary search that skips the bytes `name` is known to share with both ends
// of the remaining range: names like __meta_kubernetes_pod_* share long
// prefixes, which a plain search would compare again at every step.
size_t LabelsBuilder::LowerBound(std::string_view name, bool* found) const {
  size_t lo = 0, hi = base_.size();
  size_t lcp_lo = 0, lcp_hi = 0;  // common prefix of `name` with base_[lo-1] / base_[hi]
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    const std::string_view m = base_[mid].label.name;
    const size_t n = std::min(m.size(), name.size());
    const size_t k = CommonPrefix(m.data(), name.data(), std::min(lcp_lo, lcp_hi), n);
    if (k == n && m.size() == name.size()) [[unlikely]] {
      *found = true;
      return mid;
    }
    // m < name, computed without branches: the direction of a binary search
    // step is unpredictable, and mispredictions dominated this function.
    const bool prefix_shorter = m.size() < name.size();
    const unsigned mb = k < m.size() ? static_cast<unsigned char>(m[k]) : 0;
    const unsigned nb = k < name.size() ? static_cast<unsigned char>(name[k]) : 0;
    const bool less = (k == n) ? prefix_shorter : (mb < nb);
    lo = less ? mid + 1 : lo;
    lcp_lo = less ? k : lcp_lo;
    hi = less ? hi : mid;
    lcp_hi = less ? lcp_hi : k;
  }
  *found = false;
  return lo;
}

int LabelsBuilder::FindAdd(std::string_view name) const {
  for (size_t i = 0; i < add_.size(); ++i) {
    if (add_[i].label.name == name) return static_cast<int>(i);
  }
  return -1;
}

void LabelsBuilder::Shadow(size_t b) {
  BaseEntry& e = base_[b];
  if (e.shadowed) return;
  e.shadowed = true;
  shadowed_bytes_ += e.size;
  ++shadowed_count_;
  shadowed_.push_back(static_cast<uint32_t>(b));
}

std::string_view LabelsBuilder::Get(std::string_view name) const {
  if (int i = FindAdd(name); i >= 0) return add_[i].label.value;
  int b = FindBase(name);
  if (b >= 0 && !base_[b].shadowed) return base_[b].label.value;
  return {};
}

void LabelsBuilder::Set(std::string_view name, std::string_view value) {
  if (value.empty()) {
    Del(name);
    return;
  }
  if (int i = FindAdd(name); i >= 0) {
    add_[i].label.value = arena_.Copy(value);
    return;
  }
  // Even an unchanged value becomes an addition, as in Prometheus: it moves
  // the label to the end of Range()'s order.
  size_t pos;
  if (int b = FindBase(name); b >= 0) {
    pos = static_cast<size_t>(b);
    Shadow(pos);
  } else {
    bool found;
    pos = LowerBound(name, &found);  // where a new name sorts
  }
  add_.push_back({{arena_.Copy(name), arena_.Copy(value)}, static_cast<uint32_t>(pos)});
}

void LabelsBuilder::Del(std::string_view name) {
  if (int i = FindAdd(name); i >= 0) add_.erase(add_.begin() + i);
  if (int b = FindBase(name); b >= 0) Shadow(static_cast<size_t>(b));
}

size_t LabelsBuilder::size() const { return base_.size() - shadowed_count_ + add_.size(); }

Labels LabelsBuilder::Build() const {
  // Additions in output order: by their position among the base labels, then
  // by name. No addition shares a name with a live base entry (Set shadows
  // it), and an addition at position i sorts before base_[i].
  sorted_adds_.assign(add_.begin(), add_.end());
  std::sort(sorted_adds_.begin(), sorted_adds_.end(), [](const AddEntry& a, const AddEntry& b) {
    return a.pos != b.pos ? a.pos < b.pos : a.label.name < b.label.name;
  });
  size_t add_bytes = 0;
  for (const AddEntry& a : sorted_adds_) add_bytes += labels_encoding::EncodedSize(a.label.name, a.label.value);
  const size_t count = size();
  if (count == 0) return Labels();
  char* p;
  Labels out = Labels::Allocate(base_payload_bytes_ - shadowed_bytes_ + add_bytes, static_cast<uint32_t>(count), &p);

  // Walk the few events (an addition to insert, a shadowed entry to skip) in
  // position order; the live base entries between two events are contiguous
  // in the base payload and are copied with one memcpy.
  sorted_shadowed_.assign(shadowed_.begin(), shadowed_.end());
  std::sort(sorted_shadowed_.begin(), sorted_shadowed_.end());
  const size_t n = base_.size();
  auto offset = [&](size_t i) { return i < n ? base_[i].offset : base_payload_bytes_; };
  constexpr size_t kNone = SIZE_MAX;
  size_t i = 0, a = 0, sh = 0;
  while (true) {
    const size_t next_add = a < sorted_adds_.size() ? sorted_adds_[a].pos : kNone;
    const size_t next_shadowed = sh < sorted_shadowed_.size() ? sorted_shadowed_[sh] : kNone;
    const size_t next = std::min({next_add, next_shadowed, n});
    if (next > i) {
      const size_t bytes = offset(next) - offset(i);
      std::memcpy(p, base_payload_ + offset(i), bytes);
      p += bytes;
      i = next;
    }
    if (next_add == i) {  // additions at position i sort before base_[i]
      p = labels_encoding::Encode(p, sorted_adds_[a].label.name, sorted_adds_[a].label.value);
      ++a;
    } else if (next_shadowed == i) {
      ++i;
      ++sh;
    } else {
      break;  // i == n and no events left
    }
  }
  return out;
}

}  // namespace kubescrape::model
