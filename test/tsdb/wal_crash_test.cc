// Crash test on the real disk: a child process logs records as fast as it
// can and reports each one it considers safe through a pipe; the parent
// SIGKILLs it at a random moment, reopens the WAL (replay + repair) and
// checks that every acknowledged record is there, in order, and nothing
// else but whole records follows.
//
// Two acknowledgement points are tested, both promised by
// docs/format/durability.md for kill -9: after Sync() and right after Log().
// (A power cut is only simulated, in wal_test on MemFileSystem.)

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "test/testing/kill_harness.h"
#include "tsdb/wal.h"
#include "tsdb/wal_format.h"
#include "util/coding.h"
#include "util/file_system.h"

namespace kubescrape::tsdb {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kSegmentSize = 4 * wal_format::kPageSize;

// Record `seq`: its number then filler; mostly small, some spanning pages,
// a few longer than a segment.
std::string CrashRecord(uint64_t seq) {
  size_t filler = seq % 500 == 499 ? 150000 : seq % 50 == 49 ? 40000 : (seq * 7919) % 3000;
  std::string r;
  util::PutFixed64BE(&r, seq);
  r.append(filler, static_cast<char>('a' + seq % 26));
  return r;
}

enum class AckAfter { kLog, kSync };

// The child: never returns.
[[noreturn]] void LogForever(const std::string& dir, uint64_t seq, AckAfter ack, int fd) {
  auto wal = Wal::Open(util::FileSystem::Default(), dir, {.segment_size = kSegmentSize});
  if (!wal.ok()) _exit(2);
  for (;; ++seq) {
    if (!(*wal)->Log(CrashRecord(seq)).ok()) _exit(3);
    if (ack == AckAfter::kSync && !(*wal)->Sync().ok()) _exit(4);
    if (write(fd, &seq, sizeof(seq)) != sizeof(seq)) _exit(5);
  }
}

// Runs one child for `run_for`, kills it, and returns the highest
// acknowledged seq (or -1 for none).
int64_t RunAndKill(const std::string& dir, uint64_t first_seq, AckAfter ack, std::chrono::microseconds run_for) {
  return kubescrape::testing::RunChildAndKill([&](int fd) { LogForever(dir, first_seq, ack, fd); }, run_for);
}

TEST(WalCrashTest, EveryAcknowledgedRecordSurvivesKill9) {
  char tmpl[] = "/tmp/ks_wal_crash_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string root = tmpl;
  util::FileSystem& fs = util::FileSystem::Default();
  const uint32_t seed = static_cast<uint32_t>(Clock::now().time_since_epoch().count());
  std::mt19937 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));

  const auto start = Clock::now();
  int iterations = 0, repairs = 0, round = 0;
  uint64_t acknowledged = 0, next_seq = 0;
  std::string dir;
  while (Clock::now() - start < 12s && iterations < 200) {
    if (iterations % 8 == 0) {  // a fresh WAL now and then keeps replays short
      dir = root + "/wal" + std::to_string(round++);
      next_seq = 0;
    }
    const AckAfter ack = iterations % 2 == 0 ? AckAfter::kSync : AckAfter::kLog;
    const auto run_for = std::chrono::microseconds(rng() % 30000);
    const int64_t max_acked = RunAndKill(dir, next_seq, ack, run_for);
    ++iterations;
    if (max_acked >= 0) acknowledged += static_cast<uint64_t>(max_acked) + 1 - next_seq;

    uint64_t expect = 0;
    bool ordered = true;
    auto wal = Wal::Open(fs, dir, {.segment_size = kSegmentSize}, [&](std::string_view r) {
      if (ordered && r != CrashRecord(expect)) ordered = false;
      ++expect;
      return util::Status::Ok();
    });
    ASSERT_TRUE(wal.ok()) << "iteration " << iterations << ": " << wal.status().ToString();
    ASSERT_TRUE(ordered) << "iteration " << iterations << ": record " << expect - 1 << " is not the one logged";
    ASSERT_GT(static_cast<int64_t>(expect), max_acked)
        << "iteration " << iterations << ": acknowledged record " << max_acked << " lost";
    if (!(*wal)->stats().replay.corruption.ok()) ++repairs;
    ASSERT_TRUE((*wal)->Close().ok());
    next_seq = expect;
  }
  std::printf("[ crash    ] %d kills, %d torn tails repaired, %llu acknowledged records checked\n", iterations,
              repairs, static_cast<unsigned long long>(acknowledged));
  EXPECT_GE(iterations, 20);
  ASSERT_TRUE(fs.RemoveAll(root).ok());
}

}  // namespace
}  // namespace kubescrape::tsdb
