// Type checking after a successful parse (Prometheus's checkAST).
#include <fmt/format.h>

#include "model/label_names.h"
#include "promql/functions.h"
#include "promql/parser_internal.h"
#include "util/utf8.h"

namespace kubescrape::promql::internal {
namespace {

bool IsSpaceChar(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

PosRange Parser::OperatorRange(const BinaryExpr& b) const {
  PosRange r;
  r.start = b.lhs->pos.end;
  while (r.start < static_cast<int>(input_.size()) && IsSpaceChar(input_[static_cast<size_t>(r.start)])) ++r.start;
  r.end = b.rhs->pos.start - 1;
  while (r.end > 0 && IsSpaceChar(input_[static_cast<size_t>(r.end)])) --r.end;
  return r;
}

void Parser::ExpectType(Expr& node, ValueType want, std::string_view context) {
  ValueType t = Check(node);
  if (t != want) {
    AddError(node.pos, fmt::format("expected type {} in {}, got {}", DocumentedType(want), context, DocumentedType(t)));
  }
}

ValueType Parser::Check(Expr& node) {
  const ValueType type = node.Type();
  switch (node.kind) {
    case NodeKind::kAggregate: {
      auto& a = As<AggregateExpr>(node);
      ExpectType(*a.expr, ValueType::kVector, "aggregation expression");
      if (a.op == AggOp::kTopk || a.op == AggOp::kBottomk || a.op == AggOp::kQuantile || a.op == AggOp::kLimitk ||
          a.op == AggOp::kLimitRatio) {
        ExpectType(*a.param, ValueType::kScalar, "aggregation parameter");
      }
      if (a.op == AggOp::kCountValues) ExpectType(*a.param, ValueType::kString, "aggregation parameter");
      break;
    }
    case NodeKind::kBinary: {
      auto& b = As<BinaryExpr>(node);
      ValueType lt = Check(*b.lhs);
      ValueType rt = Check(*b.rhs);
      if (b.return_bool && !IsComparison(b.op)) {
        AddError(OperatorRange(b), "bool modifier can only be used on comparison operators");
      }
      if (IsComparison(b.op) && !b.return_bool && b.rhs->Type() == ValueType::kScalar &&
          b.lhs->Type() == ValueType::kScalar) {
        AddError(OperatorRange(b), "comparisons between scalars must use BOOL modifier");
      }
      if (IsSetOperator(b.op) && b.matching && b.matching->card == Cardinality::kOneToOne) {
        b.matching->card = Cardinality::kManyToMany;
      }
      if (b.matching && b.matching->on) {
        for (const std::string& l1 : b.matching->matching_labels) {
          for (const std::string& l2 : b.matching->include) {
            if (l1 == l2) {
              AddError(OperatorRange(b),
                       fmt::format("label {} must not occur in ON and GROUP clause at once", util::GoQuote(l1)));
            }
          }
        }
      }
      if (lt != ValueType::kScalar && lt != ValueType::kVector) {
        AddError(b.lhs->pos, "binary expression must contain only scalar and instant vector types");
      }
      if (rt != ValueType::kScalar && rt != ValueType::kVector) {
        AddError(b.rhs->pos, "binary expression must contain only scalar and instant vector types");
      }
      if ((lt != ValueType::kVector || rt != ValueType::kVector) && b.matching) {
        if (!b.matching->matching_labels.empty()) {
          AddError(node.pos, "vector matching only allowed between instant vectors");
        }
        b.matching.reset();
      } else if (IsSetOperator(b.op) && b.matching) {
        if (b.matching->card == Cardinality::kOneToMany || b.matching->card == Cardinality::kManyToOne) {
          AddError(node.pos, fmt::format("no grouping allowed for \"{}\" operation", BinOpString(b.op)));
        }
        if (b.matching->card != Cardinality::kManyToMany) {
          AddError(node.pos, "set operations must always be many-to-many");
        }
      }
      if ((lt == ValueType::kScalar || rt == ValueType::kScalar) && IsSetOperator(b.op)) {
        AddError(node.pos, fmt::format("set operator \"{}\" not allowed in binary scalar expression", BinOpString(b.op)));
      }
      break;
    }
    case NodeKind::kCall: {
      auto& c = As<Call>(node);
      const Function& f = *c.func;
      const int nargs = static_cast<int>(f.arg_types.size());
      const int got = static_cast<int>(c.args.size());
      if (f.variadic == 0) {
        if (nargs != got) {
          AddError(node.pos, fmt::format("expected {} argument(s) in call to {}, got {}", nargs,
                                         util::GoQuote(f.name), got));
        }
      } else {
        const int na = nargs - 1;
        if (na > got) {
          AddError(node.pos, fmt::format("expected at least {} argument(s) in call to {}, got {}", na,
                                         util::GoQuote(f.name), got));
        } else if (f.variadic > 0 && na + f.variadic < got) {
          AddError(node.pos, fmt::format("expected at most {} argument(s) in call to {}, got {}", na + f.variadic,
                                         util::GoQuote(f.name), got));
        }
      }
      for (int i = 0; i < got; ++i) {
        int ti = i;
        if (i >= nargs) {
          if (f.variadic == 0) break;
          ti = nargs - 1;
        }
        ValueType t = Check(*c.args[static_cast<size_t>(i)]);
        if (t != f.arg_types[static_cast<size_t>(ti)]) {
          AddError(c.args[static_cast<size_t>(i)]->pos,
                   fmt::format("expected type {} in call to function {}, got {}",
                               DocumentedType(f.arg_types[static_cast<size_t>(ti)]), util::GoQuote(f.name),
                               DocumentedType(t)));
        }
      }
      break;
    }
    case NodeKind::kParen: Check(*As<ParenExpr>(node).expr); break;
    case NodeKind::kUnary: {
      ValueType t = Check(*As<UnaryExpr>(node).expr);
      if (t != ValueType::kScalar && t != ValueType::kVector) {
        AddError(node.pos, fmt::format("unary expression only allowed on expressions of type scalar or instant vector, "
                                       "got \"{}\"",
                                       DocumentedType(t)));
      }
      break;
    }
    case NodeKind::kSubquery: {
      ValueType t = Check(*As<SubqueryExpr>(node).expr);
      if (t != ValueType::kVector) {
        AddError(node.pos, fmt::format("subquery is only allowed on instant vector, got {} instead", ValueTypeName(t)));
      }
      break;
    }
    case NodeKind::kMatrixSelector: Check(*As<MatrixSelector>(node).vector_selector); break;
    case NodeKind::kVectorSelector: {
      auto& vs = As<VectorSelector>(node);
      if (!vs.name.empty()) {
        for (size_t i = 0; i + 1 < vs.matchers.size(); ++i) {
          if (vs.matchers[i].name() == model::kMetricName) {
            AddError(node.pos, fmt::format("metric name must not be set twice: {} or {}", util::GoQuote(vs.name),
                                           util::GoQuote(vs.matchers[i].value())));
          }
        }
        break;
      }
      if (!vs.bypass_empty_matcher_check) {
        bool not_empty = false;
        for (const model::Matcher& m : vs.matchers) {
          if (!m.MatchesEmpty()) not_empty = true;
        }
        if (!not_empty) AddError(node.pos, "vector selector must contain at least one non-empty matcher");
      }
      break;
    }
    case NodeKind::kStepInvariant: Check(*As<StepInvariantExpr>(node).expr); break;
    case NodeKind::kNumberLiteral:
    case NodeKind::kStringLiteral:
      break;
  }
  return type;
}

}  // namespace kubescrape::promql::internal
