#pragma once
// `scrapectl targets`: what a running daemon scrapes and why it dropped the
// rest, from its HTTP API (/api/v1/targets and
// /api/v1/targets/relabel_steps):
//   targets                      active targets: pool, endpoint, health,
//                                last scrape, duration, error
//   targets --dropped            dropped targets with the rule that dropped
//                                each: index, action, source labels, the
//                                value it saw
//   targets --explain NS/POD     every target of that pod, rule by rule
//   -o json                      the same data as JSON, for scripts
//
// Thread-safety: reentrant; I/O only through the HttpGet passed in.

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

#include "util/status.h"

namespace kubescrape::scrapectl {

struct TargetsOptions {
  std::string url = "http://localhost:9090";
  bool dropped = false;
  std::string explain;  // "namespace/pod"
  bool json = false;
};

// GETs `path_and_query` from the daemon; the body of a 200, else an error.
using HttpGet = std::function<util::StatusOr<std::string>(const std::string& path_and_query)>;

// An HttpGet for `base_url` ("http://host:port") over net::HttpFetcher.
HttpGet DaemonGetter(const std::string& base_url);

int Targets(const TargetsOptions& options, const HttpGet& get, std::ostream& out, std::ostream& err,
            int64_t now_ms);

}  // namespace kubescrape::scrapectl
