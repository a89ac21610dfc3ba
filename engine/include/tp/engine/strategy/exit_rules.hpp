// The exit rules of one lot (SPEC §4), as pure functions of prices in ticks.
//
// LONG is described; SHORT is the mirror (peak = lowest trade, stops above the entry,
// a trade at or above the stop exits). Fractions (pullback, protective multiplier) are
// integer parts per million so that no floating point runs per tick.
//
//   initial stop     range boundary / range midpoint / fixed points / opening price
//   trailing stop    once peak >= entry + activation: stop = peak - ceil((peak - entry) * pullback)
//   protective stop  lot k of a group took profit: lot k+1 gets entry - ceil(P * m), P > 0 the
//                    group's realized points ("profit-funded risk")
//   take profit      a rule with fixed_tp: exit when a trade reaches entry + tp
//   stop hit         a trade at or through the stop
//   end of day       every lot still open at flatten_time (the caller's clock, strategy.cpp)
//
// All functions: constexpr, no allocation, no blocking, any thread. Inputs are bounded
// by the readers and the config (prices and distances far below 2^40 ticks, ppm <= 1e7),
// so no product here overflows int64.
#pragma once

#include <cstdint>

#include "tp/engine/config/config.hpp"
#include "tp/engine/journal.hpp"
#include "tp/engine/types.hpp"

namespace tp {

inline constexpr int64_t kPpm = 1'000'000;

/// ceil(x * ppm / 1e6) for x >= 0, ppm >= 0, in integers.
[[nodiscard]] constexpr int64_t ceil_ppm(int64_t x, int64_t ppm) noexcept { return (x * ppm + kPpm - 1) / kPpm; }

/// The opening range and opening price an entry was made from.
struct RangeLevels {
  Price high;
  Price low;
  Price opening;  ///< first trade of the range window
};

/// Initial stop of a lot filled at `entry_px` (SPEC §4 "Initial stop").
/// RangeMid: LONG floor((hi + lo) / 2), SHORT ceil((hi + lo) / 2): an odd sum rounds away
/// from the entry.
[[nodiscard]] constexpr Price initial_stop(InitialStopMode mode, PosSide side, const RangeLevels& r,
                                           Price entry_px, Ticks fixed) noexcept {
  const bool lng = side == PosSide::Long;
  switch (mode) {
    case InitialStopMode::RangeMid: {
      const int64_t sum = r.high.ticks + r.low.ticks;
      const int64_t floor_half = sum >= 0 ? sum / 2 : -((-sum + 1) / 2);
      const int64_t ceil_half = sum >= 0 ? (sum + 1) / 2 : -((-sum) / 2);
      return Price{lng ? floor_half : ceil_half};
    }
    case InitialStopMode::FixedPoints:
      return lng ? entry_px - fixed : entry_px + fixed;
    case InitialStopMode::OpeningPrice:
      return r.opening;
    case InitialStopMode::RangeBoundary:
      break;
  }
  return lng ? r.low : r.high;
}

/// Favourable excursion of `peak` from the entry, in ticks (>= 0 once peak is the best price).
[[nodiscard]] constexpr int64_t gain_ticks(PosSide side, Price entry_px, Price peak) noexcept {
  return side == PosSide::Long ? (peak - entry_px).v : (entry_px - peak).v;
}

/// Whether the trailing stop is armed: peak at least `activation` ticks beyond the entry.
[[nodiscard]] constexpr bool trailing_armed(PosSide side, Price entry_px, Price peak, Ticks activation) noexcept {
  return gain_ticks(side, entry_px, peak) >= activation.v;
}

/// Trailing stop of an armed lot: peak - ceil((peak - entry) * pullback) (LONG). For
/// integer trade prices this is exactly "exit when trade <= peak - (peak - entry) * pullback",
/// and it never moves back as the peak advances.
[[nodiscard]] constexpr Price trailing_stop(PosSide side, Price entry_px, Price peak, int64_t pullback_ppm) noexcept {
  const Ticks give{ceil_ppm(gain_ticks(side, entry_px, peak), pullback_ppm)};
  return side == PosSide::Long ? peak - give : peak + give;
}

/// Protective stop of lot k+1 once lot k of its group took profit: entry - ceil(P * m)
/// (LONG), entry + ceil(P * m) (SHORT); P = the group's realized profit in ticks, which
/// must be > 0 (otherwise there is no profit to fund the risk: the caller leaves the stop).
[[nodiscard]] constexpr Price protective_stop(PosSide side, Price entry_px, int64_t group_profit_ticks,
                                              int64_t multiplier_ppm) noexcept {
  const Ticks d{ceil_ppm(group_profit_ticks, multiplier_ppm)};
  return side == PosSide::Long ? entry_px - d : entry_px + d;
}

/// A fixed take profit is reached: trade >= entry + tp (LONG).
[[nodiscard]] constexpr bool take_profit_hit(PosSide side, Price entry_px, Ticks tp, Price trade) noexcept {
  return side == PosSide::Long ? trade >= entry_px + tp : trade <= entry_px - tp;
}

/// A stop is hit: trade <= stop (LONG), trade >= stop (SHORT).
[[nodiscard]] constexpr bool stop_hit(PosSide side, Price stop, Price trade) noexcept {
  return side == PosSide::Long ? trade <= stop : trade >= stop;
}

/// The reason of a stop exit from the lot's flags: trailing, else protective, else initial.
[[nodiscard]] constexpr ExitReason stop_reason(uint8_t flags) noexcept {
  return (flags & kPosTrailingActive) != 0     ? ExitReason::TrailingStop
         : (flags & kPosProtectiveActive) != 0 ? ExitReason::ProtectiveStop
                                               : ExitReason::InitialStop;
}

/// Whether an exit reason is a stop (its slippage is measured from the stop level,
/// SPEC §4 "PnL and slippage"); the others from the first exit order's limit.
[[nodiscard]] constexpr bool is_stop_exit(ExitReason r) noexcept {
  return r == ExitReason::InitialStop || r == ExitReason::TrailingStop || r == ExitReason::ProtectiveStop;
}

/// Whether an exit reason is a take profit (it funds the next lot's protective stop).
[[nodiscard]] constexpr bool is_profit_exit(ExitReason r) noexcept {
  return r == ExitReason::TrailingStop || r == ExitReason::TakeProfit;
}

/// Slippage of a fill against its decision price, positive = worse (SPEC §4): a buy
/// filled above the reference or a sell filled below it.
[[nodiscard]] constexpr Ticks slippage(Side side, Price reference, Price fill) noexcept {
  return side == Side::Buy ? fill - reference : reference - fill;
}

/// Points won by a lot: exit - entry (LONG), entry - exit (SHORT).
[[nodiscard]] constexpr Ticks lot_pnl(PosSide side, Price entry_px, Price exit_px) noexcept {
  return side == PosSide::Long ? exit_px - entry_px : entry_px - exit_px;
}

}  // namespace tp
