// A Prometheus data directory opens in tsdb::Db with its data: Debian's
// prometheus (2.42, Snappy-compressed WAL by default) scrapes itself for a few
// seconds and stops; Db::Open replays its WAL and answers for its series.
// Skipped without prometheus.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <thread>

#include "test/testing/subprocess.h"
#include "tsdb/db.h"

namespace kubescrape::tsdb {
namespace {

using namespace std::chrono_literals;

TEST(PrometheusWalTest, DbReplaysAPrometheusWal) {
  if (!kubescrape::testing::HaveExecutable("prometheus")) GTEST_SKIP() << "prometheus is not installed";
  char tmpl[] = "/tmp/ks_prometheus_wal_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  const int port = kubescrape::testing::FreePort();
  {
    std::ofstream cfg(dir + "/prometheus.yml");
    cfg << "global: {scrape_interval: 1s, scrape_timeout: 1s}\n"
           "scrape_configs:\n"
           "  - job_name: self\n"
           "    static_configs: [{targets: ['127.0.0.1:"
        << port << "']}]\n";
  }
  auto p = kubescrape::testing::Subprocess::Start(
      {"prometheus", "--config.file=" + dir + "/prometheus.yml", "--storage.tsdb.path=" + dir + "/data",
       "--web.listen-address=127.0.0.1:" + std::to_string(port), "--log.level=warn"});
  ASSERT_TRUE(p.has_value());
  ASSERT_TRUE(kubescrape::testing::WaitForPort(port, 60s));
  // Prometheus starts scraping ~5 s after it starts; wait for a few scrapes
  // by watching the WAL grow (Snappy-compressed: about 1 KiB per scrape).
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(dir + "/data/wal/00000000", ec);
    if (!ec && size > 16 * 1024) break;
    std::this_thread::sleep_for(200ms);
  }
  // A clean stop: SIGTERM, as an operator switching over would.
  ::kill(p->pid(), SIGTERM);
  int status = 0;
  ::waitpid(p->pid(), &status, 0);

  DbOptions o;
  o.retention = std::chrono::milliseconds(0);
  o.maintenance_period = std::chrono::milliseconds(0);
  o.wal_sync_period = std::chrono::milliseconds(0);
  auto db = Db::Open(util::FileSystem::Default(), dir + "/data", o);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  const DbStats stats = (*db)->stats();
  EXPECT_FALSE(stats.replay.repaired) << "Prometheus's WAL must read without a repair";
  EXPECT_GT(stats.replay.samples, 1000u);
  EXPECT_GT(stats.head.num_series, 100u);
  auto q = (*db)->NewQuerier(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
  ASSERT_TRUE(q.ok());
  std::vector<model::Matcher> ms = {*model::Matcher::Make(model::MatchType::kEqual, "__name__", "up")};
  auto set = (*q)->Select(ms);
  ASSERT_TRUE(set->Next());
  EXPECT_EQ(set->labels().Get("job"), "self");
  auto it = set->Samples();
  int n = 0;
  while (it->Next()) {
    EXPECT_EQ(it->v(), 1);
    ++n;
  }
  EXPECT_GE(n, 2);
  it.reset();
  set.reset();
  (*q).reset();  // queriers before the Db
  (*db).reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kubescrape::tsdb
