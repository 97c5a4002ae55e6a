#include "promql/lexer.h"

#include <fmt/format.h>

#include <string>

#include "promql/lexer_internal.h"
#include "util/utf8.h"

namespace kubescrape::promql {
namespace {

using lexer_internal::IsAlpha;
using lexer_internal::IsAlphaNumeric;
using lexer_internal::IsDigit;
using lexer_internal::IsSpace;

std::string_view FixedItemText(ItemType t) {
  switch (t) {
    case ItemType::kLeftParen: return "(";
    case ItemType::kRightParen: return ")";
    case ItemType::kLeftBrace: return "{";
    case ItemType::kRightBrace: return "}";
    case ItemType::kLeftBracket: return "[";
    case ItemType::kRightBracket: return "]";
    case ItemType::kComma: return ",";
    case ItemType::kAssign: return "=";
    case ItemType::kColon: return ":";
    case ItemType::kDoubleColon: return "::";
    default: return {};
  }
}

}  // namespace

bool IsOperatorItem(ItemType t) { return t >= ItemType::kAdd && t <= ItemType::kAtan2; }
bool IsAggregatorItem(ItemType t) { return t >= ItemType::kSum && t <= ItemType::kLimitRatio; }
bool IsKeywordItem(ItemType t) { return t >= ItemType::kOffset && t <= ItemType::kBool; }

std::string GoQuoteRune(int32_t r) {
  if (r < 0 || r > 0x10FFFF || (r >= 0xD800 && r < 0xE000)) r = 0xFFFD;
  switch (r) {
    case '\a': return "'\\a'";
    case '\b': return "'\\b'";
    case '\f': return "'\\f'";
    case '\n': return "'\\n'";
    case '\r': return "'\\r'";
    case '\t': return "'\\t'";
    case '\v': return "'\\v'";
    case '\\': return "'\\\\'";
    case '\'': return "'\\''";
    default: break;
  }
  if (r < 0x20 || r == 0x7F) return fmt::format("'\\x{:02x}'", r);
  if (r >= 0x80 && r < 0xA0) return fmt::format("'\\u{:04x}'", r);
  std::string out = "'";
  util::AppendRune(&out, static_cast<char32_t>(r));
  out += "'";
  return out;
}

std::string ItemDesc(const Item& item) {
  switch (item.type) {
    case ItemType::kEOF: return "end of input";
    case ItemType::kError: return std::string(item.val);
    case ItemType::kIdentifier: return "identifier " + util::GoQuote(item.val);
    case ItemType::kMetricIdentifier: return "metric identifier " + util::GoQuote(item.val);
    case ItemType::kComment: return "comment " + util::GoQuote(item.val);
    default: break;
  }
  if (IsKeywordItem(item.type)) return fmt::format("<{}>", item.val);
  if (IsOperatorItem(item.type)) return fmt::format("<op:{}>", item.val);
  if (IsAggregatorItem(item.type)) return fmt::format("<aggr:{}>", item.val);
  if (!FixedItemText(item.type).empty()) return util::GoQuote(item.val);
  std::string_view kind = item.type == ItemType::kNumber     ? "number"
                          : item.type == ItemType::kDuration ? "duration"
                                                             : "string";
  // Go's %.10q: at most 10 runes, quoted, then "...".
  std::string_view v = item.val;
  size_t runes = 0, i = 0;
  for (; i < v.size() && runes < 10; ++runes) {
    size_t w = 1;
    util::DecodeRune(v, i, &w);
    i += w;
  }
  if (i < v.size()) return fmt::format("{} {}...", kind, util::GoQuote(v.substr(0, i)));
  return fmt::format("{} {}", kind, util::GoQuote(v));
}

int32_t Lexer::NextRune() {
  if (pos_ >= static_cast<int>(input_.size())) {
    width_ = 0;
    return kEof;
  }
  size_t w = 1;
  char32_t r = util::DecodeRune(input_, static_cast<size_t>(pos_), &w);
  width_ = static_cast<int>(w);
  pos_ += width_;
  return static_cast<int32_t>(r);
}

int32_t Lexer::Peek() {
  int32_t r = NextRune();
  Backup();
  return r;
}

bool Lexer::Accept(std::string_view valid) {
  int32_t r = NextRune();
  if (r >= 0 && r < 128 && valid.find(static_cast<char>(r)) != std::string_view::npos) return true;
  Backup();
  return false;
}

bool Lexer::Is(std::string_view valid) {
  int32_t r = Peek();
  return r >= 0 && r < 128 && valid.find(static_cast<char>(r)) != std::string_view::npos;
}

void Lexer::AcceptRun(std::string_view valid) {
  while (Accept(valid)) {
  }
}

void Lexer::Emit(ItemType t) {
  item_ = Item{t, start_, input_.substr(static_cast<size_t>(start_), static_cast<size_t>(pos_ - start_))};
  start_ = pos_;
  scanned_ = true;
}

Lexer::State Lexer::Errorf(std::string message) {
  error_ = std::move(message);
  item_ = Item{ItemType::kError, start_, error_};
  scanned_ = true;
  return State::kDone;
}

void Lexer::SkipSpaces() {
  while (IsSpace(Peek())) NextRune();
  Ignore();
}

Item Lexer::Next() {
  if (done_) return item_;
  scanned_ = false;
  while (!scanned_) {
    switch (state_) {
      case State::kStatements: state_ = LexStatements(); break;
      case State::kInsideBraces: state_ = LexInsideBraces(); break;
      case State::kString: state_ = LexString(); break;
      case State::kRawString: state_ = LexRawString(); break;
      case State::kNumberOrDuration: state_ = LexNumberOrDuration(); break;
      case State::kKeywordOrIdentifier: state_ = LexKeywordOrIdentifier(); break;
      case State::kIdentifier: state_ = LexIdentifier(); break;
      case State::kLineComment: state_ = LexLineComment(); break;
      case State::kDurationExpr: state_ = LexDurationExpr(); break;
      case State::kDone: Emit(ItemType::kEOF); break;
    }
  }
  if (item_.type == ItemType::kEOF || item_.type == ItemType::kError) done_ = true;
  return item_;
}

Lexer::State Lexer::LexStatements() {
  if (brace_open_) return State::kInsideBraces;
  if (input_.substr(static_cast<size_t>(pos_)).starts_with("#")) return State::kLineComment;
  int32_t r = NextRune();
  switch (r) {
    case kEof:
      if (paren_depth_ != 0) return Errorf("unclosed left parenthesis");
      if (bracket_open_) return Errorf("unclosed left bracket");
      Emit(ItemType::kEOF);
      return State::kDone;
    case ',': Emit(ItemType::kComma); return State::kStatements;
    case '*': Emit(ItemType::kMul); return State::kStatements;
    case '/': Emit(ItemType::kDiv); return State::kStatements;
    case '%': Emit(ItemType::kMod); return State::kStatements;
    case '+': Emit(ItemType::kAdd); return State::kStatements;
    case '-': Emit(ItemType::kSub); return State::kStatements;
    case '^': Emit(ItemType::kPow); return State::kStatements;
    case '@': Emit(ItemType::kAt); return State::kStatements;
    case '=': {
      int32_t t = Peek();
      if (t == '=') {
        NextRune();
        Emit(ItemType::kEqlc);
      } else if (t == '~') {
        return Errorf(fmt::format("unexpected character after '=': {}", GoQuoteRune(t)));
      } else {
        Emit(ItemType::kAssign);
      }
      return State::kStatements;
    }
    case '!': {
      int32_t t = NextRune();
      if (t != '=') return Errorf(fmt::format("unexpected character after '!': {}", GoQuoteRune(t)));
      Emit(ItemType::kNeq);
      return State::kStatements;
    }
    case '<':
      if (Peek() == '=') {
        NextRune();
        Emit(ItemType::kLte);
      } else {
        Emit(ItemType::kLss);
      }
      return State::kStatements;
    case '>':
      if (Peek() == '=') {
        NextRune();
        Emit(ItemType::kGte);
      } else {
        Emit(ItemType::kGtr);
      }
      return State::kStatements;
    case '"':
    case '\'':
      string_open_ = r;
      return State::kString;
    case '`':
      string_open_ = r;
      return State::kRawString;
    case '(':
      Emit(ItemType::kLeftParen);
      ++paren_depth_;
      return State::kStatements;
    case ')':
      Emit(ItemType::kRightParen);
      --paren_depth_;
      if (paren_depth_ < 0) return Errorf(fmt::format("unexpected right parenthesis {}", GoQuoteRune(r)));
      return State::kStatements;
    case '{':
      Emit(ItemType::kLeftBrace);
      brace_open_ = true;
      return State::kInsideBraces;
    case '[':
      if (bracket_open_) return Errorf(fmt::format("unexpected left bracket {}", GoQuoteRune(r)));
      got_colon_ = false;
      Emit(ItemType::kLeftBracket);
      if (IsSpace(Peek())) SkipSpaces();
      bracket_open_ = true;
      return State::kDurationExpr;
    case ']':
      if (!bracket_open_) return Errorf(fmt::format("unexpected right bracket {}", GoQuoteRune(r)));
      Emit(ItemType::kRightBracket);
      bracket_open_ = false;
      return State::kStatements;
    default: break;
  }
  if (IsSpace(r)) {
    while (IsSpace(Peek())) NextRune();
    Ignore();
    return State::kStatements;
  }
  if (IsDigit(r) || (r == '.' && IsDigit(Peek()))) {
    Backup();
    return State::kNumberOrDuration;
  }
  if (IsAlpha(r) || r == ':') {
    if (!bracket_open_) {
      Backup();
      return State::kKeywordOrIdentifier;
    }
    if (r == ':') {
      if (got_colon_) return Errorf(fmt::format("unexpected colon {}", GoQuoteRune(r)));
      if (Peek() == ':') {
        NextRune();
        Emit(ItemType::kDoubleColon);
      } else {
        Emit(ItemType::kColon);
      }
      got_colon_ = true;
      return State::kStatements;
    }
    if ((r == 's' || r == 'S' || r == 'm' || r == 'M') && ScanDurationKeyword()) return State::kStatements;
    return Errorf(fmt::format("unexpected character: {}, expected {}", GoQuoteRune(r), GoQuoteRune(':')));
  }
  return Errorf(fmt::format("unexpected character: {}", GoQuoteRune(r)));
}

Lexer::State Lexer::LexInsideBraces() {
  if (input_.substr(static_cast<size_t>(pos_)).starts_with("#")) return State::kLineComment;
  int32_t r = NextRune();
  if (r == kEof) return Errorf("unexpected end of input inside braces");
  if (IsSpace(r)) {
    while (IsSpace(Peek())) NextRune();
    Ignore();
    return State::kInsideBraces;
  }
  if (IsAlpha(r)) {
    Backup();
    return State::kIdentifier;
  }
  switch (r) {
    case ',': Emit(ItemType::kComma); return State::kInsideBraces;
    case '"':
    case '\'':
      string_open_ = r;
      return State::kString;
    case '`':
      string_open_ = r;
      return State::kRawString;
    case '=':
      if (NextRune() == '~') {
        Emit(ItemType::kEqlRegex);
      } else {
        Backup();
        Emit(ItemType::kAssign);
      }
      return State::kInsideBraces;
    case '!': {
      int32_t nr = NextRune();
      if (nr == '~') {
        Emit(ItemType::kNeqRegex);
      } else if (nr == '=') {
        Emit(ItemType::kNeq);
      } else {
        return Errorf(fmt::format("unexpected character after '!' inside braces: {}", GoQuoteRune(nr)));
      }
      return State::kInsideBraces;
    }
    case '{': return Errorf(fmt::format("unexpected left brace {}", GoQuoteRune(r)));
    case '}':
      Emit(ItemType::kRightBrace);
      brace_open_ = false;
      return State::kStatements;
    default: return Errorf(fmt::format("unexpected character inside braces: {}", GoQuoteRune(r)));
  }
}

}  // namespace kubescrape::promql
