#pragma once
// Arena: a bump allocator for short-lived strings.
//
// Copies strings into large blocks so that building label sets does not call
// malloc per label. Everything allocated is freed at once by Reset(), which
// keeps the first block for reuse, so a steady-state caller allocates nothing.
//
// Thread-safety: none; one owner at a time.

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace kubescrape::util {

class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  Arena(Arena&&) = default;
  Arena& operator=(Arena&&) = default;

  // Returns a copy of `s` that stays valid until Reset() or destruction.
  std::string_view Copy(std::string_view s) {
    if (s.empty()) return {};
    char* p = Allocate(s.size());
    __builtin_memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }

  // Returns `n` uninitialised bytes, valid until Reset() or destruction.
  char* Allocate(size_t n) {
    if (n > remaining_) NewBlock(n);
    char* p = cursor_;
    cursor_ += n;
    remaining_ -= n;
    return p;
  }

  // Frees everything allocated; keeps the first block.
  void Reset();

  // Bytes reserved from the system (for tests and memory accounting).
  size_t BytesReserved() const { return reserved_; }

 private:
  static constexpr size_t kBlockSize = 4096;
  void NewBlock(size_t min_size);

  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<size_t> block_sizes_;
  char* cursor_ = nullptr;
  size_t remaining_ = 0;
  size_t reserved_ = 0;
};

}  // namespace kubescrape::util
