#include "server/api_routes.h"

#include <chrono>
#include <exception>
#include <limits>
#include <memory>
#include <set>
#include <tuple>

#include "api/envelope.h"
#include "api/metadata.h"
#include "api/params.h"
#include "api/query.h"

namespace kubescrape::server {
namespace {

api::HttpResponse BadParams(const util::Status& s) {
  return api::ErrorResponse({api::ErrorType::kBadData, s.message()});
}

}  // namespace

void AddDaemonRoutes(api::Router& router, RouteContext context) {
  auto ctx = std::make_shared<const RouteContext>(std::move(context));
  router.Add({"GET"}, "/-/healthy", [](const api::HttpRequest&) { return api::TextResponse(200, "Kubescrape is Healthy.\n"); });
  router.Add({"GET"}, "/metrics", [ctx](const api::HttpRequest&) {
    api::HttpResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = ctx->self_metrics();
    return r;
  });
  router.Add({"GET"}, "/-/ready", [ctx](const api::HttpRequest&) {
    return ctx->ready() ? api::TextResponse(200, "Kubescrape is Ready.\n") : api::TextResponse(503, "Service Unavailable\n");
  });
  router.Add({"POST", "PUT"}, "/-/reload", [ctx](const api::HttpRequest&) {
    if (!ctx->enable_lifecycle) return api::TextResponse(403, "Lifecycle API is not enabled.\n");
    util::Status s = ctx->reload();
    if (!s.ok()) return api::TextResponse(500, "failed to reload config: " + s.message() + "\n");
    return api::TextResponse(200, "");
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
  router.Add({"GET"}, "/api/v1/status/runtimeinfo",
             [ctx](const api::HttpRequest&) { return api::RuntimeInfoResponse(ctx->runtime_info()); });
  router.Add({"GET"}, "/api/v1/status/walreplay", [](const api::HttpRequest&) { return api::WalReplayResponse(); });
  if (ctx->storage != nullptr) {
    router.Add({"GET"}, "/api/v1/status/tsdb", [ctx](const api::HttpRequest& r) {
      auto params = api::Params::Parse(r);
      if (!params.ok()) return BadParams(params.status());
      size_t limit = 10;
      if (!params->Get("limit").empty()) {
        try {
          limit = std::stoul(std::string(params->Get("limit")));
        } catch (const std::exception&) {
          return api::ErrorResponse({api::ErrorType::kBadData, "limit must be a positive number"});
        }
        if (limit == 0) return api::ErrorResponse({api::ErrorType::kBadData, "limit must be a positive number"});
      }
      return api::TsdbStatusResponse(*ctx->storage, std::numeric_limits<int64_t>::min(),
                                     std::numeric_limits<int64_t>::max(), ctx->head_chunks ? ctx->head_chunks() : 0,
                                     limit);
    });
  }
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
  // Queries (Grafana's datasource): GET and form POST where Prometheus takes them.
  auto query_route = [ctx](std::set<std::string> methods, std::string path,
                           std::function<api::HttpResponse(const api::QueryContext&, const api::Params&)> fn) {
    return std::make_tuple(std::move(methods), std::move(path),
                           [ctx, fn](const api::HttpRequest& r) {
                             auto params = api::Params::Parse(r);
                             if (!params.ok()) return BadParams(params.status());
                             auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch());
                             api::QueryContext qc{*ctx->engine, *ctx->storage, now.count(), ctx->engine_metrics,
                                                  r.queue_seconds};
                             return fn(qc, *params);
                           });
  };
  if (ctx->engine != nullptr && ctx->storage != nullptr) {
    for (auto [methods, path, handler] :
         {query_route({"GET", "POST"}, "/api/v1/query", api::InstantQuery),
          query_route({"GET", "POST"}, "/api/v1/query_range", api::RangeQuery),
          query_route({"GET", "POST"}, "/api/v1/series", api::Series),
          query_route({"GET", "POST"}, "/api/v1/labels", api::LabelNames)}) {
      router.Add(std::move(methods), std::move(path), std::move(handler));
    }
    router.Add({"GET"}, "/api/v1/label/", [ctx](const api::HttpRequest& r) {
      // /api/v1/label/<name>/values
      std::string_view rest = std::string_view(r.path).substr(std::string_view("/api/v1/label/").size());
      if (!rest.ends_with("/values") || rest.size() == 7) {
        return api::ErrorResponse({api::ErrorType::kNotFound, "unknown API endpoint"});
      }
      auto params = api::Params::Parse(r);
      if (!params.ok()) return BadParams(params.status());
      auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch());
      api::QueryContext qc{*ctx->engine, *ctx->storage, now.count()};
      return api::LabelValues(qc, *params, rest.substr(0, rest.size() - 7));
    }, "/api/v1/label/:name/values");
  }
  router.Add({"GET", "POST"}, "/api/v1/format_query", [](const api::HttpRequest& r) {
    auto params = api::Params::Parse(r);
    if (!params.ok()) return BadParams(params.status());
    return api::FormatQuery(*params);
  });
  router.Add({"GET"}, "/api/v1/metadata", [ctx](const api::HttpRequest& r) {
    auto params = api::Params::Parse(r);
    if (!params.ok()) return BadParams(params.status());
    return api::MetadataResponse(ctx->targets().active, *params);
  });
  router.Add({"GET"}, "/api/v1/targets/metadata", [ctx](const api::HttpRequest& r) {
    auto params = api::Params::Parse(r);
    if (!params.ok()) return BadParams(params.status());
    return api::TargetsMetadataResponse(ctx->targets().active, *params);
  });
  router.Add({"GET", "POST"}, "/api/v1/query_exemplars", [](const api::HttpRequest& r) {
    auto params = api::Params::Parse(r);
    if (!params.ok()) return BadParams(params.status());
    return api::QueryExemplars(*params);
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
