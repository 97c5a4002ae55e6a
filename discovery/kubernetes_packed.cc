#include "discovery/kubernetes_packed.h"

namespace kubescrape::discovery {

PackedStrings PackedStrings::Builder::Build() {
  PackedStrings out;
  if (ints_.empty() && strings_.empty()) return out;
  size_t bytes = 0;
  for (std::string_view s : strings_) bytes += s.size();
  const size_t words = kHeaderWords + ints_.size() + strings_.size();
  const size_t total = words * 4 + bytes;
  out.rep_ = std::make_unique_for_overwrite<char[]>(total);
  char* p = out.rep_.get();
  auto put = [&p](uint32_t w) {
    std::memcpy(p, &w, 4);
    p += 4;
  };
  put(static_cast<uint32_t>(total));
  put(static_cast<uint32_t>(ints_.size()));
  put(static_cast<uint32_t>(strings_.size()));
  for (uint32_t v : ints_) put(v);
  uint32_t end = 0;
  for (std::string_view s : strings_) {
    end += static_cast<uint32_t>(s.size());
    put(end);
  }
  for (std::string_view s : strings_) {
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    p += s.size();
  }
  ints_.clear();
  strings_.clear();
  return out;
}

PackedStrings::PackedStrings(const PackedStrings& other) { *this = other; }

PackedStrings& PackedStrings::operator=(const PackedStrings& other) {
  if (this == &other) return *this;
  if (!other.rep_) {
    rep_.reset();
    return *this;
  }
  const size_t n = other.ByteSize();
  rep_ = std::make_unique_for_overwrite<char[]>(n);
  std::memcpy(rep_.get(), other.rep_.get(), n);
  return *this;
}

}  // namespace kubescrape::discovery
