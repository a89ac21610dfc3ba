#!/usr/bin/env bash
# Browser test of `tickpipe replay --html` and `tickpipe sweep --html` (ctest html_report_browser_test, label browser):
# replays three real days, checks the page is self-contained (no external script or
# stylesheet), opens it in headless Chromium with #selftest (the page draws every day
# once) and reads back the status the page's script writes into <pre id="tp-status">:
# no error, the price and equity charts drawn, every day embedded and drawn, one marker
# per fill (2 per closed lot, 1 per open lot, counted independently from --report-json),
# one candle per minute of the day session with trades.
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }

CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$CHROMIUM" ]; then
  echo "SKIPPED: chromium not installed (scripts/setup.sh installs it)"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

d="$SHARED/data/taifex"
"$TICKPIPE" replay --data "$d/Daily_2024_11_19.zip" "$d/Daily_2024_11_20.zip" "$d/Daily_2024_11_21.zip" \
  --no-persist --quiet --html "$tmp/page.html" --report-json "$tmp/r.json" || fail "replay --html failed"
[ -s "$tmp/page.html" ] || fail "no page written"

# Self-contained: no script, stylesheet, image or frame loaded from the network.
if grep -Eio '<(script|link|img|iframe)[^>]*(src|href)=["'"'"']?(https?:)?//' "$tmp/page.html" | head -3 | grep -q .; then
  fail "the page loads something from the network: $(grep -Eio '<(script|link|img|iframe)[^>]*(src|href)=[^>]*' "$tmp/page.html" | head -3)"
fi
grep -q 'LightweightCharts' "$tmp/page.html" || fail "the chart library is not inlined"

# Headless Chromium, a fresh profile each, no background network (the machine has none):
# dump_dom URL OUT dumps the DOM after the page's scripts ran.
dump_dom() {
  local profile
  profile=$(mktemp -d -p "$tmp")
  timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --disable-extensions \
    --user-data-dir="$profile" --window-size=1280,1600 --virtual-time-budget=10000 \
    --dump-dom "$1" > "$2" 2> "$2.log" || fail "chromium failed on $1 (status $?): $(tail -5 "$2.log")"
}
dump_dom "file://$tmp/page.html#selftest" "$tmp/dom.html"

python3 - "$tmp/dom.html" "$tmp/r.json" "$tmp/page.html" <<'PY'
import html, json, re, sys, os
dom = open(sys.argv[1], encoding="utf-8").read()
report = json.load(open(sys.argv[2], encoding="utf-8"))
m = re.search(r'<pre id="tp-status"[^>]*>(.*?)</pre>', dom, re.S)
if not m or not m.group(1).strip():
    sys.exit("FAIL: the page wrote no status (its script did not run to the end)")
st = json.loads(html.unescape(m.group(1)))
# Independently of the page: fills from the JSON report's lots.
lots = [l for d in report["days"] for e in d["entries"] for l in e["lots"]]
entry_fills = sum(1 for l in lots if l["entry_time"] is not None)
exit_fills = sum(1 for l in lots if l["exit_time"] is not None)
closed = sum(1 for l in lots if l["state"] == "CLOSED")
fills = entry_fills + exit_fills
days = len(report["days"])
print("status: %s" % json.dumps(st))
print("report: %d days, %d lots (%d closed), %d fills; page %.0f KB"
      % (days, len(lots), closed, fills, os.path.getsize(sys.argv[3]) / 1024))
errs = []
if st.get("errors") != 0: errs.append("page errors: %s %s" % (st.get("errors"), st.get("error_text")))
if st.get("charts", 0) < 2: errs.append("charts drawn %s, expected >= 2 (price + equity)" % st.get("charts"))
if st.get("days") != days: errs.append("days embedded %s, report has %d" % (st.get("days"), days))
if st.get("drawn_days") != days: errs.append("days drawn %s, expected %d" % (st.get("drawn_days"), days))
if st.get("markers") != fills: errs.append("markers embedded %s, fills %d" % (st.get("markers"), fills))
if st.get("drawn_markers") != fills: errs.append("markers drawn %s, fills %d" % (st.get("drawn_markers"), fills))
if fills < 2: errs.append("only %d fills on three real days: the strategy did not trade?" % fills)
if not (days * 200 <= st.get("candles", 0) <= days * 301):
    errs.append("candles %s, expected about 300 per day session (%d days)" % (st.get("candles"), days))
if st.get("drawn_candles") != st.get("candles"): errs.append("candles drawn %s != embedded %s" % (st.get("drawn_candles"), st.get("candles")))
if errs:
    sys.exit("FAIL: " + "; ".join(errs))
PY
# The sweep's page: a 3 x 2 grid over the same days, the heatmap over its two parameters
# (one cell per set), the walk-forward table and the equity curves, with no page error.
cat > "$tmp/sweep.toml" <<'TOML'
[params]
"strategy.rules[1].trailing_activation_points" = [10, 20, 30]
"strategy.rules[1].trailing_pullback" = [0.1, 0.3]
TOML
"$TICKPIPE" sweep --data "$d/Daily_2024_11_19.zip" "$d/Daily_2024_11_20.zip" "$d/Daily_2024_11_21.zip" \
  --sweep "$tmp/sweep.toml" --no-progress --walk-forward train=2,test=1 --pbo-blocks 2 --html "$tmp/sweep.html" \
  > "$tmp/sweep.txt" 2> /dev/null || fail "sweep --html failed"
dump_dom "file://$tmp/sweep.html" "$tmp/sweep-dom.html"
python3 - "$tmp/sweep-dom.html" <<'PY'
import html, json, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<pre id="tp-status"[^>]*>(.*?)</pre>', dom, re.S)
if not m or not m.group(1).strip():
    sys.exit("FAIL: the sweep page wrote no status")
st = json.loads(html.unescape(m.group(1)))
print("sweep page status: %s" % json.dumps(st))
errs = []
if st.get("errors") != 0: errs.append("page errors: %s %s" % (st.get("errors"), st.get("error_text")))
if st.get("heat_cells") != 6: errs.append("heatmap cells %s, expected 6 (3 x 2 sets)" % st.get("heat_cells"))
if st.get("charts", 0) < 1: errs.append("no equity chart drawn")
if st.get("equity_points") != 3: errs.append("best-set equity points %s, expected 3 days" % st.get("equity_points"))
if st.get("oos_points") != 1: errs.append("out-of-sample points %s, expected 1 (train 2, test 1 on 3 days)" % st.get("oos_points"))
if "walk-forward" not in dom.lower(): errs.append("no walk-forward table")
if errs:
    sys.exit("FAIL: " + "; ".join(errs))
PY
echo "html_report_test: ok"
