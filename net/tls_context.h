#pragma once
// TlsClientContext: the client side of TLS (scrapes, the Kubernetes API),
// built once from a model::TlsConfig (Prometheus's tls_config block) and
// shared by every connection of a job. It owns an OpenSSL context holding
// the trust roots (ca / ca_file, else the system's default roots), the
// optional client certificate and key, and the protocol bounds (min_version,
// default TLS 1.2 as in Go; max_version). Per connection, ConfigureConnection() sets SNI and
// the name the server's certificate must match.
//
// Thread-safety: immutable after Create(); safe to share between threads
// (OpenSSL allows concurrent SSL objects on one SSL_CTX). The files are read
// once, by Create(); a rotated CA or client certificate needs a new context.

#include <memory>
#include <string>
#include <string_view>

#include "model/http_config.h"
#include "util/file_system.h"
#include "util/status.h"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl
struct ssl_st;  // OpenSSL's SSL

namespace kubescrape::net {

class TlsClientContext {
 public:
  // Builds the context. Files (ca_file, cert_file, key_file) are read through
  // `fs`; errors name the file or field, e.g. "unable to load specified CA
  // cert /etc/ca.pem: ...".
  // REQUIRES: ValidateHttpClientConfig() accepted `config` (at most one of
  // ca/ca_file, cert with key, known versions).
  [[nodiscard]] static util::StatusOr<std::shared_ptr<const TlsClientContext>> Create(
      const model::TlsConfig& config, const util::FileSystem& fs);

  ~TlsClientContext();
  TlsClientContext(const TlsClientContext&) = delete;
  TlsClientContext& operator=(const TlsClientContext&) = delete;

  // The OpenSSL context to construct streams from. Logically immutable:
  // only used to create connections.
  boost::asio::ssl::context& context() const { return *context_; }

  // The name the server's certificate is checked against: server_name if
  // configured, else `host` (the host of the target address, without
  // brackets or port).
  std::string_view VerificationName(std::string_view host) const;

  // Prepares a fresh connection before its handshake: sets SNI to
  // VerificationName(host) unless that is an IP literal, and, unless
  // insecure_skip_verify, requires the certificate to match that name (DNS
  // name or IP address).
  // REQUIRES: `ssl` was created from context() and has not handshaken.
  [[nodiscard]] util::Status ConfigureConnection(ssl_st* ssl, std::string_view host) const;

  bool insecure_skip_verify() const { return insecure_skip_verify_; }

 private:
  TlsClientContext() = default;

  // Immutable after Create().
  std::unique_ptr<boost::asio::ssl::context> context_;
  std::string server_name_;
  bool insecure_skip_verify_ = false;
};

}  // namespace kubescrape::net
