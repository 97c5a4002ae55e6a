// Expr::String(): Prometheus's canonical form of an expression
// (promql/parser/printer.go), as /api/v1/format_query returns it.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "model/duration.h"
#include "model/label_names.h"
#include "model/validation.h"
#include "promql/ast.h"
#include "promql/functions.h"
#include "promql/value.h"
#include "util/utf8.h"

namespace kubescrape::promql {
namespace {

std::string Dur(int64_t ms) { return model::FormatDuration(model::Duration(ms)); }

std::string LabelName(std::string_view name) {
  return model::IsValidLegacyLabelName(name) ? std::string(name) : util::GoQuote(name);
}

std::string JoinLabels(const std::vector<std::string>& labels) {
  std::string out;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ", ";
    out += LabelName(labels[i]);
  }
  return out;
}

std::string MatcherString(const model::Matcher& m) {
  return LabelName(m.name()) + std::string(model::MatchTypeString(m.type())) + util::GoQuote(m.value());
}

std::string AtString(const std::optional<int64_t>& ts, AtPreprocessor pre) {
  if (ts) return fmt::format(" @ {:.3f}", static_cast<double>(*ts) / 1000.0);
  if (pre == AtPreprocessor::kStart) return " @ start()";
  if (pre == AtPreprocessor::kEnd) return " @ end()";
  return "";
}

std::string OffsetString(int64_t offset_ms) {
  if (offset_ms > 0) return " offset " + Dur(offset_ms);
  if (offset_ms < 0) return " offset -" + Dur(-offset_ms);
  return "";
}

// The selector without its modifiers.
std::string SelectorBody(const VectorSelector& vs) {
  std::vector<std::string> parts;
  for (const model::Matcher& m : vs.matchers) {
    if (m.name() == model::kMetricName && m.type() == model::MatchType::kEqual && m.value() == vs.name &&
        !m.value().empty()) {
      continue;
    }
    parts.push_back(MatcherString(m));
  }
  if (parts.empty()) return vs.name;
  std::sort(parts.begin(), parts.end());
  std::string out = vs.name + "{";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += ",";
    out += parts[i];
  }
  return out + "}";
}

void Write(const Expr& e, std::string* out);

std::string ToString(const Expr& e) {
  std::string s;
  Write(e, &s);
  return s;
}

void Write(const Expr& e, std::string* out) {
  switch (e.kind) {
    case NodeKind::kNumberLiteral: {
      const auto& n = As<NumberLiteral>(e);
      if (n.duration && std::isfinite(n.val)) {
        int64_t ms = std::llround(n.val * 1000);
        *out += ms < 0 ? "-" + Dur(-ms) : Dur(ms);
      } else {
        *out += FormatFloat(n.val);
      }
      return;
    }
    case NodeKind::kStringLiteral: *out += util::GoQuote(As<StringLiteral>(e).val); return;
    case NodeKind::kVectorSelector: {
      const auto& vs = As<VectorSelector>(e);
      *out += SelectorBody(vs) + AtString(vs.timestamp, vs.start_or_end) + OffsetString(vs.original_offset_ms);
      return;
    }
    case NodeKind::kMatrixSelector: {
      const auto& ms = As<MatrixSelector>(e);
      if (ms.vector_selector->kind != NodeKind::kVectorSelector) {
        *out += ToString(*ms.vector_selector) + "[" + Dur(ms.range_ms) + "]";
        return;
      }
      const VectorSelector& vs = ms.vs();
      *out += SelectorBody(vs) + "[" + Dur(ms.range_ms) + "]" + AtString(vs.timestamp, vs.start_or_end) +
              OffsetString(vs.original_offset_ms);
      return;
    }
    case NodeKind::kSubquery: {
      const auto& sq = As<SubqueryExpr>(e);
      *out += ToString(*sq.expr) + "[" + Dur(sq.range_ms) + ":" + (sq.step_ms != 0 ? Dur(sq.step_ms) : "") + "]" +
              AtString(sq.timestamp, sq.start_or_end) + OffsetString(sq.original_offset_ms);
      return;
    }
    case NodeKind::kParen: *out += "(" + ToString(*As<ParenExpr>(e).expr) + ")"; return;
    case NodeKind::kUnary: {
      const auto& u = As<UnaryExpr>(e);
      *out += (u.negate ? "-" : "+") + ToString(*u.expr);
      return;
    }
    case NodeKind::kBinary: {
      const auto& b = As<BinaryExpr>(e);
      std::string matching;
      if (b.matching) {
        const VectorMatching& vm = *b.matching;
        const bool grouped = vm.card == Cardinality::kManyToOne || vm.card == Cardinality::kOneToMany;
        if (!vm.matching_labels.empty() || vm.on || grouped) {
          matching = fmt::format(" {} ({})", vm.on ? "on" : "ignoring", JoinLabels(vm.matching_labels));
        }
        if (grouped) {
          matching += fmt::format(" group_{} ({})", vm.card == Cardinality::kManyToOne ? "left" : "right",
                                  JoinLabels(vm.include));
        }
      }
      *out += ToString(*b.lhs) + " " + std::string(BinOpString(b.op)) + (b.return_bool ? " bool" : "") + matching +
              " " + ToString(*b.rhs);
      return;
    }
    case NodeKind::kCall: {
      const auto& c = As<Call>(e);
      *out += c.func != nullptr ? std::string(c.func->name) : "<unknown>";
      *out += "(";
      for (size_t i = 0; i < c.args.size(); ++i) {
        if (i > 0) *out += ", ";
        Write(*c.args[i], out);
      }
      *out += ")";
      return;
    }
    case NodeKind::kAggregate: {
      const auto& a = As<AggregateExpr>(e);
      *out += AggOpString(a.op);
      if (a.without) {
        *out += " without (" + JoinLabels(a.grouping) + ") ";
      } else if (!a.grouping.empty()) {
        *out += " by (" + JoinLabels(a.grouping) + ") ";
      }
      *out += "(";
      if (a.param) *out += ToString(*a.param) + ", ";
      *out += ToString(*a.expr) + ")";
      return;
    }
    case NodeKind::kStepInvariant: Write(*As<StepInvariantExpr>(e).expr, out); return;
  }
}

}  // namespace

std::string Expr::String() const { return ToString(*this); }

}  // namespace kubescrape::promql
