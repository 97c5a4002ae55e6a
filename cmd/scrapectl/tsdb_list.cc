// scrapectl tsdb list: the blocks of a data directory, as promtool prints them.
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>

#include "cmd/scrapectl/commands.h"
#include "cmd/scrapectl/tsdb.h"
#include "model/duration.h"
#include "tsdb/block.h"
#include "tsdb/ulid.h"

namespace kubescrape::scrapectl {

void PrintBlockTable(const std::vector<tsdb::BlockMeta>& metas, const std::vector<uint64_t>& sizes,
                     bool human_readable, std::ostream& out) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"BLOCK ULID", "MIN TIME", "MAX TIME", "DURATION", "NUM SAMPLES", "NUM CHUNKS", "NUM SERIES",
                  "SIZE"});
  auto time = [&](int64_t ms) {
    if (!human_readable) return std::to_string(ms);
    const auto tp = std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(ms));
    return fmt::format("{:%Y-%m-%d %H:%M:%S} +0000 UTC", std::chrono::floor<std::chrono::seconds>(tp));
  };
  for (size_t i = 0; i < metas.size(); ++i) {
    const tsdb::BlockMeta& m = metas[i];
    rows.push_back({m.ulid, time(m.min_time), time(m.max_time),
                    model::FormatDuration(std::chrono::milliseconds(m.max_time - m.min_time)),
                    std::to_string(m.stats.num_samples), std::to_string(m.stats.num_chunks),
                    std::to_string(m.stats.num_series), std::to_string(i < sizes.size() ? sizes[i] : 0)});
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows) {
    for (size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  }
  for (const auto& r : rows) {
    std::string line;
    for (size_t c = 0; c < r.size(); ++c) {
      line += r[c];
      if (c + 1 < r.size()) line += std::string(width[c] - r[c].size() + 3, ' ');
    }
    fmt::print(out, "{}\n", line);
  }
}

int ListBlocks(const std::string& data_dir, bool human_readable, std::ostream& out, std::ostream& err,
               const util::FileSystem& fs) {
  util::StatusOr<std::vector<std::string>> names = fs.ListDir(data_dir);
  if (!names.ok()) {
    fmt::print(err, "scrapectl tsdb list: {}\n", names.status().message());
    return kExitFailure;
  }
  std::vector<std::shared_ptr<tsdb::Block>> blocks;
  for (const std::string& n : *names) {
    if (!tsdb::ValidUlid(n)) continue;
    util::StatusOr<std::shared_ptr<tsdb::Block>> b = tsdb::Block::Open(fs, data_dir + "/" + n);
    if (!b.ok()) {
      fmt::print(err, "scrapectl tsdb list: block {}: {}\n", n, b.status().message());
      return kExitFailure;
    }
    blocks.push_back(std::move(*b));
  }
  std::sort(blocks.begin(), blocks.end(),
            [](const auto& a, const auto& b) { return a->meta().min_time < b->meta().min_time; });
  std::vector<tsdb::BlockMeta> metas;
  std::vector<uint64_t> sizes;
  for (const auto& b : blocks) {
    metas.push_back(b->meta());
    sizes.push_back(b->size_bytes());
  }
  PrintBlockTable(metas, sizes, human_readable, out);
  return kExitOk;
}

}  // namespace kubescrape::scrapectl
