#pragma once
// The PromQL parser: a hand-written recursive-descent / precedence-climbing
// parser with the grammar, precedence and associativity of Prometheus 3.x
// (promql/parser/generated_parser.y), its type checking (parse.go checkAST)
// and its error messages:
//
//   1:15: parse error: unclosed left parenthesis
//   1:5: parse error: unexpected <by> ...
//   1:1: parse error: binary expression must contain only scalar and instant vector types
//
// Operator precedence, lowest first: `or`; `and` `unless`; comparisons;
// `+` `-`; `*` `/` `%` `atan2`; `^` (right-associative); unary `+`/`-` bind
// like `*`; `offset`, `@`, `[range]` and `[range:step]` bind tightest.
//
// Not supported (Prometheus experimental features): duration arithmetic in
// brackets/offsets (`[5m+1m]`, `offset step()`), `anchored`/`smoothed`
// range modifiers, `fill()` binop modifiers, native histogram literals.
//
// Thread-safety: pure functions.

#include <string>
#include <string_view>
#include <vector>

#include "promql/ast.h"
#include "util/status.h"

namespace kubescrape::promql {

struct ParseOptions {
  // Functions marked experimental (sort_by_label, limitk, mad_over_time,
  // ...) are accepted. Prometheus gates them behind
  // --enable-feature=promql-experimental-functions.
  bool enable_experimental_functions = true;
};

struct ParseError {
  PosRange pos;
  std::string message;  // without the position prefix
};

// Parses and type-checks a PromQL expression. On failure returns
// InvalidArgument with Prometheus's text for the first error,
// "<line>:<col>: parse error: <message>"; when `errors` is given it receives
// every error found.
util::StatusOr<ExprPtr> ParseExpr(std::string_view query, const ParseOptions& options = {},
                                  std::vector<ParseError>* errors = nullptr);

// Parses a series selector as the HTTP API's match[] takes it
// (`up{job="x"}`, `{__name__=~"a.*"}`) into its matchers, the metric-name
// matcher included. Errors as ParseExpr (InvalidArgument).
util::StatusOr<std::vector<model::Matcher>> ParseMetricSelector(std::string_view selector);

// Go's strconv.Unquote as PromQL applies it to string tokens (including the
// quotes): "..." and '...' with Go escapes, `...` raw.
util::StatusOr<std::string> UnquoteString(std::string_view quoted);

// Go's strconv.ParseInt(s, 0, 64) then ParseFloat(s, 64), as PromQL parses
// number tokens. Errors read like Go's ("strconv.ParseFloat: parsing \"x\":
// invalid syntax").
util::StatusOr<double> ParseNumber(std::string_view s);

// Go's strconv.ParseFloat(s, 64) alone (no integer bases), as Prometheus
// parses `le` label values.
util::StatusOr<double> ParseFloat(std::string_view s);

}  // namespace kubescrape::promql
