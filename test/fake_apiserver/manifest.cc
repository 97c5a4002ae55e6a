// yaml-cpp exceptions are caught here and never leave this file.
#include "test/fake_apiserver/manifest.h"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>

#include "test/fake_apiserver/json.h"

namespace kubescrape::fake_apiserver {
namespace {

bool IsYamlNull(const std::string& s) { return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL"; }

std::optional<bool> YamlBool(const std::string& s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

rapidjson::Value Convert(const YAML::Node& node, JsonAllocator& alloc) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      rapidjson::Value obj(rapidjson::kObjectType);
      for (const auto& kv : node) {
        rapidjson::Value key = JsonString(kv.first.Scalar(), alloc);
        obj.AddMember(key, Convert(kv.second, alloc), alloc);
      }
      return obj;
    }
    case YAML::NodeType::Sequence: {
      rapidjson::Value arr(rapidjson::kArrayType);
      for (const auto& item : node) arr.PushBack(Convert(item, alloc), alloc);
      return arr;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "!") return JsonString(s, alloc);  // quoted: always a string
      if (IsYamlNull(s)) return rapidjson::Value(rapidjson::kNullType);
      if (std::optional<bool> b = YamlBool(s)) return rapidjson::Value(*b);
      errno = 0;
      char* end = nullptr;
      long long i = std::strtoll(s.c_str(), &end, 10);
      if (*end == '\0' && errno == 0) return rapidjson::Value(static_cast<int64_t>(i));
      double d = std::strtod(s.c_str(), &end);
      bool numeric = s.find_first_not_of("0123456789+-.eE") == std::string::npos;
      if (*end == '\0' && numeric) return rapidjson::Value(d);
      return JsonString(s, alloc);
    }
    default:
      return rapidjson::Value(rapidjson::kNullType);
  }
}

util::Status Collect(const rapidjson::Value& obj, std::vector<ManifestObject>& out) {
  if (!obj.IsObject()) return util::InvalidArgumentError("a document is not an object");
  std::string kind = GetString(obj, {"kind"});
  const rapidjson::Value* items = FindPath(obj, {"items"});
  if (items != nullptr && items->IsArray() && (kind.empty() || kind.ends_with("List"))) {
    for (const rapidjson::Value& item : items->GetArray()) {
      rapidjson::Document copy;
      copy.CopyFrom(item, copy.GetAllocator());
      // Items of a typed list may omit their kind.
      if (GetString(copy, {"kind"}).empty() && kind.size() > 4 && kind != "List" && copy.IsObject()) {
        copy.AddMember("kind", JsonString(kind.substr(0, kind.size() - 4), copy.GetAllocator()), copy.GetAllocator());
      }
      KS_RETURN_IF_ERROR(Collect(copy, out));
    }
    return util::Status::Ok();
  }
  if (kind.empty()) kind = "Pod";
  for (const ResourceType* t : AllResources()) {
    if (t->kind == kind) {
      out.push_back({t, ToJson(obj)});
      return util::Status::Ok();
    }
  }
  return util::InvalidArgumentError(fmt::format("kind \"{}\" is not served by the fake API server", kind));
}

}  // namespace

util::StatusOr<std::vector<ManifestObject>> ParseManifests(std::string_view text) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    return util::InvalidArgumentError(fmt::format("{}:{}: {}", e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  std::vector<ManifestObject> out;
  for (const YAML::Node& doc : docs) {
    if (!doc || doc.IsNull()) continue;
    rapidjson::Document json;
    try {
      rapidjson::Value v = Convert(doc, json.GetAllocator());
      static_cast<rapidjson::Value&>(json) = std::move(v);
    } catch (const YAML::Exception& e) {
      return util::InvalidArgumentError(e.what());
    }
    KS_RETURN_IF_ERROR(Collect(json, out));
  }
  return out;
}

}  // namespace kubescrape::fake_apiserver
