#include "server/api_routes.h"

#include <memory>

#include "api/envelope.h"
#include "api/params.h"

namespace kubescrape::server {
namespace {

api::HttpResponse Text(int status, std::string body) {
  api::HttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

api::HttpResponse BadParams(const util::Status& s) {
  return api::ErrorResponse({api::ErrorType::kBadData, s.message()});
}

}  // namespace

void AddDaemonRoutes(api::Router& router, RouteContext context) {
  auto ctx = std::make_shared<const RouteContext>(std::move(context));
  router.Add({"GET"}, "/-/healthy", [](const api::HttpRequest&) { return Text(200, "Kubescrape is Healthy.\n"); });
  router.Add({"GET"}, "/-/ready", [ctx](const api::HttpRequest&) {
    return ctx->ready() ? Text(200, "Kubescrape is Ready.\n") : Text(503, "Service Unavailable\n");
  });
  router.Add({"POST", "PUT"}, "/-/reload", [ctx](const api::HttpRequest&) {
    if (!ctx->enable_lifecycle) return Text(403, "Lifecycle API is not enabled.\n");
    util::Status s = ctx->reload();
    if (!s.ok()) return Text(500, "failed to reload config: " + s.message() + "\n");
    return Text(200, "");
  });
  router.Add({"GET", "POST"}, "/api/v1/targets", [ctx](const api::HttpRequest& r) {
    auto params = api::Params::Parse(r);
    if (!params.ok()) return BadParams(params.status());
    return api::TargetsResponse(ctx->targets(), *params, ctx->hostname);
  });
  router.Add({"GET", "POST"}, "/api/v1/targets/relabel_steps", [ctx](const api::HttpRequest& r) {
    auto params = api::Params::Parse(r);
    if (!params.ok()) return BadParams(params.status());
    const std::string pool(params->Get("scrapePool"));
    std::shared_ptr<const scraper::ScrapeConfig> config = ctx->scrape_config(pool);
    if (config == nullptr) {
      return api::ErrorResponse({api::ErrorType::kBadData, "scrape pool \"" + pool + "\" not found"});
    }
    auto labels = api::ParseLabelsParam(params->Get("labels"));
    if (!labels.ok()) return BadParams(labels.status());
    return api::RelabelStepsResponse(config->relabel_configs, *labels);
  });
  router.Add({"GET"}, "/api/v1/scrape_pools",
             [ctx](const api::HttpRequest&) { return api::ScrapePoolsResponse(ctx->targets()); });
  router.Add({"GET"}, "/api/v1/status/buildinfo", [](const api::HttpRequest&) {
    return api::SuccessResponse([](api::JsonWriter& w) {
      w.StartObject();
      for (auto [k, v] : {std::pair{"version", KS_VERSION}, {"revision", "unknown"}, {"branch", "main"},
                          {"buildUser", "kubescrape"}, {"buildDate", "unknown"}, {"goVersion", "c++20"}}) {
        w.Key(k);
        w.String(v);
      }
      w.EndObject();
    });
  });
  router.Add({"GET"}, "/api/v1/status/config", [ctx](const api::HttpRequest&) {
    return api::SuccessResponse([&](api::JsonWriter& w) {
      w.StartObject();
      w.Key("yaml");
      api::WriteString(w, ctx->config_yaml());
      w.EndObject();
    });
  });
  router.Add({"GET"}, "/api/v1/status/flags", [ctx](const api::HttpRequest&) {
    return api::SuccessResponse([&](api::JsonWriter& w) {
      w.StartObject();
      w.Key("config.file");
      api::WriteString(w, ctx->config_file);
      w.Key("web.listen-address");
      api::WriteString(w, ctx->listen_address);
      w.Key("web.enable-lifecycle");
      w.String(ctx->enable_lifecycle ? "true" : "false");
      w.EndObject();
    });
  });
  // Grafana and alerting UIs call these; Kubescrape has no rules or alerts.
  router.Add({"GET"}, "/api/v1/rules", [](const api::HttpRequest&) {
    return api::SuccessResponse([](api::JsonWriter& w) {
      w.StartObject();
      w.Key("groups");
      w.StartArray();
      w.EndArray();
      w.EndObject();
    });
  });
  router.Add({"GET"}, "/api/v1/alerts", [](const api::HttpRequest&) {
    return api::SuccessResponse([](api::JsonWriter& w) {
      w.StartObject();
      w.Key("alerts");
      w.StartArray();
      w.EndArray();
      w.EndObject();
    });
  });
}

}  // namespace kubescrape::server
