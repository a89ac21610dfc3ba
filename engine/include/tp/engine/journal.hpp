// Journal records: the fixed-size facts each stage hands to the persister (SPEC §2, §5).
//
// Each producing stage (tracker, risk, gateway) owns one SPSC ring of JournalRecord to
// the persister. A record's key is (run id, origin seq, stage, sub): origin seq is the
// feed sequence of the event that caused it and sub counts the records one stage wrote
// for that event. The key therefore depends only on the input and the configuration,
// never on thread timing, which is what makes the journal byte-identical across runs
// and thread layouts (SPEC §3.1).
//
// A full journal ring never drops a record: a stage checks for room before it consumes
// an input (credit-based flow control) and counts each time it had to wait.
#pragma once

#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "tp/engine/messages.hpp"
#include "tp/engine/types.hpp"

namespace tp {

enum class Stage : uint8_t { Feed = 0, Tracker = 1, Risk = 2, Gateway = 3, Persister = 4 };
const char* to_string(Stage s) noexcept;

/// SPEC §4: order states PENDING_NEW -> NEW -> FILLED / CANCELLED / REJECTED
/// (PARTIALLY_FILLED for IOC partial fills).
enum class OrderState : uint8_t { PendingNew = 1, New = 2, PartiallyFilled = 3, Filled = 4, Cancelled = 5, Rejected = 6 };
const char* to_string(OrderState s) noexcept;
constexpr bool is_terminal(OrderState s) {
  return s == OrderState::Filled || s == OrderState::Cancelled || s == OrderState::Rejected;
}

/// SPEC §4: position (one lot) PENDING_ENTRY -> ACTIVE -> PENDING_CLOSING -> CLOSED.
/// ENTRY_FAILED: the lot was never filled (entry chase gave up); terminal.
enum class PositionState : uint8_t { PendingEntry = 1, Active = 2, PendingClosing = 3, Closed = 4, EntryFailed = 5 };
const char* to_string(PositionState s) noexcept;

enum class ExitReason : uint8_t {
  None = 0,
  InitialStop = 1,
  TrailingStop = 2,
  ProtectiveStop = 3,
  TakeProfit = 4,
  EndOfDay = 5,
  Overfill = 6,    ///< a lot beyond the target (late fill) closed at once
  KillSwitch = 7,
  Reconciled = 8,  ///< closed by reconciliation: the venue no longer held it (a lost exit fill),
                   ///< or an orphan position the venue held, flattened (SPEC §6)
};
/// "initial_stop", "trailing_stop", ... (the report's exit_reason strings).
const char* to_string(ExitReason r) noexcept;

enum class JournalType : uint16_t {
  OrderSent = 1,       ///< gateway: an order (or cancel) left for the venue      payload: order
  ExecReport = 2,      ///< tracker: a report, client id resolved                 payload: exec
  OrderUpdate = 3,     ///< tracker: order state after a report                   payload: order_update
  Fill = 4,            ///< tracker: one fill                                     payload: fill
  UnknownReport = 5,   ///< tracker: a report matching no order (counted)         payload: exec
  Position = 6,        ///< risk: a lot's state or risk state changed             payload: position
  Group = 7,           ///< risk: a strategy group was created / completed        payload: group
  Signal = 8,          ///< risk: range set, entry signal, day skipped, ...       payload: signal
  RiskReject = 9,      ///< risk: a pre-trade check refused an order             payload: order (+reason)
  Chase = 10,          ///< risk: a chase step or give-up                        payload: chase
  Session = 11,        ///< feed: a FIX session event (live only)                 payload: session
  Input = 12,          ///< tracker: an event as the feed emitted it (live only)  payload: input
                       ///< (the recovery log of a restart, docs/DESIGN.md "Restart")
  Reconcile = 13,      ///< risk: the reconciliation summary (SPEC §6)             payload: reconcile
  Operator = 14,       ///< risk: an operator command and its result (tickpipe ctl) payload: op
};
const char* to_string(JournalType t) noexcept;

/// An order as sent / refused (OrderSent, RiskReject).
struct JrOrder {
  ClientOrderId client_id;
  VenueOrderId venue_id;
  PositionId position;
  Price limit;
  Qty qty;
  OrderAction action;
  Side side;
  Tif tif;
  OpenClose open_close;
  OrderPurpose purpose;
  uint8_t chase_n;
  RejectReason reason;  ///< RiskReject only
};

/// Order state after a report (tracker).
struct JrOrderUpdate {
  ClientOrderId client_id;
  VenueOrderId venue_id;
  Price limit;
  Price avg_px_x100;  ///< average fill price x100 in ticks (integer; 0 if no fill)
  Qty order_qty;
  Qty cum_qty;
  Qty leaves_qty;
  OrderState state;
  Side side;
  OpenClose open_close;
  Tif tif;
  RejectReason reason;
  uint8_t flags;      ///< ExecFlag bits (late report)
};

/// One fill (tracker). fill_no counts fills of that order from 1.
struct JrFill {
  ClientOrderId client_id;
  VenueOrderId venue_id;
  Price px;
  Qty qty;
  Qty cum_qty;
  uint32_t fill_no;
  Side side;
  OpenClose open_close;
  uint8_t flags;  ///< ExecFlag bits (late fill)
};

/// Bits of JrPosition::flags (the lot's risk state, SPEC §5).
enum PositionFlag : uint8_t {
  kPosTrailingActive = 1u << 0,
  kPosProtectiveActive = 1u << 1,
  kPosExitInFlight = 1u << 2,
};

/// A lot's full state (risk). Written on every change of state, stop or flags.
struct JrPosition {
  PositionId id;
  TimeNs entry_time;
  TimeNs exit_time;
  Price entry_px;     ///< actual fill price
  Price entry_ref;    ///< price of the first entry order (for slippage)
  Price exit_px;      ///< actual fill price (CLOSED only)
  Price exit_ref;     ///< decision price of the exit (slippage reference, SPEC §4): the stop
                      ///< level for a stop exit, else the first exit order's limit
  Price peak;         ///< best trade price since entry (LONG: highest, SHORT: lowest)
  Price stop;         ///< current stop (initial, protective or trailing)
  TradingDay day;
  uint32_t group;     ///< display group (SPEC §4 FIFO), unique per trading day (32-bit, never wraps)
  uint8_t rule;       ///< lot rule 1..3
  PosSide side;
  PositionState state;
  ExitReason exit_reason;
  uint8_t flags;      ///< PositionFlag bits
};

enum class GroupEvent : uint8_t { Created = 1, Completed = 2 };

/// A strategy group (risk). Unique per (trading day, group id) (SPEC §4).
struct JrGroup {
  TimeNs signal_time;
  Price range_high;
  Price range_low;
  TradingDay day;
  uint32_t group_id;  ///< unique per trading day across runs on one store (32-bit, never wraps)
  PosSide side;
  GroupEvent event;
  Qty lots;           ///< target lots of the group
  Qty filled;         ///< lots filled so far
};

/// Per trading day, the highest group id already used in the store (a repeat run the
/// same day allocates the next free ids, SPEC §4 "Group ids").
using GroupFloor = std::vector<std::pair<TradingDay, uint32_t>>;

enum class SignalKind : uint8_t {
  RangeSet = 1,        ///< opening range complete: range_high/range_low
  Entry = 2,           ///< breakout: side, trigger price
  DaySkipped = 3,      ///< range filter / loss filter / no breakout: reason
  EntryGaveUp = 4,     ///< entry chase gave up with lots unfilled
  StaleQuote = 5,      ///< an order was held back because the quote was stale
  ExitRestarted = 6,   ///< alert: an exit's chase gave up; the exit stands and a new chase
                       ///< starts on the next quote (SPEC §4 "an exit once decided stands")
};
enum class SkipReason : uint8_t {
  None = 0, RangeTooWide = 1, NoBreakout = 2, LossLimit = 3, ProfitTarget = 4, NoRangeData = 5,
  EntriesRefused = 6,     ///< kMaxRefusedEntriesPerDay entries were refused (risk or venue reject)
  GroupIdsExhausted = 7,  ///< no group ids left for the day (refused, never wrapped)
};
const char* to_string(SkipReason r) noexcept;

struct JrSignal {
  Price range_high;
  Price range_low;
  Price trigger_px;
  TradingDay day;
  SignalKind kind;
  PosSide side;
  SkipReason skip;
  uint8_t pad_ = 0;
  Qty lots;
};

enum class ChaseEvent : uint8_t { Resend = 1, GiveUpRetries = 2, GiveUpSlippage = 3, GiveUpTimeout = 4 };

struct JrChase {
  ClientOrderId new_client_id;  ///< the resent order (Resend)
  Price first_px;               ///< price of the first send
  Price new_px;                 ///< price of this resend
  PositionId position;          ///< the lot chased (0: an entry's one multi-lot order)
  Qty qty;                      ///< lots resent / left unfilled
  uint8_t n;                    ///< retry number 1..5
  ChaseEvent event;
  OrderPurpose purpose;
};

/// What happened on a live feed's FIX session (docs/FIX.md). Counted events carry how
/// many happened in one duty cycle of the feed (`count`).
enum class SessionEvent : uint8_t {
  Logon = 1,
  Logout = 2,            ///< text: the venue's or our reason
  Disconnect = 3,
  Garbled = 4,           ///< bytes failing BeginString/BodyLength/CheckSum, skipped
  RejectSent = 5,        ///< we sent Reject(3) for a bad message
  RejectReceived = 6,    ///< the venue rejected one of ours
  GapDetected = 7,       ///< MsgSeqNum too high: we sent a ResendRequest
  GapFillSent = 8,       ///< we answered a ResendRequest with SequenceReset-GapFill
  SeqTooLow = 9,         ///< MsgSeqNum too low without PossDupFlag: Logout
  PossDupIgnored = 10,   ///< an already-seen PossDup message
  BadReport = 11,        ///< an ExecutionReport refused (unknown ExecType, price off the tick grid, ...)
  BadMarketData = 12,    ///< a W/X refused (a price off the grid, a bad field)
  Unhandled = 13,        ///< an application message of a type the feed does not handle
  StopRequested = 14,    ///< the operator or a signal asked the engine to stop
  SeqCheckpoint = 15,    ///< the session's sequence numbers (every kSeqCheckpointEvery messages):
                         ///< a restart after a crash continues from the last one (+ a margin out)
};
const char* to_string(SessionEvent e) noexcept;

struct JrSession {
  uint64_t count;        ///< events of this kind in one feed duty cycle
  uint64_t msg_seq;      ///< the session's next incoming MsgSeqNum when it was journaled
  uint64_t next_out;     ///< the session's next outgoing MsgSeqNum when it was journaled
  uint8_t session;       ///< 0 order session, 1 market-data session
  SessionEvent event;
  uint8_t text_len;      ///< valid bytes of text
  char text[69];         ///< a reason (Logout text, the session's problem description), truncated
};

/// The reconciliation summary (SPEC §6): what was checked and what was done.
struct JrReconcile {
  uint32_t checked_orders;
  uint32_t checked_positions;
  uint32_t adopted;           ///< fills applied from the venue's reports + lots adopted
  uint32_t closed;            ///< orphan orders cancelled + orphan positions flattened + lots closed
  uint32_t fixed;             ///< local orders fixed from the venue's report
  int32_t venue_net_lots;
  int32_t local_net_lots;     ///< before resolving
  uint8_t resolved;           ///< 1: positions agree (or were made to); 0: trading refused
  uint8_t items_len;
  char items[62];             ///< what was done, "; "-separated, truncated
};

/// An operator command (`tickpipe ctl`) as the risk stage applied it.
struct JrOperator {
  ControlKind command;
  uint8_t ok;        ///< 1: applied
  uint8_t text_len;
  char text[93];     ///< what it did, truncated
};

/// An event as the live feed emitted it (Input): everything a restart needs to rebuild
/// the stages' state by running the same events through them again.
struct JrInput {
  EventKind kind;
  uint8_t pad_[7];
  Event::Body body;
};

struct alignas(64) JournalRecord {
  uint64_t seq = 0;        ///< origin event seq (key part 2)
  TimeNs event_time;       ///< event time of the origin event
  Stage stage = Stage::Feed;  ///< key part 3
  uint8_t pad_ = 0;
  uint16_t sub = 0;        ///< key part 4: index among this stage's records for `seq`
  JournalType type = JournalType::OrderSent;
  uint16_t pad2_ = 0;
  union Body {
    JrOrder order;
    JrOrderUpdate order_update;
    JrFill fill;
    ExecReport exec;
    JrPosition position;
    JrGroup group;
    JrSignal signal;
    JrChase chase;
    JrSession session;
    JrInput input;
    JrReconcile reconcile;
    JrOperator op;
    uint8_t raw[96];
    Body() : raw{} {}  // zero every payload byte: records are compared byte for byte
  } u;
};

static_assert(sizeof(JournalRecord::Body) == 96, "raw must cover every payload");
static_assert(std::is_trivially_copyable_v<JournalRecord>);
static_assert(sizeof(JournalRecord) == 128 && alignof(JournalRecord) == 64);

/// Helper for stages: stamps key fields and counts `sub` per origin seq.
/// Not thread-safe; one per producing stage.
class JournalStamper {
 public:
  explicit JournalStamper(Stage stage) noexcept : stage_(stage) {}
  /// Fills seq/event_time/stage/sub/type of `r` for an event with sequence `seq`.
  void stamp(JournalRecord& r, uint64_t seq, TimeNs t, JournalType type) noexcept {
    if (seq != last_seq_) {
      last_seq_ = seq;
      sub_ = 0;
    }
    r.seq = seq;
    r.event_time = t;
    r.stage = stage_;
    r.sub = sub_++;
    r.type = type;
  }

 private:
  Stage stage_;
  uint64_t last_seq_ = UINT64_MAX;
  uint16_t sub_ = 0;
};

}  // namespace tp
