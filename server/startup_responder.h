#pragma once
// StartupResponder: the daemon's address while the store opens. Opening
// replays the WAL (seconds for a large head after a crash); meanwhile this
// answers as Prometheus does before it is ready: /-/healthy 200, every other
// path (/-/ready, the API) 503 "Service Unavailable". Kubernetes probes and
// Grafana then see "not ready yet" instead of "connection refused".
// Destroying it frees the address for the real server.
//
//   auto startup = StartupResponder::Open(":9090");   // StatusOr
//   auto db = tsdb::Db::Open(...);                     // the long part
//   startup->reset();  then  Server::Open(...) on the same address
//
// Thread-safety: Open and the destructor from one thread; it serves on a
// thread of its own.

#include <cstdint>
#include <memory>
#include <string_view>

#include "util/status.h"

namespace kubescrape::server {

class StartupResponder {
 public:
  // Binds `listen_address` (as --web.listen-address) and starts answering.
  // Errors name the address (e.g. it is in use).
  static util::StatusOr<std::unique_ptr<StartupResponder>> Open(std::string_view listen_address);
  ~StartupResponder();  // stops serving, closes the socket, joins
  StartupResponder(const StartupResponder&) = delete;
  StartupResponder& operator=(const StartupResponder&) = delete;

  uint16_t port() const;

 private:
  struct Impl;
  explicit StartupResponder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kubescrape::server
