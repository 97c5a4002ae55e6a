#include "net/tls_context.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <exception>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>
#include <fmt/format.h>

namespace kubescrape::net {
namespace {

namespace ssl = boost::asio::ssl;

bool IsIpLiteral(std::string_view host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(std::string(host), ec);
  return !ec;
}

int ProtocolVersion(const std::string& name) {
  if (name == "TLS10") return TLS1_VERSION;
  if (name == "TLS11") return TLS1_1_VERSION;
  if (name == "TLS12") return TLS1_2_VERSION;
  if (name == "TLS13") return TLS1_3_VERSION;
  return 0;
}

// `inline_pem` if set, else the content of `file` (empty when neither).
util::StatusOr<std::string> PemFrom(const std::string& inline_pem, const std::string& file,
                                    const util::FileSystem& fs) {
  if (!inline_pem.empty() || file.empty()) return inline_pem;
  return fs.ReadFile(file);
}

util::Status LoadCa(const model::TlsConfig& c, const util::FileSystem& fs, ssl::context& ctx) {
  const std::string what = c.ca_file.empty() ? std::string("inline") : c.ca_file;
  auto pem = PemFrom(c.ca, c.ca_file, fs);
  if (!pem.ok()) {
    return util::InvalidArgumentError(
        fmt::format("unable to load specified CA cert {}: {}", what, pem.status().message()));
  }
  boost::system::error_code ec;
  ctx.add_certificate_authority(boost::asio::buffer(*pem), ec);
  if (ec) {
    return util::InvalidArgumentError(
        fmt::format("unable to load specified CA cert {}: {}", what, ec.message()));
  }
  return util::Status::Ok();
}

util::Status LoadClientCert(const model::TlsConfig& c, const util::FileSystem& fs,
                            ssl::context& ctx) {
  const std::string cert_name = c.cert_file.empty() ? std::string("inline") : c.cert_file;
  const std::string key_name = c.key_file.empty() ? std::string("inline") : c.key_file;
  auto error = [&](std::string_view detail) {
    return util::InvalidArgumentError(fmt::format(
        "unable to use specified client cert ({}) & key ({}): {}", cert_name, key_name, detail));
  };
  auto cert = PemFrom(c.cert, c.cert_file, fs);
  if (!cert.ok()) return error(cert.status().message());
  auto key = PemFrom(c.key, c.key_file, fs);
  if (!key.ok()) return error(key.status().message());
  boost::system::error_code ec;
  ctx.use_certificate_chain(boost::asio::buffer(*cert), ec);
  if (ec) return error(ec.message());
  ctx.use_private_key(boost::asio::buffer(*key), ssl::context::pem, ec);
  if (ec) return error(ec.message());
  if (SSL_CTX_check_private_key(ctx.native_handle()) != 1) {
    return error("private key does not match public key");
  }
  return util::Status::Ok();
}

util::Status Configure(const model::TlsConfig& c, const util::FileSystem& fs, ssl::context& ctx) {
  boost::system::error_code ec;
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_compression, ec);
  if (ec) return util::InternalError("tls: set options: " + ec.message());

  int min_version = c.min_version.empty() ? TLS1_2_VERSION : ProtocolVersion(c.min_version);
  if (SSL_CTX_set_min_proto_version(ctx.native_handle(), min_version) != 1) {
    return util::InvalidArgumentError("tls: unsupported min_version " + c.min_version);
  }
  if (!c.max_version.empty() &&
      SSL_CTX_set_max_proto_version(ctx.native_handle(), ProtocolVersion(c.max_version)) != 1) {
    return util::InvalidArgumentError("tls: unsupported max_version " + c.max_version);
  }

  if (!c.ca.empty() || !c.ca_file.empty()) {
    KS_RETURN_IF_ERROR(LoadCa(c, fs, ctx));
  } else if (!c.insecure_skip_verify) {
    ctx.set_default_verify_paths(ec);
    if (ec) return util::InternalError("tls: unable to load system root certificates: " + ec.message());
  }
  if (!c.cert.empty() || !c.cert_file.empty()) {
    KS_RETURN_IF_ERROR(LoadClientCert(c, fs, ctx));
  }
  ctx.set_verify_mode(c.insecure_skip_verify ? ssl::verify_none : ssl::verify_peer, ec);
  if (ec) return util::InternalError("tls: set verify mode: " + ec.message());
  return util::Status::Ok();
}

}  // namespace

util::StatusOr<std::shared_ptr<const TlsClientContext>> TlsClientContext::Create(
    const model::TlsConfig& config, const util::FileSystem& fs) {
  std::shared_ptr<TlsClientContext> out(new TlsClientContext());
  try {
    out->context_ = std::make_unique<ssl::context>(ssl::context::tls_client);
  } catch (const std::exception& e) {
    return util::InternalError(std::string("tls: unable to create context: ") + e.what());
  }
  KS_RETURN_IF_ERROR(Configure(config, fs, *out->context_));
  out->server_name_ = config.server_name;
  out->insecure_skip_verify_ = config.insecure_skip_verify;
  return std::shared_ptr<const TlsClientContext>(std::move(out));
}

TlsClientContext::~TlsClientContext() = default;

std::string_view TlsClientContext::VerificationName(std::string_view host) const {
  return server_name_.empty() ? host : std::string_view(server_name_);
}

util::Status TlsClientContext::ConfigureConnection(ssl_st* ssl, std::string_view host) const {
  const std::string name(VerificationName(host));
  const bool ip = IsIpLiteral(name);
  if (!ip && !name.empty() && SSL_set_tlsext_host_name(ssl, name.c_str()) != 1) {
    return util::InvalidArgumentError("tls: invalid server name \"" + name + "\"");
  }
  if (insecure_skip_verify_) return util::Status::Ok();
  // OpenSSL's own checks (what X509_check_host/X509_check_ip do for
  // asio::ssl::host_name_verification), run inside the chain verification so
  // a mismatch reports X509_V_ERR_HOSTNAME_MISMATCH / IP_ADDRESS_MISMATCH.
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  int ok = 0;
  if (ip) {
    ok = X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
  } else {
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    ok = X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
  }
  if (ok != 1) return util::InvalidArgumentError("tls: invalid server name \"" + name + "\"");
  return util::Status::Ok();
}

}  // namespace kubescrape::net
