// WAL microbenchmarks: the cost of logging a commit (encode + frame + CRC),
// with the file system taken out (a counting sink) and on the real disk,
// replay (read + reassemble + decode), and CRC-32C throughput.
//
//   build-bench/bench/wal_bench --benchmark_min_time=0.5
//
// Figures and the command used go in docs/benchmarks.md.

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "tsdb/record.h"
#include "tsdb/wal.h"
#include "tsdb/wal_reader.h"
#include "util/crc32c.h"
#include "util/file_system.h"

namespace kubescrape::tsdb {
namespace {

constexpr int kSamplesPerRecord = 1000;

// A scrape-like commit: 1000 series with consecutive refs, one timestamp,
// counter-like values.
std::vector<RefSample> MakeSamples(int64_t t, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<RefSample> samples(kSamplesPerRecord);
  for (int i = 0; i < kSamplesPerRecord; ++i) {
    samples[i] = {static_cast<SeriesRef>(1000 + i), t, static_cast<double>(rng() % 100000) / 8};
  }
  return samples;
}

// Discards writes and counts them: the WAL's own CPU cost.
class NullFile final : public util::WritableFile {
 public:
  util::Status Append(std::string_view data) override {
    size_ += data.size();
    return util::Status::Ok();
  }
  util::Status Flush() override { return util::Status::Ok(); }
  util::Status Sync() override { return util::Status::Ok(); }
  util::Status Close() override { return util::Status::Ok(); }
  uint64_t Size() const override { return size_; }

 private:
  uint64_t size_ = 0;
};

class NullFileSystem final : public util::FileSystem {
 public:
  util::StatusOr<std::string> ReadFile(const std::string& path) const override {
    return util::NotFoundError(path);
  }
  util::StatusOr<std::vector<std::string>> Glob(const std::string&) const override {
    return std::vector<std::string>{};
  }
  util::StatusOr<std::unique_ptr<util::WritableFile>> NewWritableFile(const std::string&) override {
    return std::unique_ptr<util::WritableFile>(std::make_unique<NullFile>());
  }
  bool Exists(const std::string&) const override { return true; }
  util::StatusOr<std::vector<std::string>> ListDir(const std::string&) const override {
    return std::vector<std::string>{};
  }
  util::Status CreateDirAll(const std::string&) override { return util::Status::Ok(); }
  util::Status SyncDir(const std::string&) override { return util::Status::Ok(); }
};

void BM_EncodeSamples(benchmark::State& state) {
  std::vector<RefSample> samples = MakeSamples(1700000000000, 1);
  std::string rec;
  for (auto _ : state) {
    EncodeSamples(samples, &rec);
    benchmark::DoNotOptimize(rec.data());
  }
  state.SetItemsProcessed(state.iterations() * kSamplesPerRecord);
  state.SetBytesProcessed(state.iterations() * rec.size());
}
BENCHMARK(BM_EncodeSamples);

// Encode + Log one 1000-sample commit per iteration, file system discarded.
void BM_WalLogNull(benchmark::State& state) {
  NullFileSystem fs;
  auto wal = Wal::Open(fs, "/wal");
  std::vector<RefSample> samples = MakeSamples(1700000000000, 1);
  std::string rec;
  for (auto _ : state) {
    for (RefSample& s : samples) s.t += 15000;
    EncodeSamples(samples, &rec);
    if (!(*wal)->Log(rec).ok()) state.SkipWithError("Log failed");
  }
  state.SetItemsProcessed(state.iterations() * kSamplesPerRecord);
  state.SetBytesProcessed(state.iterations() * rec.size());
}
BENCHMARK(BM_WalLogNull);

// The same on the real disk (a temp dir), Sync every `range(0)` commits
// (0 = never; the OS writes back).
void BM_WalLogDisk(benchmark::State& state) {
  char tmpl[] = "/tmp/ks_wal_bench_XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  util::FileSystem& fs = util::FileSystem::Default();
  const int64_t sync_every = state.range(0);
  {
    auto wal = Wal::Open(fs, std::string(tmpl) + "/wal");
    std::vector<RefSample> samples = MakeSamples(1700000000000, 1);
    std::string rec;
    int64_t n = 0;
    for (auto _ : state) {
      for (RefSample& s : samples) s.t += 15000;
      EncodeSamples(samples, &rec);
      if (!(*wal)->Log(rec).ok()) state.SkipWithError("Log failed");
      if (sync_every > 0 && ++n % sync_every == 0 && !(*wal)->Sync().ok()) state.SkipWithError("Sync failed");
    }
    state.SetItemsProcessed(state.iterations() * kSamplesPerRecord);
    state.SetBytesProcessed(state.iterations() * rec.size());
  }
  fs.RemoveAll(tmpl).IgnoreError();
}
// Fixed iteration counts bound the disk used (10 KiB per commit): 100 MB,
// and a few seconds of fdatasync for the sync-every-commit case.
BENCHMARK(BM_WalLogDisk)->Arg(0)->Arg(100)->Iterations(10000);
BENCHMARK(BM_WalLogDisk)->Arg(1)->Iterations(300);

// Read + reassemble + decode a WAL of 200 commits of 1000 samples each.
void BM_Replay(benchmark::State& state) {
  util::MemFileSystem fs;
  {
    auto wal = Wal::Open(fs, "/wal", {.segment_size = 1 << 20});
    std::string rec;
    for (int i = 0; i < 200; ++i) {
      EncodeSamples(MakeSamples(1700000000000 + i * 15000, i), &rec);
      if (!(*wal)->Log(rec).ok()) state.SkipWithError("Log failed");
    }
  }
  std::vector<RefSample> samples;
  int64_t total = 0, bytes = 0;
  for (auto _ : state) {
    auto reader = WalReader::Open(fs, "/wal");
    while ((*reader)->Next()) {
      samples.clear();
      if (!DecodeSamples((*reader)->record(), &samples).ok()) state.SkipWithError("decode failed");
      total += samples.size();
      bytes += (*reader)->record().size();
    }
    if (!(*reader)->status().ok()) state.SkipWithError("read failed");
  }
  state.SetItemsProcessed(total);
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_Replay);

void BM_Crc32c(benchmark::State& state) {
  std::string data(state.range(0), 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131);
  const bool portable = state.range(1) != 0;
  uint32_t crc = 0;
  for (auto _ : state) {
    crc = portable ? util::crc32c::ExtendPortable(crc, data.data(), data.size())
                   : util::crc32c::Extend(crc, data.data(), data.size());
    benchmark::DoNotOptimize(crc);
  }
  state.SetBytesProcessed(state.iterations() * data.size());
  state.SetLabel(portable ? "slicing-by-8" : util::crc32c::IsHardwareAccelerated() ? "sse4.2" : "slicing-by-8");
}
BENCHMARK(BM_Crc32c)->Args({4096, 0})->Args({1 << 20, 0})->Args({4096, 1})->Args({1 << 20, 1});

}  // namespace
}  // namespace kubescrape::tsdb

BENCHMARK_MAIN();
