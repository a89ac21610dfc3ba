#!/usr/bin/env bash
# Runs one sweep as N shards with GNU parallel, then merges them (docs/TUNING.md
# "Beyond one machine"). The merged output is byte for byte the unsharded run's.
#
# Usage: scripts/sweep-parallel.sh -n N -o DIR [-S SSHLOGINS] [-j JOBS] -- SWEEP-ARGS...
#   -n N        shards (each a `tickpipe sweep --shard K/N`)
#   -o DIR      where shard-K.jsonl, joblog, merged.jsonl and merged.csv go
#   -S LOGINS   GNU parallel --sshlogin list (default ":" = this machine only); on other
#               hosts the same tickpipe binary, data and sweep/config files must exist at
#               the same paths (or shared over NFS); each shard's file comes back with --return
#   -j JOBS     shards at once per host (default 1: each shard already runs one set per core)
#   SWEEP-ARGS  the `tickpipe sweep` arguments (--data, --sweep, --config, ...), without
#               --shard and --out
# Restart: run the same command again; --joblog DIR/joblog --resume skips the shards that
# finished. Env TICKPIPE: the binary (default build/tools/tickpipe).
set -euo pipefail
n=""; out=""; logins=":"; jobs=1
while [ $# -gt 0 ]; do
  case "$1" in
    -n) n="$2"; shift 2 ;;
    -o) out="$2"; shift 2 ;;
    -S) logins="$2"; shift 2 ;;
    -j) jobs="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "sweep-parallel: unknown option $1 (usage in the script's header)" >&2; exit 2 ;;
  esac
done
[ -n "$n" ] && [ -n "$out" ] || { echo "sweep-parallel: -n N and -o DIR are required" >&2; exit 2; }
command -v parallel > /dev/null || { echo "sweep-parallel: GNU parallel is not installed (apt-get install parallel)" >&2; exit 2; }
tickpipe=$(readlink -f "${TICKPIPE:-build/tools/tickpipe}")
mkdir -p "$out"
out=$(readlink -f "$out")
# Remote hosts write the shard file into their copy of $out and parallel brings it back.
ret=()
[ "$logins" = ":" ] || ret=(--return "$out/shard-{}.jsonl" --cleanup)
parallel --will-cite --halt now,fail=1 --joblog "$out/joblog" --resume -j "$jobs" -S "$logins" "${ret[@]}" \
  "$tickpipe" sweep "$@" --no-progress --shard '{}/'"$n" --out "$out/shard-{}.jsonl" '>' "$out/shard-{}.log" \
  ::: $(seq 1 "$n")
shards=()
for k in $(seq 1 "$n"); do shards+=("$out/shard-$k.jsonl"); done
"$tickpipe" sweep merge "${shards[@]}" --out "$out/merged.jsonl" --csv "$out/merged.csv"
