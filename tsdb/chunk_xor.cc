#include "tsdb/chunk_xor.h"

#include <bit>

namespace kubescrape::tsdb {
namespace {

using namespace chunk_format;  // NOLINT: the format's constants

// True when x fits a delta-of-delta bucket of n bits: -(2^(n-1)-1) .. 2^(n-1).
constexpr bool BitRange(int64_t x, int n) {
  return -((int64_t{1} << (n - 1)) - 1) <= x && x <= (int64_t{1} << (n - 1));
}

void PutVarintBytes(BitWriter& w, uint64_t u) {
  while (u >= 0x80) {
    w.WriteByte(static_cast<uint8_t>(u | 0x80));
    u >>= 7;
  }
  w.WriteByte(static_cast<uint8_t>(u));
}

// Go binary.ReadUvarint over the bit stream: at most 10 bytes, the 10th
// carrying one bit.
bool ReadUvarintBits(BitReader& r, uint64_t* out) {
  uint64_t x = 0;
  for (int shift = 0, i = 0; i < 10; ++i, shift += 7) {
    uint64_t b = 0;
    if (!r.ReadBits(8, &b)) return false;
    if (b < 0x80) {
      if (i == 9 && b > 1) return false;  // overflow
      *out = x | (b << shift);
      return true;
    }
    x |= (b & 0x7F) << shift;
  }
  return false;
}

}  // namespace

void XorEncoder::Start(BitWriter& w) {
  w.AppendZeroBytes(kHeaderBytes);
  *this = XorEncoder();
}

void XorEncoder::Append(BitWriter& w, int64_t t, double v) {
  const uint64_t v_bits = std::bit_cast<uint64_t>(v);
  uint64_t t_delta = 0;
  if (num_ == 0) {
    // Zigzag, as Go's binary.PutVarint.
    uint64_t u = static_cast<uint64_t>(t) << 1;
    if (t < 0) u = ~u;
    PutVarintBytes(w, u);
    w.WriteBits(v_bits, 64);
  } else if (num_ == 1) {
    t_delta = static_cast<uint64_t>(t) - static_cast<uint64_t>(t_);
    PutVarintBytes(w, t_delta);
    WriteValue(w, v_bits);
  } else {
    t_delta = static_cast<uint64_t>(t) - static_cast<uint64_t>(t_);
    const auto dod = static_cast<int64_t>(t_delta - t_delta_);
    const auto udod = static_cast<uint64_t>(dod);
    if (dod == 0) {
      w.WriteBit(false);
    } else if (BitRange(dod, kDodBits1)) {
      w.WriteBits((uint64_t{0b10} << kDodBits1) | (udod & ((uint64_t{1} << kDodBits1) - 1)), 2 + kDodBits1);
    } else if (BitRange(dod, kDodBits2)) {
      w.WriteBits((uint64_t{0b110} << kDodBits2) | (udod & ((uint64_t{1} << kDodBits2) - 1)), 3 + kDodBits2);
    } else if (BitRange(dod, kDodBits3)) {
      w.WriteBits((uint64_t{0b1110} << kDodBits3) | (udod & ((uint64_t{1} << kDodBits3) - 1)), 4 + kDodBits3);
    } else {
      w.WriteBits(0b1111, 4);
      w.WriteBits(udod, 64);
    }
    WriteValue(w, v_bits);
  }
  t_ = t;
  v_bits_ = v_bits;
  t_delta_ = t_delta;
  ++num_;
  uint8_t* header = w.mutable_data();
  header[0] = static_cast<uint8_t>(num_ >> 8);
  header[1] = static_cast<uint8_t>(num_);
}

void XorEncoder::WriteValue(BitWriter& w, uint64_t v_bits) {
  const uint64_t delta = v_bits ^ v_bits_;
  if (delta == 0) {
    w.WriteBit(false);
    return;
  }
  auto leading = static_cast<uint8_t>(std::countl_zero(delta));
  auto trailing = static_cast<uint8_t>(std::countr_zero(delta));
  if (leading > kMaxLeading) leading = kMaxLeading;
  if (leading_ != kNoWindow && leading >= leading_ && trailing >= trailing_) {
    // '1' '0' + the meaningful bits in the previous window.
    const int sig = 64 - leading_ - trailing_;
    w.WriteBits(0b10, 2);
    w.WriteBits(delta >> trailing_, sig);
    return;
  }
  leading_ = leading;
  trailing_ = trailing;
  const int sig = 64 - leading - trailing;
  // '1' '1' + 5 bits leading + 6 bits significant (64 -> 0), one write.
  w.WriteBits((uint64_t{0b11} << 11) | (uint64_t{leading} << 6) | static_cast<uint64_t>(sig & 63), 13);
  w.WriteBits(delta >> trailing, sig);
}

bool XorFirstTimestamp(std::span<const uint8_t> bytes, int64_t* t) {
  XorIterator it(bytes);
  if (!it.Next()) return false;  // decodes the first sample only
  *t = it.t();
  return true;
}

void XorIterator::Reset(std::span<const uint8_t> bytes) {
  *this = XorIterator();
  if (bytes.size() < kHeaderBytes) {
    corrupt_ = true;
    return;
  }
  total_ = (uint32_t{bytes[0]} << 8) | bytes[1];
  r_ = BitReader(bytes.data() + kHeaderBytes, bytes.size() - kHeaderBytes);
}

double XorIterator::v() const { return std::bit_cast<double>(v_bits_); }

bool XorIterator::Next() {
  if (corrupt_ || read_ == total_) return false;
  if (read_ == 0) {
    uint64_t u = 0;
    if (!ReadUvarintBits(r_, &u)) return Fail();
    // Zigzag back (Go binary.ReadVarint).
    auto t = static_cast<int64_t>(u >> 1);
    if (u & 1) t = ~t;
    uint64_t bits = 0;
    if (!r_.ReadBits(64, &bits)) return Fail();
    t_ = t;
    v_bits_ = bits;
    ++read_;
    return true;
  }
  if (read_ == 1) {
    uint64_t delta = 0;
    if (!ReadUvarintBits(r_, &delta)) return Fail();
    t_delta_ = delta;
    t_ = static_cast<int64_t>(static_cast<uint64_t>(t_) + t_delta_);
    return ReadValue();
  }
  // The delta-of-delta prefix: up to four bits, stopping at the first '0'.
  int prefix = 0;
  for (int i = 0; i < 4; ++i) {
    bool bit = false;
    if (!r_.ReadBit(&bit)) return Fail();
    if (!bit) break;
    ++prefix;
  }
  uint64_t dod = 0;
  if (prefix > 0) {
    static constexpr int kSizes[] = {0, kDodBits1, kDodBits2, kDodBits3, kDodBits4};
    const int sz = kSizes[prefix];
    uint64_t bits = 0;
    if (!r_.ReadBits(sz, &bits)) return Fail();
    // Negative values come back as high unsigned numbers.
    if (sz < 64 && bits > (uint64_t{1} << (sz - 1))) bits -= uint64_t{1} << sz;
    dod = bits;
  }
  t_delta_ += dod;
  t_ = static_cast<int64_t>(static_cast<uint64_t>(t_) + t_delta_);
  return ReadValue();
}

bool XorIterator::ReadValue() {
  bool bit = false;
  if (!r_.ReadBit(&bit)) return Fail();
  if (bit) {
    if (!r_.ReadBit(&bit)) return Fail();
    if (bit) {
      uint64_t bits = 0;
      if (!r_.ReadBits(kLeadingBits + kSigBits, &bits)) return Fail();
      const auto leading = static_cast<int>(bits >> kSigBits);
      int sig = static_cast<int>(bits & 63);
      if (sig == 0) sig = 64;
      if (leading + sig > 64) return Fail();
      leading_ = static_cast<uint8_t>(leading);
      trailing_ = static_cast<uint8_t>(64 - leading - sig);
    }
    const int sig = 64 - leading_ - trailing_;
    uint64_t bits = 0;
    if (!r_.ReadBits(sig, &bits)) return Fail();
    v_bits_ ^= bits << trailing_;
  }
  ++read_;
  return true;
}

bool XorIterator::Seek(int64_t t) {
  if (corrupt_) return false;
  while (read_ == 0 || t_ < t) {
    if (!Next()) return false;
  }
  return true;
}

}  // namespace kubescrape::tsdb
