#pragma once
// Kubernetes label and field selectors, parsed and matched the way the API
// server does (k8s.io/apimachinery labels.Parse and fields.ParseSelector),
// with the same error messages, so clients see what a real cluster says.
//
// Label selectors: `key=v`, `key==v`, `key!=v`, `key in (a,b)`,
// `key notin (a,b)`, `key` (exists), `!key`, `key>5`, `key<5`; a comma is AND.
// Keys and values are validated (qualified names, label values).
// Field selectors: `f=v`, `f==v`, `f!=v`, comma = AND, values may escape
// `\,`, `\=` and `\\`. Which fields exist depends on the resource; see
// FieldSelector::Convert.
//
// Thread-safety: immutable values after Parse.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace kubescrape::fake_apiserver {

using StringMap = std::map<std::string, std::string, std::less<>>;

class LabelSelector {
 public:
  // Matches everything.
  LabelSelector() = default;

  // Parses `text`; the error (InvalidArgument) carries the API server's
  // message, e.g. "unable to parse requirement: found '', expected: identifier".
  static util::StatusOr<LabelSelector> Parse(std::string_view text);

  bool Matches(const StringMap& labels) const;
  bool empty() const { return requirements_.empty(); }

  enum class Op { kIn, kNotIn, kEquals, kDoubleEquals, kNotEquals, kExists, kDoesNotExist, kGreaterThan, kLessThan };
  struct Requirement {
    std::string key;
    Op op = Op::kExists;
    std::vector<std::string> values;  // sorted, unique
  };
  const std::vector<Requirement>& requirements() const { return requirements_; }

 private:
  std::vector<Requirement> requirements_;  // sorted by key
};

class FieldSelector {
 public:
  // Matches everything.
  FieldSelector() = default;

  // Parses the syntax; field names are not checked (see Convert).
  static util::StatusOr<FieldSelector> Parse(std::string_view text);

  // Maps each field through `convert` (a resource's field label conversion,
  // returning nullopt for an unsupported field). InvalidArgument
  // "field label not supported: <field>" for the first unsupported one.
  util::Status Convert(std::optional<std::string> (*convert)(std::string_view field));

  // Fields absent from `fields` compare as "".
  bool Matches(const StringMap& fields) const;
  bool empty() const { return terms_.empty(); }

  // The value of an `f=v`/`f==v` term for `field`, if any (used to serve
  // watches on one object).
  std::optional<std::string> RequiresExactMatch(std::string_view field) const;

  struct Term {
    std::string field;
    bool negated = false;  // !=
    std::string value;
  };
  const std::vector<Term>& terms() const { return terms_; }

 private:
  std::vector<Term> terms_;
};

}  // namespace kubescrape::fake_apiserver
