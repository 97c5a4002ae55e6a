#include "model/validation.h"

#include <gtest/gtest.h>

namespace kubescrape::model {
namespace {

TEST(ValidationTest, LegacyNames) {
  EXPECT_TRUE(IsValidLegacyLabelName("job"));
  EXPECT_TRUE(IsValidLegacyLabelName("_a1"));
  EXPECT_FALSE(IsValidLegacyLabelName("1a"));
  EXPECT_FALSE(IsValidLegacyLabelName("a-b"));
  EXPECT_FALSE(IsValidLegacyLabelName("a:b"));
  EXPECT_FALSE(IsValidLegacyLabelName(""));
  EXPECT_TRUE(IsValidLegacyMetricName("a:b_total"));
  EXPECT_TRUE(IsValidLegacyMetricName(":a"));
  EXPECT_FALSE(IsValidLegacyMetricName("0a"));
}

TEST(ValidationTest, Utf8NamesAreAnyNonEmptyValidUtf8) {
  auto utf8 = NameValidationScheme::kUtf8;
  EXPECT_TRUE(IsValidLabelName("utf-8.label", utf8));
  EXPECT_TRUE(IsValidLabelName("0", utf8));
  EXPECT_TRUE(IsValidLabelName("${3}", utf8));
  EXPECT_FALSE(IsValidLabelName("", utf8));
  EXPECT_FALSE(IsValidLabelName("\xFF", utf8));
  EXPECT_FALSE(IsValidLabelName("utf-8.label", NameValidationScheme::kLegacy));
}

TEST(ValidationTest, ValuesAndSchemes) {
  EXPECT_TRUE(IsValidLabelValue(""));
  EXPECT_TRUE(IsValidLabelValue("line1\nline2"));
  EXPECT_FALSE(IsValidLabelValue("\xC3"));
  EXPECT_EQ(ParseNameValidationScheme("utf8"), NameValidationScheme::kUtf8);
  EXPECT_EQ(ParseNameValidationScheme("legacy"), NameValidationScheme::kLegacy);
  EXPECT_EQ(ParseNameValidationScheme("UTF8"), std::nullopt);
}

}  // namespace
}  // namespace kubescrape::model
