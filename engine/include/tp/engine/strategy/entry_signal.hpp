// The entry signal (SPEC §4 "Entry"): after the opening-range window, the first trade
// strictly above range_high is a LONG breakout, strictly below range_low a SHORT one;
// the direction mode drops the other side. The frequency, PnL filters, entry window and
// re-arming after a refused entry are applied by the strategy (strategy.cpp,
// docs/STRATEGY.md "Entry signal").
//
// Constexpr, no allocation, any thread.
#pragma once

#include "tp/engine/config/config.hpp"
#include "tp/engine/types.hpp"

namespace tp {

enum class Breakout : uint8_t { None = 0, Long = 1, Short = 2 };

/// The breakout a trade at `p` makes against the range, after the direction filter.
[[nodiscard]] constexpr Breakout breakout(Price p, Price range_high, Price range_low, DirectionMode mode) noexcept {
  if (p > range_high) return mode == DirectionMode::ShortOnly ? Breakout::None : Breakout::Long;
  if (p < range_low) return mode == DirectionMode::LongOnly ? Breakout::None : Breakout::Short;
  return Breakout::None;
}

/// Whether a trade is back inside the range (re-arms the signal after a refused entry).
[[nodiscard]] constexpr bool inside_range(Price p, Price range_high, Price range_low) noexcept {
  return p >= range_low && p <= range_high;
}

}  // namespace tp
