#include "test/fake_apiserver/request.h"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cerrno>
#include <cstdlib>

#include "util/base64.h"
#include "util/utf8.h"

namespace kubescrape::fake_apiserver {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Go's url.QueryUnescape (plus_is_space) / PathUnescape.
std::optional<std::string> Unescape(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = HexValue(s[i + 1]);
      int lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

const std::string* First(const QueryMap& q, std::string_view name) {
  auto it = q.find(name);
  if (it == q.end() || it->second.empty()) return nullptr;
  return &it->second.front();
}

// runtime.Convert_Slice_string_To_bool: anything but "false"/"0" is true.
bool ParseBool(const std::string& v) {
  std::string lower = util::ToLower(v);
  return lower != "false" && lower != "0";
}

ApiOr<int64_t> ParseInt(std::string_view name, const std::string& v) {
  errno = 0;
  char* end = nullptr;
  long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || errno == ERANGE) {
    return BadRequestError(fmt::format("{}: strconv.ParseInt: parsing {}: {}", name, util::GoQuote(v),
                                       errno == ERANGE ? "value out of range" : "invalid syntax"));
  }
  return static_cast<int64_t>(n);
}

FieldCause Forbidden(std::string field, std::string detail) {
  return FieldCause{std::move(field), "FieldValueForbidden", "Forbidden: " + detail};
}

std::string Base64Url(std::string_view data) {
  std::string s = util::Base64Encode(data);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return s;
}

std::optional<std::string> UnBase64Url(std::string_view data) {
  std::string s(data);
  for (char& c : s) {
    if (c == '+' || c == '/' || c == '=') return std::nullopt;
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  if (s.size() % 4 == 1) return std::nullopt;
  while (s.size() % 4 != 0) s.push_back('=');
  util::StatusOr<std::string> out = util::Base64Decode(s);
  if (!out.ok()) return std::nullopt;
  return *out;
}

}  // namespace

QueryMap ParseQuery(std::string_view query) {
  QueryMap out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty() || pair.find(';') != std::string_view::npos) continue;
    size_t eq = pair.find('=');
    std::optional<std::string> key = Unescape(pair.substr(0, eq), true);
    std::optional<std::string> value =
        Unescape(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!key || !value) continue;
    out[*key].push_back(*value);
  }
  return out;
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string_view seg = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!seg.empty()) {
      std::optional<std::string> decoded = Unescape(seg, false);
      out.push_back(decoded ? *decoded : std::string(seg));
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

ApiOr<ListOptions> ParseListOptions(const QueryMap& query) {
  ListOptions o;
  if (const std::string* v = First(query, "labelSelector")) o.label_selector = *v;
  if (const std::string* v = First(query, "fieldSelector")) o.field_selector = *v;
  if (const std::string* v = First(query, "watch")) o.watch = ParseBool(*v);
  if (const std::string* v = First(query, "allowWatchBookmarks")) o.allow_watch_bookmarks = ParseBool(*v);
  if (const std::string* v = First(query, "resourceVersion")) o.resource_version = *v;
  if (const std::string* v = First(query, "resourceVersionMatch")) o.resource_version_match = *v;
  if (const std::string* v = First(query, "continue")) o.continue_token = *v;
  if (const std::string* v = First(query, "sendInitialEvents")) o.send_initial_events = ParseBool(*v);
  if (const std::string* v = First(query, "timeoutSeconds")) {
    ApiOr<int64_t> n = ParseInt("timeoutSeconds", *v);
    if (!n.ok()) return n.error();
    o.timeout_seconds = *n;
  }
  if (const std::string* v = First(query, "limit")) {
    ApiOr<int64_t> n = ParseInt("limit", *v);
    if (!n.ok()) return n.error();
    o.limit = *n;
  }
  // internalversion/validation.ValidateListOptions.
  std::vector<FieldCause> errs;
  const std::string& match = o.resource_version_match;
  if (o.watch) {
    if (o.send_initial_events && match != "NotOlderThan") {
      errs.push_back(Forbidden("resourceVersionMatch",
                               "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"));
    }
    if (!match.empty()) {
      if (!o.send_initial_events) {
        errs.push_back(Forbidden("resourceVersionMatch",
                                 "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"));
      }
      if (match != "NotOlderThan") {
        errs.push_back({"resourceVersionMatch", "FieldValueNotSupported",
                        fmt::format("Unsupported value: {}: supported values: \"NotOlderThan\"", util::GoQuote(match))});
      }
      if (!o.continue_token.empty()) {
        errs.push_back(Forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"));
      }
    }
  } else {
    if (!match.empty()) {
      if (o.resource_version.empty()) {
        errs.push_back(
            Forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden unless resourceVersion is provided"));
      }
      if (!o.continue_token.empty()) {
        errs.push_back(Forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"));
      }
      if (match != "Exact" && match != "NotOlderThan") {
        errs.push_back({"resourceVersionMatch", "FieldValueNotSupported",
                        fmt::format("Unsupported value: {}: supported values: \"Exact\", \"NotOlderThan\", \"\"",
                                    util::GoQuote(match))});
      }
      if (match == "Exact" && o.resource_version == "0") {
        errs.push_back(Forbidden("resourceVersionMatch",
                                 "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\""));
      }
    }
    if (o.send_initial_events) errs.push_back(Forbidden("sendInitialEvents", "sendInitialEvents is forbidden for list"));
  }
  if (!errs.empty()) return InvalidError("ListOptions", "meta.k8s.io", "", errs);
  return o;
}

ApiOr<uint64_t> ParseResourceVersion(std::string_view rv) {
  if (rv.empty() || rv == "0") return uint64_t{0};
  std::string s(rv);
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE || s[0] == '-' || s[0] == '+' || s[0] == ' ') {
    return BadRequestError(fmt::format("resourceVersion: Invalid value: {}: strconv.ParseUint: parsing {}: {}",
                                       util::GoQuote(rv), util::GoQuote(rv),
                                       errno == ERANGE ? "value out of range" : "invalid syntax"));
  }
  return static_cast<uint64_t>(v);
}

std::string EncodeContinue(const ContinueToken& token) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("v");
  w.String("meta.k8s.io/v1");
  w.Key("rv");
  w.Int64(token.resource_version);
  w.Key("start");
  w.String(token.start.data(), static_cast<rapidjson::SizeType>(token.start.size()));
  w.EndObject();
  return Base64Url(std::string_view(buf.GetString(), buf.GetSize()));
}

ApiOr<ContinueToken> DecodeContinue(std::string_view token) {
  auto invalid = [](std::string_view detail) {
    return BadRequestError(fmt::format("invalid continue token: continue key is not valid{}", detail));
  };
  std::optional<std::string> json = UnBase64Url(token);
  if (!json) return invalid(": illegal base64 data");
  rapidjson::Document doc;
  doc.Parse(json->data(), json->size());
  if (doc.HasParseError() || !doc.IsObject()) return invalid(": invalid JSON");
  auto v = doc.FindMember("v");
  if (v == doc.MemberEnd() || !v->value.IsString() || std::string_view(v->value.GetString()) != "meta.k8s.io/v1") {
    return invalid(": server does not recognize this encoded version");
  }
  ContinueToken out;
  auto rv = doc.FindMember("rv");
  if (rv != doc.MemberEnd() && rv->value.IsInt64()) out.resource_version = rv->value.GetInt64();
  auto start = doc.FindMember("start");
  if (start == doc.MemberEnd() || !start->value.IsString() || start->value.GetStringLength() == 0) {
    return invalid(": encoded start key empty (version meta.k8s.io/v1)");
  }
  out.start.assign(start->value.GetString(), start->value.GetStringLength());
  // The API server rejects keys that would escape the listed prefix.
  std::string_view key = out.start;
  if (key.starts_with('/') || key.find("//") != std::string_view::npos || key == ".." || key.starts_with("../") ||
      key.find("/../") != std::string_view::npos || key.ends_with("/..") || key.ends_with('/')) {
    return invalid(": " + out.start);
  }
  if (out.resource_version == 0) return invalid(": incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
  return out;
}

ApiOr<OutputFormat> NegotiateFormat(std::string_view accept) {
  if (accept.empty()) return OutputFormat::kJson;
  while (!accept.empty()) {
    size_t comma = accept.find(',');
    std::string_view range = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    // type/subtype;param=value;...
    std::string type;
    std::map<std::string, std::string> params;
    size_t start = 0;
    bool first = true;
    while (start <= range.size()) {
      size_t semi = range.find(';', start);
      std::string_view part = range.substr(start, semi == std::string_view::npos ? std::string_view::npos : semi - start);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
      if (first) {
        type = util::ToLower(part);
        first = false;
      } else {
        size_t eq = part.find('=');
        if (eq != std::string_view::npos) {
          params[util::ToLower(part.substr(0, eq))] = std::string(part.substr(eq + 1));
        }
      }
      if (semi == std::string_view::npos) break;
      start = semi + 1;
    }
    bool json = type == "application/json" || type == "*/*" || type == "application/*";
    if (!json) continue;
    auto as = params.find("as");
    if (as == params.end()) return OutputFormat::kJson;
    auto g = params.find("g");
    if (as->second == "Table" && g != params.end() && g->second == "meta.k8s.io") return OutputFormat::kTable;
  }
  return NotAcceptableError();
}

}  // namespace kubescrape::fake_apiserver
