#!/usr/bin/env bash
# Side-by-side restart benchmark: how long kubescrape and Debian's prometheus
# take to serve again after kill -9, with the same series in their WAL.
#
#   scripts/bench_restart.sh [targets] [series] [fill_seconds]   (defaults: 100 1000 60)
#
# For each daemon in turn: scrape `targets` x `series` synthetic series
# (/work/shared/bench/targets.py) every second for `fill_seconds` after all
# series exist, kill -9 it, then start it again on the same data directory
# with no scrape jobs and time how long until /-/ready answers 200
# (both answer 503 until their WAL replay is done; a snapshot does not
# help here: kill -9 leaves none). Checks that the head holds the same
# number of series after the restart. Prints a table with seconds and seconds
# per million series.
#
# Environment: KUBESCRAPE (default build-bench/cmd/kubescrape/kubescrape),
# PROMETHEUS (/usr/bin/prometheus), PYTHON (/usr/bin/python3), BASE_PORT
# (19100), KEEP_TMP=1 keeps the data and logs.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=${1:-100}
SERIES=${2:-1000}
FILL=${3:-60}
BASE_PORT=${BASE_PORT:-19100}
KUBESCRAPE=${KUBESCRAPE:-build-bench/cmd/kubescrape/kubescrape}
PROMETHEUS=${PROMETHEUS:-/usr/bin/prometheus}
PYTHON=${PYTHON:-/usr/bin/python3}
TARGETS_PY=${TARGETS_PY:-/work/shared/bench/targets.py}
SYNTHETIC=5

die() { echo "bench_restart: FAIL: $*" >&2; exit 1; }
for v in TARGETS SERIES FILL BASE_PORT; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer (got '${!v}')"
done
[ -x "$KUBESCRAPE" ] || die "$KUBESCRAPE not found; build it with:
  scripts/build.sh build-bench -DCMAKE_BUILD_TYPE=Release -DKS_BUILD_BENCH=ON -- kubescrape"
[ -x "$PROMETHEUS" ] || die "$PROMETHEUS not found"
[ -f "$TARGETS_PY" ] || die "$TARGETS_PY not found"
command -v curl >/dev/null || die "curl is required"

TMP=$(mktemp -d /tmp/bench_restart.XXXXXX)
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "${KEEP_TMP:-0}" = 1 ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=scripts/bench_lib.sh
. scripts/bench_lib.sh
metric() {
  curl -fsS --max-time 5 "$1/metrics" | awk -v m="$2" '$1 == m { printf "%.0f\n", $2; f = 1 } END { if (!f) exit 1 }'
}

EXPECTED=$((TARGETS * (SERIES + SYNTHETIC)))
echo "== machine: nproc=$(nproc), loadavg $(cut -d' ' -f1-3 /proc/loadavg); commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "== $("$PROMETHEUS" --version 2>&1 | head -1)"
echo "== $TARGETS targets x $SERIES series (+$SYNTHETIC synthetic each) = $EXPECTED series, filled for ${FILL}s at 1s"

LAST_PORT=$((BASE_PORT + TARGETS - 1))
start_targets "$TARGETS" "$SERIES" $((4 * FILL + 1200)) "$TMP/targets.log"
{
  echo "global: {scrape_interval: 1s, scrape_timeout: 1s}"
  echo "scrape_configs:"
  echo "  - job_name: bench"
  echo "    static_configs:"
  echo "      - targets:"
  for ((p = BASE_PORT; p <= LAST_PORT; p++)); do echo "          - 127.0.0.1:$p"; done
} >"$TMP/scrape.yml"
echo "scrape_configs: []" >"$TMP/empty.yml"

# run NAME: fills, kills, restarts; sets R_SECONDS R_SERIES R_WAL_MB.
run() {
  local name=$1 data="$TMP/data-$1" port url pid t0 t1 before after
  port=$(free_port)
  url="http://127.0.0.1:$port"
  start() {  # config
    if [ "$name" = kubescrape ]; then
      "$KUBESCRAPE" --config.file="$1" --storage.tsdb.path="$data" --web.listen-address="127.0.0.1:$port" \
        >>"$TMP/$name.log" 2>&1 &
    else
      "$PROMETHEUS" --config.file="$1" --storage.tsdb.path="$data" --web.listen-address="127.0.0.1:$port" \
        >>"$TMP/$name.log" 2>&1 &
    fi
    pid=$!
    PIDS+=("$pid")
  }
  wait_ready() {
    local deadline=$((SECONDS + 900))
    until curl -fsS --max-time 2 "$url/-/ready" >/dev/null 2>&1; do
      alive "$pid" || { tail -20 "$TMP/$name.log" >&2; die "$name exited"; }
      [ $SECONDS -lt $deadline ] || die "$name not ready after 900 s"
      sleep 0.05
    done
  }
  start "$TMP/scrape.yml"
  wait_ready
  local deadline=$((SECONDS + 300))
  until before=$(metric "$url" prometheus_tsdb_head_series) && [ "$before" -ge "$EXPECTED" ]; do
    alive "$pid" || die "$name exited while filling"
    [ $SECONDS -lt $deadline ] || die "$name has ${before:-0} series after 300 s, expected $EXPECTED"
    sleep 1
  done
  sleep "$FILL"
  before=$(metric "$url" prometheus_tsdb_head_series)
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  R_WAL_MB=$(du -sm "$data/wal" | cut -f1)
  t0=$(now)
  start "$TMP/empty.yml"
  wait_ready
  t1=$(now)
  after=$(metric "$url" prometheus_tsdb_head_series)
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  [ "$after" -ge "$before" ] || die "$name: $after series after the restart, $before before"
  R_SECONDS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  R_SERIES=$after
  echo "   $name: ${R_SECONDS}s to ready; $after series (before the kill: $before); WAL ${R_WAL_MB} MiB"
}

echo
run kubescrape
K_S=$R_SECONDS K_N=$R_SERIES K_W=$R_WAL_MB
run prometheus
P_S=$R_SECONDS P_N=$R_SERIES P_W=$R_WAL_MB

echo
echo "== results: restart after kill -9 (time from exec to /-/ready = 200)"
awk -v ks="$K_S" -v kn="$K_N" -v kw="$K_W" -v ps="$P_S" -v pn="$P_N" -v pw="$P_W" 'BEGIN {
  printf "| %-11s | %9s | %10s | %7s | %17s |\n", "", "series", "WAL MiB", "seconds", "s per M series"
  printf "| %-11s | %9d | %10d | %7.2f | %17.2f |\n", "kubescrape", kn, kw, ks, ks * 1e6 / kn
  printf "| %-11s | %9d | %10d | %7.2f | %17.2f |\n", "prometheus", pn, pw, ps, ps * 1e6 / pn
  r = ks / ps
  printf "\nkubescrape / prometheus restart time: %.2f (goal <= 0.25: %s)\n", r, (r <= 0.25 ? "met" : "MISSED")
}'
