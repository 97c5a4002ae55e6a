#include "model/http_config.h"

#include <fmt/format.h>

#include "util/file_system.h"

namespace kubescrape::model {
namespace {

bool IsKnownTlsVersion(const std::string& v) {
  return v.empty() || v == "TLS10" || v == "TLS11" || v == "TLS12" || v == "TLS13";
}

util::Status ValidateTls(const TlsConfig& t) {
  using util::InvalidArgumentError;
  if (!t.ca.empty() && !t.ca_file.empty()) {
    return InvalidArgumentError("at most one of ca and ca_file must be configured");
  }
  if (!t.cert.empty() && !t.cert_file.empty()) {
    return InvalidArgumentError("at most one of cert and cert_file must be configured");
  }
  if (!t.key.empty() && !t.key_file.empty()) {
    return InvalidArgumentError("at most one of key and key_file must be configured");
  }
  bool has_cert = !t.cert.empty() || !t.cert_file.empty();
  bool has_key = !t.key.empty() || !t.key_file.empty();
  if (has_cert && !has_key) {
    return InvalidArgumentError(
        "exactly one of key or key_file must be configured when a client certificate is configured");
  }
  if (has_key && !has_cert) {
    return InvalidArgumentError(
        "exactly one of cert or cert_file must be configured when a client key is configured");
  }
  for (const std::string* v : {&t.min_version, &t.max_version}) {
    if (!IsKnownTlsVersion(*v)) return InvalidArgumentError(fmt::format("unknown TLS version: {}", *v));
  }
  if (!t.min_version.empty() && !t.max_version.empty() && t.max_version < t.min_version) {
    return InvalidArgumentError(
        "tls_config.max_version must be greater than or equal to tls_config.min_version if both are "
        "specified");
  }
  return util::Status::Ok();
}

}  // namespace

util::Status ValidateHttpClientConfig(HttpClientConfig* c) {
  using util::InvalidArgumentError;
  bool has_bearer = !c->bearer_token.empty() || !c->bearer_token_file.empty();
  if (!c->bearer_token.empty() && !c->bearer_token_file.empty()) {
    return InvalidArgumentError("at most one of bearer_token & bearer_token_file must be configured");
  }
  if (c->basic_auth && has_bearer) {
    return InvalidArgumentError(
        "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured");
  }
  if (c->basic_auth) {
    const BasicAuth& b = *c->basic_auth;
    if (!b.username.empty() && !b.username_file.empty()) {
      return InvalidArgumentError("at most one of basic_auth username & username_file must be configured");
    }
    if (!b.password.empty() && !b.password_file.empty()) {
      return InvalidArgumentError("at most one of basic_auth password & password_file must be configured");
    }
  }
  if (c->authorization) {
    Authorization& a = *c->authorization;
    if (has_bearer) {
      return InvalidArgumentError("authorization is not compatible with bearer_token & bearer_token_file");
    }
    if (!a.credentials.empty() && !a.credentials_file.empty()) {
      return InvalidArgumentError(
          "at most one of authorization credentials & credentials_file must be configured");
    }
    if (a.type.empty()) a.type = "Bearer";
    std::string lower;
    for (char ch : a.type) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
    if (lower == "basic") {
      return InvalidArgumentError(R"(authorization type cannot be set to "basic", use "basic_auth" instead)");
    }
    if (c->basic_auth) {
      return InvalidArgumentError("at most one of basic_auth, oauth2 & authorization must be configured");
    }
  } else if (has_bearer) {
    Authorization a;
    a.credentials = std::move(c->bearer_token);
    a.credentials_file = std::move(c->bearer_token_file);
    c->bearer_token.clear();
    c->bearer_token_file.clear();
    c->authorization = std::move(a);
  }
  return ValidateTls(c->tls_config);
}

void SetHttpClientConfigDirectory(HttpClientConfig* c, const std::string& dir) {
  TlsConfig& t = c->tls_config;
  for (std::string* p : {&t.ca_file, &t.cert_file, &t.key_file, &c->bearer_token_file}) {
    *p = util::JoinDir(dir, *p);
  }
  if (c->basic_auth) {
    c->basic_auth->password_file = util::JoinDir(dir, c->basic_auth->password_file);
    c->basic_auth->username_file = util::JoinDir(dir, c->basic_auth->username_file);
  }
  if (c->authorization) {
    c->authorization->credentials_file = util::JoinDir(dir, c->authorization->credentials_file);
  }
}

}  // namespace kubescrape::model
