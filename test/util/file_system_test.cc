#include "util/file_system.h"

#include <gtest/gtest.h>

namespace kubescrape::util {
namespace {

TEST(FileSystemTest, DirAndJoin) {
  EXPECT_EQ(DirName("prometheus.yml"), ".");
  EXPECT_EQ(DirName("/etc/prometheus/prometheus.yml"), "/etc/prometheus");
  EXPECT_EQ(DirName("/x"), "/");
  EXPECT_EQ(JoinDir("/etc/p", "token"), "/etc/p/token");
  EXPECT_EQ(JoinDir("/etc/p", "/abs/token"), "/abs/token");
  EXPECT_EQ(JoinDir("/etc/p", ""), "");
  EXPECT_EQ(JoinDir(".", "token"), "token");
}

TEST(FileSystemTest, MemFileSystem) {
  MemFileSystem fs;
  fs.WriteFile("/c/a.yml", "a");
  fs.WriteFile("/c/b.yml", "b");
  fs.WriteFile("/c/sub/c.yml", "c");
  EXPECT_EQ(*fs.ReadFile("/c/a.yml"), "a");
  EXPECT_EQ(fs.ReadFile("/c/missing").status().code(), StatusCode::kNotFound);
  auto matches = fs.Glob("/c/*.yml");
  ASSERT_TRUE(matches.ok());
  EXPECT_EQ(*matches, (std::vector<std::string>{"/c/a.yml", "/c/b.yml"}));
}

TEST(FileSystemTest, PosixReadMissingFileIsNotFound) {
  auto r = FileSystem::Default().ReadFile("/nonexistent/kubescrape/file");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("/nonexistent/kubescrape/file"), std::string::npos);
}

TEST(FileSystemTest, PosixGlobUnmatchedIsEmpty) {
  auto r = FileSystem::Default().Glob("/nonexistent/kubescrape/*.yml");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

}  // namespace
}  // namespace kubescrape::util
