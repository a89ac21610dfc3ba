// The strategy's rules as pure functions (SPEC §4), table-driven: opening range, entry
// signal, FIFO lot assignment, the one chase of entries and exits, and the exit rules
// (initial, trailing, protective, take profit, stop hit, slippage). Every expected value
// is derived by hand in the row's comment.
#include <gtest/gtest.h>

#include "tp/engine/strategy/chase.hpp"
#include "tp/engine/strategy/entry_signal.hpp"
#include "tp/engine/strategy/exit_rules.hpp"
#include "tp/engine/strategy/lot_assignment.hpp"
#include "tp/engine/strategy/opening_range.hpp"

namespace tp {
namespace {

constexpr PosSide L = PosSide::Long;
constexpr PosSide S = PosSide::Short;

// ------------------------------------------------------------------ opening range

TEST(OpeningRangeRule, HighLowAndOpeningOfTheWindowTrades) {
  OpeningRange r;
  EXPECT_FALSE(r.has_trade);
  for (int64_t p : {17480, 17490, 17470, 17485}) r.add_trade(Price{p});
  EXPECT_EQ(r.high, Price{17490});
  EXPECT_EQ(r.low, Price{17470});
  EXPECT_EQ(r.opening, Price{17480});  // the first trade
  EXPECT_EQ(r.width(), Ticks{20});
  EXPECT_FALSE(r.too_wide(Ticks{20}));  // equal to max is allowed
  EXPECT_TRUE(r.too_wide(Ticks{19}));
  EXPECT_FALSE(r.too_wide(Ticks{0}));  // 0 = filter off
}

TEST(OpeningRangeRule, WindowIsHalfOpen) {
  constexpr int64_t s = (8 * 3600 + 45 * 60) * kNsPerSec, e = (8 * 3600 + 47 * 60) * kNsPerSec;
  EXPECT_FALSE(in_range_window(s - 1, s, e));
  EXPECT_TRUE(in_range_window(s, s, e));
  EXPECT_TRUE(in_range_window(e - 1, s, e));
  EXPECT_FALSE(in_range_window(e, s, e));  // a trade exactly at range_end is not in the range
}

// ------------------------------------------------------------------ entry signal

struct BreakoutRow {
  int64_t p;
  DirectionMode mode;
  Breakout want;
};

TEST(EntrySignalRule, StrictlyBeyondTheRangeAfterTheDirectionFilter) {
  // range 17470..17490
  const BreakoutRow rows[] = {
      {17491, DirectionMode::Both, Breakout::Long},       {17490, DirectionMode::Both, Breakout::None},
      {17470, DirectionMode::Both, Breakout::None},       {17469, DirectionMode::Both, Breakout::Short},
      {17491, DirectionMode::ShortOnly, Breakout::None},  {17469, DirectionMode::ShortOnly, Breakout::Short},
      {17469, DirectionMode::LongOnly, Breakout::None},   {17491, DirectionMode::LongOnly, Breakout::Long},
  };
  for (const BreakoutRow& r : rows) {
    SCOPED_TRACE(r.p);
    EXPECT_EQ(breakout(Price{r.p}, Price{17490}, Price{17470}, r.mode), r.want);
  }
  EXPECT_TRUE(inside_range(Price{17470}, Price{17490}, Price{17470}));
  EXPECT_TRUE(inside_range(Price{17490}, Price{17490}, Price{17470}));
  EXPECT_FALSE(inside_range(Price{17491}, Price{17490}, Price{17470}));
  // Zero-width range (limit-up day 18902): nothing is strictly beyond it at 18902.
  EXPECT_EQ(breakout(Price{18902}, Price{18902}, Price{18902}, DirectionMode::Both), Breakout::None);
}

// ------------------------------------------------------------------ lot assignment

TEST(LotAssignmentRule, FifoRuleAndGroupByFillIndex) {
  // 2 groups x 3 lots from first group 7: rules 1,2,3,1,2,3 in groups 7,7,7,8,8,8.
  const LotSlot want[] = {{1, 7}, {2, 7}, {3, 7}, {1, 8}, {2, 8}, {3, 8}};
  for (int i = 0; i < 6; ++i) {
    SCOPED_TRACE(i);
    const LotSlot got = fifo_slot(i, 3, 7);
    EXPECT_EQ(got.rule, want[i].rule);
    EXPECT_EQ(got.group, want[i].group);
  }
  // 3 groups x 1 lot: every lot is rule 1 of its own group.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(fifo_slot(i, 1, 1).group, static_cast<uint32_t>(1 + i));
}

TEST(LotAssignmentRule, GroupIdsAreRefusedBeforeTheyWrap) {
  EXPECT_TRUE(group_ids_left(1, 5));
  EXPECT_TRUE(group_ids_left(65'536, 5)) << "past 16 bits";
  EXPECT_TRUE(group_ids_left(kMaxGroupId, 1));
  EXPECT_FALSE(group_ids_left(kMaxGroupId, 2));
  EXPECT_FALSE(group_ids_left(kMaxGroupId + 1, 1));
  EXPECT_FALSE(group_ids_left(0, 1)) << "0 is never a group id";
}

// ------------------------------------------------------------------ chase

struct ChaseRow {
  const char* what;
  bool started;
  int last_n;
  int64_t elapsed_ms;  ///< now - window start
  Side side;
  int64_t bid, ask;
  ChaseEvent verdict;
  int64_t px;
  int n;
};

TEST(ChaseRule, NextOrderOfAChase) {
  // Limits: 5 retries, 5 ticks of slippage, 30 s. First price 17500 (a buy at ask 17500, a
  // sell at bid 17500).
  const ChaseLimits lim{5, Ticks{5}, 30'000 * kNsPerMs};
  const ChaseRow rows[] = {
      {"first buy at the ask", false, 0, 0, Side::Buy, 17499, 17500, ChaseEvent::Resend, 17500, 0},
      {"first sell at the bid", false, 0, 0, Side::Sell, 17500, 17501, ChaseEvent::Resend, 17500, 0},
      {"retry 1: ask + 1", true, 0, 5, Side::Buy, 17499, 17500, ChaseEvent::Resend, 17501, 1},
      {"retry 3: bid - 3", true, 2, 5, Side::Sell, 17500, 17501, ChaseEvent::Resend, 17497, 3},
      {"retry 5 at +5 is allowed", true, 4, 5, Side::Buy, 17499, 17500, ChaseEvent::Resend, 17505, 5},
      {"retry 6 > 5 retries", true, 5, 5, Side::Buy, 17499, 17500, ChaseEvent::GiveUpRetries, 0, 6},
      {"29.999 s: still chasing", true, 0, 29'999, Side::Buy, 17499, 17500, ChaseEvent::Resend, 17501, 1},
      {"30 s after the window start", true, 0, 30'000, Side::Buy, 17499, 17500, ChaseEvent::GiveUpTimeout, 0, 1},
      {"ask moved to 17503: 17504 is 4 away", true, 0, 5, Side::Buy, 17502, 17503, ChaseEvent::Resend, 17504, 1},
      {"ask moved to 17504: 17506 is 6 away", true, 1, 5, Side::Buy, 17503, 17504, ChaseEvent::GiveUpSlippage, 17506,
       2},
      {"the current quote, not the first: sell", true, 0, 5, Side::Sell, 17490, 17491, ChaseEvent::GiveUpSlippage,
       17489, 1},
  };
  for (const ChaseRow& r : rows) {
    SCOPED_TRACE(r.what);
    ChaseState c;
    c.started = r.started;
    c.n = static_cast<uint8_t>(r.last_n);
    c.first_px = Price{17500};
    c.window_start = TimeNs{1'000'000'000};
    const ChaseOrder o = next_chase_order(c, r.side, Price{r.bid}, Price{r.ask},
                                          TimeNs{1'000'000'000 + r.elapsed_ms * kNsPerMs}, lim);
    EXPECT_EQ(o.verdict, r.verdict);
    EXPECT_EQ(o.n, r.n);
    if (r.verdict == ChaseEvent::Resend || r.verdict == ChaseEvent::GiveUpSlippage) {
      EXPECT_EQ(o.px, Price{r.px});
    }
  }
}

TEST(ChaseRule, SentRecordsTheFirstOrderAndEachRetry) {
  ChaseState c;
  c.due = true;
  c.stale_held = true;
  const ChaseLimits lim{5, Ticks{5}, 30'000 * kNsPerMs};
  ChaseOrder o = next_chase_order(c, Side::Buy, Price{17499}, Price{17500}, TimeNs{100}, lim);
  chase_sent(c, o, TimeNs{50});  // entry lot: the window started at the entry's first send
  EXPECT_TRUE(c.started);
  EXPECT_FALSE(c.due);
  EXPECT_FALSE(c.stale_held);
  EXPECT_EQ(c.first_px, Price{17500});
  EXPECT_EQ(c.window_start, TimeNs{50});
  o = next_chase_order(c, Side::Buy, Price{17500}, Price{17501}, TimeNs{200}, lim);
  chase_sent(c, o, TimeNs{200});
  EXPECT_EQ(c.n, 1);
  EXPECT_EQ(c.first_px, Price{17500}) << "a retry keeps the first price";
  EXPECT_EQ(c.window_start, TimeNs{50}) << "and the window";
  chase_restart(c);
  EXPECT_FALSE(c.started);
  EXPECT_TRUE(c.due);
  EXPECT_EQ(next_chase_order(c, Side::Buy, Price{17510}, Price{17511}, TimeNs{300}, lim).n, 0);
}

// ------------------------------------------------------------------ exit rules

struct StopRow {
  InitialStopMode mode;
  PosSide side;
  int64_t want;
};

TEST(ExitRules, InitialStopByMode) {
  // Range 17470..17491 (odd sum 34961), opening 17480, entry 17500, fixed 10.
  const RangeLevels r{Price{17491}, Price{17470}, Price{17480}};
  const StopRow rows[] = {
      {InitialStopMode::RangeBoundary, L, 17470}, {InitialStopMode::RangeBoundary, S, 17491},
      {InitialStopMode::RangeMid, L, 17480},      // floor(34961 / 2)
      {InitialStopMode::RangeMid, S, 17481},      // ceil(34961 / 2): away from the short entry
      {InitialStopMode::FixedPoints, L, 17490},   {InitialStopMode::FixedPoints, S, 17510},
      {InitialStopMode::OpeningPrice, L, 17480},  {InitialStopMode::OpeningPrice, S, 17480},
  };
  for (const StopRow& row : rows) {
    SCOPED_TRACE(static_cast<int>(row.mode) * 10 + static_cast<int>(row.side));
    EXPECT_EQ(initial_stop(row.mode, row.side, r, Price{17500}, Ticks{10}), Price{row.want});
  }
}

struct TrailRow {
  PosSide side;
  int64_t entry, peak;
  int64_t pullback_ppm;
  bool armed;  ///< activation 15
  int64_t stop;
};

TEST(ExitRules, TrailingStopFromThePeak) {
  const TrailRow rows[] = {
      {L, 17500, 17514, 100'000, false, 0},      // +14 < 15
      {L, 17500, 17515, 100'000, true, 17513},   // 17515 - ceil(1.5)
      {L, 17500, 17530, 100'000, true, 17527},   // 17530 - ceil(3.0)
      {L, 17500, 17541, 100'000, true, 17536},   // 17541 - ceil(4.1)
      {L, 17500, 17541, 200'000, true, 17532},   // 17541 - ceil(8.2)
      {S, 17460, 17445, 100'000, true, 17447},   // 17445 + ceil(1.5)
      {S, 17460, 17446, 100'000, false, 0},      // +14
  };
  for (const TrailRow& r : rows) {
    SCOPED_TRACE(r.peak);
    EXPECT_EQ(trailing_armed(r.side, Price{r.entry}, Price{r.peak}, Ticks{15}), r.armed);
    if (r.armed) {
      EXPECT_EQ(trailing_stop(r.side, Price{r.entry}, Price{r.peak}, r.pullback_ppm), Price{r.stop});
    }
  }
}

TEST(ExitRules, ProtectiveStopIsFundedByTheGroupsProfit) {
  // Lot 1 took +12: lot 2 (multiplier 2.0) gets entry -/+ ceil(12 x 2.0) = 24.
  EXPECT_EQ(protective_stop(L, Price{17500}, 12, 2'000'000), Price{17476});
  EXPECT_EQ(protective_stop(S, Price{17460}, 12, 2'000'000), Price{17484});
  // A fractional multiplier rounds the distance up: ceil(13 x 1.5) = ceil(19.5) = 20.
  EXPECT_EQ(protective_stop(L, Price{17500}, 13, 1'500'000), Price{17480});
}

TEST(ExitRules, TakeProfitAndStopHit) {
  EXPECT_FALSE(take_profit_hit(L, Price{17500}, Ticks{20}, Price{17519}));
  EXPECT_TRUE(take_profit_hit(L, Price{17500}, Ticks{20}, Price{17520}));
  EXPECT_TRUE(take_profit_hit(S, Price{17500}, Ticks{20}, Price{17480}));
  EXPECT_FALSE(take_profit_hit(S, Price{17500}, Ticks{20}, Price{17481}));
  EXPECT_TRUE(stop_hit(L, Price{17470}, Price{17470}));  // at the stop
  EXPECT_FALSE(stop_hit(L, Price{17470}, Price{17471}));
  EXPECT_TRUE(stop_hit(S, Price{17491}, Price{17491}));
  EXPECT_FALSE(stop_hit(S, Price{17491}, Price{17490}));
  EXPECT_EQ(stop_reason(kPosTrailingActive | kPosProtectiveActive), ExitReason::TrailingStop);
  EXPECT_EQ(stop_reason(kPosProtectiveActive), ExitReason::ProtectiveStop);
  EXPECT_EQ(stop_reason(0), ExitReason::InitialStop);
  EXPECT_TRUE(is_stop_exit(ExitReason::ProtectiveStop));
  EXPECT_FALSE(is_stop_exit(ExitReason::EndOfDay));
  EXPECT_TRUE(is_profit_exit(ExitReason::TrailingStop));
  EXPECT_FALSE(is_profit_exit(ExitReason::InitialStop));
}

TEST(ExitRules, SlippageIsPositiveWhenWorse) {
  // A stop exit of a LONG at stop 17457 filled 18 points through it: 18 worse.
  EXPECT_EQ(slippage(Side::Sell, Price{17457}, Price{17439}), Ticks{18});
  EXPECT_EQ(slippage(Side::Buy, Price{17447}, Price{17449}), Ticks{2});   // SHORT's exit buy
  EXPECT_EQ(slippage(Side::Buy, Price{17500}, Price{17498}), Ticks{-2});  // better
  EXPECT_EQ(lot_pnl(L, Price{17500}, Price{17512}), Ticks{12});
  EXPECT_EQ(lot_pnl(S, Price{17460}, Price{17449}), Ticks{11});
}

}  // namespace
}  // namespace tp
