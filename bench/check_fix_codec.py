#!/usr/bin/env python3
"""The FIX codec's CI check (issue: live over FIX, item 5): runs bench/fix_codec_bench
briefly and compares, within that one run, tickpipe's codec with QuickFIX's for encoding a
NewOrderSingle and decoding an ExecutionReport. Fails when ours is not at least
--min-ratio times faster per message (the goal is 10x; CI machines are shared and noisy,
so the CI bound is looser) or allocates on the hot path (allocs/msg must be 0)."""
import argparse
import json
import subprocess
import sys
import tempfile

ap = argparse.ArgumentParser()
ap.add_argument("--bench", default="build/bench/fix_codec_bench")
ap.add_argument("--min-ratio", type=float, default=5.0)
ap.add_argument("--min-time", default="0.1")
a = ap.parse_args()

with tempfile.NamedTemporaryFile(suffix=".json") as tmp:
    subprocess.run([a.bench, f"--benchmark_out={tmp.name}", "--benchmark_out_format=json",
                    f"--benchmark_min_time={a.min_time}"], check=True, stdout=subprocess.DEVNULL)
    rows = {b["name"]: b for b in json.load(open(tmp.name))["benchmarks"]}
ok = True
for what, ours, peer in (("encode NewOrderSingle", "BM_EncodeNewOrderSingle_Tp", "BM_EncodeNewOrderSingle_QuickFix"),
                         ("decode ExecutionReport", "BM_DecodeExecutionReport_Tp", "BM_DecodeExecutionReport_QuickFix")):
    o, p = rows[ours], rows[peer]
    ratio = p["cpu_time"] / o["cpu_time"]
    allocs = o.get("allocs/msg", 0.0)
    good = ratio >= a.min_ratio and allocs == 0
    ok &= good
    print(f"{what}: tickpipe {o['cpu_time']:.0f} ns ({allocs:g} allocs/msg), QuickFIX {p['cpu_time']:.0f} ns "
          f"({p.get('allocs/msg', 0.0):g} allocs/msg): {ratio:.1f}x {'ok' if good else 'REGRESSION'} "
          f"(need >= {a.min_ratio:g}x and 0 allocs)")
sys.exit(0 if ok else 1)
