// ParseFileSdFile: the JSON and YAML adapters of file SD. RapidJSON does not
// throw (its asserts are avoided by checking every type before access);
// yaml-cpp exceptions are caught here and never leave this file.

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include "discovery/file_sd.h"
#include "model/label_names.h"
#include "model/validation.h"

namespace kubescrape::discovery {
namespace {

// One group as written in the file, before validation.
struct RawGroup {
  std::string pos;   // "line:col" of the group when known, else empty
  std::string name;  // "group <i>"
  std::vector<std::string> targets;
  std::vector<std::pair<std::string, std::string>> labels;  // in file order
};

// "path:pos: message", or "path: message" without a position.
util::Status Error(std::string_view path, std::string_view pos, std::string_view message) {
  if (pos.empty()) return util::InvalidArgumentError(fmt::format("{}: {}", path, message));
  return util::InvalidArgumentError(fmt::format("{}:{}: {}", path, pos, message));
}

util::Status GroupError(std::string_view path, const RawGroup& g, std::string_view message) {
  return Error(path, g.pos, fmt::format("{}: {}", g.name, message));
}

// Validates the raw groups and turns them into target groups of `path`.
util::StatusOr<std::vector<model::TargetGroup>> Finish(std::string_view path,
                                                       std::vector<RawGroup> raw) {
  std::vector<model::TargetGroup> out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    const RawGroup& r = raw[i];
    std::vector<model::Label> labels;
    labels.reserve(r.labels.size() + 1);
    for (const auto& [name, value] : r.labels) {
      if (!model::IsValidLabelName(name, model::NameValidationScheme::kUtf8)) {
        return GroupError(path, r, fmt::format("\"{}\" is not a valid label name", name));
      }
      if (!model::IsValidLabelValue(value)) {
        return GroupError(path, r, fmt::format("label \"{}\": value is not valid UTF-8", name));
      }
      labels.push_back({name, value});
    }
    model::TargetGroup g;
    g.source = fmt::format("{}:{}", path, i);
    labels.push_back({kFileSdFilepathLabel, path});  // wins over the file's own
    g.labels = model::Labels::FromUnsorted(std::move(labels));
    g.targets.reserve(r.targets.size());
    for (size_t t = 0; t < r.targets.size(); ++t) {
      const std::string& address = r.targets[t];
      if (address.empty()) return GroupError(path, r, fmt::format("target {} is empty", t));
      if (!model::IsValidLabelValue(address)) {
        return GroupError(path, r, fmt::format("target {} is not valid UTF-8", t));
      }
      g.targets.push_back(model::Labels::FromPairs({{model::kAddressLabel, address}}));
    }
    out.push_back(std::move(g));
  }
  return out;
}

// ---- JSON (Go's encoding/json with DisallowUnknownFields) ----

// "line:col" of a byte offset.
std::string LineCol(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  size_t line = 1 + static_cast<size_t>(std::count(
                        text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
  size_t line_start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  line_start = (line_start == std::string_view::npos || offset == 0) ? 0 : line_start + 1;
  return fmt::format("{}:{}", line, offset - line_start + 1);
}

// Go matches JSON keys to struct fields case-insensitively.
bool KeyIs(const rapidjson::Value& key, std::string_view field) {
  std::string_view k(key.GetString(), key.GetStringLength());
  return std::equal(k.begin(), k.end(), field.begin(), field.end(), [](char a, char b) {
    return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
  });
}

std::string String(const rapidjson::Value& v) {
  return std::string(v.GetString(), v.GetStringLength());
}

util::Status ReadJsonGroup(const rapidjson::Value& v, RawGroup* g) {
  if (v.IsNull()) return util::InvalidArgumentError("nil target group item found");
  if (!v.IsObject())
    return util::InvalidArgumentError("must be an object with \"targets\" and \"labels\"");
  for (const auto& m : v.GetObject()) {
    if (KeyIs(m.name, "targets")) {
      g->targets.clear();
      if (m.value.IsNull()) continue;
      if (!m.value.IsArray())
        return util::InvalidArgumentError("\"targets\" must be a list of strings");
      for (const auto& t : m.value.GetArray()) {
        if (t.IsNull()) {
          g->targets.emplace_back();
        } else if (t.IsString()) {
          g->targets.push_back(String(t));
        } else {
          return util::InvalidArgumentError("\"targets\" must be a list of strings");
        }
      }
    } else if (KeyIs(m.name, "labels")) {
      if (m.value.IsNull()) continue;
      if (!m.value.IsObject())
        return util::InvalidArgumentError("\"labels\" must be an object of strings");
      for (const auto& l : m.value.GetObject()) {
        if (!l.value.IsNull() && !l.value.IsString()) {
          return util::InvalidArgumentError(
              fmt::format("label \"{}\": value must be a string", String(l.name)));
        }
        g->labels.emplace_back(String(l.name), l.value.IsNull() ? std::string() : String(l.value));
      }
    } else {
      return util::InvalidArgumentError(fmt::format("unknown field \"{}\"", String(m.name)));
    }
  }
  return util::Status::Ok();
}

util::StatusOr<std::vector<model::TargetGroup>> ParseJson(std::string_view path,
                                                          std::string_view content) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(content.data(), content.size());
  if (doc.HasParseError()) {
    return Error(path, LineCol(content, doc.GetErrorOffset()),
                 rapidjson::GetParseError_En(doc.GetParseError()));
  }
  std::vector<RawGroup> raw;
  if (doc.IsNull()) return Finish(path, std::move(raw));
  if (!doc.IsArray()) return Error(path, "", "the file must hold a list of target groups");
  for (const auto& v : doc.GetArray()) {
    RawGroup& g = raw.emplace_back();
    g.name = fmt::format("group {}", raw.size() - 1);
    if (auto s = ReadJsonGroup(v, &g); !s.ok()) return GroupError(path, g, s.message());
  }
  return Finish(path, std::move(raw));
}

// ---- YAML (yaml.v2 UnmarshalStrict) ----

// "line:col" of a node, or "" when yaml-cpp does not know it.
std::string Pos(const YAML::Node& n) {
  YAML::Mark m = n.Mark();
  if (m.line < 0 || m.column < 0) return "";
  return fmt::format("{}:{}", m.line + 1, m.column + 1);
}

// Any scalar converts to a string (yaml.v2); null is the empty string.
util::Status YamlString(const YAML::Node& n, std::string_view what, std::string* out) {
  if (n.IsNull()) {
    out->clear();
    return util::Status::Ok();
  }
  if (!n.IsScalar()) return util::InvalidArgumentError(fmt::format("{} must be a string", what));
  *out = n.Scalar();
  return util::Status::Ok();
}

util::Status ReadYamlGroup(const YAML::Node& n, RawGroup* g) {
  if (n.IsNull()) return util::InvalidArgumentError("nil target group item found");
  if (!n.IsMap())
    return util::InvalidArgumentError("must be a mapping with \"targets\" and \"labels\"");
  std::set<std::string> seen;
  for (const auto& kv : n) {
    std::string key;
    KS_RETURN_IF_ERROR(YamlString(kv.first, "a key", &key));
    if (!seen.insert(key).second) {
      return util::InvalidArgumentError(fmt::format("field \"{}\" is set twice", key));
    }
    const YAML::Node& value = kv.second;
    if (key == "targets") {
      if (value.IsNull()) continue;
      if (!value.IsSequence())
        return util::InvalidArgumentError("\"targets\" must be a list of strings");
      for (const auto& t : value) {
        KS_RETURN_IF_ERROR(YamlString(t, "each target", &g->targets.emplace_back()));
      }
    } else if (key == "labels") {
      if (value.IsNull()) continue;
      if (!value.IsMap())
        return util::InvalidArgumentError("\"labels\" must be a mapping of strings");
      std::set<std::string> names;
      for (const auto& l : value) {
        auto& [name, label_value] = g->labels.emplace_back();
        KS_RETURN_IF_ERROR(YamlString(l.first, "a label name", &name));
        if (!names.insert(name).second) {
          return util::InvalidArgumentError(fmt::format("label \"{}\" is set twice", name));
        }
        KS_RETURN_IF_ERROR(YamlString(l.second, fmt::format("label \"{}\"", name), &label_value));
      }
    } else {
      return util::InvalidArgumentError(fmt::format("unknown field \"{}\"", key));
    }
  }
  return util::Status::Ok();
}

util::StatusOr<std::vector<model::TargetGroup>> ParseYaml(std::string_view path,
                                                          std::string_view content) {
  std::vector<RawGroup> raw;
  try {
    YAML::Node root = YAML::Load(std::string(content));
    if (!root.IsDefined() || root.IsNull()) return Finish(path, std::move(raw));
    if (!root.IsSequence())
      return Error(path, Pos(root), "the file must hold a list of target groups");
    for (const auto& n : root) {
      RawGroup& g = raw.emplace_back();
      g.pos = n.IsNull() ? "" : Pos(n);  // yaml-cpp marks a null item at the next token
      g.name = fmt::format("group {}", raw.size() - 1);
      if (auto s = ReadYamlGroup(n, &g); !s.ok()) return GroupError(path, g, s.message());
    }
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) return Error(path, "", e.msg);
    return Error(path, fmt::format("{}:{}", e.mark.line + 1, e.mark.column + 1), e.msg);
  }
  return Finish(path, std::move(raw));
}

std::string LowerExtension(std::string_view path) {
  size_t slash = path.find_last_of('/');
  size_t dot = path.find_last_of('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return "";
  std::string ext(path.substr(dot));
  for (char& c : ext) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return ext;
}

}  // namespace

util::StatusOr<std::vector<model::TargetGroup>> ParseFileSdFile(std::string_view path,
                                                                std::string_view content) {
  std::string ext = LowerExtension(path);
  if (ext == ".json") return ParseJson(path, content);
  if (ext == ".yml" || ext == ".yaml") return ParseYaml(path, content);
  return Error(path, "",
               fmt::format("unhandled file extension \"{}\" (want .json, .yml or .yaml)", ext));
}

}  // namespace kubescrape::discovery
