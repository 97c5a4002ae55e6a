// End to end: the daemon's wiring (config file -> static discovery -> scrape
// loops -> storage) against real peers: the origin's kind of Flask +
// prometheus_client app and prometheus-node-exporter. Skips when a peer is
// not installed (scripts/setup.sh installs them).
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model/value.h"
#include "server/server.h"
#include "test/testing/subprocess.h"
#include "test/testing/test_pki.h"
#include "tsdb/memory_storage.h"

namespace kubescrape {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using testing::Subprocess;

// Polls `pred` until it holds or `timeout` passes (a condition wait; the
// scrape interval is 1 s).
template <typename F>
bool WaitUntil(F pred, std::chrono::milliseconds timeout = 10s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return pred();
}

class ScrapeIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3";
    auto app = Subprocess::Start({"/usr/bin/python3", KS_SOURCE_DIR "/test/testdata/flask_app.py"});
    ASSERT_TRUE(app);
    auto line = app->ReadLine(20s);
    if (!line || !line->starts_with("PORT ")) GTEST_SKIP() << "the Flask app did not start (python3-flask, python3-prometheus-client installed?)";
    app_port_ = std::stoi(line->substr(5));
    app_.emplace(std::move(*app));
    if (testing::HaveExecutable("prometheus-node-exporter")) {
      node_port_ = testing::FreePort();
      auto node = Subprocess::Start({"prometheus-node-exporter",
                                     fmt::format("--web.listen-address=127.0.0.1:{}", node_port_),
                                     "--collector.disable-defaults", "--collector.cpu", "--collector.meminfo",
                                     "--collector.loadavg"});
      ASSERT_TRUE(node);
      node_.emplace(std::move(*node));
      ASSERT_TRUE(testing::WaitForPort(node_port_, 10s));
    }
    dir_ = std::filesystem::temp_directory_path() / fmt::format("ks-integration-{}", getpid());
    std::filesystem::create_directories(dir_);
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
    if (runner_.joinable()) runner_.join();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  void StartServer(const std::string& yaml) {
    std::string path = (dir_ / "prometheus.yml").string();
    std::ofstream(path) << yaml;
    server::ServerOptions opts;
    opts.config_file = path;
    opts.threads = 2;
    opts.discovery_update_interval = 100ms;
    opts.handle_signals = false;
    auto s = server::Server::Open(opts, storage_, util::FileSystem::Default(), util::SystemClock::Default());
    ASSERT_TRUE(s.ok()) << s.status().message();
    server_ = std::move(*s);
    runner_ = std::thread([this] { server_->Run(); });
  }

  std::optional<scraper::TargetStatus> Target(const std::string& job) {
    for (auto& t : server_->scrape_manager().ActiveTargets()) {
      if (t.job == job && t.health.state != scraper::TargetHealth::State::kUnknown) return t;
    }
    return std::nullopt;
  }

  std::vector<tsdb::Sample> Samples(const std::string& job, int port,
                                    std::initializer_list<std::pair<std::string_view, std::string_view>> labels) {
    std::map<std::string, std::string> m = {{"job", job}, {"instance", fmt::format("127.0.0.1:{}", port)}};
    for (auto& [k, v] : labels) m[std::string(k)] = std::string(v);
    return storage_.SamplesOf(model::Labels::FromMap(m));
  }

  int app_port_ = 0;
  int node_port_ = 0;
  std::optional<Subprocess> app_;
  std::optional<Subprocess> node_;
  std::filesystem::path dir_;
  tsdb::MemoryStorage storage_;
  std::unique_ptr<server::Server> server_;
  std::thread runner_;
};

std::string Job(std::string_view name, int port, std::string_view extra = "") {
  return fmt::format("  - job_name: {}\n{}    static_configs:\n      - targets: ['127.0.0.1:{}']\n", name, extra,
                     port);
}

TEST_F(ScrapeIntegrationTest, RealPeersAndFailureModes) {
  std::string yaml = "global:\n  scrape_interval: 1s\n  scrape_timeout: 800ms\nscrape_configs:\n";
  yaml += Job("flask", app_port_);
  yaml += Job("gzip", app_port_, "    metrics_path: /gzip\n");
  yaml += Job("big", app_port_, "    metrics_path: /big\n    body_size_limit: 1MB\n");
  yaml += Job("bad", app_port_, "    metrics_path: /bad\n");
  yaml += Job("hang", app_port_, "    metrics_path: /hang\n    scrape_timeout: 300ms\n");
  if (node_port_ != 0) yaml += Job("node", node_port_);
  StartServer(yaml);

  // The Flask app (its doubled charset parameter is accepted).
  ASSERT_TRUE(WaitUntil([&] { return !Samples("flask", app_port_, {{"__name__", "up"}}).empty(); }));
  auto up = Samples("flask", app_port_, {{"__name__", "up"}});
  EXPECT_EQ(up.back().v, 1) << Target("flask")->health.last_error;
  auto requests = Samples("flask", app_port_, {{"__name__", "app_requests_total"}, {"path", "/"}});
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(requests.back().v, 1);
  // Stamped with the scrape start, like the synthetic series of that scrape.
  EXPECT_EQ(requests.front().t, up.front().t);
  EXPECT_FALSE(Samples("flask", app_port_, {{"__name__", "app_in_flight"}}).empty());
  EXPECT_FALSE(Samples("flask", app_port_, {{"__name__", "app_requests_created"}, {"path", "/"}}).empty());
  auto scraped = Samples("flask", app_port_, {{"__name__", "scrape_samples_scraped"}});
  ASSERT_FALSE(scraped.empty());
  EXPECT_GT(scraped.back().v, 10);  // python_info, process_*, gc, app_*
  EXPECT_EQ(Samples("flask", app_port_, {{"__name__", "scrape_series_added"}}).front().v, scraped.front().v);
  EXPECT_FALSE(Samples("flask", app_port_, {{"__name__", "scrape_duration_seconds"}}).empty());
  EXPECT_FALSE(Samples("flask", app_port_, {{"__name__", "scrape_samples_post_metric_relabeling"}}).empty());

  // gzip
  ASSERT_TRUE(WaitUntil([&] { return Target("gzip").has_value(); }));
  EXPECT_EQ(Target("gzip")->health.state, scraper::TargetHealth::State::kUp) << Target("gzip")->health.last_error;
  EXPECT_FALSE(Samples("gzip", app_port_, {{"__name__", "app_requests_total"}, {"path", "/"}}).empty());

  // 10 MB over a 1 MB body_size_limit.
  ASSERT_TRUE(WaitUntil([&] { return Target("big").has_value(); }));
  EXPECT_EQ(Target("big")->health.state, scraper::TargetHealth::State::kDown);
  EXPECT_THAT(Target("big")->health.last_error, HasSubstr("body size limit exceeded"));
  EXPECT_EQ(Samples("big", app_port_, {{"__name__", "up"}}).back().v, 0);

  // A syntax error on line 3: nothing of that scrape is kept.
  ASSERT_TRUE(WaitUntil([&] { return Target("bad").has_value(); }));
  EXPECT_THAT(Target("bad")->health.last_error, ::testing::StartsWith("3:"));
  EXPECT_TRUE(Samples("bad", app_port_, {{"__name__", "good_one"}}).empty());

  // A target that never answers: the timeout.
  ASSERT_TRUE(WaitUntil([&] { return Target("hang").has_value(); }));
  EXPECT_THAT(Target("hang")->health.last_error, HasSubstr("context deadline exceeded"));
  EXPECT_LT(Target("hang")->health.last_duration_seconds, 0.8);

  if (node_port_ != 0) {
    ASSERT_TRUE(WaitUntil([&] { return Target("node").has_value(); }));
    EXPECT_EQ(Target("node")->health.state, scraper::TargetHealth::State::kUp) << Target("node")->health.last_error;
    EXPECT_FALSE(Samples("node", node_port_, {{"__name__", "node_load1"}}).empty());
    EXPECT_FALSE(Samples("node", node_port_, {{"__name__", "node_cpu_seconds_total"}, {"cpu", "0"}, {"mode", "idle"}}).empty());
  }

  // The app dies: the next scrape fails and every series of the last good
  // scrape gets a stale marker.
  app_->Kill();
  ASSERT_TRUE(WaitUntil([&] {
    auto s = Samples("flask", app_port_, {{"__name__", "app_requests_total"}, {"path", "/"}});
    return !s.empty() && model::IsStaleNaN(s.back().v);
  }));
  EXPECT_EQ(Samples("flask", app_port_, {{"__name__", "up"}}).back().v, 0);
}

TEST_F(ScrapeIntegrationTest, FileDiscoveryAndReloadKeepData) {
  std::string targets = (dir_ / "targets.json").string();
  std::ofstream(targets) << fmt::format(R"([{{"targets": ["127.0.0.1:{}"], "labels": {{"team": "a"}}}}])", app_port_);
  std::string yaml = fmt::format(R"(global:
  scrape_interval: 1s
scrape_configs:
  - job_name: files
    file_sd_configs:
      - files: ['{}/*.json']
        refresh_interval: 1s
)",
                                 dir_.string());
  StartServer(yaml);
  auto samples = [&](std::string_view name, std::string_view team) {
    return storage_.SamplesOf(model::Labels::FromPairs(
        {{"__name__", name}, {"instance", fmt::format("127.0.0.1:{}", app_port_)}, {"job", "files"}, {"team", team}}));
  };
  ASSERT_TRUE(WaitUntil([&] { return !samples("up", "a").empty(); }));
  EXPECT_EQ(samples("up", "a").back().v, 1);

  // The file changes: picked up without a restart; the old target goes away.
  std::ofstream(targets) << fmt::format(R"([{{"targets": ["127.0.0.1:{}"], "labels": {{"team": "b"}}}}])", app_port_);
  ASSERT_TRUE(WaitUntil([&] { return !samples("up", "b").empty(); }));

  // A reload with a metric_relabel rule: applied, and earlier data kept.
  size_t before = samples("app_in_flight", "b").size();
  ASSERT_GT(before, 0u);
  std::ofstream((dir_ / "prometheus.yml").string()) << yaml + R"(    metric_relabel_configs:
      - source_labels: [__name__]
        regex: app_in_flight
        action: drop
)";
  ASSERT_TRUE(server_->Reload().ok());
  ASSERT_TRUE(WaitUntil([&] {
    auto post = samples("scrape_samples_post_metric_relabeling", "b");
    auto scraped = samples("scrape_samples_scraped", "b");
    return !post.empty() && post.back().v + 1 == scraped.back().v;
  }));
  auto in_flight = samples("app_in_flight", "b");
  EXPECT_GE(in_flight.size(), before);  // nothing lost
  EXPECT_EQ(server_->reloads_ok(), 1u);

  // A broken config is refused and the running one stays.
  std::ofstream((dir_ / "prometheus.yml").string()) << "scrape_configs: [{job_name: }]\n";
  EXPECT_FALSE(server_->Reload().ok());
  EXPECT_EQ(server_->reloads_failed(), 1u);
  size_t n = samples("up", "b").size();
  ASSERT_TRUE(WaitUntil([&] { return samples("up", "b").size() > n; }));
}

// HTTPS scraping through the daemon against a real TLS server:
// prometheus-node-exporter with --web.config.file, requiring client
// certificates signed by our CA. Right CA and client certificate: up; the
// wrong CA, or no client certificate: down with the TLS error.
TEST_F(ScrapeIntegrationTest, HttpsWithClientCertificatesAgainstNodeExporter) {
  if (!testing::HaveExecutable("prometheus-node-exporter")) GTEST_SKIP() << "no prometheus-node-exporter";
  const testing::Pki pki = testing::MakePki({"127.0.0.1"});
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream((dir_ / name).string()) << text;
    return (dir_ / name).string();
  };
  const std::string ca = write("ca.pem", pki.ca_cert);
  const std::string other_ca = write("other-ca.pem", pki.other_ca_cert);
  const std::string client_cert = write("client.pem", pki.client_cert);
  const std::string client_key = write("client.key", pki.client_key);
  const std::string web = write("web.yml", fmt::format("tls_server_config:\n  cert_file: {}\n  key_file: {}\n"
                                                       "  client_auth_type: RequireAndVerifyClientCert\n"
                                                       "  client_ca_file: {}\n",
                                                       write("server.pem", pki.server_cert),
                                                       write("server.key", pki.server_key), ca));
  const int port = testing::FreePort();
  auto node = Subprocess::Start({"prometheus-node-exporter", fmt::format("--web.listen-address=127.0.0.1:{}", port),
                                 "--web.config.file=" + web, "--collector.disable-defaults", "--collector.loadavg"});
  ASSERT_TRUE(node);
  ASSERT_TRUE(testing::WaitForPort(port, 10s));

  std::string yaml = "global:\n  scrape_interval: 1s\n  scrape_timeout: 800ms\nscrape_configs:\n";
  yaml += Job("tls", port,
              fmt::format("    scheme: https\n    tls_config:\n      ca_file: {}\n      cert_file: {}\n"
                          "      key_file: {}\n",
                          ca, client_cert, client_key));
  yaml += Job("wrong-ca", port,
              fmt::format("    scheme: https\n    tls_config:\n      ca_file: {}\n      cert_file: {}\n"
                          "      key_file: {}\n",
                          other_ca, client_cert, client_key));
  yaml += Job("no-client-cert", port, fmt::format("    scheme: https\n    tls_config:\n      ca_file: {}\n", ca));
  StartServer(yaml);

  ASSERT_TRUE(WaitUntil([&] { return Target("tls") && Target("wrong-ca") && Target("no-client-cert"); }));
  ASSERT_TRUE(WaitUntil([&] { return !Samples("tls", port, {{"__name__", "node_load1"}}).empty(); }))
      << Target("tls")->health.last_error;
  EXPECT_EQ(Samples("tls", port, {{"__name__", "up"}}).back().v, 1);
  EXPECT_EQ(Target("tls")->target.scheme, "https");

  auto wrong = Target("wrong-ca");
  EXPECT_EQ(wrong->health.state, scraper::TargetHealth::State::kDown);
  EXPECT_NE(wrong->health.last_error.find("certificate"), std::string::npos) << wrong->health.last_error;
  EXPECT_EQ(Samples("wrong-ca", port, {{"__name__", "up"}}).back().v, 0);
  EXPECT_TRUE(Samples("wrong-ca", port, {{"__name__", "node_load1"}}).empty());

  ASSERT_TRUE(WaitUntil([&] {
    auto t = Target("no-client-cert");
    return t && t->health.state == scraper::TargetHealth::State::kDown;
  }));
  EXPECT_TRUE(Samples("no-client-cert", port, {{"__name__", "node_load1"}}).empty());
  EXPECT_FALSE(Target("no-client-cert")->health.last_error.empty());
}

}  // namespace
}  // namespace kubescrape
