// Crash test for the Db on the real disk: a child process commits scrapes
// (one sample of each of kSeries series per commit) as fast as it can and
// reports each Commit that returned through a pipe; the parent SIGKILLs it
// at a random moment, reopens the Db and checks that every acknowledged
// commit is there, whole, in order, and nothing else (docs/storage.md: a
// kill -9 loses at most the commit being written).

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <random>

#include "test/tsdb/head_test_util.h"
#include "test/testing/kill_harness.h"
#include "tsdb/db.h"
#include "util/file_system.h"
#include "util/logging.h"

namespace kubescrape::tsdb {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kSeries = 4;

model::Labels SeriesLabels(int i) {
  return model::Labels::FromPairs({{"__name__", "crash"}, {"id", std::to_string(i)}});
}

DbOptions CrashOptions() {
  DbOptions o;
  o.retention = std::chrono::milliseconds(0);
  o.wal.segment_size = 4 * wal_format::kPageSize;
  return o;
}

// The child: commits seq, seq+1, ... at t = seq * 1000, value seq. Never returns.
[[noreturn]] void CommitForever(const std::string& dir, int64_t seq, int fd) {
  auto db = Db::Open(util::FileSystem::Default(), dir, CrashOptions());
  if (!db.ok()) _exit(2);
  SeriesRef refs[kSeries] = {};
  for (;; ++seq) {
    auto app = (*db)->NewAppender();
    for (int i = 0; i < kSeries; ++i) {
      AppendResult r = app->Append(refs[i], SeriesLabels(i), seq * 1000, static_cast<double>(seq));
      if (r.error != AppendError::kNone) _exit(3);
      refs[i] = r.ref;
    }
    if (!app->Commit().ok()) _exit(4);
    if (write(fd, &seq, sizeof(seq)) != sizeof(seq)) _exit(5);
  }
}

// Runs one child for `run_for`, kills it, and returns the highest
// acknowledged seq (or -1 for none).
int64_t RunAndKill(const std::string& dir, int64_t first_seq, std::chrono::microseconds run_for) {
  return kubescrape::testing::RunChildAndKill([&](int fd) { CommitForever(dir, first_seq, fd); }, run_for);
}

TEST(DbCrashTest, EveryAcknowledgedCommitSurvivesKill9) {
  util::log::SetDefault(
      std::make_unique<util::log::Logger>(util::log::Level::kError, util::log::Format::kLogfmt));
  char tmpl[] = "/tmp/ks_db_crash_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string root = tmpl;
  util::FileSystem& fs = util::FileSystem::Default();
  const uint32_t seed = static_cast<uint32_t>(Clock::now().time_since_epoch().count());
  std::mt19937 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));

  const auto start = Clock::now();
  int iterations = 0, repairs = 0, round = 0;
  int64_t next_seq = 0;
  uint64_t acknowledged = 0;
  std::string dir;
  while (Clock::now() - start < 10s && iterations < 100) {
    if (iterations % 8 == 0) {  // a fresh store now and then keeps replays short
      dir = root + "/data" + std::to_string(round++);
      next_seq = 0;
    }
    const int64_t max_acked = RunAndKill(dir, next_seq, std::chrono::microseconds(rng() % 40000));
    ++iterations;
    if (max_acked >= 0) acknowledged += static_cast<uint64_t>(max_acked + 1 - next_seq);

    auto db = Db::Open(fs, dir, CrashOptions());
    ASSERT_TRUE(db.ok()) << "iteration " << iterations << ": " << db.status().ToString();
    if ((*db)->stats().replay.repaired) ++repairs;
    // Every series holds exactly the commits 0..n-1, the same n for all.
    int64_t n = -1;
    for (int i = 0; i < kSeries; ++i) {
      std::vector<testing::Sample> got = testing::SamplesOf(**db, SeriesLabels(i));
      for (size_t k = 0; k < got.size(); ++k) {
        ASSERT_EQ(got[k].t, static_cast<int64_t>(k) * 1000)
            << "iteration " << iterations << " series " << i;
        ASSERT_EQ(got[k].v, static_cast<double>(k))
            << "iteration " << iterations << " series " << i;
      }
      if (n < 0) n = static_cast<int64_t>(got.size());
      ASSERT_EQ(static_cast<int64_t>(got.size()), n)
          << "iteration " << iterations << ": a commit was split";
    }
    ASSERT_GT(n, max_acked) << "iteration " << iterations << ": acknowledged commit " << max_acked
                            << " lost";
    ASSERT_TRUE((*db)->Close().ok());
    next_seq = n;
  }
  std::printf("[ crash    ] %d kills, %d torn tails repaired, %llu acknowledged commits checked\n",
              iterations, repairs, static_cast<unsigned long long>(acknowledged));
  EXPECT_GE(iterations, 20);
  ASSERT_TRUE(fs.RemoveAll(root).ok());
}

}  // namespace
}  // namespace kubescrape::tsdb
