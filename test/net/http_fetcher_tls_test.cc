// HttpFetcher over TLS against the in-process server, with a CA, server and
// client certificate generated in memory (test/testing/test_pki.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "net/http_fetcher.h"
#include "net/tls_context.h"
#include "test/net/test_http_server.h"
#include "test/testing/test_pki.h"
#include "util/file_system.h"

namespace kubescrape::net {
namespace {


namespace asio = boost::asio;
using ::testing::HasSubstr;
using testing::HttpResponse;
using testing::Reply;
using testing::TestHttpServer;
using ::kubescrape::testing::TestPki;

class HttpFetcherTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs_.WriteFile("/tls/ca.pem", TestPki().ca_cert);
    fs_.WriteFile("/tls/other-ca.pem", TestPki().other_ca_cert);
    fs_.WriteFile("/tls/client.pem", TestPki().client_cert);
    fs_.WriteFile("/tls/client.key", TestPki().client_key);
  }
  void TearDown() override {
    fetcher_.reset();
    server_.reset();
  }

  // Starts a TLS server; with `require_client_cert`, it demands one signed by the CA.
  void Serve(bool require_client_cert = false, const std::string& address = "127.0.0.1") {
    server_ctx_.use_certificate_chain(asio::buffer(TestPki().server_cert));
    server_ctx_.use_private_key(asio::buffer(TestPki().server_key), asio::ssl::context::pem);
    if (require_client_cert) {
      server_ctx_.add_certificate_authority(asio::buffer(TestPki().ca_cert));
      server_ctx_.set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
    }
    server_ = TestHttpServer::Start(
        ioc_, [](const auto&) { return Reply{HttpResponse(200, "OK", "tls 1\n")}; }, address,
        &server_ctx_);
  }

  util::StatusOr<FetchResponse> Fetch(const model::TlsConfig& tls, std::string host_port = "") {
    model::HttpClientConfig cfg;
    cfg.tls_config = tls;
    auto opened = HttpFetcher::Open(ioc_.get_executor(), cfg, "Kubescrape/test", fs_);
    if (!opened.ok()) return opened.status();
    fetcher_ = std::move(opened).value();
    return Again(std::move(host_port));
  }

  util::StatusOr<FetchResponse> Again(std::string host_port = "") {
    FetchRequest req;
    req.scheme = "https";
    req.host_port = host_port.empty() ? server_->host_port() : host_port;
    req.target = "/metrics";
    req.accept = "text/plain";
    return testing::RunFetch(ioc_, *fetcher_, req);
  }

  static model::TlsConfig WithCa() {
    model::TlsConfig t;
    t.ca_file = "/tls/ca.pem";
    return t;
  }

  asio::io_context ioc_;
  asio::ssl::context server_ctx_{asio::ssl::context::tls_server};
  util::MemFileSystem fs_;
  std::unique_ptr<TestHttpServer> server_;
  std::unique_ptr<HttpFetcher> fetcher_;
};

TEST_F(HttpFetcherTlsTest, VerifiesTheServerAgainstCaFile) {
  Serve();
  auto resp = Fetch(WithCa());
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->body, "tls 1\n");
  ASSERT_TRUE(Again().ok());  // keep-alive over TLS
  EXPECT_EQ(server_->connections(), 1);
}

TEST_F(HttpFetcherTlsTest, InlineCaWorksToo) {
  Serve();
  model::TlsConfig t;
  t.ca = TestPki().ca_cert;
  auto resp = Fetch(t);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
}

TEST_F(HttpFetcherTlsTest, FailsVerificationWithoutTheCa) {
  Serve();
  for (const model::TlsConfig& t : {model::TlsConfig{}, [] {
                                      model::TlsConfig o;
                                      o.ca_file = "/tls/other-ca.pem";
                                      return o;
                                    }()}) {
    auto resp = Fetch(t);
    ASSERT_FALSE(resp.ok());
    EXPECT_THAT(resp.status().message(), HasSubstr("certificate verification"));
    EXPECT_THAT(resp.status().message(), HasSubstr("https://" + server_->host_port()));
  }
}

TEST_F(HttpFetcherTlsTest, InsecureSkipVerifyAcceptsAnyCertificate) {
  Serve();
  model::TlsConfig t;
  t.insecure_skip_verify = true;
  auto resp = Fetch(t);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
}

TEST_F(HttpFetcherTlsTest, ServerNameMismatchFails) {
  Serve();
  model::TlsConfig t = WithCa();
  t.server_name = "other.example.com";
  auto resp = Fetch(t);
  ASSERT_FALSE(resp.ok());
  EXPECT_THAT(resp.status().message(), HasSubstr("certificate verification"));
  EXPECT_THAT(resp.status().message(), HasSubstr("other.example.com"));
}

TEST_F(HttpFetcherTlsTest, ServerNameMatchSucceeds) {
  Serve();
  model::TlsConfig t = WithCa();
  t.server_name = "localhost";
  auto resp = Fetch(t);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
}

TEST_F(HttpFetcherTlsTest, PresentsTheClientCertificate) {
  Serve(/*require_client_cert=*/true);
  model::TlsConfig t = WithCa();
  t.cert_file = "/tls/client.pem";
  t.key_file = "/tls/client.key";
  auto resp = Fetch(t);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  ASSERT_EQ(server_->requests().size(), 1u);
  EXPECT_TRUE(server_->requests()[0].client_certificate);
}

TEST_F(HttpFetcherTlsTest, FailsWhenTheServerRequiresAClientCertificate) {
  Serve(/*require_client_cert=*/true);
  auto resp = Fetch(WithCa());
  ASSERT_FALSE(resp.ok());
  EXPECT_TRUE(server_->requests().empty());
}

TEST_F(HttpFetcherTlsTest, BadFilesFailAtOpenNamingThem) {
  model::TlsConfig t;
  t.ca_file = "/tls/missing.pem";
  auto resp = Fetch(t);
  ASSERT_FALSE(resp.ok());
  EXPECT_THAT(resp.status().message(), HasSubstr("unable to load specified CA cert /tls/missing.pem"));

  fs_.WriteFile("/tls/garbage.pem", "not a certificate");
  t.ca_file = "/tls/garbage.pem";
  resp = Fetch(t);
  ASSERT_FALSE(resp.ok());
  EXPECT_THAT(resp.status().message(), HasSubstr("unable to load specified CA cert /tls/garbage.pem"));

  model::TlsConfig c = WithCa();
  c.cert_file = "/tls/client.pem";
  c.key_file = "/tls/missing.key";
  resp = Fetch(c);
  ASSERT_FALSE(resp.ok());
  EXPECT_THAT(resp.status().message(), HasSubstr("/tls/missing.key"));
}

TEST_F(HttpFetcherTlsTest, SharedContextAndIpv6) {
  Serve(false, "::1");
  if (server_ == nullptr) GTEST_SKIP() << "no IPv6 loopback";
  auto tls = TlsClientContext::Create(WithCa(), fs_);
  ASSERT_TRUE(tls.ok()) << tls.status().ToString();
  auto opened = HttpFetcher::Open(ioc_.get_executor(), {}, "Kubescrape/test", fs_, *tls);
  ASSERT_TRUE(opened.ok());
  fetcher_ = std::move(opened).value();
  auto resp = Again();
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->body, "tls 1\n");
}

TEST_F(HttpFetcherTlsTest, TlsVersionBounds) {
  Serve();
  model::TlsConfig t = WithCa();
  t.min_version = "TLS13";
  ASSERT_TRUE(Fetch(t).ok());
  // The server is capped at TLS 1.2; a client that needs 1.3 fails.
  SSL_CTX_set_max_proto_version(server_ctx_.native_handle(), TLS1_2_VERSION);
  auto resp = Fetch(t);
  EXPECT_FALSE(resp.ok());
}

}  // namespace
}  // namespace kubescrape::net
