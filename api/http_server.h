#pragma once
// HttpServer: the API's HTTP/1.1 listener (Boost.Beast; the only Beast file
// of this module). Each connection is a coroutine on its own strand that
// reads a request (body at most max_body_bytes), hands it to the Router on
// the handler pool (so slow queries never block scrapes or other
// connections' I/O), and writes the response; keep-alive as the client asks.
//
// Thread-safety: Open/Stop/port from any thread. The Router and its handlers
// must be thread-safe and outlive the server.

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "api/router.h"
#include "util/status.h"

namespace kubescrape::api {

struct HttpServerOptions {
  size_t max_body_bytes = 10 << 20;  // form-encoded queries can be long
  // The pool handlers run on: at most this many run at once, the others
  // wait their turn (--query.max-concurrency).
  int handler_threads = 20;
};

class HttpServer {
 public:
  // Binds `listen_address` ("0.0.0.0:9090", ":9090", "[::1]:0", "127.0.0.1:0")
  // and starts accepting on `executor`. Errors name the address.
  [[nodiscard]] static util::StatusOr<std::unique_ptr<HttpServer>> Open(boost::asio::any_io_executor executor,
                                                                        std::string_view listen_address,
                                                                        const Router& router,
                                                                        HttpServerOptions options = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port (useful with port 0).
  uint16_t port() const;
  // Stops accepting and closes connections; idempotent.
  void Stop();

 private:
  struct Impl;
  explicit HttpServer(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace kubescrape::api
