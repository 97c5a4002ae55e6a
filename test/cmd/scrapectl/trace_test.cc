#include "cmd/scrapectl/trace.h"

#include <gtest/gtest.h>

namespace kubescrape::scrapectl {
namespace {

TEST(TraceTest, DiffLabels) {
  auto before = model::Labels::FromPairs({{"a", "1"}, {"b", "2"}, {"c", "3"}});
  auto after = model::Labels::FromPairs({{"a", "1"}, {"b", "20"}, {"d", "4"}});
  EXPECT_EQ(DiffLabels(before, after),
            (std::vector<std::string>{"~ b: \"2\" -> \"20\"", "- c=\"3\"", "+ d=\"4\""}));
  EXPECT_TRUE(DiffLabels(before, before).empty());
  EXPECT_EQ(DiffLabels(model::Labels(), before).size(), 3u);
}

TEST(TraceTest, RunTraceRecordsEveryStepUntilTheDrop) {
  relabel::RuleConfig set;
  set.target_label = "x";
  set.replacement = "1";
  relabel::RuleConfig drop;
  drop.action = relabel::Action::kDrop;
  drop.source_labels = {"x"};
  drop.source_labels_set = true;
  drop.regex = "1";
  std::vector<relabel::Rule> rules = {*relabel::Rule::Compile(set), *relabel::Rule::Compile(drop),
                                      *relabel::Rule::Compile(set)};
  Trace t = RunTrace(rules, model::Labels::FromPairs({{"a", "b"}}));
  EXPECT_FALSE(t.kept);
  ASSERT_EQ(t.steps.size(), 2u);
  EXPECT_TRUE(t.steps[0].keep);
  EXPECT_EQ(t.steps[0].after.Get("x"), "1");
  EXPECT_FALSE(t.steps[1].keep);
  std::string text = FormatTrace(rules, t);
  EXPECT_NE(text.find("rule 1:   {target_label: x, replacement: \"1\", action: replace}\n          + x=\"1\"\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("result:   dropped by rule 2 (drop)\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace kubescrape::scrapectl
