// MemFileSystem: the in-memory FileSystem with a page-cache/disk split for
// power-cut simulation (see file_system.h).
//
// Model: a tree of Dir objects (inodes). Each Dir has the entries everyone
// sees (`children`) and the entries on "disk" (`durable_children`, copied
// from `children` by SyncDir). Each file Node has its content (`data`) and
// its content on disk (`durable`, brought up to date by Sync). A power cut
// replaces every visible state with the durable one, walking from the root.

#include <fnmatch.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <set>

#include "util/file_system.h"

namespace kubescrape::util {

struct MemFileSystem::Node {
  std::string data;
  std::string durable;
  size_t dirty_from = 0;  // data[0, dirty_from) == durable[0, dirty_from)
};

struct MemFileSystem::Dir {
  struct Entry {
    std::shared_ptr<Node> file;
    std::shared_ptr<Dir> dir;
  };
  std::map<std::string, Entry> children;
  std::map<std::string, Entry> durable_children;
};

struct MemFileSystem::State {
  std::mutex mu;
  std::shared_ptr<Dir> root = std::make_shared<Dir>();  // guarded by mu
  int64_t append_budget = -1;                           // guarded by mu
  Status sync_error;                                    // guarded by mu
};

namespace {

using Node = MemFileSystem::Node;
using Dir = MemFileSystem::Dir;
using Entry = Dir::Entry;

Status NoSuchFile(std::string_view op, const std::string& path) {
  return NotFoundError(std::string(op) + " " + path + ": No such file or directory");
}

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string part = path.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(std::move(part));
    }
    i = j + 1;
  }
  return parts;
}

// The directory holding the last component of `parts`, or null.
Dir* FindParent(Dir* root, const std::vector<std::string>& parts) {
  Dir* d = root;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    auto it = d->children.find(parts[i]);
    if (it == d->children.end() || it->second.dir == nullptr) return nullptr;
    d = it->second.dir.get();
  }
  return d;
}

// The entry at `path`; `root_entry` stands for "/" itself.
const Entry* Find(Dir* root, const std::string& path, Entry* root_entry) {
  std::vector<std::string> parts = Split(path);
  if (parts.empty()) return root_entry;
  Dir* parent = FindParent(root, parts);
  if (parent == nullptr) return nullptr;
  auto it = parent->children.find(parts.back());
  return it == parent->children.end() ? nullptr : &it->second;
}

void SyncNode(Node& n) {
  n.durable.resize(std::min(n.dirty_from, n.durable.size()));
  n.durable.append(n.data, n.dirty_from, std::string::npos);
  n.dirty_from = n.data.size();
}

class MemWritableFile final : public WritableFile {
 public:
  MemWritableFile(std::shared_ptr<MemFileSystem::State> state, std::shared_ptr<Node> node, std::string path)
      : state_(std::move(state)), node_(std::move(node)), path_(std::move(path)) {}

  Status Append(std::string_view data) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (closed_) return FailedPreconditionError("write " + path_ + ": file closed");
    size_t n = data.size();
    if (state_->append_budget >= 0) {
      n = std::min<size_t>(n, static_cast<size_t>(state_->append_budget));
      state_->append_budget -= static_cast<int64_t>(n);
    }
    node_->data.append(data.data(), n);
    if (n < data.size()) return IoError("write " + path_ + ": No space left on device");
    return Status::Ok();
  }
  Status Flush() override { return Status::Ok(); }
  Status Sync() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (!state_->sync_error.ok()) return state_->sync_error;
    SyncNode(*node_);
    return Status::Ok();
  }
  Status Close() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    closed_ = true;
    return Status::Ok();
  }
  uint64_t Size() const override {
    std::lock_guard<std::mutex> lock(state_->mu);
    return node_->data.size();
  }

 private:
  const std::shared_ptr<MemFileSystem::State> state_;
  const std::shared_ptr<Node> node_;
  const std::string path_;
  bool closed_ = false;  // guarded by state_->mu
};

class MemSequentialFile final : public SequentialFile {
 public:
  MemSequentialFile(std::shared_ptr<MemFileSystem::State> state, std::shared_ptr<Node> node)
      : state_(std::move(state)), node_(std::move(node)) {}

  StatusOr<size_t> Read(size_t n, char* scratch) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (pos_ >= node_->data.size()) return size_t{0};
    n = std::min<size_t>(n, node_->data.size() - pos_);
    std::memcpy(scratch, node_->data.data() + pos_, n);
    pos_ += n;
    return n;
  }
  Status Skip(uint64_t n) override {
    pos_ += n;
    return Status::Ok();
  }

 private:
  const std::shared_ptr<MemFileSystem::State> state_;
  const std::shared_ptr<Node> node_;
  uint64_t pos_ = 0;
};

StatusOr<std::unique_ptr<WritableFile>> OpenForWrite(const std::shared_ptr<MemFileSystem::State>& state,
                                                    const std::string& path, bool truncate) {
  std::lock_guard<std::mutex> lock(state->mu);
  std::vector<std::string> parts = Split(path);
  Dir* parent = parts.empty() ? nullptr : FindParent(state->root.get(), parts);
  if (parent == nullptr) return NoSuchFile("open", path);
  Entry& e = parent->children[parts.back()];
  if (e.dir != nullptr) return IoError("open " + path + ": Is a directory");
  if (e.file == nullptr) e.file = std::make_shared<Node>();
  if (truncate) {
    e.file->data.clear();
    e.file->dirty_from = 0;
  }
  return std::unique_ptr<WritableFile>(std::make_unique<MemWritableFile>(state, e.file, path));
}

Status RemoveEntry(MemFileSystem::State& state, const std::string& path, bool dir) {
  std::lock_guard<std::mutex> lock(state.mu);
  std::vector<std::string> parts = Split(path);
  Dir* parent = parts.empty() ? nullptr : FindParent(state.root.get(), parts);
  if (parent == nullptr) return NoSuchFile("remove", path);
  auto it = parent->children.find(parts.back());
  if (it == parent->children.end()) return NoSuchFile("remove", path);
  if (!dir && it->second.dir != nullptr) return IoError("remove " + path + ": Is a directory");
  if (dir && it->second.dir == nullptr) return IoError("remove " + path + ": Not a directory");
  if (dir && !it->second.dir->children.empty()) return IoError("remove " + path + ": Directory not empty");
  parent->children.erase(it);
  return Status::Ok();
}

}  // namespace

MemFileSystem::MemFileSystem() : state_(std::make_shared<State>()) {}
MemFileSystem::~MemFileSystem() = default;

void MemFileSystem::WriteFile(const std::string& path, std::string content) {
  std::lock_guard<std::mutex> lock(state_->mu);
  std::vector<std::string> parts = Split(path);
  if (parts.empty()) return;
  Dir* d = state_->root.get();
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    Entry& e = d->children[parts[i]];
    if (e.dir == nullptr) e = Entry{nullptr, std::make_shared<Dir>()};
    d->durable_children[parts[i]] = e;
    d = e.dir.get();
  }
  auto node = std::make_shared<Node>();
  node->data = std::move(content);
  node->durable = node->data;
  node->dirty_from = node->data.size();
  d->children[parts.back()] = Entry{node, nullptr};
  d->durable_children[parts.back()] = Entry{node, nullptr};
}

StatusOr<std::string> MemFileSystem::ReadFile(const std::string& path) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  Entry root{nullptr, state_->root};
  const Entry* e = Find(state_->root.get(), path, &root);
  if (e == nullptr) return NoSuchFile("open", path);
  if (e->file == nullptr) return IoError("read " + path + ": Is a directory");
  return e->file->data;
}

StatusOr<std::vector<std::string>> MemFileSystem::Glob(const std::string& pattern) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  const std::string prefix = !pattern.empty() && pattern[0] == '/' ? "/" : "";
  std::vector<std::string> out;
  std::function<void(const Dir&, const std::string&)> walk = [&](const Dir& d, const std::string& base) {
    for (const auto& [name, e] : d.children) {
      std::string path = base.empty() ? prefix + name : base + "/" + name;
      if (e.dir != nullptr) {
        walk(*e.dir, path);
      } else if (fnmatch(pattern.c_str(), path.c_str(), FNM_PATHNAME) == 0) {
        out.push_back(path);
      }
    }
  };
  walk(*state_->root, "");
  std::sort(out.begin(), out.end());
  return out;
}

StatusOr<std::unique_ptr<WritableFile>> MemFileSystem::NewWritableFile(const std::string& path) {
  return OpenForWrite(state_, path, /*truncate=*/true);
}

StatusOr<std::unique_ptr<WritableFile>> MemFileSystem::NewAppendableFile(const std::string& path) {
  return OpenForWrite(state_, path, /*truncate=*/false);
}

StatusOr<std::unique_ptr<SequentialFile>> MemFileSystem::NewSequentialFile(const std::string& path) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  Entry root{nullptr, state_->root};
  const Entry* e = Find(state_->root.get(), path, &root);
  if (e == nullptr) return NoSuchFile("open", path);
  if (e->file == nullptr) return IoError("read " + path + ": Is a directory");
  return std::unique_ptr<SequentialFile>(std::make_unique<MemSequentialFile>(state_, e->file));
}

bool MemFileSystem::Exists(const std::string& path) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  Entry root{nullptr, state_->root};
  return Find(state_->root.get(), path, &root) != nullptr;
}

StatusOr<bool> MemFileSystem::IsDirectory(const std::string& path) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  Entry root{nullptr, state_->root};
  const Entry* e = Find(state_->root.get(), path, &root);
  if (e == nullptr) return NoSuchFile("stat", path);
  return e->dir != nullptr;
}

StatusOr<uint64_t> MemFileSystem::FileSize(const std::string& path) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  Entry root{nullptr, state_->root};
  const Entry* e = Find(state_->root.get(), path, &root);
  if (e == nullptr) return NoSuchFile("stat", path);
  if (e->file == nullptr) return uint64_t{4096};
  return static_cast<uint64_t>(e->file->data.size());
}

StatusOr<std::vector<std::string>> MemFileSystem::ListDir(const std::string& dir) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  Entry root{nullptr, state_->root};
  const Entry* e = Find(state_->root.get(), dir, &root);
  if (e == nullptr) return NoSuchFile("opendir", dir);
  if (e->dir == nullptr) return IoError("opendir " + dir + ": Not a directory");
  std::vector<std::string> out;
  for (const auto& [name, child] : e->dir->children) out.push_back(name);
  return out;
}

Status MemFileSystem::CreateDir(const std::string& path) {
  std::lock_guard<std::mutex> lock(state_->mu);
  std::vector<std::string> parts = Split(path);
  if (parts.empty()) return Status::Ok();
  Dir* parent = FindParent(state_->root.get(), parts);
  if (parent == nullptr) return NoSuchFile("mkdir", path);
  auto it = parent->children.find(parts.back());
  if (it != parent->children.end()) {
    if (it->second.dir != nullptr) return Status::Ok();
    return IoError("mkdir " + path + ": File exists");
  }
  parent->children[parts.back()] = Entry{nullptr, std::make_shared<Dir>()};
  return Status::Ok();
}

Status MemFileSystem::CreateDirAll(const std::string& path) {
  std::vector<std::string> parts = Split(path);
  std::string prefix;
  for (const std::string& part : parts) {
    prefix += "/" + part;
    KS_RETURN_IF_ERROR(CreateDir(prefix));
  }
  return Status::Ok();
}

Status MemFileSystem::RemoveFile(const std::string& path) { return RemoveEntry(*state_, path, /*dir=*/false); }
Status MemFileSystem::RemoveDir(const std::string& path) { return RemoveEntry(*state_, path, /*dir=*/true); }

Status MemFileSystem::RemoveAll(const std::string& path) {
  std::lock_guard<std::mutex> lock(state_->mu);
  std::vector<std::string> parts = Split(path);
  if (parts.empty()) return InvalidArgumentError("remove /: refusing to remove the root");
  Dir* parent = FindParent(state_->root.get(), parts);
  if (parent != nullptr) parent->children.erase(parts.back());
  return Status::Ok();
}

Status MemFileSystem::Rename(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> lock(state_->mu);
  std::vector<std::string> src = Split(from);
  std::vector<std::string> dst = Split(to);
  Dir* src_parent = src.empty() ? nullptr : FindParent(state_->root.get(), src);
  if (src_parent == nullptr || !src_parent->children.contains(src.back())) {
    return NoSuchFile("rename " + from + " to", to);
  }
  Dir* dst_parent = dst.empty() ? nullptr : FindParent(state_->root.get(), dst);
  if (dst_parent == nullptr) return NoSuchFile("rename " + from + " to", to);
  Entry moving = src_parent->children[src.back()];
  auto existing = dst_parent->children.find(dst.back());
  if (existing != dst_parent->children.end() && existing->second.dir != nullptr &&
      (moving.dir == nullptr || !existing->second.dir->children.empty())) {
    return IoError("rename " + from + " to " + to + ": Directory not empty or is a directory");
  }
  src_parent->children.erase(src.back());
  dst_parent->children[dst.back()] = std::move(moving);
  return Status::Ok();
}

Status MemFileSystem::Truncate(const std::string& path, uint64_t size) {
  std::lock_guard<std::mutex> lock(state_->mu);
  Entry root{nullptr, state_->root};
  const Entry* e = Find(state_->root.get(), path, &root);
  if (e == nullptr) return NoSuchFile("open", path);
  if (e->file == nullptr) return IoError("truncate " + path + ": Is a directory");
  if (!state_->sync_error.ok()) return state_->sync_error;
  Node& n = *e->file;
  n.data.resize(size, '\0');
  n.dirty_from = std::min<size_t>(n.dirty_from, size);
  SyncNode(n);
  return Status::Ok();
}

Status MemFileSystem::SyncDir(const std::string& dir) {
  std::lock_guard<std::mutex> lock(state_->mu);
  Entry root{nullptr, state_->root};
  const Entry* e = Find(state_->root.get(), dir, &root);
  if (e == nullptr) return NoSuchFile("open", dir);
  if (e->dir == nullptr) return IoError("fsync " + dir + ": Not a directory");
  if (!state_->sync_error.ok()) return state_->sync_error;
  e->dir->durable_children = e->dir->children;
  return Status::Ok();
}

void MemFileSystem::DropUnsyncedData() {
  std::lock_guard<std::mutex> lock(state_->mu);
  std::set<const void*> seen;
  std::function<void(Dir&)> drop = [&](Dir& d) {
    if (!seen.insert(&d).second) return;
    d.children = d.durable_children;
    for (auto& [name, e] : d.children) {
      if (e.dir != nullptr) {
        drop(*e.dir);
      } else if (seen.insert(e.file.get()).second) {
        e.file->data = e.file->durable;
        e.file->dirty_from = e.file->data.size();
      }
    }
  };
  drop(*state_->root);
}

uint64_t MemFileSystem::SyncedSize(const std::string& path) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  Entry root{nullptr, state_->root};
  const Entry* e = Find(state_->root.get(), path, &root);
  if (e == nullptr || e->file == nullptr) return 0;
  return e->file->durable.size();
}

void MemFileSystem::SetAppendBudget(int64_t bytes) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->append_budget = bytes;
}

void MemFileSystem::SetSyncError(Status error) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->sync_error = std::move(error);
}

}  // namespace kubescrape::util
