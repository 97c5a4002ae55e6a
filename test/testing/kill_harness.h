#pragma once
// Test helper for crash tests: runs `child` in a forked process that reports
// each acknowledged sequence number (an int64 written to the pipe), SIGKILLs
// it after `run_for`, and returns the highest number acknowledged before the
// kill (-1 for none). Acknowledgements written before the kill count even if
// read after it. A child that exits on its own fails the calling test.
//
// Thread-safety: call from the test's main thread (fork).

#include <chrono>
#include <cstdint>
#include <functional>

namespace kubescrape::testing {

// `child` gets the pipe's write end; it must never return.
int64_t RunChildAndKill(const std::function<void(int ack_fd)>& child, std::chrono::microseconds run_for);

}  // namespace kubescrape::testing
