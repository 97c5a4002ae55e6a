#pragma once
// Label and metric name/value validity, as Prometheus 3 defines it.
//
// Prometheus 3 defaults to UTF-8 names (metric_name_validation_scheme: utf8):
// any non-empty, well-formed UTF-8 string is a valid name. The legacy scheme
// restricts names to [a-zA-Z_][a-zA-Z0-9_]* (metric names also allow ':').
// Label values must be well-formed UTF-8.
//
// Thread-safety: pure functions.

#include <optional>
#include <string_view>

namespace kubescrape::model {

enum class NameValidationScheme { kUtf8, kLegacy };

// Parses "utf8" / "legacy"; nullopt otherwise.
std::optional<NameValidationScheme> ParseNameValidationScheme(std::string_view s);
std::string_view NameValidationSchemeName(NameValidationScheme s);

bool IsValidLegacyLabelName(std::string_view name);
bool IsValidLegacyMetricName(std::string_view name);
bool IsValidLabelName(std::string_view name, NameValidationScheme scheme);
bool IsValidMetricName(std::string_view name, NameValidationScheme scheme);
bool IsValidLabelValue(std::string_view value);

}  // namespace kubescrape::model
