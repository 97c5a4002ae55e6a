#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cmd/scrapectl/commands.h"
#include "cmd/scrapectl/trace.h"
#include "config/relabel_test_file.h"

namespace kubescrape::scrapectl {
namespace {

using config::RelabelTestCase;

// Runs one test; on failure returns the report (expected / got / trace).
std::optional<std::string> RunOne(const RelabelTestCase& t) {
  if (t.expect == RelabelTestCase::Expect::kError) {
    if (t.rules_status.ok()) {
      return fmt::format("    expected: loading the rules fails with an error containing \"{}\"\n"
                         "    got:      the rules loaded without error\n",
                         t.error_contains);
    }
    if (t.rules_status.message().find(t.error_contains) == std::string::npos) {
      return fmt::format("    expected: an error containing \"{}\"\n    got:      {}\n", t.error_contains,
                         t.rules_status.message());
    }
    return std::nullopt;
  }
  if (!t.rules_status.ok()) {
    return fmt::format("    the rules failed to load: {}\n", t.rules_status.message());
  }
  Trace trace = RunTrace(t.rules, t.input);
  std::string expected, got;
  bool pass;
  if (t.expect == RelabelTestCase::Expect::kDropped) {
    pass = !trace.kept;
    expected = "dropped";
  } else {
    pass = trace.kept && trace.output == t.output;
    expected = t.output.ToString();
  }
  if (pass) return std::nullopt;
  got = trace.kept ? trace.output.ToString() : "dropped";
  std::string report = fmt::format("    expected: {}\n    got:      {}\n", expected, got);
  if (t.expect == RelabelTestCase::Expect::kOutput && trace.kept) {
    std::vector<std::string> diff = DiffLabels(t.output, trace.output);
    report += "    diff (expected -> got):\n";
    for (const std::string& d : diff) report += "      " + d + "\n";
  }
  report += "    trace:\n";
  report += FormatTrace(t.rules, trace, "      ");
  return report;
}

}  // namespace

int TestRelabel(const TestRelabelOptions& options, std::ostream& out, std::ostream& err,
                const util::FileSystem& fs) {
  if (options.files.empty()) {
    fmt::print(err, "usage: scrapectl test relabel [-v] FILE...\n");
    return kExitUsage;
  }
  size_t passed = 0, failed = 0;
  for (const std::string& path : options.files) {
    auto file = config::LoadRelabelTestFile(path, fs);
    if (!file.ok()) {
      fmt::print(out, "{}: cannot load: {}\n", path, file.status().message());
      ++failed;
      continue;
    }
    size_t file_passed = 0, file_failed = 0;
    for (const RelabelTestCase& t : file->tests) {
      std::optional<std::string> failure = RunOne(t);
      if (failure) {
        ++file_failed;
        fmt::print(out, "--- FAIL: {} ({})\n{}", t.name, t.location, *failure);
      } else {
        ++file_passed;
        if (options.verbose) fmt::print(out, "--- PASS: {}\n", t.name);
      }
    }
    fmt::print(out, "{}: {} passed, {} failed\n", path, file_passed, file_failed);
    passed += file_passed;
    failed += file_failed;
  }
  fmt::print(out, "{} passed, {} failed\n", passed, failed);
  return failed == 0 ? kExitOk : kExitFailure;
}

}  // namespace kubescrape::scrapectl
