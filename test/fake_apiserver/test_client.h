#pragma once
// TestClient: a small blocking HTTP/1.1 client (plain or TLS with a given
// CA) for the fake API server's socket tests: requests on one keep-alive
// connection, and watch streams read line by line with a deadline.
//
// Thread-safety: none; one test thread.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "util/status.h"

namespace kubescrape::fake_apiserver {

class TestClient {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    uint16_t port = 0;
    std::string ca_pem;  // TLS when set, verifying the server against this CA
    std::string token;   // sent as "Authorization: Bearer <token>" when set
  };
  struct Response {
    int code = 0;
    std::string content_type;
    std::string body;
    bool chunked = false;
  };

  // Connects (and completes the TLS handshake). IoError on failure.
  static util::StatusOr<std::unique_ptr<TestClient>> Connect(Options options);
  ~TestClient();

  // One request on this connection; the response read completely.
  util::StatusOr<Response> Request(const std::string& method, const std::string& target, const std::string& body = "",
                                   const std::string& content_type = "", const std::string& accept = "");

  // Starts a streamed GET (a watch) and reads the response header; the
  // status code is returned. Use NextLine() for the body.
  util::StatusOr<int> StartStream(const std::string& target);
  // The next line of the stream (without '\n'), or nullopt when none
  // arrived within `timeout` or the stream ended.
  std::optional<std::string> NextLine(std::chrono::milliseconds timeout);
  // The stream ended: cleanly (final chunk) or by the connection breaking.
  bool stream_ended() const;
  bool stream_ended_cleanly() const;

  struct Impl;

 private:
  explicit TestClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kubescrape::fake_apiserver
