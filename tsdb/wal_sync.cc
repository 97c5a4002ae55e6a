// Wal: Sync, SyncLoop and Close (Open and Log are in wal.cc).

#include "tsdb/wal.h"
#include "util/logging.h"

namespace kubescrape::tsdb {

Wal::~Wal() {
  util::Status s = Close();
  if (!s.ok()) util::log::Error("Closing the WAL failed", {{"dir", dir_}, {"err", s}});
}

util::Status Wal::Sync() {
  std::lock_guard<std::mutex> sync_lock(sync_mu_);
  std::vector<std::shared_ptr<util::WritableFile>> finished;
  std::shared_ptr<util::WritableFile> current;
  bool sync_dir = false;
  uint64_t writes = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!error_.ok()) return error_;
    if (closed_) return util::Status::Ok();
    writes = writes_;
    if (finished_.empty() && !dir_dirty_ && writes == synced_writes_) return util::Status::Ok();
    finished.swap(finished_);
    current = current_;
    sync_dir = std::exchange(dir_dirty_, false);
  }
  // The fsyncs run without mu_: committers keep logging meanwhile.
  util::Status s = SyncFiles(finished, current.get(), sync_dir);
  std::lock_guard<std::mutex> lock(mu_);
  if (!s.ok()) {
    if (error_.ok()) error_ = s;
    return s;
  }
  synced_writes_ = writes;
  ++stats_.syncs;
  return s;
}

util::Status Wal::SyncFiles(const std::vector<std::shared_ptr<util::WritableFile>>& finished,
                            util::WritableFile* current, bool sync_dir) {
  // Older segments first, the directory last: when the directory names a
  // segment, everything before it is on disk.
  for (const auto& file : finished) {
    KS_RETURN_IF_ERROR(file->Sync());
    KS_RETURN_IF_ERROR(file->Close());
  }
  if (current != nullptr) KS_RETURN_IF_ERROR(current->Sync());
  if (sync_dir) KS_RETURN_IF_ERROR(fs_.SyncDir(dir_));
  return util::Status::Ok();
}

void Wal::SyncLoop(std::stop_token stop, std::chrono::milliseconds period) {
  bool warned = false;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      rotated_cv_.wait_for(lock, stop, period, [&] { return closed_ || (!finished_.empty() && error_.ok()); });
      if (closed_ || stop.stop_requested()) return;
    }
    util::Status s = Sync();
    if (!s.ok() && !warned) {
      util::log::Error("WAL sync failed; commits are no longer durable", {{"dir", dir_}, {"err", s}});
      warned = true;
    }
  }
}

util::Status Wal::Close() {
  std::lock_guard<std::mutex> sync_lock(sync_mu_);
  std::vector<std::shared_ptr<util::WritableFile>> files;
  bool sync_dir = false;
  util::Status error;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return close_status_;
    closed_ = true;
    rotated_cv_.notify_all();
    if (error_.ok()) {
      PadPage();  // a finished segment is whole pages (wal.md)
      error_ = WriteBuffer();
    }
    error = error_;
    files.swap(finished_);
    if (current_ != nullptr) files.push_back(std::move(current_));
    sync_dir = std::exchange(dir_dirty_, false);
  }
  if (error.ok()) {
    error = SyncFiles(files, nullptr, sync_dir);
  }
  for (const auto& file : files) file->Close().IgnoreError();  // already closed when synced
  close_status_ = error;
  return error;
}

}  // namespace kubescrape::tsdb
