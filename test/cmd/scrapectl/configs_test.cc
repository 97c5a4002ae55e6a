// Every file shipped in configs/ must stay valid: configurations pass
// `scrapectl check config`, relabel test files (*.relabel_test.yml) pass
// `scrapectl test relabel`.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "cmd/scrapectl/commands.h"

namespace kubescrape::scrapectl {
namespace {

namespace fs = std::filesystem;

struct ConfigFiles {
  std::vector<std::string> configs, relabel_tests;
};

ConfigFiles ListConfigs() {
  ConfigFiles f;
  for (const auto& e : fs::directory_iterator(std::string(KS_SOURCE_DIR) + "/configs")) {
    std::string p = e.path().string();
    if (p.ends_with(".relabel_test.yml")) {
      f.relabel_tests.push_back(p);
    } else if (p.ends_with(".yml") || p.ends_with(".yaml")) {
      f.configs.push_back(p);
    }
  }
  return f;
}

TEST(ShippedConfigsTest, EveryConfigIsValid) {
  ConfigFiles f = ListConfigs();
  ASSERT_FALSE(f.configs.empty());
  std::ostringstream out, err;
  EXPECT_EQ(CheckConfig(f.configs, out, err), kExitOk) << out.str() << err.str();
}

TEST(ShippedConfigsTest, EveryRelabelTestPasses) {
  ConfigFiles f = ListConfigs();
  ASSERT_FALSE(f.relabel_tests.empty());
  std::ostringstream out, err;
  EXPECT_EQ(TestRelabel({f.relabel_tests, false}, out, err), kExitOk) << out.str() << err.str();
  EXPECT_EQ(out.str().find(" 0 passed"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace kubescrape::scrapectl
