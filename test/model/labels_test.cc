#include "model/labels.h"

#include <gtest/gtest.h>

#include <unordered_set>

namespace kubescrape::model {
namespace {

TEST(LabelsTest, SortsAndSkipsEmptyValues) {
  Labels l = Labels::FromPairs({{"job", "api"}, {"a", "1"}, {"empty", ""}, {"__name__", "up"}});
  EXPECT_EQ(l.size(), 3u);
  std::vector<std::string> names;
  for (Label x : l) names.emplace_back(x.name);
  EXPECT_EQ(names, (std::vector<std::string>{"__name__", "a", "job"}));
  EXPECT_EQ(l.Get("job"), "api");
  EXPECT_EQ(l.Get("empty"), "");
  EXPECT_EQ(l.Get("missing"), "");
  EXPECT_TRUE(l.Has("a"));
  EXPECT_FALSE(l.Has("empty"));
}

TEST(LabelsTest, DuplicateNamesKeepTheLast) {
  Labels l = Labels::FromPairs({{"a", "1"}, {"a", "2"}});
  EXPECT_EQ(l.size(), 1u);
  EXPECT_EQ(l.Get("a"), "2");
}

TEST(LabelsTest, EmptySetHoldsNoMemory) {
  Labels l;
  EXPECT_TRUE(l.empty());
  EXPECT_EQ(l.size(), 0u);
  EXPECT_EQ(l.ByteSize(), 0u);
  EXPECT_EQ(l.begin(), l.end());
  EXPECT_EQ(l.ToString(), "{}");
  EXPECT_TRUE(Labels::FromPairs({{"a", ""}}).empty());
  EXPECT_EQ(sizeof(Labels), sizeof(void*));
}

TEST(LabelsTest, CopyMoveAndEquality) {
  Labels a = Labels::FromPairs({{"x", "1"}, {"y", "2"}});
  Labels b = a;
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.Hash(), b.Hash());
  Labels c = std::move(b);
  EXPECT_EQ(a, c);
  Labels d = Labels::FromPairs({{"x", "1"}, {"y", "3"}});
  EXPECT_NE(a, d);
  EXPECT_NE(a, Labels());
  a = d;
  EXPECT_EQ(a, d);
  a = a;  // self-assignment
  EXPECT_EQ(a, d);
}

TEST(LabelsTest, CompareFollowsPrometheus) {
  auto L = [](std::initializer_list<std::pair<std::string_view, std::string_view>> p) {
    return Labels::FromPairs(p);
  };
  EXPECT_EQ(Labels::Compare(L({{"a", "1"}}), L({{"a", "1"}})), 0);
  EXPECT_LT(Labels::Compare(L({{"a", "1"}}), L({{"a", "2"}})), 0);
  EXPECT_LT(Labels::Compare(L({{"a", "1"}}), L({{"b", "0"}})), 0);
  EXPECT_LT(Labels::Compare(L({{"a", "1"}}), L({{"a", "1"}, {"b", "1"}})), 0);  // prefix first
  EXPECT_GT(Labels::Compare(L({{"b", "1"}}), L({{"a", "1"}, {"b", "1"}})), 0);
  EXPECT_TRUE(L({{"a", "1"}}) < L({{"a", "2"}}));
}

TEST(LabelsTest, ToStringQuotesLikePrometheus) {
  Labels l = Labels::FromPairs({{"job", "a\"b"}, {"utf-8.label", "v"}, {"x", "line\n"}});
  EXPECT_EQ(l.ToString(), R"({job="a\"b", "utf-8.label"="v", x="line\n"})");
}

TEST(LabelsTest, LongNamesAndValuesUseMultiByteLengths) {
  std::string long_value(300, 'v');
  std::string long_name(200, 'n');
  Labels l = Labels::FromPairs({{long_name, long_value}, {"a", "b"}});
  EXPECT_EQ(l.Get(long_name), long_value);
  EXPECT_EQ(l.Get("a"), "b");
  EXPECT_EQ(l.size(), 2u);
}

TEST(LabelsTest, UsableInHashSets) {
  std::unordered_set<Labels, LabelsHash> set;
  set.insert(Labels::FromPairs({{"a", "1"}}));
  set.insert(Labels::FromPairs({{"a", "1"}}));
  set.insert(Labels::FromPairs({{"a", "2"}}));
  EXPECT_EQ(set.size(), 2u);
}

}  // namespace
}  // namespace kubescrape::model
