#include "util/arena.h"

#include <algorithm>

namespace kubescrape::util {

void Arena::NewBlock(size_t min_size) {
  size_t size = std::max(kBlockSize, min_size);
  blocks_.push_back(std::make_unique<char[]>(size));
  block_sizes_.push_back(size);
  reserved_ += size;
  cursor_ = blocks_.back().get();
  remaining_ = size;
}

void Arena::Reset() {
  if (blocks_.empty()) return;
  // Keep the first block only; larger one-off blocks are returned.
  blocks_.resize(1);
  block_sizes_.resize(1);
  reserved_ = block_sizes_[0];
  cursor_ = blocks_[0].get();
  remaining_ = block_sizes_[0];
}

}  // namespace kubescrape::util
