#pragma once
// Test helpers for Kubernetes pod discovery: JSON of pods, nodes and
// namespaces as the API server serves them (with managedFields and the
// fields Prometheus ignores), and decoding shortcuts that fail the test.

#include <gtest/gtest.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <utility>
#include <vector>

#include "discovery/kubernetes_pod.h"
#include "model/labels.h"

namespace kubescrape::discovery::testing {

using Pairs = std::vector<std::pair<std::string, std::string>>;

struct TestPort {
  std::string name;
  int number = 0;
  std::string protocol = "TCP";
};

struct TestContainer {
  std::string name;
  std::string image;
  std::vector<TestPort> ports;
  std::string id;  // containerID in the status; "" for none
  bool init = false;
};

struct TestPod {
  std::string ns = "default";
  std::string name = "testpod";
  std::string uid = "abc123";
  std::string node = "testnode";
  std::string ip = "1.2.3.4";
  std::string host_ip = "2.3.4.5";
  std::string phase = "Running";
  std::string ready = "True";  // "" for no Ready condition
  Pairs labels;
  Pairs annotations;
  std::string controller_kind;
  std::string controller_name;
  std::vector<TestContainer> containers = {{"testcontainer",
                                            "testcontainer:latest",
                                            {{"testport", 9000, "TCP"}},
                                            "docker://a1b2c3d4e5f6"}};
  bool deleting = false;

  std::string Json() const {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    auto str = [&w](std::string_view s) {
      w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    };
    auto pairs = [&](std::string_view key, const Pairs& ps) {
      if (ps.empty()) return;
      w.Key(key.data());
      w.StartObject();
      for (const auto& [k, v] : ps) {
        str(k);
        str(v);
      }
      w.EndObject();
    };
    w.StartObject();
    w.Key("kind");
    str("Pod");
    w.Key("apiVersion");
    str("v1");
    w.Key("metadata");
    w.StartObject();
    w.Key("name");
    str(name);
    w.Key("namespace");
    str(ns);
    w.Key("uid");
    str(uid);
    w.Key("resourceVersion");
    str("42");
    w.Key("creationTimestamp");
    str("2024-05-01T10:00:00Z");
    if (deleting) {
      w.Key("deletionTimestamp");
      str("2024-05-01T11:00:00Z");
    }
    pairs("labels", labels);
    pairs("annotations", annotations);
    w.Key("ownerReferences");
    w.StartArray();
    w.StartObject();  // not the controller: ignored
    w.Key("apiVersion");
    str("v1");
    w.Key("kind");
    str("Other");
    w.Key("name");
    str("not-the-controller");
    w.EndObject();
    if (!controller_kind.empty()) {
      w.StartObject();
      w.Key("apiVersion");
      str("apps/v1");
      w.Key("kind");
      str(controller_kind);
      w.Key("name");
      str(controller_name);
      w.Key("uid");
      str("owner-uid");
      w.Key("controller");
      w.Bool(true);
      w.Key("blockOwnerDeletion");
      w.Bool(true);
      w.EndObject();
    }
    w.EndArray();
    w.Key("managedFields");
    w.StartArray();
    w.StartObject();
    w.Key("manager");
    str("kubelet");
    w.Key("operation");
    str("Update");
    w.Key("fieldsType");
    str("FieldsV1");
    w.Key("fieldsV1");
    w.StartObject();
    w.Key("f:status");
    w.StartObject();
    w.Key("f:conditions");
    w.StartObject();
    w.Key("k:{\"type\":\"Ready\"}");
    w.StartObject();
    w.Key("f:status");
    w.StartObject();
    w.EndObject();
    w.EndObject();
    w.EndObject();
    w.Key("f:podIP");
    w.StartObject();
    w.EndObject();
    w.EndObject();
    w.EndObject();
    w.EndObject();
    w.EndArray();
    w.EndObject();

    auto containers_of = [&](bool init) {
      w.StartArray();
      for (const TestContainer& c : containers) {
        if (c.init != init) continue;
        w.StartObject();
        w.Key("name");
        str(c.name);
        w.Key("image");
        str(c.image);
        if (!c.ports.empty()) {
          w.Key("ports");
          w.StartArray();
          for (const TestPort& p : c.ports) {
            w.StartObject();
            if (!p.name.empty()) {
              w.Key("name");
              str(p.name);
            }
            w.Key("containerPort");
            w.Int(p.number);
            w.Key("protocol");
            str(p.protocol);
            w.EndObject();
          }
          w.EndArray();
        }
        w.Key("resources");
        w.StartObject();
        w.EndObject();
        w.Key("imagePullPolicy");
        str("Always");
        w.EndObject();
      }
      w.EndArray();
    };
    w.Key("spec");
    w.StartObject();
    w.Key("initContainers");
    containers_of(true);
    w.Key("containers");
    containers_of(false);
    w.Key("nodeName");
    str(node);
    w.Key("restartPolicy");
    str("Always");
    w.EndObject();

    auto statuses_of = [&](bool init) {
      w.StartArray();
      for (const TestContainer& c : containers) {
        if (c.init != init || c.id.empty()) continue;
        w.StartObject();
        w.Key("name");
        str(c.name);
        w.Key("ready");
        w.Bool(true);
        w.Key("image");
        str("docker.io/library/" + c.image);
        w.Key("containerID");
        str(c.id);
        w.Key("state");
        w.StartObject();
        w.Key("running");
        w.StartObject();
        w.EndObject();
        w.EndObject();
        w.EndObject();
      }
      w.EndArray();
    };
    w.Key("status");
    w.StartObject();
    w.Key("phase");
    str(phase);
    w.Key("conditions");
    w.StartArray();
    w.StartObject();
    w.Key("type");
    str("PodScheduled");
    w.Key("status");
    str("True");
    w.Key("lastProbeTime");
    w.Null();
    w.EndObject();
    if (!ready.empty()) {
      w.StartObject();
      w.Key("status");
      str(ready);  // status before type
      w.Key("type");
      str("Ready");
      w.EndObject();
    }
    w.EndArray();
    if (!host_ip.empty()) {
      w.Key("hostIP");
      str(host_ip);
    }
    if (!ip.empty()) {
      w.Key("podIP");
      str(ip);
      w.Key("podIPs");
      w.StartArray();
      w.StartObject();
      w.Key("ip");
      str(ip);
      w.EndObject();
      w.EndArray();
    }
    w.Key("initContainerStatuses");
    statuses_of(true);
    w.Key("containerStatuses");
    statuses_of(false);
    w.EndObject();
    w.EndObject();
    return buf.GetString();
  }

  Pod Decode() const {
    auto p = DecodePod(Json());
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return std::move(p).value();
  }
};

// The JSON of a Node or a Namespace.
inline std::string MetaJson(std::string_view kind, std::string_view name, const Pairs& labels,
                            const Pairs& annotations = {}) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("kind");
  w.String(kind.data(), static_cast<rapidjson::SizeType>(kind.size()));
  w.Key("metadata");
  w.StartObject();
  w.Key("name");
  w.String(name.data(), static_cast<rapidjson::SizeType>(name.size()));
  for (auto [key, ps] : {std::pair{"labels", &labels}, std::pair{"annotations", &annotations}}) {
    if (ps->empty()) continue;
    w.Key(key);
    w.StartObject();
    for (const auto& [k, v] : *ps) {
      w.Key(k.c_str());
      w.String(v.c_str());
    }
    w.EndObject();
  }
  w.EndObject();
  w.Key("status");
  w.StartObject();
  w.Key("addresses");
  w.StartArray();
  w.StartObject();
  w.Key("type");
  w.String("InternalIP");
  w.Key("address");
  w.String("10.0.0.1");
  w.EndObject();
  w.EndArray();
  w.EndObject();
  w.EndObject();
  return buf.GetString();
}

inline Node TestNode(std::string_view name, const Pairs& labels, const Pairs& annotations = {}) {
  auto n = DecodeNode(MetaJson("Node", name, labels, annotations));
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  return std::move(n).value();
}

inline Namespace TestNamespace(std::string_view name, const Pairs& labels,
                               const Pairs& annotations = {}) {
  auto n = DecodeNamespace(MetaJson("Namespace", name, labels, annotations));
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  return std::move(n).value();
}

inline model::Labels L(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
  return model::Labels::FromPairs(pairs);
}

}  // namespace kubescrape::discovery::testing
