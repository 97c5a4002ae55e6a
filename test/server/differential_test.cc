// Differential test: the same blocks served by Debian's prometheus (2.42)
// and by the kubescrape daemon, queried over HTTP with the same PromQL
// (test/server/testdata/differential_queries.txt) at several instant times
// and as range queries, plus the metadata endpoints. Answers must agree:
// status and errorType, result type, the set of series (labels), timestamps
// exactly, values within a relative 1e-9 (NaN == NaN; counts are small
// integers, so exact), and warnings.
//
// History: scripts/gen_history.py --builtin (6 targets x 120 series x 6 h @
// 30 s from 1700000000, a counter reset on the last target at 4 h, a 20 m gap
// on the fifth at 3 h), backfilled by promtool; kubescrape reads a copy.
// (Not its own import: `scrapectl tsdb create-blocks-from` normalises
// histogram `le` values as Prometheus 3 ingestion does, "1" -> "1.0", which
// promtool 2.42 does not, and that is not what this test compares.)
// Every evaluation time ends in .5 s or .25 s and every subquery step is a
// multiple of 30 s aligned to the epoch (samples lie at 20 s and 50 s past
// the minute), so no range boundary falls on a sample: Prometheus 3 (our
// reference) made range selectors left-open, 2.42's are closed, and only
// samples on a boundary could tell them apart.
//
// Known, deliberate differences (ours follow Prometheus 3.x) are listed in
// KnownDifferences() below and in docs/promql.md; each entry must still
// differ (a stale entry fails the test).
//
// Skipped without prometheus, promtool or /usr/bin/python3.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "test/server/api_answer.h"
#include "test/testing/subprocess.h"

namespace kubescrape {
namespace {

using testing::Answer;
using testing::Call;
using testing::Diff;
using testing::Form;
using testing::Parse;
using namespace std::chrono_literals;

constexpr int64_t kStart = 1700000000;  // first sample, seconds
constexpr const char* kQueriesFile = KS_SOURCE_DIR "/test/server/testdata/differential_queries.txt";

// A known difference between 2.42 and us. `query` is matched exactly;
// `endpoint` is "query", "query_range" or "" (both).
struct KnownDifference {
  enum class Kind { kIgnoreWarnings, kSkip } kind;
  std::string query;
  std::string endpoint;
  std::string reason;
};

const std::vector<KnownDifference>& KnownDifferences() {
  static const auto* list = new std::vector<KnownDifference>{
      {KnownDifference::Kind::kIgnoreWarnings, "sort(sum by (instance) (app_queue_depth))",
       "query_range",
       "Prometheus 3 warns \"sort is ineffective for range queries since results are always "
       "ordered by labels\"; "
       "2.42 has no such warning. Results agree."},
      {KnownDifference::Kind::kIgnoreWarnings, "sort_desc(sum by (pod) (app_queue_depth))",
       "query_range", "as above, for sort_desc."},
      {KnownDifference::Kind::kSkip, "holt_winters(app_queue_depth{shard=\"1\"}[10m], 0.5, 0.5)",
       "",
       "Prometheus 3 removed holt_winters (renamed double_exponential_smoothing); we refuse it as "
       "3.x does "
       "(bad_data: unknown function), 2.42 answers."},
      {KnownDifference::Kind::kSkip,
       "double_exponential_smoothing(app_queue_depth{shard=\"1\"}[10m], 0.5, 0.5)", "",
       "a Prometheus 3 experimental function (enabled by default here, docs/promql.md); unknown to "
       "2.42."},
      {KnownDifference::Kind::kSkip, "sort_by_label(app_queue_depth{shard=\"1\"}, \"instance\")",
       "", "a Prometheus 3 experimental function (enabled by default here); unknown to 2.42."},
      {KnownDifference::Kind::kSkip, "mad_over_time(app_queue_depth[10m])", "",
       "a Prometheus 3 experimental function (enabled by default here); unknown to 2.42."},
      {KnownDifference::Kind::kSkip, "limitk(2, app_queue_depth)", "",
       "a Prometheus 3 experimental aggregation (always available here); unknown to 2.42."},
      {KnownDifference::Kind::kSkip,
       "app_queue_depth{shard=\"1\"} atan2 app_queue_depth{shard=\"1\"}", "",
       "Prometheus 3 drops __name__ for atan2 like the other arithmetic operators; 2.42 keeps it. "
       "Values agree."},
      {KnownDifference::Kind::kIgnoreWarnings, "quantile(1.5, app_queue_depth)", "",
       "Prometheus 3 warns \"quantile value should be between 0 and 1, got 1.5\"; 2.42 does not. "
       "Results agree."},
      {KnownDifference::Kind::kIgnoreWarnings, "quantile_over_time(-1, app_queue_depth[5m])", "",
       "as above (got -1). Results agree."},
      {KnownDifference::Kind::kIgnoreWarnings,
       "histogram_quantile(NaN, rate(http_request_duration_seconds_bucket[5m]))", "",
       "as above (got NaN). Results agree."},
  };
  return *list;
}

// Both servers over one generated history; shared by the tests (starting
// them is most of the run time).
struct Servers {
  std::string skip;  // why the suite is skipped, or empty
  std::filesystem::path dir;
  std::optional<testing::Subprocess> prometheus, kubescrape;
  int prometheus_port = 0, kubescrape_port = 0;
};

Servers* g_servers = nullptr;

// Runs `command` in a shell, waiting at most two minutes; its exit code
// (-1 on timeout), output in *out.
int Shell(const std::string& command, std::string* out) {
  auto p = testing::Subprocess::Start({"sh", "-c", command + " 2>&1; echo \"exit=$?\""});
  if (!p) return -1;
  std::string last;
  while (std::optional<std::string> line = p->ReadLine(120s)) {
    *out += *line + "\n";
    last = *line;
  }
  return last.starts_with("exit=") ? std::atoi(last.c_str() + 5) : -1;
}

bool WaitReady(int port, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (Call(port, "GET", "/-/ready").status == 200) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

class DifferentialTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    g_servers = new Servers;
    Servers& s = *g_servers;
    for (const char* tool : {"prometheus", "promtool"}) {
      if (!testing::HaveExecutable(tool)) s.skip = std::string(tool) + " is not installed";
    }
    if (!std::filesystem::exists("/usr/bin/python3")) s.skip = "/usr/bin/python3 is not installed";
    if (!s.skip.empty()) return;
    char tmpl[] = "/tmp/ks_differential_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    s.dir = tmpl;
    const std::string d = s.dir.string();
    std::string out;
    ASSERT_EQ(
        Shell(fmt::format(
                  "/usr/bin/python3 {}/scripts/gen_history.py --builtin --targets 6 --series 120 "
                  "--duration 6h --interval 30s --start {} -o {}/in.om",
                  KS_SOURCE_DIR, kStart, d),
              &out),
        0)
        << out;
    ASSERT_EQ(Shell(fmt::format("promtool tsdb create-blocks-from openmetrics {0}/in.om {0}/p && "
                                "cp -r {0}/p {0}/k && "
                                "echo 'global: {{}}' > {0}/empty.yml",
                                d),
                    &out),
              0)
        << out;
    s.prometheus_port = testing::FreePort();
    auto started = testing::Subprocess::Start(
        {"sh", "-c",
         fmt::format("exec prometheus --config.file {0}/empty.yml --storage.tsdb.path {0}/p "
                     "--storage.tsdb.retention.time 100y --web.listen-address 127.0.0.1:{1} "
                     "2>{0}/prometheus.log",
                     d, s.prometheus_port)});
    if (started) s.prometheus.emplace(std::move(*started));
    s.kubescrape_port = testing::FreePort();
    auto started_ks = testing::Subprocess::Start(
        {"sh", "-c",
         fmt::format("exec {2} --config.file {0}/empty.yml --storage.tsdb.path {0}/k "
                     "--storage.tsdb.retention.time 100y --web.listen-address 127.0.0.1:{1} "
                     "2>{0}/kubescrape.log",
                     d, s.kubescrape_port, KS_KUBESCRAPE_BINARY)});
    if (started_ks) s.kubescrape.emplace(std::move(*started_ks));
    ASSERT_TRUE(s.prometheus && s.kubescrape);
    ASSERT_TRUE(WaitReady(s.prometheus_port, 60s))
        << "prometheus not ready; see " << d << "/prometheus.log";
    ASSERT_TRUE(WaitReady(s.kubescrape_port, 60s))
        << "kubescrape not ready; see " << d << "/kubescrape.log";
  }

  static void TearDownTestSuite() {
    if (g_servers == nullptr) return;
    if (g_servers->prometheus) g_servers->prometheus->Kill();
    if (g_servers->kubescrape) g_servers->kubescrape->Kill();
    if (!g_servers->dir.empty() && std::getenv("KS_KEEP_TMP") == nullptr) {
      std::filesystem::remove_all(g_servers->dir);
    }
    delete g_servers;
    g_servers = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(g_servers, nullptr);
    if (!g_servers->skip.empty()) GTEST_SKIP() << g_servers->skip;
    ASSERT_TRUE(g_servers->prometheus && g_servers->kubescrape) << "servers did not start";
  }

  // Both answers to one API call (POST form for queries, GET otherwise).
  static std::pair<Answer, Answer> Ask(
      const std::string& path, const std::vector<std::pair<std::string, std::string>>& params,
      bool post = true) {
    const std::string form = Form(params);
    auto call = [&](int port) {
      return post ? Call(port, "POST", path, form) : Call(port, "GET", path + "?" + form);
    };
    return {Parse(call(g_servers->prometheus_port)), Parse(call(g_servers->kubescrape_port))};
  }
};

std::string Seconds(double t) { return fmt::format("{:.3f}", t); }

std::vector<std::string> ReadQueries() {
  std::vector<std::string> out;
  std::ifstream in(kQueriesFile);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    out.push_back(line);
  }
  return out;
}

TEST_F(DifferentialTest, QueriesAgree) {
  const std::vector<std::string> queries = ReadQueries();
  ASSERT_GE(queries.size(), 100u) << kQueriesFile;
  // Instant times (offsets from the first sample, seconds): early; inside
  // the second block; inside the gap of target 4 (3 h .. 3 h 20 m); just
  // after the gap; just after the counter reset (4 h); after the last sample
  // (5 h 59 m 30 s) but within the 5 m lookback; past the lookback; a
  // quarter-second time.
  const std::vector<double> times = {907.5,   7207.5,  11107.5, 12037.5,
                                     14415.5, 21587.5, 21900.5, 18000.25};
  struct Range {
    double start, end;
    int step;
  };
  // Range queries start 1 h 5 m in: see RateExtrapolationNearSeriesStart for
  // why windows reaching back past the first sample are tested separately.
  const std::vector<Range> ranges = {{3907.5, 21907.5, 300}, {10000.5, 13600.5, 30}};

  std::map<const KnownDifference*, int> used;
  int compared = 0, non_empty = 0, errors = 0;
  for (const std::string& q : queries) {
    std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> calls;
    for (double t : times)
      calls.push_back({"query", {{"query", q}, {"time", Seconds(kStart + t)}}});
    for (const Range& r : ranges) {
      calls.push_back({"query_range",
                       {{"query", q},
                        {"start", Seconds(kStart + r.start)},
                        {"end", Seconds(kStart + r.end)},
                        {"step", std::to_string(r.step)}}});
    }
    for (const auto& [endpoint, params] : calls) {
      const KnownDifference* known = nullptr;
      for (const KnownDifference& k : KnownDifferences()) {
        if (k.query == q && (k.endpoint.empty() || k.endpoint == endpoint)) known = &k;
      }
      auto [p, k] = Ask("/api/v1/" + endpoint, params);
      ++compared;
      if (p.status == "success" && !p.series.empty()) ++non_empty;
      if (p.status != "success") ++errors;
      if (known != nullptr && known->kind == KnownDifference::Kind::kSkip) {
        if (!Diff(p, k, true).empty()) ++used[known];
        continue;
      }
      const bool warnings = known == nullptr;
      std::string diff = Diff(p, k, warnings);
      if (known != nullptr && p.warnings != k.warnings) ++used[known];
      EXPECT_EQ(diff, "") << endpoint << " " << q << " at " << params[1].second
                          << "\n  prometheus: " << p.raw << "\n  kubescrape: " << k.raw;
    }
  }
  for (const KnownDifference& k : KnownDifferences()) {
    EXPECT_GT(used[&k], 0) << "stale known difference (answers now agree): " << k.query;
  }
  // The comparison is not vacuous.
  EXPECT_GT(non_empty, compared * 3 / 4);
  // Two parse errors at every call, the many-to-many match where there is data.
  EXPECT_GT(errors, 2 * 10);
  RecordProperty("compared", compared);
}

// Known difference: rate()/increase() of a counter whose first sample is
// more than 1.1 average intervals after the window start, and whose
// extrapolated zero point is closer than that. 2.42 moves the start to the
// zero point first and then caps; Prometheus 3 (and we) cap the start at
// half an interval first, then take the zero point if that is closer. Here:
// samples at 0 s .. 300 s (values 1 .. 11, 11 samples), window ending at
// 307.5 s: 2.42 extrapolates by 30 s (zero point) + 7.5 s, we by 15 s +
// 7.5 s.
TEST_F(DifferentialTest, RateExtrapolationNearSeriesStart) {
  const std::string q =
      "rate(http_request_duration_seconds_bucket{instance=\"10.0.0.0:9100\",le=\"0.025\","
      "handler=\"/healthz\",code=\"200\"}[10m])";
  auto [samples, unused] =
      Ask("/api/v1/query", {{"query", "max_over_time(" + q.substr(5, q.size() - 6) + ")"},
                            {"time", Seconds(kStart + 307.5)}});
  ASSERT_EQ(samples.series.size(), 1u) << samples.raw;
  auto [p, k] = Ask("/api/v1/query", {{"query", q}, {"time", Seconds(kStart + 307.5)}});
  ASSERT_EQ(p.series.size(), 1u) << p.raw;
  ASSERT_EQ(k.series.size(), 1u) << k.raw;
  const double got_p = std::strtod(p.series.begin()->second[0].second.c_str(), nullptr);
  const double got_k = std::strtod(k.series.begin()->second[0].second.c_str(), nullptr);
  // increase 10 over 300 s sampled; per second over the 600 s range.
  EXPECT_NEAR(got_p, 10 * (300 + 30 + 7.5) / 300 / 600, 1e-12) << p.raw;
  EXPECT_NEAR(got_k, 10 * (300 + 15 + 7.5) / 300 / 600, 1e-12) << k.raw;
}

// Known difference, the one the evaluation times avoid: range selectors are
// left-open in Prometheus 3 ((t-r, t]) and closed in 2.42 ([t-r, t]). At a
// sample's own timestamp a 5 m window over 30 s samples holds 11 samples for
// 2.42 and 10 for us; the same over a 5 m subquery at a 1 m step.
TEST_F(DifferentialTest, RangeSelectorsAreLeftOpen) {
  const std::string sel = "app_queue_depth{instance=\"10.0.0.0:9100\",pod=\"app-0\",shard=\"0\"}";
  const std::string at = Seconds(kStart + 3600);  // a sample timestamp
  auto [p, k] = Ask("/api/v1/query", {{"query", "count_over_time(" + sel + "[5m])"}, {"time", at}});
  ASSERT_EQ(p.series.size(), 1u) << p.raw;
  ASSERT_EQ(k.series.size(), 1u) << k.raw;
  EXPECT_EQ(p.series.begin()->second[0].second, "11");
  EXPECT_EQ(k.series.begin()->second[0].second, "10");
  // Subquery steps at whole minutes; kStart + 3600 + 40 is one (kStart % 60 == 20).
  auto [ps, ks] = Ask("/api/v1/query", {{"query", "count_over_time(" + sel + "[5m:1m])"},
                                        {"time", Seconds(kStart + 3640)}});
  ASSERT_EQ(ps.series.size(), 1u) << ps.raw;
  ASSERT_EQ(ks.series.size(), 1u) << ks.raw;
  EXPECT_EQ(ps.series.begin()->second[0].second, "6");
  EXPECT_EQ(ks.series.begin()->second[0].second, "5");
}

TEST_F(DifferentialTest, MetadataAgrees) {
  using Params = std::vector<std::pair<std::string, std::string>>;
  const std::string all_start = Seconds(kStart - 3600), all_end = Seconds(kStart + 7 * 3600);
  const std::string mid_start = Seconds(kStart + 7000), mid_end = Seconds(kStart + 7400);
  const std::string before_start = Seconds(kStart - 7200), before_end = Seconds(kStart - 3600);
  struct Case {
    std::string path;
    Params params;
    bool post;
  };
  const std::vector<Case> cases = {
      {"/api/v1/series", {{"match[]", "app_queue_depth{shard=\"3\"}"}}, true},
      {"/api/v1/series",
       {{"match[]", "app_queue_depth{shard=\"3\"}"}, {"start", mid_start}, {"end", mid_end}},
       true},
      {"/api/v1/series",
       {{"match[]", "{__name__=~\"node_network_.*\",device=\"eth0\"}"},
        {"match[]", "http_request_duration_seconds_count{code=\"500\"}"},
        {"start", all_start},
        {"end", all_end}},
       true},
      {"/api/v1/series",
       {{"match[]", "http_request_duration_seconds_bucket{le=~\"0.0.*\",handler=\"/api\"}"}},
       false},
      {"/api/v1/series",
       {{"match[]", "app_queue_depth"}, {"start", before_start}, {"end", before_end}},
       true},
      {"/api/v1/series", {{"match[]", "no_such_metric"}}, true},
      {"/api/v1/series",
       {{"match[]", "{job=~\".+\"}"}, {"start", mid_start}, {"end", mid_end}},
       true},
      {"/api/v1/series", {}, true},  // an error on both
      {"/api/v1/labels", {}, true},
      {"/api/v1/labels", {{"start", mid_start}, {"end", mid_end}}, true},
      {"/api/v1/labels", {{"match[]", "http_request_duration_seconds_bucket"}}, true},
      {"/api/v1/labels",
       {{"match[]", "app_queue_depth"}, {"match[]", "node_cpu_seconds_total"}},
       false},
      {"/api/v1/labels", {{"start", before_start}, {"end", before_end}}, true},
      {"/api/v1/label/__name__/values", {}, false},
      {"/api/v1/label/instance/values", {{"start", mid_start}, {"end", mid_end}}, false},
      {"/api/v1/label/le/values",
       {{"match[]", "http_request_duration_seconds_bucket{handler=\"/api\"}"}},
       false},
      {"/api/v1/label/mode/values", {{"match[]", "node_cpu_seconds_total{cpu=\"1\"}"}}, false},
      {"/api/v1/label/pod/values", {{"start", before_start}, {"end", before_end}}, false},
      {"/api/v1/label/nope/values", {}, false},
  };
  for (const Case& c : cases) {
    auto [p, k] = Ask(c.path, c.params, c.post);
    EXPECT_EQ(Diff(p, k, true), "") << c.path << "?" << Form(c.params)
                                    << "\n  prometheus: " << p.raw << "\n  kubescrape: " << k.raw;
  }
}

// /series over a range with no samples of a series but inside one of its
// chunks (target 4's 20 m gap, 3 h 3 m .. 3 h 13 m; a chunk holds 120
// samples = 1 h and spans the gap): as Prometheus, queriers select series by
// their chunks' time ranges, so both list target 4, and label values agree.
TEST_F(DifferentialTest, SeriesInsideAChunkGap) {
  const std::vector<std::pair<std::string, std::string>> params = {
      {"match[]", "app_queue_depth{shard=\"3\",pod=\"app-0\"}"},
      {"start", Seconds(kStart + 11000)},
      {"end", Seconds(kStart + 11600)}};
  auto [p, k] = Ask("/api/v1/series", params);
  EXPECT_EQ(p.series.size(), 6u) << p.raw;
  EXPECT_EQ(Diff(p, k, true), "") << k.raw;
  auto [pv, kv] = Ask("/api/v1/label/instance/values", params, false);
  EXPECT_TRUE(pv.series.contains("10.0.0.4:9100")) << pv.raw;
  EXPECT_EQ(Diff(pv, kv, true), "") << kv.raw;
}

}  // namespace
}  // namespace kubescrape
