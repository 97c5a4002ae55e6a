#include "test/fake_apiserver/fake_apiserver.h"

#include <fmt/format.h>

#include <fstream>

#include "test/testing/test_pki.h"
#include "util/base64.h"

namespace kubescrape::fake_apiserver {
namespace {

util::StatusOr<ObjectPtr> ToStatusOr(ApiOr<ObjectPtr> r) {
  if (!r.ok()) return r.error().ToStatus();
  return *r;
}

std::string NamespaceOf(std::string_view json) {
  util::StatusOr<rapidjson::Document> doc = ParseJson(json);
  if (!doc.ok()) return "default";
  std::string ns = GetString(*doc, {"metadata", "namespace"});
  return ns.empty() ? "default" : ns;
}

}  // namespace

FakeApiServer::FakeApiServer(Options options)
    : options_(std::move(options)), store_(ObjectStore::Options{options_.history_limit}) {}

util::StatusOr<std::unique_ptr<FakeApiServer>> FakeApiServer::Start(Options options) {
  std::unique_ptr<FakeApiServer> server(new FakeApiServer(std::move(options)));
  FakeApiServer* self = server.get();
  const util::Clock& clock = self->options_.clock != nullptr ? *self->options_.clock : util::SystemClock::Default();
  Api::Options api_options;
  api_options.token = self->options_.token;
  api_options.git_version = self->options_.git_version;
  api_options.drop_watches = [self] { self->DropWatches(); };
  api_options.set_bookmark_interval = [self](std::chrono::milliseconds d) { self->SetBookmarkInterval(d); };
  self->api_ = std::make_unique<Api>(self->store_, clock, std::move(api_options));
  self->api_->Bootstrap();

  HttpShell::Options shell_options;
  shell_options.address = self->options_.address;
  shell_options.port = self->options_.port;
  shell_options.bookmark_interval = self->options_.bookmark_interval;
  if (self->options_.tls) {
    std::vector<std::string> hosts = {"localhost", "127.0.0.1", "::1"};
    if (self->options_.address != "127.0.0.1" && self->options_.address != "::1") {
      hosts.push_back(self->options_.address);
    }
    testing::Pki pki = testing::MakePki(hosts);
    self->ca_pem_ = pki.ca_cert;
    shell_options.tls_cert_and_key = std::make_pair(pki.server_cert, pki.server_key);
  }
  // Watches poll the store on every write from now on.
  self->store_.SetListener([self] {
    if (HttpShell* shell = self->live_shell_.load()) shell->Wake();
  });
  KS_ASSIGN_OR_RETURN(self->shell_, HttpShell::Start(std::move(shell_options), *self->api_, self->store_));
  self->live_shell_ = self->shell_.get();
  std::string host = self->options_.address.find(':') != std::string::npos ? "[" + self->options_.address + "]"
                                                                           : self->options_.address;
  self->api_->set_server_address(fmt::format("{}:{}", host, self->shell_->port()));
  return server;
}

FakeApiServer::~FakeApiServer() {
  // Stop serving before the store and handlers go away.
  live_shell_ = nullptr;
  shell_.reset();
}

std::string FakeApiServer::url() const {
  std::string host = options_.address.find(':') != std::string::npos ? "[" + options_.address + "]" : options_.address;
  return fmt::format("{}://{}:{}", options_.tls ? "https" : "http", host, port());
}

std::string FakeApiServer::Kubeconfig() const {
  std::string cluster = fmt::format("    server: {}\n", url());
  if (!ca_pem_.empty()) cluster += fmt::format("    certificate-authority-data: {}\n", util::Base64Encode(ca_pem_));
  std::string user = options_.token.empty() ? "  user: {}\n" : fmt::format("  user:\n    token: {}\n", options_.token);
  return fmt::format(
      "apiVersion: v1\n"
      "kind: Config\n"
      "clusters:\n"
      "- name: fake\n"
      "  cluster:\n"
      "{}"
      "contexts:\n"
      "- name: fake\n"
      "  context:\n"
      "    cluster: fake\n"
      "    user: fake\n"
      "    namespace: default\n"
      "current-context: fake\n"
      "users:\n"
      "- name: fake\n"
      "{}"
      "preferences: {{}}\n",
      cluster, user);
}

util::Status FakeApiServer::WriteKubeconfig(const std::string& path) const {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << Kubeconfig();
  out.close();
  if (!out) return util::IoError("cannot write kubeconfig " + path);
  return util::Status::Ok();
}

util::StatusOr<ObjectPtr> FakeApiServer::CreatePod(std::string_view pod_json) {
  return ToStatusOr(api_->Create(PodsResource(), NamespaceOf(pod_json), pod_json));
}

util::StatusOr<ObjectPtr> FakeApiServer::UpdatePod(std::string_view pod_json) {
  util::StatusOr<rapidjson::Document> doc = ParseJson(pod_json);
  if (!doc.ok()) return doc.status();
  return ToStatusOr(
      api_->Update(PodsResource(), NamespaceOf(pod_json), GetString(*doc, {"metadata", "name"}), pod_json));
}

util::StatusOr<ObjectPtr> FakeApiServer::PatchPod(std::string_view ns, std::string_view name,
                                                  std::string_view merge_patch) {
  return ToStatusOr(api_->Patch(PodsResource(), ns, name, "application/merge-patch+json", merge_patch));
}

util::StatusOr<ObjectPtr> FakeApiServer::DeletePod(std::string_view ns, std::string_view name) {
  return ToStatusOr(api_->Delete(PodsResource(), ns, name));
}

util::StatusOr<ObjectPtr> FakeApiServer::CreateObject(const ResourceType& type, std::string_view json) {
  return ToStatusOr(api_->Create(type, type.namespaced ? NamespaceOf(json) : "", json));
}

util::StatusOr<ObjectPtr> FakeApiServer::DeleteObject(const ResourceType& type, std::string_view ns,
                                                      std::string_view name) {
  return ToStatusOr(api_->Delete(type, ns, name));
}

void FakeApiServer::Compact() { store_.Compact(); }

void FakeApiServer::DropWatches() { shell_->DropWatches(); }

void FakeApiServer::SetBookmarkInterval(std::chrono::milliseconds interval) { shell_->SetBookmarkInterval(interval); }

}  // namespace kubescrape::fake_apiserver
