// The Beast side of the API: accept loop and per-connection sessions.
#include "api/http_server.h"

#include <atomic>
#include <chrono>
#include <charconv>
#include <mutex>
#include <set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include "net/http_request.h"

namespace kubescrape::api {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

// Path without the query, percent-decoded (as Go's URL.Path).
std::string DecodePath(std::string_view raw) {
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && i + 2 < raw.size()) {
      int v = 0;
      auto [p, ec] = std::from_chars(raw.data() + i + 1, raw.data() + i + 3, v, 16);
      if (ec == std::errc() && p == raw.data() + i + 3) {
        out.push_back(static_cast<char>(v));
        i += 2;
        continue;
      }
    }
    out.push_back(raw[i]);
  }
  return out;
}

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::any_io_executor ex, const Router& router, HttpServerOptions opts)
      : executor(ex), acceptor(asio::make_strand(ex)), router(router), options(opts),
        pool(static_cast<size_t>(std::max(opts.handler_threads, 1))) {}

  asio::awaitable<void> Accept();
  asio::awaitable<void> Session(tcp::socket socket);
  asio::awaitable<HttpResponse> Dispatch(HttpRequest request);
  // Runs the router; a coroutine so its argument lives in the frame.
  // `queued` is when the request was handed to the pool.
  asio::awaitable<HttpResponse> Run(HttpRequest request, std::chrono::steady_clock::time_point queued) {
    request.queue_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - queued).count();
    co_return router.Handle(request);
  }

  asio::any_io_executor executor;
  tcp::acceptor acceptor;
  const Router& router;
  const HttpServerOptions options;
  asio::thread_pool pool;
  uint16_t port = 0;
  std::atomic<bool> stopped{false};

  std::mutex mu;
  std::set<std::shared_ptr<beast::tcp_stream>> sessions;  // guarded by mu
};

asio::awaitable<HttpResponse> HttpServer::Impl::Dispatch(HttpRequest request) {
  // Handlers run on the pool; the session's strand waits without blocking.
  co_return co_await asio::co_spawn(pool, Run(std::move(request), std::chrono::steady_clock::now()),
                                    asio::use_awaitable);
}

asio::awaitable<void> HttpServer::Impl::Session(tcp::socket socket) {
  auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
  {
    std::lock_guard<std::mutex> lock(mu);
    if (stopped) co_return;
    sessions.insert(stream);
  }
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(options.max_body_bytes);
    stream->expires_after(std::chrono::minutes(5));  // idle keep-alive connections end
    auto [ec, n] = co_await http::async_read(*stream, buffer, parser, kAwait);
    (void)n;
    if (ec) {
      if (ec == http::error::body_limit) {
        http::response<http::string_body> res{http::status::payload_too_large, 11};
        res.set(http::field::content_type, "text/plain; charset=utf-8");
        res.body() = "request body too large\n";
        res.prepare_payload();
        co_await http::async_write(*stream, res, kAwait);
      }
      break;
    }
    http::request<http::string_body> req = parser.release();
    HttpRequest request;
    request.method = std::string(req.method_string());
    std::string_view target = req.target();
    size_t q = target.find('?');
    request.path = DecodePath(target.substr(0, q));
    if (q != std::string_view::npos) request.query = std::string(target.substr(q + 1));
    request.content_type = std::string(req[http::field::content_type]);
    request.body = std::move(req.body());
    const bool head = request.method == "HEAD";
    stream->expires_never();
    HttpResponse response = co_await Dispatch(std::move(request));

    http::response<http::string_body> res{static_cast<http::status>(response.status), req.version()};
    res.set(http::field::content_type, response.content_type);
    for (const auto& [k, v] : response.headers) res.set(k, v);
    res.keep_alive(req.keep_alive());
    res.body() = std::move(response.body);
    res.prepare_payload();
    if (head) res.body().clear();
    stream->expires_after(std::chrono::minutes(1));
    auto [wec, wn] = co_await http::async_write(*stream, res, kAwait);
    (void)wn;
    if (wec || !res.keep_alive()) break;
  }
  beast::error_code ignored;
  stream->socket().shutdown(tcp::socket::shutdown_send, ignored);
  std::lock_guard<std::mutex> lock(mu);
  sessions.erase(stream);
}

asio::awaitable<void> HttpServer::Impl::Accept() {
  auto self = shared_from_this();
  while (!stopped) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(executor), kAwait);
    if (ec) {
      if (stopped || ec == asio::error::operation_aborted) break;
      continue;  // e.g. EMFILE: keep serving
    }
    asio::co_spawn(socket.get_executor(), Session(std::move(socket)), asio::detached);
  }
}

util::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Open(asio::any_io_executor executor,
                                                            std::string_view listen_address, const Router& router,
                                                            HttpServerOptions options) {
  net::HostPort hp = net::SplitHostPort(listen_address);
  uint16_t port = 0;
  auto [p, perr] = std::from_chars(hp.port.data(), hp.port.data() + hp.port.size(), port);
  if (hp.port.empty() || perr != std::errc() || p != hp.port.data() + hp.port.size()) {
    return util::InvalidArgumentError(fmt::format("invalid listen address \"{}\": missing or bad port", listen_address));
  }
  boost::system::error_code ec;
  asio::ip::address address = hp.host.empty() ? asio::ip::address(asio::ip::address_v6::any())
                                              : asio::ip::make_address(std::string(hp.host), ec);
  if (ec) {
    return util::InvalidArgumentError(fmt::format("invalid listen address \"{}\": {}", listen_address, ec.message()));
  }
  auto impl = std::make_shared<Impl>(executor, router, options);
  tcp::endpoint endpoint(address, port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec && address.is_v6() && hp.host.empty()) impl->acceptor.set_option(asio::ip::v6_only(false), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return util::UnavailableError(fmt::format("listen tcp {}: {}", listen_address, ec.message()));
  }
  impl->port = impl->acceptor.local_endpoint().port();
  asio::co_spawn(impl->acceptor.get_executor(), impl->Accept(), asio::detached);
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() {
  Stop();
  impl_->pool.join();
}

uint16_t HttpServer::port() const { return impl_->port; }

void HttpServer::Stop() {
  if (impl_->stopped.exchange(true)) return;
  asio::post(impl_->acceptor.get_executor(), [impl = impl_] {
    boost::system::error_code ignored;
    impl->acceptor.close(ignored);
  });
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (const auto& s : impl_->sessions) {
    asio::post(s->get_executor(), [s] { s->close(); });
  }
}

}  // namespace kubescrape::api
