#!/usr/bin/env bash
# Quick start, command 1: set up, build, and run Kubescrape's main job on the
# shipped default configuration (configs/prometheus.yml, the origin's job).
#
# Until the daemon can scrape (the scrape-engine issue), the main job is the
# configuration and relabeling toolchain: validate the config, run its relabel
# unit tests, and explain, rule by rule, what the job does to the origin's
# Flask pod and to a pod in another namespace.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
# The same configuration as scripts/test.sh, so the two share build/.
scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKS_WERROR=ON -DKS_BUILD_BENCH=ON -- scrapectl
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
