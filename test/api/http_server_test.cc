#include "api/http_server.h"

#include <gtest/gtest.h>

#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

namespace kubescrape::api {
namespace {

namespace asio = boost::asio;

// Sends raw bytes and reads until the server closes (Connection: close).
std::string RoundTrip(uint16_t port, const std::string& request) {
  asio::io_context ioc;
  asio::ip::tcp::socket s(ioc);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(s, asio::buffer(request));
  std::string out;
  boost::system::error_code ec;
  char buf[4096];
  for (;;) {
    size_t n = s.read_some(asio::buffer(buf), ec);
    out.append(buf, n);
    if (ec) break;
  }
  return out;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add({"GET", "POST"}, "/echo/", [](const HttpRequest& r) {
      HttpResponse resp;
      resp.content_type = "text/plain";
      resp.body = r.method + " " + r.path + " ?" + r.query + " [" + r.body + "]";
      return resp;
    });
    auto s = HttpServer::Open(ioc_.get_executor(), "127.0.0.1:0", router_, HttpServerOptions{.max_body_bytes = 64});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
    thread_ = std::thread([this] { ioc_.run(); });
  }
  void TearDown() override {
    server_->Stop();
    work_.reset();
    thread_.join();
    server_.reset();
  }

  asio::io_context ioc_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{ioc_.get_executor()};
  Router router_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

TEST_F(HttpServerTest, ServesTheRouterAndKeepsHeaders) {
  ASSERT_NE(server_->port(), 0);
  std::string resp = RoundTrip(server_->port(),
                               "POST /echo%2Fx?a=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                               "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\nq=1");
  EXPECT_NE(resp.find("HTTP/1.1 200 OK"), std::string::npos) << resp;
  EXPECT_NE(resp.find("POST /echo/x ?a=1 [q=1]"), std::string::npos) << resp;
}

TEST_F(HttpServerTest, RejectsBodiesOverTheLimit) {
  std::string body(100, 'x');
  std::string resp = RoundTrip(server_->port(), "POST /echo/ HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + body);
  EXPECT_NE(resp.find("413"), std::string::npos) << resp;
}

TEST(HttpServerOpenTest, BadAddressesAreClearErrors) {
  asio::io_context ioc;
  Router router;
  auto bad = HttpServer::Open(ioc.get_executor(), "127.0.0.1", router);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("invalid listen address"), std::string::npos);
}

}  // namespace
}  // namespace kubescrape::api
