#pragma once
// TestHttpServer: a scripted, in-process HTTP/1.1 (optionally TLS) server for
// the fetcher tests. It listens on <address>:0, runs as coroutines on the
// test's io_context (the same thread as the client: no sleeps, no races),
// records every request, and answers each one with the raw bytes a Handler
// returns, so tests control status lines, chunking, gzip and closes exactly.
//
// Thread-safety: none; use from the io_context's thread.
// Lifetime: the io_context outlives the server; destroy the server (it
// stops and drains its coroutines) before the io_context.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/http_fetcher.h"

namespace kubescrape::net::testing {

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // lower-case names
  int connection = 0;                          // 1-based accept order
  bool client_certificate = false;             // TLS: the client sent one

  // The header's value, or "<absent>".
  std::string Header(const std::string& lower_name) const;
};

struct Reply {
  std::string bytes;   // written verbatim
  bool close = false;  // close the connection after writing
  bool hang = false;   // never answer; wait for the client to go away
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// A complete response with Content-Length.
std::string HttpResponse(int code, std::string_view reason, std::string_view body,
                         const Headers& headers = {});
// A chunked response, one chunk per element.
std::string ChunkedResponse(const std::vector<std::string>& chunks, const Headers& headers = {});
// `data` as one gzip member.
std::string Gzip(std::string_view data);

// Runs fetcher.Fetch(request) on `ioc` until it completes; a fetch still
// pending after 20 s fails the test (a hung fetcher must not hang the suite).
util::StatusOr<FetchResponse> RunFetch(boost::asio::io_context& ioc, HttpFetcher& fetcher,
                                            const FetchRequest& request);

class TestHttpServer {
 public:
  using Handler = std::function<Reply(const ReceivedRequest&)>;

  // Null if `address` cannot be bound (e.g. no IPv6). With `tls`, connections
  // are TLS with that server context (which may require client certificates).
  static std::unique_ptr<TestHttpServer> Start(boost::asio::io_context& ioc, Handler handler,
                                               const std::string& address = "127.0.0.1",
                                               boost::asio::ssl::context* tls = nullptr);
  ~TestHttpServer();

  uint16_t port() const { return port_; }
  // "127.0.0.1:1234" or "[::1]:1234".
  std::string host_port() const;
  int connections() const { return connections_; }
  const std::vector<ReceivedRequest>& requests() const { return requests_; }

 private:
  TestHttpServer(boost::asio::io_context& ioc, Handler handler, boost::asio::ssl::context* tls);
  void Run();
  struct Session;

  boost::asio::io_context& ioc_;
  Handler handler_;
  boost::asio::ssl::context* tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::string address_;
  uint16_t port_ = 0;
  int connections_ = 0;
  std::vector<ReceivedRequest> requests_;
  std::set<boost::asio::ip::tcp::socket*> live_;  // open sockets, closed on destruction
  std::shared_ptr<bool> alive_;
};

}  // namespace kubescrape::net::testing
