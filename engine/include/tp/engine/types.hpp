// Domain types shared by every stage (STYLE §8: distinct types, not typedefs).
//
// Units:
//   Price   - integer count of the instrument's tick size (MTX: 1 tick = 1 index point).
//             Never floating point on the hot path. The conversion to and from the
//             instrument's decimal price lives in tp::Instrument (cold path only).
//   Ticks   - a signed distance between two prices, in ticks.
//   Qty     - integer lots (contracts). TAIFEX "volume (B+S)" is converted by the reader.
//   TimeNs  - int64 nanoseconds since the Unix epoch, UTC. Local exchange time
//             (Asia/Taipei, UTC+8, no DST) is derived with Instrument::utc_offset_ns.
//   ClientOrderId / VenueOrderId / PositionId - opaque 64-bit ids, never mixed.
//
// All types here are trivially copyable, never allocate, and are safe to copy across
// threads through the SPSC rings.
#pragma once

#include <compare>
#include <cstdint>
#include <type_traits>

namespace tp {

/// A signed price distance in ticks.
struct Ticks {
  int64_t v = 0;
  constexpr Ticks() = default;
  constexpr explicit Ticks(int64_t n) : v(n) {}
  friend constexpr auto operator<=>(Ticks, Ticks) = default;
  friend constexpr Ticks operator+(Ticks a, Ticks b) { return Ticks{a.v + b.v}; }
  friend constexpr Ticks operator-(Ticks a, Ticks b) { return Ticks{a.v - b.v}; }
  friend constexpr Ticks operator-(Ticks a) { return Ticks{-a.v}; }
  friend constexpr Ticks operator*(Ticks a, int64_t k) { return Ticks{a.v * k}; }
};

/// An absolute price in ticks of the instrument.
struct Price {
  int64_t ticks = 0;
  constexpr Price() = default;
  constexpr explicit Price(int64_t t) : ticks(t) {}
  friend constexpr auto operator<=>(Price, Price) = default;
  friend constexpr Price operator+(Price p, Ticks d) { return Price{p.ticks + d.v}; }
  friend constexpr Price operator-(Price p, Ticks d) { return Price{p.ticks - d.v}; }
  friend constexpr Ticks operator-(Price a, Price b) { return Ticks{a.ticks - b.ticks}; }
};

/// A quantity in lots (contracts). Signed so that net positions can be expressed.
struct Qty {
  int32_t lots = 0;
  constexpr Qty() = default;
  constexpr explicit Qty(int32_t n) : lots(n) {}
  friend constexpr auto operator<=>(Qty, Qty) = default;
  friend constexpr Qty operator+(Qty a, Qty b) { return Qty{a.lots + b.lots}; }
  friend constexpr Qty operator-(Qty a, Qty b) { return Qty{a.lots - b.lots}; }
  constexpr Qty& operator+=(Qty o) { lots += o.lots; return *this; }
  constexpr Qty& operator-=(Qty o) { lots -= o.lots; return *this; }
};

/// Nanoseconds since the Unix epoch (UTC) in event time (the file's or venue's clock).
struct TimeNs {
  int64_t ns = 0;
  constexpr TimeNs() = default;
  constexpr explicit TimeNs(int64_t n) : ns(n) {}
  friend constexpr auto operator<=>(TimeNs, TimeNs) = default;
  friend constexpr TimeNs operator+(TimeNs t, int64_t d_ns) { return TimeNs{t.ns + d_ns}; }
  friend constexpr int64_t operator-(TimeNs a, TimeNs b) { return a.ns - b.ns; }
};

/// Client order id: assigned by the risk stage, unique across runs (run id in the
/// high 32 bits). 0 means "absent" in an execution report that carries only the
/// venue's id (the tracker resolves it from the venue-id map).
struct ClientOrderId {
  uint64_t v = 0;
  constexpr ClientOrderId() = default;
  constexpr explicit ClientOrderId(uint64_t n) : v(n) {}
  friend constexpr auto operator<=>(ClientOrderId, ClientOrderId) = default;
  [[nodiscard]] constexpr bool valid() const { return v != 0; }
};

/// The venue's (broker's) own order number, a separate numbering system.
struct VenueOrderId {
  uint64_t v = 0;
  constexpr VenueOrderId() = default;
  constexpr explicit VenueOrderId(uint64_t n) : v(n) {}
  friend constexpr auto operator<=>(VenueOrderId, VenueOrderId) = default;
  [[nodiscard]] constexpr bool valid() const { return v != 0; }
};

/// One lot's position (the strategy tracks positions per lot). Run id in the high bits.
struct PositionId {
  uint64_t v = 0;
  constexpr PositionId() = default;
  constexpr explicit PositionId(uint64_t n) : v(n) {}
  friend constexpr auto operator<=>(PositionId, PositionId) = default;
  [[nodiscard]] constexpr bool valid() const { return v != 0; }
};

/// Trading day as YYYYMMDD (e.g. 20210726). Night-session events carry the next
/// trading day (SPEC §3.1).
struct TradingDay {
  int32_t yyyymmdd = 0;
  constexpr TradingDay() = default;
  constexpr explicit TradingDay(int32_t d) : yyyymmdd(d) {}
  friend constexpr auto operator<=>(TradingDay, TradingDay) = default;
  [[nodiscard]] constexpr bool valid() const { return yyyymmdd != 0; }
};

enum class Side : uint8_t { Buy = 1, Sell = 2 };
enum class PosSide : uint8_t { Long = 1, Short = 2 };

/// Time in force of a limit order. FOK: fill the whole quantity immediately or cancel.
/// IOC: fill what is available immediately, cancel the rest. Day: rest on the book.
enum class Tif : uint8_t { Fok = 1, Ioc = 2, Day = 3 };

/// Opening or closing order (the seeds' sNewClose flag: 0 open, 1 close).
enum class OpenClose : uint8_t { Open = 0, Close = 1 };

constexpr Side entry_side(PosSide s) { return s == PosSide::Long ? Side::Buy : Side::Sell; }
constexpr Side exit_side(PosSide s) { return s == PosSide::Long ? Side::Sell : Side::Buy; }
constexpr const char* to_string(Side s) { return s == Side::Buy ? "BUY" : "SELL"; }
constexpr const char* to_string(PosSide s) { return s == PosSide::Long ? "LONG" : "SHORT"; }
constexpr const char* to_string(Tif t) {
  return t == Tif::Fok ? "FOK" : t == Tif::Ioc ? "IOC" : "DAY";
}

static_assert(std::is_trivially_copyable_v<Price> && sizeof(Price) == 8);
static_assert(std::is_trivially_copyable_v<Qty> && sizeof(Qty) == 4);
static_assert(std::is_trivially_copyable_v<TimeNs> && sizeof(TimeNs) == 8);

constexpr int64_t kNsPerSec = 1'000'000'000;
constexpr int64_t kNsPerMs = 1'000'000;

}  // namespace tp
