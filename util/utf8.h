#pragma once
// UTF-8 helpers with Go's semantics, because Prometheus's behaviour is defined
// by Go's strings and unicode packages: invalid bytes decode as U+FFFD one
// byte at a time, case mapping is Unicode's simple (one-to-one) mapping.
//
// Thread-safety: all functions are pure and thread-safe.

#include <string>
#include <string_view>

namespace kubescrape::util {

inline constexpr char32_t kRuneError = 0xFFFD;

// True when `s` is well-formed UTF-8 (no overlong forms, no surrogates, no
// code point above U+10FFFF), as Go's utf8.ValidString.
bool IsValidUtf8(std::string_view s);

// Decodes one rune at `s[i]`; stores its byte width in `*width` (1 for an
// invalid byte, which decodes as kRuneError). REQUIRES: i < s.size().
char32_t DecodeRune(std::string_view s, size_t i, size_t* width);

// Appends the UTF-8 encoding of `r` (kRuneError for invalid code points).
void AppendRune(std::string* out, char32_t r);

// Go's strings.ToLower / strings.ToUpper: ASCII fast path, otherwise Unicode
// simple case mapping per rune; invalid bytes become U+FFFD.
std::string ToLower(std::string_view s);
std::string ToUpper(std::string_view s);

// Go's unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_': the characters
// that may form a `$name` in a regexp template. Uses glibc's alnum class,
// which also counts a few letter-like numbers (e.g. U+2160, U+3007) that Go
// does not; only group names made of such characters could differ.
bool IsWordRune(char32_t r);

// Go's strconv.Quote: a double-quoted string with Go escapes (\n, \t, \",
// \\, \xNN for invalid bytes, \uNNNN for non-printable runes).
std::string GoQuote(std::string_view s);

}  // namespace kubescrape::util
