#pragma once
// `scrapectl tsdb ...`: the store's offline tools, as promtool's.
//
//   scrapectl tsdb create-blocks-from openmetrics FILE [DATA_DIR]
//       Backfills an OpenMetrics file whose samples carry timestamps into
//       blocks (one per block-duration range, 2 h by default) in DATA_DIR
//       (default "data/"), which the daemon then opens with the rest. As
//       promtool's: every sample needs a timestamp, the file must end with
//       "# EOF", samples of a series must come in time order. Label values
//       are read as Prometheus 3 reads them: `le` of histograms and
//       `quantile` of summaries are normalised ("1" -> "1.0"), which
//       promtool 2.42 does not do.
//   scrapectl tsdb list [-r] DATA_DIR
//       The blocks in DATA_DIR with their ranges and counts.
//
// Thread-safety: reentrant; I/O through the FileSystem passed in.

#include <cstdint>
#include <ostream>
#include <string>

#include "util/file_system.h"

namespace kubescrape::scrapectl {

struct CreateBlocksOptions {
  std::string input_file;
  std::string output_dir = "data";
  // Blocks span 2 h, or the largest 2 h * 3^k up to this (as promtool).
  int64_t max_block_duration_ms = 2 * 3600 * 1000;
  bool quiet = false;
  bool human_readable = false;
};

// Exit 0 on success, 1 on a read, parse or write error (blocks written
// before the error stay; as promtool).
int CreateBlocksFromOpenMetrics(const CreateBlocksOptions& options, std::ostream& out, std::ostream& err,
                                util::FileSystem& fs = util::FileSystem::Default());

int ListBlocks(const std::string& data_dir, bool human_readable, std::ostream& out, std::ostream& err,
               const util::FileSystem& fs = util::FileSystem::Default());

}  // namespace kubescrape::scrapectl
