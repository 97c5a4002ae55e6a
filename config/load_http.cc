#include <fmt/format.h>

#include "config/load_internal.h"

namespace kubescrape::config::internal {
namespace {

// HTTP client features of Prometheus that Kubescrape does not implement.
// Ignoring them would make every request fail or go elsewhere, so they are
// errors, not warnings.
constexpr std::string_view kUnsupportedHttpKeys[] = {
    "oauth2", "proxy_url", "no_proxy", "proxy_from_environment", "proxy_connect_header", "http_headers",
};

util::Status LoadTls(const Node& node, model::TlsConfig* t) {
  KS_ASSIGN_OR_RETURN(MapReader m, MapReader::Open(node));
  KS_RETURN_IF_ERROR(m.String("ca", &t->ca));
  KS_RETURN_IF_ERROR(m.String("ca_file", &t->ca_file));
  KS_RETURN_IF_ERROR(m.String("cert", &t->cert));
  KS_RETURN_IF_ERROR(m.String("cert_file", &t->cert_file));
  KS_RETURN_IF_ERROR(m.String("key", &t->key));
  KS_RETURN_IF_ERROR(m.String("key_file", &t->key_file));
  KS_RETURN_IF_ERROR(m.String("server_name", &t->server_name));
  KS_RETURN_IF_ERROR(m.Bool("insecure_skip_verify", &t->insecure_skip_verify));
  KS_RETURN_IF_ERROR(m.String("min_version", &t->min_version));
  KS_RETURN_IF_ERROR(m.String("max_version", &t->max_version));
  return m.Finish();
}

}  // namespace

util::Status LoadHttpClientConfig(MapReader& m, model::HttpClientConfig* c) {
  for (std::string_view key : kUnsupportedHttpKeys) {
    if (auto n = m.Take(key); n && !n->IsNull()) {
      return n->Error(fmt::format("{} is not supported by Kubescrape", key));
    }
  }
  if (auto n = m.Take("basic_auth"); n && !n->IsNull()) {
    KS_ASSIGN_OR_RETURN(MapReader b, MapReader::Open(*n));
    model::BasicAuth auth;
    KS_RETURN_IF_ERROR(b.String("username", &auth.username));
    KS_RETURN_IF_ERROR(b.String("username_file", &auth.username_file));
    KS_RETURN_IF_ERROR(b.String("password", &auth.password));
    KS_RETURN_IF_ERROR(b.String("password_file", &auth.password_file));
    KS_RETURN_IF_ERROR(b.Finish());
    c->basic_auth = std::move(auth);
  }
  if (auto n = m.Take("authorization"); n && !n->IsNull()) {
    KS_ASSIGN_OR_RETURN(MapReader a, MapReader::Open(*n));
    model::Authorization auth;
    KS_RETURN_IF_ERROR(a.String("type", &auth.type));
    KS_RETURN_IF_ERROR(a.String("credentials", &auth.credentials));
    KS_RETURN_IF_ERROR(a.String("credentials_file", &auth.credentials_file));
    KS_RETURN_IF_ERROR(a.Finish());
    c->authorization = std::move(auth);
  }
  KS_RETURN_IF_ERROR(m.String("bearer_token", &c->bearer_token));
  KS_RETURN_IF_ERROR(m.String("bearer_token_file", &c->bearer_token_file));
  if (auto n = m.Take("tls_config")) KS_RETURN_IF_ERROR(LoadTls(*n, &c->tls_config));
  KS_RETURN_IF_ERROR(m.Bool("follow_redirects", &c->follow_redirects));
  KS_RETURN_IF_ERROR(m.Bool("enable_http2", &c->enable_http2));
  if (auto s = model::ValidateHttpClientConfig(c); !s.ok()) return m.node().Error(s.message());
  return util::Status::Ok();
}

}  // namespace kubescrape::config::internal
