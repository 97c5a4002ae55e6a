#pragma once
// KubeEndpoint: where a kubernetes_sd_config's API server is and how to
// authenticate to it, resolved from one of three sources as Prometheus does:
//   1. kubeconfig_file: the current context of a kubeconfig (client-go's
//      clientcmd): cluster `server`, `certificate-authority(-data)`,
//      `insecure-skip-tls-verify`, `tls-server-name`; user `token`,
//      `tokenFile`, `client-certificate(-data)`, `client-key(-data)`,
//      `username`/`password`. Relative paths are relative to the kubeconfig.
//      `exec` and `auth-provider` plugins are not supported (an error).
//   2. api_server: that URL with the job's HTTP client settings.
//   3. neither: in-cluster, from KUBERNETES_SERVICE_HOST/PORT and the
//      service account's token and CA under
//      /var/run/secrets/kubernetes.io/serviceaccount/. The token is a
//      credentials_file, so it is re-read for every request (projected
//      tokens rotate).
// The own namespace (namespaces.own_namespace) is the service account's
// namespace file in-cluster, the context's namespace with a kubeconfig, and
// "default" otherwise.
//
// Thread-safety: plain values and pure functions over the injected
// FileSystem and environment.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "discovery/config.h"
#include "model/http_config.h"
#include "util/file_system.h"
#include "util/status.h"

namespace kubescrape::discovery {

inline constexpr std::string_view kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

struct KubeEndpoint {
  // scheme://host[:port][/prefix], without a trailing slash.
  std::string server;
  // TLS and authorization for every request (validated).
  model::HttpClientConfig http;
  std::string own_namespace = "default";
};

// Reads an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// The process's environment.
EnvLookup ProcessEnv();

// Resolves `config` (validated; its paths already made relative to the
// config file). Errors name the kubeconfig file or the missing variable.
[[nodiscard]] util::StatusOr<KubeEndpoint> ResolveKubeEndpoint(const KubernetesSdConfig& config,
                                                               const util::FileSystem& fs,
                                                               const EnvLookup& env);

// Parses a kubeconfig's text; `path` names it in errors and anchors
// relative paths.
[[nodiscard]] util::StatusOr<KubeEndpoint> ParseKubeconfig(std::string_view path, std::string_view text);

}  // namespace kubescrape::discovery
