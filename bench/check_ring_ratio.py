#!/usr/bin/env python3
"""CI regression check for tp::SpscRing throughput (issue #3 §1).

Runs ring_bench briefly (the SpscRing and MutexQueue rows only, JSON output) and fails
if any SpscRing row's median msgs/s falls below the best MutexQueue row's for the same
message size. The verdict is a ratio within one run on one machine, never an absolute
time, so a slow or busy CI machine does not fail it; a ring that has become no better
than a mutex (a lost cache, a stray lock, a seq_cst fence in the hot path) does.

Also prints a table from any ring_bench JSON (`--json FILE`, e.g. a full run with all
peers), with each row's ratio to SpscRing_TryPushTryPop of the same size.

A spinning queue loses to a sleeping one when another process takes one of the two
cores mid-run, so a failed attempt is re-run (--attempts, default 3) and the check fails
only if every attempt fails: a real regression fails each time, a noisy neighbour does not.

Exit status: 0 pass, 1 SpscRing below the mutex queue, 2 the benchmark failed to run,
reported an error, or produced none of the expected rows.

  bench/check_ring_ratio.py --bench build/bench/ring_bench            # the CI check (~4 s)
  bench/check_ring_ratio.py --json results.json --no-check            # table of a saved run
"""
import argparse
import json
import re
import subprocess
import sys
from collections import defaultdict

NAME_RE = re.compile(r"^BM_(?P<queue>[A-Za-z]+)_(?P<mode>[A-Za-z]+)/(?P<bytes>\d+)")
OURS = "SpscRing"
BASELINE = "MutexQueue"
REFERENCE_ROW = "SpscRing_TryPushTryPop"


def run_bench(bench, min_time, reps):
    cmd = [
        bench,
        "--benchmark_filter=^BM_(%s|%s)_" % (OURS, BASELINE),
        "--benchmark_min_time=%s" % min_time,
        "--benchmark_repetitions=%d" % reps,
        "--benchmark_report_aggregates_only=true",
        "--benchmark_format=json",
    ]
    print("running:", " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise RuntimeError("ring_bench exited with status %d" % proc.returncode)
    return json.loads(proc.stdout)


def rates(doc):
    """{bytes: {'Queue_Mode': msgs/s}} from the median aggregates (or single runs)."""
    have_aggregates = any(b.get("run_type") == "aggregate" for b in doc["benchmarks"])
    out = defaultdict(dict)
    errors = []
    for b in doc["benchmarks"]:
        if b.get("error_occurred"):
            errors.append("%s: %s" % (b.get("name"), b.get("error_message")))
            continue
        if have_aggregates and b.get("aggregate_name") != "median":
            continue
        m = NAME_RE.match(b.get("run_name", b["name"]))
        if not m or "msgs/s" not in b:
            continue
        out[int(m.group("bytes"))]["%s_%s" % (m.group("queue"), m.group("mode"))] = float(b["msgs/s"])
    return out, errors


def print_table(by_size, context):
    print("machine: %s CPUs @ %s MHz, load average %s" % (
        context.get("num_cpus"), context.get("mhz_per_cpu"), context.get("load_avg")))
    for size in sorted(by_size):
        rows = by_size[size]
        ref = rows.get(REFERENCE_ROW)
        print("\n%d-byte messages" % size)
        print("%-42s %14s %18s" % ("benchmark", "msgs/s", "SpscRing/this"))
        for name, rate in sorted(rows.items(), key=lambda kv: -kv[1]):
            ratio = "%.2f" % (ref / rate) if ref and rate > 0 else "-"
            print("%-42s %14.3e %18s" % (name, rate, ratio))


def check(by_size, threshold):
    failures = []
    for size in sorted(by_size):
        rows = by_size[size]
        ours = {k: v for k, v in rows.items() if k.startswith(OURS + "_")}
        base = {k: v for k, v in rows.items() if k.startswith(BASELINE + "_")}
        if not ours or not base:
            failures.append("%d bytes: missing %s or %s rows" % (size, OURS, BASELINE))
            continue
        best_name, best = max(base.items(), key=lambda kv: kv[1])
        for name, rate in sorted(ours.items()):
            ratio = rate / best
            verdict = "ok" if ratio >= threshold else "REGRESSION"
            print("%3d B  %-32s %.3e msgs/s = %6.2fx %s (%.3e)  %s" % (
                size, name, rate, ratio, best_name, best, verdict))
            if ratio < threshold:
                failures.append("%d bytes: %s is %.2fx %s (need >= %.2fx)" % (size, name, ratio, best_name, threshold))
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", help="path to the ring_bench binary")
    ap.add_argument("--json", help="read this ring_bench JSON instead of running the benchmark")
    ap.add_argument("--min-time", default="0.05", help="--benchmark_min_time per run, seconds (default 0.05)")
    ap.add_argument("--reps", type=int, default=3, help="repetitions; the median is judged (default 3)")
    ap.add_argument("--threshold", type=float, default=1.0,
                    help="minimum SpscRing / best MutexQueue msgs/s ratio (default 1.0)")
    ap.add_argument("--attempts", type=int, default=3,
                    help="runs before giving up; passes if any run passes (default 3)")
    ap.add_argument("--no-check", action="store_true", help="only print the table")
    args = ap.parse_args()
    if not args.bench and not args.json:
        ap.error("give --bench or --json")

    attempts = 1 if args.json else max(1, args.attempts)
    for attempt in range(1, attempts + 1):
        try:
            if args.json:
                with open(args.json) as f:
                    doc = json.load(f)
            else:
                doc = run_bench(args.bench, args.min_time, args.reps)
        except (OSError, RuntimeError, ValueError, subprocess.TimeoutExpired) as e:
            print("check_ring_ratio: %s" % e, file=sys.stderr)
            return 2

        by_size, errors = rates(doc)
        print_table(by_size, doc.get("context", {}))
        if errors:
            print("\ncheck_ring_ratio: benchmarks reported errors:\n  " + "\n  ".join(errors), file=sys.stderr)
            return 2
        if args.no_check:
            return 0
        if not by_size:
            print("check_ring_ratio: no benchmark rows found", file=sys.stderr)
            return 2
        print()
        failures = check(by_size, args.threshold)
        if not failures:
            print("\ncheck_ring_ratio: passed (every SpscRing row >= %.2fx the best MutexQueue row)" % args.threshold)
            return 0
        print("\ncheck_ring_ratio: attempt %d/%d FAILED\n  %s" % (attempt, attempts, "\n  ".join(failures)),
              file=sys.stderr, flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
