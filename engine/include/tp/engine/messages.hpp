// Fixed-size messages carried by the SPSC rings between the stages (SPEC §2).
//
//   feed ──Event──▶ tracker ──Event──▶ risk ──OrderRequest──▶ gateway ──OrderRequest──▶ venue
//                      ▲                                          │
//                      └────────── OrderRequest ("sent") ─────────┘
//
// Every message is a trivially copyable POD, at most 128 bytes, aligned to a cache
// line (static_assert'd below). Prices are tp::Price (ticks), times tp::TimeNs (event
// time, ns since the epoch, UTC), quantities tp::Qty (lots).
//
// `ingress_ns` fields hold a wall-clock stamp (tp::wall_now_ns(), CLOCK_MONOTONIC) used
// only for the tick-to-order latency histogram. They are never journaled, so the
// journal stays deterministic.
#pragma once

#include <chrono>
#include <cstdint>
#include <type_traits>

#include "tp/engine/types.hpp"

namespace tp {

/// Wall clock for latency measurement only (monotonic, ns). Never used for decisions.
inline int64_t wall_now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// Bits of MarketData::flags.
enum MdFlag : uint8_t {
  kMdHasBid = 1u << 0,     ///< bid / bid_qty are valid
  kMdHasAsk = 1u << 1,     ///< ask / ask_qty are valid
  kMdHasTrade = 1u << 2,   ///< this event carries a trade print (last / last_qty)
  kMdSynthetic = 1u << 3,  ///< bid/ask derived by the tick rule from trades (SPEC §3.1)
  kMdAuction = 1u << 4,    ///< the trade is an auction print (TAIFEX opening auction '*')
};

enum class Session : uint8_t { Day = 0, Night = 1, Closed = 2 };

/// Top of book after one input event, plus the trade it carried (if any).
struct MarketData {
  Price bid;          ///< best bid, valid iff flags & kMdHasBid
  Price ask;          ///< best ask, valid iff flags & kMdHasAsk
  Price last;         ///< trade price, valid iff flags & kMdHasTrade
  TimeNs quote_time;  ///< event time of the last change of the best bid/offer
  Qty bid_qty;
  Qty ask_qty;
  Qty last_qty;       ///< trade size in lots (one side)
  TradingDay trading_day;
  uint8_t flags = 0;
  Session session = Session::Closed;
  [[nodiscard]] bool has_trade() const noexcept { return (flags & kMdHasTrade) != 0; }
  [[nodiscard]] bool has_bid() const noexcept { return (flags & kMdHasBid) != 0; }
  [[nodiscard]] bool has_ask() const noexcept { return (flags & kMdHasAsk) != 0; }
};

/// Execution report types (FIX ExecType subset). kTrade covers partial and full fills
/// (leaves_qty tells which).
enum class ExecType : uint8_t { New = 1, Trade = 2, Canceled = 3, Rejected = 4 };

/// Why an order was rejected (by the venue or by a pre-trade check in the risk stage).
/// Rejects are final for that order; whether to try again is the strategy's decision.
enum class RejectReason : uint8_t {
  None = 0,
  // venue
  InvalidQty = 1,      ///< qty <= 0
  InvalidPrice = 2,    ///< limit price <= 0
  Unsupported = 3,     ///< order type the venue does not accept
  UnknownOrder = 4,    ///< cancel for an order the venue does not know
  DuplicateId = 5,     ///< client order id already used (idempotency, SPEC §6)
  VenueDown = 6,       ///< not sent: the order session is not logged on, or the engine is stopping
  VenueOther = 7,      ///< the venue rejected it for a reason it named in text only
  // risk stage (SPEC §6 pre-trade checks)
  KillSwitch = 16,
  MaxPosition = 17,
  MaxOrderSize = 18,
  PriceBand = 19,
  Throttle = 20,
  DailyLoss = 21,
};
const char* to_string(RejectReason r) noexcept;

/// Bits of ExecReport::flags, set by the tracker when it forwards a report.
enum ExecFlag : uint8_t {
  kExecLate = 1u << 0,       ///< report for an order already in a terminal state (e.g. fill after cancel)
  kExecRiskReject = 1u << 1, ///< synthesized by the risk stage, never left the engine
  kExecDuplicate = 1u << 2,  ///< set by a live feed: a fill whose ExecID was already seen
                             ///< (journaled by the tracker as UnknownReport, never applied)
  kExecSynthetic = 1u << 3,  ///< made by the engine's own feed (e.g. VenueDown), not the venue
  kExecOverfill = 1u << 4,   ///< set by the tracker: a fill beyond the order's quantity (journaled
                             ///< as UnknownReport, never applied: no over-fill)
};

/// An execution report as the venue sent it (feed -> tracker) or as the tracker
/// resolved it (tracker -> risk, client_id always set).
struct ExecReport {
  ClientOrderId client_id;  ///< 0 when the venue sent only its own id
  VenueOrderId venue_id;    ///< 0 when the venue never assigned one (reject before ack)
  Price limit_price;        ///< the order's limit price
  Price last_px;            ///< fill price (kTrade only)
  Qty order_qty;
  Qty last_qty;             ///< fill size (kTrade only)
  Qty cum_qty;              ///< total filled so far
  Qty leaves_qty;           ///< still working (0 once terminal)
  uint64_t exec_id = 0;     ///< live feeds: FNV-1a hash of the venue's ExecID (17), never 0 when
                            ///< present; 0: none (replay, synthetic reports). A restart reloads
                            ///< the hashes of every journaled report, so a report the venue
                            ///< resends is recognised as a duplicate (issue #10 item 4).
  ExecType type = ExecType::New;
  Side side = Side::Buy;
  OpenClose open_close = OpenClose::Open;
  Tif tif = Tif::Fok;
  RejectReason reason = RejectReason::None;
  uint8_t flags = 0;
};

enum class EventKind : uint8_t {
  Market = 1,     ///< MarketData
  Exec = 2,       ///< ExecReport
  EndOfData = 3,  ///< the input is exhausted and every venue report has been delivered
  Control = 4,    ///< ControlEvent: an engine-internal instruction in stream order (live)
};

/// What a Control event tells the stages (docs/DESIGN.md "Restart"). It travels the
/// event stream like any event, so it takes effect at one exact point of it.
enum class ControlKind : uint8_t {
  /// Recovery replayed the inputs of run `run_id - ...` up to here: from this event on,
  /// new client order ids and position ids are taken from run `run_id` (the strategy's
  /// id counters restart at 1 under that run id).
  RunSwitch = 1,
  /// Reconciliation with the venue is complete (SPEC §6, docs/DESIGN.md "Reconciliation"):
  /// every order's status the venue reported has been applied before this event; the
  /// fields carry the venue's net position and what the feed found. The strategy
  /// resolves a position mismatch here and journals the summary; trading starts after.
  Reconcile = 2,
  // Operator commands (`tickpipe ctl`, docs/DESIGN.md "Operator control"): journaled by the
  // risk stage with their result (JournalType::Operator).
  Kill = 3,     ///< kill switch: no new opening orders; the feed cancels resting orders
  Flatten = 4,  ///< every open lot exits through the normal exit path (ExitReason::KillSwitch)
  Pause = 5,    ///< no new entries (exits go on)
  Resume = 6,   ///< entries allowed again
  Limits = 7,   ///< new risk limits (LimitsUpdate)
  Status = 8,   ///< an operator asked for the status (journaled only)
};

/// "kill", "flatten", ... (the journal's operator records, `tickpipe ctl`).
const char* to_string(ControlKind k) noexcept;

/// Reconcile: what the feed found (SPEC §6).
struct ReconcileCounts {
  int32_t venue_net_lots;      ///< the venue's position: long - short, lots
  int32_t orphan_lots;         ///< lots filled (buys - sells) on orders unknown to the engine
  int64_t orphan_px_lots;      ///< sum of price (ticks) x lots of those fills (their average)
  uint32_t checked_orders;     ///< order statuses the venue reported (mass status + status requests)
  uint32_t checked_positions;  ///< position reports
  uint32_t fixed;              ///< local orders whose state was fixed from the venue's report
  uint32_t cancelled;          ///< orphan / resting orders cancelled
  uint32_t adopted_fills;      ///< fills the venue reported and the journal lacked, applied
};

/// Limits: the risk limits that replace the current ones (SPEC §6 pre-trade checks);
/// 0 turns a limit off, as in the configuration.
struct LimitsUpdate {
  int32_t max_position_lots;
  int32_t max_order_lots;
  int32_t max_orders_per_sec;
  int32_t price_band_ticks;
  int32_t max_daily_loss_ticks;
  uint8_t kill_switch;
};

struct ControlEvent {
  ControlKind kind = ControlKind::RunSwitch;
  uint8_t pad_[3] = {};
  uint32_t run_id = 0;  ///< RunSwitch
  union {
    ReconcileCounts rec;   ///< Reconcile
    LimitsUpdate limits;   ///< Limits
    uint8_t raw_[40];
  };
  ControlEvent() : raw_{} {}
  explicit ControlEvent(ControlKind k, uint32_t run = 0) : kind(k), run_id(run), raw_{} {}
};

/// The message on the feed->tracker and tracker->risk rings.
struct alignas(64) Event {
  uint64_t seq = 0;       ///< feed sequence number, strictly increasing from 1
  TimeNs event_time;      ///< event time of this event
  int64_t ingress_ns = 0; ///< wall stamp when the feed published it (latency only)
  EventKind kind = EventKind::Market;
  uint8_t pad_[7] = {};
  union Body {
    MarketData md;
    ExecReport er;
    ControlEvent control;
    uint8_t raw[64];
    Body() : raw{} {}  // zero every payload byte
  } u;
};

enum class OrderAction : uint8_t { New = 1, Cancel = 2 };

/// Why the strategy sent an order (journaled and reported).
enum class OrderPurpose : uint8_t { Entry = 1, EntryChase = 2, Exit = 3, ExitChase = 4, Flatten = 5 };

/// An order request (risk -> gateway) and the order as sent (gateway -> venue, and
/// gateway -> tracker so the tracker knows it before any report can arrive).
struct alignas(64) OrderRequest {
  uint64_t origin_seq = 0;       ///< seq of the event that caused this order
  TimeNs origin_time;            ///< event time of that event; venue arrival = origin_time + latency
  int64_t origin_ingress_ns = 0; ///< wall stamp of that event at the feed (latency only)
  int64_t sent_ns = 0;           ///< wall stamp when the gateway sent it (latency only)
  ClientOrderId client_id;
  VenueOrderId venue_id;         ///< Cancel: the venue's id of the order to cancel
  ClientOrderId orig_client_id;  ///< Cancel: the client order id of the order to cancel (FIX 41)
  PositionId position;           ///< lot this order opens/closes (0 for a multi-lot entry order)
  Price limit;
  Qty qty;
  OrderAction action = OrderAction::New;
  Side side = Side::Buy;
  Tif tif = Tif::Fok;
  OpenClose open_close = OpenClose::Open;
  OrderPurpose purpose = OrderPurpose::Entry;
  uint8_t chase_n = 0;           ///< 0 for the first send, n for the n-th chase
};

static_assert(sizeof(Event::Body) == 64, "raw must cover every payload");
static_assert(std::is_trivially_copyable_v<Event>);
static_assert(sizeof(Event) <= 128 && alignof(Event) == 64);
static_assert(std::is_trivially_copyable_v<OrderRequest>);
static_assert(sizeof(OrderRequest) <= 128 && alignof(OrderRequest) == 64);

}  // namespace tp
