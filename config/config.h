#pragma once
// The whole configuration: a Prometheus 3.x prometheus.yml, loaded with
// Prometheus's defaults and validation into each module's own config struct.
//
// Only this module knows YAML. Errors name file, line, column and field
// path; independent errors are all reported (up to ErrorList::kMaxErrors).
// Prometheus features Kubescrape does not implement are reported: as
// warnings where ignoring them cannot change what is scraped (rule_files,
// alerting, remote_write, ...), as errors where it would (other service
// discovery mechanisms, oauth2, proxies). docs/configuration.md lists them.
//
// Thread-safety: a loaded Config is immutable and may be shared.

#include <string>
#include <string_view>
#include <vector>

#include "discovery/config.h"
#include "model/labels.h"
#include "scraper/config.h"
#include "util/file_system.h"
#include "util/status.h"

namespace kubescrape::config {

struct GlobalConfig {
  model::Duration scrape_interval = std::chrono::minutes(1);
  model::Duration scrape_timeout = std::chrono::seconds(10);
  model::Duration evaluation_interval = std::chrono::minutes(1);
  model::Duration rule_query_offset{0};
  std::vector<scraper::ScrapeProtocol> scrape_protocols = scraper::DefaultScrapeProtocols();
  model::Labels external_labels;
  scraper::ScrapeLimits limits;
  model::NameValidationScheme name_validation = model::NameValidationScheme::kUtf8;
  std::string name_escaping;  // "" = derived from name_validation
  std::string query_log_file;
  std::string scrape_failure_log_file;
};

// One scrape_configs entry: scrape settings plus its discovery.
struct ScrapeJob {
  scraper::ScrapeConfig scrape;
  discovery::JobDiscovery discovery;
  std::string source_file;  // the file that defined it
};

struct Config {
  std::string filename;
  GlobalConfig global;
  std::vector<ScrapeJob> scrape_configs;  // includes those of scrape_config_files
  std::vector<std::string> warnings;      // "file:line:col: path: message"

  // The job named `name`, or null.
  const ScrapeJob* FindJob(std::string_view name) const;
};

// Loads and validates `path`. Relative paths inside it are resolved against
// its directory.
util::StatusOr<Config> LoadFile(const std::string& path,
                                const util::FileSystem& fs = util::FileSystem::Default());

// Loads from memory; `filename` names it in errors and anchors relative paths.
util::StatusOr<Config> LoadString(std::string_view content, const std::string& filename,
                                  const util::FileSystem& fs = util::FileSystem::Default());

}  // namespace kubescrape::config
