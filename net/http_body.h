#pragma once
// BodySink: collects one HTTP response body at a time into a buffer that
// keeps its capacity across responses, inflating gzip (streaming, with zlib)
// and enforcing Prometheus's body_size_limit on the uncompressed bytes: once
// the bytes read reach the limit, the body fails with "body size limit
// exceeded" (a body of exactly `limit` bytes fails too), and the sink never
// holds more than `limit` bytes.
//
// Thread-safety: none; owned by one HttpFetcher.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "util/status.h"

namespace kubescrape::net {

inline constexpr std::string_view kBodySizeLimitExceeded = "body size limit exceeded";

class BodySink {
 public:
  BodySink();
  ~BodySink();
  BodySink(const BodySink&) = delete;
  BodySink& operator=(const BodySink&) = delete;

  // Starts a new, empty body; keeps the buffer's capacity. `limit` is in
  // uncompressed bytes, 0 for none.
  [[nodiscard]] util::Status Start(bool gzip, int64_t limit);

  // Fails early when a declared Content-Length already reaches the limit
  // (identity bodies only; gzip is checked as it inflates).
  [[nodiscard]] util::Status CheckContentLength(uint64_t length) const;

  // Appends wire bytes. After an error the sink stays failed until Start().
  [[nodiscard]] util::Status Append(const char* data, size_t size);

  // Drops the uncompressed bytes collected so far (after a streaming
  // consumer took them); the body goes on, with its capacity kept.
  void Clear() { size_ = 0; }

  // Ends the body: a gzip stream must be complete.
  [[nodiscard]] util::Status Finish();

  // The uncompressed body so far. Valid until the next Start() or Append().
  std::string_view body() const { return std::string_view(data_.get(), size_); }
  // Bytes received on the wire for this body (compressed if gzip).
  uint64_t wire_bytes() const { return wire_bytes_; }
  // OK, or the error that stopped the current body.
  const util::Status& status() const { return status_; }
  // Bytes held by the reusable buffer.
  size_t capacity() const { return capacity_; }

 private:
  util::Status Fail(util::Status status);
  // Makes room for at least one more byte (bounded by the limit).
  void Grow();
  util::Status AppendIdentity(const char* data, size_t size);
  util::Status Inflate(const char* data, size_t size);

  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
  uint64_t wire_bytes_ = 0;
  int64_t limit_ = 0;
  bool gzip_ = false;
  bool stream_ended_ = false;  // the current gzip member is complete
  bool saw_input_ = false;
  util::Status status_;
  struct Inflater;
  std::unique_ptr<Inflater> inflater_;  // created on the first gzip body
};

}  // namespace kubescrape::net
