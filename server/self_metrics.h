#pragma once
// The daemon's own /metrics, in the Prometheus text format (0.0.4), with
// Prometheus's metric names where an equivalent exists, so existing
// Prometheus dashboards keep working (prometheus_build_info,
// prometheus_config_last_reload_successful, prometheus_sd_discovered_targets,
// prometheus_target_scrape_pool_targets, process_*), plus kubescrape_*
// metrics for what Prometheus does not have. With query metrics: the
// engine's prometheus_engine_* (api/engine_metrics.h) and the API's
// prometheus_http_* (api/http_metrics.h).
//
// Thread-safety: pure functions over a snapshot.

#include <cstdint>
#include <map>
#include <string>

#include "api/engine_metrics.h"
#include "api/http_metrics.h"
#include "tsdb/db.h"

namespace kubescrape::server {

// What the store reports (the daemon fills it from tsdb::Db::stats()).
struct StorageMetrics {
  uint64_t head_series = 0;
  uint64_t head_series_created = 0;
  uint64_t head_series_removed = 0;
  uint64_t head_samples_appended = 0;
  uint64_t head_chunks_created = 0;
  uint64_t head_chunks_removed = 0;
  uint64_t out_of_order_samples = 0;
  uint64_t out_of_bounds_samples = 0;
  uint64_t duplicate_samples = 0;
  uint64_t wal_records = 0;
  uint64_t wal_bytes = 0;
  uint64_t wal_fsyncs = 0;
  uint64_t wal_segment = 0;
  uint64_t commits = 0;
  // Blocks (tsdb::DbBlockStats).
  uint64_t blocks_loaded = 0;
  uint64_t blocks_bytes = 0;
  uint64_t compactions = 0;
  uint64_t compactions_failed = 0;
  uint64_t time_retentions = 0;
  uint64_t size_retentions = 0;
  uint64_t checkpoints = 0;
  uint64_t checkpoints_failed = 0;
  uint64_t wal_truncations = 0;
  uint64_t retention_limit_bytes = 0;
  int64_t lowest_timestamp_ms = 0;  // oldest sample in blocks or head; 0 when empty
  int64_t head_min_time_ms = 0;
  int64_t head_max_time_ms = 0;
};

// The store's counters as /metrics shows them.
StorageMetrics StorageMetricsOf(const tsdb::DbStats& stats, int64_t head_min_time_ms, int64_t head_max_time_ms,
                                uint64_t retention_limit_bytes);

struct SelfMetricsSnapshot {
  // Process.
  double start_time_seconds = 0;
  double cpu_seconds = 0;
  uint64_t resident_memory_bytes = 0;
  uint64_t virtual_memory_bytes = 0;
  // Configuration reloads.
  bool last_reload_successful = true;
  double last_reload_success_timestamp_seconds = 0;
  uint64_t reloads_ok = 0;
  uint64_t reloads_failed = 0;
  // Targets per scrape pool.
  std::map<std::string, size_t> discovered_targets;  // by job (service discovery)
  std::map<std::string, size_t> active_targets;
  std::map<std::string, size_t> dropped_targets;
  // Discovery manager.
  uint64_t sd_updates_received = 0;
  uint64_t sd_updates = 0;
  // Kubernetes discovery (summed over discoverers).
  uint64_t k8s_lists = 0;
  uint64_t k8s_watches = 0;
  uint64_t k8s_events = 0;
  uint64_t k8s_failures = 0;
  uint64_t k8s_relists_expired = 0;
  uint64_t k8s_pods = 0;
  uint64_t k8s_memory_bytes = 0;
  // The store; absent when the server was given none.
  bool has_storage = false;
  StorageMetrics storage;
  // The query engine and the HTTP API; absent when not serving.
  bool has_query_metrics = false;
  api::EngineMetricsSnapshot engine;
  api::HttpMetricsSnapshot http;
};

// The exposition text.
std::string FormatSelfMetrics(const SelfMetricsSnapshot& s);

// Reads CPU time, resident and virtual memory and the start time of this
// process from /proc/self (zeros where unreadable).
void ReadProcessMetrics(SelfMetricsSnapshot* s);

}  // namespace kubescrape::server
