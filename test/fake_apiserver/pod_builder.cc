#include "test/fake_apiserver/pod_builder.h"

#include "test/fake_apiserver/object_store.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace kubescrape::fake_apiserver {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Str(Writer& w, const std::string& s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

void StringMapObject(Writer& w, const char* key, const std::map<std::string, std::string>& m) {
  if (m.empty()) return;
  w.Key(key);
  w.StartObject();
  for (const auto& [k, v] : m) {
    Str(w, k);
    Str(w, v);
  }
  w.EndObject();
}

}  // namespace

PodBuilder& PodBuilder::Label(std::string key, std::string value) {
  labels_[std::move(key)] = std::move(value);
  return *this;
}
PodBuilder& PodBuilder::Annotation(std::string key, std::string value) {
  annotations_[std::move(key)] = std::move(value);
  return *this;
}
PodBuilder& PodBuilder::Node(std::string node_name) {
  node_ = std::move(node_name);
  return *this;
}
PodBuilder& PodBuilder::Phase(std::string phase) {
  phase_ = std::move(phase);
  return *this;
}
PodBuilder& PodBuilder::PodIp(std::string ip) {
  ip_ = std::move(ip);
  return *this;
}
PodBuilder& PodBuilder::Running(std::string ip) {
  phase_ = "Running";
  ip_ = std::move(ip);
  ready_ = true;
  return *this;
}
PodBuilder& PodBuilder::HostNetwork(bool on) {
  host_network_ = on;
  return *this;
}
PodBuilder& PodBuilder::Container(std::string name, std::string image, std::vector<std::pair<std::string, int>> ports) {
  containers_.push_back({std::move(name), std::move(image), std::move(ports)});
  return *this;
}
PodBuilder& PodBuilder::InitContainer(std::string name, std::string image) {
  init_containers_.push_back({std::move(name), std::move(image), {}});
  return *this;
}
PodBuilder& PodBuilder::Owner(std::string kind, std::string name, std::string api_version) {
  owners_.push_back({std::move(kind), std::move(name), std::move(api_version)});
  return *this;
}

std::string PodBuilder::Json() const {
  std::vector<ContainerSpec> containers = containers_;
  if (containers.empty()) containers.push_back({"app", "registry.k8s.io/pause:3.10", {}});
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("apiVersion"), w.String("v1");
  w.Key("kind"), w.String("Pod");
  w.Key("metadata");
  w.StartObject();
  w.Key("name"), Str(w, name_);
  w.Key("namespace"), Str(w, ns_);
  StringMapObject(w, "labels", labels_);
  StringMapObject(w, "annotations", annotations_);
  if (!owners_.empty()) {
    w.Key("ownerReferences");
    w.StartArray();
    for (const auto& o : owners_) {
      w.StartObject();
      w.Key("apiVersion"), Str(w, o[2]);
      w.Key("kind"), Str(w, o[0]);
      w.Key("name"), Str(w, o[1]);
      w.Key("uid"), Str(w, NewUid());
      w.Key("controller"), w.Bool(true);
      w.Key("blockOwnerDeletion"), w.Bool(true);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  w.Key("spec");
  w.StartObject();
  auto write_containers = [&](const char* key, const std::vector<ContainerSpec>& list) {
    if (list.empty()) return;
    w.Key(key);
    w.StartArray();
    for (const ContainerSpec& c : list) {
      w.StartObject();
      w.Key("name"), Str(w, c.name);
      w.Key("image"), Str(w, c.image);
      if (!c.ports.empty()) {
        w.Key("ports");
        w.StartArray();
        for (const auto& [pname, port] : c.ports) {
          w.StartObject();
          if (!pname.empty()) w.Key("name"), Str(w, pname);
          w.Key("containerPort"), w.Int(port);
          w.Key("protocol"), w.String("TCP");
          w.EndObject();
        }
        w.EndArray();
      }
      w.EndObject();
    }
    w.EndArray();
  };
  write_containers("initContainers", init_containers_);
  write_containers("containers", containers);
  if (!node_.empty()) w.Key("nodeName"), Str(w, node_);
  if (host_network_) w.Key("hostNetwork"), w.Bool(true);
  w.EndObject();
  if (!phase_.empty() || !ip_.empty()) {
    w.Key("status");
    w.StartObject();
    if (!phase_.empty()) w.Key("phase"), Str(w, phase_);
    if (!ip_.empty()) {
      w.Key("podIP"), Str(w, ip_);
      w.Key("podIPs");
      w.StartArray();
      w.StartObject();
      w.Key("ip"), Str(w, ip_);
      w.EndObject();
      w.EndArray();
    }
    if (ready_) {
      w.Key("conditions");
      w.StartArray();
      w.StartObject();
      w.Key("type"), w.String("Ready");
      w.Key("status"), w.String("True");
      w.EndObject();
      w.EndArray();
      w.Key("containerStatuses");
      w.StartArray();
      for (const ContainerSpec& c : containers) {
        w.StartObject();
        w.Key("name"), Str(w, c.name);
        w.Key("image"), Str(w, c.image);
        w.Key("ready"), w.Bool(true);
        w.Key("restartCount"), w.Int(0);
        w.Key("started"), w.Bool(true);
        w.Key("state");
        w.StartObject();
        w.Key("running");
        w.StartObject();
        w.EndObject();
        w.EndObject();
        w.EndObject();
      }
      w.EndArray();
    }
    w.EndObject();
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace kubescrape::fake_apiserver
