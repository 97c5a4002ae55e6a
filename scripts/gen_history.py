#!/usr/bin/env python3
"""Writes a synthetic scrape history as one OpenMetrics file with timestamps.

The output feeds both backfillers:

    promtool tsdb create-blocks-from openmetrics FILE DIR
    scrapectl tsdb create-blocks-from openmetrics FILE DIR

so that Prometheus and Kubescrape can be queried over the same samples
(test/server/differential_test.cc, scripts/bench_query.sh).

Shape: --targets targets (labels job="node", instance="10.0.<i/250>.<i%250>:9100"),
each exposing --series series (node_exporter-like families: CPU, disk and
network counters, a request-latency histogram, queue-depth gauges), sampled
every --interval for --duration, ending at --start + --duration. A histogram
label set counts as len(buckets) + 2 series (_bucket, _sum, _count); the last
family is truncated so a target has exactly --series series.

Families come from /work/shared/bench/targets.py's make_families() when that
file exists (outside the repository; --builtin forces the small built-in set).

Evolution is deterministic for a given --seed:
  counters  increase irregularly (most steps small, some zero, a few bursts);
  gauges    wander by a bounded random walk (integers >= 0);
  histograms get a random number of observations per step, buckets cumulative,
            _count == the +Inf bucket, _sum the sum of observations.
Unless --no-events: the last target's counters reset to 0 at 2/3 of the
history (a restart), and the second-to-last target has a 20-minute gap at 1/2
(a scrape outage, longer than the 5 m lookback) when there are >= 3 targets.

Timestamps are integer seconds; values are printed exactly (repr), so both
readers see identical float64s. Output is grouped by family, then series, in
time order, and ends with "# EOF".

Example:
  gen_history.py --targets 10 --series 200 --duration 6h --interval 15s -o in.om
"""
import argparse
import importlib.util
import os
import random
import re
import sys

SHARED_TARGETS = "/work/shared/bench/targets.py"
HIST_BUCKETS = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"]


def parse_duration(text):
    m = re.fullmatch(r"(\d+)([smhd])", text)
    if not m:
        raise argparse.ArgumentTypeError(f"bad duration {text!r} (want e.g. 15s, 6h, 1d)")
    return int(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


def builtin_families(series, seed):
    """A small node_exporter-like set in make_families()'s shape."""
    del seed
    modes = ["idle", "system", "user", "iowait"]
    fams = [("node_cpu_seconds_total", "counter", "Seconds the CPUs spent in each mode.",
             [f'cpu="{c}",mode="{m}"' for c in range(4) for m in modes])]
    for nm in ["node_network_receive_bytes_total", "node_network_transmit_bytes_total"]:
        fams.append((nm, "counter", f"Network metric {nm}.", [f'device="eth{i}"' for i in range(4)]))
    fams.append(("http_request_duration_seconds", "histogram", "Request latency.",
                 [f'handler="{h}",code="{c}",method="GET"' for h in ["/api", "/healthz"] for c in ["200", "500"]]))
    n = sum(len(f[3]) * (len(HIST_BUCKETS) + 2 if f[1] == "histogram" else 1) for f in fams)
    gl = [f'pod="app-{i // 20}",shard="{i % 20}"' for i in range(max(0, series - n))]
    fams.append(("app_queue_depth", "gauge", "Items waiting in the app queue.", gl))
    return fams, HIST_BUCKETS


def load_families(series, seed, builtin):
    if not builtin and os.path.exists(SHARED_TARGETS):
        spec = importlib.util.spec_from_file_location("bench_targets", SHARED_TARGETS)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod.make_families(series, seed)
    return builtin_families(series, seed)


def truncate(fams, buckets, series):
    """Keeps label sets, in order, until the target has exactly `series` series
    (a histogram label set is atomic; gauges/counters fill the remainder)."""
    out, n = [], 0
    for name, typ, hlp, labels in fams:
        width = len(buckets) + 2 if typ == "histogram" else 1
        keep = []
        for l in labels:
            if n + width > series:
                break
            keep.append(l)
            n += width
        if keep:
            out.append((name, typ, hlp, keep))
    return out, n


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--targets", type=int, default=10, help="number of targets (default 10)")
    ap.add_argument("--series", type=int, default=200, help="series per target (default 200)")
    ap.add_argument("--duration", type=parse_duration, default=parse_duration("6h"), help="history length (default 6h)")
    ap.add_argument("--interval", type=parse_duration, default=parse_duration("15s"), help="scrape interval (default 15s)")
    ap.add_argument("--start", type=int, default=1700000000, help="first timestamp, unix seconds (default 1700000000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--builtin", action="store_true", help="use the built-in families, not targets.py")
    ap.add_argument("--no-events", action="store_true", help="no counter reset and no gap")
    ap.add_argument("-o", "--output", default="-", help="output file (default stdout)")
    args = ap.parse_args()

    fams, buckets = load_families(args.series, args.seed, args.builtin)
    fams, per_target = truncate(fams, buckets, args.series)
    steps = args.duration // args.interval
    times = [args.start + i * args.interval for i in range(steps)]
    reset_target = args.targets - 1 if not args.no_events else -1
    reset_step = steps * 2 // 3
    gap_target = args.targets - 2 if not args.no_events and args.targets >= 3 else -1
    gap = range(steps // 2, steps // 2 + (1200 + args.interval - 1) // args.interval)

    out = sys.stdout if args.output == "-" else open(args.output, "w")
    w = out.write
    for fi, (name, typ, hlp, labels) in enumerate(fams):
        fam = name[:-len("_total")] if typ == "counter" and name.endswith("_total") else name
        w(f"# HELP {fam} {hlp}\n# TYPE {fam} {typ}\n")
        for ti in range(args.targets):
            tl = f'instance="10.0.{ti // 250}.{ti % 250}:9100",job="node"'
            steps_of = [i for i in range(steps) if not (ti == gap_target and i in gap)]
            for li, l in enumerate(labels):
                r = random.Random(f"{args.seed}/{ti}/{fi}/{li}")
                ls = f"{l},{tl}"
                if typ == "counter":
                    v = round(r.random() * 1e6, 3)
                    scale = r.choice((0.1, 1, 10, 1000))
                    lines = []
                    for i in range(steps):
                        if ti == reset_target and i == reset_step:
                            v = 0.0
                        else:
                            v = round(v + r.random() * scale * r.choice((0, 1, 1, 1, 2, 10)), 3)
                        lines.append(v)
                    w("".join(f"{name}{{{ls}}} {lines[i]!r} {times[i]}\n" for i in steps_of))
                elif typ == "gauge":
                    v = r.randint(0, 100)
                    vals = []
                    for _ in range(steps):
                        v = max(0, v + r.randint(-3, 3))
                        vals.append(v)
                    w("".join(f"{name}{{{ls}}} {vals[i]} {times[i]}\n" for i in steps_of))
                else:
                    cnt = [0] * len(buckets)
                    total = 0.0
                    rows = []  # per step: (bucket counts, sum)
                    for i in range(steps):
                        if ti == reset_target and i == reset_step:
                            cnt, total = [0] * len(buckets), 0.0
                        for _ in range(r.randint(0, 12)):
                            x = r.expovariate(8)
                            total += x
                            for bi, b in enumerate(buckets):
                                if b == "+Inf" or x <= float(b):
                                    cnt[bi] += 1
                        rows.append((list(cnt), round(total, 6)))
                    for bi, b in enumerate(buckets):
                        w("".join(f'{name}_bucket{{{ls},le="{b}"}} {rows[i][0][bi]} {times[i]}\n' for i in steps_of))
                    w("".join(f"{name}_sum{{{ls}}} {rows[i][1]!r} {times[i]}\n" for i in steps_of))
                    w("".join(f"{name}_count{{{ls}}} {rows[i][0][-1]} {times[i]}\n" for i in steps_of))
    w("# EOF\n")
    if out is not sys.stdout:
        out.close()
    print(f"{args.targets} targets x {per_target} series x {steps} steps = "
          f"{args.targets * per_target * steps} samples", file=sys.stderr)


if __name__ == "__main__":
    main()
