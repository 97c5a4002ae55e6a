// The SAX parser of Kubernetes objects (kubernetes_raw.h). RapidJSON's
// Reader calls the handler below for every token; the handler keeps a stack
// of contexts (which object or array it is in) and the field whose value
// comes next, copies the strings it needs, and skips every other subtree by
// counting depth. RapidJSON does not throw; its iterative mode bounds the
// native stack whatever the nesting. UTF-8 is checked only in the strings
// kept (checking the whole body in the reader costs 40% of the throughput).

#include "discovery/kubernetes_raw.h"

#include <fmt/format.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <charconv>
#include <cstdint>
#include <limits>

#include "discovery/kubernetes_raw_schema.h"
#include "util/utf8.h"

namespace kubescrape::discovery::raw {
namespace {

using schema::Ctx;
using schema::CtxPath;
using schema::Field;
using schema::IsArray;
using schema::Lookup;

enum class Root { kObject, kList, kEvent };

class Handler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Handler> {
 public:
  Handler(Root root, RawObject* obj) : root_(root), obj_(obj) {}

  const std::function<util::Status(const RawObject&)>* on_item = nullptr;
  ListMeta* list_meta = nullptr;
  std::string* event_type = nullptr;
  const std::string& error() const { return error_; }

  bool Null() {
    if (skip_ > 0) return true;
    if (stack_.empty()) return Fail("expected an object");
    if (IsArray(stack_.back())) return Mismatch("null");
    field_ = Field::kIgnore;  // null is absent, as in Go
    return true;
  }
  bool Bool(bool b) {
    if (!ScalarAllowed()) return skip_ > 0;
    if (field_ == Field::kController)
      owner_controller_ = b;
    else if (field_ != Field::kIgnore)
      return Mismatch("a boolean");
    field_ = Field::kIgnore;
    return true;
  }
  bool Int(int i) { return Number(i, true); }
  bool Uint(unsigned u) { return Number(u, true); }
  bool Int64(int64_t i) { return Number(i, true); }
  bool Uint64(uint64_t u) {
    return Number(u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
                      ? -1
                      : static_cast<int64_t>(u),
                  true);
  }
  bool Double(double) { return Number(0, false); }

  bool String(const char* s, rapidjson::SizeType len, bool) {
    if (!ScalarAllowed()) return skip_ > 0;
    const std::string_view v(s, len);
    const Ctx c = stack_.back();
    if (field_ != Field::kIgnore && field_ != Field::kStatus && !util::IsValidUtf8(v)) {
      return Fail(fmt::format("{}: invalid UTF-8 in a string", CtxPath(c)));
    }
    switch (field_) {
      case Field::kIgnore:
        break;
      case Field::kEntry: {
        RawObject::Pair p{pending_key_, obj_->Store(v)};
        (c == Ctx::kLabels ? obj_->labels : obj_->annotations).push_back(p);
        break;
      }
      case Field::kKind:
        if (c == Ctx::kOwnerRef)
          owner_kind_ = obj_->Store(v);
        else
          obj_->kind = obj_->Store(v);
        break;
      case Field::kName:
        if (c == Ctx::kMeta)
          obj_->name = obj_->Store(v);
        else if (c == Ctx::kOwnerRef)
          owner_name_ = obj_->Store(v);
        else if (c == Ctx::kContainer)
          obj_->containers.back().name = obj_->Store(v);
        else if (c == Ctx::kPort)
          port_.name = obj_->Store(v);
        else
          status_.name = obj_->Store(v);
        break;
      case Field::kStatus:
        break;  // a Status object's "status": "Failure"
      case Field::kReason:
        obj_->reason = obj_->Store(v);
        break;
      case Field::kMessage:
        obj_->message = obj_->Store(v);
        break;
      case Field::kNamespace:
        obj_->namespace_name = obj_->Store(v);
        break;
      case Field::kUid:
        obj_->uid = obj_->Store(v);
        break;
      case Field::kResourceVersion:
        if (c == Ctx::kListMeta)
          list_meta->resource_version.assign(v);
        else
          obj_->resource_version = obj_->Store(v);
        break;
      case Field::kContinue:
        list_meta->continue_token.assign(v);
        break;
      case Field::kDeletionTimestamp:
        obj_->deleting = true;
        break;
      case Field::kNodeName:
        obj_->node_name = obj_->Store(v);
        break;
      case Field::kImage:
        obj_->containers.back().image = obj_->Store(v);
        break;
      case Field::kProtocol:
        port_.protocol = obj_->Store(v);
        break;
      case Field::kPhase:
        obj_->phase = obj_->Store(v);
        break;
      case Field::kPodIP:
        obj_->pod_ip = obj_->Store(v);
        break;
      case Field::kHostIP:
        obj_->host_ip = obj_->Store(v);
        break;
      case Field::kType:
        if (c == Ctx::kEvent)
          event_type->assign(v);
        else
          condition_is_ready_ = v == "Ready";
        break;
      case Field::kConditionStatus:
        condition_status_ = v == "True"    ? PodReady::kTrue
                            : v == "False" ? PodReady::kFalse
                                           : PodReady::kUnknown;
        break;
      case Field::kContainerID:
        status_.id = obj_->Store(v);
        break;
      default:
        return Mismatch("a string");
    }
    field_ = Field::kIgnore;
    return true;
  }

  bool Key(const char* s, rapidjson::SizeType len, bool) {
    if (skip_ > 0) return true;
    const Ctx c = stack_.back();
    const std::string_view key(s, len);
    field_ = Lookup(c, key);
    if (field_ == Field::kEntry) {
      if (!util::IsValidUtf8(key))
        return Fail(fmt::format("{}: invalid UTF-8 in a key", CtxPath(c)));
      pending_key_ = obj_->Store(key);
    }
    return true;
  }

  bool StartObject() {
    if (skip_ > 0) return ++skip_, true;
    Ctx next;
    if (stack_.empty()) {
      next = root_ == Root::kList ? Ctx::kList : root_ == Root::kEvent ? Ctx::kEvent : Ctx::kObject;
      if (next == Ctx::kObject) obj_->Clear();
    } else {
      switch (stack_.back()) {
        case Ctx::kItems:
          obj_->Clear();
          next = Ctx::kObject;
          break;
        case Ctx::kOwnerRefs:
          owner_kind_ = owner_name_ = {};
          owner_controller_ = false;
          next = Ctx::kOwnerRef;
          break;
        case Ctx::kContainers:
        case Ctx::kInitContainers: {
          RawObject::Container& ctr = obj_->containers.emplace_back();
          ctr.first_port = static_cast<uint32_t>(obj_->ports.size());
          ctr.init = stack_.back() == Ctx::kInitContainers;
          next = Ctx::kContainer;
          break;
        }
        case Ctx::kPorts:
          port_ = {};
          next = Ctx::kPort;
          break;
        case Ctx::kConditions:
          condition_is_ready_ = false;
          condition_status_ = PodReady::kUnknown;
          next = Ctx::kCondition;
          break;
        case Ctx::kStatuses:
        case Ctx::kInitStatuses:
          status_ = {};
          status_.init = stack_.back() == Ctx::kInitStatuses;
          next = Ctx::kContainerStatus;
          break;
        default:
          switch (field_) {
            case Field::kIgnore:
              skip_ = 1;
              return true;
            case Field::kMetadata:
              next = stack_.back() == Ctx::kList ? Ctx::kListMeta : Ctx::kMeta;
              break;
            case Field::kSpec:
              next = Ctx::kSpec;
              break;
            case Field::kStatus:
              next = Ctx::kStatus;
              break;
            case Field::kLabels:
              next = Ctx::kLabels;
              break;
            case Field::kAnnotations:
              next = Ctx::kAnnotations;
              break;
            case Field::kObject:
              obj_->Clear();
              next = Ctx::kObject;
              break;
            default:
              return Mismatch("an object");
          }
      }
    }
    stack_.push_back(next);
    field_ = Field::kIgnore;
    return true;
  }

  bool EndObject(rapidjson::SizeType) {
    if (skip_ > 0) return --skip_, true;
    const Ctx c = stack_.back();
    stack_.pop_back();
    field_ = Field::kIgnore;
    switch (c) {
      case Ctx::kOwnerRef:
        if (owner_controller_ && !obj_->has_controller) {
          obj_->has_controller = true;
          obj_->controller_kind = owner_kind_;
          obj_->controller_name = owner_name_;
        }
        break;
      case Ctx::kCondition:
        if (condition_is_ready_) obj_->ready = condition_status_;
        break;
      case Ctx::kPort:
        obj_->ports.push_back(port_);
        ++obj_->containers.back().num_ports;
        break;
      case Ctx::kContainerStatus:
        obj_->statuses.push_back(status_);
        break;
      case Ctx::kObject:
        if (!stack_.empty() && stack_.back() == Ctx::kItems) {
          util::Status s = (*on_item)(*obj_);
          if (!s.ok()) {
            error_ = s.WithPrefix(fmt::format("items[{}]", items_)).message();
            item_error_ = s.code();
            return false;
          }
          ++items_;
        }
        break;
      default:
        break;
    }
    return true;
  }

  bool StartArray() {
    if (skip_ > 0) return ++skip_, true;
    if (stack_.empty()) return Fail("expected an object, found an array");
    Ctx next;
    switch (field_) {
      case Field::kIgnore:
        if (IsArray(stack_.back())) return Mismatch("an object");
        skip_ = 1;
        return true;
      case Field::kItems:
        next = Ctx::kItems;
        break;
      case Field::kOwnerReferences:
        next = Ctx::kOwnerRefs;
        break;
      case Field::kContainers:
        next = Ctx::kContainers;
        break;
      case Field::kInitContainers:
        next = Ctx::kInitContainers;
        break;
      case Field::kPorts:
        next = Ctx::kPorts;
        break;
      case Field::kConditions:
        next = Ctx::kConditions;
        break;
      case Field::kContainerStatuses:
        next = Ctx::kStatuses;
        break;
      case Field::kInitContainerStatuses:
        next = Ctx::kInitStatuses;
        break;
      default:
        return Mismatch("an array");
    }
    stack_.push_back(next);
    field_ = Field::kIgnore;
    return true;
  }

  bool EndArray(rapidjson::SizeType) {
    if (skip_ > 0) return --skip_, true;
    stack_.pop_back();
    field_ = Field::kIgnore;
    return true;
  }

  util::StatusCode item_error() const { return item_error_; }

 private:
  // True when a scalar may be handled now; false when skipping (caller then
  // returns true) or on a scalar where none is allowed (error set).
  bool ScalarAllowed() {
    if (skip_ > 0) return false;
    if (stack_.empty()) return Fail("expected an object");
    if (IsArray(stack_.back())) return Mismatch("an object");
    return true;
  }

  bool Number(int64_t v, bool integral) {
    if (!ScalarAllowed()) return skip_ > 0;
    if (field_ == Field::kContainerPort) {
      if (!integral || v < 0 || v > std::numeric_limits<int32_t>::max()) {
        return Fail(
            fmt::format("{}.containerPort: not a valid port number", CtxPath(stack_.back())));
      }
      char buf[16];
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
      port_.number = obj_->Store(std::string_view(buf, static_cast<size_t>(end - buf)));
    } else if (field_ == Field::kCode) {
      obj_->code = v;
    } else if (field_ != Field::kIgnore) {
      return Mismatch("a number");
    }
    field_ = Field::kIgnore;
    return true;
  }

  bool Mismatch(std::string_view found) {
    const char* what = IsArray(stack_.back()) ? "an element" : "a field";
    return Fail(fmt::format("{}: {} has the wrong type ({})", CtxPath(stack_.back()), what, found));
  }
  bool Fail(std::string message) {
    error_ = std::move(message);
    return false;
  }

  const Root root_;
  RawObject* const obj_;
  std::vector<Ctx> stack_;
  Field field_ = Field::kIgnore;
  uint32_t skip_ = 0;  // depth inside an ignored subtree
  StrRef pending_key_;
  // The element being read in an array.
  StrRef owner_kind_, owner_name_;
  bool owner_controller_ = false;
  bool condition_is_ready_ = false;
  PodReady condition_status_ = PodReady::kUnknown;
  RawObject::Port port_;
  RawObject::ContainerStatus status_;
  size_t items_ = 0;
  std::string error_;
  util::StatusCode item_error_ = util::StatusCode::kOk;
};

util::Status Parse(std::string_view json, Handler& h) {
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag;
  rapidjson::MemoryStream ms(json.data(), json.size());
  rapidjson::Reader reader;
  rapidjson::ParseResult r = reader.Parse<kFlags>(ms, h);
  if (r) return util::Status::Ok();
  if (h.item_error() != util::StatusCode::kOk) return util::Status(h.item_error(), h.error());
  std::string_view why = r.Code() == rapidjson::kParseErrorTermination && !h.error().empty()
                             ? std::string_view(h.error())
                             : std::string_view(rapidjson::GetParseError_En(r.Code()));
  return util::InvalidArgumentError(fmt::format("invalid JSON at byte {}: {}", r.Offset(), why));
}

}  // namespace

void RawObject::Clear() {
  bytes.clear();
  kind = reason = message = {};
  code = 0;
  name = namespace_name = uid = resource_version = {};
  deleting = has_controller = false;
  controller_kind = controller_name = {};
  labels.clear();
  annotations.clear();
  node_name = {};
  containers.clear();
  ports.clear();
  phase = pod_ip = host_ip = {};
  ready = PodReady::kUnknown;
  statuses.clear();
}

util::Status ParseObject(std::string_view json, RawObject* out) {
  out->Clear();
  Handler h(Root::kObject, out);
  return Parse(json, h);
}

util::Status ParseList(std::string_view body,
                       const std::function<util::Status(const RawObject&)>& on_item,
                       ListMeta* meta) {
  RawObject obj;
  Handler h(Root::kList, &obj);
  h.on_item = &on_item;
  h.list_meta = meta;
  return Parse(body, h);
}

util::Status ParseEvent(std::string_view json, std::string* type, RawObject* out) {
  out->Clear();
  type->clear();
  Handler h(Root::kEvent, out);
  h.event_type = type;
  return Parse(json, h);
}

}  // namespace kubescrape::discovery::raw
