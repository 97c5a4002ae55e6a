// Replays the Kubernetes pod-discovery conformance vectors
// (../shared/conformance/kubernetes-pods/*.json, derived from Prometheus's
// pod_test.go) through the pure code: decoders, WatchDecoder, PodStore and
// BuildPodGroup. The test plays the API server: it answers one list per
// requested namespace, applies the label and field selectors (equality-based
// ones; a case using set-based selectors is skipped with its reason), feeds
// `pods` and `other_objects` as the initial lists and `steps` as a watch
// stream, then compares the last group of each source with
// `expected_groups`, labels and targets exactly.

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "discovery/kubernetes_pod.h"
#include "discovery/kubernetes_pod_store.h"
#include "discovery/kubernetes_watch.h"

namespace kubescrape::discovery {
namespace {

namespace fs = std::filesystem;
using model::Labels;
using model::TargetGroup;

const std::string kDir = std::string(KS_SOURCE_DIR) + "/../shared/conformance/kubernetes-pods";

std::vector<std::string> CaseFiles() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(kDir, ec)) {
    if (e.path().extension() == ".json") out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  if (out.empty()) out.push_back("absent");
  return out;
}

std::string Str(const rapidjson::Value& v) {
  return std::string(v.GetString(), v.GetStringLength());
}

std::string ToJson(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

// One requirement of an equality-based selector.
struct Requirement {
  std::string key;
  enum Op { kEq, kNe, kExists, kNotExists } op = kEq;
  std::string value;
};

// Parses "a=b,c!=d,e,!f"; false (with *why) for set-based syntax.
bool ParseSelector(const std::string& s, std::vector<Requirement>* out, std::string* why) {
  std::stringstream ss(s);
  std::string term;
  while (std::getline(ss, term, ',')) {
    term.erase(0, term.find_first_not_of(' '));
    term.erase(term.find_last_not_of(' ') + 1);
    if (term.empty()) continue;
    if (term.find('(') != std::string::npos || term.find(" in ") != std::string::npos ||
        term.find(" notin ") != std::string::npos) {
      *why = "set-based selector \"" + s + "\" not supported by the test's fake API server";
      return false;
    }
    Requirement r;
    if (size_t p = term.find("!="); p != std::string::npos) {
      r = {term.substr(0, p), Requirement::kNe, term.substr(p + 2)};
    } else if (size_t p2 = term.find("=="); p2 != std::string::npos) {
      r = {term.substr(0, p2), Requirement::kEq, term.substr(p2 + 2)};
    } else if (size_t p3 = term.find('='); p3 != std::string::npos) {
      r = {term.substr(0, p3), Requirement::kEq, term.substr(p3 + 1)};
    } else if (term[0] == '!') {
      r = {term.substr(1), Requirement::kNotExists, ""};
    } else {
      r = {term, Requirement::kExists, ""};
    }
    out->push_back(r);
  }
  return true;
}

// `get(key, &value)` reports whether the key exists.
template <typename Get>
bool Matches(const std::vector<Requirement>& reqs, Get get) {
  for (const Requirement& r : reqs) {
    std::string v;
    const bool has = get(r.key, &v);
    switch (r.op) {
      case Requirement::kEq:
        if (!has || v != r.value) return false;
        break;
      case Requirement::kNe:
        if (has && v == r.value) return false;
        break;
      case Requirement::kExists:
        if (!has) return false;
        break;
      case Requirement::kNotExists:
        if (has) return false;
        break;
    }
  }
  return true;
}

template <typename Object>
bool LabelGetter(const Object& o, const std::string& key, std::string* v) {
  for (size_t i = 0; i < o.num_labels(); ++i) {
    if (o.label(i).key == key) {
      *v = o.label(i).value;
      return true;
    }
  }
  return false;
}

bool PodFieldGetter(const Pod& p, const std::string& key, std::string* v) {
  if (key == "metadata.name")
    *v = p.name();
  else if (key == "metadata.namespace")
    *v = p.namespace_name();
  else if (key == "spec.nodeName")
    *v = p.node_name();
  else if (key == "status.phase")
    *v = p.phase();
  else if (key == "status.podIP")
    *v = p.pod_ip();
  else
    return false;
  return true;
}

bool NodeFieldGetter(const Node& n, const std::string& key, std::string* v) {
  if (key != "metadata.name") return false;
  *v = n.name();
  return true;
}

Labels LabelsOf(const rapidjson::Value& obj) {
  std::vector<model::Label> l;
  for (const auto& m : obj.GetObject()) {
    l.push_back({std::string_view(m.name.GetString(), m.name.GetStringLength()),
                 std::string_view(m.value.GetString(), m.value.GetStringLength())});
  }
  return Labels::FromUnsorted(std::move(l));
}

class KubernetesConformanceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(KubernetesConformanceTest, Replay) {
  if (GetParam() == "absent") GTEST_SKIP() << kDir << " not found";
  std::ifstream f(kDir + "/" + GetParam());
  std::stringstream text;
  text << f.rdbuf();
  rapidjson::Document doc;
  doc.Parse(text.str().c_str());
  ASSERT_FALSE(doc.HasParseError()) << GetParam();
  SCOPED_TRACE(Str(doc["name"]));

  // The configuration, as Prometheus turns it into requests.
  const rapidjson::Value& config = doc["config"];
  ASSERT_EQ(Str(config["role"]), "pod");
  std::vector<std::string> scopes;
  if (config.HasMember("namespaces")) {
    const rapidjson::Value& ns = config["namespaces"];
    if (ns.HasMember("names")) {
      for (const auto& n : ns["names"].GetArray()) scopes.push_back(Str(n));
    }
    if (ns.HasMember("own_namespace") && ns["own_namespace"].GetBool()) {
      ASSERT_TRUE(doc.HasMember("own_namespace"));
      scopes.push_back(Str(doc["own_namespace"]));
    }
  }
  if (scopes.empty()) scopes.push_back("");
  std::vector<Requirement> pod_labels, pod_fields, node_labels, node_fields;
  if (config.HasMember("selectors")) {
    for (const auto& sel : config["selectors"].GetArray()) {
      const bool pod = Str(sel["role"]) == "pod";
      std::string why;
      if (sel.HasMember("label") &&
          !ParseSelector(Str(sel["label"]), pod ? &pod_labels : &node_labels, &why)) {
        GTEST_SKIP() << why;
      }
      if (sel.HasMember("field") &&
          !ParseSelector(Str(sel["field"]), pod ? &pod_fields : &node_fields, &why)) {
        GTEST_SKIP() << why;
      }
    }
  }
  PodGroupOptions options;
  if (config.HasMember("attach_metadata")) {
    const rapidjson::Value& am = config["attach_metadata"];
    auto flag = [&am](const char* k) { return am.HasMember(k) && am[k].GetBool(); };
    options.attach_node = flag("node");
    options.attach_namespace = flag("namespace");
    options.attach_deployment = flag("deployment");
    options.attach_job = flag("job");
    options.attach_cronjob = flag("cronjob");
  }
  auto pod_visible = [&](const Pod& p) {
    const bool in_scope = std::any_of(scopes.begin(), scopes.end(), [&](const std::string& s) {
      return s.empty() || s == p.namespace_name();
    });
    return in_scope &&
           Matches(pod_labels,
                   [&](const std::string& k, std::string* v) { return LabelGetter(p, k, v); }) &&
           Matches(pod_fields,
                   [&](const std::string& k, std::string* v) { return PodFieldGetter(p, k, v); });
  };
  auto node_visible = [&](const Node& n) {
    return Matches(node_labels,
                   [&](const std::string& k, std::string* v) { return LabelGetter(n, k, v); }) &&
           Matches(node_fields,
                   [&](const std::string& k, std::string* v) { return NodeFieldGetter(n, k, v); });
  };

  PodStore store(options);
  std::map<std::string, TargetGroup> last;
  auto record = [&last](std::vector<TargetGroup> groups) {
    for (TargetGroup& g : groups) last[g.source] = std::move(g);
  };

  // Initial lists: metadata first (Prometheus waits for every informer to
  // sync), then one pod list per namespace.
  if (doc.HasMember("other_objects")) {
    const rapidjson::Value& other = doc["other_objects"];
    if (other.HasMember("nodes") && options.attach_node) {
      auto nodes = DecodeNodeList(ToJson(other["nodes"]));
      ASSERT_TRUE(nodes.ok()) << nodes.status().ToString();
      std::vector<Node> visible;
      for (Node& n : nodes->items) {
        if (node_visible(n)) visible.push_back(std::move(n));
      }
      record(store.ReplaceNodes(std::move(visible)));
    }
    if (other.HasMember("namespaces") && options.attach_namespace) {
      auto namespaces = DecodeNamespaceList(ToJson(other["namespaces"]));
      ASSERT_TRUE(namespaces.ok()) << namespaces.status().ToString();
      record(store.ReplaceNamespaces(std::move(namespaces->items)));
    }
    for (auto [key, kind] :
         {std::pair{"replicasets", ObjectKind::kReplicaSet}, std::pair{"jobs", ObjectKind::kJob}}) {
      if (!other.HasMember(key)) continue;
      auto list = DecodeControllerList(kind, ToJson(other[key]));
      ASSERT_TRUE(list.ok()) << list.status().ToString();
      record(store.ReplaceControllers(kind, "", std::move(list->items)));
    }
  }
  for (const std::string& scope : scopes) {
    auto pods = DecodePodList(ToJson(doc["pods"]));
    ASSERT_TRUE(pods.ok()) << pods.status().ToString();
    std::vector<Pod> served;
    for (Pod& p : pods->items) {
      if ((scope.empty() || p.namespace_name() == scope) && pod_visible(p))
        served.push_back(std::move(p));
    }
    record(store.ReplacePods(scope, std::move(served)));
  }

  // Watch events, one stream per kind; Deployments and CronJobs are never watched.
  std::map<std::string, ObjectKind> kinds = {{"Pod", ObjectKind::kPod},
                                             {"Node", ObjectKind::kNode},
                                             {"Namespace", ObjectKind::kNamespace},
                                             {"ReplicaSet", ObjectKind::kReplicaSet},
                                             {"Job", ObjectKind::kJob}};
  std::map<ObjectKind, std::unique_ptr<WatchDecoder>> decoders;
  if (doc["steps"].IsArray()) {
    for (const auto& step : doc["steps"].GetArray()) {
      const std::string kind_name = Str(step["object"]["kind"]);
      auto k = kinds.find(kind_name);
      if (k == kinds.end()) continue;
      auto& d = decoders[k->second];
      if (!d) d = std::make_unique<WatchDecoder>(k->second);
      std::string line =
          "{\"type\":" + ToJson(step["event"]) + ",\"object\":" + ToJson(step["object"]) + "}\n";
      for (auto& e : d->Feed(line)) {
        ASSERT_TRUE(e.ok()) << e.status().ToString();
        WatchEvent event = std::move(e).value();
        // What the API server sends a filtered watch.
        bool visible = true;
        if (const Pod* p = std::get_if<Pod>(&event.object)) visible = pod_visible(*p);
        if (const Node* n = std::get_if<Node>(&event.object)) visible = node_visible(*n);
        if (!visible) {
          if (event.type != WatchEventType::kModified) continue;
          event.type = WatchEventType::kDeleted;  // it stopped matching
        }
        record(store.Apply(std::move(event)));
      }
    }
  }

  // Compare with the expected last groups.
  std::map<std::string, const rapidjson::Value*> expected;
  for (const auto& g : doc["expected_groups"].GetArray()) expected[Str(g["source"])] = &g;
  std::vector<std::string> got_sources, want_sources;
  for (const auto& [s, g] : last) got_sources.push_back(s);
  for (const auto& [s, g] : expected) want_sources.push_back(s);
  EXPECT_EQ(got_sources, want_sources);
  for (const auto& [source, want] : expected) {
    auto it = last.find(source);
    if (it == last.end()) continue;
    const TargetGroup& got = it->second;
    EXPECT_EQ(got.labels, LabelsOf((*want)["labels"]))
        << source << "\n got: " << got.labels.ToString()
        << "\nwant: " << LabelsOf((*want)["labels"]).ToString();
    std::vector<Labels> want_targets;
    for (const auto& t : (*want)["targets"].GetArray()) want_targets.push_back(LabelsOf(t));
    ASSERT_EQ(got.targets.size(), want_targets.size()) << source;
    for (size_t i = 0; i < want_targets.size(); ++i) {
      EXPECT_EQ(got.targets[i], want_targets[i])
          << source << " target " << i << "\n got: " << got.targets[i].ToString()
          << "\nwant: " << want_targets[i].ToString();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, KubernetesConformanceTest, ::testing::ValuesIn(CaseFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = fs::path(info.param).stem().string();
                           std::replace_if(
                               n.begin(), n.end(),
                               [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
                               '_');
                           return n;
                         });

}  // namespace
}  // namespace kubescrape::discovery
