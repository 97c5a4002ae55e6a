// The PromQL grammar: expressions, operators, selectors, calls and
// aggregations. Modifiers are in parser_modifiers.cc, type checking in
// parser_check.cc.
#include "promql/parser.h"

#include <fmt/format.h>

#include <cmath>

#include "model/duration.h"
#include "model/label_names.h"
#include "promql/functions.h"
#include "promql/parser_internal.h"
#include "util/utf8.h"

namespace kubescrape::promql {
namespace internal {
namespace {

enum Prec { kPrecOr = 1, kPrecAnd, kPrecCmp, kPrecAdd, kPrecMul, kPrecPow };

struct BinOpInfo {
  BinOp op;
  int prec;
};

bool BinaryOperator(ItemType t, BinOpInfo* info) {
  switch (t) {
    case ItemType::kLor: *info = {BinOp::kLor, kPrecOr}; return true;
    case ItemType::kLand: *info = {BinOp::kLand, kPrecAnd}; return true;
    case ItemType::kLunless: *info = {BinOp::kLunless, kPrecAnd}; return true;
    case ItemType::kEqlc: *info = {BinOp::kEqlc, kPrecCmp}; return true;
    case ItemType::kNeq: *info = {BinOp::kNeq, kPrecCmp}; return true;
    case ItemType::kGtr: *info = {BinOp::kGtr, kPrecCmp}; return true;
    case ItemType::kLss: *info = {BinOp::kLss, kPrecCmp}; return true;
    case ItemType::kGte: *info = {BinOp::kGte, kPrecCmp}; return true;
    case ItemType::kLte: *info = {BinOp::kLte, kPrecCmp}; return true;
    case ItemType::kAdd: *info = {BinOp::kAdd, kPrecAdd}; return true;
    case ItemType::kSub: *info = {BinOp::kSub, kPrecAdd}; return true;
    case ItemType::kMul: *info = {BinOp::kMul, kPrecMul}; return true;
    case ItemType::kDiv: *info = {BinOp::kDiv, kPrecMul}; return true;
    case ItemType::kMod: *info = {BinOp::kMod, kPrecMul}; return true;
    case ItemType::kAtan2: *info = {BinOp::kAtan2, kPrecMul}; return true;
    case ItemType::kPow: *info = {BinOp::kPow, kPrecPow}; return true;
    default: return false;
  }
}

bool AggregatorOp(ItemType t, AggOp* op) {
  switch (t) {
    case ItemType::kSum: *op = AggOp::kSum; return true;
    case ItemType::kAvg: *op = AggOp::kAvg; return true;
    case ItemType::kCount: *op = AggOp::kCount; return true;
    case ItemType::kMin: *op = AggOp::kMin; return true;
    case ItemType::kMax: *op = AggOp::kMax; return true;
    case ItemType::kGroup: *op = AggOp::kGroup; return true;
    case ItemType::kStddev: *op = AggOp::kStddev; return true;
    case ItemType::kStdvar: *op = AggOp::kStdvar; return true;
    case ItemType::kTopk: *op = AggOp::kTopk; return true;
    case ItemType::kBottomk: *op = AggOp::kBottomk; return true;
    case ItemType::kCountValues: *op = AggOp::kCountValues; return true;
    case ItemType::kQuantile: *op = AggOp::kQuantile; return true;
    case ItemType::kLimitk: *op = AggOp::kLimitk; return true;
    case ItemType::kLimitRatio: *op = AggOp::kLimitRatio; return true;
    default: return false;
  }
}

// Keywords the grammar also accepts as a metric name (metric_identifier).
bool KeywordIsMetricName(ItemType t) {
  switch (t) {
    case ItemType::kLand: case ItemType::kLor: case ItemType::kLunless:
    case ItemType::kOffset: case ItemType::kBy: case ItemType::kWithout:
      return true;
    default:
      return false;
  }
}

bool MatchOp(ItemType t, model::MatchType* type) {
  switch (t) {
    case ItemType::kAssign: *type = model::MatchType::kEqual; return true;
    case ItemType::kNeq: *type = model::MatchType::kNotEqual; return true;
    case ItemType::kEqlRegex: *type = model::MatchType::kRegexMatch; return true;
    case ItemType::kNeqRegex: *type = model::MatchType::kRegexNoMatch; return true;
    default: return false;
  }
}

}  // namespace

int64_t SecondsToMs(double seconds) { return std::llround(seconds * 1000.0); }

Parser::Parser(std::string_view input, const ParseOptions& options)
    : input_(input), options_(options), lex_(input) {
  Advance();
  prev_end_ = 0;
}

void Parser::Advance() {
  prev_end_ = tok_.end();
  do {
    tok_ = lex_.Next();
  } while (tok_.type == ItemType::kComment);
  if (tok_.type == ItemType::kError && !lex_error_) {
    lex_error_ = true;
    AddError({tok_.pos, static_cast<int>(input_.size())}, std::string(tok_.val));
  }
}

void Parser::AddError(PosRange pos, std::string message) { errors_.push_back({pos, std::move(message)}); }

void Parser::Unexpected(std::string_view context, std::string_view expected) {
  failed_ = true;
  if (tok_.type == ItemType::kError) return;  // the lexer error is already reported
  std::string msg = "unexpected " + ItemDesc(tok_);
  if (!context.empty()) msg += fmt::format(" in {}", context);
  if (!expected.empty()) msg += fmt::format(", expected {}", expected);
  AddError({tok_.pos, tok_.end()}, std::move(msg));
}

ExprPtr Parser::ParseTop() {
  if (At(ItemType::kEOF)) {
    AddError({0, 0}, "no expression found in input");
    return nullptr;
  }
  ExprPtr e = ParseExpr(kPrecOr);
  if (failed_) return nullptr;
  if (!At(ItemType::kEOF) && !At(ItemType::kError)) {
    Unexpected("", "");
    return nullptr;
  }
  return e;
}

ExprPtr Parser::ParseSelectorTop() {
  ExprPtr e;
  if (At(ItemType::kIdentifier) || At(ItemType::kMetricIdentifier) || IsAggregatorItem(tok_.type) ||
      KeywordIsMetricName(tok_.type)) {
    Item name = tok_;
    Advance();
    e = ParseVectorSelector(&name);
  } else if (At(ItemType::kLeftBrace)) {
    e = ParseVectorSelector(nullptr);
  } else {
    Unexpected("", "");
  }
  if (failed_) return nullptr;
  if (!At(ItemType::kEOF) && !At(ItemType::kError)) {
    Unexpected("", "");
    return nullptr;
  }
  return e;
}

ExprPtr Parser::ParseExpr(int min_prec) {
  ExprPtr lhs = ParseUnary();
  while (lhs && !failed_) {
    BinOpInfo info;
    if (!BinaryOperator(tok_.type, &info) || info.prec < min_prec) break;
    Item op_item = tok_;
    Advance();
    lhs = ParseBinaryRest(std::move(lhs), info.op, op_item, info.prec);
  }
  return failed_ ? nullptr : std::move(lhs);
}

ExprPtr Parser::ParseBinaryRest(ExprPtr lhs, BinOp op, Item op_item, int prec) {
  auto b = std::make_unique<BinaryExpr>();
  b->op = op;
  b->matching.emplace();
  if (At(ItemType::kBool)) {
    b->return_bool = true;
    Advance();
  }
  if (At(ItemType::kOn) || At(ItemType::kIgnoring)) {
    b->matching->on = At(ItemType::kOn);
    Advance();
    if (!ParseGroupingLabels(&b->matching->matching_labels)) return nullptr;
    if (At(ItemType::kGroupLeft) || At(ItemType::kGroupRight)) {
      b->matching->card = At(ItemType::kGroupLeft) ? Cardinality::kManyToOne : Cardinality::kOneToMany;
      Advance();
      if (At(ItemType::kLeftParen) && !ParseGroupingLabels(&b->matching->include)) return nullptr;
    }
  }
  (void)op_item;
  ExprPtr rhs = ParseExpr(op == BinOp::kPow ? prec : prec + 1);
  if (!rhs) return nullptr;
  b->pos = {lhs->pos.start, rhs->pos.end};
  b->lhs = std::move(lhs);
  b->rhs = std::move(rhs);
  return b;
}

ExprPtr Parser::ParseUnary() {
  if (At(ItemType::kAdd) || At(ItemType::kSub)) {
    Item op = tok_;
    Advance();
    ExprPtr operand = ParseExpr(kPrecPow);
    if (!operand) return nullptr;
    if (operand->kind == NodeKind::kNumberLiteral) {
      auto& n = As<NumberLiteral>(*operand);
      if (op.type == ItemType::kSub) n.val = -n.val;
      n.pos.start = op.pos;
      return operand;
    }
    auto u = std::make_unique<UnaryExpr>();
    u->negate = op.type == ItemType::kSub;
    u->pos = {op.pos, operand->pos.end};
    u->expr = std::move(operand);
    return u;
  }
  ExprPtr e = ParsePrimary();
  if (!e) return nullptr;
  return ParsePostfix(std::move(e));
}

ExprPtr Parser::ParsePostfix(ExprPtr e) {
  while (e && !failed_) {
    if (At(ItemType::kLeftBracket)) {
      e = ParseRangeOrSubquery(std::move(e));
    } else if (At(ItemType::kOffset)) {
      e = ParseOffset(std::move(e));
    } else if (At(ItemType::kAt)) {
      e = ParseAt(std::move(e));
    } else {
      break;
    }
  }
  return failed_ ? nullptr : std::move(e);
}

ExprPtr Parser::ParsePrimary() {
  Item t = tok_;
  switch (t.type) {
    case ItemType::kNumber: {
      Advance();
      auto n = std::make_unique<NumberLiteral>();
      n->pos = {t.pos, t.end()};
      auto v = ParseNumber(t.val);
      if (v.ok()) {
        n->val = *v;
      } else {
        AddError(n->pos, "error parsing number: " + v.status().message());
      }
      return n;
    }
    case ItemType::kDuration: {
      Advance();
      auto n = std::make_unique<NumberLiteral>();
      n->pos = {t.pos, t.end()};
      n->duration = true;
      auto d = model::ParseDuration(t.val);
      if (d.ok()) {
        n->val = static_cast<double>(d->count()) / 1000.0;
      } else {
        AddError(n->pos, d.status().message());
      }
      return n;
    }
    case ItemType::kString: {
      Advance();
      auto s = std::make_unique<StringLiteral>();
      s->pos = {t.pos, t.end()};
      auto v = UnquoteString(t.val);
      if (v.ok()) {
        s->val = std::move(*v);
      } else {
        AddError(s->pos, fmt::format("error unquoting string {}: {}", util::GoQuote(t.val), v.status().message()));
      }
      return s;
    }
    case ItemType::kLeftParen: {
      Advance();
      ExprPtr inner = ParseExpr(kPrecOr);
      if (!inner) return nullptr;
      if (!At(ItemType::kRightParen)) {
        Unexpected("", "");
        return nullptr;
      }
      auto p = std::make_unique<ParenExpr>();
      p->pos = {t.pos, tok_.end()};
      p->expr = std::move(inner);
      Advance();
      return p;
    }
    case ItemType::kLeftBrace: return ParseVectorSelector(nullptr);
    case ItemType::kIdentifier:
      Advance();
      if (At(ItemType::kLeftParen)) return ParseCall(t);
      return ParseVectorSelector(&t);
    case ItemType::kMetricIdentifier: Advance(); return ParseVectorSelector(&t);
    default: break;
  }
  AggOp agg;
  if (AggregatorOp(t.type, &agg)) {
    Advance();
    if (At(ItemType::kLeftParen) || At(ItemType::kBy) || At(ItemType::kWithout)) return ParseAggregate(t, agg);
    return ParseVectorSelector(&t);
  }
  if (KeywordIsMetricName(t.type)) {
    Advance();
    return ParseVectorSelector(&t);
  }
  Unexpected("", "");
  return nullptr;
}

ExprPtr Parser::ParseVectorSelector(const Item* name) {
  auto vs = std::make_unique<VectorSelector>();
  if (name != nullptr) {
    vs->name = std::string(name->val);
    vs->pos = {name->pos, name->end()};
  }
  if (At(ItemType::kLeftBrace)) {
    if (name == nullptr) vs->pos.start = tok_.pos;
    if (!ParseLabelMatchers(*vs)) return nullptr;
    vs->pos.end = prev_end_;
  }
  if (!vs->name.empty()) {
    auto m = model::Matcher::Make(model::MatchType::kEqual, model::kMetricName, vs->name);
    vs->matchers.push_back(std::move(*m));
  }
  return vs;
}

bool Parser::ParseLabelMatchers(VectorSelector& vs) {
  Advance();  // '{'
  while (!At(ItemType::kRightBrace)) {
    std::string name;
    Item name_item = tok_;
    bool name_only = false;
    if (At(ItemType::kIdentifier)) {
      name = std::string(tok_.val);
      Advance();
    } else if (At(ItemType::kString)) {
      auto v = UnquoteString(tok_.val);
      name = v.ok() ? std::move(*v) : std::string();
      Advance();
      model::MatchType unused;
      if (!MatchOp(tok_.type, &unused)) {
        // A lone string is the metric name (`{"metric.name"}`).
        auto m = model::Matcher::Make(model::MatchType::kEqual, model::kMetricName, name);
        vs.matchers.push_back(std::move(*m));
        name_only = true;
      }
    } else {
      Unexpected("label matching", "identifier or \"}\"");
      return false;
    }
    if (!name_only) {
      model::MatchType type;
      if (!MatchOp(tok_.type, &type)) {
        Unexpected("label matching", "label matching operator");
        return false;
      }
      Advance();
      if (!At(ItemType::kString)) {
        Unexpected("label matching", "string");
        return false;
      }
      Item value_item = tok_;
      Advance();
      auto value = UnquoteString(value_item.val);
      std::string v = value.ok() ? std::move(*value) : std::string();
      auto m = model::Matcher::Make(type, name, v);
      if (m.ok()) {
        vs.matchers.push_back(std::move(*m));
      } else {
        AddError({name_item.pos, value_item.end()}, m.status().message());
      }
    }
    if (At(ItemType::kComma)) {
      Advance();
      continue;
    }
    if (!At(ItemType::kRightBrace)) {
      Unexpected("label matching", "\",\" or \"}\"");
      return false;
    }
  }
  Advance();  // '}'
  return true;
}

}  // namespace internal
}  // namespace kubescrape::promql
