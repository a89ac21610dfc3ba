// Instrument definition and the cold-path conversions between the outside world
// (decimal prices, local exchange time) and the engine's integer units.
//
// Everything here is cold path (config, file parsing, reports) except the inline
// time-of-day helpers, which are pure integer arithmetic and never allocate.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tp/engine/messages.hpp"
#include "tp/engine/types.hpp"

namespace tp {

/// A decimal number as mantissa x 10^-scale (exact; used for tick sizes and prices).
struct Decimal {
  int64_t mantissa = 0;
  int32_t scale = 0;  ///< digits after the decimal point, 0..9
};

/// Parses "17473", "18248.0", "61800.20", "-3.5". Rejects empty strings, signs in the
/// middle, exponents, more than 9 fractional digits and overflow. No allocation.
bool parse_decimal(std::string_view s, Decimal& out) noexcept;

struct Instrument {
  std::string symbol = "MTX";        ///< product code (MTX, TM, TX, ...)
  Decimal tick_size{1, 0};           ///< price units per tick (MTX: 1 point)
  double point_value = 50.0;         ///< currency per 1.0 price unit (MTX: 50 TWD/point)
  std::string currency = "TWD";
  int64_t utc_offset_ns = 8 * 3600 * kNsPerSec;  ///< Asia/Taipei, UTC+8, no DST

  /// Exact conversion of a decimal price to ticks. Returns false (and leaves `out`)
  /// when the price is not a whole number of ticks or is out of range: a price that is
  /// not on the tick grid is bad input, never silently rounded.
  [[nodiscard]] bool to_ticks(const Decimal& px, Price& out) const noexcept;
  /// Parses and converts in one step (see parse_decimal and to_ticks).
  [[nodiscard]] bool parse_price(std::string_view s, Price& out) const noexcept;
  /// Converts a distance in price units ("points") to whole ticks. Returns false when it
  /// is not a whole number of ticks (config validation uses this).
  [[nodiscard]] bool points_to_ticks(double points, Ticks& out) const noexcept;
  /// Ticks -> price units (points), for reports only.
  [[nodiscard]] double ticks_to_points(int64_t ticks) const noexcept;
  /// Formats a price in ticks as a decimal string in price units ("17473", "61800.2").
  [[nodiscard]] std::string format_price(Price p) const;
};

/// Returns the built-in definition for MTX, TM or TX (tick 1 point; 50 / 10 / 200 TWD
/// per point). Returns false for other symbols.
bool builtin_instrument(std::string_view symbol, Instrument& out);

// ------------------------------------------------------------------ time helpers

/// Seconds since local midnight for an event time (pure arithmetic, hot-path safe).
inline int32_t local_seconds_of_day(TimeNs t, int64_t utc_offset_ns) noexcept {
  int64_t local = t.ns + utc_offset_ns;
  int64_t day_ns = 86400 * kNsPerSec;
  int64_t r = local % day_ns;
  if (r < 0) r += day_ns;
  return static_cast<int32_t>(r / kNsPerSec);
}

/// Nanoseconds since local midnight.
inline int64_t local_ns_of_day(TimeNs t, int64_t utc_offset_ns) noexcept {
  int64_t local = t.ns + utc_offset_ns;
  int64_t day_ns = 86400 * kNsPerSec;
  int64_t r = local % day_ns;
  if (r < 0) r += day_ns;
  return r;
}

/// Local calendar date (YYYYMMDD) of an event time.
int32_t local_date(TimeNs t, int64_t utc_offset_ns) noexcept;

/// Event time of local date `yyyymmdd` at `sec_of_day` (+ `ns`). Returns false for an
/// invalid date.
bool make_time(int32_t yyyymmdd, int32_t sec_of_day, int64_t ns, int64_t utc_offset_ns,
               TimeNs& out) noexcept;

/// Next weekday after `yyyymmdd` (Mon-Fri; exchange holidays are not known).
int32_t next_weekday(int32_t yyyymmdd) noexcept;
/// True for Saturday or Sunday.
bool is_weekend(int32_t yyyymmdd) noexcept;

/// TAIFEX final settlement day (YYYYMMDD) of the monthly contract `yyyymm` (YYYYMM): the
/// third Wednesday of that month. Exchange holidays are not known, so a settlement moved
/// by a holiday is not modelled. Returns 0 for a month outside 1..12.
int32_t taifex_settlement_day(int32_t yyyymm) noexcept;
/// The front month (YYYYMM) of trading day `yyyymmdd` by TAIFEX's roll rule: the trading
/// day's own month while its settlement day is still ahead, else the next month. The
/// settlement day itself already uses the next month: the expiring contract stops trading
/// at 13:30 that day and settles on the index average of 13:00-13:30, so an intraday
/// strategy (flatten 13:44) cannot trade it to the end (docs/FORMATS.md "front month").
int32_t taifex_front_month(int32_t yyyymmdd) noexcept;

/// Parses "HH:MM" or "HH:MM:SS" into seconds of day. Returns false on bad input.
bool parse_hhmmss(std::string_view s, int32_t& sec_of_day) noexcept;
/// "HH:MM:SS" for seconds of day.
std::string format_hhmmss(int32_t sec_of_day);
/// "YYYY-MM-DD" for a YYYYMMDD date.
std::string format_date(int32_t yyyymmdd);
/// ISO 8601 offset of a utc offset: "+08:00", "-05:30".
std::string utc_offset_text(int64_t utc_offset_ns);

/// Trading sessions of TAIFEX index futures (SPEC §4). Times in local seconds of day.
struct SessionHours {
  int32_t day_open_sec = 8 * 3600 + 45 * 60;     ///< 08:45:00
  int32_t day_close_sec = 13 * 3600 + 45 * 60;   ///< 13:45:00
  int32_t night_open_sec = 15 * 3600;            ///< 15:00:00
  int32_t night_close_sec = 5 * 3600;            ///< 05:00:00 next calendar day
};

/// Session an event time falls in (day close and night close inclusive: the closing
/// prints at 13:45:00 / 05:00:00 belong to their session).
Session session_of(TimeNs t, int64_t utc_offset_ns, const SessionHours& h) noexcept;

/// Trading day of an event time (SPEC §3.1): the day session belongs to its calendar
/// date; the night session (from night_open) belongs to the next weekday; times before
/// the night close belong to the calendar date's trading day, rolled to Monday on a
/// weekend (a Saturday 02:00 print belongs to Monday's trading day).
TradingDay trading_day_of(TimeNs t, int64_t utc_offset_ns, const SessionHours& h) noexcept;

}  // namespace tp
