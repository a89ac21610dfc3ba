// Helpers shared by the tests that run on the real TAIFEX day (../shared/data, MTX
// front month 202108 of 2021-07-26): the day loaded once per test binary, its morning
// slice, and a field-by-field comparison of input events.
#pragma once

#include <gtest/gtest.h>

#include <span>
#include <string>
#include <vector>

#include "tp/engine/config/config.hpp"
#include "tp/engine/input/readers.hpp"
#include "tp/engine/instrument.hpp"

namespace tp::testing {

inline const std::string kTaifexDay = std::string(TP_SHARED_DIR) + "/data/taifex/Daily_2021_07_26.zip";

/// The MTX 202108 ticks of the TAIFEX day with the default configuration's instrument
/// and tick rule, read once per test binary (the file is 22 MB unzipped).
inline const TickData& taifex_day() {
  static const TickData data = [] {
    ReadOptions ro;
    ro.symbol = "MTX";
    ro.contract = "202108";
    return read_ticks(kTaifexDay, default_config().instrument, ro);
  }();
  return data;
}

/// 08:44 - 10:30 local of the TAIFEX day: the opening range, the entry and every exit,
/// for the slower threaded and sanitizer runs. Built once.
inline const std::vector<InputEvent>& morning_slice() {
  static const std::vector<InputEvent> slice = [] {
    TimeNs from, to;
    make_time(20210726, 8 * 3600 + 44 * 60, 0, 8 * 3600 * kNsPerSec, from);
    make_time(20210726, 10 * 3600 + 30 * 60, 0, 8 * 3600 * kNsPerSec, to);
    std::vector<InputEvent> v;
    for (const InputEvent& e : taifex_day().events) {
      if (e.ts >= from && e.ts < to) v.push_back(e);
    }
    return v;
  }();
  return slice;
}

/// Which fields expect_same_events compares beyond those a replay depends on.
struct EventFields {
  bool source_line = false;    ///< InputEvent::line (diagnostics only)
  bool unused_levels = false;  ///< book levels past bid_levels / ask_levels
};

/// Asserts that `a` and `b` hold the same events: time, day, session, flags, trade and
/// the valid book levels, plus what `also` asks for. Stops at the first difference.
inline void expect_same_events(std::span<const InputEvent> a, std::span<const InputEvent> b,
                               EventFields also = {}) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    const InputEvent& x = a[i];
    const InputEvent& y = b[i];
    ASSERT_EQ(x.ts, y.ts) << i;
    ASSERT_EQ(x.day, y.day) << i;
    if (also.source_line) {
      ASSERT_EQ(x.line, y.line) << i;
    }
    ASSERT_EQ(x.session, y.session) << i;
    ASSERT_EQ(x.flags, y.flags) << i;
    ASSERT_EQ(x.last, y.last) << i;
    ASSERT_EQ(x.last_qty, y.last_qty) << i;
    ASSERT_EQ(x.bid_levels, y.bid_levels) << i;
    ASSERT_EQ(x.ask_levels, y.ask_levels) << i;
    const int bids = also.unused_levels ? kMaxLevels : x.bid_levels;
    const int asks = also.unused_levels ? kMaxLevels : x.ask_levels;
    for (int k = 0; k < bids; ++k) {
      ASSERT_EQ(x.bid_px[k], y.bid_px[k]) << i;
      ASSERT_EQ(x.bid_qty[k], y.bid_qty[k]) << i;
    }
    for (int k = 0; k < asks; ++k) {
      ASSERT_EQ(x.ask_px[k], y.ask_px[k]) << i;
      ASSERT_EQ(x.ask_qty[k], y.ask_qty[k]) << i;
    }
  }
}

}  // namespace tp::testing
