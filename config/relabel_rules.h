#pragma once
// Loading a relabel_configs list: shared by the config loader and the relabel
// unit-test files of `scrapectl test relabel`, so both give the same errors.

#include <string_view>
#include <vector>

#include "config/yaml_reader.h"
#include "model/validation.h"
#include "relabel/rule.h"

namespace kubescrape::config {

enum class RuleKind { kTarget, kMetric };

// Reads and compiles every rule of `list` (a YAML list of relabel_config
// mappings). All invalid rules are reported, each at its own position, e.g.
// "prometheus.yml:14:9: scrape_configs[0].relabel_configs[2]: unknown relabel action \"keepp\"".
util::StatusOr<std::vector<relabel::Rule>> LoadRelabelRules(const Node& list, RuleKind kind,
                                                            model::NameValidationScheme scheme);

}  // namespace kubescrape::config
