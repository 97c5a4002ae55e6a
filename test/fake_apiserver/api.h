#pragma once
// Api: the fake API server's request handlers, without sockets. Handle()
// takes one HTTP request and returns either a complete response or, for a
// watch, the Watch to stream and its timeout; the socket shell only moves
// the bytes. The write operations are also methods so the C++ test API
// (FakeApiServer::CreatePod, ...) goes through exactly the same defaulting,
// validation and storage as POST/PUT/PATCH/DELETE.
//
// Served: discovery (/version, /api, /apis, /api/v1), health (/healthz,
// /livez, /readyz), core/v1 pods, namespaces and nodes (list, watch, get,
// create, update, merge patch, delete, and the status subresource), the
// legacy /api/v1/watch/... paths, and admin endpoints under /fake/
// (compact, drop-watches, bookmark-interval). See docs/fake-apiserver.md
// for what differs from a real API server.
//
// Thread-safety: Handle() and the write methods are thread-safe (the store
// is; the rest is immutable after construction).

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "test/fake_apiserver/api_status.h"
#include "test/fake_apiserver/object_store.h"
#include "test/fake_apiserver/request.h"
#include "test/fake_apiserver/watch.h"
#include "util/clock.h"

namespace kubescrape::fake_apiserver {

// A watch to stream: a 200 response with chunked JSON events.
struct WatchStart {
  std::unique_ptr<Watch> watch;
  std::chrono::seconds timeout{0};  // then the stream ends cleanly
  std::string content_type = "application/json";
};
using HandleResult = std::variant<ApiResponse, WatchStart>;

class Api {
 public:
  struct Options {
    std::string token;  // a bearer token to require; "" accepts anyone
    std::string git_version = "v1.32.0";
    // Hooks for the admin endpoints that act on connections.
    std::function<void()> drop_watches;
    std::function<void(std::chrono::milliseconds)> set_bookmark_interval;
  };

  // REQUIRES: `store` and `clock` outlive the Api.
  Api(ObjectStore& store, const util::Clock& clock, Options options);

  // Creates the namespaces every cluster has (default, kube-system,
  // kube-public, kube-node-lease) if missing.
  void Bootstrap();

  // The address /api reports (host:port). REQUIRES: set before serving.
  void set_server_address(std::string address) { server_address_ = std::move(address); }

  HandleResult Handle(const ApiRequest& request);

  // POST: 201 semantics; `ns` is ignored for cluster-scoped types.
  ApiOr<ObjectPtr> Create(const ResourceType& type, std::string_view ns, std::string_view body);
  // PUT of the whole object (or only its status when `status_only`).
  ApiOr<ObjectPtr> Update(const ResourceType& type, std::string_view ns, std::string_view name, std::string_view body,
                          bool status_only = false);
  // PATCH with a merge patch (strategic merge patches are applied as merge
  // patches). 415 for other patch types.
  ApiOr<ObjectPtr> Patch(const ResourceType& type, std::string_view ns, std::string_view name,
                         std::string_view content_type, std::string_view body, bool status_only = false);
  // DELETE; `body` is an optional DeleteOptions with preconditions.
  ApiOr<ObjectPtr> Delete(const ResourceType& type, std::string_view ns, std::string_view name,
                          std::string_view body = "");

  ObjectStore& store() { return store_; }

 private:
  struct Route;
  HandleResult HandleResource(const ApiRequest& request, const QueryMap& query, OutputFormat format,
                              std::vector<std::string> segments);
  HandleResult List(const Route& route, const QueryMap& query, OutputFormat format);
  HandleResult StartWatch(const Route& route, const ListOptions& options, const QueryMap& query,
                          OutputFormat format);
  ApiResponse Get(const Route& route, const QueryMap& query, OutputFormat format);
  ApiResponse Admin(const ApiRequest& request, std::string_view path, const QueryMap& query);
  ApiResponse Discovery(std::string_view path) const;
  ApiOr<bool> EnsureNamespace(std::string_view ns);
  ApiOr<ObjectPtr> Replace(const ResourceType& type, std::string_view ns, std::string_view name,
                           rapidjson::Document body, bool status_only, bool check_rv);
  TableOptions MakeTableOptions(const QueryMap& query) const;
  std::string Now() const;

  ObjectStore& store_;
  const util::Clock& clock_;
  const Options options_;
  std::string server_address_ = "127.0.0.1:6443";
};

// "2006-01-02T15:04:05Z" for `unix_seconds`.
std::string FormatRfc3339(int64_t unix_seconds);

}  // namespace kubescrape::fake_apiserver
