#pragma once
// Watch: one watch stream's logic, without sockets. It turns the store's
// history into the lines the API server writes, one JSON event per line:
//
//   {"type":"ADDED","object":{...}}
//
// It starts either at a resourceVersion (events after it) or with the
// current state as synthetic ADDED events (resourceVersion "" or "0", or
// sendInitialEvents=true, which ends the initial state with a BOOKMARK
// annotated k8s.io/initial-events-end). Label/field selectors filter with the
// API server's transition rule: an object that stops matching is sent as
// DELETED (its last matching content at the new version), one that starts
// matching as ADDED. When the history no longer reaches the watch's position
// (compaction, or a slow watcher overtaken by the bounded history), it emits
// an ERROR event with a 410 Expired Status and is done.
//
// The shell calls Poll() whenever the store changes and Bookmark() on its
// timer; both return the bytes to write.
//
// Thread-safety: none; one owner (the connection). The store is thread-safe.

#include <cstdint>
#include <string>

#include "test/fake_apiserver/object_store.h"
#include "test/fake_apiserver/request.h"
#include "test/fake_apiserver/selector.h"
#include "test/fake_apiserver/table.h"

namespace kubescrape::fake_apiserver {

class Watch {
 public:
  struct Params {
    const ResourceType* type = nullptr;
    std::string key_prefix;  // "namespace/" to watch one namespace
    LabelSelector labels;
    FieldSelector fields;
    bool allow_bookmarks = false;
    OutputFormat format = OutputFormat::kJson;
    TableOptions table;  // for kTable
  };

  // Events after `rv`. An rv older than the history yields an ERROR event
  // on the first Poll().
  static Watch FromVersion(Params params, uint64_t rv);
  // The current state as ADDED events, then changes; with
  // `initial_events_end`, a BOOKMARK marks the end of the initial state
  // (only when bookmarks are allowed).
  static Watch WithInitialState(Params params, const ObjectStore& store, bool initial_events_end);

  // The pending lines: initial events, then store events after the cursor.
  std::string Poll(const ObjectStore& store);
  // Poll(), then a BOOKMARK at the newest version the watch has caught up
  // with. Returns only Poll()'s lines when bookmarks are not allowed.
  std::string Bookmark(const ObjectStore& store);

  // True after an ERROR event: the stream should end.
  bool done() const { return done_; }
  uint64_t resource_version() const { return cursor_; }
  bool allow_bookmarks() const { return params_.allow_bookmarks; }

  // One BOOKMARK line for `type` at `rv`, as the API server writes it.
  static std::string BookmarkLine(const ResourceType& type, uint64_t rv, bool initial_events_end);
  // One ERROR line carrying `error`'s Status.
  static std::string ErrorLine(const ApiError& error);

 private:
  explicit Watch(Params params) : params_(std::move(params)) {}
  bool Matches(const StoredObject& obj) const;
  std::string EventLine(EventType type, const StoredObject& obj);
  // Appends lines for events with version <= up_to (all when 0).
  void Drain(const ObjectStore& store, uint64_t up_to, std::string& out);

  Params params_;
  uint64_t cursor_ = 0;
  std::string pending_;  // initial lines not yet returned
  bool done_ = false;
  bool sent_table_header_ = false;
};

}  // namespace kubescrape::fake_apiserver
