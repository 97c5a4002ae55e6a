// Label selectors follow the grammar and messages of apimachinery's
// labels.Parse: a lexer producing tokens, then a recursive-descent parser
// whose context decides whether `in`/`notin` are operators or values.
#include "test/fake_apiserver/selector.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <set>

#include "test/fake_apiserver/validation.h"

namespace kubescrape::fake_apiserver {
namespace {

enum class Tok {
  kError,
  kEnd,
  kClosePar,
  kComma,
  kNot,
  kDoubleEquals,
  kEquals,
  kGreater,
  kIdentifier,
  kIn,
  kLess,
  kNotEquals,
  kNotIn,
  kOpenPar
};

struct Item {
  Tok tok;
  std::string lit;
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsSpecial(char c) {
  return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

std::optional<Tok> Keyword(std::string_view s) {
  static const std::pair<std::string_view, Tok> kTokens[] = {
      {")", Tok::kClosePar}, {",", Tok::kComma},    {"!", Tok::kNot},    {"==", Tok::kDoubleEquals},
      {"=", Tok::kEquals},   {">", Tok::kGreater},  {"in", Tok::kIn},    {"<", Tok::kLess},
      {"!=", Tok::kNotEquals}, {"notin", Tok::kNotIn}, {"(", Tok::kOpenPar}};
  for (const auto& [text, tok] : kTokens) {
    if (text == s) return tok;
  }
  return std::nullopt;
}

// Splits `s` into tokens, ending with kEnd. Like the Go lexer, a NUL byte
// ends the input.
std::vector<Item> Lex(std::string_view s) {
  std::vector<Item> out;
  size_t pos = 0;
  auto read = [&]() -> char { return pos < s.size() ? s[pos++] : '\0'; };
  while (true) {
    char ch = read();
    while (IsSpace(ch)) ch = read();
    if (ch == '\0') {
      out.push_back({Tok::kEnd, ""});
      return out;
    }
    if (IsSpecial(ch)) {
      std::string buffer(1, ch);
      std::optional<Tok> last = Keyword(buffer);
      std::string last_lit = buffer;
      while (true) {
        char next = read();
        if (next == '\0') break;
        if (!IsSpecial(next)) {
          --pos;
          break;
        }
        buffer.push_back(next);
        if (std::optional<Tok> t = Keyword(buffer)) {
          last = t;
          last_lit = buffer;
        } else if (last) {
          --pos;
          break;
        }
      }
      if (!last) {
        out.push_back({Tok::kError, fmt::format("error expected: keyword found '{}'", buffer)});
      } else {
        out.push_back({*last, last_lit});
      }
      continue;
    }
    std::string buffer(1, ch);
    while (true) {
      char next = read();
      if (next == '\0') break;
      if (IsSpecial(next) || IsSpace(next)) {
        --pos;
        break;
      }
      buffer.push_back(next);
    }
    std::optional<Tok> kw = Keyword(buffer);
    out.push_back({kw ? *kw : Tok::kIdentifier, buffer});
  }
}

using Op = LabelSelector::Op;
using Requirement = LabelSelector::Requirement;

class Parser {
 public:
  explicit Parser(std::string_view text) : items_(Lex(text)) {}

  util::StatusOr<std::vector<Requirement>> Parse() {
    std::vector<Requirement> reqs;
    while (true) {
      auto [tok, lit] = Lookahead(true);
      switch (tok) {
        case Tok::kIdentifier:
        case Tok::kNot: {
          util::StatusOr<Requirement> r = ParseRequirement();
          if (!r.ok()) return Error("unable to parse requirement: " + r.status().message());
          reqs.push_back(std::move(*r));
          auto [t, l] = Consume(true);
          if (t == Tok::kEnd) return reqs;
          if (t == Tok::kComma) {
            auto [t2, l2] = Lookahead(true);
            if (t2 != Tok::kIdentifier && t2 != Tok::kNot) {
              return Error(fmt::format("found '{}', expected: identifier after ','", l2));
            }
            break;
          }
          return Error(fmt::format("found '{}', expected: ',' or 'end of string'", l));
        }
        case Tok::kEnd:
          return reqs;
        default:
          return Error(fmt::format("found '{}', expected: !, identifier, or 'end of string'", lit));
      }
    }
  }

 private:
  static util::Status Error(std::string message) { return util::InvalidArgumentError(std::move(message)); }

  // In value context, `in` and `notin` are identifiers.
  std::pair<Tok, std::string> Lookahead(bool values) const {
    const Item& it = items_[std::min(pos_, items_.size() - 1)];
    Tok t = it.tok;
    if (values && (t == Tok::kIn || t == Tok::kNotIn)) t = Tok::kIdentifier;
    return {t, it.lit};
  }
  std::pair<Tok, std::string> Consume(bool values) {
    auto r = Lookahead(values);
    if (pos_ < items_.size() - 1) ++pos_;
    return r;
  }

  util::StatusOr<Requirement> ParseRequirement() {
    Requirement r;
    bool not_exists = false;
    auto [tok, lit] = Consume(true);
    if (tok == Tok::kNot) {
      not_exists = true;
      std::tie(tok, lit) = Consume(true);
    }
    if (tok != Tok::kIdentifier) return Error(fmt::format("found '{}', expected: identifier", lit));
    if (auto errs = QualifiedNameErrors(lit); !errs.empty()) {
      return Error(InvalidValueError("<nil>", lit, JoinMessages(errs)));
    }
    r.key = lit;
    auto [next, next_lit] = Lookahead(true);
    if (not_exists || next == Tok::kEnd || next == Tok::kComma) {
      r.op = not_exists ? Op::kDoesNotExist : Op::kExists;
      return r;
    }
    auto [op_tok, op_lit] = Consume(false);
    switch (op_tok) {
      case Tok::kIn: r.op = Op::kIn; break;
      case Tok::kEquals: r.op = Op::kEquals; break;
      case Tok::kDoubleEquals: r.op = Op::kDoubleEquals; break;
      case Tok::kGreater: r.op = Op::kGreaterThan; break;
      case Tok::kLess: r.op = Op::kLessThan; break;
      case Tok::kNotIn: r.op = Op::kNotIn; break;
      case Tok::kNotEquals: r.op = Op::kNotEquals; break;
      default:
        return Error(fmt::format("found '{}', expected: in, notin, =, ==, !=, gt, lt", op_lit));
    }
    std::set<std::string> values;
    if (r.op == Op::kIn || r.op == Op::kNotIn) {
      util::Status s = ParseValues(values);
      if (!s.ok()) return s;
    } else {
      util::Status s = ParseExactValue(values);
      if (!s.ok()) return s;
    }
    r.values.assign(values.begin(), values.end());
    // NewRequirement's checks.
    std::vector<std::string> errs;
    if (r.op == Op::kGreaterThan || r.op == Op::kLessThan) {
      for (size_t i = 0; i < r.values.size(); ++i) {
        const std::string& v = r.values[i];
        errno = 0;
        char* end = nullptr;
        std::strtoll(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || errno == ERANGE) {
          errs.push_back(InvalidValueError(fmt::format("values[{}]", i), v,
                                           "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      }
    }
    for (size_t i = 0; i < r.values.size(); ++i) {
      if (auto v = LabelValueErrors(r.values[i]); !v.empty()) {
        errs.push_back(
            InvalidValueError(fmt::format("values[{}][{}]", i, r.key), r.values[i], JoinMessages(v)));
      }
    }
    if (!errs.empty()) return Error(AggregateError(errs));
    return r;
  }

  util::Status ParseValues(std::set<std::string>& out) {
    auto [tok, lit] = Consume(true);
    if (tok != Tok::kOpenPar) return Error(fmt::format("found '{}' expected: '('", lit));
    std::tie(tok, lit) = Lookahead(true);
    if (tok == Tok::kIdentifier || tok == Tok::kComma) {
      KS_RETURN_IF_ERROR(ParseIdentifiersList(out));
      if (Consume(true).first != Tok::kClosePar) return Error(fmt::format("found '{}', expected: ')'", lit));
      return util::Status::Ok();
    }
    if (tok == Tok::kClosePar) {
      Consume(true);
      out.insert("");
      return util::Status::Ok();
    }
    return Error(fmt::format("found '{}', expected: ',', ')' or identifier", lit));
  }

  util::Status ParseIdentifiersList(std::set<std::string>& out) {
    while (true) {
      auto [tok, lit] = Consume(true);
      if (tok == Tok::kIdentifier) {
        out.insert(lit);
        auto [t2, l2] = Lookahead(true);
        if (t2 == Tok::kComma) continue;
        if (t2 == Tok::kClosePar) return util::Status::Ok();
        return Error(fmt::format("found '{}', expected: ',' or ')'", l2));
      }
      if (tok == Tok::kComma) {
        if (out.empty()) out.insert("");
        auto [t2, l2] = Lookahead(true);
        if (t2 == Tok::kClosePar) {
          out.insert("");
          return util::Status::Ok();
        }
        if (t2 == Tok::kComma) out.insert("");
        continue;
      }
      return Error(fmt::format("found '{}', expected: ',', or identifier", lit));
    }
  }

  util::Status ParseExactValue(std::set<std::string>& out) {
    auto [tok, lit] = Lookahead(true);
    if (tok == Tok::kEnd || tok == Tok::kComma) {
      out.insert("");
      return util::Status::Ok();
    }
    std::tie(tok, lit) = Consume(true);
    if (tok == Tok::kIdentifier) {
      out.insert(lit);
      return util::Status::Ok();
    }
    return Error(fmt::format("found '{}', expected: identifier", lit));
  }

  std::vector<Item> items_;
  size_t pos_ = 0;
};

bool HasValue(const Requirement& r, std::string_view v) {
  return std::binary_search(r.values.begin(), r.values.end(), v);
}

std::optional<long long> ParseInt64(std::string_view s) {
  std::string str(s);
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(str.c_str(), &end, 10);
  if (str.empty() || *end != '\0' || errno == ERANGE) return std::nullopt;
  return v;
}

bool RequirementMatches(const Requirement& r, const StringMap& labels) {
  auto it = labels.find(r.key);
  bool exists = it != labels.end();
  switch (r.op) {
    case Op::kIn:
    case Op::kEquals:
    case Op::kDoubleEquals:
      return exists && HasValue(r, it->second);
    case Op::kNotIn:
    case Op::kNotEquals:
      return !exists || !HasValue(r, it->second);
    case Op::kExists:
      return exists;
    case Op::kDoesNotExist:
      return !exists;
    case Op::kGreaterThan:
    case Op::kLessThan: {
      if (!exists || r.values.size() != 1) return false;
      std::optional<long long> have = ParseInt64(it->second);
      std::optional<long long> want = ParseInt64(r.values[0]);
      if (!have || !want) return false;
      return r.op == Op::kGreaterThan ? *have > *want : *have < *want;
    }
  }
  return false;
}

// fields.splitTerms: commas split terms unless escaped with a backslash.
std::vector<std::string> SplitTerms(std::string_view s) {
  std::vector<std::string> terms;
  if (s.empty()) return terms;
  size_t start = 0;
  bool in_slash = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_slash) {
      in_slash = false;
    } else if (c == '\\') {
      in_slash = true;
    } else if (c == ',') {
      terms.emplace_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  terms.emplace_back(s.substr(start));
  return terms;
}

// fields.UnescapeValue.
util::StatusOr<std::string> UnescapeValue(std::string_view s) {
  std::string out;
  bool in_slash = false;
  for (char c : s) {
    if (in_slash) {
      if (c != '\\' && c != ',' && c != '=') {
        return util::InvalidArgumentError(
            fmt::format("invalid field selector: invalid escape sequence: \\{}", c));
      }
      out.push_back(c);
      in_slash = false;
      continue;
    }
    if (c == '\\') {
      in_slash = true;
    } else if (c == ',' || c == '=') {
      // Go prints the rune with %v: its code point.
      return util::InvalidArgumentError(
          fmt::format("invalid field selector: unescaped character in value: {}", static_cast<int>(c)));
    } else {
      out.push_back(c);
    }
  }
  if (in_slash) return util::InvalidArgumentError("invalid field selector: invalid escape sequence: \\");
  return out;
}

}  // namespace

util::StatusOr<LabelSelector> LabelSelector::Parse(std::string_view text) {
  Parser parser(text);
  KS_ASSIGN_OR_RETURN(std::vector<Requirement> reqs, parser.Parse());
  std::stable_sort(reqs.begin(), reqs.end(), [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
  LabelSelector out;
  out.requirements_ = std::move(reqs);
  return out;
}

bool LabelSelector::Matches(const StringMap& labels) const {
  for (const Requirement& r : requirements_) {
    if (!RequirementMatches(r, labels)) return false;
  }
  return true;
}

util::StatusOr<FieldSelector> FieldSelector::Parse(std::string_view text) {
  std::vector<std::string> parts = SplitTerms(text);
  std::sort(parts.begin(), parts.end());
  FieldSelector out;
  for (const std::string& part : parts) {
    if (part.empty()) continue;
    // The first operator occurrence splits; != and == are tried before =.
    size_t at = std::string::npos;
    size_t op_len = 0;
    bool negated = false;
    for (size_t i = 0; i < part.size() && at == std::string::npos; ++i) {
      std::string_view rest = std::string_view(part).substr(i);
      if (rest.starts_with("!=")) {
        at = i, op_len = 2, negated = true;
      } else if (rest.starts_with("==")) {
        at = i, op_len = 2;
      } else if (rest.starts_with("=")) {
        at = i, op_len = 1;
      }
    }
    if (at == std::string::npos) {
      return util::InvalidArgumentError(fmt::format("invalid selector: '{}'; can't understand '{}'", text, part));
    }
    KS_ASSIGN_OR_RETURN(std::string value, UnescapeValue(std::string_view(part).substr(at + op_len)));
    out.terms_.push_back(Term{part.substr(0, at), negated, std::move(value)});
  }
  return out;
}

util::Status FieldSelector::Convert(std::optional<std::string> (*convert)(std::string_view field)) {
  for (Term& t : terms_) {
    std::optional<std::string> name = convert(t.field);
    if (!name) return util::InvalidArgumentError("field label not supported: " + t.field);
    t.field = std::move(*name);
  }
  return util::Status::Ok();
}

bool FieldSelector::Matches(const StringMap& fields) const {
  for (const Term& t : terms_) {
    auto it = fields.find(t.field);
    std::string_view have = it == fields.end() ? std::string_view() : std::string_view(it->second);
    if ((have == t.value) == t.negated) return false;
  }
  return true;
}

std::optional<std::string> FieldSelector::RequiresExactMatch(std::string_view field) const {
  for (const Term& t : terms_) {
    if (t.field == field && !t.negated) return t.value;
  }
  return std::nullopt;
}

}  // namespace kubescrape::fake_apiserver
