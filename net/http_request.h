#pragma once
// Pure helpers of the HTTP clients (scrapes, the Kubernetes API): splitting
// target addresses, resolving redirect locations, and building the header
// values Prometheus sends (X-Prometheus-Scrape-Timeout-Seconds,
// Authorization). No sockets.
//
// Thread-safety: free functions over their arguments.

#include <chrono>
#include <string>
#include <string_view>

#include "model/http_config.h"
#include "util/file_system.h"
#include "util/status.h"

namespace kubescrape::net {

// An absolute http(s) URL split the way a request needs it.
struct HttpUrl {
  std::string scheme;     // "http" | "https"
  std::string host_port;  // as in the URL: "host", "host:port", "[::1]:port"
  std::string target;     // path and query, starting with '/'

  // "scheme://host_port/target", as Go prints a URL in errors.
  std::string ToString() const;
};

// The parts of "host:port", "[v6]:port", "host" or "[v6]". `host` has no
// brackets; `port` is empty when absent. Views into the argument.
struct HostPort {
  std::string_view host;
  std::string_view port;
};
HostPort SplitHostPort(std::string_view host_port);

// The port to dial: the explicit one, else 80 for http and 443 for https.
std::string_view PortOrDefault(const HostPort& hp, std::string_view scheme);

// The URL a Location header points to, relative to `base` (absolute URLs,
// "//host/path", "/path" and "path" forms). InvalidArgument for unsupported
// schemes or an empty host.
[[nodiscard]] util::StatusOr<HttpUrl> ResolveRedirect(const HttpUrl& base, std::string_view location);

// The timeout in seconds as Go's strconv.FormatFloat(s, 'f', -1, 64) prints
// it: "10", "0.5", "1.25".
std::string FormatScrapeTimeoutSeconds(std::chrono::nanoseconds timeout);

// The Authorization header value for `config`, or "" when it sets none:
// "<type> <credentials>" for `authorization`, "Basic base64(user:pass)" for
// `basic_auth`. Files (credentials_file, username_file, password_file) are
// read through `fs` on every call, like Prometheus, so rotated secrets are
// picked up; their content is whitespace-trimmed. A missing file is an error
// naming it. A value with CR, LF or NUL is rejected.
// REQUIRES: ValidateHttpClientConfig() accepted `config`.
[[nodiscard]] util::StatusOr<std::string> AuthorizationHeader(const model::HttpClientConfig& config,
                                                              const util::FileSystem& fs);

// "HTTP/1.1" header values must not carry CR, LF or NUL.
bool IsValidHeaderValue(std::string_view value);

}  // namespace kubescrape::net
