#!/usr/bin/env bash
# Parity of live trading with replay (issue: live over FIX, item 3): each file through
# `tickpipe venue --speed 0` + `tickpipe live` on loopback and through `tickpipe replay`
# gives the same signals, lots and exit reasons. Prints every difference, per day:
#   * against replay at order latency 0 (the lockstep venue's: must be identical);
#   * against replay at the configured latency (default 5 ms), where fill prices may
#     differ where the book moved during that latency (each difference is listed).
# Usage: scripts/parity.sh [FILE[:CONTRACT] ...]   (default: 2021-07-26 and two 2024 days)
set -euo pipefail
cd "$(dirname "$0")/.."
TP=${TICKPIPE:-build/tools/tickpipe}
DATA=../shared/data/taifex
FILES=("$@")
if ((${#FILES[@]} == 0)); then
  FILES=("$DATA/Daily_2021_07_26.zip:202108" "$DATA/Daily_2024_11_05.zip" "$DATA/Daily_2024_12_03.zip")
fi
WORK=$(mktemp -d /tmp/tickpipe-parity.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
printf '[venue]\nlatency_ms = 0\n' > "$WORK/lat0.toml"
status=0
for spec in "${FILES[@]}"; do
  file=${spec%%:*}
  contract=""
  [[ "$spec" == *:* ]] && contract=${spec##*:}
  name=$(basename "$file")
  d="$WORK/$name"
  mkdir -p "$d"
  cargs=(--symbol MTX)
  [ -n "$contract" ] && cargs+=(--contract "$contract")
  "$TP" replay --data "$file" "${cargs[@]}" --config "$WORK/lat0.toml" --no-persist --quiet --report-json "$d/replay0.json"
  "$TP" replay --data "$file" "${cargs[@]}" --no-persist --quiet --report-json "$d/replay5.json"
  t0=$(date +%s.%N)
  "$TP" venue --data "$file" "${cargs[@]}" --config "$WORK/lat0.toml" --port 0 --speed 0 --linger-ms 300 \
    --max-seconds 1200 --state-out "$d/venue.json" > "$d/venue.out" 2> "$d/venue.err" &
  vpid=$!
  for _ in $(seq 1 300); do grep -q "listening on" "$d/venue.out" 2>/dev/null && break; sleep 0.1; done
  addr=$(sed -n 's/^venue: listening on //p' "$d/venue.out")
  timeout 1300 "$TP" live --venue "$addr" --db "$d/db" --config "$WORK/lat0.toml" "${cargs[@]}" --quiet \
    --report-json "$d/live.json" 2> "$d/live.err"
  wait "$vpid"
  t1=$(date +%s.%N)
  python3 - "$name" "$d" "$t0" "$t1" <<'EOF' || status=1
import json, sys
name, d, t0, t1 = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
def lots(path):
    r = json.load(open(path))
    out = []
    for day in r["days"]:
        for e in day["entries"]:
            for l in e["lots"]:
                out.append({"day": day["trading_day"], "side": e["side"], "signal": e["signal_time"],
                            "rule": l["rule"], "group": l["group"], "state": l["state"],
                            "entry_time": l["entry_time"], "entry_price": l["entry_price"],
                            "exit_time": l["exit_time"], "exit_price": l["exit_price"],
                            "exit_reason": l["exit_reason"], "pnl_points": l["pnl_points"]})
    return out, r
live, lr = lots(f"{d}/live.json")
v = json.load(open(f"{d}/venue.json"))
print(f"== {name}: live {len(live)} lots, {lr['run']['events'] if 'run' in lr else '?'} events, "
      f"{t1 - t0:.1f} s wall (venue + live, lockstep)")
ok = True
for tag in ("replay0", "replay5"):
    rep, _ = lots(f"{d}/{tag}.json")
    diffs = []
    if len(rep) != len(live):
        diffs.append(f"lot count: replay {len(rep)} live {len(live)}")
    for i, (a, b) in enumerate(zip(rep, live)):
        for k in a:
            if a[k] != b[k]:
                diffs.append(f"lot {i} ({a['day']} group {a['group']} rule {a['rule']}): {k} replay {a[k]} live {b[k]}")
    label = "replay at latency 0" if tag == "replay0" else "replay at the default latency (5 ms)"
    if diffs:
        print(f"   vs {label}: {len(diffs)} difference(s)")
        for x in diffs:
            print("     " + x)
        if tag == "replay0":
            ok = False
    else:
        print(f"   vs {label}: identical ({len(rep)} lots: signals, prices, times, exit reasons, PnL)")
sys.exit(0 if ok else 1)
EOF
done
exit $status
