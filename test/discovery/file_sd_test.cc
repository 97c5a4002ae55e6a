#include "discovery/file_sd.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <set>

namespace kubescrape::discovery {
namespace {

using model::Labels;
using model::TargetGroup;

// A MemFileSystem whose files can be removed, and whose reads and globs can
// be made to fail.
class TestFs final : public util::FileSystem {
 public:
  void Write(const std::string& path, std::string content) { files_[path] = std::move(content); }
  void Remove(const std::string& path) { files_.erase(path); }
  util::StatusOr<std::string> ReadFile(const std::string& path) const override {
    if (failing_reads_.contains(path))
      return util::IoError("read " + path + ": input/output error");
    return Mem()->ReadFile(path);
  }
  util::StatusOr<std::vector<std::string>> Glob(const std::string& pattern) const override {
    if (fail_globs_) return util::IoError("glob " + pattern + ": failed");
    return Mem()->Glob(pattern);
  }
  std::set<std::string> failing_reads_;
  bool fail_globs_ = false;

 private:
  std::unique_ptr<util::MemFileSystem> Mem() const {
    auto fs = std::make_unique<util::MemFileSystem>();
    for (const auto& [path, content] : files_) fs->WriteFile(path, content);
    return fs;
  }
  std::map<std::string, std::string> files_;
};

std::vector<TargetGroup> Parse(std::string_view path, std::string_view content) {
  auto r = ParseFileSdFile(path, content);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::vector<TargetGroup>{};
}

std::string ParseError(std::string_view path, std::string_view content) {
  auto r = ParseFileSdFile(path, content);
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.status().message();
}

std::vector<std::string> Sources(const std::vector<TargetGroup>& groups) {
  std::vector<std::string> out;
  for (const TargetGroup& g : groups) out.push_back(g.source);
  return out;
}

Labels Address(std::string_view a) { return Labels::FromPairs({{"__address__", a}}); }

FileSdConfig Config(std::vector<std::string> files) {
  FileSdConfig c;
  c.files = std::move(files);
  c.refresh_interval = std::chrono::seconds(30);
  return c;
}

TEST(ParseFileSdFileTest, Json) {
  auto groups = Parse("/sd/a.json", R"([
    {"targets": ["h1:9100", "h2:9100"], "labels": {"env": "prod"}},
    {"targets": ["h3:9100"]}
  ])");
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].source, "/sd/a.json:0");
  EXPECT_EQ(groups[0].labels,
            Labels::FromPairs({{"env", "prod"}, {"__meta_filepath", "/sd/a.json"}}));
  EXPECT_EQ(groups[0].targets, (std::vector<Labels>{Address("h1:9100"), Address("h2:9100")}));
  EXPECT_EQ(groups[1].source, "/sd/a.json:1");
  EXPECT_EQ(groups[1].labels, Labels::FromPairs({{"__meta_filepath", "/sd/a.json"}}));
  EXPECT_EQ(groups[1].targets, std::vector<Labels>{Address("h3:9100")});
}

TEST(ParseFileSdFileTest, Yaml) {
  auto groups = Parse("sd/b.yml",
                      "- targets: ['h1:80', h2:80]\n"
                      "  labels:\n"
                      "    team: db\n"
                      "    port: 80\n"  // any scalar is a string, as in yaml.v2
                      "- labels: {x: y}\n");
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].source, "sd/b.yml:0");
  EXPECT_EQ(groups[0].labels,
            Labels::FromPairs({{"team", "db"}, {"port", "80"}, {"__meta_filepath", "sd/b.yml"}}));
  EXPECT_EQ(groups[0].targets, (std::vector<Labels>{Address("h1:80"), Address("h2:80")}));
  EXPECT_TRUE(groups[1].targets.empty());
}

TEST(ParseFileSdFileTest, ExtensionIsCaseInsensitive) {
  EXPECT_EQ(Parse("x.YAML", "- targets: [a]\n").size(), 1u);
  EXPECT_EQ(Parse("x.Json", R"([{"targets": ["a"]}])").size(), 1u);
  EXPECT_NE(ParseError("x.txt", "").find("unhandled file extension"), std::string::npos);
}

TEST(ParseFileSdFileTest, FilepathLabelOverridesTheFiles) {
  auto groups = Parse("a.yml", "- targets: [a]\n  labels: {__meta_filepath: fake}\n");
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].labels.Get(kFileSdFilepathLabel), "a.yml");
}

TEST(ParseFileSdFileTest, EmptyTargetsList) {
  auto groups = Parse("a.json", R"([{"targets": [], "labels": {"a": "b"}}, {"targets": null}])");
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_TRUE(groups[0].targets.empty());
  EXPECT_TRUE(groups[1].targets.empty());
  EXPECT_EQ(Sources(groups), (std::vector<std::string>{"a.json:0", "a.json:1"}));
}

TEST(ParseFileSdFileTest, EmptyYamlIsNoGroupsEmptyJsonIsAnError) {
  EXPECT_TRUE(Parse("a.yml", "").empty());
  EXPECT_TRUE(Parse("a.yml", "# nothing\n").empty());
  EXPECT_TRUE(Parse("a.json", "null").empty());
  EXPECT_TRUE(Parse("a.json", "[]").empty());
  EXPECT_EQ(ParseError("a.json", ""), "a.json:1:1: The document is empty.");
}

TEST(ParseFileSdFileTest, UnknownFieldIsAnError) {
  EXPECT_EQ(ParseError("a.yml", "- targets: [a]\n- target: [b]\n"),
            "a.yml:2:3: group 1: unknown field \"target\"");
  EXPECT_EQ(ParseError("a.json", R"([{"targets": ["a"], "lables": {}}])"),
            "a.json: group 0: unknown field \"lables\"");
}

TEST(ParseFileSdFileTest, JsonKeysMatchCaseInsensitivelyAsInGo) {
  auto groups = Parse("a.json", R"([{"Targets": ["a"], "LABELS": {"k": "v"}}])");
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].targets, std::vector<Labels>{Address("a")});
  EXPECT_EQ(groups[0].labels.Get("k"), "v");
}

TEST(ParseFileSdFileTest, InvalidLabelNameOrValue) {
  EXPECT_EQ(ParseError("a.json", R"([{"targets": ["a"], "labels": {"": "v"}}])"),
            "a.json: group 0: \"\" is not a valid label name");
  EXPECT_EQ(ParseError("a.yml", "- targets: [a]\n  labels: {'': v}\n"),
            "a.yml:1:3: group 0: \"\" is not a valid label name");
  // UTF-8 names are valid in Prometheus 3.
  EXPECT_EQ(Parse("a.yml", "- targets: [a]\n  labels: {\"service.name\": v}\n")[0].labels.Get(
                "service.name"),
            "v");
  // A YAML \x escape is a code point (valid); a raw 0xff byte is not UTF-8.
  EXPECT_EQ(Parse("a.yml", "- targets: [a]\n  labels: {k: \"\\xff\"}\n")[0].labels.Get("k"),
            "\u00ff");
  std::string bad_value = ParseError("a.yml", "- targets: [a]\n  labels: {k: \"\xff\"}\n");
  EXPECT_EQ(bad_value.rfind("a.yml:", 0), 0u) << bad_value;
  EXPECT_NE(ParseError("a.json", "[{\"targets\": [\"a\"], \"labels\": {\"k\": \"\xff\"}}]")
                .find("a.json:"),
            std::string::npos);
}

TEST(ParseFileSdFileTest, WrongTypes) {
  EXPECT_EQ(ParseError("a.json", R"([{"targets": "a"}])"),
            "a.json: group 0: \"targets\" must be a list of strings");
  EXPECT_EQ(ParseError("a.json", R"([{"targets": [1]}])"),
            "a.json: group 0: \"targets\" must be a list of strings");
  EXPECT_EQ(ParseError("a.json", R"([{"labels": {"a": 1}}])"),
            "a.json: group 0: label \"a\": value must be a string");
  EXPECT_EQ(ParseError("a.json", R"({"targets": ["a"]})"),
            "a.json: the file must hold a list of target groups");
  EXPECT_EQ(ParseError("a.yml", "targets: [a]\n"),
            "a.yml:1:1: the file must hold a list of target groups");
  EXPECT_EQ(ParseError("a.yml", "- targets: a\n"),
            "a.yml:1:3: group 0: \"targets\" must be a list of strings");
  EXPECT_EQ(ParseError("a.yml", "- labels: [a]\n"),
            "a.yml:1:3: group 0: \"labels\" must be a mapping of strings");
  EXPECT_EQ(ParseError("a.yml", "- labels: {a: [b]}\n"),
            "a.yml:1:3: group 0: label \"a\" must be a string");
}

TEST(ParseFileSdFileTest, EmptyTargetOrNullGroupIsAnError) {
  EXPECT_EQ(ParseError("a.json", R"([{"targets": ["a", ""]}])"),
            "a.json: group 0: target 1 is empty");
  EXPECT_EQ(ParseError("a.yml", "- targets: [a, ~]\n"), "a.yml:1:3: group 0: target 1 is empty");
  EXPECT_EQ(ParseError("a.json", R"([{"targets": ["a"]}, null])"),
            "a.json: group 1: nil target group item found");
  EXPECT_EQ(ParseError("a.yml", "- targets: [a]\n-\n"),
            "a.yml: group 1: nil target group item found");
}

TEST(ParseFileSdFileTest, DuplicateYamlKeysAreErrors) {
  EXPECT_EQ(ParseError("a.yml", "- targets: [a]\n  targets: [b]\n"),
            "a.yml:1:3: group 0: field \"targets\" is set twice");
  EXPECT_EQ(ParseError("a.yml", "- labels: {a: b, a: c}\n"),
            "a.yml:1:3: group 0: label \"a\" is set twice");
}

TEST(ParseFileSdFileTest, SyntaxErrorsHavePositions) {
  EXPECT_EQ(ParseError("a.json", "[\n  {\"targets\": [\"a\"],}\n]"),
            "a.json:2:21: Missing a name for object member.");
  std::string yaml = ParseError("a.yml", "- targets: [a\n");
  EXPECT_EQ(yaml.rfind("a.yml:", 0), 0u) << yaml;
}

// ---- FileSd::Refresh ----

class FileSdTest : public ::testing::Test {
 protected:
  TestFs fs_;
  util::FakeClock clock_{1'000'000};
};

TEST_F(FileSdTest, FirstRefreshReturnsAllThenOnlyChanges) {
  fs_.Write("/sd/a.json", R"([{"targets": ["a1"]}, {"targets": ["a2"]}])");
  fs_.Write("/sd/b.yml", "- targets: [b1]\n");
  fs_.Write("/sd/c.txt", "ignored");
  FileSd sd(Config({"/sd/*.json", "/sd/*.yml"}), fs_, clock_);
  FileSdRefresh r = sd.Refresh();
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(Sources(r.groups),
            (std::vector<std::string>{"/sd/a.json:0", "/sd/a.json:1", "/sd/b.yml:0"}));

  EXPECT_TRUE(sd.Refresh().groups.empty());

  fs_.Write("/sd/a.json", R"([{"targets": ["a1"]}, {"targets": ["a2", "a3"]}])");
  r = sd.Refresh();
  ASSERT_EQ(Sources(r.groups), std::vector<std::string>{"/sd/a.json:1"});
  EXPECT_EQ(r.groups[0].targets, (std::vector<Labels>{Address("a2"), Address("a3")}));
  EXPECT_EQ(sd.refreshes_total(), 3u);
}

TEST_F(FileSdTest, GlobOverSeveralFiles) {
  fs_.Write("/sd/b.yaml", "- targets: [b]\n");
  fs_.Write("/sd/a.yaml", "- targets: [a]\n");
  fs_.Write("/sd/sub/c.yaml", "- targets: [c]\n");  // `*` does not cross '/'
  fs_.Write("/sd/ab.yaml", "- targets: [ab]\n");
  FileSd sd(Config({"/sd/?.yaml", "/sd/a*.yaml"}), fs_, clock_);  // a.yaml matched twice: read once
  EXPECT_EQ(Sources(sd.Refresh().groups),
            (std::vector<std::string>{"/sd/a.yaml:0", "/sd/ab.yaml:0", "/sd/b.yaml:0"}));
}

TEST_F(FileSdTest, RemovedFileEmptiesItsSources) {
  fs_.Write("/sd/a.yml", "- targets: [a]\n- targets: [b]\n");
  fs_.Write("/sd/b.yml", "- targets: [c]\n");
  FileSd sd(Config({"/sd/*.yml"}), fs_, clock_);
  ASSERT_EQ(sd.Refresh().groups.size(), 3u);
  fs_.Remove("/sd/a.yml");
  FileSdRefresh r = sd.Refresh();
  EXPECT_TRUE(r.errors.empty());
  ASSERT_EQ(Sources(r.groups), (std::vector<std::string>{"/sd/a.yml:0", "/sd/a.yml:1"}));
  for (const TargetGroup& g : r.groups) {
    EXPECT_TRUE(g.targets.empty());
    EXPECT_TRUE(g.labels.empty());
  }
  EXPECT_TRUE(sd.Refresh().groups.empty());  // reported once
}

TEST_F(FileSdTest, ShrunkFileEmptiesTheLostIndices) {
  fs_.Write("/sd/a.yml", "- targets: [a]\n- targets: [b]\n- targets: [c]\n");
  FileSd sd(Config({"/sd/a.yml"}), fs_, clock_);
  ASSERT_EQ(sd.Refresh().groups.size(), 3u);
  fs_.Write("/sd/a.yml", "- targets: [a]\n");
  FileSdRefresh r = sd.Refresh();
  ASSERT_EQ(Sources(r.groups), (std::vector<std::string>{"/sd/a.yml:1", "/sd/a.yml:2"}));
  EXPECT_TRUE(r.groups[0].targets.empty());
  EXPECT_TRUE(r.groups[1].targets.empty());
}

TEST_F(FileSdTest, MalformedFileKeepsItsGroupsAndReportsTheFile) {
  fs_.Write("/sd/a.json", R"([{"targets": ["a"]}])");
  fs_.Write("/sd/b.json", R"([{"targets": ["b"]}])");
  FileSd sd(Config({"/sd/*.json"}), fs_, clock_);
  ASSERT_EQ(sd.Refresh().groups.size(), 2u);

  fs_.Write("/sd/a.json", R"([{"targets": ["a"]})");  // truncated
  fs_.Write("/sd/b.json", R"([{"targets": ["b2"]}])");
  FileSdRefresh r = sd.Refresh();
  EXPECT_EQ(Sources(r.groups), std::vector<std::string>{"/sd/b.json:0"});  // no removal for a.json
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message().rfind("/sd/a.json:1:", 0), 0u) << r.errors[0].message();
  EXPECT_EQ(sd.read_errors_total(), 1u);

  // Fixed with the same content as before: nothing changed for the manager.
  fs_.Write("/sd/a.json", R"([{"targets": ["a"]}])");
  r = sd.Refresh();
  EXPECT_TRUE(r.groups.empty());
  EXPECT_TRUE(r.errors.empty());
}

TEST_F(FileSdTest, InvalidFileOnFirstReadYieldsNothing) {
  fs_.Write("/sd/a.yml", "- targets: [a]\n  labels: {'': x}\n");
  FileSd sd(Config({"/sd/a.yml"}), fs_, clock_);
  FileSdRefresh r = sd.Refresh();
  EXPECT_TRUE(r.groups.empty());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message(), "/sd/a.yml:1:3: group 0: \"\" is not a valid label name");
  // The broken file disappearing removes nothing: it never had groups.
  fs_.Remove("/sd/a.yml");
  EXPECT_TRUE(sd.Refresh().groups.empty());
}

TEST_F(FileSdTest, ReadErrorKeepsGroups) {
  fs_.Write("/sd/a.yml", "- targets: [a]\n");
  FileSd sd(Config({"/sd/a.yml"}), fs_, clock_);
  ASSERT_EQ(sd.Refresh().groups.size(), 1u);
  fs_.failing_reads_.insert("/sd/a.yml");
  FileSdRefresh r = sd.Refresh();
  EXPECT_TRUE(r.groups.empty());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].code(), util::StatusCode::kIoError);
  EXPECT_NE(r.errors[0].message().find("/sd/a.yml"), std::string::npos);
}

TEST_F(FileSdTest, GlobErrorKeepsThePreviousMatches) {
  fs_.Write("/sd/a.yml", "- targets: [a]\n");
  FileSd sd(Config({"/sd/*.yml"}), fs_, clock_);
  ASSERT_EQ(sd.Refresh().groups.size(), 1u);
  fs_.fail_globs_ = true;
  fs_.Write("/sd/a.yml", "- targets: [a, b]\n");
  FileSdRefresh r = sd.Refresh();
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].message().find("/sd/*.yml"), std::string::npos);
  ASSERT_EQ(Sources(r.groups), std::vector<std::string>{"/sd/a.yml:0"});  // still read, not removed
  EXPECT_EQ(r.groups[0].targets.size(), 2u);
}

TEST_F(FileSdTest, NextRefresh) {
  FileSd sd(Config({"/sd/*.yml"}), fs_, clock_);
  EXPECT_EQ(sd.refresh_interval(), std::chrono::seconds(30));
  EXPECT_EQ(sd.next_refresh(), util::Clock::TimePoint{});  // due now
  EXPECT_TRUE(sd.Refresh().groups.empty());
  EXPECT_EQ(sd.next_refresh(), clock_.Now() + std::chrono::seconds(30));
  clock_.AdvanceMillis(5'000);
  EXPECT_TRUE(sd.Refresh().errors.empty());  // an early refresh moves the next one
  EXPECT_EQ(sd.next_refresh(), clock_.Now() + std::chrono::seconds(30));
}

TEST(FileSdRealDiskTest, GlobsAndReadsARealDirectory) {
  char dir_template[] = "/tmp/ks_file_sd_XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  std::string dir = dir_template;
  std::ofstream(dir + "/a.json") << R"([{"targets": ["a:1"], "labels": {"k": "v"}}])";
  std::ofstream(dir + "/b.yml") << "- targets: ['b:1']\n";
  FileSd sd(Config({dir + "/*.json", dir + "/*.yml"}), util::FileSystem::Default(),
            util::SystemClock::Default());
  FileSdRefresh r = sd.Refresh();
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(Sources(r.groups), (std::vector<std::string>{dir + "/a.json:0", dir + "/b.yml:0"}));
  std::remove((dir + "/a.json").c_str());
  r = sd.Refresh();
  EXPECT_EQ(Sources(r.groups), std::vector<std::string>{dir + "/a.json:0"});
  std::remove((dir + "/b.yml").c_str());
  rmdir(dir.c_str());
}

}  // namespace
}  // namespace kubescrape::discovery
