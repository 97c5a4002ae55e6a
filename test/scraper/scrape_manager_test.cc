#include "scraper/scrape_manager.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "relabel/rule.h"
#include "tsdb/memory_storage.h"
#include "util/clock.h"

namespace kubescrape::scraper {
namespace {

std::shared_ptr<const ScrapeConfig> Job(uint64_t keep_dropped) {
  auto c = std::make_shared<ScrapeConfig>();
  c->job_name = "pods";
  c->scrape_interval = std::chrono::seconds(15);
  c->scrape_timeout = std::chrono::seconds(10);
  c->limits.keep_dropped_targets = keep_dropped;
  relabel::RuleConfig drop;
  drop.source_labels = {"__address__"};
  drop.regex = "10\\..*";
  drop.action = relabel::Action::kDrop;
  c->relabel_configs.push_back(*relabel::Rule::Compile(drop));
  return c;
}

model::TargetGroup Group() {
  model::TargetGroup g;
  g.source = "g";
  for (const char* a : {"10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80", "127.0.0.1:1"}) {
    g.targets.push_back(model::Labels::FromPairs({{"__address__", a}}));
  }
  return g;
}

// The loops are created but never run: the io_context is not run.
TEST(ScrapeManagerTest, KeepDroppedTargetsCapsDetailsNotCounts) {
  boost::asio::io_context ioc;
  tsdb::MemoryStorage storage;
  ScrapeManager m(ioc.get_executor(), storage, util::SystemClock::Default(), {});
  m.ApplyConfig({Job(2)});
  m.Sync("pods", {Group()});
  EXPECT_EQ(m.ActiveTargets().size(), 1u);
  EXPECT_EQ(m.DroppedTargets().size(), 2u);
  EXPECT_EQ(m.DroppedTargetCounts().at("pods"), 3u);
  m.ApplyConfig({Job(0)});
  m.Sync("pods", {Group()});
  EXPECT_EQ(m.DroppedTargets().size(), 3u);  // 0: keep them all
  EXPECT_EQ(m.DroppedTargetCounts().at("pods"), 3u);
  m.Stop();
}

TEST(ScrapeManagerTest, TargetLimitFailsEveryTargetOfThePool) {
  boost::asio::io_context ioc;
  tsdb::MemoryStorage storage;
  ScrapeManager m(ioc.get_executor(), storage, util::SystemClock::Default(), {});
  auto limited = std::make_shared<ScrapeConfig>(*Job(0));
  limited->relabel_configs.clear();  // 4 targets kept
  limited->limits.target_limit = 3;
  m.ApplyConfig({limited});
  m.Sync("pods", {Group()});
  EXPECT_EQ(m.ActiveTargets().size(), 4u);
  EXPECT_EQ(m.ForcedError("pods"), "target_limit exceeded (number of targets: 4, limit: 3)");
  auto roomy = std::make_shared<ScrapeConfig>(*limited);
  roomy->limits.target_limit = 4;
  m.ApplyConfig({roomy});
  m.Sync("pods", {Group()});
  EXPECT_EQ(m.ForcedError("pods"), "");  // within the limit again: scraped
  m.Stop();
}

}  // namespace
}  // namespace kubescrape::scraper
