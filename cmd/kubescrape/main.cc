// kubescrape: the daemon. Flags follow Prometheus's names where they exist.
//
//   kubescrape --config.file=prometheus.yml [--log.level=info] [--log.format=logfmt]
//
// Samples go to the durable store (tsdb::Db) in --storage.tsdb.path: a head in
// memory with a write-ahead log replayed on start (docs/storage.md).
#include <malloc.h>

#include <chrono>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "model/duration.h"
#include "server/server.h"
#include "server/startup_responder.h"
#include "tsdb/db.h"
#include "util/clock.h"
#include "util/file_system.h"
#include "util/flags.h"
#include "util/units.h"
#include "util/logging.h"

namespace ks = kubescrape;

int main(int argc, char** argv) {
  // glibc gives each thread that allocates its own arena (up to 8 per core)
  // and keeps what a query freed there: 24 handler threads each holding a
  // large query's peak grew RSS to ~2 GB under repeated 24 h queries
  // (docs/benchmarks.md). Two arenas bound that at a few hundred MB; the
  // MALLOC_ARENA_MAX environment variable still wins.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
  ks::server::ServerOptions options;
  std::string log_level = "info";
  std::string log_format = "logfmt";
  std::string run_for;
  std::string threads;
  std::string tsdb_path = "data/";
  std::string retention_time = "15d";
  std::string retention_size = "0";
  std::string query_timeout = "2m";
  std::string query_max_concurrency = "20";
  std::string query_max_samples = "50000000";
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
  flags.String("storage.tsdb.path", &tsdb_path, "Base path for metrics storage.");
  flags.String("storage.tsdb.retention.time", &retention_time,
               "How long to retain samples in storage (e.g. 15d; 0 means the default, as in Prometheus).");
  flags.String("storage.tsdb.retention.size", &retention_size,
               "Maximum number of bytes that can be stored for blocks (units: B, KB, MB, GB, TB, PB, EB, powers of "
               "1024; 0 means no limit). The WAL counts towards it.");
  flags.String("query.timeout", &query_timeout, "Maximum time a query may take before being aborted.");
  flags.String("query.max-concurrency", &query_max_concurrency, "Maximum number of queries executed concurrently.");
  flags.String("query.max-samples", &query_max_samples,
               "Maximum number of samples a single query can load into memory.");
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
  {
    auto d = ks::model::ParseDuration(query_timeout);
    if (!d.ok()) {
      std::cerr << "kubescrape: --query.timeout: " << d.status().message() << "\n";
      return 2;
    }
    options.query_timeout_ms = std::chrono::duration_cast<std::chrono::milliseconds>(*d).count();
    try {
      options.query_max_concurrency = std::stoi(query_max_concurrency);
      options.query_max_samples = std::stoll(query_max_samples);
    } catch (const std::exception&) {
      std::cerr << "kubescrape: --query.max-concurrency and --query.max-samples take integers\n";
      return 2;
    }
  }
  ks::tsdb::DbOptions db_options;
  {
    auto d = ks::model::ParseDuration(retention_time);
    if (!d.ok()) {
      std::cerr << "kubescrape: --storage.tsdb.retention.time: " << d.status().message() << "\n";
      return 2;
    }
    if (d->count() > 0) {  // 0: the default (15d)
      db_options.retention = *d;
      options.storage_retention = retention_time;
    }
    auto bytes = ks::util::ParseBase2Bytes(retention_size);
    if (!bytes.ok()) {
      std::cerr << "kubescrape: --storage.tsdb.retention.size: " << bytes.status().message() << "\n";
      return 2;
    }
    db_options.retention_bytes = *bytes;
    if (*bytes > 0) {
      // As Prometheus's runtimeinfo shows both: "15d or 10GiB".
      options.storage_retention += " or " + retention_size;
    }
  }

  ks::util::log::Info("Starting Kubescrape", {{"version", KS_VERSION}, {"config", options.config_file}});
  // Until the store is open (WAL replay), the address answers 503 but for
  // /-/healthy, as Prometheus does. Not with port 0: nobody could find it.
  std::unique_ptr<ks::server::StartupResponder> startup;
  if (!options.listen_address.ends_with(":0")) {
    auto responder = ks::server::StartupResponder::Open(options.listen_address);
    if (responder.ok()) {
      startup = std::move(*responder);
    } else {
      ks::util::log::Warn("Not answering during start-up", {{"err", responder.status().message()}});
    }
  }
  auto db = ks::tsdb::Db::Open(ks::util::FileSystem::Default(), tsdb_path, db_options);
  startup.reset();  // the server binds the address next
  if (!db.ok()) {
    ks::util::log::Error("Opening storage failed", {{"path", tsdb_path}, {"err", db.status().message()}});
    return 1;
  }
  ks::tsdb::Db& storage = **db;
  options.storage_metrics = [&storage, retention_bytes = db_options.retention_bytes] {
    return ks::server::StorageMetricsOf(storage.stats(), storage.head().MinTime(), storage.head().MaxTime(),
                                        retention_bytes);
  };

  {
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
  }  // the server (and its appenders) go before the store closes
  const ks::tsdb::DbStats stats = storage.stats();
  int exit_code = 0;
  if (ks::util::Status s = storage.Close(); !s.ok()) {
    ks::util::log::Error("Closing storage failed", {{"path", tsdb_path}, {"err", s.message()}});
    exit_code = 1;
  }
  ks::util::log::Info("Stopped", {{"series", static_cast<unsigned long>(stats.head.num_series)},
                                  {"commits", static_cast<unsigned long>(stats.commits)},
                                  {"samples", static_cast<unsigned long>(stats.head.samples_appended)},
                                  {"wal_bytes", static_cast<unsigned long>(stats.wal.bytes)}});
  return exit_code;
}
