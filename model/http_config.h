#pragma once
// HTTP client settings shared by scraping and Kubernetes discovery: the
// subset of Prometheus's common/config HTTPClientConfig that Kubescrape
// implements (authorization, basic_auth, bearer_token[_file], tls_config,
// follow_redirects, enable_http2). Plain data; the YAML loader fills it.
//
// Thread-safety: plain values.

#include <optional>
#include <string>

#include "util/status.h"

namespace kubescrape::model {

struct TlsConfig {
  std::string ca;           // PEM, inline
  std::string ca_file;
  std::string cert;         // PEM, inline
  std::string cert_file;
  std::string key;          // PEM, inline (a secret)
  std::string key_file;
  std::string server_name;  // SNI and verification name; default: the host
  bool insecure_skip_verify = false;
  std::string min_version;  // "", "TLS10", "TLS11", "TLS12", "TLS13"
  std::string max_version;

  bool operator==(const TlsConfig&) const = default;
};

struct BasicAuth {
  std::string username;
  std::string username_file;
  std::string password;  // a secret
  std::string password_file;
  bool operator==(const BasicAuth&) const = default;
};

struct Authorization {
  std::string type = "Bearer";
  std::string credentials;  // a secret
  std::string credentials_file;
  bool operator==(const Authorization&) const = default;
};

struct HttpClientConfig {
  std::optional<BasicAuth> basic_auth;
  std::optional<Authorization> authorization;
  // Deprecated spellings; ValidateHttpClientConfig() moves them into
  // `authorization` (type Bearer), as Prometheus does.
  std::string bearer_token;
  std::string bearer_token_file;
  TlsConfig tls_config;
  bool follow_redirects = true;
  bool enable_http2 = true;

  bool operator==(const HttpClientConfig&) const = default;
};

// Checks the rules of Prometheus's HTTPClientConfig.Validate and
// TLSConfig.Validate, with their messages, and normalises bearer_token[_file]
// into `authorization`.
util::Status ValidateHttpClientConfig(HttpClientConfig* config);

// Makes relative file paths (ca_file, cert_file, key_file, password_file,
// credentials_file, ...) relative to `dir`, the config file's directory.
void SetHttpClientConfigDirectory(HttpClientConfig* config, const std::string& dir);

}  // namespace kubescrape::model
