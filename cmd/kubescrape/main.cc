// kubescrape: the daemon. Flags follow Prometheus's names where they exist.
//
//   kubescrape --config.file=prometheus.yml [--log.level=info] [--log.format=logfmt]
//
// Until the storage issue lands, samples are kept in memory (tsdb::MemoryStorage)
// and nothing is persisted; docs/architecture.md tracks this.
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "model/duration.h"
#include "server/server.h"
#include "tsdb/memory_storage.h"
#include "util/clock.h"
#include "util/file_system.h"
#include "util/flags.h"
#include "util/logging.h"

namespace ks = kubescrape;

int main(int argc, char** argv) {
  ks::server::ServerOptions options;
  std::string log_level = "info";
  std::string log_format = "logfmt";
  std::string run_for;
  std::string threads;
  ks::util::FlagSet flags("kubescrape");
  flags.String("config.file", &options.config_file, "Kubescrape configuration file path (prometheus.yml format).");
  flags.String("log.level", &log_level, "Only log messages with the given severity or above. One of: [debug, info, warn, error]");
  flags.String("log.format", &log_format, "Output format of log messages. One of: [logfmt, json]");
  flags.String("run-for", &run_for, "Stop after this duration (e.g. 30s); for demos and benchmarks. Default: run until signalled.");
  options.listen_address = "0.0.0.0:9090";
  flags.String("web.listen-address", &options.listen_address,
               "Address to listen on for the API and /metrics (host:port; port 0 picks one).");
  flags.Bool("web.enable-lifecycle", &options.enable_lifecycle, "Enable shutdown and reload via HTTP request.");
  flags.String("threads", &threads, "Worker threads (default: one per core).");
  std::vector<std::string> args(argv + 1, argv + argc);
  if (ks::util::Status s = flags.Parse(args); !s.ok()) {
    std::cerr << "kubescrape: " << s.message() << "\n" << flags.Usage();
    return 2;
  }
  if (flags.help_requested()) {
    std::cout << flags.Usage();
    return 0;
  }
  if (ks::util::Status s = ks::util::log::SetDefaultFromFlags(log_level, log_format); !s.ok()) {
    std::cerr << "kubescrape: " << s.message() << "\n";
    return 2;
  }
  if (!run_for.empty()) {
    auto d = ks::model::ParseDuration(run_for);
    if (!d.ok()) {
      std::cerr << "kubescrape: --run-for: " << d.status().message() << "\n";
      return 2;
    }
    options.run_for = *d;
  }
  if (!threads.empty()) options.threads = std::stoi(threads);

  ks::tsdb::MemoryStorage storage;
  ks::util::log::Info("Starting Kubescrape", {{"version", KS_VERSION}, {"config", options.config_file}});
  auto server = ks::server::Server::Open(options, storage, ks::util::FileSystem::Default(),
                                         ks::util::SystemClock::Default());
  if (!server.ok()) {
    ks::util::log::Error("Error loading config", {{"err", server.status().message()}});
    return 1;
  }
  (*server)->Run();
  for (const auto& t : (*server)->scrape_manager().ActiveTargets()) {
    const char* health = t.health.state == ks::scraper::TargetHealth::State::kUp     ? "up"
                         : t.health.state == ks::scraper::TargetHealth::State::kDown ? "down"
                                                                                      : "unknown";
    ks::util::log::Info("Target", {{"job", t.job},
                             {"url", t.target.Url()},
                             {"health", health},
                             {"samples", static_cast<unsigned long>(t.health.last_samples)},
                             {"duration_seconds", t.health.last_duration_seconds},
                             {"err", t.health.last_error}});
  }
  ks::util::log::Info("Stopped", {{"series", static_cast<unsigned long>(storage.NumSeries())},
                            {"commits", static_cast<unsigned long>(storage.commits())}});
  return 0;
}
