#pragma once
// Clock: the source of wall-clock time, injected so tests control time.
//
// Thread-safety: implementations must be thread-safe.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace kubescrape::util {

class Clock {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
  // Milliseconds since the Unix epoch (Prometheus's timestamp unit).
  int64_t NowMillis() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Now().time_since_epoch()).count();
  }
};

// The system's real-time clock. Default() lives for the whole process.
class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
  static SystemClock& Default();
};

// A clock that only moves when told to. For tests.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_millis = 0) : millis_(start_millis) {}
  TimePoint Now() const override {
    return TimePoint(std::chrono::milliseconds(millis_.load(std::memory_order_relaxed)));
  }
  void SetMillis(int64_t ms) { millis_.store(ms, std::memory_order_relaxed); }
  void AdvanceMillis(int64_t ms) { millis_.fetch_add(ms, std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> millis_;
};

}  // namespace kubescrape::util
