#include "tsdb/merge_querier.h"

#include <algorithm>
#include <iterator>
#include <string>

#include "tsdb/label_groups.h"

namespace kubescrape::tsdb {
namespace {

// Chains iterators by time. Each part is positioned on its current sample
// (or exhausted); the current sample is the smallest timestamp, lowest index
// on ties, and parts on that same timestamp are skipped past it.
class MergedSampleIterator final : public SampleIterator {
 public:
  explicit MergedSampleIterator(std::vector<std::unique_ptr<SampleIterator>> its)
      : its_(std::move(its)), valid_(its_.size(), false) {}

  bool Next() override {
    if (!started_) {
      started_ = true;
      for (size_t i = 0; i < its_.size(); ++i) valid_[i] = its_[i]->Next();
    } else if (cur_ != kNone) {
      const int64_t t = its_[cur_]->t();
      for (size_t i = 0; i < its_.size(); ++i) {
        if (valid_[i] && its_[i]->t() == t) valid_[i] = its_[i]->Next();
      }
    } else {
      return false;
    }
    return Pick();
  }

  bool Seek(int64_t t) override {
    if (started_ && cur_ != kNone && its_[cur_]->t() >= t) return true;
    if (started_ && cur_ == kNone) return false;
    started_ = true;
    for (size_t i = 0; i < its_.size(); ++i) {
      // Seek leaves an iterator already at or past t where it is.
      valid_[i] = its_[i]->Seek(t);
    }
    return Pick();
  }

  int64_t t() const override { return its_[cur_]->t(); }
  double v() const override { return its_[cur_]->v(); }
  util::Status status() const override {
    for (const auto& it : its_) {
      if (util::Status s = it->status(); !s.ok()) return s;
    }
    return util::Status::Ok();
  }

 private:
  static constexpr size_t kNone = static_cast<size_t>(-1);

  bool Pick() {
    cur_ = kNone;
    for (size_t i = 0; i < its_.size(); ++i) {
      if (valid_[i] && (cur_ == kNone || its_[i]->t() < its_[cur_]->t())) cur_ = i;
    }
    return cur_ != kNone;
  }

  std::vector<std::unique_ptr<SampleIterator>> its_;
  std::vector<bool> valid_;
  size_t cur_ = kNone;
  bool started_ = false;
};

// K-way merge of sorted series sets.
class MergedSeriesSet final : public SeriesSet {
 public:
  explicit MergedSeriesSet(std::vector<std::unique_ptr<SeriesSet>> sets) : sets_(std::move(sets)), groups_(sets_) {}

  bool Next() override { return groups_.Next(); }
  const model::Labels& labels() const override { return sets_[groups_.group()[0]]->labels(); }

  std::unique_ptr<SampleIterator> Samples() const override {
    const std::vector<size_t>& group = groups_.group();
    if (group.size() == 1) return sets_[group[0]]->Samples();
    std::vector<std::unique_ptr<SampleIterator>> its;
    its.reserve(group.size());
    for (size_t i : group) its.push_back(sets_[i]->Samples());
    return std::make_unique<MergedSampleIterator>(std::move(its));
  }

  util::Status status() const override {
    for (const auto& s : sets_) {
      if (util::Status st = s->status(); !st.ok()) return st;
    }
    return util::Status::Ok();
  }

 private:
  std::vector<std::unique_ptr<SeriesSet>> sets_;
  LabelGroups<SeriesSet> groups_;
};

std::vector<std::string> SortedUnion(std::vector<std::vector<std::string>> parts) {
  std::vector<std::string> out;
  for (auto& p : parts) {
    std::vector<std::string> merged;
    merged.reserve(out.size() + p.size());
    std::set_union(std::make_move_iterator(out.begin()), std::make_move_iterator(out.end()),
                   std::make_move_iterator(p.begin()), std::make_move_iterator(p.end()),
                   std::back_inserter(merged));
    out = std::move(merged);
  }
  return out;
}

class MergeQuerier final : public Querier {
 public:
  explicit MergeQuerier(std::vector<std::unique_ptr<Querier>> queriers) : queriers_(std::move(queriers)) {}

  std::unique_ptr<SeriesSet> Select(std::span<const model::Matcher> matchers) override {
    std::vector<std::unique_ptr<SeriesSet>> sets;
    sets.reserve(queriers_.size());
    for (auto& q : queriers_) sets.push_back(q->Select(matchers));
    return std::make_unique<MergedSeriesSet>(std::move(sets));
  }

  util::StatusOr<std::vector<std::string>> LabelNames(std::span<const model::Matcher> matchers) override {
    std::vector<std::vector<std::string>> parts;
    for (auto& q : queriers_) {
      KS_ASSIGN_OR_RETURN(std::vector<std::string> names, q->LabelNames(matchers));
      parts.push_back(std::move(names));
    }
    return SortedUnion(std::move(parts));
  }

  util::StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                       std::span<const model::Matcher> matchers) override {
    std::vector<std::vector<std::string>> parts;
    for (auto& q : queriers_) {
      KS_ASSIGN_OR_RETURN(std::vector<std::string> values, q->LabelValues(name, matchers));
      parts.push_back(std::move(values));
    }
    return SortedUnion(std::move(parts));
  }

 private:
  std::vector<std::unique_ptr<Querier>> queriers_;
};

}  // namespace

std::unique_ptr<Querier> NewMergeQuerier(std::vector<std::unique_ptr<Querier>> queriers) {
  if (queriers.size() == 1) return std::move(queriers[0]);
  return std::make_unique<MergeQuerier>(std::move(queriers));
}

std::unique_ptr<SampleIterator> NewMergedSampleIterator(std::vector<std::unique_ptr<SampleIterator>> its) {
  if (its.size() == 1) return std::move(its[0]);
  return std::make_unique<MergedSampleIterator>(std::move(its));
}

}  // namespace kubescrape::tsdb
