// Relabeling microbenchmarks.
//
// The rules are never re-typed here: the origin job's rules come from
// configs/prometheus.yml (job kubernetes-pods) and Prometheus's own
// BenchmarkRelabel "kubernetes" set from
// ../shared/conformance/relabel/prometheus-cases.yml, both through the normal
// loaders. Each benchmark checks its result once, outside the timed loop, and
// stops with SkipWithError when it is not what the rules should produce, so a
// figure is never reported for the wrong path.
//
// One iteration = one target (items/s = targets/s). Figures and the commands
// that produced them: docs/benchmarks.md.

#include <benchmark/benchmark.h>

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/relabel_test_file.h"
#include "model/labels.h"
#include "model/labels_builder.h"
#include "relabel/process.h"
#include "relabel/rule.h"
#include "util/status.h"

namespace {

using kubescrape::config::Config;
using kubescrape::config::RelabelTestCase;
using kubescrape::config::RelabelTestFile;
using kubescrape::model::Label;
using kubescrape::model::Labels;
using kubescrape::model::LabelsBuilder;
using kubescrape::relabel::Rule;

namespace relabel = kubescrape::relabel;

constexpr std::string_view kPodIp = "10.244.1.17";
constexpr std::string_view kExpectedAddress = "10.244.1.17:8001";

// A discovered pod target as Kubernetes pod discovery hands it to relabeling,
// in discovery order (so unsorted): the pod's group labels, the container/port
// target labels, then the job defaults the scrape manager adds. The Flask
// container listens on 5000; the pod asks to be scraped on 8001 through its
// prometheus.io/port annotation, so the address rewrite is visible.
// 41 labels.
std::vector<Label> PodTargetLabels(std::string_view ns) {
  return {
      {"__address__", "10.244.1.17:5000"},
      // Pod group labels.
      {"__meta_kubernetes_namespace", ns},
      {"__meta_kubernetes_pod_name", "flask-app-7d9c5b6f4-x2k8p"},
      {"__meta_kubernetes_pod_ip", kPodIp},
      {"__meta_kubernetes_pod_ready", "true"},
      {"__meta_kubernetes_pod_phase", "Running"},
      {"__meta_kubernetes_pod_node_name", "worker-1"},
      {"__meta_kubernetes_pod_host_ip", "192.168.49.2"},
      {"__meta_kubernetes_pod_uid", "2f6a4c1e-93b0-4d7e-8a43-0c5f6b1d2e77"},
      {"__meta_kubernetes_pod_controller_kind", "ReplicaSet"},
      {"__meta_kubernetes_pod_controller_name", "flask-app-7d9c5b6f4"},
      {"__meta_kubernetes_pod_label_app", "flask-minio"},
      {"__meta_kubernetes_pod_labelpresent_app", "true"},
      {"__meta_kubernetes_pod_label_app_kubernetes_io_part_of", "flask-minio-demo"},
      {"__meta_kubernetes_pod_labelpresent_app_kubernetes_io_part_of", "true"},
      {"__meta_kubernetes_pod_label_pod_template_hash", "7d9c5b6f4"},
      {"__meta_kubernetes_pod_labelpresent_pod_template_hash", "true"},
      {"__meta_kubernetes_pod_label_version", "1.4.2"},
      {"__meta_kubernetes_pod_labelpresent_version", "true"},
      {"__meta_kubernetes_pod_annotation_kubectl_kubernetes_io_restartedAt", "2024-05-02T09:14:07Z"},
      {"__meta_kubernetes_pod_annotationpresent_kubectl_kubernetes_io_restartedAt", "true"},
      {"__meta_kubernetes_pod_annotation_checksum_config", "9f2c41d07be1a3c6e5f8d2b4a7c90e13"},
      {"__meta_kubernetes_pod_annotationpresent_checksum_config", "true"},
      {"__meta_kubernetes_pod_annotation_prometheus_io_scrape", "true"},
      {"__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape", "true"},
      {"__meta_kubernetes_pod_annotation_prometheus_io_port", "8001"},
      {"__meta_kubernetes_pod_annotationpresent_prometheus_io_port", "true"},
      {"__meta_kubernetes_pod_annotation_prometheus_io_path", "/metrics"},
      {"__meta_kubernetes_pod_annotationpresent_prometheus_io_path", "true"},
      // Container/port target labels.
      {"__meta_kubernetes_pod_container_name", "flask"},
      {"__meta_kubernetes_pod_container_id", "containerd://5b1e0f2a9c7d4e3f8a61b0c2d9e7f4a3"},
      {"__meta_kubernetes_pod_container_image", "registry.local/flask-app:1.4.2"},
      {"__meta_kubernetes_pod_container_init", "false"},
      {"__meta_kubernetes_pod_container_port_name", "http"},
      {"__meta_kubernetes_pod_container_port_number", "5000"},
      {"__meta_kubernetes_pod_container_port_protocol", "TCP"},
      // Job defaults.
      {"job", "kubernetes-pods"},
      {"__metrics_path__", "/metrics"},
      {"__scheme__", "http"},
      {"__scrape_interval__", "15s"},
      {"__scrape_timeout__", "10s"},
  };
}

// ---------------------------------------------------------------------------
// Fixtures, loaded once.

struct OriginJob {
  std::string error;  // empty when loaded
  std::optional<Config> config;
  std::span<const Rule> rules;
};

const OriginJob& LoadOriginJob() {
  static const OriginJob* const job = [] {
    auto* j = new OriginJob;
    const std::string path = std::string(KS_SOURCE_DIR) + "/configs/prometheus.yml";
    auto loaded = kubescrape::config::LoadFile(path);
    if (!loaded.ok()) {
      j->error = "loading " + path + ": " + loaded.status().ToString();
      return j;
    }
    j->config.emplace(std::move(loaded).value());
    const auto* scrape_job = j->config->FindJob("kubernetes-pods");
    if (scrape_job == nullptr) {
      j->error = path + " has no job kubernetes-pods";
      return j;
    }
    j->rules = scrape_job->scrape.relabel_configs;
    if (j->rules.empty()) j->error = "job kubernetes-pods in " + path + " has no relabel_configs";
    return j;
  }();
  return *job;
}

struct PromKubernetesCase {
  std::string error;  // empty when loaded
  RelabelTestFile file;
  const RelabelTestCase* test = nullptr;
};

const PromKubernetesCase& LoadPromKubernetesCase() {
  static const PromKubernetesCase* const c = [] {
    auto* p = new PromKubernetesCase;
    const std::string path = std::string(KS_SOURCE_DIR) + "/../shared/conformance/relabel/prometheus-cases.yml";
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      p->error = "Prometheus conformance cases not found at " + path +
                 " (the shared/ checkout next to the repository is needed for this benchmark)";
      return p;
    }
    auto loaded = kubescrape::config::LoadRelabelTestFile(path);
    if (!loaded.ok()) {
      p->error = "loading " + path + ": " + loaded.status().ToString();
      return p;
    }
    p->file = std::move(loaded).value();
    for (const RelabelTestCase& t : p->file.tests) {
      if (std::string_view(t.name).starts_with("BenchmarkRelabel \"kubernetes\"")) {
        p->test = &t;
        break;
      }
    }
    if (p->test == nullptr) {
      p->error = "no test named 'BenchmarkRelabel \"kubernetes\"...' in " + path;
    } else if (!p->test->rules_status.ok()) {
      p->error = "loading the rules of '" + p->test->name + "': " + p->test->rules_status.ToString();
    } else if (p->test->expect == RelabelTestCase::Expect::kError) {
      p->error = "'" + p->test->name + "' expects an error; nothing to benchmark";
    }
    return p;
  }();
  return *c;
}

// ---------------------------------------------------------------------------
// 1, 2. The origin job's rules on a discovered pod target.
//
// The timed work is the full per-target cost: builder Reset from the input
// Labels, Process, and (when kept) Build of the output Labels. The builder is
// reused across targets, as the target builder does.

void RunOriginJob(benchmark::State& state, std::string_view ns, bool expect_kept) {
  const OriginJob& job = LoadOriginJob();
  if (!job.error.empty()) {
    state.SkipWithError(job.error.c_str());
    return;
  }
  const Labels input = Labels::FromUnsorted(PodTargetLabels(ns));
  LabelsBuilder lb;

  // Check once that the benchmark exercises the intended path.
  lb.Reset(input);
  const bool kept = relabel::Process(job.rules, lb);
  if (kept != expect_kept) {
    state.SkipWithError(expect_kept ? "the pod target was dropped; expected it to be kept"
                                    : "the pod target was kept; expected it to be dropped");
    return;
  }
  if (kept) {
    const Labels out = lb.Build();
    if (out.Get("__address__") != kExpectedAddress) {
      static std::string msg;
      msg = "__address__ is \"" + std::string(out.Get("__address__")) + "\", expected \"" +
            std::string(kExpectedAddress) + "\"";
      state.SkipWithError(msg.c_str());
      return;
    }
  }

  for (auto _ : state) {
    lb.Reset(input);
    bool k = relabel::Process(job.rules, lb);
    benchmark::DoNotOptimize(k);
    if (k) {
      Labels out = lb.Build();
      benchmark::DoNotOptimize(out);
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["labels_in"] = static_cast<double>(input.size());
  state.counters["rules"] = static_cast<double>(job.rules.size());
}

void BM_RelabelOriginJob_Kept(benchmark::State& state) { RunOriginJob(state, "test", /*expect_kept=*/true); }
BENCHMARK(BM_RelabelOriginJob_Kept);

void BM_RelabelOriginJob_Dropped(benchmark::State& state) {
  RunOriginJob(state, "kube-system", /*expect_kept=*/false);
}
BENCHMARK(BM_RelabelOriginJob_Dropped);

// The same kept target through the convenience overload
// Process(rules, const Labels&), which constructs a fresh LabelsBuilder per
// call (what Prometheus's relabel.Process does).
void BM_RelabelOriginJob_Kept_FreshBuilder(benchmark::State& state) {
  const OriginJob& job = LoadOriginJob();
  if (!job.error.empty()) {
    state.SkipWithError(job.error.c_str());
    return;
  }
  const Labels input = Labels::FromUnsorted(PodTargetLabels("test"));
  std::optional<Labels> check = relabel::Process(job.rules, input);
  if (!check || check->Get("__address__") != kExpectedAddress) {
    state.SkipWithError("the pod target was not kept with __address__ 10.244.1.17:8001");
    return;
  }
  for (auto _ : state) {
    std::optional<Labels> out = relabel::Process(job.rules, input);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RelabelOriginJob_Kept_FreshBuilder);

// ---------------------------------------------------------------------------
// 3. Prometheus's BenchmarkRelabel "kubernetes" rule set and input
//    (model/relabel/relabel_test.go). Its hashmod(__address__, 3) = 1, so the
//    `keep ^0$` rule near the end drops the target: 19 of the 20 rules run and
//    no output is built, as in the Go benchmark.

bool CheckPromResult(const RelabelTestCase& t, bool kept, const LabelsBuilder& lb) {
  if (t.expect == RelabelTestCase::Expect::kDropped) return !kept;
  return kept && lb.Build() == t.output;
}

void BM_RelabelPrometheusKubernetesRuleSet(benchmark::State& state) {
  const PromKubernetesCase& c = LoadPromKubernetesCase();
  if (!c.error.empty()) {
    state.SkipWithError(c.error.c_str());
    return;
  }
  const RelabelTestCase& t = *c.test;
  LabelsBuilder lb;
  lb.Reset(t.input);
  if (!CheckPromResult(t, relabel::Process(t.rules, lb), lb)) {
    state.SkipWithError("the result differs from the conformance case's expectation");
    return;
  }
  for (auto _ : state) {
    lb.Reset(t.input);
    bool k = relabel::Process(t.rules, lb);
    benchmark::DoNotOptimize(k);
    if (k) {
      Labels out = lb.Build();
      benchmark::DoNotOptimize(out);
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["labels_in"] = static_cast<double>(t.input.size());
  state.counters["rules"] = static_cast<double>(t.rules.size());
}
BENCHMARK(BM_RelabelPrometheusKubernetesRuleSet);

// Like-for-like with Go's `Process(tt.lbls, tt.cfgs...)`, which allocates a
// new labels.Builder on every call.
void BM_RelabelPrometheusKubernetesRuleSet_FreshBuilder(benchmark::State& state) {
  const PromKubernetesCase& c = LoadPromKubernetesCase();
  if (!c.error.empty()) {
    state.SkipWithError(c.error.c_str());
    return;
  }
  const RelabelTestCase& t = *c.test;
  std::optional<Labels> check = relabel::Process(t.rules, t.input);
  bool ok = t.expect == RelabelTestCase::Expect::kDropped ? !check.has_value()
                                                          : (check.has_value() && *check == t.output);
  if (!ok) {
    state.SkipWithError("the result differs from the conformance case's expectation");
    return;
  }
  for (auto _ : state) {
    std::optional<Labels> out = relabel::Process(t.rules, t.input);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RelabelPrometheusKubernetesRuleSet_FreshBuilder);

// ---------------------------------------------------------------------------
// 4. Supporting benchmarks.

// Labels::FromUnsorted of the 41-label pod target, in discovery order. The
// function consumes its vector, so each iteration also copies the 41 pairs
// (one allocation of ~1.3 KB and a memcpy).
void BM_LabelsFromUnsorted(benchmark::State& state) {
  const std::vector<Label> pairs = PodTargetLabels("test");
  for (auto _ : state) {
    std::vector<Label> copy = pairs;
    Labels l = Labels::FromUnsorted(std::move(copy));
    benchmark::DoNotOptimize(l);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["labels"] = static_cast<double>(pairs.size());
}
BENCHMARK(BM_LabelsFromUnsorted);

// LabelsBuilder Reset + Build with no change: the fixed cost every kept
// target pays around the rules.
void BM_LabelsBuilderResetBuild(benchmark::State& state) {
  const Labels input = Labels::FromUnsorted(PodTargetLabels("test"));
  LabelsBuilder lb;
  lb.Reset(input);
  if (!(lb.Build() == input)) {
    state.SkipWithError("Reset + Build did not reproduce the input");
    return;
  }
  for (auto _ : state) {
    lb.Reset(input);
    Labels out = lb.Build();
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["labels"] = static_cast<double>(input.size());
}
BENCHMARK(BM_LabelsBuilderResetBuild);

// hashmod of a typical target address (MD5 through OpenSSL's EVP API).
void BM_RelabelHashMod(benchmark::State& state) {
  std::string address = "10.244.1.17:8001";
  for (auto _ : state) {
    benchmark::DoNotOptimize(address);
    uint64_t h = relabel::HashMod(address, 3);
    benchmark::DoNotOptimize(h);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RelabelHashMod);

}  // namespace

BENCHMARK_MAIN();
