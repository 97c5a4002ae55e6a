#pragma once
// FileSystem: the file operations Kubescrape needs, behind an interface so
// tests can run against memory (MemFileSystem) and components never reach for
// the real disk on their own. Modelled on LevelDB's Env.
//
// Durability vocabulary (docs/format/durability.md): data handed to the OS
// (WritableFile::Append returned) survives a crash of the process; it
// survives a power cut only after WritableFile::Sync, and a file created,
// renamed or removed is durably so only after SyncDir of its directory.
//
// Errors: NotFound when a path does not exist, IoError otherwise; messages
// name the operation, the path and the OS's reason ("open /x: Permission
// denied").
//
// Thread-safety: FileSystem implementations are thread-safe. A WritableFile
// has one writer; its Sync() and Size() may run concurrently with Append().
// A SequentialFile has one reader.
//
// The operations beyond ReadFile and Glob have default implementations that
// return Unimplemented, so small test doubles need only what they use.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace kubescrape::util {

// A file being written at its end. Unbuffered: each Append is handed to the
// OS (a write(2) on POSIX), so callers batch their bytes. Close() is called
// by the destructor when the caller did not (errors then are lost).
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends `data`. On error a prefix of it may have been written.
  virtual Status Append(std::string_view data) = 0;
  // Hands any buffered bytes to the OS (a no-op for unbuffered files).
  virtual Status Flush() = 0;
  // Makes every appended byte durable (fdatasync).
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
  // The file's size, counting everything appended.
  virtual uint64_t Size() const = 0;
};

// A file read from start to end.
class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to `n` bytes into `scratch`; returns how many were read, fewer
  // than `n` only at end of file (0 there).
  virtual StatusOr<size_t> Read(size_t n, char* scratch) = 0;
  virtual Status Skip(uint64_t n) = 0;
};

// A read-only view of a whole file's bytes (an mmap on POSIX). The view is
// valid, and does not change, until the MappedFile is destroyed; the file
// must not be written while mapped.
class MappedFile {
 public:
  virtual ~MappedFile() = default;
  virtual std::string_view data() const = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // The whole content of `path`.
  virtual StatusOr<std::string> ReadFile(const std::string& path) const = 0;

  // The paths matching a shell pattern (`*`, `?`, `[...]`), sorted. An
  // unmatched pattern gives an empty list, not an error.
  virtual StatusOr<std::vector<std::string>> Glob(const std::string& pattern) const = 0;

  // Creates `path` empty (truncating an existing file) for writing.
  virtual StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path);
  // Opens `path` for writing at its end, creating it if missing.
  virtual StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path);
  virtual StatusOr<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) const;
  // Maps `path` read-only. The default reads it into memory (so MemFileSystem
  // and test doubles get it for free); POSIX mmaps it (an empty file maps to
  // an empty view).
  virtual StatusOr<std::unique_ptr<MappedFile>> MapFile(const std::string& path) const;

  virtual bool Exists(const std::string& path) const;
  virtual StatusOr<bool> IsDirectory(const std::string& path) const;
  virtual StatusOr<uint64_t> FileSize(const std::string& path) const;
  // The names (not paths) in directory `dir`, sorted, without "." and "..".
  virtual StatusOr<std::vector<std::string>> ListDir(const std::string& dir) const;

  // Creates directory `path`; OK when it already exists as a directory.
  // REQUIRES: its parent exists.
  virtual Status CreateDir(const std::string& path);
  // Creates `path` and any missing parents.
  virtual Status CreateDirAll(const std::string& path);
  // Removes file `path` (unlink) / empty directory `path` (rmdir).
  virtual Status RemoveFile(const std::string& path);
  virtual Status RemoveDir(const std::string& path);
  // Removes `path` and everything under it; OK when it does not exist.
  virtual Status RemoveAll(const std::string& path);
  // Atomically renames a file or directory, replacing a file at `to`.
  virtual Status Rename(const std::string& from, const std::string& to);
  // Cuts or extends (with zeros) file `path` to `size` bytes and makes the
  // file durable (the new size and all its content) before returning.
  virtual Status Truncate(const std::string& path, uint64_t size);
  // Makes the entries of directory `dir` (creations, renames, removals)
  // durable.
  virtual Status SyncDir(const std::string& dir);

  // The process's real file system. Lives for the whole process.
  static FileSystem& Default();
};

// Writes `content` to `path` so that after a crash `path` holds either its
// old content or the new one: writes `path.tmp`, syncs it, renames it over
// `path` and syncs the directory.
Status WriteFileAtomically(FileSystem& fs, const std::string& path, std::string_view content);

// An in-memory file system for tests, with fault injection. It models the
// page cache and the disk separately: reads see everything written; a
// simulated power cut (DropUnsyncedData) keeps only what was synced: file
// content as of its last Sync/Truncate, and directory entries as of the last
// SyncDir of their directory. Glob supports `*` and `?`. Paths are
// '/'-separated; relative paths resolve against the root.
class MemFileSystem final : public FileSystem {
 public:
  MemFileSystem();
  ~MemFileSystem() override;
  MemFileSystem(const MemFileSystem&) = delete;
  MemFileSystem& operator=(const MemFileSystem&) = delete;

  // Creates or replaces `path` (and missing parent directories) with
  // `content`, all of it already durable: a file that was there "before".
  void WriteFile(const std::string& path, std::string content);

  StatusOr<std::string> ReadFile(const std::string& path) const override;
  StatusOr<std::vector<std::string>> Glob(const std::string& pattern) const override;
  StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  StatusOr<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) const override;
  bool Exists(const std::string& path) const override;
  StatusOr<bool> IsDirectory(const std::string& path) const override;
  StatusOr<uint64_t> FileSize(const std::string& path) const override;
  StatusOr<std::vector<std::string>> ListDir(const std::string& dir) const override;
  Status CreateDir(const std::string& path) override;
  Status CreateDirAll(const std::string& path) override;
  Status RemoveFile(const std::string& path) override;
  Status RemoveDir(const std::string& path) override;
  Status RemoveAll(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Truncate(const std::string& path, uint64_t size) override;
  Status SyncDir(const std::string& dir) override;

  // --- Fault injection -----------------------------------------------------

  // Simulates a power cut: every file loses what was not synced and every
  // directory its entries not made durable by SyncDir. Open WritableFiles
  // keep working on the surviving content (as if reopened).
  void DropUnsyncedData();
  // Bytes of `path` that are durable (0 when the file is unknown).
  uint64_t SyncedSize(const std::string& path) const;
  // After `bytes` more bytes have been appended (to any file), appends write
  // only what fits and fail with IoError (a full disk, a torn write).
  // Negative: no limit (the default).
  void SetAppendBudget(int64_t bytes);
  // While set to an error, every WritableFile::Sync and SyncDir fails with it
  // and syncs nothing.
  void SetSyncError(Status error);

  struct Node;
  struct Dir;
  struct State;

 private:
  std::shared_ptr<State> state_;  // shared with open files; internally locked
};

// Directory part of `path` ("." when it has none), like Go's filepath.Dir.
std::string DirName(const std::string& path);

// `path` if absolute or empty, else `dir/path` (Prometheus's config.JoinDir).
std::string JoinDir(const std::string& dir, const std::string& path);

}  // namespace kubescrape::util
