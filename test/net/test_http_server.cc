#include "test/net/test_http_server.h"

#include <openssl/ssl.h>
#include <zlib.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cctype>
#include <optional>
#include <cstdio>
#include <cstdlib>

namespace kubescrape::net::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string ReceivedRequest::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "<absent>" : it->second;
}

std::string HttpResponse(int code, std::string_view reason, std::string_view body,
                         const Headers& headers) {
  std::string out = "HTTP/1.1 " + std::to_string(code) + " " + std::string(reason) + "\r\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  out += body;
  return out;
}

std::string ChunkedResponse(const std::vector<std::string>& chunks, const Headers& headers) {
  std::string out = "HTTP/1.1 200 OK\r\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  out += "Transfer-Encoding: chunked\r\n\r\n";
  char size[32];
  for (const std::string& chunk : chunks) {
    std::snprintf(size, sizeof(size), "%zx\r\n", chunk.size());
    out += size;
    out += chunk;
    out += "\r\n";
  }
  out += "0\r\n\r\n";
  return out;
}

std::string Gzip(std::string_view data) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

util::StatusOr<FetchResponse> RunFetch(asio::io_context& ioc, HttpFetcher& fetcher,
                                       const FetchRequest& request) {
  std::optional<util::StatusOr<FetchResponse>> result;
  asio::co_spawn(
      ioc, [&]() -> asio::awaitable<void> { result.emplace(co_await fetcher.Fetch(request)); },
      asio::detached);
  ioc.restart();
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!result && std::chrono::steady_clock::now() < give_up) {
    ioc.run_one_for(std::chrono::milliseconds(100));
  }
  if (!result) {
    fetcher.Close();
    while (!result) ioc.run_one();
    return util::InternalError("test: fetch did not complete within 20 s");
  }
  return std::move(*result);
}

struct TestHttpServer::Session {
  template <class Stream>
  static asio::awaitable<void> ServeStream(TestHttpServer* self, Stream& stream, int index, bool cert) {
    beast::flat_buffer buf;
    for (;;) {
      http::request<http::string_body> req;
      auto [ec, n] = co_await http::async_read(stream, buf, req, kAwait);
      if (ec) co_return;
      ReceivedRequest rec;
      rec.method = std::string(req.method_string());
      rec.target = std::string(req.target());
      for (const auto& field : req) rec.headers[Lower(field.name_string())] = std::string(field.value());
      rec.connection = index;
      rec.client_certificate = cert;
      self->requests_.push_back(rec);
      Reply reply = self->handler_(rec);
      if (reply.hang) {
        char c;
        co_await stream.async_read_some(asio::buffer(&c, 1), kAwait);
        co_return;
      }
      auto [wec, written] = co_await asio::async_write(stream, asio::buffer(reply.bytes), kAwait);
      if (wec || reply.close) co_return;
    }
  }

  static asio::awaitable<void> Serve(TestHttpServer* self, tcp::socket socket, int index) {
    tcp::socket* raw = &socket;
    self->live_.insert(raw);
    if (self->tls_ == nullptr) {
      co_await ServeStream(self, socket, index, false);
    } else {
      asio::ssl::stream<tcp::socket&> stream(socket, *self->tls_);
      auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kAwait);
      if (!ec) {
        bool cert = SSL_get0_peer_certificate(stream.native_handle()) != nullptr;
        co_await ServeStream(self, stream, index, cert);
      }
    }
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    self->live_.erase(raw);
  }

  static asio::awaitable<void> Accept(TestHttpServer* self) {
    for (;;) {
      auto [ec, socket] = co_await self->acceptor_.async_accept(kAwait);
      if (ec) co_return;
      int index = ++self->connections_;
      asio::co_spawn(self->ioc_, Serve(self, std::move(socket), index), asio::detached);
    }
  }
};

TestHttpServer::TestHttpServer(asio::io_context& ioc, Handler handler, asio::ssl::context* tls)
    : ioc_(ioc), handler_(std::move(handler)), tls_(tls), acceptor_(ioc) {}

std::unique_ptr<TestHttpServer> TestHttpServer::Start(asio::io_context& ioc, Handler handler,
                                                      const std::string& address,
                                                      asio::ssl::context* tls) {
  std::unique_ptr<TestHttpServer> server(new TestHttpServer(ioc, std::move(handler), tls));
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(address, ec);
  if (ec) return nullptr;
  tcp::endpoint ep(addr, 0);
  server->acceptor_.open(ep.protocol(), ec);
  if (!ec) server->acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) server->acceptor_.bind(ep, ec);
  if (!ec) server->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return nullptr;
  server->address_ = address;
  server->port_ = server->acceptor_.local_endpoint().port();
  asio::co_spawn(ioc, Session::Accept(server.get()), asio::detached);
  return server;
}

TestHttpServer::~TestHttpServer() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  for (tcp::socket* s : live_) s->close(ignored);
  // Let the sessions observe the closes and finish while `this` is alive.
  ioc_.restart();
  ioc_.poll();
}

std::string TestHttpServer::host_port() const {
  if (address_.find(':') != std::string::npos) return "[" + address_ + "]:" + std::to_string(port_);
  return address_ + ":" + std::to_string(port_);
}

}  // namespace kubescrape::net::testing
