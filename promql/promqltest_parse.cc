// Parsing PromQL test scripts: commands, series descriptions, expectations.
#include <fmt/format.h>

#include "model/label_names.h"
#include "model/value.h"
#include "promql/lexer.h"
#include "promql/parser.h"
#include "promql/promqltest_internal.h"
#include "util/utf8.h"

namespace kubescrape::promql::testscript {
namespace {

std::string_view Trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// Reads a number at s[*i]: [+-]? (decimal | Inf | NaN).
bool ReadNumber(std::string_view s, size_t* i, double* out) {
  size_t j = *i;
  if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
  size_t body = j;
  if (j < s.size() && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z'))) {
    while (j < s.size() && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z')) && s[j] != 'x') ++j;
  } else {
    while (j < s.size() && ((s[j] >= '0' && s[j] <= '9') || s[j] == '.')) ++j;
    if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
      size_t k = j + 1;
      if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
      if (k < s.size() && s[k] >= '0' && s[k] <= '9') {
        while (k < s.size() && s[k] >= '0' && s[k] <= '9') ++k;
        j = k;
      }
    }
  }
  if (j == body) return false;
  auto v = ParseFloat(s.substr(*i, j - *i));
  if (!v.ok()) return false;
  *out = *v;
  *i = j;
  return true;
}

bool ReadUint(std::string_view s, size_t* i, uint64_t* out) {
  size_t j = *i;
  uint64_t n = 0;
  while (j < s.size() && s[j] >= '0' && s[j] <= '9') n = n * 10 + static_cast<uint64_t>(s[j++] - '0');
  if (j == *i) return false;
  *i = j;
  *out = n;
  return true;
}

// One value item: _ _xN stale N NxM N+MxK N-MxK.
util::Status ParseItem(std::string_view item, std::vector<SeqValue>* out) {
  auto bad = [&] { return util::InvalidArgumentError(fmt::format("invalid series value {}", util::GoQuote(item))); };
  if (item == "stale") {
    out->push_back({model::StaleNaN(), false});
    return util::Status::Ok();
  }
  size_t i = 0;
  uint64_t times = 0;
  if (item[0] == '_') {
    if (item.size() == 1) {
      out->push_back({0, true});
      return util::Status::Ok();
    }
    i = 1;
    if (item[i] != 'x' || (++i, !ReadUint(item, &i, &times)) || i != item.size()) return bad();
    for (uint64_t k = 0; k < times; ++k) out->push_back({0, true});
    return util::Status::Ok();
  }
  double a;
  if (!ReadNumber(item, &i, &a)) return bad();
  if (i == item.size()) {
    out->push_back({a, false});
    return util::Status::Ok();
  }
  if (item[i] == 'x') {
    ++i;
    if (!ReadUint(item, &i, &times) || i != item.size()) return bad();
    for (uint64_t k = 0; k <= times; ++k) out->push_back({a, false});
    return util::Status::Ok();
  }
  if (item[i] != '+' && item[i] != '-') return bad();
  const bool neg = item[i] == '-';
  ++i;
  double b;
  size_t j = i;
  if (j < item.size() && (item[j] == '+' || item[j] == '-')) return bad();
  if (!ReadNumber(item, &i, &b)) return bad();
  if (neg) b = -b;
  if (i >= item.size() || item[i] != 'x') return bad();
  ++i;
  if (!ReadUint(item, &i, &times) || i != item.size()) return bad();
  for (uint64_t k = 0; k <= times; ++k) {
    out->push_back({a, false});
    a += b;
  }
  return util::Status::Ok();
}

bool IsNameToken(ItemType t) {
  return t == ItemType::kIdentifier || t == ItemType::kMetricIdentifier || IsKeywordItem(t) ||
         IsAggregatorItem(t) || t == ItemType::kLand || t == ItemType::kLor || t == ItemType::kLunless ||
         t == ItemType::kAtan2;
}

util::StatusOr<model::Labels> ParseMetric(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return util::InvalidArgumentError(fmt::format("invalid metric {}: {}", util::GoQuote(text), why));
  };
  Lexer lex(text);
  Item t = lex.Next();
  std::vector<std::pair<std::string, std::string>> pairs;
  if (IsNameToken(t.type)) {
    pairs.emplace_back(std::string(model::kMetricName), std::string(t.val));
    t = lex.Next();
  }
  if (t.type == ItemType::kLeftBrace) {
    t = lex.Next();
    while (t.type != ItemType::kRightBrace) {
      std::string name;
      if (t.type == ItemType::kIdentifier) {
        name = std::string(t.val);
      } else if (t.type == ItemType::kString) {
        KS_ASSIGN_OR_RETURN(name, UnquoteString(t.val));
      } else {
        return bad(t.type == ItemType::kError ? std::string(t.val) : "expected a label name");
      }
      t = lex.Next();
      if (t.type != ItemType::kAssign) {
        // A lone quoted string is the metric name.
        pairs.emplace_back(std::string(model::kMetricName), name);
      } else {
        t = lex.Next();
        if (t.type != ItemType::kString) return bad("expected a string");
        KS_ASSIGN_OR_RETURN(std::string value, UnquoteString(t.val));
        pairs.emplace_back(std::move(name), std::move(value));
        t = lex.Next();
      }
      if (t.type == ItemType::kComma) {
        t = lex.Next();
      } else if (t.type != ItemType::kRightBrace) {
        return bad(t.type == ItemType::kError ? std::string(t.val) : "expected \",\" or \"}\"");
      }
    }
    t = lex.Next();
  }
  if (t.type != ItemType::kEOF) return bad("unexpected text");
  std::vector<model::Label> labels;
  for (const auto& [n, v] : pairs) labels.push_back({n, v});
  return model::Labels::FromUnsorted(std::move(labels));
}

}  // namespace

bool AnnotationExpectation::Matches(std::string_view s) const {
  if (any) return true;
  if (regex) return regex->FullMatch(s);
  return message == s;
}

util::StatusOr<SeriesDesc> ParseSeriesDesc(std::string_view line) {
  line = Trim(line);
  // The metric ends at the first blank outside braces and quotes.
  size_t i = 0;
  int depth = 0;
  char quote = 0;
  for (; i < line.size(); ++i) {
    char c = line[i];
    if (quote != 0) {
      if (c == '\\' && quote != '`') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
      continue;
    }
    if (c == '"' || c == '\'' || c == '`') {
      quote = c;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}') {
      --depth;
    } else if ((c == ' ' || c == '\t') && depth == 0) {
      break;
    }
  }
  SeriesDesc d;
  KS_ASSIGN_OR_RETURN(d.labels, ParseMetric(line.substr(0, i)));
  std::string_view rest = Trim(line.substr(i));
  while (!rest.empty()) {
    size_t end = 0;
    if (rest.starts_with("{{")) {
      d.histogram = true;
      size_t close = rest.find("}}");
      end = close == std::string_view::npos ? rest.size() : close + 2;
      while (end < rest.size() && rest[end] != ' ' && rest[end] != '\t') {
        size_t next = rest.find("}}", end);
        end = rest[end] == '{' && next != std::string_view::npos ? next + 2 : end + 1;
      }
    } else {
      while (end < rest.size() && rest[end] != ' ' && rest[end] != '\t') ++end;
      KS_RETURN_IF_ERROR(ParseItem(rest.substr(0, end), &d.values));
    }
    rest = Trim(rest.substr(end));
  }
  return d;
}

}  // namespace kubescrape::promql::testscript
