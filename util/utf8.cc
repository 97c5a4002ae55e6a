#include "util/utf8.h"

#include "util/logging.h"

#include <locale.h>
#include <wctype.h>

namespace kubescrape::util {
namespace {

// glibc's C.UTF-8 locale carries Unicode's simple case mappings and character
// classes; a private locale object keeps us independent of the global one.
locale_t Utf8Locale() {
  static const locale_t loc = [] {
    locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
    if (l == nullptr) {
      log::Warn("The C.UTF-8 locale is missing: non-ASCII case mapping and character classes fall back to ASCII");
    }
    return l;
  }();
  return loc;
}

char32_t MapRune(char32_t r, bool upper) {
  if (r < 0x80) {
    if (upper && r >= 'a' && r <= 'z') return r - 32;
    if (!upper && r >= 'A' && r <= 'Z') return r + 32;
    return r;
  }
  locale_t loc = Utf8Locale();
  if (loc == nullptr) return r;
  return static_cast<char32_t>(upper ? towupper_l(static_cast<wint_t>(r), loc)
                                     : towlower_l(static_cast<wint_t>(r), loc));
}

std::string MapCase(std::string_view s, bool upper) {
  bool ascii = true;
  for (unsigned char c : s) {
    if (c >= 0x80) {
      ascii = false;
      break;
    }
  }
  std::string out;
  out.reserve(s.size());
  if (ascii) {
    for (char c : s) out.push_back(static_cast<char>(MapRune(static_cast<unsigned char>(c), upper)));
    return out;
  }
  for (size_t i = 0; i < s.size();) {
    size_t width;
    char32_t r = DecodeRune(s, i, &width);
    AppendRune(&out, MapRune(r, upper));
    i += width;
  }
  return out;
}

// Format (Cf) and private-use (Co) characters: printable for glibc, not for
// Go's unicode.IsPrint, which allows only letters, marks, numbers,
// punctuation, symbols and U+0020.
bool IsFormatOrPrivateUse(char32_t r) {
  struct Range {
    char32_t lo, hi;
  };
  static constexpr Range kRanges[] = {
      {0x00AD, 0x00AD}, {0x0600, 0x0605}, {0x061C, 0x061C}, {0x06DD, 0x06DD}, {0x070F, 0x070F},
      {0x0890, 0x0891}, {0x08E2, 0x08E2}, {0x180E, 0x180E}, {0x200B, 0x200F}, {0x202A, 0x202E},
      {0x2060, 0x2064}, {0x2066, 0x206F}, {0xE000, 0xF8FF}, {0xFEFF, 0xFEFF}, {0xFFF9, 0xFFFB},
      {0x110BD, 0x110BD}, {0x110CD, 0x110CD}, {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3},
      {0x1D173, 0x1D17A}, {0xE0001, 0xE0001}, {0xE0020, 0xE007F}, {0xF0000, 0x10FFFF},
  };
  for (const Range& range : kRanges) {
    if (r >= range.lo && r <= range.hi) return true;
  }
  return false;
}

bool IsPrintRune(char32_t r) {
  if (r < 0x80) return r >= 0x20 && r < 0x7F;
  if (IsFormatOrPrivateUse(r)) return false;
  locale_t loc = Utf8Locale();
  if (loc == nullptr) return false;
  // Go's IsPrint excludes spaces other than U+0020.
  if (iswspace_l(static_cast<wint_t>(r), loc)) return false;
  return iswprint_l(static_cast<wint_t>(r), loc) != 0;
}

}  // namespace

char32_t DecodeRune(std::string_view s, size_t i, size_t* width) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + i;
  size_t n = s.size() - i;
  unsigned char c0 = p[0];
  *width = 1;
  if (c0 < 0x80) return c0;
  auto cont = [&](size_t k) { return k < n && (p[k] & 0xC0) == 0x80; };
  if (c0 >= 0xC2 && c0 <= 0xDF) {
    if (!cont(1)) return kRuneError;
    *width = 2;
    return (char32_t(c0 & 0x1F) << 6) | (p[1] & 0x3F);
  }
  if (c0 >= 0xE0 && c0 <= 0xEF) {
    if (!cont(1) || !cont(2)) return kRuneError;
    char32_t r = (char32_t(c0 & 0x0F) << 12) | (char32_t(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    if (r < 0x800 || (r >= 0xD800 && r <= 0xDFFF)) return kRuneError;
    *width = 3;
    return r;
  }
  if (c0 >= 0xF0 && c0 <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return kRuneError;
    char32_t r = (char32_t(c0 & 0x07) << 18) | (char32_t(p[1] & 0x3F) << 12) |
                 (char32_t(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
    if (r < 0x10000 || r > 0x10FFFF) return kRuneError;
    *width = 4;
    return r;
  }
  return kRuneError;
}

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t width;
    if (DecodeRune(s, i, &width) == kRuneError && width == 1) return false;
    i += width;
  }
  return true;
}

void AppendRune(std::string* out, char32_t r) {
  if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = kRuneError;
  if (r < 0x80) {
    out->push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (r >> 6)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (r >> 12)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (r >> 18)));
    out->push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}

std::string ToLower(std::string_view s) { return MapCase(s, false); }
std::string ToUpper(std::string_view s) { return MapCase(s, true); }

bool IsWordRune(char32_t r) {
  if (r < 0x80) {
    return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '_';
  }
  if (r == kRuneError) return false;
  locale_t loc = Utf8Locale();
  return loc != nullptr && iswalnum_l(static_cast<wint_t>(r), loc);
}

std::string GoQuote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    size_t width;
    char32_t r = DecodeRune(s, i, &width);
    if (width == 1 && r == kRuneError) {
      unsigned char b = static_cast<unsigned char>(s[i]);
      out += "\\x";
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0xF]);
      ++i;
      continue;
    }
    switch (r) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      default:
        if (IsPrintRune(r)) {
          out.append(s.substr(i, width));
        } else if (r < 0x80) {
          out += "\\x";
          out.push_back(kHex[r >> 4]);
          out.push_back(kHex[r & 0xF]);
        } else if (r < 0x10000) {
          out += "\\u";
          for (int shift = 12; shift >= 0; shift -= 4) out.push_back(kHex[(r >> shift) & 0xF]);
        } else {
          out += "\\U";
          for (int shift = 28; shift >= 0; shift -= 4) out.push_back(kHex[(r >> shift) & 0xF]);
        }
    }
    i += width;
  }
  out.push_back('"');
  return out;
}

}  // namespace kubescrape::util
