#include "relabel/rule.h"

#include <gtest/gtest.h>

namespace kubescrape::relabel {
namespace {

using model::NameValidationScheme;

std::string CompileError(const RuleConfig& c, NameValidationScheme s = NameValidationScheme::kUtf8) {
  auto r = Rule::Compile(c, s);
  return r.ok() ? "" : r.status().message();
}

TEST(RuleTest, ParseActionIsCaseInsensitive) {
  EXPECT_EQ(ParseAction("Replace"), Action::kReplace);
  EXPECT_EQ(ParseAction("LABELMAP"), Action::kLabelMap);
  EXPECT_EQ(ParseAction("keepp"), std::nullopt);
  EXPECT_EQ(ActionName(Action::kHashMod), "hashmod");
}

TEST(RuleTest, DefaultsCompile) {
  RuleConfig c;
  c.target_label = "x";
  auto r = Rule::Compile(c);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->regex().is_default());
  EXPECT_EQ(r->ToString(), "{target_label: x, action: replace}");
}

TEST(RuleTest, ValidationMessagesMatchPrometheus) {
  RuleConfig c;
  c.action = std::nullopt;
  EXPECT_EQ(CompileError(c), "relabel action cannot be empty");

  c = RuleConfig{};
  c.action = Action::kHashMod;
  c.target_label = "h";
  EXPECT_EQ(CompileError(c), "relabel configuration for hashmod requires non-zero modulus");

  c = RuleConfig{};
  EXPECT_EQ(CompileError(c), "relabel configuration for replace action requires 'target_label' value");

  c = RuleConfig{};
  c.action = Action::kLowercase;
  c.target_label = "t";
  c.replacement = "bar";
  EXPECT_EQ(CompileError(c), "'replacement' can not be set for lowercase action");

  c = RuleConfig{};
  c.action = Action::kKeepEqual;
  c.target_label = "t";
  c.regex = "(.*)";  // any explicit regex, even the default's text
  EXPECT_EQ(CompileError(c),
            "keepequal action requires only 'source_labels' and `target_label`, and no other fields");

  c = RuleConfig{};
  c.action = Action::kLabelDrop;
  c.source_labels = {};
  c.source_labels_set = true;  // `source_labels: []` counts as set
  EXPECT_EQ(CompileError(c), "labeldrop action requires only 'regex', and no other fields");

  c = RuleConfig{};
  c.regex = "abc(def";
  c.target_label = "t";
  EXPECT_EQ(CompileError(c), "error parsing regexp: missing closing ): `^(?s:abc(def)$`");
}

TEST(RuleTest, LegacySchemeTargetRules) {
  RuleConfig c;
  c.target_label = "utf-8.label";
  EXPECT_EQ(CompileError(c), "");
  EXPECT_EQ(CompileError(c, NameValidationScheme::kLegacy),
            "\"utf-8.label\" is invalid 'target_label' for replace action");
  c.target_label = "${1}label";  // templates allowed in legacy mode
  EXPECT_EQ(CompileError(c, NameValidationScheme::kLegacy), "");
  c.target_label = "-foo${1}bar-";
  EXPECT_NE(CompileError(c, NameValidationScheme::kLegacy), "");

  RuleConfig lower;
  lower.action = Action::kLowercase;
  lower.target_label = "${3}";  // TestRelabelValidate[4]: fails only under legacy
  EXPECT_EQ(CompileError(lower), "");
  EXPECT_EQ(CompileError(lower, NameValidationScheme::kLegacy),
            "\"${3}\" is invalid 'target_label' for lowercase action");

  RuleConfig map;
  map.action = Action::kLabelMap;
  map.replacement = "${1}";  // TestRelabelValidate[9]: valid under legacy
  EXPECT_EQ(CompileError(map, NameValidationScheme::kLegacy), "");
}

}  // namespace
}  // namespace kubescrape::relabel
