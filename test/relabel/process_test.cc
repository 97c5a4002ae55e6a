#include "relabel/process.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kubescrape::relabel {
namespace {

using model::Labels;

Rule MustRule(RuleConfig c) {
  auto r = Rule::Compile(c);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return *r;
}

TEST(ProcessTest, HashModVectors) {
  // Prometheus's test vectors (TestRelabel 11 and 12).
  EXPECT_EQ(HashMod("baz", 1000), 976u);
  EXPECT_EQ(HashMod("foo\nbar", 1000), 734u);
}

TEST(ProcessTest, ReplaceFastPathSetsLiteral) {
  RuleConfig c;
  c.target_label = "cluster";
  c.replacement = "dev";
  std::vector<Rule> rules = {MustRule(c)};
  auto out = Process(rules, Labels::FromPairs({{"a", "1"}}));
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, Labels::FromPairs({{"a", "1"}, {"cluster", "dev"}}));
}

TEST(ProcessTest, ReplaceWithEmptyResultDeletesTarget) {
  RuleConfig c;
  c.source_labels = {"a"};
  c.source_labels_set = true;
  c.regex = "(f).*";
  c.target_label = "$1";
  c.replacement = "$2";
  std::vector<Rule> rules = {MustRule(c)};
  auto out = Process(rules, Labels::FromPairs({{"a", "foo"}, {"f", "baz"}}));
  EXPECT_EQ(*out, Labels::FromPairs({{"a", "foo"}}));
}

TEST(ProcessTest, MultiSourceJoinReadsMissingAsEmpty) {
  RuleConfig c;
  c.source_labels = {"a", "missing", "b"};
  c.source_labels_set = true;
  c.separator = "/";
  c.target_label = "joined";
  std::vector<Rule> rules = {MustRule(c)};
  auto out = Process(rules, Labels::FromPairs({{"a", "x"}, {"b", "y"}}));
  EXPECT_EQ(out->Get("joined"), "x//y");
}

TEST(ProcessTest, LabelMapCollisionFollowsRangeOrder) {
  // Both a_1 (added by an earlier rule) and b_1 (base) map to "c": Prometheus
  // visits base labels first, then additions, so the addition wins.
  RuleConfig add;
  add.target_label = "a_1";
  add.replacement = "from_addition";
  RuleConfig map;
  map.action = Action::kLabelMap;
  map.regex = "(a|b)_1";
  map.replacement = "c";
  std::vector<Rule> rules = {MustRule(add), MustRule(map)};
  auto out = Process(rules, Labels::FromPairs({{"b_1", "from_base"}}));
  EXPECT_EQ(out->Get("c"), "from_addition");
}

TEST(ProcessTest, LabelKeepCanRemoveAddress) {
  RuleConfig keep;
  keep.action = Action::kLabelKeep;
  keep.regex = "job";
  std::vector<Rule> rules = {MustRule(keep)};
  auto out = Process(rules, Labels::FromPairs({{"__address__", "h:1"}, {"job", "j"}}));
  EXPECT_EQ(*out, Labels::FromPairs({{"job", "j"}}));
}

TEST(ProcessTest, TraceStopsAtTheDroppingRule) {
  RuleConfig drop;
  drop.action = Action::kDrop;
  drop.source_labels = {"ns"};
  drop.source_labels_set = true;
  drop.regex = "kube-system";
  RuleConfig never;
  never.target_label = "x";
  never.replacement = "y";
  std::vector<Rule> rules = {MustRule(drop), MustRule(never)};
  Labels in = Labels::FromPairs({{"ns", "kube-system"}});
  model::LabelsBuilder lb(in);
  std::vector<std::pair<size_t, bool>> steps;
  bool kept = ProcessTraced(rules, lb, [&](size_t i, const model::LabelsBuilder&, bool keep) {
    steps.emplace_back(i, keep);
  });
  EXPECT_FALSE(kept);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0], std::make_pair(size_t{0}, false));
}

TEST(ProcessTest, UppercaseUnicode) {
  RuleConfig c;
  c.action = Action::kUppercase;
  c.source_labels = {"city"};
  c.source_labels_set = true;
  c.target_label = "city_upper";
  std::vector<Rule> rules = {MustRule(c)};
  auto out = Process(rules, Labels::FromPairs({{"city", "m\xC3\xBCnchen"}}));
  EXPECT_EQ(out->Get("city_upper"), "M\xC3\x9CNCHEN");
}

}  // namespace
}  // namespace kubescrape::relabel
