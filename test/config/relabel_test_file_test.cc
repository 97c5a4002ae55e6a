#include "config/relabel_test_file.h"

#include <gtest/gtest.h>

namespace kubescrape::config {
namespace {

TEST(RelabelTestFileTest, InlineRulesAndExpectations) {
  util::MemFileSystem fs;
  fs.WriteFile("/t/a.yml", R"(tests:
  - name: kept
    relabel_configs: [{source_labels: [a], regex: 'f(.*)', target_label: d}]
    input: {a: foo}
    output: {a: foo, d: oo}
  - name: gone
    relabel_configs: [{source_labels: [a], regex: foo, action: drop}]
    input: {a: foo}
    dropped: true
  - name: bad rule
    relabel_configs: [{action: hashmod, target_label: x}]
    error_contains: non-zero modulus
)");
  auto f = LoadRelabelTestFile("/t/a.yml", fs);
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_EQ(f->tests.size(), 3u);
  EXPECT_EQ(f->tests[0].name, "kept");
  EXPECT_EQ(f->tests[0].location, "/t/a.yml:2:5");
  EXPECT_EQ(f->tests[0].rules.size(), 1u);
  EXPECT_EQ(f->tests[0].output, model::Labels::FromPairs({{"a", "foo"}, {"d", "oo"}}));
  EXPECT_EQ(f->tests[1].expect, RelabelTestCase::Expect::kDropped);
  EXPECT_EQ(f->tests[2].expect, RelabelTestCase::Expect::kError);
  EXPECT_FALSE(f->tests[2].rules_status.ok());
  EXPECT_NE(f->tests[2].rules_status.message().find("non-zero modulus"), std::string::npos);
}

TEST(RelabelTestFileTest, RulesFromAConfigJob) {
  util::MemFileSystem fs;
  fs.WriteFile("/t/prometheus.yml", R"(scrape_configs:
  - job_name: j
    relabel_configs: [{target_label: env, replacement: prod}]
    metric_relabel_configs: [{source_labels: [__name__], regex: 'go_.*', action: drop}]
)");
  fs.WriteFile("/t/j.yml", R"(tests:
  - {name: target rules, config: prometheus.yml, job: j, input: {a: b}, output: {a: b, env: prod}}
  - {name: metric rules, config: prometheus.yml, job: j, rules: metric_relabel_configs,
     input: {__name__: go_goroutines}, dropped: true}
  - {name: no such job, config: prometheus.yml, job: nope, input: {a: b}, dropped: true}
)");
  auto f = LoadRelabelTestFile("/t/j.yml", fs);
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_EQ(f->tests.size(), 3u);
  EXPECT_EQ(f->tests[0].rules.size(), 1u);
  EXPECT_EQ(f->tests[0].rules[0].action(), relabel::Action::kReplace);
  EXPECT_EQ(f->tests[1].rules[0].action(), relabel::Action::kDrop);
  EXPECT_FALSE(f->tests[2].rules_status.ok());
  EXPECT_NE(f->tests[2].rules_status.message().find("no job \"nope\""), std::string::npos);
}

TEST(RelabelTestFileTest, MalformedTests) {
  util::MemFileSystem fs;
  fs.WriteFile("/t/bad.yml", R"(tests:
  - {name: two expectations, relabel_configs: [], input: {}, output: {}, dropped: true}
  - {name: no rules, input: {}, output: {}}
  - {name: typo, relabel_configs: [], input: {}, ouput: {}}
  - {name: job with inline rules, relabel_configs: [], job: j, input: {}, output: {}}
)");
  auto f = LoadRelabelTestFile("/t/bad.yml", fs);
  ASSERT_FALSE(f.ok());
  std::string m = f.status().message();
  EXPECT_NE(m.find("/t/bad.yml:2:5: tests[0]: a test needs exactly one of output, dropped: true or error_contains"),
            std::string::npos) << m;
  EXPECT_NE(m.find("/t/bad.yml:3:5: tests[1]: a test needs exactly one of relabel_configs or config"),
            std::string::npos) << m;
  EXPECT_NE(m.find("unknown field \"ouput\" (did you mean \"output\"?)"), std::string::npos) << m;
  EXPECT_NE(m.find("tests[3]: job and rules apply only to a test with config"), std::string::npos) << m;
  EXPECT_EQ(LoadRelabelTestFile("/t/missing.yml", fs).status().code(), util::StatusCode::kNotFound);
}

}  // namespace
}  // namespace kubescrape::config
