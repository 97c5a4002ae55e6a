#pragma once
// PodBuilder: a small builder for the pod JSON tests create, e.g.
//
//   PodBuilder("default", "web-0").Label("app", "web").Node("node-1")
//       .Running("10.0.0.5").Container("app", "nginx:1.27", {{"http", 8080}}).Json()
//
// Unset parts are left to the API server's defaults (phase Pending, ...).
//
// Thread-safety: none; a value.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace kubescrape::fake_apiserver {

class PodBuilder {
 public:
  PodBuilder(std::string ns, std::string name) : ns_(std::move(ns)), name_(std::move(name)) {}

  PodBuilder& Label(std::string key, std::string value);
  PodBuilder& Annotation(std::string key, std::string value);
  PodBuilder& Node(std::string node_name);
  PodBuilder& Phase(std::string phase);
  PodBuilder& PodIp(std::string ip);
  // Phase Running with `ip` and every container ready and running.
  PodBuilder& Running(std::string ip);
  PodBuilder& HostNetwork(bool on = true);
  // A container with named TCP ports {name, port}.
  PodBuilder& Container(std::string name, std::string image, std::vector<std::pair<std::string, int>> ports = {});
  PodBuilder& InitContainer(std::string name, std::string image);
  // metadata.ownerReferences[] with controller: true.
  PodBuilder& Owner(std::string kind, std::string name, std::string api_version = "apps/v1");

  std::string Json() const;

 private:
  struct ContainerSpec {
    std::string name;
    std::string image;
    std::vector<std::pair<std::string, int>> ports;
  };
  std::string ns_;
  std::string name_;
  std::map<std::string, std::string> labels_;
  std::map<std::string, std::string> annotations_;
  std::string node_;
  std::string phase_;
  std::string ip_;
  bool ready_ = false;
  bool host_network_ = false;
  std::vector<ContainerSpec> containers_;
  std::vector<ContainerSpec> init_containers_;
  std::vector<std::vector<std::string>> owners_;  // kind, name, apiVersion
};

}  // namespace kubescrape::fake_apiserver
