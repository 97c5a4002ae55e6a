#pragma once
// FileSystem: the file operations Kubescrape needs, behind an interface so
// tests can run against memory (MemFileSystem) and components never reach for
// the real disk on their own.
//
// Thread-safety: implementations are thread-safe.

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "util/status.h"

namespace kubescrape::util {

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // The whole content of `path`. NotFound if it does not exist, IoError
  // for other failures; the message names the path.
  virtual StatusOr<std::string> ReadFile(const std::string& path) const = 0;

  // The paths matching a shell pattern (`*`, `?`, `[...]`), sorted. An
  // unmatched pattern gives an empty list, not an error.
  virtual StatusOr<std::vector<std::string>> Glob(const std::string& pattern) const = 0;

  // The process's real file system. Lives for the whole process.
  static FileSystem& Default();
};

// An in-memory file system for tests. Glob supports `*` and `?`.
class MemFileSystem final : public FileSystem {
 public:
  void WriteFile(const std::string& path, std::string content);
  StatusOr<std::string> ReadFile(const std::string& path) const override;
  StatusOr<std::vector<std::string>> Glob(const std::string& pattern) const override;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string> files_;  // guarded by mu_
};

// Directory part of `path` ("." when it has none), like Go's filepath.Dir.
std::string DirName(const std::string& path);

// `path` if absolute or empty, else `dir/path` (Prometheus's config.JoinDir).
std::string JoinDir(const std::string& dir, const std::string& path);

}  // namespace kubescrape::util
