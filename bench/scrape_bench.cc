// The per-scrape path of a scrape loop: ScrapeProcessor::Process on a
// steady-state body (every series cached) into a Head, as the daemon runs
// it minus the HTTP fetch. Reports time per sample.
//
//   ./build-bench/bench/scrape_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <fmt/format.h>

#include <memory>
#include <string>

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
BENCHMARK(BM_ProcessSteadyState)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace kubescrape::scraper

BENCHMARK_MAIN();
