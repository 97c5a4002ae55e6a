#include "model/regex.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <string>
#include <vector>

namespace kubescrape::model {
namespace {

Regex MustCompile(std::string_view p) {
  auto r = Regex::Compile(p);
  EXPECT_TRUE(r.ok()) << p << ": " << r.status().message();
  return *r;
}

TEST(RegexTest, FullyAnchoredAndDotAll) {
  Regex r = MustCompile("f|o");
  EXPECT_FALSE(r.FullMatch("foo"));  // anchored: no partial match
  EXPECT_TRUE(r.FullMatch("f"));
  EXPECT_TRUE(MustCompile("line1.*line2").FullMatch("line1\nline2"));
  EXPECT_TRUE(MustCompile("").FullMatch(""));
  EXPECT_FALSE(MustCompile("").FullMatch("x"));
}

TEST(RegexTest, GoStyleCompileErrors) {
  EXPECT_EQ(Regex::Compile("abc(def").status().message(),
            "error parsing regexp: missing closing ): `^(?s:abc(def)$`");
  EXPECT_EQ(Regex::Compile("a**").status().message(),
            "error parsing regexp: invalid nested repetition operator: `**`");
  EXPECT_EQ(Regex::Compile("[z-a]").status().message(),
            "error parsing regexp: invalid character class range: `z-a`");
  EXPECT_EQ(Regex::Compile("\\8").status().message(),
            "error parsing regexp: invalid escape sequence: `\\8`");
  // \C (any byte) is an RE2 extension that Go rejects.
  EXPECT_EQ(Regex::Compile("a\\Cb").status().message(), "error parsing regexp: invalid escape sequence: `\\C`");
  EXPECT_TRUE(Regex::Compile("a\\\\Cb").ok());   // an escaped backslash, then C
  EXPECT_TRUE(Regex::Compile("\\Qa\\C\\E").ok());  // quoted
  // Errors quote the pattern as written, with Go's (?<name> spelling.
  EXPECT_EQ(Regex::Compile("(?<n>a").status().message(), "error parsing regexp: missing closing ): `^(?s:(?<n>a)$`");
}

TEST(RegexTest, GoNamedGroupSpellings) {
  Regex r = MustCompile("(line1).*(?<second>line2)");
  std::vector<std::string_view> g;
  ASSERT_TRUE(r.Match("line1\nline2", &g));
  ASSERT_EQ(g.size(), 3u);
  EXPECT_EQ(g[1], "line1");
  EXPECT_EQ(g[2], "line2");
  EXPECT_EQ(r.GroupsNamed("second"), std::vector<int>{2});
  Regex p = MustCompile("(?P<x>a)(?P<x>b)?");  // Go allows repeated names
  EXPECT_EQ(p.GroupsNamed("x"), (std::vector<int>{1, 2}));
}

TEST(RegexTest, TranslationLeavesClassesAndEscapesAlone) {
  EXPECT_EQ(TranslateGoRegex("(?<n>x)"), "(?P<n>x)");
  EXPECT_EQ(TranslateGoRegex("[(?<n>]"), "[(?<n>]");
  EXPECT_EQ(TranslateGoRegex("\\(?<n>"), "\\(?<n>");
  EXPECT_EQ(TranslateGoRegex("[]](?<n>x)"), "[]](?P<n>x)");
  EXPECT_EQ(TranslateGoRegex("\\Q(?<n>\\E(?<m>y)"), "\\Q(?<n>\\E(?P<m>y)");
  // Lookbehind is not Go syntax either: left for the error path.
  EXPECT_EQ(TranslateGoRegex("(?<=a)"), "(?<=a)");
  EXPECT_FALSE(Regex::Compile("(?<=a)b").ok());
}

TEST(RegexTest, UnmatchedGroupsAreNull) {
  Regex r = MustCompile("(a)|(b)");
  std::vector<std::string_view> g;
  ASSERT_TRUE(r.Match("b", &g));
  EXPECT_EQ(g[1].data(), nullptr);
  EXPECT_EQ(g[2], "b");
  Regex e = MustCompile("(a*)b");
  ASSERT_TRUE(e.Match("b", &g));
  EXPECT_NE(g[1].data(), nullptr);  // participated with an empty match
  EXPECT_EQ(g[1], "");
}

TEST(RegexTest, DefaultIsIdentifiedByIdentity) {
  EXPECT_TRUE(Regex::Default().is_default());
  EXPECT_EQ(Regex::Default().pattern(), "(.*)");
  EXPECT_FALSE(MustCompile("(.*)").is_default());
}

// Every fast path, and the backtracking matcher behind Regex, must agree
// with RE2 itself (compiled here as Prometheus compiles: ^(?s:P)$).
TEST(RegexTest, FastPathsAgreeWithRe2) {
  const std::vector<std::string> patterns = {
      "test", "true", "", "argocd-app|flask-minio|minio|mongo", "a|", "|b", "10\\.0\\.0\\.1",
      "a\\|b", "a\\\\|b", "(.*)", "(.+)", ".*", ".+", "__meta_kubernetes_pod_label_(.+)",
      "__meta_(.*)", "pre\\.*", "pre\\\\.*", "^metrics$", "^abc", "abc$", "a\\$", "^$", "x.+",
      "ü(.+)", "a\\-b", "([^:]+)(?::\\d+)?;(\\d+)", "(a|ab)(c|bcd)?", "(?P<x>a)|(?P<x>b)",
  };
  const std::vector<std::string> inputs = {
      "", "test", "true", "minio", "mongo", "flask-minio", "argo", "a", "b", "a|b", "a\\", "10.0.0.1",
      "10x0x0x1", "__meta_kubernetes_pod_label_app", "__meta_kubernetes_pod_label_", "__meta_",
      "__meta_x", "pre", "pre...", "pre\\", "pre\\\\", "metrics", "^metrics$", "abc", "a$", "x",
      "xy", "üx", "ü", "a-b", "line\nbreak",
      "10.1.2.3:80;8001", "10.1.2.3;8001", "10.1.2.3:80;", "ab", "abc", "abcd", "abbcd",
  };
  RE2::Options opts;
  opts.set_log_errors(false);
  for (const std::string& p : patterns) {
    Regex fast = MustCompile(p);
    RE2 re2("^(?s:" + TranslateGoRegex(p) + ")$", opts);
    ASSERT_TRUE(re2.ok()) << p;
    ASSERT_EQ(fast.num_groups(), re2.NumberOfCapturingGroups()) << p;
    for (const std::string& in : inputs) {
      const size_t n = static_cast<size_t>(re2.NumberOfCapturingGroups()) + 1;
      std::vector<re2::StringPiece> pieces(n);
      bool ms = re2.Match(in, 0, in.size(), RE2::ANCHOR_BOTH, pieces.data(), static_cast<int>(n));
      EXPECT_EQ(fast.FullMatch(in), ms) << "pattern " << p << " input " << in;
      std::vector<std::string_view> gf, gs;
      for (const auto& piece : pieces) {
        gs.push_back(piece.data() == nullptr ? std::string_view() : std::string_view(piece.data(), piece.size()));
      }
      bool mf = fast.Match(in, &gf);
      ASSERT_EQ(mf, ms) << "pattern " << p << " input " << in;
      if (mf) {
        ASSERT_EQ(gf.size(), gs.size());
        for (size_t i = 0; i < gf.size(); ++i) {
          EXPECT_EQ(gf[i], gs[i]) << "pattern " << p << " input " << in << " group " << i;
          EXPECT_EQ(gf[i].data() == nullptr, gs[i].data() == nullptr);
        }
      }
    }
  }
}

}  // namespace
}  // namespace kubescrape::model
