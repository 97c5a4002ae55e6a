#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tsdb/index_reader.h"
#include "tsdb/index_writer.h"
#include "util/coding.h"
#include "util/crc32c.h"
#include "util/file_system.h"

namespace kubescrape::tsdb {
namespace {

using model::Labels;
using model::Matcher;
using model::MatchType;
using util::StatusCode;
using Refs = std::vector<SeriesRef>;

struct TestSeries {
  Labels labels;
  std::vector<ChunkMeta> chunks;
};

// Writes `series` (any order) with their symbols; returns the file bytes and
// the ids in sorted label order.
std::string WriteIndex(std::vector<TestSeries> series, std::vector<uint64_t>* ids = nullptr) {
  std::sort(series.begin(), series.end(), [](const auto& a, const auto& b) { return a.labels < b.labels; });
  std::set<std::string> symbols;
  for (const TestSeries& s : series) {
    for (const model::Label& l : s.labels) {
      symbols.emplace(l.name);
      symbols.emplace(l.value);
    }
  }
  util::MemFileSystem fs;
  EXPECT_TRUE(fs.CreateDir("/b").ok());
  auto w = IndexWriter::Open(fs, "/b/index");
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  for (const std::string& s : symbols) EXPECT_TRUE((*w)->AddSymbol(s).ok());
  for (const TestSeries& s : series) {
    auto id = (*w)->AddSeries(s.labels, s.chunks);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    if (ids != nullptr && id.ok()) ids->push_back(*id);
  }
  util::Status st = (*w)->Close();
  EXPECT_TRUE(st.ok()) << st.ToString();
  auto data = fs.ReadFile("/b/index");
  EXPECT_TRUE(data.ok());
  return *data;
}

std::unique_ptr<IndexReader> MustOpen(std::string_view data) {
  auto r = IndexReader::Open(data);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *std::move(r) : nullptr;
}

Matcher M(MatchType t, std::string_view name, std::string_view value) {
  auto m = Matcher::Make(t, name, value);
  EXPECT_TRUE(m.ok()) << m.status().message();
  return *std::move(m);
}

// Reads the TOC of a file (tests check the layout against the spec).
std::vector<uint64_t> Toc(std::string_view data) {
  std::vector<uint64_t> toc;
  for (int i = 0; i < 6; ++i) toc.push_back(util::DecodeFixed64BE(data.data() + data.size() - 52 + 8 * i));
  return toc;
}

TEST(IndexTest, EmptyIndexLayout) {
  const std::string data = WriteIndex({});
  // header 5 | symbols 12 | pad 3 | all-postings 12 | table 16 | TOC 52.
  ASSERT_EQ(data.size(), 100u);
  EXPECT_EQ(util::DecodeFixed32BE(data.data()), 0xBAAAD700u);
  EXPECT_EQ(data[4], 2);
  EXPECT_EQ(Toc(data), (std::vector<uint64_t>{5, 17, 17, 32, 17, 32}));
  auto r = MustOpen(data);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->NumSeries(), 0u);
  EXPECT_TRUE(r->LabelNames().empty());
  EXPECT_EQ(*r->AllPostings(), Refs{});
  EXPECT_EQ(*r->Postings("a", "b"), Refs{});
  EXPECT_EQ(r->LabelValues("a")->size(), 0u);
  std::vector<Matcher> ms = {M(MatchType::kEqual, "a", "")};
  EXPECT_EQ(*r->PostingsForMatchers(ms), Refs{});
  EXPECT_EQ(r->Series(1, nullptr, nullptr).code(), StatusCode::kNotFound);
}

TEST(IndexTest, OneSeriesRoundTrip) {
  std::vector<uint64_t> ids;
  const std::vector<ChunkMeta> chunks = {{1000, 2000, 8}, {2001, 2500, 100}, {3000, 3000, 100}};
  const std::string data = WriteIndex({{Labels::FromPairs({{"__name__", "up"}, {"job", "node"}}), chunks}}, &ids);
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(ids[0] * 16, Toc(data)[1] + (16 - Toc(data)[1] % 16) % 16);  // first aligned offset
  auto r = MustOpen(data);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->NumSeries(), 1u);
  EXPECT_EQ(r->LabelNames(), (std::vector<std::string_view>{"__name__", "job"}));
  EXPECT_EQ(*r->LabelValues("job"), (std::vector<std::string_view>{"node"}));
  EXPECT_EQ(*r->Symbols(), (std::vector<std::string_view>{"__name__", "job", "node", "up"}));
  EXPECT_EQ(*r->Postings("job", "node"), Refs{ids[0]});
  EXPECT_EQ(*r->Postings("job", "nod"), Refs{});
  EXPECT_EQ(*r->Postings("job", "nodf"), Refs{});
  EXPECT_EQ(*r->AllPostings(), Refs{ids[0]});
  Labels labels;
  std::vector<ChunkMeta> got;
  ASSERT_TRUE(r->Series(ids[0], &labels, &got).ok());
  EXPECT_EQ(labels, Labels::FromPairs({{"__name__", "up"}, {"job", "node"}}));
  EXPECT_EQ(got, chunks);
  // Labels only.
  ASSERT_TRUE(r->Series(ids[0], &labels, nullptr).ok());
  EXPECT_GT(r->MemoryBytes(), 0u);
}

TEST(IndexTest, SpecialBytesInNamesAndValues) {
  std::vector<TestSeries> in = {
      {Labels::FromPairs({{"a", std::string("nul\0byte", 8)}, {"b", "\xff\xfe"}}), {}},
      {Labels::FromPairs({{"a", "line\nbreak \"quoted\" \\"}, {"b", "ünïcödé ✓"}}), {}},
      {Labels::FromPairs({{"a", std::string(300, 'x')}, {std::string(200, 'n'), "long name"}}), {}},
      {Labels::FromPairs({{"a", " "}, {"z", "\x01"}}), {}},
  };
  std::vector<uint64_t> ids;
  const std::string data = WriteIndex(in, &ids);
  auto r = MustOpen(data);
  ASSERT_NE(r, nullptr);
  std::sort(in.begin(), in.end(), [](const auto& a, const auto& b) { return a.labels < b.labels; });
  for (size_t i = 0; i < in.size(); ++i) {
    Labels got;
    ASSERT_TRUE(r->Series(ids[i], &got, nullptr).ok());
    EXPECT_EQ(got, in[i].labels) << got.ToString();
    for (const model::Label& l : in[i].labels) EXPECT_EQ(*r->Postings(l.name, l.value), Refs{ids[i]}) << l.value;
  }
  EXPECT_EQ(r->LabelValues("a")->size(), 4u);
}

TEST(IndexTest, ManyChunksPerSeries) {
  std::mt19937_64 rng(7);
  std::vector<ChunkMeta> chunks;
  int64_t t = -5'000'000'000;  // before the epoch: signed first min_t
  uint64_t ref = 1ull << 40;
  for (int i = 0; i < 10000; ++i) {
    const int64_t min_t = t + 1 + static_cast<int64_t>(rng() % 100000);
    const int64_t max_t = min_t + static_cast<int64_t>(rng() % 3 == 0 ? 0 : rng() % 7'200'000);
    ref += rng() % 3 == 0 ? 0 : rng() % (1ull << 33);
    chunks.push_back({min_t, max_t, ref});
    t = max_t;
  }
  std::vector<uint64_t> ids;
  const std::string data = WriteIndex({{Labels::FromPairs({{"__name__", "m"}}), chunks}}, &ids);
  auto r = MustOpen(data);
  ASSERT_NE(r, nullptr);
  std::vector<ChunkMeta> got;
  ASSERT_TRUE(r->Series(ids[0], nullptr, &got).ok());
  EXPECT_EQ(got, chunks);
}

// Random label sets over a few names; series may lack any label.
std::vector<TestSeries> RandomSeries(std::mt19937_64& rng, int n) {
  const std::vector<std::string> names = {"__name__", "env", "instance", "job"};
  std::set<Labels> seen;
  std::vector<TestSeries> out;
  while (static_cast<int>(out.size()) < n) {
    std::vector<model::Label> ls;
    std::vector<std::string> values(names.size());
    for (size_t i = 0; i < names.size(); ++i) {
      if (rng() % 5 == 0) continue;
      values[i] = (i == 2 ? "host-" : "v") + std::to_string(rng() % (i == 2 ? 300 : 6));
      ls.push_back({names[i], values[i]});
    }
    Labels l = Labels::FromSorted(ls);
    if (l.empty() || !seen.insert(l).second) continue;
    out.push_back({l, {{static_cast<int64_t>(out.size()), static_cast<int64_t>(out.size()) + 10, 0}}});
  }
  return out;
}

TEST(IndexTest, PostingsAndMatchersAgreeWithBruteForce) {
  std::mt19937_64 rng(42);
  std::vector<TestSeries> series = RandomSeries(rng, 2000);
  std::vector<uint64_t> ids;
  const std::string data = WriteIndex(series, &ids);
  std::sort(series.begin(), series.end(), [](const auto& a, const auto& b) { return a.labels < b.labels; });
  auto r = MustOpen(data);
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->NumSeries(), series.size());
  ASSERT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(*r->AllPostings(), Refs(ids.begin(), ids.end()));

  // Names, values and every postings list.
  std::map<std::string, std::map<std::string, Refs>> want;
  for (size_t i = 0; i < series.size(); ++i) {
    for (const model::Label& l : series[i].labels) want[std::string(l.name)][std::string(l.value)].push_back(ids[i]);
  }
  std::vector<std::string_view> names;
  for (const auto& [name, values] : want) names.push_back(name);
  EXPECT_EQ(r->LabelNames(), names);
  for (const auto& [name, values] : want) {
    std::vector<std::string_view> vs;
    for (const auto& [value, refs] : values) {
      vs.push_back(value);
      EXPECT_EQ(*r->Postings(name, value), refs) << name << "=" << value;
      EXPECT_EQ(*r->Postings(name, value + "~"), Refs{});  // absent, between samples
    }
    EXPECT_EQ(*r->LabelValues(name), vs);
  }
  EXPECT_EQ(*r->Postings("instance", ""), Refs{});
  EXPECT_EQ(*r->Postings("instance", "zzz"), Refs{});
  EXPECT_EQ(*r->Postings("nope", "v1"), Refs{});

  const std::vector<std::string> values = {"", "v1", "v3", "host-7", "host-1.*", "v[0-2]", ".*", ".+", "v1|v4", "nope"};
  const std::vector<std::string> mnames = {"__name__", "env", "instance", "job", "absent"};
  const MatchType types[] = {MatchType::kEqual, MatchType::kNotEqual, MatchType::kRegexMatch, MatchType::kRegexNoMatch};
  for (int iter = 0; iter < 400; ++iter) {
    std::vector<Matcher> ms;
    const int n = 1 + static_cast<int>(rng() % 3);
    for (int i = 0; i < n; ++i) {
      ms.push_back(M(types[rng() % 4], mnames[rng() % mnames.size()], values[rng() % values.size()]));
    }
    Refs brute;
    for (size_t i = 0; i < series.size(); ++i) {
      bool ok = true;
      for (const Matcher& m : ms) ok = ok && m.Matches(series[i].labels.Get(m.name()));
      if (ok) brute.push_back(ids[i]);
    }
    auto got = r->PostingsForMatchers(ms);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    std::string desc;
    for (const Matcher& m : ms) desc += m.ToString() + " ";
    EXPECT_EQ(*got, brute) << desc;
  }
  EXPECT_EQ(*r->PostingsForMatchers({}), Refs(ids.begin(), ids.end()));
}

TEST(IndexTest, HundredThousandSeries) {
  std::vector<TestSeries> series;
  series.reserve(100000);
  for (int i = 0; i < 100000; ++i) {
    series.push_back({Labels::FromPairs({{"__name__", "metric_" + std::to_string(i % 100)},
                                         {"instance", "host-" + std::to_string(i / 100)},
                                         {"job", i % 2 ? "odd" : "even"}}),
                      {{i * 1000, i * 1000 + 999, 0}}});
  }
  // Chunk refs grow in series order, as a compactor writes them.
  std::sort(series.begin(), series.end(), [](const auto& a, const auto& b) { return a.labels < b.labels; });
  for (size_t i = 0; i < series.size(); ++i) series[i].chunks[0].ref = i * 64;
  std::vector<uint64_t> ids;
  const std::string data = WriteIndex(series, &ids);
  auto r = MustOpen(data);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->NumSeries(), 100000u);
  EXPECT_EQ(r->LabelValues("instance")->size(), 1000u);
  EXPECT_EQ(r->Postings("job", "odd")->size(), 50000u);
  EXPECT_EQ(r->Postings("__name__", "metric_42")->size(), 1000u);
  EXPECT_EQ(r->Postings("instance", "host-999")->size(), 100u);
  std::vector<Matcher> ms = {M(MatchType::kRegexMatch, "instance", "host-12.*"), M(MatchType::kEqual, "job", "odd")};
  EXPECT_EQ(r->PostingsForMatchers(ms)->size(), 11u * 50);
  // Sampled lookups hold far less than the file.
  EXPECT_LT(r->MemoryBytes(), data.size() / 20);
  for (size_t i = 0; i < series.size(); i += 997) {
    Labels l;
    std::vector<ChunkMeta> c;
    ASSERT_TRUE(r->Series(ids[i], &l, &c).ok());
    EXPECT_EQ(l, series[i].labels);
    EXPECT_EQ(c, series[i].chunks);
  }
}

TEST(IndexTest, OrderViolationsAreRejected) {
  util::MemFileSystem fs;
  auto w = *IndexWriter::Open(fs, "/index");
  ASSERT_TRUE(w->AddSymbol("a").ok());
  EXPECT_EQ(w->AddSymbol("a").code(), StatusCode::kInvalidArgument);  // duplicate
  ASSERT_TRUE(w->AddSymbol("b").ok());
  EXPECT_EQ(w->AddSymbol("a").code(), StatusCode::kInvalidArgument);  // decreasing
  for (std::string_view s : {"c", "x", "y"}) ASSERT_TRUE(w->AddSymbol(s).ok());

  const Labels ax = Labels::FromPairs({{"a", "x"}});
  const Labels ay = Labels::FromPairs({{"a", "y"}});
  const Labels bx = Labels::FromPairs({{"b", "x"}});
  EXPECT_EQ(w->AddSeries(Labels(), {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(w->AddSeries(Labels::FromPairs({{"a", "z"}}), {}).status().code(), StatusCode::kInvalidArgument);
  std::vector<ChunkMeta> bad_range = {{10, 5, 0}};
  EXPECT_EQ(w->AddSeries(ax, bad_range).status().code(), StatusCode::kInvalidArgument);
  std::vector<ChunkMeta> overlap = {{0, 10, 0}, {10, 20, 1}};
  EXPECT_EQ(w->AddSeries(ax, overlap).status().code(), StatusCode::kInvalidArgument);
  std::vector<ChunkMeta> ref_back = {{0, 10, 5}, {11, 20, 4}};
  EXPECT_EQ(w->AddSeries(ax, ref_back).status().code(), StatusCode::kInvalidArgument);

  std::vector<ChunkMeta> c1 = {{0, 10, 100}};
  auto id1 = w->AddSeries(ay, c1);
  ASSERT_TRUE(id1.ok());
  EXPECT_EQ(w->AddSymbol("z").code(), StatusCode::kInvalidArgument);            // symbols done
  EXPECT_EQ(w->AddSeries(ay, {}).status().code(), StatusCode::kInvalidArgument);  // duplicate
  EXPECT_EQ(w->AddSeries(ax, {}).status().code(), StatusCode::kInvalidArgument);  // decreasing
  std::vector<ChunkMeta> c_back = {{0, 10, 99}};  // refs decrease across series
  EXPECT_EQ(w->AddSeries(bx, c_back).status().code(), StatusCode::kInvalidArgument);
  auto id2 = w->AddSeries(Labels::FromPairs({{"a", "y"}, {"b", "c"}}), c1);  // a prefix sorts first
  ASSERT_TRUE(id2.ok());
  // A shared prefix with the previous series, then a label that is not a symbol.
  EXPECT_EQ(w->AddSeries(Labels::FromPairs({{"a", "y"}, {"b", "q"}}), {}).status().code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(w->AddSeries(Labels::FromPairs({{"a", "y"}, {"b", "x"}}), {}).ok());
  ASSERT_TRUE(w->AddSeries(bx, {}).ok());
  ASSERT_TRUE(w->Close().ok());
  EXPECT_FALSE(w->Close().ok());
  EXPECT_FALSE(w->AddSeries(Labels::FromPairs({{"c", "x"}}), {}).ok());

  // The rejected calls left no trace.
  auto data = *fs.ReadFile("/index");
  auto r = MustOpen(data);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->NumSeries(), 4u);
  EXPECT_EQ(r->Postings("a", "y")->size(), 3u);
  EXPECT_EQ((*r->Postings("a", "y"))[1], *id2);
  EXPECT_EQ(r->Postings("b", "x")->size(), 2u);
  EXPECT_EQ(*r->Symbols(), (std::vector<std::string_view>{"a", "b", "c", "x", "y"}));

  EXPECT_EQ(IndexWriter::Open(fs, "/index").status().code(), StatusCode::kAlreadyExists);
}

TEST(IndexTest, WriteErrorsAreSticky) {
  util::MemFileSystem fs;
  auto w = *IndexWriter::Open(fs, "/index");
  ASSERT_TRUE(w->AddSymbol("a").ok());
  ASSERT_TRUE(w->AddSymbol("b").ok());
  fs.SetAppendBudget(0);
  util::Status s = w->Close();
  EXPECT_FALSE(s.ok());
  fs.SetAppendBudget(-1);
  EXPECT_FALSE(w->Close().ok());
}

class IndexCorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(3);
    data_ = WriteIndex(RandomSeries(rng, 200), &ids_);
  }
  util::Status OpenStatus(std::string_view data) { return IndexReader::Open(data).status(); }
  std::string data_;
  std::vector<uint64_t> ids_;
};

TEST_F(IndexCorruptionTest, BadMagic) {
  std::string d = data_;
  d[0] = 0x12;
  util::Status s = OpenStatus(d);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("magic"), std::string::npos) << s.message();
}

TEST_F(IndexCorruptionTest, Version1IsRejectedOthersUnknown) {
  std::string d = data_;
  d[4] = 1;
  util::Status s = OpenStatus(d);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("version 1 is not supported"), std::string::npos) << s.message();
  d[4] = 9;
  EXPECT_NE(OpenStatus(d).message().find("unknown format version 9"), std::string::npos);
  d[4] = 3;  // Prometheus's reserved v3 reads as v2
  EXPECT_TRUE(OpenStatus(d).ok());
}

TEST_F(IndexCorruptionTest, BadTocChecksum) {
  std::string d = data_;
  d[d.size() - 52 + 7] ^= 1;
  util::Status s = OpenStatus(d);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("TOC checksum"), std::string::npos) << s.message();
}

TEST_F(IndexCorruptionTest, Truncated) {
  for (size_t len : {size_t{0}, size_t{4}, size_t{56}, data_.size() / 2, data_.size() - 1}) {
    util::Status s = OpenStatus(std::string_view(data_).substr(0, len));
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << len;
  }
}

TEST_F(IndexCorruptionTest, SymbolTableChecksum) {
  std::string d = data_;
  d[Toc(d)[0] + 10] ^= 0x20;
  util::Status s = OpenStatus(d);
  EXPECT_NE(s.message().find("symbol table checksum"), std::string::npos) << s.message();
}

TEST_F(IndexCorruptionTest, PostingsTableChecksum) {
  std::string d = data_;
  d[Toc(d)[5] + 12] ^= 0x20;
  util::Status s = OpenStatus(d);
  EXPECT_NE(s.message().find("postings offset table checksum"), std::string::npos) << s.message();
}

TEST_F(IndexCorruptionTest, SeriesChecksumAndBadIds) {
  std::string d = data_;
  d[ids_[5] * 16 + 2] ^= 0x01;
  auto r = MustOpen(d);
  ASSERT_NE(r, nullptr);
  Labels l;
  util::Status s = r->Series(ids_[5], &l, nullptr);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("checksum"), std::string::npos) << s.message();
  EXPECT_TRUE(r->Series(ids_[6], &l, nullptr).ok());
  EXPECT_EQ(r->Series(0, &l, nullptr).code(), StatusCode::kNotFound);
  EXPECT_EQ(r->Series(1ull << 40, &l, nullptr).code(), StatusCode::kNotFound);
  // An id inside an entry, not at its start.
  size_t i = 0;
  while (ids_[i + 1] == ids_[i] + 1) ++i;
  EXPECT_EQ(r->Series(ids_[i] + 1, &l, nullptr).code(), StatusCode::kCorruption);
}

TEST_F(IndexCorruptionTest, PostingsListChecksum) {
  std::string d = data_;
  const uint64_t postings = (Toc(d)[4] + 3) / 4 * 4;
  d[postings + 9] ^= 0x01;  // the first id of the all-postings list
  auto r = MustOpen(d);
  ASSERT_NE(r, nullptr);
  auto p = r->AllPostings();
  EXPECT_EQ(p.status().code(), StatusCode::kCorruption);
  EXPECT_NE(p.status().message().find("checksum"), std::string::npos) << p.status().message();
  EXPECT_FALSE(r->PostingsForMatchers({}).ok());
}

// Exercises every lookup; must never crash whatever the bytes.
void ExerciseReader(std::string_view data) {
  auto r = IndexReader::Open(data);
  if (!r.ok()) {
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().ToString();
    return;
  }
  for (std::string_view name : (*r)->LabelNames()) {
    auto values = (*r)->LabelValues(name);
    if (!values.ok()) continue;
    for (std::string_view v : *values) (*r)->Postings(name, v).status().IgnoreError();
    std::vector<Matcher> ms = {M(MatchType::kRegexMatch, name, ".+1.*"), M(MatchType::kNotEqual, "env", "v2")};
    (*r)->PostingsForMatchers(ms).status().IgnoreError();
  }
  (*r)->Symbols().status().IgnoreError();
  auto all = (*r)->AllPostings();
  if (!all.ok()) return;
  Labels l;
  std::vector<ChunkMeta> c;
  for (SeriesRef id : *all) (*r)->Series(id, &l, &c).IgnoreError();
  for (SeriesRef id = 0; id < data.size() / 16 + 2; id += 3) (*r)->Series(id, &l, &c).IgnoreError();
}

TEST_F(IndexCorruptionTest, DamagedFilesNeverCrash) {
  std::mt19937_64 rng(11);
  for (size_t len = 0; len < data_.size(); len += 1 + rng() % 7) ExerciseReader(std::string_view(data_).substr(0, len));
  for (int i = 0; i < 300; ++i) {
    std::string d = data_;
    for (int j = 0; j < 1 + static_cast<int>(rng() % 3); ++j) d[rng() % d.size()] ^= static_cast<char>(1 + rng() % 255);
    ExerciseReader(d);
  }
  // TOCs with a valid checksum but offsets anywhere.
  for (int i = 0; i < 300; ++i) {
    std::string d = data_;
    char* toc = d.data() + d.size() - 52;
    const int field = static_cast<int>(rng() % 6);
    util::EncodeFixed64BE(toc + 8 * field, rng() % 3 == 0 ? rng() : rng() % d.size());
    util::EncodeFixed32BE(toc + 48, util::crc32c::Value(toc, 48));
    ExerciseReader(d);
  }
}

TEST(IndexTest, ChecksumsAreCastagnoliOverTheDocumentedBytes) {
  const std::string data = WriteIndex({{Labels::FromPairs({{"a", "b"}}), {}}});
  const auto toc = Toc(data);
  auto section_ok = [&](uint64_t off) {
    const uint32_t len = util::DecodeFixed32BE(data.data() + off);
    return util::crc32c::Value(data.data() + off + 4, len) == util::DecodeFixed32BE(data.data() + off + 4 + len);
  };
  EXPECT_TRUE(section_ok(toc[0]));                  // symbols
  EXPECT_TRUE(section_ok((toc[4] + 3) / 4 * 4));    // first postings list
  EXPECT_TRUE(section_ok(toc[5]));                  // postings offset table
  EXPECT_EQ(util::crc32c::Value(data.data() + data.size() - 52, 48),
            util::DecodeFixed32BE(data.data() + data.size() - 4));
}

}  // namespace
}  // namespace kubescrape::tsdb
