#include "model/matcher.h"

#include "util/utf8.h"

namespace kubescrape::model {

std::string_view MatchTypeString(MatchType t) {
  switch (t) {
    case MatchType::kEqual: return "=";
    case MatchType::kNotEqual: return "!=";
    case MatchType::kRegexMatch: return "=~";
    case MatchType::kRegexNoMatch: return "!~";
  }
  return "?";
}

util::StatusOr<Matcher> Matcher::Make(MatchType type, std::string_view name, std::string_view value) {
  Matcher m;
  m.type_ = type;
  m.name_ = std::string(name);
  m.value_ = std::string(value);
  if (type == MatchType::kRegexMatch || type == MatchType::kRegexNoMatch) {
    KS_ASSIGN_OR_RETURN(Regex re, Regex::Compile(value));
    m.regex_ = std::move(re);
  }
  m.matches_empty_ = m.Matches("");
  return m;
}

bool Matcher::Matches(std::string_view v) const {
  switch (type_) {
    case MatchType::kEqual: return v == value_;
    case MatchType::kNotEqual: return v != value_;
    case MatchType::kRegexMatch: return regex_->FullMatch(v);
    case MatchType::kRegexNoMatch: return !regex_->FullMatch(v);
  }
  return false;
}

std::string Matcher::ToString() const {
  std::string out = name_;
  out += MatchTypeString(type_);
  out += util::GoQuote(value_);
  return out;
}

}  // namespace kubescrape::model
