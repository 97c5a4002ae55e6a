// Prometheus's own PromQL test scripts (../shared/conformance/promql, from
// promql/promqltest/testdata at 3.14) through the script runner. Skipped
// when the shared folder is absent.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "promql/promqltest.h"

namespace kubescrape::promql {
namespace {

std::string ConformanceDir() {
  if (const char* env = std::getenv("KUBESCRAPE_CONFORMANCE_DIR")) return std::string(env) + "/promql";
  return std::string(KS_SOURCE_DIR) + "/../shared/conformance/promql";
}

// Runs one file; fails the test when an eval fails or fewer than
// `min_passed` pass (a floor: evals that needed native histograms or
// experimental syntax are skipped, and the skips must not grow).
void RunFile(const std::string& file, int min_passed) {
  const int max_failed = 0;
  std::string path = ConformanceDir() + "/" + file;
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is absent";
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto r = RunScript(ss.str());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::string failures;
  for (const EvalFailure& f : r->failures) failures += "  line " + std::to_string(f.line) + ": " + f.expr + "\n    " + f.message + "\n";
  std::printf("%s: %d passed, %d failed, %d skipped\n", file.c_str(), r->passed, r->failed, r->skipped);
  EXPECT_LE(r->failed, max_failed) << failures;
  EXPECT_GE(r->passed, min_passed) << failures;
  // In these files only native-histogram evals may be skipped.
  for (const auto& [reason, n] : r->skip_reasons) EXPECT_EQ(reason, "native histograms") << n << " evals";
  if (r->failed > 0) std::printf("%s", failures.c_str());
}

TEST(PromqlConformanceTest, Aggregators) { RunFile("aggregators.test", 125); }
TEST(PromqlConformanceTest, Collision) { RunFile("collision.test", 2); }
TEST(PromqlConformanceTest, Functions) { RunFile("functions.test", 323); }
TEST(PromqlConformanceTest, Histograms) { RunFile("histograms.test", 93); }
TEST(PromqlConformanceTest, Literals) { RunFile("literals.test", 25); }
TEST(PromqlConformanceTest, NameLabelDropping) { RunFile("name_label_dropping.test", 30); }
TEST(PromqlConformanceTest, Operators) { RunFile("operators.test", 142); }
TEST(PromqlConformanceTest, RangeQueries) { RunFile("range_queries.test", 16); }
TEST(PromqlConformanceTest, Selectors) { RunFile("selectors.test", 31); }
TEST(PromqlConformanceTest, Staleness) { RunFile("staleness.test", 17); }

// The other files (feature-flagged experimental syntax, native histograms,
// start timestamps): whatever runs must pass.
TEST(PromqlConformanceTest, OtherFilesHaveNoFailures) {
  const std::set<std::string> named = {"aggregators.test", "collision.test",  "functions.test",
                                       "histograms.test",  "literals.test",   "name_label_dropping.test",
                                       "operators.test",   "range_queries.test", "selectors.test",
                                       "staleness.test"};
  if (!std::filesystem::exists(ConformanceDir())) GTEST_SKIP() << ConformanceDir() << " is absent";
  for (const auto& entry : std::filesystem::directory_iterator(ConformanceDir())) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".test" || named.count(name)) continue;
    std::ifstream in(entry.path());
    std::stringstream ss;
    ss << in.rdbuf();
    auto r = RunScript(ss.str());
    ASSERT_TRUE(r.ok()) << name << ": " << r.status().ToString();
    std::string failures;
    for (const EvalFailure& f : r->failures) failures += "  line " + std::to_string(f.line) + ": " + f.expr + "\n";
    std::printf("%s: %d passed, %d failed, %d skipped\n", name.c_str(), r->passed, r->failed, r->skipped);
    EXPECT_EQ(r->failed, 0) << name << "\n" << failures;
  }
}

}  // namespace
}  // namespace kubescrape::promql
