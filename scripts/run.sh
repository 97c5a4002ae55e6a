#!/usr/bin/env bash
# Quick start, command 1: set up, build, and run Kubescrape on the origin's
# configuration against a local demo cluster, with no Kubernetes needed:
#
#   - the fake Kubernetes API server (test/fake_apiserver/, HTTPS + token)
#     serves examples/demo-cluster/cluster.yaml: the origin's namespaces and
#     pods (flask-minio, minio, mongo, argocd-app, an unannotated pod, a pod in
#     another namespace, a pending pod, a two-port pod);
#   - the origin's Flask app (examples/flask-app/app.py) runs as the "pods"
#     with IPs 127.0.0.11-14;
#   - kubescrape runs configs/prometheus.yml, changed only to point at the
#     fake API server (kubeconfig_file), and serves its API on port $KS_PORT
#     (default 9090).
#
# It first validates the config and runs its relabel unit tests. Then it
# prints what to try and runs until Ctrl-C (or for $RUN_FOR, e.g. 60s).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
# The same configuration as scripts/test.sh, so the two share build/.
scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKS_WERROR=ON -DKS_BUILD_BENCH=ON -- \
  scrapectl kubescrape fake_apiserver
S=build/cmd/scrapectl/scrapectl
port=${KS_PORT:-9090}

echo
echo "== scrapectl check config configs/prometheus.yml"
$S check config configs/prometheus.yml
echo
echo "== scrapectl test relabel configs/*.relabel_test.yml"
$S test relabel configs/*.relabel_test.yml

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo
echo "== the demo cluster: fake API server + the Flask app as pods"
build/test/fake_apiserver/fake_apiserver --listen=127.0.0.1:0 --token=demo-token \
  --pods=examples/demo-cluster/cluster.yaml --kubeconfig-out="$work/kubeconfig" >"$work/apiserver.out" 2>"$work/apiserver.err" &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/kubeconfig" ] && break; sleep 0.1; done
[ -s "$work/kubeconfig" ] || { cat "$work/apiserver.err"; echo "the fake API server did not start"; exit 1; }
echo "API server: $(head -1 "$work/apiserver.out")  (kubectl --kubeconfig $work/kubeconfig get pods -A)"
for pod in 127.0.0.11:8001 127.0.0.12:8001 127.0.0.13:9216 127.0.0.14:8001; do
  HOST=${pod%:*} PORT=${pod#*:} /usr/bin/python3 examples/flask-app/app.py >"$work/app-${pod}.log" 2>&1 &
  pids+=($!)
done

# The shipped configuration, pointed at the fake API server.
sed "s|^\(      - role: pod\).*|\1\n        kubeconfig_file: $work/kubeconfig|" configs/prometheus.yml >"$work/prometheus.yml"

cat <<TEXT

== kubescrape is starting on http://localhost:${port} (the origin's config, scrape interval 15s)
Try, in another terminal (give it ~20 s for the first scrapes):
  $S targets --url http://localhost:${port}              # the 4 pods kept, their health
  $S targets --url http://localhost:${port} --dropped    # each dropped pod and the rule that dropped it
  $S targets --url http://localhost:${port} --explain test/mongo-0
  curl -s 'http://localhost:${port}/api/v1/targets?state=active'
  kubectl --kubeconfig $work/kubeconfig get pods -A
  curl -s http://127.0.0.11:8001/api/items               # traffic for the Flask app's metrics
  curl -s 'http://localhost:${port}/api/v1/query' --data-urlencode 'query=sum by (pod) (rate(flask_http_requests_total[1m]))'
  curl -s 'http://localhost:${port}/api/v1/query?query=up'
Grafana: add a Prometheus datasource with URL http://localhost:${port}. Ctrl-C stops everything.

TEXT
args=(--config.file="$work/prometheus.yml" --web.listen-address="0.0.0.0:${port}" --web.enable-lifecycle --storage.tsdb.path="$work/data")
[ -n "${RUN_FOR:-}" ] && args+=(--run-for="$RUN_FOR")
build/cmd/kubescrape/kubescrape "${args[@]}" &
ks=$!
pids+=($ks)
wait $ks
