#pragma once
// HttpShell: the socket side of the fake API server, the only code that
// touches Boost.Beast/Asio. It accepts HTTP/1.1 connections (plain or TLS)
// on its own thread, hands each request to Api::Handle, writes complete
// responses with keep-alive, and streams watches as chunked responses: the
// Watch's lines whenever the store changes, BOOKMARK events on a timer, and
// the final chunk when the watch's timeout expires. A watch connection is
// closed after the stream ends.
//
// Thread-safety: all public methods are thread-safe. The shell runs one
// io_context on one thread; Wake/DropWatches/SetBookmarkInterval post to it.
// Lifetime: `api` and `store` outlive the shell; destroying it stops the
// thread and closes every connection.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "test/fake_apiserver/api.h"
#include "test/fake_apiserver/object_store.h"
#include "util/status.h"

namespace kubescrape::fake_apiserver {

class HttpShell {
 public:
  struct Options {
    std::string address = "127.0.0.1";
    uint16_t port = 0;  // 0: any free port
    // TLS identity (PEM); plain HTTP when unset.
    std::optional<std::pair<std::string, std::string>> tls_cert_and_key;
    std::chrono::milliseconds bookmark_interval{60000};
  };

  // Binds and starts serving. IoError when the address cannot be bound,
  // InvalidArgument for a bad address or TLS identity.
  static util::StatusOr<std::unique_ptr<HttpShell>> Start(Options options, Api& api, ObjectStore& store);
  ~HttpShell();
  HttpShell(const HttpShell&) = delete;
  HttpShell& operator=(const HttpShell&) = delete;

  uint16_t port() const;

  // The store changed: watches poll it.
  void Wake();
  // Closes every watch connection abruptly (no final chunk), as when an API
  // server restarts.
  void DropWatches();
  // The interval between BOOKMARK events, for running and new watches.
  void SetBookmarkInterval(std::chrono::milliseconds interval);
  // Watch streams currently open.
  size_t active_watches() const;

 private:
  struct Impl;
  explicit HttpShell(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kubescrape::fake_apiserver
