#include "cmd/scrapectl/commands.h"

#include <gtest/gtest.h>

#include <sstream>

namespace kubescrape::scrapectl {
namespace {

struct Result {
  int rc;
  std::string out, err;
};

class CommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs_.WriteFile("/c/good.yml", "scrape_configs:\n  - job_name: a\n  - job_name: b\nrule_files: [r.yml]\n");
    fs_.WriteFile("/c/bad.yml", "scrape_configs:\n  - job_name: a\n    scrape_interval: 5\n");
    fs_.WriteFile("/c/missing-file.yml", "scrape_configs:\n  - job_name: a\n    tls_config: {ca_file: nope.pem}\n");
    fs_.WriteFile("/c/pods.yml", R"(scrape_configs:
  - job_name: pods
    relabel_configs:
      - {source_labels: [ns], regex: test, action: keep}
      - {source_labels: [ns], target_label: namespace}
)");
  }
  Result CheckConfig(std::vector<std::string> files) {
    std::ostringstream out, err;
    int rc = scrapectl::CheckConfig(files, out, err, fs_);
    return {rc, out.str(), err.str()};
  }
  Result TestRelabel(std::vector<std::string> files, bool verbose = false) {
    std::ostringstream out, err;
    int rc = scrapectl::TestRelabel({files, verbose}, out, err, fs_);
    return {rc, out.str(), err.str()};
  }
  Result Relabel(RelabelOptions o) {
    std::ostringstream out, err;
    int rc = scrapectl::Relabel(o, out, err, fs_);
    return {rc, out.str(), err.str()};
  }
  util::MemFileSystem fs_;
};

TEST_F(CommandsTest, CheckConfigSuccessWithWarnings) {
  Result r = CheckConfig({"/c/good.yml"});
  EXPECT_EQ(r.rc, kExitOk);
  EXPECT_EQ(r.out,
            "Checking /c/good.yml\n"
            "  WARNING: /c/good.yml:4:13: rule_files: rule_files is not supported by Kubescrape and is ignored\n"
            "  SUCCESS: /c/good.yml is valid prometheus config file syntax (2 scrape configs: a, b)\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(CommandsTest, CheckConfigFailureExitsOne) {
  Result r = CheckConfig({"/c/good.yml", "/c/bad.yml", "/c/none.yml"});
  EXPECT_EQ(r.rc, kExitFailure);
  EXPECT_NE(r.out.find("Checking /c/bad.yml\n"), std::string::npos);
  EXPECT_NE(r.err.find("  FAILED: /c/bad.yml:3:22: scrape_configs[0].scrape_interval: not a valid duration string: \"5\"\n"),
            std::string::npos) << r.err;
  EXPECT_NE(r.err.find("  FAILED: open /c/none.yml: No such file or directory\n"), std::string::npos) << r.err;
}

TEST_F(CommandsTest, CheckConfigReportsMissingReferencedFiles) {
  Result r = CheckConfig({"/c/missing-file.yml"});
  EXPECT_EQ(r.rc, kExitFailure);
  EXPECT_NE(r.err.find("job \"a\": tls_config.ca_file: open /c/nope.pem"), std::string::npos) << r.err;
}

TEST_F(CommandsTest, CheckConfigUsage) { EXPECT_EQ(CheckConfig({}).rc, kExitUsage); }

TEST_F(CommandsTest, TestRelabelPassAndFail) {
  fs_.WriteFile("/c/pods_test.yml", R"(tests:
  - {name: kept, config: pods.yml, job: pods, input: {ns: test}, output: {ns: test, namespace: test}}
  - {name: dropped, config: pods.yml, job: pods, input: {ns: prod}, dropped: true}
  - {name: wrong expectation, config: pods.yml, job: pods, input: {ns: prod}, output: {ns: prod}}
)");
  Result r = TestRelabel({"/c/pods_test.yml"}, /*verbose=*/true);
  EXPECT_EQ(r.rc, kExitFailure);
  EXPECT_NE(r.out.find("--- PASS: kept\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--- FAIL: wrong expectation (/c/pods_test.yml:4:5)\n"
                       "    expected: {ns=\"prod\"}\n"
                       "    got:      dropped\n"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("result:   dropped by rule 1 (keep)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("/c/pods_test.yml: 2 passed, 1 failed\n"), std::string::npos);
  EXPECT_TRUE(r.out.ends_with("2 passed, 1 failed\n")) << r.out;
}

TEST_F(CommandsTest, TestRelabelUnloadableFileCountsAsFailure) {
  fs_.WriteFile("/c/broken_test.yml", "tests: [{name: x}\n");
  Result r = TestRelabel({"/c/broken_test.yml"});
  EXPECT_EQ(r.rc, kExitFailure);
  EXPECT_NE(r.out.find("/c/broken_test.yml: cannot load: /c/broken_test.yml:2:1: invalid YAML"), std::string::npos)
      << r.out;
  EXPECT_TRUE(r.out.ends_with("0 passed, 1 failed\n"));
}

TEST_F(CommandsTest, RelabelExplainsRuleByRule) {
  Result r = Relabel({"/c/pods.yml", "pods", "relabel_configs", R"({"ns":"test","__address__":"1.2.3.4:80"})", {}});
  EXPECT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_EQ(r.out,
            "job pods, relabel_configs (2 rules)\n"
            "input:    {__address__=\"1.2.3.4:80\", ns=\"test\"}\n"
            "rule 1:   {source_labels: [ns], regex: \"test\", action: keep}\n"
            "          no change\n"
            "rule 2:   {source_labels: [ns], target_label: namespace, action: replace}\n"
            "          + namespace=\"test\"\n"
            "result:   kept {__address__=\"1.2.3.4:80\", namespace=\"test\", ns=\"test\"}\n");
  Result dropped = Relabel({"/c/pods.yml", "pods", "relabel_configs", "", {"ns=prod"}});
  EXPECT_EQ(dropped.rc, kExitOk);
  EXPECT_NE(dropped.out.find("          DROPPED\nresult:   dropped by rule 1 (keep)\n"), std::string::npos)
      << dropped.out;
}

TEST_F(CommandsTest, RelabelInputErrors) {
  EXPECT_EQ(Relabel({"/c/pods.yml", "pods", "relabel_configs", "{not json", {}}).rc, kExitUsage);
  EXPECT_EQ(Relabel({"/c/pods.yml", "pods", "relabel_configs", R"({"a":1})", {}}).rc, kExitUsage);
  EXPECT_EQ(Relabel({"/c/pods.yml", "pods", "relabel_configs", "", {"novalue"}}).rc, kExitUsage);
  Result no_job = Relabel({"/c/pods.yml", "nope", "relabel_configs", "", {"a=b"}});
  EXPECT_EQ(no_job.rc, kExitFailure);
  EXPECT_EQ(no_job.err, "no job \"nope\" in /c/pods.yml (jobs: pods)\n");
}

TEST(MainTest, Dispatch) {
  std::ostringstream out, err;
  EXPECT_EQ(Main({"version"}, out, err), kExitOk);
  EXPECT_EQ(out.str().rfind("scrapectl, version ", 0), 0u);
  EXPECT_EQ(Main({}, out, err), kExitUsage);
  EXPECT_EQ(Main({"frobnicate"}, out, err), kExitUsage);
  EXPECT_NE(err.str().find("unknown command \"frobnicate\""), std::string::npos);
  EXPECT_EQ(Main({"relabel", "--bogus"}, out, err), kExitUsage);
}

}  // namespace
}  // namespace kubescrape::scrapectl
