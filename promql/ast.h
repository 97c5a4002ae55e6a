#pragma once
// The PromQL abstract syntax tree, as Prometheus 3.x's promql/parser builds
// it. Every node records its byte range in the query (PosRange) so parse
// errors and annotations can name a position ("1:15").
//
// A tree is built by Parse() (parser.h) and owned through
// std::unique_ptr<Expr>. Nodes are plain data; the engine mutates only the
// evaluation fields documented as such (offset_ms, timestamp) while it
// prepares a query, never during evaluation.
//
// Thread-safety: none; a tree is used by one query at a time.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/matcher.h"

namespace kubescrape::promql {

struct Function;  // functions.h

// Byte offsets into the query: [start, end).
struct PosRange {
  int start = 0;
  int end = 0;
  friend bool operator==(const PosRange&, const PosRange&) = default;
};

// "line:col" of `pos` in `query` as Prometheus prints it (1-based line,
// column = bytes since the last newline); "unknown position" for an empty
// query.
std::string PositionString(std::string_view query, int pos);

enum class ValueType : uint8_t { kNone, kScalar, kVector, kMatrix, kString };

// The names Prometheus's documentation uses: "scalar", "instant vector",
// "range vector", "string", "none".
std::string_view DocumentedType(ValueType t);
// The names the HTTP API uses for resultType: "scalar", "vector", "matrix", "string".
std::string_view ValueTypeName(ValueType t);

enum class BinOp : uint8_t {
  kAdd, kSub, kMul, kDiv, kMod, kPow, kAtan2,
  kEqlc, kNeq, kGtr, kLss, kGte, kLte,
  kLand, kLor, kLunless,
};
std::string_view BinOpString(BinOp op);  // "+", "==", "and", "atan2", ...
bool IsComparison(BinOp op);
bool IsSetOperator(BinOp op);
// Arithmetic operators change what a sample means, so they drop __name__.
bool ChangesMetricSchema(BinOp op);

enum class AggOp : uint8_t {
  kSum, kAvg, kCount, kMin, kMax, kGroup, kStddev, kStdvar,
  kTopk, kBottomk, kCountValues, kQuantile, kLimitk, kLimitRatio,
};
std::string_view AggOpString(AggOp op);  // "sum", "count_values", ...
bool AggOpHasParam(AggOp op);

// `@ start()` / `@ end()`.
enum class AtPreprocessor : uint8_t { kNone, kStart, kEnd };

enum class NodeKind : uint8_t {
  kNumberLiteral, kStringLiteral, kVectorSelector, kMatrixSelector, kSubquery,
  kParen, kUnary, kBinary, kCall, kAggregate, kStepInvariant,
};

struct Expr {
  explicit Expr(NodeKind k) : kind(k) {}
  virtual ~Expr() = default;
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;

  // The type the expression evaluates to.
  ValueType Type() const;
  // Prometheus's canonical text (what /api/v1/format_query returns).
  std::string String() const;

  const NodeKind kind;
  PosRange pos;
};

using ExprPtr = std::unique_ptr<Expr>;

struct NumberLiteral final : Expr {
  NumberLiteral() : Expr(NodeKind::kNumberLiteral) {}
  double val = 0;
  bool duration = false;  // written as a duration ("5m"): printed as one
};

struct StringLiteral final : Expr {
  StringLiteral() : Expr(NodeKind::kStringLiteral) {}
  std::string val;
};

struct VectorSelector final : Expr {
  VectorSelector() : Expr(NodeKind::kVectorSelector) {}
  std::string name;                     // written before the braces, "" if none
  std::vector<model::Matcher> matchers;  // a __name__ matcher for `name` is last
  int64_t original_offset_ms = 0;       // as written (negative allowed)
  std::optional<int64_t> timestamp;     // `@ t` in ms, or resolved start()/end()
  AtPreprocessor start_or_end = AtPreprocessor::kNone;
  // Evaluation: the offset relative to the evaluator's start, accounting for
  // `@` (set by the engine before evaluation).
  int64_t offset_ms = 0;
  bool bypass_empty_matcher_check = false;
};

struct MatrixSelector final : Expr {
  MatrixSelector() : Expr(NodeKind::kMatrixSelector) {}
  ExprPtr vector_selector;  // a VectorSelector once parsing succeeded
  int64_t range_ms = 0;
  VectorSelector& vs() const { return static_cast<VectorSelector&>(*vector_selector); }
};

struct SubqueryExpr final : Expr {
  SubqueryExpr() : Expr(NodeKind::kSubquery) {}
  ExprPtr expr;
  int64_t range_ms = 0;
  int64_t step_ms = 0;  // 0: the engine's default
  int64_t original_offset_ms = 0;
  std::optional<int64_t> timestamp;
  AtPreprocessor start_or_end = AtPreprocessor::kNone;
  int64_t offset_ms = 0;  // evaluation, as VectorSelector::offset_ms
};

struct ParenExpr final : Expr {
  ParenExpr() : Expr(NodeKind::kParen) {}
  ExprPtr expr;
};

struct UnaryExpr final : Expr {
  UnaryExpr() : Expr(NodeKind::kUnary) {}
  bool negate = false;  // `-` (true) or `+`
  ExprPtr expr;
};

enum class Cardinality : uint8_t { kOneToOne, kManyToOne, kOneToMany, kManyToMany };

struct VectorMatching {
  Cardinality card = Cardinality::kOneToOne;
  std::vector<std::string> matching_labels;  // on(...) / ignoring(...)
  bool on = false;
  std::vector<std::string> include;  // group_left(...) / group_right(...)
};

struct BinaryExpr final : Expr {
  BinaryExpr() : Expr(NodeKind::kBinary) {}
  BinOp op = BinOp::kAdd;
  ExprPtr lhs;
  ExprPtr rhs;
  bool return_bool = false;
  // Set when both sides are instant vectors (cleared by type checking
  // otherwise).
  std::optional<VectorMatching> matching;
};

struct Call final : Expr {
  Call() : Expr(NodeKind::kCall) {}
  const Function* func = nullptr;
  std::vector<ExprPtr> args;
};

struct AggregateExpr final : Expr {
  AggregateExpr() : Expr(NodeKind::kAggregate) {}
  AggOp op = AggOp::kSum;
  ExprPtr expr;
  ExprPtr param;  // topk's k, quantile's q, count_values' label
  std::vector<std::string> grouping;
  bool without = false;
};

// Marks a subtree whose value does not change with the evaluation step (the
// engine evaluates it once). Inserted by the engine, never by the parser.
struct StepInvariantExpr final : Expr {
  StepInvariantExpr() : Expr(NodeKind::kStepInvariant) {}
  ExprPtr expr;
};

// Checked downcasts. REQUIRES: e.kind matches.
template <typename T>
const T& As(const Expr& e) { return static_cast<const T&>(e); }
template <typename T>
T& As(Expr& e) { return static_cast<T&>(e); }

// Calls f(node, path) for every node in pre-order; `path` holds the
// ancestors, outermost first.
void Inspect(Expr& root, const std::function<void(Expr&, const std::vector<Expr*>&)>& f);

// The children of a node (for walking), in source order.
std::vector<Expr*> Children(const Expr& e);

}  // namespace kubescrape::promql
