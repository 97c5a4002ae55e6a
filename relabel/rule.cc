#include "relabel/rule.h"

#include <fmt/format.h>

#include "util/utf8.h"

namespace kubescrape::relabel {
namespace {

struct ActionEntry {
  Action action;
  std::string_view name;
};
constexpr ActionEntry kActions[] = {
    {Action::kReplace, "replace"},     {Action::kKeep, "keep"},
    {Action::kDrop, "drop"},           {Action::kKeepEqual, "keepequal"},
    {Action::kDropEqual, "dropequal"}, {Action::kHashMod, "hashmod"},
    {Action::kLabelMap, "labelmap"},   {Action::kLabelDrop, "labeldrop"},
    {Action::kLabelKeep, "labelkeep"}, {Action::kLowercase, "lowercase"},
    {Action::kUppercase, "uppercase"},
};

// Prometheus's relabelTargetLegacy: a legacy name in which `$var` / `${var}`
// may stand for characters.
bool IsValidLegacyTemplate(std::string_view s) {
  auto word = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  if (s.empty()) return false;
  // Equivalent to ^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$ : the string is a
  // sequence of word characters and variables, starting with a letter, `_` or
  // a variable.
  size_t i = 0;
  bool first = true;
  while (i < s.size()) {
    if (s[i] == '$') {
      ++i;
      if (i < s.size() && s[i] == '{') {
        size_t j = i + 1;
        while (j < s.size() && word(s[j])) ++j;
        if (j == i + 1 || j >= s.size() || s[j] != '}') return false;
        i = j + 1;
      } else {
        size_t j = i;
        while (j < s.size() && word(s[j])) ++j;
        if (j == i) return false;
        i = j;
      }
    } else if (word(s[i])) {
      if (first && s[i] >= '0' && s[i] <= '9') return false;
      ++i;
    } else {
      return false;
    }
    first = false;
  }
  return true;
}

// model.LabelName(name).IsValid(scheme), with the legacy template rule for
// names containing `$` where Prometheus applies it.
bool IsValidTarget(std::string_view name, model::NameValidationScheme scheme, bool allow_template) {
  if (scheme == model::NameValidationScheme::kLegacy && allow_template &&
      name.find('$') != std::string_view::npos) {
    return IsValidLegacyTemplate(name);
  }
  return model::IsValidLabelName(name, scheme);
}

util::Status Validate(const RuleConfig& c, Action a, model::NameValidationScheme scheme) {
  using util::InvalidArgumentError;
  const std::string_view name = ActionName(a);
  if (a == Action::kHashMod && c.modulus == 0) {
    return InvalidArgumentError("relabel configuration for hashmod requires non-zero modulus");
  }
  const bool needs_target = a == Action::kReplace || a == Action::kHashMod || a == Action::kLowercase ||
                            a == Action::kUppercase || a == Action::kKeepEqual || a == Action::kDropEqual;
  if (needs_target && c.target_label.empty()) {
    return InvalidArgumentError(
        fmt::format("relabel configuration for {} action requires 'target_label' value", name));
  }
  auto invalid_target = [&] {
    return InvalidArgumentError(
        fmt::format("{} is invalid 'target_label' for {} action", util::GoQuote(c.target_label), name));
  };
  if (a == Action::kReplace && !IsValidTarget(c.target_label, scheme, /*allow_template=*/true)) {
    return invalid_target();
  }
  const bool equal_or_case = a == Action::kLowercase || a == Action::kUppercase ||
                             a == Action::kKeepEqual || a == Action::kDropEqual;
  if (equal_or_case && !IsValidTarget(c.target_label, scheme, false)) return invalid_target();
  if (equal_or_case && c.replacement != kDefaultReplacement) {
    return InvalidArgumentError(fmt::format("'replacement' can not be set for {} action", name));
  }
  if (a == Action::kLabelMap && !IsValidTarget(c.replacement, scheme, true)) {
    return InvalidArgumentError(
        fmt::format("{} is invalid 'replacement' for {} action", util::GoQuote(c.replacement), name));
  }
  if (a == Action::kHashMod && !IsValidTarget(c.target_label, scheme, false)) return invalid_target();
  if (a == Action::kKeepEqual || a == Action::kDropEqual) {
    if (c.regex.has_value() || c.modulus != 0 || c.separator != kDefaultSeparator ||
        c.replacement != kDefaultReplacement) {
      return InvalidArgumentError(fmt::format(
          "{} action requires only 'source_labels' and `target_label`, and no other fields", name));
    }
  }
  if (a == Action::kLabelDrop || a == Action::kLabelKeep) {
    if (c.source_labels_set || !c.target_label.empty() || c.modulus != 0 ||
        c.separator != kDefaultSeparator || c.replacement != kDefaultReplacement) {
      return InvalidArgumentError(
          fmt::format("{} action requires only 'regex', and no other fields", name));
    }
  }
  return util::Status::Ok();
}

// A YAML flow scalar: plain when safe, else double-quoted.
std::string YamlScalar(std::string_view s) {
  bool plain = !s.empty();
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '.' || c == '/' || c == '-')) {
      plain = false;
      break;
    }
  }
  return plain ? std::string(s) : util::GoQuote(s);
}

}  // namespace

std::optional<Action> ParseAction(std::string_view s) {
  std::string lower = util::ToLower(s);
  for (const ActionEntry& e : kActions) {
    if (e.name == lower) return e.action;
  }
  return std::nullopt;
}

std::string_view ActionName(Action a) {
  for (const ActionEntry& e : kActions) {
    if (e.action == a) return e.name;
  }
  return "unknown";
}

util::StatusOr<Rule> Rule::Compile(const RuleConfig& config, model::NameValidationScheme scheme) {
  if (!config.action.has_value()) return util::InvalidArgumentError("relabel action cannot be empty");
  const Action action = *config.action;
  model::Regex regex = model::Regex::Default();
  if (config.regex.has_value()) {
    KS_ASSIGN_OR_RETURN(regex, model::Regex::Compile(*config.regex));
  }
  KS_RETURN_IF_ERROR(Validate(config, action, scheme));
  Rule rule(config, action, std::move(regex), scheme);
  rule.target_ = Template::Parse(config.target_label, rule.regex_);
  rule.replacement_ = Template::Parse(config.replacement, rule.regex_);
  return rule;
}

std::string Rule::ToString() const {
  std::vector<std::string> fields;
  const RuleConfig& c = config_;
  if (c.source_labels_set) {
    std::string list;
    for (const std::string& s : c.source_labels) {
      if (!list.empty()) list += ", ";
      list += YamlScalar(s);
    }
    fields.push_back("source_labels: [" + list + "]");
  }
  if (c.separator != kDefaultSeparator) fields.push_back("separator: " + util::GoQuote(c.separator));
  if (c.regex.has_value()) fields.push_back("regex: " + util::GoQuote(*c.regex));
  if (c.modulus != 0) fields.push_back(fmt::format("modulus: {}", c.modulus));
  if (!c.target_label.empty()) fields.push_back("target_label: " + YamlScalar(c.target_label));
  if (c.replacement != kDefaultReplacement) fields.push_back("replacement: " + util::GoQuote(c.replacement));
  fields.push_back("action: " + std::string(ActionName(action_)));
  std::string out = "{";
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ", ";
    out += fields[i];
  }
  out += "}";
  return out;
}

}  // namespace kubescrape::relabel
