#include <fmt/format.h>

#include "config/relabel_rules.h"
#include "model/validation.h"

namespace kubescrape::config {
namespace {

// Reads one rule mapping into a RuleConfig (Prometheus's defaults first).
// Field type errors point at the field; rule-level errors at the rule.
util::StatusOr<relabel::RuleConfig> ReadRuleConfig(const Node& node) {
  relabel::RuleConfig c;
  KS_ASSIGN_OR_RETURN(MapReader m, MapReader::Open(node));
  KS_RETURN_IF_ERROR(m.StringList("source_labels", &c.source_labels, &c.source_labels_set));
  for (const std::string& name : c.source_labels) {
    if (!model::IsValidLabelName(name, model::NameValidationScheme::kUtf8)) {
      return node.Error(fmt::format("\"{}\" is not a valid label name", name));
    }
  }
  KS_RETURN_IF_ERROR(m.String("separator", &c.separator));
  if (auto regex = m.Take("regex")) {
    KS_ASSIGN_OR_RETURN(std::string text, regex->AsString());  // null: the empty regex
    c.regex = std::move(text);
  }
  KS_RETURN_IF_ERROR(m.Uint("modulus", &c.modulus));
  KS_RETURN_IF_ERROR(m.String("target_label", &c.target_label));
  KS_RETURN_IF_ERROR(m.String("replacement", &c.replacement));
  if (auto action = m.Take("action")) {
    if (action->IsNull()) {
      c.action = std::nullopt;  // "relabel action cannot be empty"
    } else {
      KS_ASSIGN_OR_RETURN(std::string name, action->AsString());
      c.action = relabel::ParseAction(name);
      if (!c.action) return node.Error(fmt::format("unknown relabel action \"{}\"", name));
    }
  }
  KS_RETURN_IF_ERROR(m.Finish());
  return c;
}

}  // namespace

util::StatusOr<std::vector<relabel::Rule>> LoadRelabelRules(const Node& list, RuleKind kind,
                                                            model::NameValidationScheme scheme) {
  KS_ASSIGN_OR_RETURN(std::vector<Node> elements, list.Elements());
  std::vector<relabel::Rule> rules;
  ErrorList errors;
  for (const Node& element : elements) {
    if (element.IsNull()) {
      errors.Add(element.Error(fmt::format("empty or null {} relabeling rule in scrape config",
                                           kind == RuleKind::kTarget ? "target" : "metric")));
      continue;
    }
    auto config = ReadRuleConfig(element);
    if (!config.ok()) {
      errors.Add(config.status());
      continue;
    }
    auto rule = relabel::Rule::Compile(*config, scheme);
    if (!rule.ok()) {
      errors.Add(element.Error(rule.status().message()));
      continue;
    }
    rules.push_back(std::move(rule).value());
  }
  if (!errors.ok()) return errors.ToStatus();
  return rules;
}

}  // namespace kubescrape::config
