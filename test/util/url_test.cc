#include "util/url.h"

#include <gtest/gtest.h>

namespace kubescrape::util {
namespace {

std::string Query(std::string_view s) {
  std::string out;
  AppendQueryEscaped(&out, s);
  return out;
}

std::string Path(std::string_view s) {
  std::string out;
  AppendPathEscaped(&out, s);
  return out;
}

TEST(UrlTest, QueryEscapeAsGo) {
  EXPECT_EQ(Query("app=web,tier!=db"), "app%3Dweb%2Ctier%21%3Ddb");
  EXPECT_EQ(Query("a b~_.-"), "a+b~_.-");
  EXPECT_EQ(Query("env in (a, b)"), "env+in+%28a%2C+b%29");
}

TEST(UrlTest, PathEscapeKeepsPathCharacters) {
  EXPECT_EQ(Path("/metrics/a b"), "/metrics/a%20b");
  EXPECT_EQ(Path("/x;y=1,z@w:%41"), "/x;y=1,z@w:%41");
  EXPECT_EQ(Path("/é"), "/%C3%A9");
}

}  // namespace
}  // namespace kubescrape::util
