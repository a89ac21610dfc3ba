// Every configuration field, described once (config.hpp ConfigField): key, type, unit,
// range, default and doc. (The session hours and the tick rule take their defaults from
// SessionHours / TickRuleConfig, which the input readers also use on their own.) The loader, validate(), describe(), default_config() and the
// test that config/default.toml lists exactly these fields all read this table.
#include <cstdint>
#include <limits>

#include "tp/engine/config/config.hpp"

namespace tp {

namespace {

using K = ConfigFieldKind;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kI32 = static_cast<double>(std::numeric_limits<int32_t>::max());
/// Largest distance, band or amount in points / currency any field accepts: with prices
/// bounded by the readers (kMaxPriceTicks) every tick product stays far inside int64.
constexpr double kMaxPoints = 1'000'000.0;
constexpr double kMaxMs = static_cast<double>(kMaxDurationMs);

template <class T>
ConfigFieldRef ref(T* p) {
  if constexpr (std::is_enum_v<T>) {
    static_assert(sizeof(T) == 1, "enum fields are uint8_t enums");
    return reinterpret_cast<uint8_t*>(p);
  } else {
    return p;
  }
}

#define TP_FIELD_REF(expr) [](Config& c, std::size_t i) -> ConfigFieldRef { (void)i; return ref(&(expr)); }

constexpr ConfigFieldRef (*kNoRef)(Config&, std::size_t) = nullptr;

// clang-format off
const ConfigField kFields[] = {
  // ---- [instrument]
  {"instrument", "symbol", K::String, "", 0, 0, false, false, {0, 0, 0}, "MTX", "",
   "product code; MTX, TM and TX are built in (tick, point value and currency follow)", true, kNoRef},
  {"instrument", "tick_size", K::Decimal, "points", 0, 0, false, false, {0, 0, 0}, "1", "",
   "price increment as a decimal string; required for a symbol that is not built in", false,
   TP_FIELD_REF(c.instrument.tick_size)},
  {"instrument", "point_value", K::Number, "currency per point", 0, kInf, true, false, {50, 0, 0}, "", "",
   "money per point of one lot (MTX 50, TX 200, TM 10 TWD)", false, TP_FIELD_REF(c.instrument.point_value)},
  {"instrument", "currency", K::String, "", 0, 0, false, false, {0, 0, 0}, "TWD", "", "currency code", false,
   TP_FIELD_REF(c.instrument.currency)},
  {"instrument", "utc_offset_minutes", K::Int, "minutes", -720, 840, false, false, {480, 0, 0}, "", "",
   "exchange time offset from UTC (Asia/Taipei +480, no daylight saving)", false,
   TP_FIELD_REF(c.instrument.utc_offset_ns), kNsPerSec * 60},
  // ---- [session]
  {"session", "day_open", K::Time, "", 0, 86399, false, false, {SessionHours{}.day_open_sec, 0, 0}, "", "",
   "day session open", false, TP_FIELD_REF(c.hours.day_open_sec)},
  {"session", "day_close", K::Time, "", 0, 86399, false, false, {SessionHours{}.day_close_sec, 0, 0}, "", "",
   "day session close (inclusive)", false, TP_FIELD_REF(c.hours.day_close_sec)},
  {"session", "night_open", K::Time, "", 0, 86399, false, false, {SessionHours{}.night_open_sec, 0, 0}, "", "",
   "night session open; its rows belong to the next trading day", false, TP_FIELD_REF(c.hours.night_open_sec)},
  {"session", "night_close", K::Time, "", 0, 86399, false, false, {SessionHours{}.night_close_sec, 0, 0}, "", "",
   "night session close, next calendar day (inclusive)", false, TP_FIELD_REF(c.hours.night_close_sec)},
  // ---- [strategy]
  {"strategy", "preset", K::String, "", 0, 0, false, false, {0, 0, 0}, "", "",
   "conservative 1x2, balanced 2x2, standard 3x1, aggressive 3x3, test 1x1 (lots x groups); applied first",
   true, kNoRef},
  {"strategy", "groups", K::Int, "", 1, 5, false, false, {1, 0, 0}, "", "", "groups per entry (SPEC §4)",
   false, TP_FIELD_REF(c.strategy.groups)},
  {"strategy", "lots_per_group", K::Int, "lots", 1, 3, false, false, {3, 0, 0}, "", "",
   "lots per group; lot k of a group follows rule k", false, TP_FIELD_REF(c.strategy.lots_per_group)},
  {"strategy", "direction", K::Enum, "", 0, 0, false, false, {0, 0, 0}, "BOTH", "BOTH|LONG_ONLY|SHORT_ONLY",
   "breakout sides traded", false, TP_FIELD_REF(c.strategy.direction)},
  {"strategy", "frequency", K::Enum, "", 0, 0, false, false, {0, 0, 0}, "once_per_day",
   "once_per_day|repeatable|test", "entries per day (test ignores the PnL filters)", false,
   TP_FIELD_REF(c.strategy.frequency)},
  {"strategy", "range_start", K::Time, "", 0, 86399, false, false, {8 * 3600 + 45 * 60, 0, 0}, "", "",
   "opening range window start (inclusive)", false, TP_FIELD_REF(c.strategy.range_start_sec)},
  {"strategy", "range_end", K::Time, "", 0, 86399, false, false, {8 * 3600 + 47 * 60, 0, 0}, "", "",
   "opening range window end (exclusive)", false, TP_FIELD_REF(c.strategy.range_end_sec)},
  {"strategy", "entry_end", K::Time, "", 0, 86399, false, false, {13 * 3600, 0, 0}, "", "",
   "no new entry at or after this time", false, TP_FIELD_REF(c.strategy.entry_end_sec)},
  {"strategy", "flatten_time", K::Time, "", 0, 86399, false, false, {13 * 3600 + 44 * 60, 0, 0}, "", "",
   "everything still open exits at this time (end of day)", false, TP_FIELD_REF(c.strategy.flatten_time_sec)},
  {"strategy", "trade_night", K::Bool, "", 0, 0, false, false, {0, 0, 0}, "", "",
   "night events manage open lots (no night entries)", false, TP_FIELD_REF(c.strategy.trade_night)},
  {"strategy", "max_range_points", K::Number, "points", 0, kMaxPoints, false, false, {0, 0, 0}, "", "",
   "> 0: skip the day when the opening range is wider (0 = off)", false,
   TP_FIELD_REF(c.strategy.max_range_points)},
  {"strategy", "daily_loss_limit_points", K::Number, "points", 0, kMaxPoints, false, false, {0, 0, 0}, "", "",
   "> 0: no new entry once PnL <= -this (0 = off)", false, TP_FIELD_REF(c.strategy.daily_loss_limit_points)},
  {"strategy", "profit_target_points", K::Number, "points", 0, kMaxPoints, false, false, {0, 0, 0}, "", "",
   "> 0: no new entry once PnL >= this (0 = off)", false, TP_FIELD_REF(c.strategy.profit_target_points)},
  {"strategy", "pnl_scope", K::Enum, "", 0, 0, false, false, {0, 0, 0}, "day", "day|cumulative",
   "PnL the two filters above look at", false, TP_FIELD_REF(c.strategy.pnl_scope)},
  {"strategy", "initial_stop", K::Enum, "", 0, 0, false, false, {0, 0, 0}, "range_boundary",
   "range_boundary|range_mid|fixed_points|opening_price", "initial stop of every lot", false,
   TP_FIELD_REF(c.strategy.initial_stop)},
  {"strategy", "initial_stop_points", K::Number, "points", 0, kMaxPoints, false, false, {0, 0, 0}, "", "",
   "fixed_points: distance from the fill (must then be > 0)", false, TP_FIELD_REF(c.strategy.initial_stop_points)},
  {"strategy", "max_quote_age_ms", K::Int, "ms", 1, kMaxMs, false, false, {10'000, 0, 0}, "", "",
   "never send on a quote older than this", false, TP_FIELD_REF(c.strategy.max_quote_age_ms)},
  {"strategy", "order_per_lot", K::Bool, "", 0, 0, false, false, {1, 0, 0}, "", "",
   "one FOK per lot (true) or one for all lots", false, TP_FIELD_REF(c.strategy.order_per_lot)},
  {"strategy", "rules", K::Table, "", 0, 0, false, false, {0, 0, 0}, "", "",
   "[[strategy.rules]]: rule 1..3 (at least lots_per_group tables)", true, kNoRef},
  {"strategy", "chase", K::Table, "", 0, 0, false, false, {0, 0, 0}, "", "", "[strategy.chase]", true, kNoRef},
  // ---- [strategy.chase]
  {"strategy.chase", "max_retries", K::Int, "retries", 0, 20, false, false, {5, 0, 0}, "", "",
   "a lot's chase gives up after this many resends", false, TP_FIELD_REF(c.strategy.chase.max_retries)},
  {"strategy.chase", "max_slippage_points", K::Number, "points", 0, kMaxPoints, false, false, {5, 0, 0}, "", "",
   "... or when the chase price is more than this from its first price", false,
   TP_FIELD_REF(c.strategy.chase.max_slippage_points)},
  {"strategy.chase", "max_duration_ms", K::Int, "ms", 0, kMaxMs, false, false, {30'000, 0, 0}, "", "",
   "... or this long after the first send", false, TP_FIELD_REF(c.strategy.chase.max_duration_ms)},
  {"strategy.chase", "reject_retry_ms", K::Int, "ms", 0, kMaxMs, false, false, {1'000, 0, 0}, "", "",
   "after a rejected exit order, its next try waits this long (event time; 0 = next quote)", false,
   TP_FIELD_REF(c.strategy.chase.reject_retry_ms)},
  // ---- [[strategy.rules]] (defaults per rule: the user's live configuration, SPEC §4)
  {"strategy.rules", "trailing_activation_points", K::Number, "points", 0, kMaxPoints, true, false, {15, 40, 41},
   "", "", "trailing starts once the peak is this far beyond the entry", false,
   TP_FIELD_REF(c.strategy.rules[i].trailing_activation_points)},
  {"strategy.rules", "trailing_pullback", K::Number, "fraction", 0, 1, true, true, {0.10, 0.10, 0.20}, "", "",
   "stop = peak - (peak - entry) x this", false, TP_FIELD_REF(c.strategy.rules[i].trailing_pullback)},
  {"strategy.rules", "protective_multiplier", K::Number, "", 0, 100, false, false, {0, 2, 2}, "", "",
   "> 0: after the previous lot of the group takes profit P, stop = entry -/+ P x this", false,
   TP_FIELD_REF(c.strategy.rules[i].protective_multiplier)},
  {"strategy.rules", "fixed_tp_points", K::Number, "points", 0, kMaxPoints, false, false, {0, 0, 0}, "", "",
   "> 0: take profit this far from the entry instead of trailing", false,
   TP_FIELD_REF(c.strategy.rules[i].fixed_tp_points)},
  // ---- [risk] (SPEC §6; 0 disables a limit)
  {"risk", "kill_switch", K::Bool, "", 0, 0, false, false, {0, 0, 0}, "", "", "refuse every opening order", false,
   TP_FIELD_REF(c.risk.kill_switch)},
  {"risk", "max_position_lots", K::Int, "lots", 0, kI32, false, false, {15, 0, 0}, "", "",
   "open lots + working opening lots cap", false, TP_FIELD_REF(c.risk.max_position_lots)},
  {"risk", "max_order_lots", K::Int, "lots", 0, kI32, false, false, {15, 0, 0}, "", "", "size cap of one order",
   false, TP_FIELD_REF(c.risk.max_order_lots)},
  {"risk", "price_band_points", K::Number, "points", 0, kMaxPoints, false, false, {100, 0, 0}, "", "",
   "every limit (closing ones too) within this of the last trade", false, TP_FIELD_REF(c.risk.price_band_points)},
  {"risk", "max_orders_per_sec", K::Int, "orders/s", 0, kI32, false, false, {50, 0, 0}, "", "",
   "order-rate throttle (rolling second of event time)", false, TP_FIELD_REF(c.risk.max_orders_per_sec)},
  {"risk", "max_daily_loss_points", K::Number, "points", 0, kMaxPoints, false, false, {0, 0, 0}, "", "",
   "refuse opening orders once the day's PnL <= -this", false, TP_FIELD_REF(c.risk.max_daily_loss_points)},
  // ---- [costs] (SPEC §4 "PnL and slippage")
  {"costs", "commission_per_lot", K::Number, "currency", 0, kMaxPoints, false, false, {0, 0, 0}, "", "",
   "broker commission per lot per side (your broker's rate)", false, TP_FIELD_REF(c.costs.commission_per_lot)},
  {"costs", "exchange_fee_per_lot", K::Number, "currency", 0, kMaxPoints, false, false, {0, 0, 0}, "", "",
   "exchange and clearing fee per lot per side", false, TP_FIELD_REF(c.costs.exchange_fee_per_lot)},
  {"costs", "tax_rate", K::Number, "fraction", 0, 0.01, false, false, {0.00002, 0, 0}, "", "",
   "futures transaction tax: fraction of contract value per side (TAIFEX index futures 0.002%)", false,
   TP_FIELD_REF(c.costs.tax_rate)},
  // ---- [venue]
  {"venue", "latency_ms", K::Int, "ms", 0, 60'000, false, false, {5, 0, 0}, "", "",
   "simulated venue: order -> venue -> report delay in event time", false, TP_FIELD_REF(c.venue.latency_ms)},
  {"venue", "fill_model", K::Enum, "", 0, 0, false, false, {0, 0, 0}, "book", "book|trade_through|slippage",
   "what a FOK/IOC fills: book (as recorded), trade_through (also printed at/through the limit in flight), "
   "slippage (book moved slippage_ticks worse)", false, TP_FIELD_REF(c.venue.fill_model)},
  {"venue", "slippage_ticks", K::Int, "ticks", 0, kMaxSlippageTicks, false, false, {0, 0, 0}, "", "",
   "fill_model slippage: asks this many ticks higher, bids lower (ignored by the other models)", false,
   TP_FIELD_REF(c.venue.slippage_ticks)},
  // ---- [persist]
  {"persist", "sync", K::Enum, "", 0, 0, false, false, {0, 0, 0}, "nosync", "nosync|durable",
   "nosync (replay) or durable (fsync every batch, live)", false, TP_FIELD_REF(c.persist.sync)},
  {"persist", "batch_records", K::Int, "records", 1, 65'536, false, false, {512, 0, 0}, "", "",
   "journal records per LMDB write transaction", false, TP_FIELD_REF(c.persist.batch_records)},
  {"persist", "map_size_mb", K::Int, "MB", 16, 1'048'576, false, false, {1024, 0, 0}, "", "",
   "largest database size", false, TP_FIELD_REF(c.persist.map_size_mb)},
  // ---- [tick_rule]
  {"tick_rule", "enabled", K::Bool, "", 0, 0, false, false, {TickRuleConfig{}.enabled ? 1.0 : 0.0, 0, 0}, "", "",
   "trades-only inputs get a synthetic best bid/offer", false, TP_FIELD_REF(c.tick_rule.enabled)},
  {"tick_rule", "spread_ticks", K::Int, "ticks", 1, 1'000'000, false, false, {static_cast<double>(TickRuleConfig{}.spread_ticks), 0, 0}, "", "",
   "synthetic spread", false, TP_FIELD_REF(c.tick_rule.spread_ticks)},
  {"tick_rule", "size_lots", K::Int, "lots", 1, static_cast<double>(kMaxQtyLots), false, false, {TickRuleConfig{}.size_lots, 0, 0}, "",
   "", "synthetic size on each side", false, TP_FIELD_REF(c.tick_rule.size_lots)},
  {"tick_rule", "size_from_trade", K::Bool, "", 0, 0, false, false, {TickRuleConfig{}.size_from_trade ? 1.0 : 0.0, 0, 0}, "", "",
   "use the trade's size instead of size_lots", false, TP_FIELD_REF(c.tick_rule.size_from_trade)},
};
// clang-format on

#undef TP_FIELD_REF

}  // namespace

std::span<const ConfigField> config_fields() noexcept { return kFields; }

}  // namespace tp
