#include "test/fake_apiserver/watch.h"

#include <fmt/format.h>

#include <algorithm>

namespace kubescrape::fake_apiserver {

Watch Watch::FromVersion(Params params, uint64_t rv) {
  Watch w(std::move(params));
  w.cursor_ = rv;
  return w;
}

Watch Watch::WithInitialState(Params params, const ObjectStore& store, bool initial_events_end) {
  Watch w(std::move(params));
  util::StatusOr<ObjectStore::Snapshot> snap = store.List(*w.params_.type, std::nullopt, w.params_.key_prefix);
  if (!snap.ok()) {  // cannot happen for the current version
    w.pending_ = ErrorLine(InternalError(snap.status().message()));
    w.done_ = true;
    return w;
  }
  w.cursor_ = snap->resource_version;
  for (const ObjectPtr& obj : snap->items) {
    if (w.Matches(*obj)) w.pending_ += w.EventLine(EventType::kAdded, *obj);
  }
  if (initial_events_end && w.params_.allow_bookmarks) {
    w.pending_ += BookmarkLine(*w.params_.type, w.cursor_, true);
  }
  return w;
}

bool Watch::Matches(const StoredObject& obj) const {
  return obj.key.starts_with(params_.key_prefix) && params_.labels.Matches(obj.labels) &&
         params_.fields.Matches(obj.fields);
}

std::string Watch::EventLine(EventType type, const StoredObject& obj) {
  std::string object;
  if (params_.format == OutputFormat::kTable) {
    TableOptions options = params_.table;
    options.include_column_definitions = !sent_table_header_;
    sent_table_header_ = true;
    object = RenderTable(*params_.type, {std::make_shared<StoredObject>(obj)}, options, obj.resource_version);
  } else {
    object = obj.FullJson();
  }
  return fmt::format("{{\"type\":\"{}\",\"object\":{}}}\n", EventTypeName(type), object);
}

std::string Watch::BookmarkLine(const ResourceType& type, uint64_t rv, bool initial_events_end) {
  // The API server sends an empty object of the watched kind; Go's encoding
  // of the zero value gives the null timestamp and the empty spec/status.
  std::string meta = fmt::format("\"resourceVersion\":\"{}\",\"creationTimestamp\":null", rv);
  if (initial_events_end) meta += ",\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}";
  std::string_view spec = type.kind == "Pod" ? "{\"containers\":null}" : "{}";
  return fmt::format(
      "{{\"type\":\"BOOKMARK\",\"object\":{{\"kind\":\"{}\",\"apiVersion\":\"v1\",\"metadata\":{{{}}},\"spec\":{},"
      "\"status\":{{}}}}}}\n",
      type.kind, meta, spec);
}

std::string Watch::ErrorLine(const ApiError& error) {
  return fmt::format("{{\"type\":\"ERROR\",\"object\":{}}}\n", error.StatusJson());
}

void Watch::Drain(const ObjectStore& store, uint64_t up_to, std::string& out) {
  if (done_) return;
  util::StatusOr<std::vector<StoreEvent>> events = store.EventsSince(*params_.type, cursor_);
  if (!events.ok()) {
    out += ErrorLine(ExpiredError(events.status().message()));
    done_ = true;
    return;
  }
  for (const StoreEvent& e : *events) {
    if (up_to != 0 && e.resource_version > up_to) break;
    cursor_ = e.resource_version;
    bool now_matches = e.type != EventType::kDeleted && Matches(*e.object);
    bool matched = e.prev != nullptr && Matches(*e.prev);
    if (now_matches && !matched) {
      out += EventLine(EventType::kAdded, *e.object);
    } else if (now_matches && matched) {
      out += EventLine(EventType::kModified, *e.object);
    } else if (matched) {
      if (e.type == EventType::kDeleted) {
        out += EventLine(EventType::kDeleted, *e.object);
      } else {
        // Stopped matching: the previous content at the event's version.
        ObjectPtr gone = MakeStoredObject(*params_.type, e.prev->ToDocument(), e.resource_version);
        out += EventLine(EventType::kDeleted, *gone);
      }
    }
  }
}

std::string Watch::Poll(const ObjectStore& store) {
  std::string out = std::move(pending_);
  pending_.clear();
  Drain(store, 0, out);
  return out;
}

std::string Watch::Bookmark(const ObjectStore& store) {
  uint64_t now = store.current_rv();
  std::string out = std::move(pending_);
  pending_.clear();
  Drain(store, now, out);
  if (done_ || !params_.allow_bookmarks) return out;
  cursor_ = std::max(cursor_, now);
  out += BookmarkLine(*params_.type, cursor_, false);
  return out;
}

}  // namespace kubescrape::fake_apiserver
