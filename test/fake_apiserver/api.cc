// Api: authentication, routing, discovery, health and admin endpoints. The
// resource verbs are in api_read.cc and api_write.cc.
#include "test/fake_apiserver/api.h"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <ctime>

#include "test/fake_apiserver/api_route.h"

namespace kubescrape::fake_apiserver {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Key(Writer& w, std::string_view k) { w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }
void Str(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

ApiResponse Json(std::string body, int code = 200) {
  ApiResponse r;
  r.code = code;
  r.body = std::move(body);
  return r;
}

ApiResponse Text(std::string body, int code = 200) {
  ApiResponse r;
  r.code = code;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

bool IsHealthPath(std::string_view path) {
  for (std::string_view p : {"/healthz", "/livez", "/readyz"}) {
    if (path == p || (path.starts_with(p) && path.size() > p.size() && path[p.size()] == '/')) return true;
  }
  return false;
}

// Paths an unauthenticated client may read (system:public-info-viewer).
bool IsPublicPath(std::string_view path) { return path == "/version" || IsHealthPath(path); }

ApiResponse Health(std::string_view path, const QueryMap& query) {
  std::string_view root = path.substr(0, path.find('/', 1));
  if (path.size() > root.size()) return Text("ok");  // an individual check, e.g. /healthz/ping
  if (query.count("verbose") == 0) return Text("ok");
  std::string name(root.substr(1));
  return Text(fmt::format("[+]ping ok\n[+]log ok\n[+]etcd ok\n{} check passed\n", name));
}

std::string ResourceList() {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Key(w, "kind"), Str(w, "APIResourceList");
  Key(w, "groupVersion"), Str(w, "v1");
  Key(w, "resources");
  w.StartArray();
  for (const ResourceType* t : AllResources()) {
    w.StartObject();
    Key(w, "name"), Str(w, t->name);
    Key(w, "singularName"), Str(w, t->singular);
    Key(w, "namespaced"), w.Bool(t->namespaced);
    Key(w, "kind"), Str(w, t->kind);
    Key(w, "verbs");
    w.StartArray();
    for (std::string_view v : t->verbs) Str(w, v);
    w.EndArray();
    Key(w, "shortNames");
    w.StartArray();
    for (std::string_view s : t->short_names) Str(w, s);
    w.EndArray();
    if (t->kind == "Pod") {
      Key(w, "categories");
      w.StartArray();
      Str(w, "all");
      w.EndArray();
    }
    Key(w, "storageVersionHash"), Str(w, t->storage_version_hash);
    w.EndObject();
    // The status subresource.
    w.StartObject();
    Key(w, "name"), Str(w, fmt::format("{}/status", t->name));
    Key(w, "singularName"), Str(w, "");
    Key(w, "namespaced"), w.Bool(t->namespaced);
    Key(w, "kind"), Str(w, t->kind);
    Key(w, "verbs");
    w.StartArray();
    Str(w, "get"), Str(w, "patch"), Str(w, "update");
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return buf.GetString();
}

// OpenAPI v3, just enough for kubectl: the discovery document, and for
// core/v1 the PATCH operations with their group-version-kind and the
// fieldValidation parameter, which tells kubectl to leave validation to the
// server instead of downloading schemas. Schemas themselves are not served.
std::string OpenApiV3(std::string_view path, std::string_view git_version) {
  if (path == "/openapi/v3") {
    return "{\"paths\":{\"api/v1\":{\"serverRelativeURL\":\"/openapi/v3/api/v1?hash=F4KE\"}}}";
  }
  std::string paths;
  for (const ResourceType* t : AllResources()) {
    std::string item = t->namespaced ? fmt::format("/api/v1/namespaces/{{namespace}}/{}/{{name}}", t->name)
                                     : fmt::format("/api/v1/{}/{{name}}", t->name);
    if (!paths.empty()) paths += ',';
    paths += fmt::format(
        "\"{}\":{{\"patch\":{{\"operationId\":\"patchCoreV1{}\",\"parameters\":[{{\"name\":\"fieldValidation\","
        "\"in\":\"query\",\"schema\":{{\"type\":\"string\",\"uniqueItems\":true}}}},{{\"name\":\"dryRun\","
        "\"in\":\"query\",\"schema\":{{\"type\":\"string\",\"uniqueItems\":true}}}}],\"responses\":{{}},"
        "\"x-kubernetes-action\":\"patch\",\"x-kubernetes-group-version-kind\":{{\"group\":\"\",\"kind\":\"{}\","
        "\"version\":\"v1\"}}}}}}",
        item, t->kind, t->kind);
  }
  return fmt::format(
      "{{\"openapi\":\"3.0.0\",\"info\":{{\"title\":\"Kubernetes\",\"version\":\"{}\"}},\"paths\":{{{}}},"
      "\"components\":{{\"schemas\":{{}}}}}}",
      git_version, paths);
}

}  // namespace

std::string FormatRfc3339(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

Api::Api(ObjectStore& store, const util::Clock& clock, Options options)
    : store_(store), clock_(clock), options_(std::move(options)) {}

std::string Api::Now() const { return FormatRfc3339(clock_.NowMillis() / 1000); }

TableOptions Api::MakeTableOptions(const QueryMap& query) const {
  TableOptions t;
  auto it = query.find("includeObject");
  if (it != query.end() && !it->second.empty()) t.include_object = it->second.front();
  t.clock = &clock_;
  return t;
}

void Api::Bootstrap() {
  for (std::string_view ns : {"default", "kube-node-lease", "kube-public", "kube-system"}) {
    EnsureNamespace(ns).ok();  // already existing is fine
  }
}

ApiResponse Api::Discovery(std::string_view path) const {
  if (path == "/version") {
    rapidjson::StringBuffer buf;
    Writer w(buf);
    std::string_view v = options_.git_version;  // "v1.32.0"
    size_t dot1 = v.find('.');
    size_t dot2 = v.find('.', dot1 + 1);
    w.StartObject();
    Key(w, "major"), Str(w, v.substr(1, dot1 - 1));
    Key(w, "minor"), Str(w, v.substr(dot1 + 1, dot2 - dot1 - 1));
    Key(w, "gitVersion"), Str(w, v);
    Key(w, "gitCommit"), Str(w, "0000000000000000000000000000000000000000");
    Key(w, "gitTreeState"), Str(w, "clean");
    Key(w, "buildDate"), Str(w, "2025-01-01T00:00:00Z");
    Key(w, "goVersion"), Str(w, "go1.23.4");
    Key(w, "compiler"), Str(w, "gc");
    Key(w, "platform"), Str(w, "linux/amd64");
    w.EndObject();
    return Json(buf.GetString());
  }
  if (path == "/api") {
    return Json(fmt::format(
        "{{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":[{{\"clientCIDR\":\"0.0.0.0/"
        "0\",\"serverAddress\":\"{}\"}}]}}",
        server_address_));
  }
  if (path == "/apis") return Json("{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[]}");
  return Json(ResourceList());  // /api/v1
}

ApiResponse Api::Admin(const ApiRequest& request, std::string_view path, const QueryMap& query) {
  if (request.method != "POST") return MethodNotAllowedError().ToResponse();
  auto param = [&](std::string_view name) -> std::string {
    auto it = query.find(name);
    return it == query.end() || it->second.empty() ? "" : it->second.front();
  };
  if (path == "/fake/compact") {
    std::optional<uint64_t> rv;
    if (std::string v = param("resourceVersion"); !v.empty()) {
      ApiOr<uint64_t> parsed = ParseResourceVersion(v);
      if (!parsed.ok()) return parsed.error().ToResponse();
      rv = *parsed;
    }
    store_.Compact(rv);
    return Json(fmt::format("{{\"compacted\":\"{}\"}}", rv.value_or(store_.current_rv())));
  }
  if (path == "/fake/drop-watches") {
    if (options_.drop_watches) options_.drop_watches();
    return Json("{}");
  }
  if (path == "/fake/bookmark-interval") {
    std::string ms = param("milliseconds");
    char* end = nullptr;
    long long n = std::strtoll(ms.c_str(), &end, 10);
    if (ms.empty() || *end != '\0' || n <= 0) {
      return BadRequestError("milliseconds: a positive integer is required").ToResponse();
    }
    if (options_.set_bookmark_interval) options_.set_bookmark_interval(std::chrono::milliseconds(n));
    return Json(fmt::format("{{\"milliseconds\":{}}}", n));
  }
  return UnknownPathError().ToResponse();
}

HandleResult Api::Handle(const ApiRequest& request) {
  std::string_view target = request.target;
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  QueryMap query = ParseQuery(q == std::string_view::npos ? std::string_view() : target.substr(q + 1));
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);

  if (!options_.token.empty()) {
    bool anonymous = request.authorization.empty();
    bool valid = request.authorization == "Bearer " + options_.token;
    if (!valid && !(anonymous && IsPublicPath(path))) return UnauthorizedError().ToResponse();
  }
  if (IsHealthPath(path)) return Health(path, query);
  if (path.starts_with("/fake/")) return Admin(request, path, query);
  if (path == "/openapi/v3" || path == "/openapi/v3/api/v1") {
    if (request.method != "GET") return MethodNotAllowedError().ToResponse();
    return Json(OpenApiV3(path, options_.git_version));
  }
  if (path == "/version" || path == "/api" || path == "/apis" || path == "/api/v1") {
    if (request.method != "GET" && request.method != "HEAD") return MethodNotAllowedError().ToResponse();
    return Discovery(path);
  }
  std::vector<std::string> segments = SplitPath(path);
  if (segments.size() < 3 || segments[0] != "api" || segments[1] != "v1") return UnknownPathError().ToResponse();
  ApiOr<OutputFormat> format = NegotiateFormat(request.accept);
  if (!format.ok()) return format.error().ToResponse();
  segments.erase(segments.begin(), segments.begin() + 2);
  return HandleResource(request, query, *format, std::move(segments));
}

HandleResult Api::HandleResource(const ApiRequest& request, const QueryMap& query, OutputFormat format,
                                 std::vector<std::string> segments) {
  Route route;
  if (segments[0] == "watch") {
    route.legacy_watch = true;
    segments.erase(segments.begin());
    if (segments.empty()) return UnknownPathError().ToResponse();
  }
  const ResourceType* nested = segments.size() >= 3 && segments[0] == "namespaces" ? FindResource(segments[2]) : nullptr;
  size_t rest = 0;
  if (nested != nullptr && nested->namespaced) {
    route.type = nested;
    route.ns = segments[1];
    rest = 3;
  } else {
    route.type = FindResource(segments[0]);
    if (route.type == nullptr) return UnknownPathError().ToResponse();
    rest = 1;
    // A namespaced type at cluster scope only lists and watches.
    if (route.type->namespaced && segments.size() > 1) return UnknownPathError().ToResponse();
  }
  if (segments.size() > rest) route.name = segments[rest];
  if (segments.size() > rest + 1) route.subresource = segments[rest + 1];
  if (segments.size() > rest + 2 || (!route.subresource.empty() && route.subresource != "status")) {
    return UnknownPathError().ToResponse();
  }
  const std::string& m = request.method;
  if (route.legacy_watch && m != "GET") return MethodNotAllowedError().ToResponse();
  bool status_only = !route.subresource.empty();

  auto respond = [&](ApiOr<ObjectPtr> r, int code) -> HandleResult {
    if (!r.ok()) return r.error().ToResponse();
    ApiResponse resp;
    resp.code = code;
    resp.body = (*r)->FullJson();
    return resp;
  };

  if (route.name.empty()) {
    if (m == "GET" || m == "HEAD") return List(route, query, format);
    if (m == "POST") {
      if (route.type->namespaced && route.ns.empty()) return MethodNotAllowedError().ToResponse();
      return respond(Create(*route.type, route.ns, request.body), 201);
    }
    return MethodNotAllowedError().ToResponse();
  }
  if (m == "GET" || m == "HEAD") {
    auto w = query.find("watch");
    bool watch = route.legacy_watch;
    if (w != query.end() && !w->second.empty()) {
      std::string lower = w->second.front();
      watch = watch || (lower != "false" && lower != "0");
    }
    if (watch) return List(route, query, format);
    return Get(route, query, format);
  }
  if (m == "PUT") return respond(Update(*route.type, route.ns, route.name, request.body, status_only), 200);
  if (m == "PATCH") {
    return respond(Patch(*route.type, route.ns, route.name, request.content_type, request.body, status_only), 200);
  }
  if (m == "DELETE" && !status_only) return respond(Delete(*route.type, route.ns, route.name, request.body), 200);
  return MethodNotAllowedError().ToResponse();
}

}  // namespace kubescrape::fake_apiserver
