#pragma once
// Internal to the Kubernetes decoders (kubernetes_pod.cc, kubernetes_watch.cc):
// RawObject, the fields of one object as read from JSON, and the SAX parser
// that fills it. Not part of the module's interface.
//
// One RawObject is reused for every item of a list: Clear() keeps capacity,
// so decoding a list allocates only for the compact objects it returns.
//
// Thread-safety: none; one owner at a time.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "discovery/kubernetes_pod.h"
#include "util/status.h"

namespace kubescrape::discovery::raw {

// A string stored in RawObject::bytes.
struct StrRef {
  uint32_t offset = 0;
  uint32_t size = 0;
};

struct RawObject {
  struct Pair {
    StrRef key, value;
  };
  struct Container {
    StrRef name, image;
    uint32_t first_port = 0;  // index in ports
    uint32_t num_ports = 0;
    bool init = false;
  };
  struct Port {
    StrRef name, number, protocol;  // number: decimal text
  };
  struct ContainerStatus {
    StrRef name, id;
    bool init = false;
  };

  std::string bytes;  // every string of the object

  // Top level (kind, and the fields of a Status object in a watch ERROR).
  StrRef kind, reason, message;
  int64_t code = 0;
  // metadata
  StrRef name, namespace_name, uid, resource_version;
  bool deleting = false;
  bool has_controller = false;
  StrRef controller_kind, controller_name;
  std::vector<Pair> labels, annotations;  // in JSON order
  // spec
  StrRef node_name;
  std::vector<Container> containers;  // containers and initContainers, in JSON order
  std::vector<Port> ports;
  // status
  StrRef phase, pod_ip, host_ip;
  PodReady ready = PodReady::kUnknown;
  std::vector<ContainerStatus> statuses;

  std::string_view Get(StrRef r) const { return {bytes.data() + r.offset, r.size}; }
  StrRef Store(std::string_view s) {
    StrRef r{static_cast<uint32_t>(bytes.size()), static_cast<uint32_t>(s.size())};
    bytes.append(s);
    return r;
  }
  void Clear();
};

// List metadata.
struct ListMeta {
  std::string resource_version;
  std::string continue_token;
};

// Parses one object into `*out` (cleared first).
util::Status ParseObject(std::string_view json, RawObject* out);

// Parses a list, calling `on_item` for each item (the RawObject is reused:
// copy what you keep). An error from `on_item` stops the parse and is
// returned prefixed with "items[<i>]".
util::Status ParseList(std::string_view body,
                       const std::function<util::Status(const RawObject&)>& on_item,
                       ListMeta* meta);

// Parses a watch event `{"type": ..., "object": {...}}`: the type into
// `*type`, the object into `*out`.
util::Status ParseEvent(std::string_view json, std::string* type, RawObject* out);

// Builders of the compact objects; they check the required names.
util::StatusOr<Pod> MakePod(const RawObject& raw);
util::StatusOr<Node> MakeNode(const RawObject& raw);
util::StatusOr<Namespace> MakeNamespace(const RawObject& raw);
util::StatusOr<ControllerObject> MakeController(ObjectKind kind, const RawObject& raw);

}  // namespace kubescrape::discovery::raw
