// The pod discoverer against the fake API server over TLS with a token:
// list, watch, changes, deletion, 410 after compaction, dropped watches,
// auth failures, and sharing between subscribers.
#include "discovery/kubernetes_discoverer.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "test/fake_apiserver/fake_apiserver.h"
#include "test/fake_apiserver/pod_builder.h"

namespace kubescrape::discovery {
namespace {

using fake_apiserver::FakeApiServer;
using fake_apiserver::PodBuilder;
using namespace std::chrono_literals;

// What a subscriber has seen: the last group per source.
class Collector {
 public:
  KubernetesDiscoverer::Sink Sink() {
    return [this](std::vector<model::TargetGroup> groups) {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& g : groups) groups_[g.source] = std::move(g);
      cv_.notify_all();
    };
  }
  // Waits (up to 20 s) until `pred(groups)` holds.
  bool WaitFor(const std::function<bool(const std::map<std::string, model::TargetGroup>&)>& pred) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, 20s, [&] { return pred(groups_); });
  }
  bool WaitTargets(const std::string& source, size_t n) {
    return WaitFor([&](const auto& g) {
      auto it = g.find(source);
      return it != g.end() && it->second.targets.size() == n;
    });
  }
  std::map<std::string, model::TargetGroup> Snapshot() {
    std::lock_guard<std::mutex> lock(mu_);
    return groups_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, model::TargetGroup> groups_;
};

class KubernetesDiscovererTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FakeApiServer::Options o;
    o.token = "s3cret";
    o.bookmark_interval = 200ms;
    auto s = FakeApiServer::Start(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
    fs_.WriteFile("/kube/config", server_->Kubeconfig());
    thread_ = std::thread([this] { ioc_.run(); });
  }
  void TearDown() override {
    if (discoverer_) discoverer_->Stop();
    work_.reset();
    thread_.join();
    discoverer_.reset();
  }

  std::shared_ptr<KubernetesDiscoverer> Open(KubernetesSdConfig config) {
    config.kubeconfig_file = "/kube/config";
    KubernetesDiscovererOptions opts;
    opts.min_watch_timeout = 2s;
    opts.initial_backoff = 50ms;
    auto d = KubernetesDiscoverer::Open(ioc_.get_executor(), config, fs_, [](std::string_view) { return std::nullopt; },
                                        opts);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? *d : nullptr;
  }

  boost::asio::io_context ioc_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{ioc_.get_executor()};
  util::MemFileSystem fs_;
  std::unique_ptr<FakeApiServer> server_;
  std::shared_ptr<KubernetesDiscoverer> discoverer_;
  std::thread thread_;
};

std::string FlaskPod(std::string name, std::string ip) {
  return PodBuilder("test", std::move(name))
      .Label("app", "flask-minio")
      .Annotation("prometheus.io/scrape", "true")
      .Annotation("prometheus.io/port", "8001")
      .Running(std::move(ip))
      .Container("app", "flask:1", {{"metrics", 8001}})
      .Json();
}

TEST_F(KubernetesDiscovererTest, ListThenWatchAddsChangesAndDeletes) {
  ASSERT_TRUE(server_->CreatePod(FlaskPod("a", "10.0.0.1")).ok());
  discoverer_ = Open({});
  ASSERT_NE(discoverer_, nullptr);
  Collector c;
  discoverer_->Subscribe("job/kubernetes/0", c.Sink());
  discoverer_->Start();
  ASSERT_TRUE(c.WaitTargets("pod/test/a", 1));
  const model::TargetGroup a = c.Snapshot()["pod/test/a"];
  EXPECT_EQ(a.targets[0].Get("__address__"), "10.0.0.1:8001");
  EXPECT_EQ(a.labels.Get("__meta_kubernetes_pod_annotation_prometheus_io_scrape"), "true");
  EXPECT_EQ(a.labels.Get("__meta_kubernetes_namespace"), "test");

  // Watch: a new pod, a changed pod, a deleted pod.
  ASSERT_TRUE(server_->CreatePod(FlaskPod("b", "10.0.0.2")).ok());
  ASSERT_TRUE(c.WaitTargets("pod/test/b", 1));
  ASSERT_TRUE(server_->PatchPod("test", "b", R"({"metadata":{"labels":{"app":"other"}}})").ok());
  ASSERT_TRUE(c.WaitFor([](const auto& g) {
    auto it = g.find("pod/test/b");
    return it != g.end() && it->second.labels.Get("__meta_kubernetes_pod_label_app") == "other";
  }));
  ASSERT_TRUE(server_->DeletePod("test", "a").ok());
  ASSERT_TRUE(c.WaitTargets("pod/test/a", 0));  // an empty group: gone
  EXPECT_GE(discoverer_->stats().lists, 1u);
  EXPECT_EQ(discoverer_->stats().pods, 1u);
}

TEST_F(KubernetesDiscovererTest, RelistsAfterCompactionAndSurvivesDroppedWatches) {
  ASSERT_TRUE(server_->CreatePod(FlaskPod("a", "10.0.0.1")).ok());
  discoverer_ = Open({});
  Collector c;
  discoverer_->Subscribe("s", c.Sink());
  discoverer_->Start();
  ASSERT_TRUE(c.WaitTargets("pod/test/a", 1));
  // Cut the watch, change things while nobody watches, and compact so the
  // watch's resourceVersion has expired: the discoverer must relist and
  // notice the deletion it never saw as an event.
  server_->DropWatches();
  ASSERT_TRUE(server_->DeletePod("test", "a").ok());
  ASSERT_TRUE(server_->CreatePod(FlaskPod("c", "10.0.0.3")).ok());
  server_->Compact();
  ASSERT_TRUE(c.WaitTargets("pod/test/c", 1));
  ASSERT_TRUE(c.WaitTargets("pod/test/a", 0));
}

TEST_F(KubernetesDiscovererTest, NamespacesAndSelectorsAreAppliedByTheServer) {
  ASSERT_TRUE(server_->CreatePod(FlaskPod("in", "10.0.0.1")).ok());
  ASSERT_TRUE(server_->CreatePod(PodBuilder("logging", "agent").Running("10.0.0.9").Container("a", "x").Json()).ok());
  KubernetesSdConfig config;
  config.namespaces = {"test", "logging"};
  config.selectors = {{KubernetesRole::kPod, "app=flask-minio", ""}};
  discoverer_ = Open(config);
  Collector c;
  discoverer_->Subscribe("s", c.Sink());
  discoverer_->Start();
  ASSERT_TRUE(c.WaitTargets("pod/test/in", 1));
  ASSERT_TRUE(server_->CreatePod(FlaskPod("in2", "10.0.0.2")).ok());
  ASSERT_TRUE(c.WaitTargets("pod/test/in2", 1));
  EXPECT_FALSE(c.Snapshot().contains("pod/logging/agent"));
}

TEST_F(KubernetesDiscovererTest, LateSubscriberGetsTheCurrentState) {
  ASSERT_TRUE(server_->CreatePod(FlaskPod("a", "10.0.0.1")).ok());
  discoverer_ = Open({});
  Collector first, second;
  discoverer_->Subscribe("first", first.Sink());
  discoverer_->Start();
  ASSERT_TRUE(first.WaitTargets("pod/test/a", 1));
  discoverer_->Subscribe("second", second.Sink());
  ASSERT_TRUE(second.WaitTargets("pod/test/a", 1));
  EXPECT_EQ(discoverer_->subscribers(), 2u);
}

TEST_F(KubernetesDiscovererTest, WrongTokenIsRetriedNotFatal) {
  std::string kubeconfig = server_->Kubeconfig();
  size_t at = kubeconfig.find("s3cret");
  ASSERT_NE(at, std::string::npos);
  kubeconfig.replace(at, 6, "wrong!");
  fs_.WriteFile("/kube/config", kubeconfig);
  discoverer_ = Open({});
  Collector c;
  discoverer_->Subscribe("s", c.Sink());
  discoverer_->Start();
  for (int i = 0; i < 200 && discoverer_->stats().failures < 2; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_GE(discoverer_->stats().failures, 2u);
  EXPECT_EQ(discoverer_->stats().lists, 0u);
}

TEST(KubernetesDiscovererSharingTest, KeyDependsOnWhatTheServerIsAsked) {
  KubernetesSdConfig a, b;
  EXPECT_EQ(KubernetesDiscoverer::SharingKey(a), KubernetesDiscoverer::SharingKey(b));
  b.namespaces = {"test"};
  EXPECT_NE(KubernetesDiscoverer::SharingKey(a), KubernetesDiscoverer::SharingKey(b));
  b = a;
  b.selectors = {{KubernetesRole::kPod, "app=x", ""}};
  EXPECT_NE(KubernetesDiscoverer::SharingKey(a), KubernetesDiscoverer::SharingKey(b));
}

}  // namespace
}  // namespace kubescrape::discovery
