#include "model/labels.h"

#include <algorithm>
#include <cstring>
#include <functional>

#include "model/validation.h"
#include "util/utf8.h"

namespace kubescrape::model {

Labels::Labels(const Labels& other) {
  if (other.rep_ != nullptr) {
    size_t n = kHeaderBytes + other.payload_bytes();
    rep_ = new char[n];
    std::memcpy(rep_, other.rep_, n);
  }
}

Labels& Labels::operator=(const Labels& other) {
  if (this != &other) {
    Labels copy(other);
    std::swap(rep_, copy.rep_);
  }
  return *this;
}

Labels Labels::Allocate(size_t payload_bytes, uint32_t count, char** payload) {
  Labels out;
  out.rep_ = new char[kHeaderBytes + payload_bytes];
  auto payload32 = static_cast<uint32_t>(payload_bytes);
  std::memcpy(out.rep_, &payload32, 4);
  std::memcpy(out.rep_ + 4, &count, 4);
  *payload = out.rep_ + kHeaderBytes;
  return out;
}

Labels Labels::FromSorted(std::span<const Label> labels) {
  size_t bytes = 0;
  uint32_t count = 0;
  for (const Label& l : labels) {
    if (l.value.empty()) continue;
    bytes += labels_encoding::EncodedSize(l.name, l.value);
    ++count;
  }
  if (count == 0) return Labels();
  char* p;
  Labels out = Allocate(bytes, count, &p);
  for (const Label& l : labels) {
    if (!l.value.empty()) p = labels_encoding::Encode(p, l.name, l.value);
  }
  return out;
}

Labels Labels::FromUnsorted(std::vector<Label> labels) {
  std::stable_sort(labels.begin(), labels.end(),
                   [](const Label& a, const Label& b) { return a.name < b.name; });
  // Keep the last of each run of equal names.
  std::vector<Label> unique;
  unique.reserve(labels.size());
  for (const Label& l : labels) {
    if (!unique.empty() && unique.back().name == l.name) {
      unique.back() = l;
    } else {
      unique.push_back(l);
    }
  }
  return FromSorted(unique);
}

Labels Labels::FromPairs(
    std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
  std::vector<Label> v;
  v.reserve(pairs.size());
  for (const auto& [n, val] : pairs) v.push_back({n, val});
  return FromUnsorted(std::move(v));
}

Labels Labels::FromMap(const std::map<std::string, std::string>& map) {
  std::vector<Label> v;
  v.reserve(map.size());
  for (const auto& [n, val] : map) v.push_back({n, val});
  return FromSorted(v);
}

uint32_t Labels::payload_bytes() const {
  uint32_t n;
  std::memcpy(&n, rep_, 4);
  return n;
}

size_t Labels::size() const {
  if (rep_ == nullptr) return 0;
  uint32_t n;
  std::memcpy(&n, rep_ + 4, 4);
  return n;
}

Labels::Iterator Labels::begin() const {
  return rep_ == nullptr ? Iterator() : Iterator(payload());
}

Labels::Iterator Labels::end() const {
  return rep_ == nullptr ? Iterator() : Iterator(payload() + payload_bytes());
}

std::string_view Labels::Get(std::string_view name) const {
  for (Label l : *this) {
    if (l.name == name) return l.value;
    if (l.name > name) break;  // sorted: it cannot come later
  }
  return {};
}

uint64_t Labels::Hash() const {
  if (rep_ == nullptr) return 0;
  return std::hash<std::string_view>{}(std::string_view(payload(), payload_bytes()));
}

size_t Labels::ByteSize() const { return rep_ == nullptr ? 0 : kHeaderBytes + payload_bytes(); }

std::string Labels::ToString() const {
  std::string out = "{";
  bool first = true;
  for (Label l : *this) {
    if (!first) out += ", ";
    first = false;
    if (IsValidLegacyLabelName(l.name)) {
      out.append(l.name);
    } else {
      out += util::GoQuote(l.name);
    }
    out.push_back('=');
    out += util::GoQuote(l.value);
  }
  out.push_back('}');
  return out;
}

int Labels::Compare(const Labels& a, const Labels& b) {
  Iterator ia = a.begin(), ea = a.end(), ib = b.begin(), eb = b.end();
  for (; ia != ea && ib != eb; ++ia, ++ib) {
    Label la = *ia, lb = *ib;
    if (int c = la.name.compare(lb.name); c != 0) return c;
    if (int c = la.value.compare(lb.value); c != 0) return c;
  }
  if (ia == ea && ib == eb) return 0;
  return ia == ea ? -1 : 1;
}

bool operator==(const Labels& a, const Labels& b) {
  if (a.rep_ == b.rep_) return true;
  if (a.rep_ == nullptr || b.rep_ == nullptr) return false;
  size_t n = a.payload_bytes();
  return n == b.payload_bytes() && std::memcmp(a.payload(), b.payload(), n) == 0;
}

}  // namespace kubescrape::model
