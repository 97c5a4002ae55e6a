#include "model/matcher.h"

#include <gtest/gtest.h>

namespace kubescrape::model {
namespace {

Matcher Make(MatchType t, std::string_view name, std::string_view value) {
  auto m = Matcher::Make(t, name, value);
  EXPECT_TRUE(m.ok()) << m.status().message();
  return *std::move(m);
}

TEST(MatcherTest, EqualityAndAbsentLabelIsEmpty) {
  Matcher eq = Make(MatchType::kEqual, "job", "api");
  EXPECT_TRUE(eq.Matches("api"));
  EXPECT_FALSE(eq.Matches("api2"));
  EXPECT_FALSE(eq.MatchesEmpty());
  EXPECT_TRUE(Make(MatchType::kEqual, "job", "").MatchesEmpty());
  EXPECT_FALSE(Make(MatchType::kNotEqual, "job", "").MatchesEmpty());
  EXPECT_TRUE(Make(MatchType::kNotEqual, "job", "api").MatchesEmpty());
}

TEST(MatcherTest, RegexIsAnchoredAndDotMatchesNewline) {
  Matcher re = Make(MatchType::kRegexMatch, "x", "a.c");
  EXPECT_TRUE(re.Matches("abc"));
  EXPECT_TRUE(re.Matches("a\nc"));
  EXPECT_FALSE(re.Matches("xabc"));
  EXPECT_FALSE(re.Matches("abcx"));
  EXPECT_TRUE(Make(MatchType::kRegexMatch, "x", ".*").MatchesEmpty());
  EXPECT_FALSE(Make(MatchType::kRegexMatch, "x", ".+").MatchesEmpty());
  Matcher alt = Make(MatchType::kRegexMatch, "x", "foo|bar");
  EXPECT_TRUE(alt.Matches("bar"));
  EXPECT_FALSE(alt.Matches("foobar"));
  Matcher nre = Make(MatchType::kRegexNoMatch, "x", "foo|bar");
  EXPECT_TRUE(nre.Matches("baz"));
  EXPECT_FALSE(nre.Matches("foo"));
  EXPECT_TRUE(nre.MatchesEmpty());
}

TEST(MatcherTest, InvalidRegexReadsLikeGo) {
  auto m = Matcher::Make(MatchType::kRegexMatch, "x", "(a");
  ASSERT_FALSE(m.ok());
  // Go reports the anchored expression Prometheus compiles.
  EXPECT_EQ(m.status().message(), "error parsing regexp: missing closing ): `^(?s:(a)$`");
}

TEST(MatcherTest, ToStringQuotesLikePromQL) {
  EXPECT_EQ(Make(MatchType::kRegexNoMatch, "path", "/a\"b").ToString(), "path!~\"/a\\\"b\"");
  EXPECT_EQ(Make(MatchType::kEqual, "job", "x").ToString(), "job=\"x\"");
}

}  // namespace
}  // namespace kubescrape::model
