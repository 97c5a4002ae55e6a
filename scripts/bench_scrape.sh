#!/usr/bin/env bash
# Side-by-side scrape benchmark: CPU per ingested sample of the kubescrape
# daemon and of Debian's prometheus binary, on the same synthetic targets.
#
#   scripts/bench_scrape.sh [seconds] [targets] [series]      (defaults: 60 50 1000)
#
# `seconds` is the measured window. Each process first runs WARMUP seconds
# (default 10; series creation, connection set-up) that are not measured, so
# each process runs WARMUP + seconds (kubescrape a few seconds more, see below).
# The two run one after the other, never concurrently, against one targets
# process (/work/shared/bench/targets.py) that serves both.
#
# CPU: utime + stime of the process from /proc/PID/stat at the start and the
# end of the window, divided by CLK_TCK (threads included, children not).
# Samples in the window:
#   prometheus: delta of its own prometheus_tsdb_head_samples_appended_total,
#               read from its /metrics endpoint (it does not scrape itself, so
#               the PromQL API would not have it); scrapes from
#               prometheus_target_interval_length_seconds_count.
#   kubescrape: no query API yet, so computed:
#               targets x (series + 5 synthetic) x window / interval,
#               and checked: no "Scrape failed" line (logged at debug for every
#               failed scrape), every `Target` line logged at exit `up`, the
#               storage holds exactly targets x (series + 5) series, and its
#               commit count (one per scrape) matches one scrape per target per
#               interval over the whole run.
# The run fails (non-zero exit) if a process dies early, if a target is down,
# or if scrapes were missed.
#
# Environment: KUBESCRAPE (binary, default build-bench/cmd/kubescrape/kubescrape),
# PROMETHEUS (default /usr/bin/prometheus), PYTHON (default /usr/bin/python3),
# WARMUP (default 10; at least 8: Prometheus starts scraping ~5 s after its
# start), BASE_PORT (default 19100), KEEP_TMP=1 keeps the logs.
# Build the daemon first:
#   scripts/build.sh build-bench -DCMAKE_BUILD_TYPE=Release -DKS_BUILD_BENCH=ON -- kubescrape
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_MEASURED=${1:-60}
TARGETS=${2:-50}
SERIES=${3:-1000}
WARMUP=${WARMUP:-10}
BASE_PORT=${BASE_PORT:-19100}
KUBESCRAPE=${KUBESCRAPE:-build-bench/cmd/kubescrape/kubescrape}
PROMETHEUS=${PROMETHEUS:-/usr/bin/prometheus}
PYTHON=${PYTHON:-/usr/bin/python3}
TARGETS_PY=${TARGETS_PY:-/work/shared/bench/targets.py}
INTERVAL=1   # seconds; scrape_interval and scrape_timeout of the config
SYNTHETIC=5  # up, scrape_duration_seconds, scrape_samples_scraped,
             # scrape_samples_post_metric_relabeling, scrape_series_added

die() { echo "bench_scrape: FAIL: $*" >&2; exit 1; }
for v in SECONDS_MEASURED TARGETS SERIES WARMUP BASE_PORT; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer (got '${!v}')"
done
[ -x "$KUBESCRAPE" ] || die "$KUBESCRAPE not found; build it with:
  scripts/build.sh build-bench -DCMAKE_BUILD_TYPE=Release -DKS_BUILD_BENCH=ON -- kubescrape"
[ -x "$PROMETHEUS" ] || die "$PROMETHEUS not found"
[ -x "$PYTHON" ] || die "$PYTHON not found"
[ -f "$TARGETS_PY" ] || die "$TARGETS_PY not found"
command -v curl >/dev/null || die "curl is required"

CLK_TCK=$(getconf CLK_TCK)
TMP=$(mktemp -d /tmp/bench_scrape.XXXXXX)
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "${KEEP_TMP:-0}" = 1 ]; then echo "logs kept in $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=scripts/bench_lib.sh
. scripts/bench_lib.sh
# Sleeps until the absolute time $1 (seconds since the epoch, fractional).
sleep_until() {
  local d
  d=$(awk -v t="$1" -v n="$(now)" 'BEGIN { d = t - n; printf "%.3f", (d > 0 ? d : 0) }')
  sleep "$d"
}
# utime + stime of a process, in ticks (fields 14 and 15 of /proc/PID/stat;
# the command name, field 2, may contain spaces, so cut after its ')').
cpu_ticks() {
  local s
  s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  s=${s##*) }
  awk '{ print $12 + $13 }' <<<"$s"
}
# Busy ticks of the whole machine (all CPUs), from the first line of /proc/stat.
sys_busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
rss_mib() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }
# Sum of every sample of metric $2 in the text exposition at URL $1.
metric_sum() {
  curl -fsS --max-time 5 "$1" | awk -v m="$2" '
    $0 !~ /^#/ { n = $1; sub(/\{.*/, "", n); if (n == m) { s += $NF; f = 1 } }
    END { if (!f) exit 1; printf "%.0f\n", s }'
}

# ---- machine -----------------------------------------------------------------
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
CPU_MHZ=$(awk -F': ' '/^cpu MHz/ { printf "%.0f", $2; exit }' /proc/cpuinfo)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
if [ -n "$(GIT_OPTIONAL_LOCKS=0 git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  COMMIT="$COMMIT (uncommitted changes in the tree)"
fi
echo "== machine: nproc=$(nproc), CPU \"$CPU_MODEL\" (${CPU_MHZ} MHz), $(uname -sr), loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== kubescrape $KUBESCRAPE at commit $COMMIT"
echo "== $("$PROMETHEUS" --version 2>&1 | head -1)"
echo "== $TARGETS targets x $SERIES series, scrape interval ${INTERVAL}s, warm-up ${WARMUP}s, measured window ${SECONDS_MEASURED}s"

# ---- targets -----------------------------------------------------------------
LAST_PORT=$((BASE_PORT + TARGETS - 1))
start_targets "$TARGETS" "$SERIES" $((2 * (WARMUP + SECONDS_MEASURED) + 300)) "$TMP/targets.log" 120
echo "== targets ready (pid $TPID): $(head -1 "$TMP/targets.log")"
# One target's body: the number of series actually exposed.
EXPOSED=$(curl -fsS --max-time 5 "http://127.0.0.1:$BASE_PORT/metrics" | grep -vc '^#' || true)
[ "$EXPOSED" = "$SERIES" ] || die "target exposes $EXPOSED series, expected $SERIES (targets.py adds a fixed set of ~400: use --series >= 402)"

# ---- configuration (the same file for both) -----------------------------------
{
  echo "global:"
  echo "  scrape_interval: ${INTERVAL}s"
  echo "  scrape_timeout: ${INTERVAL}s"
  echo "scrape_configs:"
  echo "  - job_name: bench"
  echo "    static_configs:"
  echo "      - targets:"
  for ((p = BASE_PORT; p <= LAST_PORT; p++)); do echo "          - 127.0.0.1:$p"; done
} >"$TMP/prometheus.yml"

# Runs the measurement of process $1 (already started at time $2): sets
# CPU_S, WINDOW_S, TGT_CPU_S, OTHER_CPU_S; calls hook_at_start/hook_at_end
# around the readings (metrics are read outside the CPU window).
measure() {
  local pid=$1 t0=$2 c0 c1 tc0 tc1 s0 s1 ta tb
  sleep_until "$(awk -v a="$t0" -v b="$WARMUP" 'BEGIN { printf "%.3f", a + b }')"
  alive "$pid" || return 1
  hook_at_start
  ta=$(now); c0=$(cpu_ticks "$pid") || return 1
  tc0=$(cpu_ticks "$TPID"); s0=$(sys_busy_ticks)
  sleep_until "$(awk -v a="$ta" -v b="$SECONDS_MEASURED" 'BEGIN { printf "%.3f", a + b }')"
  alive "$pid" || return 1
  tb=$(now); c1=$(cpu_ticks "$pid") || return 1
  tc1=$(cpu_ticks "$TPID"); s1=$(sys_busy_ticks)
  hook_at_end
  WINDOW_S=$(awk -v a="$ta" -v b="$tb" 'BEGIN { printf "%.3f", b - a }')
  CPU_S=$(awk -v a="$c0" -v b="$c1" -v h="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / h }')
  TGT_CPU_S=$(awk -v a="$tc0" -v b="$tc1" -v h="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / h }')
  # Everything else on the machine (other users, builds, the shell and curl).
  OTHER_CPU_S=$(awk -v a="$s0" -v b="$s1" -v h="$CLK_TCK" -v x="$CPU_S" -v y="$TGT_CPU_S" \
    'BEGIN { o = (b - a) / h - x - y; printf "%.2f", (o > 0 ? o : 0) }')
}

# ---- kubescrape ----------------------------------------------------------------
# Logs at debug: the Target and Stopped lines it prints at exit are info lines,
# and a failed scrape is logged ("Scrape failed") at debug only; nothing else is
# logged at debug on the scrape path, so this costs nothing while scrapes succeed.
# --run-for covers warm-up + window + 5 s, so it is alive at the end reading.
KS_RUN=$((WARMUP + SECONDS_MEASURED + 5))
echo
echo "== kubescrape: --run-for=${KS_RUN}s"
t0=$(now)
"$KUBESCRAPE" --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/ks-data" --run-for="${KS_RUN}s" --log.level=debug >"$TMP/kubescrape.log" 2>&1 &
KPID=$!
PIDS+=("$KPID")
hook_at_start() { :; }
hook_at_end() { KS_RSS=$(rss_mib "$KPID"); }
measure "$KPID" "$t0" || { tail -20 "$TMP/kubescrape.log" >&2; die "kubescrape died before the end of the window"; }
KS_CPU=$CPU_S KS_WIN=$WINDOW_S KS_TGT=$TGT_CPU_S KS_OTHER=$OTHER_CPU_S
deadline=$((SECONDS + 60))
while alive "$KPID"; do
  [ $SECONDS -lt $deadline ] || die "kubescrape did not stop 60 s after --run-for"
  sleep 0.2
done
rc=0; wait "$KPID" || rc=$?
[ $rc = 0 ] || { tail -20 "$TMP/kubescrape.log" >&2; die "kubescrape exited with status $rc"; }
KS_COMMITS=$(sed -n 's/.*msg=Stopped.* commits=\([0-9]*\).*/\1/p' "$TMP/kubescrape.log" | tail -1)
KS_SERIES=$(sed -n 's/.*msg=Stopped.* series=\([0-9]*\).*/\1/p' "$TMP/kubescrape.log" | tail -1)
KS_WARN=$(grep -ciE 'level=(warn|error)' "$TMP/kubescrape.log" || true)
KS_FAILED=$(grep -c 'Scrape failed' "$TMP/kubescrape.log" || true)
KS_TARGET_LINES=$(grep -c 'msg=Target' "$TMP/kubescrape.log" || true)
KS_UP=$(grep 'msg=Target' "$TMP/kubescrape.log" | grep -c 'health=up' || true)
if [ "$KS_FAILED" != 0 ]; then
  grep 'Scrape failed' "$TMP/kubescrape.log" | head -5 >&2
  die "kubescrape: $KS_FAILED failed scrapes (see above)"
fi
if [ "$KS_TARGET_LINES" = 0 ]; then
  echo "   WARNING: kubescrape printed no 'Target' lines at exit; health checked from its log instead" \
    "(no 'Scrape failed' line at --log.level=debug) and from the series count" >&2
elif [ "$KS_TARGET_LINES" != "$TARGETS" ] || [ "$KS_UP" != "$TARGETS" ]; then
  grep 'msg=Target' "$TMP/kubescrape.log" | grep -v 'health=up' | head -5 >&2 || true
  die "kubescrape: $KS_TARGET_LINES Target lines, $KS_UP up (expected $TARGETS)"
fi
[ "$KS_SERIES" = $((TARGETS * (SERIES + SYNTHETIC))) ] ||
  die "kubescrape: $KS_SERIES series in storage, expected $TARGETS x ($SERIES + $SYNTHETIC) = $((TARGETS * (SERIES + SYNTHETIC)))"
[ -n "$KS_COMMITS" ] || die "kubescrape: no 'Stopped ... commits=' line"
# One commit per scrape; allow each target to miss up to 2 scrapes at start/stop.
KS_EXPECTED_COMMITS=$((TARGETS * KS_RUN / INTERVAL))
if [ "$KS_COMMITS" -lt $((KS_EXPECTED_COMMITS - 2 * TARGETS)) ] || [ "$KS_COMMITS" -gt $((KS_EXPECTED_COMMITS + TARGETS)) ]; then
  die "kubescrape: $KS_COMMITS commits (scrapes) in ${KS_RUN}s, expected about $KS_EXPECTED_COMMITS: scrapes were missed or doubled, so the computed sample count would be wrong"
fi
KS_SAMPLES=$(awk -v t="$TARGETS" -v s="$SERIES" -v x="$SYNTHETIC" -v w="$KS_WIN" -v i="$INTERVAL" \
  'BEGIN { printf "%.0f", t * (s + x) * w / i }')
echo "   no failed scrape; ${KS_UP}/${KS_TARGET_LINES} Target lines up; series=$KS_SERIES commits=$KS_COMMITS (expected ~$KS_EXPECTED_COMMITS); warn/error log lines: $KS_WARN"

# ---- prometheus ----------------------------------------------------------------
PORT=$(free_port)
echo
echo "== prometheus: 127.0.0.1:$PORT, TSDB in $TMP/data"
PROM="http://127.0.0.1:$PORT"
t0=$(now)
"$PROMETHEUS" --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/data" \
  --web.listen-address="127.0.0.1:$PORT" >"$TMP/prometheus.log" 2>&1 &
PPID_=$!
PIDS+=("$PPID_")
deadline=$((SECONDS + 60))
until curl -fsS --max-time 2 "$PROM/-/ready" >/dev/null 2>&1; do
  alive "$PPID_" || { tail -20 "$TMP/prometheus.log" >&2; die "prometheus exited at start"; }
  [ $SECONDS -lt $deadline ] || die "prometheus not ready after 60 s"
  sleep 0.1
done
hook_at_start() {
  # The counter appears with the first commit; Prometheus starts scraping only
  # ~5 s after start (its discovery manager batches updates every 5 s).
  P_APP0=$(metric_sum "$PROM/metrics" prometheus_tsdb_head_samples_appended_total) ||
    die "prometheus: no samples appended after ${WARMUP}s warm-up (it starts scraping ~5 s after start; use WARMUP >= 8)"
  P_SCR0=$(metric_sum "$PROM/metrics" prometheus_target_interval_length_seconds_count) || die "prometheus: no interval metric"
}
hook_at_end() {
  P_RSS=$(rss_mib "$PPID_")
  P_APP1=$(metric_sum "$PROM/metrics" prometheus_tsdb_head_samples_appended_total) || die "prometheus: no samples metric"
  P_SCR1=$(metric_sum "$PROM/metrics" prometheus_target_interval_length_seconds_count) || die "prometheus: no interval metric"
  P_UP=$(curl -fsS --max-time 5 "$PROM/api/v1/targets?state=active" | "$PYTHON" -c '
import json, sys
ts = json.load(sys.stdin)["data"]["activeTargets"]
print(sum(t["health"] == "up" for t in ts), len(ts))
for t in ts:
    if t["health"] != "up": print("down:", t["scrapeUrl"], t["lastError"], file=sys.stderr)')
}
measure "$PPID_" "$t0" || { tail -20 "$TMP/prometheus.log" >&2; die "prometheus died before the end of the window"; }
P_CPU=$CPU_S P_WIN=$WINDOW_S P_TGT=$TGT_CPU_S P_OTHER=$OTHER_CPU_S
kill "$PPID_"
wait "$PPID_" 2>/dev/null || true
read -r P_UP_N P_ALL_N <<<"$P_UP"
[ "$P_UP_N" = "$TARGETS" ] && [ "$P_ALL_N" = "$TARGETS" ] || die "prometheus: $P_UP_N of $P_ALL_N targets up (expected $TARGETS)"
P_SAMPLES=$((P_APP1 - P_APP0))
P_SCRAPES=$((P_SCR1 - P_SCR0))
P_WARN=$(grep -iE 'level=(warn|error)' "$TMP/prometheus.log" | grep -vc 'Received SIGTERM' || true)
P_PER_SCRAPE=$(awk -v a="$P_SAMPLES" -v b="$P_SCRAPES" 'BEGIN { printf "%.1f", b ? a / b : 0 }')
echo "   $P_UP_N/$TARGETS targets up; $P_SCRAPES scrapes in the window ($P_PER_SCRAPE samples appended per scrape); warn/error log lines: $P_WARN"
P_EXPECTED_SCRAPES=$(awk -v t="$TARGETS" -v w="$P_WIN" -v i="$INTERVAL" 'BEGIN { printf "%.0f", t * w / i }')
[ "$P_SCRAPES" -ge $((P_EXPECTED_SCRAPES - 2 * TARGETS)) ] || die "prometheus: $P_SCRAPES scrapes in the window, expected ~$P_EXPECTED_SCRAPES (missed scrapes)"

# ---- results -------------------------------------------------------------------
echo
echo "== results: ${TARGETS} targets x ${SERIES} series, ${INTERVAL}s interval, window after ${WARMUP}s warm-up"
awk -v kc="$KS_CPU" -v ks="$KS_SAMPLES" -v kw="$KS_WIN" -v kr="$KS_RSS" -v kt="$KS_TGT" -v ko="$KS_OTHER" \
    -v pc="$P_CPU" -v ps="$P_SAMPLES" -v pw="$P_WIN" -v pr="$P_RSS" -v pt="$P_TGT" -v po="$P_OTHER" 'BEGIN {
  ku = kc * 1e6 / ks; pu = pc * 1e6 / ps
  printf "| %-22s | %8s | %8s | %12s | %14s | %8s | %16s | %11s |\n", "", "window s", "CPU s", "samples", "µs CPU/sample", "RSS MiB", "targets.py CPU s", "other CPU s"
  printf "| %-22s | %8.1f | %8.2f | %12d | %13.3f | %8s | %16.2f | %11.2f |\n", "kubescrape (computed)", kw, kc, ks, ku, kr, kt, ko
  printf "| %-22s | %8.1f | %8.2f | %12d | %13.3f | %8s | %16.2f | %11.2f |\n", "prometheus (measured)", pw, pc, ps, pu, pr, pt, po
  printf "\nkubescrape / prometheus, CPU per sample: %.3f (goal <= 0.200: %s); prometheus / kubescrape: %.1fx\n", ku / pu, (ku / pu <= 0.2 ? "met" : "MISSED"), pu / ku
}'
awk -v a="$KS_OTHER" -v b="$P_OTHER" -v w="$SECONDS_MEASURED" -v n="$(nproc)" 'BEGIN {
  if (a > 0.1 * w * n || b > 0.1 * w * n)
    printf "WARNING: other processes used %.0f%% / %.0f%% of the machine during the windows; the figures are skewed\n", 100 * a / (w * n), 100 * b / (w * n)
}' >&2
echo "(kubescrape samples = $TARGETS targets x ($SERIES + $SYNTHETIC) x ${KS_WIN}s / ${INTERVAL}s; prometheus samples = delta of prometheus_tsdb_head_samples_appended_total)"
