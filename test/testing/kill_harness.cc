#include "test/testing/kill_harness.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace kubescrape::testing {

int64_t RunChildAndKill(const std::function<void(int ack_fd)>& child, std::chrono::microseconds run_for) {
  using Clock = std::chrono::steady_clock;
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    child(fds[1]);
    _exit(99);  // children must not return
  }
  close(fds[1]);
  int64_t max_acked = -1;
  std::string pending;
  auto drain = [&](int timeout_ms) {
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return false;
    char buf[4096];
    ssize_t n = read(fds[0], buf, sizeof(buf));
    if (n <= 0) return false;
    pending.append(buf, static_cast<size_t>(n));
    size_t whole = pending.size() / 8 * 8;
    for (size_t i = 0; i < whole; i += 8) {
      int64_t seq;
      std::memcpy(&seq, pending.data() + i, 8);
      max_acked = std::max(max_acked, seq);
    }
    pending.erase(0, whole);
    return true;
  };
  const auto kill_at = Clock::now() + run_for;
  while (Clock::now() < kill_at) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(kill_at - Clock::now()).count();
    drain(static_cast<int>(std::max<int64_t>(left, 0)));
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  while (drain(0)) {
  }  // acknowledgements written before the kill still count
  close(fds[0]);
  EXPECT_TRUE(WIFSIGNALED(status)) << "the child stopped on its own, exit code " << WEXITSTATUS(status);
  return max_acked;
}

}  // namespace kubescrape::testing
