#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cmd/scrapectl/commands.h"
#include "promql/promqltest.h"

namespace kubescrape::scrapectl {
namespace {

// " (native histograms 3, experimental syntax 1)", or "" when nothing was skipped.
std::string SkipReasons(const promql::ScriptResult& r) {
  std::string out;
  for (const auto& [reason, n] : r.skip_reasons) {
    out += fmt::format("{}{} {}", out.empty() ? " (" : ", ", reason, n);
  }
  return out.empty() ? out : out + ")";
}

}  // namespace

int TestPromql(const TestPromqlOptions& options, std::ostream& out, std::ostream& err, const util::FileSystem& fs) {
  if (options.files.empty()) {
    fmt::print(err, "usage: scrapectl test promql FILE...\n");
    return kExitUsage;
  }
  int passed = 0, failed = 0, skipped = 0;
  for (const std::string& path : options.files) {
    auto content = fs.ReadFile(path);
    if (!content.ok()) {
      fmt::print(out, "{}: cannot read: {}\n", path, content.status().message());
      ++failed;
      continue;
    }
    auto result = promql::RunScript(*content);
    if (!result.ok()) {
      fmt::print(out, "{}: {}\n", path, result.status().message());
      ++failed;
      continue;
    }
    for (const promql::EvalFailure& f : result->failures) {
      fmt::print(out, "--- FAIL: {}:{}: {}\n    {}\n", path, f.line, f.expr, f.message);
    }
    fmt::print(out, "{}: {} passed, {} failed, {} skipped{}\n", path, result->passed, result->failed,
               result->skipped, SkipReasons(*result));
    passed += result->passed;
    failed += result->failed;
    skipped += result->skipped;
  }
  fmt::print(out, "{} passed, {} failed, {} skipped\n", passed, failed, skipped);
  return failed == 0 ? kExitOk : kExitFailure;
}

}  // namespace kubescrape::scrapectl
