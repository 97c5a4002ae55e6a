// Head snapshots: writing on shutdown, loading on open (head_snapshot.h,
// docs/format/snapshot.md).
#include "tsdb/head_snapshot.h"

#include <atomic>
#include <charconv>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "tsdb/head_series.h"
#include "tsdb/snapshot_format.h"
#include "tsdb/wal.h"
#include "tsdb/work_queue.h"
#include "util/coding.h"
#include "util/logging.h"

namespace kubescrape::tsdb {

using namespace snapshot_format;  // NOLINT: the format's constants

namespace {

void EncodeEntry(SeriesRef ref, std::span<const model::Label> labels, const SeriesState& st, std::string* out) {
  util::PutUvarint64(out, ref);
  util::PutUvarint64(out, labels.size());
  for (const model::Label& l : labels) {
    util::PutLengthPrefixed(out, l.name);
    util::PutLengthPrefixed(out, l.value);
  }
  util::PutVarint64(out, st.max_t);
  util::PutVarint64(out, st.next_at);
  util::PutVarint64(out, st.enc.t);
  util::PutFixed64BE(out, st.enc.v_bits);
  util::PutUvarint64(out, st.enc.t_delta);
  util::PutUvarint64(out, st.enc.num);
  out->push_back(static_cast<char>(st.enc.leading));
  out->push_back(static_cast<char>(st.enc.trailing));
  util::PutUvarint64(out, st.sealed.size());
  for (const ChunkView& c : st.sealed) {
    util::PutVarint64(out, c.min_t);
    util::PutVarint64(out, c.max_t);
    util::PutLengthPrefixed(out, {reinterpret_cast<const char*>(c.bytes.data()), c.bytes.size()});
  }
  util::PutUvarint64(out, st.open.size());
  if (!st.open.empty()) {
    out->push_back(static_cast<char>(st.open_free_bits));
    out->append(reinterpret_cast<const char*>(st.open.data()), st.open.size());
  }
}

bool GetByte(std::string_view* in, uint8_t* b) {
  if (in->empty()) return false;
  *b = static_cast<uint8_t>((*in)[0]);
  in->remove_prefix(1);
  return true;
}

std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

util::Status Bad(std::string_view what) {
  return util::CorruptionError("head snapshot: " + std::string(what));
}

// Decodes the entries of one Series record and restores them into `head`.
util::Status RestoreRecord(std::string_view rec, Head& head, uint64_t* series, uint64_t* chunks) {
  thread_local SeriesState st;
  thread_local std::vector<model::Label> labels;
  rec.remove_prefix(1);  // the type
  while (!rec.empty()) {
    uint64_t ref = 0, n = 0;
    if (!util::GetUvarint64(&rec, &ref) || !util::GetUvarint64(&rec, &n) || n > rec.size()) {
      return Bad("truncated series entry");
    }
    labels.clear();
    for (uint64_t i = 0; i < n; ++i) {
      model::Label l;
      if (!util::GetLengthPrefixed(&rec, &l.name) || !util::GetLengthPrefixed(&rec, &l.value)) {
        return Bad("truncated labels");
      }
      if (!labels.empty() && labels.back().name >= l.name) return Bad("labels out of order");
      labels.push_back(l);
    }
    uint64_t num = 0, k = 0, open_len = 0;
    if (!util::GetVarint64(&rec, &st.max_t) || !util::GetVarint64(&rec, &st.next_at) ||
        !util::GetVarint64(&rec, &st.enc.t) || !util::GetFixed64BE(&rec, &st.enc.v_bits) ||
        !util::GetUvarint64(&rec, &st.enc.t_delta) || !util::GetUvarint64(&rec, &num) ||
        !GetByte(&rec, &st.enc.leading) || !GetByte(&rec, &st.enc.trailing) || !util::GetUvarint64(&rec, &k) ||
        num > chunk_format::kMaxSamples || k > rec.size()) {
      return Bad("truncated series state");
    }
    st.enc.num = static_cast<uint16_t>(num);
    st.sealed.clear();
    for (uint64_t i = 0; i < k; ++i) {
      ChunkView c{};
      std::string_view bytes;
      if (!util::GetVarint64(&rec, &c.min_t) || !util::GetVarint64(&rec, &c.max_t) ||
          !util::GetLengthPrefixed(&rec, &bytes)) {
        return Bad("truncated chunk");
      }
      if (bytes.size() < chunk_format::kHeaderBytes || bytes.size() > 0xFFFF || c.min_t > c.max_t) {
        return Bad("invalid chunk");
      }
      c.bytes = AsBytes(bytes);
      st.sealed.push_back(c);
    }
    if (!util::GetUvarint64(&rec, &open_len) || open_len > rec.size()) return Bad("truncated open chunk");
    st.open = {};
    st.open_free_bits = 0;
    if (open_len > 0) {
      if (!GetByte(&rec, &st.open_free_bits) || open_len > rec.size()) return Bad("truncated open chunk");
      st.open = AsBytes(rec.substr(0, open_len));
      rec.remove_prefix(open_len);
      // The header's count must be the encoder's.
      if (st.open_free_bits > 7 || open_len < chunk_format::kHeaderBytes || open_len > 0xFFFFFF ||
          ((uint32_t{st.open[0]} << 8) | st.open[1]) != st.enc.num) {
        return Bad("invalid open chunk");
      }
    }
    if (!head.RestoreSeries(ref, model::Labels::FromSorted(labels), st)) {
      return Bad("series " + std::to_string(ref) + " is not new (repeated ref or labels)");
    }
    ++*series;
    *chunks += st.sealed.size() + (st.open.empty() ? 0 : 1);
  }
  return util::Status::Ok();
}

// Restores Series records on worker threads; the first error wins.
class ParallelRestorer {
 public:
  ParallelRestorer(Head& head, int workers) : head_(head), queue_(2 * static_cast<size_t>(workers)) {
    for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { Run(); });
  }
  ~ParallelRestorer() { Finish().IgnoreError(); }  // after an early error

  void Add(std::string_view rec) { queue_.Push(std::string(rec)); }
  util::Status Finish() {
    queue_.Close();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
    std::lock_guard<std::mutex> lock(mu_);
    return error_;
  }
  uint64_t series() const { return series_.load(); }
  uint64_t chunks() const { return chunks_.load(); }

 private:
  void Run() {
    std::string rec;
    uint64_t series = 0, chunks = 0;
    bool failed = false;
    while (queue_.Pop(&rec)) {
      if (failed) continue;  // drain, so the reader never blocks
      if (util::Status s = RestoreRecord(rec, head_, &series, &chunks); !s.ok()) {
        failed = true;
        std::lock_guard<std::mutex> lock(mu_);
        if (error_.ok()) error_ = s;
      }
    }
    series_ += series;
    chunks_ += chunks;
  }

  Head& head_;
  WorkQueue<std::string> queue_;
  std::vector<std::thread> threads_;
  std::atomic<uint64_t> series_{0};
  std::atomic<uint64_t> chunks_{0};
  std::mutex mu_;
  util::Status error_;  // guarded by mu_
};

util::Status LoadFrom(util::FileSystem& fs, const std::string& path, Head& head, int workers, SnapshotInfo* info) {
  KS_ASSIGN_OR_RETURN(std::unique_ptr<WalReader> reader, WalReader::Open(fs, path));
  std::unique_ptr<ParallelRestorer> parallel;
  if (workers > 1) parallel = std::make_unique<ParallelRestorer>(head, workers);
  bool head_seen = false, end_seen = false;
  uint64_t end_count = 0;
  util::Status status;
  while (status.ok() && reader->Next()) {
    std::string_view rec = reader->record();
    const uint8_t type = rec.empty() ? 0 : static_cast<uint8_t>(rec[0]);
    if (end_seen) {
      status = Bad("record after the end record");
    } else if (!head_seen) {
      uint8_t version = 0;
      int64_t min_valid = 0;
      rec.remove_prefix(rec.empty() ? 0 : 1);
      if (type != kHeadRecord || !GetByte(&rec, &version) || !util::GetVarint64(&rec, &min_valid)) {
        status = Bad("the first record is not a valid head record");
      } else if (version != kFormatVersion) {
        status = Bad("unknown version " + std::to_string(version));
      } else {
        head.RestoreMinValidTime(min_valid);
        head_seen = true;
      }
    } else if (type == kSeriesRecord) {
      if (parallel) {
        parallel->Add(rec);
      } else {
        status = RestoreRecord(rec, head, &info->series, &info->chunks);
      }
    } else if (type == kEndRecord) {
      rec.remove_prefix(1);
      if (!util::GetUvarint64(&rec, &end_count)) status = Bad("invalid end record");
      end_seen = true;
    } else {
      status = Bad("unknown record type " + std::to_string(type));
    }
  }
  if (parallel) {
    util::Status s = parallel->Finish();
    if (status.ok()) status = s;
    info->series += parallel->series();
    info->chunks += parallel->chunks();
  }
  KS_RETURN_IF_ERROR(status);
  if (!reader->status().ok()) {
    return util::CorruptionError("head snapshot: " + std::string(reader->status().message()));
  }
  if (!end_seen) return Bad("no end record (incomplete)");
  if (end_count != info->series) {
    return Bad("end record counts " + std::to_string(end_count) + " series, read " + std::to_string(info->series));
  }
  return util::Status::Ok();
}

}  // namespace

std::string SnapshotDirName(WalPosition position) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%06llu.%010llu", static_cast<unsigned long long>(position.segment),
                static_cast<unsigned long long>(position.offset));
  return std::string(kDirPrefix) + buf;
}

std::optional<WalPosition> ParseSnapshotDirName(std::string_view name) {
  if (!name.starts_with(kDirPrefix)) return std::nullopt;
  name.remove_prefix(kDirPrefix.size());
  const size_t dot = name.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == name.size()) return std::nullopt;
  WalPosition p;
  const char* end = name.data() + dot;
  auto r1 = std::from_chars(name.data(), end, p.segment);
  if (r1.ec != std::errc() || r1.ptr != end) return std::nullopt;
  auto r2 = std::from_chars(end + 1, name.data() + name.size(), p.offset);
  if (r2.ec != std::errc() || r2.ptr != name.data() + name.size()) return std::nullopt;
  return p;
}

util::StatusOr<SnapshotInfo> WriteHeadSnapshot(util::FileSystem& fs, const std::string& dir, const Head& head,
                                               WalPosition position) {
  SnapshotInfo info;
  info.position = position;
  const std::string name = SnapshotDirName(position);
  info.dir = util::JoinDir(dir, name);
  const std::string tmp = info.dir + std::string(kTmpSuffix);
  if (fs.Exists(tmp)) KS_RETURN_IF_ERROR(fs.RemoveAll(tmp));
  {
    KS_ASSIGN_OR_RETURN(std::unique_ptr<Wal> wal, Wal::Open(fs, tmp));
    std::string rec(1, static_cast<char>(kHeadRecord));
    rec.push_back(static_cast<char>(kFormatVersion));
    util::PutVarint64(&rec, head.MinValidTime());
    KS_RETURN_IF_ERROR(wal->Log(rec));
    rec.assign(1, static_cast<char>(kSeriesRecord));
    util::Status status;
    auto flush = [&] {
      if (rec.size() <= 1 || !status.ok()) return;
      status = wal->Log(rec);
      rec.resize(1);
    };
    head.ForEachSeriesState(
        [&](SeriesRef ref, std::span<const model::Label> labels, const SeriesState& st) {
          EncodeEntry(ref, labels, st, &rec);
          ++info.series;
          info.chunks += st.sealed.size() + (st.open.empty() ? 0 : 1);
        },
        [&] {
          if (rec.size() >= kTargetRecordBytes) flush();
        });
    flush();
    KS_RETURN_IF_ERROR(status);
    rec.assign(1, static_cast<char>(kEndRecord));
    util::PutUvarint64(&rec, info.series);
    KS_RETURN_IF_ERROR(wal->Log(rec));
    KS_RETURN_IF_ERROR(wal->Close());
  }
  // Same position as an existing snapshot (nothing logged since): replace it.
  if (fs.Exists(info.dir)) KS_RETURN_IF_ERROR(fs.RemoveAll(info.dir));
  KS_RETURN_IF_ERROR(fs.Rename(tmp, info.dir));
  KS_RETURN_IF_ERROR(fs.SyncDir(dir));
  KS_ASSIGN_OR_RETURN(std::vector<std::string> names, fs.ListDir(dir));
  bool removed = false;
  for (const std::string& other : names) {
    if (other == name || !other.starts_with(kDirPrefix)) continue;
    KS_RETURN_IF_ERROR(fs.RemoveAll(util::JoinDir(dir, other)));
    removed = true;
  }
  if (removed) KS_RETURN_IF_ERROR(fs.SyncDir(dir));
  return info;
}

util::StatusOr<std::optional<SnapshotInfo>> LoadHeadSnapshot(util::FileSystem& fs, const std::string& dir,
                                                             Head& head, int workers) {
  if (!fs.Exists(dir)) return std::optional<SnapshotInfo>();
  KS_ASSIGN_OR_RETURN(std::vector<std::string> names, fs.ListDir(dir));
  std::optional<WalPosition> newest;
  std::string newest_name;
  for (const std::string& name : names) {
    if (!name.starts_with(kDirPrefix)) continue;
    if (name.ends_with(kTmpSuffix)) {
      util::log::Info("Removing an unfinished head snapshot", {{"dir", util::JoinDir(dir, name)}});
      KS_RETURN_IF_ERROR(fs.RemoveAll(util::JoinDir(dir, name)));
      continue;
    }
    std::optional<WalPosition> p = ParseSnapshotDirName(name);
    if (p && (!newest || p->segment > newest->segment ||
              (p->segment == newest->segment && p->offset > newest->offset))) {
      newest = p;
      newest_name = name;
    }
  }
  if (!newest) return std::optional<SnapshotInfo>();
  SnapshotInfo info;
  info.position = *newest;
  info.dir = util::JoinDir(dir, newest_name);
  KS_RETURN_IF_ERROR(LoadFrom(fs, info.dir, head, workers, &info));
  return std::optional<SnapshotInfo>(std::move(info));
}

}  // namespace kubescrape::tsdb
