// The bounds of accepted input (input.hpp: kMaxPriceTicks, kMaxQtyLots, kMinEventNs..
// kMaxEventNs; config.hpp: kMaxDurationMs) are what keeps the engine's arithmetic in
// range. These tests replay days at those bounds through the real pipeline (reader,
// feed, tracker, risk, strategy, venue, report): a price swinging between 1 tick and
// kMaxPriceTicks, prints of kMaxQtyLots, the first and the last trading days a reader
// accepts, and every duration and multiplier at its configured maximum. Under the
// ASan+UBSan build (scripts/test.sh) any signed overflow aborts the test.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "input_test_util.hpp"
#include "tp/app/replay.hpp"
#include "tp/engine/input/readers.hpp"
#include "tp/engine/instrument.hpp"

namespace tp {
namespace {

constexpr int64_t kTaipei = 8 * 3600 * kNsPerSec;
__extension__ typedef __int128 i128;

/// Appends one trade line per second of [from_s, to_s) local time on `date`, the price
/// moving linearly from `p0` to `p1` ticks, each of `qty` lots.
void trades(std::string& out, int32_t date, int32_t from_s, int32_t to_s, int64_t p0, int64_t p1,
            int32_t qty) {
  for (int32_t s = from_s; s < to_s; ++s) {
    TimeNs t;
    ASSERT_TRUE(make_time(date, s, 0, kTaipei, t));
    const i128 num = static_cast<i128>(p1 - p0) * (s - from_s);
    const int64_t px = p0 + static_cast<int64_t>(num / (to_s - from_s > 1 ? to_s - from_s - 1 : 1));
    out += "{\"type\":\"trade\",\"ts_ns\":" + std::to_string(t.ns) + ",\"symbol\":\"MTX\",\"price\":\"" +
           std::to_string(px) + "\",\"qty\":" + std::to_string(qty) + "}\n";
  }
}

constexpr int32_t hms(int h, int m, int s = 0) { return h * 3600 + m * 60 + s; }

/// A day that opens at `open`, ranges +/- `width` ticks for the opening range, breaks out
/// to `peak` and then runs to `end` (every print of `qty` lots).
std::string day(int32_t date, int64_t open, int64_t width, int64_t peak, int64_t end, int32_t qty) {
  std::string out;
  trades(out, date, hms(8, 45), hms(8, 46), open, open + width, qty);
  trades(out, date, hms(8, 46), hms(8, 47), open + width, open - width, qty);
  trades(out, date, hms(8, 47), hms(9, 0), open - width, peak, qty);
  trades(out, date, hms(9, 0), hms(9, 30), peak, end, qty);
  trades(out, date, hms(9, 30), hms(13, 45, 1), end, end, qty);
  return out;
}

class BoundsReplay : public ::testing::Test {
 protected:
  /// Writes the days and a configuration with every limit at its maximum, replays them
  /// with the price band off (so that prices may span 1..kMaxPriceTicks in one day).
  app::ReplayResult replay(const std::string& ticks, const std::string& config) {
    data_.write(ticks);
    cfg_.write(config);
    app::ReplayOptions ro;
    ro.data = {data_.path()};
    ro.config_path = cfg_.path();
    ro.persist = false;
    ro.read.price_band_pct = 0;
    ro.pipeline.layout = Layout::Inline;
    app::ReplayResult r = app::run_replay(ro);
    // The reports format every figure (PnL in points and currency, drawdown, slippage).
    EXPECT_FALSE(app::format_report(r).empty());
    if (std::getenv("TP_BOUNDS_VERBOSE")) std::printf("%s", app::format_report(r).c_str());
    EXPECT_FALSE(app::format_report_json(r).empty());
    return r;
  }

  /// Every limit at its maximum; `latency_ms` and `spread_ticks` as given (at their
  /// maxima, 60000 ms and 1000000 ticks, an entry on a fast move never fills).
  static std::string max_config(const char* direction, int latency_ms = 60'000,
                                int spread_ticks = 1'000'000) {
    return std::string("[strategy]\ngroups = 5\nlots_per_group = 3\ndirection = \"") + direction +
           "\"\n"
           "max_quote_age_ms = 86400000\n"
           "[strategy.chase]\nmax_duration_ms = 86400000\nmax_retries = 20\n"
           "[[strategy.rules]]\nprotective_multiplier = 100\n"
           "[[strategy.rules]]\nprotective_multiplier = 100\n"
           "[[strategy.rules]]\nprotective_multiplier = 100\n"
           "[risk]\nprice_band_points = 0\nmax_position_lots = 0\nmax_order_lots = 0\n"
           "max_orders_per_sec = 0\n"
           "[venue]\nlatency_ms = " + std::to_string(latency_ms) + "\n" +
           "[tick_rule]\nspread_ticks = " + std::to_string(spread_ticks) + "\nsize_from_trade = true\n";
  }

  testing::TempFile data_{"bounds.jsonl"};
  testing::TempFile cfg_{"bounds.toml"};
};

void expect_consistent_lots(const app::ReplayResult& r) {
  ASSERT_FALSE(r.lots.empty()) << "the day must trade for the arithmetic to be exercised";
  for (const LotResult& l : r.lots) {
    if (l.state != PositionState::Closed) continue;
    const int64_t diff = l.exit_px.ticks - l.entry_px.ticks;
    EXPECT_EQ(l.pnl.v, l.side == PosSide::Long ? diff : -diff);
    EXPECT_GE(l.entry_px.ticks, 1);
    EXPECT_LE(l.entry_px.ticks, kMaxPriceTicks);
  }
}

TEST_F(BoundsReplay, LongAtTheMaximumPriceOnTheLastDayThenACrashToOneTick) {
  // 2099-12-31 (a Thursday) is the last trading day a reader accepts.
  const app::ReplayResult r =
      replay(day(20991231, kMaxPriceTicks - 10'000, 1'000, kMaxPriceTicks, 1, kMaxQtyLots),
             max_config("LONG_ONLY", 5, 1));
  EXPECT_EQ(r.input.skipped, 0u);
  expect_consistent_lots(r);
  // Filled near kMaxPriceTicks, stopped out in the crash (over half a million ticks a
  // second) at a loss.
  ASSERT_EQ(r.lots.size(), 15u);
  EXPECT_GT(r.lots[0].entry_px.ticks, kMaxPriceTicks - 20'000);
  EXPECT_LT(r.lots[0].pnl.v, -100'000);
}

TEST_F(BoundsReplay, ShortAtOneTickOnTheFirstDayThenARallyToTheMaximum) {
  // 1990-01-02 is the first weekday a reader accepts; the day session opens at 20 ticks,
  // breaks down to 1 tick (no synthetic bid there) and rallies to kMaxPriceTicks.
  const app::ReplayResult r = replay(day(19900102, 20, 2, 1, kMaxPriceTicks, kMaxQtyLots), max_config("SHORT_ONLY"));
  EXPECT_EQ(r.input.skipped, 0u);
  expect_consistent_lots(r);
  ASSERT_EQ(r.lots.size(), 15u);
  EXPECT_LT(r.lots[0].pnl.v, -kMaxPriceTicks / 2) << "sold near 15 ticks, bought back near the maximum";
}

TEST_F(BoundsReplay, BothDaysInOneRun) {
  const app::ReplayResult r =
      replay(day(19900102, 20, 2, 1, kMaxPriceTicks, kMaxQtyLots) +
                 day(20991231, kMaxPriceTicks - 10'000, 1'000, kMaxPriceTicks, 1, kMaxQtyLots),
             max_config("BOTH"));
  EXPECT_EQ(r.days.size(), 2u);
  expect_consistent_lots(r);
}

TEST(InputBounds, OnePastEachBoundIsRefused) {
  const Instrument inst = testing::mtx();
  ReadOptions off;
  off.price_band_pct = 0;
  TimeNs last;
  ASSERT_TRUE(make_time(20991231, hms(23, 59, 59), 999'999'999, 0, last));
  EXPECT_EQ(last.ns, kMaxEventNs - 1);
  const auto line = [](int64_t ts, int64_t px, int64_t qty) {
    return "{\"type\":\"trade\",\"ts_ns\":" + std::to_string(ts) + ",\"symbol\":\"MTX\",\"price\":\"" +
           std::to_string(px) + "\",\"qty\":" + std::to_string(qty) + "}\n";
  };
  // At the bounds: accepted.
  const TickData ok = read_jsonl("b.jsonl",
                                 line(kMinEventNs, 1, kMaxQtyLots) + line(kMaxEventNs - 1, kMaxPriceTicks, 1),
                                 inst, off);
  ASSERT_EQ(ok.events.size(), 2u);
  EXPECT_EQ(ok.events[1].last, Price{kMaxPriceTicks});
  // One past: refused, naming the field.
  const auto field_of = [&](const std::string& text) {
    try {
      (void)read_jsonl("b.jsonl", text, inst, off);
    } catch (const InputError& e) {
      return e.field();
    }
    return std::string("(accepted)");
  };
  EXPECT_EQ(field_of(line(kMinEventNs - 1, 17473, 1)), "ts_ns");
  EXPECT_EQ(field_of(line(kMaxEventNs, 17473, 1)), "ts_ns");
  EXPECT_EQ(field_of(line(kMinEventNs, 0, 1)), "price");
  EXPECT_EQ(field_of(line(kMinEventNs, kMaxPriceTicks + 1, 1)), "price");
  EXPECT_EQ(field_of(line(kMinEventNs, 17473, kMaxQtyLots + 1)), "qty");
}

}  // namespace
}  // namespace tp
