#include "net/http_body.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace kubescrape::net {
namespace {

constexpr size_t kMinCapacity = 64 * 1024;

}  // namespace

struct BodySink::Inflater {
  z_stream z{};
  bool initialised = false;
  ~Inflater() {
    if (initialised) inflateEnd(&z);
  }
};

BodySink::BodySink() = default;
BodySink::~BodySink() = default;

util::Status BodySink::Fail(util::Status status) {
  status_ = status;
  return status;
}

util::Status BodySink::Start(bool gzip, int64_t limit) {
  size_ = 0;
  wire_bytes_ = 0;
  limit_ = limit < 0 ? 0 : limit;
  gzip_ = gzip;
  stream_ended_ = false;
  saw_input_ = false;
  status_ = util::Status::Ok();
  if (!gzip) return status_;
  if (!inflater_) inflater_ = std::make_unique<Inflater>();
  z_stream& z = inflater_->z;
  int rc;
  if (!inflater_->initialised) {
    rc = inflateInit2(&z, 16 + MAX_WBITS);  // gzip wrapper only, like Go's gzip.Reader
    inflater_->initialised = rc == Z_OK;
  } else {
    rc = inflateReset(&z);
  }
  if (rc != Z_OK) return Fail(util::InternalError("gzip: unable to initialise zlib"));
  return status_;
}

util::Status BodySink::CheckContentLength(uint64_t length) const {
  if (!gzip_ && limit_ > 0 && length >= static_cast<uint64_t>(limit_)) {
    return util::ResourceExhaustedError(std::string(kBodySizeLimitExceeded));
  }
  return util::Status::Ok();
}

void BodySink::Grow() {
  size_t want = std::max(kMinCapacity, capacity_ * 2);
  if (limit_ > 0) want = std::min(want, static_cast<size_t>(limit_));
  want = std::max(want, size_ + 1);
  auto grown = std::make_unique_for_overwrite<char[]>(want);
  if (size_ > 0) std::memcpy(grown.get(), data_.get(), size_);
  data_ = std::move(grown);
  capacity_ = want;
}

util::Status BodySink::Append(const char* data, size_t size) {
  if (!status_.ok()) return status_;
  wire_bytes_ += size;
  if (size > 0) saw_input_ = true;
  return gzip_ ? Inflate(data, size) : AppendIdentity(data, size);
}

util::Status BodySink::AppendIdentity(const char* data, size_t size) {
  if (limit_ > 0 && size_ + size >= static_cast<uint64_t>(limit_)) {
    return Fail(util::ResourceExhaustedError(std::string(kBodySizeLimitExceeded)));
  }
  while (capacity_ - size_ < size) Grow();
  if (size > 0) std::memcpy(data_.get() + size_, data, size);
  size_ += size;
  return util::Status::Ok();
}

util::Status BodySink::Inflate(const char* data, size_t size) {
  z_stream& z = inflater_->z;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
  z.avail_in = static_cast<uInt>(size);
  for (;;) {
    if (stream_ended_) {
      if (z.avail_in == 0) break;
      // Another gzip member follows (Go's reader is multistream by default).
      if (inflateReset(&z) != Z_OK) return Fail(util::InternalError("gzip: unable to reset zlib"));
      stream_ended_ = false;
    }
    if (limit_ > 0 && size_ >= static_cast<size_t>(limit_)) {
      return Fail(util::ResourceExhaustedError(std::string(kBodySizeLimitExceeded)));
    }
    if (size_ == capacity_) Grow();
    size_t room = capacity_ - size_;
    if (limit_ > 0) room = std::min(room, static_cast<size_t>(limit_) - size_);
    room = std::min<size_t>(room, 1u << 30);
    z.next_out = reinterpret_cast<Bytef*>(data_.get() + size_);
    z.avail_out = static_cast<uInt>(room);
    const uInt in_before = z.avail_in;
    int rc = inflate(&z, Z_NO_FLUSH);
    const bool progress = z.avail_in != in_before || z.avail_out != room;
    size_ += room - z.avail_out;
    if (rc == Z_STREAM_END) {
      stream_ended_ = true;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      std::string detail = z.msg != nullptr ? z.msg : "invalid data";
      return Fail(util::CorruptionError("gzip: invalid compressed body: " + detail));
    }
    if (limit_ > 0 && size_ >= static_cast<size_t>(limit_)) {
      return Fail(util::ResourceExhaustedError(std::string(kBodySizeLimitExceeded)));
    }
    // All input consumed and zlib had room to spare: nothing is pending.
    if (z.avail_in == 0 && z.avail_out != 0) break;
    if (!progress && rc != Z_STREAM_END) break;
  }
  return util::Status::Ok();
}

util::Status BodySink::Finish() {
  if (!status_.ok()) return status_;
  if (!gzip_) return util::Status::Ok();
  // Drain output zlib may still hold.
  if (!stream_ended_ && saw_input_) KS_RETURN_IF_ERROR(Inflate(nullptr, 0));
  if (!stream_ended_) return Fail(util::CorruptionError("gzip: unexpected EOF"));
  return util::Status::Ok();
}

}  // namespace kubescrape::net
