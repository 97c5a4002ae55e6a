// Interop with Prometheus's own index code through Debian's promtool:
//  - a block promtool writes (tsdb create-blocks-from openmetrics) is read by
//    IndexReader: labels, postings and chunk metas match the input;
//  - IndexWriter, fed the same series, reproduces promtool's symbol table,
//    series and postings bytes exactly;
//  - promtool reads a block whose index IndexWriter wrote (tsdb dump gives
//    the same output as for the original block).
// Skipped when promtool is not installed.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "test/testing/subprocess.h"
#include "tsdb/index_reader.h"
#include "tsdb/index_writer.h"
#include "util/coding.h"
#include "util/file_system.h"

namespace kubescrape::tsdb {
namespace {

using namespace std::chrono_literals;
using model::Labels;
using model::Matcher;
using model::MatchType;
namespace fs = std::filesystem;

constexpr int64_t kStartSec = 1700000000;  // 2h blocks: the next boundary is 6400 s later

struct Expected {
  std::string text;                                // OpenMetrics label set, escaped
  std::vector<std::pair<std::string, std::string>> labels;  // unescaped
  int samples;
  int step_sec;
};

const std::vector<Expected>& Inputs() {
  static const std::vector<Expected> inputs = {
      {R"(http_requests{code="200",method="get"})", {{"__name__", "http_requests"}, {"code", "200"}, {"method", "get"}}, 100, 15},
      {R"(http_requests{code="500",method="get"})", {{"__name__", "http_requests"}, {"code", "500"}, {"method", "get"}}, 100, 15},
      {R"(http_requests{code="200",method="post"})", {{"__name__", "http_requests"}, {"code", "200"}, {"method", "post"}}, 3, 60},
      {R"(temp{path="a\"quoted\""})", {{"__name__", "temp"}, {"path", "a\"quoted\""}}, 5, 15},
      {R"(temp{path="back\\slash"})", {{"__name__", "temp"}, {"path", "back\\slash"}}, 5, 15},
      {R"(temp{path="new\nline"})", {{"__name__", "temp"}, {"path", "new\nline"}}, 5, 15},
      {R"(temp{path="ünï ✓",zone="z"})", {{"__name__", "temp"}, {"path", "ünï ✓"}, {"zone", "z"}}, 5, 15},
      {"temp{path=\"" + std::string(200, 'p') + "\"}", {{"__name__", "temp"}, {"path", std::string(200, 'p')}}, 1, 1},
      {R"(busy{job="b"})", {{"__name__", "busy"}, {"job", "b"}}, 1000, 1},  // several chunks
  };
  return inputs;
}

Labels ToLabels(const Expected& e) {
  std::vector<model::Label> ls;
  for (const auto& [n, v] : e.labels) ls.push_back({n, v});
  return Labels::FromUnsorted(ls);
}

class IndexPromtoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::HaveExecutable("promtool")) GTEST_SKIP() << "promtool not installed";
    char tmpl[] = "/tmp/index_promtool_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::ofstream om(dir_ + "/in.om");
    std::string family;
    for (const Expected& e : Inputs()) {
      std::string name = e.text.substr(0, e.text.find('{'));
      if (name != family) om << "# TYPE " << name << " gauge\n";
      family = name;
      for (int i = 0; i < e.samples; ++i) om << e.text << " " << i << " " << kStartSec + i * e.step_sec << "\n";
    }
    om << "# EOF\n";
    om.close();
    ASSERT_TRUE(Run({"promtool", "tsdb", "create-blocks-from", "openmetrics", dir_ + "/in.om", dir_ + "/db"}));
    for (const auto& entry : fs::directory_iterator(dir_ + "/db")) {
      if (fs::exists(entry.path() / "index")) block_ = entry.path().string();
    }
    ASSERT_FALSE(block_.empty()) << "promtool wrote no block";
    auto data = util::FileSystem::Default().ReadFile(block_ + "/index");
    ASSERT_TRUE(data.ok()) << data.status().ToString();
    index_ = *std::move(data);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // Runs a command to its end; its stdout lines go to `out`. False when it
  // cannot start.
  bool Run(const std::vector<std::string>& argv, std::vector<std::string>* out = nullptr) {
    auto p = testing::Subprocess::Start(argv);
    if (!p) return false;
    while (auto line = p->ReadLine(120s)) {
      if (out != nullptr) out->push_back(*line);
    }
    return true;
  }

  std::string dir_, block_, index_;
};

std::vector<uint64_t> Toc(std::string_view data) {
  std::vector<uint64_t> toc;
  for (int i = 0; i < 6; ++i) toc.push_back(util::DecodeFixed64BE(data.data() + data.size() - 52 + 8 * i));
  return toc;
}

TEST_F(IndexPromtoolTest, ReadsPromtoolBlock) {
  auto r = IndexReader::Open(index_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const IndexReader& idx = **r;
  EXPECT_EQ(idx.version(), 2);
  ASSERT_EQ(idx.NumSeries(), Inputs().size());

  std::map<std::string, std::set<std::string>> values;
  for (const Expected& e : Inputs()) {
    for (const auto& [n, v] : e.labels) values[n].insert(v);
  }
  std::vector<std::string_view> names;
  for (const auto& [n, vs] : values) {
    names.push_back(n);
    auto got = idx.LabelValues(n);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, std::vector<std::string_view>(vs.begin(), vs.end())) << n;
  }
  EXPECT_EQ(idx.LabelNames(), names);

  size_t total_chunks = 0;
  std::vector<SeriesRef> all;
  for (const Expected& e : Inputs()) {
    std::vector<Matcher> ms;
    for (const auto& [n, v] : e.labels) ms.push_back(*Matcher::Make(MatchType::kEqual, n, v));
    auto ids = idx.PostingsForMatchers(ms);
    ASSERT_TRUE(ids.ok());
    ASSERT_EQ(ids->size(), 1u) << e.text;
    all.push_back((*ids)[0]);
    Labels labels;
    std::vector<ChunkMeta> chunks;
    ASSERT_TRUE(idx.Series((*ids)[0], &labels, &chunks).ok());
    EXPECT_EQ(labels, ToLabels(e));
    ASSERT_FALSE(chunks.empty());
    const int64_t first = kStartSec * 1000, last = (kStartSec + (e.samples - 1) * e.step_sec) * 1000;
    EXPECT_EQ(chunks.front().min_t, first) << e.text;
    EXPECT_EQ(chunks.back().max_t, last) << e.text;
    for (size_t i = 0; i < chunks.size(); ++i) {
      EXPECT_LE(chunks[i].min_t, chunks[i].max_t);
      EXPECT_EQ((chunks[i].min_t - first) % (e.step_sec * 1000), 0);  // a sample's time
      if (i > 0) {
        EXPECT_EQ(chunks[i].min_t, chunks[i - 1].max_t + e.step_sec * 1000) << e.text;
        EXPECT_GT(chunks[i].ref, chunks[i - 1].ref);
      }
    }
    if (e.samples == 1000) {
      EXPECT_GE(chunks.size(), 5u);  // ~120 samples per chunk
    }
    total_chunks += chunks.size();
  }
  std::sort(all.begin(), all.end());
  EXPECT_EQ(*idx.AllPostings(), all);

  std::ifstream meta(block_ + "/meta.json");
  std::stringstream text;
  text << meta.rdbuf();
  const std::string key = "\"numChunks\": ";
  auto at = text.str().find(key);
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(std::stoul(text.str().substr(at + key.size())), total_chunks);

  // A regex and a negative matcher against the labels Series() returns.
  std::vector<Matcher> ms = {*Matcher::Make(MatchType::kRegexMatch, "__name__", "http_.*|temp"),
                             *Matcher::Make(MatchType::kNotEqual, "code", "200")};
  std::vector<SeriesRef> brute;
  for (SeriesRef id : all) {
    Labels l;
    ASSERT_TRUE(idx.Series(id, &l, nullptr).ok());
    if (ms[0].Matches(l.Get("__name__")) && ms[1].Matches(l.Get("code"))) brute.push_back(id);
  }
  EXPECT_EQ(brute.size(), 6u);
  EXPECT_EQ(*idx.PostingsForMatchers(ms), brute);
}

// Writes the series of `src` again with IndexWriter.
std::string Rewrite(const IndexReader& src) {
  util::MemFileSystem mem;
  auto w = *IndexWriter::Open(mem, "/index");
  const std::vector<std::string_view> symbols = *src.Symbols();
  const std::vector<SeriesRef> ids = *src.AllPostings();
  for (std::string_view s : symbols) EXPECT_TRUE(w->AddSymbol(s).ok());
  for (SeriesRef id : ids) {
    Labels l;
    std::vector<ChunkMeta> c;
    EXPECT_TRUE(src.Series(id, &l, &c).ok());
    auto got = w->AddSeries(l, c);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, id);
  }
  EXPECT_TRUE(w->Close().ok());
  return *mem.ReadFile("/index");
}

TEST_F(IndexPromtoolTest, WriterReproducesPromtoolBytes) {
  auto theirs = IndexReader::Open(index_);
  ASSERT_TRUE(theirs.ok()) << theirs.status().ToString();
  const std::string ours = Rewrite(**theirs);
  const auto t = Toc(index_), o = Toc(ours);
  auto range = [](std::string_view d, uint64_t b, uint64_t e) { return d.substr(b, e - b); };
  // promtool 2.42 still writes the legacy label indices between the series
  // and the postings and the label offset table after them; we write none.
  EXPECT_EQ(t[0], o[0]);
  EXPECT_EQ(t[1], o[1]);
  EXPECT_EQ(t[2], o[2]);
  EXPECT_EQ(range(index_, 0, t[2]), range(ours, 0, o[2]));  // header, symbols, series
  EXPECT_EQ(range(index_, (t[4] + 3) / 4 * 4, t[3]), range(ours, (o[4] + 3) / 4 * 4, o[5]));  // postings
  auto mine = IndexReader::Open(ours);
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();
  for (std::string_view name : (*theirs)->LabelNames()) {
    ASSERT_EQ(*(*mine)->LabelValues(name), *(*theirs)->LabelValues(name));
    const std::vector<std::string_view> vs = *(*theirs)->LabelValues(name);
    for (std::string_view v : vs) {
      EXPECT_EQ(*(*mine)->Postings(name, v), *(*theirs)->Postings(name, v));
    }
  }
}

TEST_F(IndexPromtoolTest, PromtoolReadsOurIndex) {
  auto theirs = IndexReader::Open(index_);
  ASSERT_TRUE(theirs.ok());
  const std::string ours = Rewrite(**theirs);
  // A second database with the same block but our index.
  const std::string db2 = dir_ + "/db2";
  fs::create_directories(db2);
  const std::string block2 = db2 + "/" + fs::path(block_).filename().string();
  fs::copy(block_, block2, fs::copy_options::recursive);
  std::ofstream(block2 + "/index", std::ios::binary | std::ios::trunc) << ours;
  fs::create_directories(dir_ + "/db/wal");  // tsdb dump opens the WAL
  fs::create_directories(db2 + "/wal");
  std::vector<std::string> want, got;
  ASSERT_TRUE(Run({"promtool", "tsdb", "dump", dir_ + "/db"}, &want));
  ASSERT_TRUE(Run({"promtool", "tsdb", "dump", db2}, &got));
  size_t samples = 0;
  for (const Expected& e : Inputs()) samples += e.samples;
  EXPECT_EQ(want.size(), samples);
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace kubescrape::tsdb
