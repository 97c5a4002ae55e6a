#pragma once
// Decoding of a Kubernetes watch stream (`GET ...?watch=true`).
//
// The API server sends one JSON object per event, each followed by a
// newline: {"type": "ADDED"|"MODIFIED"|"DELETED"|"BOOKMARK"|"ERROR",
// "object": {...}}. WatchDecoder takes the response body in chunks cut
// anywhere (the HTTP layer has removed the chunked transfer framing), finds
// each complete object by tracking braces and strings (so it also copes with
// objects spread over lines or not separated at all), and decodes it into a
// WatchEvent carrying the compact object (kubernetes_pod.h).
//
// A malformed event (bad JSON, unknown type, a missing name, bytes that are
// not an object) is returned as an error in the event sequence, not a crash,
// and decoding goes on with the next event. Bytes between events that do not
// start an object are skipped up to the next newline (the API server's
// one-event-per-line framing). An event larger than max_event_bytes is an
// error too (kResourceExhausted); its bytes are not kept, so the buffer never
// holds more than max_event_bytes. After an error the caller would normally
// end the watch and start a new one from its last resource version.
//
// Thread-safety: none; one owner at a time (the watch's strand).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "discovery/kubernetes_pod.h"
#include "util/status.h"

namespace kubescrape::discovery {

namespace raw {
struct RawObject;
}

enum class WatchEventType : uint8_t { kAdded, kModified, kDeleted, kBookmark, kError };
std::string_view WatchEventTypeName(WatchEventType t);  // "ADDED", ...

// The Status object of an ERROR event, e.g. {410, "Expired", "too old
// resource version: 5 (10)"}: 410 means relist.
struct WatchStatus {
  int64_t code = 0;
  std::string reason;
  std::string message;
};

using KubeObject = std::variant<std::monostate, Pod, Node, Namespace, ControllerObject>;

struct WatchEvent {
  WatchEventType type = WatchEventType::kAdded;
  // metadata.resourceVersion of the object ("" for ERROR): the watch's new
  // position, for ADDED/MODIFIED/DELETED and for BOOKMARK.
  std::string resource_version;
  // ADDED/MODIFIED/DELETED: the object, of the watched kind. Otherwise
  // std::monostate.
  KubeObject object;
  // BOOKMARK: it carries the annotation k8s.io/initial-events-end=true (the
  // end of a streaming list's initial events).
  bool initial_events_end = false;
  // ERROR: the Status object.
  WatchStatus status;
};

// Decodes one event of a watch on objects of `kind`. An object whose "kind"
// field is set and differs is an error.
util::StatusOr<WatchEvent> DecodeWatchEvent(ObjectKind kind, std::string_view json);

class WatchDecoder {
 public:
  static constexpr size_t kDefaultMaxEventBytes = 8 << 20;  // etcd's object limit is ~1.5 MB

  explicit WatchDecoder(ObjectKind kind, size_t max_event_bytes = kDefaultMaxEventBytes);
  ~WatchDecoder();
  WatchDecoder(const WatchDecoder&) = delete;
  WatchDecoder& operator=(const WatchDecoder&) = delete;

  // Consumes `bytes` and returns the events they complete, in stream order;
  // a malformed event is an error element.
  std::vector<util::StatusOr<WatchEvent>> Feed(std::string_view bytes);

  // True when an event has started but not ended (at the end of the stream:
  // the last event was cut).
  bool has_partial_event() const { return depth_ > 0; }
  // Bytes buffered for the incomplete event (at most max_event_bytes).
  size_t buffered_bytes() const { return partial_.size(); }
  // Forgets any partial event, e.g. before reading a new watch response.
  void Reset();

 private:
  // Advances *pos over the current event's bytes; true when its closing
  // brace was consumed.
  bool Scan(std::string_view bytes, size_t* pos);
  // Decodes a complete event and appends it (or its error) to *out.
  void Emit(std::string_view json, std::vector<util::StatusOr<WatchEvent>>* out);

  const ObjectKind kind_;
  const size_t max_event_bytes_;
  std::string partial_;      // the incomplete event's bytes so far
  bool overflowed_ = false;  // the incomplete event is too big; its bytes are dropped
  uint32_t depth_ = 0;       // brace/bracket depth inside the current event
  bool in_string_ = false;
  bool escape_ = false;
  bool discarding_ = false;              // after an error: dropping bytes up to the next newline
  std::unique_ptr<raw::RawObject> raw_;  // reused by every event
  std::string type_;
};

}  // namespace kubescrape::discovery
