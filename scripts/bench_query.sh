#!/usr/bin/env bash
# Side-by-side query latency benchmark: Debian's prometheus (2.42) and the
# kubescrape daemon serve the same blocks; each query is run K times against
# each over HTTP (curl), p50/p90 of curl's time_total per query are reported
# with the ratio kubescrape/prometheus, plus both processes' RSS after load
# and after the queries, and the data size per sample.
#
#   scripts/bench_query.sh [targets] [series] [duration] [interval] [K]
#                                       (defaults: 50 1000 24h 15s 20)
#
# Data: scripts/gen_history.py (targets x series per target, duration at
# interval, families from /work/shared/bench/targets.py when present),
# backfilled once by `promtool tsdb create-blocks-from openmetrics`, the
# block directory copied for kubescrape (both read the same blocks). Both
# processes run at once, idle except for the query being timed; queries run
# one at a time, alternating which server goes first.
#
# Queries: Grafana-dashboard-like range queries ending at the last sample,
# over 1 h (step 15 s), 6 h (step 60 s) and 24 h (step 300 s), each window
# clipped to the data, plus instant queries. Every answer is checked to be
# "success" with the same number of series on both sides before timing.
#
# Bytes per sample: the block directories (du -b: chunks, index, meta,
# tombstones) divided by the sum of numSamples in their meta.json; the same
# blocks on both sides, so one figure.
#
# Environment: KUBESCRAPE (default build-bench/cmd/kubescrape/kubescrape),
# PROMETHEUS (/usr/bin/prometheus), PROMTOOL (/usr/bin/promtool),
# PYTHON (/usr/bin/python3), KEEP_TMP=1 keeps the work directory.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=${1:-50}
SERIES=${2:-1000}
DURATION=${3:-24h}
INTERVAL=${4:-15s}
K=${5:-20}
KUBESCRAPE=${KUBESCRAPE:-build-bench/cmd/kubescrape/kubescrape}
PROMETHEUS=${PROMETHEUS:-/usr/bin/prometheus}
PROMTOOL=${PROMTOOL:-/usr/bin/promtool}
PYTHON=${PYTHON:-/usr/bin/python3}
START=1700000000

for bin in "$KUBESCRAPE" "$PROMETHEUS" "$PROMTOOL" "$PYTHON"; do
  [[ -x $bin ]] || { echo "missing executable: $bin" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/ks_bench_query.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ ${KEEP_TMP:-0} == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
seconds_of() { "$PYTHON" -c "import re,sys; m=re.fullmatch(r'(\d+)([smhd])','$1'); print(int(m[1])*{'s':1,'m':60,'h':3600,'d':86400}[m[2]])"; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

echo "generating $TARGETS x $SERIES x $DURATION @ $INTERVAL ..." >&2
t0=$(date +%s)
"$PYTHON" scripts/gen_history.py --targets "$TARGETS" --series "$SERIES" --duration "$DURATION" \
  --interval "$INTERVAL" --start "$START" -o "$WORK/in.om"
t1=$(date +%s)
"$PROMTOOL" tsdb create-blocks-from openmetrics "$WORK/in.om" "$WORK/p" >/dev/null
t2=$(date +%s)
rm -f "$WORK/in.om"
cp -r "$WORK/p" "$WORK/k"
echo "generated in $((t1 - t0)) s, promtool backfill in $((t2 - t1)) s" >&2

SAMPLES=$(cat "$WORK"/p/*/meta.json | jq -s 'map(.stats.numSamples) | add')
SERIES_TOTAL=$(cat "$WORK"/p/*/meta.json | jq -s 'map(.stats.numSeries) | max')
BLOCKS=$(ls -d "$WORK"/p/*/ | wc -l)
BYTES=$(du -sb --exclude=wal --exclude=chunks_head --exclude=lock "$WORK/p" | cut -f1)

echo 'global: {}' >"$WORK/empty.yml"
PPORT=$(free_port)
KPORT=$(free_port)
"$PROMETHEUS" --config.file "$WORK/empty.yml" --storage.tsdb.path "$WORK/p" --storage.tsdb.retention.time 100y \
  --web.listen-address "127.0.0.1:$PPORT" 2>"$WORK/prometheus.log" &
PPID_=$!
PIDS+=("$PPID_")
"$KUBESCRAPE" --config.file "$WORK/empty.yml" --storage.tsdb.path "$WORK/k" --storage.tsdb.retention.time 100y \
  --web.listen-address "127.0.0.1:$KPORT" 2>"$WORK/kubescrape.log" &
KPID=$!
PIDS+=("$KPID")
for port in "$PPORT" "$KPORT"; do
  for _ in $(seq 600); do
    curl -sf "127.0.0.1:$port/-/ready" >/dev/null && break
    sleep 0.1
  done
  curl -sf "127.0.0.1:$port/-/ready" >/dev/null || { echo "server on $port not ready" >&2; exit 1; }
done
# A first query touches every block's index and chunks (page cache, mmap).
for port in "$PPORT" "$KPORT"; do
  curl -s "127.0.0.1:$port/api/v1/query" --data-urlencode 'query=count({__name__=~".+"})' \
    --data-urlencode "time=$((START + 3600))" >/dev/null
done
P_RSS_LOAD=$(rss_kib "$PPID_")
K_RSS_LOAD=$(rss_kib "$KPID")

DUR_S=$(seconds_of "$DURATION")
INT_S=$(seconds_of "$INTERVAL")
END=$(( START + (DUR_S / INT_S - 1) * INT_S ))
END="$END.5"

# name|window (0 = instant)|step|query
QUERIES=(
  "cpu by instance|WIN|STEP|sum by (instance) (rate(node_cpu_seconds_total{mode!=\"idle\"}[5m]))"
  "cpu busy %|WIN|STEP|100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode=\"idle\"}[5m])))"
  "net rx by device|WIN|STEP|sum by (device) (rate(node_network_receive_bytes_total[5m]))"
  "disk io top5|WIN|STEP|topk(5, rate(node_disk_io_time_seconds_total[5m]))"
  "latency p99|WIN|STEP|histogram_quantile(0.99, sum by (le, handler) (rate(http_request_duration_seconds_bucket[5m])))"
  "error ratio|WIN|STEP|sum(rate(http_request_duration_seconds_count{code=\"500\"}[5m])) / sum(rate(http_request_duration_seconds_count[5m]))"
  "queue max|WIN|STEP|max by (pod) (app_queue_depth)"
)
INSTANT=(
  "instant: count series|count({__name__=~\".+\"})"
  "instant: cpu 1h increase|sum by (instance) (increase(node_cpu_seconds_total[1h]))"
  "instant: queue quantile 6h|quantile_over_time(0.9, app_queue_depth{shard=\"1\"}[6h])"
  "instant: subquery max 1h|max_over_time(sum by (instance) (rate(node_network_receive_bytes_total[5m]))[1h:1m])"
)

# run NAME PARAMS... : K timed runs against each server; prints the row.
run() {
  local name=$1
  shift
  local args=()
  for p in "$@"; do args+=(--data-urlencode "$p"); done
  local path=/api/v1/query
  [[ $* == *step=* ]] && path=/api/v1/query_range
  local np nk
  np=$(curl -s "127.0.0.1:$PPORT$path" "${args[@]}" | jq -r 'if .status == "success" then (.data.result | length) else "error: " + .error end')
  nk=$(curl -s "127.0.0.1:$KPORT$path" "${args[@]}" | jq -r 'if .status == "success" then (.data.result | length) else "error: " + .error end')
  if [[ $np != "$nk" || $np == error* ]]; then
    echo "| $name | answers differ: prometheus $np, kubescrape $nk | | | | | |"
    return
  fi
  : >"$WORK/tp"
  : >"$WORK/tk"
  for i in $(seq "$K"); do
    if (( i % 2 )); then order="$PPORT $KPORT"; else order="$KPORT $PPORT"; fi
    for port in $order; do
      t=$(curl -s -o /dev/null -w '%{time_total}' "127.0.0.1:$port$path" "${args[@]}")
      if [[ $port == "$PPORT" ]]; then echo "$t" >>"$WORK/tp"; else echo "$t" >>"$WORK/tk"; fi
    done
  done
  "$PYTHON" - "$name" "$np" "$WORK/tp" "$WORK/tk" <<'EOF'
import sys
def pct(path, q):
    v = sorted(float(x) for x in open(path))
    return v[min(len(v) - 1, int(q * len(v)))] * 1000
name, n, tp, tk = sys.argv[1:]
p50, p90, k50, k90 = pct(tp, .5), pct(tp, .9), pct(tk, .5), pct(tk, .9)
print(f"| {name} | {n} | {p50:.1f} | {p90:.1f} | {k50:.1f} | {k90:.1f} | {k50 / p50:.2f} |")
EOF
}

echo
echo "$TARGETS targets x $SERIES series x $DURATION @ $INTERVAL: $SERIES_TOTAL series (largest block), $SAMPLES samples in $BLOCKS blocks; K=$K"
echo
echo "| query | series | prometheus p50 ms | p90 ms | kubescrape p50 ms | p90 ms | ratio p50 (ks/prom) |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for win_step in "3600 15" "21600 60" "86400 300"; do
  read -r win step <<<"$win_step"
  (( win > DUR_S )) && continue
  start="$(( ${END%.5} - win + INT_S )).5"
  for entry in "${QUERIES[@]}"; do
    IFS='|' read -r name _ _ q <<<"$entry"
    run "$name [$((win / 3600))h, step ${step}s]" "query=$q" "start=$start" "end=$END" "step=$step"
  done
done
for entry in "${INSTANT[@]}"; do
  IFS='|' read -r name q <<<"$entry"
  run "$name" "query=$q" "time=$END"
done
P_RSS_END=$(rss_kib "$PPID_")
K_RSS_END=$(rss_kib "$KPID")

echo
echo "| | prometheus | kubescrape |"
echo "|---|---:|---:|"
echo "| RSS after load (first query), MiB | $((P_RSS_LOAD / 1024)) | $((K_RSS_LOAD / 1024)) |"
echo "| RSS after the queries, MiB | $((P_RSS_END / 1024)) | $((K_RSS_END / 1024)) |"
echo "| blocks on disk, bytes | $BYTES | (same blocks) |"
"$PYTHON" -c "print(f'| bytes per sample | {$BYTES / $SAMPLES:.3f} | (same blocks) |')"
