// OpenMetrics 1.0 (TextParser, ExpositionFormat::kOpenMetrics).
//
// OmLexer re-implements Prometheus's generated lexer
// (model/textparse/openmetricslex.l: single spaces, no blank lines, `# EOF`,
// exemplars after ` # {`), and NextOm() follows openmetricsparse.go, so the
// accepted language and the error messages are Prometheus's. The deliberate
// differences are listed in docs/format/exposition.md.

#include <cmath>
#include <limits>

#include "model/value.h"
#include "scraper/textparse.h"
#include "scraper/textparse_internal.h"

namespace kubescrape::scraper {
namespace {

using namespace textparse_internal;  // NOLINT: the parser's own helpers

enum State { kInit, kComment, kMeta1, kMeta2, kLabels, kLValue, kValue, kTimestamp, kExemplar, kEValue, kETimestamp };

// [^ \n] without NUL, the class of values and timestamps.
inline bool IsValueChar(int c) { return c != 0 && c != ' ' && c != '\n'; }

class OmLexer {
 public:
  OmLexer(std::string_view body, size_t pos) : i(pos), b_(body.data()), n_(body.size()) {}

  size_t len() const { return n_; }
  Token Lex();

  size_t i;
  size_t start = 0;
  State state = kInit;

 private:
  int At(size_t k) const { return static_cast<uint8_t>(b_[k]); }
  // openMetricsLexer.next(): NULs are skipped in label values, HELP text and
  // comments.
  int Next() {
    ++i;
    if (i >= n_) return 0;
    while (At(i) == 0 && (state == kLValue || state == kMeta2 || state == kComment)) {
      if (++i >= n_) return 0;
    }
    return At(i);
  }
  // "..." with escapes; `newline` tells whether a raw '\n' may appear.
  Token Quoted(State next_state, Token token, bool newline) {
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
      } else if (c == 0 || (c == '\n' && !newline)) {
        return Token::kInvalid;
      }
    }
  }
  // `{S}[^ \n]+`: i is at the space.
  bool SpaceThenValue() {
    int c = Next();
    if (!IsValueChar(c)) return false;
    do c = Next(); while (IsValueChar(c));
    return true;
  }
  bool Word(const char* rest) {
    for (; *rest != '\0'; ++rest) {
      if (Next() != *rest) return false;
    }
    return true;
  }

  const char* b_;
  size_t n_;
};

Token OmLexer::Lex() {
  if (i >= n_) return Token::kEof;
  int c = At(i);
  start = i;
  for (;;) {  // re-dispatch after "# " switches to kComment
    switch (state) {
      case kInit:
        if (c == '#') {
          if (Next() != ' ') return Token::kInvalid;
          c = Next();
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
      case kComment: {
        if (c == 'E') {
          if (!Word("OF")) return Token::kInvalid;
          if (Next() == '\n') Next();
          state = kInit;
          return Token::kEofWord;
        }
        const char* rest = c == 'H' ? "ELP " : c == 'T' ? "YPE " : c == 'U' ? "NIT " : nullptr;
        if (rest == nullptr || !Word(rest)) return Token::kInvalid;
        Next();
        state = kMeta1;
        return c == 'H' ? Token::kHelp : c == 'T' ? Token::kType : Token::kUnit;
      }
      case kMeta1:
        if (c == '"') return Quoted(kMeta2, Token::kMetricName, true);
        if (Is(static_cast<char>(c), kMetricStart)) {
          do c = Next(); while (Is(static_cast<char>(c), kMetricChar));
          state = kMeta2;
          return Token::kMetricName;
        }
        return Token::kInvalid;
      case kMeta2:
        if (c != ' ') return Token::kInvalid;
        for (;;) {
          c = Next();
          if (c == '\n') {
            Next();
            state = kInit;
            return Token::kText;
          }
          if (c == 0) return Token::kInvalid;
        }
      case kLabels:
      case kExemplar: {
        const State self = state;
        if (c == '"') return Quoted(self, Token::kQuotedString, self == kLabels);
        if (c == ',') {
          Next();
          return Token::kComma;
        }
        if (c == '=') {
          Next();
          state = self == kLabels ? kLValue : kEValue;
          return Token::kEqual;
        }
        if (c == '}') {
          Next();
          state = self == kLabels ? kValue : kEValue;
          return Token::kBraceClose;
        }
        if (Is(static_cast<char>(c), kLabelStart)) {
          do c = Next(); while (Is(static_cast<char>(c), kLabelChar));
          return Token::kLabelName;
        }
        return Token::kInvalid;
      }
      case kLValue:
        if (c == '"') return Quoted(kLabels, Token::kLabelValue, false);
        return Token::kInvalid;
      case kValue:
        if (c == '{') {
          Next();
          state = kLabels;
          return Token::kBraceOpen;
        }
        if (c == ' ' && SpaceThenValue()) {
          state = kTimestamp;
          return Token::kValue;
        }
        return Token::kInvalid;
      case kTimestamp:
        if (c == '\n') {
          Next();
          state = kInit;
          return Token::kLinebreak;
        }
        if (c != ' ') return Token::kInvalid;
        c = Next();
        if (c == '#') {
          c = Next();
          if (c == ' ') {
            if (Next() != '{') return Token::kInvalid;
            Next();
            state = kExemplar;
            return Token::kComment;
          }
        } else if (!IsValueChar(c)) {
          return Token::kInvalid;
        }
        while (IsValueChar(c)) c = Next();
        return Token::kTimestamp;
      case kEValue:
        if (c == '"') return Quoted(kExemplar, Token::kLabelValue, false);
        if (c == ' ' && SpaceThenValue()) {
          state = kETimestamp;
          return Token::kValue;
        }
        return Token::kInvalid;
      case kETimestamp:
        if (c == '\n') {
          Next();
          state = kInit;
          return Token::kLinebreak;
        }
        if (c == ' ' && SpaceThenValue()) return Token::kTimestamp;
        return Token::kInvalid;
    }
  }
}

std::optional<MetricType> OmTypeFromString(std::string_view s) {
  if (s == "counter") return MetricType::kCounter;
  if (s == "gauge") return MetricType::kGauge;
  if (s == "histogram") return MetricType::kHistogram;
  if (s == "gaugehistogram") return MetricType::kGaugeHistogram;
  if (s == "summary") return MetricType::kSummary;
  if (s == "info") return MetricType::kInfo;
  if (s == "stateset") return MetricType::kStateset;
  if (s == "unknown") return MetricType::kUnknown;
  return std::nullopt;
}

// Go's %f for the special values the callers report.
std::string GoSpecialFloat(double f) { return std::isnan(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf"; }

// Go's int64(seconds * 1000) on amd64: out-of-range conversions give the
// "integer indefinite" value.
int64_t SecondsToMillis(double seconds) {
  double ms = seconds * 1000;
  if (!(ms > -9.223372036854775808e18 && ms < 9.223372036854775808e18)) {
    return std::numeric_limits<int64_t>::min();
  }
  return static_cast<int64_t>(ms);
}

}  // namespace

TextParser::Entry TextParser::NextOm() {
  OmLexer l(body_, pos_);
  const size_t p_start = pos_;
  auto slice = [this](size_t from, size_t to) { return body_.substr(from, to - from); };
  auto parse_error = [&](std::string_view expected, Token got) {
    const size_t e = std::min(l.len(), l.i + 1);
    return Fail(l.start, std::string(expected) + ", got " + Quote(slice(l.start, e)) + " (\"" +
                             std::string(TokenName(got)) + "\") while parsing: " + Quote(slice(p_start, e)));
  };
  // The float of the current token minus its leading space; on error the
  // Prometheus message.
  auto token_float = [&](double* out) -> bool {
    std::string_view token = slice(l.start + 1, l.i);
    FloatStatus st = ParseGoFloat(token, true, out);
    if (st == FloatStatus::kOk) return true;
    Fail(l.start, FloatErrorMessage(st, token) + " while parsing: " + Quote(slice(p_start, l.i)));
    return false;
  };
  auto no_eof = [&] { return Fail(body_.size(), "data does not end with # EOF"); };

  // openmetricsparse.go parseLVals.
  auto parse_labels = [&](bool exemplar, bool* name_set) -> bool {
    Token t = l.Lex();
    for (;;) {
      if (t == Token::kBraceClose) return true;
      if (t != Token::kLabelName && t != Token::kQuotedString) {
        parse_error("expected label name", t);
        return false;
      }
      const bool quoted = t == Token::kQuotedString;
      t = l.Lex();
      if (t == Token::kComma || t == Token::kBraceClose) {
        if (exemplar) {
          parse_error("expected label name", t);
          return false;
        }
        if (quoted) {  // a quoted metric name
          if (*name_set) {
            Fail(l.start, "metric name already set while parsing: " + Quote(slice(p_start, l.i)));
            return false;
          }
          *name_set = true;
          if (t == Token::kBraceClose) return true;
          t = l.Lex();
          continue;
        }
      }
      if (t != Token::kEqual) {
        parse_error("expected equal", t);
        return false;
      }
      if ((t = l.Lex()) != Token::kLabelValue) {
        parse_error("expected label value", t);
        return false;
      }
      std::string_view value = slice(l.start, l.i);
      if (!ValidUtf8(value)) {
        Fail(l.start, "invalid UTF-8 label value: " + Quote(value));
        return false;
      }
      t = l.Lex();
      if (t == Token::kComma) {
        t = l.Lex();
      } else if (t != Token::kBraceClose) {
        parse_error("expected comma or brace close", t);
        return false;
      }
    }
  };

  // openmetricsparse.go parseComment: an exemplar, validated and dropped.
  auto parse_exemplar = [&]() -> bool {
    has_exemplar_ = true;
    bool unused = true;
    if (!parse_labels(true, &unused)) return false;
    Token t = l.Lex();
    if (t != Token::kValue) {
      parse_error("expected value after exemplar labels", t);
      return false;
    }
    double v;
    if (!token_float(&v)) return false;
    t = l.Lex();
    if (t == Token::kEof) {
      no_eof();
      return false;
    }
    if (t == Token::kTimestamp) {
      if (!token_float(&v)) return false;
      if (std::isnan(v) || std::isinf(v)) {
        Fail(l.start, "invalid exemplar timestamp " + GoSpecialFloat(v));
        return false;
      }
      if ((t = l.Lex()) != Token::kLinebreak) {
        parse_error("expected next entry after exemplar timestamp", t);
        return false;
      }
    } else if (t != Token::kLinebreak) {
      parse_error("expected timestamp or comment", t);
      return false;
    }
    return true;
  };

  // openmetricsparse.go parseSeriesEndOfLine.
  auto end_of_series = [&](bool name_set, Token t) -> Entry {
    if (!name_set) return Fail(p_start, "metric name not set while parsing: " + Quote(slice(p_start, l.i)));
    if (t != Token::kValue) return parse_error("expected value after metric", t);
    double value;
    if (!token_float(&value)) return Entry::kError;
    value_ = std::isnan(value) ? model::NormalNaN() : value;
    has_timestamp_ = false;
    t = l.Lex();
    switch (t) {
      case Token::kEof:
        return no_eof();
      case Token::kLinebreak:
        break;
      case Token::kComment:
        if (!parse_exemplar()) return Entry::kError;
        break;
      case Token::kTimestamp: {
        double seconds;
        if (!token_float(&seconds)) return Entry::kError;
        if (std::isnan(seconds) || std::isinf(seconds)) {
          return Fail(l.start, "invalid timestamp " + GoSpecialFloat(seconds));
        }
        has_timestamp_ = true;
        timestamp_ = SecondsToMillis(seconds);
        t = l.Lex();
        if (t == Token::kComment) {
          if (!parse_exemplar()) return Entry::kError;
        } else if (t != Token::kLinebreak) {
          return parse_error("expected next entry after timestamp", t);
        }
        break;
      }
      default:
        return parse_error("expected timestamp or # symbol", t);
    }
    pos_ = l.i;
    return Entry::kSeries;
  };

  const Token t = l.Lex();
  switch (t) {
    case Token::kEofWord:
      if (l.Lex() != Token::kEof) return Fail(l.start, "unexpected data after # EOF");
      pos_ = l.i;
      return Entry::kEof;
    case Token::kEof:
      return no_eof();
    case Token::kHelp:
    case Token::kType:
    case Token::kUnit: {
      Token t2 = l.Lex();
      if (t2 != Token::kMetricName) return parse_error("expected metric name after " + std::string(TokenName(t)), t2);
      size_t ms = l.start, me = l.i;
      if (body_[ms] == '"' && body_[me - 1] == '"') ++ms, --me;
      name_begin_ = static_cast<uint32_t>(ms);
      name_end_ = static_cast<uint32_t>(me);
      if (l.Lex() != Token::kText) return Fail(l.start, "expected text in " + std::string(TokenName(t)));
      text_begin_ = static_cast<uint32_t>(l.start + 1);
      text_end_ = static_cast<uint32_t>(l.i - 1);
      if (t == Token::kType) {
        std::optional<MetricType> type = OmTypeFromString(Text());
        if (!type) return Fail(text_begin_, "invalid metric type " + Quote(Text()));
        type_ = *type;
      } else if (t == Token::kHelp) {
        if (!ValidUtf8(Text())) return Fail(text_begin_, "help text " + Quote(Text()) + " is not a valid utf8 string");
      } else {
        std::string_view m = MetricName(), u = Text();
        if (!u.empty() && (!m.ends_with(u) || m.size() < u.size() + 1 || m[m.size() - u.size() - 1] != '_')) {
          return Fail(text_begin_, "unit " + Quote(u) + " not a suffix of metric " + Quote(m));
        }
      }
      pos_ = l.i;
      return t == Token::kHelp ? Entry::kHelp : t == Token::kType ? Entry::kType : Entry::kUnit;
    }
    case Token::kBraceOpen: {
      bool name_set = false;
      if (!parse_labels(false, &name_set)) return Entry::kError;
      series_begin_ = static_cast<uint32_t>(p_start);
      series_end_ = static_cast<uint32_t>(l.i);
      return end_of_series(name_set, l.Lex());
    }
    case Token::kMetricName: {
      series_begin_ = static_cast<uint32_t>(p_start);
      series_end_ = static_cast<uint32_t>(l.i);
      Token t2 = l.Lex();
      if (t2 == Token::kBraceOpen) {
        bool name_set = true;
        if (!parse_labels(false, &name_set)) return Entry::kError;
        series_end_ = static_cast<uint32_t>(l.i);
        t2 = l.Lex();
      }
      return end_of_series(true, t2);
    }
    default:
      return parse_error("expected a valid start token", t);
  }
}

}  // namespace kubescrape::scraper
