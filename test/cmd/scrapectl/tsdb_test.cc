// scrapectl tsdb create-blocks-from openmetrics / list, on MemFileSystem;
// the blocks are read back through tsdb::Db as the daemon opens them.
#include "cmd/scrapectl/tsdb.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>

#include "cmd/scrapectl/commands.h"
#include "tsdb/db.h"

namespace kubescrape::scrapectl {
namespace {

constexpr int64_t kStart = 1'700'000'000;  // seconds
constexpr int64_t kHourMs = 3600 * 1000;

struct Result {
  int rc;
  std::string out, err;
};

class TsdbCommandTest : public ::testing::Test {
 protected:
  Result Create(const std::string& input, CreateBlocksOptions o = {}) {
    fs_.WriteFile("/in.om", input);
    o.input_file = "/in.om";
    o.output_dir = "/data";
    std::ostringstream out, err;
    int rc = CreateBlocksFromOpenMetrics(o, out, err, fs_);
    return {rc, out.str(), err.str()};
  }
  // Everything in /data as (labels, t, v) lines.
  std::vector<std::string> Dump() {
    tsdb::DbOptions o;
    o.retention = std::chrono::milliseconds(0);
    o.maintenance_period = std::chrono::milliseconds(0);
    o.wal_sync_period = std::chrono::milliseconds(0);
    auto db = tsdb::Db::Open(fs_, "/data", o);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    if (!db.ok()) return {};
    auto q = (*db)->NewQuerier(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
    auto set = (*q)->Select({});
    std::vector<std::string> out;
    while (set->Next()) {
      auto it = set->Samples();
      while (it->Next()) out.push_back(set->labels().ToString() + " " + std::to_string(it->t()) + " " + std::to_string(it->v()));
    }
    EXPECT_TRUE(set->status().ok());
    return out;
  }
  size_t NumBlocks() {
    tsdb::DbOptions o;
    o.retention = std::chrono::milliseconds(0);
    o.maintenance_period = std::chrono::milliseconds(0);
    o.wal_sync_period = std::chrono::milliseconds(0);
    auto db = tsdb::Db::Open(fs_, "/data", o);
    return db.ok() ? (*db)->Blocks().size() : 0;
  }

  util::MemFileSystem fs_;
};

TEST_F(TsdbCommandTest, BackfillsEverySampleIntoTwoHourBlocks) {
  // Two series over 5 h at 60 s; a counter and a gauge with a NaN.
  std::string om = "# TYPE c counter\n";
  std::vector<std::string> want;
  for (int64_t s = 0; s < 5 * 3600; s += 60) {
    om += "c_total{job=\"x\"} " + std::to_string(s) + " " + std::to_string(kStart + s) + "\n";
    want.push_back("{__name__=\"c_total\", job=\"x\"} " + std::to_string((kStart + s) * 1000) + " " +
                   std::to_string(static_cast<double>(s)));
  }
  om += "# TYPE g gauge\n";
  for (int64_t s = 0; s < 5 * 3600; s += 60) {
    om += "g 0.5 " + std::to_string(kStart + s) + ".5\n";  // float seconds
  }
  om += "# EOF\n";
  Result r = Create(om);
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_NE(r.out.find("BLOCK ULID"), std::string::npos);
  // kStart is 22:13:20 UTC: ranges [22h,0h) [0h,2h) [2h,4h) hold 5 h of data.
  EXPECT_EQ(NumBlocks(), 3u);
  std::vector<std::string> got = Dump();
  ASSERT_EQ(got.size(), 2 * want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i], want[i]);
  EXPECT_EQ(got[want.size()], "{__name__=\"g\"} " + std::to_string(kStart * 1000 + 500) + " 0.500000");
}

TEST_F(TsdbCommandTest, BlocksAreAlignedToTheBlockDuration) {
  Create("a 1 " + std::to_string(kStart) + "\na 2 " + std::to_string(kStart + 7200) + "\n# EOF\n");
  tsdb::DbOptions o;
  o.retention = std::chrono::milliseconds(0);
  o.maintenance_period = std::chrono::milliseconds(0);
  o.wal_sync_period = std::chrono::milliseconds(0);
  auto db = tsdb::Db::Open(fs_, "/data", o);
  ASSERT_TRUE(db.ok());
  auto blocks = (*db)->Blocks();
  ASSERT_EQ(blocks.size(), 2u);
  for (const auto& b : blocks) {
    // min = the first sample, max = the last + 1 ms, inside one 2 h range.
    EXPECT_EQ(b->meta().max_time - b->meta().min_time, 1);
    EXPECT_EQ(b->meta().min_time / (2 * kHourMs), (b->meta().max_time - 1) / (2 * kHourMs));
  }
}

TEST_F(TsdbCommandTest, ALargerMaxBlockDurationGivesFewerBlocks) {
  std::string om;
  for (int64_t s = 0; s < 10 * 3600; s += 600) om += "a 1 " + std::to_string(kStart + s) + "\n";
  om += "# EOF\n";
  CreateBlocksOptions o;
  o.max_block_duration_ms = 7 * kHourMs;  // rounds down to 6 h, as promtool
  ASSERT_EQ(Create(om, o).rc, kExitOk);
  EXPECT_LE(NumBlocks(), 3u);
  EXPECT_EQ(Dump().size(), 60u);
}

TEST_F(TsdbCommandTest, InputErrorsFailClearly) {
  Result no_ts = Create("a 1\n# EOF\n");
  EXPECT_EQ(no_ts.rc, kExitFailure);
  EXPECT_NE(no_ts.err.find("expected timestamp for series {__name__=\"a\"}, got none"), std::string::npos)
      << no_ts.err;
  Result no_eof = Create("a 1 1700000000\n");
  EXPECT_EQ(no_eof.rc, kExitFailure);
  EXPECT_NE(no_eof.err.find("EOF"), std::string::npos) << no_eof.err;
  Result ooo = Create("a 1 1700000100\na 1 1700000000\n# EOF\n");
  EXPECT_EQ(ooo.rc, kExitFailure);
  EXPECT_NE(ooo.err.find("out of order"), std::string::npos) << ooo.err;
  std::ostringstream out, err;
  EXPECT_EQ(CreateBlocksFromOpenMetrics({.input_file = "/nope.om"}, out, err, fs_), kExitFailure);
  EXPECT_NE(err.str().find("/nope.om"), std::string::npos) << err.str();
}

TEST_F(TsdbCommandTest, ListPrintsTheBlocks) {
  ASSERT_EQ(Create("a 1 1700000000\na 2 1700000060\n# EOF\n").rc, kExitOk);
  std::ostringstream out, err;
  ASSERT_EQ(ListBlocks("/data", false, out, err, fs_), kExitOk) << err.str();
  EXPECT_NE(out.str().find("1700000000000"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("1700000060001"), std::string::npos) << out.str();
  std::ostringstream missing_out, missing_err;
  EXPECT_EQ(ListBlocks("/none", false, missing_out, missing_err, fs_), kExitFailure);
}

TEST_F(TsdbCommandTest, MainDispatchesTsdbCommands) {
  std::ostringstream out, err;
  EXPECT_EQ(Main({"tsdb"}, out, err), kExitUsage);
  EXPECT_EQ(Main({"tsdb", "create-blocks-from", "openmetrics"}, out, err), kExitUsage);
  EXPECT_EQ(Main({"tsdb", "create-blocks-from", "openmetrics", "--max-block-duration", "x", "f"}, out, err),
            kExitUsage);
}

}  // namespace
}  // namespace kubescrape::scrapectl
