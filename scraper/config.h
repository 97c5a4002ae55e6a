#pragma once
// Scrape settings of one job (the scrape-related part of a scrape_config),
// fully resolved: the loader has applied the global defaults, so every
// field holds the effective value.
//
// Thread-safety: plain values; shared read-only once published.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/duration.h"
#include "model/http_config.h"
#include "model/validation.h"
#include "relabel/rule.h"

namespace kubescrape::scraper {

// The exposition formats a scrape may negotiate (Prometheus's
// ScrapeProtocol names).
enum class ScrapeProtocol {
  kPrometheusProto,
  kPrometheusText0_0_4,
  kPrometheusText1_0_0,
  kOpenMetricsText0_0_1,
  kOpenMetricsText1_0_0,
};

// Exact, case-sensitive names: "PrometheusText0.0.4", "OpenMetricsText1.0.0", ...
std::optional<ScrapeProtocol> ParseScrapeProtocol(std::string_view s);
std::string_view ScrapeProtocolName(ScrapeProtocol p);
// The media type and parameters sent in Accept, e.g. "text/plain;version=0.0.4".
std::string_view ScrapeProtocolHeader(ScrapeProtocol p);
// "[OpenMetricsText0.0.1 OpenMetricsText1.0.0 PrometheusProto ...]" (sorted),
// as Prometheus lists them in errors.
std::string SupportedScrapeProtocols();

// Prometheus 3's default order: OpenMetrics 1.0.0, 0.0.1, text 1.0.0, 0.0.4.
const std::vector<ScrapeProtocol>& DefaultScrapeProtocols();

// Checks a scrape_protocols list: not empty, no duplicates.
util::Status ValidateScrapeProtocols(const std::vector<ScrapeProtocol>& protocols);

// Limits; 0 means no limit.
struct ScrapeLimits {
  uint64_t sample_limit = 0;
  uint64_t target_limit = 0;
  uint64_t label_limit = 0;
  uint64_t label_name_length_limit = 0;
  uint64_t label_value_length_limit = 0;
  uint64_t keep_dropped_targets = 0;
  int64_t body_size_limit = 0;  // bytes, uncompressed
};

struct ScrapeConfig {
  std::string job_name;
  model::Duration scrape_interval{0};
  model::Duration scrape_timeout{0};
  std::string metrics_path = "/metrics";
  std::string scheme = "http";
  std::map<std::string, std::vector<std::string>> params;
  bool honor_labels = false;
  bool honor_timestamps = true;
  bool track_timestamps_staleness = false;
  bool enable_compression = true;
  std::vector<ScrapeProtocol> scrape_protocols;
  std::optional<ScrapeProtocol> fallback_scrape_protocol;
  ScrapeLimits limits;
  model::NameValidationScheme name_validation = model::NameValidationScheme::kUtf8;
  std::string name_escaping = "allow-utf-8";
  std::string scrape_failure_log_file;
  model::HttpClientConfig http_client;
  std::vector<relabel::Rule> relabel_configs;
  std::vector<relabel::Rule> metric_relabel_configs;
};

}  // namespace kubescrape::scraper
