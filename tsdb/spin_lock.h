#pragma once
// SpinLock: a one-byte lock for very short critical sections (appending one
// sample to a series, probing a stripe's hash table). A million series can
// each carry one; std::mutex is 40 bytes. Spins with a CPU pause, then yields.
// Satisfies Lockable (std::lock_guard, std::unique_lock).
//
// Thread-safety: it is the synchronisation.

#include <atomic>
#include <cstdint>
#include <thread>

namespace kubescrape::tsdb {

class SpinLock {
 public:
  void lock() {
    while (flag_.exchange(true, std::memory_order_acquire)) {
      for (int spins = 0; flag_.load(std::memory_order_relaxed); ++spins) {
        if (spins < 64) {
#if defined(__x86_64__) || defined(__i386__)
          __builtin_ia32_pause();
#endif
        } else {
          std::this_thread::yield();
        }
      }
    }
  }
  bool try_lock() { return !flag_.exchange(true, std::memory_order_acquire); }
  void unlock() { flag_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> flag_{false};
};

}  // namespace kubescrape::tsdb
