#include "scraper/config.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace kubescrape::scraper {
namespace {

struct ProtocolEntry {
  ScrapeProtocol protocol;
  std::string_view name;
  std::string_view header;
};

constexpr ProtocolEntry kProtocols[] = {
    {ScrapeProtocol::kPrometheusProto, "PrometheusProto",
     "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"},
    {ScrapeProtocol::kPrometheusText0_0_4, "PrometheusText0.0.4", "text/plain;version=0.0.4"},
    {ScrapeProtocol::kPrometheusText1_0_0, "PrometheusText1.0.0", "text/plain;version=1.0.0"},
    {ScrapeProtocol::kOpenMetricsText0_0_1, "OpenMetricsText0.0.1", "application/openmetrics-text;version=0.0.1"},
    {ScrapeProtocol::kOpenMetricsText1_0_0, "OpenMetricsText1.0.0", "application/openmetrics-text;version=1.0.0"},
};

const ProtocolEntry& Entry(ScrapeProtocol p) {
  for (const ProtocolEntry& e : kProtocols) {
    if (e.protocol == p) return e;
  }
  return kProtocols[0];
}

}  // namespace

std::optional<ScrapeProtocol> ParseScrapeProtocol(std::string_view s) {
  for (const ProtocolEntry& e : kProtocols) {
    if (e.name == s) return e.protocol;
  }
  return std::nullopt;
}

std::string_view ScrapeProtocolName(ScrapeProtocol p) { return Entry(p).name; }
std::string_view ScrapeProtocolHeader(ScrapeProtocol p) { return Entry(p).header; }

std::string SupportedScrapeProtocols() {
  std::vector<std::string_view> names;
  for (const ProtocolEntry& e : kProtocols) names.push_back(e.name);
  std::sort(names.begin(), names.end());
  return fmt::format("[{}]", fmt::join(names, " "));
}

const std::vector<ScrapeProtocol>& DefaultScrapeProtocols() {
  static const std::vector<ScrapeProtocol> kDefault = {
      ScrapeProtocol::kOpenMetricsText1_0_0, ScrapeProtocol::kOpenMetricsText0_0_1,
      ScrapeProtocol::kPrometheusText1_0_0, ScrapeProtocol::kPrometheusText0_0_4};
  return kDefault;
}

util::Status ValidateScrapeProtocols(const std::vector<ScrapeProtocol>& protocols) {
  if (protocols.empty()) return util::InvalidArgumentError("scrape_protocols cannot be empty");
  std::set<ScrapeProtocol> seen;
  for (ScrapeProtocol p : protocols) {
    if (!seen.insert(p).second) {
      std::vector<std::string_view> names;
      for (ScrapeProtocol q : protocols) names.push_back(ScrapeProtocolName(q));
      return util::InvalidArgumentError(
          fmt::format("duplicated protocol in scrape_protocols, got [{}]", fmt::join(names, " ")));
    }
  }
  return util::Status::Ok();
}

}  // namespace kubescrape::scraper
