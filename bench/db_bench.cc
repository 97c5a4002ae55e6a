// Db benchmarks: restart time (tsdb::Db::Open).
//
//   BM_DbOpen/N/S/disk/snapshot/workers   a store written by a Db from S
//       commits of N series (one sample each, 15 s apart, like S scrapes of
//       the same targets) is opened in each iteration.
//       snapshot=0: the kill -9 case: no head snapshot, the whole WAL is
//         replayed, on `workers` threads (0: the default, the hardware
//         concurrency up to 8; 1: sequential).
//       snapshot=1: after a clean shutdown: the head snapshot is loaded and
//         no WAL is left to replay (each iteration's close writes the next
//         snapshot, untimed).
//       disk=0: MemFileSystem (the cost of rebuilding the head alone);
//       disk=1: the real file system in a temp dir, page cache warm.
//       Counters: s_per_million_series, wal_bytes, samples (replayed from
//       the WAL), snapshot_series.
//
//   build-X/bench/db_bench --benchmark_filter=BM_DbOpen
//   KS_BENCH_1M=1 build-X/bench/db_bench --benchmark_filter=BM_DbOpen/1000000   (the 1M-series cases)

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tsdb/db.h"
#include "util/file_system.h"
#include "util/logging.h"

namespace kubescrape::tsdb {
namespace {

DbOptions BenchOptions(bool snapshot = false, int workers = 0) {
  DbOptions o;
  o.snapshot_on_shutdown = snapshot;
  o.replay_workers = workers;
  o.wal_sync_period = std::chrono::milliseconds(0);
  o.maintenance_period = std::chrono::milliseconds(0);
  o.retention = std::chrono::milliseconds(0);
  return o;
}

std::vector<model::Labels> MakeSeries(int n) {
  std::vector<model::Labels> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) {
    out.push_back(
        model::Labels::FromPairs({{"__name__", "node_metric_" + std::to_string(i % 1000)},
                                  {"instance", "10.0.0." + std::to_string(i / 1000) + ":9100"},
                                  {"job", "node"},
                                  {"cpu", std::to_string(i % 8)}}));
  }
  return out;
}

// Writes the WAL: `samples` commits of all `n` series.
util::Status Fill(util::FileSystem& fs, const std::string& dir, int n, int samples, bool snapshot) {
  KS_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::Open(fs, dir, BenchOptions(snapshot)));
  std::vector<model::Labels> series = MakeSeries(n);
  std::vector<SeriesRef> refs(n, 0);
  for (int s = 0; s < samples; ++s) {
    auto app = db->NewAppender();
    const int64_t t = 1'700'000'000'000 + int64_t{s} * 15'000;
    for (int i = 0; i < n; ++i) refs[i] = app->Append(refs[i], series[i], t, s * 1.5 + i).ref;
    KS_RETURN_IF_ERROR(app->Commit());
  }
  return db->Close();
}

void BM_DbOpen(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const int samples = static_cast<int>(state.range(1));
  const bool disk = state.range(2) != 0;
  const bool snapshot = state.range(3) != 0;
  const int workers = static_cast<int>(state.range(4));
  util::log::SetDefault(
      std::make_unique<util::log::Logger>(util::log::Level::kWarn, util::log::Format::kLogfmt));
  util::MemFileSystem mem;
  util::FileSystem& fs = disk ? util::FileSystem::Default() : mem;
  std::string dir = "data";
  if (disk) {
    char tmpl[] = "/tmp/db_bench_XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
      state.SkipWithError("mkdtemp failed");
      return;
    }
    dir = std::string(tmpl) + "/data";
  }
  if (util::Status s = Fill(fs, dir, n, samples, snapshot); !s.ok()) {
    state.SkipWithError(s.ToString().c_str());
    return;
  }
  uint64_t wal_bytes = 0;
  if (auto names = fs.ListDir(dir + "/wal"); names.ok()) {
    for (const std::string& name : *names) {
      if (auto size = fs.FileSize(dir + "/wal/" + name); size.ok()) wal_bytes += *size;
    }
  }
  uint64_t replayed = 0, snapshot_series = 0;
  double snapshot_ms = 0, replay_ms = 0;
  std::chrono::steady_clock::duration opening{0};
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    auto db = Db::Open(fs, dir, BenchOptions(snapshot, workers));
    opening += std::chrono::steady_clock::now() - start;
    if (!db.ok()) {
      state.SkipWithError(db.status().ToString().c_str());
      break;
    }
    replayed = (*db)->stats().replay.samples;
    snapshot_series = (*db)->stats().replay.snapshot_series;
    snapshot_ms = static_cast<double>((*db)->stats().replay.snapshot_duration.count());
    replay_ms = static_cast<double>((*db)->stats().replay.duration.count());
    state.PauseTiming();
    db->reset();  // closing (an empty segment, the next snapshot) is not timed
    state.ResumeTiming();
  }
  if (state.iterations() > 0) {
    state.counters["s_per_million_series"] = std::chrono::duration<double>(opening).count() /
                                             static_cast<double>(state.iterations()) * (1e6 / n);
  }
  state.counters["wal_bytes"] = static_cast<double>(wal_bytes);
  state.counters["samples"] = static_cast<double>(replayed);
  state.counters["snapshot_series"] = static_cast<double>(snapshot_series);
  state.counters["snapshot_ms"] = snapshot_ms;  // of the last iteration
  state.counters["replay_ms"] = replay_ms;      // snapshot and WAL
  state.SetItemsProcessed(state.iterations() * n);
  if (disk) fs.RemoveAll(util::DirName(dir)).IgnoreError();
}
BENCHMARK(BM_DbOpen)
    ->Args({10'000, 120, 0, 0, 1})
    ->Args({100'000, 120, 0, 0, 1})
    ->Args({100'000, 120, 0, 0, 0})
    ->Args({100'000, 120, 0, 0, 2})
    ->Args({100'000, 120, 1, 0, 0})
    ->Args({100'000, 120, 0, 1, 0})
    ->Args({100'000, 120, 0, 1, 1})
    ->Args({100'000, 120, 1, 1, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The million-series cases write a WAL of 120 M samples to disk each (minutes
// of set-up): only with KS_BENCH_1M=1, so the CI's smoke run stays short.
void RegisterMillionSeriesCases() {
  benchmark::RegisterBenchmark("BM_DbOpen", BM_DbOpen)
      ->Args({1'000'000, 120, 1, 0, 1})
      ->Args({1'000'000, 120, 1, 0, 0})
      ->Args({1'000'000, 120, 1, 1, 1})
      ->Args({1'000'000, 120, 1, 1, 0})
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
}

}  // namespace
}  // namespace kubescrape::tsdb

int main(int argc, char** argv) {
  const char* large = std::getenv("KS_BENCH_1M");
  if (large != nullptr && std::string_view(large) == "1") kubescrape::tsdb::RegisterMillionSeriesCases();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
