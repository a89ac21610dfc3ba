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
# --config pointing at a directory is an error, never a run on the defaults
set +e
"$TICKPIPE" replay --data "$zip" --config "$tmp" --no-persist > /dev/null 2> "$tmp/derr.txt"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "--config <directory> exit status $rc, expected 2"
grep -q "is a directory, not a configuration file" "$tmp/derr.txt" || fail "directory config: $(cat "$tmp/derr.txt")"

# --cpus: a CPU that does not exist, a value that is not a number, more CPUs than threads
expect_cli_error() {  # expect_cli_error <text> <args...>
  local want=$1
  shift
  set +e
  "$TICKPIPE" replay --data "$zip" --no-persist --quiet "$@" > /dev/null 2> "$tmp/cli.txt"
  local rc=$?
  set -e
  [ "$rc" -ne 0 ] || fail "replay $* succeeded"
  grep -qF -- "$want" "$tmp/cli.txt" || fail "replay $*: expected '$want', got: $(cat "$tmp/cli.txt")"
}
expect_cli_error "--cpus: CPU 999 does not exist (this machine has $(getconf _NPROCESSORS_CONF) CPU" --cpus 999
expect_cli_error "--cpus: 'a' is not a CPU number" --cpus a
expect_cli_error "--cpus: '1x' is not a CPU number" --cpus 0,1x
expect_cli_error "runs 1 hot thread" --cpus 0,0
expect_cli_error "--reference-price: 'abc' is not a decimal price" --reference-price abc
expect_cli_error "reference price (--reference-price) 17450.5 of MTX" --reference-price 17450.5
expect_cli_error "--price-band-pct" --price-band-pct -1

# prices the TAIFEX reader refuses: 0, negative, huge, outside the daily band; each names
# file, line, field and value; --skip-bad keeps every good row
csv="$tmp/prices.csv"
{
  printf 'date,product,contract,time,price,volume,near,far,auction\r\n'
  printf '20210726,MTX    ,202108     ,084500,17473,2,-,-,*\r\n'
  printf '20210726,MTX    ,202108     ,084501,0,2,-,-, \r\n'
  printf '20210726,MTX    ,202108     ,084502,-17450,2,-,-, \r\n'
  printf '20210726,MTX    ,202108     ,084503,2000000000000000000,2,-,-, \r\n'
  printf '20210726,MTX    ,202108     ,084504,19300,2,-,-, \r\n'
  printf '20210726,MTX    ,202108     ,084505,17474,2,-,-, \r\n'
} > "$csv"
set +e
"$TICKPIPE" replay --data "$csv" --no-persist > /dev/null 2> "$tmp/perr.txt"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "price 0 exit status $rc, expected 2"
grep -q "prices.csv:3: field '成交價格' value '0': price must be positive" "$tmp/perr.txt" \
  || fail "price 0 error: $(cat "$tmp/perr.txt")"
"$TICKPIPE" replay --data "$csv" --no-persist --skip-bad > "$tmp/pskip.txt" || fail "--skip-bad on bad prices failed"
grep -q "2 ticks selected" "$tmp/pskip.txt" || fail "skip-bad kept the wrong rows: $(head -3 "$tmp/pskip.txt")"
grep -q "4 bad lines skipped" "$tmp/pskip.txt" || fail "skip-bad count: $(head -3 "$tmp/pskip.txt")"
"$TICKPIPE" convert --data "$csv" --out "$tmp/p.jsonl" --skip-bad --price-band-pct 20 2> "$tmp/pconv.txt" \
  || fail "convert --price-band-pct failed: $(cat "$tmp/pconv.txt")"
grep -q ": 3 events (3 bad lines skipped)" "$tmp/pconv.txt" || fail "convert with a 20% band: $(cat "$tmp/pconv.txt")"

# non-printable and non-UTF-8 bytes never reach the terminal raw
printf '20210726,MTX    ,202108     ,084500,17\xa6\xa8,2,-,-, \r\n' > "$tmp/big5.csv"
set +e
"$TICKPIPE" replay --data "$tmp/big5.csv" --format taifex --no-persist > /dev/null 2> "$tmp/berr.txt"
set -e
grep -qF "value '17\\xa6\\xa8'" "$tmp/berr.txt" || fail "Big5 bytes not escaped: $(cat -v "$tmp/berr.txt")"
if LC_ALL=C grep -q $'\xa6' "$tmp/berr.txt"; then fail "raw Big5 byte in the error message"; fi
echo "cli_test: ok"
