#include "discovery/kube_endpoint.h"

#include <gtest/gtest.h>

#include <map>

#include "util/base64.h"

namespace kubescrape::discovery {
namespace {

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

constexpr char kKubeconfig[] = R"(apiVersion: v1
kind: Config
current-context: demo
clusters:
- name: other
  cluster: {server: "https://other:6443"}
- name: local
  cluster:
    server: https://127.0.0.1:6443/
    certificate-authority: certs/ca.pem
    tls-server-name: kubernetes
contexts:
- name: demo
  context: {cluster: local, user: admin, namespace: monitoring}
users:
- name: admin
  user:
    token: s3cret
    client-certificate-data: )";

TEST(KubeconfigTest, CurrentContextClusterAndUser) {
  std::string text = std::string(kKubeconfig) + util::Base64Encode("CERT PEM") + "\n    client-key-data: " +
                     util::Base64Encode("KEY PEM") + "\n";
  auto ep = ParseKubeconfig("/etc/kube/config", text);
  ASSERT_TRUE(ep.ok()) << ep.status().ToString();
  EXPECT_EQ(ep->server, "https://127.0.0.1:6443");
  EXPECT_EQ(ep->http.tls_config.ca_file, "/etc/kube/certs/ca.pem");
  EXPECT_EQ(ep->http.tls_config.server_name, "kubernetes");
  EXPECT_EQ(ep->http.tls_config.cert, "CERT PEM");
  EXPECT_EQ(ep->http.tls_config.key, "KEY PEM");
  ASSERT_TRUE(ep->http.authorization.has_value());
  EXPECT_EQ(ep->http.authorization->type, "Bearer");
  EXPECT_EQ(ep->http.authorization->credentials, "s3cret");
  EXPECT_EQ(ep->own_namespace, "monitoring");
}

TEST(KubeconfigTest, ErrorsNameTheFile) {
  auto missing_ctx = ParseKubeconfig("k.yml", "current-context: x\ncontexts: []\n");
  ASSERT_FALSE(missing_ctx.ok());
  EXPECT_EQ(missing_ctx.status().message(), "k.yml: context \"x\" not found in contexts");
  auto exec = ParseKubeconfig("k.yml", R"(current-context: c
contexts: [{name: c, context: {cluster: k, user: u}}]
clusters: [{name: k, cluster: {server: "https://h"}}]
users: [{name: u, user: {exec: {command: aws}}}]
)");
  ASSERT_FALSE(exec.ok());
  EXPECT_NE(exec.status().message().find("exec and auth-provider plugins are not supported"), std::string::npos);
  EXPECT_FALSE(ParseKubeconfig("k.yml", "{{{").ok());
  auto no_scheme = ParseKubeconfig("k.yml", R"(current-context: c
contexts: [{name: c, context: {cluster: k}}]
clusters: [{name: k, cluster: {server: "h:6443"}}]
)");
  ASSERT_FALSE(no_scheme.ok());
  EXPECT_NE(no_scheme.status().message().find("server must be an http(s) URL"), std::string::npos);
}

TEST(KubeEndpointTest, InClusterUsesServiceAccountFiles) {
  util::MemFileSystem fs;
  fs.WriteFile("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt", "CA");
  fs.WriteFile("/var/run/secrets/kubernetes.io/serviceaccount/namespace", "monitoring\n");
  KubernetesSdConfig config;
  auto ep = ResolveKubeEndpoint(config, fs, Env({{"KUBERNETES_SERVICE_HOST", "fd00::1"},
                                                 {"KUBERNETES_SERVICE_PORT", "443"}}));
  ASSERT_TRUE(ep.ok()) << ep.status().ToString();
  EXPECT_EQ(ep->server, "https://[fd00::1]:443");
  EXPECT_EQ(ep->http.tls_config.ca_file, "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt");
  ASSERT_TRUE(ep->http.authorization.has_value());
  // A file, so a rotated projected token is picked up on the next request.
  EXPECT_EQ(ep->http.authorization->credentials_file, "/var/run/secrets/kubernetes.io/serviceaccount/token");
  EXPECT_EQ(ep->own_namespace, "monitoring");
}

TEST(KubeEndpointTest, NotInClusterIsAClearError) {
  util::MemFileSystem fs;
  auto ep = ResolveKubeEndpoint(KubernetesSdConfig{}, fs, Env({}));
  ASSERT_FALSE(ep.ok());
  EXPECT_EQ(ep.status().message(),
            "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be "
            "defined");
}

TEST(KubeEndpointTest, ApiServerWithTheJobsHttpSettings) {
  util::MemFileSystem fs;
  KubernetesSdConfig config;
  config.api_server = "https://k8s.example:6443/";
  config.http_client.tls_config.insecure_skip_verify = true;
  auto ep = ResolveKubeEndpoint(config, fs, Env({}));
  ASSERT_TRUE(ep.ok());
  EXPECT_EQ(ep->server, "https://k8s.example:6443");
  EXPECT_TRUE(ep->http.tls_config.insecure_skip_verify);
  EXPECT_EQ(ep->own_namespace, "default");
}

TEST(KubeEndpointTest, KubeconfigFileIsReadThroughTheFileSystem) {
  util::MemFileSystem fs;
  fs.WriteFile("/k/config", R"(current-context: c
contexts: [{name: c, context: {cluster: k, user: u}}]
clusters: [{name: k, cluster: {server: "http://127.0.0.1:8080"}}]
users: [{name: u, user: {tokenFile: token}}]
)");
  KubernetesSdConfig config;
  config.kubeconfig_file = "/k/config";
  auto ep = ResolveKubeEndpoint(config, fs, Env({}));
  ASSERT_TRUE(ep.ok()) << ep.status().ToString();
  EXPECT_EQ(ep->http.authorization->credentials_file, "/k/token");
  config.kubeconfig_file = "/k/missing";
  EXPECT_FALSE(ResolveKubeEndpoint(config, fs, Env({})).ok());
}

}  // namespace
}  // namespace kubescrape::discovery
