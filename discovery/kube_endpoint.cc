#include "discovery/kube_endpoint.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <exception>

#include <fmt/format.h>

#include "util/base64.h"

namespace kubescrape::discovery {
namespace {

// A kubeconfig field as a string; "" when absent or null.
std::string Field(const YAML::Node& node, const char* name) {
  const YAML::Node v = node[name];
  if (!v || v.IsNull() || !v.IsScalar()) return "";
  return v.as<std::string>();
}

bool BoolField(const YAML::Node& node, const char* name) {
  const YAML::Node v = node[name];
  return v && v.IsScalar() && v.as<bool>();
}

// The `item` (cluster, context, user) of the list entry named `name`.
util::StatusOr<YAML::Node> Named(const YAML::Node& root, const char* list, const char* item,
                                 const std::string& name, std::string_view path) {
  const YAML::Node entries = root[list];
  if (entries && entries.IsSequence()) {
    for (const YAML::Node& e : entries) {
      if (Field(e, "name") == name) return e[item];
    }
  }
  return util::InvalidArgumentError(
      fmt::format("{}: {} \"{}\" not found in {}", path, item, name, list));
}

// A `*-data` (base64 PEM) field, else the file field, made absolute.
util::Status PemOrFile(const YAML::Node& node, const char* data_field, const char* file_field,
                       std::string_view path, std::string* pem, std::string* file) {
  std::string data = Field(node, data_field);
  if (!data.empty()) {
    util::StatusOr<std::string> decoded = util::Base64Decode(data);
    if (!decoded.ok()) {
      return util::InvalidArgumentError(fmt::format("{}: {}: {}", path, data_field, decoded.status().message()));
    }
    *pem = *std::move(decoded);
    return util::Status::Ok();
  }
  std::string f = Field(node, file_field);
  if (!f.empty()) *file = util::JoinDir(util::DirName(std::string(path)), f);
  return util::Status::Ok();
}

util::StatusOr<KubeEndpoint> ParseKubeconfigYaml(std::string_view path, const YAML::Node& root) {
  if (!root || !root.IsMap()) return util::InvalidArgumentError(fmt::format("{}: not a kubeconfig", path));
  const std::string context_name = Field(root, "current-context");
  if (context_name.empty()) {
    return util::InvalidArgumentError(fmt::format("{}: current-context is not set", path));
  }
  KS_ASSIGN_OR_RETURN(YAML::Node context, Named(root, "contexts", "context", context_name, path));
  KS_ASSIGN_OR_RETURN(YAML::Node cluster, Named(root, "clusters", "cluster", Field(context, "cluster"), path));
  KubeEndpoint ep;
  ep.server = Field(cluster, "server");
  while (!ep.server.empty() && ep.server.back() == '/') ep.server.pop_back();
  if (!ep.server.starts_with("https://") && !ep.server.starts_with("http://")) {
    return util::InvalidArgumentError(
        fmt::format("{}: cluster \"{}\": server must be an http(s) URL, got \"{}\"", path,
                    Field(context, "cluster"), ep.server));
  }
  model::TlsConfig& tls = ep.http.tls_config;
  KS_RETURN_IF_ERROR(PemOrFile(cluster, "certificate-authority-data", "certificate-authority", path, &tls.ca,
                               &tls.ca_file));
  tls.insecure_skip_verify = BoolField(cluster, "insecure-skip-tls-verify");
  tls.server_name = Field(cluster, "tls-server-name");
  std::string ns = Field(context, "namespace");
  if (!ns.empty()) ep.own_namespace = ns;

  const std::string user_name = Field(context, "user");
  if (!user_name.empty()) {
    KS_ASSIGN_OR_RETURN(YAML::Node user, Named(root, "users", "user", user_name, path));
    if (user["exec"] || user["auth-provider"]) {
      return util::InvalidArgumentError(fmt::format(
          "{}: user \"{}\": exec and auth-provider plugins are not supported; use a token, tokenFile or a "
          "client certificate",
          path, user_name));
    }
    KS_RETURN_IF_ERROR(
        PemOrFile(user, "client-certificate-data", "client-certificate", path, &tls.cert, &tls.cert_file));
    KS_RETURN_IF_ERROR(PemOrFile(user, "client-key-data", "client-key", path, &tls.key, &tls.key_file));
    std::string token = Field(user, "token");
    std::string token_file = Field(user, "tokenFile");
    if (!token.empty() || !token_file.empty()) {
      model::Authorization auth;
      auth.credentials = token;
      if (token.empty()) auth.credentials_file = util::JoinDir(util::DirName(std::string(path)), token_file);
      ep.http.authorization = auth;
    }
    std::string username = Field(user, "username");
    if (!username.empty()) {
      if (ep.http.authorization) {
        return util::InvalidArgumentError(
            fmt::format("{}: user \"{}\": username/password or bearer token may be set, but not both", path,
                        user_name));
      }
      model::BasicAuth basic;
      basic.username = username;
      basic.password = Field(user, "password");
      ep.http.basic_auth = basic;
    }
  }
  if (util::Status s = model::ValidateHttpClientConfig(&ep.http); !s.ok()) {
    return util::InvalidArgumentError(fmt::format("{}: {}", path, s.message()));
  }
  return ep;
}

util::StatusOr<KubeEndpoint> InCluster(const util::FileSystem& fs, const EnvLookup& env) {
  std::optional<std::string> host = env("KUBERNETES_SERVICE_HOST");
  std::optional<std::string> port = env("KUBERNETES_SERVICE_PORT");
  if (!host || host->empty() || !port || port->empty()) {
    return util::FailedPreconditionError(
        "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be "
        "defined");
  }
  KubeEndpoint ep;
  const bool ipv6 = host->find(':') != std::string::npos;
  ep.server = ipv6 ? fmt::format("https://[{}]:{}", *host, *port) : fmt::format("https://{}:{}", *host, *port);
  const std::string dir(kServiceAccountDir);
  const std::string ca = dir + "/ca.crt";
  // client-go logs and goes on without the CA when it cannot be read.
  if (fs.ReadFile(ca).ok()) ep.http.tls_config.ca_file = ca;
  model::Authorization auth;
  auth.credentials_file = dir + "/token";
  ep.http.authorization = auth;
  if (util::StatusOr<std::string> ns = fs.ReadFile(dir + "/namespace"); ns.ok()) {
    std::string v = *ns;
    while (!v.empty() && (v.back() == '\n' || v.back() == ' ' || v.back() == '\r')) v.pop_back();
    if (!v.empty()) ep.own_namespace = v;
  }
  return ep;
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

util::StatusOr<KubeEndpoint> ParseKubeconfig(std::string_view path, std::string_view text) {
  try {
    return ParseKubeconfigYaml(path, YAML::Load(std::string(text)));
  } catch (const std::exception& e) {
    return util::InvalidArgumentError(fmt::format("{}: {}", path, e.what()));
  }
}

util::StatusOr<KubeEndpoint> ResolveKubeEndpoint(const KubernetesSdConfig& config, const util::FileSystem& fs,
                                                 const EnvLookup& env) {
  if (!config.kubeconfig_file.empty()) {
    KS_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(config.kubeconfig_file));
    return ParseKubeconfig(config.kubeconfig_file, text);
  }
  if (config.api_server.empty()) return InCluster(fs, env);
  KubeEndpoint ep;
  ep.server = config.api_server;
  while (!ep.server.empty() && ep.server.back() == '/') ep.server.pop_back();
  ep.http = config.http_client;
  return ep;
}

}  // namespace kubescrape::discovery
