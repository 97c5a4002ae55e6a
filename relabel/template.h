#pragma once
// Template: a `replacement` or `target_label` with `$1`, `${1}`, `$name`,
// `${name}` references, expanded exactly as Go's Regexp.Expand:
//
//  - `$$` is a literal `$`;
//  - a name is the longest run of letters, digits and `_` (so `$1x` names a
//    group "1x", which does not exist and expands to ""; write `${1}x`);
//  - an all-digit name without a leading zero is a group index; any other
//    name is looked up among named groups (the leftmost that participated);
//  - unknown, out-of-range and non-participating groups expand to "";
//  - a `$` not followed by a valid name or `{name}` is copied literally.
//
// Parsed once against its Regex at config load; Expand() does no parsing.
//
// Thread-safety: immutable after Parse().

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/regex.h"

namespace kubescrape::relabel {

class Template {
 public:
  Template() = default;

  // REQUIRES: `regex` is the regex whose groups the template refers to.
  static Template Parse(std::string_view text, const model::Regex& regex);

  // The template as written.
  const std::string& text() const { return text_; }

  // True when the text contains a `$` at all (Prometheus's test for its
  // replace fast path, which looks for any `$`).
  bool has_dollar() const { return has_dollar_; }

  // Appends the expansion to `out`. `groups` is model::Regex::Match's output.
  void Expand(std::span<const std::string_view> groups, std::string* out) const;

  // The expansion as a view: of the template itself when it is a literal, of
  // the matched text when it is exactly one group reference (the common
  // "$1"), otherwise of `*scratch`, which it overwrites.
  std::string_view ExpandView(std::span<const std::string_view> groups, std::string* scratch) const;

 private:
  struct Part {
    std::string literal;      // copied as is
    std::vector<int> groups;  // candidates, leftmost first; empty = literal only
  };

  std::string text_;
  bool has_dollar_ = false;
  std::vector<Part> parts_;
};

}  // namespace kubescrape::relabel
