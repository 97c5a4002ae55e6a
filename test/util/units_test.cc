#include "util/units.h"

#include <gtest/gtest.h>

namespace kubescrape::util {
namespace {

TEST(ParseBase2BytesTest, UnitsArePowersOf1024) {
  EXPECT_EQ(*ParseBase2Bytes("0"), 0u);
  EXPECT_EQ(*ParseBase2Bytes("512B"), 512u);
  EXPECT_EQ(*ParseBase2Bytes("100KB"), 100u * 1024);
  EXPECT_EQ(*ParseBase2Bytes("512MB"), 512u << 20);
  EXPECT_EQ(*ParseBase2Bytes("10GiB"), 10ull << 30);
  EXPECT_EQ(*ParseBase2Bytes("2TB"), 2ull << 40);
  EXPECT_EQ(*ParseBase2Bytes("1EB"), 1ull << 60);
}

TEST(ParseBase2BytesTest, BadSizesAreErrors) {
  EXPECT_EQ(ParseBase2Bytes("").status().message(), "units: invalid size \"\"");
  EXPECT_EQ(ParseBase2Bytes("GB").status().message(), "units: invalid size \"GB\"");
  EXPECT_EQ(ParseBase2Bytes("5X").status().message(), "units: unknown unit X in 5X");
  EXPECT_FALSE(ParseBase2Bytes("5").ok());
  EXPECT_FALSE(ParseBase2Bytes("16EB").ok());  // overflows
  EXPECT_FALSE(ParseBase2Bytes("-1GB").ok());
}

}  // namespace
}  // namespace kubescrape::util
