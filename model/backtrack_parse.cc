// Parsing the supported Go regexp subset (see backtrack.h) into an AST.
#include "model/backtrack_parse.h"

#include <algorithm>

#include "util/utf8.h"

namespace kubescrape::model::backtrack_internal {
namespace {

}  // namespace

void Normalize(Ranges* r) {
  std::sort(r->begin(), r->end());
  Ranges out;
  for (auto [lo, hi] : *r) {
    if (!out.empty() && lo <= out.back().second + 1) {
      out.back().second = std::max(out.back().second, hi);
    } else {
      out.push_back({lo, hi});
    }
  }
  *r = std::move(out);
}

// REQUIRES: `r` normalized. Negated sets include '\n': Go's and RE2's Perl
// flags set ClassNL, so `[^a]` and `\D` match newlines.
Ranges Negate(const Ranges& r) {
  Ranges out;
  char32_t next = 0;
  for (auto [lo, hi] : r) {
    if (lo > next) out.push_back({next, lo - 1});
    next = hi + 1;
  }
  if (next <= kMaxRune) out.push_back({next, kMaxRune});
  return out;
}

bool IsPerlClass(char c) {
  return c == 'd' || c == 'D' || c == 's' || c == 'S' || c == 'w' || c == 'W';
}

// The ASCII Perl classes of Go and RE2 (\s has no \v).
void AddPerlClass(char c, Ranges* r) {
  Ranges set;
  switch (c | 0x20) {
    case 'd':
      set = {{'0', '9'}};
      break;
    case 's':
      set = {{'\t', '\n'}, {'\f', '\r'}, {' ', ' '}};
      break;
    default:
      set = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
      break;
  }
  if (c >= 'A' && c <= 'Z') set = Negate(set);
  r->insert(r->end(), set.begin(), set.end());
}

bool IsAsciiAlnum(char32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}


bool Parser::ParseAlternate(int depth, int* out) {
  Node alt;
  alt.kind = Node::Kind::kAlternate;
  for (;;) {
    int sub;
    if (!ParseConcat(depth, &sub)) return false;
    alt.subs.push_back(sub);
    if (!More() || Peek() != '|') break;
    ++pos_;
  }
  *out = alt.subs.size() == 1 ? alt.subs[0] : Add(std::move(alt));
  return true;
}

bool Parser::ParseConcat(int depth, int* out) {
  Node cat;
  cat.kind = Node::Kind::kConcat;
  while (More() && Peek() != '|' && Peek() != ')') {
    int atom;
    if (!ParseAtom(depth, &atom) || !ParseRepeat(&atom)) return false;
    cat.subs.push_back(atom);
  }
  if (cat.subs.empty()) {
    *out = Add(Node{});
  } else {
    *out = cat.subs.size() == 1 ? cat.subs[0] : Add(std::move(cat));
  }
  return true;
}

bool Parser::ParseAtom(int depth, int* out) {
  Node n;
  switch (Peek()) {
    case '(':
      return ParseGroup(depth, out);
    case '[':
      return ParseBracket(out);
    case '.':
      ++pos_;
      *out = AddClass({{0, kMaxRune}});  // (?s): newline included
      return true;
    case '^':
    case '$':
      n.kind = Peek() == '^' ? Node::Kind::kBeginText : Node::Kind::kEndText;
      ++pos_;
      *out = Add(std::move(n));
      return true;
    case '*':
    case '+':
    case '?':
    case '{':
      // A repetition without operand is an error; a '{' that is not a
      // repetition is a literal in Go. Neither is worth supporting.
      return false;
    case '\\':
      if (pos_ + 1 < s_.size() && IsPerlClass(s_[pos_ + 1])) {
        Ranges r;
        AddPerlClass(s_[pos_ + 1], &r);
        pos_ += 2;
        *out = AddClass(std::move(r));
        return true;
      }
      if (!ParseEscapedRune(&n.rune)) return false;
      break;
    default:
      if (!ParseRune(&n.rune)) return false;
      break;
  }
  n.kind = Node::Kind::kLiteral;
  *out = Add(std::move(n));
  return true;
}

bool Parser::ParseGroup(int depth, int* out) {
  if (depth >= kMaxDepth) return false;
  ++pos_;  // '('
  bool capture = true;
  if (LookingAt("?:")) {
    capture = false;
    pos_ += 2;
  } else if (LookingAt("?P<") || LookingAt("?<")) {
    pos_ += Peek() == '?' && s_[pos_ + 1] == 'P' ? 3 : 2;
    size_t end = s_.find('>', pos_);
    if (end == std::string_view::npos || end == pos_) return false;
    for (size_t i = pos_; i < end; ++i) {
      if (!IsAsciiAlnum(static_cast<unsigned char>(s_[i])) && s_[i] != '_') return false;
    }
    pos_ = end + 1;
  } else if (LookingAt("?")) {
    return false;  // flags, lookaround, (?P=name): not supported
  }
  Node n;
  n.kind = Node::Kind::kCapture;
  if (capture) n.index = ++groups;  // numbered at '(' like RE2
  int body;
  if (!ParseAlternate(depth + 1, &body)) return false;
  if (!More() || Peek() != ')') return false;
  ++pos_;
  if (!capture) {
    *out = body;
    return true;
  }
  n.subs.push_back(body);
  *out = Add(std::move(n));
  return true;
}

// The loop of RE2's ParseCharClass: ']' first is literal, '-' is literal
// where it cannot form a range (Perl mode allows it anywhere).
bool Parser::ParseBracket(int* out) {
  ++pos_;  // '['
  bool negated = false;
  if (More() && Peek() == '^') {
    negated = true;
    ++pos_;
  }
  Ranges r;
  for (bool first = true;; first = false) {
    if (!More()) return false;
    if (Peek() == ']' && !first) break;
    if (LookingAt("[:")) return false;  // POSIX classes
    if (Peek() == '\\' && pos_ + 1 < s_.size() && IsPerlClass(s_[pos_ + 1])) {
      AddPerlClass(s_[pos_ + 1], &r);
      pos_ += 2;
      continue;
    }
    char32_t lo, hi;
    if (!ParseClassChar(&lo)) return false;
    hi = lo;
    if (pos_ + 1 < s_.size() && Peek() == '-' && s_[pos_ + 1] != ']') {
      ++pos_;
      if (!ParseClassChar(&hi) || hi < lo) return false;
    }
    r.push_back({lo, hi});
  }
  ++pos_;  // ']'
  Normalize(&r);
  *out = AddClass(negated ? Negate(r) : std::move(r));
  return true;
}

bool Parser::ParseClassChar(char32_t* r) {
  if (!More()) return false;
  return Peek() == '\\' ? ParseEscapedRune(r) : ParseRune(r);
}

// A rune of the pattern, which must be valid UTF-8.
bool Parser::ParseRune(char32_t* r) {
  size_t width;
  *r = util::DecodeRune(s_, pos_, &width);
  if (*r == util::kRuneError && width == 1) return false;
  pos_ += width;
  return true;
}

// The escapes that denote one rune: C escapes and ASCII punctuation. Octal,
// \x, \Q, \C, \b, \p, \z and the like are refused.
bool Parser::ParseEscapedRune(char32_t* r) {
  if (pos_ + 1 >= s_.size()) return false;
  unsigned char c = static_cast<unsigned char>(s_[pos_ + 1]);
  switch (c) {
    case 'a':
      *r = '\a';
      break;
    case 'f':
      *r = '\f';
      break;
    case 'n':
      *r = '\n';
      break;
    case 'r':
      *r = '\r';
      break;
    case 't':
      *r = '\t';
      break;
    case 'v':
      *r = '\v';
      break;
    default:
      if (c >= 0x80 || IsAsciiAlnum(c)) return false;
      *r = c;
  }
  pos_ += 2;
  return true;
}

// A decimal without leading zeros, at most kMaxRepeat (Go's parseRepeat).
bool Parser::ParseInt(int* v) {
  size_t start = pos_;
  *v = 0;
  while (More() && Peek() >= '0' && Peek() <= '9') {
    *v = *v * 10 + (Peek() - '0');
    if (*v > kMaxRepeat) return false;
    ++pos_;
  }
  size_t len = pos_ - start;
  return len > 0 && !(len > 1 && s_[start] == '0');
}

bool Parser::ParseRepeat(int* node) {
  if (!More()) return true;
  Node rep;
  rep.kind = Node::Kind::kRepeat;
  switch (Peek()) {
    case '*':
      rep.min = 0;
      rep.max = -1;
      ++pos_;
      break;
    case '+':
      rep.min = 1;
      rep.max = -1;
      ++pos_;
      break;
    case '?':
      rep.min = 0;
      rep.max = 1;
      ++pos_;
      break;
    case '{':
      ++pos_;
      if (!ParseInt(&rep.min)) return false;
      rep.max = rep.min;
      if (More() && Peek() == ',') {
        ++pos_;
        rep.max = -1;
        if (More() && Peek() != '}' && !ParseInt(&rep.max)) return false;
      }
      if (!More() || Peek() != '}') return false;
      ++pos_;
      if (rep.max != -1 && rep.max < rep.min) return false;
      break;
    default:
      return true;
  }
  if (More() && Peek() == '?') {
    rep.greedy = false;
    ++pos_;
  }
  // Stacked repetitions (a**, a{2}*) are errors in Go; '{' after one could
  // be a literal. Refuse both.
  if (More() && (Peek() == '*' || Peek() == '+' || Peek() == '?' || Peek() == '{')) return false;
  // RE2 rewrites empty-width loops; stay clear of them.
  if (rep.max == -1 && Nullable(*node)) return false;
  rep.subs.push_back(*node);
  *node = Add(std::move(rep));
  return true;
}

bool Parser::Nullable(int node) const {
  const Node& n = nodes[node];
  switch (n.kind) {
    case Node::Kind::kLiteral:
    case Node::Kind::kClass:
      return false;
    case Node::Kind::kCapture:
      return Nullable(n.subs[0]);
    case Node::Kind::kConcat:
      return std::all_of(n.subs.begin(), n.subs.end(), [&](int s) { return Nullable(s); });
    case Node::Kind::kAlternate:
      return std::any_of(n.subs.begin(), n.subs.end(), [&](int s) { return Nullable(s); });
    case Node::Kind::kRepeat:
      return n.min == 0 || Nullable(n.subs[0]);
    default:
      return true;  // empty, ^, $
  }
}


}  // namespace kubescrape::model::backtrack_internal
