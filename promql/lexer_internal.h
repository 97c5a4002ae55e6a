#pragma once
// Character classes shared by the lexer's translation units (internal to
// promql/).

#include <cstdint>

namespace kubescrape::promql::lexer_internal {

inline bool IsSpace(int32_t r) { return r == ' ' || r == '\t' || r == '\n' || r == '\r'; }
inline bool IsDigit(int32_t r) { return r >= '0' && r <= '9'; }
inline bool IsAlpha(int32_t r) { return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'); }
inline bool IsAlphaNumeric(int32_t r) { return IsAlpha(r) || IsDigit(r); }

}  // namespace kubescrape::promql::lexer_internal
