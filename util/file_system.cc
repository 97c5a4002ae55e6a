#include "util/file_system.h"

#include <fnmatch.h>
#include <glob.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace kubescrape::util {
namespace {

class PosixFileSystem final : public FileSystem {
 public:
  StatusOr<std::string> ReadFile(const std::string& path) const override {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      int err = errno;
      std::string msg = "open " + path + ": " + std::strerror(err);
      if (err == ENOENT) return NotFoundError(std::move(msg));
      return IoError(std::move(msg));
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return IoError("read " + path + ": " + std::strerror(errno));
    return ss.str();
  }

  StatusOr<std::vector<std::string>> Glob(const std::string& pattern) const override {
    glob_t g{};
    int rc = ::glob(pattern.c_str(), 0, nullptr, &g);
    std::vector<std::string> out;
    if (rc == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
    }
    globfree(&g);
    if (rc != 0 && rc != GLOB_NOMATCH) return IoError("glob " + pattern + ": failed");
    return out;
  }
};

}  // namespace

FileSystem& FileSystem::Default() {
  static PosixFileSystem fs;
  return fs;
}

void MemFileSystem::WriteFile(const std::string& path, std::string content) {
  std::lock_guard<std::mutex> lock(mu_);
  files_[path] = std::move(content);
}

StatusOr<std::string> MemFileSystem::ReadFile(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return NotFoundError("open " + path + ": No such file or directory");
  return it->second;
}

StatusOr<std::vector<std::string>> MemFileSystem::Glob(const std::string& pattern) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& [path, content] : files_) {
    if (fnmatch(pattern.c_str(), path.c_str(), FNM_PATHNAME) == 0) out.push_back(path);
  }
  return out;
}

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string JoinDir(const std::string& dir, const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  if (dir.empty() || dir == ".") return path;
  return dir + "/" + path;
}

}  // namespace kubescrape::util
