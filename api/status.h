#pragma once
// Status endpoints Grafana and Prometheus's UI read, as pure functions:
//   /api/v1/status/runtimeinfo, /api/v1/status/walreplay,
//   /api/v1/status/tsdb (head stats and the top-10 cardinality lists).
//
// Thread-safety: reentrant; the storage is thread-safe.

#include <cstdint>
#include <string>

#include "api/http_types.h"
#include "tsdb/storage.h"

namespace kubescrape::api {

struct RuntimeInfo {
  int64_t start_time_ms = 0;
  std::string cwd;
  bool reload_config_success = true;
  int64_t last_config_time_ms = 0;
  int threads = 0;
  std::string storage_retention;  // e.g. "15d"
};

HttpResponse RuntimeInfoResponse(const RuntimeInfo& info);

// The WAL is replayed before the API listens: always complete.
HttpResponse WalReplayResponse();

// Head statistics over [mint, maxt] of `storage`: numSeries, chunkCount
// (`chunks`), minTime/maxTime, and the top 10 metric names by series,
// label names by distinct values, and name=value pairs by series (Prometheus's
// `limit` parameter changes 10). O(series): an admin endpoint.
HttpResponse TsdbStatusResponse(tsdb::Storage& storage, int64_t mint, int64_t maxt, uint64_t chunks, size_t limit);

}  // namespace kubescrape::api
