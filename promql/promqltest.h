#pragma once
// A runner for Prometheus's PromQL test scripts (promql/promqltest, the
// language of the upstream .test files and of users' own query tests):
//
//   load 5m
//     http_requests{job="api"} 0+10x10 _ stale 1 NaN
//   clear
//   eval instant at 50m sum(http_requests)
//     expect warn msg: PromQL warning: ...
//     {} 100
//   eval range from 0 to 10m step 5m rate(http_requests[5m])
//     {job="api"} 0.033 0.033 _
//
// Each eval runs against a MemoryStorage holding what the loads wrote, with
// the engine configured like Prometheus's test engine (5m lookback, delayed
// __name__ removal, experimental functions, 1m default subquery step).
// Results are compared as Prometheus does: vectors as sets (in order with
// `expect ordered`), matrices sorted by labels, floats within 1e-6 relative
// (util/almost), annotations against `expect warn|info|no_warn|no_info`
// lines. Like Prometheus's runner, every instant eval is also re-run with
// `@ t` on its selectors at other evaluation times and as a range query
// around t.
//
// Evals that need native histograms (`{{...}}` values, load_with_nhcb
// histograms, start timestamps) or unsupported experimental syntax are
// skipped and counted as such.
//
// Thread-safety: pure functions.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "promql/engine.h"
#include "util/status.h"

namespace kubescrape::promql {

struct EvalFailure {
  int line = 0;  // 1-based line of the eval command
  std::string expr;
  std::string message;
};

struct ScriptResult {
  int passed = 0;
  int failed = 0;
  int skipped = 0;
  std::map<std::string, int> skip_reasons;  // "native histograms", "start timestamps", "experimental syntax"
  std::vector<EvalFailure> failures;
};

struct ScriptOptions {
  // The engine the evals run on; the defaults are Prometheus's test engine.
  EngineOptions engine = TestEngineOptions();
  // Also run instant evals with `@` at other times, and in range mode.
  bool extra_checks = true;

  static EngineOptions TestEngineOptions();
};

// Runs a test script. Errors (InvalidArgument, "line N: ...") only for a
// script that does not parse; failing evals are counted in the result.
util::StatusOr<ScriptResult> RunScript(std::string_view script, const ScriptOptions& options = {});

// Go's util/almost.Equal: StaleNaN equals only StaleNaN, any NaN equals any
// NaN, otherwise a relative difference below `epsilon`.
bool AlmostEqual(double a, double b, double epsilon);

}  // namespace kubescrape::promql
