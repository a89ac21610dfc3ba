#!/usr/bin/env bash
# Runs the benchmarks of bench/ (see bench/README.md) on the Release build.
#   scripts/bench.sh           full runs (minutes; what bench/RESULTS.md records), JSON to bench/out/
#   scripts/bench.sh --quick   the short CI pass: every benchmark briefly, plus the
#                              regression checks, each judged by a ratio within the run
#                              (never an absolute time)
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
[ "${1:-}" = "--quick" ] && quick=1
[ -x build/bench/ring_bench ] || scripts/setup.sh
B=build/bench
out=bench/out
mkdir -p "$out"

if ((quick)); then
  echo "== ring throughput vs peers (short) + check: SpscRing >= MutexQueue"
  python3 bench/check_ring_ratio.py --bench "$B/ring_bench"
  echo "== ring round trip (short)"
  "$B/ring_latency" --round-trips=20000 --blocking-round-trips=2000 --warmup=2000 --reps=1
  echo "== pipeline tick-to-order (short) + check: mutex pipeline p50 >= 3x ring/fused p50"
  "$B/pipeline_latency" --quotes 3000 --warmup 500 --reps 3 --configs ring/fused,ring/inline,mutex/threads \
    --check-ratio 3
  # The issue's goal is tickpipe's FIX initiator within 2x of bare TCP at p50; CI machines
  # are shared and noisy (a neighbour taking a core adds microseconds to one side of the
  # ratio), so the CI bound is looser: fail only above 4x. Ratio within one run, as above;
  # like check_ring_ratio.py, a failed attempt is re-run and the check fails only if all 3
  # fail (a busy-polling peer sharing a core with another busy process is slow each time
  # it happens, a real regression every time).
  echo "== FIX wire-to-wire over loopback (short) + check: tickpipe initiator p50 <= 4x bare TCP p50"
  fix_ok=0
  for attempt in 1 2 3; do
    if "$B/fix_wire_latency" --quick --check-ratio 4; then fix_ok=1; break; fi
    echo "fix_wire_latency: attempt $attempt/3 failed" >&2
  done
  ((fix_ok)) || { echo "fix_wire_latency: REGRESSION (or a peer did not complete) in 3 attempts" >&2; exit 1; }
  echo "== FIX codec vs QuickFIX (short) + check: ours >= 5x per message (goal 10x), 0 allocations"
  python3 bench/check_fix_codec.py --bench "$B/fix_codec_bench"
  echo "== replay throughput (short)"
  "$B/replay_bench" --benchmark_min_time=0.05
  echo "== persister (short)"
  "$B/persister_bench" --benchmark_min_time=0.05 --benchmark_filter='NoSync/batch:(1|512)/|Durable/batch:512/'
  echo "== sweep vs one replay per set (short: 40 sets x 8 days) + check: sweep >= 5x (goal 20x on 41 days)"
  bench/sweep_rate.sh --quick
  echo "== benchmarks: short pass done"
  exit 0
fi

"$B/ring_bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_out="$out/ring_bench.json" --benchmark_out_format=json
python3 bench/check_ring_ratio.py --json "$out/ring_bench.json" --no-check
"$B/ring_latency" | tee "$out/ring_latency.txt"
"$B/pipeline_latency" --quotes 50000 --warmup 5000 --reps 5 --json "$out/pipeline_latency.json" \
  | tee "$out/pipeline_latency.txt"
"$B/fix_wire_latency" | tee "$out/fix_wire_latency.txt"
"$B/fix_codec_bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  --benchmark_out="$out/fix_codec_bench.json" --benchmark_out_format=json
"$B/replay_bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_out="$out/replay_bench.json" --benchmark_out_format=json
"$B/persister_bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  --benchmark_out="$out/persister_bench.json" --benchmark_out_format=json
