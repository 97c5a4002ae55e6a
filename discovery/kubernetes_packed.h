#pragma once
// PackedStrings: an immutable list of small integers and strings stored in one
// heap block, the building brick of the compact Kubernetes objects
// (kubernetes_pod.h). Layout of the block (host-endian u32):
//
//   [total_bytes][num_ints][num_strings] ints[num_ints] ends[num_strings] bytes
//
// where string i is bytes[ends[i-1], ends[i]) (ends[-1] = 0). Equality and
// hashing are over the whole block, so two lists built from the same values
// compare equal with one memcmp. An empty list holds no block.
//
// Thread-safety: immutable once built; concurrent reads are safe. The Builder
// has one owner at a time.

#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace kubescrape::discovery {

class PackedStrings {
 public:
  // Collects values, then Build() copies them into one block. The views
  // passed to Add() must stay valid until Build().
  class Builder {
   public:
    void AddInt(uint32_t v) { ints_.push_back(v); }
    void Add(std::string_view s) { strings_.push_back(s); }
    size_t num_ints() const { return ints_.size(); }
    size_t num_strings() const { return strings_.size(); }
    // Sets int `i`, e.g. a count known only after the strings were added.
    // REQUIRES: i < num_ints().
    void SetInt(size_t i, uint32_t v) { ints_[i] = v; }
    // Returns the list and empties the builder (keeping its capacity).
    PackedStrings Build();

   private:
    std::vector<uint32_t> ints_;
    std::vector<std::string_view> strings_;
  };

  PackedStrings() = default;
  PackedStrings(const PackedStrings& other);
  PackedStrings& operator=(const PackedStrings& other);
  PackedStrings(PackedStrings&&) noexcept = default;
  PackedStrings& operator=(PackedStrings&&) noexcept = default;

  size_t num_ints() const { return rep_ ? Word(1) : 0; }
  size_t num_strings() const { return rep_ ? Word(2) : 0; }
  // REQUIRES: i < num_ints().
  uint32_t int_at(size_t i) const { return Word(kHeaderWords + i); }
  // REQUIRES: i < num_strings().
  std::string_view str(size_t i) const {
    const size_t ends = kHeaderWords + Word(1);
    const uint32_t begin = i == 0 ? 0 : Word(ends + i - 1);
    return {rep_.get() + (ends + Word(2)) * 4 + begin, Word(ends + i) - begin};
  }

  // Bytes of the heap block (0 when empty).
  size_t ByteSize() const { return rep_ ? Word(0) : 0; }
  // The whole block, for hashing.
  std::string_view block() const { return {rep_.get(), ByteSize()}; }

  friend bool operator==(const PackedStrings& a, const PackedStrings& b) {
    return a.block() == b.block();
  }

 private:
  static constexpr size_t kHeaderWords = 3;
  uint32_t Word(size_t i) const {
    uint32_t w;
    std::memcpy(&w, rep_.get() + i * 4, 4);
    return w;
  }

  std::unique_ptr<char[]> rep_;
};

}  // namespace kubescrape::discovery
