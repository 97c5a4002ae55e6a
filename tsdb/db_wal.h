#pragma once
// Internal to the Db (db.cc, db_wal.cc): the HeadLogger that writes each
// commit to the WAL.

#include <atomic>
#include <cstdint>
#include <span>

#include "tsdb/db.h"

namespace kubescrape::tsdb {

// Encodes a batch as a series record and a samples record and logs them
// together. Thread-safe (the Wal serialises Log calls).
class Db::WalLogger final : public HeadLogger {
 public:
  // REQUIRES: called once, before any commit; `wal` outlives the logger's use.
  void set_wal(Wal* wal) { wal_ = wal; }
  util::Status Log(std::span<const RefSeries> series, std::span<const RefSample> samples) override;
  uint64_t batches() const { return batches_.load(std::memory_order_relaxed); }

 private:
  Wal* wal_ = nullptr;
  std::atomic<uint64_t> batches_{0};
};

}  // namespace kubescrape::tsdb
