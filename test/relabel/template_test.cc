#include "relabel/template.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kubescrape::relabel {
namespace {

// Expands `tmpl` against `pattern` matched on `text`, as Go's Expand.
std::string ExpandOn(std::string_view pattern, std::string_view text, std::string_view tmpl) {
  auto re = model::Regex::Compile(pattern);
  EXPECT_TRUE(re.ok());
  std::vector<std::string_view> groups;
  EXPECT_TRUE(re->Match(text, &groups)) << pattern << " on " << text;
  std::string out;
  Template::Parse(tmpl, *re).Expand(groups, &out);
  return out;
}

TEST(TemplateTest, NumberedGroups) {
  EXPECT_EQ(ExpandOn("f(.*)", "foo", "ch${1}-ch${1}"), "choo-choo");
  EXPECT_EQ(ExpandOn("(a)(b)", "ab", "$2$1"), "ba");
  EXPECT_EQ(ExpandOn("(a)(b)", "ab", "$1-x"), "a-x");
  EXPECT_EQ(ExpandOn("(a)", "a", "$0"), "a");
}

TEST(TemplateTest, LongestNameRule) {
  // $1x names group "1x", which does not exist.
  EXPECT_EQ(ExpandOn("(a)", "a", "$1x"), "");
  EXPECT_EQ(ExpandOn("(a)", "a", "${1}x"), "ax");
  EXPECT_EQ(ExpandOn("(a)", "a", "$1_suffix"), "");
}

TEST(TemplateTest, OutOfRangeUnknownAndLeadingZero) {
  EXPECT_EQ(ExpandOn("(a)", "a", "[$2]"), "[]");
  EXPECT_EQ(ExpandOn("(a)", "a", "[${nope}]"), "[]");
  EXPECT_EQ(ExpandOn("(a)", "a", "[$01]"), "[]");  // "01" is a name, not group 1
  EXPECT_EQ(ExpandOn("a", "a", "match${1}"), "match");
}

TEST(TemplateTest, DollarEscapesAndMalformed) {
  EXPECT_EQ(ExpandOn("(a)", "a", "$$1"), "$1");
  EXPECT_EQ(ExpandOn("(a)", "a", "cost $"), "cost $");
  EXPECT_EQ(ExpandOn("(a)", "a", "${1"), "${1");   // missing brace: literal
  EXPECT_EQ(ExpandOn("(a)", "a", "$-"), "$-");
  EXPECT_EQ(ExpandOn("(a)", "a", "${}"), "${}");
}

TEST(TemplateTest, NamedGroups) {
  EXPECT_EQ(ExpandOn("(line1).*(?<second>line2)", "line1\nline2", "val_${second}"), "val_line2");
  EXPECT_EQ(ExpandOn("(line1).*(?<second>line2)", "line1\nline2", "val_$second"), "val_line2");
  // Repeated names: the leftmost that participated.
  EXPECT_EQ(ExpandOn("(?P<x>a)|(?P<x>b)", "b", "$x"), "b");
}

TEST(TemplateTest, UnicodeNameCharacters) {
  // A letter outside ASCII continues the name, as Go's unicode.IsLetter.
  EXPECT_EQ(ExpandOn("(?P<ñame>a)", "a", "$ñame!"), "a!");
}

TEST(TemplateTest, HasDollar) {
  auto re = model::Regex::Compile("(a)");
  EXPECT_TRUE(Template::Parse("x$", *re).has_dollar());
  EXPECT_FALSE(Template::Parse("static", *re).has_dollar());
}

}  // namespace
}  // namespace kubescrape::relabel
