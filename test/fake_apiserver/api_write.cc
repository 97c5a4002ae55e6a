// Api: create, update, patch and delete, with the API server's checks
// (name and namespace consistency, generateName, name validation,
// optimistic concurrency on resourceVersion, delete preconditions) and its
// defaulting.
#include <fmt/format.h>

#include <random>

#include "test/fake_apiserver/api.h"
#include "test/fake_apiserver/api_route.h"
#include "test/fake_apiserver/validation.h"

namespace kubescrape::fake_apiserver {
namespace {

constexpr std::string_view kModified =
    "the object has been modified; please apply your changes to the latest version and try again";

ApiOr<rapidjson::Document> ParseBody(const ResourceType& type, std::string_view body) {
  util::StatusOr<rapidjson::Document> doc = ParseJson(body);
  if (!doc.ok()) {
    return BadRequestError(fmt::format("the object provided is unrecognized (must be of type {}): couldn't get "
                                       "version/kind; json parse error: {}",
                                       type.kind, doc.status().message()));
  }
  if (!doc->IsObject()) {
    return BadRequestError(
        fmt::format("the object provided is unrecognized (must be of type {}): couldn't get version/kind", type.kind));
  }
  std::string kind = GetString(*doc, {"kind"});
  if (!kind.empty() && kind != type.kind) {
    return BadRequestError(fmt::format("the object provided is unrecognized (must be of type {}): no kind \"{}\" is "
                                       "registered for version \"v1\"",
                                       type.kind, kind));
  }
  return std::move(*doc);
}

// names.SimpleNameGenerator: generateName plus 5 random characters.
std::string GenerateName(std::string_view base) {
  static constexpr std::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  thread_local std::mt19937 rng(std::random_device{}());
  std::string out(base.substr(0, 63 - 5));
  for (int i = 0; i < 5; ++i) out.push_back(kAlphabet[std::uniform_int_distribution<size_t>(0, kAlphabet.size() - 1)(rng)]);
  return out;
}

// Copies `member` of old's metadata into obj's metadata (system fields a
// client cannot change).
void KeepMeta(rapidjson::Value& obj, const rapidjson::Value& old, std::string_view member, JsonAllocator& alloc) {
  rapidjson::Value& meta = EnsureObject(obj, "metadata", alloc);
  const rapidjson::Value* v = FindPath(old, {"metadata", member});
  if (v == nullptr) {
    RemoveMember(meta, member);
    return;
  }
  rapidjson::Value copy;
  copy.CopyFrom(*v, alloc);
  SetMember(meta, member, std::move(copy), alloc);
}

}  // namespace

ApiOr<bool> Api::EnsureNamespace(std::string_view ns) {
  const ResourceType& type = NamespacesResource();
  if (store_.Get(type, ns) != nullptr) return true;
  ApiOr<ObjectPtr> created = Create(type, "", fmt::format("{{\"metadata\":{{\"name\":\"{}\"}}}}", ns));
  if (!created.ok() && created.error().code != 409) return created.error();
  return true;
}

ApiOr<ObjectPtr> Api::Create(const ResourceType& type, std::string_view ns, std::string_view body) {
  ApiOr<rapidjson::Document> parsed = ParseBody(type, body);
  if (!parsed.ok()) return parsed.error();
  rapidjson::Document& obj = *parsed;
  auto& alloc = obj.GetAllocator();
  rapidjson::Value& meta = EnsureObject(obj, "metadata", alloc);
  std::string name = GetString(meta, {"name"});
  if (type.namespaced) {
    std::string body_ns = GetString(meta, {"namespace"});
    if (!body_ns.empty() && body_ns != ns) {
      return BadRequestError("the namespace of the provided object does not match the namespace sent on the request");
    }
    SetMember(meta, "namespace", JsonString(ns, alloc), alloc);
  } else {
    RemoveMember(meta, "namespace");
  }
  if (name.empty()) {
    std::string generate = GetString(meta, {"generateName"});
    if (generate.empty()) {
      return InvalidError(type.kind, "", "",
                          {{"metadata.name", "FieldValueRequired", "Required value: name or generateName is required"}});
    }
    name = GenerateName(generate);
    SetMember(meta, "name", JsonString(name, alloc), alloc);
  }
  if (std::vector<std::string> errs = type.name_errors(name); !errs.empty()) {
    std::vector<FieldCause> causes;
    for (const std::string& e : errs) {
      causes.push_back({"metadata.name", "FieldValueInvalid", fmt::format("Invalid value: \"{}\": {}", name, e)});
    }
    return InvalidError(type.kind, "", name, causes);
  }
  if (std::string rv = GetString(meta, {"resourceVersion"}); !rv.empty()) {
    return InternalError("resourceVersion should not be set on objects to be created");
  }
  SetMember(meta, "uid", JsonString(NewUid(), alloc), alloc);
  SetMember(meta, "creationTimestamp", JsonString(Now(), alloc), alloc);
  RemoveMember(meta, "deletionTimestamp");
  RemoveMember(meta, "deletionGracePeriodSeconds");
  type.apply_defaults(obj, alloc);
  if (type.namespaced) {
    ApiOr<bool> ok = EnsureNamespace(ns);
    if (!ok.ok()) return ok.error();
  }
  util::StatusOr<ObjectPtr> stored = store_.Create(type, std::move(obj));
  if (!stored.ok()) return AlreadyExistsError(type.name, name);
  return *stored;
}

ApiOr<ObjectPtr> Api::Replace(const ResourceType& type, std::string_view ns, std::string_view name,
                              rapidjson::Document body, bool status_only, bool check_rv) {
  auto& alloc = body.GetAllocator();
  rapidjson::Value& meta = EnsureObject(body, "metadata", alloc);
  if (GetString(meta, {"name"}) != name) {
    return BadRequestError(fmt::format("the name of the object ({}) does not match the name on the URL ({})",
                                       GetString(meta, {"name"}), name));
  }
  if (type.namespaced) {
    std::string body_ns = GetString(meta, {"namespace"});
    if (!body_ns.empty() && body_ns != ns) {
      return BadRequestError("the namespace of the provided object does not match the namespace sent on the request");
    }
    SetMember(meta, "namespace", JsonString(ns, alloc), alloc);
  }
  std::string want_rv = check_rv ? GetString(meta, {"resourceVersion"}) : "";
  std::string want_uid = GetString(meta, {"uid"});
  std::optional<ApiError> failure;
  auto mutate = [&](const StoredObject& current) -> util::StatusOr<rapidjson::Document> {
    if (!want_rv.empty() && want_rv != std::to_string(current.resource_version)) {
      failure = ConflictError(type.name, name, kModified);
      return util::FailedPreconditionError("conflict");
    }
    if (!want_uid.empty() && want_uid != current.uid) {
      failure = ConflictError(type.name, name,
                              fmt::format("Precondition failed: UID in precondition: {}, UID in object meta: {}",
                                          want_uid, current.uid));
      return util::FailedPreconditionError("conflict");
    }
    rapidjson::Document old = current.ToDocument();
    rapidjson::Document next;
    if (status_only) {
      // The status subresource changes only .status.
      next.CopyFrom(old, next.GetAllocator());
      RemoveMember(next, "status");
      const rapidjson::Value* status = FindPath(body, {"status"});
      if (status != nullptr) {
        rapidjson::Value copy;
        copy.CopyFrom(*status, next.GetAllocator());
        next.AddMember("status", std::move(copy), next.GetAllocator());
      }
    } else {
      next.CopyFrom(body, next.GetAllocator());
      for (std::string_view m : {"uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"}) {
        KeepMeta(next, old, m, next.GetAllocator());
      }
      // A body without status keeps the current one.
      const rapidjson::Value* old_status = FindPath(old, {"status"});
      if (FindPath(next, {"status"}) == nullptr && old_status != nullptr) {
        rapidjson::Value copy;
        copy.CopyFrom(*old_status, next.GetAllocator());
        next.AddMember("status", std::move(copy), next.GetAllocator());
      }
      type.apply_defaults(next, next.GetAllocator());
    }
    return next;
  };
  util::StatusOr<ObjectPtr> stored = store_.Mutate(type, ObjectStore::Key(type, ns, name), mutate);
  if (failure) return *failure;
  if (!stored.ok()) {
    if (stored.status().code() == util::StatusCode::kNotFound) return NotFoundError(type.name, name);
    return BadRequestError(stored.status().message());
  }
  return *stored;
}

ApiOr<ObjectPtr> Api::Update(const ResourceType& type, std::string_view ns, std::string_view name,
                             std::string_view body, bool status_only) {
  ApiOr<rapidjson::Document> parsed = ParseBody(type, body);
  if (!parsed.ok()) return parsed.error();
  return Replace(type, type.namespaced ? ns : "", name, std::move(*parsed), status_only, true);
}

ApiOr<ObjectPtr> Api::Patch(const ResourceType& type, std::string_view ns, std::string_view name,
                            std::string_view content_type, std::string_view body, bool status_only) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  bool strategic = media == "application/strategic-merge-patch+json";
  if (media != "application/merge-patch+json" && !strategic) return UnsupportedMediaTypeError();
  util::StatusOr<rapidjson::Document> patch = ParseJson(body);
  if (!patch.ok()) return BadRequestError(fmt::format("error decoding patch: {}", patch.status().message()));
  if (strategic && patch->IsObject()) {
    // Directives ($patch, $setElementOrder/...) have no merge-patch meaning.
    for (auto it = patch->MemberBegin(); it != patch->MemberEnd();) {
      it = it->name.GetString()[0] == '$' ? patch->EraseMember(it) : it + 1;
    }
  }
  std::string key = ObjectStore::Key(type, type.namespaced ? ns : "", name);
  // A patch may carry a resourceVersion precondition of its own; without
  // one the server retries when a concurrent write wins, as the real one does.
  const bool unconditional = GetString(*patch, {"metadata", "resourceVersion"}).empty();
  for (int attempt = 0;; ++attempt) {
    ObjectPtr current = store_.Get(type, key);
    if (current == nullptr) return NotFoundError(type.name, name);
    rapidjson::Document merged = current->ToDocument();
    MergePatch(merged, *patch, merged.GetAllocator());
    auto& alloc = merged.GetAllocator();
    if (unconditional) {
      SetMember(EnsureObject(merged, "metadata", alloc), "resourceVersion",
                JsonString(std::to_string(current->resource_version), alloc), alloc);
    }
    ApiOr<ObjectPtr> out = Replace(type, type.namespaced ? ns : "", name, std::move(merged), status_only, true);
    if (out.ok() || !unconditional || out.error().reason != "Conflict" || attempt >= 5) return out;
  }
}

ApiOr<ObjectPtr> Api::Delete(const ResourceType& type, std::string_view ns, std::string_view name,
                             std::string_view body) {
  std::optional<uint64_t> want_rv;
  std::optional<std::string> want_uid;
  if (!body.empty()) {
    util::StatusOr<rapidjson::Document> opts = ParseJson(body);
    if (!opts.ok()) return BadRequestError(fmt::format("error decoding DeleteOptions: {}", opts.status().message()));
    if (std::string uid = GetString(*opts, {"preconditions", "uid"}); !uid.empty()) want_uid = uid;
    if (std::string rv = GetString(*opts, {"preconditions", "resourceVersion"}); !rv.empty()) {
      ApiOr<uint64_t> parsed = ParseResourceVersion(rv);
      if (!parsed.ok()) return parsed.error();
      want_rv = *parsed;
    }
  }
  if (&type == &NamespacesResource()) {
    // Namespace deletion removes what the namespace holds first.
    if (store_.Get(type, name) == nullptr) return NotFoundError(type.name, name);
    util::StatusOr<ObjectStore::Snapshot> pods = store_.List(PodsResource(), std::nullopt, std::string(name) + "/");
    if (pods.ok()) {
      for (const ObjectPtr& p : pods->items) store_.Delete(PodsResource(), p->key).status().IgnoreError();
    }
  }
  util::StatusOr<ObjectPtr> gone =
      store_.Delete(type, ObjectStore::Key(type, type.namespaced ? ns : "", name), want_rv, want_uid);
  if (!gone.ok()) {
    if (gone.status().code() == util::StatusCode::kNotFound) return NotFoundError(type.name, name);
    return ConflictError(type.name, name, gone.status().message());
  }
  return *gone;
}

}  // namespace kubescrape::fake_apiserver
