// Fidelity check: the real kubectl against the fake API server, over TLS
// with the generated CA and a bearer token from a written kubeconfig.
// Skipped when kubectl is not installed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "test/fake_apiserver/fake_apiserver.h"
#include "test/fake_apiserver/pod_builder.h"
#include "test/fake_apiserver/test_util.h"
#include "test/testing/subprocess.h"

namespace kubescrape::fake_apiserver {
namespace {

using ::kubescrape::testing::HaveExecutable;
using ::kubescrape::testing::Subprocess;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using namespace std::chrono_literals;

// Splits kubectl's JSON output into complete top-level objects, whether it
// prints them on one line or pretty-printed over many.
class JsonStream {
 public:
  // Adds a line; returns the objects it completes.
  std::vector<std::string> Add(const std::string& line) {
    std::vector<std::string> out;
    for (char c : line + "\n") {
      if (depth_ == 0 && c != '{') continue;
      buffer_.push_back(c);
      if (in_string_) {
        if (escaped_) {
          escaped_ = false;
        } else if (c == '\\') {
          escaped_ = true;
        } else if (c == '"') {
          in_string_ = false;
        }
        continue;
      }
      if (c == '"') in_string_ = true;
      if (c == '{') ++depth_;
      if (c == '}' && --depth_ == 0) {
        out.push_back(std::move(buffer_));
        buffer_.clear();
      }
    }
    return out;
  }

 private:
  std::string buffer_;
  int depth_ = 0;
  bool in_string_ = false;
  bool escaped_ = false;
};

class KubectlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveExecutable("kubectl")) GTEST_SKIP() << "kubectl is not installed";
    FakeApiServer::Options o;
    o.token = "kubectl-token";
    util::StatusOr<std::unique_ptr<FakeApiServer>> s = FakeApiServer::Start(o);
    ASSERT_TRUE(s.ok()) << s.status().message();
    server_ = std::move(*s);
    char dir[] = "/tmp/fake_apiserver_kubectl.XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    ASSERT_TRUE(server_->WriteKubeconfig(dir_ + "/kubeconfig").ok());
    ASSERT_TRUE(server_->CreatePod(PodBuilder("default", "web-0")
                                       .Label("app", "web")
                                       .Node("node-1")
                                       .Running("10.0.0.5")
                                       .Container("app", "nginx:1.27", {{"http", 8080}})
                                       .Json())
                    .ok());
    ASSERT_TRUE(server_->CreatePod(PodBuilder("kube-system", "dns-0").Label("app", "dns").Json()).ok());
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::vector<std::string> Command(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {"kubectl", "--kubeconfig", dir_ + "/kubeconfig", "--cache-dir", dir_ + "/cache"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  // Runs kubectl to completion; its stdout (and stderr when `with_stderr`).
  std::string Run(const std::vector<std::string>& args, bool with_stderr = false) const {
    std::vector<std::string> argv = Command(args);
    if (with_stderr) {
      std::string line;
      for (const std::string& a : argv) line += "'" + a + "' ";
      argv = {"sh", "-c", line + "2>&1"};
    }
    std::optional<Subprocess> proc = Subprocess::Start(argv);
    EXPECT_TRUE(proc.has_value());
    if (!proc) return "";
    std::string out;
    while (std::optional<std::string> l = proc->ReadLine(60s)) out += *l + "\n";
    return out;
  }

  std::unique_ptr<FakeApiServer> server_;
  std::string dir_;
};

// "TYPE namespace/name" of a watch event printed by kubectl.
std::string EventOf(const std::string& json) {
  rapidjson::Document e = Parse(json);
  return GetString(e, {"type"}) + " " + GetString(e, {"object", "metadata", "namespace"}) + "/" +
         GetString(e, {"object", "metadata", "name"});
}

TEST_F(KubectlTest, GetPodsAsJson) {
  std::string out = Run({"get", "pods", "-A", "-o", "json"});
  rapidjson::Document list = Parse(out);
  EXPECT_EQ(GetString(list, {"kind"}), "List");
  EXPECT_THAT(ItemKeys(list), ElementsAre("default/web-0", "kube-system/dns-0"));
  EXPECT_EQ(GetString(list["items"][0], {"status", "podIP"}), "10.0.0.5");
  EXPECT_EQ(GetString(list["items"][0], {"kind"}), "Pod");
}

TEST_F(KubectlTest, GetPodsAsATable) {
  std::string out = Run({"get", "pods", "-A", "-o", "wide"});
  EXPECT_THAT(out, HasSubstr("NAMESPACE"));
  EXPECT_THAT(out, HasSubstr("READY"));
  EXPECT_THAT(out, HasSubstr("NOMINATED NODE"));
  EXPECT_THAT(out, ::testing::ContainsRegex("default +web-0 +1/1 +Running +0 +[0-9]+s +10\\.0\\.0\\.5 +node-1"));
  EXPECT_THAT(out, ::testing::ContainsRegex("kube-system +dns-0 +0/1 +Pending"));
}

TEST_F(KubectlTest, ServerSideSelectors) {
  EXPECT_EQ(Run({"get", "pods", "-A", "-l", "app=web", "-o", "name"}), "pod/web-0\n");
  EXPECT_EQ(Run({"get", "pods", "-A", "--field-selector", "spec.nodeName=node-1", "-o", "name"}), "pod/web-0\n");
  EXPECT_EQ(Run({"get", "pods", "-A", "-l", "app notin (web)", "-o", "name"}), "pod/dns-0\n");
  // kubectl wraps the server's message: "Error from server (BadRequest): Unable
  // to find ... field selector "spec.foo=x": field label not supported: spec.foo".
  std::string bad = Run({"get", "pods", "-A", "--field-selector", "spec.foo=x"}, true);
  EXPECT_THAT(bad, HasSubstr("Error from server (BadRequest)"));
  EXPECT_THAT(bad, HasSubstr(": field label not supported: spec.foo\n"));
}

TEST_F(KubectlTest, PaginatedGet) {
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(server_->CreatePod(PodBuilder("paged", "p-" + std::to_string(i)).Json()).ok());
  }
  // --chunk-size makes kubectl follow continue tokens.
  std::string out = Run({"get", "pods", "-n", "paged", "--chunk-size", "2", "-o", "name"});
  EXPECT_EQ(out, "pod/p-0\npod/p-1\npod/p-2\npod/p-3\npod/p-4\npod/p-5\npod/p-6\n");
}

TEST_F(KubectlTest, WatchSeesChanges) {
  std::optional<Subprocess> watch =
      Subprocess::Start(Command({"get", "pods", "-A", "-w", "--output-watch-events", "-o", "json"}));
  ASSERT_TRUE(watch.has_value());
  JsonStream stream;
  std::vector<std::string> events;
  auto read_until = [&](size_t n) {
    while (events.size() < n) {
      std::optional<std::string> line = watch->ReadLine(30s);
      if (!line) return false;
      for (const std::string& obj : stream.Add(*line)) events.push_back(EventOf(obj));
    }
    return true;
  };
  ASSERT_TRUE(read_until(2));
  EXPECT_THAT(events, UnorderedElementsAre("ADDED default/web-0", "ADDED kube-system/dns-0"));
  // kubectl watches from its list's version: changes made now are not missed.
  ASSERT_TRUE(server_->CreatePod(PodBuilder("default", "web-1").Json()).ok());
  ASSERT_TRUE(server_->PatchPod("default", "web-0", R"({"metadata":{"labels":{"tier":"front"}}})").ok());
  ASSERT_TRUE(server_->DeletePod("kube-system", "dns-0").ok());
  ASSERT_TRUE(read_until(5));
  EXPECT_THAT(std::vector<std::string>(events.begin() + 2, events.end()),
              ElementsAre("ADDED default/web-1", "MODIFIED default/web-0", "DELETED kube-system/dns-0"));
  watch->Kill();
}

TEST_F(KubectlTest, WatchTable) {
  // The fidelity check: `kubectl get pods -A -w` with its table output.
  std::optional<Subprocess> watch = Subprocess::Start(Command({"get", "pods", "-A", "-w"}));
  ASSERT_TRUE(watch.has_value());
  std::vector<std::string> lines;
  auto read_until = [&](const std::string& needle) {
    while (true) {
      std::optional<std::string> line = watch->ReadLine(30s);
      if (!line) return false;
      lines.push_back(*line);
      if (line->find(needle) != std::string::npos) return true;
    }
  };
  ASSERT_TRUE(read_until("dns-0"));
  EXPECT_THAT(lines[0], ::testing::MatchesRegex("NAMESPACE +NAME +READY +STATUS +RESTARTS +AGE *"));
  ASSERT_TRUE(server_->CreatePod(PodBuilder("default", "late-pod").Node("node-2").Running("10.0.0.7").Json()).ok());
  ASSERT_TRUE(read_until("late-pod"));
  EXPECT_THAT(lines.back(), ::testing::ContainsRegex("default +late-pod +1/1 +Running +0"));
  ASSERT_TRUE(server_->PatchPod("default", "late-pod", R"({"status":{"phase":"Failed","containerStatuses":null}})").ok());
  ASSERT_TRUE(read_until("Failed"));
  watch->Kill();
}

TEST_F(KubectlTest, CreateLabelAndDelete) {
  {
    std::ofstream pod(dir_ + "/pod.yaml");
    pod << "apiVersion: v1\nkind: Pod\nmetadata:\n  name: new-pod\n  labels: {app: new}\n"
           "spec:\n  containers:\n  - name: c\n    image: busybox\n";
  }
  EXPECT_EQ(Run({"create", "-f", dir_ + "/pod.yaml"}), "pod/new-pod created\n");
  ObjectPtr created = server_->store().Get(PodsResource(), "default/new-pod");
  ASSERT_NE(created, nullptr);
  EXPECT_EQ(created->labels.at("app"), "new");
  EXPECT_THAT(Run({"create", "-f", dir_ + "/pod.yaml"}, true),
              HasSubstr("Error from server (AlreadyExists): error when creating"));
  EXPECT_EQ(Run({"label", "pod", "new-pod", "tier=front"}), "pod/new-pod labeled\n");
  EXPECT_EQ(server_->store().Get(PodsResource(), "default/new-pod")->labels.at("tier"), "front");
  EXPECT_EQ(Run({"delete", "pod", "new-pod"}), "pod \"new-pod\" deleted\n");
  EXPECT_EQ(server_->store().Get(PodsResource(), "default/new-pod"), nullptr);
  EXPECT_THAT(Run({"get", "pod", "new-pod"}, true), HasSubstr("Error from server (NotFound): pods \"new-pod\" not found"));
}

TEST_F(KubectlTest, AWrongTokenIsRejected) {
  std::string config = server_->Kubeconfig();
  config.replace(config.find("kubectl-token"), 13, "wrong-token");
  {
    std::ofstream out(dir_ + "/kubeconfig");
    out << config;
  }
  // A 401 during discovery, as against a real server.
  EXPECT_THAT(Run({"get", "pods"}, true),
              HasSubstr("error: You must be logged in to the server (the server has asked for the client to provide "
                        "credentials)"));
}

}  // namespace
}  // namespace kubescrape::fake_apiserver
