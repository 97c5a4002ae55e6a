#pragma once
// `scrapectl query EXPR`: a PromQL query against a running daemon's HTTP API,
// printed for people (one line per series) or as the API's JSON (-o json).
//   scrapectl query [--url U] [--time T] EXPR
//   scrapectl query [--url U] --start T --end T [--step D] EXPR   (a range)
// Times as the API takes them (Unix seconds or RFC 3339); the step defaults
// to 15s. Exit 1 on an API error, printed as Prometheus words it.
//
// Thread-safety: reentrant; I/O only through the HttpGet passed in.

#include <ostream>
#include <string>

#include "cmd/scrapectl/targets.h"

namespace kubescrape::scrapectl {

struct QueryOptions {
  std::string url = "http://localhost:9090";
  std::string expr;
  std::string time;  // instant query; "" = now
  std::string start, end, step = "15s";  // a range query when start is set
  bool json = false;
};

int Query(const QueryOptions& options, const HttpGet& get, std::ostream& out, std::ostream& err);

}  // namespace kubescrape::scrapectl
