#pragma once
// Bit streams for chunk encoding (Prometheus's bstream): bits are written
// most significant first into consecutive bytes; the unused low bits of the
// last byte are zero.
//
// BitWriter owns a growable buffer sized for memory, not speed (the head
// holds one per active series): 24 bytes of state, growth in steps of at
// most a quarter, and ShrinkToFit()/Release() when a chunk is sealed.
// BitReader reads a byte range it does not own through a 64-bit window.
//
// Thread-safety: none; one owner at a time.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <utility>

namespace kubescrape::tsdb {

class BitWriter {
 public:
  BitWriter() = default;
  ~BitWriter() { std::free(data_); }
  BitWriter(const BitWriter&) = delete;
  BitWriter& operator=(const BitWriter&) = delete;
  BitWriter(BitWriter&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)),
        size_(std::exchange(o.size_, 0)),
        capacity_(std::exchange(o.capacity_, 0)),
        free_bits_(std::exchange(o.free_bits_, 0)) {}
  BitWriter& operator=(BitWriter&& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    std::swap(capacity_, o.capacity_);
    std::swap(free_bits_, o.free_bits_);
    return *this;
  }

  // Appends one bit.
  void WriteBit(bool bit) {
    if (free_bits_ == 0) AppendZeroByte();
    --free_bits_;
    if (bit) data_[size_ - 1] |= static_cast<uint8_t>(1u << free_bits_);
  }

  // Appends the low `nbits` bits of `value`, most significant first.
  // REQUIRES: 0 <= nbits <= 64.
  void WriteBits(uint64_t value, int nbits);

  // Appends 8 bits at the current bit offset.
  void WriteByte(uint8_t b) { WriteBits(b, 8); }

  // Appends whole zero bytes (the chunk header). REQUIRES: byte-aligned.
  void AppendZeroBytes(size_t n);

  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  const uint8_t* data() const { return data_; }
  uint8_t* mutable_data() { return data_; }
  std::span<const uint8_t> bytes() const { return {data_, size_}; }

  // Reallocates the buffer to exactly size() bytes.
  void ShrinkToFit();

  // Hands the buffer (malloc'd, size() bytes, free with std::free) to the
  // caller and leaves the writer empty.
  uint8_t* Release();

  // Frees the buffer; the writer is empty afterwards.
  void Clear();

  // The unused low bits of the last byte (0..7), to save a stream and
  // Assign it back.
  uint8_t free_bits() const { return free_bits_; }
  // Replaces the contents with a copy of `bytes`, whose last byte has
  // `free_bits` unused (zero) low bits; writing continues after them.
  // REQUIRES: free_bits < 8, and 0 when `bytes` is empty.
  void Assign(std::span<const uint8_t> bytes, uint8_t free_bits);

 private:
  void AppendZeroByte() {
    if (size_ == capacity_) Grow(1);
    data_[size_++] = 0;
    free_bits_ = 8;
  }
  void Grow(size_t min_extra);

  uint8_t* data_ = nullptr;
  uint32_t size_ = 0;
  uint32_t capacity_ = 0;
  uint8_t free_bits_ = 0;  // unused low bits of the last byte; 0: next bit opens a byte
};

class BitReader {
 public:
  BitReader() = default;
  BitReader(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}

  // Reads `nbits` bits into the low bits of *out. False (and *out unchanged)
  // when fewer remain. REQUIRES: 1 <= nbits <= 64.
  bool ReadBits(int nbits, uint64_t* out) {
    if (nbits > valid_ && !Refill(nbits)) return ReadBitsSlow(nbits, out);
    *out = buf_ >> (64 - nbits);
    buf_ = nbits == 64 ? 0 : buf_ << nbits;
    valid_ -= nbits;
    return true;
  }

  bool ReadBit(bool* bit) {
    if (valid_ == 0 && !Refill(1)) return false;
    *bit = (buf_ >> 63) != 0;
    buf_ <<= 1;
    --valid_;
    return true;
  }

 private:
  // Loads bytes into the window; true when at least `want` bits are valid.
  bool Refill(int want);
  bool ReadBitsSlow(int nbits, uint64_t* out);

  const uint8_t* p_ = nullptr;
  const uint8_t* end_ = nullptr;
  uint64_t buf_ = 0;  // the next `valid_` bits, left-aligned; bits below are zero
  int valid_ = 0;
};

}  // namespace kubescrape::tsdb
