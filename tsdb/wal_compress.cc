#include "tsdb/wal_compress.h"

#include <snappy.h>
#include <zstd.h>

#include "tsdb/wal_format.h"

namespace kubescrape::tsdb {

util::StatusOr<WalCompression> ParseWalCompression(std::string_view s) {
  if (s == "none") return WalCompression::kNone;
  if (s == "snappy") return WalCompression::kSnappy;
  if (s == "zstd") return WalCompression::kZstd;
  return util::InvalidArgumentError("unknown WAL compression \"" + std::string(s) +
                                    "\" (one of: none, snappy, zstd)");
}

uint8_t CompressRecord(WalCompression c, std::string_view record, std::string* out) {
  switch (c) {
    case WalCompression::kNone:
      return 0;
    case WalCompression::kSnappy: {
      out->resize(snappy::MaxCompressedLength(record.size()));
      size_t n = 0;
      snappy::RawCompress(record.data(), record.size(), out->data(), &n);
      out->resize(n);
      return n < record.size() ? wal_format::kSnappyFlag : 0;
    }
    case WalCompression::kZstd: {
      out->resize(ZSTD_compressBound(record.size()));
      // Level 1: Prometheus uses klauspost's "fastest" encoder.
      const size_t n = ZSTD_compress(out->data(), out->size(), record.data(), record.size(), 1);
      if (ZSTD_isError(n)) return 0;
      out->resize(n);
      return n < record.size() ? wal_format::kZstdFlag : 0;
    }
  }
  return 0;
}

util::Status DecompressRecord(uint8_t flags, std::string_view in, std::string* out) {
  const bool is_snappy = (flags & wal_format::kSnappyFlag) != 0;
  const bool is_zstd = (flags & wal_format::kZstdFlag) != 0;
  if (is_snappy && is_zstd) return util::CorruptionError("record flagged both snappy and zstd");
  if (is_snappy) {
    size_t n = 0;
    if (!snappy::GetUncompressedLength(in.data(), in.size(), &n)) {
      return util::CorruptionError("snappy: corrupt record length");
    }
    out->resize(n);
    if (!snappy::RawUncompress(in.data(), in.size(), out->data())) {
      return util::CorruptionError("snappy: corrupt record");
    }
    return util::Status::Ok();
  }
  if (is_zstd) {
    // Streaming: the frame need not record its content size.
    out->clear();
    ZSTD_DStream* ds = ZSTD_createDStream();
    if (ds == nullptr) return util::ResourceExhaustedError("zstd: out of memory");
    ZSTD_inBuffer src{in.data(), in.size(), 0};
    char buf[16384];
    size_t ret = 1;
    while (src.pos < src.size || ret != 0) {
      ZSTD_outBuffer dst{buf, sizeof(buf), 0};
      ret = ZSTD_decompressStream(ds, &dst, &src);
      if (ZSTD_isError(ret)) {
        ZSTD_freeDStream(ds);
        return util::CorruptionError(std::string("zstd: ") + ZSTD_getErrorName(ret));
      }
      out->append(buf, dst.pos);
      if (src.pos == src.size && dst.pos == 0 && ret != 0) {
        ZSTD_freeDStream(ds);
        return util::CorruptionError("zstd: truncated record");
      }
    }
    ZSTD_freeDStream(ds);
    return util::Status::Ok();
  }
  out->assign(in);
  return util::Status::Ok();
}

}  // namespace kubescrape::tsdb
