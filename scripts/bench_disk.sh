#!/usr/bin/env bash
# Side-by-side disk benchmark: bytes per sample of the blocks Kubescrape and
# Prometheus write for the same samples.
#
#   scripts/bench_disk.sh [targets] [series] [duration] [interval]   (defaults: 10 1000 6h 15s)
#
# Writes one OpenMetrics history with scripts/gen_history.py, backfills it
# with `scrapectl tsdb create-blocks-from openmetrics` and with Debian's
# `promtool tsdb create-blocks-from openmetrics` (the same 2 h blocks), and
# reports chunk, index and total bytes per sample for each, plus the import
# time. The sample count comes from the blocks' meta.json (numSamples).
#
# Environment: SCRAPECTL (default build-bench/cmd/scrapectl/scrapectl),
# PROMTOOL (/usr/bin/promtool), PYTHON (/usr/bin/python3), KEEP_TMP=1.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=${1:-10}
SERIES=${2:-1000}
DURATION=${3:-6h}
INTERVAL=${4:-15s}
SCRAPECTL=${SCRAPECTL:-build-bench/cmd/scrapectl/scrapectl}
PROMTOOL=${PROMTOOL:-/usr/bin/promtool}
PYTHON=${PYTHON:-/usr/bin/python3}

die() { echo "bench_disk: FAIL: $*" >&2; exit 1; }
[ -x "$SCRAPECTL" ] || die "$SCRAPECTL not found; build it with:
  scripts/build.sh build-bench -DCMAKE_BUILD_TYPE=Release -DKS_BUILD_BENCH=ON -- scrapectl"
[ -x "$PROMTOOL" ] || die "$PROMTOOL not found"

TMP=$(mktemp -d /tmp/bench_disk.XXXXXX)
cleanup() { if [ "${KEEP_TMP:-0}" = 1 ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi; }
trap cleanup EXIT

echo "== machine: nproc=$(nproc), loadavg $(cut -d' ' -f1-3 /proc/loadavg); commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "== $("$PROMTOOL" --version 2>&1 | head -1)"
"$PYTHON" scripts/gen_history.py --targets "$TARGETS" --series "$SERIES" --duration "$DURATION" \
  --interval "$INTERVAL" -o "$TMP/in.om" >&2
echo "== history: $TARGETS targets x $SERIES series, $DURATION at $INTERVAL, $(du -h "$TMP/in.om" | cut -f1) of OpenMetrics"

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
t0=$(date +%s.%N)
"$SCRAPECTL" tsdb create-blocks-from openmetrics -q "$TMP/in.om" "$TMP/kubescrape" || die "scrapectl import failed"
t1=$(date +%s.%N)
"$PROMTOOL" tsdb create-blocks-from openmetrics "$TMP/in.om" "$TMP/prometheus" >/dev/null || die "promtool import failed"
t2=$(date +%s.%N)
K_IMPORT=$(secs "$t0" "$t1")
P_IMPORT=$(secs "$t1" "$t2")

# samples chunks index total for a data dir.
measure() {
  local dir=$1 samples=0 f
  for f in "$dir"/*/meta.json; do
    samples=$((samples + $("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["stats"]["numSamples"])' "$f")))
  done
  echo "$samples $(du -cb "$dir"/*/chunks | tail -1 | cut -f1) $(du -cb "$dir"/*/index | tail -1 | cut -f1) $(du -sb "$dir" | cut -f1)"
}
read -r KS KC KI KT <<<"$(measure "$TMP/kubescrape")"
read -r PS PC PI PT <<<"$(measure "$TMP/prometheus")"
[ "$KS" = "$PS" ] || die "sample counts differ: kubescrape $KS, prometheus $PS"

echo
echo "== results: bytes per sample in blocks ($KS samples)"
awk -v ks="$KS" -v kc="$KC" -v ki="$KI" -v kt="$KT" -v ps="$PS" -v pc="$PC" -v pi="$PI" -v pt="$PT" \
    -v kimp="$K_IMPORT" -v pimp="$P_IMPORT" 'BEGIN {
  printf "| %-11s | %12s | %12s | %12s | %10s |\n", "", "chunks B/smp", "index B/smp", "total B/smp", "import s"
  printf "| %-11s | %12.3f | %12.3f | %12.3f | %10.1f |\n", "kubescrape", kc / ks, ki / ks, kt / ks, kimp
  printf "| %-11s | %12.3f | %12.3f | %12.3f | %10.1f |\n", "prometheus", pc / ps, pi / ps, pt / ps, pimp
  r = kt / pt
  printf "\nkubescrape / prometheus, total bytes: %.3f (goal <= 0.8: %s); chunk data %.3f B/sample (goal <= 1.0: %s)\n",
    r, (r <= 0.8 ? "met" : "MISSED"), kc / ks, (kc / ks <= 1.0 ? "met" : "MISSED")
}'
