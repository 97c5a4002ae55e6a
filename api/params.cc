#include "api/params.h"

#include <fmt/format.h>

namespace kubescrape::api {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

util::StatusOr<std::string> Unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= s.size()) {
        return util::InvalidArgumentError(fmt::format("invalid URL escape \"{}\"", s.substr(i, 3)));
      }
      int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0) {
        return util::InvalidArgumentError(fmt::format("invalid URL escape \"{}\"", s.substr(i, 3)));
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

util::Status ParseFormEncoded(std::string_view text, std::vector<std::pair<std::string, std::string>>* out) {
  while (!text.empty()) {
    size_t amp = text.find('&');
    std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    KS_ASSIGN_OR_RETURN(std::string k, Unescape(key));
    KS_ASSIGN_OR_RETURN(std::string v, Unescape(value));
    out->emplace_back(std::move(k), std::move(v));
  }
  return util::Status::Ok();
}

util::StatusOr<Params> Params::Parse(const HttpRequest& request) {
  Params p;
  const bool form = request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
  if (form && request.content_type.starts_with("application/x-www-form-urlencoded")) {
    KS_RETURN_IF_ERROR(ParseFormEncoded(request.body, &p.values_));
  }
  KS_RETURN_IF_ERROR(ParseFormEncoded(request.query, &p.values_));
  return p;
}

std::string_view Params::Get(std::string_view name) const {
  for (const auto& [k, v] : values_) {
    if (k == name) return v;
  }
  return {};
}

bool Params::Has(std::string_view name) const {
  for (const auto& [k, v] : values_) {
    if (k == name) return true;
  }
  return false;
}

std::vector<std::string> Params::GetAll(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : values_) {
    if (k == name) out.push_back(v);
  }
  return out;
}

}  // namespace kubescrape::api
