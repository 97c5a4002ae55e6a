#pragma once
// Helpers shared by the text-format and OpenMetrics parsers (textparse.h):
// character classes, Go-compatible float parsing and formatting, error
// message pieces. Internal to scraper/textparse*.cc; exposed for tests.
//
// Thread-safety: all functions are pure and thread-safe.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "scraper/textparse.h"
#include "util/arena.h"

namespace kubescrape::scraper::textparse_internal {

// Character classes of the Prometheus lexers, as lookup tables.
enum CharClass : uint8_t {
  kMetricStart = 1,   // [a-zA-Z_:]
  kMetricChar = 2,    // [a-zA-Z0-9_:]
  kLabelStart = 4,    // [a-zA-Z_]
  kLabelChar = 8,     // [a-zA-Z0-9_]
  kDigit = 16,        // [0-9]
  kValueStop = 32,    // '"', '\\', '\0', '\n' and bytes >= 0x80: end a fast label-value scan
};
constexpr std::array<uint8_t, 256> MakeCharClass() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    bool digit = c >= '0' && c <= '9';
    uint8_t v = 0;
    if (alpha || c == ':') v |= kMetricStart | kMetricChar;
    if (digit) v |= kMetricChar | kLabelChar | kDigit;
    if (alpha) v |= kLabelStart | kLabelChar;
    if (c == '"' || c == '\\' || c == '\0' || c == '\n' || c >= 0x80) v |= kValueStop;
    t[c] = v;
  }
  return t;
}
inline constexpr std::array<uint8_t, 256> kCharClass = MakeCharClass();
inline bool Is(char c, uint8_t cls) { return kCharClass[static_cast<uint8_t>(c)] & cls; }

// Lexer tokens, named as Prometheus names them in errors.
enum class Token {
  kInvalid,
  kEof,
  kLinebreak,
  kWhitespace,
  kHelp,
  kType,
  kUnit,
  kEofWord,
  kText,
  kComment,
  kMetricName,
  kQuotedString,
  kBraceOpen,
  kBraceClose,
  kLabelName,
  kLabelValue,
  kComma,
  kEqual,
  kTimestamp,
  kValue,
};
// "INVALID", "EOF", "LINEBREAK", ..., "LVALUE", "TIMESTAMP", "VALUE".
std::string_view TokenName(Token t);

// The text format's TYPE words: counter, gauge, histogram, summary, untyped
// (= unknown); nullopt otherwise.
std::optional<MetricType> PromTypeFromString(std::string_view s);

// Go's strconv.ParseFloat(s, 64), as Prometheus's parseFloat calls it.
enum class FloatStatus { kOk, kSyntax, kRange, kUnsupported };
// With `reject_p_underscore` (Prometheus's parseFloat), any 'p', 'P' or '_'
// is kUnsupported. Hexadecimal floats are always rejected (kSyntax): with
// the check they cannot be valid anyway (see docs/format/exposition.md).
FloatStatus ParseGoFloat(std::string_view s, bool reject_p_underscore, double* out);
// Prometheus's message for a failed ParseGoFloat: "unsupported character in
// float", `strconv.ParseFloat: parsing "x": invalid syntax`, ... REQUIRES:
// status != kOk.
std::string FloatErrorMessage(FloatStatus status, std::string_view s);

// Go's strconv.ParseInt(s, 10, 64) for a string of ASCII digits: false on
// overflow. REQUIRES: s is non-empty and all digits.
bool ParseDigits(std::string_view s, int64_t* out);

// Prometheus's labels.FormatOpenMetricsFloat: Go's 'g' shortest format with
// ".0" appended when there is neither '.' nor 'e'; "+Inf", "-Inf", "NaN".
std::string FormatOpenMetricsFloat(double f);
// Writes FormatOpenMetricsFloat(f) into `buf` (at least 32 bytes); returns
// the length.
size_t FormatOpenMetricsFloat(double f, char* buf);

// The value of an `le` or `quantile` label, normalised as Prometheus does:
// when it parses as a float, FormatOpenMetricsFloat of it; otherwise as is.
// The result may point into `arena`.
std::string_view NormalizeFloatLabelValue(std::string_view v, util::Arena* arena);

// Unescapes like Go's strings.Replacer: with `quote`, \" \\ \n (label values,
// OpenMetrics HELP); without, only \\ and \n (text-format HELP). Returns `s`
// itself when it holds no backslash, otherwise a copy in `arena`.
std::string_view Unescape(std::string_view s, bool quote, util::Arena* arena);

// True when `s` is valid UTF-8, with an ASCII fast path.
bool ValidUtf8(std::string_view s);

// Go's fmt %q of a byte string.
std::string Quote(std::string_view s);

}  // namespace kubescrape::scraper::textparse_internal
