// The fake API server over real sockets: HTTP/1.1 keep-alive, TLS with
// the generated CA, the bearer token, watch streaming (changes, 410 after
// compaction, bookmarks, timeout, dropped connections), the admin
// endpoints, and the fake_apiserver binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "test/fake_apiserver/fake_apiserver.h"
#include "test/fake_apiserver/pod_builder.h"
#include "test/fake_apiserver/test_client.h"
#include "test/fake_apiserver/test_util.h"
#include "test/testing/subprocess.h"
#include "test/testing/test_pki.h"

namespace kubescrape::fake_apiserver {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace std::chrono_literals;

// Polls `cond` until it holds or `timeout` passes.
bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout = 10s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!cond()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);  // polling a condition, not a fixed wait
  }
  return true;
}

std::unique_ptr<FakeApiServer> StartServer(FakeApiServer::Options options = {}) {
  util::StatusOr<std::unique_ptr<FakeApiServer>> s = FakeApiServer::Start(std::move(options));
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? std::move(*s) : nullptr;
}

std::unique_ptr<TestClient> ConnectTo(const FakeApiServer& server, std::string token = "") {
  TestClient::Options o;
  o.port = server.port();
  o.ca_pem = server.ca_pem();
  o.token = std::move(token);
  util::StatusOr<std::unique_ptr<TestClient>> c = TestClient::Connect(o);
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? std::move(*c) : nullptr;
}

// The event type of a watch line ("ADDED", ...) and its object's name.
std::string Event(const std::optional<std::string>& line) {
  if (!line) return "<none>";
  rapidjson::Document e = Parse(*line);
  return GetString(e, {"type"}) + " " + GetString(e, {"object", "metadata", "name"});
}

// Reads until the stream ends; the lines read on the way.
std::vector<std::string> Drain(TestClient& c, std::chrono::milliseconds timeout = 10s) {
  std::vector<std::string> lines;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!c.stream_ended() && std::chrono::steady_clock::now() < deadline) {
    if (std::optional<std::string> l = c.NextLine(100ms)) lines.push_back(*l);
  }
  return lines;
}

TEST(FakeApiServerTest, PlainHttpWithKeepAlive) {
  FakeApiServer::Options o;
  o.tls = false;
  auto server = StartServer(o);
  ASSERT_NE(server, nullptr);
  EXPECT_THAT(server->url(), StartsWith("http://127.0.0.1:"));
  EXPECT_EQ(server->ca_pem(), "");
  ASSERT_TRUE(server->CreatePod(PodBuilder("default", "a").Json()).ok());
  auto client = ConnectTo(*server);
  ASSERT_NE(client, nullptr);
  for (int i = 0; i < 3; ++i) {  // one connection, several requests
    util::StatusOr<TestClient::Response> r = client->Request("GET", "/api/v1/namespaces/default/pods");
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->code, 200);
    EXPECT_EQ(r->content_type, "application/json");
    EXPECT_EQ(ItemKeys(Parse(r->body)).size(), 1u);
  }
  util::StatusOr<TestClient::Response> created = client->Request(
      "POST", "/api/v1/namespaces/default/pods", PodBuilder("default", "b").Json(), "application/json");
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->code, 201);
  EXPECT_NE(server->store().Get(PodsResource(), "default/b"), nullptr);
}

TEST(FakeApiServerTest, TlsWithTheGeneratedCa) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  EXPECT_THAT(server->url(), StartsWith("https://127.0.0.1:"));
  EXPECT_THAT(server->ca_pem(), StartsWith("-----BEGIN CERTIFICATE-----"));
  auto client = ConnectTo(*server);
  ASSERT_NE(client, nullptr);
  util::StatusOr<TestClient::Response> r = client->Request("GET", "/version");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->code, 200);
  // A client trusting another CA refuses the server.
  TestClient::Options wrong;
  wrong.port = server->port();
  wrong.ca_pem = ::kubescrape::testing::TestPki().other_ca_cert;
  util::StatusOr<std::unique_ptr<TestClient>> refused = TestClient::Connect(wrong);
  EXPECT_FALSE(refused.ok());
}

TEST(FakeApiServerTest, BearerToken) {
  FakeApiServer::Options o;
  o.token = "t0ken";
  auto server = StartServer(o);
  ASSERT_NE(server, nullptr);
  auto anonymous = ConnectTo(*server);
  util::StatusOr<TestClient::Response> denied = anonymous->Request("GET", "/api/v1/pods");
  ASSERT_TRUE(denied.ok());
  EXPECT_EQ(denied->code, 401);
  EXPECT_EQ(GetString(Parse(denied->body), {"reason"}), "Unauthorized");
  auto wrong = ConnectTo(*server, "other");
  EXPECT_EQ(wrong->Request("GET", "/api/v1/pods")->code, 401);
  auto right = ConnectTo(*server, "t0ken");
  EXPECT_EQ(right->Request("GET", "/api/v1/pods")->code, 200);
  EXPECT_THAT(server->Kubeconfig(), HasSubstr("    token: t0ken\n"));
}

TEST(FakeApiServerTest, WatchStreamsChanges) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  ASSERT_TRUE(server->CreatePod(PodBuilder("default", "a").Json()).ok());
  auto client = ConnectTo(*server);
  util::StatusOr<int> code =
      client->StartStream("/api/v1/pods?watch=true&resourceVersion=" + std::to_string(server->resource_version()));
  ASSERT_TRUE(code.ok()) << code.status().message();
  EXPECT_EQ(*code, 200);
  ASSERT_TRUE(server->CreatePod(PodBuilder("kube-system", "b").Json()).ok());
  EXPECT_EQ(Event(client->NextLine(10s)), "ADDED b");
  ASSERT_TRUE(server->PatchPod("default", "a", R"({"status":{"phase":"Running"}})").ok());
  EXPECT_EQ(Event(client->NextLine(10s)), "MODIFIED a");
  ASSERT_TRUE(server->DeletePod("default", "a").ok());
  std::optional<std::string> deleted = client->NextLine(10s);
  EXPECT_EQ(Event(deleted), "DELETED a");
  EXPECT_EQ(GetString(Parse(*deleted), {"object", "metadata", "resourceVersion"}),
            std::to_string(server->resource_version()));
  EXPECT_EQ(server->active_watches(), 1u);
}

TEST(FakeApiServerTest, WatchFromACompactedVersionGets410AndEnds) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  ASSERT_TRUE(server->CreatePod(PodBuilder("default", "a").Json()).ok());
  uint64_t old = server->resource_version();
  ASSERT_TRUE(server->CreatePod(PodBuilder("default", "b").Json()).ok());
  server->Compact();
  auto client = ConnectTo(*server);
  ASSERT_EQ(*client->StartStream("/api/v1/pods?watch=1&resourceVersion=" + std::to_string(old - 1)), 200);
  std::vector<std::string> lines = Drain(*client);
  ASSERT_EQ(lines.size(), 1u);
  rapidjson::Document e = Parse(lines[0]);
  EXPECT_EQ(GetString(e, {"type"}), "ERROR");
  EXPECT_EQ(e["object"]["code"].GetInt(), 410);
  EXPECT_EQ(GetString(e, {"object", "reason"}), "Expired");
  EXPECT_TRUE(client->stream_ended_cleanly());
}

TEST(FakeApiServerTest, Bookmarks) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  server->SetBookmarkInterval(50ms);
  ASSERT_TRUE(server->CreatePod(PodBuilder("default", "a").Json()).ok());
  auto client = ConnectTo(*server);
  ASSERT_EQ(*client->StartStream("/api/v1/namespaces/default/pods?watch=1&allowWatchBookmarks=true&resourceVersion=" +
                                 std::to_string(server->resource_version()) + "&timeoutSeconds=60"),
            200);
  // A write elsewhere moves the bookmark's version along.
  ASSERT_TRUE(server->CreatePod(PodBuilder("other", "x").Json()).ok());
  std::string want = std::to_string(server->resource_version());
  std::string got;
  ASSERT_TRUE(WaitFor([&] {
    std::optional<std::string> line = client->NextLine(100ms);
    if (!line) return false;
    rapidjson::Document e = Parse(*line);
    EXPECT_EQ(GetString(e, {"type"}), "BOOKMARK");
    EXPECT_EQ(GetString(e, {"object", "kind"}), "Pod");
    got = GetString(e, {"object", "metadata", "resourceVersion"});
    return got == want;
  }));
}

TEST(FakeApiServerTest, TimeoutEndsTheStreamCleanly) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  auto client = ConnectTo(*server);
  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(*client->StartStream("/api/v1/pods?watch=1&timeoutSeconds=1&resourceVersion=" +
                                 std::to_string(server->resource_version())),
            200);
  EXPECT_TRUE(Drain(*client).empty());
  EXPECT_TRUE(client->stream_ended_cleanly());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_TRUE(WaitFor([&] { return server->active_watches() == 0; }));
}

TEST(FakeApiServerTest, DropWatchesBreaksTheConnection) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  auto client = ConnectTo(*server);
  ASSERT_EQ(*client->StartStream("/api/v1/pods?watch=1"), 200);
  ASSERT_TRUE(WaitFor([&] { return server->active_watches() == 1; }));
  server->DropWatches();
  Drain(*client);
  EXPECT_TRUE(client->stream_ended());
  EXPECT_FALSE(client->stream_ended_cleanly());
  EXPECT_TRUE(WaitFor([&] { return server->active_watches() == 0; }));
}

TEST(FakeApiServerTest, ClientGoingAwayEndsTheWatch) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  {
    auto client = ConnectTo(*server);
    ASSERT_EQ(*client->StartStream("/api/v1/pods?watch=1"), 200);
    ASSERT_TRUE(WaitFor([&] { return server->active_watches() == 1; }));
  }
  EXPECT_TRUE(WaitFor([&] { return server->active_watches() == 0; }));
}

TEST(FakeApiServerTest, AdminEndpoints) {
  FakeApiServer::Options o;
  o.tls = false;
  auto server = StartServer(o);
  ASSERT_NE(server, nullptr);
  ASSERT_TRUE(server->CreatePod(PodBuilder("default", "a").Json()).ok());
  uint64_t old = server->resource_version();
  ASSERT_TRUE(server->CreatePod(PodBuilder("default", "b").Json()).ok());
  auto admin = ConnectTo(*server);
  EXPECT_EQ(admin->Request("POST", "/fake/compact")->code, 200);
  EXPECT_EQ(admin->Request("GET", "/fake/compact")->code, 405);
  auto watcher = ConnectTo(*server);
  ASSERT_EQ(*watcher->StartStream("/api/v1/pods?watch=1&resourceVersion=" + std::to_string(old)), 200);
  EXPECT_EQ(Event(watcher->NextLine(10s)), "ERROR ");

  EXPECT_EQ(admin->Request("POST", "/fake/bookmark-interval?milliseconds=20")->code, 200);
  EXPECT_EQ(admin->Request("POST", "/fake/bookmark-interval?milliseconds=x")->code, 400);
  auto bookmarks = ConnectTo(*server);
  ASSERT_EQ(*bookmarks->StartStream("/api/v1/pods?watch=1&allowWatchBookmarks=true&timeoutSeconds=60&resourceVersion=" +
                                    std::to_string(server->resource_version())),
            200);
  EXPECT_EQ(Event(bookmarks->NextLine(10s)), "BOOKMARK ");
  EXPECT_EQ(admin->Request("POST", "/fake/drop-watches")->code, 200);
  Drain(*bookmarks);
  EXPECT_FALSE(bookmarks->stream_ended_cleanly());
}

std::string TempDir() {
  char dir[] = "/tmp/fake_apiserver_test.XXXXXX";
  EXPECT_NE(mkdtemp(dir), nullptr);
  return dir;
}

TEST(FakeApiServerBinaryTest, LoadsPodsAndWritesAKubeconfig) {
  std::string dir = TempDir();
  {
    std::ofstream pods(dir + "/pods.yaml");
    pods << "kind: Pod\nmetadata: {name: web-0, namespace: prod, labels: {app: web}}\n"
            "spec: {containers: [{name: c, image: nginx}]}\n---\n"
            "kind: Pod\nmetadata: {name: web-1, namespace: prod}\n";
  }
  std::optional<::kubescrape::testing::Subprocess> proc =
      ::kubescrape::testing::Subprocess::Start({FAKE_APISERVER_BINARY, "--listen", "127.0.0.1:0", "--no-tls", "--token", "abc",
                                  "--pods", dir + "/pods.yaml", "--kubeconfig-out", dir + "/kubeconfig"});
  ASSERT_TRUE(proc.has_value());
  std::optional<std::string> url = proc->ReadLine(20s);
  ASSERT_TRUE(url.has_value());
  ASSERT_THAT(*url, StartsWith("http://127.0.0.1:"));
  std::ifstream in(dir + "/kubeconfig");
  std::string kubeconfig((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_THAT(kubeconfig, HasSubstr("    server: " + *url + "\n"));
  EXPECT_THAT(kubeconfig, HasSubstr("    token: abc\n"));
  TestClient::Options o;
  o.port = static_cast<uint16_t>(std::stoi(url->substr(url->rfind(':') + 1)));
  o.token = "abc";
  auto client = TestClient::Connect(o);
  ASSERT_TRUE(client.ok());
  util::StatusOr<TestClient::Response> r = (*client)->Request("GET", "/api/v1/namespaces/prod/pods");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ItemKeys(Parse(r->body)), (std::vector<std::string>{"prod/web-0", "prod/web-1"}));
  proc->Kill();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kubescrape::fake_apiserver
