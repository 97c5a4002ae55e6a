#include "model/byte_size.h"

#include <gtest/gtest.h>

namespace kubescrape::model {
namespace {

TEST(ByteSizeTest, ParsesBase2Units) {
  EXPECT_EQ(*ParseByteSize("0"), 0);
  EXPECT_EQ(*ParseByteSize("512B"), 512);
  EXPECT_EQ(*ParseByteSize("1KB"), 1024);
  EXPECT_EQ(*ParseByteSize("1KiB"), 1024);
  EXPECT_EQ(*ParseByteSize("10MB"), 10 << 20);
  EXPECT_EQ(*ParseByteSize("1.5GiB"), int64_t{3} << 29);
  EXPECT_EQ(*ParseByteSize("1KB512B"), 1536);
}

TEST(ByteSizeTest, Rejects) {
  EXPECT_EQ(ParseByteSize("").status().message(), "units: invalid ");
  EXPECT_EQ(ParseByteSize("10").status().message(), "units: unknown unit  in 10");
  EXPECT_EQ(ParseByteSize("10XB").status().message(), "units: unknown unit XB in 10XB");
  EXPECT_EQ(ParseByteSize("MB").status().message(), "units: invalid MB");
  EXPECT_FALSE(ParseByteSize("-1MB").ok());
}

TEST(ByteSizeTest, Formats) {
  EXPECT_EQ(FormatByteSize(0), "0B");
  EXPECT_EQ(FormatByteSize(1000), "1000B");
  EXPECT_EQ(FormatByteSize(10 << 20), "10MiB");
}

}  // namespace
}  // namespace kubescrape::model
