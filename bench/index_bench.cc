// Block index (tsdb/index_writer.h, tsdb/index_reader.h) over 100k series
// of 3 labels and 3 chunks each: writing, opening, decoding series, postings
// lookups and PostingsForMatchers with regular expressions.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tsdb/index_reader.h"
#include "tsdb/index_writer.h"
#include "util/file_system.h"

namespace kubescrape::tsdb {
namespace {

constexpr int kSeries = 100000;

struct Input {
  std::vector<std::string> symbols;
  std::vector<model::Labels> labels;  // sorted
  std::vector<std::vector<ChunkMeta>> chunks;
};

const Input& GetInput() {
  static const Input* input = [] {
    auto* in = new Input;
    std::set<std::string> symbols;
    for (int i = 0; i < kSeries; ++i) {
      in->labels.push_back(model::Labels::FromPairs({{"__name__", "metric_" + std::to_string(i % 100)},
                                                     {"instance", "host-" + std::to_string(i / 100)},
                                                     {"job", i % 2 ? "odd" : "even"}}));
      for (const model::Label& l : in->labels.back()) {
        symbols.emplace(l.name);
        symbols.emplace(l.value);
      }
    }
    std::sort(in->labels.begin(), in->labels.end());
    in->symbols.assign(symbols.begin(), symbols.end());
    uint64_t ref = 8;
    for (int i = 0; i < kSeries; ++i) {
      std::vector<ChunkMeta> c;
      for (int j = 0; j < 3; ++j) {
        c.push_back({1700000000000 + j * 1800000, 1700000000000 + j * 1800000 + 1785000, ref});
        ref += 180;
      }
      in->chunks.push_back(std::move(c));
    }
    return in;
  }();
  return *input;
}

std::string WriteAll(util::MemFileSystem& fs, const std::string& path) {
  const Input& in = GetInput();
  auto w = *IndexWriter::Open(fs, path);
  for (const std::string& s : in.symbols) w->AddSymbol(s).IgnoreError();
  for (size_t i = 0; i < in.labels.size(); ++i) w->AddSeries(in.labels[i], in.chunks[i]).status().IgnoreError();
  w->Close().IgnoreError();
  return *fs.ReadFile(path);
}

const std::string& IndexBytes() {
  static const std::string* data = [] {
    util::MemFileSystem fs;
    return new std::string(WriteAll(fs, "/index"));
  }();
  return *data;
}

const IndexReader& Reader() {
  static const IndexReader* r = IndexReader::Open(IndexBytes())->release();
  return *r;
}

void BM_IndexWrite100k(benchmark::State& state) {
  GetInput();
  int n = 0;
  for (auto _ : state) {
    util::MemFileSystem fs;
    benchmark::DoNotOptimize(WriteAll(fs, "/index" + std::to_string(n++)));
  }
  state.SetItemsProcessed(state.iterations() * kSeries);
  state.counters["file_bytes"] = static_cast<double>(IndexBytes().size());
}
BENCHMARK(BM_IndexWrite100k)->Unit(benchmark::kMillisecond);

void BM_IndexOpen100k(benchmark::State& state) {
  const std::string& data = IndexBytes();
  size_t mem = 0;
  for (auto _ : state) {
    auto r = IndexReader::Open(data);
    mem = (*r)->MemoryBytes();
    benchmark::DoNotOptimize(r);
  }
  state.counters["reader_bytes"] = static_cast<double>(mem);
}
BENCHMARK(BM_IndexOpen100k)->Unit(benchmark::kMicrosecond);

void BM_IndexSeries(benchmark::State& state) {
  const IndexReader& r = Reader();
  const std::vector<SeriesRef> ids = *r.AllPostings();
  model::Labels labels;
  std::vector<ChunkMeta> chunks;
  size_t i = 0;
  for (auto _ : state) {
    r.Series(ids[i], &labels, &chunks).IgnoreError();
    i = (i + 7919) % ids.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IndexSeries);

// One small list (100 series) found through the sampled offset table.
void BM_IndexPostingsSmall(benchmark::State& state) {
  const IndexReader& r = Reader();
  std::vector<std::string> hosts;
  for (int i = 0; i < 1000; ++i) hosts.push_back("host-" + std::to_string(i));
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(r.Postings("instance", hosts[i]));
    i = (i + 37) % hosts.size();
  }
}
BENCHMARK(BM_IndexPostingsSmall);

// A 50k-series list: decoding and its CRC dominate.
void BM_IndexPostingsLarge(benchmark::State& state) {
  const IndexReader& r = Reader();
  for (auto _ : state) benchmark::DoNotOptimize(r.Postings("job", "odd"));
  state.SetItemsProcessed(state.iterations() * kSeries / 2);
}
BENCHMARK(BM_IndexPostingsLarge)->Unit(benchmark::kMicrosecond);

model::Matcher M(model::MatchType t, std::string_view name, std::string_view value) {
  return *model::Matcher::Make(t, name, value);
}

// {__name__="metric_42", instance=~"host-1.*"}: a regex over 1000 values.
void BM_IndexPostingsForMatchersRegex(benchmark::State& state) {
  const IndexReader& r = Reader();
  const std::vector<model::Matcher> ms = {M(model::MatchType::kEqual, "__name__", "metric_42"),
                                          M(model::MatchType::kRegexMatch, "instance", "host-1.*")};
  size_t n = 0;
  for (auto _ : state) n = r.PostingsForMatchers(ms)->size();
  state.counters["series"] = static_cast<double>(n);
}
BENCHMARK(BM_IndexPostingsForMatchersRegex)->Unit(benchmark::kMicrosecond);

// {job=~"odd|even", instance!~"host-9.*"}: big merges and a subtraction.
void BM_IndexPostingsForMatchersBroad(benchmark::State& state) {
  const IndexReader& r = Reader();
  const std::vector<model::Matcher> ms = {M(model::MatchType::kRegexMatch, "job", "odd|even"),
                                          M(model::MatchType::kRegexNoMatch, "instance", "host-9.*")};
  size_t n = 0;
  for (auto _ : state) n = r.PostingsForMatchers(ms)->size();
  state.counters["series"] = static_cast<double>(n);
}
BENCHMARK(BM_IndexPostingsForMatchersBroad)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace kubescrape::tsdb

BENCHMARK_MAIN();
