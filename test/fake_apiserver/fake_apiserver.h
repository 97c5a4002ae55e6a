#pragma once
// FakeApiServer: a Kubernetes API server for tests and demos that behaves
// like the real one for pods (and namespaces and nodes): one global
// resourceVersion, lists with selectors and limit/continue pagination,
// watches with bookmarks, 410 Expired after compaction, Status errors, TLS
// with a generated CA and bearer-token authentication. kubectl works
// against it (docs/fake-apiserver.md).
//
//   auto server = FakeApiServer::Start({});          // TLS on 127.0.0.1:0
//   server.value()->CreatePod(PodBuilder("default", "web-0").Label("app", "web").Json());
//   server.value()->WriteKubeconfig("/tmp/kubeconfig");
//
// Tests drive the cluster through the C++ API (the same code paths as the
// HTTP verbs) and the admin operations: Compact() makes older versions
// expire, DropWatches() cuts watch connections, SetBookmarkInterval()
// speeds up bookmarks.
//
// Thread-safety: thread-safe. The HTTP side runs on its own thread.
// Destroy the server only when no other thread is calling it.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "test/fake_apiserver/api.h"
#include "test/fake_apiserver/http_shell.h"
#include "test/fake_apiserver/object_store.h"
#include "util/clock.h"
#include "util/status.h"

namespace kubescrape::fake_apiserver {

class FakeApiServer {
 public:
  struct Options {
    std::string address = "127.0.0.1";
    uint16_t port = 0;
    bool tls = true;           // a CA and server certificate are generated in memory
    std::string token;         // required bearer token; "" disables authentication
    std::chrono::milliseconds bookmark_interval{60000};
    size_t history_limit = 100000;  // watch history kept per resource type
    std::string git_version = "v1.32.0";
    const util::Clock* clock = nullptr;  // creationTimestamp and Age; default: the system clock
  };

  // Starts serving. IoError when the address cannot be bound.
  static util::StatusOr<std::unique_ptr<FakeApiServer>> Start(Options options);
  ~FakeApiServer();
  FakeApiServer(const FakeApiServer&) = delete;
  FakeApiServer& operator=(const FakeApiServer&) = delete;

  uint16_t port() const { return shell_->port(); }
  // "https://127.0.0.1:1234" (or http://).
  std::string url() const;
  // The CA certificate (PEM) that signed the server certificate; "" without TLS.
  const std::string& ca_pem() const { return ca_pem_; }
  const std::string& token() const { return options_.token; }

  // A kubeconfig (YAML) with the URL, the CA embedded as
  // certificate-authority-data and the token, context "fake".
  std::string Kubeconfig() const;
  util::Status WriteKubeconfig(const std::string& path) const;

  // Pods, with the namespace taken from metadata.namespace ("default" when
  // absent). Errors carry the API server's reason and message, e.g.
  // "AlreadyExists: pods \"web-0\" already exists".
  util::StatusOr<ObjectPtr> CreatePod(std::string_view pod_json);
  // Replaces the pod named in `pod_json` (no resourceVersion check unless
  // the JSON carries one).
  util::StatusOr<ObjectPtr> UpdatePod(std::string_view pod_json);
  // Applies a JSON merge patch (RFC 7386).
  util::StatusOr<ObjectPtr> PatchPod(std::string_view ns, std::string_view name, std::string_view merge_patch);
  util::StatusOr<ObjectPtr> DeletePod(std::string_view ns, std::string_view name);
  // Any served type ("pods", "namespaces", "nodes").
  util::StatusOr<ObjectPtr> CreateObject(const ResourceType& type, std::string_view json);
  util::StatusOr<ObjectPtr> DeleteObject(const ResourceType& type, std::string_view ns, std::string_view name);

  // Forgets history up to now: older resourceVersions expire (lists with
  // them and continue tokens get 410, watches from them an ERROR event).
  void Compact();
  // Closes every open watch connection abruptly.
  void DropWatches();
  void SetBookmarkInterval(std::chrono::milliseconds interval);
  size_t active_watches() const { return shell_->active_watches(); }

  uint64_t resource_version() const { return store_.current_rv(); }
  ObjectStore& store() { return store_; }
  Api& api() { return *api_; }

 private:
  explicit FakeApiServer(Options options);

  const Options options_;
  std::string ca_pem_;
  ObjectStore store_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<HttpShell> shell_;
  std::atomic<HttpShell*> live_shell_{nullptr};  // what the store listener wakes
};

}  // namespace kubescrape::fake_apiserver
