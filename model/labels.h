#pragma once
// Labels: an immutable, sorted set of (name, value) pairs identifying a
// series or a target.
//
// Representation (chosen because millions of series hold one): the object is
// a single pointer; the pairs live in one heap block laid out as
//
//   [u32 payload_bytes][u32 count] { varint len, name, varint len, value }*
//
// sorted by name, with no empty values. Equality is one memcmp, hashing one
// pass over the payload; copying allocates once. An empty set holds no block.
// Iteration decodes in place; Label views stay valid while the Labels lives.
//
// Thread-safety: immutable; concurrent reads are safe.

#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kubescrape::model {

// The encoding primitives of Labels (see the class comment). Inline: they
// are on the path of every label set built or read.
namespace labels_encoding {

inline size_t VarintSize(size_t n) {
  size_t size = 1;
  while (n >= 0x80) {
    n >>= 7;
    ++size;
  }
  return size;
}

inline char* PutVarint(char* p, size_t n) {
  while (n >= 0x80) {
    *p++ = static_cast<char>((n & 0x7F) | 0x80);
    n >>= 7;
  }
  *p++ = static_cast<char>(n);
  return p;
}

inline const char* GetString(const char* p, std::string_view* out) {
  size_t len = static_cast<unsigned char>(*p++);
  if (len >= 0x80) {  // rare: a name or value of 128 bytes or more
    len &= 0x7F;
    int shift = 7;
    while (true) {
      auto b = static_cast<unsigned char>(*p++);
      len |= static_cast<size_t>(b & 0x7F) << shift;
      if (b < 0x80) break;
      shift += 7;
    }
  }
  *out = std::string_view(p, len);
  return p + len;
}

// Bytes one label takes in the payload.
inline size_t EncodedSize(std::string_view name, std::string_view value) {
  return VarintSize(name.size()) + name.size() + VarintSize(value.size()) + value.size();
}

inline char* Encode(char* p, std::string_view name, std::string_view value) {
  p = PutVarint(p, name.size());
  __builtin_memcpy(p, name.data(), name.size());
  p += name.size();
  p = PutVarint(p, value.size());
  __builtin_memcpy(p, value.data(), value.size());
  return p + value.size();
}

}  // namespace labels_encoding

struct Label {
  std::string_view name;
  std::string_view value;
  friend bool operator==(const Label&, const Label&) = default;
};

class Labels {
 public:
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Label;
    using difference_type = std::ptrdiff_t;
    using pointer = const Label*;
    using reference = Label;

    Iterator() = default;
    Label operator*() const {
      Label l;
      labels_encoding::GetString(labels_encoding::GetString(p_, &l.name), &l.value);
      return l;
    }
    Iterator& operator++() {
      std::string_view skip;
      p_ = labels_encoding::GetString(labels_encoding::GetString(p_, &skip), &skip);
      return *this;
    }
    Iterator operator++(int) {
      Iterator old = *this;
      ++*this;
      return old;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) { return a.p_ == b.p_; }

   private:
    friend class Labels;
    explicit Iterator(const char* p) : p_(p) {}
    const char* p_ = nullptr;
  };

  Labels() = default;
  ~Labels() { delete[] rep_; }
  Labels(const Labels& other);
  Labels& operator=(const Labels& other);
  Labels(Labels&& other) noexcept : rep_(std::exchange(other.rep_, nullptr)) {}
  Labels& operator=(Labels&& other) noexcept {
    std::swap(rep_, other.rep_);
    return *this;
  }

  // From pairs already sorted by name with unique names; empty values are
  // skipped. REQUIRES: sorted, unique names.
  static Labels FromSorted(std::span<const Label> labels);
  // From pairs in any order: sorts, skips empty values, and keeps the last of
  // duplicate names.
  static Labels FromUnsorted(std::vector<Label> labels);
  static Labels FromPairs(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs);
  static Labels FromMap(const std::map<std::string, std::string>& map);

  bool empty() const { return rep_ == nullptr; }
  size_t size() const;
  Iterator begin() const;
  Iterator end() const;

  // The value of `name`, or "" when absent (an empty value means absent).
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const { return !Get(name).empty(); }

  // A hash of the whole set, stable within one build of the program.
  uint64_t Hash() const;

  // Bytes held on the heap by this set (0 when empty).
  size_t ByteSize() const;

  // Prometheus's text form: {a="b", c="d"}; names that are not legacy-valid
  // are quoted, values are Go-quoted.
  std::string ToString() const;

  // Prometheus's labels.Compare order: pairwise by name then value; a prefix
  // sorts first. Negative, zero or positive.
  static int Compare(const Labels& a, const Labels& b);

  friend bool operator==(const Labels& a, const Labels& b);
  friend bool operator<(const Labels& a, const Labels& b) { return Compare(a, b) < 0; }

 private:
  friend class LabelsBuilder;
  static constexpr size_t kHeaderBytes = 8;

  // A set of `count` labels whose payload of `payload_bytes` the caller
  // fills through `*payload`. REQUIRES: count > 0; the caller writes exactly
  // payload_bytes of sorted, valid entries.
  static Labels Allocate(size_t payload_bytes, uint32_t count, char** payload);

  uint32_t payload_bytes() const;
  const char* payload() const { return rep_ + kHeaderBytes; }

  char* rep_ = nullptr;
};

struct LabelsHash {
  size_t operator()(const Labels& l) const { return static_cast<size_t>(l.Hash()); }
};

}  // namespace kubescrape::model
