// The I/O shell of pod discovery: reflector coroutines on one strand drive
// list/watch requests through net::HttpFetcher and feed the PodStore.
#include "discovery/kubernetes_discoverer.h"

#include <atomic>
#include <map>
#include <mutex>
#include <random>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "discovery/kube_requests.h"
#include "discovery/kubernetes_pod_store.h"
#include "discovery/kubernetes_watch.h"
#include "net/http_fetcher.h"
#include "net/tls_context.h"
#include "util/logging.h"

namespace kubescrape::discovery {
namespace asio = boost::asio;

namespace {

struct ServerUrl {
  std::string scheme, host_port, prefix;
};

util::StatusOr<ServerUrl> SplitServer(const std::string& server) {
  ServerUrl u;
  size_t sep = server.find("://");
  if (sep == std::string::npos) return util::InvalidArgumentError("invalid API server URL \"" + server + "\"");
  u.scheme = server.substr(0, sep);
  if (u.scheme != "http" && u.scheme != "https") {
    return util::InvalidArgumentError("invalid API server URL \"" + server + "\": scheme must be http or https");
  }
  std::string rest = server.substr(sep + 3);
  size_t slash = rest.find('/');
  u.host_port = rest.substr(0, slash);
  if (slash != std::string::npos) u.prefix = rest.substr(slash);
  while (!u.prefix.empty() && u.prefix.back() == '/') u.prefix.pop_back();
  if (u.host_port.empty()) return util::InvalidArgumentError("invalid API server URL \"" + server + "\"");
  return u;
}

std::string GoType(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::kReplicaSet: return "*v1.ReplicaSet";
    case ObjectKind::kJob: return "*v1.Job";
    default: return fmt::format("*v1.{}", ObjectKindName(kind));
  }
}

}  // namespace

struct KubernetesDiscoverer::Impl {
  Impl(asio::any_io_executor ex, const KubernetesSdConfig& cfg, const util::FileSystem& fs, KubeEndpoint ep,
       ServerUrl url, std::shared_ptr<const net::TlsClientContext> tls, KubernetesDiscovererOptions opts)
      : strand(asio::make_strand(ex)),
        fs(fs),
        endpoint(std::move(ep)),
        url(std::move(url)),
        tls(std::move(tls)),
        options(std::move(opts)),
        resources(PodRoleResources(cfg, endpoint.own_namespace)),
        store(PodGroupOptions::FromConfig(cfg)),
        rng(std::random_device{}()) {}

  struct Reflector {
    KubeResource resource;
    std::unique_ptr<net::HttpFetcher> fetcher;
    std::unique_ptr<asio::steady_timer> timer;
  };

  asio::awaitable<void> Reflect(std::shared_ptr<KubernetesDiscoverer> self, size_t index);
  // One complete LIST; on success `*rv` is the list's resourceVersion.
  asio::awaitable<util::Status> List(Reflector& r, std::string list_rv, std::string* rv, bool* expired);
  // One WATCH until it ends; `*rv` follows the events.
  asio::awaitable<util::Status> Watch(Reflector& r, std::string* rv, bool* expired);
  asio::awaitable<void> Sleep(Reflector& r, std::chrono::milliseconds d);
  net::FetchRequest Request(std::string target) const;
  std::vector<model::TargetGroup> ReplaceList(const KubeResource& res, std::string_view body, std::string* rv,
                                              std::string* cont, util::Status* st, std::vector<Pod>* pods,
                                              std::vector<Node>* nodes, std::vector<Namespace>* nss);
  void Deliver(std::vector<model::TargetGroup> groups);
  void UpdateStats();

  // Immutable after construction.
  asio::strand<asio::any_io_executor> strand;
  const util::FileSystem& fs;
  const KubeEndpoint endpoint;
  const ServerUrl url;
  const std::shared_ptr<const net::TlsClientContext> tls;
  const KubernetesDiscovererOptions options;
  const std::vector<KubeResource> resources;

  std::atomic<bool> stopped{false};
  bool started = false;  // guarded by sinks_mu

  // Confined to the strand.
  PodStore store;
  std::vector<Reflector> reflectors;
  std::mt19937_64 rng;

  mutable std::mutex sinks_mu;
  std::map<std::string, Sink> sinks;  // guarded by sinks_mu

  mutable std::mutex stats_mu;
  KubernetesDiscovererStats stats;  // guarded by stats_mu
};

net::FetchRequest KubernetesDiscoverer::Impl::Request(std::string target) const {
  net::FetchRequest req;
  req.scheme = url.scheme;
  req.host_port = url.host_port;
  req.target = url.prefix + target;
  req.accept = "application/json";
  req.gzip = true;
  req.scrape_timeout_header = false;
  req.any_status = true;
  req.timeout = std::chrono::seconds(60);
  return req;
}

void KubernetesDiscoverer::Impl::Deliver(std::vector<model::TargetGroup> groups) {
  if (groups.empty()) return;
  std::lock_guard<std::mutex> lock(sinks_mu);
  if (stopped) return;
  size_t n = 0;
  for (auto& [id, sink] : sinks) {
    if (++n == sinks.size()) {
      sink(std::move(groups));
    } else {
      sink(groups);
    }
  }
}

void KubernetesDiscoverer::Impl::UpdateStats() {
  size_t pods = store.pod_count();
  size_t bytes = store.MemoryUsage();
  std::lock_guard<std::mutex> lock(stats_mu);
  stats.pods = pods;
  stats.memory_bytes = bytes;
}

asio::awaitable<void> KubernetesDiscoverer::Impl::Sleep(Reflector& r, std::chrono::milliseconds d) {
  r.timer->expires_after(d);
  boost::system::error_code ec;
  co_await r.timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

std::vector<model::TargetGroup> KubernetesDiscoverer::Impl::ReplaceList(
    const KubeResource& res, std::string_view body, std::string* rv, std::string* cont, util::Status* st,
    std::vector<Pod>* pods, std::vector<Node>* nodes, std::vector<Namespace>* nss) {
  auto take = [&](auto decoded, auto* into) {
    if (!decoded.ok()) {
      *st = decoded.status();
      return;
    }
    *rv = decoded->resource_version;
    *cont = decoded->continue_token;
    for (auto& item : decoded->items) into->push_back(std::move(item));
  };
  switch (res.kind) {
    case ObjectKind::kPod: take(DecodePodList(body), pods); break;
    case ObjectKind::kNode: take(DecodeNodeList(body), nodes); break;
    case ObjectKind::kNamespace: take(DecodeNamespaceList(body), nss); break;
    default: *st = util::UnimplementedError("unsupported resource"); break;
  }
  return {};
}

asio::awaitable<util::Status> KubernetesDiscoverer::Impl::List(Reflector& r, std::string list_rv, std::string* rv,
                                                               bool* expired) {
  const KubeResource& res = r.resource;
  std::vector<Pod> pods;
  std::vector<Node> nodes;
  std::vector<Namespace> nss;
  std::string cont, page_rv;
  do {
    util::StatusOr<net::FetchResponse> resp = co_await r.fetcher->Fetch(Request(ListTarget(res, list_rv, cont)));
    if (stopped) co_return util::Status(util::StatusCode::kCancelled, "stopped");
    if (!resp.ok()) co_return resp.status();
    if (resp->status != 200) {
      KubeApiError e = ParseApiError(resp->status, resp->body);
      *expired = e.expired();
      co_return util::UnavailableError(fmt::format("{} ({} {})", e.message, e.http_status, e.reason));
    }
    util::Status st;
    ReplaceList(res, resp->body, &page_rv, &cont, &st, &pods, &nodes, &nss);
    if (!st.ok()) co_return st;
  } while (!cont.empty());
  std::vector<model::TargetGroup> groups;
  switch (res.kind) {
    case ObjectKind::kPod: groups = store.ReplacePods(res.namespace_name, std::move(pods)); break;
    case ObjectKind::kNode: groups = store.ReplaceNodes(std::move(nodes)); break;
    case ObjectKind::kNamespace: groups = store.ReplaceNamespaces(std::move(nss)); break;
    default: break;
  }
  *rv = page_rv;
  {
    std::lock_guard<std::mutex> lock(stats_mu);
    ++stats.lists;
  }
  UpdateStats();
  Deliver(std::move(groups));
  co_return util::Status::Ok();
}

asio::awaitable<util::Status> KubernetesDiscoverer::Impl::Watch(Reflector& r, std::string* rv, bool* expired) {
  const auto min = options.min_watch_timeout;
  std::uniform_int_distribution<int64_t> spread(0, std::max<int64_t>(min.count() - 1, 0));
  const std::chrono::seconds timeout = min + std::chrono::seconds(spread(rng));
  net::FetchRequest req = Request(WatchTarget(r.resource, *rv, timeout));
  req.gzip = false;
  req.timeout = timeout + std::chrono::seconds(30);
  WatchDecoder decoder(r.resource.kind);
  util::Status event_error;
  uint64_t applied = 0;
  req.on_body = [&](std::string_view bytes) -> util::Status {
    std::vector<model::TargetGroup> groups;
    for (util::StatusOr<WatchEvent>& ev : decoder.Feed(bytes)) {
      if (!ev.ok()) return ev.status().WithPrefix("bad watch event");
      if (ev->type == WatchEventType::kError) {
        KubeApiError e{static_cast<int>(ev->status.code), ev->status.reason, ev->status.message};
        *expired = e.expired();
        return util::UnavailableError(fmt::format("{} ({} {})", e.message, e.http_status, e.reason));
      }
      if (!ev->resource_version.empty()) *rv = ev->resource_version;
      if (ev->type == WatchEventType::kBookmark) continue;
      std::vector<model::TargetGroup> changed = store.Apply(*std::move(ev));
      ++applied;
      for (auto& g : changed) groups.push_back(std::move(g));
    }
    Deliver(std::move(groups));
    return util::Status::Ok();
  };
  util::StatusOr<net::FetchResponse> resp = co_await r.fetcher->Fetch(req);
  {
    std::lock_guard<std::mutex> lock(stats_mu);
    stats.events += applied;
  }
  UpdateStats();
  if (stopped) co_return util::Status(util::StatusCode::kCancelled, "stopped");
  if (!resp.ok()) co_return resp.status();
  if (resp->status != 200) {
    KubeApiError e = ParseApiError(resp->status, resp->body);
    *expired = e.expired();
    co_return util::UnavailableError(fmt::format("{} ({} {})", e.message, e.http_status, e.reason));
  }
  {
    std::lock_guard<std::mutex> lock(stats_mu);
    ++stats.watches;
  }
  if (decoder.has_partial_event()) co_return util::UnavailableError("watch stream ended inside an event");
  co_return util::Status::Ok();
}

asio::awaitable<void> KubernetesDiscoverer::Impl::Reflect(std::shared_ptr<KubernetesDiscoverer> self,
                                                          size_t index) {
  Reflector& r = reflectors[index];
  const std::string type = GoType(r.resource.kind);
  const std::string ns = r.resource.namespace_name;
  Backoff backoff;
  std::chrono::milliseconds scale = options.initial_backoff;
  auto pause = [&]() { return std::chrono::milliseconds(backoff.Next().count() * scale.count() / 800); };
  bool need_list = true;
  std::string list_rv = "0";  // the first LIST may be served from the watch cache
  std::string rv;
  while (!stopped) {
    if (need_list) {
      bool expired = false;
      util::Status st = co_await List(r, list_rv, &rv, &expired);
      if (stopped) break;
      if (!st.ok()) {
        {
          std::lock_guard<std::mutex> lock(stats_mu);
          ++stats.failures;
        }
        util::log::Error(fmt::format("Failed to list {}", type),
                         {{"namespace", ns}, {"server", endpoint.server}, {"err", st.message()}});
        if (expired) list_rv.clear();
        co_await Sleep(r, pause());
        continue;
      }
      need_list = false;
      backoff.Reset();
    }
    bool expired = false;
    util::Status st = co_await Watch(r, &rv, &expired);
    if (stopped) break;
    if (expired) {
      {
        std::lock_guard<std::mutex> lock(stats_mu);
        ++stats.relists_expired;
      }
      util::log::Info(fmt::format("Watch of {} expired; relisting", type), {{"namespace", ns}, {"err", st.message()}});
      need_list = true;
      list_rv.clear();  // the newest state: a consistent read
      continue;
    }
    if (!st.ok()) {
      {
        std::lock_guard<std::mutex> lock(stats_mu);
        ++stats.failures;
      }
      util::log::Warn(fmt::format("Failed to watch {}", type),
                      {{"namespace", ns}, {"server", endpoint.server}, {"err", st.message()}});
      co_await Sleep(r, pause());
    } else {
      backoff.Reset();
    }
  }
  (void)self;
}

util::StatusOr<std::shared_ptr<KubernetesDiscoverer>> KubernetesDiscoverer::Open(
    asio::any_io_executor executor, const KubernetesSdConfig& config, const util::FileSystem& fs,
    const EnvLookup& env, KubernetesDiscovererOptions options) {
  KS_ASSIGN_OR_RETURN(KubeEndpoint ep, ResolveKubeEndpoint(config, fs, env));
  KS_ASSIGN_OR_RETURN(ServerUrl url, SplitServer(ep.server));
  std::shared_ptr<const net::TlsClientContext> tls;
  if (url.scheme == "https") {
    KS_ASSIGN_OR_RETURN(tls, net::TlsClientContext::Create(ep.http.tls_config, fs));
  }
  auto impl = std::make_unique<Impl>(executor, config, fs, std::move(ep), std::move(url), std::move(tls),
                                     std::move(options));
  for (const KubeResource& res : impl->resources) {
    KS_ASSIGN_OR_RETURN(std::unique_ptr<net::HttpFetcher> fetcher,
                        net::HttpFetcher::Open(impl->strand, impl->endpoint.http, impl->options.user_agent, fs,
                                               impl->tls));
    impl->reflectors.push_back({res, std::move(fetcher), std::make_unique<asio::steady_timer>(impl->strand)});
  }
  return std::shared_ptr<KubernetesDiscoverer>(new KubernetesDiscoverer(std::move(impl)));
}

KubernetesDiscoverer::KubernetesDiscoverer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KubernetesDiscoverer::~KubernetesDiscoverer() = default;

std::string KubernetesDiscoverer::SharingKey(const KubernetesSdConfig& c) {
  std::string key = fmt::format("{}|{}|{}|{}|{}|{}", c.api_server, c.kubeconfig_file, c.own_namespace,
                                fmt::join(c.namespaces, ","), c.attach_node_metadata, c.attach_namespace_metadata);
  for (const KubernetesSelector& s : c.selectors) {
    key += fmt::format("|{}:{}:{}", KubernetesRoleName(s.role), s.label, s.field);
  }
  // Custom HTTP settings (api_server only) must match too.
  const model::HttpClientConfig& h = c.http_client;
  key += fmt::format("|{}|{}|{}|{}|{}|{}", h.tls_config.ca_file, h.tls_config.cert_file, h.tls_config.key_file,
                     h.tls_config.server_name, h.tls_config.insecure_skip_verify,
                     h.authorization ? h.authorization->credentials_file + h.authorization->credentials : "");
  key += fmt::format("|{}|{}", h.tls_config.ca, h.basic_auth ? h.basic_auth->username : "");
  return key;
}

void KubernetesDiscoverer::Subscribe(std::string id, Sink sink) {
  {
    std::lock_guard<std::mutex> lock(impl_->sinks_mu);
    impl_->sinks[id] = std::move(sink);
  }
  // The current state, from the strand (where the store lives).
  asio::post(impl_->strand, [self = shared_from_this(), id = std::move(id)] {
    Impl& s = *self->impl_;
    std::vector<model::TargetGroup> all = s.store.AllGroups();
    if (all.empty()) return;
    std::lock_guard<std::mutex> lock(s.sinks_mu);
    auto it = s.sinks.find(id);
    if (it != s.sinks.end() && !s.stopped) it->second(std::move(all));
  });
}

void KubernetesDiscoverer::Unsubscribe(std::string id) {
  std::lock_guard<std::mutex> lock(impl_->sinks_mu);
  impl_->sinks.erase(id);
}

size_t KubernetesDiscoverer::subscribers() const {
  std::lock_guard<std::mutex> lock(impl_->sinks_mu);
  return impl_->sinks.size();
}

void KubernetesDiscoverer::Start() {
  {
    std::lock_guard<std::mutex> lock(impl_->sinks_mu);
    if (impl_->started) return;
    impl_->started = true;
  }
  for (size_t i = 0; i < impl_->reflectors.size(); ++i) {
    asio::co_spawn(impl_->strand, impl_->Reflect(shared_from_this(), i), asio::detached);
  }
}

void KubernetesDiscoverer::Stop() {
  {
    std::lock_guard<std::mutex> lock(impl_->sinks_mu);
    impl_->stopped = true;
    impl_->sinks.clear();
  }
  asio::post(impl_->strand, [self = shared_from_this()] {
    for (Impl::Reflector& r : self->impl_->reflectors) {
      r.fetcher->Close();
      r.timer->cancel();
    }
  });
}

const KubeEndpoint& KubernetesDiscoverer::endpoint() const { return impl_->endpoint; }

KubernetesDiscovererStats KubernetesDiscoverer::stats() const {
  std::lock_guard<std::mutex> lock(impl_->stats_mu);
  return impl_->stats;
}

}  // namespace kubescrape::discovery
