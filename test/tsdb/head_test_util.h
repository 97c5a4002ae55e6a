#pragma once
// Helpers shared by the Head tests.

#include <gtest/gtest.h>

#include <bit>
#include <string>
#include <vector>

#include "model/labels.h"
#include "model/matcher.h"
#include "tsdb/storage.h"

namespace kubescrape::tsdb::testing {

struct Sample {
  int64_t t;
  double v;
  friend bool operator==(const Sample& a, const Sample& b) {
    return a.t == b.t && std::bit_cast<uint64_t>(a.v) == std::bit_cast<uint64_t>(b.v);
  }
};

struct Series {
  model::Labels labels;
  std::vector<Sample> samples;
};

inline model::Matcher M(model::MatchType t, std::string_view name, std::string_view value) {
  auto m = model::Matcher::Make(t, name, value);
  EXPECT_TRUE(m.ok()) << m.status().message();
  return *std::move(m);
}

inline std::vector<Sample> Drain(SampleIterator& it) {
  std::vector<Sample> out;
  while (it.Next()) out.push_back({it.t(), it.v()});
  EXPECT_TRUE(it.status().ok()) << it.status().ToString();
  return out;
}

// Everything a Select over [mint, maxt] returns.
inline std::vector<Series> Query(Storage& s, int64_t mint, int64_t maxt, const std::vector<model::Matcher>& ms) {
  auto q = s.NewQuerier(mint, maxt);
  EXPECT_TRUE(q.ok());
  std::vector<Series> out;
  auto set = (*q)->Select(ms);
  while (set->Next()) {
    auto it = set->Samples();
    out.push_back({set->labels(), Drain(*it)});
  }
  EXPECT_TRUE(set->status().ok());
  return out;
}

inline std::vector<Sample> SamplesOf(Storage& s, const model::Labels& labels, int64_t mint = INT64_MIN,
                                     int64_t maxt = INT64_MAX) {
  std::vector<model::Matcher> ms;
  for (const model::Label& l : labels) ms.push_back(M(model::MatchType::kEqual, l.name, l.value));
  std::vector<Series> got = Query(s, mint, maxt, ms);
  for (Series& g : got) {
    if (g.labels == labels) return g.samples;
  }
  return {};
}

inline std::string Describe(const std::vector<Series>& series) {
  std::string out;
  for (const Series& s : series) out += s.labels.ToString() + " n=" + std::to_string(s.samples.size()) + "\n";
  return out;
}

}  // namespace kubescrape::tsdb::testing
