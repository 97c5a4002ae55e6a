// Exposition-format parser benchmarks (scraper/textparse.h) on the
// conformance bodies in ../shared/conformance/exposition/.
//
//   BM_ParseWithLabels: Next() + Value() + Timestamp() + Labels() per series
//                       (a scrape whose cache misses on every series).
//   BM_ParseCacheHit:   Next() + Series() + Value() only (the steady state:
//                       the scrape cache knows every series).
//
// Bytes/s is the body size per iteration. One parser is reused with Reset(),
// as the scrape loop does.

#include <benchmark/benchmark.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "scraper/textparse.h"

namespace kubescrape::scraper {
namespace {

std::optional<std::string> ReadBody(const std::string& name) {
  std::ifstream f(std::string(KS_SOURCE_DIR) + "/../shared/conformance/exposition/" + name, std::ios::binary);
  if (!f) return std::nullopt;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

ExpositionFormat FormatOf(const std::string& name) {
  return name.find(".om.") != std::string::npos ? ExpositionFormat::kOpenMetrics
                                                : ExpositionFormat::kPrometheusText;
}

void BM_ParseWithLabels(benchmark::State& state, const std::string& name) {
  std::optional<std::string> body = ReadBody(name);
  if (!body) {
    state.SkipWithError("conformance body absent");
    return;
  }
  TextParser p;
  std::vector<model::Label> labels;
  size_t series = 0;
  for (auto _ : state) {
    p.Reset(FormatOf(name), *body);
    double sum = 0;
    for (;;) {
      TextParser::Entry e = p.Next();
      if (e == TextParser::Entry::kEof) break;
      if (e == TextParser::Entry::kError) {
        state.SkipWithError(p.error().message().c_str());
        return;
      }
      if (e != TextParser::Entry::kSeries) continue;
      sum += p.Value();
      if (auto ts = p.Timestamp()) sum += static_cast<double>(*ts);
      labels.clear();
      p.Labels(&labels);
      benchmark::DoNotOptimize(labels.data());
      ++series;
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body->size()));
  state.counters["series"] = benchmark::Counter(static_cast<double>(series), benchmark::Counter::kIsRate);
}

void BM_ParseCacheHit(benchmark::State& state, const std::string& name) {
  std::optional<std::string> body = ReadBody(name);
  if (!body) {
    state.SkipWithError("conformance body absent");
    return;
  }
  TextParser p;
  size_t series = 0;
  for (auto _ : state) {
    p.Reset(FormatOf(name), *body);
    double sum = 0;
    size_t key_bytes = 0;
    for (;;) {
      TextParser::Entry e = p.Next();
      if (e == TextParser::Entry::kEof) break;
      if (e == TextParser::Entry::kError) {
        state.SkipWithError(p.error().message().c_str());
        return;
      }
      if (e != TextParser::Entry::kSeries) continue;
      key_bytes += p.Series().size();
      sum += p.Value();
      ++series;
    }
    benchmark::DoNotOptimize(sum);
    benchmark::DoNotOptimize(key_bytes);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body->size()));
  state.counters["series"] = benchmark::Counter(static_cast<double>(series), benchmark::Counter::kIsRate);
}

// The general (lexer-emulating) path alone, for comparison with the fast path.
void BM_ParseCacheHitGeneralPath(benchmark::State& state, const std::string& name) {
  std::optional<std::string> body = ReadBody(name);
  if (!body) {
    state.SkipWithError("conformance body absent");
    return;
  }
  TextParser p;
  for (auto _ : state) {
    p.Reset(FormatOf(name), *body);
    p.set_fast_path_enabled(false);
    double sum = 0;
    for (;;) {
      TextParser::Entry e = p.Next();
      if (e == TextParser::Entry::kEof || e == TextParser::Entry::kError) break;
      if (e == TextParser::Entry::kSeries) sum += p.Value() + static_cast<double>(p.Series().size());
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body->size()));
}

BENCHMARK_CAPTURE(BM_ParseWithLabels, prom_237mfs, std::string("alltypes.237mfs.prom.txt"));
BENCHMARK_CAPTURE(BM_ParseWithLabels, prom_237mfs_nometa, std::string("alltypes.237mfs.nometa.prom.txt"));
BENCHMARK_CAPTURE(BM_ParseWithLabels, om_5mfs, std::string("alltypes.5mfs.om.txt"));
BENCHMARK_CAPTURE(BM_ParseWithLabels, om_1histogram, std::string("1histogram.om.txt"));
BENCHMARK_CAPTURE(BM_ParseCacheHit, prom_237mfs, std::string("alltypes.237mfs.prom.txt"));
BENCHMARK_CAPTURE(BM_ParseCacheHit, prom_237mfs_nometa, std::string("alltypes.237mfs.nometa.prom.txt"));
BENCHMARK_CAPTURE(BM_ParseCacheHit, om_5mfs, std::string("alltypes.5mfs.om.txt"));
BENCHMARK_CAPTURE(BM_ParseCacheHit, om_1histogram, std::string("1histogram.om.txt"));
BENCHMARK_CAPTURE(BM_ParseCacheHitGeneralPath, prom_237mfs, std::string("alltypes.237mfs.prom.txt"));

}  // namespace
}  // namespace kubescrape::scraper

BENCHMARK_MAIN();
