#pragma once
// Router: maps a request's method and path to a handler. Paths are exact
// ("/api/v1/query") or prefixes ending in '/' ("/api/v1/label/"). A known
// path with another method gets 405; an unknown path under /api/v1/ gets
// Prometheus's 404 not_found JSON; others a plain 404.
//
// With set_metrics(), every request a route serves is recorded in
// HttpMetrics under the route's handler name (its path, or the pattern given
// to Add, e.g. "/api/v1/label/:name/values"), with its status, the handler's
// duration and the body size. 404/405 answers of no route are not recorded.
//
// Thread-safety: Add() before serving; Handle() is then safe from any
// thread, provided the handlers are.

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "api/http_metrics.h"
#include "api/http_types.h"

namespace kubescrape::api {

using Handler = std::function<HttpResponse(const HttpRequest&)>;

class Router {
 public:
  // `methods` e.g. {"GET", "POST"}; `handler_name` labels the route's
  // metrics ("" means `path`). REQUIRES: not serving yet.
  void Add(std::set<std::string> methods, std::string path, Handler handler, std::string handler_name = "");
  // Records requests in `metrics` (null: none) and registers every route
  // there, also those added later. `metrics` must outlive the router.
  // REQUIRES: not serving yet.
  void set_metrics(HttpMetrics* metrics);
  HttpResponse Handle(const HttpRequest& request) const;

 private:
  struct Route {
    std::set<std::string> methods;
    std::string path;
    bool prefix = false;
    Handler handler;
    std::string name;  // the metrics' handler label
  };
  std::vector<Route> routes_;
  HttpMetrics* metrics_ = nullptr;
};

}  // namespace kubescrape::api
