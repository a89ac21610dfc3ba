#!/usr/bin/env bash
# CLI end-to-end test (run by ctest as cli_test). Fails on the first broken expectation.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

zip="$SHARED/data/taifex/Daily_2021_07_26.zip"
"$TICKPIPE" replay --data "$zip" --symbol MTX --contract 202108 --layout inline \
  --db "$tmp/db" --report-json "$tmp/r.json" > "$tmp/report.txt"
grep -q "opening range 17453 - 17480" "$tmp/report.txt" || fail "report lacks the opening range"
grep -q '"trading_day": "2021-07-26"' "$tmp/r.json" || fail "json lacks the trading day"
grep -q '"exit_reason": "' "$tmp/r.json" || fail "json lacks exit reasons"

# inspect: every table, JSON lines and CSV
for t in journal orders fills positions groups meta; do
  "$TICKPIPE" inspect --db "$tmp/db" --table "$t" > "$tmp/$t.jsonl"
  "$TICKPIPE" inspect --db "$tmp/db" --table "$t" --csv > "$tmp/$t.csv"
  [ -s "$tmp/$t.jsonl" ] || fail "inspect $t printed nothing"
done
orders=$(wc -l < "$tmp/orders.jsonl")
fills=$(wc -l < "$tmp/fills.jsonl")
[ "$orders" -ge 6 ] || fail "expected >= 6 orders, got $orders"
[ "$fills" -ge 6 ] || fail "expected >= 6 fills, got $fills"
head -1 "$tmp/positions.csv" | grep -q "," || fail "CSV has no header"

# convert to JSON lines and replay that: same trades
"$TICKPIPE" convert --data "$zip" --symbol MTX --contract 202108 --out "$tmp/day.jsonl" 2> /dev/null
"$TICKPIPE" replay --data "$tmp/day.jsonl" --layout inline --no-persist > "$tmp/report2.txt"
diff <(grep -E '^ +[0-9]+ +[0-9]+ ' "$tmp/report.txt") <(grep -E '^ +[0-9]+ +[0-9]+ ' "$tmp/report2.txt") \
  || fail "JSON-lines replay differs from the TAIFEX replay"

# convert to the binary tick format and replay that (mmap): same trades
"$TICKPIPE" convert --data "$zip" --symbol MTX --contract 202108 --out "$tmp/day.tpk" 2> /dev/null
"$TICKPIPE" replay --data "$tmp/day.tpk" --layout fused --no-persist > "$tmp/report3.txt"
diff <(grep -E '^ +[0-9]+ +[0-9]+ ' "$tmp/report.txt") <(grep -E '^ +[0-9]+ +[0-9]+ ' "$tmp/report3.txt") \
  || fail "binary replay differs from the TAIFEX replay"

# the instrument follows the traded symbol: TX at 200 TWD per point; an MTX config replayed
# as TX is an error (never a silent relabelling)
"$TICKPIPE" replay --data "$zip" --symbol TX --contract 202108 --no-persist > "$tmp/tx.txt"
grep -q "instrument: TX, tick 1, 200 TWD per point" "$tmp/tx.txt" || fail "TX replay not priced at 200 TWD/point: $(head -5 "$tmp/tx.txt")"
printf '[instrument]\nsymbol = "MTX"\n' > "$tmp/mtx.toml"
set +e
"$TICKPIPE" replay --data "$zip" --symbol TX --config "$tmp/mtx.toml" --no-persist > /dev/null 2> "$tmp/ierr.txt"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "instrument/symbol mismatch exit status $rc, expected 2"
grep -q "instrument.symbol" "$tmp/ierr.txt" || fail "mismatch error does not name the field: $(cat "$tmp/ierr.txt")"

# bad input: exit status 2 and a message naming file, line and field
printf '{"type":"trade","ts_ns":1627260300000000000,"symbol":"MTX","price":"17473","qty":1}\n{"type":"trade","ts_ns":1627260301000000000,"symbol":"MTX","price":"","qty":1}\n' > "$tmp/bad.jsonl"
set +e
"$TICKPIPE" replay --data "$tmp/bad.jsonl" --no-persist > /dev/null 2> "$tmp/err.txt"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "bad input exit status $rc, expected 2"
grep -q "bad.jsonl:2" "$tmp/err.txt" || fail "error does not name file:line: $(cat "$tmp/err.txt")"
grep -q "price" "$tmp/err.txt" || fail "error does not name the field"
"$TICKPIPE" replay --data "$tmp/bad.jsonl" --no-persist --skip-bad > "$tmp/skip.txt" || fail "--skip-bad failed"
grep -q "1 bad lines skipped" "$tmp/skip.txt" || fail "skip count missing"

# bad configuration: exit status 2 naming the field and range
printf '[strategy]\ngroups = 7\n' > "$tmp/bad.toml"
set +e
"$TICKPIPE" replay --data "$zip" --config "$tmp/bad.toml" --no-persist > /dev/null 2> "$tmp/cerr.txt"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "bad config exit status $rc"
grep -q "strategy.groups" "$tmp/cerr.txt" || fail "config error does not name the field: $(cat "$tmp/cerr.txt")"
echo "cli_test: ok"
