#include "model/validation.h"

#include "util/utf8.h"

namespace kubescrape::model {
namespace {

inline bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::optional<NameValidationScheme> ParseNameValidationScheme(std::string_view s) {
  if (s == "utf8") return NameValidationScheme::kUtf8;
  if (s == "legacy") return NameValidationScheme::kLegacy;
  return std::nullopt;
}

std::string_view NameValidationSchemeName(NameValidationScheme s) {
  return s == NameValidationScheme::kUtf8 ? "utf8" : "legacy";
}

bool IsValidLegacyLabelName(std::string_view name) {
  if (name.empty() || !IsAlpha(name[0])) return false;
  for (char c : name.substr(1)) {
    if (!IsAlpha(c) && !IsDigit(c)) return false;
  }
  return true;
}

bool IsValidLegacyMetricName(std::string_view name) {
  if (name.empty() || !(IsAlpha(name[0]) || name[0] == ':')) return false;
  for (char c : name.substr(1)) {
    if (!IsAlpha(c) && !IsDigit(c) && c != ':') return false;
  }
  return true;
}

bool IsValidLabelName(std::string_view name, NameValidationScheme scheme) {
  if (scheme == NameValidationScheme::kLegacy) return IsValidLegacyLabelName(name);
  return !name.empty() && util::IsValidUtf8(name);
}

bool IsValidMetricName(std::string_view name, NameValidationScheme scheme) {
  if (scheme == NameValidationScheme::kLegacy) return IsValidLegacyMetricName(name);
  return !name.empty() && util::IsValidUtf8(name);
}

bool IsValidLabelValue(std::string_view value) { return util::IsValidUtf8(value); }

}  // namespace kubescrape::model
