#pragma once
// Router: maps a request's method and path to a handler. Paths are exact
// ("/api/v1/query") or prefixes ending in '/' ("/api/v1/label/"). A known
// path with another method gets 405; an unknown path under /api/v1/ gets
// Prometheus's 404 not_found JSON; others a plain 404.
//
// Thread-safety: Add() before serving; Handle() is then safe from any
// thread, provided the handlers are.

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "api/http_types.h"

namespace kubescrape::api {

using Handler = std::function<HttpResponse(const HttpRequest&)>;

class Router {
 public:
  // `methods` e.g. {"GET", "POST"}. REQUIRES: not serving yet.
  void Add(std::set<std::string> methods, std::string path, Handler handler);
  HttpResponse Handle(const HttpRequest& request) const;

 private:
  struct Route {
    std::set<std::string> methods;
    std::string path;
    bool prefix = false;
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace kubescrape::api
