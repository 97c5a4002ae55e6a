#!/usr/bin/env bash
# Quick start, command 1: set up, build, and run Kubescrape's main job on the
# shipped default configuration (configs/prometheus.yml, the origin's job).
#
# 1. The configuration toolchain: validate the config, run its relabel unit
#    tests, explain rule by rule what the job does to the origin's Flask pod.
# 2. The daemon: until Kubernetes discovery lands (issue 6: a local demo
#    cluster), it scrapes the origin's kind of app (Flask + prometheus_client,
#    test/testdata/flask_app.py) and prometheus-node-exporter on this machine
#    through static_configs, for RUN_FOR (default 20s), then prints each
#    target's health.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
# The same configuration as scripts/test.sh, so the two share build/.
scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKS_WERROR=ON -DKS_BUILD_BENCH=ON -- scrapectl kubescrape
S=build/cmd/scrapectl/scrapectl

echo
echo "== scrapectl check config configs/prometheus.yml"
$S check config configs/prometheus.yml

echo
echo "== scrapectl test relabel configs/*.relabel_test.yml"
$S test relabel configs/*.relabel_test.yml

flask_pod=(
  --label __address__=10.244.1.17:5000
  --label __meta_kubernetes_namespace=test
  --label __meta_kubernetes_pod_name=flask-app-7d9c5b6f4-x2k8p
  --label __meta_kubernetes_pod_label_app=flask-minio
  --label __meta_kubernetes_pod_annotation_prometheus_io_scrape=true
  --label __meta_kubernetes_pod_annotation_prometheus_io_port=8001
  --label __meta_kubernetes_pod_annotation_prometheus_io_path=/metrics
  --label __meta_kubernetes_pod_container_name=flask
  --label __metrics_path__=/metrics
  --label job=kubernetes-pods
)
echo
echo "== why is the Flask pod scraped?"
$S relabel --config configs/prometheus.yml --job kubernetes-pods "${flask_pod[@]}"

echo
echo "== why is the same pod in namespace default not scraped?"
$S relabel --config configs/prometheus.yml --job kubernetes-pods "${flask_pod[@]}" \
  --label __meta_kubernetes_namespace=default

echo
echo "== kubescrape: scraping the Flask app and node-exporter on this machine for ${RUN_FOR:-20s}"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
/usr/bin/python3 test/testdata/flask_app.py >"$work/app.out" 2>"$work/app.err" &
pids+=($!)
for _ in $(seq 100); do grep -q '^PORT ' "$work/app.out" 2>/dev/null && break; sleep 0.1; done
app_port=$(sed -n 's/^PORT //p' "$work/app.out")
node_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
prometheus-node-exporter --web.listen-address=127.0.0.1:"$node_port" >"$work/node.log" 2>&1 &
pids+=($!)
cat >"$work/prometheus.yml" <<YAML
global:
  scrape_interval: 5s
scrape_configs:
  - job_name: flask-app       # the origin's app: Flask + prometheus_client
    static_configs:
      - targets: ['127.0.0.1:${app_port}']
        labels: {app: flask-minio, namespace: test}
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:${node_port}']
YAML
build/cmd/kubescrape/kubescrape --config.file="$work/prometheus.yml" --run-for="${RUN_FOR:-20s}"
