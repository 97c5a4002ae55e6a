#pragma once
// Content negotiation for scrapes, as Prometheus 3 does it: the Accept header
// built from `scrape_protocols`, and the parser chosen from the response's
// Content-Type (or `fallback_scrape_protocol`).
//
// Deliberate difference from Prometheus: a Content-Type whose parameters
// repeat (`text/plain; version=0.0.4; charset=utf-8; charset=utf-8`, sent by
// prometheus_client under Flask) is accepted; Go's mime parser rejects it,
// which makes Prometheus 3 fail such targets unless a fallback is set.
//
// Pure functions; thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scraper/config.h"
#include "scraper/textparse.h"
#include "util/status.h"

namespace kubescrape::scraper {

// The Accept header for `protocols` in preference order, with q weights
// 0.6, 0.5, ... and `*/*` last; `escaping` (e.g. "allow-utf-8",
// "underscores") is added to the 1.0.0 text formats. PrometheusProto is left
// out: Kubescrape has no protobuf parser.
std::string AcceptHeader(const std::vector<ScrapeProtocol>& protocols, std::string_view escaping);

// The parser for a response. `warning` is set when the fallback protocol is
// used. Errors carry Prometheus's messages (e.g. `received unsupported
// Content-Type "text/html" and no fallback_scrape_protocol specified for
// target`).
struct FormatChoice {
  ExpositionFormat format = ExpositionFormat::kPrometheusText;
  std::string warning;
};
util::StatusOr<FormatChoice> ChooseFormat(std::string_view content_type,
                                          std::optional<ScrapeProtocol> fallback);

}  // namespace kubescrape::scraper
