#include "test/fake_apiserver/object_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <random>

namespace kubescrape::fake_apiserver {

std::string_view EventTypeName(EventType t) {
  switch (t) {
    case EventType::kAdded: return "ADDED";
    case EventType::kModified: return "MODIFIED";
    case EventType::kDeleted: return "DELETED";
  }
  return "ERROR";
}

std::string NewUid() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  uint64_t hi = rng();
  uint64_t lo = rng();
  hi = (hi & ~0xF000ULL) | 0x4000ULL;                          // version 4
  lo = (lo & ~(0xC000ULL << 48)) | (0x8000ULL << 48);          // RFC 4122 variant
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF, hi & 0xFFFF,
                     lo >> 48, lo & 0xFFFFFFFFFFFFULL);
}

std::string StoredObject::FullJson() const {
  // item_json always starts with '{' and holds at least metadata.
  return fmt::format("{{\"kind\":\"{}\",\"apiVersion\":\"v1\",{}", resource->kind, item_json.substr(1));
}

rapidjson::Document StoredObject::ToDocument() const {
  rapidjson::Document doc;
  doc.Parse(FullJson().c_str());  // our own serialization: always valid
  return doc;
}

ObjectPtr MakeStoredObject(const ResourceType& type, rapidjson::Document obj, uint64_t rv) {
  auto& alloc = obj.GetAllocator();
  if (!obj.IsObject()) obj.SetObject();
  rapidjson::Value& meta = EnsureObject(obj, "metadata", alloc);
  SetMember(meta, "resourceVersion", JsonString(std::to_string(rv), alloc), alloc);
  RemoveMember(obj, "kind");
  RemoveMember(obj, "apiVersion");
  CanonicalizeObject(obj, alloc);
  auto out = std::make_shared<StoredObject>();
  out->resource = &type;
  out->ns = type.namespaced ? GetString(obj, {"metadata", "namespace"}) : "";
  out->name = GetString(obj, {"metadata", "name"});
  out->key = ObjectStore::Key(type, out->ns, out->name);
  out->uid = GetString(obj, {"metadata", "uid"});
  out->resource_version = rv;
  out->item_json = ToJson(obj);
  out->labels = ExtractLabels(obj);
  type.extract_fields(obj, out->fields);
  return out;
}

ObjectStore::ObjectStore(Options options) : options_(options) {}

std::string ObjectStore::Key(const ResourceType& type, std::string_view ns, std::string_view name) {
  if (!type.namespaced) return std::string(name);
  return fmt::format("{}/{}", ns, name);
}

ObjectStore::Table& ObjectStore::TableFor(const ResourceType& type) {
  auto [it, inserted] = tables_.try_emplace(&type);
  // A type first written now has seen every event since the last compaction.
  if (inserted) it->second.horizon = compacted_;
  return it->second;
}

const ObjectStore::Table* ObjectStore::FindTable(const ResourceType& type) const {
  auto it = tables_.find(&type);
  return it == tables_.end() ? nullptr : &it->second;
}

void ObjectStore::Record(Table& table, StoreEvent event) {
  table.history.push_back(std::move(event));
  while (table.history.size() > options_.history_limit) {
    table.horizon = table.history.front().resource_version;
    table.history.pop_front();
  }
}

void ObjectStore::Notify() const {
  if (listener_) listener_();
}

util::StatusOr<ObjectPtr> ObjectStore::Create(const ResourceType& type, rapidjson::Document obj) {
  ObjectPtr stored;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Table& table = TableFor(type);
    std::string key =
        Key(type, type.namespaced ? GetString(obj, {"metadata", "namespace"}) : "", GetString(obj, {"metadata", "name"}));
    if (table.objects.count(key) != 0) return util::Status(util::StatusCode::kAlreadyExists, key);
    stored = MakeStoredObject(type, std::move(obj), rv_ + 1);
    ++rv_;
    table.objects[stored->key] = stored;
    Record(table, StoreEvent{EventType::kAdded, rv_, stored, nullptr});
  }
  Notify();
  return stored;
}

util::StatusOr<ObjectPtr> ObjectStore::Mutate(const ResourceType& type, std::string_view key, const MutateFn& mutate) {
  ObjectPtr stored;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Table& table = TableFor(type);
    auto it = table.objects.find(key);
    if (it == table.objects.end()) return util::NotFoundError(std::string(key));
    ObjectPtr current = it->second;
    KS_ASSIGN_OR_RETURN(rapidjson::Document next, mutate(*current));
    // Unchanged (compared at the old version): no new version, no event.
    ObjectPtr same = MakeStoredObject(type, std::move(next), current->resource_version);
    if (same->item_json == current->item_json) return current;
    if (same->key != current->key) return util::InvalidArgumentError("an update cannot change the object's name");
    rapidjson::Document again;
    again.Parse(same->FullJson().c_str());
    stored = MakeStoredObject(type, std::move(again), rv_ + 1);
    ++rv_;
    it->second = stored;
    Record(table, StoreEvent{EventType::kModified, rv_, stored, current});
  }
  Notify();
  return stored;
}

util::StatusOr<ObjectPtr> ObjectStore::Delete(const ResourceType& type, std::string_view key,
                                              std::optional<uint64_t> expected_rv,
                                              std::optional<std::string> expected_uid) {
  ObjectPtr last;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Table& table = TableFor(type);
    auto it = table.objects.find(key);
    if (it == table.objects.end()) return util::NotFoundError(std::string(key));
    ObjectPtr current = it->second;
    if (expected_uid && *expected_uid != current->uid) {
      return util::FailedPreconditionError(fmt::format(
          "Precondition failed: UID in precondition: {}, UID in object meta: {}", *expected_uid, current->uid));
    }
    if (expected_rv && *expected_rv != current->resource_version) {
      return util::FailedPreconditionError(
          fmt::format("Precondition failed: ResourceVersion in precondition: {}, ResourceVersion in object meta: {}",
                      *expected_rv, current->resource_version));
    }
    last = MakeStoredObject(type, current->ToDocument(), rv_ + 1);
    ++rv_;
    table.objects.erase(it);
    Record(table, StoreEvent{EventType::kDeleted, rv_, last, current});
  }
  Notify();
  return last;
}

ObjectPtr ObjectStore::Get(const ResourceType& type, std::string_view key) const {
  std::lock_guard<std::mutex> lock(mu_);
  const Table* table = FindTable(type);
  if (table == nullptr) return nullptr;
  auto it = table->objects.find(key);
  return it == table->objects.end() ? nullptr : it->second;
}

util::StatusOr<ObjectStore::Snapshot> ObjectStore::List(const ResourceType& type, std::optional<uint64_t> at_rv,
                                                        std::string_view key_prefix) const {
  std::lock_guard<std::mutex> lock(mu_);
  Snapshot out;
  out.resource_version = at_rv.value_or(rv_);
  const Table* table = FindTable(type);
  uint64_t horizon = table != nullptr ? table->horizon : compacted_;
  if (out.resource_version > rv_) {
    return util::InvalidArgumentError(fmt::format("resource version {} is newer than {}", out.resource_version, rv_));
  }
  if (out.resource_version < horizon) {
    return util::Status(util::StatusCode::kOutOfRange,
                        fmt::format("too old resource version: {} ({})", out.resource_version, horizon));
  }
  if (table == nullptr) return out;
  auto in_range = [&](const std::string& key) { return key.starts_with(key_prefix); };
  if (out.resource_version == rv_) {
    for (auto it = table->objects.lower_bound(key_prefix); it != table->objects.end() && in_range(it->first); ++it) {
      out.items.push_back(it->second);
    }
    return out;
  }
  // Undo the events after the requested version, newest first.
  std::map<std::string, ObjectPtr, std::less<>> state = table->objects;
  for (auto it = table->history.rbegin(); it != table->history.rend(); ++it) {
    if (it->resource_version <= out.resource_version) break;
    const std::string& key = it->object->key;
    if (it->type == EventType::kAdded) {
      state.erase(key);
    } else {
      state[key] = it->prev;
    }
  }
  for (auto it = state.lower_bound(key_prefix); it != state.end() && in_range(it->first); ++it) {
    out.items.push_back(it->second);
  }
  return out;
}

util::StatusOr<std::vector<StoreEvent>> ObjectStore::EventsSince(const ResourceType& type, uint64_t rv,
                                                                 size_t max) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<StoreEvent> out;
  const Table* table = FindTable(type);
  uint64_t horizon = table != nullptr ? table->horizon : compacted_;
  if (rv < horizon) {
    return util::Status(util::StatusCode::kOutOfRange, fmt::format("too old resource version: {} ({})", rv, horizon));
  }
  if (table == nullptr) return out;
  // History is sorted by version: find the first event after rv.
  auto first = std::upper_bound(table->history.begin(), table->history.end(), rv,
                                [](uint64_t v, const StoreEvent& e) { return v < e.resource_version; });
  for (auto it = first; it != table->history.end() && out.size() < max; ++it) out.push_back(*it);
  return out;
}

uint64_t ObjectStore::current_rv() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rv_;
}

uint64_t ObjectStore::horizon(const ResourceType& type) const {
  std::lock_guard<std::mutex> lock(mu_);
  const Table* table = FindTable(type);
  return table != nullptr ? table->horizon : compacted_;
}

void ObjectStore::Compact(std::optional<uint64_t> rv) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t to = std::min(rv.value_or(rv_), rv_);
  compacted_ = std::max(compacted_, to);
  for (auto& [type, table] : tables_) {
    while (!table.history.empty() && table.history.front().resource_version <= to) table.history.pop_front();
    table.horizon = std::max(table.horizon, to);
  }
}

}  // namespace kubescrape::fake_apiserver
