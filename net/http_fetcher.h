#pragma once
// HttpFetcher: the HTTP(S) client of one scrape target. Fetch() sends
// Prometheus's scrape request (GET with Accept, Accept-Encoding, User-Agent,
// X-Prometheus-Scrape-Timeout-Seconds and the configured Authorization),
// follows redirects (at most 10, when follow_redirects), requires status
// 200, inflates gzip and enforces body_size_limit, all under one deadline.
// The connection is kept alive between fetches (HTTP/1.1; HTTP/2 is not
// spoken) and re-dialled once, transparently, when the server closed it
// while idle. See docs/scraping-http.md.
//
// Thread-safety: none. One fetch at a time, and every call (Fetch, Close,
// the destructor) on the executor given to Open(), or a strand of it.
// Errors are returned as util::Status, never thrown.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "model/http_config.h"
#include "net/tls_context.h"
#include "util/file_system.h"
#include "util/status.h"

namespace kubescrape::net {

// One request; for scrapes built by the scrape loop, usually once per target.
struct FetchRequest {
  std::string scheme;     // "http" | "https"
  std::string host_port;  // __address__ verbatim ("10.0.0.1:8001", "[::1]:9100",
                          // "host"); the Host header. No port: 80 / 443.
  std::string target;     // path and query, already encoded: "/metrics?a=b"
  std::string accept;     // the Accept header value
  bool gzip = true;       // Accept-Encoding: gzip, else identity
  // Covers resolve, connect, TLS, write, and reading headers and body.
  std::chrono::nanoseconds timeout{std::chrono::seconds(10)};
  int64_t body_size_limit = 0;  // uncompressed bytes; 0 = none
  // Sends X-Prometheus-Scrape-Timeout-Seconds (scrapes only).
  bool scrape_timeout_header = true;
  // Returns any final status (not only 200) as a response with its body,
  // instead of an error; redirects are still followed. For API clients that
  // read error bodies (the Kubernetes API's Status objects).
  bool any_status = false;
  // When set, the body of a 200 response is not collected: each piece is
  // passed to `on_body` as it arrives (uncompressed), and the response's
  // body is empty. An error from `on_body` ends the fetch with that error.
  // For long-lived streams (Kubernetes watches); `timeout` still bounds the
  // whole exchange.
  std::function<util::Status(std::string_view)> on_body;
};

// A response: status 200, or any status with FetchRequest::any_status.
// Views into the fetcher's buffers: valid until the next Fetch() or Close()
// on the same fetcher.
struct FetchResponse {
  int status = 0;
  std::string_view content_type;  // the Content-Type header, verbatim
  std::string_view body;          // uncompressed
  uint64_t wire_bytes = 0;        // body bytes received (compressed if gzip)
};

class HttpFetcher {
 public:
  // Creates an idle fetcher (no connection yet). `config` must have passed
  // model::ValidateHttpClientConfig(). Auth files are read through `fs` on
  // every fetch. `tls` is the job's shared TLS context; when null, one is
  // built from config.tls_config (loading its files, or the system roots),
  // so sharing one per job is cheaper. Errors: unreadable TLS files.
  // REQUIRES: `fs` outlives the fetcher.
  [[nodiscard]] static util::StatusOr<std::unique_ptr<HttpFetcher>> Open(
      boost::asio::any_io_executor executor, const model::HttpClientConfig& config,
      std::string user_agent, const util::FileSystem& fs = util::FileSystem::Default(),
      std::shared_ptr<const TlsClientContext> tls = nullptr);

  // Closes the connection. REQUIRES: no Fetch() in flight.
  ~HttpFetcher();
  HttpFetcher(const HttpFetcher&) = delete;
  HttpFetcher& operator=(const HttpFetcher&) = delete;

  // Performs one scrape request. Errors (messages as Prometheus words them):
  //   Unavailable        `Get "URL": dial tcp ...: Connection refused`, TLS
  //                      failures, `server returned HTTP status 500 ...`
  //   DeadlineExceeded   `Get "URL": context deadline exceeded`
  //   ResourceExhausted  `body size limit exceeded`
  //   Corruption         bad gzip, malformed HTTP
  //   Cancelled          Close() was called meanwhile
  //   NotFound/IoError   an auth file could not be read (names the file)
  // After an error the connection is closed; the next Fetch() dials again.
  // REQUIRES: `request` and this fetcher outlive the returned awaitable's
  // completion; no other Fetch() in flight.
  boost::asio::awaitable<util::StatusOr<FetchResponse>> Fetch(const FetchRequest& request);

  // Closes the connection and cancels in-flight work: a suspended Fetch()
  // completes with Cancelled. A later Fetch() dials a new connection.
  void Close();

  // Connections dialled so far (for metrics and tests).
  uint64_t connections_opened() const;
  // Bytes held by the reusable body buffer (memory accounting).
  size_t buffer_capacity() const;

 private:
  class Impl;
  explicit HttpFetcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kubescrape::net
