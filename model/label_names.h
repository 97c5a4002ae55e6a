#pragma once
// Well-known label names and prefixes (Prometheus's model/labels and
// common/model constants). Use these, never repeated literals.

#include <string_view>

namespace kubescrape::model {

inline constexpr std::string_view kMetricName = "__name__";
inline constexpr std::string_view kAddressLabel = "__address__";
inline constexpr std::string_view kSchemeLabel = "__scheme__";
inline constexpr std::string_view kMetricsPathLabel = "__metrics_path__";
inline constexpr std::string_view kScrapeIntervalLabel = "__scrape_interval__";
inline constexpr std::string_view kScrapeTimeoutLabel = "__scrape_timeout__";
inline constexpr std::string_view kJobLabel = "job";
inline constexpr std::string_view kInstanceLabel = "instance";
inline constexpr std::string_view kBucketLabel = "le";
inline constexpr std::string_view kQuantileLabel = "quantile";

// Labels starting with this prefix are removed after target relabeling.
inline constexpr std::string_view kReservedLabelPrefix = "__";
// Service-discovery metadata, removed after target relabeling.
inline constexpr std::string_view kMetaLabelPrefix = "__meta_";
// Scratch labels for multi-step relabeling; never stored.
inline constexpr std::string_view kTmpLabelPrefix = "__tmp_";
// `__param_<name>` sets URL parameter <name> of the scrape.
inline constexpr std::string_view kParamLabelPrefix = "__param_";

}  // namespace kubescrape::model
