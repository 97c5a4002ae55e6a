// Streaming readers over one series' samples.
#include "promql/sample_window.h"

namespace kubescrape::promql::internal {

void SampleReader::Reset(std::unique_ptr<tsdb::SampleIterator> it, int64_t mint, int64_t maxt) {
  it_ = std::move(it);
  maxt_ = maxt;
  pos_ = len_ = 0;
  ended_ = true;
  if (it_ == nullptr || !it_->Seek(mint)) return;
  ended_ = false;
  buf_[0] = tsdb::Sample{it_->t(), it_->v()};
  len_ = 1;
  Clip();
  if (len_ == 1 && !ended_) FillFrom(1);
}

void SampleWindow::Reset(std::unique_ptr<tsdb::SampleIterator> it, int64_t mint, int64_t maxt) {
  reader_.Reset(std::move(it), mint, maxt);
  buf_.clear();
  lo_ = hi_ = 0;
}

}  // namespace kubescrape::promql::internal
