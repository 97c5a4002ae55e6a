#include "util/flags.h"

#include <gtest/gtest.h>

#include "util/logging.h"

namespace kubescrape::util {
namespace {

struct Options {
  std::string config = "prometheus.yml";
  std::string level = "info";
  bool lifecycle = false;
  int port = 9090;
};

FlagSet Flags(Options* o) {
  FlagSet f("kubescrape");
  f.String("config.file", &o->config, "Configuration file path.");
  f.String("log.level", &o->level, "Only log messages with the given severity or above.");
  f.Bool("web.enable-lifecycle", &o->lifecycle, "Enable shutdown and reload via HTTP request.");
  f.Custom("web.port", "9090",
           [o](std::string_view v) {
             if (v.empty() || v.find_first_not_of("0123456789") != std::string_view::npos) {
               return InvalidArgumentError("not a port");
             }
             o->port = std::stoi(std::string(v));
             return Status::Ok();
           },
           "Port.");
  return f;
}

TEST(FlagsTest, BothSpellingsAndBooleans) {
  Options o;
  FlagSet f = Flags(&o);
  ASSERT_TRUE(f.Parse({"--config.file=/etc/p.yml", "--log.level", "debug", "--web.enable-lifecycle", "--web.port=80"}).ok());
  EXPECT_EQ(o.config, "/etc/p.yml");
  EXPECT_EQ(o.level, "debug");
  EXPECT_TRUE(o.lifecycle);
  EXPECT_EQ(o.port, 80);
  ASSERT_TRUE(f.Parse({"--no-web.enable-lifecycle"}).ok());
  EXPECT_FALSE(o.lifecycle);
  ASSERT_TRUE(f.Parse({"--web.enable-lifecycle=true"}).ok());
  EXPECT_TRUE(o.lifecycle);
}

TEST(FlagsTest, KingpinStyleErrors) {
  Options o;
  FlagSet f = Flags(&o);
  EXPECT_EQ(f.Parse({"--nope"}).message(), "unknown long flag '--nope', try --help");
  EXPECT_EQ(f.Parse({"--config.file"}).message(), "expected argument for flag '--config.file'");
  EXPECT_EQ(f.Parse({"positional"}).message(), "unexpected positional, try --help");
  EXPECT_EQ(f.Parse({"--web.port=x"}).message(), "invalid value \"x\" for flag '--web.port': not a port");
  EXPECT_EQ(f.Parse({"--no-config.file"}).message(), "unknown long flag '--no-config.file', try --help");
}

TEST(FlagsTest, HelpAndUsage) {
  Options o;
  FlagSet f = Flags(&o);
  ASSERT_TRUE(f.Parse({"-h"}).ok());
  EXPECT_TRUE(f.help_requested());
  std::string usage = f.Usage();
  EXPECT_NE(usage.find("usage: kubescrape [<flags>]"), std::string::npos);
  EXPECT_NE(usage.find("--config.file=VALUE\n      Configuration file path. (default: prometheus.yml)"), std::string::npos)
      << usage;
  EXPECT_NE(usage.find("--[no-]web.enable-lifecycle"), std::string::npos);
}

TEST(FlagsTest, LoggingFromFlags) {
  EXPECT_TRUE(log::SetDefaultFromFlags("debug", "json").ok());
  EXPECT_TRUE(log::Default().Enabled(log::Level::kDebug));
  EXPECT_EQ(log::SetDefaultFromFlags("loud", "json").message(),
            "unrecognized log level \"loud\" (one of: debug, info, warn, error)");
  EXPECT_TRUE(log::Default().Enabled(log::Level::kDebug));  // unchanged on error
  EXPECT_TRUE(log::SetDefaultFromFlags("info", "logfmt").ok());
  EXPECT_FALSE(log::Default().Enabled(log::Level::kDebug));
}

}  // namespace
}  // namespace kubescrape::util
