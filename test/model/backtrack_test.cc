#include "model/backtrack.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "model/regex.h"

namespace kubescrape::model {
namespace {

// A submatch as offsets into the text; {-1, -1} when the group did not
// participate.
using Span = std::pair<int, int>;

// RE2, the oracle, compiled the way Regex does: `^(?s:P)$`.
std::unique_ptr<RE2> Oracle(std::string_view pattern) {
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_max_mem(int64_t{64} << 20);
  return std::make_unique<RE2>("^(?s:" + TranslateGoRegex(pattern) + ")$", opts);
}

std::optional<std::vector<Span>> Re2Match(const RE2& re, const std::string& text) {
  const int n = 1 + re.NumberOfCapturingGroups();
  std::vector<re2::StringPiece> pieces(n);
  if (!re.Match(text, 0, text.size(), RE2::ANCHOR_BOTH, pieces.data(), n)) return std::nullopt;
  std::vector<Span> out;
  for (const re2::StringPiece& p : pieces) {
    if (p.data() == nullptr) {
      out.push_back({-1, -1});
    } else {
      out.push_back({static_cast<int>(p.data() - text.data()), static_cast<int>(p.size())});
    }
  }
  return out;
}

// nullopt: the engine declined (budget or invalid UTF-8). Otherwise the
// match result, as Re2Match gives it.
std::optional<std::optional<std::vector<Span>>> BtMatch(const BacktrackProgram& prog,
                                                        const std::string& text) {
  std::vector<std::string_view> groups(prog.num_groups() + 1);
  std::optional<bool> m = prog.Match(text, groups);
  if (!m.has_value()) return std::nullopt;
  if (!*m) return std::optional<std::vector<Span>>();
  std::vector<Span> out;
  for (std::string_view g : groups) {
    if (g.data() == nullptr) {
      out.push_back({-1, -1});
    } else {
      out.push_back({static_cast<int>(g.data() - text.data()), static_cast<int>(g.size())});
    }
  }
  return std::optional<std::vector<Span>>(std::move(out));
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c >= 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string Describe(const std::optional<std::vector<Span>>& r) {
  if (!r.has_value()) return "no match";
  std::string out = "match";
  for (const Span& s : *r)
    out += " (" + std::to_string(s.first) + "," + std::to_string(s.second) + ")";
  return out;
}

// Compares the engine with RE2 on one text; true when they agree or the
// engine declined.
bool AgreesWithRe2(const BacktrackProgram& prog, const RE2& re, std::string_view pattern,
                   const std::string& text) {
  auto got = BtMatch(prog, text);
  if (!got.has_value()) return true;
  auto want = Re2Match(re, text);
  if (*got == want) return true;
  ADD_FAILURE() << "pattern `" << pattern << "` text " << Quote(text) << ": RE2 " << Describe(want)
                << ", backtracker " << Describe(*got);
  return false;
}

BacktrackProgram MustCompile(std::string_view pattern) {
  auto prog = BacktrackProgram::Compile(pattern);
  EXPECT_TRUE(prog.has_value()) << pattern;
  return prog.has_value() ? *std::move(prog) : *BacktrackProgram::Compile("");
}

// Matches `text` and returns the groups, "<null>" for a non-participating
// one, or {"<no match>"}. Checks RE2 agrees on the way.
std::vector<std::string> Groups(std::string_view pattern, const std::string& text) {
  BacktrackProgram prog = MustCompile(pattern);
  auto re = Oracle(pattern);
  EXPECT_TRUE(re->ok()) << pattern;
  EXPECT_EQ(prog.num_groups(), re->NumberOfCapturingGroups()) << pattern;
  AgreesWithRe2(prog, *re, pattern, text);
  std::vector<std::string_view> groups(prog.num_groups() + 1);
  std::optional<bool> m = prog.Match(text, groups);
  EXPECT_TRUE(m.has_value()) << pattern << " " << text;
  if (!m.value_or(false)) return {"<no match>"};
  std::vector<std::string> out;
  for (size_t i = 1; i < groups.size(); ++i) {
    out.push_back(groups[i].data() == nullptr ? "<null>" : std::string(groups[i]));
  }
  return out;
}

using Strings = std::vector<std::string>;

TEST(BacktrackTest, AddressWithAnnotatedPort) {
  const char* p = R"(([^:]+)(?::\d+)?;(\d+))";
  EXPECT_EQ(Groups(p, "10.244.1.17:5000;8001"), (Strings{"10.244.1.17", "8001"}));
  EXPECT_EQ(Groups(p, "10.244.1.17;8001"), (Strings{"10.244.1.17", "8001"}));
  EXPECT_EQ(Groups(p, "10.244.1.17:5000;"), (Strings{"<no match>"}));
  EXPECT_EQ(Groups(p, "[::1]:80;8001"), (Strings{"<no match>"}));
  EXPECT_EQ(Groups(R"((.+?)(\:\d+)?;(\d+))", "10.244.1.17:5000;8001"),
            (Strings{"10.244.1.17", ":5000", "8001"}));
  EXPECT_EQ(Groups(R"((.+?)(\:\d+)?;(\d+))", "host;8001"), (Strings{"host", "<null>", "8001"}));
  EXPECT_EQ(Groups(R"((.+)(\:\d+)?;(\d+))", "h:1;2"), (Strings{"h:1", "<null>", "2"}));
}

TEST(BacktrackTest, WholeTextAndEmptyGroups) {
  EXPECT_EQ(Groups("(.*)", ""), (Strings{""}));
  EXPECT_EQ(Groups("(.*)", "a\nb"), (Strings{"a\nb"}));  // (?s)
  EXPECT_EQ(Groups("(a*)(b*)", "aa"), (Strings{"aa", ""}));
  BacktrackProgram prog = MustCompile("(a*)b");
  std::vector<std::string_view> groups(2);
  ASSERT_EQ(prog.Match("b", groups), true);
  EXPECT_NE(groups[1].data(), nullptr);  // participated, empty
  EXPECT_EQ(groups[0], "b");
  ASSERT_EQ(prog.Match(std::string_view(), groups), false);
  BacktrackProgram empty = MustCompile("(a*)");
  ASSERT_EQ(empty.Match(std::string_view(), groups), true);
  EXPECT_NE(groups[1].data(), nullptr);  // even for a null text
}

TEST(BacktrackTest, LeftmostFirstAlternationAndRepetition) {
  EXPECT_EQ(Groups("(a|ab)(c|bcd)(d*)", "abcd"), (Strings{"a", "bcd", ""}));
  EXPECT_EQ(Groups("(a+)(a*)", "aaa"), (Strings{"aaa", ""}));
  EXPECT_EQ(Groups("(a+?)(a*)", "aaa"), (Strings{"a", "aa"}));
  EXPECT_EQ(Groups("(a*?)(a*?)", "aa"), (Strings{"", "aa"}));
  EXPECT_EQ(Groups(R"((a??)(a*))", "aa"), (Strings{"", "aa"}));
  EXPECT_EQ(Groups("(a?)(a*)", "aa"), (Strings{"a", "a"}));
  EXPECT_EQ(Groups("(a{1,3})(a*)", "aaaaa"), (Strings{"aaa", "aa"}));
  EXPECT_EQ(Groups("(a{1,3}?)(a*)", "aaaaa"), (Strings{"a", "aaaa"}));
  EXPECT_EQ(Groups("(a{2,}?)(a*)", "aaaaa"), (Strings{"aa", "aaa"}));
  EXPECT_EQ(Groups("x{2,3}", "xx"), Strings{});
  EXPECT_EQ(Groups("x{2,3}", "xxxx"), (Strings{"<no match>"}));
  EXPECT_EQ(Groups("x{2}", "x"), (Strings{"<no match>"}));
  EXPECT_EQ(Groups("(x){0}y", "y"), (Strings{"<null>"}));
}

TEST(BacktrackTest, GroupsNestedOptionalAndRepeated) {
  EXPECT_EQ(Groups("((a)(b)?)+", "aab"), (Strings{"ab", "a", "b"}));
  // A group keeps its value from an earlier iteration it took part in.
  EXPECT_EQ(Groups("(?:(a)|b)+", "ab"), (Strings{"a"}));
  EXPECT_EQ(Groups("(a)|(b)", "b"), (Strings{"<null>", "b"}));
  EXPECT_EQ(Groups("(?P<ip>[^:]+):(?<port>\\d+)", "h:80"), (Strings{"h", "80"}));
  EXPECT_EQ(Groups("(?:(a)(?:(b)|c))*", "acab"), (Strings{"a", "b"}));
}

TEST(BacktrackTest, ClassesEscapesAndAnchors) {
  EXPECT_EQ(Groups(R"(([\w.-]+)\.([a-z]{2,}))", "my-host.example.com"),
            (Strings{"my-host.example", "com"}));
  EXPECT_EQ(Groups(R"([]a]+)", "]a]"), Strings{});
  EXPECT_EQ(Groups(R"([^]a]+)", "bc\n"), Strings{});
  EXPECT_EQ(Groups(R"([a-]+)", "a-a"), Strings{});
  EXPECT_EQ(Groups(R"(\s\S\d\D\w\W)", "\tx1a_!"), Strings{});
  EXPECT_EQ(Groups(R"([\s]+)", "\v"), (Strings{"<no match>"}));  // \s has no \v
  EXPECT_EQ(Groups(R"(\t\n\r\f\v\a\\\/\:\-\_)", "\t\n\r\f\v\a\\/:-_"), Strings{});
  EXPECT_EQ(Groups("^a$", "a"), Strings{});
  EXPECT_EQ(Groups("a^b", "ab"), (Strings{"<no match>"}));
  EXPECT_EQ(Groups("(^a|b)+", "ab"), (Strings{"b"}));
  EXPECT_EQ(Groups("a}]", "a}]"), Strings{});
}

TEST(BacktrackTest, Utf8) {
  EXPECT_EQ(Groups("ü(.)", "üß"), (Strings{"ß"}));
  EXPECT_EQ(Groups("([^a])(.)", "€😀"), (Strings{"€", "😀"}));
  EXPECT_EQ(Groups("[ä-ü]+(\\W)", "öü€"), (Strings{"€"}));
  EXPECT_EQ(Groups("(.)", "ab"), (Strings{"<no match>"}));
  // Backing off a run, or extending a lazy one, steps whole runes.
  EXPECT_EQ(Groups("(.*)ü(.*)", "aüü€b"), (Strings{"aü", "€b"}));
  EXPECT_EQ(Groups("(.*?)ü(.*)", "aüü€b"), (Strings{"a", "ü€b"}));
  EXPECT_EQ(Groups("([^;]+)(€|ü)", "x€üü"), (Strings{"x€ü", "ü"}));
  // `.` and negated classes decline invalid UTF-8 (RE2 matches some of it).
  BacktrackProgram any = MustCompile("(.*)");
  std::vector<std::string_view> groups(2);
  EXPECT_EQ(any.Match("a\xff", groups), std::nullopt);
  EXPECT_EQ(any.Match("\xed\xa0\x80", groups), std::nullopt);  // a surrogate
  EXPECT_EQ(any.Match("\xe0\x80\x80", groups), std::nullopt);  // overlong
  // ASCII-only programs match bytes, exactly as RE2 does.
  BacktrackProgram ascii = MustCompile("(a)[bc]");
  EXPECT_EQ(ascii.Match("a\xff", groups), false);
}

TEST(BacktrackTest, Budget) {
  BacktrackProgram prog = MustCompile("(.*)");
  std::vector<std::string_view> groups(2);
  EXPECT_EQ(prog.Match(std::string(4096, 'x'), groups), true);
  EXPECT_EQ(prog.Match(std::string(4097, 'x'), groups), std::nullopt);
  BacktrackProgram big = MustCompile("(a{500}b{500})?");
  EXPECT_EQ(big.Match(std::string(100, 'a'), groups), false);
  EXPECT_EQ(big.Match(std::string(300, 'a'), groups), std::nullopt);
  EXPECT_EQ(BacktrackProgram::Compile("a{1000}b{1000}c{1000}"), std::nullopt);  // too large
}

TEST(BacktrackTest, RefusesUnsupportedSyntax) {
  for (const char* p :
       {"(?i)abc", "(?s).",      "(?m)^a$", "(?U)a*",     "(?i:a)",   "\\bx",        "\\Bx",
        "\\Ax",    "x\\z",       "\\pL",    "\\p{Greek}", "\\PL",     "[\\pL]",      "\\Qa.b\\E",
        "\\C",     "\\x41",      "\\x{41}", "\\0",        "\\101",    "[[:alpha:]]", "[^[:digit:]]",
        "(a*)*",   "(a?)+",      "(?:a|)*", "(?:^)*",     "(a*){2,}", "(?:a*b*)+",   "a{,3}",
        "a{",      "a{x}",       "a{01}",   "(?P=n)",     "(?=a)",    "(?!a)",       "(?<=a)b",
        "(?P<>a)", "(?P<a-b>x)", "a**",     "a*+",        "*a",       "a|*",         "(",
        "a)",      "[a",         "\\"}) {
    EXPECT_EQ(BacktrackProgram::Compile(p), std::nullopt) << p;
  }
  // Repetition over an operand that may be empty is fine when bounded.
  EXPECT_NE(BacktrackProgram::Compile("(a*){2,3}"), std::nullopt);
  EXPECT_NE(BacktrackProgram::Compile("(a?)?"), std::nullopt);
  EXPECT_NE(BacktrackProgram::Compile("(?:a+)*"), std::nullopt);
}

TEST(BacktrackTest, ConcurrentMatches) {
  const BacktrackProgram prog = MustCompile(R"(([^:]+)(?::\d+)?;(\d+))");
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&prog, &ok, i] {
      std::vector<std::string_view> groups(3);
      const std::string text = "10.0.0." + std::to_string(i) + ":80;" + std::to_string(9000 + i);
      for (int k = 0; k < 2000; ++k) {
        if (prog.Match(text, groups) == true && groups[1] == "10.0.0." + std::to_string(i) &&
            groups[2] == std::to_string(9000 + i)) {
          ++ok[i];
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(ok[i], 2000);
}

// ---- Differential test against RE2 ------------------------------------------

// A random regex over a tiny alphabet, kept as a tree so that it can also
// produce texts it (probably) matches.
struct Gen {
  enum Kind { kAtom, kAnchor, kGroup, kAlt, kCat, kRep } kind = kAtom;
  std::string pattern;   // kAtom, kAnchor: its text; kGroup: the opening; kRep: the operator
  int min = 0, max = 0;  // kRep; max -1 is unbounded
  std::vector<Gen> subs;
};

Gen MakeGen(Gen::Kind kind, std::string pattern = "", int min = 0, int max = 0) {
  Gen g;
  g.kind = kind;
  g.pattern = std::move(pattern);
  g.min = min;
  g.max = max;
  return g;
}

constexpr const char* kLiterals[] = {"a",   "b", ":", ";",   "1",   "2",
                                     "\\.", "-", "ü", "\\:", "\\n", " "};
constexpr const char* kClasses[] = {
    ".",      "\\d",    "\\D",  "\\w",     "\\W",    "\\s",    "\\S",  "[ab]",   "[^a]",   "[a-b1]",
    "[^:;]",  "[\\d;]", "[]a]", "[a-]",    "[-a]",   "[^\\d]", "[.]",  "[^]a]",  "[\\w:]", "[1-2a]",
    "[^\\s]", "[ü:]",   "[^ü]", "[a-b-;]", "[^\\n]", "[\\-a]", "[^-]", "[\\W1]", "[^\\D]", "[;-a]"};
// Characters of the texts; the last two are invalid UTF-8.
constexpr const char* kTextChars[] = {"a", "b",  ":", ";", "1", "2", ".",    "-",
                                      " ", "\n", "ü", "€", "_", "x", "\xff", "\xc3"};

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  Gen Pattern() {
    groups_ = 0;
    Gen cat = MakeGen(Gen::kCat);
    for (int i = 0, n = Uniform(1, 4); i < n; ++i) cat.subs.push_back(Node(0));
    return cat;
  }

  std::string RandomText() {
    std::string s;
    for (int i = 0, n = Uniform(0, 6); i < n; ++i) {
      // Invalid bytes only now and then.
      s += kTextChars[Uniform(0, Percent(5) ? 15 : 13)];
    }
    return s;
  }

  // A text built to follow `g`; classes draw from the text alphabet.
  void Sample(const Gen& g, std::string* out,
              const std::map<std::string, std::vector<std::string>>& members) {
    switch (g.kind) {
      case Gen::kAtom: {
        const std::vector<std::string>& m = members.at(g.pattern);
        if (!m.empty()) *out += m[Uniform(0, static_cast<int>(m.size()) - 1)];
        break;
      }
      case Gen::kAnchor:
        break;
      case Gen::kGroup:
        Sample(g.subs[0], out, members);
        break;
      case Gen::kAlt:
        Sample(g.subs[Uniform(0, static_cast<int>(g.subs.size()) - 1)], out, members);
        break;
      case Gen::kCat:
        for (const Gen& s : g.subs) Sample(s, out, members);
        break;
      case Gen::kRep: {
        int n = g.min + Uniform(0, g.max < 0 ? 3 : g.max - g.min);
        for (int i = 0; i < n; ++i) Sample(g.subs[0], out, members);
        break;
      }
    }
  }

  std::string Mutate(std::string s) {
    int pos = s.empty() ? 0 : Uniform(0, static_cast<int>(s.size()));
    switch (Uniform(0, 2)) {
      case 0:
        s.insert(pos, kTextChars[Uniform(0, 13)]);
        break;
      case 1:
        if (pos < static_cast<int>(s.size())) s.erase(pos, 1);
        break;
      default:
        if (pos < static_cast<int>(s.size())) s[pos] = *kTextChars[Uniform(0, 9)];
        break;
    }
    return s;
  }

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Percent(int p) { return Uniform(0, 99) < p; }

 private:
  Gen Node(int depth) {
    int r = Uniform(0, 99);
    if (depth >= 3) r = r % 45;
    if (r < 22) return MakeGen(Gen::kAtom, kLiterals[Uniform(0, std::size(kLiterals) - 1)]);
    if (r < 40) return MakeGen(Gen::kAtom, kClasses[Uniform(0, std::size(kClasses) - 1)]);
    if (r < 45) return MakeGen(Gen::kAnchor, Percent(50) ? "^" : "$");
    if (r < 60) {
      Gen g = MakeGen(Gen::kGroup);
      switch (Uniform(0, 5)) {
        case 0:
          g.pattern = "(?:";
          break;
        case 1:
          g.pattern = "(?P<g" + std::to_string(++groups_) + ">";
          break;
        case 2:
          g.pattern = "(?<g" + std::to_string(++groups_) + ">";
          break;
        default:
          g.pattern = "(";
          break;
      }
      g.subs.push_back(Node(depth + 1));
      return g;
    }
    if (r < 72) {
      Gen g = MakeGen(Gen::kAlt);
      for (int i = 0, n = Uniform(2, 3); i < n; ++i)
        g.subs.push_back(Percent(10) ? MakeGen(Gen::kCat) : Node(depth + 1));
      return g;
    }
    if (r < 80) {
      Gen g = MakeGen(Gen::kCat);
      for (int i = 0, n = Uniform(2, 3); i < n; ++i) g.subs.push_back(Node(depth + 1));
      return g;
    }
    static constexpr struct {
      const char* op;
      int min, max;
    } kOps[] = {{"*", 0, -1},    {"+", 1, -1},    {"?", 0, 1},     {"{0}", 0, 0},   {"{1}", 1, 1},
                {"{2}", 2, 2},   {"{0,1}", 0, 1}, {"{1,2}", 1, 2}, {"{0,2}", 0, 2}, {"{2,}", 2, -1},
                {"{0,}", 0, -1}, {"{1,}", 1, -1}, {"{2,3}", 2, 3}, {"*", 0, -1},    {"+", 1, -1}};
    const auto& op = kOps[Uniform(0, std::size(kOps) - 1)];
    Gen g = MakeGen(Gen::kRep, std::string(op.op) + (Percent(35) ? "?" : ""), op.min, op.max);
    g.subs.push_back(Node(depth + 1));
    return g;
  }

  std::mt19937 rng_;
  int groups_ = 0;
};

std::string ToPattern(const Gen& g) {
  switch (g.kind) {
    case Gen::kAtom:
    case Gen::kAnchor:
      return g.pattern;
    case Gen::kGroup:
      return g.pattern + ToPattern(g.subs[0]) + ")";
    case Gen::kAlt: {
      std::string s;
      for (size_t i = 0; i < g.subs.size(); ++i) s += (i ? "|" : "") + ToPattern(g.subs[i]);
      return s;
    }
    case Gen::kCat: {
      std::string s;
      for (const Gen& sub : g.subs)
        s += sub.kind == Gen::kAlt ? "(?:" + ToPattern(sub) + ")" : ToPattern(sub);
      return s;
    }
    case Gen::kRep: {
      const Gen& sub = g.subs[0];
      bool atomic = sub.kind == Gen::kAtom || sub.kind == Gen::kAnchor || sub.kind == Gen::kGroup;
      return (atomic ? ToPattern(sub) : "(?:" + ToPattern(sub) + ")") + g.pattern;
    }
  }
  return "";
}

void CollectAtoms(const Gen& g, std::vector<std::string>* atoms) {
  if (g.kind == Gen::kAtom) atoms->push_back(g.pattern);
  for (const Gen& s : g.subs) CollectAtoms(s, atoms);
}

TEST(BacktrackDifferentialTest, AgreesWithRe2OnRandomPatterns) {
  constexpr int kPatterns = 10000;
  Generator gen(20240601);
  // Text characters each atom matches, asked of RE2 itself.
  std::map<std::string, std::vector<std::string>> members;
  int re2_ok = 0, accepted = 0, texts = 0, declined = 0, matched = 0, failures = 0;
  for (int i = 0; i < kPatterns && failures < 20; ++i) {
    Gen g = gen.Pattern();
    const std::string pattern = ToPattern(g);
    std::unique_ptr<RE2> re = Oracle(pattern);
    if (!re->ok()) continue;
    ++re2_ok;
    std::optional<BacktrackProgram> prog = BacktrackProgram::Compile(pattern);
    if (!prog.has_value()) continue;
    ++accepted;
    if (prog->num_groups() != re->NumberOfCapturingGroups()) {
      ADD_FAILURE() << "pattern `" << pattern << "`: group count " << prog->num_groups()
                    << " vs RE2 " << re->NumberOfCapturingGroups();
      ++failures;
      continue;
    }
    std::vector<std::string> atoms;
    CollectAtoms(g, &atoms);
    for (const std::string& a : atoms) {
      if (members.count(a)) continue;
      std::unique_ptr<RE2> atom = Oracle(a);
      std::vector<std::string>& m = members[a];
      for (int c = 0; c < 14; ++c) {
        if (RE2::FullMatch(kTextChars[c], *atom)) m.push_back(kTextChars[c]);
      }
    }
    std::vector<std::string> inputs = {""};
    for (int k = 0; k < 10; ++k) {
      std::string s;
      gen.Sample(g, &s, members);
      inputs.push_back(s);
      inputs.push_back(gen.Mutate(s));
    }
    for (int k = 0; k < 10; ++k) inputs.push_back(gen.RandomText());
    for (const std::string& text : inputs) {
      ++texts;
      auto got = BtMatch(*prog, text);
      if (!got.has_value()) {
        ++declined;
        continue;
      }
      if (got->has_value()) ++matched;
      if (!AgreesWithRe2(*prog, *re, pattern, text)) ++failures;
    }
  }
  std::printf(
      "[ differential ] %d patterns generated, %d accepted by RE2, %d (%.1f%%) compiled by the "
      "backtracker; %d texts, %d matched, %d declined (invalid UTF-8)\n",
      kPatterns, re2_ok, accepted, 100.0 * accepted / re2_ok, texts, matched, declined);
  EXPECT_GT(accepted, re2_ok * 8 / 10);
  EXPECT_GT(matched, texts / 5);
}

}  // namespace
}  // namespace kubescrape::model
