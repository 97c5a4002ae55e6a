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
    Label operator*() const;
    Iterator& operator++();
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
  static constexpr size_t kHeaderBytes = 8;
  uint32_t payload_bytes() const;
  const char* payload() const { return rep_ + kHeaderBytes; }

  char* rep_ = nullptr;
};

struct LabelsHash {
  size_t operator()(const Labels& l) const { return static_cast<size_t>(l.Hash()); }
};

}  // namespace kubescrape::model
