// The origin's setup end to end: the fake API server serves a cluster like
// the origin's, whose pods are real Flask processes on loopback addresses;
// the daemon runs the shipped configs/prometheus.yml (pointed at the fake
// API server, with a 1 s interval) and must keep exactly the right pods,
// scrape them with namespace/pod/app labels, pick up a new pod within
// seconds, mark a deleted pod's series stale, and explain each dropped pod.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <set>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "cmd/scrapectl/targets.h"
#include "model/value.h"
#include "server/server.h"
#include "test/fake_apiserver/fake_apiserver.h"
#include "test/fake_apiserver/pod_builder.h"
#include "test/testing/subprocess.h"
#include "tsdb/db.h"
#include "tsdb/memory_storage.h"
#include "util/clock.h"

namespace kubescrape {
namespace {

using fake_apiserver::FakeApiServer;
using fake_apiserver::PodBuilder;
using testing::Subprocess;
using namespace std::chrono_literals;

template <typename F>
bool WaitUntil(F pred, std::chrono::milliseconds timeout = 30s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return pred();
}

// One "pod": the origin's Flask app listening on `ip`.
struct AppProcess {
  std::optional<Subprocess> process;
  int port = 0;
};

std::optional<AppProcess> StartApp(const std::string& ip) {
  auto p = Subprocess::Start({"/usr/bin/env", "HOST=" + ip, "PORT=0", "/usr/bin/python3",
                              KS_SOURCE_DIR "/examples/flask-app/app.py"});
  if (!p) return std::nullopt;
  for (int i = 0; i < 5; ++i) {
    auto line = p->ReadLine(20s);
    if (!line) return std::nullopt;
    size_t at = line->find("\"port\": ");
    if (line->find("\"listening\"") != std::string::npos && at != std::string::npos) {
      AppProcess app;
      app.port = std::stoi(line->substr(at + 8));
      app.process.emplace(std::move(*p));
      return app;
    }
  }
  return std::nullopt;
}

std::string AnnotatedPod(const std::string& ns, const std::string& name, const std::string& app, const std::string& ip,
                         int port) {
  return PodBuilder(ns, name)
      .Label("app", app)
      .Annotation("prometheus.io/scrape", "true")
      .Annotation("prometheus.io/port", std::to_string(port))
      .Annotation("prometheus.io/path", "/metrics")
      .Running(ip)
      .Container("app", "flask-minio:1.0.0", {{"http", port}})
      .Json();
}

class KubernetesE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3";
    dir_ = std::filesystem::temp_directory_path() / fmt::format("ks-e2e-{}", getpid());
    std::filesystem::create_directories(dir_);
    FakeApiServer::Options o;
    o.token = "demo-token";
    auto s = FakeApiServer::Start(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    api_ = std::move(*s);
    ASSERT_TRUE(api_->WriteKubeconfig((dir_ / "kubeconfig").string()).ok());
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
    if (runner_.joinable()) runner_.join();
    server_.reset();
    db_.reset();
    apps_.clear();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Starts the app on `ip` and creates its pod; false when Flask is missing.
  bool AddAppPod(const std::string& ns, const std::string& name, const std::string& app, const std::string& ip) {
    auto proc = StartApp(ip);
    if (!proc) return false;
    EXPECT_TRUE(api_->CreatePod(AnnotatedPod(ns, name, app, ip, proc->port)).ok());
    apps_.emplace(name, std::move(*proc));
    return true;
  }

  // configs/prometheus.yml, pointed at the fake API server, scraping every second.
  std::string OriginConfig() {
    std::ifstream in(KS_SOURCE_DIR "/configs/prometheus.yml");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string yaml = ss.str();
    auto replace = [&](const std::string& from, const std::string& to) {
      size_t at = yaml.find(from);
      EXPECT_NE(at, std::string::npos) << from;
      if (at != std::string::npos) yaml.replace(at, from.size(), to);
    };
    replace("scrape_interval: 15s", "scrape_interval: 1s");
    replace("scrape_timeout: 10s", "scrape_timeout: 1s");
    replace("      - role: pod", fmt::format("      - role: pod\n        kubeconfig_file: {}", (dir_ / "kubeconfig").string()));
    return yaml;
  }

  // `extra_jobs` is appended to the origin config's scrape_configs. With a
  // `db`, the daemon stores there (and reports its metrics) instead of in
  // storage_.
  void StartDaemon(const std::string& listen = "127.0.0.1:0", const std::string& extra_jobs = "",
                   tsdb::Db* db = nullptr) {
    std::string path = (dir_ / "prometheus.yml").string();
    std::ofstream(path) << OriginConfig() << extra_jobs;
    server::ServerOptions opts;
    opts.config_file = path;
    opts.threads = 2;
    opts.discovery_update_interval = 200ms;
    opts.handle_signals = false;
    opts.listen_address = listen;
    if (db != nullptr) {
      opts.storage_metrics = [db] {
        return server::StorageMetricsOf(db->stats(), db->head().MinTime(), db->head().MaxTime(), 0);
      };
    }
    tsdb::Storage& storage = db != nullptr ? static_cast<tsdb::Storage&>(*db) : storage_;
    auto s = server::Server::Open(opts, storage, util::FileSystem::Default(), util::SystemClock::Default());
    ASSERT_TRUE(s.ok()) << s.status().message();
    server_ = std::move(*s);
    runner_ = std::thread([this] { server_->Run(); });
  }

  // The newest sample of `up` for a pod, if any.
  std::optional<double> UpOf(const std::string& pod) {
    for (const auto& [labels, samples] : storage_.Snapshot()) {
      if (labels.Get("__name__") == "up" && labels.Get("pod") == pod && !samples.empty()) return samples.back().v;
    }
    return std::nullopt;
  }

  std::filesystem::path dir_;
  std::unique_ptr<FakeApiServer> api_;
  std::map<std::string, AppProcess> apps_;
  tsdb::MemoryStorage storage_;
  std::unique_ptr<tsdb::Db> db_;  // outlives the server (declared before it)
  std::unique_ptr<server::Server> server_;
  std::thread runner_;
};

TEST_F(KubernetesE2eTest, OriginConfigKeepsTheRightPodsAndExplainsTheRest) {
  if (!AddAppPod("test", "flask-minio-7d9f", "flask-minio", "127.0.0.11")) {
    GTEST_SKIP() << "the Flask app did not start (python3-flask, python3-prometheus-client installed?)";
  }
  ASSERT_TRUE(AddAppPod("test", "minio-0", "minio", "127.0.0.12"));
  ASSERT_TRUE(AddAppPod("test", "mongo-0", "mongo", "127.0.0.13"));
  // Kept by every rule but the annotation one.
  ASSERT_TRUE(api_->CreatePod(PodBuilder("test", "argocd-app-1").Label("app", "argocd-app").Running("127.0.0.14")
                                  .Container("app", "argocd", {{"http", 8080}}).Json()).ok());
  // No app label the config knows.
  ASSERT_TRUE(api_->CreatePod(PodBuilder("test", "plain").Running("127.0.0.15").Container("c", "busybox").Json()).ok());
  // Right labels, wrong namespace.
  ASSERT_TRUE(api_->CreatePod(AnnotatedPod("default", "flask-minio-other", "flask-minio", "127.0.0.16", 8001)).ok());
  ASSERT_TRUE(api_->CreatePod(AnnotatedPod("logging", "agent-x", "flask-minio", "127.0.0.17", 8001)).ok());
  // Pending, no IP: no targets at all.
  ASSERT_TRUE(api_->CreatePod(PodBuilder("test", "pending-0").Label("app", "flask-minio").Phase("Pending")
                                  .Annotation("prometheus.io/scrape", "true").Container("app", "x", {{"http", 8001}})
                                  .Json()).ok());
  // Two container ports; the port annotation rewrites both to one target.
  ASSERT_TRUE(AddAppPod("test", "two-ports", "flask-minio", "127.0.0.18"));
  ASSERT_TRUE(api_->PatchPod("test", "two-ports", fmt::format(R"({{"spec":{{"containers":[{{"name":"app","image":"x",)"
                                                               R"("ports":[{{"containerPort":{}}},{{"containerPort":9000}}]}}]}}}})",
                                                               apps_["two-ports"].port)).ok());
  StartDaemon();

  for (const std::string pod : {"flask-minio-7d9f", "minio-0", "mongo-0", "two-ports"}) {
    ASSERT_TRUE(WaitUntil([&] { return UpOf(pod) == 1.0; })) << pod << " is not scraped and up";
  }
  auto active = server_->scrape_manager().ActiveTargets();
  EXPECT_EQ(active.size(), 4u);  // two-ports is one target
  for (const std::string pod : {"argocd-app-1", "plain", "flask-minio-other", "agent-x", "pending-0"}) {
    EXPECT_FALSE(UpOf(pod).has_value()) << pod << " must not be scraped";
  }
  // The app's own series carry the relabeled pod identity.
  bool found = false;
  for (const auto& [labels, samples] : storage_.Snapshot()) {
    if (labels.Get("__name__") == "flask_app_build_info" && labels.Get("pod") == "flask-minio-7d9f") {
      EXPECT_EQ(labels.Get("namespace"), "test");
      EXPECT_EQ(labels.Get("app"), "flask-minio");
      EXPECT_EQ(labels.Get("job"), "kubernetes-pods");
      found = true;
    }
  }
  EXPECT_TRUE(found);

  // Why each dropped pod was dropped, from the daemon's API.
  std::ostringstream out, err;
  scrapectl::TargetsOptions opts;
  opts.dropped = true;
  std::string url = fmt::format("http://127.0.0.1:{}", server_->api_port());
  ASSERT_EQ(scrapectl::Targets(opts, scrapectl::DaemonGetter(url), out, err, 0), 0) << err.str();
  const std::string dropped = out.str();
  EXPECT_NE(dropped.find("default/flask-minio-other"), std::string::npos) << dropped;
  EXPECT_NE(dropped.find("rule 1 (keep) on [__meta_kubernetes_namespace]: saw \"default\""), std::string::npos)
      << dropped;
  EXPECT_NE(dropped.find("rule 2 (keep) on [__meta_kubernetes_pod_label_app]: saw \"\""), std::string::npos)
      << dropped;
  EXPECT_NE(dropped.find("rule 3 (keep) on [__meta_kubernetes_pod_annotation_prometheus_io_scrape]: saw \"\""),
            std::string::npos)
      << dropped;

  // Queryable over the HTTP API, as Grafana asks.
  auto get = scrapectl::DaemonGetter(url);
  auto body = get("/api/v1/query?query=count%20by%20(app)%20(up%7Bnamespace%3D%22test%22%7D%20%3D%3D%201)");
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_NE(body->find(R"({"metric":{"app":"flask-minio"},"value":)"), std::string::npos) << *body;
  EXPECT_NE(body->find(R"({"metric":{"app":"mongo"},"value":)"), std::string::npos) << *body;
  auto pods = get("/api/v1/label/pod/values");
  ASSERT_TRUE(pods.ok());
  EXPECT_NE(pods->find("\"flask-minio-7d9f\""), std::string::npos) << *pods;
  EXPECT_EQ(pods->find("argocd"), std::string::npos) << *pods;

  // A pod added later is scraped within seconds.
  ASSERT_TRUE(AddAppPod("test", "flask-minio-new", "flask-minio", "127.0.0.19"));
  ASSERT_TRUE(WaitUntil([&] { return UpOf("flask-minio-new") == 1.0; }, 15s));

  // A deleted pod's series go stale.
  ASSERT_TRUE(api_->DeletePod("test", "minio-0").ok());
  ASSERT_TRUE(WaitUntil([&] {
    auto v = UpOf("minio-0");
    return v && model::IsStaleNaN(*v);
  }, 15s));
}

// Every PromQL expression of the shipped Grafana dashboards runs against the
// daemon with demo data (the origin's Flask pods under load, the daemon
// scraping itself), as Grafana would send it, and returns data.
TEST_F(KubernetesE2eTest, DashboardQueriesRunOnDemoData) {
  if (!AddAppPod("test", "flask-minio-7d9f", "flask-minio", "127.0.0.11")) {
    GTEST_SKIP() << "the Flask app did not start (python3-flask, python3-prometheus-client installed?)";
  }
  ASSERT_TRUE(AddAppPod("test", "flask-minio-8e0a", "flask-minio", "127.0.0.12"));
  // The daemon's own store (blocks, WAL), as it runs in production.
  tsdb::DbOptions db_options;
  db_options.maintenance_period = std::chrono::milliseconds(0);
  auto db = tsdb::Db::Open(util::FileSystem::Default(), (dir_ / "data").string(), db_options);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  db_ = std::move(*db);
  const int port = testing::FreePort();
  StartDaemon(fmt::format("127.0.0.1:{}", port),
              fmt::format("  - job_name: kubescrape\n    static_configs:\n      - targets: ['127.0.0.1:{}']\n", port),
              db_.get());
  auto daemon = scrapectl::DaemonGetter(fmt::format("http://127.0.0.1:{}", port));
  ASSERT_TRUE(WaitUntil([&] {
    auto body = daemon("/api/v1/query?query=count(up%7Bjob%3D%22kubernetes-pods%22%7D%20%3D%3D%201)");
    return body.ok() && body->find("\"value\":[") != std::string::npos && body->find("\"2\"]") != std::string::npos;
  })) << "both pods scraped and up";

  // Load: requests of every kind on both pods, and queries on the API,
  // spread over several scrapes so rates see them.
  const auto load_until = std::chrono::steady_clock::now() + 6s;
  while (std::chrono::steady_clock::now() < load_until) {
    for (const auto& [name, app] : apps_) {
      const std::string ip = name == "flask-minio-7d9f" ? "127.0.0.11" : "127.0.0.12";
      auto get = scrapectl::DaemonGetter(fmt::format("http://{}:{}", ip, app.port));
      (void)get("/");
      (void)get("/api/items");
      (void)get("/api/fail");  // a 500 (an error, for the getter)
    }
    (void)daemon("/api/v1/query?query=up");
    (void)daemon("/api/v1/query_range?query=up&start=0&end=60&step=15");
    std::this_thread::sleep_for(200ms);
  }
  std::this_thread::sleep_for(2500ms);  // two more scrapes of everything

  // Grafana's metric hints: the Flask app's metadata, from its scrapes.
  auto metadata = daemon("/api/v1/metadata?metric=flask_http_requests_total");
  ASSERT_TRUE(metadata.ok());
  EXPECT_NE(metadata->find(R"("flask_http_requests_total":[{"type":"counter","help":")"), std::string::npos)
      << *metadata;

  std::vector<std::string> exprs;
  for (const char* file : {"flask-app.json", "kubescrape.json"}) {
    std::ifstream in(std::string(KS_SOURCE_DIR "/docker/grafana/dashboards/") + file);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    // "expr": "..." (JSON-escaped quotes inside).
    for (size_t at = text.find("\"expr\": \""); at != std::string::npos; at = text.find("\"expr\": \"", at + 1)) {
      std::string expr;
      for (size_t i = at + 9; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
        expr += text[i];
      }
      exprs.push_back(expr);
    }
  }
  ASSERT_GE(exprs.size(), 25u);
  // Legitimately empty with this demo: every target is up.
  const std::set<std::string> may_be_empty = {"count by (job) (up == 0)"};
  const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
  for (std::string expr : exprs) {
    const std::string original = expr;
    for (size_t at; (at = expr.find("$__rate_interval")) != std::string::npos;) expr.replace(at, 16, "4s");
    std::string q;
    for (unsigned char c : expr) q += std::isalnum(c) ? std::string(1, c) : fmt::format("%{:02X}", c);
    auto body = daemon(fmt::format("/api/v1/query_range?query={}&start={}&end={}&step=1", q, now_s - 5, now_s));
    ASSERT_TRUE(body.ok()) << original << ": " << body.status().ToString();
    EXPECT_NE(body->find("\"status\":\"success\""), std::string::npos) << original << ": " << *body;
    if (!may_be_empty.contains(original)) {
      EXPECT_NE(body->find("\"values\":[["), std::string::npos) << "no data for " << original << ": " << *body;
    }
  }
}

}  // namespace
}  // namespace kubescrape
