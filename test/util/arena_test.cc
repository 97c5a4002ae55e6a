#include "util/arena.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kubescrape::util {
namespace {

TEST(ArenaTest, CopiesSurviveLaterAllocations) {
  Arena arena;
  std::vector<std::string_view> views;
  std::vector<std::string> expected;
  for (int i = 0; i < 2000; ++i) {
    expected.push_back("value-" + std::to_string(i));
    views.push_back(arena.Copy(expected.back()));
  }
  for (size_t i = 0; i < views.size(); ++i) EXPECT_EQ(views[i], expected[i]);
}

TEST(ArenaTest, LargeAllocationAndReset) {
  Arena arena;
  std::string big(10000, 'x');
  EXPECT_EQ(arena.Copy(big), big);
  EXPECT_EQ(arena.Copy(""), "");
  arena.Reset();
  size_t reserved = arena.BytesReserved();
  for (int i = 0; i < 100; ++i) arena.Copy("short");
  EXPECT_EQ(arena.BytesReserved(), reserved);  // reused, not grown
}

}  // namespace
}  // namespace kubescrape::util
