#include "model/duration.h"

#include <gtest/gtest.h>

namespace kubescrape::model {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(DurationTest, ParsesPrometheusDurations) {
  EXPECT_EQ(*ParseDuration("0"), milliseconds(0));
  EXPECT_EQ(*ParseDuration("15s"), seconds(15));
  EXPECT_EQ(*ParseDuration("1h30m"), minutes(90));
  EXPECT_EQ(*ParseDuration("1d"), hours(24));
  EXPECT_EQ(*ParseDuration("2w"), hours(24 * 14));
  EXPECT_EQ(*ParseDuration("1y"), hours(24 * 365));
  EXPECT_EQ(*ParseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(*ParseDuration("1m0s5ms"), milliseconds(60005));
}

TEST(DurationTest, RejectsWithPrometheusMessages) {
  EXPECT_EQ(ParseDuration("").status().message(), "empty duration string");
  EXPECT_EQ(ParseDuration("5").status().message(), "not a valid duration string: \"5\"");
  EXPECT_EQ(ParseDuration("1.5s").status().message(), "unknown unit \".\" in duration \"1.5s\"");
  EXPECT_EQ(ParseDuration("5x").status().message(), "unknown unit \"x\" in duration \"5x\"");
  EXPECT_EQ(ParseDuration("1s1m").status().message(), "not a valid duration string: \"1s1m\"");
  EXPECT_EQ(ParseDuration("1s1s").status().message(), "not a valid duration string: \"1s1s\"");
  EXPECT_EQ(ParseDuration("-1s").status().message(), "not a valid duration string: \"-1s\"");
  EXPECT_EQ(ParseDuration("300y").status().message(), "duration out of range");
}

TEST(DurationTest, FormatsLikePrometheus) {
  EXPECT_EQ(FormatDuration(milliseconds(0)), "0s");
  EXPECT_EQ(FormatDuration(seconds(15)), "15s");
  EXPECT_EQ(FormatDuration(minutes(90)), "1h30m");
  EXPECT_EQ(FormatDuration(hours(24 * 90)), "90d");     // not 12w6d
  EXPECT_EQ(FormatDuration(hours(24 * 14)), "2w");
  EXPECT_EQ(FormatDuration(hours(24 * 365)), "1y");
  EXPECT_EQ(FormatDuration(milliseconds(1500)), "1s500ms");
}

}  // namespace
}  // namespace kubescrape::model
