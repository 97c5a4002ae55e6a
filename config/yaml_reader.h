#pragma once
// The YAML adapter of the config loader: yaml-cpp nodes wrapped with the file
// name, position and field path that every error message carries, e.g.
//
//   prometheus.yml:14:9: scrape_configs[0].relabel_configs[2]: unknown relabel action "keepp"
//
// Scalars convert as Go's yaml.v2 (which Prometheus uses) converts them:
// YAML 1.1 booleans, integers with 0x/0o/0b prefixes, any scalar into a
// string field, and null into a field's zero value. Quoted scalars are
// strings: `"true"` is not a bool. yaml-cpp never throws past this layer.
//
// Thread-safety: none; used by one loading thread.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "model/duration.h"
#include "util/status.h"

namespace kubescrape::config {

// Collects independent errors so one run reports all of them (up to a cap).
class ErrorList {
 public:
  static constexpr size_t kMaxErrors = 20;
  void Add(const util::Status& s) {
    if (!s.ok() && errors_.size() < kMaxErrors) errors_.push_back(s.message());
  }
  bool ok() const { return errors_.empty(); }
  // All messages, one per line; OK when empty.
  util::Status ToStatus() const;

 private:
  std::vector<std::string> errors_;
};

struct Position {
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based
};

// A loaded document: its name (for messages) and text (for positions).
struct Source {
  std::string filename;
  std::string text;
};

class Node {
 public:
  // The document root of `source`.
  Node(YAML::Node node, std::shared_ptr<const Source> source);

  const YAML::Node& yaml() const { return node_; }
  const std::string& path() const { return path_; }
  const std::string& filename() const { return source_->filename; }
  Position position() const { return pos_; }

  bool IsNull() const { return !node_.IsDefined() || node_.IsNull(); }
  bool IsMap() const { return node_.IsMap(); }
  bool IsSeq() const { return node_.IsSequence(); }
  bool IsScalar() const { return node_.IsScalar(); }
  // True for a quoted scalar ('x' or "x"), which is always a string.
  bool IsQuoted() const { return node_.IsScalar() && node_.Tag() == "!"; }

  // "file:line:col: path: message" as an InvalidArgument status.
  util::Status Error(std::string_view message) const;
  std::string Describe(std::string_view message) const;
  // Like Describe, at another position (e.g. a key of this mapping).
  std::string DescribeAt(Position pos, std::string_view message) const;

  // Children (used by MapReader and Elements()).
  Node Child(std::string_view key, const YAML::Node& key_node, const YAML::Node& value) const;
  Node Element(size_t index, const YAML::Node& value) const;

  // Conversions. A null node gives the zero value ("" / false / 0 / empty).
  util::StatusOr<std::string> AsString() const;
  util::StatusOr<bool> AsBool() const;
  util::StatusOr<uint64_t> AsUint() const;
  util::StatusOr<double> AsFloat() const;
  util::StatusOr<model::Duration> AsDuration() const;
  util::StatusOr<int64_t> AsByteSize() const;
  util::StatusOr<std::vector<std::string>> AsStringList() const;
  // Sequence elements; null gives none; anything else is an error.
  util::StatusOr<std::vector<Node>> Elements() const;

 private:
  Node(YAML::Node node, std::shared_ptr<const Source> source, std::string path, Position pos)
      : node_(std::move(node)), source_(std::move(source)), path_(std::move(path)), pos_(pos) {}
  std::string_view KindName() const;

  YAML::Node node_;
  std::shared_ptr<const Source> source_;
  std::string path_;
  Position pos_;
};

// Reads one mapping: each known key is taken once; Finish() reports the keys
// nobody took as unknown fields (with a "did you mean" for near misses).
class MapReader {
 public:
  // REQUIRES: nothing; a null node reads as an empty mapping, and a node that
  // is not a mapping gives an error. Duplicate keys are errors, as in yaml.v2.
  static util::StatusOr<MapReader> Open(const Node& node);

  const Node& node() const { return node_; }

  // The value of `key`, marking it known; nullopt when absent.
  std::optional<Node> Take(std::string_view key);

  // Typed reads: an absent key leaves *out unchanged and returns OK.
  util::Status String(std::string_view key, std::string* out);
  util::Status Bool(std::string_view key, bool* out);
  util::Status Uint(std::string_view key, uint64_t* out);
  util::Status Duration(std::string_view key, model::Duration* out);
  util::Status ByteSize(std::string_view key, int64_t* out);
  // `*set` (optional) becomes true when the key is present and not null.
  util::Status StringList(std::string_view key, std::vector<std::string>* out, bool* set = nullptr);

  // All keys, in document order (merged keys after explicit ones).
  std::vector<std::string> Keys() const;

  // Error for the first key not taken. Call after taking every known key.
  util::Status Finish() const;

 private:
  struct Entry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
    bool taken = false;
  };
  explicit MapReader(Node node) : node_(std::move(node)) {}
  // Takes `key` and converts it with `convert`; absent leaves *out unchanged.
  template <typename T>
  util::Status Read(std::string_view key, T* out, util::StatusOr<T> (Node::*convert)() const);
  util::Status AddEntries(const YAML::Node& map, bool from_merge);

  Node node_;
  std::vector<Entry> entries_;
  std::set<std::string, std::less<>> known_;
};

}  // namespace kubescrape::config
