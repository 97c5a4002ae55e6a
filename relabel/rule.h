#pragma once
// Relabel rules: the configuration (RuleConfig, what a relabel_config block
// says) and its compiled, validated form (Rule).
//
// RuleConfig starts from Prometheus's defaults (action replace, separator
// ";", regex "(.*)", replacement "$1"). Two distinctions matter and are kept:
// a regex that was not given (the default object) versus any regex that was,
// even "(.*)"; and an explicit null `action:` (an error) versus none.
//
// Thread-safety: Rule is immutable after Compile() and safe to share.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/validation.h"
#include "model/regex.h"
#include "relabel/template.h"
#include "util/status.h"

namespace kubescrape::relabel {

enum class Action {
  kReplace,
  kKeep,
  kDrop,
  kKeepEqual,
  kDropEqual,
  kHashMod,
  kLabelMap,
  kLabelDrop,
  kLabelKeep,
  kLowercase,
  kUppercase,
};

// Case-insensitive, as Prometheus lowercases the action before matching.
std::optional<Action> ParseAction(std::string_view s);
std::string_view ActionName(Action a);

inline constexpr std::string_view kDefaultSeparator = ";";
inline constexpr std::string_view kDefaultReplacement = "$1";

struct RuleConfig {
  std::vector<std::string> source_labels;
  bool source_labels_set = false;  // `source_labels:` given with a non-null value
  std::string separator{kDefaultSeparator};
  std::optional<std::string> regex;  // nullopt: not given (the default "(.*)")
  uint64_t modulus = 0;
  std::string target_label;
  std::string replacement{kDefaultReplacement};
  std::optional<Action> action = Action::kReplace;  // nullopt: explicit null

  bool operator==(const RuleConfig&) const = default;
};

class Rule {
 public:
  // Compiles the regex and templates and checks Prometheus's validation
  // rules (relabel.Config.Validate) under `scheme`. Errors carry Prometheus's
  // messages, e.g. "relabel configuration for hashmod requires non-zero
  // modulus", "error parsing regexp: ...".
  static util::StatusOr<Rule> Compile(const RuleConfig& config,
                                      model::NameValidationScheme scheme = model::NameValidationScheme::kUtf8);

  const RuleConfig& config() const { return config_; }
  Action action() const { return action_; }
  const model::Regex& regex() const { return regex_; }
  const Template& target() const { return target_; }
  const Template& replacement() const { return replacement_; }
  model::NameValidationScheme scheme() const { return scheme_; }

  // The rule as one YAML flow mapping, only the fields that differ from the
  // defaults (for traces and error reports), e.g.
  // {source_labels: [a], regex: "f(.*)", target_label: d, action: replace}.
  std::string ToString() const;

 private:
  Rule(RuleConfig config, Action action, model::Regex regex, model::NameValidationScheme scheme)
      : config_(std::move(config)), action_(action), regex_(std::move(regex)), scheme_(scheme) {}

  RuleConfig config_;
  Action action_;
  model::Regex regex_;
  Template target_;
  Template replacement_;
  model::NameValidationScheme scheme_;
};

}  // namespace kubescrape::relabel
