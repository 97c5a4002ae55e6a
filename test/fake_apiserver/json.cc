#include "test/fake_apiserver/json.h"

#include <fmt/format.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <vector>

namespace kubescrape::fake_apiserver {
namespace {

rapidjson::Value::StringRefType Ref(std::string_view s) {
  return rapidjson::Value::StringRefType(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

// Moves the members named in `order` to the front, in that order. Names are
// compared before anything moves (a moved-from name is null, and RapidJSON
// asserts when asked to compare it).
void Reorder(rapidjson::Value& obj, const std::string_view* order, size_t n, JsonAllocator& alloc) {
  const size_t count = obj.MemberCount();
  std::vector<size_t> first(n, count);  // index of order[i] among the members
  std::vector<bool> picked(count, false);
  for (size_t m = 0; m < count; ++m) {
    const rapidjson::Value& name = (obj.MemberBegin() + m)->name;
    std::string_view s(name.GetString(), name.GetStringLength());
    for (size_t i = 0; i < n; ++i) {
      if (first[i] == count && s == order[i]) {
        first[i] = m;
        picked[m] = true;
        break;
      }
    }
  }
  rapidjson::Value out(rapidjson::kObjectType);
  for (size_t i = 0; i < n; ++i) {
    if (first[i] == count) continue;
    auto it = obj.MemberBegin() + first[i];
    out.AddMember(std::move(it->name), std::move(it->value), alloc);
  }
  for (size_t m = 0; m < count; ++m) {
    if (picked[m]) continue;
    auto it = obj.MemberBegin() + m;
    out.AddMember(std::move(it->name), std::move(it->value), alloc);
  }
  obj = std::move(out);
}

}  // namespace

util::StatusOr<rapidjson::Document> ParseJson(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError()) {
    return util::InvalidArgumentError(fmt::format("{} (at byte {})", rapidjson::GetParseError_En(doc.GetParseError()),
                                                  doc.GetErrorOffset()));
  }
  return doc;
}

std::string ToJson(const rapidjson::Value& value) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buf);
  value.Accept(writer);
  return std::string(buf.GetString(), buf.GetSize());
}

const rapidjson::Value* FindPath(const rapidjson::Value& root, std::initializer_list<std::string_view> path) {
  const rapidjson::Value* v = &root;
  for (std::string_view step : path) {
    if (!v->IsObject()) return nullptr;
    auto it = v->FindMember(Ref(step));
    if (it == v->MemberEnd()) return nullptr;
    v = &it->value;
  }
  return v;
}

rapidjson::Value* FindPath(rapidjson::Value& root, std::initializer_list<std::string_view> path) {
  return const_cast<rapidjson::Value*>(FindPath(static_cast<const rapidjson::Value&>(root), path));
}

std::string GetString(const rapidjson::Value& root, std::initializer_list<std::string_view> path) {
  const rapidjson::Value* v = FindPath(root, path);
  if (v == nullptr || !v->IsString()) return "";
  return std::string(v->GetString(), v->GetStringLength());
}

rapidjson::Value JsonString(std::string_view s, JsonAllocator& alloc) {
  return rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), alloc);
}

void SetMember(rapidjson::Value& obj, std::string_view name, rapidjson::Value value, JsonAllocator& alloc) {
  auto it = obj.FindMember(Ref(name));
  if (it != obj.MemberEnd()) {
    it->value = std::move(value);
    return;
  }
  obj.AddMember(JsonString(name, alloc), std::move(value), alloc);
}

rapidjson::Value& EnsureObject(rapidjson::Value& obj, std::string_view name, JsonAllocator& alloc) {
  auto it = obj.FindMember(Ref(name));
  if (it == obj.MemberEnd()) {
    obj.AddMember(JsonString(name, alloc), rapidjson::Value(rapidjson::kObjectType), alloc);
    return (obj.MemberEnd() - 1)->value;
  }
  if (!it->value.IsObject()) it->value.SetObject();
  return it->value;
}

void RemoveMember(rapidjson::Value& obj, std::string_view name) {
  auto it = obj.FindMember(Ref(name));
  if (it != obj.MemberEnd()) obj.EraseMember(it);
}

void MergePatch(rapidjson::Value& target, const rapidjson::Value& patch, JsonAllocator& alloc) {
  if (!patch.IsObject()) {
    target.CopyFrom(patch, alloc);
    return;
  }
  if (!target.IsObject()) target.SetObject();
  for (const auto& m : patch.GetObject()) {
    std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (m.value.IsNull()) {
      RemoveMember(target, name);
      continue;
    }
    auto it = target.FindMember(Ref(name));
    if (it == target.MemberEnd()) {
      rapidjson::Value fresh(rapidjson::kNullType);
      MergePatch(fresh, m.value, alloc);
      target.AddMember(JsonString(name, alloc), std::move(fresh), alloc);
    } else {
      MergePatch(it->value, m.value, alloc);
    }
  }
}

void CanonicalizeObject(rapidjson::Value& obj, JsonAllocator& alloc) {
  if (!obj.IsObject()) return;
  static constexpr std::array<std::string_view, 5> kTop = {"kind", "apiVersion", "metadata", "spec", "status"};
  static constexpr std::array<std::string_view, 15> kMeta = {
      "name",          "generateName",      "namespace",  "selfLink",
      "uid",           "resourceVersion",   "generation", "creationTimestamp",
      "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
      "ownerReferences",   "finalizers",        "managedFields"};
  Reorder(obj, kTop.data(), kTop.size(), alloc);
  rapidjson::Value* meta = FindPath(obj, {"metadata"});
  if (meta != nullptr && meta->IsObject()) Reorder(*meta, kMeta.data(), kMeta.size(), alloc);
}

}  // namespace kubescrape::fake_apiserver
