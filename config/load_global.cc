#include <fmt/format.h>

#include "config/load_internal.h"
#include "model/validation.h"

namespace kubescrape::config::internal {
namespace {

}  // namespace

util::Status LoadGlobal(const Node& node, GlobalConfig* g, std::vector<std::string>* warnings) {
  KS_ASSIGN_OR_RETURN(MapReader m, MapReader::Open(node));
  GlobalConfig defaults;
  g->scrape_interval = model::Duration(0);
  g->scrape_timeout = model::Duration(0);
  g->evaluation_interval = model::Duration(0);
  KS_RETURN_IF_ERROR(m.Duration("scrape_interval", &g->scrape_interval));
  KS_RETURN_IF_ERROR(m.Duration("scrape_timeout", &g->scrape_timeout));
  KS_RETURN_IF_ERROR(m.Duration("evaluation_interval", &g->evaluation_interval));
  KS_RETURN_IF_ERROR(m.Duration("rule_query_offset", &g->rule_query_offset));
  KS_RETURN_IF_ERROR(LoadProtocols(m, &g->scrape_protocols));
  std::optional<model::NameValidationScheme> scheme;
  KS_RETURN_IF_ERROR(LoadNameSchemes(m, &scheme, &g->name_escaping));
  g->name_validation = scheme.value_or(model::NameValidationScheme::kUtf8);

  if (auto labels = m.Take("external_labels")) {
    KS_ASSIGN_OR_RETURN(g->external_labels, LoadLabelMap(*labels, g->name_validation, /*expand_env=*/true));
  }
  KS_RETURN_IF_ERROR(LoadLimits(m, &g->limits));
  KS_RETURN_IF_ERROR(m.String("query_log_file", &g->query_log_file));
  KS_RETURN_IF_ERROR(m.String("scrape_failure_log_file", &g->scrape_failure_log_file));
  // Native-histogram knobs: a float-only store always keeps classic
  // histograms, so they are accepted; converting to NHCB is reported.
  for (std::string_view key : {"always_scrape_classic_histograms", "scrape_native_histograms",
                               "extra_scrape_metrics"}) {
    bool ignored = false;
    KS_RETURN_IF_ERROR(m.Bool(key, &ignored));
  }
  if (auto nhcb = m.Take("convert_classic_histograms_to_nhcb")) {
    KS_ASSIGN_OR_RETURN(bool convert, nhcb->AsBool());
    if (convert) {
      warnings->push_back(nhcb->Describe(
          "convert_classic_histograms_to_nhcb is ignored: Kubescrape stores classic histograms as float series"));
    }
  }
  KS_RETURN_IF_ERROR(m.Finish());

  // Prometheus's defaulting order: interval first, then the timeout check.
  if (g->scrape_interval.count() == 0) g->scrape_interval = defaults.scrape_interval;
  if (g->scrape_timeout > g->scrape_interval) {
    auto at = m.Take("scrape_timeout");
    return (at ? *at : node).Error("global scrape timeout greater than scrape interval");
  }
  if (g->scrape_timeout.count() == 0) g->scrape_timeout = std::min(defaults.scrape_timeout, g->scrape_interval);
  if (g->evaluation_interval.count() == 0) g->evaluation_interval = defaults.evaluation_interval;
  return util::Status::Ok();
}

}  // namespace kubescrape::config::internal
