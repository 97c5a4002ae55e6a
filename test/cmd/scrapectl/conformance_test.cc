// Prometheus's own relabel cases (../shared/conformance/relabel, derived from
// model/relabel/relabel_test.go and config/testdata/*.bad.yml) through
// `scrapectl test relabel`. Skipped when the shared folder is absent.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "cmd/scrapectl/commands.h"

namespace kubescrape::scrapectl {
namespace {

std::string ConformanceDir() {
  if (const char* env = std::getenv("KUBESCRAPE_CONFORMANCE_DIR")) return std::string(env) + "/relabel";
  return std::string(KS_SOURCE_DIR) + "/../shared/conformance/relabel";
}

void ExpectAllPass(const std::string& file, const std::string& summary) {
  std::string path = ConformanceDir() + "/" + file;
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is absent";
  std::ostringstream out, err;
  int rc = TestRelabel({{path}, false}, out, err);
  EXPECT_EQ(rc, kExitOk) << out.str() << err.str();
  EXPECT_TRUE(out.str().ends_with(summary)) << out.str();
}

TEST(RelabelConformanceTest, PrometheusCases) { ExpectAllPass("prometheus-cases.yml", "50 passed, 0 failed\n"); }

TEST(RelabelConformanceTest, PrometheusInvalidRules) {
  ExpectAllPass("prometheus-invalid-rules.yml", "26 passed, 0 failed\n");
}

}  // namespace
}  // namespace kubescrape::scrapectl
