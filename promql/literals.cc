// Number and string literals with Go's strconv semantics (ParseInt base 0,
// ParseFloat, Unquote), as PromQL's parser applies them.
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>

#include "promql/parser.h"
#include "util/utf8.h"

namespace kubescrape::promql {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsHex(char c) { return (c >= '0' && c <= '9') || (Lower(c) >= 'a' && Lower(c) <= 'f'); }

// Go's underscoreOK: underscores only between digits (or after a base prefix).
bool UnderscoreOk(std::string_view s) {
  char saw = '^';
  size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' && (Lower(s[1]) == 'b' || Lower(s[1]) == 'o' || Lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = Lower(s[1]) == 'x';
  }
  for (; i < s.size(); ++i) {
    if ((s[i] >= '0' && s[i] <= '9') || (hex && Lower(s[i]) >= 'a' && Lower(s[i]) <= 'f')) {
      saw = '0';
      continue;
    }
    if (s[i] == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

// strconv.ParseInt(s, 0, 64). nullopt-like: returns false on any error.
bool GoParseInt(std::string_view s0, int64_t* out) {
  std::string_view s = s0;
  if (s.empty()) return false;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    s.remove_prefix(1);
    if (s.empty()) return false;
  }
  int base = 10;
  if (s[0] == '0') {
    if (s.size() >= 3 && Lower(s[1]) == 'b') {
      base = 2, s.remove_prefix(2);
    } else if (s.size() >= 3 && Lower(s[1]) == 'o') {
      base = 8, s.remove_prefix(2);
    } else if (s.size() >= 3 && Lower(s[1]) == 'x') {
      base = 16, s.remove_prefix(2);
    } else {
      base = 8, s.remove_prefix(1);
    }
  }
  uint64_t n = 0;
  bool underscores = false;
  const uint64_t limit = neg ? (uint64_t{1} << 63) : (uint64_t{1} << 63) - 1;
  for (char c : s) {
    int d;
    if (c == '_') {
      underscores = true;
      continue;
    } else if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (Lower(c) >= 'a' && Lower(c) <= 'z') {
      d = Lower(c) - 'a' + 10;
    } else {
      return false;
    }
    if (d >= base) return false;
    if (n > (limit - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) return false;  // range
    n = n * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  if (underscores && !UnderscoreOk(s0)) return false;
  *out = neg ? static_cast<int64_t>(0 - n) : static_cast<int64_t>(n);
  return true;
}

// Validates Go float syntax and returns the text strtod should read (without
// underscores). False on a syntax error.
bool GoFloatSyntax(std::string_view s, std::string* clean) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  bool hex = false;
  if (i + 1 < s.size() && s[i] == '0' && Lower(s[i + 1]) == 'x') {
    hex = true;
    i += 2;
  }
  bool underscores = false, digits = false, dot = false, exp = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') {
      underscores = true;
      continue;
    }
    if (c == '.') {
      if (dot) return false;
      dot = true;
      continue;
    }
    if ((c >= '0' && c <= '9') || (hex && IsHex(c))) {
      digits = true;
      continue;
    }
    break;
  }
  if (!digits) return false;
  if (i < s.size() && ((!hex && Lower(s[i]) == 'e') || (hex && Lower(s[i]) == 'p'))) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    bool exp_digits = false;
    for (; i < s.size(); ++i) {
      if (s[i] >= '0' && s[i] <= '9') {
        exp_digits = true;
      } else if (s[i] == '_') {
        underscores = true;
      } else {
        break;
      }
    }
    if (!exp_digits) return false;
    exp = true;
  }
  if (i != s.size()) return false;
  if (hex && !exp) return false;
  if (underscores && (!hex || !UnderscoreOk(s))) return false;
  clean->clear();
  for (char c : s) {
    if (c != '_') clean->push_back(c);
  }
  return true;
}

bool EqualFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

}  // namespace

util::StatusOr<double> ParseNumber(std::string_view s) {
  int64_t n;
  if (GoParseInt(s, &n)) return static_cast<double>(n);
  return ParseFloat(s);
}

util::StatusOr<double> ParseFloat(std::string_view s) {
  std::string_view body = s;
  double sign = 1;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    sign = body[0] == '-' ? -1 : 1;
    body.remove_prefix(1);
  }
  if (EqualFold(body, "inf") || EqualFold(body, "infinity")) return sign * std::numeric_limits<double>::infinity();
  if (EqualFold(body, "nan")) return std::numeric_limits<double>::quiet_NaN();
  std::string clean;
  auto err = [&](std::string_view what) {
    return util::InvalidArgumentError("strconv.ParseFloat: parsing " + util::GoQuote(s) + ": " + std::string(what));
  };
  if (!GoFloatSyntax(s, &clean)) return err("invalid syntax");
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(clean.c_str(), &end);
  if (end != clean.c_str() + clean.size()) return err("invalid syntax");
  if (std::isinf(v)) return err("value out of range");
  return v;
}

util::StatusOr<std::string> UnquoteString(std::string_view s) {
  auto bad = [] { return util::InvalidArgumentError("invalid syntax"); };
  if (s.size() < 2) return bad();
  char quote = s.front();
  if (quote != s.back()) return bad();
  s = s.substr(1, s.size() - 2);
  if (quote == '`') {
    if (s.find('`') != std::string_view::npos) return bad();
    std::string out;
    for (char c : s) {
      if (c != '\r') out.push_back(c);  // Go drops carriage returns in raw strings
    }
    return out;
  }
  if (quote != '"' && quote != '\'') return bad();
  if (s.find('\n') != std::string_view::npos) return bad();
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == quote) return bad();
    if (c != '\\') {
      out.push_back(c);
      ++i;
      continue;
    }
    if (++i >= s.size()) return bad();
    char e = s[i++];
    switch (e) {
      case 'a': out.push_back('\a'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'v': out.push_back('\v'); break;
      case '\\': out.push_back('\\'); break;
      case '\'':
      case '"':
        if (e != quote) return bad();
        out.push_back(e);
        break;
      case 'x':
      case 'u':
      case 'U': {
        size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        if (i + n > s.size()) return bad();
        uint32_t v = 0;
        for (size_t k = 0; k < n; ++k) {
          char h = s[i + k];
          if (!IsHex(h)) return bad();
          v = v * 16 + static_cast<uint32_t>(h <= '9' ? h - '0' : Lower(h) - 'a' + 10);
        }
        i += n;
        if (e == 'x') {
          out.push_back(static_cast<char>(v));
        } else {
          if (v > 0x10FFFF || (v >= 0xD800 && v < 0xE000)) return bad();
          util::AppendRune(&out, static_cast<char32_t>(v));
        }
        break;
      }
      default: {
        if (e < '0' || e > '7' || i + 2 > s.size()) return bad();
        uint32_t v = static_cast<uint32_t>(e - '0');
        for (size_t k = 0; k < 2; ++k) {
          char o = s[i + k];
          if (o < '0' || o > '7') return bad();
          v = v * 8 + static_cast<uint32_t>(o - '0');
        }
        if (v > 255) return bad();
        i += 2;
        out.push_back(static_cast<char>(v));
      }
    }
  }
  return out;
}

}  // namespace kubescrape::promql
