// Kubernetes pod discovery benchmarks (discovery/kubernetes_*.h) on generated,
// realistic PodLists as the API server serves them: compact JSON with
// managedFields, volumes, probes, env, tolerations, five conditions and
// container statuses (about 5-6 KB per pod), in pages of 500.
//
// The cluster: 20 namespaces, Deployments of 5 replicas, 30 pods per node.
// Each pod has a Deployment's 5 labels (app, app.kubernetes.io/{name,
// instance,version}, pod-template-hash), 3 or 4 annotations (prometheus.io/
// scrape and port, kubectl restartedAt, checksum/config on every other
// Deployment), an app container with 2 ports and, on every other Deployment,
// a sidecar with 1 port. With the `cni` argument set, every pod also carries
// Calico's per-pod annotations (podIP, containerID): then no two pods have
// the same annotations, and replicas cannot share a shape.
//
//   BM_DecodePodList/<pods>/<cni>:   decoding alone (bytes/s, pods/s).
//   BM_DecodeAndStore/<pods>/<cni>:  decoding + PodStore::ReplacePods (which
//       also builds every group); counters: bytes_per_pod_est
//       (PodStore::MemoryUsage) and bytes_per_pod_heap (glibc's in-use heap
//       grown by the store, mallinfo2), shapes.
//   BM_BuildPodGroup/<cni>:           one PodGroupBuilder::Build per pod.

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <malloc.h>

#include <cstdint>
#include <string>
#include <vector>

#include "discovery/kubernetes_pod.h"
#include "discovery/kubernetes_pod_groups.h"
#include "discovery/kubernetes_pod_store.h"

namespace kubescrape::discovery {
namespace {

constexpr int kPageSize = 500;
constexpr int kReplicas = 5;
constexpr int kPodsPerNode = 30;
constexpr int kNamespaces = 20;

uint64_t Mix(uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string Hex(uint64_t seed, int n) {
  std::string s;
  while (static_cast<int>(s.size()) < n) s += fmt::format("{:016x}", Mix(seed + s.size()));
  s.resize(static_cast<size_t>(n));
  return s;
}

std::string Uuid(uint64_t seed) {
  std::string h = Hex(seed, 32);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

// Appends the JSON of pod `i`.
void AppendPod(std::string* out, int i, bool cni) {
  const int dep = i / kReplicas;
  const std::string ns = fmt::format("team-{:02}", dep % kNamespaces);
  const std::string app = fmt::format("service-{:05}", dep);
  const std::string hash = Hex(static_cast<uint64_t>(dep) * 7919, 10);
  const std::string rs = app + "-" + hash;
  const std::string name = rs + "-" + Hex(static_cast<uint64_t>(i) * 31, 5);
  const std::string node = fmt::format("ip-10-0-{}-{}.eu-west-1.compute.internal",
                                       (i / kPodsPerNode) / 250, (i / kPodsPerNode) % 250);
  const std::string ip = fmt::format("10.{}.{}.{}", 64 + i / 65536, (i / 256) % 256, i % 256);
  const std::string host_ip =
      fmt::format("10.0.{}.{}", (i / kPodsPerNode) / 250, (i / kPodsPerNode) % 250);
  const bool sidecar = dep % 2 == 1;
  const std::string app_id = Hex(static_cast<uint64_t>(i) * 131, 64);
  const std::string sidecar_id = Hex(static_cast<uint64_t>(i) * 137, 64);
  const std::string image =
      fmt::format("registry.example.com/{}/{}:1.{}.{}", ns, app, dep % 7, dep % 13);

  std::string annotations = fmt::format(
      R"("kubectl.kubernetes.io/restartedAt":"2024-04-30T08:{:02}:00Z","prometheus.io/port":"9090","prometheus.io/scrape":"true")",
      dep % 60);
  if (dep % 2 == 0) {
    annotations =
        fmt::format(R"("checksum/config":"{}",)", Hex(static_cast<uint64_t>(dep) * 17, 64)) +
        annotations;
  }
  if (cni) {
    annotations =
        fmt::format(
            R"("cni.projectcalico.org/containerID":"{}","cni.projectcalico.org/podIP":"{}/32",)",
            Hex(static_cast<uint64_t>(i) * 191, 64), ip) +
        annotations;
  }

  auto container = [&](std::string_view cname, std::string_view cimage, std::string_view ports) {
    return fmt::format(
        R"({{"name":"{}","image":"{}","ports":[{}],"env":[{{"name":"LOG_LEVEL","value":"info"}},{{"name":"POD_NAME","valueFrom":{{"fieldRef":{{"apiVersion":"v1","fieldPath":"metadata.name"}}}}}}],)"
        R"("resources":{{"limits":{{"cpu":"500m","memory":"512Mi"}},"requests":{{"cpu":"100m","memory":"128Mi"}}}},)"
        R"("volumeMounts":[{{"name":"kube-api-access-{}","readOnly":true,"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}}],)"
        R"("livenessProbe":{{"httpGet":{{"path":"/healthz","port":8080,"scheme":"HTTP"}},"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3}},)"
        R"("terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"}})",
        cname, cimage, ports, Hex(static_cast<uint64_t>(i), 5));
  };
  auto status = [&](std::string_view cname, std::string_view cimage, std::string_view id) {
    return fmt::format(
        R"({{"name":"{}","state":{{"running":{{"startedAt":"2024-05-01T10:00:05Z"}}}},"lastState":{{}},"ready":true,"restartCount":0,)"
        R"("image":"{}","imageID":"{}@sha256:{}","containerID":"containerd://{}","started":true}})",
        cname, cimage, cimage, Hex(static_cast<uint64_t>(dep) * 3, 64), id);
  };
  std::string containers = container(
      "app", image,
      R"({"name":"http","containerPort":8080,"protocol":"TCP"},{"name":"metrics","containerPort":9090,"protocol":"TCP"})");
  std::string statuses = status("app", image, app_id);
  if (sidecar) {
    containers += "," + container("envoy", "docker.io/envoyproxy/envoy:v1.29.1",
                                  R"({"name":"admin","containerPort":15000,"protocol":"TCP"})");
    statuses += "," + status("envoy", "docker.io/envoyproxy/envoy:v1.29.1", sidecar_id);
  }
  constexpr std::string_view kManagedFields =
      R"([{"manager":"kube-controller-manager","operation":"Update","apiVersion":"v1","time":"2024-05-01T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:annotations":{".":{},"f:kubectl.kubernetes.io/restartedAt":{},"f:prometheus.io/port":{},"f:prometheus.io/scrape":{}},"f:generateName":{},"f:labels":{".":{},"f:app":{},"f:app.kubernetes.io/instance":{},"f:app.kubernetes.io/name":{},"f:app.kubernetes.io/version":{},"f:pod-template-hash":{}},"f:ownerReferences":{".":{},"k:{\"uid\":\"0\"}":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:env":{".":{},"k:{\"name\":\"LOG_LEVEL\"}":{".":{},"f:name":{},"f:value":{}}},"f:image":{},"f:imagePullPolicy":{},"f:livenessProbe":{".":{},"f:failureThreshold":{},"f:httpGet":{".":{},"f:path":{},"f:port":{},"f:scheme":{}},"f:periodSeconds":{}},"f:name":{},"f:ports":{".":{},"k:{\"containerPort\":8080,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{},"f:name":{},"f:protocol":{}},"k:{\"containerPort\":9090,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{},"f:name":{},"f:protocol":{}}},"f:resources":{".":{},"f:limits":{".":{},"f:cpu":{},"f:memory":{}},"f:requests":{".":{},"f:cpu":{},"f:memory":{}}},"f:terminationMessagePath":{},"f:terminationMessagePolicy":{}}},"f:dnsPolicy":{},"f:enableServiceLinks":{},"f:restartPolicy":{},"f:schedulerName":{},"f:securityContext":{},"f:terminationGracePeriodSeconds":{}}}},)"
      R"({"manager":"kubelet","operation":"Update","apiVersion":"v1","time":"2024-05-01T10:00:06Z","fieldsType":"FieldsV1","fieldsV1":{"f:status":{"f:conditions":{"k:{\"type\":\"ContainersReady\"}":{".":{},"f:lastProbeTime":{},"f:lastTransitionTime":{},"f:status":{},"f:type":{}},"k:{\"type\":\"Initialized\"}":{".":{},"f:lastProbeTime":{},"f:lastTransitionTime":{},"f:status":{},"f:type":{}},"k:{\"type\":\"PodReadyToStartContainers\"}":{".":{},"f:lastProbeTime":{},"f:lastTransitionTime":{},"f:status":{},"f:type":{}},"k:{\"type\":\"Ready\"}":{".":{},"f:lastProbeTime":{},"f:lastTransitionTime":{},"f:status":{},"f:type":{}}},"f:containerStatuses":{},"f:hostIP":{},"f:hostIPs":{},"f:phase":{},"f:podIP":{},"f:podIPs":{".":{},"k:{\"ip\":\"0.0.0.0\"}":{".":{},"f:ip":{}}},"f:startTime":{}}},"subresource":"status"}])";
  constexpr std::string_view kCondition =
      R"({{"type":"{}","status":"True","lastProbeTime":null,"lastTransitionTime":"2024-05-01T10:00:0{}Z"}})";

  std::string conditions;
  for (const char* c :
       {"PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"}) {
    if (!conditions.empty()) conditions += ",";
    conditions += fmt::format(fmt::runtime(kCondition), c, conditions.size() % 10);
  }
  fmt::format_to(
      std::back_inserter(*out),
      R"({{"metadata":{{"name":"{name}","generateName":"{rs}-","namespace":"{ns}","uid":"{uid}","resourceVersion":"{rv}","creationTimestamp":"2024-05-01T10:00:00Z",)"
      R"("labels":{{"app":"{app}","app.kubernetes.io/instance":"{app}-prod","app.kubernetes.io/name":"{app}","app.kubernetes.io/version":"1.{v}","pod-template-hash":"{hash}"}},)"
      R"("annotations":{{{annotations}}},)"
      R"("ownerReferences":[{{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"{rs}","uid":"{rs_uid}","controller":true,"blockOwnerDeletion":true}}],)"
      R"("managedFields":{managed}}},)"
      R"("spec":{{"volumes":[{{"name":"kube-api-access-{vol}","projected":{{"sources":[{{"serviceAccountToken":{{"expirationSeconds":3607,"path":"token"}}}},{{"configMap":{{"name":"kube-root-ca.crt","items":[{{"key":"ca.crt","path":"ca.crt"}}]}}}}],"defaultMode":420}}}}],)"
      R"("containers":[{containers}],"restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","serviceAccountName":"default","serviceAccount":"default",)"
      R"("nodeName":"{node}","securityContext":{{}},"schedulerName":"default-scheduler","tolerations":[{{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}},{{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}}],)"
      R"("priority":0,"enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority"}},)"
      R"("status":{{"phase":"Running","conditions":[{conditions}],"hostIP":"{host_ip}","hostIPs":[{{"ip":"{host_ip}"}}],"podIP":"{ip}","podIPs":[{{"ip":"{ip}"}}],)"
      R"("startTime":"2024-05-01T10:00:00Z","containerStatuses":[{statuses}],"qosClass":"Burstable"}}}})",
      fmt::arg("name", name), fmt::arg("rs", rs), fmt::arg("ns", ns),
      fmt::arg("uid", Uuid(static_cast<uint64_t>(i))), fmt::arg("rv", 100000 + i),
      fmt::arg("app", app), fmt::arg("v", dep % 9), fmt::arg("hash", hash),
      fmt::arg("annotations", annotations),
      fmt::arg("rs_uid", Uuid(static_cast<uint64_t>(dep) << 32)),
      fmt::arg("managed", kManagedFields), fmt::arg("vol", Hex(static_cast<uint64_t>(i), 5)),
      fmt::arg("containers", containers), fmt::arg("node", node),
      fmt::arg("conditions", conditions), fmt::arg("host_ip", host_ip), fmt::arg("ip", ip),
      fmt::arg("statuses", statuses));
}

// A PodList page of pods [first, first + count).
std::string Page(int first, int count, bool cni) {
  std::string body =
      R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"99999","continue":"tok"},"items":[)";
  for (int i = first; i < first + count; ++i) {
    if (i > first) body += ",";
    AppendPod(&body, i, cni);
  }
  body += "]}";
  return body;
}

size_t HeapInUse() { return mallinfo2().uordblks; }

void BM_DecodePodList(benchmark::State& state) {
  const int pods = static_cast<int>(state.range(0));
  const bool cni = state.range(1) != 0;
  size_t bytes = 0;
  for (auto _ : state) {
    for (int first = 0; first < pods; first += kPageSize) {
      state.PauseTiming();
      std::string body = Page(first, std::min(kPageSize, pods - first), cni);
      bytes += body.size();
      state.ResumeTiming();
      auto list = DecodePodList(body);
      if (!list.ok()) {
        state.SkipWithError(list.status().ToString().c_str());
        return;
      }
      benchmark::DoNotOptimize(list->items.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.SetItemsProcessed(state.iterations() * pods);
  state.counters["json_bytes_per_pod"] =
      static_cast<double>(bytes) / static_cast<double>(state.iterations() * pods);
}

void BM_DecodeAndStore(benchmark::State& state) {
  const int pods = static_cast<int>(state.range(0));
  const bool cni = state.range(1) != 0;
  double est = 0, heap = 0, shapes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const size_t heap_before = HeapInUse();
    auto store = std::make_unique<PodStore>(PodGroupOptions{});
    std::vector<Pod> all;
    all.reserve(static_cast<size_t>(pods));
    state.ResumeTiming();
    for (int first = 0; first < pods; first += kPageSize) {
      state.PauseTiming();
      std::string body = Page(first, std::min(kPageSize, pods - first), cni);
      state.ResumeTiming();
      auto list = DecodePodList(body);
      if (!list.ok()) {
        state.SkipWithError(list.status().ToString().c_str());
        return;
      }
      for (Pod& p : list->items) all.push_back(std::move(p));
    }
    std::vector<model::TargetGroup> groups = store->ReplacePods("", std::move(all));
    benchmark::DoNotOptimize(groups.data());
    state.PauseTiming();
    groups = {};
    all = {};
    malloc_trim(0);
    heap = static_cast<double>(HeapInUse() - heap_before) / pods;
    est = static_cast<double>(store->MemoryUsage()) / pods;
    shapes = static_cast<double>(store->shape_count());
    store.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * pods);
  state.counters["bytes_per_pod_est"] = est;
  state.counters["bytes_per_pod_heap"] = heap;
  state.counters["shapes"] = shapes;
}

void BM_BuildPodGroup(benchmark::State& state) {
  const bool cni = state.range(0) != 0;
  constexpr int kPods = 10000;
  std::vector<Pod> pods;
  for (int first = 0; first < kPods; first += kPageSize) {
    auto list = DecodePodList(Page(first, kPageSize, cni));
    if (!list.ok()) {
      state.SkipWithError(list.status().ToString().c_str());
      return;
    }
    for (Pod& p : list->items) pods.push_back(std::move(p));
  }
  PodGroupBuilder builder;
  size_t i = 0;
  size_t targets = 0;
  for (auto _ : state) {
    model::TargetGroup g = builder.Build(pods[i], {}, {});
    targets += g.targets.size();
    benchmark::DoNotOptimize(g.labels);
    if (++i == pods.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["targets_per_pod"] =
      static_cast<double>(targets) / static_cast<double>(state.iterations());
}

BENCHMARK(BM_DecodePodList)->Args({10000, 0})->Args({10000, 1})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeAndStore)
    ->Args({10000, 0})
    ->Args({100000, 0})
    ->Args({10000, 1})
    ->Args({100000, 1})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BuildPodGroup)->Arg(0)->Arg(1);

}  // namespace
}  // namespace kubescrape::discovery

BENCHMARK_MAIN();
