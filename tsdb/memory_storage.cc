#include "tsdb/memory_storage.h"

#include <bit>

namespace kubescrape::tsdb {

std::string_view AppendErrorName(AppendError e) {
  switch (e) {
    case AppendError::kNone: return "none";
    case AppendError::kOutOfOrder: return "out of order sample";
    case AppendError::kOutOfBounds: return "out of bounds";
    case AppendError::kDuplicateSample: return "duplicate sample for timestamp";
    case AppendError::kUnknownRef: return "unknown series reference";
  }
  return "unknown";
}

class MemoryAppender final : public Appender {
 public:
  explicit MemoryAppender(MemoryStorage* s) : storage_(s) {}

  AppendResult Append(SeriesRef ref, const model::Labels& labels, int64_t t, double v) override {
    std::lock_guard<std::mutex> lock(storage_->mu_);
    // A non-zero ref is trusted (the Appender contract): no label lookup.
    if (ref == 0 || ref > storage_->series_.size()) {
      if (labels.empty()) return {0, AppendError::kUnknownRef};
      auto [it, inserted] = storage_->refs_.emplace(labels, storage_->series_.size() + 1);
      if (inserted) storage_->series_.push_back({labels, {}});
      ref = it->second;
    }
    // Check against this batch's pending sample of the series, else the
    // newest committed one.
    const Sample* newest = nullptr;
    auto pending = newest_pending_.find(ref);
    if (pending != newest_pending_.end()) newest = &pending_[pending->second].second;
    const auto& committed = storage_->series_[ref - 1].samples;
    if (newest == nullptr && !committed.empty()) newest = &committed.back();
    if (newest != nullptr) {
      if (t < newest->t) return {ref, AppendError::kOutOfOrder};
      if (t == newest->t) {
        if (std::bit_cast<uint64_t>(v) == std::bit_cast<uint64_t>(newest->v)) return {ref, AppendError::kNone};
        return {ref, AppendError::kDuplicateSample};
      }
    }
    newest_pending_[ref] = pending_.size();
    pending_.push_back({ref, {t, v}});
    return {ref, AppendError::kNone};
  }

  util::Status Commit() override {
    std::lock_guard<std::mutex> lock(storage_->mu_);
    for (const auto& [ref, s] : pending_) storage_->series_[ref - 1].samples.push_back(s);
    pending_.clear();
    newest_pending_.clear();
    ++storage_->commits_;
    return util::Status::Ok();
  }

  void Rollback() override {
    pending_.clear();
    newest_pending_.clear();
  }

 private:
  MemoryStorage* storage_;
  std::vector<std::pair<SeriesRef, Sample>> pending_;
  std::unordered_map<SeriesRef, size_t> newest_pending_;  // ref -> index in pending_
};

std::unique_ptr<Appender> MemoryStorage::NewAppender() { return std::make_unique<MemoryAppender>(this); }

std::map<model::Labels, std::vector<Sample>> MemoryStorage::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<model::Labels, std::vector<Sample>> out;
  for (const Series& s : series_) {
    if (!s.samples.empty()) out[s.labels] = s.samples;
  }
  return out;
}

std::vector<Sample> MemoryStorage::SamplesOf(const model::Labels& labels) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = refs_.find(labels);
  return it == refs_.end() ? std::vector<Sample>{} : series_[it->second - 1].samples;
}

size_t MemoryStorage::NumSeries() const {
  std::lock_guard<std::mutex> lock(mu_);
  return series_.size();
}

uint64_t MemoryStorage::commits() const {
  std::lock_guard<std::mutex> lock(mu_);
  return commits_;
}

}  // namespace kubescrape::tsdb
