#include "util/file_system.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>
#include <vector>

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

// The contract both implementations keep, exercised under `root` (which
// exists and is empty).
void ExerciseFileSystem(FileSystem& fs, const std::string& root) {
  const std::string dir = root + "/a/b";
  ASSERT_TRUE(fs.CreateDirAll(dir).ok());
  ASSERT_TRUE(fs.CreateDir(dir).ok()) << "existing directory is OK";
  EXPECT_TRUE(*fs.IsDirectory(dir));
  EXPECT_TRUE(fs.Exists(dir));

  auto f = fs.NewWritableFile(dir + "/f");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_TRUE((*f)->Append("hello ").ok());
  ASSERT_TRUE((*f)->Append("world").ok());
  EXPECT_EQ((*f)->Size(), 11u);
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE((*f)->Close().ok());
  EXPECT_EQ(*fs.ReadFile(dir + "/f"), "hello world");
  EXPECT_EQ(*fs.FileSize(dir + "/f"), 11u);
  EXPECT_FALSE(*fs.IsDirectory(dir + "/f"));

  auto app = fs.NewAppendableFile(dir + "/f");
  ASSERT_TRUE(app.ok());
  EXPECT_EQ((*app)->Size(), 11u);
  ASSERT_TRUE((*app)->Append("!").ok());
  ASSERT_TRUE((*app)->Close().ok());
  EXPECT_EQ(*fs.ReadFile(dir + "/f"), "hello world!");

  auto seq = fs.NewSequentialFile(dir + "/f");
  ASSERT_TRUE(seq.ok());
  char buf[8];
  ASSERT_TRUE((*seq)->Skip(2).ok());
  EXPECT_EQ(*(*seq)->Read(8, buf), 8u);
  EXPECT_EQ(std::string(buf, 8), "llo worl");
  EXPECT_EQ(*(*seq)->Read(8, buf), 2u);
  EXPECT_EQ(*(*seq)->Read(8, buf), 0u);

  ASSERT_TRUE(fs.Truncate(dir + "/f", 5).ok());
  EXPECT_EQ(*fs.ReadFile(dir + "/f"), "hello");
  ASSERT_TRUE(fs.Truncate(dir + "/f", 7).ok());
  EXPECT_EQ(*fs.ReadFile(dir + "/f"), std::string("hello\0\0", 7));

  ASSERT_TRUE(fs.Rename(dir + "/f", dir + "/g").ok());
  EXPECT_FALSE(fs.Exists(dir + "/f"));
  ASSERT_TRUE(WriteFileAtomically(fs, dir + "/h", "atomic").ok());
  EXPECT_EQ(*fs.ReadFile(dir + "/h"), "atomic");
  ASSERT_TRUE(fs.CreateDir(dir + "/sub").ok());
  EXPECT_EQ(*fs.ListDir(dir), (std::vector<std::string>{"g", "h", "sub"}));
  ASSERT_TRUE(fs.SyncDir(dir).ok());

  EXPECT_FALSE(fs.RemoveDir(dir).ok()) << "not empty";
  EXPECT_FALSE(fs.RemoveFile(dir + "/sub").ok()) << "a directory";
  EXPECT_FALSE(fs.RemoveDir(dir + "/g").ok()) << "a file";
  ASSERT_TRUE(fs.RemoveFile(dir + "/g").ok());
  EXPECT_EQ(fs.RemoveFile(dir + "/g").code(), StatusCode::kNotFound);
  ASSERT_TRUE(fs.RemoveDir(dir + "/sub").ok());
  ASSERT_TRUE(fs.RemoveAll(root + "/a").ok());
  EXPECT_FALSE(fs.Exists(root + "/a"));
  ASSERT_TRUE(fs.RemoveAll(root + "/a").ok()) << "missing is OK";
  EXPECT_EQ(*fs.ListDir(root), std::vector<std::string>{});

  // Errors name the operation, the path and the reason.
  auto missing = fs.NewWritableFile(root + "/nodir/x");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find(root + "/nodir/x: No such file or directory"), std::string::npos)
      << missing.status().message();
  EXPECT_EQ(fs.ListDir(root + "/nodir").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(fs.FileSize(root + "/nodir").status().code(), StatusCode::kNotFound);
}

TEST(FileSystemTest, MemFileSystemContract) {
  MemFileSystem fs;
  ASSERT_TRUE(fs.CreateDir("/root").ok());
  ExerciseFileSystem(fs, "/root");
}

TEST(FileSystemTest, PosixContract) {
  char tmpl[] = "/tmp/ks_fs_test_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  ExerciseFileSystem(FileSystem::Default(), tmpl);
  ASSERT_TRUE(FileSystem::Default().RemoveAll(tmpl).ok());
}

TEST(FileSystemTest, MemPowerCutKeepsOnlySyncedBytes) {
  MemFileSystem fs;
  ASSERT_TRUE(fs.CreateDirAll("/d").ok());
  ASSERT_TRUE(fs.SyncDir("/").ok());
  auto f = fs.NewWritableFile("/d/f");
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("abc").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE((*f)->Append("def").ok());
  EXPECT_EQ(fs.SyncedSize("/d/f"), 3u);
  ASSERT_TRUE(fs.SyncDir("/d").ok());
  auto unlisted = fs.NewWritableFile("/d/unlisted");  // its directory entry is never synced
  ASSERT_TRUE(unlisted.ok());
  ASSERT_TRUE((*unlisted)->Append("x").ok());
  ASSERT_TRUE((*unlisted)->Sync().ok());

  fs.DropUnsyncedData();
  EXPECT_EQ(*fs.ReadFile("/d/f"), "abc");
  EXPECT_FALSE(fs.Exists("/d/unlisted"));
  // The open file keeps writing after the surviving bytes.
  ASSERT_TRUE((*f)->Append("g").ok());
  EXPECT_EQ(*fs.ReadFile("/d/f"), "abcg");
}

TEST(FileSystemTest, MemPowerCutUndoesUnsyncedRenameAndRemove) {
  MemFileSystem fs;
  fs.WriteFile("/d/a", "A");
  fs.WriteFile("/d/gone", "G");
  ASSERT_TRUE(fs.Rename("/d/a", "/d/b").ok());
  ASSERT_TRUE(fs.RemoveFile("/d/gone").ok());
  fs.DropUnsyncedData();
  EXPECT_EQ(*fs.ReadFile("/d/a"), "A");
  EXPECT_FALSE(fs.Exists("/d/b"));
  EXPECT_TRUE(fs.Exists("/d/gone"));

  ASSERT_TRUE(fs.Rename("/d/a", "/d/b").ok());
  ASSERT_TRUE(fs.SyncDir("/d").ok());
  fs.DropUnsyncedData();
  EXPECT_FALSE(fs.Exists("/d/a"));
  EXPECT_EQ(*fs.ReadFile("/d/b"), "A");
}

TEST(FileSystemTest, MemInjectedFaults) {
  MemFileSystem fs;
  ASSERT_TRUE(fs.CreateDir("/d").ok());
  auto f = fs.NewWritableFile("/d/f");
  ASSERT_TRUE(f.ok());
  fs.SetAppendBudget(4);
  ASSERT_TRUE((*f)->Append("ab").ok());
  Status s = (*f)->Append("cdef");
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_NE(s.message().find("/d/f"), std::string::npos);
  EXPECT_EQ(*fs.ReadFile("/d/f"), "abcd") << "a torn write keeps what fit";
  fs.SetAppendBudget(-1);

  fs.SetSyncError(IoError("fsync /d/f: Input/output error"));
  EXPECT_EQ((*f)->Sync().code(), StatusCode::kIoError);
  EXPECT_EQ(fs.SyncDir("/d").code(), StatusCode::kIoError);
  EXPECT_EQ(fs.SyncedSize("/d/f"), 0u);
  fs.SetSyncError(Status::Ok());
  ASSERT_TRUE((*f)->Sync().ok());
  EXPECT_EQ(fs.SyncedSize("/d/f"), 4u);
}

TEST(FileSystemTest, MemGlobKeepsRelativePaths) {
  MemFileSystem fs;
  fs.WriteFile("c/a.yml", "a");
  EXPECT_EQ(*fs.Glob("c/*.yml"), std::vector<std::string>{"c/a.yml"});
  EXPECT_EQ(*fs.ReadFile("/c/a.yml"), "a");
}

// MapFile: the whole content, an empty file as an empty view, and a missing
// file as NotFound naming the path.
void ExerciseMapFile(FileSystem& fs, const std::string& root) {
  ASSERT_TRUE(WriteFileAtomically(fs, root + "/m", std::string("map\0me", 6)).ok());
  ASSERT_TRUE(WriteFileAtomically(fs, root + "/empty", "").ok());
  auto m = fs.MapFile(root + "/m");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ((*m)->data(), std::string_view("map\0me", 6));
  auto empty = fs.MapFile(root + "/empty");
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE((*empty)->data().empty());
  auto missing = fs.MapFile(root + "/missing");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find(root + "/missing"), std::string::npos)
      << missing.status().message();
  // The mapping outlives removing the file (POSIX keeps the pages).
  ASSERT_TRUE(fs.RemoveFile(root + "/m").ok());
  EXPECT_EQ((*m)->data(), std::string_view("map\0me", 6));
}

TEST(FileSystemTest, MemMapFile) {
  MemFileSystem fs;
  ASSERT_TRUE(fs.CreateDir("/root").ok());
  ExerciseMapFile(fs, "/root");
}

TEST(FileSystemTest, PosixMapFile) {
  char tmpl[] = "/tmp/ks_fs_test_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  ExerciseMapFile(FileSystem::Default(), tmpl);
  EXPECT_EQ(FileSystem::Default().MapFile(tmpl).status().code(), StatusCode::kIoError)
      << "a directory";
  ASSERT_TRUE(FileSystem::Default().RemoveAll(tmpl).ok());
}

}  // namespace
}  // namespace kubescrape::util
