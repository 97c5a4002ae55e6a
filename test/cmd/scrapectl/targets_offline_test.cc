// `scrapectl targets --config F --kubeconfig K` against the fake API server.
#include "cmd/scrapectl/targets_offline.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "cmd/scrapectl/commands.h"
#include "test/fake_apiserver/fake_apiserver.h"
#include "test/fake_apiserver/pod_builder.h"

namespace kubescrape::scrapectl {
namespace {

using fake_apiserver::PodBuilder;

TEST(OfflineTargetsTest, ListsPodsOnceAndExplainsTheDropped) {
  fake_apiserver::FakeApiServer::Options o;
  o.token = "t";
  auto server = fake_apiserver::FakeApiServer::Start(o);
  ASSERT_TRUE(server.ok());
  auto& api = **server;
  ASSERT_TRUE(api.CreatePod(PodBuilder("test", "flask").Label("app", "flask-minio")
                                .Annotation("prometheus.io/scrape", "true").Annotation("prometheus.io/port", "8001")
                                .Running("10.1.0.5").Container("app", "x", {{"http", 8001}}).Json()).ok());
  ASSERT_TRUE(api.CreatePod(PodBuilder("default", "other").Label("app", "flask-minio")
                                .Annotation("prometheus.io/scrape", "true").Running("10.1.0.6")
                                .Container("app", "x", {{"http", 8001}}).Json()).ok());
  auto dir = std::filesystem::temp_directory_path() / fmt::format("ks-offline-{}", getpid());
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(api.WriteKubeconfig((dir / "kubeconfig").string()).ok());

  OfflineTargetsOptions offline;
  offline.config_file = KS_SOURCE_DIR "/configs/prometheus.yml";
  offline.kubeconfig = (dir / "kubeconfig").string();
  std::ostringstream out, err;
  ASSERT_EQ(OfflineTargets({}, offline, out, err), kExitOk) << err.str();
  EXPECT_NE(out.str().find("http://10.1.0.5:8001/metrics  unknown"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find("10.1.0.6"), std::string::npos) << out.str();

  TargetsOptions dropped;
  dropped.dropped = true;
  std::ostringstream out2, err2;
  ASSERT_EQ(OfflineTargets(dropped, offline, out2, err2), kExitOk) << err2.str();
  EXPECT_NE(out2.str().find("default/other 10.1.0.6:8001  rule 1 (keep) on [__meta_kubernetes_namespace]: saw "
                            "\"default\""),
            std::string::npos)
      << out2.str();

  // An unreachable API server is an error after the timeout, not a hang.
  std::ofstream(dir / "bad") << "current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\n"
                                "clusters: [{name: k, cluster: {server: \"http://127.0.0.1:1\"}}]\n";
  offline.kubeconfig = (dir / "bad").string();
  offline.timeout = std::chrono::seconds(2);
  std::ostringstream out3, err3;
  EXPECT_EQ(OfflineTargets({}, offline, out3, err3), kExitFailure);
  EXPECT_NE(err3.str().find("did not answer the lists"), std::string::npos) << err3.str();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kubescrape::scrapectl
