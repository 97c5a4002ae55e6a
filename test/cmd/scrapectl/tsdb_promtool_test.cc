// Blocks are interchangeable with Prometheus's: the same OpenMetrics file
// backfilled by `scrapectl tsdb create-blocks-from` and by Debian's
// `promtool tsdb create-blocks-from` dumps identically through promtool, and
// tsdb::Db reads promtool's blocks as its own. Skipped without promtool.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "cmd/scrapectl/commands.h"
#include "cmd/scrapectl/tsdb.h"
#include "test/testing/subprocess.h"
#include "tsdb/db.h"

namespace kubescrape::scrapectl {
namespace {

using namespace std::chrono_literals;

// Runs `command` in a shell; returns its output lines and appends
// "exit=<code>".
std::vector<std::string> Shell(const std::string& command) {
  std::vector<std::string> lines;
  auto p = kubescrape::testing::Subprocess::Start({"sh", "-c", command + " 2>&1; echo \"exit=$?\""});
  EXPECT_TRUE(p.has_value());
  if (!p) return lines;
  while (std::optional<std::string> line = p->ReadLine(120s)) lines.push_back(*line);
  return lines;
}

std::vector<std::string> DumpWithDb(const std::string& dir) {
  tsdb::DbOptions o;
  o.retention = std::chrono::milliseconds(0);
  o.maintenance_period = std::chrono::milliseconds(0);
  o.wal_sync_period = std::chrono::milliseconds(0);
  o.compact_head = false;
  auto db = tsdb::Db::Open(util::FileSystem::Default(), dir, o);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  std::vector<std::string> out;
  if (!db.ok()) return out;
  auto q = (*db)->NewQuerier(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
  auto set = (*q)->Select({});
  while (set->Next()) {
    auto it = set->Samples();
    while (it->Next()) {
      out.push_back(set->labels().ToString() + " " + std::to_string(it->t()) + " " +
                    std::to_string(std::bit_cast<uint64_t>(it->v())));
    }
  }
  EXPECT_TRUE(set->status().ok()) << set->status().ToString();
  return out;
}

class TsdbPromtoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!kubescrape::testing::HaveExecutable("promtool")) GTEST_SKIP() << "promtool is not installed";
    char tmpl[] = "/tmp/ks_tsdb_promtool_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    // node_exporter-like: counters with irregular increments, gauges, a
    // histogram, a stale-looking gap; 5 h at 15 s.
    std::ofstream om(dir_ + "/in.om");
    om << "# TYPE node_cpu_seconds counter\n";
    const int64_t start = 1'700'000'003;
    for (int cpu = 0; cpu < 2; ++cpu) {
      for (const char* mode : {"idle", "user", "system"}) {
        double v = 0;
        for (int i = 0; i < 1200; ++i) {
          v += (i * 7919 % 13) * 0.37 + cpu;
          om << "node_cpu_seconds_total{cpu=\"" << cpu << "\",mode=\"" << mode << "\"} " << v << " "
             << start + i * 15 << "\n";
        }
      }
    }
    om << "# TYPE node_load1 gauge\n";
    for (int i = 0; i < 1200; ++i) {
      if (i > 300 && i < 360) continue;  // a gap
      om << "node_load1 " << (i % 17) * 0.125 << " " << start + i * 15 << ".250\n";
    }
    om << "# TYPE http_request_duration_seconds histogram\n";
    for (const char* le : {"0.1", "1.0", "+Inf"}) {
      for (int i = 0; i < 1200; ++i) {
        om << "http_request_duration_seconds_bucket{le=\"" << le << "\"} " << i * (le[0] == '0' ? 1 : 2) << " "
           << start + i * 15 << "\n";
      }
    }
    om << "# EOF\n";
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::string dir_;
};

TEST_F(TsdbPromtoolTest, OurBlocksDumpLikePromtoolsAndTheirsReadLikeOurs) {
  CreateBlocksOptions o;
  o.input_file = dir_ + "/in.om";
  o.output_dir = dir_ + "/ours";
  std::ostringstream out, err;
  ASSERT_EQ(CreateBlocksFromOpenMetrics(o, out, err), kExitOk) << err.str();
  std::vector<std::string> created = Shell("promtool tsdb create-blocks-from openmetrics '" + dir_ + "/in.om' '" +
                                           dir_ + "/theirs'");
  ASSERT_FALSE(created.empty());
  ASSERT_EQ(created.back(), "exit=0");

  // promtool reads both (its dump needs a wal directory).
  std::filesystem::create_directories(dir_ + "/ours/wal");
  std::filesystem::create_directories(dir_ + "/theirs/wal");
  std::vector<std::string> ours = Shell("promtool tsdb dump '" + dir_ + "/ours'");
  std::vector<std::string> theirs = Shell("promtool tsdb dump '" + dir_ + "/theirs'");
  ASSERT_EQ(ours.back(), "exit=0");
  ASSERT_EQ(theirs.back(), "exit=0");
  std::sort(ours.begin(), ours.end());
  std::sort(theirs.begin(), theirs.end());
  EXPECT_GT(ours.size(), 10'000u);
  EXPECT_EQ(ours, theirs);

  // tsdb::Db reads both the same.
  std::vector<std::string> ours_db = DumpWithDb(dir_ + "/ours");
  std::vector<std::string> theirs_db = DumpWithDb(dir_ + "/theirs");
  EXPECT_EQ(ours_db.size(), ours.size() - 1);  // promtool's lines minus "exit=0"
  EXPECT_EQ(ours_db, theirs_db);

  // promtool's block list agrees with ours on counts and ranges.
  std::vector<std::string> listed = Shell("promtool tsdb list '" + dir_ + "/ours'");
  ASSERT_EQ(listed.back(), "exit=0");
  EXPECT_EQ(listed.size(), 2u + 3u);  // header, 3 blocks (2 h ranges over 5 h), exit
}

}  // namespace
}  // namespace kubescrape::scrapectl
