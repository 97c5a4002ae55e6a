#pragma once
// Test-only PKI made in memory with the OpenSSL API (no openssl CLI, no
// files), all EC P-256, as PEM: a self-signed CA, a server certificate and a
// client certificate signed by it, and an unrelated CA for "wrong CA" cases.
//
// TestPki() is one shared PKI whose server certificate names DNS:localhost,
// IP:127.0.0.1 and IP:::1. MakePki() builds a fresh one whose server
// certificate names the hosts you give (IP addresses or DNS names).
//
// Thread-safety: TestPki() builds once per process (thread-safe static);
// MakePki() is thread-safe. A failure of OpenSSL aborts (test set-up).

#include <string>
#include <vector>

namespace kubescrape::testing {

struct Pki {
  std::string ca_cert;
  std::string ca_key;
  std::string server_cert;
  std::string server_key;
  std::string client_cert;
  std::string client_key;
  std::string other_ca_cert;  // an unrelated CA, for "wrong CA" cases
};

const Pki& TestPki();

// A new CA and certificates; the server certificate's subjectAltName lists
// `hosts` (each an IPv4/IPv6 address or a DNS name). REQUIRES: !hosts.empty().
Pki MakePki(const std::vector<std::string>& hosts);

}  // namespace kubescrape::testing
