// The Beast side of HttpFetcher: connection management, the request/response
// exchange and the error messages. Pure pieces live in http_request.cc
// (headers, URLs) and http_body.cc (gzip, body_size_limit).
#include "net/http_fetcher.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <charconv>
#include <exception>
#include <optional>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fmt/format.h>

#include "net/http_body.h"
#include "net/http_request.h"

namespace kubescrape::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = asio::steady_timer::clock_type;
using error_code = boost::system::error_code;

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
constexpr int kMaxRedirects = 10;                  // Go's http.Client default
constexpr std::uint32_t kHeaderLimit = 1u << 20;  // 1 MiB of response headers
// Beast reads at most the read buffer's free capacity (at least 512 bytes, at
// most 64 KiB) per recv: a small buffer turned a 62 KB body into ~120 recv
// calls and as many reactor round trips. The buffer gets this capacity for
// the exchange and gives it back after the body (so idle targets hold none).
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::chrono::hours kMaxTimeout(24 * 365);  // keeps now() + timeout finite

// A Beast body whose reader feeds a BodySink (gzip, size limit, reusable
// buffer). A sink error stops the parser; the fetcher reports sink.status().
struct SinkBody {
  using value_type = BodySink*;

  class reader {
   public:
    template <bool kIsRequest, class Fields>
    // Beast constructs the reader with the parser, before body() is set:
    // hold the pointer by reference and read it when bytes arrive.
    reader(http::header<kIsRequest, Fields>&, value_type& sink) : sink_(sink) {}
    void init(const boost::optional<std::uint64_t>&, error_code& ec) { ec = {}; }
    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, error_code& ec) {
      std::size_t n = 0;
      for (auto b : beast::buffers_range_ref(buffers)) {
        if (!sink_->Append(static_cast<const char*>(b.data()), b.size()).ok()) {
          ec = http::error::body_limit;
          return n;
        }
        n += b.size();
      }
      ec = {};
      return n;
    }
    void finish(error_code& ec) { ec = {}; }

   private:
    value_type& sink_;
  };
};

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// Errors that mean a reused keep-alive connection was closed by the server
// before it sent any byte of the response.
bool IsStaleConnection(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::ssl::error::stream_truncated;
}

util::Status DeadlineError(const HttpUrl& url) {
  return util::Status(util::StatusCode::kDeadlineExceeded,
                      fmt::format("Get \"{}\": context deadline exceeded", url.ToString()));
}

util::Status CancelledError(const HttpUrl& url) {
  return util::Status(util::StatusCode::kCancelled,
                      fmt::format("Get \"{}\": context canceled", url.ToString()));
}

// A name resolution in flight, shared with its completion handler.
struct ResolveState {
  explicit ResolveState(const asio::any_io_executor& ex) : timer(ex) {}
  asio::steady_timer timer;  // expires at the fetch deadline
  error_code ec;
  tcp::resolver::results_type results;
  bool done = false;
};

bool IsTlsConfigured(const model::TlsConfig& t) { return !(t == model::TlsConfig()); }

}  // namespace

class HttpFetcher::Impl {
 public:
  Impl(asio::any_io_executor ex, const model::HttpClientConfig& config, std::string user_agent,
       const util::FileSystem& fs, std::shared_ptr<const TlsClientContext> tls)
      : executor_(ex), config_(config), user_agent_(std::move(user_agent)), fs_(fs),
        tls_(std::move(tls)), resolver_(ex) {}
  ~Impl() { CloseConnection(); }

  asio::awaitable<util::StatusOr<FetchResponse>> Fetch(const FetchRequest& request);
  void Close();

  uint64_t connections_opened() const { return connections_opened_; }
  size_t buffer_capacity() const { return sink_.capacity(); }

 private:
  asio::awaitable<util::StatusOr<FetchResponse>> FetchUnguarded(const FetchRequest& request);
  // Sends the request on the connection to `url` (dialling, or re-dialling
  // once a stale keep-alive connection) and reads the response header.
  asio::awaitable<util::Status> Exchange(const HttpUrl& url);
  asio::awaitable<util::Status> Connect(const HttpUrl& url);
  asio::awaitable<util::Status> ReadBody(const HttpUrl& url, const FetchRequest& request);
  template <class Stream>
  asio::awaitable<error_code> WriteAndReadHeader(Stream& stream);
  template <class Stream>
  asio::awaitable<error_code> ReadRest(Stream& stream);
  template <class Stream>
  asio::awaitable<error_code> ReadSome(Stream& stream);
  // Reads the body piece by piece into request.on_body.
  asio::awaitable<util::Status> StreamBody(const HttpUrl& url, const FetchRequest& request);

  void PrepareRequest(const HttpUrl& url, const FetchRequest& request, const std::string& auth);
  beast::tcp_stream& Lowest() { return secure_ ? beast::get_lowest_layer(*secure_) : *plain_; }
  bool IsCancelled() const { return epoch_ != close_epoch_; }
  util::Status TransportError(const HttpUrl& url, std::string_view op, const error_code& ec);
  void CloseConnection();

  // Immutable after construction.
  const asio::any_io_executor executor_;
  const model::HttpClientConfig config_;
  const std::string user_agent_;
  const util::FileSystem& fs_;

  // Confined to the executor (one Fetch at a time).
  std::shared_ptr<const TlsClientContext> tls_;  // built on the first https dial if null
  tcp::resolver resolver_;
  std::weak_ptr<ResolveState> resolving_;  // the name resolution in flight
  std::optional<beast::tcp_stream> plain_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure_;
  std::string conn_scheme_, conn_host_port_;  // of the open connection
  std::vector<tcp::endpoint> endpoints_;
  beast::flat_buffer read_buf_;
  http::request<http::empty_body> req_;
  std::optional<http::response_parser<SinkBody>> parser_;
  BodySink sink_;
  Clock::time_point deadline_;
  uint64_t epoch_ = 0, close_epoch_ = 0;
  uint64_t connections_opened_ = 0;
};

asio::awaitable<util::StatusOr<FetchResponse>> HttpFetcher::Impl::Fetch(const FetchRequest& request) {
  try {
    co_return co_await FetchUnguarded(request);
  } catch (const std::exception& e) {
    CloseConnection();
    co_return util::InternalError(fmt::format("Get \"{}://{}{}\": {}", request.scheme,
                                              request.host_port, request.target, e.what()));
  }
}

asio::awaitable<util::StatusOr<FetchResponse>> HttpFetcher::Impl::FetchUnguarded(
    const FetchRequest& request) {
  HttpUrl url{request.scheme, request.host_port, request.target};
  if ((url.scheme != "http" && url.scheme != "https") || url.host_port.empty() ||
      url.target.empty() || url.target[0] != '/' || !IsValidHeaderValue(url.host_port) ||
      !IsValidHeaderValue(url.target) || url.target.find(' ') != std::string::npos ||
      !IsValidHeaderValue(request.accept)) {
    co_return util::InvalidArgumentError(fmt::format("invalid scrape request for \"{}\"", url.ToString()));
  }
  epoch_ = close_epoch_;
  deadline_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                 std::min<std::chrono::nanoseconds>(request.timeout, kMaxTimeout));
  util::StatusOr<std::string> auth_or = AuthorizationHeader(config_, fs_);
  if (!auth_or.ok()) co_return auth_or.status();
  const std::string auth = std::move(auth_or).value();

  for (int hop = 0;; ++hop) {
    PrepareRequest(url, request, auth);
    util::Status st = co_await Exchange(url);
    if (!st.ok()) {
      CloseConnection();
      co_return st;
    }
    const auto& head = parser_->get();
    const int status = head.result_int();
    std::string_view location = head[http::field::location];
    const bool redirect = config_.follow_redirects && IsRedirect(status) && !location.empty();
    if (status == 200 || (request.any_status && !redirect)) {
      st = co_await ReadBody(url, request);
      if (!st.ok()) {
        CloseConnection();
        co_return st;
      }
      FetchResponse out;
      out.status = status;
      out.content_type = parser_->get()[http::field::content_type];
      out.body = sink_.body();
      out.wire_bytes = sink_.wire_bytes();
      co_return out;
    }
    if (!redirect) {
      std::string reason(head.reason());
      if (reason.empty()) reason = std::string(http::obsolete_reason(head.result()));
      CloseConnection();
      co_return util::UnavailableError(fmt::format("server returned HTTP status {} {}", status, reason));
    }
    if (hop == kMaxRedirects) {
      CloseConnection();
      co_return util::UnavailableError(
          fmt::format("Get \"{}\": stopped after {} redirects", url.ToString(), kMaxRedirects));
    }
    auto next = ResolveRedirect(url, location);
    if (!next.ok()) {
      CloseConnection();
      co_return next.status().WithPrefix(fmt::format("Get \"{}\"", url.ToString()));
    }
    // The redirect's body is not read: keep the connection only if it had none.
    if (!parser_->is_done() || !parser_->keep_alive()) CloseConnection();
    url = std::move(next).value();
  }
}

void HttpFetcher::Impl::PrepareRequest(const HttpUrl& url, const FetchRequest& request,
                                       const std::string& auth) {
  req_.method(http::verb::get);
  req_.version(11);
  req_.target(url.target);
  req_.set(http::field::host, url.host_port);
  req_.set(http::field::user_agent, user_agent_);
  req_.set(http::field::accept, request.accept);
  req_.set(http::field::accept_encoding, request.gzip ? "gzip" : "identity");
  if (request.scrape_timeout_header) {
    req_.set("X-Prometheus-Scrape-Timeout-Seconds", FormatScrapeTimeoutSeconds(request.timeout));
  } else {
    req_.erase("X-Prometheus-Scrape-Timeout-Seconds");
  }
  if (auth.empty()) {
    req_.erase(http::field::authorization);
  } else {
    req_.set(http::field::authorization, auth);
  }
}

asio::awaitable<util::Status> HttpFetcher::Impl::Exchange(const HttpUrl& url) {
  for (int attempt = 0;; ++attempt) {
    const bool reused = (plain_ || secure_) && conn_scheme_ == url.scheme && conn_host_port_ == url.host_port;
    if (!reused) {
      CloseConnection();
      util::Status st = co_await Connect(url);
      if (!st.ok()) co_return st;
    }
    Lowest().expires_at(deadline_);
    error_code ec = secure_ ? co_await WriteAndReadHeader(*secure_) : co_await WriteAndReadHeader(*plain_);
    if (IsCancelled()) co_return CancelledError(url);
    if (!ec) co_return util::Status::Ok();
    CloseConnection();
    if (!(reused && attempt == 0 && IsStaleConnection(ec) && Clock::now() < deadline_)) {
      co_return TransportError(url, "", ec);
    }
  }
}

template <class Stream>
asio::awaitable<error_code> HttpFetcher::Impl::WriteAndReadHeader(Stream& stream) {
  auto [wec, written] = co_await http::async_write(stream, req_, kAwait);
  (void)written;
  if (wec) co_return wec;
  parser_.emplace();
  parser_->header_limit(kHeaderLimit);
  parser_->body_limit(boost::none);  // body_size_limit is enforced by the sink
  parser_->get().body() = &sink_;
  read_buf_.reserve(kReadChunk);
  auto [rec, read] = co_await http::async_read_header(stream, read_buf_, *parser_, kAwait);
  (void)read;
  co_return rec;
}

template <class Stream>
asio::awaitable<error_code> HttpFetcher::Impl::ReadRest(Stream& stream) {
  auto [ec, read] = co_await http::async_read(stream, read_buf_, *parser_, kAwait);
  (void)read;
  co_return ec;
}

template <class Stream>
asio::awaitable<error_code> HttpFetcher::Impl::ReadSome(Stream& stream) {
  auto [ec, read] = co_await http::async_read_some(stream, read_buf_, *parser_, kAwait);
  (void)read;
  co_return ec;
}

asio::awaitable<util::Status> HttpFetcher::Impl::StreamBody(const HttpUrl& url, const FetchRequest& request) {
  Lowest().expires_at(deadline_);
  while (!parser_->is_done()) {
    error_code ec = secure_ ? co_await ReadSome(*secure_) : co_await ReadSome(*plain_);
    if (IsCancelled()) co_return CancelledError(url);
    if (!sink_.status().ok()) co_return sink_.status();
    if (!sink_.body().empty()) {
      util::Status st = request.on_body(sink_.body());
      sink_.Clear();
      if (!st.ok()) co_return st;
    }
    if (ec) co_return TransportError(url, "", ec);
  }
  co_return util::Status::Ok();
}

asio::awaitable<util::Status> HttpFetcher::Impl::ReadBody(const HttpUrl& url, const FetchRequest& request) {
  // Like Prometheus, inflate only when gzip was asked for and announced.
  const bool gzip = request.gzip && parser_->get()[http::field::content_encoding] == "gzip";
  const bool streaming = request.on_body && parser_->get().result_int() == 200;
  const int64_t limit = streaming ? 0 : request.body_size_limit;
  util::Status st = sink_.Start(gzip, limit);
  if (st.ok()) {
    if (auto length = parser_->content_length()) st = sink_.CheckContentLength(*length);
  }
  if (!st.ok()) co_return st;
  if (streaming) {
    st = co_await StreamBody(url, request);
    if (!st.ok()) co_return st;
  } else if (!parser_->is_done()) {
    Lowest().expires_at(deadline_);
    error_code ec = secure_ ? co_await ReadRest(*secure_) : co_await ReadRest(*plain_);
    if (IsCancelled()) co_return CancelledError(url);
    if (!sink_.status().ok()) co_return sink_.status();
    if (ec) co_return TransportError(url, "", ec);
  }
  st = sink_.Finish();
  if (!st.ok()) co_return st;
  if (streaming && !sink_.body().empty()) {
    st = request.on_body(sink_.body());  // what zlib still held
    sink_.Clear();
    if (!st.ok()) co_return st;
  }
  if (parser_->keep_alive()) {
    Lowest().expires_never();
    if (read_buf_.size() == 0) read_buf_.shrink_to_fit();
  } else {
    CloseConnection();
  }
  co_return util::Status::Ok();
}

asio::awaitable<util::Status> HttpFetcher::Impl::Connect(const HttpUrl& url) {
  const HostPort hp = SplitHostPort(url.host_port);
  const std::string host(hp.host);
  const std::string port(PortOrDefault(hp, url.scheme));
  const std::string addr_text = hp.host.find(':') != std::string_view::npos
                                    ? fmt::format("[{}]:{}", host, port)
                                    : fmt::format("{}:{}", host, port);
  if (url.scheme == "https" && !tls_) {
    auto tls = TlsClientContext::Create(config_.tls_config, fs_);
    if (!tls.ok()) co_return tls.status();
    tls_ = std::move(tls).value();
  }
  if (Clock::now() >= deadline_) co_return DeadlineError(url);

  endpoints_.clear();
  error_code ec;
  asio::ip::address address = asio::ip::make_address(host, ec);
  if (!ec) {
    uint16_t port_number = 0;
    auto [end, perr] = std::from_chars(port.data(), port.data() + port.size(), port_number);
    if (perr != std::errc() || end != port.data() + port.size()) {
      co_return util::InvalidArgumentError(
          fmt::format("Get \"{}\": invalid port \"{}\"", url.ToString(), port));
    }
    endpoints_.emplace_back(address, port_number);
  } else {
    // getaddrinfo cannot be interrupted: wait on the deadline, let the
    // resolution end the wait early, and abandon it on timeout (its handler
    // touches only the shared state).
    auto state = std::make_shared<ResolveState>(executor_);
    state->timer.expires_at(deadline_);
    resolving_ = state;
    resolver_.async_resolve(host, port, [state](const error_code& ec, tcp::resolver::results_type r) {
      state->ec = ec;
      state->results = std::move(r);
      state->done = true;
      state->timer.cancel();
    });
    co_await state->timer.async_wait(kAwait);
    if (IsCancelled()) co_return CancelledError(url);
    if (!state->done) {
      resolver_.cancel();
      co_return DeadlineError(url);
    }
    if (state->ec) {
      co_return util::UnavailableError(fmt::format("Get \"{}\": dial tcp: lookup {}: {}", url.ToString(),
                                                   host, state->ec.message()));
    }
    for (const auto& entry : state->results) endpoints_.push_back(entry.endpoint());
  }

  beast::tcp_stream* lowest;
  if (url.scheme == "https") {
    secure_.emplace(executor_, tls_->context());
    lowest = &beast::get_lowest_layer(*secure_);
  } else {
    plain_.emplace(executor_);
    lowest = &*plain_;
  }
  conn_scheme_ = url.scheme;
  conn_host_port_ = url.host_port;
  ++connections_opened_;
  read_buf_.clear();

  lowest->expires_at(deadline_);
  auto [cec, endpoint] = co_await lowest->async_connect(endpoints_, kAwait);
  (void)endpoint;
  if (IsCancelled()) co_return CancelledError(url);
  if (cec == beast::error::timeout) co_return DeadlineError(url);
  if (cec) {
    co_return util::UnavailableError(fmt::format("Get \"{}\": dial tcp {}: connect: {}", url.ToString(),
                                                 addr_text, cec.message()));
  }
  lowest->socket().set_option(tcp::no_delay(true), ec);
  if (!secure_) co_return util::Status::Ok();

  util::Status st = tls_->ConfigureConnection(secure_->native_handle(), host);
  if (!st.ok()) co_return st.WithPrefix(fmt::format("Get \"{}\"", url.ToString()));
  lowest->expires_at(deadline_);
  auto [hec] = co_await secure_->async_handshake(asio::ssl::stream_base::client, kAwait);
  if (IsCancelled()) co_return CancelledError(url);
  if (!hec) co_return util::Status::Ok();
  if (hec == beast::error::timeout) co_return DeadlineError(url);
  long verify = SSL_get_verify_result(secure_->native_handle());
  if (verify != X509_V_OK) {
    co_return util::UnavailableError(
        fmt::format("Get \"{}\": tls: failed to verify certificate: {} (certificate verification "
                    "for \"{}\")",
                    url.ToString(), X509_verify_cert_error_string(verify),
                    tls_->VerificationName(host)));
  }
  co_return TransportError(url, "tls: handshake failure: ", hec);
}

util::Status HttpFetcher::Impl::TransportError(const HttpUrl& url, std::string_view op,
                                               const error_code& ec) {
  if (ec == beast::error::timeout || Clock::now() >= deadline_) return DeadlineError(url);
  if (ec == asio::error::operation_aborted) return CancelledError(url);
  std::string message = ec.message();
  if (ec == http::error::end_of_stream || ec == asio::error::eof) message = "EOF";
  if (ec == http::error::partial_message) message = "unexpected EOF";
  if (ec.category() == http::make_error_code(http::error::bad_version).category() &&
      ec != http::error::end_of_stream && ec != http::error::partial_message) {
    return util::CorruptionError(
        fmt::format("Get \"{}\": malformed HTTP response: {}", url.ToString(), message));
  }
  return util::UnavailableError(fmt::format("Get \"{}\": {}{}", url.ToString(), op, message));
}

void HttpFetcher::Impl::CloseConnection() {
  if (secure_) {
    beast::get_lowest_layer(*secure_).close();
    secure_.reset();
  }
  if (plain_) {
    plain_->close();
    plain_.reset();
  }
  conn_scheme_.clear();
  conn_host_port_.clear();
  read_buf_.clear();
  read_buf_.shrink_to_fit();
}

void HttpFetcher::Impl::Close() {
  ++close_epoch_;
  resolver_.cancel();
  if (auto state = resolving_.lock()) state->timer.cancel();
  // Only close: a suspended operation still refers to the streams; the
  // resuming Fetch() destroys them.
  if (secure_) beast::get_lowest_layer(*secure_).close();
  if (plain_) plain_->close();
  conn_scheme_.clear();  // the next Exchange() dials afresh
  conn_host_port_.clear();
}

util::StatusOr<std::unique_ptr<HttpFetcher>> HttpFetcher::Open(
    asio::any_io_executor executor, const model::HttpClientConfig& config, std::string user_agent,
    const util::FileSystem& fs, std::shared_ptr<const TlsClientContext> tls) {
  if (!tls && IsTlsConfigured(config.tls_config)) {
    // Something to load or validate: do it now, not on the first scrape.
    KS_ASSIGN_OR_RETURN(tls, TlsClientContext::Create(config.tls_config, fs));
  }
  if (!IsValidHeaderValue(user_agent)) return util::InvalidArgumentError("invalid User-Agent");
  try {
    auto impl = std::make_unique<Impl>(std::move(executor), config, std::move(user_agent), fs,
                                       std::move(tls));
    return std::unique_ptr<HttpFetcher>(new HttpFetcher(std::move(impl)));
  } catch (const std::exception& e) {
    return util::InternalError(std::string("http fetcher: ") + e.what());
  }
}

HttpFetcher::HttpFetcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpFetcher::~HttpFetcher() = default;

asio::awaitable<util::StatusOr<FetchResponse>> HttpFetcher::Fetch(const FetchRequest& request) {
  return impl_->Fetch(request);
}

void HttpFetcher::Close() { impl_->Close(); }
uint64_t HttpFetcher::connections_opened() const { return impl_->connections_opened(); }
size_t HttpFetcher::buffer_capacity() const { return impl_->buffer_capacity(); }

}  // namespace kubescrape::net
