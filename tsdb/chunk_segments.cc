#include "tsdb/chunk_segments.h"

#include <algorithm>
#include <cstdio>

#include "util/coding.h"
#include "util/crc32c.h"

namespace kubescrape::tsdb {
namespace {

using block_format::kChunkCrcSize;
using block_format::kChunkEncodingSize;
using block_format::kMaxChunkLengthFieldSize;
using block_format::kSegmentHeaderSize;

// The writer hands its buffer to the file in pieces of about this size.
constexpr size_t kFlushBytes = 1 << 20;

// "000042": the file name of the segment with 0-based index `index`.
std::string SegmentFileName(size_t index) {
  char name[32];
  std::snprintf(name, sizeof(name), "%06zu", index + 1);
  return name;
}

// The number a segment file name stands for; false unless all digits.
bool ParseSegmentNumber(const std::string& name, uint64_t* n) {
  if (name.empty() || name.size() > 19) return false;
  uint64_t v = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *n = v;
  return true;
}

}  // namespace

// --- Writer -------------------------------------------------------------------

util::StatusOr<std::unique_ptr<ChunkSegmentWriter>> ChunkSegmentWriter::Open(
    util::FileSystem& fs, std::string dir, uint64_t max_segment_bytes) {
  if (max_segment_bytes <= kSegmentHeaderSize || max_segment_bytes > (uint64_t{1} << 32)) {
    return util::InvalidArgumentError("chunk segment size " + std::to_string(max_segment_bytes) +
                                      " out of range (8, 4GiB]");
  }
  KS_RETURN_IF_ERROR(fs.CreateDirAll(dir));
  KS_ASSIGN_OR_RETURN(std::vector<std::string> names, fs.ListDir(dir));
  for (const std::string& name : names) {
    uint64_t n;
    if (ParseSegmentNumber(name, &n)) {
      return util::FailedPreconditionError("chunk dir " + dir + " already holds segment " + name);
    }
  }
  return std::unique_ptr<ChunkSegmentWriter>(
      new ChunkSegmentWriter(fs, std::move(dir), max_segment_bytes));
}

ChunkSegmentWriter::~ChunkSegmentWriter() = default;

util::StatusOr<uint64_t> ChunkSegmentWriter::Write(uint8_t encoding,
                                                   std::span<const uint8_t> data) {
  if (!error_.ok()) return error_;
  if (closed_)
    return util::FailedPreconditionError("chunk segment writer for " + dir_ + " is closed");
  if (data.size() > UINT32_MAX)
    return util::InvalidArgumentError("chunk of " + std::to_string(data.size()) + " bytes");

  // As Prometheus: the worst-case size, and a segment holds at least one chunk.
  const uint64_t max_chunk_bytes =
      kMaxChunkLengthFieldSize + kChunkEncodingSize + data.size() + kChunkCrcSize;
  if (file_ == nullptr || (segment_size_ > kSegmentHeaderSize &&
                           segment_size_ + max_chunk_bytes > max_segment_bytes_)) {
    error_ = Cut();
    if (!error_.ok()) return error_;
  }
  const uint64_t ref = block_format::ChunkRef(static_cast<uint32_t>(num_segments_ - 1),
                                              static_cast<uint32_t>(segment_size_));
  const size_t start = buf_.size();
  char len[util::kMaxVarintBytes];
  buf_.append(len, util::EncodeUvarint64(len, data.size()));
  const size_t crc_start = buf_.size();
  buf_.push_back(static_cast<char>(encoding));
  buf_.append(reinterpret_cast<const char*>(data.data()), data.size());
  char crc[4];
  util::EncodeFixed32BE(crc, util::crc32c::Value(buf_.data() + crc_start, buf_.size() - crc_start));
  buf_.append(crc, sizeof(crc));

  const uint64_t n = buf_.size() - start;
  segment_size_ += n;
  bytes_written_ += n;
  if (buf_.size() >= kFlushBytes) {
    error_ = FlushBuffer();
    if (!error_.ok()) return error_;
  }
  return ref;
}

util::Status ChunkSegmentWriter::Close() {
  if (!error_.ok()) return error_;
  if (closed_) return util::Status::Ok();
  error_ = FinishSegment();
  if (error_.ok()) error_ = fs_.SyncDir(dir_);
  closed_ = error_.ok();
  return error_;
}

util::Status ChunkSegmentWriter::Cut() {
  KS_RETURN_IF_ERROR(FinishSegment());
  const std::string path = dir_ + "/" + SegmentFileName(num_segments_);
  KS_ASSIGN_OR_RETURN(file_, fs_.NewWritableFile(path));
  ++num_segments_;
  char header[kSegmentHeaderSize] = {};
  util::EncodeFixed32BE(header, block_format::kChunksMagic);
  header[4] = static_cast<char>(block_format::kChunksFormatV1);
  buf_.append(header, sizeof(header));
  segment_size_ = kSegmentHeaderSize;
  bytes_written_ += kSegmentHeaderSize;
  return util::Status::Ok();
}

util::Status ChunkSegmentWriter::FinishSegment() {
  if (file_ == nullptr) return util::Status::Ok();
  KS_RETURN_IF_ERROR(FlushBuffer());
  KS_RETURN_IF_ERROR(file_->Sync());
  KS_RETURN_IF_ERROR(file_->Close());
  file_.reset();
  return util::Status::Ok();
}

util::Status ChunkSegmentWriter::FlushBuffer() {
  if (buf_.empty()) return util::Status::Ok();
  KS_RETURN_IF_ERROR(file_->Append(buf_));
  buf_.clear();
  return util::Status::Ok();
}

// --- Reader -------------------------------------------------------------------

util::StatusOr<std::unique_ptr<ChunkSegmentReader>> ChunkSegmentReader::Open(
    const util::FileSystem& fs, const std::string& dir) {
  KS_ASSIGN_OR_RETURN(std::vector<std::string> names, fs.ListDir(dir));
  std::unique_ptr<ChunkSegmentReader> r(new ChunkSegmentReader());
  for (const std::string& name : names) {
    uint64_t number;
    if (!ParseSegmentNumber(name, &number)) continue;  // as Prometheus: other files are ignored
    const std::string path = dir + "/" + name;
    if (number != r->segments_.size() + 1) {
      return util::CorruptionError("chunk segment " + path + ": expected segment " +
                                   SegmentFileName(r->segments_.size()) + " first");
    }
    KS_ASSIGN_OR_RETURN(std::unique_ptr<util::MappedFile> file, fs.MapFile(path));
    std::string_view bytes = file->data();
    if (bytes.size() < kSegmentHeaderSize) {
      return util::CorruptionError("chunk segment " + path + ": " + std::to_string(bytes.size()) +
                                   " bytes, shorter than its header");
    }
    if (uint32_t magic = util::DecodeFixed32BE(bytes.data()); magic != block_format::kChunksMagic) {
      char hex[16];
      std::snprintf(hex, sizeof(hex), "%08x", magic);
      return util::CorruptionError("chunk segment " + path + ": invalid magic number " + hex);
    }
    if (uint8_t version = static_cast<uint8_t>(bytes[4]);
        version != block_format::kChunksFormatV1) {
      return util::CorruptionError("chunk segment " + path + ": invalid chunk format version " +
                                   std::to_string(version));
    }
    r->size_bytes_ += bytes.size();
    Segment seg;
    seg.path = path;
    seg.bytes = {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()};
    seg.file = std::move(file);
    r->segments_.push_back(std::move(seg));
  }
  return r;
}

util::StatusOr<ChunkSegmentReader::Chunk> ChunkSegmentReader::Read(uint64_t ref) const {
  const uint32_t seg = block_format::ChunkRefSegment(ref);
  if (seg >= segments_.size()) {
    return util::CorruptionError("chunk ref " + std::to_string(ref) + ": segment index " +
                                 std::to_string(seg) + " out of range (" +
                                 std::to_string(segments_.size()) + " segments)");
  }
  uint64_t next;
  return ReadAt(seg, block_format::ChunkRefOffset(ref), &next);
}

util::StatusOr<ChunkSegmentReader::Chunk> ChunkSegmentReader::ReadAt(uint32_t seg, uint64_t off,
                                                                     uint64_t* next) const {
  const Segment& s = segments_[seg];
  const uint64_t size = s.bytes.size();
  auto corrupt = [&](const std::string& what) {
    return util::CorruptionError("chunk segment " + s.path + " offset " + std::to_string(off) +
                                 ": " + what);
  };
  if (off < kSegmentHeaderSize || off >= size) {
    return corrupt("outside the segment's " + std::to_string(size) + " bytes");
  }
  const char* base = reinterpret_cast<const char*>(s.bytes.data());
  const char* p = base + off;
  const char* len_limit = base + std::min<uint64_t>(size, off + kMaxChunkLengthFieldSize);
  uint64_t len;
  const char* enc = util::DecodeUvarint64(p, len_limit, &len);
  if (enc == nullptr || len > UINT32_MAX) return corrupt("bad chunk length");
  const uint64_t enc_off = static_cast<uint64_t>(enc - base);
  const uint64_t end = enc_off + kChunkEncodingSize + len + kChunkCrcSize;
  if (end > size) {
    return corrupt("chunk of " + std::to_string(len) + " bytes runs past the segment's " +
                   std::to_string(size) + " bytes");
  }
  const uint64_t crc_off = end - kChunkCrcSize;
  const uint32_t want = util::DecodeFixed32BE(base + crc_off);
  const uint32_t got = util::crc32c::Value(enc, crc_off - enc_off);
  if (want != got) {
    char msg[64];
    std::snprintf(msg, sizeof(msg), "checksum mismatch expected:%x, actual:%x", want, got);
    return corrupt(msg);
  }
  *next = end;
  return Chunk{static_cast<uint8_t>(*enc), s.bytes.subspan(enc_off + kChunkEncodingSize, len)};
}

util::Status ChunkSegmentReader::Verify() const {
  return ForEach([](uint64_t, const Chunk&) { return util::Status::Ok(); });
}

}  // namespace kubescrape::tsdb
