// MemoryStorage's read side: a Querier over a copy of the matching data.
#include <algorithm>
#include <set>

#include "tsdb/memory_storage.h"

namespace kubescrape::tsdb {
namespace {

struct CopiedSeries {
  model::Labels labels;
  std::vector<Sample> samples;
};

class VectorSampleIterator final : public SampleIterator {
 public:
  explicit VectorSampleIterator(const std::vector<Sample>& samples) : samples_(samples) {}
  bool Next() override { return ++pos_ < samples_.size(); }
  bool Seek(int64_t t) override {
    if (pos_ == kBefore) pos_ = 0;
    while (pos_ < samples_.size() && samples_[pos_].t < t) ++pos_;
    return pos_ < samples_.size();
  }
  int64_t t() const override { return samples_[pos_].t; }
  double v() const override { return samples_[pos_].v; }
  util::Status status() const override { return util::Status::Ok(); }

 private:
  static constexpr size_t kBefore = static_cast<size_t>(-1);
  const std::vector<Sample>& samples_;
  size_t pos_ = kBefore;
};

class VectorSeriesSet final : public SeriesSet {
 public:
  explicit VectorSeriesSet(const std::vector<CopiedSeries>* series, std::vector<size_t> picked)
      : series_(series), picked_(std::move(picked)) {}
  bool Next() override { return ++pos_ < picked_.size(); }
  const model::Labels& labels() const override { return (*series_)[picked_[pos_]].labels; }
  std::unique_ptr<SampleIterator> Samples() const override {
    return std::make_unique<VectorSampleIterator>((*series_)[picked_[pos_]].samples);
  }
  util::Status status() const override { return util::Status::Ok(); }

 private:
  const std::vector<CopiedSeries>* series_;
  std::vector<size_t> picked_;
  size_t pos_ = static_cast<size_t>(-1);
};

bool MatchesAll(const model::Labels& labels, std::span<const model::Matcher> matchers) {
  for (const model::Matcher& m : matchers) {
    if (!m.Matches(labels.Get(m.name()))) return false;
  }
  return true;
}

// Holds the series with samples in range, sorted by labels.
class MemoryQuerier final : public Querier {
 public:
  explicit MemoryQuerier(std::vector<CopiedSeries> series) : series_(std::move(series)) {}

  std::unique_ptr<SeriesSet> Select(std::span<const model::Matcher> matchers) override {
    return std::make_unique<VectorSeriesSet>(&series_, Pick(matchers));
  }

  util::StatusOr<std::vector<std::string>> LabelNames(std::span<const model::Matcher> matchers) override {
    std::set<std::string, std::less<>> names;
    for (size_t i : Pick(matchers)) {
      for (const model::Label& l : series_[i].labels) names.emplace(l.name);
    }
    return std::vector<std::string>(names.begin(), names.end());
  }

  util::StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                       std::span<const model::Matcher> matchers) override {
    std::set<std::string, std::less<>> values;
    for (size_t i : Pick(matchers)) {
      std::string_view v = series_[i].labels.Get(name);
      if (!v.empty()) values.emplace(v);
    }
    return std::vector<std::string>(values.begin(), values.end());
  }

 private:
  std::vector<size_t> Pick(std::span<const model::Matcher> matchers) const {
    std::vector<size_t> picked;
    for (size_t i = 0; i < series_.size(); ++i) {
      if (MatchesAll(series_[i].labels, matchers)) picked.push_back(i);
    }
    return picked;
  }

  std::vector<CopiedSeries> series_;
};

}  // namespace

util::StatusOr<std::unique_ptr<Querier>> MemoryStorage::NewQuerier(int64_t mint, int64_t maxt) {
  std::vector<CopiedSeries> copied;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const Series& s : series_) {
      auto first = std::lower_bound(s.samples.begin(), s.samples.end(), mint,
                                    [](const Sample& a, int64_t t) { return a.t < t; });
      auto last = std::upper_bound(first, s.samples.end(), maxt,
                                   [](int64_t t, const Sample& a) { return t < a.t; });
      if (first != last) copied.push_back({s.labels, std::vector<Sample>(first, last)});
    }
  }
  std::sort(copied.begin(), copied.end(),
            [](const CopiedSeries& a, const CopiedSeries& b) { return a.labels < b.labels; });
  return std::unique_ptr<Querier>(std::make_unique<MemoryQuerier>(std::move(copied)));
}

}  // namespace kubescrape::tsdb
