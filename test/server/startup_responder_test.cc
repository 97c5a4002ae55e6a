// The daemon's address while its store opens (server/startup_responder.h).
#include "server/startup_responder.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <fmt/format.h>

#include "test/testing/subprocess.h"

namespace kubescrape::server {
namespace {

namespace asio = boost::asio;

// status code and body of one GET with Connection: close.
std::pair<int, std::string> Get(uint16_t port, const std::string& path) {
  asio::io_context ioc;
  asio::ip::tcp::socket s(ioc);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(s, asio::buffer(fmt::format("GET {} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path)));
  std::string raw;
  boost::system::error_code ec;
  char buf[4096];
  for (;;) {
    size_t n = s.read_some(asio::buffer(buf), ec);
    raw.append(buf, n);
    if (ec) break;
  }
  return {std::stoi(raw.substr(9, 3)), raw.substr(raw.find("\r\n\r\n") + 4)};
}

TEST(StartupResponderTest, HealthyButNotReadyThenTheAddressIsFree) {
  const int port = testing::FreePort();
  const std::string address = fmt::format("127.0.0.1:{}", port);
  {
    auto r = StartupResponder::Open(address);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ((*r)->port(), port);
    EXPECT_EQ(Get(port, "/-/healthy"), std::make_pair(200, std::string("Kubescrape is Healthy.\n")));
    EXPECT_EQ(Get(port, "/-/ready"), std::make_pair(503, std::string("Service Unavailable\n")));
    EXPECT_EQ(Get(port, "/api/v1/query?query=up").first, 503);
    // The address is taken while it serves.
    EXPECT_FALSE(StartupResponder::Open(address).ok());
  }
  // Gone: the real server can bind the same address.
  auto again = StartupResponder::Open(address);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
}

}  // namespace
}  // namespace kubescrape::server
