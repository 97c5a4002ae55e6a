#pragma once
// Section loaders shared by the files of the config module. Internal: not
// included outside config/.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/yaml_reader.h"

namespace kubescrape::config::internal {

// Parses a YAML document; yaml-cpp's exceptions become positioned errors.
util::StatusOr<Node> ParseYaml(std::string_view content, const std::string& filename);

util::Status LoadGlobal(const Node& node, GlobalConfig* global, std::vector<std::string>* warnings);

// A mapping of label names to values (external_labels, static_configs
// labels), validated under `scheme`; `expand_env` expands $VAR / ${VAR}.
util::StatusOr<model::Labels> LoadLabelMap(const Node& node, model::NameValidationScheme scheme,
                                           bool expand_env);

// The limit fields shared by global and scrape configs.
util::Status LoadLimits(MapReader& m, scraper::ScrapeLimits* limits);

// scrape_protocols (absent or null leaves *out unchanged).
util::Status LoadProtocols(MapReader& m, std::vector<scraper::ScrapeProtocol>* out);

// metric_name_validation_scheme / metric_name_escaping_scheme.
util::Status LoadNameSchemes(MapReader& m, std::optional<model::NameValidationScheme>* validation,
                             std::string* escaping);

// Loads one scrape_configs entry, applying `global`'s defaults. Adds every
// error found to `errors`; returns false when there was any.
bool LoadScrapeJob(const Node& node, const GlobalConfig& global, ScrapeJob* job, ErrorList* errors,
                   std::vector<std::string>* warnings);

// Reads the inline HTTP client keys of a scrape or kubernetes SD config.
util::Status LoadHttpClientConfig(MapReader& m, model::HttpClientConfig* out);

// Reads the *_sd_configs and static_configs keys of a scrape config.
util::Status LoadJobDiscovery(MapReader& m, discovery::JobDiscovery* out);

// Resolves relative file paths against `dir`.
void SetJobDirectory(ScrapeJob* job, const std::string& dir);

}  // namespace kubescrape::config::internal
