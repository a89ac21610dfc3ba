// The opening range (SPEC §4): range_high / range_low = highest / lowest trade price
// whose local time of day is in [range_start, range_end) (default 08:45:00-08:47:00, the
// 08:46 and 08:47 one-minute bars); the opening price is the first trade of the window.
//
// Plain data and constexpr functions: no allocation, no blocking, one thread (the
// strategy's).
#pragma once

#include "tp/engine/types.hpp"

namespace tp {

struct OpeningRange {
  Price high;
  Price low;
  Price opening;
  bool has_trade = false;  ///< at least one trade fell in the window

  /// A trade inside the window.
  constexpr void add_trade(Price p) noexcept {
    if (!has_trade) {
      has_trade = true;
      high = low = opening = p;
      return;
    }
    if (p > high) high = p;
    if (p < low) low = p;
  }
  /// Width in ticks (0 for a limit-up day whose every trade is the same price).
  [[nodiscard]] constexpr Ticks width() const noexcept { return high - low; }
  /// Whether `max` (> 0) is exceeded: the range filter skips the day (equal is allowed).
  [[nodiscard]] constexpr bool too_wide(Ticks max) const noexcept { return max.v > 0 && width() > max; }
};

/// Whether local time of day `t_ns` is inside [start_ns, end_ns).
[[nodiscard]] constexpr bool in_range_window(int64_t t_ns, int64_t start_ns, int64_t end_ns) noexcept {
  return t_ns >= start_ns && t_ns < end_ns;
}

}  // namespace tp
