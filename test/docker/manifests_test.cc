// Checks the deployment files under docker/ without a Docker engine or a
// cluster: the Kubernetes manifests (RBAC, probes, securityContext, volume,
// Service, config reload, the origin's prometheus.yml), the Dockerfile's
// build steps against scripts/setup.sh and scripts/build.sh, and the Grafana
// provisioning (every dashboard expression parses with our PromQL parser).

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "promql/parser.h"

namespace kubescrape {
namespace {

namespace fs = std::filesystem;

const fs::path kRoot = KS_SOURCE_DIR;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<fs::path> FilesUnder(const fs::path& dir, const std::set<std::string>& extensions) {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && extensions.count(e.path().extension().string())) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::vector<std::string> Strings(const YAML::Node& seq) {
  std::vector<std::string> out;
  if (seq.IsDefined() && seq.IsSequence()) {
    for (const auto& n : seq) out.push_back(n.as<std::string>());
  }
  return out;
}

// ---------------------------------------------------------------- Kubernetes

struct Manifest {
  std::string file;
  YAML::Node doc;
};

class ManifestsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    docs_ = new std::vector<Manifest>();
    for (const auto& path : FilesUnder(kRoot / "docker/kubernetes", {".yaml", ".yml"})) {
      try {
        for (const auto& doc : YAML::LoadAll(ReadText(path))) {
          if (!doc.IsNull()) docs_->push_back({path.filename().string(), doc});
        }
      } catch (const YAML::Exception& e) {
        ADD_FAILURE() << path << ": " << e.what();
      }
    }
  }
  static void TearDownTestSuite() { delete docs_; }

  // The only object of `kind` (fails when there is not exactly one).
  static YAML::Node One(const std::string& kind) {
    std::vector<YAML::Node> found;
    for (const auto& m : *docs_) {
      if (m.doc["kind"].as<std::string>("") == kind) found.push_back(m.doc);
    }
    EXPECT_EQ(found.size(), 1u) << "objects of kind " << kind;
    return found.empty() ? YAML::Node() : found[0];
  }
  static YAML::Node PodSpec() { return One("StatefulSet")["spec"]["template"]["spec"]; }
  static YAML::Node Container(const std::string& name) {
    for (const auto& c : PodSpec()["containers"]) {
      if (c["name"].as<std::string>("") == name) return c;
    }
    ADD_FAILURE() << "no container " << name;
    return YAML::Node();
  }

  static std::vector<Manifest>* docs_;
};
std::vector<Manifest>* ManifestsTest::docs_ = nullptr;

TEST_F(ManifestsTest, EveryObjectIsWellFormedAndInMonitoring) {
  ASSERT_GE(docs_->size(), 7u);
  const std::set<std::string> cluster_scoped = {"Namespace", "ClusterRole", "ClusterRoleBinding"};
  for (const auto& m : *docs_) {
    SCOPED_TRACE(m.file);
    ASSERT_TRUE(m.doc.IsMap());
    EXPECT_FALSE(m.doc["apiVersion"].as<std::string>("").empty());
    const std::string kind = m.doc["kind"].as<std::string>("");
    EXPECT_FALSE(kind.empty());
    EXPECT_FALSE(m.doc["metadata"]["name"].as<std::string>("").empty());
    if (cluster_scoped.count(kind)) {
      EXPECT_FALSE(m.doc["metadata"]["namespace"].IsDefined()) << kind;
    } else {
      EXPECT_EQ(m.doc["metadata"]["namespace"].as<std::string>(""), "monitoring") << kind;
    }
  }
  EXPECT_EQ(One("Namespace")["metadata"]["name"].as<std::string>(""), "monitoring");
  EXPECT_EQ(One("ServiceAccount")["metadata"]["name"].as<std::string>(""), "kubescrape");
}

TEST_F(ManifestsTest, ClusterRoleIsReadOnlyOnPodsNodesNamespaces) {
  const YAML::Node role = One("ClusterRole");
  ASSERT_TRUE(role["rules"].IsSequence());
  std::set<std::string> readable;
  for (const auto& rule : role["rules"]) {
    EXPECT_EQ(Strings(rule["apiGroups"]), std::vector<std::string>{""});  // core group only
    std::vector<std::string> verbs = Strings(rule["verbs"]);
    for (const auto& v : verbs) EXPECT_TRUE(v == "get" || v == "list" || v == "watch") << "verb " << v;
    for (const auto& r : Strings(rule["resources"])) {
      EXPECT_TRUE(r == "pods" || r == "nodes" || r == "namespaces") << "resource " << r;
      if (Contains(verbs, "get") && Contains(verbs, "list") && Contains(verbs, "watch")) readable.insert(r);
    }
    EXPECT_FALSE(rule["nonResourceURLs"].IsDefined());
  }
  EXPECT_TRUE(readable.count("pods")) << "pods need get, list and watch";

  const YAML::Node binding = One("ClusterRoleBinding");
  EXPECT_EQ(binding["roleRef"]["kind"].as<std::string>(""), "ClusterRole");
  EXPECT_EQ(binding["roleRef"]["name"].as<std::string>(""), role["metadata"]["name"].as<std::string>(""));
  ASSERT_EQ(binding["subjects"].size(), 1u);
  EXPECT_EQ(binding["subjects"][0]["kind"].as<std::string>(""), "ServiceAccount");
  EXPECT_EQ(binding["subjects"][0]["name"].as<std::string>(""), "kubescrape");
  EXPECT_EQ(binding["subjects"][0]["namespace"].as<std::string>(""), "monitoring");
  EXPECT_EQ(PodSpec()["serviceAccountName"].as<std::string>(""), "kubescrape");
}

TEST_F(ManifestsTest, ConfigMapHoldsTheOriginsPrometheusYmlByteForByte) {
  const YAML::Node cm = One("ConfigMap");
  ASSERT_TRUE(cm["data"]["prometheus.yml"].IsScalar());
  EXPECT_EQ(cm["data"]["prometheus.yml"].as<std::string>(), ReadText(kRoot / "configs/prometheus.yml"));
  // The daemon reads it from the mounted ConfigMap.
  bool mounted = false;
  for (const auto& v : PodSpec()["volumes"]) {
    if (v["configMap"]["name"].as<std::string>("") != cm["metadata"]["name"].as<std::string>()) continue;
    for (const auto& vm : Container("kubescrape")["volumeMounts"]) {
      mounted |= vm["name"].as<std::string>("") == v["name"].as<std::string>("") &&
                 vm["mountPath"].as<std::string>("") == "/etc/kubescrape";
    }
  }
  EXPECT_TRUE(mounted) << "ConfigMap not mounted at /etc/kubescrape";
}

TEST_F(ManifestsTest, StatefulSetRunsTheDaemonWithItsFlags) {
  const YAML::Node sts = One("StatefulSet");
  EXPECT_EQ(sts["spec"]["replicas"].as<int>(0), 1);
  const YAML::Node c = Container("kubescrape");
  std::vector<std::string> args = Strings(c["args"]);
  EXPECT_TRUE(Contains(args, "--config.file=/etc/kubescrape/prometheus.yml"));
  EXPECT_TRUE(Contains(args, "--storage.tsdb.path=/data"));
  EXPECT_TRUE(Contains(args, "--web.listen-address=0.0.0.0:9090"));
  EXPECT_TRUE(Contains(args, "--web.enable-lifecycle"));  // /-/reload
  ASSERT_EQ(c["ports"].size(), 1u);
  EXPECT_EQ(c["ports"][0]["containerPort"].as<int>(0), 9090);
}

TEST_F(ManifestsTest, ProbesUseHealthyAndReadyAndAllowLongWalReplays) {
  const YAML::Node c = Container("kubescrape");
  const std::string port_name = c["ports"][0]["name"].as<std::string>("");
  auto check_port = [&](const YAML::Node& probe) {
    const std::string p = probe["httpGet"]["port"].as<std::string>("");
    EXPECT_TRUE(p == "9090" || (!port_name.empty() && p == port_name)) << p;
  };
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["path"].as<std::string>(""), "/-/healthy");
  check_port(c["livenessProbe"]);
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["path"].as<std::string>(""), "/-/ready");
  check_port(c["readinessProbe"]);
  const YAML::Node startup = c["startupProbe"];
  ASSERT_TRUE(startup.IsMap());
  const std::string startup_path = startup["httpGet"]["path"].as<std::string>("");
  EXPECT_TRUE(startup_path == "/-/ready" || startup_path == "/-/healthy") << startup_path;
  check_port(startup);
  // Kubernetes defaults: periodSeconds 10, failureThreshold 3.
  const int budget = startup["failureThreshold"].as<int>(3) * startup["periodSeconds"].as<int>(10);
  EXPECT_GE(budget, 600) << "a WAL replay gets at least 10 minutes";
}

TEST_F(ManifestsTest, EveryContainerIsLockedDownAndBounded) {
  const YAML::Node pod = PodSpec();
  const YAML::Node pod_sc = pod["securityContext"];
  ASSERT_GE(pod["containers"].size(), 1u);
  for (const auto& c : pod["containers"]) {
    SCOPED_TRACE(c["name"].as<std::string>(""));
    const YAML::Node sc = c["securityContext"];
    auto field = [&](const char* name) { return sc[name].IsDefined() ? sc[name] : pod_sc[name]; };
    EXPECT_TRUE(field("runAsNonRoot").as<bool>(false));
    if (field("runAsUser").IsDefined()) {
      EXPECT_NE(field("runAsUser").as<int>(), 0);
    }
    EXPECT_TRUE(sc["readOnlyRootFilesystem"].as<bool>(false));
    EXPECT_FALSE(sc["allowPrivilegeEscalation"].as<bool>(true));
    EXPECT_FALSE(sc["privileged"].as<bool>(false));
    EXPECT_EQ(Strings(sc["capabilities"]["drop"]), std::vector<std::string>{"ALL"});
    EXPECT_FALSE(sc["capabilities"]["add"].IsDefined());
    EXPECT_EQ(field("seccompProfile")["type"].as<std::string>(""), "RuntimeDefault");
    for (const char* kind : {"requests", "limits"}) {
      EXPECT_TRUE(c["resources"][kind]["memory"].IsDefined()) << kind;
      EXPECT_TRUE(c["resources"][kind]["cpu"].IsDefined()) << kind;
    }
  }
  EXPECT_FALSE(pod["hostNetwork"].as<bool>(false));
  EXPECT_FALSE(pod["hostPID"].as<bool>(false));
}

TEST_F(ManifestsTest, DataIsAPersistentVolumeClaimOnSlashData) {
  const YAML::Node templates = One("StatefulSet")["spec"]["volumeClaimTemplates"];
  ASSERT_EQ(templates.size(), 1u);
  const YAML::Node pvc = templates[0];
  EXPECT_EQ(pvc["spec"]["resources"]["requests"]["storage"].as<std::string>(""), "10Gi");
  EXPECT_EQ(Strings(pvc["spec"]["accessModes"]), std::vector<std::string>{"ReadWriteOnce"});
  bool mounted = false;
  for (const auto& vm : Container("kubescrape")["volumeMounts"]) {
    mounted |= vm["name"].as<std::string>("") == pvc["metadata"]["name"].as<std::string>("") &&
               vm["mountPath"].as<std::string>("") == "/data" && !vm["readOnly"].as<bool>(false);
  }
  EXPECT_TRUE(mounted) << "the claim is not mounted writable at /data";
}

TEST_F(ManifestsTest, ServiceExposes9090ToThePod) {
  const YAML::Node svc = One("Service");
  EXPECT_EQ(svc["metadata"]["name"].as<std::string>(""), "kubescrape");  // kubescrape.monitoring.svc
  ASSERT_EQ(svc["spec"]["ports"].size(), 1u);
  const YAML::Node port = svc["spec"]["ports"][0];
  EXPECT_EQ(port["port"].as<int>(0), 9090);
  const YAML::Node c = Container("kubescrape");
  const std::string target = port["targetPort"].as<std::string>("");
  EXPECT_TRUE(target == "9090" || target == c["ports"][0]["name"].as<std::string>("")) << target;
  // The selector picks the StatefulSet's pods.
  const YAML::Node labels = One("StatefulSet")["spec"]["template"]["metadata"]["labels"];
  ASSERT_TRUE(svc["spec"]["selector"].IsMap());
  for (const auto& kv : svc["spec"]["selector"]) {
    EXPECT_EQ(labels[kv.first.as<std::string>()].as<std::string>(""), kv.second.as<std::string>());
  }
  EXPECT_EQ(One("StatefulSet")["spec"]["serviceName"].as<std::string>(""), "kubescrape");
}

TEST_F(ManifestsTest, AConfigMapChangeTriggersReload) {
  // A sidecar that sees the mounted ConfigMap and POSTs the daemon's
  // /-/reload over the pod's loopback.
  const YAML::Node pod = PodSpec();
  std::string config_volume;
  for (const auto& v : pod["volumes"]) {
    if (v["configMap"].IsDefined()) config_volume = v["name"].as<std::string>();
  }
  bool found = false;
  for (const auto& c : pod["containers"]) {
    if (c["name"].as<std::string>("") == "kubescrape") continue;
    std::string script;
    for (const auto& part : Strings(c["command"])) script += part + "\n";
    for (const auto& part : Strings(c["args"])) script += part + "\n";
    bool sees_config = false;
    for (const auto& vm : c["volumeMounts"]) sees_config |= vm["name"].as<std::string>("") == config_volume;
    if (!sees_config || script.find("http://127.0.0.1:9090/-/reload") == std::string::npos) continue;
    found = true;
    EXPECT_NE(script.find("--post-data"), std::string::npos) << "/-/reload takes POST";
    EXPECT_NE(script.find("/etc/kubescrape/prometheus.yml"), std::string::npos);
    // Kubernetes expands $(NAME) in command and args; the script must not
    // depend on it.
    EXPECT_EQ(script.find("$("), std::string::npos);
  }
  EXPECT_TRUE(found) << "no container reloads the daemon on a ConfigMap change";
  EXPECT_TRUE(Contains(Strings(Container("kubescrape")["args"]), "--web.enable-lifecycle"));
}

// ---------------------------------------------------------------- Dockerfile

struct Instruction {
  std::string op;    // upper case: FROM, RUN, ...
  std::string args;  // continuation lines joined
};

// Instructions per stage, comments dropped and `\` continuations joined.
std::vector<std::vector<Instruction>> ParseDockerfile(const std::string& text) {
  std::vector<std::vector<Instruction>> stages;
  std::istringstream in(text);
  std::string line, logical;
  auto flush = [&] {
    size_t b = logical.find_first_not_of(" \t");
    if (b == std::string::npos) return logical.clear();
    size_t sp = logical.find_first_of(" \t", b);
    Instruction ins{logical.substr(b, sp - b), sp == std::string::npos ? "" : logical.substr(sp + 1)};
    std::transform(ins.op.begin(), ins.op.end(), ins.op.begin(), ::toupper);
    if (ins.op == "FROM") stages.emplace_back();
    if (!stages.empty()) stages.back().push_back(ins);
    logical.clear();
  };
  while (std::getline(in, line)) {
    size_t b = line.find_first_not_of(" \t");
    if (b != std::string::npos && line[b] == '#') continue;
    if (!line.empty() && line.back() == '\\') {
      logical += line.substr(0, line.size() - 1) + " ";
      continue;
    }
    logical += line;
    flush();
  }
  flush();
  return stages;
}

std::vector<std::string> Words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// The packages of every `apt-get install` in a stage's RUN lines.
std::vector<std::string> AptInstalled(const std::vector<Instruction>& stage) {
  std::vector<std::string> packages;
  for (const auto& ins : stage) {
    if (ins.op != "RUN") continue;
    std::vector<std::string> w = Words(ins.args);
    for (size_t i = 0; i + 1 < w.size(); ++i) {
      if (w[i] != "apt-get" || w[i + 1] != "install") continue;
      for (size_t j = i + 2; j < w.size() && w[j] != "&&" && w[j] != ";"; ++j) {
        if (w[j][0] != '-') packages.push_back(w[j]);
      }
    }
  }
  return packages;
}

std::vector<std::string> JsonArray(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  std::vector<std::string> out;
  EXPECT_TRUE(!d.HasParseError() && d.IsArray()) << "not exec form: " << text;
  if (d.HasParseError() || !d.IsArray()) return out;
  for (const auto& v : d.GetArray()) out.push_back(v.IsString() ? v.GetString() : "<not a string>");
  return out;
}

// scripts/setup.sh's PACKAGES=( ... ) list.
std::set<std::string> SetupPackages() {
  const std::string text = ReadText(kRoot / "scripts/setup.sh");
  const size_t b = text.find("PACKAGES=(");
  const size_t e = text.find("\n)", b);
  EXPECT_NE(b, std::string::npos);
  EXPECT_NE(e, std::string::npos);
  std::set<std::string> packages;
  if (b == std::string::npos || e == std::string::npos) return packages;
  std::istringstream in(text.substr(b + 10, e - b - 10));
  for (std::string line; std::getline(in, line);) {
    for (const auto& w : Words(line.substr(0, line.find('#')))) packages.insert(w);
  }
  return packages;
}

class DockerfileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stages_ = ParseDockerfile(ReadText(kRoot / "docker/Dockerfile"));
    ASSERT_EQ(stages_.size(), 2u) << "a build stage and a runtime stage";
  }
  std::vector<std::string> All(size_t stage, const std::string& op) const {
    std::vector<std::string> out;
    for (const auto& ins : stages_[stage]) {
      if (ins.op == op) out.push_back(ins.args);
    }
    return out;
  }
  std::vector<std::vector<Instruction>> stages_;
};

TEST_F(DockerfileTest, BuildStageInstallsOnlySetupShPackagesAndRunsBuildSh) {
  EXPECT_EQ(Words(stages_[0][0].args), (std::vector<std::string>{"debian:bookworm", "AS", "build"}));
  const std::set<std::string> setup = SetupPackages();
  ASSERT_GT(setup.size(), 10u);
  const std::vector<std::string> installed = AptInstalled(stages_[0]);
  ASSERT_FALSE(installed.empty());
  for (const auto& p : installed) EXPECT_TRUE(setup.count(p)) << p << " is not in scripts/setup.sh";
  for (const char* p : {"cmake", "ninja-build", "g++", "libboost1.81-dev", "libyaml-cpp-dev", "libre2-dev",
                        "libfmt-dev", "libssl-dev", "zlib1g-dev", "rapidjson-dev", "pkg-config"}) {
    EXPECT_TRUE(Contains(installed, p)) << p;
  }

  std::string build_run;
  for (const auto& r : All(0, "RUN")) {
    if (r.find("scripts/build.sh") != std::string::npos) build_run = r;
  }
  ASSERT_FALSE(build_run.empty()) << "the build stage builds with scripts/build.sh";
  std::vector<std::string> w = Words(build_run);
  auto dash = std::find(w.begin(), w.end(), "--");
  ASSERT_NE(dash, w.end());
  EXPECT_TRUE(std::find(dash, w.end(), "kubescrape") != w.end());
  EXPECT_TRUE(std::find(dash, w.end(), "scrapectl") != w.end());
  EXPECT_TRUE(Contains(w, "-DCMAKE_BUILD_TYPE=Release"));
  EXPECT_TRUE(Contains(w, "-DKS_BUILD_TESTS=OFF"));
  // Every -DKS_ option is one CMakeLists.txt declares.
  const std::string cmake = ReadText(kRoot / "CMakeLists.txt");
  for (const auto& word : w) {
    if (word.rfind("-DKS_", 0) != 0) continue;
    const std::string name = word.substr(2, word.find('=') - 2);
    EXPECT_NE(cmake.find("option(" + name + " "), std::string::npos) << name;
  }
}

TEST_F(DockerfileTest, RuntimeStageIsSlimNonRootWithDataVolume) {
  EXPECT_EQ(Words(stages_[1][0].args)[0], "debian:bookworm-slim");
  for (const auto& p : AptInstalled(stages_[1])) {
    EXPECT_TRUE(p.size() < 4 || p.substr(p.size() - 4) != "-dev") << "runtime installs " << p;
  }
  const std::vector<std::string> users = All(1, "USER");
  ASSERT_FALSE(users.empty());
  const std::string user = Words(users.back())[0];
  const std::string uid = user.substr(0, user.find(':'));
  EXPECT_NE(uid, "root");
  EXPECT_NE(uid, "0");

  bool data_volume = false;
  for (const auto& v : All(1, "VOLUME")) {
    const std::vector<std::string> vols = v.find('[') != std::string::npos ? JsonArray(v) : Words(v);
    data_volume |= Contains(vols, "/data");
  }
  EXPECT_TRUE(data_volume);
  EXPECT_TRUE(Contains(All(1, "EXPOSE"), "9090"));

  ASSERT_EQ(All(1, "ENTRYPOINT").size(), 1u);
  EXPECT_EQ(JsonArray(All(1, "ENTRYPOINT")[0]), std::vector<std::string>{"/usr/bin/kubescrape"});
  ASSERT_EQ(All(1, "CMD").size(), 1u);
  EXPECT_EQ(JsonArray(All(1, "CMD")[0]),
            (std::vector<std::string>{"--config.file=/etc/kubescrape/prometheus.yml", "--storage.tsdb.path=/data",
                                      "--web.listen-address=0.0.0.0:9090", "--web.enable-lifecycle"}));
  EXPECT_TRUE(Contains(All(1, "COPY"), "configs/prometheus.yml /etc/kubescrape/prometheus.yml"));
  EXPECT_TRUE(Contains(All(1, "COPY"), "--from=build /src/build/cmd/kubescrape/kubescrape /usr/bin/kubescrape"));
}

TEST(DockerIgnoreTest, KeepsBuildDirectoriesOutOfTheContext) {
  const std::vector<std::string> lines = Words(ReadText(kRoot / ".dockerignore"));
  EXPECT_TRUE(Contains(lines, "build*/") || Contains(lines, "build*")) << "build*/ directories";
}

// ---------------------------------------------------------------- Grafana

std::string Substitute(std::string expr) {
  for (const char* var : {"$__rate_interval", "$__interval", "$__range"}) {
    for (size_t p; (p = expr.find(var)) != std::string::npos;) expr.replace(p, std::string(var).size(), "5m");
  }
  return expr;
}

TEST(GrafanaTest, DatasourcePointsAtTheService) {
  const YAML::Node doc = YAML::LoadFile(kRoot / "docker/grafana/provisioning/datasources/kubescrape.yml");
  ASSERT_EQ(doc["datasources"].size(), 1u);
  const YAML::Node ds = doc["datasources"][0];
  EXPECT_EQ(ds["type"].as<std::string>(""), "prometheus");
  EXPECT_EQ(ds["uid"].as<std::string>(""), "kubescrape");
  EXPECT_EQ(ds["url"].as<std::string>(""), "http://kubescrape.monitoring.svc:9090");
  EXPECT_EQ(ds["jsonData"]["httpMethod"].as<std::string>(""), "POST");
  const YAML::Node providers = YAML::LoadFile(kRoot / "docker/grafana/provisioning/dashboards/kubescrape.yml");
  ASSERT_EQ(providers["providers"].size(), 1u);
  EXPECT_EQ(providers["providers"][0]["type"].as<std::string>(""), "file");
  EXPECT_FALSE(providers["providers"][0]["options"]["path"].as<std::string>("").empty());
}

// Every panel of every dashboard: a datasource (the provisioned one) and
// targets whose expressions parse with our PromQL parser. Returns the
// expressions by dashboard file name.
std::map<std::string, std::vector<std::string>> CheckDashboards() {
  std::map<std::string, std::vector<std::string>> exprs;
  for (const auto& path : FilesUnder(kRoot / "docker/grafana/dashboards", {".json"})) {
    SCOPED_TRACE(path.filename().string());
    rapidjson::Document d;
    d.Parse(ReadText(path).c_str());
    EXPECT_FALSE(d.HasParseError()) << "offset " << d.GetErrorOffset();
    if (d.HasParseError() || !d.IsObject()) continue;
    EXPECT_TRUE(d.HasMember("uid") && d["uid"].IsString());
    EXPECT_TRUE(d.HasMember("panels") && d["panels"].IsArray() && !d["panels"].Empty());
    if (!d.HasMember("panels") || !d["panels"].IsArray()) continue;
    auto& list = exprs[path.filename().string()];
    list.push_back(d.HasMember("description") ? d["description"].GetString() : "");  // [0]: description
    for (const auto& panel : d["panels"].GetArray()) {
      const std::string title = panel.HasMember("title") ? panel["title"].GetString() : "?";
      SCOPED_TRACE(title);
      EXPECT_TRUE(panel.HasMember("datasource") && panel["datasource"].IsObject() &&
                  panel["datasource"].HasMember("uid") && panel["datasource"]["uid"] == "kubescrape");
      EXPECT_TRUE(panel.HasMember("targets") && panel["targets"].IsArray() && !panel["targets"].Empty());
      if (!panel.HasMember("targets") || !panel["targets"].IsArray()) continue;
      for (const auto& t : panel["targets"].GetArray()) {
        EXPECT_TRUE(t.HasMember("expr") && t["expr"].IsString());
        if (!t.HasMember("expr") || !t["expr"].IsString()) continue;
        const std::string expr = Substitute(t["expr"].GetString());
        EXPECT_FALSE(expr.empty());
        EXPECT_EQ(expr.find('$'), std::string::npos) << "unknown variable in " << expr;
        auto parsed = promql::ParseExpr(expr);
        EXPECT_TRUE(parsed.ok()) << expr << ": " << parsed.status().message();
        list.push_back(expr);
      }
    }
  }
  return exprs;
}

bool AnyContains(const std::vector<std::string>& exprs, const std::vector<std::string>& parts) {
  for (size_t i = 1; i < exprs.size(); ++i) {
    bool all = true;
    for (const auto& p : parts) all &= exprs[i].find(p) != std::string::npos;
    if (all) return true;
  }
  return false;
}

TEST(GrafanaTest, DashboardsParseAndCoverTheirMetrics) {
  auto exprs = CheckDashboards();
  ASSERT_EQ(exprs.size(), 2u);
  const auto& flask = exprs["flask-app.json"];
  EXPECT_TRUE(AnyContains(flask, {"rate(flask_http_requests_total", "by (pod)"}));
  EXPECT_TRUE(AnyContains(flask, {"flask_http_requests_total", "status=~\"5..\"", " / "}));
  for (const char* q : {"histogram_quantile(0.5,", "histogram_quantile(0.9,", "histogram_quantile(0.99,"}) {
    EXPECT_TRUE(AnyContains(flask, {q, "flask_http_request_duration_seconds_bucket", "le"})) << q;
  }
  EXPECT_TRUE(AnyContains(flask, {"flask_http_requests_in_progress"}));
  // The metric names are the app's (prometheus_client adds _total/_bucket).
  const std::string app = ReadText(kRoot / "examples/flask-app/app.py");
  for (const char* name : {"\"flask_http_requests\"", "\"flask_http_request_duration_seconds\"",
                           "\"flask_http_requests_in_progress\""}) {
    EXPECT_NE(app.find(name), std::string::npos) << name;
  }

  const auto& ks = exprs["kubescrape.json"];
  EXPECT_TRUE(AnyContains(ks, {"up"}));
  EXPECT_TRUE(AnyContains(ks, {"up == 0"}));
  EXPECT_TRUE(AnyContains(ks, {"scrape_duration_seconds"}));
  EXPECT_TRUE(AnyContains(ks, {"scrape_samples_scraped"}));
  ASSERT_FALSE(ks.empty());
  EXPECT_NE(ks[0].find("query latency per API handler"), std::string::npos) << ks[0];
  EXPECT_TRUE(AnyContains(ks, {"prometheus_tsdb_head_series"}));
  // Query latency from the API's histogram and the engine's summary.
  for (const char* q : {"histogram_quantile(0.5,", "histogram_quantile(0.9,", "histogram_quantile(0.99,"}) {
    EXPECT_TRUE(AnyContains(ks, {q, "prometheus_http_request_duration_seconds_bucket", "by (le, handler)",
                                 "handler=~\"/api/v1/query.*\""}))
        << q;
  }
  EXPECT_TRUE(AnyContains(ks, {"prometheus_engine_query_duration_seconds{slice=\"inner_eval\"}"}));
}

}  // namespace
}  // namespace kubescrape
