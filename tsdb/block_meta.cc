#include "tsdb/block_meta.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <cstdio>

#include "tsdb/block_format.h"
#include "tsdb/ulid.h"

namespace kubescrape::tsdb {
namespace {

using Value = rapidjson::Value;

util::Status FieldError(std::string_view field, std::string_view want) {
  return util::InvalidArgumentError("meta.json: field \"" + std::string(field) +
                                    "\": " + std::string(want));
}

// Each Get* leaves *out unchanged for null (absent, as in Go).
util::Status GetInt64(const Value& v, std::string_view field, int64_t* out) {
  if (v.IsNull()) return util::Status::Ok();
  if (!v.IsInt64()) return FieldError(field, "want an integer");
  *out = v.GetInt64();
  return util::Status::Ok();
}

util::Status GetUint64(const Value& v, std::string_view field, uint64_t* out) {
  if (v.IsNull()) return util::Status::Ok();
  if (!v.IsUint64()) return FieldError(field, "want a non-negative integer");
  *out = v.GetUint64();
  return util::Status::Ok();
}

util::Status GetInt(const Value& v, std::string_view field, int* out) {
  if (v.IsNull()) return util::Status::Ok();
  if (!v.IsInt()) return FieldError(field, "want an integer");
  *out = v.GetInt();
  return util::Status::Ok();
}

util::Status GetBool(const Value& v, std::string_view field, bool* out) {
  if (v.IsNull()) return util::Status::Ok();
  if (!v.IsBool()) return FieldError(field, "want a boolean");
  *out = v.GetBool();
  return util::Status::Ok();
}

util::Status GetString(const Value& v, std::string_view field, std::string* out) {
  if (v.IsNull()) return util::Status::Ok();
  if (!v.IsString()) return FieldError(field, "want a string");
  out->assign(v.GetString(), v.GetStringLength());
  return util::Status::Ok();
}

util::Status GetUlid(const Value& v, std::string_view field, std::string* out) {
  KS_RETURN_IF_ERROR(GetString(v, field, out));
  if (!v.IsNull() && !ValidUlid(*out)) return FieldError(field, "invalid ULID \"" + *out + "\"");
  return util::Status::Ok();
}

// Arrays: null leaves *out empty; each element goes through `get`.
template <typename T, typename Get>
util::Status GetArray(const Value& v, std::string_view field, std::vector<T>* out, Get get) {
  out->clear();
  if (v.IsNull()) return util::Status::Ok();
  if (!v.IsArray()) return FieldError(field, "want an array");
  for (const Value& e : v.GetArray()) {
    T item{};
    KS_RETURN_IF_ERROR(get(e, item));
    out->push_back(std::move(item));
  }
  return util::Status::Ok();
}

bool Is(const Value& key, std::string_view name) {
  return std::string_view(key.GetString(), key.GetStringLength()) == name;
}

util::Status ParseStats(const Value& v, BlockStats* s) {
  if (v.IsNull()) return util::Status::Ok();
  if (!v.IsObject()) return FieldError("stats", "want an object");
  for (const auto& m : v.GetObject()) {
    const Value& k = m.name;
    if (Is(k, "numSamples"))
      KS_RETURN_IF_ERROR(GetUint64(m.value, "stats.numSamples", &s->num_samples));
    if (Is(k, "numFloatSamples"))
      KS_RETURN_IF_ERROR(GetUint64(m.value, "stats.numFloatSamples", &s->num_float_samples));
    if (Is(k, "numHistogramSamples")) {
      KS_RETURN_IF_ERROR(
          GetUint64(m.value, "stats.numHistogramSamples", &s->num_histogram_samples));
    }
    if (Is(k, "numSeries"))
      KS_RETURN_IF_ERROR(GetUint64(m.value, "stats.numSeries", &s->num_series));
    if (Is(k, "numChunks"))
      KS_RETURN_IF_ERROR(GetUint64(m.value, "stats.numChunks", &s->num_chunks));
    if (Is(k, "numTombstones"))
      KS_RETURN_IF_ERROR(GetUint64(m.value, "stats.numTombstones", &s->num_tombstones));
  }
  return util::Status::Ok();
}

util::Status ParseParent(const Value& v, BlockDesc* d) {
  if (!v.IsObject()) return FieldError("compaction.parents", "want objects");
  for (const auto& m : v.GetObject()) {
    if (Is(m.name, "ulid"))
      KS_RETURN_IF_ERROR(GetUlid(m.value, "compaction.parents.ulid", &d->ulid));
    if (Is(m.name, "minTime"))
      KS_RETURN_IF_ERROR(GetInt64(m.value, "compaction.parents.minTime", &d->min_time));
    if (Is(m.name, "maxTime"))
      KS_RETURN_IF_ERROR(GetInt64(m.value, "compaction.parents.maxTime", &d->max_time));
  }
  return util::Status::Ok();
}

util::Status ParseCompaction(const Value& v, BlockMeta* meta) {
  if (v.IsNull()) return util::Status::Ok();
  if (!v.IsObject()) return FieldError("compaction", "want an object");
  for (const auto& m : v.GetObject()) {
    const Value& k = m.name;
    if (Is(k, "level"))
      KS_RETURN_IF_ERROR(GetInt(m.value, "compaction.level", &meta->compaction_level));
    if (Is(k, "sources")) {
      KS_RETURN_IF_ERROR(GetArray(m.value, "compaction.sources", &meta->compaction_sources,
                                  [](const Value& e, std::string& s) {
                                    if (e.IsNull())
                                      return FieldError("compaction.sources", "invalid ULID null");
                                    return GetUlid(e, "compaction.sources", &s);
                                  }));
    }
    if (Is(k, "parents")) {
      KS_RETURN_IF_ERROR(GetArray(m.value, "compaction.parents", &meta->parents,
                                  [](const Value& e, BlockDesc& d) { return ParseParent(e, &d); }));
    }
    if (Is(k, "deletable"))
      KS_RETURN_IF_ERROR(GetBool(m.value, "compaction.deletable", &meta->compaction_deletable));
    if (Is(k, "failed"))
      KS_RETURN_IF_ERROR(GetBool(m.value, "compaction.failed", &meta->compaction_failed));
    if (Is(k, "hints")) {
      KS_RETURN_IF_ERROR(GetArray(
          m.value, "compaction.hints", &meta->compaction_hints,
          [](const Value& e, std::string& s) { return GetString(e, "compaction.hints", &s); }));
    }
  }
  return util::Status::Ok();
}

// A JSON string as Go's encoding/json writes it (HTML-safe escapes).
void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (c < 0x20 || c == '<' || c == '>' || c == '&') {
          char esc[8];
          std::snprintf(esc, sizeof(esc), "\\u%04x", c);
          *out += esc;
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

// Appends the lines of a JSON object at `depth` tabs, Go MarshalIndent style.
class ObjectWriter {
 public:
  ObjectWriter(std::string* out, int depth) : out_(out), depth_(depth) { out_->push_back('{'); }
  // Starts member `name`; the caller appends the value.
  void Key(std::string_view name) {
    *out_ += first_ ? "\n" : ",\n";
    first_ = false;
    out_->append(depth_ + 1, '\t');
    AppendJsonString(out_, name);
    *out_ += ": ";
  }
  void Int(std::string_view name, int64_t v) {
    Key(name);
    *out_ += std::to_string(v);
  }
  void Uint(std::string_view name, uint64_t v) {
    Key(name);
    *out_ += std::to_string(v);
  }
  void String(std::string_view name, std::string_view v) {
    Key(name);
    AppendJsonString(out_, v);
  }
  void Strings(std::string_view name, const std::vector<std::string>& v) {
    Key(name);
    *out_ += "[";
    for (size_t i = 0; i < v.size(); ++i) {
      *out_ += i == 0 ? "\n" : ",\n";
      out_->append(depth_ + 2, '\t');
      AppendJsonString(out_, v[i]);
    }
    *out_ += "\n";
    out_->append(depth_ + 1, '\t');
    *out_ += "]";
  }
  void End() {
    if (!first_) {
      *out_ += "\n";
      out_->append(depth_, '\t');
    }
    *out_ += "}";
  }
  int depth() const { return depth_; }

 private:
  std::string* out_;
  const int depth_;
  bool first_ = true;
};

}  // namespace

util::StatusOr<BlockMeta> ParseBlockMeta(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) {
    return util::InvalidArgumentError(
        "meta.json: " + std::string(rapidjson::GetParseError_En(doc.GetParseError())) +
        " at offset " + std::to_string(doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) return util::InvalidArgumentError("meta.json: want a JSON object");
  BlockMeta meta;
  meta.version = 0;  // absent: Prometheus reads 0 and rejects it
  bool have_ulid = false, have_min = false, have_max = false;
  for (const auto& m : doc.GetObject()) {
    const Value& k = m.name;
    if (Is(k, "ulid")) {
      KS_RETURN_IF_ERROR(GetUlid(m.value, "ulid", &meta.ulid));
      have_ulid = !m.value.IsNull();
    } else if (Is(k, "minTime")) {
      KS_RETURN_IF_ERROR(GetInt64(m.value, "minTime", &meta.min_time));
      have_min = !m.value.IsNull();
    } else if (Is(k, "maxTime")) {
      KS_RETURN_IF_ERROR(GetInt64(m.value, "maxTime", &meta.max_time));
      have_max = !m.value.IsNull();
    } else if (Is(k, "stats")) {
      KS_RETURN_IF_ERROR(ParseStats(m.value, &meta.stats));
    } else if (Is(k, "compaction")) {
      KS_RETURN_IF_ERROR(ParseCompaction(m.value, &meta));
    } else if (Is(k, "version")) {
      KS_RETURN_IF_ERROR(GetInt(m.value, "version", &meta.version));
    }
  }
  if (!have_ulid) return FieldError("ulid", "missing");
  if (!have_min) return FieldError("minTime", "missing");
  if (!have_max) return FieldError("maxTime", "missing");
  if (meta.version != block_format::kMetaVersion1) {
    return util::InvalidArgumentError("meta.json: unexpected meta file version " +
                                      std::to_string(meta.version));
  }
  return meta;
}

std::string FormatBlockMeta(const BlockMeta& meta) {
  std::string out;
  ObjectWriter top(&out, 0);
  top.String("ulid", meta.ulid);
  top.Int("minTime", meta.min_time);
  top.Int("maxTime", meta.max_time);

  top.Key("stats");
  ObjectWriter stats(&out, 1);
  const BlockStats& s = meta.stats;
  if (s.num_samples != 0) stats.Uint("numSamples", s.num_samples);
  if (s.num_float_samples != 0) stats.Uint("numFloatSamples", s.num_float_samples);
  if (s.num_histogram_samples != 0) stats.Uint("numHistogramSamples", s.num_histogram_samples);
  if (s.num_series != 0) stats.Uint("numSeries", s.num_series);
  if (s.num_chunks != 0) stats.Uint("numChunks", s.num_chunks);
  if (s.num_tombstones != 0) stats.Uint("numTombstones", s.num_tombstones);
  stats.End();

  top.Key("compaction");
  ObjectWriter c(&out, 1);
  c.Int("level", meta.compaction_level);
  if (!meta.compaction_sources.empty()) c.Strings("sources", meta.compaction_sources);
  if (meta.compaction_deletable) {
    c.Key("deletable");
    out += "true";
  }
  if (!meta.parents.empty()) {
    c.Key("parents");
    out += "[";
    for (size_t i = 0; i < meta.parents.size(); ++i) {
      out += i == 0 ? "\n\t\t\t" : ",\n\t\t\t";
      ObjectWriter p(&out, 3);
      p.String("ulid", meta.parents[i].ulid);
      p.Int("minTime", meta.parents[i].min_time);
      p.Int("maxTime", meta.parents[i].max_time);
      p.End();
    }
    out += "\n\t\t]";
  }
  if (meta.compaction_failed) {
    c.Key("failed");
    out += "true";
  }
  if (!meta.compaction_hints.empty()) c.Strings("hints", meta.compaction_hints);
  c.End();

  top.Int("version", meta.version);
  top.End();
  return out;
}

util::Status WriteBlockMeta(util::FileSystem& fs, const std::string& block_dir,
                            const BlockMeta& meta) {
  return util::WriteFileAtomically(fs, block_dir + "/" + block_format::kMetaFileName,
                                   FormatBlockMeta(meta));
}

util::StatusOr<BlockMeta> ReadBlockMeta(const util::FileSystem& fs, const std::string& block_dir) {
  const std::string path = block_dir + "/" + block_format::kMetaFileName;
  KS_ASSIGN_OR_RETURN(std::string content, fs.ReadFile(path));
  auto meta = ParseBlockMeta(content);
  if (!meta.ok()) return util::InvalidArgumentError(path + ": " + meta.status().message());
  return meta;
}

}  // namespace kubescrape::tsdb
