#include "tsdb/postings.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

namespace kubescrape::tsdb {
namespace {

using model::Matcher;
using model::MatchType;
using Refs = std::vector<SeriesRef>;

Matcher M(MatchType t, std::string_view name, std::string_view value) {
  auto m = Matcher::Make(t, name, value);
  EXPECT_TRUE(m.ok()) << m.status().message();
  return *std::move(m);
}

TEST(PostingsAlgebraTest, IntersectMergeWithout) {
  const Refs a = {1, 3, 5, 7, 9}, b = {3, 4, 5, 9, 10}, c = {5, 9, 11};
  EXPECT_EQ(IntersectPostings({a, b, c}), (Refs{5, 9}));
  EXPECT_EQ(IntersectPostings({a}), a);
  EXPECT_EQ(IntersectPostings({}), Refs{});
  EXPECT_EQ(IntersectPostings({a, Refs{}}), Refs{});
  EXPECT_EQ(MergePostings({a, b, c}), (Refs{1, 3, 4, 5, 7, 9, 10, 11}));
  EXPECT_EQ(MergePostings({}), Refs{});
  EXPECT_EQ(MergePostings({c}), c);
  EXPECT_EQ(WithoutPostings(a, b), (Refs{1, 7}));
  EXPECT_EQ(WithoutPostings(a, Refs{}), a);
}

TEST(PostingsAlgebraTest, SkewedIntersectionUsesTheShortList) {
  Refs big;
  for (SeriesRef r = 1; r <= 10000; ++r) big.push_back(r * 2);
  EXPECT_EQ(IntersectPostings({big, Refs{3, 4, 19998, 20000, 20002}}), (Refs{4, 19998, 20000}));
}

TEST(PostingsAlgebraTest, ManyListMerge) {
  std::vector<Refs> lists;
  for (SeriesRef i = 0; i < 37; ++i) lists.push_back({i, i + 100, i + 1000});
  std::vector<std::span<const SeriesRef>> spans(lists.begin(), lists.end());
  Refs merged = MergePostings(spans);
  EXPECT_EQ(merged.size(), 37u * 3);
  EXPECT_TRUE(std::is_sorted(merged.begin(), merged.end()));
}

// A small index and a brute-force oracle over the same label sets.
class MemPostingsTest : public ::testing::Test {
 protected:
  void AddSeries(SeriesRef ref, std::map<std::string, std::string> labels) {
    // The postings keep views: store the strings for the test's lifetime.
    auto& kept = kept_[ref];
    kept = std::move(labels);
    std::vector<model::Label> pairs;
    for (const auto& [n, v] : kept) {
      if (!v.empty()) pairs.push_back({n, v});  // as in Labels: empty = absent
    }
    postings_.Add(ref, pairs);
  }
  Refs Oracle(const std::vector<Matcher>& ms) const {
    Refs out;
    for (const auto& [ref, labels] : kept_) {
      bool ok = true;
      for (const Matcher& m : ms) {
        auto it = labels.find(m.name());
        ok = ok && m.Matches(it == labels.end() ? "" : it->second);
      }
      if (ok) out.push_back(ref);
    }
    return out;
  }
  MemPostings postings_;
  std::map<SeriesRef, std::map<std::string, std::string>> kept_;
};

TEST_F(MemPostingsTest, EveryMatcherTypeIncludingEmptyMatching) {
  AddSeries(1, {{"__name__", "up"}, {"job", "api"}, {"env", "prod"}});
  AddSeries(2, {{"__name__", "up"}, {"job", "db"}});
  AddSeries(3, {{"__name__", "up"}, {"job", "api"}, {"env", "dev"}});
  AddSeries(4, {{"__name__", "cpu"}, {"job", "api"}, {"env", ""}});  // empty = absent
  const std::vector<std::vector<Matcher>> cases = {
      {M(MatchType::kEqual, "__name__", "up")},
      {M(MatchType::kEqual, "job", "api"), M(MatchType::kEqual, "__name__", "up")},
      {M(MatchType::kNotEqual, "job", "api")},
      {M(MatchType::kNotEqual, "env", "prod")},        // includes series without env
      {M(MatchType::kEqual, "env", "")},               // only series without env
      {M(MatchType::kNotEqual, "env", "")},            // only series with env
      {M(MatchType::kRegexMatch, "job", "a.*|d.")},
      {M(MatchType::kRegexMatch, "env", ".*")},        // everything
      {M(MatchType::kRegexMatch, "env", ".+")},        // env set
      {M(MatchType::kRegexMatch, "env", "|prod")},     // prod or absent
      {M(MatchType::kRegexNoMatch, "env", "prod|dev")},
      {M(MatchType::kRegexNoMatch, "env", "")},        // env set
      {M(MatchType::kRegexNoMatch, "job", ".*")},      // nothing
      {M(MatchType::kEqual, "nope", "x")},             // unknown name
      {M(MatchType::kEqual, "nope", "")},              // everything
      {M(MatchType::kEqual, "job", "api"), M(MatchType::kNotEqual, "job", "db"), M(MatchType::kEqual, "env", "")},
      {M(MatchType::kRegexMatch, "env", ".+"), M(MatchType::kNotEqual, "env", "dev")},
  };
  for (const auto& ms : cases) {
    std::string desc;
    for (const Matcher& m : ms) desc += m.ToString() + " ";
    EXPECT_EQ(postings_.ForMatchers(ms), Oracle(ms)) << desc;
  }
  EXPECT_EQ(postings_.ForMatchers({}), (Refs{1, 2, 3, 4}));
  EXPECT_EQ(postings_.NumSeries(), 4u);
}

TEST_F(MemPostingsTest, DeleteDropsEmptyListsAndNames) {
  AddSeries(1, {{"__name__", "up"}, {"pod", "a"}});
  AddSeries(2, {{"__name__", "up"}, {"pod", "b"}});
  std::vector<model::Label> affected = {{"__name__", "up"}, {"pod", "a"}};
  postings_.Delete(Refs{1}, affected);
  EXPECT_EQ(postings_.ForMatchers(std::vector<Matcher>{M(MatchType::kEqual, "__name__", "up")}), Refs{2});
  EXPECT_EQ(postings_.ForMatchers(std::vector<Matcher>{M(MatchType::kEqual, "pod", "a")}), Refs{});
  int pod_values = 0;
  postings_.ForEachValue("pod", [&](std::string_view, const MemPostings::List&) { ++pod_values; });
  EXPECT_EQ(pod_values, 1);
  postings_.Delete(Refs{2}, std::vector<model::Label>{{"__name__", "up"}, {"pod", "b"}});
  int names = 0;
  postings_.ForEachName([&](std::string_view, const MemPostings::ValueMap&) { ++names; });
  EXPECT_EQ(names, 0);
  EXPECT_EQ(postings_.NumSeries(), 0u);
}

TEST_F(MemPostingsTest, OutOfOrderAddsStaySorted) {
  AddSeries(5, {{"a", "1"}});
  AddSeries(3, {{"a", "1"}});
  AddSeries(9, {{"a", "1"}});
  EXPECT_EQ(postings_.ForMatchers(std::vector<Matcher>{M(MatchType::kEqual, "a", "1")}), (Refs{3, 5, 9}));
}

// Random label sets and random matchers of every type against the oracle.
TEST_F(MemPostingsTest, RandomAgainstOracle) {
  std::mt19937 rng(3);
  const char* names[] = {"a", "b", "c", "d"};
  const char* values[] = {"", "x", "y", "z", "xy"};
  for (SeriesRef ref = 1; ref <= 300; ++ref) {
    std::map<std::string, std::string> labels;
    for (const char* n : names) {
      std::string v = values[rng() % 5];
      if (!v.empty()) labels[n] = v;
    }
    AddSeries(ref, labels);
  }
  const char* regexes[] = {"x", "x|y", ".*", ".+", "x.*", "", "|z", "[xy]"};
  for (int i = 0; i < 500; ++i) {
    std::vector<Matcher> ms;
    const int k = 1 + static_cast<int>(rng() % 3);
    for (int j = 0; j < k; ++j) {
      auto type = static_cast<MatchType>(rng() % 4);
      const char* name = rng() % 8 == 0 ? "unknown" : names[rng() % 4];
      std::string value = (type == MatchType::kEqual || type == MatchType::kNotEqual) ? values[rng() % 5]
                                                                                        : regexes[rng() % 8];
      ms.push_back(M(type, name, value));
    }
    std::string desc;
    for (const Matcher& m : ms) desc += m.ToString() + " ";
    ASSERT_EQ(postings_.ForMatchers(ms), Oracle(ms)) << desc;
  }
}

}  // namespace
}  // namespace kubescrape::tsdb
