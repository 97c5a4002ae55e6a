#include "server/server.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <fmt/format.h>

#include "config/config.h"
#include "discovery/file_sd.h"
#include "discovery/manager.h"
#include "discovery/target_groups.h"
#include "util/logging.h"

namespace kubescrape::server {
namespace asio = boost::asio;

namespace {

// File SD is polled at least this often, so edits show up promptly (as
// Prometheus's fsnotify watch makes them); Refresh() only reports changes.
constexpr std::chrono::seconds kMaxFilePollInterval{5};

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
        scrapes(io.get_executor(), storage, clock, scraper::ScrapeLoop::Options{0, "Kubescrape/" KS_VERSION}) {}

  // Applies `cfg` to discovery and scraping. Runs on the control strand.
  void Apply(config::Config cfg);
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

  discovery::Manager discovery;
  scraper::ScrapeManager scrapes;
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
    if (!job.discovery.kubernetes_sd_configs.empty()) {
      util::log::Warn("kubernetes_sd_configs are not implemented yet; the job has no Kubernetes targets",
                {{"scrape_pool", name}});
    }
  }
  discovery.ApplyConfig(providers);
  scrapes.ApplyConfig(jobs);
  for (const config::ScrapeJob& job : cfg.scrape_configs) {
    if (!job.discovery.static_configs.empty()) {
      discovery.Replace(job.scrape.job_name, "static", discovery::StaticGroups(job.discovery.static_configs));
    }
  }
  file_providers = std::move(files);
  config = std::move(cfg);
  PollFiles();
  PushDiscovery();
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
    return loaded.status();
  }
  asio::post(control, [this, cfg = std::move(*loaded)]() mutable { Apply(std::move(cfg)); });
  ++reloads_ok;
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
    io.stop();
  });
}

util::StatusOr<std::unique_ptr<Server>> Server::Open(ServerOptions options, tsdb::Storage& storage,
                                                     const util::FileSystem& fs, const util::Clock& clock) {
  if (options.hostname.empty()) options.hostname = Hostname();
  KS_ASSIGN_OR_RETURN(config::Config cfg, config::LoadFile(options.config_file, fs));
  auto impl = std::make_unique<Impl>(std::move(options), storage, fs, clock);
  Impl* p = impl.get();
  asio::post(p->control, [p, cfg = std::move(cfg)]() mutable { p->Apply(std::move(cfg)); });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  impl_->scrapes.Stop();
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
    s.io.stop();
  });
}

scraper::ScrapeManager& Server::scrape_manager() { return impl_->scrapes; }
uint64_t Server::reloads_ok() const { return impl_->reloads_ok; }
uint64_t Server::reloads_failed() const { return impl_->reloads_failed; }

}  // namespace kubescrape::server
