#include "tsdb/wal_reader.h"

#include <algorithm>
#include <cstdio>

#include "tsdb/wal_compress.h"
#include "tsdb/wal_format.h"
#include "util/coding.h"
#include "util/crc32c.h"

namespace kubescrape::tsdb {
namespace {

using namespace wal_format;  // NOLINT: the format's constants

// Bytes read per file read: a whole number of pages, so pages never straddle
// two reads.
constexpr size_t kChunkSize = 32 * kPageSize;

std::string Hex(uint8_t b) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "0x%02x", b);
  return buf;
}

}  // namespace

util::StatusOr<std::unique_ptr<WalReader>> WalReader::Open(util::FileSystem& fs, std::string dir,
                                                           uint64_t first_segment, uint64_t last_segment) {
  KS_ASSIGN_OR_RETURN(std::vector<std::string> names, fs.ListDir(dir));
  std::vector<uint64_t> segments;
  for (const std::string& name : names) {
    std::optional<uint64_t> index = ParseSegmentName(name);
    if (index && *index >= first_segment && *index <= last_segment) segments.push_back(*index);
  }
  std::sort(segments.begin(), segments.end());
  auto reader = std::unique_ptr<WalReader>(new WalReader(fs, std::move(dir), std::move(segments)));
  reader->first_segment_ = first_segment;
  reader->last_good_ = {reader->segments_.empty() ? first_segment : reader->segments_[0], 0};
  return reader;
}

WalReader::WalReader(util::FileSystem& fs, std::string dir, std::vector<uint64_t> segments)
    : fs_(fs), dir_(std::move(dir)), segments_(std::move(segments)), buf_(new char[kChunkSize]) {}

WalReader::~WalReader() = default;

bool WalReader::Next() {
  if (done_) return false;
  while (true) {
    if (pos_ >= buf_len_) {
      if (!NextChunk()) return false;
      continue;
    }
    const uint64_t seg = segments_[seg_i_];
    const uint64_t at = buf_start_ + pos_;  // offset in the segment
    const size_t page_left = kPageSize - at % kPageSize;
    const size_t avail = std::min(page_left, buf_len_ - pos_);
    const char* p = buf_.get() + pos_;

    if (page_left < kHeaderSize || p[0] == 0) {  // padding: zeros to the page end
      for (size_t i = 0; i < avail; ++i) {
        if (p[i] != 0) return Corrupt(at + i, "non-zero byte in page padding");
      }
      pos_ += avail;
      continue;
    }
    if (avail < kHeaderSize) return Corrupt(at, "torn fragment header: the segment ends inside it");
    const auto type = static_cast<uint8_t>(p[0]);
    const size_t len = util::DecodeFixed16BE(p + 1);
    const uint32_t crc = util::DecodeFixed32BE(p + 3);
    const uint8_t kind = type & kKindMask;
    const uint8_t flags = type & (kSnappyFlag | kZstdFlag);
    if (type != (kind | flags) || kind > kLast) return Corrupt(at, "invalid fragment type " + Hex(type));
    if (kHeaderSize + len > page_left) return Corrupt(at, "fragment crosses a page boundary");
    if (kHeaderSize + len > avail) return Corrupt(at, "torn fragment: the segment ends inside it");
    const std::string_view data(p + kHeaderSize, len);
    if (util::crc32c::Value(data) != crc) return Corrupt(at, "checksum mismatch");
    pos_ += kHeaderSize + len;
    const WalPosition end{seg, at + kHeaderSize + len};

    switch (kind) {
      case kFull:
        if (in_record_) return Corrupt(at, "full fragment inside an unfinished record");
        record_position_ = {seg, at};
        if (!Finish(data, flags, at)) return false;
        last_good_ = end;
        return true;
      case kFirst:
        if (in_record_) return Corrupt(at, "first fragment inside an unfinished record");
        assembled_.assign(data);
        in_record_ = true;
        record_flags_ = flags;
        record_position_ = {seg, at};
        break;
      case kMiddle:
        if (!in_record_) return Corrupt(at, "middle fragment outside a record");
        if (flags != record_flags_) return Corrupt(at, "fragment compression differs from its record's");
        assembled_.append(data);
        break;
      default:  // kLast
        if (!in_record_) return Corrupt(at, "last fragment outside a record");
        if (flags != record_flags_) return Corrupt(at, "fragment compression differs from its record's");
        assembled_.append(data);
        in_record_ = false;
        if (!Finish(assembled_, flags, at)) return false;
        last_good_ = end;
        return true;
    }
  }
}

bool WalReader::Finish(std::string_view data, uint8_t flags, uint64_t at) {
  if (flags == 0) {
    record_ = data;
    return true;
  }
  if (util::Status s = DecompressRecord(flags, data, &decompressed_); !s.ok()) return Corrupt(at, s.message());
  record_ = decompressed_;
  return true;
}

bool WalReader::NextChunk() {
  while (true) {
    if (file_ != nullptr && !eof_) {
      util::StatusOr<size_t> n = file_->Read(kChunkSize, buf_.get());
      if (!n.ok()) return Fail(n.status());
      buf_start_ += buf_len_;
      buf_len_ = *n;
      pos_ = 0;
      if (*n < kChunkSize) eof_ = true;
      if (*n > 0) return true;
    }
    if (file_ != nullptr) {  // the end of segment seg_i_
      const uint64_t size = buf_start_ + buf_len_;
      if (seg_i_ + 1 < segments_.size() && size % kPageSize != 0) {
        return Corrupt(size, "truncated segment: " + std::to_string(size) +
                                 " bytes is not a whole number of pages and a later segment exists");
      }
      ++seg_i_;
    }
    if (seg_i_ >= segments_.size()) {
      done_ = true;
      if (in_record_) {
        status_ = util::CorruptionError(dir_ + "/" + SegmentName(record_position_.segment) + " offset " +
                                        std::to_string(record_position_.offset) +
                                        ": torn record: the WAL ends inside it");
      }
      return false;
    }
    if (seg_i_ > 0 && segments_[seg_i_] != segments_[seg_i_ - 1] + 1) {
      done_ = true;
      status_ = util::CorruptionError(dir_ + ": segment " + SegmentName(segments_[seg_i_ - 1] + 1) +
                                      " is missing (next is " + SegmentName(segments_[seg_i_]) + ")");
      return false;
    }
    if (!OpenSegment(seg_i_)) return false;
  }
}

bool WalReader::OpenSegment(size_t i) {
  auto file = fs_.NewSequentialFile(dir_ + "/" + SegmentName(segments_[i]));
  if (!file.ok()) return Fail(file.status());
  file_ = std::move(file).value();
  buf_start_ = 0;
  buf_len_ = 0;
  pos_ = 0;
  eof_ = false;
  if (i == 0 && first_offset_ > 0 && segments_[0] == first_segment_) {
    // Start later (StartAt); a segment since cut shorter is read from its end.
    util::StatusOr<uint64_t> size = fs_.FileSize(dir_ + "/" + SegmentName(segments_[0]));
    if (!size.ok()) return Fail(size.status());
    const uint64_t skip = std::min(first_offset_, *size);
    if (util::Status s = file_->Skip(skip); !s.ok()) return Fail(s);
    buf_start_ = skip;
  }
  if (!in_record_) last_good_ = {segments_[i], buf_start_};
  return true;
}

bool WalReader::Corrupt(uint64_t offset, std::string_view reason) {
  std::string msg = dir_ + "/" + SegmentName(segments_[seg_i_]) + " offset " + std::to_string(offset) + ": ";
  msg += reason;
  return Fail(util::CorruptionError(std::move(msg)));
}

bool WalReader::Fail(util::Status status) {
  status_ = std::move(status);
  done_ = true;
  return false;
}

}  // namespace kubescrape::tsdb
