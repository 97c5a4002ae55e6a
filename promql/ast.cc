#include "promql/ast.h"

#include <fmt/format.h>

#include "promql/functions.h"

namespace kubescrape::promql {

std::string PositionString(std::string_view query, int pos) {
  if (query.empty()) return "unknown position";
  if (pos < 0 || pos > static_cast<int>(query.size())) return "invalid position";
  int line = 1;
  int last_break = -1;
  for (int i = 0; i < pos; ++i) {
    if (query[static_cast<size_t>(i)] == '\n') {
      last_break = i;
      ++line;
    }
  }
  return fmt::format("{}:{}", line, pos - last_break);
}

std::string_view DocumentedType(ValueType t) {
  switch (t) {
    case ValueType::kNone: return "none";
    case ValueType::kScalar: return "scalar";
    case ValueType::kVector: return "instant vector";
    case ValueType::kMatrix: return "range vector";
    case ValueType::kString: return "string";
  }
  return "unknown";
}

std::string_view ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kNone: return "none";
    case ValueType::kScalar: return "scalar";
    case ValueType::kVector: return "vector";
    case ValueType::kMatrix: return "matrix";
    case ValueType::kString: return "string";
  }
  return "unknown";
}

std::string_view BinOpString(BinOp op) {
  switch (op) {
    case BinOp::kAdd: return "+";
    case BinOp::kSub: return "-";
    case BinOp::kMul: return "*";
    case BinOp::kDiv: return "/";
    case BinOp::kMod: return "%";
    case BinOp::kPow: return "^";
    case BinOp::kAtan2: return "atan2";
    case BinOp::kEqlc: return "==";
    case BinOp::kNeq: return "!=";
    case BinOp::kGtr: return ">";
    case BinOp::kLss: return "<";
    case BinOp::kGte: return ">=";
    case BinOp::kLte: return "<=";
    case BinOp::kLand: return "and";
    case BinOp::kLor: return "or";
    case BinOp::kLunless: return "unless";
  }
  return "?";
}

bool IsComparison(BinOp op) {
  switch (op) {
    case BinOp::kEqlc: case BinOp::kNeq: case BinOp::kGtr:
    case BinOp::kLss: case BinOp::kGte: case BinOp::kLte:
      return true;
    default:
      return false;
  }
}

bool IsSetOperator(BinOp op) { return op == BinOp::kLand || op == BinOp::kLor || op == BinOp::kLunless; }

bool ChangesMetricSchema(BinOp op) {
  switch (op) {
    case BinOp::kAdd: case BinOp::kSub: case BinOp::kMul: case BinOp::kDiv:
    case BinOp::kPow: case BinOp::kMod: case BinOp::kAtan2:
      return true;
    default:
      return false;
  }
}

std::string_view AggOpString(AggOp op) {
  switch (op) {
    case AggOp::kSum: return "sum";
    case AggOp::kAvg: return "avg";
    case AggOp::kCount: return "count";
    case AggOp::kMin: return "min";
    case AggOp::kMax: return "max";
    case AggOp::kGroup: return "group";
    case AggOp::kStddev: return "stddev";
    case AggOp::kStdvar: return "stdvar";
    case AggOp::kTopk: return "topk";
    case AggOp::kBottomk: return "bottomk";
    case AggOp::kCountValues: return "count_values";
    case AggOp::kQuantile: return "quantile";
    case AggOp::kLimitk: return "limitk";
    case AggOp::kLimitRatio: return "limit_ratio";
  }
  return "?";
}

bool AggOpHasParam(AggOp op) {
  return op == AggOp::kTopk || op == AggOp::kBottomk || op == AggOp::kCountValues || op == AggOp::kQuantile ||
         op == AggOp::kLimitk || op == AggOp::kLimitRatio;
}

ValueType Expr::Type() const {
  switch (kind) {
    case NodeKind::kNumberLiteral: return ValueType::kScalar;
    case NodeKind::kStringLiteral: return ValueType::kString;
    case NodeKind::kVectorSelector: return ValueType::kVector;
    case NodeKind::kMatrixSelector: return ValueType::kMatrix;
    case NodeKind::kSubquery: return ValueType::kMatrix;
    case NodeKind::kParen: return As<ParenExpr>(*this).expr->Type();
    case NodeKind::kUnary: return As<UnaryExpr>(*this).expr->Type();
    case NodeKind::kBinary: {
      const auto& b = As<BinaryExpr>(*this);
      if (b.lhs->Type() == ValueType::kScalar && b.rhs->Type() == ValueType::kScalar) return ValueType::kScalar;
      return ValueType::kVector;
    }
    case NodeKind::kCall: {
      const auto& c = As<Call>(*this);
      return c.func == nullptr ? ValueType::kNone : c.func->return_type;
    }
    case NodeKind::kAggregate: return ValueType::kVector;
    case NodeKind::kStepInvariant: return As<StepInvariantExpr>(*this).expr->Type();
  }
  return ValueType::kNone;
}

std::vector<Expr*> Children(const Expr& e) {
  std::vector<Expr*> out;
  auto add = [&](const ExprPtr& p) {
    if (p) out.push_back(p.get());
  };
  switch (e.kind) {
    case NodeKind::kMatrixSelector: add(As<MatrixSelector>(e).vector_selector); break;
    case NodeKind::kSubquery: add(As<SubqueryExpr>(e).expr); break;
    case NodeKind::kParen: add(As<ParenExpr>(e).expr); break;
    case NodeKind::kUnary: add(As<UnaryExpr>(e).expr); break;
    case NodeKind::kBinary:
      add(As<BinaryExpr>(e).lhs);
      add(As<BinaryExpr>(e).rhs);
      break;
    case NodeKind::kCall:
      for (const ExprPtr& a : As<Call>(e).args) add(a);
      break;
    case NodeKind::kAggregate:
      add(As<AggregateExpr>(e).param);
      add(As<AggregateExpr>(e).expr);
      break;
    case NodeKind::kStepInvariant: add(As<StepInvariantExpr>(e).expr); break;
    default: break;
  }
  return out;
}

namespace {

void InspectRec(Expr& node, std::vector<Expr*>& path,
                const std::function<void(Expr&, const std::vector<Expr*>&)>& f) {
  f(node, path);
  path.push_back(&node);
  for (Expr* c : Children(node)) InspectRec(*c, path, f);
  path.pop_back();
}

}  // namespace

void Inspect(Expr& root, const std::function<void(Expr&, const std::vector<Expr*>&)>& f) {
  std::vector<Expr*> path;
  InspectRec(root, path, f);
}

}  // namespace kubescrape::promql
