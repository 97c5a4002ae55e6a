// The columns and cells follow pkg/printers/internalversion/printers.go
// (printPod, printNamespace, printNode), simplified where they depend on
// things the fake does not model.
#include "test/fake_apiserver/table.h"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <ctime>

namespace kubescrape::fake_apiserver {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

struct Column {
  std::string_view name;
  std::string_view type;
  std::string_view format;
  std::string_view description;
  int priority;
};

constexpr std::string_view kNameDoc =
    "Name must be unique within a namespace. Is required when creating resources, although some resources may "
    "allow a client to request the generation of an appropriate name automatically. Name is primarily intended "
    "for creation idempotence and configuration definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
constexpr std::string_view kAgeDoc =
    "CreationTimestamp is a timestamp representing the server time when this object was created. It is not "
    "guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It "
    "is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More "
    "info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

const std::vector<Column>& ColumnsFor(const ResourceType& type) {
  static const std::vector<Column> kPod = {
      {"Name", "string", "name", kNameDoc, 0},
      {"Ready", "string", "", "The aggregate readiness state of this pod for accepting traffic.", 0},
      {"Status", "string", "", "The aggregate status of the containers in this pod.", 0},
      {"Restarts", "string", "",
       "The number of times the containers in this pod have been restarted and when the last container in this "
       "pod has restarted.",
       0},
      {"Age", "string", "", kAgeDoc, 0},
      {"IP", "string", "", "podIP address allocated to the pod. Routable at least within the cluster.", 1},
      {"Node", "string", "", "NodeName indicates in which node this pod is scheduled.", 1},
      {"Nominated Node", "string", "",
       "nominatedNodeName is set only when this pod preempts other pods on the node.", 1},
      {"Readiness Gates", "string", "", "If specified, all readiness gates will be evaluated for pod readiness.", 1},
  };
  static const std::vector<Column> kNamespace = {
      {"Name", "string", "name", kNameDoc, 0},
      {"Status", "string", "", "The status of the namespace", 0},
      {"Age", "string", "", kAgeDoc, 0},
  };
  static const std::vector<Column> kNode = {
      {"Name", "string", "name", kNameDoc, 0},
      {"Status", "string", "", "The status of the node", 0},
      {"Roles", "string", "", "The roles of the node", 0},
      {"Age", "string", "", kAgeDoc, 0},
      {"Version", "string", "", "Kubelet Version reported by the node.", 0},
  };
  if (type.kind == "Pod") return kPod;
  if (type.kind == "Node") return kNode;
  return kNamespace;
}

int64_t ParseRfc3339(std::string_view ts) {
  std::tm tm{};
  if (ts.size() < 19 || std::sscanf(std::string(ts).c_str(), "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon,
                                    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
    return 0;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm));
}

std::string Age(const rapidjson::Value& obj, int64_t now) {
  std::string ts = GetString(obj, {"metadata", "creationTimestamp"});
  if (ts.empty()) return "<unknown>";
  return HumanDuration(now - ParseRfc3339(ts));
}

std::string OrNone(std::string s) { return s.empty() ? "<none>" : s; }

// The Status column of printPod, for the states the fake can hold.
std::string PodReason(const rapidjson::Value& pod, int* ready, int* total, int* restarts) {
  std::string reason = GetString(pod, {"status", "phase"});
  if (std::string r = GetString(pod, {"status", "reason"}); !r.empty()) reason = r;
  const rapidjson::Value* containers = FindPath(pod, {"spec", "containers"});
  *total = containers != nullptr && containers->IsArray() ? static_cast<int>(containers->Size()) : 0;
  *ready = 0;
  *restarts = 0;
  const rapidjson::Value* statuses = FindPath(pod, {"status", "containerStatuses"});
  bool has_running = false;
  if (statuses != nullptr && statuses->IsArray()) {
    for (auto it = statuses->Begin(); it != statuses->End(); ++it) {
      const rapidjson::Value& c = *it;
      const rapidjson::Value* rc = FindPath(c, {"restartCount"});
      if (rc != nullptr && rc->IsInt()) *restarts += rc->GetInt();
      std::string waiting = GetString(c, {"state", "waiting", "reason"});
      std::string terminated = GetString(c, {"state", "terminated", "reason"});
      if (!waiting.empty()) {
        reason = waiting;
      } else if (!terminated.empty()) {
        reason = terminated;
      } else if (FindPath(c, {"state", "running"}) != nullptr) {
        const rapidjson::Value* r = FindPath(c, {"ready"});
        if (r != nullptr && r->IsBool() && r->GetBool()) ++*ready;
        has_running = true;
      }
    }
  }
  if (reason == "Completed" && has_running) reason = "Running";
  if (FindPath(pod, {"metadata", "deletionTimestamp"}) != nullptr) reason = "Terminating";
  return reason;
}

void Key(Writer& w, std::string_view k) { w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }
void Str(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

void Cells(const ResourceType& type, const rapidjson::Value& obj, int64_t now, Writer& w) {
  std::string name = GetString(obj, {"metadata", "name"});
  w.StartArray();
  if (type.kind == "Pod") {
    int ready = 0, total = 0, restarts = 0;
    std::string reason = PodReason(obj, &ready, &total, &restarts);
    std::string gates;
    const rapidjson::Value* rg = FindPath(obj, {"spec", "readinessGates"});
    if (rg != nullptr && rg->IsArray() && !rg->Empty()) gates = fmt::format("0/{}", rg->Size());
    Str(w, name);
    Str(w, fmt::format("{}/{}", ready, total));
    Str(w, reason);
    Str(w, std::to_string(restarts));
    Str(w, Age(obj, now));
    Str(w, OrNone(GetString(obj, {"status", "podIP"})));
    Str(w, OrNone(GetString(obj, {"spec", "nodeName"})));
    Str(w, OrNone(GetString(obj, {"status", "nominatedNodeName"})));
    Str(w, OrNone(gates));
  } else if (type.kind == "Node") {
    const rapidjson::Value* u = FindPath(obj, {"spec", "unschedulable"});
    bool unschedulable = u != nullptr && u->IsBool() && u->GetBool();
    Str(w, name);
    Str(w, unschedulable ? "Unknown,SchedulingDisabled" : "Unknown");
    Str(w, "<none>");
    Str(w, Age(obj, now));
    Str(w, GetString(obj, {"status", "nodeInfo", "kubeletVersion"}));
  } else {
    Str(w, name);
    Str(w, GetString(obj, {"status", "phase"}));
    Str(w, Age(obj, now));
  }
  w.EndArray();
}

}  // namespace

std::string HumanDuration(int64_t seconds) {
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return fmt::format("{}s", seconds);
  int64_t minutes = seconds / 60;
  if (minutes < 10) {
    int64_t s = seconds % 60;
    return s == 0 ? fmt::format("{}m", minutes) : fmt::format("{}m{}s", minutes, s);
  }
  if (minutes < 180) return fmt::format("{}m", minutes);
  int64_t hours = seconds / 3600;
  if (hours < 8) {
    int64_t m = minutes % 60;
    return m == 0 ? fmt::format("{}h", hours) : fmt::format("{}h{}m", hours, m);
  }
  if (hours < 48) return fmt::format("{}h", hours);
  if (hours < 24 * 8) {
    int64_t h = hours % 24;
    return h == 0 ? fmt::format("{}d", hours / 24) : fmt::format("{}d{}h", hours / 24, h);
  }
  if (hours < 24 * 365 * 2) return fmt::format("{}d", hours / 24);
  if (hours < 24 * 365 * 8) {
    int64_t dy = (hours / 24) % 365;
    return dy == 0 ? fmt::format("{}y", hours / 24 / 365) : fmt::format("{}y{}d", hours / 24 / 365, dy);
  }
  return fmt::format("{}y", hours / 24 / 365);
}

std::string RenderTable(const ResourceType& type, const std::vector<ObjectPtr>& objects, const TableOptions& options,
                        uint64_t list_resource_version, std::string_view continue_token,
                        std::optional<int64_t> remaining_items) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Key(w, "kind"), Str(w, "Table");
  Key(w, "apiVersion"), Str(w, "meta.k8s.io/v1");
  Key(w, "metadata");
  w.StartObject();
  Key(w, "resourceVersion"), Str(w, std::to_string(list_resource_version));
  if (!continue_token.empty()) Key(w, "continue"), Str(w, continue_token);
  if (remaining_items) Key(w, "remainingItemCount"), w.Int64(*remaining_items);
  w.EndObject();
  Key(w, "columnDefinitions");
  if (options.include_column_definitions) {
    w.StartArray();
    for (const Column& c : ColumnsFor(type)) {
      w.StartObject();
      Key(w, "name"), Str(w, c.name);
      Key(w, "type"), Str(w, c.type);
      Key(w, "format"), Str(w, c.format);
      Key(w, "description"), Str(w, c.description);
      Key(w, "priority"), w.Int(c.priority);
      w.EndObject();
    }
    w.EndArray();
  } else {
    w.Null();
  }
  Key(w, "rows");
  w.StartArray();
  for (const ObjectPtr& obj : objects) {
    rapidjson::Document doc = obj->ToDocument();
    w.StartObject();
    Key(w, "cells");
    Cells(type, doc, options.clock->NowMillis() / 1000, w);
    if (options.include_object != "None") {
      Key(w, "object");
      if (options.include_object == "Object") {
        doc.Accept(w);
      } else {
        w.StartObject();
        Key(w, "kind"), Str(w, "PartialObjectMetadata");
        Key(w, "apiVersion"), Str(w, "meta.k8s.io/v1");
        Key(w, "metadata");
        const rapidjson::Value* meta = FindPath(doc, {"metadata"});
        if (meta != nullptr) {
          meta->Accept(w);
        } else {
          w.StartObject();
          w.EndObject();
        }
        w.EndObject();
      }
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace kubescrape::fake_apiserver
