#include "cmd/scrapectl/targets_offline.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "api/envelope.h"
#include "api/params.h"
#include "api/router.h"
#include "api/targets.h"
#include "cmd/scrapectl/commands.h"
#include "config/config.h"
#include "discovery/file_sd.h"
#include "discovery/kube_requests.h"
#include "discovery/kubernetes_discoverer.h"
#include "discovery/target_groups.h"
#include "scraper/target.h"
#include "util/clock.h"

namespace kubescrape::scrapectl {
namespace {

// Lists every Kubernetes config of `job` once; appends the groups.
util::Status ListKubernetes(const config::ScrapeJob& job, const OfflineTargetsOptions& options,
                            const util::FileSystem& fs, std::vector<model::TargetGroup>* groups) {
  for (discovery::KubernetesSdConfig kc : job.discovery.kubernetes_sd_configs) {
    if (!options.kubeconfig.empty()) {
      kc.kubeconfig_file = options.kubeconfig;
      kc.api_server.clear();
      kc.http_client = {};
    }
    boost::asio::io_context ioc;
    auto work = boost::asio::make_work_guard(ioc);
    auto d = discovery::KubernetesDiscoverer::Open(ioc.get_executor(), kc, fs, discovery::ProcessEnv());
    if (!d.ok()) return d.status();
    const size_t lists_needed = discovery::PodRoleResources(kc, (*d)->endpoint().own_namespace).size();
    std::mutex mu;
    std::condition_variable cv;
    std::map<std::string, model::TargetGroup> by_source;
    (*d)->Subscribe("scrapectl", [&](std::vector<model::TargetGroup> gs) {
      std::lock_guard<std::mutex> lock(mu);
      for (auto& g : gs) by_source[g.source] = std::move(g);
      cv.notify_all();
    });
    (*d)->Start();
    std::thread runner([&ioc] { ioc.run(); });
    bool synced = false;
    {
      std::unique_lock<std::mutex> lock(mu);
      synced = cv.wait_for(lock, options.timeout, [&] { return (*d)->stats().lists >= lists_needed; });
    }
    (*d)->Stop();
    work.reset();
    runner.join();
    if (!synced) {
      return util::Status(
          util::StatusCode::kDeadlineExceeded,
          fmt::format("job {}: the Kubernetes API server did not answer the lists within {}s (see the log above)",
                      job.scrape.job_name, options.timeout.count()));
    }
    for (auto& [source, g] : by_source) {
      if (!g.targets.empty()) groups->push_back(std::move(g));
    }
  }
  return util::Status::Ok();
}

}  // namespace

int OfflineTargets(const TargetsOptions& view_options, const OfflineTargetsOptions& options, std::ostream& out,
                   std::ostream& err, const util::FileSystem& fs) {
  auto cfg = config::LoadFile(options.config_file, fs);
  if (!cfg.ok()) {
    fmt::print(err, "scrapectl targets: {}\n", cfg.status().message());
    return kExitFailure;
  }
  api::TargetsView view;
  std::map<std::string, const scraper::ScrapeConfig*> configs;
  for (const config::ScrapeJob& job : cfg->scrape_configs) {
    const std::string& name = job.scrape.job_name;
    configs[name] = &job.scrape;
    view.pools.push_back(name);
    std::vector<model::TargetGroup> groups = discovery::StaticGroups(job.discovery.static_configs);
    for (const discovery::FileSdConfig& fc : job.discovery.file_sd_configs) {
      discovery::FileSd sd(fc, fs, util::SystemClock::Default());
      discovery::FileSdRefresh r = sd.Refresh();
      for (const util::Status& e : r.errors) fmt::print(err, "job {}: {}\n", name, e.message());
      for (auto& g : r.groups) groups.push_back(std::move(g));
    }
    if (util::Status s = ListKubernetes(job, options, fs, &groups); !s.ok()) {
      fmt::print(err, "scrapectl targets: {}\n", s.message());
      return kExitFailure;
    }
    size_t dropped = 0;
    for (scraper::TargetOutcome& o : scraper::BuildTargets(groups, job.scrape)) {
      if (o.target) {
        view.active.push_back({name, std::move(*o.target), {}});
      } else {
        ++dropped;
        view.dropped.push_back({name, std::move(o.discovered), o.error.ok() ? "" : o.error.message()});
      }
    }
    view.dropped_counts.emplace_back(name, dropped);
  }
  std::sort(view.pools.begin(), view.pools.end());
  // The same views as against a daemon, served from memory.
  api::Router router;
  router.Add({"GET"}, "/api/v1/targets", [&view](const api::HttpRequest& r) {
    auto params = api::Params::Parse(r);
    return api::TargetsResponse(view, params.ok() ? *params : api::Params(), "");
  });
  router.Add({"GET"}, "/api/v1/targets/relabel_steps", [&configs](const api::HttpRequest& r) {
    auto params = api::Params::Parse(r);
    auto labels = api::ParseLabelsParam(params.ok() ? params->Get("labels") : "");
    auto it = configs.find(std::string(params.ok() ? params->Get("scrapePool") : ""));
    if (!labels.ok() || it == configs.end()) {
      return api::ErrorResponse({api::ErrorType::kBadData, "bad relabel_steps request"});
    }
    return api::RelabelStepsResponse(it->second->relabel_configs, *labels);
  });
  HttpGet get = [&router](const std::string& path) -> util::StatusOr<std::string> {
    api::HttpRequest r;
    r.method = "GET";
    size_t q = path.find('?');
    r.path = path.substr(0, q);
    if (q != std::string::npos) r.query = path.substr(q + 1);
    return router.Handle(r).body;
  };
  return Targets(view_options, get, out, err, 0);
}

}  // namespace kubescrape::scrapectl
