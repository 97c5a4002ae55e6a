#include "server/server.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <csignal>
#include <ctime>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <fmt/format.h>

#include "api/engine_metrics.h"
#include "api/http_metrics.h"
#include "api/http_server.h"
#include "api/router.h"
#include "config/config.h"
#include "promql/engine.h"
#include "discovery/file_sd.h"
#include "discovery/kubernetes_discoverer.h"
#include "discovery/manager.h"
#include "discovery/target_groups.h"
#include "server/api_routes.h"
#include "server/self_metrics.h"
#include "util/logging.h"

namespace kubescrape::server {
namespace asio = boost::asio;

namespace {

// File SD is polled at least this often, so edits show up promptly (as
// Prometheus's fsnotify watch makes them); Refresh() only reports changes.
constexpr std::chrono::seconds kMaxFilePollInterval{5};

// FNV-1a, to name a Kubernetes provider after its configuration: a changed
// configuration is a new provider, whose old groups the manager drops.
uint64_t Fnv64a(std::string_view s) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string Hostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "localhost";
  return buf;
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions opts, tsdb::Storage& storage, const util::FileSystem& fs, const util::Clock& clock)
      : options(std::move(opts)),
        fs(fs),
        clock(clock),
        control(asio::make_strand(io)),
        discovery_timer(control),
        file_timer(control),
        stop_timer(control),
        signals(io),
        scrapes(io.get_executor(), storage, clock, scraper::ScrapeLoop::Options{0, "Kubescrape/" KS_VERSION}),
        storage(storage),
        engine(EngineOptionsFrom(options)),
        engine_metrics(std::max(1, options.query_max_concurrency), clock) {}

  static promql::EngineOptions EngineOptionsFrom(const ServerOptions& o) {
    promql::EngineOptions e;
    e.timeout_ms = o.query_timeout_ms;
    e.max_samples = o.query_max_samples;
    return e;
  }

  // Applies `cfg` to discovery and scraping. Runs on the control strand.
  void Apply(config::Config cfg);
  // Opens, shares and stops Kubernetes discoverers for `cfg` and adds their
  // providers; SubscribeKubernetes() then connects them to the manager (after
  // its ApplyConfig, which would drop updates for providers it lacks).
  void ApplyKubernetes(const config::Config& cfg, discovery::JobProviders* providers);
  void SubscribeKubernetes();
  void StopKubernetes();
  void PollFiles();
  void PushDiscovery();
  void ScheduleDiscovery();
  void ScheduleFilePoll();
  void WaitSignal();
  // Loads the config file; on success applies it on the control strand.
  util::Status LoadAndApply();

  ServerOptions options;
  const util::FileSystem& fs;
  const util::Clock& clock;
  asio::io_context io;
  asio::strand<asio::io_context::executor_type> control;
  asio::steady_timer discovery_timer;
  asio::steady_timer file_timer;
  asio::steady_timer stop_timer;
  asio::signal_set signals;

  // Confined to the control strand.
  config::Config config;
  struct FileProvider {
    std::string job;
    std::string provider;
    std::unique_ptr<discovery::FileSd> sd;
    bool first = true;
  };
  std::vector<FileProvider> file_providers;
  // Running Kubernetes discoverers by sharing key, and the subscriptions
  // (job + provider id) each serves.
  std::map<std::string, std::shared_ptr<discovery::KubernetesDiscoverer>> kubernetes;
  std::map<std::string, std::map<std::string, discovery::KubernetesDiscoverer::Sink>> kubernetes_sinks;

  discovery::Manager discovery;
  scraper::ScrapeManager scrapes;
  tsdb::Storage& storage;
  promql::Engine engine;
  api::EngineMetrics engine_metrics;
  api::HttpMetrics http_metrics;
  api::Router router;
  std::unique_ptr<api::HttpServer> http;
  std::atomic<bool> applied{false};  // the first configuration is running
  mutable std::mutex config_mu;
  std::string config_text;     // guarded by config_mu: the file as loaded
  std::vector<std::string> pools;  // guarded by config_mu
  std::map<std::string, std::shared_ptr<const scraper::ScrapeConfig>> pool_configs;  // guarded by config_mu
  api::TargetsView Targets() const;
  std::string SelfMetrics() const;
  std::vector<std::shared_ptr<discovery::KubernetesDiscoverer>> discoverers;  // guarded by config_mu
  std::atomic<bool> last_reload_ok{true};
  std::atomic<double> last_reload_success_time{0};
  std::atomic<uint64_t> reloads_ok{0};
  std::atomic<uint64_t> reloads_failed{0};
};

void Server::Impl::Apply(config::Config cfg) {
  for (const std::string& w : cfg.warnings) util::log::Warn("Config warning", {{"warning", w}});
  scrapes.SetOffsetSeed(scraper::OffsetSeed(options.hostname, cfg.global.external_labels));
  std::vector<std::shared_ptr<const scraper::ScrapeConfig>> jobs;
  discovery::JobProviders providers;
  std::vector<FileProvider> files;
  for (const config::ScrapeJob& job : cfg.scrape_configs) {
    const std::string& name = job.scrape.job_name;
    jobs.push_back(std::make_shared<const scraper::ScrapeConfig>(job.scrape));
    auto& set = providers[name];
    if (!job.discovery.static_configs.empty()) set.insert("static");
    for (size_t i = 0; i < job.discovery.file_sd_configs.size(); ++i) {
      std::string id = fmt::format("file/{}", i);
      set.insert(id);
      files.push_back({name, id, std::make_unique<discovery::FileSd>(job.discovery.file_sd_configs[i], fs, clock)});
    }
  }
  ApplyKubernetes(cfg, &providers);
  discovery.ApplyConfig(providers);
  SubscribeKubernetes();
  scrapes.ApplyConfig(jobs);
  for (const config::ScrapeJob& job : cfg.scrape_configs) {
    if (!job.discovery.static_configs.empty()) {
      discovery.Replace(job.scrape.job_name, "static", discovery::StaticGroups(job.discovery.static_configs));
    }
  }
  file_providers = std::move(files);
  {
    std::lock_guard<std::mutex> lock(config_mu);
    pools.clear();
    pool_configs.clear();
    for (const auto& job : jobs) {
      pools.push_back(job->job_name);
      pool_configs[job->job_name] = job;
    }
    std::sort(pools.begin(), pools.end());
    auto text = fs.ReadFile(options.config_file);
    if (text.ok()) config_text = *text;
  }
  config = std::move(cfg);
  applied = true;
  PollFiles();
  PushDiscovery();
}

void Server::Impl::ApplyKubernetes(const config::Config& cfg, discovery::JobProviders* providers) {
  std::map<std::string, std::shared_ptr<discovery::KubernetesDiscoverer>> next;
  std::map<std::string, std::map<std::string, discovery::KubernetesDiscoverer::Sink>> wanted;  // key -> id -> sink
  for (const config::ScrapeJob& job : cfg.scrape_configs) {
    const std::string& name = job.scrape.job_name;
    for (size_t i = 0; i < job.discovery.kubernetes_sd_configs.size(); ++i) {
      const discovery::KubernetesSdConfig& kc = job.discovery.kubernetes_sd_configs[i];
      const std::string key = discovery::KubernetesDiscoverer::SharingKey(kc);
      const std::string provider = fmt::format("kubernetes/{}/{:016x}", i, Fnv64a(key));
      if (!next.contains(key)) {
        if (auto it = kubernetes.find(key); it != kubernetes.end()) {
          next[key] = it->second;
        } else {
          discovery::KubernetesDiscovererOptions opts;
          opts.user_agent = "Kubescrape/" KS_VERSION;
          auto opened = discovery::KubernetesDiscoverer::Open(io.get_executor(), kc, fs, discovery::ProcessEnv(),
                                                              opts);
          if (!opened.ok()) {
            util::log::Error("Cannot create Kubernetes discovery",
                             {{"scrape_pool", name}, {"err", opened.status().message()}});
            continue;
          }
          next[key] = *opened;
        }
      }
      (*providers)[name].insert(provider);
      wanted[key][name + "\n" + provider] = [this, name, provider](std::vector<model::TargetGroup> groups) {
        discovery.Update(name, provider, std::move(groups));
      };
    }
  }
  for (auto& [key, d] : kubernetes) {
    if (!next.contains(key)) {
      d->Stop();
      continue;
    }
    for (const auto& [id, sink] : kubernetes_sinks[key]) {
      if (!wanted[key].contains(id)) d->Unsubscribe(id);
    }
  }
  kubernetes = std::move(next);
  kubernetes_sinks = std::move(wanted);
  std::lock_guard<std::mutex> lock(config_mu);
  discoverers.clear();
  for (const auto& [key, d] : kubernetes) discoverers.push_back(d);
}

void Server::Impl::SubscribeKubernetes() {
  for (auto& [key, d] : kubernetes) {
    // Subscribing replays the store: a provider the manager re-created on
    // this reload gets its groups back.
    for (const auto& [id, sink] : kubernetes_sinks[key]) d->Subscribe(id, sink);
    d->Start();
  }
}

api::TargetsView Server::Impl::Targets() const {
  api::TargetsView v;
  v.active = scrapes.ActiveTargets();
  v.dropped = scrapes.DroppedTargets();
  {
    std::lock_guard<std::mutex> lock(config_mu);
    v.pools = pools;
  }
  std::map<std::string, size_t> counts = scrapes.DroppedTargetCounts();
  v.dropped_counts.assign(counts.begin(), counts.end());
  return v;
}

std::string Server::Impl::SelfMetrics() const {
  SelfMetricsSnapshot m;
  ReadProcessMetrics(&m);
  m.last_reload_successful = last_reload_ok;
  m.last_reload_success_timestamp_seconds = last_reload_success_time;
  m.reloads_ok = reloads_ok;
  m.reloads_failed = reloads_failed;
  discovery::ManagerStats sd = discovery.Stats();
  m.discovered_targets = sd.discovered_targets;
  m.sd_updates_received = sd.updates_received;
  m.sd_updates = sd.snapshots_taken;
  std::vector<std::shared_ptr<discovery::KubernetesDiscoverer>> ds;
  {
    std::lock_guard<std::mutex> lock(config_mu);
    ds = discoverers;
    for (const std::string& p : pools) m.active_targets[p] = 0;
  }
  for (const scraper::TargetStatus& t : scrapes.ActiveTargets()) ++m.active_targets[t.job];
  m.dropped_targets = scrapes.DroppedTargetCounts();
  if (options.storage_metrics) {
    m.has_storage = true;
    m.storage = options.storage_metrics();
  }
  for (const auto& d : ds) {
    discovery::KubernetesDiscovererStats k = d->stats();
    m.k8s_lists += k.lists;
    m.k8s_watches += k.watches;
    m.k8s_events += k.events;
    m.k8s_failures += k.failures;
    m.k8s_relists_expired += k.relists_expired;
    m.k8s_pods += k.pods;
    m.k8s_memory_bytes += k.memory_bytes;
  }
  if (!options.listen_address.empty()) {
    m.has_query_metrics = true;
    m.engine = engine_metrics.Snapshot();
    m.http = http_metrics.Snapshot();
  }
  return FormatSelfMetrics(m);
}

void Server::Impl::StopKubernetes() {
  for (auto& [key, d] : kubernetes) d->Stop();
}

void Server::Impl::PollFiles() {
  for (FileProvider& p : file_providers) {
    discovery::FileSdRefresh r = p.sd->Refresh();
    for (const util::Status& e : r.errors) {
      util::log::Error("Error reading file SD file", {{"scrape_pool", p.job}, {"err", e.message()}});
    }
    if (p.first) {
      discovery.Replace(p.job, p.provider, std::move(r.groups));
      p.first = false;
    } else if (!r.groups.empty()) {
      discovery.Update(p.job, p.provider, std::move(r.groups));
    }
  }
}

void Server::Impl::PushDiscovery() {
  for (discovery::JobTargets& jt : discovery.TakeChanges()) {
    if (jt.removed) continue;  // ApplyConfig already stopped the job
    scrapes.Sync(jt.job, *jt.groups);
  }
}

void Server::Impl::ScheduleDiscovery() {
  discovery_timer.expires_after(options.discovery_update_interval);
  discovery_timer.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    PushDiscovery();
    ScheduleDiscovery();
  });
}

void Server::Impl::ScheduleFilePoll() {
  auto period = std::chrono::duration_cast<std::chrono::milliseconds>(kMaxFilePollInterval);
  for (const FileProvider& p : file_providers) period = std::min(period, p.sd->refresh_interval());
  file_timer.expires_after(period);
  file_timer.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    PollFiles();
    ScheduleFilePoll();
  });
}

util::Status Server::Impl::LoadAndApply() {
  auto loaded = config::LoadFile(options.config_file, fs);
  if (!loaded.ok()) {
    ++reloads_failed;
    last_reload_ok = false;
    return loaded.status();
  }
  asio::post(control, [this, cfg = std::move(*loaded)]() mutable { Apply(std::move(cfg)); });
  ++reloads_ok;
  last_reload_ok = true;
  last_reload_success_time = static_cast<double>(std::time(nullptr));
  return util::Status::Ok();
}

void Server::Impl::WaitSignal() {
  signals.async_wait([this](boost::system::error_code ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      if (util::Status st = LoadAndApply(); !st.ok()) {
        util::log::Error("Error reloading config", {{"err", st.message()}});
      } else {
        util::log::Info("Completed loading of configuration file", {{"filename", options.config_file}});
      }
      WaitSignal();
      return;
    }
    util::log::Warn("Received an OS signal, exiting gracefully...", {{"signal", strsignal(sig)}});
    scrapes.Stop();
    StopKubernetes();
    if (http) http->Stop();
    io.stop();
  });
}

util::StatusOr<std::unique_ptr<Server>> Server::Open(ServerOptions options, tsdb::Storage& storage,
                                                     const util::FileSystem& fs, const util::Clock& clock) {
  if (options.hostname.empty()) options.hostname = Hostname();
  KS_ASSIGN_OR_RETURN(config::Config cfg, config::LoadFile(options.config_file, fs));
  auto impl = std::make_unique<Impl>(std::move(options), storage, fs, clock);
  Impl* p = impl.get();
  p->last_reload_success_time = static_cast<double>(std::time(nullptr));  // the first load counts, as in Prometheus
  if (!p->options.listen_address.empty()) {
    RouteContext ctx;
    ctx.targets = [p] { return p->Targets(); };
    ctx.reload = [p] { return p->LoadAndApply(); };
    ctx.ready = [p] { return p->applied.load(); };
    ctx.config_yaml = [p] {
      std::lock_guard<std::mutex> lock(p->config_mu);
      return p->config_text;
    };
    ctx.self_metrics = [p] { return p->SelfMetrics(); };
    ctx.runtime_info = [p] {
      api::RuntimeInfo info;
      SelfMetricsSnapshot proc;
      ReadProcessMetrics(&proc);
      info.start_time_ms = static_cast<int64_t>(proc.start_time_seconds * 1000);
      char cwd[4096] = {};
      if (getcwd(cwd, sizeof(cwd) - 1) != nullptr) info.cwd = cwd;
      info.reload_config_success = p->last_reload_ok;
      info.last_config_time_ms = static_cast<int64_t>(p->last_reload_success_time * 1000);
      info.threads = p->options.threads > 0 ? p->options.threads : static_cast<int>(std::thread::hardware_concurrency());
      info.storage_retention = p->options.storage_retention;
      return info;
    };
    if (p->options.storage_metrics) {
      ctx.head_chunks = [p] {
        StorageMetrics m = p->options.storage_metrics();
        return m.head_chunks_created - m.head_chunks_removed;
      };
    }
    ctx.scrape_config = [p](const std::string& pool) -> std::shared_ptr<const scraper::ScrapeConfig> {
      std::lock_guard<std::mutex> lock(p->config_mu);
      auto it = p->pool_configs.find(pool);
      return it == p->pool_configs.end() ? nullptr : it->second;
    };
    ctx.engine = &p->engine;
    ctx.storage = &p->storage;
    ctx.enable_lifecycle = p->options.enable_lifecycle;
    ctx.hostname = p->options.hostname;
    ctx.listen_address = p->options.listen_address;
    ctx.config_file = p->options.config_file;
    ctx.engine_metrics = &p->engine_metrics;
    p->router.set_metrics(&p->http_metrics);
    AddDaemonRoutes(p->router, std::move(ctx));
    api::HttpServerOptions http_options;
    http_options.handler_threads = std::max(1, p->options.query_max_concurrency);
    KS_ASSIGN_OR_RETURN(p->http, api::HttpServer::Open(p->io.get_executor(), p->options.listen_address, p->router,
                                                       http_options));
    util::log::Info("Listening", {{"address", p->options.listen_address}, {"port", static_cast<unsigned>(p->http->port())}});
  }
  asio::post(p->control, [p, cfg = std::move(cfg)]() mutable { p->Apply(std::move(cfg)); });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  if (impl_->http) impl_->http->Stop();
  impl_->scrapes.Stop();
  impl_->StopKubernetes();
  impl_->io.stop();
}

void Server::Run() {
  Impl& s = *impl_;
  if (s.options.handle_signals) {
    s.signals.add(SIGHUP);
    s.signals.add(SIGINT);
    s.signals.add(SIGTERM);
    s.WaitSignal();
  }
  asio::post(s.control, [&s] {
    s.ScheduleDiscovery();
    s.ScheduleFilePoll();
  });
  if (s.options.run_for) {
    s.stop_timer.expires_after(*s.options.run_for);
    s.stop_timer.async_wait([&s](boost::system::error_code ec) {
      if (ec) return;
      s.scrapes.Stop();
      s.StopKubernetes();
      if (s.http) s.http->Stop();
      s.io.stop();
    });
  }
  int threads = s.options.threads > 0 ? s.options.threads : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::max(threads, 1);
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&s] { s.io.run(); });
  s.io.run();
  for (std::thread& t : pool) t.join();
}

util::Status Server::Reload() { return impl_->LoadAndApply(); }

void Server::Shutdown() {
  Impl& s = *impl_;
  asio::post(s.control, [&s] {
    s.scrapes.Stop();
    s.StopKubernetes();
    if (s.http) s.http->Stop();
    s.io.stop();
  });
}

scraper::ScrapeManager& Server::scrape_manager() { return impl_->scrapes; }
uint16_t Server::api_port() const { return impl_->http ? impl_->http->port() : 0; }
uint64_t Server::reloads_ok() const { return impl_->reloads_ok; }
uint64_t Server::reloads_failed() const { return impl_->reloads_failed; }

}  // namespace kubescrape::server
