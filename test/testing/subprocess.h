#pragma once
// Test helper: a child process (a real peer such as node_exporter or the
// Flask app) that is killed when the object goes away.
//
// Thread-safety: none.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace kubescrape::testing {

class Subprocess {
 public:
  // Starts argv[0] (looked up in PATH) with stdout piped to this process and
  // stderr inherited. Returns nullopt when it cannot be started.
  static std::optional<Subprocess> Start(const std::vector<std::string>& argv);
  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&&) = delete;
  ~Subprocess();

  // The next line of the child's stdout (without the newline), waiting at
  // most `timeout`; nullopt on timeout or end of output.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);

  // Sends SIGKILL and reaps the child.
  void Kill();
  pid_t pid() const { return pid_; }

 private:
  Subprocess(pid_t pid, int out_fd) : pid_(pid), out_fd_(out_fd) {}
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string buffer_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (for peers that cannot
// bind port 0 and report it).
int FreePort();

// Polls until 127.0.0.1:port accepts a connection; false after `timeout`.
bool WaitForPort(int port, std::chrono::milliseconds timeout);

// Whether an executable is on PATH.
bool HaveExecutable(const std::string& name);

}  // namespace kubescrape::testing
