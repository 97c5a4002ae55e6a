#include "server/self_metrics.h"

#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "promql/value.h"

namespace kubescrape::server {
namespace {

// A label value escaped as the text format wants (\\, \", \n).
std::string Escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

// Go's strconv.FormatFloat(f, 'g', -1, 64), as client_golang writes `le`
// and `quantile` values ("0.1", "100000", "1e+06").
std::string FormatG(double f) {
  char buf[64];
  auto sci = std::to_chars(buf, buf + sizeof(buf), f, std::chars_format::scientific);
  const std::string s(buf, sci.ptr);
  const size_t e = s.find('e');
  const int exp = e == std::string::npos ? 0 : std::atoi(s.c_str() + e + 1);
  if (exp < -4 || exp >= 6) return s;
  auto fixed = std::to_chars(buf, buf + sizeof(buf), f, std::chars_format::fixed);
  return std::string(buf, fixed.ptr);
}

class Writer {
 public:
  void Family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }
  void Sample(std::string_view name, double v, std::string_view labels = {}) {
    out_ += name;
    if (!labels.empty()) out_ += fmt::format("{{{}}}", labels);
    out_ += ' ';
    out_ += promql::FormatFloat(v);
    out_ += '\n';
  }
  void PerPool(std::string_view name, std::string_view type, std::string_view help, std::string_view label,
               const std::map<std::string, size_t>& values) {
    Family(name, type, help);
    for (const auto& [pool, v] : values) {
      Sample(name, static_cast<double>(v), fmt::format("{}=\"{}\"", label, Escape(pool)));
    }
  }
  // A classic histogram's _bucket (cumulative, then +Inf), _sum and _count.
  void Histogram(std::string_view name, std::string_view labels, const api::HistogramData& h) {
    const std::string sep = labels.empty() ? "" : ",";
    for (size_t i = 0; i < h.upper_bounds.size(); ++i) {
      Sample(fmt::format("{}_bucket", name), static_cast<double>(h.cumulative[i]),
             fmt::format("{}{}le=\"{}\"", labels, sep, FormatG(h.upper_bounds[i])));
    }
    Sample(fmt::format("{}_bucket", name), static_cast<double>(h.count), fmt::format("{}{}le=\"+Inf\"", labels, sep));
    Sample(fmt::format("{}_sum", name), h.sum, labels);
    Sample(fmt::format("{}_count", name), static_cast<double>(h.count), labels);
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// prometheus_engine_* and prometheus_http_* with Prometheus's names, types
// and HELP texts (promql/engine.go, web/web.go).
void WriteQueryMetrics(Writer& w, const api::EngineMetricsSnapshot& e, const api::HttpMetricsSnapshot& h) {
  w.Family("prometheus_engine_queries", "gauge", "The current number of queries being executed or waiting.");
  w.Sample("prometheus_engine_queries", static_cast<double>(e.queries));
  w.Family("prometheus_engine_queries_concurrent_max", "gauge", "The max number of concurrent queries.");
  w.Sample("prometheus_engine_queries_concurrent_max", static_cast<double>(e.concurrent_max));
  constexpr std::string_view kDuration = "prometheus_engine_query_duration_seconds";
  w.Family(kDuration, "summary", "Query timings");
  for (const auto& [slice, d] : e.durations) {
    const std::string slice_label = fmt::format("slice=\"{}\"", Escape(slice));
    for (const auto& [q, v] : d.quantiles) {
      w.Sample(kDuration, v, fmt::format("{},quantile=\"{}\"", slice_label, FormatG(q)));
    }
    w.Sample(fmt::format("{}_sum", kDuration), d.sum, slice_label);
    w.Sample(fmt::format("{}_count", kDuration), static_cast<double>(d.count), slice_label);
  }
  w.Family("prometheus_engine_query_log_enabled", "gauge", "State of the query log.");
  w.Sample("prometheus_engine_query_log_enabled", 0);
  w.Family("prometheus_engine_query_log_failures_total", "counter", "The number of query log failures.");
  w.Sample("prometheus_engine_query_log_failures_total", 0);
  w.Family("prometheus_engine_query_samples_total", "counter", "The total number of samples loaded by all queries.");
  w.Sample("prometheus_engine_query_samples_total", static_cast<double>(e.samples_total));

  w.Family("prometheus_http_request_duration_seconds", "histogram", "Histogram of latencies for HTTP requests.");
  for (const auto& [handler, m] : h.handlers) {
    if (m.duration.count == 0) continue;  // histograms appear with the first request
    w.Histogram("prometheus_http_request_duration_seconds", fmt::format("handler=\"{}\"", Escape(handler)),
                m.duration);
  }
  w.Family("prometheus_http_requests_total", "counter", "Counter of HTTP requests.");
  for (const auto& [handler, m] : h.handlers) {
    for (const auto& [code, n] : m.requests_by_code) {
      w.Sample("prometheus_http_requests_total", static_cast<double>(n),
               fmt::format("code=\"{}\",handler=\"{}\"", code, Escape(handler)));
    }
  }
  w.Family("prometheus_http_response_size_bytes", "histogram", "Histogram of response size for HTTP requests.");
  for (const auto& [handler, m] : h.handlers) {
    if (m.response_size.count == 0) continue;
    w.Histogram("prometheus_http_response_size_bytes", fmt::format("handler=\"{}\"", Escape(handler)),
                m.response_size);
  }
}

}  // namespace

std::string FormatSelfMetrics(const SelfMetricsSnapshot& s) {
  Writer w;
  w.Family("prometheus_build_info", "gauge",
           "A metric with a constant '1' value labeled by version, revision, branch, and goversion from which "
           "prometheus was built.");
  w.Sample("prometheus_build_info", 1,
           fmt::format("branch=\"main\",goversion=\"c++20\",revision=\"unknown\",version=\"{}\"", KS_VERSION));
  w.Family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.");
  w.Sample("process_start_time_seconds", s.start_time_seconds);
  w.Family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.");
  w.Sample("process_cpu_seconds_total", s.cpu_seconds);
  w.Family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
  w.Sample("process_resident_memory_bytes", static_cast<double>(s.resident_memory_bytes));
  w.Family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
  w.Sample("process_virtual_memory_bytes", static_cast<double>(s.virtual_memory_bytes));
  w.Family("prometheus_config_last_reload_successful", "gauge",
           "Whether the last configuration reload attempt was successful.");
  w.Sample("prometheus_config_last_reload_successful", s.last_reload_successful ? 1 : 0);
  w.Family("prometheus_config_last_reload_success_timestamp_seconds", "gauge",
           "Timestamp of the last successful configuration reload.");
  w.Sample("prometheus_config_last_reload_success_timestamp_seconds", s.last_reload_success_timestamp_seconds);
  w.Family("kubescrape_config_reloads_total", "counter", "Configuration loads, by result.");
  w.Sample("kubescrape_config_reloads_total", static_cast<double>(s.reloads_ok), "result=\"success\"");
  w.Sample("kubescrape_config_reloads_total", static_cast<double>(s.reloads_failed), "result=\"failure\"");
  w.Family("prometheus_sd_discovered_targets", "gauge", "Current number of discovered targets.");
  for (const auto& [job, n] : s.discovered_targets) {
    w.Sample("prometheus_sd_discovered_targets", static_cast<double>(n),
             fmt::format("config=\"{}\",name=\"scrape\"", Escape(job)));
  }
  w.Family("prometheus_sd_received_updates_total", "counter",
           "Total number of update events received from the SD providers.");
  w.Sample("prometheus_sd_received_updates_total", static_cast<double>(s.sd_updates_received), "name=\"scrape\"");
  w.Family("prometheus_sd_updates_total", "counter", "Total number of update events sent to the SD consumers.");
  w.Sample("prometheus_sd_updates_total", static_cast<double>(s.sd_updates), "name=\"scrape\"");
  w.PerPool("prometheus_target_scrape_pool_targets", "gauge", "Current number of targets in this scrape pool.",
            "scrape_job", s.active_targets);
  w.PerPool("kubescrape_target_scrape_pool_dropped_targets", "gauge",
            "Current number of targets dropped by relabeling (or invalid) in this scrape pool.", "scrape_job",
            s.dropped_targets);
  w.Family("kubescrape_sd_kubernetes_requests_total", "counter",
           "Kubernetes API lists (complete) and watches (accepted), and failed requests.");
  w.Sample("kubescrape_sd_kubernetes_requests_total", static_cast<double>(s.k8s_lists), "kind=\"list\"");
  w.Sample("kubescrape_sd_kubernetes_requests_total", static_cast<double>(s.k8s_watches), "kind=\"watch\"");
  w.Sample("kubescrape_sd_kubernetes_requests_total", static_cast<double>(s.k8s_failures), "kind=\"failure\"");
  w.Family("kubescrape_sd_kubernetes_relists_expired_total", "counter", "Relists after a 410 Expired.");
  w.Sample("kubescrape_sd_kubernetes_relists_expired_total", static_cast<double>(s.k8s_relists_expired));
  w.Family("kubescrape_sd_kubernetes_events_total", "counter", "Watch events applied.");
  w.Sample("kubescrape_sd_kubernetes_events_total", static_cast<double>(s.k8s_events));
  w.Family("kubescrape_sd_kubernetes_pods", "gauge", "Pods held by Kubernetes discovery.");
  w.Sample("kubescrape_sd_kubernetes_pods", static_cast<double>(s.k8s_pods));
  w.Family("kubescrape_sd_kubernetes_store_bytes", "gauge", "Estimated heap bytes of the pod stores.");
  w.Sample("kubescrape_sd_kubernetes_store_bytes", static_cast<double>(s.k8s_memory_bytes));
  if (s.has_storage) {
    const StorageMetrics& t = s.storage;
    auto one = [&](std::string_view name, std::string_view type, std::string_view help, uint64_t v) {
      w.Family(name, type, help);
      w.Sample(name, static_cast<double>(v));
    };
    one("prometheus_tsdb_head_series", "gauge", "Total number of series in the head block.", t.head_series);
    one("prometheus_tsdb_head_series_created_total", "counter", "Total number of series created in the head",
        t.head_series_created);
    one("prometheus_tsdb_head_series_removed_total", "counter", "Total number of series removed in the head",
        t.head_series_removed);
    w.Family("prometheus_tsdb_head_samples_appended_total", "counter", "Total number of appended samples.");
    w.Sample("prometheus_tsdb_head_samples_appended_total", static_cast<double>(t.head_samples_appended),
             "type=\"float\"");
    one("prometheus_tsdb_head_chunks_created_total", "counter", "Total number of chunks created in the head",
        t.head_chunks_created);
    one("prometheus_tsdb_head_chunks_removed_total", "counter", "Total number of chunks removed in the head",
        t.head_chunks_removed);
    w.Family("prometheus_tsdb_out_of_order_samples_total", "counter",
             "Total number of out of order samples ingestion failed attempts.");
    w.Sample("prometheus_tsdb_out_of_order_samples_total", static_cast<double>(t.out_of_order_samples),
             "type=\"float\"");
    one("prometheus_tsdb_out_of_bound_samples_total", "counter",
        "Total number of out of bound samples ingestion failed attempts.", t.out_of_bounds_samples);
    one("kubescrape_tsdb_duplicate_samples_total", "counter",
        "Samples rejected for a different value at an existing timestamp.", t.duplicate_samples);
    one("kubescrape_tsdb_wal_records_total", "counter", "WAL records written since start.", t.wal_records);
    one("kubescrape_tsdb_wal_written_bytes_total", "counter", "WAL bytes written since start.", t.wal_bytes);
    one("prometheus_tsdb_wal_fsync_duration_seconds_count", "counter", "Number of WAL fsyncs.", t.wal_fsyncs);
    one("kubescrape_tsdb_wal_segment_current", "gauge", "Index of the WAL segment being written.",
        t.wal_segment);
    one("kubescrape_tsdb_commits_total", "counter", "Committed append batches since start.", t.commits);
    one("prometheus_tsdb_blocks_loaded", "gauge", "Number of currently loaded data blocks", t.blocks_loaded);
    one("prometheus_tsdb_storage_blocks_bytes", "gauge",
        "The number of bytes that are currently used for local storage by all blocks.", t.blocks_bytes);
    one("prometheus_tsdb_compactions_total", "counter",
        "Total number of compactions that were executed for the partition.", t.compactions);
    one("prometheus_tsdb_compactions_failed_total", "counter",
        "Total number of compactions that failed for the partition.", t.compactions_failed);
    one("prometheus_tsdb_time_retentions_total", "counter",
        "The number of times that blocks were deleted because the maximum time limit was exceeded.",
        t.time_retentions);
    one("prometheus_tsdb_size_retentions_total", "counter",
        "The number of times that blocks were deleted because the maximum number of bytes was exceeded.",
        t.size_retentions);
    one("prometheus_tsdb_retention_limit_bytes", "gauge",
        "Max number of bytes to be retained in the tsdb blocks, configured 0 means disabled",
        t.retention_limit_bytes);
    one("prometheus_tsdb_checkpoint_creations_total", "counter", "Total number of checkpoint creations attempted.",
        t.checkpoints + t.checkpoints_failed);
    one("prometheus_tsdb_checkpoint_creations_failed_total", "counter",
        "Total number of checkpoint creations that failed.", t.checkpoints_failed);
    one("prometheus_tsdb_wal_truncations_total", "counter", "Total number of write log truncations attempted.",
        t.wal_truncations);
    auto gauge = [&](std::string_view name, std::string_view help, double v) {
      w.Family(name, "gauge", help);
      w.Sample(name, v);
    };
    gauge("prometheus_tsdb_lowest_timestamp",
          "Lowest timestamp value stored in the database. The unit is decided by the library consumer.",
          static_cast<double>(t.lowest_timestamp_ms));
    gauge("prometheus_tsdb_lowest_timestamp_seconds", "Lowest timestamp value stored in the database.",
          static_cast<double>(t.lowest_timestamp_ms / 1000));
    gauge("prometheus_tsdb_head_min_time",
          "Minimum time bound of the head block. The unit is decided by the library consumer.",
          static_cast<double>(t.head_min_time_ms));
    gauge("prometheus_tsdb_head_max_time",
          "Maximum timestamp of the head block. The unit is decided by the library consumer.",
          static_cast<double>(t.head_max_time_ms));
  }
  if (s.has_query_metrics) WriteQueryMetrics(w, s.engine, s.http);
  return w.Take();
}

StorageMetrics StorageMetricsOf(const tsdb::DbStats& st, int64_t head_min_time_ms, int64_t head_max_time_ms,
                                uint64_t retention_limit_bytes) {
  StorageMetrics m;
  m.head_series = st.head.num_series;
  m.head_series_created = st.head.series_created;
  m.head_series_removed = st.head.series_removed;
  m.head_samples_appended = st.head.samples_appended;
  m.head_chunks_created = st.head.chunks_created;
  m.head_chunks_removed = st.head.chunks_removed;
  m.out_of_order_samples = st.head.out_of_order;
  m.out_of_bounds_samples = st.head.out_of_bounds;
  m.duplicate_samples = st.head.duplicates;
  m.wal_records = st.wal.records;
  m.wal_bytes = st.wal.bytes;
  m.wal_fsyncs = st.wal.syncs;
  m.wal_segment = st.wal_segment;
  m.commits = st.commits;
  m.blocks_loaded = st.blocks.loaded;
  m.blocks_bytes = st.blocks.bytes;
  m.compactions = st.blocks.compactions;
  m.compactions_failed = st.blocks.compactions_failed;
  m.time_retentions = st.blocks.time_retentions;
  m.size_retentions = st.blocks.size_retentions;
  m.checkpoints = st.blocks.checkpoints;
  m.checkpoints_failed = st.blocks.checkpoints_failed;
  m.wal_truncations = st.blocks.wal_truncations;
  m.retention_limit_bytes = retention_limit_bytes;
  const bool head_empty = head_min_time_ms > head_max_time_ms;
  m.head_min_time_ms = head_empty ? 0 : head_min_time_ms;
  m.head_max_time_ms = head_empty ? 0 : head_max_time_ms;
  if (st.blocks.loaded > 0) {
    m.lowest_timestamp_ms = st.blocks.min_time;
  } else if (!head_empty) {
    m.lowest_timestamp_ms = head_min_time_ms;
  }
  return m;
}

void ReadProcessMetrics(SelfMetricsSnapshot* s) {
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces) start after ')'.
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return;
  std::istringstream in(stat.substr(close + 2));
  std::vector<std::string> f((std::istream_iterator<std::string>(in)), std::istream_iterator<std::string>());
  // f[0] is field 3 (state): utime 14, stime 15, starttime 22, vsize 23, rss 24.
  if (f.size() < 22) return;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  s->cpu_seconds = (std::stod(f[11]) + std::stod(f[12])) / ticks;
  s->virtual_memory_bytes = std::stoull(f[20]);
  s->resident_memory_bytes = static_cast<uint64_t>(std::stod(f[21]) * page);
  std::ifstream uptime_file("/proc/uptime");
  double uptime = 0;
  if (uptime_file >> uptime) {
    const double now = static_cast<double>(std::time(nullptr));
    s->start_time_seconds = now - uptime + std::stod(f[19]) / ticks;
  }
}

}  // namespace kubescrape::server
