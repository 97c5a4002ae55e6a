#include "model/http_config.h"

#include <gtest/gtest.h>

namespace kubescrape::model {
namespace {

TEST(HttpConfigTest, BearerTokenFileBecomesAuthorization) {
  HttpClientConfig c;
  c.bearer_token_file = "/var/run/token";
  ASSERT_TRUE(ValidateHttpClientConfig(&c).ok());
  ASSERT_TRUE(c.authorization.has_value());
  EXPECT_EQ(c.authorization->type, "Bearer");
  EXPECT_EQ(c.authorization->credentials_file, "/var/run/token");
  EXPECT_TRUE(c.bearer_token_file.empty());
}

TEST(HttpConfigTest, ConflictsUsePrometheusMessages) {
  HttpClientConfig c;
  c.bearer_token = "a";
  c.bearer_token_file = "b";
  EXPECT_EQ(ValidateHttpClientConfig(&c).message(),
            "at most one of bearer_token & bearer_token_file must be configured");

  HttpClientConfig d;
  d.basic_auth = BasicAuth{"u", "", "p", "pf"};
  EXPECT_EQ(ValidateHttpClientConfig(&d).message(),
            "at most one of basic_auth password & password_file must be configured");

  HttpClientConfig e;
  e.authorization = Authorization{"Basic", "x", ""};
  EXPECT_EQ(ValidateHttpClientConfig(&e).message(),
            R"(authorization type cannot be set to "basic", use "basic_auth" instead)");

  HttpClientConfig f;
  f.authorization = Authorization{};
  f.basic_auth = BasicAuth{"u", "", "p", ""};
  EXPECT_EQ(ValidateHttpClientConfig(&f).message(),
            "at most one of basic_auth, oauth2 & authorization must be configured");
}

TEST(HttpConfigTest, TlsRules) {
  HttpClientConfig c;
  c.tls_config.cert_file = "c.pem";
  EXPECT_EQ(ValidateHttpClientConfig(&c).message(),
            "exactly one of key or key_file must be configured when a client certificate is configured");
  c.tls_config.key_file = "k.pem";
  EXPECT_TRUE(ValidateHttpClientConfig(&c).ok());
  c.tls_config.min_version = "TLS9";
  EXPECT_EQ(ValidateHttpClientConfig(&c).message(), "unknown TLS version: TLS9");
}

TEST(HttpConfigTest, RelativePathsJoinTheConfigDirectory) {
  HttpClientConfig c;
  c.tls_config.ca_file = "ca.pem";
  c.authorization = Authorization{"Bearer", "", "token"};
  SetHttpClientConfigDirectory(&c, "/etc/kubescrape");
  EXPECT_EQ(c.tls_config.ca_file, "/etc/kubescrape/ca.pem");
  EXPECT_EQ(c.authorization->credentials_file, "/etc/kubescrape/token");
}

}  // namespace
}  // namespace kubescrape::model
