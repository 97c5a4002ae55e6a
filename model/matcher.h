#pragma once
// Matcher: one label matcher of a series selector (`name="v"`, `!=`, `=~`,
// `!~`), with Prometheus's semantics (labels.Matcher):
//  - a label that is absent has the value "", so `foo=""` selects series
//    without `foo` and `foo!=""` selects series that have it;
//  - regular expressions are RE2 syntax, fully anchored and with `.`
//    matching newlines: `=~"R"` behaves as `^(?s:R)$`.
// The regex is model::Regex (the one relabeling uses): literals, alternations
// of literals and `prefix.*` shapes are matched without RE2.
//
// Thread-safety: immutable after Make(); copies share the compiled regex.

#include <optional>
#include <string>
#include <string_view>

#include "model/regex.h"
#include "util/status.h"

namespace kubescrape::model {

enum class MatchType : uint8_t { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };

// "=", "!=", "=~", "!~".
std::string_view MatchTypeString(MatchType t);

class Matcher {
 public:
  // Compiles a matcher. Errors (InvalidArgument) only for regex types, worded
  // as Go words them for the anchored expression Prometheus compiles:
  // "error parsing regexp: missing closing ): `^(?s:(a)$`".
  static util::StatusOr<Matcher> Make(MatchType type, std::string_view name, std::string_view value);

  MatchType type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }

  // True when a label value `v` ("" for an absent label) satisfies it.
  bool Matches(std::string_view v) const;

  // True when this matcher selects series without the label (Matches("")).
  bool MatchesEmpty() const { return matches_empty_; }

  // `name="value"` with Go-style quoting of the value (PromQL syntax).
  std::string ToString() const;

 private:
  Matcher() = default;

  MatchType type_ = MatchType::kEqual;
  bool matches_empty_ = false;
  std::string name_;
  std::string value_;
  std::optional<Regex> regex_;  // set for =~ and !~
};

}  // namespace kubescrape::model
