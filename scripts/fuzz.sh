#!/usr/bin/env bash
# The fuzz pass: builds the libFuzzer targets of the four input readers and of the FIX
# decoder (tests/fuzz) with
# clang, ASan and UBSan in ./build-fuzz, writes their seed corpora from the real data
# (../shared/data, nothing committed), runs each for a fixed time budget and fails on
# any finding (a crash, a sanitizer report, an uncaught exception, an accepted event out
# of bounds). A finding leaves its input in build-fuzz/fuzz-artifacts/; make it a
# regression test in tests/input_validation_test.cpp (or the reader's suite).
#
# Usage: scripts/fuzz.sh [target...]       (default: taifex bars jsonl binary fix)
#   FUZZ_SECONDS=30   time budget per target (-max_total_time)
#   FUZZ_JOBS=N       targets run at once (default: the number of CPUs, at most 4)
#   FUZZ_CXX=clang++-14
# The corpus grows across runs in build-fuzz/fuzz-corpus/<target>; delete it to start
# from the seeds again.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${FUZZ_SECONDS:-30}
CXX_FUZZ=${FUZZ_CXX:-clang++-14}
CPUS=$(nproc 2>/dev/null || echo 2)
JOBS=${FUZZ_JOBS:-$((CPUS < 4 ? CPUS : 4))}
TARGETS=("$@")
if ((${#TARGETS[@]} == 0)); then TARGETS=(taifex bars jsonl binary fix); fi
SHARED=${TP_SHARED_DIR:-../shared}
B=build-fuzz

if ! command -v "$CXX_FUZZ" > /dev/null; then
  echo "fuzz: $CXX_FUZZ not found (scripts/setup.sh installs clang-14 and libclang-rt-14-dev)" >&2
  exit 1
fi
if [ ! -d "$SHARED/data" ]; then
  echo "fuzz: $SHARED/data not found (the real data the seeds are made from)" >&2
  exit 1
fi

echo "== fuzz: build ($CXX_FUZZ, ASan+UBSan, libFuzzer) in $B"
cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$CXX_FUZZ" -DTP_SANITIZE=address \
  -DTP_BUILD_FUZZ=ON -DTP_BUILD_TESTS=OFF -DTP_BUILD_BENCH=OFF -DTP_BUILD_TOOLS=OFF \
  -DTP_SHARED_DIR="$(cd "$SHARED" && pwd)" > /dev/null
build_targets=(tp_fuzz_seeds)
for t in "${TARGETS[@]}"; do build_targets+=("fuzz_$t"); done
cmake --build "$B" -j"$CPUS" --target "${build_targets[@]}"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
seeds=$B/fuzz-seeds
if [ ! -f "$seeds/.done" ]; then
  rm -rf "$seeds"
  "$B/tests/fuzz/tp_fuzz_seeds" "$SHARED/data" "$seeds"
  touch "$seeds/.done"
fi

mkdir -p "$B/fuzz-artifacts" "$B/fuzz-logs"
start_mark=$B/fuzz-logs/.start
touch "$start_mark"
run_one() {
  local t=$1
  mkdir -p "$B/fuzz-corpus/$t"
  # The first directory is the corpus libFuzzer adds to; the seeds are read only.
  "$B/tests/fuzz/fuzz_$t" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$B/fuzz-artifacts/$t-" \
    "$B/fuzz-corpus/$t" "$seeds/$t" > "$B/fuzz-logs/$t.log" 2>&1
}

echo "== fuzz: ${TARGETS[*]}, ${SECONDS_PER_TARGET} s each, $JOBS at a time"
declare -A rc
pending=("${TARGETS[@]}")
while ((${#pending[@]})); do
  batch=("${pending[@]:0:$JOBS}")
  pending=("${pending[@]:$JOBS}")
  pids=()
  for t in "${batch[@]}"; do
    run_one "$t" &
    pids+=($!)
  done
  for i in "${!batch[@]}"; do
    if wait "${pids[$i]}"; then rc[${batch[$i]}]=0; else rc[${batch[$i]}]=$?; fi
  done
done

failed=0
printf '%-8s %12s %10s %8s %s\n' target runs exec/s corpus findings
for t in "${TARGETS[@]}"; do
  log=$B/fuzz-logs/$t.log
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  corpus=$(find "$B/fuzz-corpus/$t" -type f | wc -l)
  findings=$(find "$B/fuzz-artifacts" -name "$t-*" -type f -newer "$start_mark" | wc -l)
  printf '%-8s %12s %10s %8s %s\n' "$t" "${runs:-?}" "${speed:-?}" "$corpus" "$findings"
  if [ "${rc[$t]}" != 0 ] || [ "$findings" != 0 ]; then
    failed=1
    echo "fuzz: $t FAILED (exit ${rc[$t]}); the end of $log:" >&2
    tail -40 "$log" >&2
  fi
done
if ((failed)); then
  echo "fuzz: findings in $B/fuzz-artifacts (reproduce: $B/tests/fuzz/fuzz_<target> <file>)" >&2
  exit 1
fi
echo "== fuzz: no findings"
