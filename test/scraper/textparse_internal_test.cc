// Tests of the exposition parsers' helpers (scraper/textparse_internal.h):
// Go-compatible float parsing and formatting, unescaping.

#include "scraper/textparse_internal.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace kubescrape::scraper::textparse_internal {
namespace {

TEST(FormatOpenMetricsFloatTest, MatchesGo) {
  // Expected strings are Go's strconv.FormatFloat(f, 'g', -1, 64), plus ".0"
  // when there is no '.' or 'e'.
  struct {
    double f;
    const char* want;
  } cases[] = {
      {1, "1.0"},           {0, "0.0"},           {-1, "-1.0"},          {10, "10.0"},
      {0.25, "0.25"},       {1e6, "1e+06"},       {100000, "100000.0"},  {123456, "123456.0"},
      {1234567, "1.234567e+06"}, {0.0001, "0.0001"}, {0.00001, "1e-05"},  {1.5e-7, "1.5e-07"},
      {1e21, "1e+21"},      {1e100, "1e+100"},    {-0.0, "-0.0"},        {8.999999999999998, "8.999999999999998"},
      {0.1, "0.1"},         {2.5, "2.5"},         {5e-324, "5e-324"},    {1.7976931348623157e308, "1.7976931348623157e+308"},
      {std::numeric_limits<double>::infinity(), "+Inf"},
      {-std::numeric_limits<double>::infinity(), "-Inf"},
      {std::numeric_limits<double>::quiet_NaN(), "NaN"},
  };
  for (const auto& c : cases) EXPECT_EQ(FormatOpenMetricsFloat(c.f), c.want) << c.want;
}

TEST(NormalizeFloatLabelValueTest, CanonicalAndNot) {
  util::Arena arena;
  struct {
    const char* in;
    const char* want;
  } cases[] = {
      {"1", "1.0"},         {"0.005", "0.005"},  {"+Inf", "+Inf"},   {"+inf", "+Inf"},  {"Inf", "+Inf"},
      {"1.50", "1.5"},      {"10.0", "10.0"},    {"0.0", "0.0"},     {"00.5", "0.5"},   {"0.00001", "1e-05"},
      {"0.0001", "0.0001"}, {"1000000.0", "1e+06"}, {"x", "x"},      {"", ""},          {"1_0", "1_0"},
      {"123456.5", "123456.5"}, {"0.1234567890123456", "0.1234567890123456"}, {"nan", "NaN"},
  };
  for (const auto& c : cases) EXPECT_EQ(NormalizeFloatLabelValue(c.in, &arena), c.want) << c.in;
}

TEST(ParseGoFloatTest, Errors) {
  double v;
  EXPECT_EQ(ParseGoFloat("1_000", true, &v), FloatStatus::kUnsupported);
  EXPECT_EQ(ParseGoFloat("1_000", false, &v), FloatStatus::kSyntax);
  EXPECT_EQ(ParseGoFloat("0x1p3", true, &v), FloatStatus::kUnsupported);
  EXPECT_EQ(ParseGoFloat("1e309", true, &v), FloatStatus::kRange);
  EXPECT_EQ(ParseGoFloat("-1e309", true, &v), FloatStatus::kRange);
  EXPECT_EQ(ParseGoFloat("1e-400", true, &v), FloatStatus::kOk);
  EXPECT_EQ(v, 0);
  EXPECT_EQ(FloatErrorMessage(FloatStatus::kSyntax, "a\"b"), R"(strconv.ParseFloat: parsing "a\"b": invalid syntax)");
  EXPECT_EQ(FloatErrorMessage(FloatStatus::kRange, "1e309"), R"(strconv.ParseFloat: parsing "1e309": value out of range)");
}

TEST(UnescapeTest, LabelValueAndHelpRules) {
  util::Arena arena;
  EXPECT_EQ(Unescape(R"(a\\b\nc\"d\te\)", true, &arena), "a\\b\nc\"d\\te\\");
  EXPECT_EQ(Unescape(R"(a\\b\nc\"d)", false, &arena), "a\\b\nc\\\"d");
  EXPECT_EQ(Unescape(R"(\\n)", true, &arena), "\\n");  // left to right, like Go's Replacer
  std::string_view plain = "no escapes";
  EXPECT_EQ(Unescape(plain, true, &arena).data(), plain.data());
}

}  // namespace
}  // namespace kubescrape::scraper::textparse_internal
