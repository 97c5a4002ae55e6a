#include "tsdb/block_writer.h"

#include <algorithm>
#include <set>

#include "tsdb/chunk_format.h"
#include "tsdb/chunk_segments.h"
#include "tsdb/chunk_xor.h"
#include "tsdb/index_writer.h"
#include "tsdb/tombstones.h"

namespace kubescrape::tsdb {
namespace {

struct WrittenSeries {
  model::Labels labels;
  std::vector<ChunkMeta> chunks;
};

// Writes the part of `c` inside [mint, maxt) (maxt exclusive); appends its
// meta to `out` unless no sample is inside.
util::Status WriteChunk(ChunkSegmentWriter& w, const ChunkView& c, int64_t mint, int64_t maxt,
                        std::vector<ChunkMeta>* out, uint64_t* samples) {
  if (c.min_t >= mint && c.max_t < maxt) {
    KS_ASSIGN_OR_RETURN(uint64_t ref, w.Write(chunk_format::kEncodingXor, c.bytes));
    out->push_back(ChunkMeta{c.min_t, c.max_t, ref});
    *samples += XorIterator(c.bytes).num_samples();
    return util::Status::Ok();
  }
  XorChunk clipped;
  int64_t first = 0, last = 0;
  for (XorIterator it(c.bytes); it.Next();) {
    if (it.t() < mint || it.t() >= maxt) continue;
    if (clipped.num_samples() == 0) first = it.t();
    last = it.t();
    clipped.Append(it.t(), it.v());
  }
  if (clipped.num_samples() == 0) return util::Status::Ok();
  KS_ASSIGN_OR_RETURN(uint64_t ref, w.Write(chunk_format::kEncodingXor, clipped.bytes()));
  out->push_back(ChunkMeta{first, last, ref});
  *samples += clipped.num_samples();
  return util::Status::Ok();
}

util::StatusOr<std::optional<BlockMeta>> WriteInto(util::FileSystem& fs, const std::string& tmp,
                                                   ChunkSeriesSet& set, int64_t mint, int64_t maxt,
                                                   const BlockWriteInfo& info) {
  KS_RETURN_IF_ERROR(fs.CreateDirAll(tmp));
  KS_ASSIGN_OR_RETURN(std::unique_ptr<ChunkSegmentWriter> chunks, ChunkSegmentWriter::Open(fs, tmp + "/chunks"));
  std::vector<WrittenSeries> series;
  std::set<std::string, std::less<>> symbols;
  BlockMeta meta;
  meta.ulid = info.ulid;
  meta.min_time = mint;
  meta.max_time = maxt;
  while (set.Next()) {
    WrittenSeries ws;
    const std::shared_ptr<const SeriesChunks> cs = set.chunks();
    for (const ChunkView& c : cs->chunks) {
      KS_RETURN_IF_ERROR(WriteChunk(*chunks, c, mint, maxt, &ws.chunks, &meta.stats.num_samples));
    }
    if (ws.chunks.empty()) continue;
    ws.labels = set.labels();
    for (const model::Label& l : ws.labels) {
      if (auto it = symbols.find(l.name); it == symbols.end()) symbols.emplace(l.name);
      if (auto it = symbols.find(l.value); it == symbols.end()) symbols.emplace(l.value);
    }
    meta.stats.num_chunks += ws.chunks.size();
    series.push_back(std::move(ws));
  }
  KS_RETURN_IF_ERROR(set.status());
  KS_RETURN_IF_ERROR(chunks->Close());
  if (series.empty()) return std::optional<BlockMeta>();
  meta.stats.num_series = series.size();

  KS_ASSIGN_OR_RETURN(std::unique_ptr<IndexWriter> index, IndexWriter::Open(fs, tmp + "/index"));
  for (const std::string& s : symbols) KS_RETURN_IF_ERROR(index->AddSymbol(s));
  symbols.clear();
  for (const WrittenSeries& ws : series) {
    KS_ASSIGN_OR_RETURN(uint64_t id, index->AddSeries(ws.labels, ws.chunks));
    (void)id;
  }
  series.clear();
  series.shrink_to_fit();
  KS_RETURN_IF_ERROR(index->Close());
  KS_RETURN_IF_ERROR(WriteTombstones(fs, tmp, Tombstones{}));
  meta.compaction_level = info.compaction_level;
  meta.compaction_sources = info.sources.empty() ? std::vector<std::string>{info.ulid} : info.sources;
  meta.parents = info.parents;
  meta.stats.num_float_samples = meta.stats.num_samples;
  KS_RETURN_IF_ERROR(WriteBlockMeta(fs, tmp, meta));
  KS_RETURN_IF_ERROR(fs.SyncDir(tmp));
  return std::optional<BlockMeta>(std::move(meta));
}

}  // namespace

util::StatusOr<std::optional<BlockMeta>> WriteBlock(util::FileSystem& fs, const std::string& parent_dir,
                                                    ChunkSeriesSet& set, int64_t mint, int64_t maxt,
                                                    const BlockWriteInfo& info) {
  const std::string final_dir = parent_dir + "/" + info.ulid;
  const std::string tmp = final_dir + ".tmp-for-creation";
  util::StatusOr<std::optional<BlockMeta>> meta = WriteInto(fs, tmp, set, mint, maxt, info);
  if (!meta.ok() || !meta->has_value()) {
    (void)fs.RemoveAll(tmp);
    return meta;
  }
  if (util::Status s = fs.Rename(tmp, final_dir); !s.ok()) {
    (void)fs.RemoveAll(tmp);
    return s;
  }
  KS_RETURN_IF_ERROR(fs.SyncDir(parent_dir));
  return meta;
}

}  // namespace kubescrape::tsdb
