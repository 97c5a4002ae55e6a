#pragma once
// The PromQL function signatures (Prometheus 3.x promql/parser/functions.go):
// what the parser checks calls against. The implementations live in the
// engine (functions_*.cc).
//
// Thread-safety: immutable static data.

#include <string_view>
#include <vector>

#include "promql/ast.h"

namespace kubescrape::promql {

struct Function {
  std::string_view name;
  std::vector<ValueType> arg_types;
  // 0: exactly arg_types; -1: the last type repeats without limit; n > 0: the
  // last argument may be omitted and repeated up to n more times (Prometheus's
  // Variadic).
  int variadic = 0;
  ValueType return_type = ValueType::kVector;
  bool experimental = false;
};

// The function named `name`, or nullptr.
const Function* FindFunction(std::string_view name);

// Every function, sorted by name.
const std::vector<Function>& AllFunctions();

}  // namespace kubescrape::promql
