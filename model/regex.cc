#include "model/regex.h"

#include <re2/re2.h>

#include "model/backtrack.h"

#include <array>
#include <map>

#include <fmt/format.h>

namespace kubescrape::model {
namespace {

// Go's regexp/syntax ErrorCode strings for RE2's error codes.
std::string_view GoErrorText(RE2::ErrorCode code) {
  switch (code) {
    case RE2::ErrorBadEscape: return "invalid escape sequence";
    case RE2::ErrorBadCharClass: return "invalid character class";
    case RE2::ErrorBadCharRange: return "invalid character class range";
    case RE2::ErrorMissingBracket: return "missing closing ]";
    case RE2::ErrorMissingParen: return "missing closing )";
    case RE2::ErrorUnexpectedParen: return "unexpected )";
    case RE2::ErrorTrailingBackslash: return "trailing backslash at end of expression";
    case RE2::ErrorRepeatArgument: return "missing argument to repetition operator";
    case RE2::ErrorRepeatSize: return "invalid repeat count";
    case RE2::ErrorRepeatOp: return "invalid nested repetition operator";
    case RE2::ErrorBadPerlOp: return "invalid or unsupported Perl syntax";
    case RE2::ErrorBadUTF8: return "invalid UTF-8";
    case RE2::ErrorBadNamedCapture: return "invalid named capture";
    case RE2::ErrorPatternTooLarge: return "expression too large";
    default: return "regexp/syntax: internal error";
  }
}

bool IsAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool IsMeta(char c) {
  switch (c) {
    case '\\': case '.': case '+': case '*': case '?': case '(': case ')':
    case '|': case '[': case ']': case '{': case '}': case '^': case '$':
      return true;
    default:
      return false;
  }
}

// Decodes `s` as a literal when it has no regex operators: plain characters
// and backslash-escaped ASCII punctuation (which Go reads as itself). False
// when `s` is not such a literal.
bool DecodeLiteral(std::string_view s, std::string* out) {
  out->clear();
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\') {
      if (i + 1 >= s.size()) return false;
      char n = s[i + 1];
      if (static_cast<unsigned char>(n) >= 0x80 || IsAsciiAlnum(n)) return false;
      out->push_back(n);
      ++i;
    } else if (IsMeta(c)) {
      return false;
    } else {
      out->push_back(c);
    }
  }
  return true;
}

// The fast-path shapes. `prefix` is a decoded literal.
struct FastPath {
  enum class Kind { kNone, kLiteral, kLiteralSet, kPrefix } kind = Kind::kNone;
  std::string literal;               // kLiteral, and the prefix of kPrefix
  std::vector<std::string> set;      // kLiteralSet
  bool tail_nonempty = false;        // kPrefix: `.+` rather than `.*`
  bool tail_capture = false;         // kPrefix: the tail is group 1
};

// Under full anchoring a leading `^` and a trailing `$` (not escaped) are
// redundant: users often write them (`^metrics$`). Strip them for analysis.
std::string_view StripRedundantAnchors(std::string_view p) {
  if (!p.empty() && p.front() == '^') p.remove_prefix(1);
  if (!p.empty() && p.back() == '$') {
    size_t backslashes = 0;
    for (size_t i = p.size() - 1; i > 0 && p[i - 1] == '\\'; --i) ++backslashes;
    if (backslashes % 2 == 0) p.remove_suffix(1);
  }
  return p;
}

FastPath AnalyzeFastPath(std::string_view p) {
  FastPath fp;
  p = StripRedundantAnchors(p);
  std::string lit;
  if (DecodeLiteral(p, &lit)) {
    fp.kind = FastPath::Kind::kLiteral;
    fp.literal = std::move(lit);
    return fp;
  }
  // Alternation of literals, no groups: a|b|c.
  if (p.find_first_of("()[]") == std::string_view::npos && p.find('|') != std::string_view::npos) {
    std::vector<std::string> set;
    size_t start = 0;
    bool ok = true;
    while (ok) {
      size_t bar = p.find('|', start);
      std::string_view alt = p.substr(start, bar == std::string_view::npos ? bar : bar - start);
      // An escaped '|' would have split here: reject alternatives ending in '\'.
      if (!alt.empty() && alt.back() == '\\') ok = false;
      if (ok && !DecodeLiteral(alt, &lit)) ok = false;
      if (ok) set.push_back(lit);
      if (bar == std::string_view::npos) break;
      start = bar + 1;
    }
    if (ok) {
      fp.kind = FastPath::Kind::kLiteralSet;
      fp.set = std::move(set);
      return fp;
    }
  }
  // literal + one of (.*) (.+) .* .+
  struct Tail {
    std::string_view text;
    bool nonempty, capture;
  };
  static constexpr std::array<Tail, 4> kTails = {{
      {"(.*)", false, true}, {"(.+)", true, true}, {".*", false, false}, {".+", true, false}}};
  for (const Tail& t : kTails) {
    if (p.size() < t.text.size() || p.substr(p.size() - t.text.size()) != t.text) continue;
    std::string_view head = p.substr(0, p.size() - t.text.size());
    // `\.*` is an escaped dot then `*`, not a tail.
    size_t backslashes = 0;
    for (size_t i = head.size(); i > 0 && head[i - 1] == '\\'; --i) ++backslashes;
    if (backslashes % 2 == 1) continue;
    if (!DecodeLiteral(head, &lit)) continue;
    fp.kind = FastPath::Kind::kPrefix;
    fp.literal = std::move(lit);
    fp.tail_nonempty = t.nonempty;
    fp.tail_capture = t.capture;
    return fp;
  }
  return fp;
}

// True when `p` uses the escape `\<c>` (outside \Q...\E quoting). Used for
// RE2 extensions that Go rejects, such as \C (any byte).
bool HasEscape(std::string_view p, char c) {
  for (size_t i = 0; i + 1 < p.size(); ++i) {
    if (p[i] != '\\') continue;
    if (p[i + 1] == 'Q') {
      size_t end = p.find("\\E", i + 2);
      if (end == std::string_view::npos) return false;
      i = end + 1;
      continue;
    }
    if (p[i + 1] == c) return true;
    ++i;  // skip the escaped character
  }
  return false;
}

}  // namespace

struct Regex::Impl {
  std::string pattern;
  std::unique_ptr<RE2> re2;
  FastPath fast;
  // The allocation-free matcher for the common subset; RE2 when absent or
  // when it declines a text.
  std::optional<BacktrackProgram> backtrack;
  int num_groups = 0;
  std::map<std::string, std::vector<int>, std::less<>> names;
  bool is_default = false;
};

std::string TranslateGoRegex(std::string_view p) {
  std::string out;
  out.reserve(p.size() + 8);
  bool in_class = false;
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\') {
      // \Q...\E quotes everything up to \E.
      if (!in_class && i + 1 < p.size() && p[i + 1] == 'Q') {
        size_t end = p.find("\\E", i + 2);
        size_t stop = end == std::string_view::npos ? p.size() : end + 2;
        out.append(p.substr(i, stop - i));
        i = stop - 1;
        continue;
      }
      out.push_back(c);
      if (i + 1 < p.size()) out.push_back(p[++i]);
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      out.push_back(c);
      continue;
    }
    if (c == '[') {
      in_class = true;
      out.push_back(c);
      // A ']' right after '[' or '[^' is literal; so is '[:' of a POSIX class
      // handled by RE2, which we leave as is.
      if (i + 1 < p.size() && p[i + 1] == '^') out.push_back(p[++i]);
      if (i + 1 < p.size() && p[i + 1] == ']') out.push_back(p[++i]);
      continue;
    }
    if (c == '(' && p.substr(i, 3) == "(?<" && i + 3 < p.size() && p[i + 3] != '=' && p[i + 3] != '!') {
      out += "(?P<";
      i += 2;
      continue;
    }
    out.push_back(c);
  }
  return out;
}

util::StatusOr<Regex> Regex::Compile(std::string_view pattern) { return Compile(pattern, false); }

util::StatusOr<Regex> Regex::Compile(std::string_view pattern, bool is_default) {
  if (HasEscape(pattern, 'C')) {
    return util::InvalidArgumentError("error parsing regexp: invalid escape sequence: `\\C`");
  }
  auto impl = std::make_shared<Impl>();
  impl->is_default = is_default;
  impl->pattern = std::string(pattern);
  std::string anchored = "^(?s:" + TranslateGoRegex(pattern) + ")$";
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_max_mem(int64_t{64} << 20);
  impl->re2 = std::make_unique<RE2>(anchored, opts);
  if (!impl->re2->ok()) {
    std::string arg = impl->re2->error_arg();
    // Quote the user's own spelling, not our (?<name> -> (?P<name> rewrite.
    if (pattern.find("(?P<") == std::string_view::npos) {
      for (size_t at = arg.find("(?P<"); at != std::string::npos; at = arg.find("(?P<", at)) arg.erase(at + 2, 1);
    }
    return util::InvalidArgumentError(
        fmt::format("error parsing regexp: {}: `{}`", GoErrorText(impl->re2->error_code()), arg));
  }
  impl->num_groups = impl->re2->NumberOfCapturingGroups();
  for (const auto& [index, name] : impl->re2->CapturingGroupNames()) {
    impl->names[name].push_back(index);
  }
  impl->fast = AnalyzeFastPath(pattern);
  if (impl->fast.kind == FastPath::Kind::kNone) {
    impl->backtrack = BacktrackProgram::Compile(TranslateGoRegex(pattern));
    // Both number groups by '(' order; a disagreement would be our bug.
    if (impl->backtrack && impl->backtrack->num_groups() != impl->num_groups) impl->backtrack.reset();
  }
  return Regex(std::move(impl));
}

const Regex& Regex::Default() {
  static const Regex* const kDefault = new Regex(Compile("(.*)", /*is_default=*/true).value());
  return *kDefault;
}

bool Regex::is_default() const { return impl_->is_default; }

std::string_view Regex::literal_prefix() const {
  const FastPath& f = impl_->fast;
  if (f.kind == FastPath::Kind::kLiteral || f.kind == FastPath::Kind::kPrefix) return f.literal;
  return {};
}
const std::string& Regex::pattern() const { return impl_->pattern; }
int Regex::num_groups() const { return impl_->num_groups; }

const std::vector<int>& Regex::GroupsNamed(std::string_view name) const {
  static const std::vector<int> kNone;
  auto it = impl_->names.find(name);
  return it == impl_->names.end() ? kNone : it->second;
}

bool Regex::FullMatch(std::string_view text) const {
  const FastPath& f = impl_->fast;
  switch (f.kind) {
    case FastPath::Kind::kLiteral:
      return text == f.literal;
    case FastPath::Kind::kLiteralSet:
      for (const std::string& s : f.set) {
        if (text == s) return true;
      }
      return false;
    case FastPath::Kind::kPrefix:
      return text.size() >= f.literal.size() + (f.tail_nonempty ? 1 : 0) &&
             text.compare(0, f.literal.size(), f.literal) == 0;
    case FastPath::Kind::kNone:
      break;
  }
  if (impl_->backtrack) {
    thread_local std::vector<std::string_view> groups;
    groups.resize(static_cast<size_t>(impl_->num_groups) + 1);
    if (std::optional<bool> r = impl_->backtrack->Match(text, groups)) return *r;
  }
  return impl_->re2->Match(re2::StringPiece(text.data(), text.size()), 0, text.size(),
                           RE2::ANCHOR_BOTH, nullptr, 0);
}

bool Regex::Match(std::string_view text, std::vector<std::string_view>* groups) const {
  const FastPath& f = impl_->fast;
  const size_t n = static_cast<size_t>(impl_->num_groups) + 1;
  if (f.kind != FastPath::Kind::kNone) {
    if (!FullMatch(text)) return false;
    groups->assign(n, std::string_view());
    (*groups)[0] = text;
    if (f.kind == FastPath::Kind::kPrefix && f.tail_capture) (*groups)[1] = text.substr(f.literal.size());
    return true;
  }
  if (impl_->backtrack) {
    groups->resize(n);
    if (std::optional<bool> r = impl_->backtrack->Match(text, *groups)) return *r;
  }
  thread_local std::vector<re2::StringPiece> pieces;
  pieces.resize(n);
  if (!impl_->re2->Match(re2::StringPiece(text.data(), text.size()), 0, text.size(), RE2::ANCHOR_BOTH,
                         pieces.data(), static_cast<int>(n))) {
    return false;
  }
  groups->resize(n);
  for (size_t i = 0; i < n; ++i) {
    (*groups)[i] = pieces[i].data() == nullptr ? std::string_view()
                                               : std::string_view(pieces[i].data(), pieces[i].size());
  }
  return true;
}

}  // namespace kubescrape::model
