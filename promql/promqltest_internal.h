#pragma once
// The parsed form of a PromQL test script (internal to promql/):
// promqltest_parse.cc builds it, promqltest.cc runs it.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/labels.h"
#include "model/regex.h"
#include "util/status.h"

namespace kubescrape::promql::testscript {

struct SeqValue {
  double v = 0;
  bool omitted = false;
};

// `metric{labels} values...` of a load or an expected result.
struct SeriesDesc {
  model::Labels labels;
  std::vector<SeqValue> values;
  bool histogram = false;  // has {{...}} values (not supported)
};

// Parses a series description line. Errors: InvalidArgument.
util::StatusOr<SeriesDesc> ParseSeriesDesc(std::string_view line);

// Reasons an eval is skipped (ScriptResult::skip_reasons keys).
inline constexpr std::string_view kSkipNativeHistograms = "native histograms";
inline constexpr std::string_view kSkipStartTimestamps = "start timestamps";
inline constexpr std::string_view kSkipExperimentalSyntax = "experimental syntax";

// A loaded series the runner cannot store; evals selecting it are skipped.
struct SpecialSeries {
  model::Labels labels;
  std::string_view reason;  // one of the kSkip* constants
};

struct LoadCmd {
  int64_t step_ms = 0;
  bool with_nhcb = false;
  std::vector<SeriesDesc> series;
  std::vector<SpecialSeries> special;  // series the runner cannot represent
};

struct ClearCmd {};

struct AnnotationExpectation {
  bool any = false;              // no msg/regex: anything matches
  std::string message;           // exact match when no regex
  std::optional<model::Regex> regex;  // unanchored search
  bool Matches(std::string_view s) const;
};

struct ExpectedSeries {
  std::vector<SeqValue> values;
  int pos = 0;  // 1-based position among the expected lines
};

struct EvalCmd {
  std::string expr;
  int line = 0;
  bool is_range = false;
  int64_t start = 0, end = 0, step = 0;
  int64_t eval_time = 0;  // instant evals
  bool fail = false, ordered = false, warn = false, info = false;  // eval_<mod> and expect lines
  std::string expected_fail_message;
  std::optional<model::Regex> expected_fail_regexp;
  std::vector<AnnotationExpectation> expect_fail, expect_warn, expect_info;
  bool no_warn = false, no_info = false;
  bool expect_scalar = false;
  double scalar = 0;
  std::map<model::Labels, ExpectedSeries> expected;
  std::optional<std::string> expected_string;
  bool exclude_from_range_query = false;
  bool histogram_expected = false;  // {{...}} in the expectations
  std::string parse_error;          // the expression does not parse
  bool experimental_syntax = false;
};

using Command = std::variant<ClearCmd, LoadCmd, EvalCmd>;

// Parses a whole script. Errors: InvalidArgument "line N: ...".
util::StatusOr<std::vector<Command>> ParseScript(std::string_view script);

}  // namespace kubescrape::promql::testscript
