// PromQL microbenchmarks: parsing, and evaluation over MemoryStorage.
//
// The data set mimics node_exporter CPU counters: 1250 instances x 8 modes
// = 10,000 series of node_cpu_seconds_total, one sample every 15 s over 1h5m
// (so every step of a 1 h range query has a full 5 m window), plus a classic
// histogram of 1,000 handlers x 11 buckets for histogram_quantile. The
// *24h cases use a second data set (LongData: the same 10,000 counters at a
// 60 s interval over 24 h in a tsdb::Head), built only when they run.
//
// Each benchmark checks its result once, outside the timed loop, and stops
// with SkipWithError when it is not the expected shape.
//
// Figures and the command that produced them: docs/promql.md.

#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "promql/engine.h"
#include "promql/parser.h"
#include "tsdb/head.h"
#include "tsdb/memory_storage.h"

namespace {

using kubescrape::model::Labels;
using kubescrape::promql::Engine;
using kubescrape::promql::Matrix;
using kubescrape::promql::Result;

constexpr int64_t kStepMs = 15000;
constexpr int64_t kHourMs = 3600 * 1000;
constexpr int64_t kSpanMs = kHourMs + 5 * 60 * 1000;
constexpr const char* kModes[] = {"idle", "user", "system", "iowait", "irq", "softirq", "steal", "nice"};

kubescrape::tsdb::MemoryStorage& Data() {
  static auto* storage = [] {
    auto* s = new kubescrape::tsdb::MemoryStorage();
    auto app = s->NewAppender();
    for (int inst = 0; inst < 1250; ++inst) {
      std::string instance = "10.0." + std::to_string(inst / 250) + "." + std::to_string(inst % 250) + ":9100";
      for (int m = 0; m < 8; ++m) {
        Labels l = Labels::FromPairs({{"__name__", "node_cpu_seconds_total"},
                                      {"cpu", "0"},
                                      {"instance", instance},
                                      {"job", "node"},
                                      {"mode", kModes[m]}});
        double v = inst * 10.0 + m;
        for (int64_t t = 0; t <= kSpanMs; t += kStepMs) {
          app->Append(0, l, t, v);
          v += 0.25 * (m + 1) * 15;
        }
      }
    }
    static constexpr const char* kLe[] = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf"};
    for (int h = 0; h < 1000; ++h) {
      std::string handler = "/api/v1/h" + std::to_string(h);
      for (int b = 0; b < 11; ++b) {
        Labels l = Labels::FromPairs({{"__name__", "http_request_duration_seconds_bucket"},
                                      {"handler", handler},
                                      {"job", "api"},
                                      {"le", kLe[b]}});
        double v = 0;
        for (int64_t t = 0; t <= kSpanMs; t += kStepMs) {
          app->Append(0, l, t, v);
          v += (b + 1) * 2;
        }
      }
    }
    if (!app->Commit().ok()) std::abort();
    return s;
  }();
  return *storage;
}

void BM_Parse(benchmark::State& state) {
  const std::vector<std::string> queries = {
      "up",
      "sum by (mode) (rate(node_cpu_seconds_total{job=\"node\"}[5m]))",
      "histogram_quantile(0.99, sum by (le, handler) (rate(http_request_duration_seconds_bucket[5m])))",
      "topk(5, sum by (instance) (rate(node_cpu_seconds_total{mode!=\"idle\"}[5m])))",
      "(a + on(x) group_left(y) b) / ignoring(z) c > bool 0.5 or d offset 5m @ end()",
      "max_over_time(rate(x[1m])[30m:1m]) - avg_over_time(label_replace(y, \"a\", \"$1\", \"b\", \"(.*)\")[5m:])",
  };
  for (const auto& q : queries) {
    if (!kubescrape::promql::ParseExpr(q).ok()) {
      state.SkipWithError(("does not parse: " + q).c_str());
      return;
    }
  }
  size_t bytes = 0;
  for (auto _ : state) {
    for (const auto& q : queries) {
      auto e = kubescrape::promql::ParseExpr(q);
      benchmark::DoNotOptimize(e);
      bytes += q.size();
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * queries.size()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_Parse);

// A range query over the last hour at a 15 s step (241 steps).
void RangeQuery(benchmark::State& state, const std::string& query, size_t want_series) {
  auto& storage = Data();
  Engine engine;
  const int64_t start = kSpanMs - kHourMs, end = kSpanMs;
  Result check = engine.RangeQuery(storage, query, start, end, kStepMs);
  if (!check.status.ok()) {
    state.SkipWithError(check.status.ToString().c_str());
    return;
  }
  const auto& m = std::get<Matrix>(check.value);
  if (m.size() != want_series || m[0].floats.size() != 241) {
    state.SkipWithError(("unexpected result: " + std::to_string(m.size()) + " series").c_str());
    return;
  }
  for (auto _ : state) {
    Result r = engine.RangeQuery(storage, query, start, end, kStepMs);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_SumByModeRate(benchmark::State& state) {
  RangeQuery(state, "sum by (mode) (rate(node_cpu_seconds_total[5m]))", 8);
}
BENCHMARK(BM_SumByModeRate)->Unit(benchmark::kMillisecond);

void BM_HistogramQuantile(benchmark::State& state) {
  RangeQuery(state, "histogram_quantile(0.99, sum by (le, handler) (rate(http_request_duration_seconds_bucket[5m])))",
             1000);
}
BENCHMARK(BM_HistogramQuantile)->Unit(benchmark::kMillisecond);

void BM_TopkRate(benchmark::State& state) {
  RangeQuery(state, "topk(5, rate(node_cpu_seconds_total{mode=\"user\"}[5m]))", 5);
}
BENCHMARK(BM_TopkRate)->Unit(benchmark::kMillisecond);

void BM_InstantCountAll(benchmark::State& state) {
  auto& storage = Data();
  Engine engine;
  Result check = engine.InstantQuery(storage, "count({__name__=~\".+\"})", kSpanMs);
  const auto* v = std::get_if<kubescrape::promql::Vector>(&check.value);
  if (!check.status.ok() || v == nullptr || v->size() != 1 || (*v)[0].f != 21000) {
    state.SkipWithError("count({__name__=~\".+\"}) is not 21000");
    return;
  }
  for (auto _ : state) {
    Result r = engine.InstantQuery(storage, "count({__name__=~\".+\"})", kSpanMs);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_InstantCountAll)->Unit(benchmark::kMillisecond);

// A long range: 10,000 counters (1250 instances x 8 modes) with one sample
// every 60 s over 24 h 5 m, in a tsdb::Head (compressed chunks, as the
// daemon serves them: ~12 chunks per series), queried over the last 24 h at
// a 5 m step (289 steps, bench_query.sh's 24 h step). Built on first use only.
constexpr int64_t kLongScrapeMs = 60000;
constexpr int64_t kLongSpanMs = 24 * kHourMs + 5 * 60 * 1000;

kubescrape::tsdb::Head& LongData() {
  static auto* head = [] {
    auto* h = new kubescrape::tsdb::Head();
    std::vector<Labels> series;
    for (int inst = 0; inst < 1250; ++inst) {
      std::string instance = "10.1." + std::to_string(inst / 250) + "." + std::to_string(inst % 250) + ":9100";
      for (int m = 0; m < 8; ++m) {
        series.push_back(Labels::FromPairs({{"__name__", "node_cpu_seconds_total"},
                                            {"cpu", "0"},
                                            {"instance", instance},
                                            {"job", "node"},
                                            {"mode", kModes[m]}}));
      }
    }
    std::vector<kubescrape::tsdb::SeriesRef> refs(series.size(), 0);
    for (int64_t t = 0; t <= kLongSpanMs; t += kLongScrapeMs) {
      auto app = h->NewAppender();  // one commit per scrape round, as scraping does
      for (size_t i = 0; i < series.size(); ++i) {
        const double v = static_cast<double>(i) * 10.0 + 0.25 * static_cast<double>(i % 8 + 1) * (t / 1000.0);
        refs[i] = app->Append(refs[i], series[i], t, v).ref;
      }
      if (!app->Commit().ok()) std::abort();
    }
    return h;
  }();
  return *head;
}

void LongRangeQuery(benchmark::State& state, const std::string& query, size_t want_series) {
  auto& storage = LongData();
  Engine engine;
  constexpr int64_t kStep = 5 * 60 * 1000;
  const int64_t start = kLongSpanMs - 24 * kHourMs, end = kLongSpanMs;
  Result check = engine.RangeQuery(storage, query, start, end, kStep);
  if (!check.status.ok()) {
    state.SkipWithError(check.status.ToString().c_str());
    return;
  }
  const auto& m = std::get<Matrix>(check.value);
  if (m.size() != want_series || m[0].floats.size() != 289) {
    state.SkipWithError(("unexpected result: " + std::to_string(m.size()) + " series").c_str());
    return;
  }
  for (auto _ : state) {
    Result r = engine.RangeQuery(storage, query, start, end, kStep);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_SumByModeRate24h(benchmark::State& state) {
  LongRangeQuery(state, "sum by (mode) (rate(node_cpu_seconds_total[5m]))", 8);
}
BENCHMARK(BM_SumByModeRate24h)->Unit(benchmark::kMillisecond);

void BM_SumByModeMaxOverTime24h(benchmark::State& state) {
  LongRangeQuery(state, "sum by (mode) (max_over_time(node_cpu_seconds_total[30m]))", 8);
}
BENCHMARK(BM_SumByModeMaxOverTime24h)->Unit(benchmark::kMillisecond);

void BM_SumByModeSelector24h(benchmark::State& state) {
  LongRangeQuery(state, "sum by (mode) (node_cpu_seconds_total)", 8);
}
BENCHMARK(BM_SumByModeSelector24h)->Unit(benchmark::kMillisecond);

// An instant query over the long data set: its max RSS is the data set's
// (the baseline for the 24 h queries' peak memory).
void BM_InstantCount24h(benchmark::State& state) {
  auto& storage = LongData();
  Engine engine;
  for (auto _ : state) {
    Result r = engine.InstantQuery(storage, "count(node_cpu_seconds_total)", kLongSpanMs);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_InstantCount24h)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
