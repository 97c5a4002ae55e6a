// Range selectors, subqueries, `offset` and `@`, and the parser's entry
// points.
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "model/duration.h"
#include "promql/parser_internal.h"

namespace kubescrape::promql {
namespace internal {
namespace {

// Go's %f: six decimals; "+Inf", "-Inf", "NaN".
std::string GoPercentF(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{:.6f}", v);
}

}  // namespace

bool Parser::ParseDurationMs(bool allow_sign, int64_t* ms, PosRange* pos) {
  const int start = tok_.pos;
  bool negative = false;
  if (allow_sign && (At(ItemType::kAdd) || At(ItemType::kSub))) {
    negative = At(ItemType::kSub);
    Advance();
  }
  if (At(ItemType::kNumber)) {
    auto v = ParseNumber(tok_.val);
    *ms = v.ok() ? SecondsToMs(*v) : 0;
    if (!v.ok()) AddError({tok_.pos, tok_.end()}, "error parsing number: " + v.status().message());
  } else if (At(ItemType::kDuration)) {
    auto d = model::ParseDuration(tok_.val);
    *ms = d.ok() ? d->count() : 0;
    if (!d.ok()) AddError({tok_.pos, tok_.end()}, d.status().message());
  } else {
    return false;
  }
  *pos = {start, tok_.end()};
  Advance();
  if (negative) *ms = -*ms;
  return true;
}

ExprPtr Parser::ParseRangeOrSubquery(ExprPtr e) {
  const Item lb = tok_;
  Advance();
  int64_t range = 0;
  PosRange range_pos;
  if (!ParseDurationMs(true, &range, &range_pos)) {
    Unexpected("subquery or range selector", "number, duration, step(), or range()");
    return nullptr;
  }
  if (range <= 0) AddError(range_pos, "duration must be greater than 0");
  if (At(ItemType::kRightBracket)) {
    const Item rb = tok_;
    Advance();
    const char* err = nullptr;
    if (e->kind != NodeKind::kVectorSelector) {
      err = "ranges only allowed for vector selectors";
    } else if (As<VectorSelector>(*e).original_offset_ms != 0) {
      err = "no offset modifiers allowed before range";
    } else if (As<VectorSelector>(*e).timestamp || As<VectorSelector>(*e).start_or_end != AtPreprocessor::kNone) {
      err = "no @ modifiers allowed before range";
    }
    if (err != nullptr) AddError({lb.pos, rb.end()}, err);
    auto ms = std::make_unique<MatrixSelector>();
    ms->pos = {e->pos.start, rb.end()};
    ms->range_ms = range;
    ms->vector_selector = std::move(e);
    return ms;
  }
  if (!At(ItemType::kColon)) {
    Unexpected("subquery or range", "\":\" or \"]\"");
    return nullptr;
  }
  Advance();
  int64_t step = 0;
  PosRange step_pos;
  if (!At(ItemType::kRightBracket) && !ParseDurationMs(false, &step, &step_pos)) {
    Unexpected("subquery selector", "number, duration, step(), range(), or \"]\"");
    return nullptr;
  }
  if (!At(ItemType::kRightBracket)) {
    Unexpected("subquery selector", "\"]\"");
    return nullptr;
  }
  auto sq = std::make_unique<SubqueryExpr>();
  sq->pos = {e->pos.start, tok_.end()};
  Advance();
  sq->range_ms = range;
  sq->step_ms = step;
  sq->expr = std::move(e);
  return sq;
}

ExprPtr Parser::ParseOffset(ExprPtr e) {
  Advance();  // offset
  int64_t offset = 0;
  PosRange pos;
  if (!ParseDurationMs(true, &offset, &pos)) {
    Unexpected("offset", "number, duration, step(), or range()");
    return nullptr;
  }
  int64_t* original = nullptr;
  int* end = nullptr;
  switch (e->kind) {
    case NodeKind::kVectorSelector: {
      auto& vs = As<VectorSelector>(*e);
      original = &vs.original_offset_ms;
      end = &vs.pos.end;
      break;
    }
    case NodeKind::kMatrixSelector: {
      auto& ms = As<MatrixSelector>(*e);
      if (ms.vector_selector->kind != NodeKind::kVectorSelector) {
        AddError(e->pos, "ranges only allowed for vector selectors");
        return e;
      }
      original = &ms.vs().original_offset_ms;
      end = &ms.pos.end;
      break;
    }
    case NodeKind::kSubquery: {
      auto& sq = As<SubqueryExpr>(*e);
      original = &sq.original_offset_ms;
      end = &sq.pos.end;
      break;
    }
    default:
      AddError(e->pos, "offset modifier must be preceded by an instant vector selector or range vector selector or a "
                       "subquery");
      return e;
  }
  if (*original != 0) {
    AddError(e->pos, "offset may not be set multiple times");
  } else {
    *original = offset;
  }
  *end = prev_end_;
  return e;
}

ExprPtr Parser::ParseAt(ExprPtr e) {
  Advance();  // @
  AtPreprocessor pre = AtPreprocessor::kNone;
  double ts = 0;
  if (At(ItemType::kIdentifier) && (tok_.val == "start" || tok_.val == "end")) {
    pre = tok_.val == "start" ? AtPreprocessor::kStart : AtPreprocessor::kEnd;
    Advance();
    if (!At(ItemType::kLeftParen)) {
      Unexpected("@", "\"(\"");
      return nullptr;
    }
    Advance();
    if (!At(ItemType::kRightParen)) {
      Unexpected("@", "\")\"");
      return nullptr;
    }
    Advance();
  } else {
    bool negative = false;
    if (At(ItemType::kAdd) || At(ItemType::kSub)) {
      negative = At(ItemType::kSub);
      Advance();
    }
    if (At(ItemType::kNumber)) {
      auto v = ParseNumber(tok_.val);
      if (!v.ok()) AddError({tok_.pos, tok_.end()}, "error parsing number: " + v.status().message());
      ts = v.ok() ? *v : 0;
    } else if (At(ItemType::kDuration)) {
      auto d = model::ParseDuration(tok_.val);
      if (!d.ok()) AddError({tok_.pos, tok_.end()}, d.status().message());
      ts = d.ok() ? static_cast<double>(d->count()) / 1000.0 : 0;
    } else {
      Unexpected("@", "timestamp");
      return nullptr;
    }
    Advance();
    if (negative) ts = -ts;
    if (!std::isfinite(ts) || ts >= static_cast<double>(std::numeric_limits<int64_t>::max()) ||
        ts <= static_cast<double>(std::numeric_limits<int64_t>::min())) {
      AddError(e->pos, "timestamp out of bounds for @ modifier: " + GoPercentF(ts));
    }
  }
  std::optional<int64_t>* timestamp = nullptr;
  AtPreprocessor* preprocessor = nullptr;
  int* end = nullptr;
  switch (e->kind) {
    case NodeKind::kVectorSelector: {
      auto& vs = As<VectorSelector>(*e);
      timestamp = &vs.timestamp, preprocessor = &vs.start_or_end, end = &vs.pos.end;
      break;
    }
    case NodeKind::kMatrixSelector: {
      auto& ms = As<MatrixSelector>(*e);
      if (ms.vector_selector->kind != NodeKind::kVectorSelector) {
        AddError(e->pos, "ranges only allowed for vector selectors");
        return e;
      }
      timestamp = &ms.vs().timestamp, preprocessor = &ms.vs().start_or_end, end = &ms.pos.end;
      break;
    }
    case NodeKind::kSubquery: {
      auto& sq = As<SubqueryExpr>(*e);
      timestamp = &sq.timestamp, preprocessor = &sq.start_or_end, end = &sq.pos.end;
      break;
    }
    default:
      AddError(e->pos, "@ modifier must be preceded by an instant vector selector or range vector selector or a "
                       "subquery");
      return e;
  }
  if (timestamp->has_value() || *preprocessor != AtPreprocessor::kNone) {
    AddError(e->pos, "@ <timestamp> may not be set multiple times");
    return e;
  }
  if (pre != AtPreprocessor::kNone) {
    *preprocessor = pre;
  } else {
    *timestamp = std::isfinite(ts) ? std::llround(ts * 1000.0) : 0;
  }
  *end = prev_end_;
  return e;
}

}  // namespace internal

namespace {

util::Status FirstError(std::string_view query, const std::vector<ParseError>& errors) {
  const ParseError& e = errors.front();
  return util::InvalidArgumentError(PositionString(query, e.pos.start) + ": parse error: " + e.message);
}

}  // namespace

util::StatusOr<ExprPtr> ParseExpr(std::string_view query, const ParseOptions& options,
                                  std::vector<ParseError>* errors) {
  internal::Parser p(query, options);
  ExprPtr e = p.ParseTop();
  if (p.errors().empty() && e) p.Check(*e);
  if (errors != nullptr) *errors = p.errors();
  if (!p.errors().empty()) return FirstError(query, p.errors());
  return e;
}

util::StatusOr<std::vector<model::Matcher>> ParseMetricSelector(std::string_view selector) {
  internal::Parser p(selector, ParseOptions{});
  ExprPtr e = p.ParseSelectorTop();
  if (!p.errors().empty()) return FirstError(selector, p.errors());
  return std::move(As<VectorSelector>(*e).matchers);
}

}  // namespace kubescrape::promql
