// The Prometheus text format 0.0.4 (TextParser, ExpositionFormat::
// kPrometheusText).
//
// Two layers. PromLexer is a faithful re-implementation of Prometheus's
// generated lexer (model/textparse/promlex.l: start states, NUL handling, the
// appended final '\n'), driven by SlowProm(), which follows promparse.go and
// so produces its exact errors. FastPromSeries() and FastPromMeta() handle the
// common line shapes directly (textparse_prom_fast.cc); on anything unusual
// they give up and the line is parsed again by the general path from its
// first byte, so both layers always agree (the fuzz target checks it).

#include <cmath>
#include <cstring>

#include "model/value.h"
#include "scraper/textparse.h"
#include "scraper/textparse_internal.h"

namespace kubescrape::scraper {
namespace {

using namespace textparse_internal;  // NOLINT: the parser's own helpers

enum State { kInit, kComment, kMeta1, kMeta2, kLabels, kLValue, kValue, kTimestamp };

inline bool IsBlank(int c) { return c == ' ' || c == '\t'; }

// The state machine of promlex.l over body + "\n". Positions past the body
// read as that '\n'; the lexer never reads past it.
class PromLexer {
 public:
  PromLexer(std::string_view body, size_t pos) : i(pos), b_(body.data()), n_(body.size()) {}

  size_t len() const { return n_ + 1; }
  int At(size_t k) const { return k < n_ ? static_cast<uint8_t>(b_[k]) : '\n'; }

  // Bytes [from, to) of body + "\n".
  std::string Slice(size_t from, size_t to) const {
    std::string s(b_ + std::min(from, n_), std::min(to, n_) - std::min(from, n_));
    if (to > n_ && from <= n_) s.push_back('\n');
    return s;
  }

  Token Lex();

  size_t i;          // current position
  size_t start = 0;  // start of the last token
  State state = kInit;

 private:
  // promlexer.next(): advance; inside label values, HELP text and comments,
  // NUL bytes are skipped.
  int Next() {
    ++i;
    if (i >= len()) return 0;
    while (At(i) == 0 && (state == kLValue || state == kMeta2 || state == kComment)) ++i;
    return At(i);
  }
  Token Blanks() {
    int c;
    do c = Next(); while (IsBlank(c));
    return Token::kWhitespace;
  }
  // A "..." string with backslash escapes; i is at the opening quote.
  Token Quoted(State next_state, Token token) {
    for (;;) {
      int c = Next();
      if (c == '"') {
        Next();
        state = next_state;
        return token;
      }
      if (c == '\\') {
        c = Next();
        if (c == 0 || c == '\n') return Token::kInvalid;
      } else if (c == 0) {
        return Token::kInvalid;
      }
    }
  }
  Token ConsumeComment() {
    for (int c = i < len() ? At(i) : 0;; c = Next()) {
      if (c == 0) return Token::kEof;
      if (c == '\n') {
        state = kInit;
        return Token::kComment;
      }
    }
  }

  const char* b_;
  size_t n_;
};

Token PromLexer::Lex() {
  if (i >= len()) return Token::kEof;
  int c = At(i);
  start = i;
  for (;;) {  // re-dispatch after "#[ \t]+" switches to kComment
    switch (state) {
      case kInit:
        if (c == 0) {
          Next();
          return Token::kEof;
        }
        if (c == '\n') {
          Next();
          return Token::kLinebreak;
        }
        if (IsBlank(c)) return Blanks();
        if (c == '#') {
          c = Next();
          if (!IsBlank(c)) return ConsumeComment();
          do c = Next(); while (IsBlank(c));
          state = kComment;
          continue;
        }
        if (Is(static_cast<char>(c), kMetricStart)) {
          do c = Next(); while (Is(static_cast<char>(c), kMetricChar));
          state = kValue;
          return Token::kMetricName;
        }
        if (c == '{') {
          Next();
          state = kLabels;
          return Token::kBraceOpen;
        }
        return Token::kInvalid;
      case kComment:
        if (c == 'H' || c == 'T') {
          const bool help = c == 'H';
          const char* rest = help ? "ELP" : "YPE";
          for (int k = 0; k < 3; ++k) {
            if (Next() != rest[k]) return ConsumeComment();
          }
          c = Next();
          if (!IsBlank(c)) return ConsumeComment();
          do c = Next(); while (IsBlank(c));
          state = kMeta1;
          return help ? Token::kHelp : Token::kType;
        }
        if (IsBlank(c)) return Blanks();
        return ConsumeComment();
      case kMeta1:
        if (c == '"') return Quoted(kMeta2, Token::kMetricName);
        if (Is(static_cast<char>(c), kMetricStart)) {
          do c = Next(); while (Is(static_cast<char>(c), kMetricChar));
          state = kMeta2;
          return Token::kMetricName;
        }
        if (IsBlank(c)) return Blanks();
        return Token::kInvalid;
      case kMeta2:
        if (IsBlank(c)) {
          do c = Next(); while (IsBlank(c));
          if (c == 0 || c == '\n') return Token::kWhitespace;
        }
        while (c != 0 && c != '\n') c = Next();
        state = kInit;
        return Token::kText;
      case kLabels:
        if (c == '"') return Quoted(kLabels, Token::kQuotedString);
        if (c == ',') {
          Next();
          return Token::kComma;
        }
        if (c == '=') {
          Next();
          state = kLValue;
          return Token::kEqual;
        }
        if (IsBlank(c)) return Blanks();
        if (c == '}') {
          Next();
          state = kValue;
          return Token::kBraceClose;
        }
        if (Is(static_cast<char>(c), kLabelStart)) {
          do c = Next(); while (Is(static_cast<char>(c), kLabelChar));
          return Token::kLabelName;
        }
        return Token::kInvalid;
      case kLValue:
        if (c == '"') return Quoted(kLabels, Token::kLabelValue);
        if (IsBlank(c)) return Blanks();
        return Token::kInvalid;
      case kValue:
        if (IsBlank(c)) return Blanks();
        if (c == '{') {
          Next();
          state = kLabels;
          return Token::kBraceOpen;
        }
        if (c == 0 || c == '\n') return Token::kInvalid;
        do c = Next(); while (c != 0 && c != '\n' && c != ' ' && c != '\t' && c != '{');
        state = kTimestamp;
        return Token::kValue;
      case kTimestamp:
        if (c == '\n') {
          Next();
          state = kInit;
          return Token::kLinebreak;
        }
        if (IsBlank(c)) return Blanks();
        if (Is(static_cast<char>(c), kDigit)) {
          do c = Next(); while (Is(static_cast<char>(c), kDigit));
          return Token::kTimestamp;
        }
        return Token::kInvalid;
    }
  }
}

}  // namespace

TextParser::Entry TextParser::SlowProm() {
  PromLexer l(body_, pos_);
  size_t p_start = pos_;
  auto next_token = [&l] {
    Token t;
    do t = l.Lex(); while (t == Token::kWhitespace);
    return t;
  };
  auto parse_error = [&](std::string_view expected, Token got) {
    const size_t e = std::min(l.len(), l.i + 1);
    return Fail(l.start, std::string(expected) + ", got " + Quote(l.Slice(l.start, e)) + " (\"" +
                             std::string(TokenName(got)) + "\") while parsing: " +
                             Quote(l.Slice(p_start, e)));
  };
  auto set_range = [](uint32_t* begin, uint32_t* end, size_t from, size_t to) {
    *begin = static_cast<uint32_t>(from);
    *end = static_cast<uint32_t>(to);
  };

  // promparse.go parseLVals; `name_set` tracks offsets[0] != -1.
  auto parse_labels = [&](bool* name_set) -> bool {
    Token t = next_token();
    for (;;) {
      bool quoted = false;
      if (t == Token::kBraceClose) return true;
      if (t == Token::kQuotedString) {
        quoted = true;
      } else if (t != Token::kLabelName) {
        parse_error("expected label name", t);
        return false;
      }
      t = next_token();
      if (quoted && (t == Token::kComma || t == Token::kBraceClose)) {
        if (*name_set) {
          Fail(l.start, "metric name already set while parsing: " + Quote(l.Slice(p_start, l.i)));
          return false;
        }
        *name_set = true;
        if (t == Token::kBraceClose) return true;
        t = next_token();
        continue;
      }
      if (t != Token::kEqual) {
        parse_error("expected equal", t);
        return false;
      }
      if ((t = next_token()) != Token::kLabelValue) {
        parse_error("expected label value", t);
        return false;
      }
      std::string_view value = body_.substr(l.start, l.i - l.start);
      if (!ValidUtf8(value)) {
        Fail(l.start, "invalid UTF-8 label value: " + Quote(value));
        return false;
      }
      if ((t = next_token()) == Token::kComma) t = next_token();
    }
  };

  // promparse.go parseMetricSuffix.
  auto metric_suffix = [&](bool name_set, Token t) -> Entry {
    if (!name_set) return Fail(p_start, "metric name not set while parsing: " + Quote(l.Slice(p_start, l.i)));
    if (t != Token::kValue) return parse_error("expected value after metric", t);
    std::string_view token = body_.substr(l.start, l.i - l.start);
    double value;
    FloatStatus st = ParseGoFloat(token, true, &value);
    if (st != FloatStatus::kOk) {
      return Fail(l.start, FloatErrorMessage(st, token) + " while parsing: " + Quote(l.Slice(p_start, l.i)));
    }
    value_ = std::isnan(value) ? model::NormalNaN() : value;
    has_timestamp_ = false;
    t = next_token();
    if (t == Token::kTimestamp) {
      token = body_.substr(l.start, l.i - l.start);
      if (!ParseDigits(token, &timestamp_)) {
        return Fail(l.start, "strconv.ParseInt: parsing " + Quote(token) +
                                 ": value out of range while parsing: " + Quote(l.Slice(p_start, l.i)));
      }
      has_timestamp_ = true;
      if ((t = next_token()) != Token::kLinebreak) return parse_error("expected next entry after timestamp", t);
    } else if (t != Token::kLinebreak) {
      return parse_error("expected timestamp or new record", t);
    }
    pos_ = l.i;
    return Entry::kSeries;
  };

  for (;;) {
    p_start = l.i;
    const Token t = next_token();
    switch (t) {
      case Token::kEof:
        pos_ = l.i;
        return Entry::kEof;
      case Token::kLinebreak:
        continue;
      case Token::kHelp:
      case Token::kType: {
        Token t2 = next_token();
        if (t2 != Token::kMetricName) {
          return parse_error("expected metric name after " + std::string(TokenName(t)), t2);
        }
        size_t ms = l.start, me = l.i;
        if (l.At(ms) == '"' && l.At(me - 1) == '"') ++ms, --me;
        set_range(&name_begin_, &name_end_, ms, me);
        if ((t2 = next_token()) != Token::kText) {
          return Fail(l.start, "expected text in " + std::string(TokenName(t)) + ", got " +
                                   std::string(TokenName(t2)));
        }
        const size_t text_begin = l.i - l.start > 1 ? l.start + 1 : l.i;
        set_range(&text_begin_, &text_end_, text_begin, l.i);
        if (t == Token::kType) {
          std::optional<MetricType> type = PromTypeFromString(Text());
          if (!type) return Fail(text_begin, "invalid metric type " + Quote(Text()));
          type_ = *type;
        } else if (!ValidUtf8(Text())) {
          return Fail(text_begin, "help text " + Quote(Text()) + " is not a valid utf8 string");
        }
        if ((t2 = next_token()) != Token::kLinebreak) return parse_error("linebreak expected after metadata", t2);
        pos_ = l.i;
        return t == Token::kHelp ? Entry::kHelp : Entry::kType;
      }
      case Token::kComment: {
        set_range(&text_begin_, &text_end_, l.start, l.i);
        const Token t2 = next_token();
        if (t2 != Token::kLinebreak) return parse_error("linebreak expected after comment", t2);
        pos_ = l.i;
        return Entry::kComment;
      }
      case Token::kBraceOpen: {
        bool name_set = false;
        if (!parse_labels(&name_set)) return Entry::kError;
        set_range(&series_begin_, &series_end_, p_start, l.i);
        return metric_suffix(name_set, next_token());
      }
      case Token::kMetricName: {
        set_range(&series_begin_, &series_end_, p_start, l.i);
        Token t2 = next_token();
        if (t2 == Token::kBraceOpen) {
          bool name_set = true;
          if (!parse_labels(&name_set)) return Entry::kError;
          set_range(&series_begin_, &series_end_, p_start, l.i);
          t2 = next_token();
        }
        return metric_suffix(true, t2);
      }
      default:
        return parse_error("expected a valid start token", t);
    }
  }
}

}  // namespace kubescrape::scraper
