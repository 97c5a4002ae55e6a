// HttpFetcher over plain HTTP against the in-process scripted server: the
// request Prometheus sends, keep-alive, redirects, gzip, body_size_limit,
// chunking, deadlines and connection failures. TLS: http_fetcher_tls_test.cc.
#include "net/http_fetcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <optional>

#include "test/net/test_http_server.h"
#include "util/file_system.h"

namespace kubescrape::net {
namespace {


namespace asio = boost::asio;
using ::testing::HasSubstr;
using testing::HttpResponse;
using testing::Reply;
using testing::TestHttpServer;
using util::StatusCode;

constexpr char kAccept[] =
    "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,*/*;q=0.2";

Reply Ok(std::string_view body, testing::Headers headers = {{"Content-Type", "text/plain; version=0.0.4"}}) {
  return Reply{HttpResponse(200, "OK", body, headers)};
}

class HttpFetcherTest : public ::testing::Test {
 protected:
  void TearDown() override {
    fetcher_.reset();
    server_.reset();
  }

  void Serve(TestHttpServer::Handler handler) {
    server_ = TestHttpServer::Start(ioc_, std::move(handler));
    ASSERT_NE(server_, nullptr);
  }

  HttpFetcher& Fetcher(model::HttpClientConfig config = {}) {
    auto opened = HttpFetcher::Open(ioc_.get_executor(), config, "Kubescrape/test", fs_);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    fetcher_ = std::move(opened).value();
    return *fetcher_;
  }

  FetchRequest Request(std::string target = "/metrics") const {
    FetchRequest r;
    r.scheme = "http";
    r.host_port = server_ ? server_->host_port() : "127.0.0.1:1";
    r.target = std::move(target);
    r.accept = kAccept;
    r.timeout = std::chrono::seconds(10);
    return r;
  }

  util::StatusOr<FetchResponse> Fetch(const FetchRequest& r) { return testing::RunFetch(ioc_, *fetcher_, r); }

  asio::io_context ioc_;  // first: outlives the server and the fetcher
  util::MemFileSystem fs_;
  std::unique_ptr<TestHttpServer> server_;
  std::unique_ptr<HttpFetcher> fetcher_;
};

TEST_F(HttpFetcherTest, SendsPrometheusHeadersAndReturnsBody) {
  Serve([](const auto&) { return Ok("up 1\n"); });
  Fetcher();
  FetchRequest req = Request("/metrics?module=x&a=b");
  auto resp = Fetch(req);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(resp->body, "up 1\n");
  EXPECT_EQ(resp->content_type, "text/plain; version=0.0.4");
  EXPECT_EQ(resp->wire_bytes, 5u);
  ASSERT_EQ(server_->requests().size(), 1u);
  const auto& got = server_->requests()[0];
  EXPECT_EQ(got.method, "GET");
  EXPECT_EQ(got.target, "/metrics?module=x&a=b");
  EXPECT_EQ(got.Header("host"), server_->host_port());
  EXPECT_EQ(got.Header("accept"), kAccept);
  EXPECT_EQ(got.Header("accept-encoding"), "gzip");
  EXPECT_EQ(got.Header("user-agent"), "Kubescrape/test");
  EXPECT_EQ(got.Header("x-prometheus-scrape-timeout-seconds"), "10");
  EXPECT_EQ(got.Header("authorization"), "<absent>");
}

TEST_F(HttpFetcherTest, IdentityEncodingAndFractionalTimeout) {
  Serve([](const auto&) { return Ok("x 1\n"); });
  Fetcher();
  FetchRequest req = Request();
  req.gzip = false;
  req.timeout = std::chrono::milliseconds(500);
  ASSERT_TRUE(Fetch(req).ok());
  EXPECT_EQ(server_->requests()[0].Header("accept-encoding"), "identity");
  EXPECT_EQ(server_->requests()[0].Header("x-prometheus-scrape-timeout-seconds"), "0.5");
}

TEST_F(HttpFetcherTest, BearerCredentialsFileIsReReadOnEveryFetch) {
  Serve([](const auto&) { return Ok("x 1\n"); });
  model::HttpClientConfig cfg;
  cfg.bearer_token_file = "/secrets/token";
  ASSERT_TRUE(model::ValidateHttpClientConfig(&cfg).ok());
  fs_.WriteFile("/secrets/token", "first-token\n");
  Fetcher(cfg);
  ASSERT_TRUE(Fetch(Request()).ok());
  fs_.WriteFile("/secrets/token", "rotated-token");
  ASSERT_TRUE(Fetch(Request()).ok());
  ASSERT_EQ(server_->requests().size(), 2u);
  EXPECT_EQ(server_->requests()[0].Header("authorization"), "Bearer first-token");
  EXPECT_EQ(server_->requests()[1].Header("authorization"), "Bearer rotated-token");
}

TEST_F(HttpFetcherTest, MissingCredentialsFileFailsNamingIt) {
  Serve([](const auto&) { return Ok("x 1\n"); });
  model::HttpClientConfig cfg;
  cfg.authorization = model::Authorization{"Bearer", "", "/secrets/missing"};
  Fetcher(cfg);
  auto resp = Fetch(Request());
  ASSERT_FALSE(resp.ok());
  EXPECT_THAT(resp.status().message(), HasSubstr("/secrets/missing"));
  EXPECT_TRUE(server_->requests().empty());
}

TEST_F(HttpFetcherTest, CustomAuthorizationTypeAndBasicAuth) {
  Serve([](const auto&) { return Ok("x 1\n"); });
  model::HttpClientConfig custom;
  custom.authorization = model::Authorization{"Token", "s3cret", ""};
  Fetcher(custom);
  ASSERT_TRUE(Fetch(Request()).ok());
  EXPECT_EQ(server_->requests().back().Header("authorization"), "Token s3cret");

  model::HttpClientConfig basic;
  basic.basic_auth = model::BasicAuth{"user", "", "", "/secrets/password"};
  fs_.WriteFile("/secrets/password", "pass\n");
  Fetcher(basic);
  ASSERT_TRUE(Fetch(Request()).ok());
  EXPECT_EQ(server_->requests().back().Header("authorization"), "Basic dXNlcjpwYXNz");
}

TEST_F(HttpFetcherTest, KeepAliveReusesTheConnection) {
  Serve([](const auto&) { return Ok("x 1\n"); });
  Fetcher();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Fetch(Request()).ok());
  EXPECT_EQ(server_->connections(), 1);
  EXPECT_EQ(fetcher_->connections_opened(), 1u);
}

TEST_F(HttpFetcherTest, ReconnectsWhenTheServerClosedTheIdleConnection) {
  // The server closes after each answer without saying so (an idle timeout).
  Serve([](const auto&) { return Reply{HttpResponse(200, "OK", "x 1\n"), /*close=*/true}; });
  Fetcher();
  ASSERT_TRUE(Fetch(Request()).ok());
  auto second = Fetch(Request());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->body, "x 1\n");
  EXPECT_EQ(server_->connections(), 2);
}

TEST_F(HttpFetcherTest, HonoursConnectionClose) {
  Serve([](const auto&) { return Reply{HttpResponse(200, "OK", "x 1\n", {{"Connection", "close"}}), true}; });
  Fetcher();
  ASSERT_TRUE(Fetch(Request()).ok());
  ASSERT_TRUE(Fetch(Request()).ok());
  EXPECT_EQ(server_->connections(), 2);
  EXPECT_EQ(fetcher_->connections_opened(), 2u);
}

TEST_F(HttpFetcherTest, Non200IsAnError) {
  Serve([](const auto&) { return Reply{HttpResponse(500, "Internal Server Error", "oops")}; });
  Fetcher();
  auto resp = Fetch(Request());
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().message(), "server returned HTTP status 500 Internal Server Error");
}

TEST_F(HttpFetcherTest, FollowsRedirects) {
  std::unique_ptr<TestHttpServer> other = TestHttpServer::Start(ioc_, [](const auto&) { return Ok("moved 1\n"); });
  ASSERT_NE(other, nullptr);
  const std::string elsewhere = "http://" + other->host_port() + "/final";
  Serve([&](const testing::ReceivedRequest& r) {
    if (r.target == "/metrics") return Reply{HttpResponse(302, "Found", "", {{"Location", "/next?x=1"}})};
    return Reply{HttpResponse(301, "Moved Permanently", "", {{"Location", elsewhere}})};
  });
  Fetcher();
  auto resp = Fetch(Request());
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->body, "moved 1\n");
  ASSERT_EQ(server_->requests().size(), 2u);
  EXPECT_EQ(server_->requests()[1].target, "/next?x=1");
  ASSERT_EQ(other->requests().size(), 1u);
  EXPECT_EQ(other->requests()[0].target, "/final");
  EXPECT_EQ(other->requests()[0].Header("host"), other->host_port());
  fetcher_.reset();
}

TEST_F(HttpFetcherTest, RedirectIsAnErrorWhenNotFollowed) {
  Serve([](const auto&) { return Reply{HttpResponse(302, "Found", "", {{"Location", "/other"}})}; });
  model::HttpClientConfig cfg;
  cfg.follow_redirects = false;
  Fetcher(cfg);
  auto resp = Fetch(Request());
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().message(), "server returned HTTP status 302 Found");
  EXPECT_EQ(server_->requests().size(), 1u);
}

TEST_F(HttpFetcherTest, StopsAfterTenRedirects) {
  Serve([](const auto&) { return Reply{HttpResponse(307, "Temporary Redirect", "", {{"Location", "/loop"}})}; });
  Fetcher();
  auto resp = Fetch(Request());
  ASSERT_FALSE(resp.ok());
  EXPECT_THAT(resp.status().message(), HasSubstr("stopped after 10 redirects"));
  EXPECT_EQ(server_->requests().size(), 11u);
}

TEST_F(HttpFetcherTest, GzipBodyIsInflated) {
  std::string plain;
  for (int i = 0; i < 2000; ++i) plain += "metric_" + std::to_string(i) + " 1\n";
  const std::string gz = testing::Gzip(plain);
  Serve([&](const auto&) { return Reply{HttpResponse(200, "OK", gz, {{"Content-Encoding", "gzip"}})}; });
  Fetcher();
  auto resp = Fetch(Request());
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->body, plain);
  EXPECT_EQ(resp->wire_bytes, gz.size());
}

TEST_F(HttpFetcherTest, CorruptOrTruncatedGzipIsAnError) {
  const std::string gz = testing::Gzip("a 1\nb 2\n");
  std::string corrupt = gz;
  corrupt[12] ^= 0x55;
  corrupt[13] ^= 0x55;
  const std::string bodies[] = {"not gzip at all", corrupt, gz.substr(0, gz.size() - 6)};
  for (const std::string& body : bodies) {
    Serve([&](const auto&) { return Reply{HttpResponse(200, "OK", body, {{"Content-Encoding", "gzip"}})}; });
    Fetcher();
    auto resp = Fetch(Request());
    ASSERT_FALSE(resp.ok());
    EXPECT_EQ(resp.status().code(), StatusCode::kCorruption) << resp.status().ToString();
    EXPECT_THAT(resp.status().message(), HasSubstr("gzip"));
  }
}

TEST_F(HttpFetcherTest, BodySizeLimitFailsAtExactlyTheLimit) {
  std::string body;
  Serve([&](const auto&) { return Ok(body); });
  Fetcher();
  FetchRequest req = Request();
  req.body_size_limit = 100;
  body.assign(99, 'x');
  EXPECT_TRUE(Fetch(req).ok());
  body.assign(100, 'x');
  auto resp = Fetch(req);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(resp.status().message(), "body size limit exceeded");
  // The same with gzip: the limit applies to the inflated bytes.
  req.body_size_limit = 1000;
  for (size_t n : {999u, 1000u}) {
    const std::string gz = testing::Gzip(std::string(n, 'y'));
    Serve([&](const auto&) { return Reply{HttpResponse(200, "OK", gz, {{"Content-Encoding", "gzip"}})}; });
    req.host_port = server_->host_port();
    auto r = Fetch(req);
    EXPECT_EQ(r.ok(), n == 999u) << n;
  }
}

TEST_F(HttpFetcherTest, LargeBodiesOverTheLimitFailWithoutBeingBuffered) {
  constexpr int64_t kLimit = 1 << 20;
  const std::string big(10 << 20, 'z');
  const std::string gz = testing::Gzip(big);
  ASSERT_LT(gz.size(), static_cast<size_t>(kLimit));  // small on the wire, big inflated
  std::vector<std::string> chunks(160, std::string(64 << 10, 'z'));  // 10 MiB
  const std::string replies[] = {
      HttpResponse(200, "OK", big),                                   // Content-Length
      testing::ChunkedResponse(chunks),                               // chunked
      HttpResponse(200, "OK", gz, {{"Content-Encoding", "gzip"}}),   // gzip
      testing::ChunkedResponse({gz.substr(0, 1000), gz.substr(1000)}, {{"Content-Encoding", "gzip"}}),
  };
  for (const std::string& reply : replies) {
    Serve([&](const auto&) { return Reply{reply}; });
    Fetcher();
    FetchRequest req = Request();
    req.body_size_limit = kLimit;
    auto resp = Fetch(req);
    ASSERT_FALSE(resp.ok());
    EXPECT_EQ(resp.status().message(), "body size limit exceeded");
    EXPECT_LE(fetcher_->buffer_capacity(), static_cast<size_t>(kLimit));
  }
}

TEST_F(HttpFetcherTest, ChunkedTransferEncoding) {
  Serve([](const auto&) {
    return Reply{testing::ChunkedResponse({"a 1\n", "b 2\n", std::string(100000, '#') + "\n", "c 3\n"})};
  });
  Fetcher();
  auto resp = Fetch(Request());
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->body, "a 1\nb 2\n" + std::string(100000, '#') + "\nc 3\n");
  ASSERT_TRUE(Fetch(Request()).ok());  // and the connection stays usable
  EXPECT_EQ(server_->connections(), 1);
}

TEST_F(HttpFetcherTest, TimesOutWhenTheServerNeverAnswers) {
  Serve([](const auto&) { return Reply{"", false, /*hang=*/true}; });
  Fetcher();
  FetchRequest req = Request();
  req.timeout = std::chrono::milliseconds(200);
  const auto start = std::chrono::steady_clock::now();
  auto resp = Fetch(req);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(resp.status().message(),
            "Get \"http://" + server_->host_port() + "/metrics\": context deadline exceeded");
  EXPECT_GE(elapsed, std::chrono::milliseconds(190));
  EXPECT_LT(elapsed, std::chrono::seconds(3));
}

TEST_F(HttpFetcherTest, ConnectionRefusedNamesTheUrl) {
  uint16_t port;
  {
    asio::ip::tcp::acceptor a(ioc_, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = a.local_endpoint().port();
  }
  Fetcher();
  FetchRequest req = Request();
  req.host_port = "127.0.0.1:" + std::to_string(port);
  auto resp = Fetch(req);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(resp.status().message(),
              HasSubstr("Get \"http://127.0.0.1:" + std::to_string(port) + "/metrics\": dial tcp"));
  EXPECT_THAT(resp.status().message(), HasSubstr("refused"));
}

TEST_F(HttpFetcherTest, CloseCancelsAnInFlightFetch) {
  Serve([](const auto&) { return Reply{"", false, true}; });
  Fetcher();
  FetchRequest req = Request();
  std::optional<util::StatusOr<FetchResponse>> result;
  asio::co_spawn(
      ioc_, [&]() -> asio::awaitable<void> { result.emplace(co_await fetcher_->Fetch(req)); },
      asio::detached);
  while (server_->requests().empty()) ioc_.run_one();
  fetcher_->Close();
  while (!result) ioc_.run_one();
  ASSERT_FALSE(result->ok());
  EXPECT_EQ(result->status().code(), StatusCode::kCancelled);
}

TEST_F(HttpFetcherTest, FetchAfterCloseDialsAgain) {
  Serve([](const auto&) { return Ok("x 1\n"); });
  Fetcher();
  ASSERT_TRUE(Fetch(Request()).ok());
  fetcher_->Close();
  auto resp = Fetch(Request());
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(server_->connections(), 2);
}

TEST_F(HttpFetcherTest, ResolvesHostNames) {
  Serve([](const auto&) { return Ok("x 1\n"); });
  Fetcher();
  FetchRequest req = Request();
  req.host_port = "localhost:" + std::to_string(server_->port());
  auto resp = Fetch(req);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(server_->requests()[0].Header("host"), req.host_port);
}

TEST_F(HttpFetcherTest, FetchesOverIpv6Loopback) {
  server_ = TestHttpServer::Start(ioc_, [](const auto&) { return Ok("v6 1\n"); }, "::1");
  if (server_ == nullptr) GTEST_SKIP() << "no IPv6 loopback";
  Fetcher();
  auto resp = Fetch(Request());
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->body, "v6 1\n");
  EXPECT_EQ(server_->requests()[0].Header("host"), "[::1]:" + std::to_string(server_->port()));
}

TEST_F(HttpFetcherTest, RejectsHeaderInjection) {
  Serve([](const auto&) { return Ok("x 1\n"); });
  Fetcher();
  FetchRequest req = Request();
  req.accept = "text/plain\r\nX-Evil: 1";
  auto resp = Fetch(req);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(HttpFetcherTest, AnyStatusReturnsTheErrorBody) {
  Serve([](const auto&) {
    return Reply{HttpResponse(410, "Gone", R"({"kind":"Status","code":410})",
                              {{"Content-Type", "application/json"}})};
  });
  Fetcher();
  FetchRequest req = Request();
  req.any_status = true;
  req.scrape_timeout_header = false;
  auto resp = Fetch(req);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->status, 410);
  EXPECT_EQ(resp->body, R"({"kind":"Status","code":410})");
  EXPECT_EQ(server_->requests()[0].Header("x-prometheus-scrape-timeout-seconds"), "<absent>");
}

TEST_F(HttpFetcherTest, StreamsTheBodyPieceByPiece) {
  Serve([](const auto&) {
    return Reply{testing::ChunkedResponse({"{\"a\":1}\n", "{\"b\"", ":2}\n"}, {{"Content-Type", "application/json"}})};
  });
  Fetcher();
  FetchRequest req = Request();
  std::string streamed;
  int pieces = 0;
  req.on_body = [&](std::string_view piece) {
    streamed += piece;
    ++pieces;
    return util::Status::Ok();
  };
  auto resp = Fetch(req);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(streamed, "{\"a\":1}\n{\"b\":2}\n");
  EXPECT_GE(pieces, 1);
  EXPECT_TRUE(resp->body.empty());
}

TEST_F(HttpFetcherTest, StreamConsumerErrorEndsTheFetch) {
  Serve([](const auto&) { return Reply{testing::ChunkedResponse({"one\n", "two\n"})}; });
  Fetcher();
  FetchRequest req = Request();
  req.on_body = [](std::string_view) { return util::InvalidArgumentError("bad event"); };
  auto resp = Fetch(req);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().message(), "bad event");
}

}  // namespace
}  // namespace kubescrape::net
