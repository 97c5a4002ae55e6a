#pragma once
// ScrapeLoop: scrapes one target forever, as a coroutine on its own strand.
//
// Schedule (Prometheus's): the first scrape waits until the target's fixed
// phase in its interval (ScrapeOffset), then one scrape per interval on a
// monotonic timer; a sample timestamp within min(interval/100, 2 ms) of the
// ideal tick is snapped to it, which keeps timestamps regular for
// compression. Each scrape: fetch (HttpFetcher) -> ScrapeProcessor.
//
// Stop(): the loop ends after its current scrape. With end-of-run staleness
// the loop then waits two intervals plus 10% and writes stale markers for
// all its series at the first missed tick, unless the target came back
// (then the newer samples make the markers out of order and they are
// dropped by the storage), as Prometheus does when a target disappears.
//
// Thread-safety: Start/Stop/Health may be called from any thread.
// Lifetime: owned by shared_ptr; the coroutine holds a reference until it
// ends. `storage` and `clock` must outlive every loop.

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "scraper/config.h"
#include "scraper/scrape_processor.h"
#include "scraper/target.h"
#include "tsdb/storage.h"
#include "util/clock.h"

namespace kubescrape::net {
class HttpFetcher;
}  // namespace kubescrape::net

namespace kubescrape::scraper {

// What the targets API and `scrapectl targets` show for a target.
struct TargetHealth {
  enum class State { kUnknown, kUp, kDown };
  State state = State::kUnknown;
  std::string last_error;
  int64_t last_scrape_ms = 0;
  double last_duration_seconds = 0;
  uint64_t last_samples = 0;
};

class ScrapeLoop : public std::enable_shared_from_this<ScrapeLoop> {
 public:
  struct Options {
    uint64_t offset_seed = 0;
    std::string user_agent = "Kubescrape";
  };

  static std::shared_ptr<ScrapeLoop> Create(boost::asio::any_io_executor executor, Target target,
                                            std::shared_ptr<const ScrapeConfig> config, tsdb::Storage& storage,
                                            const util::Clock& clock, Options options);
  ~ScrapeLoop();

  // Starts the coroutine. Call once.
  void Start();
  // Asks the loop to end (see the class comment).
  void Stop(bool end_of_run_staleness);

  // Takes a reloaded config that keeps sample processing (see
  // SameSampleProcessing): applied from the next scrape on.
  void UpdateConfig(std::shared_ptr<const ScrapeConfig> config);

  // While set (non-empty), scrapes are not attempted: each fails with this
  // error (up 0, the previous series marked stale), as Prometheus does for a
  // pool over its target_limit. Thread-safe.
  void SetForcedError(std::string error);
  std::string forced_error() const;

  const Target& target() const { return target_; }
  TargetHealth Health() const;
  // The target's metric metadata (thread-safe).
  std::shared_ptr<const MetadataMap> Metadata() const { return processor_.Metadata(); }

 private:
  ScrapeLoop(boost::asio::any_io_executor executor, Target target, std::shared_ptr<const ScrapeConfig> config,
             tsdb::Storage& storage, const util::Clock& clock, Options options);
  boost::asio::awaitable<void> Run();
  boost::asio::awaitable<void> ScrapeOnce(util::Clock::TimePoint start);
  boost::asio::awaitable<void> EndOfRunStaleness(std::chrono::steady_clock::time_point last_tick);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  const Target target_;
  const util::Clock& clock_;
  const Options options_;
  std::string accept_;  // confined to the strand (rebuilt on config update)

  // Confined to the strand.
  std::shared_ptr<const ScrapeConfig> config_;
  ScrapeProcessor processor_;
  std::unique_ptr<net::HttpFetcher> fetcher_;
  bool reopen_fetcher_ = false;
  boost::asio::steady_timer timer_;

  std::atomic<bool> stopping_{false};
  std::atomic<bool> end_of_run_staleness_{false};

  mutable std::mutex health_mu_;
  TargetHealth health_;       // guarded by health_mu_
  std::string forced_error_;  // guarded by health_mu_
};

}  // namespace kubescrape::scraper
