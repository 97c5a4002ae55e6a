#include "scraper/protocol.h"

#include <fmt/format.h>

#include "util/utf8.h"

namespace kubescrape::scraper {
namespace {

// Known media types, lower-case.
constexpr std::string_view kOpenMetricsType = "application/openmetrics-text";
constexpr std::string_view kTextType = "text/plain";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsTokenChar(unsigned char c) {
  if (c <= 0x20 || c >= 0x7f) return false;
  return std::string_view("()<>@,;:\\\"/[]?=").find(static_cast<char>(c)) == std::string_view::npos;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

// The lower-cased `type/subtype` of a Content-Type, or nullopt when it does
// not parse (RFC 9110 media-type; parameters must be `token=value`).
std::optional<std::string> MediaType(std::string_view content_type) {
  size_t semi = content_type.find(';');
  std::string_view type = Trim(content_type.substr(0, semi));
  size_t slash = type.find('/');
  if (slash == std::string_view::npos || !IsToken(type.substr(0, slash)) || !IsToken(type.substr(slash + 1))) {
    return std::nullopt;
  }
  std::string_view rest = semi == std::string_view::npos ? std::string_view() : content_type.substr(semi + 1);
  while (!rest.empty()) {
    size_t next = rest.find(';');
    std::string_view param = Trim(rest.substr(0, next));
    rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
    if (param.empty()) continue;  // "text/plain;" and ";;" are harmless
    size_t eq = param.find('=');
    if (eq == std::string_view::npos || !IsToken(Trim(param.substr(0, eq)))) return std::nullopt;
  }
  std::string out(type);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

ExpositionFormat FormatOf(ScrapeProtocol p) {
  switch (p) {
    case ScrapeProtocol::kOpenMetricsText0_0_1:
    case ScrapeProtocol::kOpenMetricsText1_0_0:
      return ExpositionFormat::kOpenMetrics;
    default:
      return ExpositionFormat::kPrometheusText;
  }
}

}  // namespace

std::string AcceptHeader(const std::vector<ScrapeProtocol>& protocols, std::string_view escaping) {
  // Prometheus weighs by the number of known protocols (5) + 1.
  int weight = 6;
  std::string out;
  for (ScrapeProtocol p : protocols) {
    // Kubescrape has no protobuf parser: never ask for it (docs/scraping.md).
    if (p == ScrapeProtocol::kPrometheusProto) continue;
    if (!out.empty()) out += ',';
    out += ScrapeProtocolHeader(p);
    if (p == ScrapeProtocol::kPrometheusText1_0_0 || p == ScrapeProtocol::kOpenMetricsText1_0_0) {
      out += ";escaping=";
      out += escaping;
    }
    out += fmt::format(";q=0.{}", weight);
    --weight;
  }
  if (!out.empty()) out += ',';
  out += fmt::format("*/*;q=0.{}", weight);
  return out;
}

util::StatusOr<FormatChoice> ChooseFormat(std::string_view content_type, std::optional<ScrapeProtocol> fallback) {
  FormatChoice choice;
  if (content_type.empty()) {
    if (!fallback) {
      return util::InvalidArgumentError(
          "non-compliant scrape target sending blank Content-Type and no fallback_scrape_protocol specified for "
          "target");
    }
    choice.format = FormatOf(*fallback);
    choice.warning = fmt::format("non-compliant scrape target sending blank Content-Type, using fallback_scrape_protocol {}",
                                 util::GoQuote(ScrapeProtocolName(*fallback)));
    return choice;
  }
  std::optional<std::string> media = MediaType(content_type);
  if (!media) {
    if (!fallback) {
      return util::InvalidArgumentError(fmt::format(
          "cannot parse Content-Type {} and no fallback_scrape_protocol for target", util::GoQuote(content_type)));
    }
    choice.format = FormatOf(*fallback);
    choice.warning = fmt::format("could not parse received Content-Type {}, using fallback_scrape_protocol {}",
                                 util::GoQuote(content_type), util::GoQuote(ScrapeProtocolName(*fallback)));
    return choice;
  }
  if (*media == kOpenMetricsType) {
    choice.format = ExpositionFormat::kOpenMetrics;
    return choice;
  }
  if (*media == kTextType) {
    choice.format = ExpositionFormat::kPrometheusText;
    return choice;
  }
  // Protobuf is never requested (AcceptHeader leaves PrometheusProto out),
  // so a protobuf body is as unsupported as any other type.
  if (!fallback) {
    return util::InvalidArgumentError(
        fmt::format("received unsupported Content-Type {} and no fallback_scrape_protocol specified for target",
                    util::GoQuote(content_type)));
  }
  choice.format = FormatOf(*fallback);
  choice.warning = fmt::format("received unsupported Content-Type {}, using fallback_scrape_protocol {}",
                               util::GoQuote(content_type), util::GoQuote(ScrapeProtocolName(*fallback)));
  return choice;
}

}  // namespace kubescrape::scraper
