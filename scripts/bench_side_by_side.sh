#!/usr/bin/env bash
# The side-by-side benchmark against Debian's prometheus, in one command:
# runs each comparison RUNS times and prints, per goal, the median ratio
# kubescrape / prometheus measured within each run (never across runs).
#
#   scripts/bench_side_by_side.sh [RUNS]        (default 3)
#
#   CPU per sample and RSS per active series  scripts/bench_scrape.sh $SCRAPE_ARGS
#   restart after kill -9                     scripts/bench_restart.sh $RESTART_ARGS
#   disk bytes per sample                     scripts/bench_disk.sh $DISK_ARGS
#   query latency (p50 per query)             scripts/bench_query.sh $QUERY_ARGS
#
# Sizes (environment; defaults are the issue's first run, small enough for a
# 2-core machine): SCRAPE_ARGS="60 50 1000", RESTART_ARGS="100 1000 60",
# DISK_ARGS="10 1000 6h 15s", QUERY_ARGS="10 1000 24h 60s 10". Each run's full
# output goes to $OUT (default /tmp/bench_side_by_side.<pid>/) for the record.
# Build first:
#   scripts/build.sh build-bench -DCMAKE_BUILD_TYPE=Release -DKS_BUILD_BENCH=ON -- kubescrape scrapectl
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${1:-3}
SCRAPE_ARGS=${SCRAPE_ARGS:-60 50 1000}
RESTART_ARGS=${RESTART_ARGS:-100 1000 60}
DISK_ARGS=${DISK_ARGS:-10 1000 6h 15s}
QUERY_ARGS=${QUERY_ARGS:-10 1000 24h 60s 10}
OUT=${OUT:-/tmp/bench_side_by_side.$$}
mkdir -p "$OUT"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "RUNS must be a positive integer" >&2; exit 2; }

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "n/a"; exit } print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

for ((r = 1; r <= RUNS; ++r)); do
  echo "== run $r of $RUNS (outputs in $OUT)" >&2
  # shellcheck disable=SC2086
  scripts/bench_scrape.sh $SCRAPE_ARGS >"$OUT/scrape.$r" 2>&1 || echo "   bench_scrape failed (see $OUT/scrape.$r)" >&2
  # shellcheck disable=SC2086
  scripts/bench_restart.sh $RESTART_ARGS >"$OUT/restart.$r" 2>&1 || echo "   bench_restart failed (see $OUT/restart.$r)" >&2
  # shellcheck disable=SC2086
  scripts/bench_disk.sh $DISK_ARGS >"$OUT/disk.$r" 2>&1 || echo "   bench_disk failed (see $OUT/disk.$r)" >&2
  # shellcheck disable=SC2086
  scripts/bench_query.sh $QUERY_ARGS >"$OUT/query.$r" 2>&1 || echo "   bench_query failed (see $OUT/query.$r)" >&2
done

# Per-run ratios, from each script's result lines.
cpu=$(for f in "$OUT"/scrape.*; do sed -n 's/^kubescrape \/ prometheus, CPU per sample: \([0-9.]*\).*/\1/p' "$f"; done)
# RSS per active series: both hold the same series, so the RSS ratio.
rss=$(for f in "$OUT"/scrape.*; do
  awk -F'|' '/kubescrape \(computed\)/ { k = $7 } /prometheus \(measured\)/ { p = $7 } END { if (k > 0 && p > 0) printf "%.3f\n", k / p }' "$f"
done)
restart=$(for f in "$OUT"/restart.*; do sed -n 's/^kubescrape \/ prometheus restart time: \([0-9.]*\).*/\1/p' "$f"; done)
disk=$(for f in "$OUT"/disk.*; do sed -n 's/^kubescrape \/ prometheus, total bytes: \([0-9.]*\).*/\1/p' "$f"; done)
# Query latency: the median and the worst of the per-query p50 ratios of a run.
query_med=$(for f in "$OUT"/query.*; do
  awk -F'|' 'NF == 9 && $8 ~ /^ *[0-9.]+ *$/ { print $8 + 0 }' "$f" | median
done)
query_max=$(for f in "$OUT"/query.*; do
  awk -F'|' 'NF == 9 && $8 ~ /^ *[0-9.]+ *$/ { if ($8 + 0 > m) m = $8 + 0 } END { if (m) print m }' "$f"
done)

row() {  # name goal values...
  local name=$1 goal=$2 values=$3 m verdict
  m=$(median <<<"$values")
  verdict=$(awk -v m="$m" -v g="$goal" 'BEGIN { if (m == "n/a") print "no data"; else print (m <= g ? "met" : "MISSED") }')
  printf "| %-40s | %8s | %-24s | <= %-5s | %-7s |\n" "$name" "$m" "$(tr '\n' ' ' <<<"$values")" "$goal" "$verdict"
}
echo
echo "== kubescrape / prometheus, median of $RUNS runs (commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), loadavg $(cut -d' ' -f1-3 /proc/loadavg))"
printf "| %-40s | %8s | %-24s | %-8s | %-7s |\n" "measure" "median" "runs" "goal" "verdict"
row "CPU per ingested sample" 0.2 "$cpu"
row "RSS per active series (scraping)" 0.25 "$rss"
row "disk bytes per sample (blocks)" 0.8 "$disk"
row "query latency p50, median over queries" 0.333 "$query_med"
row "query latency p50, worst query" 0.333 "$query_max"
row "restart after kill -9" 0.25 "$restart"
echo "(commands: scripts/bench_scrape.sh $SCRAPE_ARGS; bench_restart.sh $RESTART_ARGS; bench_disk.sh $DISK_ARGS; bench_query.sh $QUERY_ARGS)"
