#pragma once
// Test-only PKI made in memory with the OpenSSL API (no openssl CLI, no
// files): a self-signed CA, a server certificate for DNS:localhost,
// IP:127.0.0.1 and IP:::1, and a client certificate, all EC P-256, as PEM.
//
// Thread-safety: TestPki() builds once per process (thread-safe static).

#include <string>

namespace kubescrape::scraper::testing {

struct Pki {
  std::string ca_cert;
  std::string server_cert;
  std::string server_key;
  std::string client_cert;
  std::string client_key;
  std::string other_ca_cert;  // an unrelated CA, for "wrong CA" cases
};

const Pki& TestPki();

}  // namespace kubescrape::scraper::testing
