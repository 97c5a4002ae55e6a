#include "util/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <glob.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

namespace kubescrape::util {
namespace {

// "op path: reason", NotFound for ENOENT.
Status PosixError(std::string_view op, const std::string& path, int err) {
  std::string msg(op);
  msg += ' ';
  msg += path;
  msg += ": ";
  msg += std::strerror(err);
  if (err == ENOENT) return NotFoundError(std::move(msg));
  return IoError(std::move(msg));
}

Status Unsupported(std::string_view op) {
  return UnimplementedError(std::string(op) + ": not supported by this file system");
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixWritableFile() override { Close().IgnoreError(); }

  Status Append(std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return PosixError("write", path_, errno);
      }
      data.remove_prefix(static_cast<size_t>(n));
      size_.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
    }
    return Status::Ok();
  }
  Status Flush() override { return Status::Ok(); }
  Status Sync() override {
    if (::fdatasync(fd_) != 0) return PosixError("fdatasync", path_, errno);
    return Status::Ok();
  }
  Status Close() override {
    if (fd_ < 0) return Status::Ok();
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return PosixError("close", path_, errno);
    return Status::Ok();
  }
  uint64_t Size() const override { return size_.load(std::memory_order_relaxed); }

 private:
  const std::string path_;
  int fd_;
  std::atomic<uint64_t> size_;
};

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixSequentialFile() override { ::close(fd_); }

  StatusOr<size_t> Read(size_t n, char* scratch) override {
    size_t total = 0;
    while (total < n) {
      ssize_t r = ::read(fd_, scratch + total, n - total);
      if (r < 0) {
        if (errno == EINTR) continue;
        return PosixError("read", path_, errno);
      }
      if (r == 0) break;
      total += static_cast<size_t>(r);
    }
    return total;
  }
  Status Skip(uint64_t n) override {
    if (::lseek(fd_, static_cast<off_t>(n), SEEK_CUR) < 0) return PosixError("seek", path_, errno);
    return Status::Ok();
  }

 private:
  const std::string path_;
  int fd_;
};

class PosixMappedFile final : public MappedFile {
 public:
  PosixMappedFile(void* base, size_t size) : base_(base), size_(size) {}
  ~PosixMappedFile() override {
    if (size_ > 0) ::munmap(base_, size_);
  }
  PosixMappedFile(const PosixMappedFile&) = delete;
  PosixMappedFile& operator=(const PosixMappedFile&) = delete;
  std::string_view data() const override { return {static_cast<const char*>(base_), size_}; }

 private:
  void* const base_;
  const size_t size_;
};

// Owns the bytes of a file read into memory (the default MapFile).
class StringMappedFile final : public MappedFile {
 public:
  explicit StringMappedFile(std::string content) : content_(std::move(content)) {}
  std::string_view data() const override { return content_; }

 private:
  const std::string content_;
};

class PosixFileSystem final : public FileSystem {
 public:
  StatusOr<std::string> ReadFile(const std::string& path) const override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return PosixError("open", path, errno);
    std::string out;
    char buf[64 * 1024];
    while (true) {
      ssize_t n = ::read(fd, buf, sizeof(buf));
      if (n < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        return PosixError("read", path, err);
      }
      if (n == 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return out;
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

  StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    return OpenForWrite(path, O_TRUNC);
  }
  StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override {
    return OpenForWrite(path, O_APPEND);
  }

  StatusOr<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) const override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return PosixError("open", path, errno);
    return std::unique_ptr<SequentialFile>(std::make_unique<PosixSequentialFile>(path, fd));
  }

  StatusOr<std::unique_ptr<MappedFile>> MapFile(const std::string& path) const override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return PosixError("open", path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return PosixError("stat", path, err);
    }
    if (S_ISDIR(st.st_mode)) {
      ::close(fd);
      return PosixError("mmap", path, EISDIR);
    }
    const size_t size = static_cast<size_t>(st.st_size);
    void* base = nullptr;
    if (size > 0) {
      base = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
      if (base == MAP_FAILED) {
        int err = errno;
        ::close(fd);
        return PosixError("mmap", path, err);
      }
    }
    ::close(fd);  // the mapping keeps the file
    return std::unique_ptr<MappedFile>(std::make_unique<PosixMappedFile>(base, size));
  }

  bool Exists(const std::string& path) const override { return ::access(path.c_str(), F_OK) == 0; }

  StatusOr<bool> IsDirectory(const std::string& path) const override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return PosixError("stat", path, errno);
    return S_ISDIR(st.st_mode);
  }

  StatusOr<uint64_t> FileSize(const std::string& path) const override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return PosixError("stat", path, errno);
    return static_cast<uint64_t>(st.st_size);
  }

  StatusOr<std::vector<std::string>> ListDir(const std::string& dir) const override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return PosixError("opendir", dir, errno);
    std::vector<std::string> out;
    errno = 0;
    while (struct dirent* e = ::readdir(d)) {
      std::string_view name(e->d_name);
      if (name != "." && name != "..") out.emplace_back(name);
    }
    int err = errno;
    ::closedir(d);
    if (err != 0) return PosixError("readdir", dir, err);
    std::sort(out.begin(), out.end());
    return out;
  }

  Status CreateDir(const std::string& path) override {
    if (::mkdir(path.c_str(), 0755) == 0) return Status::Ok();
    int err = errno;
    if (err == EEXIST) {
      auto is_dir = IsDirectory(path);
      if (is_dir.ok() && *is_dir) return Status::Ok();
    }
    return PosixError("mkdir", path, err);
  }

  Status CreateDirAll(const std::string& path) override {
    if (path.empty()) return Status::Ok();
    auto is_dir = IsDirectory(path);
    if (is_dir.ok() && *is_dir) return Status::Ok();
    std::string parent = DirName(path);
    if (parent != path && parent != "." && parent != "/") KS_RETURN_IF_ERROR(CreateDirAll(parent));
    return CreateDir(path);
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return PosixError("remove", path, errno);
    return Status::Ok();
  }

  Status RemoveDir(const std::string& path) override {
    if (::rmdir(path.c_str()) != 0) return PosixError("remove", path, errno);
    return Status::Ok();
  }

  Status RemoveAll(const std::string& path) override {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) return Status::Ok();
      return PosixError("stat", path, errno);
    }
    if (!S_ISDIR(st.st_mode)) return RemoveFile(path);
    KS_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(path));
    for (const std::string& name : names) KS_RETURN_IF_ERROR(RemoveAll(path + "/" + name));
    return RemoveDir(path);
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return PosixError("rename " + from + " to", to, errno);
    return Status::Ok();
  }

  Status Truncate(const std::string& path, uint64_t size) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return PosixError("open", path, errno);
    Status s;
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
      s = PosixError("truncate", path, errno);
    } else if (::fsync(fd) != 0) {
      s = PosixError("fsync", path, errno);
    }
    ::close(fd);
    return s;
  }

  Status SyncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return PosixError("open", dir, errno);
    Status s;
    if (::fsync(fd) != 0) s = PosixError("fsync", dir, errno);
    ::close(fd);
    return s;
  }

 private:
  static StatusOr<std::unique_ptr<WritableFile>> OpenForWrite(const std::string& path, int mode) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | mode, 0644);
    if (fd < 0) return PosixError("open", path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return PosixError("stat", path, err);
    }
    return std::unique_ptr<WritableFile>(
        std::make_unique<PosixWritableFile>(path, fd, static_cast<uint64_t>(st.st_size)));
  }
};

}  // namespace

FileSystem& FileSystem::Default() {
  static PosixFileSystem fs;
  return fs;
}

StatusOr<std::unique_ptr<WritableFile>> FileSystem::NewWritableFile(const std::string&) {
  return Unsupported("NewWritableFile");
}
StatusOr<std::unique_ptr<WritableFile>> FileSystem::NewAppendableFile(const std::string&) {
  return Unsupported("NewAppendableFile");
}
StatusOr<std::unique_ptr<SequentialFile>> FileSystem::NewSequentialFile(const std::string&) const {
  return Unsupported("NewSequentialFile");
}
StatusOr<std::unique_ptr<MappedFile>> FileSystem::MapFile(const std::string& path) const {
  KS_ASSIGN_OR_RETURN(std::string content, ReadFile(path));
  return std::unique_ptr<MappedFile>(std::make_unique<StringMappedFile>(std::move(content)));
}
bool FileSystem::Exists(const std::string& path) const { return ReadFile(path).ok(); }
StatusOr<bool> FileSystem::IsDirectory(const std::string&) const { return Unsupported("IsDirectory"); }
StatusOr<uint64_t> FileSystem::FileSize(const std::string& path) const {
  KS_ASSIGN_OR_RETURN(std::string content, ReadFile(path));
  return static_cast<uint64_t>(content.size());
}
StatusOr<std::vector<std::string>> FileSystem::ListDir(const std::string&) const {
  return Unsupported("ListDir");
}
Status FileSystem::CreateDir(const std::string&) { return Unsupported("CreateDir"); }
Status FileSystem::CreateDirAll(const std::string&) { return Unsupported("CreateDirAll"); }
Status FileSystem::RemoveFile(const std::string&) { return Unsupported("RemoveFile"); }
Status FileSystem::RemoveDir(const std::string&) { return Unsupported("RemoveDir"); }
Status FileSystem::RemoveAll(const std::string&) { return Unsupported("RemoveAll"); }
Status FileSystem::Rename(const std::string&, const std::string&) { return Unsupported("Rename"); }
Status FileSystem::Truncate(const std::string&, uint64_t) { return Unsupported("Truncate"); }
Status FileSystem::SyncDir(const std::string&) { return Unsupported("SyncDir"); }

Status WriteFileAtomically(FileSystem& fs, const std::string& path, std::string_view content) {
  const std::string tmp = path + ".tmp";
  {
    KS_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, fs.NewWritableFile(tmp));
    KS_RETURN_IF_ERROR(f->Append(content));
    KS_RETURN_IF_ERROR(f->Sync());
    KS_RETURN_IF_ERROR(f->Close());
  }
  KS_RETURN_IF_ERROR(fs.Rename(tmp, path));
  return fs.SyncDir(DirName(path));
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
