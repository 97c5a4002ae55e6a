#pragma once
// The metadata endpoints over the active targets' metric metadata
// (scraper::MetadataTracker), as Prometheus answers them:
//
//   GET /api/v1/metadata?metric=M&limit=N&limit_per_metric=K
//       {"<metric>": [{"type","help","unit"}, ...]}: the distinct metadata
//       the targets report per metric family, sorted by metric name.
//   GET /api/v1/targets/metadata?match_target={sel}&metric=M&limit=N
//       [{"target": {labels}, "metric", "type", "help", "unit"}, ...] per
//       target ("metric" left out when the metric parameter is given).
//
// Thread-safety: pure functions.

#include <vector>

#include "api/http_types.h"
#include "api/params.h"
#include "scraper/scrape_manager.h"

namespace kubescrape::api {

HttpResponse MetadataResponse(const std::vector<scraper::TargetStatus>& targets, const Params& params);
HttpResponse TargetsMetadataResponse(const std::vector<scraper::TargetStatus>& targets, const Params& params);

}  // namespace kubescrape::api
