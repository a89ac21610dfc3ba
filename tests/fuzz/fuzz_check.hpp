// What the fuzz targets check on every input (tests/fuzz/README.md): a reader either
// throws InputError or returns events that satisfy every documented bound. Anything
// else - a crash, a sanitizer report, another exception, an event out of bounds - is a
// finding. Header-only; used by the fuzz_*.cpp targets.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <span>

#include "tp/engine/input/readers.hpp"
#include "tp/engine/instrument.hpp"

namespace tp::fuzz {

/// Aborts (a libFuzzer finding) with `what` and the event index.
[[noreturn]] inline void finding(const char* what, std::size_t i) {
  std::fprintf(stderr, "fuzz finding: %s (event %zu)\n", what, i);
  std::abort();
}

inline bool price_ok(Price p) noexcept { return p.ticks >= 1 && p.ticks <= kMaxPriceTicks; }
inline bool qty_ok(Qty q) noexcept { return q.lots >= 1 && q.lots <= kMaxQtyLots; }

/// The invariants of accepted events (docs/FORMATS.md "Validation").
inline void check_events(std::span<const InputEvent> ev, const Instrument& inst, const ReadOptions& opt) {
  for (std::size_t i = 0; i < ev.size(); ++i) {
    const InputEvent& e = ev[i];
    if (e.ts.ns < kMinEventNs || e.ts.ns >= kMaxEventNs) finding("event time out of bounds", i);
    if (i > 0 && e.ts < ev[i - 1].ts) finding("events out of time order", i);
    if (e.day != trading_day_of(e.ts, inst.utc_offset_ns, opt.hours)) finding("day disagrees with ts", i);
    if (e.session != session_of(e.ts, inst.utc_offset_ns, opt.hours)) finding("session disagrees with ts", i);
    if ((e.flags & kInTrade) && (!price_ok(e.last) || !qty_ok(e.last_qty))) finding("trade out of bounds", i);
    if (e.bid_levels > kMaxLevels || e.ask_levels > kMaxLevels) finding("too many levels", i);
    for (int k = 0; k < e.bid_levels && k < kMaxLevels; ++k) {
      if (!price_ok(e.bid_px[k]) || !qty_ok(e.bid_qty[k])) finding("bid level out of bounds", i);
      if (k > 0 && e.bid_px[k] >= e.bid_px[k - 1]) finding("bids not descending", i);
    }
    for (int k = 0; k < e.ask_levels && k < kMaxLevels; ++k) {
      if (!price_ok(e.ask_px[k]) || !qty_ok(e.ask_qty[k])) finding("ask level out of bounds", i);
      if (k > 0 && e.ask_px[k] <= e.ask_px[k - 1]) finding("asks not ascending", i);
    }
    if (e.bid_levels > 0 && e.ask_levels > 0 && e.bid_px[0] >= e.ask_px[0]) finding("crossed book", i);
  }
}

/// The read options every target tries: the defaults (stop at the first bad line), the
/// defaults with skip-bad, and skip-bad with the band off and a synthetic book of the
/// trade's size.
inline ReadOptions options(int which) {
  ReadOptions o;
  o.symbol = "MTX";
  if (which == 1) o.skip_bad = true;
  if (which == 2) {
    o.skip_bad = true;
    o.price_band_pct = 0;
    o.tick_rule.size_from_trade = true;
    o.tick_rule.spread_ticks = 3;
  }
  return o;
}

inline Instrument mtx() {
  Instrument i;
  (void)builtin_instrument("MTX", i);
  return i;
}

/// Runs `read` (returns TickData) with each option set and checks the result; a file
/// that reads without an error must read the same with skip-bad (nothing skipped).
template <class Read>
void run(Read&& read) {
  static const Instrument inst = mtx();
  bool clean = false;
  std::size_t clean_events = 0;
  for (int which = 0; which < 3; ++which) {
    const ReadOptions opt = options(which);
    try {
      const TickData td = read(inst, opt);
      check_events(td.events, inst, opt);
      if (td.stats.events != td.events.size()) finding("stats.events differs from the events", 0);
      if (!opt.skip_bad && td.stats.skipped != 0) finding("lines skipped without skip_bad", 0);
      if (which == 0) {
        clean = true;
        clean_events = td.events.size();
      }
      if (which == 1 && clean && (td.stats.skipped != 0 || td.events.size() != clean_events)) {
        finding("skip-bad reads a clean file differently", 0);
      }
    } catch (const InputError&) {
      // bad input, reported: fine (but a clean file must not fail with skip-bad)
      if (which == 1 && clean) finding("skip-bad rejects a clean file", 0);
    }
  }
}

}  // namespace tp::fuzz
