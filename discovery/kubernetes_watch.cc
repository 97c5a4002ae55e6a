#include "discovery/kubernetes_watch.h"

#include <fmt/format.h>

#include "discovery/kubernetes_raw.h"

namespace kubescrape::discovery {
namespace {

constexpr std::string_view kInitialEventsEndAnnotation = "k8s.io/initial-events-end";

bool ParseType(std::string_view s, WatchEventType* t) {
  if (s == "ADDED")
    *t = WatchEventType::kAdded;
  else if (s == "MODIFIED")
    *t = WatchEventType::kModified;
  else if (s == "DELETED")
    *t = WatchEventType::kDeleted;
  else if (s == "BOOKMARK")
    *t = WatchEventType::kBookmark;
  else if (s == "ERROR")
    *t = WatchEventType::kError;
  else
    return false;
  return true;
}

util::StatusOr<KubeObject> MakeObject(ObjectKind kind, const raw::RawObject& obj) {
  switch (kind) {
    case ObjectKind::kPod: {
      KS_ASSIGN_OR_RETURN(Pod p, raw::MakePod(obj));
      return KubeObject(std::move(p));
    }
    case ObjectKind::kNode: {
      KS_ASSIGN_OR_RETURN(Node n, raw::MakeNode(obj));
      return KubeObject(std::move(n));
    }
    case ObjectKind::kNamespace: {
      KS_ASSIGN_OR_RETURN(Namespace n, raw::MakeNamespace(obj));
      return KubeObject(std::move(n));
    }
    case ObjectKind::kReplicaSet:
    case ObjectKind::kJob: {
      KS_ASSIGN_OR_RETURN(ControllerObject c, raw::MakeController(kind, obj));
      return KubeObject(std::move(c));
    }
  }
  return util::InternalError("unknown object kind");
}

util::StatusOr<WatchEvent> Decode(ObjectKind kind, std::string_view json, raw::RawObject* obj,
                                  std::string* type) {
  if (util::Status s = raw::ParseEvent(json, type, obj); !s.ok())
    return s.WithPrefix("watch event");
  WatchEvent e;
  if (type->empty()) return util::InvalidArgumentError("watch event without a type");
  if (!ParseType(*type, &e.type)) {
    return util::InvalidArgumentError(fmt::format("unknown watch event type \"{}\"", *type));
  }
  if (e.type == WatchEventType::kError) {
    e.status.code = obj->code;
    e.status.reason = obj->Get(obj->reason);
    e.status.message = obj->Get(obj->message);
    return e;
  }
  const std::string_view object_kind = obj->Get(obj->kind);
  if (!object_kind.empty() && object_kind != ObjectKindName(kind)) {
    return util::InvalidArgumentError(
        fmt::format("{} event: expected a {}, got a {}", *type, ObjectKindName(kind), object_kind));
  }
  e.resource_version = obj->Get(obj->resource_version);
  if (e.type == WatchEventType::kBookmark) {
    for (const raw::RawObject::Pair& a : obj->annotations) {
      if (obj->Get(a.key) == kInitialEventsEndAnnotation) {
        e.initial_events_end = obj->Get(a.value) == "true";
      }
    }
    return e;
  }
  util::StatusOr<KubeObject> o = MakeObject(kind, *obj);
  if (!o.ok()) return o.status().WithPrefix(fmt::format("{} event", *type));
  e.object = std::move(o).value();
  return e;
}

}  // namespace

std::string_view WatchEventTypeName(WatchEventType t) {
  switch (t) {
    case WatchEventType::kAdded:
      return "ADDED";
    case WatchEventType::kModified:
      return "MODIFIED";
    case WatchEventType::kDeleted:
      return "DELETED";
    case WatchEventType::kBookmark:
      return "BOOKMARK";
    case WatchEventType::kError:
      return "ERROR";
  }
  return "?";
}

util::StatusOr<WatchEvent> DecodeWatchEvent(ObjectKind kind, std::string_view json) {
  raw::RawObject obj;
  std::string type;
  return Decode(kind, json, &obj, &type);
}

WatchDecoder::WatchDecoder(ObjectKind kind, size_t max_event_bytes)
    : kind_(kind), max_event_bytes_(max_event_bytes), raw_(std::make_unique<raw::RawObject>()) {}

WatchDecoder::~WatchDecoder() = default;

void WatchDecoder::Reset() {
  partial_.clear();
  overflowed_ = false;
  depth_ = 0;
  in_string_ = escape_ = discarding_ = false;
}

bool WatchDecoder::Scan(std::string_view bytes, size_t* pos) {
  for (size_t p = *pos; p < bytes.size(); ++p) {
    const char c = bytes[p];
    if (in_string_) {
      if (escape_) {
        escape_ = false;
      } else if (c == '\\') {
        escape_ = true;
      } else if (c == '"') {
        in_string_ = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string_ = true;
        break;
      case '{':
      case '[':
        ++depth_;
        break;
      case '}':
      case ']':
        if (--depth_ == 0) {
          *pos = p + 1;
          return true;
        }
        break;
      default:
        break;
    }
  }
  *pos = bytes.size();
  return false;
}

void WatchDecoder::Emit(std::string_view json, std::vector<util::StatusOr<WatchEvent>>* out) {
  out->push_back(Decode(kind_, json, raw_.get(), &type_));
}

std::vector<util::StatusOr<WatchEvent>> WatchDecoder::Feed(std::string_view bytes) {
  std::vector<util::StatusOr<WatchEvent>> out;
  size_t i = 0;
  while (i < bytes.size()) {
    if (discarding_) {
      const size_t nl = bytes.find('\n', i);
      if (nl == std::string_view::npos) break;
      i = nl + 1;
      discarding_ = false;
      continue;
    }
    if (depth_ == 0) {  // between events
      const char c = bytes[i];
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        ++i;
        continue;
      }
      if (c != '{') {
        out.push_back(util::InvalidArgumentError(
            fmt::format("watch stream: unexpected byte 0x{:02x} between events",
                        static_cast<unsigned char>(c))));
        discarding_ = true;
        continue;
      }
    }
    const size_t start = i;
    const bool complete = Scan(bytes, &i);
    const std::string_view piece = bytes.substr(start, i - start);
    if (!overflowed_ && partial_.size() + piece.size() > max_event_bytes_) {
      overflowed_ = true;
      partial_.clear();
      partial_.shrink_to_fit();
    }
    if (!complete) {
      if (!overflowed_) partial_.append(piece);
      break;
    }
    if (overflowed_) {
      out.push_back(util::ResourceExhaustedError(
          fmt::format("watch event larger than {} bytes", max_event_bytes_)));
      overflowed_ = false;
    } else if (partial_.empty()) {
      Emit(piece, &out);  // the common case: the whole event in this chunk, no copy
    } else {
      partial_.append(piece);
      Emit(partial_, &out);
      partial_.clear();
    }
  }
  return out;
}

}  // namespace kubescrape::discovery
