#include "config/yaml_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "model/byte_size.h"

namespace kubescrape::config {
namespace {

Position PositionOf(const YAML::Node& n, Position fallback) {
  YAML::Mark m = n.Mark();
  if (m.line < 0 || m.column < 0 || (n.IsNull() && fallback.line > 0)) return fallback;
  return Position{m.line + 1, m.column + 1};
}

// yaml-cpp marks an empty sequence item ("-" alone) at the next token; walk
// back from there to the item's own dash.
Position NullItemPosition(const YAML::Node& n, const std::string& text, Position fallback) {
  YAML::Mark m = n.Mark();
  if (m.pos < 0 || static_cast<size_t>(m.pos) > text.size()) return fallback;
  size_t i = static_cast<size_t>(m.pos);
  while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n' || text[i - 1] == '\r')) --i;
  if (i > 0 && text[i - 1] == '~') --i;  // an explicit "~" item: find its dash too
  while (i > 0 && text[i - 1] == ' ') --i;
  if (i == 0 || text[i - 1] != '-') return PositionOf(n, fallback);
  size_t dash = i - 1;
  size_t line_start = text.rfind('\n', dash);
  line_start = line_start == std::string::npos ? 0 : line_start + 1;
  int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(dash), '\n'));
  return Position{line, static_cast<int>(dash - line_start) + 1};
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// yaml.v2's YAML 1.1 booleans.
std::optional<bool> ParseYamlBool(std::string_view s) {
  static constexpr std::string_view kTrue[] = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
  static constexpr std::string_view kFalse[] = {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};
  for (std::string_view t : kTrue) {
    if (s == t) return true;
  }
  for (std::string_view f : kFalse) {
    if (s == f) return false;
  }
  return std::nullopt;
}

// yaml.v2 integers: optional '+', '_' separators, 0x / 0o / 0 / 0b prefixes.
std::optional<uint64_t> ParseYamlUint(std::string_view s) {
  std::string digits;
  for (char c : s) {
    if (c != '_') digits.push_back(c);
  }
  std::string_view d = digits;
  if (!d.empty() && d[0] == '+') d.remove_prefix(1);
  if (d.empty()) return std::nullopt;
  int base = 10;
  if (d.size() > 2 && d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) {
    base = 16;
    d.remove_prefix(2);
  } else if (d.size() > 2 && d[0] == '0' && (d[1] == 'b' || d[1] == 'B')) {
    base = 2;
    d.remove_prefix(2);
  } else if (d.size() > 2 && d[0] == '0' && (d[1] == 'o' || d[1] == 'O')) {
    base = 8;
    d.remove_prefix(2);
  } else if (d.size() > 1 && d[0] == '0') {
    base = 8;
    d.remove_prefix(1);
  }
  uint64_t v = 0;
  for (char c : d) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    if (digit >= base) return std::nullopt;
    if (v > (UINT64_MAX - static_cast<uint64_t>(digit)) / static_cast<uint64_t>(base)) return std::nullopt;
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(digit);
  }
  return v;
}

}  // namespace

util::Status ErrorList::ToStatus() const {
  if (errors_.empty()) return util::Status::Ok();
  std::string msg;
  for (size_t i = 0; i < errors_.size(); ++i) {
    if (i > 0) msg += "\n";
    msg += errors_[i];
  }
  return util::InvalidArgumentError(std::move(msg));
}

Node::Node(YAML::Node node, std::shared_ptr<const Source> source)
    : node_(std::move(node)), source_(std::move(source)), pos_(PositionOf(node_, Position{1, 1})) {}

std::string Node::Describe(std::string_view message) const { return DescribeAt(pos_, message); }

std::string Node::DescribeAt(Position pos, std::string_view message) const {
  std::string out = source_->filename;
  if (pos.line > 0) out += fmt::format(":{}:{}", pos.line, pos.column);
  out += ": ";
  if (!path_.empty()) {
    out += path_;
    out += ": ";
  }
  out += message;
  return out;
}

util::Status Node::Error(std::string_view message) const {
  return util::InvalidArgumentError(Describe(message));
}

Node Node::Child(std::string_view key, const YAML::Node& key_node, const YAML::Node& value) const {
  std::string path = path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  Position key_pos = PositionOf(key_node, pos_);
  return Node(value, source_, std::move(path), PositionOf(value, key_pos));
}

Node Node::Element(size_t index, const YAML::Node& value) const {
  Position pos = value.IsNull() ? NullItemPosition(value, source_->text, pos_) : PositionOf(value, pos_);
  return Node(value, source_, fmt::format("{}[{}]", path_, index), pos);
}

std::string_view Node::KindName() const {
  if (IsNull()) return "null";
  if (node_.IsMap()) return "a mapping";
  if (node_.IsSequence()) return "a list";
  return "a scalar";
}

util::StatusOr<std::string> Node::AsString() const {
  if (IsNull()) return std::string();
  if (!node_.IsScalar()) return Error(fmt::format("expected a string, got {}", KindName()));
  return node_.Scalar();
}

util::StatusOr<bool> Node::AsBool() const {
  if (IsNull()) return false;
  if (node_.IsScalar() && !IsQuoted()) {
    if (auto b = ParseYamlBool(node_.Scalar())) return *b;
  }
  return Error(fmt::format("expected a boolean (true or false), got {}",
                           node_.IsScalar() ? "\"" + node_.Scalar() + "\"" : std::string(KindName())));
}

util::StatusOr<uint64_t> Node::AsUint() const {
  if (IsNull()) return uint64_t{0};
  if (node_.IsScalar() && !IsQuoted()) {
    if (auto v = ParseYamlUint(node_.Scalar())) return *v;
  }
  return Error(fmt::format("expected a non-negative integer, got {}",
                           node_.IsScalar() ? "\"" + node_.Scalar() + "\"" : std::string(KindName())));
}

util::StatusOr<double> Node::AsFloat() const {
  if (IsNull()) return 0.0;
  if (node_.IsScalar() && !IsQuoted()) {
    const std::string& s = node_.Scalar();
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size() && std::isfinite(v)) return v;
  }
  return Error(fmt::format("expected a number, got {}",
                           node_.IsScalar() ? "\"" + node_.Scalar() + "\"" : std::string(KindName())));
}

util::StatusOr<model::Duration> Node::AsDuration() const {
  if (IsNull()) return model::Duration(0);
  KS_ASSIGN_OR_RETURN(std::string s, AsString());
  auto d = model::ParseDuration(s);
  if (!d.ok()) return Error(d.status().message());
  return *d;
}

util::StatusOr<int64_t> Node::AsByteSize() const {
  if (IsNull()) return int64_t{0};
  KS_ASSIGN_OR_RETURN(std::string s, AsString());
  auto n = model::ParseByteSize(s);
  if (!n.ok()) return Error(n.status().message());
  return *n;
}

util::StatusOr<std::vector<Node>> Node::Elements() const {
  std::vector<Node> out;
  if (IsNull()) return out;
  if (!node_.IsSequence()) return Error(fmt::format("expected a list, got {}", KindName()));
  for (size_t i = 0; i < node_.size(); ++i) out.push_back(Element(i, node_[i]));
  return out;
}

util::StatusOr<std::vector<std::string>> Node::AsStringList() const {
  KS_ASSIGN_OR_RETURN(std::vector<Node> elements, Elements());
  std::vector<std::string> out;
  out.reserve(elements.size());
  for (const Node& e : elements) {
    KS_ASSIGN_OR_RETURN(std::string s, e.AsString());
    out.push_back(std::move(s));
  }
  return out;
}

util::StatusOr<MapReader> MapReader::Open(const Node& node) {
  MapReader r(node);
  if (node.IsNull()) return r;
  if (!node.IsMap()) return node.Error(fmt::format("expected a mapping, got {}", node.IsSeq() ? "a list" : "a scalar"));
  KS_RETURN_IF_ERROR(r.AddEntries(node.yaml(), false));
  return r;
}

util::Status MapReader::AddEntries(const YAML::Node& map, bool from_merge) {
  std::vector<YAML::Node> merges;
  std::vector<Entry> own;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it->first.IsScalar()) {
      return node_.Child("?", it->first, it->second).Error("mapping keys must be strings");
    }
    std::string key = it->first.Scalar();
    if (key == "<<" && it->first.Tag() != "!") {
      merges.push_back(it->second);
      continue;
    }
    for (const Entry& e : own) {
      if (e.key == key) {
        return node_.Child(key, it->first, it->second)
            .Error(fmt::format("mapping key \"{}\" already defined at line {}", key, e.key_node.Mark().line + 1));
      }
    }
    own.push_back(Entry{key, it->first, it->second});
  }
  // Explicit keys win over merged ones; merged keys never override.
  for (Entry& e : own) {
    auto existing = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& x) { return x.key == e.key; });
    if (existing == entries_.end()) {
      entries_.push_back(std::move(e));
    } else if (!from_merge) {
      *existing = std::move(e);
    }
  }
  for (const YAML::Node& m : merges) {
    std::vector<YAML::Node> sources;
    if (m.IsSequence()) {
      for (size_t i = 0; i < m.size(); ++i) sources.push_back(m[i]);
    } else {
      sources.push_back(m);
    }
    for (const YAML::Node& src : sources) {
      if (!src.IsMap()) return node_.Child("<<", m, m).Error("merge key value must be a mapping or a list of mappings");
      KS_RETURN_IF_ERROR(AddEntries(src, true));
    }
  }
  return util::Status::Ok();
}

std::optional<Node> MapReader::Take(std::string_view key) {
  known_.insert(std::string(key));
  for (Entry& e : entries_) {
    if (e.key == key) {
      e.taken = true;
      return node_.Child(key, e.key_node, e.value);
    }
  }
  return std::nullopt;
}

template <typename T>
util::Status MapReader::Read(std::string_view key, T* out, util::StatusOr<T> (Node::*convert)() const) {
  auto n = Take(key);
  if (!n) return util::Status::Ok();
  KS_ASSIGN_OR_RETURN(*out, ((*n).*convert)());
  return util::Status::Ok();
}

util::Status MapReader::String(std::string_view key, std::string* out) { return Read(key, out, &Node::AsString); }
util::Status MapReader::Bool(std::string_view key, bool* out) { return Read(key, out, &Node::AsBool); }
util::Status MapReader::Uint(std::string_view key, uint64_t* out) { return Read(key, out, &Node::AsUint); }
util::Status MapReader::Duration(std::string_view key, model::Duration* out) {
  return Read(key, out, &Node::AsDuration);
}
util::Status MapReader::ByteSize(std::string_view key, int64_t* out) { return Read(key, out, &Node::AsByteSize); }

util::Status MapReader::StringList(std::string_view key, std::vector<std::string>* out, bool* set) {
  auto n = Take(key);
  if (!n) return util::Status::Ok();
  KS_ASSIGN_OR_RETURN(*out, n->AsStringList());
  if (set != nullptr) *set = !n->IsNull();
  return util::Status::Ok();
}

std::vector<std::string> MapReader::Keys() const {
  std::vector<std::string> keys;
  keys.reserve(entries_.size());
  for (const Entry& e : entries_) keys.push_back(e.key);
  return keys;
}

util::Status MapReader::Finish() const {
  for (const Entry& e : entries_) {
    if (e.taken) continue;
    std::string msg = fmt::format("unknown field \"{}\"", e.key);
    std::string best;
    size_t best_distance = 3;
    for (const std::string& k : known_) {
      size_t d = EditDistance(e.key, k);
      if (d < best_distance) {
        best_distance = d;
        best = k;
      }
    }
    if (!best.empty()) msg += fmt::format(" (did you mean \"{}\"?)", best);
    // Point at the key itself, named by the enclosing mapping's path.
    return util::InvalidArgumentError(node_.DescribeAt(PositionOf(e.key_node, node_.position()), msg));
  }
  return util::Status::Ok();
}

}  // namespace kubescrape::config
