#pragma once
// The chunks of a persisted block: numbered segment files <dir>/000001,
// 000002, ... holding length-prefixed, CRC32C-checked chunks, byte-compatible
// with Prometheus's tsdb/chunks Writer and Reader (docs/format/blocks.md).
//
//   ChunkSegmentWriter  appends chunks, cutting a new segment when the next
//                       chunk would not fit; returns each chunk's ref.
//   ChunkSegmentReader  maps every segment and resolves refs to chunk bytes.
//
// A ref is segment index (0 for 000001) << 32 | byte offset, as Prometheus's
// BlockChunkRef; the index file stores it.
//
// Thread-safety: a ChunkSegmentWriter has one owner. A ChunkSegmentReader is
// immutable after Open: Read and Verify may run concurrently.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tsdb/block_format.h"
#include "util/file_system.h"
#include "util/status.h"

namespace kubescrape::tsdb {

class ChunkSegmentWriter {
 public:
  // Creates `dir` (and its parents) and returns a writer whose first Write
  // creates <dir>/000001. A segment holds at least one chunk; another chunk
  // goes to the next segment when the segment would grow beyond
  // `max_segment_bytes` (counting the chunk's length field as 5 bytes, as
  // Prometheus does). FailedPrecondition when `dir` already holds segments;
  // InvalidArgument when max_segment_bytes is not in (8, 4 GiB].
  // `dir`'s own entry in its parent is not synced: its creator does that
  // (a block writer syncs the block dir). `fs` must outlive the writer.
  static util::StatusOr<std::unique_ptr<ChunkSegmentWriter>> Open(
      util::FileSystem& fs, std::string dir,
      uint64_t max_segment_bytes = block_format::kDefaultSegmentBytes);

  ChunkSegmentWriter(const ChunkSegmentWriter&) = delete;
  ChunkSegmentWriter& operator=(const ChunkSegmentWriter&) = delete;
  // Without Close(), the segments are left incomplete (buffered bytes lost).
  ~ChunkSegmentWriter();

  // Appends one chunk and returns its ref. Buffered: the bytes reach the file
  // by the time the segment is cut or Close() returns. After an error the
  // writer is unusable (every later call returns that error).
  // REQUIRES: Close() not called; data.size() < 2^32.
  util::StatusOr<uint64_t> Write(uint8_t encoding, std::span<const uint8_t> data);

  // Flushes and syncs the last segment, then syncs `dir`. Every segment is
  // durable afterwards. A second call returns OK and does nothing.
  util::Status Close();

  // Bytes of every segment so far (headers included, buffered bytes counted).
  uint64_t bytes_written() const { return bytes_written_; }
  // Segment files created so far.
  size_t num_segments() const { return num_segments_; }

 private:
  ChunkSegmentWriter(util::FileSystem& fs, std::string dir, uint64_t max_segment_bytes)
      : fs_(fs), dir_(std::move(dir)), max_segment_bytes_(max_segment_bytes) {}

  util::Status Cut();            // finishes the current segment, starts the next
  util::Status FinishSegment();  // flush + sync + close the current segment
  util::Status FlushBuffer();

  util::FileSystem& fs_;
  const std::string dir_;
  const uint64_t max_segment_bytes_;

  std::unique_ptr<util::WritableFile> file_;  // the current segment, or null
  std::string buf_;                           // bytes not yet appended to file_
  uint64_t segment_size_ = 0;                 // bytes of the current segment, buffered included
  uint64_t bytes_written_ = 0;
  size_t num_segments_ = 0;
  bool closed_ = false;
  util::Status error_;  // sticky
};

class ChunkSegmentReader {
 public:
  // Maps every segment of `dir` (names of decimal digits, which must be
  // 000001..N without gaps) and checks each header: Corruption naming the
  // file for a short file, a wrong magic or version, or a gap; NotFound when
  // `dir` is missing. A dir without segments is valid (a block without
  // chunks). `fs` need not outlive the reader.
  static util::StatusOr<std::unique_ptr<ChunkSegmentReader>> Open(const util::FileSystem& fs,
                                                                  const std::string& dir);

  struct Chunk {
    uint8_t encoding;
    std::span<const uint8_t> data;  // valid while the reader lives
  };

  // The chunk at `ref`. Corruption when the ref points outside the segments,
  // the chunk runs past its segment's end, or its CRC does not match
  // (Prometheus 3 checks it on every read too).
  util::StatusOr<Chunk> Read(uint64_t ref) const;

  // Walks every chunk of every segment checking lengths and CRCs: OK when the
  // segments hold nothing but whole, intact chunks.
  util::Status Verify() const;

  // Calls fn(ref, chunk) for every chunk in file order and stops at the first
  // error (of the data, Corruption, or of fn). For tools and tests.
  template <typename Fn>
  util::Status ForEach(Fn&& fn) const {
    for (uint32_t seg = 0; seg < segments_.size(); ++seg) {
      uint64_t off = block_format::kSegmentHeaderSize;
      while (off < segments_[seg].bytes.size()) {
        uint64_t next;
        const uint64_t ref = block_format::ChunkRef(seg, static_cast<uint32_t>(off));
        auto chunk = ReadAt(seg, off, &next);
        if (!chunk.ok()) return chunk.status();
        KS_RETURN_IF_ERROR(fn(ref, *chunk));
        off = next;
      }
    }
    return util::Status::Ok();
  }

  size_t num_segments() const { return segments_.size(); }
  // Total bytes of all segment files.
  uint64_t size_bytes() const { return size_bytes_; }

 private:
  struct Segment {
    std::string path;
    std::unique_ptr<util::MappedFile> file;
    std::span<const uint8_t> bytes;
  };
  ChunkSegmentReader() = default;
  // The chunk starting at `off` of segment `seg`; *next = its end.
  util::StatusOr<Chunk> ReadAt(uint32_t seg, uint64_t off, uint64_t* next) const;

  std::vector<Segment> segments_;  // immutable after Open
  uint64_t size_bytes_ = 0;
};

}  // namespace kubescrape::tsdb
