// TSDB benchmarks: XOR chunks and the head.
//
//   BM_XorEncode / BM_XorDecode   one 120-sample chunk per iteration of a
//       node_exporter-like series; items = samples, counter bytes_per_sample
//       (whole chunk, header included).
//       Series shapes: counters with integer increments (bytes), CPU seconds
//       with two decimals (Gorilla's worst common case), gauges moving by
//       pages, constants; 15 s or 1 s apart, aligned (jitter0, as Prometheus
//       stores timestamps within its 2 ms tolerance) or +-2 ms.
//   BM_HeadAppendCachedRefs/N     one scrape-sized batch (1000 series, one
//       sample each, refs cached as the scrape loop caches them) per
//       iteration, Commit included, cycling over N series per thread;
//       items = samples. Threads share one head, each its own series.
//   BM_HeadMemoryPerSeries/N/S    builds a head of N node_exporter-like
//       series (8 or 9 labels, 1000 per target) with S samples each, 15 s
//       apart, in one iteration: 1 sample = the per-series overhead, 120 =
//       30 min, 480 = a full 2 h range. Values: CPU seconds, byte counters,
//       gauges; one in five of the non-CPU series constant. Reports
//       resident and heap bytes per series (/proc/self/statm, mallinfo2,
//       deltas) and the head's own estimate by part (est_*).
//   BM_HeadSelect / BM_HeadLabelValues   queries over a head of 10k series
//       (100 targets x 100 metrics, 120 samples each): Select + decoding
//       every sample; label values with and without a matcher.

#include <benchmark/benchmark.h>
#include <malloc.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tsdb/chunk_xor.h"
#include "tsdb/head.h"

namespace kubescrape::tsdb {
namespace {

enum Kind { kCounter, kCpuSeconds, kGauge, kConstant };

struct Sample {
  int64_t t;
  double v;
};

// The next value of a node_exporter-like series of `kind`.
double NextValue(Kind kind, double v, std::mt19937& rng) {
  switch (kind) {
    case kCounter:  // bytes or packets: integer increments, often none
      return v + static_cast<double>(rng() % 4 == 0 ? 0 : rng() % 5000);
    case kCpuSeconds:  // seconds with two decimals, as node_exporter exposes them
      return std::round((v + static_cast<double>(rng() % 1500) / 100.0) * 100.0) / 100.0;
    case kGauge:  // memory bytes moving by pages
      return v + static_cast<double>(static_cast<int>(rng() % 2001) - 1000) * 4096.0;
    case kConstant:
      return 1;
  }
  return v;
}

double FirstValue(Kind kind, std::mt19937& rng) {
  return kind == kGauge ? 8.0e9 : 1000.0 + static_cast<double>(rng() % 100000);
}

// 120 samples of a node_exporter-like series at `interval_ms`; `jitter_ms`
// moves each timestamp by up to that many ms either way (0: Prometheus with
// its default 2 ms timestamp alignment).
std::vector<Sample> MakeSeries(Kind kind, int64_t interval_ms, int jitter_ms, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Sample> out;
  double v = FirstValue(kind, rng);
  int64_t t = 1700000000000;
  for (int i = 0; i < 120; ++i) {
    const int64_t j = jitter_ms > 0 ? static_cast<int64_t>(rng() % (2 * jitter_ms + 1)) - jitter_ms : 0;
    v = NextValue(kind, v, rng);
    out.push_back({t + j, v});
    t += interval_ms;
  }
  return out;
}

void BM_XorEncode(benchmark::State& state, Kind kind, int64_t interval_ms, int jitter_ms) {
  std::vector<Sample> samples = MakeSeries(kind, interval_ms, jitter_ms, 1);
  size_t bytes = 0;
  for (auto _ : state) {
    XorChunk c;
    for (const Sample& s : samples) c.Append(s.t, s.v);
    bytes = c.bytes().size();
    benchmark::DoNotOptimize(c.bytes().data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * samples.size()));
  state.counters["bytes_per_sample"] = static_cast<double>(bytes) / static_cast<double>(samples.size());
}

void BM_XorDecode(benchmark::State& state, Kind kind, int64_t interval_ms, int jitter_ms) {
  std::vector<Sample> samples = MakeSeries(kind, interval_ms, jitter_ms, 1);
  XorChunk c;
  for (const Sample& s : samples) c.Append(s.t, s.v);
  for (auto _ : state) {
    XorIterator it(c.bytes());
    double sum = 0;
    int64_t ts = 0;
    while (it.Next()) {
      sum += it.v();
      ts += it.t();
    }
    benchmark::DoNotOptimize(sum);
    benchmark::DoNotOptimize(ts);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * samples.size()));
  state.counters["bytes_per_sample"] = static_cast<double>(c.bytes().size()) / static_cast<double>(samples.size());
}

#define XOR_BENCH(kind, interval, jitter)                                                          \
  BENCHMARK_CAPTURE(BM_XorEncode, kind##_##interval##ms_jitter##jitter, kind, interval, jitter); \
  BENCHMARK_CAPTURE(BM_XorDecode, kind##_##interval##ms_jitter##jitter, kind, interval, jitter)
XOR_BENCH(kCounter, 15000, 0);
XOR_BENCH(kCounter, 15000, 2);
XOR_BENCH(kCpuSeconds, 15000, 0);
XOR_BENCH(kGauge, 15000, 0);
XOR_BENCH(kGauge, 15000, 2);
XOR_BENCH(kConstant, 15000, 0);
XOR_BENCH(kConstant, 15000, 2);
XOR_BENCH(kCounter, 1000, 0);
XOR_BENCH(kConstant, 1000, 2);

// A node_exporter-like label set: target labels plus metric-specific ones;
// metrics 0..999 of a target are 1000 distinct series.
model::Labels NodeLabels(int target, int metric) {
  static const char* kNames[] = {"node_cpu_seconds_total", "node_network_receive_bytes_total",
                                 "node_filesystem_avail_bytes", "node_disk_io_time_seconds_total",
                                 "node_memory_MemAvailable_bytes", "node_netstat_Tcp_InSegs"};
  static const char* kModes[] = {"idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"};
  const int family = metric % 6;
  const int k = metric / 6;
  std::vector<model::Label> ls;
  std::string instance = "10.1." + std::to_string(target / 250) + "." + std::to_string(target % 250) + ":9100";
  std::string pod = "node-exporter-" + std::to_string(100000 + target * 7919 % 900000);
  std::string node = "ip-10-1-" + std::to_string(target / 250) + "-" + std::to_string(target % 250) + ".ec2.internal";
  std::string a = family == 0 ? std::to_string(k / 8) : "dev" + std::to_string(k);
  ls.push_back({"__name__", kNames[family]});
  ls.push_back({"instance", instance});
  ls.push_back({"job", "node-exporter"});
  ls.push_back({"namespace", "monitoring"});
  ls.push_back({"pod", pod});
  ls.push_back({"node", node});
  ls.push_back({family == 0 ? "cpu" : "device", a});
  if (family == 0) ls.push_back({"mode", kModes[k % 8]});
  return model::Labels::FromUnsorted(std::move(ls));
}

void BM_HeadAppendCachedRefs(benchmark::State& state) {
  constexpr int kBatch = 1000;
  constexpr int64_t kStart = 1700000000000;
  const int per_thread = static_cast<int>(state.range(0));
  // Thread 0 builds a fresh head and creates every thread's series (one
  // sample each) before the timed loop; the loop's start is a barrier.
  static Head* head = nullptr;
  static std::vector<std::vector<model::Labels>> labels;
  static std::vector<std::vector<SeriesRef>> refs;
  if (state.thread_index() == 0) {
    delete head;
    head = new Head();
    labels.assign(static_cast<size_t>(state.threads()), {});
    refs.assign(static_cast<size_t>(state.threads()), {});
    for (int th = 0; th < state.threads(); ++th) {
      auto app = head->NewAppender();
      for (int i = 0; i < per_thread; ++i) {
        labels[th].push_back(NodeLabels(th * 10000 + i / 1000, i % 1000));
        refs[th].push_back(app->Append(0, labels[th].back(), kStart, 0).ref);
      }
      if (!app->Commit().ok()) std::abort();
    }
  }
  int64_t t = kStart + 15000;
  size_t next = 0;
  bool failed = false;
  for (auto _ : state) {
    const std::vector<model::Labels>& ls = labels[state.thread_index()];
    std::vector<SeriesRef>& rs = refs[state.thread_index()];
    auto app = head->NewAppender();
    for (int k = 0; k < kBatch; ++k) {
      AppendResult r = app->Append(rs[next], ls[next], t, static_cast<double>(t / 1000 + next));
      rs[next] = r.ref;
      failed |= r.error != AppendError::kNone;
      if (++next == ls.size()) {
        next = 0;
        t += 15000;
      }
    }
    if (!app->Commit().ok()) failed = true;
  }
  if (failed) state.SkipWithError("append rejected");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatch));
}
BENCHMARK(BM_HeadAppendCachedRefs)->Arg(10000)->Arg(100000)->Threads(1)->Threads(2)->UseRealTime();

// The value shape of metric `m` of NodeLabels: CPU seconds, byte counters,
// gauges; one series in five of the others never changes (idle devices).
Kind KindOf(int m) {
  static const Kind kByFamily[] = {kCpuSeconds, kCounter, kGauge, kCpuSeconds, kGauge, kCounter};
  if (m % 6 != 0 && m / 6 % 5 == 0) return kConstant;
  return kByFamily[m % 6];
}

size_t ResidentBytes() {
  long pages = 0, resident = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
  std::fclose(f);
  return static_cast<size_t>(resident) * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

size_t HeapInUse() { return mallinfo2().uordblks + mallinfo2().hblkhd; }

void BM_HeadMemoryPerSeries(benchmark::State& state) {
  const int num_series = static_cast<int>(state.range(0));
  const int samples = static_cast<int>(state.range(1));
  for (auto _ : state) {
    std::vector<SeriesRef> refs(static_cast<size_t>(num_series), 0);
    std::vector<double> values(static_cast<size_t>(num_series), 0);
    malloc_trim(0);
    const size_t rss0 = ResidentBytes(), heap0 = HeapInUse();
    auto head = std::make_unique<Head>();
    std::mt19937 rng(5);
    int64_t t = 1700000000000;
    for (int s = 0; s < samples; ++s) {
      auto app = head->NewAppender();
      for (int i = 0; i < num_series; ++i) {
        const size_t k = static_cast<size_t>(i);
        const Kind kind = KindOf(i % 1000);
        values[k] = s == 0 ? FirstValue(kind, rng) : NextValue(kind, values[k], rng);
        if (refs[k] == 0) {
          // Labels built for new series only, as a scrape would.
          refs[k] = app->Append(0, NodeLabels(i / 1000, i % 1000), t, values[k]).ref;
        } else {
          app->Append(refs[k], model::Labels(), t, values[k]);
        }
        if (i % 10000 == 9999 && !app->Commit().ok()) state.SkipWithError("commit failed");
      }
      if (!app->Commit().ok()) state.SkipWithError("commit failed");
      t += 15000;
    }
    const size_t rss1 = ResidentBytes(), heap1 = HeapInUse();
    const double n = static_cast<double>(head->stats().num_series);
    if (head->stats().num_series != static_cast<uint64_t>(num_series)) state.SkipWithError("label sets collide");
    state.counters["rss_per_series"] = static_cast<double>(rss1 - rss0) / n;
    state.counters["heap_per_series"] = static_cast<double>(heap1 - heap0) / n;
    const Head::Memory m = head->MemoryUsage();
    state.counters["est_total"] = static_cast<double>(m.total()) / n;
    state.counters["est_series"] = static_cast<double>(m.series) / n;
    state.counters["est_chunk_data"] = static_cast<double>(m.chunk_data) / n;
    state.counters["est_chunk_index"] = static_cast<double>(m.chunk_index) / n;
    state.counters["est_tables"] = static_cast<double>(m.tables) / n;
    state.counters["est_postings"] = static_cast<double>(m.postings) / n;
    state.counters["est_symbols"] = static_cast<double>(m.symbols) / n;
    state.counters["symbols"] = static_cast<double>(head->stats().num_symbols);
    state.counters["chunks"] = static_cast<double>(head->stats().chunks_created);
  }
}
BENCHMARK(BM_HeadMemoryPerSeries)
    ->Args({1000000, 1})
    ->Args({1000000, 120})
    ->Args({250000, 480})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// 100 targets x 100 metrics, 120 samples (30 min at 15 s) each.
Head* QueryHead() {
  static Head* head = [] {
    auto* h = new Head();
    std::vector<SeriesRef> refs(10000, 0);
    for (int s = 0; s < 120; ++s) {
      auto app = h->NewAppender();
      for (int i = 0; i < 10000; ++i) {
        refs[i] = app->Append(refs[i], NodeLabels(i / 100, i % 100), 1700000000000 + s * 15000, s * i).ref;
      }
      if (!app->Commit().ok()) std::abort();
    }
    return h;
  }();
  return head;
}

void BM_HeadSelect(benchmark::State& state, std::vector<std::pair<std::string, std::string>> eq,
                   std::vector<std::pair<std::string, std::string>> re) {
  Head* head = QueryHead();
  std::vector<model::Matcher> ms;
  for (auto& [n, v] : eq) ms.push_back(*model::Matcher::Make(model::MatchType::kEqual, n, v));
  for (auto& [n, v] : re) ms.push_back(*model::Matcher::Make(model::MatchType::kRegexMatch, n, v));
  size_t series = 0, samples = 0;
  for (auto _ : state) {
    auto q = head->NewQuerier(0, INT64_MAX);
    auto set = (*q)->Select(ms);
    series = samples = 0;
    double sum = 0;
    while (set->Next()) {
      ++series;
      auto it = set->Samples();
      while (it->Next()) {
        sum += it->v();
        ++samples;
      }
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * samples));
  state.counters["series"] = static_cast<double>(series);
  state.counters["ns_per_series"] = benchmark::Counter(static_cast<double>(series) * state.iterations(),
                                                       benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK_CAPTURE(BM_HeadSelect, one_metric_100_series,
                  {{"__name__", "node_network_receive_bytes_total"}, {"device", "dev2"}}, {});
BENCHMARK_CAPTURE(BM_HeadSelect, regex_instance_900_series, {{"job", "node-exporter"}},
                  {{"instance", "10\\.1\\.0\\.[1-9]:9100"}});
BENCHMARK_CAPTURE(BM_HeadSelect, name_and_cpu_regex_800_series, {}, {{"__name__", "node_cpu.*|node_disk.*"}, {"cpu", "1.*"}});

void BM_HeadLabelValues(benchmark::State& state, std::string name, bool with_matcher) {
  Head* head = QueryHead();
  std::vector<model::Matcher> ms;
  if (with_matcher) ms.push_back(*model::Matcher::Make(model::MatchType::kEqual, "__name__", "node_cpu_seconds_total"));
  size_t n = 0;
  for (auto _ : state) {
    auto q = head->NewQuerier(0, INT64_MAX);
    auto values = (*q)->LabelValues(name, ms);
    n = values->size();
  }
  state.counters["values"] = static_cast<double>(n);
}
BENCHMARK_CAPTURE(BM_HeadLabelValues, instance, std::string("instance"), false);
BENCHMARK_CAPTURE(BM_HeadLabelValues, instance_for_one_metric, std::string("instance"), true);
BENCHMARK_CAPTURE(BM_HeadLabelValues, name, std::string("__name__"), false);

}  // namespace
}  // namespace kubescrape::tsdb

BENCHMARK_MAIN();
