// The test-script runner itself: series notation, comparisons, expectations,
// skips, and the project's own scripts in test/testdata/promql.
#include "promql/promqltest.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "model/value.h"

namespace kubescrape::promql {
namespace {

ScriptResult RunOk(std::string_view script) {
  auto r = RunScript(script);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : ScriptResult{};
}

std::string Failures(const ScriptResult& r) {
  std::string s;
  for (const auto& f : r.failures) s += std::to_string(f.line) + ": " + f.message + "\n";
  return s;
}

TEST(ScriptTest, SeriesNotation) {
  ScriptResult r = RunOk(R"(
load 1m
  a 1+2x3
  b 10-1x2 _ _x2 stale 7
  c 1x2 Inf -Inf NaN

eval range from 0 to 3m step 1m a
  a 1 3 5 7

eval range from 0 to 7m step 1m b
  b 10 9 8 8 8 8 _ 7

eval range from 0 to 5m step 1m c
  c 1 1 1 Inf -Inf NaN
)");
  EXPECT_EQ(r.passed, 3) << Failures(r);
  EXPECT_EQ(r.failed, 0);
}

TEST(ScriptTest, WrongValuesFail) {
  ScriptResult r = RunOk(R"(
load 1m
  a 1

eval instant at 0m a
  a 2

eval instant at 0m a
  a 1
  b 1

eval instant at 0m a

eval instant at 0m a * 1
  a 1
)");
  EXPECT_EQ(r.passed, 0);
  ASSERT_EQ(r.failed, 4);
  EXPECT_EQ(r.failures[0].line, 5);
  EXPECT_EQ(r.failures[0].message, "expected 2 for {__name__=\"a\"} but got 1");
  EXPECT_EQ(r.failures[1].message, "expected metric {__name__=\"b\"} not found");
  EXPECT_EQ(r.failures[2].message, "unexpected metric {__name__=\"a\"} in result, has value 1");
  EXPECT_EQ(r.failures[3].message, "unexpected metric {} in result, has value 1");
}

TEST(ScriptTest, FloatTolerance) {
  ScriptResult r = RunOk(R"(
eval instant at 0m 1.0000001
  1
eval instant at 0m 1.00001
  1
eval instant at 0m NaN
  NaN
)");
  EXPECT_EQ(r.passed, 2) << Failures(r);
  EXPECT_EQ(r.failed, 1);
  EXPECT_TRUE(AlmostEqual(model::StaleNaN(), model::StaleNaN(), 1e-6));
  EXPECT_FALSE(AlmostEqual(model::StaleNaN(), std::nan(""), 1e-6));
  EXPECT_TRUE(AlmostEqual(0, 1e-320, 1e-6));
}

TEST(ScriptTest, ExpectFailWarnInfoOrdered) {
  ScriptResult r = RunOk(R"(
load 1m
  x{a="1"} 1
  x{a="2"} 2
  g 1 2 3

eval instant at 0m x + on() x
  expect fail msg: found duplicate series for the match group {} on the right hand-side of the operation: [{__name__="x", a="1"}, {__name__="x", a="2"}];many-to-many matching not allowed: matching labels must be unique on one side

eval_fail instant at 0m x + on() x
  expected_fail_regexp many-to-many

eval instant at 0m x
  expect fail

eval instant at 2m rate(g[2m])
  expect info msg: PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "g" (1:6)
  {} 0.016666666666666666

eval instant at 2m rate(g[2m])
  expect no_info
  {} 0.016666666666666666

eval instant at 0m quantile(2, x)
  expect warn regex: quantile value should be between 0 and 1, got 2
  {} +Inf

eval instant at 0m sort_desc(x)
  expect ordered
  x{a="2"} 2
  x{a="1"} 1

eval instant at 0m sort(x)
  expect ordered
  x{a="2"} 2
  x{a="1"} 1
)");
  EXPECT_EQ(r.passed, 5) << Failures(r);
  ASSERT_EQ(r.failed, 3) << Failures(r);
  EXPECT_EQ(r.failures[0].message, "expected error evaluating query but got none");
  EXPECT_NE(r.failures[1].message.find("unexpected info annotations"), std::string::npos);
  EXPECT_EQ(r.failures[2].message, "expected metric {__name__=\"x\", a=\"1\"} at position 2 but was at 1");
}

TEST(ScriptTest, StringsRangeVectorsAndClear) {
  ScriptResult r = RunOk(R"(
load 10s
  m 1 2 3 4

eval instant at 30s m[20s]
  expect range vector from 20s to 30s step 10s
  m 3 4

eval instant at 0m "hi"
  expect string "hi"

clear

eval instant at 30s m
)");
  EXPECT_EQ(r.passed, 3) << Failures(r);
  EXPECT_EQ(r.failed, 0);
}

TEST(ScriptTest, NativeHistogramsAndExperimentalSyntaxAreSkipped) {
  ScriptResult r = RunOk(R"(
load 1m
  h {{schema:0 sum:5 count:4 buckets:[1 2 1]}}x3
  f 1 2

eval instant at 1m h
  h {{schema:0 sum:5 count:4 buckets:[1 2 1]}}

eval instant at 1m {__name__=~".+"}
  f 2

eval instant at 1m f
  f 2

eval instant at 1m rate(f[1m] anchored)
  {} 1
)");
  EXPECT_EQ(r.passed, 1) << Failures(r);
  EXPECT_EQ(r.skipped, 3);
  EXPECT_EQ(r.failed, 0);
  EXPECT_EQ(r.skip_reasons, (std::map<std::string, int>{{"experimental syntax", 1}, {"native histograms", 2}}));
}

TEST(ScriptTest, AnnotationMessagesWithOrWithoutPosition) {
  ScriptResult r = RunOk(R"(
load 1m
  x 1

eval instant at 0m quantile(2, x)
  expect warn msg: PromQL warning: quantile value should be between 0 and 1, got 2 (1:10)
  {} +Inf

eval instant at 0m quantile(2, x)
  expect warn msg: PromQL warning: quantile value should be between 0 and 1, got 2
  {} +Inf

eval instant at 0m quantile(2, x)
  expect warn msg: PromQL warning: quantile value should be between 0 and 1, got 2 (1:11)
  {} +Inf
)");
  EXPECT_EQ(r.passed, 2) << Failures(r);
  EXPECT_EQ(r.failed, 1) << Failures(r);
}

TEST(ScriptTest, BadScriptsAreErrors) {
  EXPECT_EQ(RunScript("foo bar\n").status().message(), "line 1: invalid command \"foo bar\"");
  EXPECT_FALSE(RunScript("load xyz\n  a 1\n").ok());
  EXPECT_FALSE(RunScript("load 1m\n  a 1+\n").ok());
  EXPECT_FALSE(RunScript("eval instant at 0m 1\n  expect warn\n  expect no_warn\n").ok());
}

TEST(ScriptTest, OwnScripts) {
  const std::string dir = std::string(KS_SOURCE_DIR) + "/test/testdata/promql";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".test") continue;
    ++files;
    std::ifstream in(entry.path());
    std::stringstream ss;
    ss << in.rdbuf();
    auto r = RunScript(ss.str());
    ASSERT_TRUE(r.ok()) << entry.path() << ": " << r.status().ToString();
    EXPECT_EQ(r->failed, 0) << entry.path() << "\n" << Failures(*r);
    EXPECT_GT(r->passed, 0) << entry.path();
  }
  EXPECT_GT(files, 0);
}

}  // namespace
}  // namespace kubescrape::promql
