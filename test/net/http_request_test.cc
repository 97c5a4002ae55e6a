#include "net/http_request.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kubescrape::net {
namespace {

using ::testing::HasSubstr;

TEST(SplitHostPortTest, Forms) {
  auto check = [](std::string_view in, std::string_view host, std::string_view port) {
    HostPort hp = SplitHostPort(in);
    EXPECT_EQ(hp.host, host) << in;
    EXPECT_EQ(hp.port, port) << in;
  };
  check("10.0.0.1:8001", "10.0.0.1", "8001");
  check("example.com", "example.com", "");
  check("[::1]:9100", "::1", "9100");
  check("[fe80::1%eth0]", "fe80::1%eth0", "");
  check("::1", "::1", "");
  EXPECT_EQ(PortOrDefault(SplitHostPort("h"), "https"), "443");
  EXPECT_EQ(PortOrDefault(SplitHostPort("h"), "http"), "80");
}

TEST(ResolveRedirectTest, LocationForms) {
  const HttpUrl base{"http", "a:1", "/x/metrics?q=1"};
  auto resolve = [&](std::string_view loc) {
    auto u = ResolveRedirect(base, loc);
    EXPECT_TRUE(u.ok()) << loc << ": " << u.status().ToString();
    return u.ok() ? u->ToString() : "";
  };
  EXPECT_EQ(resolve("https://b:2/y?z=3#frag"), "https://b:2/y?z=3");
  EXPECT_EQ(resolve("HTTP://b"), "http://b/");
  EXPECT_EQ(resolve("//c:3/p"), "http://c:3/p");
  EXPECT_EQ(resolve("/abs"), "http://a:1/abs");
  EXPECT_EQ(resolve("rel?k=v"), "http://a:1/x/rel?k=v");
  EXPECT_EQ(resolve("../up"), "http://a:1/up");
  EXPECT_EQ(resolve("?only=query"), "http://a:1/x/metrics?only=query");
  EXPECT_EQ(resolve("/a/./b/../c/"), "http://a:1/a/c/");
  auto bad = ResolveRedirect(base, "ftp://h/x");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("unsupported protocol scheme"));
  EXPECT_FALSE(ResolveRedirect(base, "http:///nohost").ok());
}

TEST(FormatScrapeTimeoutSecondsTest, LikeGoFormatFloat) {
  using namespace std::chrono_literals;
  EXPECT_EQ(FormatScrapeTimeoutSeconds(10s), "10");
  EXPECT_EQ(FormatScrapeTimeoutSeconds(500ms), "0.5");
  EXPECT_EQ(FormatScrapeTimeoutSeconds(1250ms), "1.25");
  EXPECT_EQ(FormatScrapeTimeoutSeconds(15ms), "0.015");
  EXPECT_EQ(FormatScrapeTimeoutSeconds(120s), "120");
}

TEST(AuthorizationHeaderTest, BasicAuthBase64Padding) {
  util::MemFileSystem fs;
  auto basic = [&](std::string user, std::string pass) {
    model::HttpClientConfig c;
    c.basic_auth = model::BasicAuth{user, "", pass, ""};
    auto v = AuthorizationHeader(c, fs);
    EXPECT_TRUE(v.ok());
    return v.ok() ? *v : "";
  };
  EXPECT_EQ(basic("user", "pass"), "Basic dXNlcjpwYXNz");
  EXPECT_EQ(basic("a", ""), "Basic YTo=");
  EXPECT_EQ(basic("ab", ""), "Basic YWI6");
  EXPECT_EQ(basic("Aladdin", "open sesame"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
}

TEST(AuthorizationHeaderTest, FilesAreTrimmedAndValidated) {
  util::MemFileSystem fs;
  model::HttpClientConfig c;
  EXPECT_EQ(*AuthorizationHeader(c, fs), "");
  c.basic_auth = model::BasicAuth{"", "/u", "", "/p"};
  fs.WriteFile("/u", "  bob \n");
  auto missing = AuthorizationHeader(c, fs);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("/p"));
  fs.WriteFile("/p", "pw\n");
  EXPECT_EQ(*AuthorizationHeader(c, fs), "Basic Ym9iOnB3");
  // CR/LF inside a credential cannot reach the request (base64 hides it for
  // basic auth; the plain authorization header rejects it).
  model::HttpClientConfig bearer;
  bearer.authorization = model::Authorization{"Bearer", "", "/t"};
  fs.WriteFile("/t", "a\r\nX-Injected: 1\n");
  EXPECT_EQ(AuthorizationHeader(bearer, fs).status().code(), util::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace kubescrape::net
