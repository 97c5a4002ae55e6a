#include "api/router.h"

#include <chrono>

#include "api/envelope.h"

namespace kubescrape::api {

void Router::Add(std::set<std::string> methods, std::string path, Handler handler, std::string handler_name) {
  Route r;
  r.methods = std::move(methods);
  r.prefix = !path.empty() && path.back() == '/';
  r.name = handler_name.empty() ? path : std::move(handler_name);
  r.path = std::move(path);
  r.handler = std::move(handler);
  if (metrics_ != nullptr) metrics_->Register(r.name);
  routes_.push_back(std::move(r));
}

void Router::set_metrics(HttpMetrics* metrics) {
  metrics_ = metrics;
  if (metrics_ == nullptr) return;
  for (const Route& r : routes_) metrics_->Register(r.name);
}

HttpResponse Router::Handle(const HttpRequest& request) const {
  bool path_known = false;
  // Exact routes win over prefixes; among prefixes the longest wins.
  const Route* best = nullptr;
  for (const Route& r : routes_) {
    const bool match = r.prefix ? request.path.starts_with(r.path) : request.path == r.path;
    if (!match) continue;
    path_known = true;
    if (!r.methods.contains(request.method) && !(request.method == "HEAD" && r.methods.contains("GET"))) continue;
    if (best == nullptr || (!r.prefix && best->prefix) || (r.prefix && best->prefix && r.path.size() > best->path.size())) {
      best = &r;
    }
  }
  if (best != nullptr) {
    if (metrics_ == nullptr) return best->handler(request);
    const auto start = std::chrono::steady_clock::now();
    HttpResponse response = best->handler(request);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    metrics_->Observe(best->name, response.status, seconds, response.body.size());
    return response;
  }
  if (path_known) {
    HttpResponse r;
    r.status = 405;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "Method Not Allowed\n";
    return r;
  }
  if (request.path.starts_with("/api/v1/")) {
    return ErrorResponse({ErrorType::kNotFound, "unknown API endpoint"});
  }
  HttpResponse r;
  r.status = 404;
  r.content_type = "text/plain; charset=utf-8";
  r.body = "404 page not found\n";
  return r;
}

}  // namespace kubescrape::api
