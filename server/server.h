#pragma once
// Server: the Kubescrape daemon's wiring and lifecycle.
//
//   config file --(load, SIGHUP reload)--> discovery providers (static, file)
//     --> discovery::Manager --(every discovery_update_interval)-->
//     scraper::ScrapeManager --> ScrapeLoops --> tsdb::Storage
//
// A reload that fails to load keeps the running configuration (and logs the
// error), as Prometheus does. Discovered targets survive reloads.
//
// Threads: one io_context run by `threads` threads; scrape loops have their
// own strands; discovery and reload run on the control strand.
//
// Thread-safety: Run() blocks the calling thread; Reload(), Shutdown() and
// the accessors may be called from any thread. `fs` and `clock` must outlive
// the server.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "scraper/scrape_manager.h"
#include "server/self_metrics.h"
#include "tsdb/storage.h"
#include "util/clock.h"
#include "util/file_system.h"
#include "util/status.h"

namespace kubescrape::server {

struct ServerOptions {
  std::string config_file = "prometheus.yml";
  int threads = 0;  // 0: one per core
  // How often discovered changes reach the scrape manager (Prometheus: 5 s).
  std::chrono::milliseconds discovery_update_interval{5000};
  // Stop after this long (demos and benchmarks); nullopt: until a signal.
  std::optional<std::chrono::milliseconds> run_for;
  std::string hostname;  // seeds the scrape phases; default: gethostname()
  bool handle_signals = true;  // SIGHUP reloads, SIGINT/SIGTERM stop
  // The HTTP API (--web.listen-address); empty: no listener.
  std::string listen_address;
  bool enable_lifecycle = false;  // POST /-/reload (--web.enable-lifecycle)
  int query_max_concurrency = 20;    // --query.max-concurrency
  int64_t query_timeout_ms = 2 * 60 * 1000;   // --query.timeout
  int64_t query_max_samples = 50'000'000;     // --query.max-samples
  // The store's counters for /metrics; may be empty. Called from API threads.
  std::function<StorageMetrics()> storage_metrics;
  std::string storage_retention = "15d";  // as shown by /api/v1/status/runtimeinfo
};

class Server {
 public:
  // Loads the configuration; errors name file, line and field.
  static util::StatusOr<std::unique_ptr<Server>> Open(ServerOptions options, tsdb::Storage& storage,
                                                      const util::FileSystem& fs, const util::Clock& clock);
  ~Server();

  // Runs until Shutdown(), a stop signal, or run_for.
  void Run();
  // Re-reads the config file and applies it; the old config stays on error.
  [[nodiscard]] util::Status Reload();
  void Shutdown();

  scraper::ScrapeManager& scrape_manager();
  // The HTTP API's bound port (0 when there is no listener).
  uint16_t api_port() const;
  // Number of successful and failed reloads.
  uint64_t reloads_ok() const;
  uint64_t reloads_failed() const;

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kubescrape::server
