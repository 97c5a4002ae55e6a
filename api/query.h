#pragma once
// The query side of the Prometheus HTTP API, as pure functions over a
// request's parameters, a PromQL engine and the storage:
//   /api/v1/query, /api/v1/query_range, /api/v1/series, /api/v1/labels,
//   /api/v1/label/<name>/values, /api/v1/format_query,
//   /api/v1/query_exemplars.
// Parameters, limits, result shapes, number and time formatting and error
// types are Prometheus's (web/api/v1/api.go), so Grafana's Prometheus
// datasource works unchanged.
//
// Thread-safety: reentrant; the engine and storage are thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "api/engine_metrics.h"
#include "api/http_types.h"
#include "api/params.h"
#include "promql/engine.h"
#include "tsdb/storage.h"
#include "util/status.h"

namespace kubescrape::api {

struct QueryContext {
  const promql::Engine& engine;
  tsdb::Storage& storage;
  int64_t now_ms;  // the default `time` of instant queries
  // Fed by /query and /query_range when set; must outlive the call.
  EngineMetrics* metrics = nullptr;
  double queue_seconds = 0;  // the request's wait for a handler thread
};

// /query and /query_range take Prometheus's `stats` parameter: any
// non-empty value adds data.stats = {"timings":{evalTotalTime,
// resultSortTime, queryPreparationTime, innerEvalTime, execQueueTime,
// execTotalTime}, "samples":{totalQueryableSamples, peakSamples}} (seconds,
// counts; see promql/query_stats.h), and `stats=all` adds
// samples.totalQueryableSamplesPerStep = [[<step time, float seconds>, n], ...].

HttpResponse InstantQuery(const QueryContext& ctx, const Params& params);
HttpResponse RangeQuery(const QueryContext& ctx, const Params& params);
HttpResponse Series(const QueryContext& ctx, const Params& params);
HttpResponse LabelNames(const QueryContext& ctx, const Params& params);
// `name` as it appears in the path (U__-escaped names are unescaped).
HttpResponse LabelValues(const QueryContext& ctx, const Params& params, std::string_view name);
HttpResponse FormatQuery(const Params& params);
// No exemplars are stored yet: an empty result of the right shape.
HttpResponse QueryExemplars(const Params& params);

// Prometheus's parseTime: float Unix seconds (rounded to ms) or RFC 3339.
util::StatusOr<int64_t> ParseTimeParam(std::string_view s);
// Prometheus's parseDuration: float seconds or a duration such as 1h30m.
util::StatusOr<int64_t> ParseDurationParam(std::string_view s);
// A vector/matrix timestamp as Prometheus marshals it: 1500 -> "1.500",
// 1000 -> "1", -1500 -> "-1.500".
std::string MarshalTimestamp(int64_t ms);
// A sample value: "NaN", "+Inf", "-Inf", else the shortest round-trip
// decimal, in exponent form when |f| < 1e-6 or >= 1e21 (Go's 'e'/'f').
std::string MarshalValue(double f);

}  // namespace kubescrape::api
