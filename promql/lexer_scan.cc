// The lexer's scanning states for escapes, strings, comments, numbers,
// durations, identifiers and keywords (promql/parser/lex.go).
#include <fmt/format.h>

#include <string>

#include "promql/lexer.h"
#include "promql/lexer_internal.h"
#include "util/utf8.h"

namespace kubescrape::promql {
namespace {

using lexer_internal::IsAlpha;
using lexer_internal::IsAlphaNumeric;
using lexer_internal::IsDigit;
using lexer_internal::IsSpace;

struct Keyword {
  std::string_view word;
  ItemType type;
};

// Lower-case keywords (lex.go's `key` table). `inf` and `nan` lex as numbers.
constexpr Keyword kKeywords[] = {
    {"and", ItemType::kLand},         {"or", ItemType::kLor},
    {"unless", ItemType::kLunless},   {"atan2", ItemType::kAtan2},
    {"sum", ItemType::kSum},          {"avg", ItemType::kAvg},
    {"count", ItemType::kCount},      {"min", ItemType::kMin},
    {"max", ItemType::kMax},          {"group", ItemType::kGroup},
    {"stddev", ItemType::kStddev},    {"stdvar", ItemType::kStdvar},
    {"topk", ItemType::kTopk},        {"bottomk", ItemType::kBottomk},
    {"count_values", ItemType::kCountValues}, {"quantile", ItemType::kQuantile},
    {"limitk", ItemType::kLimitk},    {"limit_ratio", ItemType::kLimitRatio},
    {"offset", ItemType::kOffset},    {"by", ItemType::kBy},
    {"without", ItemType::kWithout},  {"on", ItemType::kOn},
    {"ignoring", ItemType::kIgnoring}, {"group_left", ItemType::kGroupLeft},
    {"group_right", ItemType::kGroupRight}, {"bool", ItemType::kBool},
    {"inf", ItemType::kNumber},       {"nan", ItemType::kNumber},
};

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

int DigitVal(int32_t ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return 16;
}

// Go's %#U: "U+0071 'q'".
std::string GoSharpU(int32_t r) {
  if (r < 0) return fmt::format("U+{:04X}", static_cast<uint32_t>(r));
  return fmt::format("U+{:04X} {}", r, GoQuoteRune(r));
}

}  // namespace

Lexer::State Lexer::LexEscape() {
  int n = 0;
  uint32_t base = 0, max_val = 0;
  int32_t ch = NextRune();
  switch (ch) {
    case 'a': case 'b': case 'f': case 'n': case 'r': case 't': case 'v': case '\\':
      return State::kString;
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
      n = 3, base = 8, max_val = 255;
      break;
    case 'x':
      ch = NextRune();
      n = 2, base = 16, max_val = 255;
      break;
    case 'u':
      ch = NextRune();
      n = 4, base = 16, max_val = 0x10FFFF;
      break;
    case 'U':
      ch = NextRune();
      n = 8, base = 16, max_val = 0x10FFFF;
      break;
    case kEof:
      return Errorf("escape sequence not terminated");
    default:
      if (ch == string_open_) return State::kString;
      return Errorf(fmt::format("unknown escape sequence {}", GoSharpU(ch)));
  }
  uint32_t x = 0;
  while (n > 0) {
    uint32_t d = static_cast<uint32_t>(DigitVal(ch));
    if (d >= base) {
      if (ch == kEof) return Errorf("escape sequence not terminated");
      return Errorf(fmt::format("illegal character {} in escape sequence", GoSharpU(ch)));
    }
    x = x * base + d;
    --n;
    if (n > 0) ch = NextRune();
  }
  if (x > max_val || (0xD800 <= x && x < 0xE000)) return Errorf("escape sequence is an invalid Unicode code point");
  return State::kString;
}

Lexer::State Lexer::LexString() {
  while (true) {
    int32_t r = NextRune();
    if (r == '\\') {
      State s = LexEscape();
      if (s == State::kDone) return s;
      continue;
    }
    if (r == 0xFFFD) return Errorf("invalid UTF-8 rune");
    if (r == kEof || r == '\n') return Errorf("unterminated quoted string");
    if (r == string_open_) break;
  }
  Emit(ItemType::kString);
  return brace_open_ ? State::kInsideBraces : State::kStatements;
}

Lexer::State Lexer::LexRawString() {
  while (true) {
    int32_t r = NextRune();
    if (r == 0xFFFD) return Errorf("invalid UTF-8 rune");
    if (r == kEof) return Errorf("unterminated raw string");
    if (r == string_open_) break;
  }
  Emit(ItemType::kString);
  return brace_open_ ? State::kInsideBraces : State::kStatements;
}

Lexer::State Lexer::LexLineComment() {
  ++pos_;  // '#'
  int32_t r = NextRune();
  while (r != '\n' && r != '\r' && r != kEof) r = NextRune();
  Backup();
  Emit(ItemType::kComment);
  return brace_open_ ? State::kInsideBraces : State::kStatements;
}

bool Lexer::ScanDurationKeyword() {
  while (IsAlpha(NextRune())) {
  }
  Backup();
  // Duration-expression keywords (step, range, min, max) are not supported.
  return false;
}

Lexer::State Lexer::LexNumberOrDuration() {
  if (ScanNumber()) {
    Emit(ItemType::kNumber);
    return State::kStatements;
  }
  if (AcceptRemainingDuration()) {
    Backup();
    Emit(ItemType::kDuration);
    return State::kStatements;
  }
  return Errorf(fmt::format("bad number or duration syntax: {}",
                            util::GoQuote(input_.substr(static_cast<size_t>(start_),
                                                        static_cast<size_t>(pos_ - start_)))));
}

bool Lexer::AcceptRemainingDuration() {
  if (!Accept("smhdwy")) return false;
  Accept("s");  // "ms"; bad units like "hs" fail when the duration is parsed
  while (Accept("0123456789")) {
    while (Accept("0123456789")) {
    }
    if (!Accept("smhdw")) return false;
    Accept("s");
  }
  return !IsAlphaNumeric(NextRune());
}

bool Lexer::ScanNumber() {
  const int initial = pos_;
  std::string_view digits = "0123456789";
  if (Accept("0") && Accept("xX")) {
    Accept("_");
    digits = "0123456789abcdefABCDEF";
  }
  Accept(".");
  Accept(digits);
  bool dot = false, exponent = false;
  std::string any = std::string(digits) + "._eE";
  while (Is(any)) {
    if (Is(".") && dot) {
      Accept(".");
      return false;
    }
    if (Is("eE") && exponent) {
      Accept("eE");
      return false;
    }
    if (Accept(".")) {
      dot = true;
      if (Accept("_.")) return false;
      if (digits.size() > 10) return false;  // no fractional hex literals
      continue;
    }
    if (Accept("eE")) {
      exponent = true;
      Accept("+-");
      if (Accept("._eE") || Peek() == kEof) return false;
      continue;
    }
    if (Accept("_")) {
      if (Accept("._eE") || Peek() == kEof) return false;
      continue;
    }
    AcceptRun(digits);
  }
  if (pos_ == initial) return false;
  return !IsAlphaNumeric(Peek());
}

Lexer::State Lexer::LexIdentifier() {
  while (IsAlphaNumeric(NextRune())) {
  }
  Backup();
  Emit(ItemType::kIdentifier);
  return brace_open_ ? State::kInsideBraces : State::kStatements;
}

Lexer::State Lexer::LexKeywordOrIdentifier() {
  int32_t r;
  do {
    r = NextRune();
  } while (IsAlphaNumeric(r) || r == ':');
  Backup();
  std::string_view word = input_.substr(static_cast<size_t>(start_), static_cast<size_t>(pos_ - start_));
  std::string lower = AsciiLower(word);
  for (const Keyword& k : kKeywords) {
    if (k.word == lower) {
      Emit(k.type);
      return State::kStatements;
    }
  }
  Emit(word.find(':') == std::string_view::npos ? ItemType::kIdentifier : ItemType::kMetricIdentifier);
  return State::kStatements;
}

Lexer::State Lexer::LexDurationExpr() {
  int32_t r = NextRune();
  switch (r) {
    case kEof: return Errorf("unexpected end of input in duration expression");
    case ']':
      Emit(ItemType::kRightBracket);
      bracket_open_ = false;
      got_colon_ = false;
      return State::kStatements;
    case ':':
      Emit(ItemType::kColon);
      if (!got_duration_) return Errorf("unexpected colon before duration in duration expression");
      if (got_colon_) return Errorf("unexpected repeated colon in duration expression");
      got_colon_ = true;
      return State::kDurationExpr;
    case '(':
      Emit(ItemType::kLeftParen);
      ++paren_depth_;
      return State::kDurationExpr;
    case ')':
      Emit(ItemType::kRightParen);
      --paren_depth_;
      if (paren_depth_ < 0) return Errorf(fmt::format("unexpected right parenthesis {}", GoQuoteRune(r)));
      return State::kDurationExpr;
    case '+': Emit(ItemType::kAdd); return State::kDurationExpr;
    case '-': Emit(ItemType::kSub); return State::kDurationExpr;
    case '*': Emit(ItemType::kMul); return State::kDurationExpr;
    case '/': Emit(ItemType::kDiv); return State::kDurationExpr;
    case '%': Emit(ItemType::kMod); return State::kDurationExpr;
    case '^': Emit(ItemType::kPow); return State::kDurationExpr;
    case ',': Emit(ItemType::kComma); return State::kDurationExpr;
    default: break;
  }
  if (IsSpace(r)) {
    SkipSpaces();
    return State::kDurationExpr;
  }
  if (IsDigit(r) || (r == '.' && IsDigit(Peek()))) {
    Backup();
    got_duration_ = true;
    return State::kNumberOrDuration;
  }
  return Errorf(fmt::format("unexpected character in duration expression: {}", GoQuoteRune(r)));
}

}  // namespace kubescrape::promql
