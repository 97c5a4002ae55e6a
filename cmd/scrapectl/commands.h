#pragma once
// The scrapectl subcommands as functions over streams, so tests run them
// without spawning processes. Each returns the process exit code:
// 0 success, 1 failure (invalid config, failed test), 2 usage error.
//
// Thread-safety: reentrant; the streams are the caller's.

#include <ostream>
#include <string>
#include <vector>

#include "util/file_system.h"

namespace kubescrape::scrapectl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// `scrapectl check config FILE...`: like promtool, "Checking F" then
// "  SUCCESS: ..." per valid file (with warnings), "  FAILED: ..." otherwise.
int CheckConfig(const std::vector<std::string>& files, std::ostream& out, std::ostream& err,
                const util::FileSystem& fs = util::FileSystem::Default());

struct TestRelabelOptions {
  std::vector<std::string> files;
  bool verbose = false;  // also list passing tests
};

// `scrapectl test relabel FILE...`: runs relabel unit tests; prints each
// failure with expected vs got and the rule-by-rule trace, a summary per
// file, and as the last line "N passed, M failed".
int TestRelabel(const TestRelabelOptions& options, std::ostream& out, std::ostream& err,
                const util::FileSystem& fs = util::FileSystem::Default());

struct TestPromqlOptions {
  std::vector<std::string> files;
};

// `scrapectl test promql FILE...`: runs PromQL test scripts (Prometheus's
// promqltest language); prints each failing eval, "F: N passed, M failed,
// K skipped (reason count, ...)" per file and the totals as the last line.
// Exit 1 on any failure.
int TestPromql(const TestPromqlOptions& options, std::ostream& out, std::ostream& err,
               const util::FileSystem& fs = util::FileSystem::Default());

struct RelabelOptions {
  std::string config_file;
  std::string job;
  std::string rules = "relabel_configs";  // or metric_relabel_configs
  std::string labels_json;                // {"k":"v",...}
  std::vector<std::string> labels;        // k=v, repeatable
};

// `scrapectl relabel --config F --job J --labels JSON | --label k=v ...`:
// prints the rule-by-rule trace and the verdict. Exit 0 whether kept or
// dropped; 1 when the config cannot be loaded.
int Relabel(const RelabelOptions& options, std::ostream& out, std::ostream& err,
            const util::FileSystem& fs = util::FileSystem::Default());

// Dispatches argv (without the program name) to a subcommand.
int Main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace kubescrape::scrapectl
