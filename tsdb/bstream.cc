#include "tsdb/bstream.h"

#include <algorithm>
#include <cstring>
#include <new>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace kubescrape::tsdb {

void BitWriter::WriteBits(uint64_t value, int nbits) {
  if (nbits == 0) return;
  if (nbits < 64) value &= (uint64_t{1} << nbits) - 1;
  // Make room for the new bytes this call opens, once.
  if (nbits > free_bits_) {
    const size_t extra = static_cast<size_t>(nbits - free_bits_ + 7) / 8;
    if (size_ + extra > capacity_) Grow(extra);
  }
  if (free_bits_ == 0) {
    data_[size_++] = 0;
    free_bits_ = 8;
  }
  // Fill the partial last byte.
  if (nbits <= free_bits_) {
    free_bits_ = static_cast<uint8_t>(free_bits_ - nbits);
    data_[size_ - 1] |= static_cast<uint8_t>(value << free_bits_);
    return;
  }
  nbits -= free_bits_;
  data_[size_ - 1] |= static_cast<uint8_t>(value >> nbits);
  // Whole bytes.
  while (nbits >= 8) {
    nbits -= 8;
    data_[size_++] = static_cast<uint8_t>(value >> nbits);
  }
  // The rest opens a new byte.
  if (nbits > 0) {
    data_[size_++] = static_cast<uint8_t>(value << (8 - nbits));
    free_bits_ = static_cast<uint8_t>(8 - nbits);
  } else {
    free_bits_ = 0;
  }
}

void BitWriter::AppendZeroBytes(size_t n) {
  if (size_ + n > capacity_) Grow(n);
  std::memset(data_ + size_, 0, n);
  size_ += static_cast<uint32_t>(n);
  free_bits_ = 0;
}

void BitWriter::Grow(size_t min_extra) {
  // Small steps: a head holds a growing buffer per series, so slack costs
  // more than the occasional realloc (at most 25% or 32 bytes unused).
  size_t cap = std::max<size_t>(capacity_ == 0 ? 16 : capacity_ + std::max<size_t>(32, capacity_ / 4),
                                size_ + min_extra);
  void* p = std::realloc(data_, cap);
  if (p == nullptr) throw std::bad_alloc();
  data_ = static_cast<uint8_t*>(p);
#ifdef __GLIBC__
  // Use the whole block the allocator handed out (its size classes are
  // 16 bytes apart): fewer reallocs for free.
  cap = std::min<size_t>(malloc_usable_size(p), UINT32_MAX);
#endif
  capacity_ = static_cast<uint32_t>(cap);
}

void BitWriter::ShrinkToFit() {
  if (capacity_ == size_) return;
  if (size_ == 0) {
    Clear();
    return;
  }
  void* p = std::realloc(data_, size_);
  if (p != nullptr) {
    data_ = static_cast<uint8_t*>(p);
    capacity_ = size_;
  }
}

uint8_t* BitWriter::Release() {
  uint8_t* p = data_;
  data_ = nullptr;
  size_ = capacity_ = 0;
  free_bits_ = 0;
  return p;
}

void BitWriter::Clear() { std::free(Release()); }

void BitWriter::Assign(std::span<const uint8_t> bytes, uint8_t free_bits) {
  Clear();
  if (bytes.empty()) return;
  data_ = static_cast<uint8_t*>(std::malloc(bytes.size()));
  if (data_ == nullptr) throw std::bad_alloc();
  std::memcpy(data_, bytes.data(), bytes.size());
  size_ = capacity_ = static_cast<uint32_t>(bytes.size());
  free_bits_ = free_bits;
}

bool BitReader::Refill(int want) {
  if (end_ - p_ >= 8) {
    uint64_t w = 0;
    for (int i = 0; i < 8; ++i) w = (w << 8) | p_[i];
    int bytes = (64 - valid_) >> 3;
    if (valid_ < 64) buf_ |= w >> valid_;
    valid_ += bytes * 8;
    p_ += bytes;
    if (valid_ < 64) buf_ &= ~(~uint64_t{0} >> valid_);
  } else {
    while (valid_ <= 56 && p_ < end_) {
      buf_ |= uint64_t{*p_++} << (56 - valid_);
      valid_ += 8;
    }
  }
  return valid_ >= want;
}

bool BitReader::ReadBitsSlow(int nbits, uint64_t* out) {
  // Only a wide read at an odd offset gets here with data left: split it.
  if (nbits <= 32) return false;
  uint64_t hi = 0, lo = 0;
  if (!ReadBits(nbits - 32, &hi) || !ReadBits(32, &lo)) return false;
  *out = (hi << 32) | lo;
  return true;
}

}  // namespace kubescrape::tsdb
