#!/usr/bin/env bash
# Parameter-set-days per second of `tickpipe sweep` against running `tickpipe replay`
# once per set, from binary ticks and from the TAIFEX CSV zips, on the same days, in the
# same run (issue 11 item 7). Ratios within this run are the result; record them in
# bench/RESULTS.md with the CPU model and commit.
#
#   bench/sweep_rate.sh [--sets N] [--replays K] [--days GLOB]    (defaults 1000, 12, the 41 2024 days)
#   bench/sweep_rate.sh --quick    CI: 40 sets, 4 replays, 8 days; fails if the sweep is
#                                  not >= 5x one replay per set (the goal is 20x on 41 days)
#
# The replays run the sweep's own sets (sweep --write-configs) and must give the same net
# PnL as the sweep's lines: the comparison doubles as a check that the sweep is replay.
set -euo pipefail
cd "$(dirname "$0")/.."
sets=1000; replays=12; days="../shared/data/taifex/Daily_2024_1[12]_*.zip"; quick=0; min_ratio=0
while [ $# -gt 0 ]; do
  case "$1" in
    --sets) sets="$2"; shift 2 ;;
    --replays) replays="$2"; shift 2 ;;
    --days) days="$2"; shift 2 ;;
    --quick) quick=1; sets=40; replays=4; days="../shared/data/taifex/Daily_2024_11_1[1-9].zip"; min_ratio=5; shift ;;
    *) echo "sweep_rate: unknown option $1" >&2; exit 2 ;;
  esac
done
tp=build/tools/tickpipe
[ -x "$tp" ] || scripts/setup.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cpu=$(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
echo "machine: $cpu, $(nproc) cores; commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"

# The sweep: the first $sets sets of the 1,000-set random sweep of the three lots'
# trailing rules (set i is the same set whatever the sample count).
sed "s/^samples = .*/samples = $sets/" config/sweeps/trailing-random.toml > "$tmp/sweep.toml"

now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.3f}')"; }

"$tp" convert --data $days --out "$tmp/tpk" 2> /dev/null
ndays=$(ls "$tmp/tpk" | wc -l)
echo "days: $ndays ($(ls "$tmp/tpk" | head -1) .. $(ls "$tmp/tpk" | tail -1))"

run_sweep() {  # $1 = data, $2 = label, rest = extra options
  local data="$1" label="$2"; shift 2
  local t0 t1
  t0=$(now)
  "$tp" sweep --data $data --sweep "$tmp/sweep.toml" --no-progress --out "$tmp/$label.jsonl" \
    --write-configs "$tmp/cfg" --pbo-blocks 0 "$@" > /dev/null 2> "$tmp/$label.err"
  t1=$(now)
  echo "$(elapsed "$t0" "$t1")"
}

run_replays() {  # $1 = data, $2 = jobs at once; prints wall seconds for $replays sets
  local data="$1" jobs="$2" t0 t1
  t0=$(now)
  seq 0 $((replays - 1)) | xargs -P "$jobs" -I{} sh -c \
    "'$tp' replay --data $data --config '$tmp/cfg/set-{}.toml' --no-persist --quiet --report-json '$tmp/rep-{}.json'"
  t1=$(now)
  echo "$(elapsed "$t0" "$t1")"
}

check_same() {  # the replays' net PnL equals the sweep's lines
  python3 - "$tmp" "$1" "$replays" <<'PY'
import json, sys
tmp, label, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = [json.loads(l) for l in open(f"{tmp}/{label}.jsonl")][1:]
bad = 0
for i in range(k):
    rep = json.load(open(f"{tmp}/rep-{i}.json"))["totals"]["net_pnl_currency"]
    mine = lines[i]["models"][0]["net_currency"]
    if abs(rep - mine) > 1e-6:
        bad += 1
        print(f"set {i}: replay net {rep} != sweep net {mine}", file=sys.stderr)
print(f"replay == sweep for {k - bad} of {k} sets")
sys.exit(1 if bad else 0)
PY
}

report() {  # label sweep_s replay_s jobs
  python3 - "$@" "$sets" "$replays" "$ndays" <<'PY'
import sys
label, sw, rp, jobs, sets, k, days = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
swr = sets * days / sw
rpr = k * days / rp
print(f"{label}: sweep {sets} sets in {sw:.1f} s = {swr:,.0f} set-days/s; replay per set ({k} sets, {jobs} at once) "
      f"{rp:.1f} s = {rpr:,.0f} set-days/s; ratio {swr / rpr:.1f}x")
PY
}

echo "== binary ticks (.tpk, mapped)"
sw_bin=$(run_sweep "$tmp/tpk" bin)
grep "^sweep:" "$tmp/bin.err"
rp1=$(run_replays "$tmp/tpk" 1)
check_same bin
rp2=$(run_replays "$tmp/tpk" "$(nproc)")
report "binary, replays one at a time" "$sw_bin" "$rp1" 1
report "binary, replays $(nproc) at once" "$sw_bin" "$rp2" "$(nproc)"
ratio=$(python3 -c "print(($sets/$sw_bin)/($replays/$rp2))")

if ((quick == 0)); then
  # The design's parts on the first $design sets (the same sets: set i never depends on the count).
  design=$(( sets < 200 ? sets : 200 ))
  echo "== the sweep's own design, measured (binary, first $design sets): batch 16 vs lockstep off (batch 1) vs quiet-day skip off"
  sed -i "s/^samples = .*/samples = $design/" "$tmp/sweep.toml"
  for v in "b16 --batch 16" "b1 --batch 1" "noskip --no-quiet-skip"; do
    set -- $v
    run_sweep "$tmp/tpk" "$@" > /dev/null
    grep "^sweep:" "$tmp/$1.err" | sed "s/^/$1: /"
  done
  cmp <(sed -n "2,$((design + 1))p" "$tmp/bin.jsonl") <(tail -n +2 "$tmp/b1.jsonl") \
    && cmp <(tail -n +2 "$tmp/b16.jsonl") <(tail -n +2 "$tmp/b1.jsonl") \
    && cmp <(tail -n +2 "$tmp/b16.jsonl") <(tail -n +2 "$tmp/noskip.jsonl") \
    && echo "the set lines are identical in all of them (and equal the first $design of the full sweep)"
  sed -i "s/^samples = .*/samples = $sets/" "$tmp/sweep.toml"
  echo "== TAIFEX CSV zips (parsed every run)"
  sw_csv=$(run_sweep "$days" csv)
  grep "^sweep:" "$tmp/csv.err"
  rpc=$(run_replays "$days" "$(nproc)")
  check_same csv
  report "CSV, replays $(nproc) at once" "$sw_csv" "$rpc" "$(nproc)"
fi
if ((quick)); then
  python3 -c "import sys; r=$ratio; print(f'check: sweep / replay-per-set ({$(nproc)} at once) = {r:.1f}x (>= $min_ratio x)'); sys.exit(0 if r >= $min_ratio else 1)"
fi
