#include "net/http_request.h"

#include <cctype>
#include <charconv>
#include <vector>

#include <fmt/format.h>

#include "util/base64.h"

namespace kubescrape::net {
namespace {

std::string_view TrimSpace(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// The secret inline, or read from `file` (trimmed) when that is set.
util::StatusOr<std::string> Secret(const std::string& inline_value, const std::string& file,
                                   std::string_view what, const util::FileSystem& fs) {
  if (file.empty()) return inline_value;
  auto content = fs.ReadFile(file);
  if (!content.ok()) {
    return content.status().WithPrefix(fmt::format("unable to read {} file {}", what, file));
  }
  return std::string(TrimSpace(*content));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The scheme of an absolute URI reference ("" if `ref` is relative).
std::string_view SchemeOf(std::string_view ref) {
  for (size_t i = 0; i < ref.size(); ++i) {
    char c = ref[i];
    if (c == ':') return i == 0 ? std::string_view() : ref.substr(0, i);
    bool ok = std::isalpha(static_cast<unsigned char>(c)) ||
              (i > 0 && (std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.'));
    if (!ok) return {};
  }
  return {};
}

// RFC 3986 section 5.2.4, on a path without query.
std::string RemoveDotSegments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  const bool absolute = !path.empty() && path[0] == '/';
  if (absolute) pos = 1;
  bool trailing_slash = false;
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(pos, end - pos);
    trailing_slash = end == path.size() && (seg == "." || seg == "..");
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
    } else if (seg != ".") {
      out.push_back(seg);
    }
    pos = end + 1;
  }
  std::string result = absolute ? "/" : "";
  for (size_t i = 0; i < out.size(); ++i) {
    if (i > 0) result += '/';
    result += out[i];
  }
  if (trailing_slash && !result.empty() && result.back() != '/') result += '/';
  return result;
}

// Splits "path?query" and normalises the path part.
std::string NormaliseTarget(std::string_view target) {
  size_t q = target.find('?');
  std::string path = RemoveDotSegments(target.substr(0, q));
  if (path.empty() || path[0] != '/') path.insert(path.begin(), '/');
  if (q != std::string_view::npos) path.append(target.substr(q));
  return path;
}

}  // namespace

std::string HttpUrl::ToString() const { return scheme + "://" + host_port + target; }

HostPort SplitHostPort(std::string_view hp) {
  if (!hp.empty() && hp[0] == '[') {
    size_t close = hp.find(']');
    if (close == std::string_view::npos) return {hp, {}};
    std::string_view host = hp.substr(1, close - 1);
    std::string_view rest = hp.substr(close + 1);
    if (!rest.empty() && rest[0] == ':') return {host, rest.substr(1)};
    return {host, {}};
  }
  size_t colon = hp.rfind(':');
  // More than one colon without brackets: a bare IPv6 address, no port.
  if (colon == std::string_view::npos || hp.find(':') != colon) return {hp, {}};
  return {hp.substr(0, colon), hp.substr(colon + 1)};
}

std::string_view PortOrDefault(const HostPort& hp, std::string_view scheme) {
  if (!hp.port.empty()) return hp.port;
  return scheme == "https" ? "443" : "80";
}

util::StatusOr<HttpUrl> ResolveRedirect(const HttpUrl& base, std::string_view location) {
  std::string_view ref = location.substr(0, location.find('#'));
  HttpUrl out;
  std::string_view scheme = SchemeOf(ref);
  if (!scheme.empty()) {
    out.scheme = Lower(scheme);
    if (out.scheme != "http" && out.scheme != "https") {
      return util::InvalidArgumentError(
          fmt::format("redirect to unsupported protocol scheme \"{}\"", out.scheme));
    }
    ref.remove_prefix(scheme.size() + 1);
    if (ref.substr(0, 2) != "//") {
      return util::InvalidArgumentError(fmt::format("redirect to URL without host: {}", location));
    }
  } else {
    out.scheme = base.scheme;
  }
  if (ref.substr(0, 2) == "//") {
    ref.remove_prefix(2);
    size_t end = ref.find_first_of("/?");
    out.host_port = std::string(ref.substr(0, end));
    if (out.host_port.empty() || out.host_port.find('@') != std::string::npos) {
      return util::InvalidArgumentError(fmt::format("redirect to invalid host: {}", location));
    }
    out.target = NormaliseTarget(end == std::string_view::npos ? std::string_view() : ref.substr(end));
    return out;
  }
  out.host_port = base.host_port;
  std::string_view base_path = std::string_view(base.target).substr(0, base.target.find('?'));
  if (ref.empty()) {
    out.target = base.target;
  } else if (ref[0] == '/') {
    out.target = NormaliseTarget(ref);
  } else if (ref[0] == '?') {
    out.target = std::string(base_path) + std::string(ref);
  } else {
    std::string merged(base_path.substr(0, base_path.rfind('/') + 1));
    merged += ref;
    out.target = NormaliseTarget(merged);
  }
  return out;
}

std::string FormatScrapeTimeoutSeconds(std::chrono::nanoseconds timeout) {
  double seconds = std::chrono::duration<double>(timeout).count();
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), seconds, std::chars_format::fixed);
  if (res.ec != std::errc()) return fmt::format("{}", seconds);
  return std::string(buf, res.ptr);
}

bool IsValidHeaderValue(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

util::StatusOr<std::string> AuthorizationHeader(const model::HttpClientConfig& config,
                                                const util::FileSystem& fs) {
  std::string value;
  if (config.authorization) {
    const model::Authorization& a = *config.authorization;
    KS_ASSIGN_OR_RETURN(std::string credentials,
                        Secret(a.credentials, a.credentials_file, "authorization credentials", fs));
    value = a.type + " " + credentials;
  } else if (config.basic_auth) {
    const model::BasicAuth& b = *config.basic_auth;
    KS_ASSIGN_OR_RETURN(std::string user, Secret(b.username, b.username_file, "basic auth username", fs));
    KS_ASSIGN_OR_RETURN(std::string pass, Secret(b.password, b.password_file, "basic auth password", fs));
    value = "Basic " + util::Base64Encode(user + ":" + pass);
  } else {
    return value;
  }
  if (!IsValidHeaderValue(value)) {
    return util::InvalidArgumentError("invalid Authorization header value (CR, LF or NUL in credentials)");
  }
  return value;
}

}  // namespace kubescrape::net
