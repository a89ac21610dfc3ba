// Trading costs and gross/net PnL of one lot (SPEC §4 "PnL and slippage").
//
// Per side and lot: the broker commission, the exchange fee, and the futures transaction
// tax = price (points) x point value x tax_rate, rounded half up to a whole currency
// unit as TAIFEX brokers charge it. A closed lot pays two sides (entry and exit).
//
// Cold path (reports, tuning): doubles, no allocation, any thread.
#pragma once

#include <cmath>

#include "tp/engine/config/config.hpp"
#include "tp/engine/instrument.hpp"
#include "tp/engine/types.hpp"

namespace tp {

/// Costs of a lot, in the instrument's currency.
struct LotCosts {
  double commission = 0.0;
  double fees = 0.0;
  double tax = 0.0;
  [[nodiscard]] double total() const noexcept { return commission + fees + tax; }
};

/// Transaction tax of one side of one lot traded at `px`.
[[nodiscard]] inline double side_tax(const CostConfig& c, const Instrument& inst, Price px) {
  const double value = inst.ticks_to_points(px.ticks) * inst.point_value;
  return std::floor(value * c.tax_rate + 0.5);
}

/// Costs of the sides a lot has traded: the entry at `entry_px`, and the exit at
/// `exit_px` when `closed`.
[[nodiscard]] inline LotCosts lot_costs(const CostConfig& c, const Instrument& inst, Price entry_px, Price exit_px,
                                        bool closed) {
  const double sides = closed ? 2.0 : 1.0;
  LotCosts k;
  k.commission = c.commission_per_lot * sides;
  k.fees = c.exchange_fee_per_lot * sides;
  k.tax = side_tax(c, inst, entry_px) + (closed ? side_tax(c, inst, exit_px) : 0.0);
  return k;
}

}  // namespace tp
