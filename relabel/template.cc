#include "relabel/template.h"

#include "util/utf8.h"

namespace kubescrape::relabel {
namespace {

// Go's regexp extract(): parses a leading "name" or "{name}" of `s` (the `$`
// already consumed). On success sets `*name`, `*num` (-1 unless a plain
// group number) and the bytes consumed.
bool Extract(std::string_view s, std::string_view* name, int* num, size_t* consumed) {
  if (s.empty()) return false;
  bool brace = false;
  size_t start = 0;
  if (s[0] == '{') {
    brace = true;
    start = 1;
  }
  size_t i = start;
  while (i < s.size()) {
    size_t width;
    char32_t r = util::DecodeRune(s, i, &width);
    if (!util::IsWordRune(r)) break;
    i += width;
  }
  if (i == start) return false;  // empty name
  *name = s.substr(start, i - start);
  if (brace) {
    if (i >= s.size() || s[i] != '}') return false;  // missing closing brace
    ++i;
  }
  int n = 0;
  for (char c : *name) {
    if (c < '0' || c > '9' || n >= 100000000) {
      n = -1;
      break;
    }
    n = n * 10 + (c - '0');
  }
  if ((*name)[0] == '0' && name->size() > 1) n = -1;  // no leading zeros
  *num = n;
  *consumed = i;
  return true;
}

}  // namespace

Template Template::Parse(std::string_view text, const model::Regex& regex) {
  Template t;
  t.text_ = std::string(text);
  t.has_dollar_ = text.find('$') != std::string_view::npos;
  std::string literal;
  auto flush = [&](std::vector<int> groups) {
    t.parts_.push_back(Part{std::move(literal), std::move(groups)});
    literal.clear();
  };
  while (!text.empty()) {
    size_t dollar = text.find('$');
    if (dollar == std::string_view::npos) break;
    literal.append(text.substr(0, dollar));
    text.remove_prefix(dollar + 1);
    if (!text.empty() && text[0] == '$') {
      literal.push_back('$');
      text.remove_prefix(1);
      continue;
    }
    std::string_view name;
    int num;
    size_t consumed;
    if (!Extract(text, &name, &num, &consumed)) {
      literal.push_back('$');  // malformed: the `$` is raw text
      continue;
    }
    text.remove_prefix(consumed);
    if (num >= 0) {
      // Out of range expands to "": keep no candidate group.
      flush(num <= regex.num_groups() ? std::vector<int>{num} : std::vector<int>{});
    } else {
      flush(regex.GroupsNamed(name));
    }
  }
  literal.append(text);
  if (!literal.empty()) flush({});
  return t;
}

std::string_view Template::ExpandView(std::span<const std::string_view> groups, std::string* scratch) const {
  if (parts_.empty()) return {};
  if (parts_.size() == 1) {
    const Part& p = parts_[0];
    if (p.groups.empty()) return p.literal;
    if (p.literal.empty()) {
      for (int g : p.groups) {
        if (static_cast<size_t>(g) < groups.size() && groups[g].data() != nullptr) return groups[g];
      }
      return {};
    }
  }
  scratch->clear();
  Expand(groups, scratch);
  return *scratch;
}

void Template::Expand(std::span<const std::string_view> groups, std::string* out) const {
  for (const Part& p : parts_) {
    out->append(p.literal);
    for (int g : p.groups) {
      if (static_cast<size_t>(g) < groups.size() && groups[g].data() != nullptr) {
        out->append(groups[g]);
        break;
      }
    }
  }
}

}  // namespace kubescrape::relabel
