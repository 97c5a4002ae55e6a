// Function calls, aggregations and grouping label lists.
#include <fmt/format.h>

#include "promql/functions.h"
#include "promql/parser_internal.h"
#include "util/utf8.h"

namespace kubescrape::promql::internal {
namespace {

// Tokens usable as a label name in grouping lists (maybe_label).
bool IsMaybeLabel(ItemType t) {
  if (t == ItemType::kIdentifier || t == ItemType::kMetricIdentifier) return true;
  if (IsKeywordItem(t) || IsAggregatorItem(t)) return true;
  return t == ItemType::kLand || t == ItemType::kLor || t == ItemType::kLunless || t == ItemType::kAtan2;
}

}  // namespace

bool Parser::ParseCallArgs(std::vector<ExprPtr>* args) {
  Advance();  // '('
  if (At(ItemType::kRightParen)) {
    Advance();
    return true;
  }
  while (true) {
    ExprPtr arg = ParseExpr(1);
    if (!arg) return false;
    args->push_back(std::move(arg));
    if (At(ItemType::kComma)) {
      Item comma = tok_;
      Advance();
      if (At(ItemType::kRightParen)) {
        AddError({comma.pos, comma.end()}, "trailing commas not allowed in function call args");
        Advance();
        return true;
      }
      continue;
    }
    if (At(ItemType::kRightParen)) {
      Advance();
      return true;
    }
    Unexpected("", "");
    return false;
  }
}

ExprPtr Parser::ParseCall(const Item& name) {
  auto call = std::make_unique<Call>();
  call->func = FindFunction(name.val);
  if (call->func == nullptr) {
    AddError({name.pos, name.end()}, fmt::format("unknown function with name {}", util::GoQuote(name.val)));
  } else if (call->func->experimental && !options_.enable_experimental_functions) {
    AddError({name.pos, name.end()}, fmt::format("function {} is not enabled", util::GoQuote(name.val)));
  }
  if (!ParseCallArgs(&call->args)) return nullptr;
  call->pos = {name.pos, prev_end_};
  return call;
}

bool Parser::ParseGroupingLabels(std::vector<std::string>* out) {
  if (!At(ItemType::kLeftParen)) {
    Unexpected("grouping opts", "\"(\"");
    return false;
  }
  Advance();
  out->clear();
  while (!At(ItemType::kRightParen)) {
    if (IsMaybeLabel(tok_.type)) {
      out->emplace_back(tok_.val);
    } else if (At(ItemType::kString)) {
      auto v = UnquoteString(tok_.val);
      std::string label = v.ok() ? std::move(*v) : std::string();
      if (label.empty() || !util::IsValidUtf8(label)) {
        AddError({tok_.pos, tok_.end()}, fmt::format("invalid label name for grouping: {}", util::GoQuote(label)));
      }
      out->push_back(std::move(label));
    } else {
      Unexpected("grouping opts", "label");
      return false;
    }
    Advance();
    if (At(ItemType::kComma)) {
      Advance();
      continue;
    }
    if (!At(ItemType::kRightParen)) {
      Unexpected("grouping opts", "\",\" or \")\"");
      return false;
    }
  }
  Advance();  // ')'
  return true;
}

ExprPtr Parser::ParseAggregate(const Item& op_item, AggOp op) {
  auto agg = std::make_unique<AggregateExpr>();
  agg->op = op;
  bool modifier_before = false;
  if (At(ItemType::kBy) || At(ItemType::kWithout)) {
    agg->without = At(ItemType::kWithout);
    Advance();
    if (!ParseGroupingLabels(&agg->grouping)) return nullptr;
    modifier_before = true;
  }
  if (!At(ItemType::kLeftParen)) {
    Unexpected("", "");
    return nullptr;
  }
  std::vector<ExprPtr> args;
  if (!ParseCallArgs(&args)) return nullptr;
  if (!modifier_before && (At(ItemType::kBy) || At(ItemType::kWithout))) {
    agg->without = At(ItemType::kWithout);
    Advance();
    if (!ParseGroupingLabels(&agg->grouping)) return nullptr;
  }
  agg->pos = {op_item.pos, prev_end_};
  if (args.empty()) {
    AddError(agg->pos, "no arguments for aggregate expression provided");
    return agg;
  }
  size_t desired = AggOpHasParam(op) ? 2 : 1;
  if (args.size() != desired) {
    AddError(agg->pos, fmt::format("wrong number of arguments for aggregate expression provided, expected {}, got {}",
                                   desired, args.size()));
    return agg;
  }
  if (desired == 2) agg->param = std::move(args[0]);
  agg->expr = std::move(args[desired - 1]);
  return agg;
}

}  // namespace kubescrape::promql::internal
