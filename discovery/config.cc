#include "discovery/config.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace kubescrape::discovery {
namespace {

using util::InvalidArgumentError;

constexpr std::pair<KubernetesRole, std::string_view> kRoles[] = {
    {KubernetesRole::kPod, "pod"},
    {KubernetesRole::kService, "service"},
    {KubernetesRole::kEndpoints, "endpoints"},
    {KubernetesRole::kEndpointSlice, "endpointslice"},
    {KubernetesRole::kNode, "node"},
    {KubernetesRole::kIngress, "ingress"},
};

bool IsAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// A Kubernetes qualified name part or label value: [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?, <= 63.
bool IsQualifiedNamePart(std::string_view s) {
  if (s.empty() || s.size() > 63 || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

// DNS-1123 subdomain: lowercase alphanumerics, '-' and '.', <= 253.
bool IsDnsSubdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  auto lower_alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_alnum(s.front()) || !lower_alnum(s.back())) return false;
  for (char c : s) {
    if (!lower_alnum(c) && c != '-' && c != '.') return false;
  }
  return true;
}

bool IsLabelKey(std::string_view key) {
  size_t slash = key.find('/');
  if (slash == std::string_view::npos) return IsQualifiedNamePart(key);
  return IsDnsSubdomain(key.substr(0, slash)) && IsQualifiedNamePart(key.substr(slash + 1));
}

bool IsLabelValue(std::string_view v) { return v.empty() || IsQualifiedNamePart(v); }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Splits at commas that are not inside parentheses.
std::vector<std::string_view> SplitRequirements(std::string_view s) {
  std::vector<std::string_view> out;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '(') ++depth;
    if (s[i] == ')') --depth;
    if (s[i] == ',' && depth == 0) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(s.substr(start));
  return out;
}

util::Status CheckRequirement(std::string_view req, std::string_view whole) {
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError(fmt::format("invalid label selector \"{}\": {}", whole, why));
  };
  req = Trim(req);
  if (req.empty()) return bad("empty requirement");
  if (req[0] == '!') {
    std::string_view key = Trim(req.substr(1));
    return IsLabelKey(key) ? util::Status::Ok() : bad(fmt::format("invalid label key \"{}\"", key));
  }
  // Set-based: key in (a,b) / key notin (a,b).
  for (std::string_view op : {" notin ", " in "}) {
    size_t pos = req.find(op);
    if (pos == std::string_view::npos) continue;
    std::string_view key = Trim(req.substr(0, pos));
    std::string_view rest = Trim(req.substr(pos + op.size()));
    if (!IsLabelKey(key)) return bad(fmt::format("invalid label key \"{}\"", key));
    if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')') return bad("expected a list of values in ( )");
    std::string_view list = rest.substr(1, rest.size() - 2);
    size_t start = 0;
    while (true) {
      size_t comma = list.find(',', start);
      std::string_view v = Trim(list.substr(start, comma == std::string_view::npos ? comma : comma - start));
      if (!IsLabelValue(v)) return bad(fmt::format("invalid label value \"{}\"", v));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    return util::Status::Ok();
  }
  for (std::string_view op : {"!=", "==", "=", ">", "<"}) {
    size_t pos = req.find(op);
    if (pos == std::string_view::npos) continue;
    std::string_view key = Trim(req.substr(0, pos));
    std::string_view value = Trim(req.substr(pos + op.size()));
    if (!IsLabelKey(key)) return bad(fmt::format("invalid label key \"{}\"", key));
    if (op == ">" || op == "<") {
      if (value.empty() || value.find_first_not_of("0123456789") != std::string_view::npos) {
        return bad(fmt::format("value \"{}\" for {} must be an integer", value, op));
      }
    } else if (!IsLabelValue(value)) {
      return bad(fmt::format("invalid label value \"{}\"", value));
    }
    return util::Status::Ok();
  }
  return IsLabelKey(req) ? util::Status::Ok() : bad(fmt::format("invalid label key \"{}\"", req));
}

}  // namespace

bool ParseKubernetesRole(std::string_view s, KubernetesRole* role) {
  for (const auto& [r, name] : kRoles) {
    if (name == s) {
      *role = r;
      return true;
    }
  }
  return false;
}

std::string_view KubernetesRoleName(KubernetesRole r) {
  for (const auto& [role, name] : kRoles) {
    if (role == r) return name;
  }
  return "unknown";
}

util::Status ValidateFileSdConfig(const FileSdConfig& c) {
  if (c.files.empty()) {
    return InvalidArgumentError("file service discovery config must contain at least one path name");
  }
  for (const std::string& f : c.files) {
    // Prometheus: ^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$
    size_t star = f.find('*');
    bool ok = true;
    if (star != std::string::npos) {
      ok = f.find('*', star + 1) == std::string::npos && f.find('/', star) == std::string::npos;
    }
    size_t dot = f.rfind('.');
    std::string ext = dot == std::string::npos ? "" : f.substr(dot + 1);
    static const std::set<std::string> kExts = {"json", "yml", "yaml", "JSON", "YML", "YAML"};
    if (!ok || !kExts.count(ext)) {
      return InvalidArgumentError(fmt::format("path name \"{}\" is not valid for file discovery", f));
    }
  }
  return util::Status::Ok();
}

util::Status ValidateLabelSelector(std::string_view selector) {
  if (Trim(selector).empty()) return util::Status::Ok();
  for (std::string_view req : SplitRequirements(selector)) {
    KS_RETURN_IF_ERROR(CheckRequirement(req, selector));
  }
  return util::Status::Ok();
}

util::Status ValidateFieldSelector(std::string_view selector) {
  if (Trim(selector).empty()) return util::Status::Ok();
  for (std::string_view term : SplitRequirements(selector)) {
    term = Trim(term);
    size_t pos = term.find('=');
    size_t key_end = pos;
    if (pos != std::string_view::npos && pos > 0 && term[pos - 1] == '!') key_end = pos - 1;
    if (pos == std::string_view::npos || key_end == 0) {
      return InvalidArgumentError(
          fmt::format("invalid field selector \"{}\": \"{}\" is not key=value, key==value or key!=value",
                      selector, term));
    }
  }
  return util::Status::Ok();
}

util::Status ValidateKubernetesSdConfig(const KubernetesSdConfig& c) {
  if (!c.role_set) {
    return InvalidArgumentError("role missing (one of: pod, service, endpoints, endpointslice, node, ingress)");
  }
  const bool custom_http = !(c.http_client == model::HttpClientConfig{});
  if (!c.api_server.empty() && !c.kubeconfig_file.empty()) {
    return InvalidArgumentError("cannot use 'kubeconfig_file' and 'api_server' simultaneously");
  }
  if (!c.kubeconfig_file.empty() && custom_http) {
    return InvalidArgumentError("cannot use a custom HTTP client configuration together with 'kubeconfig_file'");
  }
  if (c.api_server.empty() && custom_http) {
    return InvalidArgumentError(
        "to use custom HTTP client configuration please provide the 'api_server' URL explicitly");
  }
  if (!c.api_server.empty() && c.own_namespace) {
    return InvalidArgumentError("cannot use 'api_server' and 'namespaces.own_namespace' simultaneously");
  }
  if (!c.kubeconfig_file.empty() && c.own_namespace) {
    return InvalidArgumentError("cannot use 'kubeconfig_file' and 'namespaces.own_namespace' simultaneously");
  }
  std::vector<KubernetesRole> allowed;
  switch (c.role) {
    case KubernetesRole::kEndpointSlice:
      allowed = {KubernetesRole::kPod, KubernetesRole::kService, KubernetesRole::kEndpointSlice};
      break;
    case KubernetesRole::kEndpoints:
      allowed = {KubernetesRole::kPod, KubernetesRole::kService, KubernetesRole::kEndpoints};
      break;
    default:
      allowed = {c.role};
  }
  std::set<KubernetesRole> seen;
  for (const KubernetesSelector& s : c.selectors) {
    if (!seen.insert(s.role).second) {
      return InvalidArgumentError(fmt::format("duplicated selector role: {}", KubernetesRoleName(s.role)));
    }
    if (std::find(allowed.begin(), allowed.end(), s.role) == allowed.end()) {
      std::string names;
      for (KubernetesRole r : allowed) {
        if (!names.empty()) names += ", ";
        names += KubernetesRoleName(r);
      }
      return InvalidArgumentError(
          fmt::format("{} role supports only {} selectors", KubernetesRoleName(c.role), names));
    }
    KS_RETURN_IF_ERROR(ValidateFieldSelector(s.field));
    KS_RETURN_IF_ERROR(ValidateLabelSelector(s.label));
  }
  return util::Status::Ok();
}

}  // namespace kubescrape::discovery
