#pragma once
// ObjectStore: the fake API server's etcd. Objects of each resource type are
// kept by key ("namespace/name", or "name" for cluster-scoped types), every
// write takes the next value of one global resourceVersion counter (so, as
// with etcd, versions are shared by all types and strictly increase), and
// each type keeps a bounded history of its changes for watches.
//
// The history also serves reads in the past: List(at_rv) rebuilds the state
// at an older version by undoing later events, which is how consistent
// paginated lists (continue tokens) and resourceVersionMatch=Exact work.
// Versions below a type's horizon are gone: the horizon moves when the
// history overflows or on Compact(), and reads or watches from before it get
// OutOfRange ("too old resource version: 5 (10)"), the API server's 410.
//
// Objects are immutable once stored (shared_ptr<const StoredObject>); they
// carry their JSON as list items show it (without kind/apiVersion) plus
// their labels and selectable fields, extracted once.
//
// Thread-safety: thread-safe; one mutex. The change listener runs on the
// writer's thread, after the write, outside the lock.

#include <rapidjson/document.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "test/fake_apiserver/resource.h"
#include "test/fake_apiserver/selector.h"
#include "util/status.h"

namespace kubescrape::fake_apiserver {

struct StoredObject {
  const ResourceType* resource = nullptr;
  std::string key;
  std::string ns;  // "" for cluster-scoped types
  std::string name;
  std::string uid;
  uint64_t resource_version = 0;
  std::string item_json;  // the object without kind and apiVersion
  StringMap labels;
  StringMap fields;

  // The object with kind and apiVersion first, as GET and watch events show it.
  std::string FullJson() const;
  // A mutable copy (with kind and apiVersion).
  rapidjson::Document ToDocument() const;
};
using ObjectPtr = std::shared_ptr<const StoredObject>;

enum class EventType : uint8_t { kAdded, kModified, kDeleted };
std::string_view EventTypeName(EventType t);  // "ADDED", ...

struct StoreEvent {
  EventType type = EventType::kAdded;
  uint64_t resource_version = 0;
  ObjectPtr object;  // the new state; for kDeleted the last state at the deletion's version
  ObjectPtr prev;    // the state before (kModified, kDeleted)
};

// A random RFC 4122 version 4 UUID, as the API server assigns to metadata.uid.
std::string NewUid();

class ObjectStore {
 public:
  struct Options {
    size_t history_limit = 100000;  // events kept per resource type
  };

  explicit ObjectStore(Options options);
  ObjectStore(const ObjectStore&) = delete;
  ObjectStore& operator=(const ObjectStore&) = delete;

  // "namespace/name" for namespaced types, else "name".
  static std::string Key(const ResourceType& type, std::string_view ns, std::string_view name);

  // Stores a new object. `obj` must have metadata.name (and metadata.namespace
  // for namespaced types) and whatever uid/creationTimestamp the caller
  // wants; the store sets metadata.resourceVersion. AlreadyExists when the
  // key is taken.
  util::StatusOr<ObjectPtr> Create(const ResourceType& type, rapidjson::Document obj);

  // Read-modify-write of the object at `key`: `mutate` gets the current
  // object and returns its replacement (or an error, returned as is). It runs
  // under the store's lock and must not call the store. A replacement equal
  // to the current object keeps its resourceVersion and emits no event.
  // NotFound when absent.
  using MutateFn = std::function<util::StatusOr<rapidjson::Document>(const StoredObject& current)>;
  util::StatusOr<ObjectPtr> Mutate(const ResourceType& type, std::string_view key, const MutateFn& mutate);

  // Deletes the object at `key` and returns its last state at the deletion's
  // resourceVersion. NotFound when absent; FailedPrecondition when
  // `expected_rv` or `expected_uid` is given and differs.
  util::StatusOr<ObjectPtr> Delete(const ResourceType& type, std::string_view key,
                                   std::optional<uint64_t> expected_rv = std::nullopt,
                                   std::optional<std::string> expected_uid = std::nullopt);

  // The object at `key`, or null.
  ObjectPtr Get(const ResourceType& type, std::string_view key) const;

  struct Snapshot {
    uint64_t resource_version = 0;
    std::vector<ObjectPtr> items;  // sorted by key
  };
  // The objects whose key starts with `key_prefix`, now (nullopt) or as of
  // `at_rv`. OutOfRange when at_rv < horizon(type); InvalidArgument when
  // at_rv is newer than current_rv().
  util::StatusOr<Snapshot> List(const ResourceType& type, std::optional<uint64_t> at_rv,
                                std::string_view key_prefix = "") const;

  // The events of `type` with resourceVersion > `rv`, oldest first, at most
  // `max`. OutOfRange "too old resource version: <rv> (<horizon>)" when the
  // history no longer reaches back to rv.
  util::StatusOr<std::vector<StoreEvent>> EventsSince(const ResourceType& type, uint64_t rv,
                                                      size_t max = SIZE_MAX) const;

  // The newest resourceVersion (0 before the first write).
  uint64_t current_rv() const;
  // The oldest version of `type` that can still be read or watched from:
  // the history holds every event after it.
  uint64_t horizon(const ResourceType& type) const;

  // Forgets history up to `rv` (default: now) for every type, like an etcd
  // compaction: older continue tokens, exact lists and watches expire.
  void Compact(std::optional<uint64_t> rv = std::nullopt);

  // Called after every write. REQUIRES: set before concurrent use.
  void SetListener(std::function<void()> listener) { listener_ = std::move(listener); }

 private:
  struct Table {
    std::map<std::string, ObjectPtr, std::less<>> objects;
    std::deque<StoreEvent> history;
    uint64_t horizon = 0;
  };

  Table& TableFor(const ResourceType& type);
  const Table* FindTable(const ResourceType& type) const;
  void Record(Table& table, StoreEvent event);
  void Notify() const;

  const Options options_;
  std::function<void()> listener_;

  mutable std::mutex mu_;
  uint64_t rv_ = 0;                    // guarded by mu_
  uint64_t compacted_ = 0;             // guarded by mu_
  std::map<const ResourceType*, Table> tables_;  // guarded by mu_
};

// Builds the stored form of `obj` at version `rv`: sets
// metadata.resourceVersion, orders members like the API server, serializes.
ObjectPtr MakeStoredObject(const ResourceType& type, rapidjson::Document obj, uint64_t rv);

}  // namespace kubescrape::fake_apiserver
