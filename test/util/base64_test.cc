#include "util/base64.h"

#include <gtest/gtest.h>

namespace kubescrape::util {
namespace {

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : cases) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    auto decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
}

TEST(Base64Test, DecodeIgnoresWhitespaceAndRejectsGarbage) {
  EXPECT_EQ(*Base64Decode("Zm9v\nYmFy\n"), "foobar");
  std::string binary("\x00\xff\x10", 3);
  EXPECT_EQ(*Base64Decode(Base64Encode(binary)), binary);
  EXPECT_FALSE(Base64Decode("Zm9").ok());      // not a multiple of 4
  EXPECT_FALSE(Base64Decode("Zm9v!").ok());    // bad character
  EXPECT_FALSE(Base64Decode("Zg==Zg==").ok());  // data after padding
}

}  // namespace
}  // namespace kubescrape::util
