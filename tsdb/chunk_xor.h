#pragma once
// XOR (Gorilla) float chunks, byte-compatible with Prometheus's
// chunkenc.XORChunk: docs/format/chunks.md.
//
//   XorEncoder   the append state of one chunk, writing into a BitWriter the
//                caller owns (the head keeps both inside its series object).
//   XorChunk     an encoder with its own buffer (tests, benchmarks, blocks).
//   XorIterator  decodes a chunk's bytes in order, with Seek.
//
// Timestamps must not decrease within a chunk for Seek to be meaningful; the
// encoding itself round-trips any sequence (wrapping 64-bit arithmetic, as in
// Go).
//
// Thread-safety: none; one owner at a time. An XorIterator reads bytes it
// does not own: they must outlive it and not change while it runs.

#include <cstdint>
#include <span>

#include "tsdb/bstream.h"
#include "tsdb/chunk_format.h"

namespace kubescrape::tsdb {

class XorEncoder {
 public:
  // Writes the header of an empty chunk into `w`. REQUIRES: w.empty().
  void Start(BitWriter& w);

  // Appends (t, v) and bumps the header count.
  // REQUIRES: Start(w) was called on this `w`; num_samples() < 65535.
  void Append(BitWriter& w, int64_t t, double v);

  // The whole append state, so an open chunk can be saved with its bytes
  // (head snapshots) and appended to after a restart exactly as before.
  struct State {
    int64_t t = 0;
    uint64_t v_bits = 0;
    uint64_t t_delta = 0;
    uint16_t num = 0;
    uint8_t leading = chunk_format::kNoWindow;
    uint8_t trailing = 0;
  };
  State state() const { return {t_, v_bits_, t_delta_, num_, leading_, trailing_}; }
  // REQUIRES: `s` came from state() of an encoder that wrote the bytes now
  // in the BitWriter passed to later Append calls.
  void Restore(const State& s) {
    t_ = s.t;
    v_bits_ = s.v_bits;
    t_delta_ = s.t_delta;
    num_ = s.num;
    leading_ = s.leading;
    trailing_ = s.trailing;
  }

  uint32_t num_samples() const { return num_; }
  // The newest sample. REQUIRES: num_samples() > 0.
  int64_t last_t() const { return t_; }
  uint64_t last_v_bits() const { return v_bits_; }

 private:
  void WriteValue(BitWriter& w, uint64_t v_bits);

  int64_t t_ = 0;
  uint64_t v_bits_ = 0;
  uint64_t t_delta_ = 0;
  uint16_t num_ = 0;
  uint8_t leading_ = chunk_format::kNoWindow;
  uint8_t trailing_ = 0;
};

class XorChunk {
 public:
  XorChunk() { enc_.Start(w_); }
  // REQUIRES: num_samples() < 65535.
  void Append(int64_t t, double v) { enc_.Append(w_, t, v); }
  uint32_t num_samples() const { return enc_.num_samples(); }
  // The whole chunk: header and samples.
  std::span<const uint8_t> bytes() const { return w_.bytes(); }

 private:
  BitWriter w_;
  XorEncoder enc_;
};

// The timestamp of a chunk's first sample without decoding the rest; false
// when the chunk is empty or corrupt.
bool XorFirstTimestamp(std::span<const uint8_t> bytes, int64_t* t);

class XorIterator {
 public:
  XorIterator() = default;
  // Iterates the chunk `bytes` (header included). A chunk shorter than its
  // header is corrupt.
  explicit XorIterator(std::span<const uint8_t> bytes) { Reset(bytes); }
  void Reset(std::span<const uint8_t> bytes);

  // Moves to the next sample; false at the end or on corrupt data.
  bool Next();
  // Moves to the first sample with timestamp >= t, staying on the current
  // one when it qualifies; false when there is none. May be called first.
  bool Seek(int64_t t);

  // The current sample. REQUIRES: the last Next()/Seek() returned true.
  int64_t t() const { return t_; }
  double v() const;
  uint64_t v_bits() const { return v_bits_; }

  uint32_t num_samples() const { return total_; }
  // True when the data ended before num_samples() samples or held an
  // impossible value window.
  bool corrupt() const { return corrupt_; }

 private:
  bool ReadValue();
  bool Fail() {
    corrupt_ = true;
    return false;
  }

  BitReader r_;
  int64_t t_ = 0;
  uint64_t v_bits_ = 0;
  uint64_t t_delta_ = 0;
  uint32_t total_ = 0;
  uint32_t read_ = 0;
  uint8_t leading_ = 0;
  uint8_t trailing_ = 0;
  bool corrupt_ = false;
};

}  // namespace kubescrape::tsdb
