#include "test/fake_apiserver/test_client.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <functional>

namespace kubescrape::fake_apiserver {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
constexpr auto kTimeout = std::chrono::seconds(20);

}  // namespace

struct TestClient::Impl {
  asio::io_context ioc;
  tcp::socket socket{ioc};
  std::optional<asio::ssl::context> ssl_ctx;
  std::optional<asio::ssl::stream<tcp::socket&>> tls;
  Options options;
  beast::flat_buffer buf;
  // Streaming.
  std::optional<http::response_parser<http::empty_body>> parser;
  std::function<std::size_t(std::uint64_t, beast::string_view, boost::system::error_code&)> on_chunk;
  std::string pending;
  bool reading = false;
  bool ended = false;
  bool clean = false;

  template <class F>
  void With(F&& f) {
    if (tls) {
      f(*tls);
    } else {
      f(socket);
    }
  }

  // Runs the io_context until `done` or the deadline.
  bool RunUntil(const bool& done, SteadyClock::time_point deadline) {
    ioc.restart();
    while (!done) {
      auto now = SteadyClock::now();
      if (now >= deadline) return false;
      ioc.run_one_for(deadline - now);
    }
    return true;
  }
};

TestClient::TestClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TestClient::~TestClient() {
  boost::system::error_code ignored;
  impl_->socket.close(ignored);
  impl_->ioc.restart();
  impl_->ioc.poll();
}

util::StatusOr<std::unique_ptr<TestClient>> TestClient::Connect(Options options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  boost::system::error_code ec;
  tcp::endpoint ep(asio::ip::make_address(options.host, ec), options.port);
  if (ec) return util::InvalidArgumentError("bad host " + options.host);
  impl->socket.connect(ep, ec);
  if (ec) return util::IoError("connect: " + ec.message());
  if (!options.ca_pem.empty()) {
    impl->ssl_ctx.emplace(asio::ssl::context::tls_client);
    impl->ssl_ctx->add_certificate_authority(asio::buffer(options.ca_pem), ec);
    if (ec) return util::InvalidArgumentError("CA: " + ec.message());
    impl->ssl_ctx->set_verify_mode(asio::ssl::verify_peer);
    impl->tls.emplace(impl->socket, *impl->ssl_ctx);
    // Verify that the certificate names the address we dialed.
    X509_VERIFY_PARAM* param = SSL_get0_param(impl->tls->native_handle());
    X509_VERIFY_PARAM_set1_ip_asc(param, options.host.c_str());
    bool done = false;
    impl->tls->async_handshake(asio::ssl::stream_base::client, [&](boost::system::error_code e) {
      ec = e;
      done = true;
    });
    if (!impl->RunUntil(done, SteadyClock::now() + kTimeout)) return util::IoError("TLS handshake timed out");
    if (ec) return util::IoError("TLS handshake: " + ec.message());
  }
  return std::unique_ptr<TestClient>(new TestClient(std::move(impl)));
}

util::StatusOr<TestClient::Response> TestClient::Request(const std::string& method, const std::string& target,
                                                         const std::string& body, const std::string& content_type,
                                                         const std::string& accept) {
  Impl& m = *impl_;
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, m.options.host);
  if (!m.options.token.empty()) req.set(http::field::authorization, "Bearer " + m.options.token);
  if (!accept.empty()) req.set(http::field::accept, accept);
  if (!content_type.empty()) req.set(http::field::content_type, content_type);
  req.body() = body;
  req.keep_alive(true);
  req.prepare_payload();
  boost::system::error_code ec;
  bool done = false;
  m.With([&](auto& s) {
    http::async_write(s, req, [&](boost::system::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
  });
  if (!m.RunUntil(done, SteadyClock::now() + kTimeout)) return util::IoError("write timed out");
  if (ec) return util::IoError("write: " + ec.message());
  http::response_parser<http::string_body> parser;
  parser.body_limit(boost::none);
  done = false;
  m.With([&](auto& s) {
    http::async_read(s, m.buf, parser, [&](boost::system::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
  });
  if (!m.RunUntil(done, SteadyClock::now() + kTimeout)) return util::IoError("read timed out");
  if (ec) return util::IoError("read: " + ec.message());
  Response r;
  r.code = static_cast<int>(parser.get().result_int());
  r.content_type = std::string(parser.get()[http::field::content_type]);
  r.chunked = parser.get().chunked();
  r.body = std::move(parser.get().body());
  return r;
}

util::StatusOr<int> TestClient::StartStream(const std::string& target) {
  Impl& m = *impl_;
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, m.options.host);
  if (!m.options.token.empty()) req.set(http::field::authorization, "Bearer " + m.options.token);
  boost::system::error_code ec;
  bool done = false;
  m.With([&](auto& s) {
    http::async_write(s, req, [&](boost::system::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
  });
  if (!m.RunUntil(done, SteadyClock::now() + kTimeout)) return util::IoError("write timed out");
  if (ec) return util::IoError("write: " + ec.message());
  m.parser.emplace();
  m.parser->body_limit(boost::none);
  m.on_chunk = [&m](std::uint64_t, beast::string_view data, boost::system::error_code&) {
    m.pending.append(data.data(), data.size());
    return data.size();
  };
  m.parser->on_chunk_body(m.on_chunk);
  m.pending.clear();
  m.ended = m.clean = false;
  done = false;
  m.With([&](auto& s) {
    http::async_read_header(s, m.buf, *m.parser, [&](boost::system::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
  });
  if (!m.RunUntil(done, SteadyClock::now() + kTimeout)) return util::IoError("header timed out");
  if (ec) return util::IoError("header: " + ec.message());
  return static_cast<int>(m.parser->get().result_int());
}

std::optional<std::string> TestClient::NextLine(std::chrono::milliseconds timeout) {
  Impl& m = *impl_;
  const auto deadline = SteadyClock::now() + timeout;
  while (true) {
    size_t nl = m.pending.find('\n');
    if (nl != std::string::npos) {
      std::string line = m.pending.substr(0, nl);
      m.pending.erase(0, nl + 1);
      return line;
    }
    if (m.ended) return std::nullopt;
    if (!m.reading) {
      if (m.parser->is_done()) {
        m.ended = m.clean = true;
        continue;
      }
      m.reading = true;
      m.With([&](auto& s) {
        http::async_read_some(s, m.buf, *m.parser, [&m](boost::system::error_code e, std::size_t) {
          m.reading = false;
          if (e) {
            m.ended = true;
          } else if (m.parser->is_done()) {
            m.ended = m.clean = true;
          }
        });
      });
    }
    auto now = SteadyClock::now();
    if (now >= deadline) return std::nullopt;
    m.ioc.restart();
    m.ioc.run_one_for(deadline - now);
  }
}

bool TestClient::stream_ended() const { return impl_->ended; }
bool TestClient::stream_ended_cleanly() const { return impl_->ended && impl_->clean; }

}  // namespace kubescrape::fake_apiserver
