#include <fmt/format.h>

#include <cctype>
#include <cstdlib>

#include "config/load_internal.h"
#include "model/validation.h"

namespace kubescrape::config::internal {
namespace {

// Go's os.Expand with Prometheus's mapping: $NAME / ${NAME} from the
// environment, "$$" for a literal '$'.
std::string ExpandEnv(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '$' || i + 1 >= s.size()) {
      out.push_back(s[i]);
      continue;
    }
    std::string_view rest = s.substr(i + 1);
    std::string name;
    size_t consumed = 0;
    if (rest[0] == '{') {
      size_t close = rest.find('}');
      if (close == std::string_view::npos || close == 1) {
        // Bad syntax: os.Expand eats "${" (and up to the brace when present).
        i += close == std::string_view::npos ? 1 : close + 1;
        continue;
      }
      name = std::string(rest.substr(1, close - 1));
      consumed = close + 1;
    } else if (std::string_view("*#$@!?-0123456789").find(rest[0]) != std::string_view::npos) {
      name = std::string(1, rest[0]);
      consumed = 1;
    } else {
      while (consumed < rest.size() && (std::isalnum(static_cast<unsigned char>(rest[consumed])) || rest[consumed] == '_')) {
        ++consumed;
      }
      if (consumed == 0) {
        out.push_back('$');
        continue;
      }
      name = std::string(rest.substr(0, consumed));
    }
    if (name == "$") {
      out.push_back('$');
    } else if (const char* v = std::getenv(name.c_str())) {
      out += v;
    }
    i += consumed;
  }
  return out;
}

}  // namespace

util::StatusOr<model::Labels> LoadLabelMap(const Node& node, model::NameValidationScheme scheme,
                                           bool expand_env) {
  KS_ASSIGN_OR_RETURN(MapReader m, MapReader::Open(node));
  std::vector<std::pair<std::string, std::string>> owned;
  for (const std::string& name : m.Keys()) {
    auto value_node = m.Take(name);
    KS_ASSIGN_OR_RETURN(std::string value, value_node->AsString());
    if (!model::IsValidLabelName(name, scheme)) {
      return value_node->Error(fmt::format("\"{}\" is not a valid label name", name));
    }
    if (expand_env) value = ExpandEnv(value);
    if (!model::IsValidLabelValue(value)) {
      return value_node->Error(fmt::format("\"{}\" is not a valid label value", value));
    }
    owned.emplace_back(name, std::move(value));
  }
  std::vector<model::Label> views;
  views.reserve(owned.size());
  for (const auto& [n, v] : owned) views.push_back({n, v});
  return model::Labels::FromUnsorted(std::move(views));
}

// Shared by global and scrape configs: the limit fields.
util::Status LoadLimits(MapReader& m, scraper::ScrapeLimits* l) {
  KS_RETURN_IF_ERROR(m.ByteSize("body_size_limit", &l->body_size_limit));
  KS_RETURN_IF_ERROR(m.Uint("sample_limit", &l->sample_limit));
  KS_RETURN_IF_ERROR(m.Uint("target_limit", &l->target_limit));
  KS_RETURN_IF_ERROR(m.Uint("label_limit", &l->label_limit));
  KS_RETURN_IF_ERROR(m.Uint("label_name_length_limit", &l->label_name_length_limit));
  KS_RETURN_IF_ERROR(m.Uint("label_value_length_limit", &l->label_value_length_limit));
  return m.Uint("keep_dropped_targets", &l->keep_dropped_targets);
}

util::Status LoadNameSchemes(MapReader& m, std::optional<model::NameValidationScheme>* validation,
                             std::string* escaping) {
  if (auto n = m.Take("metric_name_validation_scheme")) {
    KS_ASSIGN_OR_RETURN(std::string s, n->AsString());
    if (!s.empty()) {
      auto v = model::ParseNameValidationScheme(s);
      if (!v) return n->Error(fmt::format("unrecognized ValidationScheme: \"{}\"", s));
      *validation = *v;
    }
  }
  if (auto n = m.Take("metric_name_escaping_scheme")) {
    KS_ASSIGN_OR_RETURN(*escaping, n->AsString());
    if (!escaping->empty() && *escaping != "allow-utf-8" && *escaping != "underscores" &&
        *escaping != "dots" && *escaping != "values") {
      return n->Error(fmt::format(
          "unknown name escaping method specified, must be one of 'allow-utf-8', 'underscores', 'dots', "
          "or 'values', got \"{}\"",
          *escaping));
    }
  }
  return util::Status::Ok();
}

util::Status LoadProtocols(MapReader& m, std::vector<scraper::ScrapeProtocol>* out) {
  auto node = m.Take("scrape_protocols");
  if (!node || node->IsNull()) return util::Status::Ok();
  KS_ASSIGN_OR_RETURN(std::vector<std::string> names, node->AsStringList());
  std::vector<scraper::ScrapeProtocol> protocols;
  for (const std::string& name : names) {
    auto p = scraper::ParseScrapeProtocol(name);
    if (!p) {
      return node->Error(fmt::format("unknown scrape protocol {}, supported: {}", name,
                                     scraper::SupportedScrapeProtocols()));
    }
    protocols.push_back(*p);
  }
  if (auto s = scraper::ValidateScrapeProtocols(protocols); !s.ok()) return node->Error(s.message());
  *out = std::move(protocols);
  return util::Status::Ok();
}

}  // namespace kubescrape::config::internal
