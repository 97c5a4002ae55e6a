#include "util/logging.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

namespace kubescrape::util::log {
namespace {

class LoggingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
  }
  FakeClock clock_{1700000000123};  // 2023-11-14T22:13:20.123Z
  std::vector<std::string> lines_;
  Sink sink_ = [this](std::string_view line) { lines_.emplace_back(line); };
};

TEST_F(LoggingTest, LogfmtLineHasPrometheusKeys) {
  Logger logger(Level::kInfo, Format::kLogfmt, sink_, &clock_);
  logger.Log(Level::kInfo, "Loading configuration file",
             {{"filename", "prometheus.yml"}, {"count", 3}, {"ok", true}},
             std::source_location::current());
  ASSERT_EQ(lines_.size(), 1u);
  const std::string& l = lines_[0];
  EXPECT_EQ(l.rfind("time=2023-11-14T22:13:20.123Z level=INFO source=logging_test.cc:", 0), 0u) << l;
  EXPECT_NE(l.find(" msg=\"Loading configuration file\" filename=prometheus.yml count=3 ok=true\n"),
            std::string::npos)
      << l;
}

TEST_F(LoggingTest, LogfmtQuotesWhenNeeded) {
  Logger logger(Level::kDebug, Format::kLogfmt, sink_, &clock_);
  logger.Log(Level::kWarn, "m", {{"empty", ""}, {"eq", "a=b"}, {"nl", "x\ny"}, {"q", "say \"hi\""}},
             std::source_location::current());
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_NE(lines_[0].find("level=WARN"), std::string::npos);
  EXPECT_NE(lines_[0].find(R"(empty="" eq="a=b" nl="x\ny" q="say \"hi\"")"), std::string::npos)
      << lines_[0];
}

TEST_F(LoggingTest, JsonFormat) {
  Logger logger(Level::kInfo, Format::kJson, sink_, &clock_);
  logger.Log(Level::kError, "scrape failed", {{"err", "timeout"}, {"n", 2}, {"up", false}},
             std::source_location::current());
  ASSERT_EQ(lines_.size(), 1u);
  const std::string& l = lines_[0];
  EXPECT_EQ(l.rfind(R"({"time":"2023-11-14T22:13:20.123Z","level":"ERROR","source":"logging_test.cc:)", 0), 0u) << l;
  EXPECT_NE(l.find(R"("msg":"scrape failed","err":"timeout","n":2,"up":false}
)"), std::string::npos) << l;
}

TEST_F(LoggingTest, LevelFilters) {
  Logger logger(Level::kWarn, Format::kLogfmt, sink_, &clock_);
  logger.Log(Level::kInfo, "dropped", {}, std::source_location::current());
  logger.Log(Level::kDebug, "dropped", {}, std::source_location::current());
  logger.Log(Level::kError, "kept", {}, std::source_location::current());
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_NE(lines_[0].find("msg=kept"), std::string::npos);
}

TEST(LoggingFlagsTest, ParseLevelAndFormat) {
  EXPECT_EQ(*ParseLevel("debug"), Level::kDebug);
  EXPECT_EQ(*ParseLevel("error"), Level::kError);
  EXPECT_FALSE(ParseLevel("verbose").ok());
  EXPECT_NE(ParseLevel("verbose").status().message().find("debug, info, warn, error"), std::string::npos);
  EXPECT_EQ(*ParseFormat("json"), Format::kJson);
  EXPECT_FALSE(ParseFormat("xml").ok());
}

}  // namespace
}  // namespace kubescrape::util::log
