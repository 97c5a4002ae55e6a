#pragma once
// Regex: a regular expression with Prometheus's semantics, as relabel rules
// and label matchers use it.
//
// Prometheus compiles a relabel regex R as `^(?s:R)$` with Go's regexp
// (RE2 syntax, leftmost-first submatches): fully anchored, and `.` matches
// newlines. This class does the same on RE2, and translates the parts of Go's
// syntax that Debian's RE2 release predates (`(?<name>...)`). Compile errors
// read like Go's: "error parsing regexp: missing closing ): `^(?s:a(b)$`".
//
// Other patterns in the common subset of Go syntax run on an allocation-free
// backtracking matcher (backtrack.h) with RE2's exact results; the rest, and
// texts it declines, go to RE2.
//
// Matching takes a fast path, without RE2, for the shapes that dominate real
// configurations: literals (`test`), alternations of literals
// (`minio|mongo`), and a literal prefix followed by `(.*)`, `(.+)`, `.*` or
// `.+` (`__meta_kubernetes_pod_label_(.+)`, `(.*)`). The fast paths treat
// invalid UTF-8 as Go does (each bad byte is one rune `.` matches); the RE2
// path does not match invalid UTF-8 under `.` (a documented difference).
//
// Thread-safety: immutable after Compile(); copies share the compiled form.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace kubescrape::model {

class Regex {
 public:
  // Compiles `pattern` as Prometheus does. Errors: InvalidArgument with Go's
  // message.
  static util::StatusOr<Regex> Compile(std::string_view pattern);

  // The default relabel regex `(.*)`. Prometheus tells "regex not given"
  // apart from an explicit `regex: (.*)` by identity; is_default() does that.
  static const Regex& Default();
  bool is_default() const;

  // The pattern as written in the configuration (without the anchoring).
  const std::string& pattern() const;

  // Number of capturing groups (group 0, the whole match, not counted).
  int num_groups() const;

  // True when the whole of `text` matches.
  bool FullMatch(std::string_view text) const;

  // Like FullMatch; on a match fills `groups` with 1 + num_groups() entries:
  // [0] the whole text, [i] group i. A group that did not participate has a
  // null data() pointer (an empty match has a non-null one).
  bool Match(std::string_view text, std::vector<std::string_view>* groups) const;

  // A literal every match starts with, known from the fast-path analysis
  // ("" when unknown). Lets name-matching actions skip non-candidates.
  std::string_view literal_prefix() const;

  // Indices of the groups named `name`, leftmost first (Go allows repeated
  // names); empty when there is none.
  const std::vector<int>& GroupsNamed(std::string_view name) const;

 private:
  struct Impl;
  static util::StatusOr<Regex> Compile(std::string_view pattern, bool is_default);
  explicit Regex(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// Rewrites Go-only regexp syntax into the RE2 syntax of the linked library:
// `(?<name>` becomes `(?P<name>` outside character classes and escapes.
// Exposed for tests.
std::string TranslateGoRegex(std::string_view pattern);

}  // namespace kubescrape::model
