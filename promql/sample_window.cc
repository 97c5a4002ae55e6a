// Streaming readers over one series' samples.
#include "promql/sample_window.h"

namespace kubescrape::promql::internal {

void SampleReader::Reset(std::unique_ptr<tsdb::SampleIterator> it, int64_t mint, int64_t maxt) {
  it_ = std::move(it);
  maxt_ = maxt;
  has_ = false;
  if (it_ != nullptr) Load(it_->Seek(mint));
}

void SampleWindow::Reset(std::unique_ptr<tsdb::SampleIterator> it, int64_t mint, int64_t maxt) {
  reader_.Reset(std::move(it), mint, maxt);
  buf_.clear();
  lo_ = hi_ = 0;
}

}  // namespace kubescrape::promql::internal
