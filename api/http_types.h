#pragma once
// The HTTP request and response as API handlers see them: plain values, so
// handlers are functions over memory, tested without sockets. The Beast
// shell (http_server.h) converts to and from the wire.
//
// Thread-safety: plain values.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kubescrape::api {

struct HttpRequest {
  std::string method;        // "GET", "POST", ...
  std::string path;          // decoded path, without the query
  std::string query;         // raw query string, without '?'
  std::string content_type;  // of the body
  std::string body;
  // Seconds the request waited for a handler thread (set by HttpServer;
  // the queries' execQueueTime).
  double queue_seconds = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

}  // namespace kubescrape::api
