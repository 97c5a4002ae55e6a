#pragma once
// Streaming readers over one series' samples (internal to promql/): the
// evaluator reads a selector series by series and keeps only what the
// current step needs (Prometheus's evalSeries / matrixIterSlice), instead
// of materialising every sample of every series.
//
// Thread-safety: none; one query.

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "model/value.h"
#include "promql/value.h"
#include "tsdb/storage.h"
#include "util/status.h"

namespace kubescrape::promql::internal {

// One series' samples in [mint, maxt], in time order. Decodes in batches
// of kBatch (one virtual call per batch, not three per sample).
class SampleReader {
 public:
  // Positions at the first sample with t >= mint. `it` may be null (no
  // samples).
  void Reset(std::unique_ptr<tsdb::SampleIterator> it, int64_t mint, int64_t maxt);
  // Releases the iterator (call before the series set moves on).
  void Clear() {
    it_.reset();
    pos_ = len_ = 0;
  }

  bool has() const { return pos_ < len_; }
  // The current sample. REQUIRES: has().
  FPoint peek() const { return FPoint{buf_[pos_].t, buf_[pos_].v}; }
  // Moves to the next sample.
  void Advance() {
    if (++pos_ == len_) Refill();
  }
  // Moves to the first sample with t >= `t` (stays when the current one
  // qualifies); skips whole chunks where the storage can.
  void SeekTo(int64_t t) {
    if (!has() || buf_[pos_].t >= t) return;
    if (buf_[len_ - 1].t >= t) {  // within what is decoded
      while (buf_[pos_].t < t) ++pos_;
      return;
    }
    // Everything decoded is before t; the iterator is on the last of it.
    pos_ = len_ = 0;
    if (ended_ || !it_->Seek(t)) {
      ended_ = true;
      return;
    }
    buf_[0] = tsdb::Sample{it_->t(), it_->v()};
    len_ = 1;
    Clip();
    if (len_ == 1) FillFrom(1);
  }
  util::Status status() const { return it_ == nullptr ? util::Status::Ok() : it_->status(); }

 private:
  static constexpr size_t kBatch = 64;
  // Decodes the next batch into buf_ (the iterator is past the last one).
  void Refill() {
    pos_ = len_ = 0;
    if (ended_) return;
    FillFrom(0);
  }
  void FillFrom(size_t from) {
    const size_t n = it_->NextBatch(std::span<tsdb::Sample>(buf_.data() + from, kBatch - from));
    if (n < kBatch - from) ended_ = true;
    len_ = from + n;
    Clip();
  }
  // Drops decoded samples after maxt (and ends the series there).
  void Clip() {
    while (len_ > pos_ && buf_[len_ - 1].t > maxt_) {
      --len_;
      ended_ = true;
    }
  }

  std::unique_ptr<tsdb::SampleIterator> it_;
  int64_t maxt_ = 0;
  std::array<tsdb::Sample, kBatch> buf_{};
  size_t pos_ = 0, len_ = 0;  // buf_[pos_, len_) not yet consumed
  bool ended_ = false;        // the iterator has nothing after buf_
};

// The newest sample at or before a reference time, for reference times that
// never decrease (instant vector selectors and timestamp()).
class LatestSample {
 public:
  void Reset(std::unique_ptr<tsdb::SampleIterator> it, int64_t mint, int64_t maxt) {
    reader_.Reset(std::move(it), mint, maxt);
    has_prev_ = false;
  }
  void Clear() { reader_.Clear(); }
  // The newest sample with t in (ref - lookback, ref], stale markers
  // included, or null. REQUIRES: ref >= the previous call's ref.
  const FPoint* At(int64_t ref, int64_t lookback);
  util::Status status() const { return reader_.status(); }

 private:
  SampleReader reader_;
  bool has_prev_ = false;
  FPoint prev_{};
};

// A sliding window over one series' samples: the samples in (mint, maxt]
// without stale markers (Prometheus 3's left-open range windows). The
// buffer is reused across series; it keeps the window's samples and at most
// kReadAhead more, never the whole series.
class SampleWindow {
 public:
  void Reset(std::unique_ptr<tsdb::SampleIterator> it, int64_t mint, int64_t maxt);
  void Clear() { reader_.Clear(); }
  // Moves the window to (mint, maxt] and returns its samples, valid until
  // the next call. REQUIRES: mint and maxt >= the previous call's.
  std::span<const FPoint> Slide(int64_t mint, int64_t maxt);
  util::Status status() const { return reader_.status(); }

 private:
  // Samples decoded past the window's end per refill.
  static constexpr size_t kReadAhead = 64;

  SampleReader reader_;
  // buf_[lo_, hi_) is the window; buf_[hi_, end) is read ahead.
  std::vector<FPoint> buf_;
  size_t lo_ = 0;
  size_t hi_ = 0;
};

// Inline: called once per series and step.
inline const FPoint* LatestSample::At(int64_t ref, int64_t lookback) {
  // Samples at or before ref - lookback can serve no later step: skip them
  // (whole chunks at a time when the steps are far apart).
  if (reader_.has() && reader_.peek().t <= ref - lookback) {
    has_prev_ = false;
    reader_.SeekTo(ref - lookback + 1);
  }
  while (reader_.has() && reader_.peek().t <= ref) {
    prev_ = reader_.peek();
    has_prev_ = true;
    reader_.Advance();
  }
  if (!has_prev_ || prev_.t <= ref - lookback) return nullptr;
  return &prev_;
}

inline std::span<const FPoint> SampleWindow::Slide(int64_t mint, int64_t maxt) {
  while (lo_ < buf_.size() && buf_[lo_].t <= mint) ++lo_;
  if (lo_ == buf_.size()) {
    buf_.clear();
    lo_ = hi_ = 0;
    // Nothing buffered: jump over the samples before the window.
    if (reader_.has() && reader_.peek().t <= mint) reader_.SeekTo(mint + 1);
  } else {
    if (hi_ < lo_) hi_ = lo_;
    if (lo_ >= 2 * kReadAhead && lo_ * 2 >= buf_.size()) {
      buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(lo_));
      hi_ -= lo_;
      lo_ = 0;
    }
  }
  while (hi_ < buf_.size() && buf_[hi_].t <= maxt) ++hi_;
  if (hi_ == buf_.size() && reader_.has()) {
    // Decode up to the window's end and a little further in one tight loop
    // (the steps' function calls then run over buffered points). Samples
    // read here are all after mint: the buffer's last one is, or the reader
    // was moved past mint above.
    size_t ahead = 0;
    while (reader_.has() && (reader_.peek().t <= maxt || ahead < kReadAhead)) {
      const FPoint p = reader_.peek();
      if (!model::IsStaleNaN(p.f)) buf_.push_back(p);
      if (p.t > maxt) ++ahead;
      reader_.Advance();
    }
    while (hi_ < buf_.size() && buf_[hi_].t <= maxt) ++hi_;
  }
  return std::span<const FPoint>(buf_.data() + lo_, hi_ - lo_);
}

}  // namespace kubescrape::promql::internal
