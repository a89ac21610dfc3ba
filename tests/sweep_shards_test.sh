#!/usr/bin/env bash
# Sharded + merged == unsharded, byte for byte (issue 11 item 4), through the two ways
# the README gives: GNU parallel on this machine (-S :, --joblog --resume) and the Slurm
# job-array script (its task variables set by hand). Run by ctest as sweep_shards_test.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
root=$(cd "$(dirname "$0")/.." && pwd)
d="$SHARED/data/taifex"
cat > "$tmp/sweep.toml" <<'TOML'
[params]
"strategy.rules[1].trailing_activation_points" = [10, 20, 30]
"strategy.rules[2].trailing_pullback" = [0.1, 0.3]
TOML
args=(--data "$d/Daily_2024_11_19.zip" "$d/Daily_2024_11_20.zip" "$d/Daily_2024_11_21.zip"
      --sweep "$tmp/sweep.toml" --threads 2 --walk-forward train=2,test=1 --pbo-blocks 2)

"$TICKPIPE" sweep "${args[@]}" --no-progress --out "$tmp/whole.jsonl" --csv "$tmp/whole.csv" > "$tmp/whole.txt"
[ "$(wc -l < "$tmp/whole.jsonl")" -eq 7 ] || fail "expected a header and 6 set lines"
grep -q "top 6 by net" "$tmp/whole.txt" || fail "no top table"
grep -q "walk-forward" "$tmp/whole.txt" || fail "no walk-forward table"
grep -q "probability of backtest overfitting" "$tmp/whole.txt" || fail "no PBO"

# GNU parallel, this machine only (-S :), 4 shards (one gets 0 sets... no: 6 sets / 4 = 2,2,1,1).
if command -v parallel > /dev/null; then
  TICKPIPE="$TICKPIPE" "$root/scripts/sweep-parallel.sh" -n 4 -o "$tmp/par" -S : -- "${args[@]}" > "$tmp/par.txt"
  cmp "$tmp/whole.jsonl" "$tmp/par/merged.jsonl" || fail "GNU parallel shards merged differ from the unsharded JSON lines"
  cmp "$tmp/whole.csv" "$tmp/par/merged.csv" || fail "GNU parallel shards merged differ from the unsharded CSV"
  [ "$(tail -n +2 "$tmp/par/joblog" | wc -l)" -eq 4 ] || fail "joblog should list 4 shards"
  # --resume: a second run re-runs no finished shard.
  before=$(stat -c %Y "$tmp/par/shard-1.jsonl")
  sleep 1
  TICKPIPE="$TICKPIPE" "$root/scripts/sweep-parallel.sh" -n 4 -o "$tmp/par" -S : -- "${args[@]}" > /dev/null
  [ "$(stat -c %Y "$tmp/par/shard-1.jsonl")" = "$before" ] || fail "--resume re-ran a finished shard"
  [ "$(tail -n +2 "$tmp/par/joblog" | wc -l)" -eq 4 ] || fail "--resume added jobs to the joblog"
  cmp "$tmp/whole.jsonl" "$tmp/par/merged.jsonl" || fail "the resumed merge differs"
  echo "GNU parallel: 4 shards merged == unsharded; resume re-ran 0 shards"
else
  fail "GNU parallel is not installed (scripts/setup.sh installs it)"
fi

# The Slurm job-array script, its three tasks run by hand.
for k in 1 2 3; do
  SLURM_ARRAY_TASK_ID=$k SLURM_ARRAY_TASK_COUNT=3 TICKPIPE="$TICKPIPE" bash "$root/scripts/sweep.slurm" "$tmp/slurm" \
    "${args[@]}" > /dev/null
done
"$TICKPIPE" sweep merge "$tmp"/slurm/shard-{1,2,3}.jsonl --out "$tmp/slurm.jsonl" --csv "$tmp/slurm.csv" > /dev/null
cmp "$tmp/whole.jsonl" "$tmp/slurm.jsonl" || fail "Slurm shards merged differ from the unsharded JSON lines"
cmp "$tmp/whole.csv" "$tmp/slurm.csv" || fail "Slurm shards merged differ from the unsharded CSV"
echo "Slurm array script: 3 shards merged == unsharded"

# Merge refuses an incomplete set of shards, and says why.
if "$TICKPIPE" sweep merge "$tmp"/slurm/shard-{1,2}.jsonl > /dev/null 2> "$tmp/err"; then
  fail "merge accepted 2 of 3 shards"
fi
grep -q "shard 3/3 is missing" "$tmp/err" || fail "merge error does not name the missing shard: $(cat "$tmp/err")"
echo "sweep_shards_test: ok"
