// The Beast shell: accept, read a request, ask Api::Handle, write the
// response or stream the watch. Everything runs as coroutines on one
// io_context thread, so the session registry needs no lock; other threads
// reach it only through asio::post.
#include "test/fake_apiserver/http_shell.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <set>
#include <thread>

namespace kubescrape::fake_apiserver {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

// One open watch stream, as seen by Wake/DropWatches. Shared with the
// stream's close detector, which may finish after the stream.
struct WatchSession {
  explicit WatchSession(asio::io_context& ioc) : timer(ioc) {}
  asio::steady_timer timer;
  tcp::socket* socket = nullptr;
  bool pending = false;     // the store changed since the last poll
  bool reschedule = false;  // the bookmark interval changed
  bool dropped = false;     // DropWatches: close without the final chunk
  bool client_gone = false;
};

template <class Fields>
void CommonHeaders(http::header<false, Fields>& h, std::string_view content_type) {
  h.set(http::field::content_type, content_type);
  h.set(http::field::cache_control, "no-cache, private");
  h.set("Audit-Id", NewUid());
}

}  // namespace

struct HttpShell::Impl {
  Impl(Api& api_in, ObjectStore& store_in) : api(api_in), store(store_in) {}

  Api& api;
  ObjectStore& store;
  asio::io_context ioc;
  std::optional<asio::ssl::context> ssl;
  tcp::acceptor acceptor{ioc};
  uint16_t port = 0;
  std::thread thread;
  std::atomic<int64_t> bookmark_ms{60000};
  std::atomic<size_t> watches{0};
  // io thread only.
  std::set<std::shared_ptr<WatchSession>> sessions;
  std::set<tcp::socket*> sockets;

  void ForEachSession(void (*fn)(WatchSession&)) {
    for (const auto& s : sessions) fn(*s);
  }

  template <class Stream>
  asio::awaitable<void> StreamWatch(Stream& stream, tcp::socket& socket, WatchStart start, unsigned version) {
    http::response<http::empty_body> res{http::status::ok, version};
    CommonHeaders(res, start.content_type);
    res.chunked(true);
    http::response_serializer<http::empty_body> sr{res};
    auto [hec, hn] = co_await http::async_write_header(stream, sr, kAwait);
    if (hec) co_return;

    auto session = std::make_shared<WatchSession>(ioc);
    session->socket = &socket;
    sessions.insert(session);
    ++watches;
    // The socket turns readable only when the client goes away (it sends
    // nothing more on a watch connection). Waiting on the raw socket, not
    // reading the (TLS) stream, keeps the stream free for our writes and
    // leaves nothing behind that refers to it.
    asio::co_spawn(
        ioc,
        [session, &socket]() -> asio::awaitable<void> {
          auto [ec] = co_await socket.async_wait(tcp::socket::wait_read, kAwait);
          if (ec) co_return;  // closed by us
          session->client_gone = true;
          session->timer.cancel();
        },
        asio::detached);

    Watch& watch = *start.watch;
    const Clock::time_point deadline = Clock::now() + start.timeout;
    // Bookmarks every interval, and one 2 s before the deadline (as the API
    // server's cacher schedules them); none in the last 2 s.
    Clock::time_point last_bookmark = Clock::now();
    auto next_bookmark = [&]() -> std::optional<Clock::time_point> {
      if (!watch.allow_bookmarks()) return std::nullopt;
      Clock::time_point t = last_bookmark + std::chrono::milliseconds(bookmark_ms.load());
      Clock::time_point pre = deadline - std::chrono::seconds(2);
      if (pre < t) t = pre;
      if (t <= last_bookmark) return std::nullopt;
      return t;
    };
    std::optional<Clock::time_point> bookmark_at = next_bookmark();
    std::string out = watch.Poll(store);
    bool clean = false;
    while (true) {
      if (!out.empty()) {
        auto [wec, wn] = co_await asio::async_write(stream, http::make_chunk(asio::buffer(out)), kAwait);
        if (wec) break;
        out.clear();
      }
      if (session->dropped || session->client_gone) break;
      if (watch.done()) {
        clean = true;
        break;
      }
      Clock::time_point now = Clock::now();
      if (now >= deadline) {
        clean = true;
        break;
      }
      if (session->reschedule) {
        session->reschedule = false;
        bookmark_at = next_bookmark();
      }
      if (bookmark_at && now >= *bookmark_at) {
        out = watch.Bookmark(store);
        last_bookmark = now;
        bookmark_at = next_bookmark();
        continue;
      }
      if (session->pending) {
        session->pending = false;
        out = watch.Poll(store);
        continue;
      }
      session->timer.expires_at(bookmark_at && *bookmark_at < deadline ? *bookmark_at : deadline);
      co_await session->timer.async_wait(kAwait);
    }
    if (clean) {
      co_await asio::async_write(stream, http::make_chunk_last(), kAwait);
    }
    sessions.erase(session);
    --watches;
  }

  template <class Stream>
  asio::awaitable<void> ServeStream(Stream& stream, tcp::socket& socket) {
    beast::flat_buffer buf;
    while (true) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(64 << 20);
      auto [ec, n] = co_await http::async_read(stream, buf, parser, kAwait);
      if (ec) co_return;
      http::request<http::string_body> req = parser.release();
      ApiRequest request;
      request.method = std::string(req.method_string());
      request.target = std::string(req.target());
      request.authorization = std::string(req[http::field::authorization]);
      request.accept = std::string(req[http::field::accept]);
      request.content_type = std::string(req[http::field::content_type]);
      request.body = std::move(req.body());
      HandleResult result = api.Handle(request);
      if (auto* watch = std::get_if<WatchStart>(&result)) {
        co_await StreamWatch(stream, socket, std::move(*watch), req.version());
        co_return;  // a watch connection is not reused
      }
      ApiResponse& r = std::get<ApiResponse>(result);
      http::response<http::string_body> res{static_cast<http::status>(r.code), req.version()};
      CommonHeaders(res, r.content_type);
      for (const auto& [name, value] : r.headers) res.set(name, value);
      if (req.method() != http::verb::head) res.body() = std::move(r.body);
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      auto [wec, wn] = co_await http::async_write(stream, res, kAwait);
      if (wec || !res.keep_alive()) co_return;
    }
  }

  asio::awaitable<void> Serve(tcp::socket socket) {
    sockets.insert(&socket);
    try {
      if (!ssl) {
        co_await ServeStream(socket, socket);
      } else {
        asio::ssl::stream<tcp::socket&> stream(socket, *ssl);
        auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kAwait);
        if (!ec) co_await ServeStream(stream, socket);
      }
    } catch (const std::exception&) {
      // A broken connection ends here; the server goes on.
    }
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    sockets.erase(&socket);
  }

  asio::awaitable<void> Accept() {
    while (true) {
      auto [ec, socket] = co_await acceptor.async_accept(kAwait);
      if (ec) co_return;
      socket.set_option(tcp::no_delay(true), ec);
      asio::co_spawn(ioc, Serve(std::move(socket)), asio::detached);
    }
  }
};

HttpShell::HttpShell(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

util::StatusOr<std::unique_ptr<HttpShell>> HttpShell::Start(Options options, Api& api, ObjectStore& store) {
  auto impl = std::make_unique<Impl>(api, store);
  impl->bookmark_ms = options.bookmark_interval.count();
  boost::system::error_code ec;
  if (options.tls_cert_and_key) {
    impl->ssl.emplace(asio::ssl::context::tls_server);
    impl->ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                           asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                           asio::ssl::context::no_tlsv1_1);
    impl->ssl->use_certificate_chain(asio::buffer(options.tls_cert_and_key->first), ec);
    if (!ec) impl->ssl->use_private_key(asio::buffer(options.tls_cert_and_key->second), asio::ssl::context::pem, ec);
    if (ec) return util::InvalidArgumentError("fake apiserver: TLS identity: " + ec.message());
  }
  auto addr = asio::ip::make_address(options.address, ec);
  if (ec) return util::InvalidArgumentError("fake apiserver: bad listen address " + options.address);
  tcp::endpoint ep(addr, options.port);
  impl->acceptor.open(ep.protocol(), ec);
  if (!ec) impl->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(ep, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return util::IoError("fake apiserver: listen on " + options.address + ": " + ec.message());
  impl->port = impl->acceptor.local_endpoint().port();
  Impl* raw = impl.get();
  asio::co_spawn(raw->ioc, raw->Accept(), asio::detached);
  raw->thread = std::thread([raw] { raw->ioc.run(); });
  return std::unique_ptr<HttpShell>(new HttpShell(std::move(impl)));
}

HttpShell::~HttpShell() {
  Impl* impl = impl_.get();
  asio::post(impl->ioc, [impl] {
    boost::system::error_code ignored;
    impl->acceptor.close(ignored);
    for (const auto& s : impl->sessions) {
      s->dropped = true;
      s->timer.cancel();
    }
    for (tcp::socket* s : impl->sockets) s->close(ignored);
  });
  // With the acceptor and every socket closed, each coroutine ends and
  // run() returns.
  impl->thread.join();
}

uint16_t HttpShell::port() const { return impl_->port; }

void HttpShell::Wake() {
  Impl* impl = impl_.get();
  asio::post(impl->ioc, [impl] {
    impl->ForEachSession([](WatchSession& s) {
      s.pending = true;
      s.timer.cancel();
    });
  });
}

void HttpShell::DropWatches() {
  Impl* impl = impl_.get();
  asio::post(impl->ioc, [impl] {
    impl->ForEachSession([](WatchSession& s) {
      s.dropped = true;
      boost::system::error_code ignored;
      s.socket->shutdown(tcp::socket::shutdown_both, ignored);
      s.socket->close(ignored);
      s.timer.cancel();
    });
  });
}

void HttpShell::SetBookmarkInterval(std::chrono::milliseconds interval) {
  Impl* impl = impl_.get();
  impl->bookmark_ms = interval.count();
  asio::post(impl->ioc, [impl] {
    impl->ForEachSession([](WatchSession& s) {
      s.reschedule = true;
      s.timer.cancel();
    });
  });
}

size_t HttpShell::active_watches() const { return impl_->watches.load(); }

}  // namespace kubescrape::fake_apiserver
