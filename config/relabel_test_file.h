#pragma once
// Relabel rule unit-test files (`scrapectl test relabel`); the format is in
// docs/relabel-tests.md and ../shared/conformance/relabel/README.md:
//
//   tests:
//     - name: flask pod in test is kept
//       config: prometheus.yml          # or inline relabel_configs: [...]
//       job: kubernetes-pods
//       rules: relabel_configs          # or metric_relabel_configs
//       input: {__address__: "10.0.0.1", ...}
//       output: {...}                   # or dropped: true, or error_contains: "..."
//
// Loading the test file itself can fail (bad YAML, unknown field); loading a
// test's rules can fail too, and that is recorded in the test (an expected
// failure when it has error_contains).
//
// Thread-safety: plain values.

#include <string>
#include <vector>

#include "model/labels.h"
#include "relabel/rule.h"
#include "util/file_system.h"
#include "util/status.h"

namespace kubescrape::config {

struct RelabelTestCase {
  enum class Expect { kOutput, kDropped, kError };

  std::string name;
  std::string location;          // "file:line:col" of the test
  util::Status rules_status;     // OK, or the error loading the rules
  std::vector<relabel::Rule> rules;
  model::Labels input;
  Expect expect = Expect::kOutput;
  model::Labels output;
  std::string error_contains;
};

struct RelabelTestFile {
  std::string filename;
  std::vector<RelabelTestCase> tests;
};

util::StatusOr<RelabelTestFile> LoadRelabelTestFile(const std::string& path,
                                                    const util::FileSystem& fs = util::FileSystem::Default());

}  // namespace kubescrape::config
