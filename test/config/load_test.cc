#include "config/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

namespace kubescrape::config {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

util::StatusOr<Config> Load(const std::string& yaml, const util::FileSystem& fs = util::FileSystem::Default()) {
  return LoadString(yaml, "prometheus.yml", fs);
}

std::string LoadError(const std::string& yaml) {
  auto c = Load(yaml);
  EXPECT_FALSE(c.ok()) << "expected an error for:\n" << yaml;
  return c.ok() ? "" : c.status().message();
}

TEST(LoadTest, EmptyFileGivesDefaults) {
  auto c = Load("");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->global.scrape_interval, minutes(1));
  EXPECT_EQ(c->global.scrape_timeout, seconds(10));
  EXPECT_EQ(c->global.evaluation_interval, minutes(1));
  EXPECT_EQ(c->global.scrape_protocols, scraper::DefaultScrapeProtocols());
  EXPECT_TRUE(c->scrape_configs.empty());
  EXPECT_TRUE(Load("global:\n").ok());
}

TEST(LoadTest, JobDefaultsAndInheritance) {
  auto c = Load(R"(
global:
  scrape_interval: 5s
  sample_limit: 1000
  body_size_limit: 10MB
scrape_configs:
  - job_name: a
  - job_name: b
    scrape_interval: 1m
    scrape_timeout: 30s
    sample_limit: 5
    metrics_path: /probe
    scheme: https
    honor_labels: true
    params: {module: [http_2xx]}
)");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const scraper::ScrapeConfig& a = c->scrape_configs[0].scrape;
  EXPECT_EQ(a.scrape_interval, seconds(5));
  EXPECT_EQ(a.scrape_timeout, seconds(5));  // min(global timeout 10s, interval 5s)
  EXPECT_EQ(a.limits.sample_limit, 1000u);
  EXPECT_EQ(a.limits.body_size_limit, 10 << 20);
  EXPECT_EQ(a.metrics_path, "/metrics");
  EXPECT_EQ(a.scheme, "http");
  EXPECT_TRUE(a.honor_timestamps);
  EXPECT_TRUE(a.enable_compression);
  EXPECT_FALSE(a.honor_labels);
  const scraper::ScrapeConfig& b = c->scrape_configs[1].scrape;
  EXPECT_EQ(b.scrape_interval, minutes(1));
  EXPECT_EQ(b.scrape_timeout, seconds(30));
  EXPECT_EQ(b.limits.sample_limit, 5u);
  EXPECT_EQ(b.metrics_path, "/probe");
  EXPECT_EQ(b.scheme, "https");
  EXPECT_TRUE(b.honor_labels);
  EXPECT_EQ(b.params.at("module"), std::vector<std::string>{"http_2xx"});
}

TEST(LoadTest, OriginConfigLoads) {
  auto c = LoadFile(std::string(KS_SOURCE_DIR) + "/configs/prometheus.yml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->scrape_configs.size(), 1u);
  const ScrapeJob& job = c->scrape_configs[0];
  EXPECT_EQ(job.scrape.job_name, "kubernetes-pods");
  EXPECT_EQ(job.scrape.scrape_interval, seconds(15));
  EXPECT_EQ(job.scrape.scrape_timeout, seconds(10));
  EXPECT_EQ(job.scrape.relabel_configs.size(), 8u);
  ASSERT_EQ(job.discovery.kubernetes_sd_configs.size(), 1u);
  EXPECT_EQ(job.discovery.kubernetes_sd_configs[0].role, discovery::KubernetesRole::kPod);
  EXPECT_TRUE(c->warnings.empty());
}

// --- Bad input: each kind gets a precise, positioned error. ---

TEST(LoadErrorTest, MalformedYaml) {
  EXPECT_EQ(LoadError("global:\n  scrape_interval: [1, 2\n"),
            "prometheus.yml:3:1: invalid YAML: end of sequence flow not found");
  EXPECT_NE(LoadError("a: b: c\n").find("prometheus.yml:1:"), std::string::npos);
  EXPECT_NE(LoadError("scrape_configs:\n - job_name: a\n  - job_name: b\n").find("invalid YAML"), std::string::npos);
}

TEST(LoadErrorTest, WrongTypes) {
  EXPECT_EQ(LoadError("global:\n  scrape_interval: [1]\n"),
            "prometheus.yml:2:20: global.scrape_interval: expected a string, got a list");
  EXPECT_EQ(LoadError("scrape_configs:\n  - job_name: a\n    honor_labels: \"yes\"\n"),
            "prometheus.yml:3:19: scrape_configs[0].honor_labels: expected a boolean (true or false), got \"yes\"");
  EXPECT_EQ(LoadError("global:\n  sample_limit: -1\n"),
            "prometheus.yml:2:17: global.sample_limit: expected a non-negative integer, got \"-1\"");
  EXPECT_EQ(LoadError("scrape_configs:\n  - job_name: a\n    static_configs: {targets: [x]}\n"),
            "prometheus.yml:3:21: scrape_configs[0].static_configs: expected a list, got a mapping");
  EXPECT_EQ(LoadError("scrape_configs: 3\n"), "prometheus.yml:1:17: scrape_configs: expected a list, got a scalar");
  EXPECT_EQ(LoadError("- a\n"), "prometheus.yml:1:1: expected a mapping, got a list");
}

TEST(LoadErrorTest, BadDurationsAndSizes) {
  EXPECT_EQ(LoadError("global:\n  scrape_interval: 15\n"),
            "prometheus.yml:2:20: global.scrape_interval: not a valid duration string: \"15\"");
  EXPECT_EQ(LoadError("global:\n  scrape_timeout: 1.5s\n"),
            "prometheus.yml:2:19: global.scrape_timeout: unknown unit \".\" in duration \"1.5s\"");
  EXPECT_EQ(LoadError("global:\n  body_size_limit: 10XB\n"),
            "prometheus.yml:2:20: global.body_size_limit: units: unknown unit XB in 10XB");
}

TEST(LoadErrorTest, InvalidRegex) {
  EXPECT_EQ(LoadError(R"(scrape_configs:
  - job_name: a
    relabel_configs:
      - source_labels: [x]
        regex: "abc(def"
        target_label: y
)"),
            "prometheus.yml:4:9: scrape_configs[0].relabel_configs[0]: error parsing regexp: missing closing ): "
            "`^(?s:abc(def)$`");
}

TEST(LoadErrorTest, UnknownActionNamesTheRule) {
  EXPECT_EQ(LoadError(R"(scrape_configs:
  - job_name: kubernetes-pods
    relabel_configs:
      - source_labels: [a]
        target_label: b
      - action: labelmap
        regex: x
      - source_labels: [__meta_kubernetes_namespace]
        regex: test
        action: keepp
)"),
            "prometheus.yml:8:9: scrape_configs[0].relabel_configs[2]: unknown relabel action \"keepp\"");
}

TEST(LoadErrorTest, MissingRequiredFields) {
  EXPECT_EQ(LoadError("scrape_configs:\n  - scrape_interval: 5s\n"),
            "prometheus.yml:2:5: scrape_configs[0]: job_name is empty");
  EXPECT_EQ(LoadError("scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - source_labels: [x]\n"),
            "prometheus.yml:4:9: scrape_configs[0].relabel_configs[0]: relabel configuration for replace action "
            "requires 'target_label' value");
  EXPECT_EQ(LoadError("scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs:\n      - namespaces: {names: [x]}\n"),
            "prometheus.yml:4:9: scrape_configs[0].kubernetes_sd_configs[0]: role missing (one of: pod, service, "
            "endpoints, endpointslice, node, ingress)");
}

TEST(LoadErrorTest, DuplicateJobNames) {
  EXPECT_EQ(LoadError("scrape_configs:\n  - job_name: a\n  - job_name: b\n  - job_name: a\n"),
            "prometheus.yml:4:5: scrape_configs[2]: found multiple scrape configs with job name \"a\"");
}

TEST(LoadErrorTest, HashmodModulusZero) {
  EXPECT_EQ(LoadError("scrape_configs:\n  - job_name: a\n    relabel_configs:\n"
                      "      - {source_labels: [__address__], target_label: h, action: hashmod, modulus: 0}\n"),
            "prometheus.yml:4:9: scrape_configs[0].relabel_configs[0]: relabel configuration for hashmod requires "
            "non-zero modulus");
}

TEST(LoadErrorTest, UnknownFieldSuggestsTheClosest) {
  EXPECT_EQ(LoadError("global:\n  scrape_intervall: 15s\n"),
            "prometheus.yml:2:3: global: unknown field \"scrape_intervall\" (did you mean \"scrape_interval\"?)");
  EXPECT_EQ(LoadError("scrape_configs:\n  - job_name: a\n    frobnicate: true\n"),
            "prometheus.yml:3:5: scrape_configs[0]: unknown field \"frobnicate\"");
  EXPECT_EQ(LoadError("scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - {target_label: x, replacment: y}\n"),
            "prometheus.yml:4:27: scrape_configs[0].relabel_configs[0]: unknown field \"replacment\" (did you mean "
            "\"replacement\"?)");
}

TEST(LoadErrorTest, DuplicateKeys) {
  EXPECT_EQ(LoadError("global:\n  scrape_interval: 5s\n  scrape_interval: 6s\n"),
            "prometheus.yml:3:20: global.scrape_interval: mapping key \"scrape_interval\" already defined at line 2");
}

TEST(LoadErrorTest, TimeoutAboveInterval) {
  EXPECT_EQ(LoadError("global:\n  scrape_interval: 5s\n  scrape_timeout: 6s\n"),
            "prometheus.yml:3:19: global.scrape_timeout: global scrape timeout greater than scrape interval");
  EXPECT_EQ(LoadError("scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    scrape_timeout: 6s\n"),
            "prometheus.yml:4:21: scrape_configs[0].scrape_timeout: scrape timeout greater than scrape interval for "
            "scrape config with job name \"a\"");
}

TEST(LoadErrorTest, NullRule) {
  EXPECT_EQ(LoadError("scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - {target_label: a}\n      -\n"),
            "prometheus.yml:5:7: scrape_configs[0].relabel_configs[1]: empty or null target relabeling rule in "
            "scrape config");
}

TEST(LoadErrorTest, SeveralIndependentErrorsAreAllReported) {
  std::string err = LoadError(R"(scrape_configs:
  - job_name: a
    scrape_interval: 5x
  - job_name: b
    relabel_configs:
      - {action: hashmod, target_label: h}
      - {action: drop, regex: "("}
)");
  EXPECT_NE(err.find("prometheus.yml:3:22: scrape_configs[0].scrape_interval: unknown unit \"x\""), std::string::npos) << err;
  EXPECT_NE(err.find("\nprometheus.yml:6:9: scrape_configs[1].relabel_configs[0]: relabel configuration for hashmod"),
            std::string::npos) << err;
  EXPECT_NE(err.find("\nprometheus.yml:7:9: scrape_configs[1].relabel_configs[1]: error parsing regexp"),
            std::string::npos) << err;
}

TEST(LoadErrorTest, StaticTargetThatIsAUrl) {
  EXPECT_EQ(LoadError("scrape_configs:\n  - job_name: a\n    static_configs: [{targets: ['http://h:9100']}]\n"),
            "prometheus.yml:2:5: scrape_configs[0]: \"http://h:9100\" is not a valid hostname");
  // With relabel rules the address may be rewritten, so it is allowed.
  EXPECT_TRUE(Load("scrape_configs:\n  - job_name: a\n    static_configs: [{targets: ['http://h:9100']}]\n"
                   "    relabel_configs: [{target_label: x, replacement: y}]\n").ok());
}

TEST(LoadErrorTest, LibraryExceptionsNeverEscape) {
  // Random bytes and truncated documents: always a Status, never a throw.
  std::mt19937 rng(42);
  const std::string alphabet = "ab: -[]{}&*!|>'\"\n\t#%@`,?~=\\\x01\xff";
  for (int i = 0; i < 2000; ++i) {
    std::string doc;
    size_t len = rng() % 64;
    for (size_t j = 0; j < len; ++j) doc.push_back(alphabet[rng() % alphabet.size()]);
    EXPECT_NO_THROW({ auto r = Load(doc); (void)r; }) << doc;
  }
}

// --- Prometheus features Kubescrape does not implement. ---

TEST(LoadTest, IgnoredSectionsAreWarnings) {
  auto c = Load("rule_files: [rules.yml]\nalerting: {alertmanagers: []}\nremote_write: [{url: http://x}]\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->warnings.size(), 3u);
  EXPECT_EQ(c->warnings[0], "prometheus.yml:1:13: rule_files: rule_files is not supported by Kubescrape and is ignored");
}

TEST(LoadTest, NativeHistogramKnobsAreAcceptedAndConversionIsReported) {
  auto c = Load("global:\n  scrape_native_histograms: true\n  convert_classic_histograms_to_nhcb: true\n"
                "scrape_configs:\n  - job_name: a\n    always_scrape_classic_histograms: true\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->warnings.size(), 1u);
  EXPECT_EQ(c->warnings[0],
            "prometheus.yml:3:39: global.convert_classic_histograms_to_nhcb: convert_classic_histograms_to_nhcb is "
            "ignored: Kubescrape stores classic histograms as float series");
}

TEST(LoadErrorTest, NameValidationScheme) {
  EXPECT_EQ(LoadError("global:\n  metric_name_validation_scheme: unset\n"),
            "prometheus.yml:2:34: global.metric_name_validation_scheme: unrecognized ValidationScheme: \"unset\"");
  auto c = Load("global:\n  metric_name_validation_scheme: legacy\nscrape_configs:\n  - job_name: a\n"
                "    relabel_configs: [{target_label: 'a.b', replacement: x}]\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("\"a.b\" is invalid 'target_label' for replace action"), std::string::npos);
}

TEST(LoadErrorTest, UnsupportedDiscoveryAndHttpAreErrors) {
  EXPECT_EQ(LoadError("scrape_configs:\n  - job_name: a\n    dns_sd_configs: [{names: [x]}]\n"),
            "prometheus.yml:3:21: scrape_configs[0].dns_sd_configs: dns_sd_configs is not supported by Kubescrape "
            "(supported: static_configs, file_sd_configs, kubernetes_sd_configs)");
  EXPECT_EQ(LoadError("scrape_configs:\n  - job_name: a\n    oauth2: {client_id: x}\n"),
            "prometheus.yml:3:13: scrape_configs[0].oauth2: oauth2 is not supported by Kubescrape");
  EXPECT_EQ(LoadError("scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs: [{role: node}]\n"),
            "prometheus.yml:3:36: scrape_configs[0].kubernetes_sd_configs[0].role: role \"node\" is not supported by "
            "Kubescrape yet (supported: pod)");
}

// --- Sections. ---

TEST(LoadTest, HttpClientSettings) {
  auto c = Load(R"(scrape_configs:
  - job_name: a
    bearer_token_file: token
    tls_config: {ca_file: ca.pem, insecure_skip_verify: true, server_name: api}
)");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const model::HttpClientConfig& h = c->scrape_configs[0].scrape.http_client;
  ASSERT_TRUE(h.authorization.has_value());
  EXPECT_EQ(h.authorization->credentials_file, "token");  // prometheus.yml is in "."
  EXPECT_EQ(h.tls_config.ca_file, "ca.pem");
  EXPECT_TRUE(h.tls_config.insecure_skip_verify);
  EXPECT_EQ(h.tls_config.server_name, "api");
  EXPECT_EQ(LoadError("scrape_configs:\n  - job_name: a\n    bearer_token: x\n    bearer_token_file: y\n"),
            "prometheus.yml:2:5: scrape_configs[0]: at most one of bearer_token & bearer_token_file must be configured");
}

TEST(LoadTest, RelativePathsFollowTheConfigFile) {
  util::MemFileSystem fs;
  fs.WriteFile("/etc/ks/prometheus.yml", R"(scrape_configs:
  - job_name: a
    authorization: {credentials_file: secrets/token}
    file_sd_configs: [{files: [targets/*.json]}]
    kubernetes_sd_configs: [{role: pod, kubeconfig_file: kube/config}]
)");
  auto c = LoadFile("/etc/ks/prometheus.yml", fs);
  ASSERT_TRUE(c.ok()) << c.status().message();
  const ScrapeJob& j = c->scrape_configs[0];
  EXPECT_EQ(j.scrape.http_client.authorization->credentials_file, "/etc/ks/secrets/token");
  EXPECT_EQ(j.discovery.file_sd_configs[0].files[0], "/etc/ks/targets/*.json");
  EXPECT_EQ(j.discovery.file_sd_configs[0].refresh_interval, minutes(5));
  EXPECT_EQ(j.discovery.kubernetes_sd_configs[0].kubeconfig_file, "/etc/ks/kube/config");
}

TEST(LoadTest, ScrapeConfigFiles) {
  util::MemFileSystem fs;
  fs.WriteFile("/c/prometheus.yml", "scrape_configs: [{job_name: main}]\nscrape_config_files: [jobs/*.yml]\n");
  fs.WriteFile("/c/jobs/a.yml", "scrape_configs: [{job_name: extra}]\n");
  fs.WriteFile("/c/jobs/b.yml", "scrape_configs: [{job_name: main}]\n");
  auto c = LoadFile("/c/prometheus.yml", fs);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "/c/jobs/b.yml:1:18: scrape_configs[0]: found multiple scrape configs with job name \"main\", first found "
            "in \"/c/prometheus.yml\"");
  fs.WriteFile("/c/jobs/b.yml", "scrape_configs: [{job_name: other}]\n");
  c = LoadFile("/c/prometheus.yml", fs);
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->scrape_configs.size(), 3u);
  EXPECT_EQ(c->scrape_configs[1].scrape.job_name, "extra");
  EXPECT_EQ(c->scrape_configs[1].source_file, "/c/jobs/a.yml");
}

TEST(LoadTest, StaticConfigsBecomeTargetGroups) {
  auto c = Load("scrape_configs:\n  - job_name: node\n    static_configs:\n"
                "      - {targets: ['a:9100', 'b:9100'], labels: {env: prod}}\n      - {targets: ['c:9100']}\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const auto& sc = c->scrape_configs[0].discovery.static_configs;
  ASSERT_EQ(sc.size(), 2u);
  EXPECT_EQ(sc[0].group.source, "0");
  EXPECT_EQ(sc[0].group.labels, model::Labels::FromPairs({{"env", "prod"}}));
  ASSERT_EQ(sc[0].group.targets.size(), 2u);
  EXPECT_EQ(sc[0].group.targets[1], model::Labels::FromPairs({{"__address__", "b:9100"}}));
  EXPECT_EQ(sc[1].group.source, "1");
}

TEST(LoadTest, KubernetesSdConfig) {
  auto c = Load(R"yaml(scrape_configs:
  - job_name: pods
    kubernetes_sd_configs:
      - role: pod
        namespaces: {names: [test, logging]}
        selectors:
          - {role: pod, label: "app in (flask-minio,minio)", field: "spec.nodeName=worker-1"}
)yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const auto& k = c->scrape_configs[0].discovery.kubernetes_sd_configs[0];
  EXPECT_EQ(k.namespaces, (std::vector<std::string>{"test", "logging"}));
  ASSERT_EQ(k.selectors.size(), 1u);
  EXPECT_EQ(k.selectors[0].label, "app in (flask-minio,minio)");
  EXPECT_EQ(LoadError("scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs:\n"
                      "      - {role: pod, selectors: [{role: node}]}\n"),
            "prometheus.yml:4:9: scrape_configs[0].kubernetes_sd_configs[0]: pod role supports only pod selectors");
  EXPECT_EQ(LoadError("scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs:\n"
                      "      - {role: pod, api_server: 'https://k:6443', namespaces: {own_namespace: true}}\n"),
            "prometheus.yml:4:9: scrape_configs[0].kubernetes_sd_configs[0]: cannot use 'api_server' and "
            "'namespaces.own_namespace' simultaneously");
  EXPECT_NE(LoadError("scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs:\n"
                      "      - {role: pod, selectors: [{role: pod, label: 'app in flask'}]}\n")
                .find("invalid label selector"),
            std::string::npos);
}

TEST(LoadTest, ExternalLabelsExpandEnvironment) {
  setenv("KS_TEST_CLUSTER", "prod-eu", 1);
  auto c = Load("global:\n  external_labels: {cluster: '${KS_TEST_CLUSTER}', price: '$$5', replica: a}\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->global.external_labels,
            model::Labels::FromPairs({{"cluster", "prod-eu"}, {"price", "$5"}, {"replica", "a"}}));
}

TEST(LoadTest, MergeKeys) {
  auto c = Load(R"(scrape_configs:
  - &base
    job_name: a
    scrape_interval: 30s
    honor_labels: true
  - <<: *base
    job_name: b
)");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->scrape_configs[1].scrape.job_name, "b");
  EXPECT_EQ(c->scrape_configs[1].scrape.scrape_interval, seconds(30));
  EXPECT_TRUE(c->scrape_configs[1].scrape.honor_labels);
}

TEST(LoadTest, NullFieldsAreZeroValues) {
  // yaml.v2: an explicit null sets the zero value ("" regex; action null is an error).
  auto c = Load("scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - {source_labels: [job], regex: , "
                "target_label: copy}\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const relabel::Rule& r = c->scrape_configs[0].scrape.relabel_configs[0];
  EXPECT_FALSE(r.regex().is_default());
  EXPECT_EQ(r.regex().pattern(), "");
  EXPECT_NE(LoadError("scrape_configs:\n  - job_name: a\n    relabel_configs: [{action: null}]\n")
                .find("relabel action cannot be empty"),
            std::string::npos);
}

TEST(LoadTest, ScrapeProtocols) {
  auto c = Load("scrape_configs:\n  - job_name: a\n    scrape_protocols: [PrometheusText0.0.4]\n"
                "    fallback_scrape_protocol: PrometheusText0.0.4\n");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->scrape_configs[0].scrape.scrape_protocols,
            std::vector<scraper::ScrapeProtocol>{scraper::ScrapeProtocol::kPrometheusText0_0_4});
  EXPECT_EQ(LoadError("global:\n  scrape_protocols: [Text]\n"),
            "prometheus.yml:2:21: global.scrape_protocols: unknown scrape protocol Text, supported: "
            "[OpenMetricsText0.0.1 OpenMetricsText1.0.0 PrometheusProto PrometheusText0.0.4 PrometheusText1.0.0]");
  EXPECT_NE(LoadError("global:\n  scrape_protocols: []\n").find("scrape_protocols cannot be empty"), std::string::npos);
}

}  // namespace
}  // namespace kubescrape::config
