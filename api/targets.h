#pragma once
// The targets API: /api/v1/targets and /api/v1/scrape_pools in Prometheus
// 3's shapes, built from the scrape manager's views. Pure.
//
// Thread-safety: pure functions.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.h"
#include "api/params.h"
#include "relabel/rule.h"
#include "scraper/scrape_manager.h"
#include "util/status.h"

namespace kubescrape::api {

// Everything the targets endpoints read, copied from the scrape manager.
struct TargetsView {
  std::vector<scraper::TargetStatus> active;
  std::vector<scraper::DroppedTarget> dropped;  // at most keep_dropped_targets per pool
  std::vector<std::pair<std::string, size_t>> dropped_counts;  // per pool, all of them
  std::vector<std::string> pools;               // configured scrape pools, sorted
};

// GET /api/v1/targets?state=active|dropped|any&scrapePool=NAME
HttpResponse TargetsResponse(const TargetsView& view, const Params& params, std::string_view hostname);

// GET /api/v1/scrape_pools
HttpResponse ScrapePoolsResponse(const TargetsView& view);

// GET /api/v1/targets/relabel_steps?scrapePool=P&labels={"k":"v"}: the
// target's labels after each of the pool's relabel rules (Prometheus 3.8):
// {"steps":[{"rule":{...},"output":{...},"keep":true},...]}, ending at the
// first rule that drops. `input` is the target's discovered labels.
HttpResponse RelabelStepsResponse(std::span<const relabel::Rule> rules, const model::Labels& input);

// Parses the `labels` parameter: a JSON object of string values.
util::StatusOr<model::Labels> ParseLabelsParam(std::string_view json);

// Prometheus's globalUrl: a loopback or "localhost" host is replaced by
// `hostname`, so the URL works from elsewhere.
std::string GlobalUrl(const scraper::Target& target, std::string_view hostname);

// A millisecond Unix time as Go marshals time.Time (RFC 3339, UTC, trailing
// zeros of the fraction dropped); 0 is Go's zero time.
std::string FormatRfc3339(int64_t unix_ms);

}  // namespace kubescrape::api
