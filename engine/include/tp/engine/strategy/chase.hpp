// The chase of a cancelled FOK order (SPEC §4 "Chase on FOK cancel", "Exit orders"),
// one mechanism for entries and exits.
//
// A chase belongs to one order holder: a lot (one order per lot, the default, and every
// exit) or a whole entry (`order_per_lot = false`). Its first order goes out at the touch
// (ask1 for a buy, bid1 for a sell); each time that holder's order comes back cancelled
// the next one goes out at once at the touch of the *current* quote moved n ticks
// through it (ask1 + n / bid1 - n), n = that holder's own retry number 1..max_retries.
// Holders never wait for one another and no holder skips a retry number.
//
// It gives up (checked in this order when retry n is due):
//   n > max_retries                                   -> GiveUpRetries
//   now - window_start >= max_duration_ns              -> GiveUpTimeout
//   |price of retry n - price of its first order| > max_slippage -> GiveUpSlippage
// The window starts at the entry's first send for an entry lot, and at the exit's first
// send for an exit.
//
// Pure functions and plain data: no allocation, no blocking, any thread.
#pragma once

#include <cstdint>

#include "tp/engine/journal.hpp"
#include "tp/engine/types.hpp"

namespace tp {

/// The limits of every chase (config strategy.chase, resolved to ticks and ns).
struct ChaseLimits {
  int max_retries = 5;
  Ticks max_slippage;          ///< from the chase's first price, in ticks
  int64_t max_duration_ns = 0; ///< from the window start
};

/// The chase state of one order holder.
struct ChaseState {
  Price first_px;        ///< price of the holder's first order (slippage reference)
  TimeNs window_start;   ///< start of the time limit (see the header comment)
  uint8_t n = 0;         ///< retry number of the holder's last order (0: the first order)
  bool started = false;  ///< the first order went out
  bool due = false;      ///< an order of this holder must go out (the first one or retry n+1)
  bool stale_held = false;  ///< the due order is held on a stale quote (journaled once per hold)
};

/// What the holder's next order is: send at `px` with retry number `n`, or give up.
struct ChaseOrder {
  ChaseEvent verdict = ChaseEvent::Resend;  ///< Resend = send it; GiveUp* = stop chasing
  Price px;                                  ///< limit of the order (or the would-be price)
  int n = 0;                                 ///< its retry number (0 = the first order)
};

/// The touch moved n ticks through the book: ask + n for a buy, bid - n for a sell.
[[nodiscard]] constexpr Price chase_price(Side side, Price bid, Price ask, int n) noexcept {
  return side == Side::Buy ? ask + Ticks{n} : bid - Ticks{n};
}

/// The next order of a chase. `bid`/`ask` are the current best bid and offer (the caller
/// checks they exist and are fresh). A first order (not started) is never refused.
[[nodiscard]] constexpr ChaseOrder next_chase_order(const ChaseState& c, Side side, Price bid, Price ask,
                                                    TimeNs now, const ChaseLimits& lim) noexcept {
  const int n = c.started ? c.n + 1 : 0;
  ChaseOrder o{ChaseEvent::Resend, chase_price(side, bid, ask, n), n};
  if (!c.started) return o;
  if (n > lim.max_retries) {
    o.verdict = ChaseEvent::GiveUpRetries;
    o.px = Price{};
    return o;
  }
  if (now - c.window_start >= lim.max_duration_ns) {
    o.verdict = ChaseEvent::GiveUpTimeout;
    o.px = Price{};
    return o;
  }
  const int64_t slip = (o.px - c.first_px).v;
  if ((slip < 0 ? -slip : slip) > lim.max_slippage.v) o.verdict = ChaseEvent::GiveUpSlippage;
  return o;
}

/// Records that the order `o` (verdict Resend) went out for the holder.
/// `window_start` is used only for the first order (n == 0).
constexpr void chase_sent(ChaseState& c, const ChaseOrder& o, TimeNs window_start) noexcept {
  if (o.n == 0) {
    c.first_px = o.px;
    c.window_start = window_start;
    c.started = true;
  }
  c.n = static_cast<uint8_t>(o.n);
  c.due = false;
  c.stale_held = false;
}

/// Starts the chase afresh (an exit whose chase gave up: SPEC §4 "an exit once decided
/// stands"): the next order is a first order again, with a new window and reference.
constexpr void chase_restart(ChaseState& c) noexcept {
  c = ChaseState{};
  c.due = true;
}

}  // namespace tp
