#include "scraper/textparse_internal.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "util/utf8.h"

namespace kubescrape::scraper::textparse_internal {
namespace {

bool LowerEquals(char c, char lower) { return (c | 0x20) == lower; }

// Length of the common prefix of `s` and `word`, ignoring ASCII case.
size_t CommonPrefixIgnoreCase(std::string_view s, std::string_view word) {
  size_t n = 0;
  while (n < s.size() && n < word.size() && LowerEquals(s[n], word[n])) ++n;
  return n;
}

}  // namespace

std::string_view TokenName(Token t) {
  switch (t) {
    case Token::kInvalid: return "INVALID";
    case Token::kEof: return "EOF";
    case Token::kLinebreak: return "LINEBREAK";
    case Token::kWhitespace: return "WHITESPACE";
    case Token::kHelp: return "HELP";
    case Token::kType: return "TYPE";
    case Token::kUnit: return "UNIT";
    case Token::kEofWord: return "EOFWORD";
    case Token::kText: return "TEXT";
    case Token::kComment: return "COMMENT";
    case Token::kMetricName: return "MNAME";
    case Token::kQuotedString: return "QSTRING";
    case Token::kBraceOpen: return "BOPEN";
    case Token::kBraceClose: return "BCLOSE";
    case Token::kLabelName: return "LNAME";
    case Token::kLabelValue: return "LVALUE";
    case Token::kComma: return "COMMA";
    case Token::kEqual: return "EQUAL";
    case Token::kTimestamp: return "TIMESTAMP";
    case Token::kValue: return "VALUE";
  }
  return "INVALID";
}

std::optional<MetricType> PromTypeFromString(std::string_view s) {
  if (s == "counter") return MetricType::kCounter;
  if (s == "gauge") return MetricType::kGauge;
  if (s == "histogram") return MetricType::kHistogram;
  if (s == "summary") return MetricType::kSummary;
  if (s == "untyped") return MetricType::kUnknown;
  return std::nullopt;
}

FloatStatus ParseGoFloat(std::string_view s, bool reject_p_underscore, double* out) {
  if (reject_p_underscore) {
    for (char c : s) {
      if (c == 'p' || c == 'P' || c == '_') return FloatStatus::kUnsupported;
    }
  }
  if (s.empty()) return FloatStatus::kSyntax;
  // Special values, as Go's strconv.special: [+-]inf, [+-]infinity, nan
  // (no sign), case-insensitive.
  size_t i = 0;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    i = 1;
  }
  if (i < s.size() && LowerEquals(s[i], 'i')) {
    size_t n = CommonPrefixIgnoreCase(s.substr(i), "infinity");
    if (n > 3 && n < 8) n = 3;
    if ((n == 3 || n == 8) && i + n == s.size()) {
      *out = neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
      return FloatStatus::kOk;
    }
    return FloatStatus::kSyntax;
  }
  if (i < s.size() && LowerEquals(s[i], 'n')) {
    if (i == 0 && s.size() == 3 && CommonPrefixIgnoreCase(s, "nan") == 3) {
      *out = std::numeric_limits<double>::quiet_NaN();
      return FloatStatus::kOk;
    }
    return FloatStatus::kSyntax;
  }
  // Decimal: [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?.
  // from_chars takes no '+' and no hexadecimal in general format.
  const char* first = s.data() + (s[0] == '+' ? 1 : 0);
  const char* last = s.data() + s.size();
  if (first == last || *first == '+' || (*first == '-' && s[0] == '+')) return FloatStatus::kSyntax;
  // Go reads "0x..." as hexadecimal (which needs a 'p' exponent); treat the
  // whole family as a syntax error rather than let from_chars read the "0".
  const char* digits = first + (*first == '-' ? 1 : 0);
  if (last - digits >= 2 && digits[0] == '0' && (digits[1] | 0x20) == 'x') return FloatStatus::kSyntax;
  double v = 0;
  auto [ptr, ec] = std::from_chars(first, last, v, std::chars_format::general);
  if (ptr != last) return FloatStatus::kSyntax;
  if (ec == std::errc::result_out_of_range) {
    // Overflow is an error for Go; underflow rounds to zero or a denormal.
    std::string copy(first, last);
    errno = 0;
    v = std::strtod(copy.c_str(), nullptr);
    if (std::isinf(v)) return FloatStatus::kRange;
  } else if (ec != std::errc()) {
    return FloatStatus::kSyntax;
  }
  *out = v;
  return FloatStatus::kOk;
}

std::string FloatErrorMessage(FloatStatus status, std::string_view s) {
  switch (status) {
    case FloatStatus::kUnsupported: return "unsupported character in float";
    case FloatStatus::kRange: return "strconv.ParseFloat: parsing " + Quote(s) + ": value out of range";
    default: return "strconv.ParseFloat: parsing " + Quote(s) + ": invalid syntax";
  }
}

bool ParseDigits(std::string_view s, int64_t* out) {
  uint64_t v = 0;
  for (char c : s) {
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = static_cast<int64_t>(v);
  return true;
}

size_t FormatOpenMetricsFloat(double f, char* buf) {
  if (std::isnan(f)) {
    std::memcpy(buf, "NaN", 3);
    return 3;
  }
  if (std::isinf(f)) {
    std::memcpy(buf, f > 0 ? "+Inf" : "-Inf", 4);
    return 4;
  }
  // Shortest round-trip digits and decimal exponent, from to_chars'
  // scientific form "-d.ddde+XX".
  char sci[40];
  auto res = std::to_chars(sci, sci + sizeof(sci), f, std::chars_format::scientific);
  const char* p = sci;
  const char* end = res.ptr;
  size_t n = 0;
  if (*p == '-') {
    buf[n++] = '-';
    ++p;
  }
  char digits[24];
  int nd = 0;
  while (p < end && *p != 'e') {
    if (*p != '.') digits[nd++] = *p;
    ++p;
  }
  int exp = 0;
  std::from_chars(p + 1 + (p[1] == '+' ? 1 : 0), end, exp);
  if (nd == 1 && digits[0] == '0') exp = 0;
  // Go's %g with shortest precision: %e when exp < -4 || exp >= 6 (eprec
  // is 6 for the shortest format), else %f.
  if (exp < -4 || exp >= 6) {
    buf[n++] = digits[0];
    if (nd > 1) {
      buf[n++] = '.';
      for (int i = 1; i < nd; ++i) buf[n++] = digits[i];
    }
    buf[n++] = 'e';
    buf[n++] = exp < 0 ? '-' : '+';
    int a = exp < 0 ? -exp : exp;
    if (a < 10) buf[n++] = '0';
    n = static_cast<size_t>(std::to_chars(buf + n, buf + n + 8, a).ptr - buf);
    return n;  // contains 'e': no ".0"
  }
  int dp = exp + 1;  // digits before the decimal point
  bool has_point = false;
  if (dp <= 0) {
    buf[n++] = '0';
    buf[n++] = '.';
    has_point = true;
    for (int i = 0; i < -dp; ++i) buf[n++] = '0';
    for (int i = 0; i < nd; ++i) buf[n++] = digits[i];
  } else {
    for (int i = 0; i < dp; ++i) buf[n++] = i < nd ? digits[i] : '0';
    if (nd > dp) {
      buf[n++] = '.';
      has_point = true;
      for (int i = dp; i < nd; ++i) buf[n++] = digits[i];
    }
  }
  if (!has_point) {
    buf[n++] = '.';
    buf[n++] = '0';
  }
  return n;
}

std::string FormatOpenMetricsFloat(double f) {
  char buf[48];
  return std::string(buf, FormatOpenMetricsFloat(f, buf));
}

namespace {

// True when `v` is already what FormatOpenMetricsFloat would print: "+Inf",
// or int "." frac with int = 0 or [1-9] and at most 6 digits (so %f, not
// %e), frac without trailing zeros (or just "0"), at most 3 leading zeros
// after "0." and at most 15 significant digits (so the digits are the
// shortest representation).
bool IsCanonicalFloat(std::string_view v) {
  if (v == "+Inf") return true;
  size_t dot = v.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > 6 || dot + 1 == v.size()) return false;
  std::string_view ip = v.substr(0, dot), frac = v.substr(dot + 1);
  if (ip.size() > 1 && ip[0] == '0') return false;
  for (char c : ip) {
    if (c < '0' || c > '9') return false;
  }
  for (char c : frac) {
    if (c < '0' || c > '9') return false;
  }
  if (frac == "0") return true;
  if (frac.back() == '0') return false;
  size_t significant = ip.size() + frac.size();
  if (ip == "0") {
    size_t zeros = frac.find_first_not_of('0');
    if (zeros > 3) return false;
    significant = frac.size() - zeros;
  }
  return significant <= 15;
}

}  // namespace

std::string_view NormalizeFloatLabelValue(std::string_view v, util::Arena* arena) {
  if (IsCanonicalFloat(v)) return v;
  double f;
  if (ParseGoFloat(v, /*reject_p_underscore=*/false, &f) != FloatStatus::kOk) return v;
  char buf[48];
  size_t n = FormatOpenMetricsFloat(f, buf);
  std::string_view formatted(buf, n);
  if (formatted == v) return v;
  return arena->Copy(formatted);
}

std::string_view Unescape(std::string_view s, bool quote, util::Arena* arena) {
  size_t bs = s.find('\\');
  if (bs == std::string_view::npos) return s;
  char* out = arena->Allocate(s.size());
  size_t n = 0;
  std::memcpy(out, s.data(), bs);
  n = bs;
  for (size_t i = bs; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size()) {
      char e = s[i + 1];
      if (e == 'n') {
        out[n++] = '\n';
        ++i;
        continue;
      }
      if (e == '\\' || (quote && e == '"')) {
        out[n++] = e;
        ++i;
        continue;
      }
    }
    out[n++] = c;
  }
  return std::string_view(out, n);
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if (w & 0x8080808080808080ull) return util::IsValidUtf8(s.substr(i));
  }
  for (; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) >= 0x80) return util::IsValidUtf8(s.substr(i));
  }
  return true;
}

std::string Quote(std::string_view s) { return util::GoQuote(s); }

}  // namespace kubescrape::scraper::textparse_internal
