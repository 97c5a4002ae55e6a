#include "util/utf8.h"

#include <gtest/gtest.h>

namespace kubescrape::util {
namespace {

TEST(Utf8Test, Validity) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("m\xC3\xBCnchen"));          // ü
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));         // U+1F600
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));                    // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));                // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));            // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));        // above U+10FFFF
}

TEST(Utf8Test, CaseMappingMatchesGo) {
  EXPECT_EQ(ToLower("bAr123Foo"), "bar123foo");
  EXPECT_EQ(ToUpper("bAr123Foo"), "BAR123FOO");
  EXPECT_EQ(ToUpper("m\xC3\xBCnchen"), "M\xC3\x9CNCHEN");  // ü -> Ü
  EXPECT_EQ(ToLower("\xC4\xB0"), "i");                      // İ -> i (simple mapping)
  EXPECT_EQ(ToUpper("\xC3\x9F"), "\xC3\x9F");               // ß has no simple upper case
  EXPECT_EQ(ToLower("\xE2\x84\xAA"), "k");                  // Kelvin sign -> k
  // Invalid bytes become U+FFFD, as Go's strings.Map does.
  EXPECT_EQ(ToLower("A\xFFz\xC3\x84"), "a\xEF\xBF\xBDz\xC3\xA4");
}

TEST(Utf8Test, WordRunes) {
  EXPECT_TRUE(IsWordRune('a'));
  EXPECT_TRUE(IsWordRune('_'));
  EXPECT_TRUE(IsWordRune('7'));
  EXPECT_TRUE(IsWordRune(U'\u00F1'));  // ñ is a letter
  EXPECT_FALSE(IsWordRune('-'));
  EXPECT_FALSE(IsWordRune('{'));
  EXPECT_FALSE(IsWordRune(' '));
}

TEST(Utf8Test, GoQuote) {
  EXPECT_EQ(GoQuote("foo"), "\"foo\"");
  EXPECT_EQ(GoQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(GoQuote("line1\nline2\t"), "\"line1\\nline2\\t\"");
  EXPECT_EQ(GoQuote("\x01"), "\"\\x01\"");
  EXPECT_EQ(GoQuote("\xFF"), "\"\\xff\"");
  EXPECT_EQ(GoQuote("caf\xC3\xA9"), "\"caf\xC3\xA9\"");  // printable: kept
  EXPECT_EQ(GoQuote("\xE2\x80\x8B"), "\"\\u200b\"");     // zero-width space: escaped
}

TEST(Utf8Test, DecodeAndAppendRoundTrip) {
  std::string s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
  std::string out;
  for (size_t i = 0; i < s.size();) {
    size_t w;
    AppendRune(&out, DecodeRune(s, i, &w));
    i += w;
  }
  EXPECT_EQ(out, s);
}

}  // namespace
}  // namespace kubescrape::util
