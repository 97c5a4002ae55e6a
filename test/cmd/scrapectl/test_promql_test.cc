// `scrapectl test promql`: per-file and total counts, exit codes.
#include <gtest/gtest.h>

#include <sstream>

#include "cmd/scrapectl/commands.h"
#include "util/file_system.h"

namespace kubescrape::scrapectl {
namespace {

TEST(TestPromqlTest, CountsPerFileAndTotal) {
  util::MemFileSystem fs;
  fs.WriteFile("/ok.test", "load 1m\n  a 1 2\n\neval instant at 1m a\n  a 2\n");
  fs.WriteFile("/bad.test",
               "load 1m\n  a 1\n\neval instant at 0m a\n  a 3\n\n"
               "eval instant at 0m a\n  a {{schema:0 sum:1 count:1}}\n");
  std::ostringstream out, err;
  EXPECT_EQ(TestPromql({{"/ok.test"}}, out, err, fs), kExitOk);
  EXPECT_EQ(out.str(), "/ok.test: 1 passed, 0 failed, 0 skipped\n1 passed, 0 failed, 0 skipped\n");

  out.str("");
  EXPECT_EQ(TestPromql({{"/ok.test", "/bad.test", "/missing.test"}}, out, err, fs), kExitFailure);
  EXPECT_TRUE(out.str().ends_with("1 passed, 2 failed, 1 skipped\n")) << out.str();
  EXPECT_NE(out.str().find("--- FAIL: /bad.test:4: a\n    expected 3 for {__name__=\"a\"} but got 1\n"),
            std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("/bad.test: 0 passed, 1 failed, 1 skipped (native histograms 1)\n"), std::string::npos) << out.str();
}

TEST(TestPromqlTest, Usage) {
  std::ostringstream out, err;
  EXPECT_EQ(Main({"test", "promql"}, out, err), kExitUsage);
  EXPECT_EQ(err.str(), "usage: scrapectl test promql FILE...\n");
}

}  // namespace
}  // namespace kubescrape::scrapectl
