// The per-scrape path of a scrape loop: ScrapeProcessor::Process on a
// steady-state body (every series cached) into a Head, as the daemon runs
// it minus the HTTP fetch. Reports time per sample.
//
//   ./build-bench/bench/scrape_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <fmt/format.h>

#include <malloc.h>

#include <memory>
#include <string>
#include <vector>

#include "scraper/scrape_processor.h"
#include "tsdb/head.h"
#include "util/clock.h"

namespace kubescrape::scraper {
namespace {

constexpr std::string_view kText = "text/plain; version=0.0.4; charset=utf-8";

// node_exporter-like body with `series` series; values change with `round`.
std::string Body(int series, int round) {
  std::string out = "# HELP node_cpu_seconds_total Seconds.\n# TYPE node_cpu_seconds_total counter\n";
  const char* modes[] = {"idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"};
  for (int i = 0; i < series; ++i) {
    out += fmt::format("node_cpu_seconds_total{{cpu=\"{}\",mode=\"{}\"}} {}.{}\n", i / 8, modes[i % 8],
                       1000 + i * 7 + round * (i % 5), (i * 37 + round) % 100);
  }
  return out;
}

void BM_ProcessSteadyState(benchmark::State& state) {
  const int series = static_cast<int>(state.range(0));
  tsdb::HeadOptions ho;
  ho.stripe_bits = 10;
  tsdb::Head head(ho);
  util::FakeClock clock(1'700'000'000'000);
  ScrapeConfig cfg;
  cfg.job_name = "node";
  ScrapeProcessor p(std::make_shared<const ScrapeConfig>(std::move(cfg)),
                    model::Labels::FromPairs({{"instance", "10.0.0.1:9100"}, {"job", "node"}}), head, clock);
  std::vector<std::string> bodies;
  for (int r = 0; r < 16; ++r) bodies.push_back(Body(series, r));
  p.Process(clock.Now(), FetchedBody{kText, bodies[0]});  // warm the cache
  size_t i = 0;
  for (auto _ : state) {
    clock.AdvanceMillis(15'000);
    ScrapeReport r = p.Process(clock.Now(), FetchedBody{kText, bodies[++i % bodies.size()]});
    if (!r.up() || r.samples_post_relabeling != static_cast<uint64_t>(series)) state.SkipWithError("scrape failed");
  }
  state.SetItemsProcessed(state.iterations() * series);
  state.counters["ns_per_sample"] = benchmark::Counter(static_cast<double>(state.iterations() * series),
                                                       benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_ProcessSteadyState)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMicrosecond);

// Bytes in use: small chunks plus mmapped large ones (main arena; the
// benchmark is single-threaded).
size_t HeapInUse() {
  const struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

// Heap bytes per active series held by the scrape caches and by the head,
// after `scrapes` scrapes of 50 targets x range(0) series at 1 s (the
// side-by-side scrape benchmark's shape). The caches' share is what
// destroying the processors frees. Heap only: RSS adds allocator slack.
void BM_MemoryPerSeries(benchmark::State& state) {
  const int series = static_cast<int>(state.range(0));
  const int targets = 50, scrapes = 60;
  for (auto _ : state) {
    const size_t base = HeapInUse();
    tsdb::HeadOptions ho;
    tsdb::Head head(ho);
    util::FakeClock clock(1'700'000'000'000);
    auto cfg = std::make_shared<ScrapeConfig>();
    cfg->job_name = "node";
    std::vector<std::unique_ptr<ScrapeProcessor>> procs;
    for (int t = 0; t < targets; ++t) {
      procs.push_back(std::make_unique<ScrapeProcessor>(
          cfg, model::Labels::FromPairs({{"instance", fmt::format("10.0.0.{}:9100", t)}, {"job", "node"}}), head,
          clock));
    }
    std::vector<std::string> bodies;
    for (int r = 0; r < 4; ++r) bodies.push_back(Body(series, r));
    for (int r = 0; r < scrapes; ++r) {
      clock.AdvanceMillis(1000);
      for (auto& p : procs) p->Process(clock.Now(), FetchedBody{kText, bodies[r % bodies.size()]});
    }
    const size_t with_caches = HeapInUse();
    const tsdb::Head::Memory m = head.MemoryUsage();
    procs.clear();
    const size_t head_only = HeapInUse();
    const double n = static_cast<double>(targets) * (series + 5);
    state.counters["head_B_per_series"] = static_cast<double>(head_only - base) / n;
    state.counters["cache_B_per_series"] = static_cast<double>(with_caches - head_only) / n;
    // The head's own estimate, by structure (allocator overhead excluded).
    state.counters["h_series"] = static_cast<double>(m.series) / n;
    state.counters["h_chunks"] = static_cast<double>(m.chunk_data + m.chunk_index) / n;
    state.counters["h_tables"] = static_cast<double>(m.tables) / n;
    state.counters["h_postings"] = static_cast<double>(m.postings) / n;
    state.counters["h_symbols"] = static_cast<double>(m.symbols) / n;
  }
}
BENCHMARK(BM_MemoryPerSeries)->Arg(1000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace kubescrape::scraper

BENCHMARK_MAIN();
