#pragma once
// The parser's internals, shared by parser.cc (grammar), parser_modifiers.cc
// (ranges, offset, @) and parser_check.cc (type checking). Not part of the
// module's interface.

#include <string>
#include <string_view>
#include <vector>

#include "promql/ast.h"
#include "promql/lexer.h"
#include "promql/parser.h"

namespace kubescrape::promql::internal {

class Parser {
 public:
  Parser(std::string_view input, const ParseOptions& options);

  // The whole input as one expression (nullptr after a syntax error).
  ExprPtr ParseTop();
  // The whole input as one series selector.
  ExprPtr ParseSelectorTop();

  // Type checking (parse.go checkAST): adds errors, returns the node's type.
  ValueType Check(Expr& node);

  const std::vector<ParseError>& errors() const { return errors_; }
  std::string_view input() const { return input_; }

 private:
  // Tokens.
  void Advance();
  bool At(ItemType t) const { return tok_.type == t; }

  // Errors. Semantic errors are collected and parsing continues; a syntax
  // error (Unexpected) stops the parse.
  void AddError(PosRange pos, std::string message);
  void Unexpected(std::string_view context, std::string_view expected);
  bool failed() const { return failed_; }

  ExprPtr ParseExpr(int min_prec);
  ExprPtr ParseUnary();
  ExprPtr ParsePrimary();
  ExprPtr ParsePostfix(ExprPtr e);
  ExprPtr ParseBinaryRest(ExprPtr lhs, BinOp op, Item op_item, int prec);
  ExprPtr ParseVectorSelector(const Item* name);
  bool ParseLabelMatchers(VectorSelector& vs);
  ExprPtr ParseCall(const Item& name);
  ExprPtr ParseAggregate(const Item& op_item, AggOp op);
  // `( label, ... )` into *out; false after a syntax error.
  bool ParseGroupingLabels(std::vector<std::string>* out);
  // `( expr, ... )` into *args; false after a syntax error.
  bool ParseCallArgs(std::vector<ExprPtr>* args);

  // Modifiers (parser_modifiers.cc).
  ExprPtr ParseRangeOrSubquery(ExprPtr e);
  ExprPtr ParseOffset(ExprPtr e);
  ExprPtr ParseAt(ExprPtr e);
  // A number or duration in ms at the current token (after an optional sign
  // when `allow_sign`); false when the token is not one.
  bool ParseDurationMs(bool allow_sign, int64_t* ms, PosRange* pos);
  void SetEnd(Expr& e, int end);

  // Type checking helpers (parser_check.cc).
  void ExpectType(Expr& node, ValueType want, std::string_view context);
  PosRange OperatorRange(const BinaryExpr& b) const;

  std::string_view input_;
  ParseOptions options_;
  Lexer lex_;
  Item tok_;
  int prev_end_ = 0;  // end of the last consumed token
  bool failed_ = false;
  bool lex_error_ = false;
  std::vector<ParseError> errors_;
};

// Seconds (as a PromQL number or duration literal) to milliseconds.
int64_t SecondsToMs(double seconds);

}  // namespace kubescrape::promql::internal
