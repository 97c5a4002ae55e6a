#pragma once
// The daemon's HTTP routes: lifecycle (/-/healthy, /-/ready, /-/reload),
// the targets API and the status endpoints, registered on an api::Router.
// The handlers read the running server through the callbacks below.
//
// Thread-safety: the callbacks must be thread-safe; handlers run on the API
// server's pool.

#include <functional>
#include <memory>
#include <string>

#include "api/engine_metrics.h"
#include "api/router.h"
#include "api/status.h"
#include "api/targets.h"
#include "promql/engine.h"
#include "tsdb/storage.h"
#include "scraper/config.h"
#include "util/status.h"

namespace kubescrape::server {

struct RouteContext {
  std::function<api::TargetsView()> targets;
  std::function<util::Status()> reload;  // re-reads the config file
  std::function<bool()> ready;
  std::function<std::string()> config_yaml;  // the loaded configuration
  std::function<std::string()> self_metrics;  // /metrics, in the text format
  std::function<api::RuntimeInfo()> runtime_info;
  std::function<uint64_t()> head_chunks;  // for /api/v1/status/tsdb; may be empty
  // The running configuration of a scrape pool; null when unknown.
  std::function<std::shared_ptr<const scraper::ScrapeConfig>(const std::string& pool)> scrape_config;
  // The query endpoints; both must outlive the router.
  const promql::Engine* engine = nullptr;
  tsdb::Storage* storage = nullptr;
  // Fed by the query endpoints when set; must outlive the router.
  api::EngineMetrics* engine_metrics = nullptr;
  bool enable_lifecycle = false;
  std::string hostname;
  std::string listen_address;
  std::string config_file;
};

// Registers every daemon route on `router`. `context` is copied.
void AddDaemonRoutes(api::Router& router, RouteContext context);

}  // namespace kubescrape::server
