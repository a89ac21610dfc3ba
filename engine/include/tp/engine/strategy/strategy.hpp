// The opening-range breakout strategy with per-lot exits (SPEC §4; every rule and
// interpretation is listed in docs/STRATEGY.md), as a plain class
// driven by the risk stage. It owns the lot positions (PENDING_ENTRY -> ACTIVE ->
// PENDING_CLOSING -> CLOSED) and decides every order; the tracker upstream owns the
// order state machines and resolves reports to client order ids.
//
// Threads: one thread only (the risk stage's). Not thread-safe.
// Allocation: the constructor reserves every container; on_* never allocate while the
// run stays within the reserved capacities (StrategyCapacity).
// Blocking: never.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tp/engine/config/config.hpp"
#include "tp/engine/journal.hpp"
#include "tp/engine/messages.hpp"
#include "tp/engine/strategy/chase.hpp"
#include "tp/engine/strategy/opening_range.hpp"
#include "tp/engine/types.hpp"

namespace tp {

/// What the strategy writes into. Implemented by the risk stage (and by tests).
class StrategySink {
 public:
  virtual ~StrategySink() = default;
  /// Submits an order (or cancel) for the event being processed. The sink fills the
  /// origin fields, runs the pre-trade checks and forwards it to the gateway.
  /// Returns RejectReason::None when accepted, otherwise the check that refused it
  /// (the order never left; the strategy must treat it as rejected, not chase it).
  /// Never blocks: the risk stage guarantees room in its output ring before it
  /// delivers an event (at most kMaxOrdersPerEvent submits per event).
  virtual RejectReason submit(OrderRequest& req) = 0;
  /// Journals a record for the event being processed. The sink stamps the key fields
  /// (seq, event time, stage, sub); the strategy fills `type` and the payload.
  /// At most kMaxJournalPerEvent records per event.
  virtual void journal(JournalRecord& rec) = 0;
};

/// Per-event output bounds the strategy guarantees (the risk stage reserves them).
inline constexpr int kMaxOrdersPerEvent = 32;
inline constexpr int kMaxJournalPerEvent = 128;

/// One lot of the report (SPEC §3.1: per-lot entry/exit/reason/slippage).
struct LotResult {
  PositionId id;
  TradingDay day;
  int entry_index = 0;        ///< index into DayResult::entries of its day
  uint32_t group = 0;         ///< display group (FIFO, SPEC §4); 0 for an Overfill lot
  uint8_t rule = 0;           ///< 1..3; 0 for an Overfill lot (no exit rule, closed at once)
  PosSide side = PosSide::Long;
  PositionState state = PositionState::PendingEntry;
  ExitReason exit_reason = ExitReason::None;
  TimeNs entry_time;
  TimeNs exit_time;
  Price entry_px;
  Price entry_ref;            ///< first entry order's limit: ask1/bid1 at the signal (slippage reference)
  Price exit_px;
  Price exit_ref;             ///< decision price of the exit: the stop level for a stop exit,
                              ///< else the first exit order's limit (SPEC §4 "PnL and slippage")
  Ticks pnl;                  ///< (exit - entry) for LONG, (entry - exit) for SHORT
  Ticks entry_slippage;       ///< adverse distance of the fill from entry_ref (> 0 is worse)
  Ticks exit_slippage;        ///< adverse distance of the fill from exit_ref (> 0 is worse)
  Ticks mfe;                  ///< maximum favourable excursion: best trade since entry, in ticks (>= 0)
  Ticks mae;                  ///< maximum adverse excursion: worst trade since entry, in ticks (>= 0)
  Price last_px;              ///< last trade seen while the lot was open (marks an open lot)
};

struct EntryResult {
  PosSide side = PosSide::Long;
  TimeNs signal_time;
  Price trigger_px;           ///< the breakout trade
  Qty target;                 ///< lots wanted
  Qty filled;                 ///< lots filled
  std::vector<int> lots;      ///< indices into Strategy::lots()
};

struct DayResult {
  TradingDay day;
  bool has_range = false;
  Price range_high;
  Price range_low;
  SkipReason skipped = SkipReason::None;
  std::vector<EntryResult> entries;
};

/// Order-flow counts of one side of the book-keeping (entries or exits).
struct OrderCounts {
  uint64_t sent = 0;        ///< orders submitted and accepted by the risk checks
  uint64_t filled = 0;      ///< orders fully filled
  uint64_t cancelled = 0;   ///< orders cancelled by the venue (FOK not filled)
  uint64_t rejected = 0;    ///< venue or risk rejects
  uint64_t chased = 0;      ///< chase resends (retry n >= 1)
  uint64_t chase_gave_up = 0;  ///< chases that hit a limit (entry: the lot fails; exit: restarts)
};

/// Order-flow counters (the report's "orders" block). The flat fields are the totals;
/// `entry` and `exit` split them by the order's purpose.
struct StrategyCounters {
  uint64_t sent = 0;
  uint64_t filled = 0;
  uint64_t cancelled = 0;
  uint64_t rejected = 0;
  uint64_t chased = 0;
  uint64_t chase_gave_up = 0;
  OrderCounts entry;
  OrderCounts exit;
  uint64_t stale_quote_holds = 0;  ///< sends held back by the stale-quote guard (one per held send)
  uint64_t late_fills = 0;  ///< fills for orders already terminal
  uint64_t exit_restarts = 0;      ///< alerts: an exit chase gave up and started again
  uint64_t refused_entries = 0;    ///< entries with a lot refused (risk or venue reject)
};

class Strategy {
 public:
  /// Capacities reserved by the constructor. on_* never allocate while a run stays
  /// within them (entry creation, a rare event, may allocate the entry's lot list).
  static constexpr std::size_t kOrderSlots = 4096;   ///< orders remembered (ring, by client id)
  static constexpr std::size_t kLotCapacity = 65536; ///< lots of the run (LotResult)
  static constexpr std::size_t kDayCapacity = 4096;  ///< trading days of the run
  static constexpr std::size_t kEntryCapacity = 4096;
  /// Entries per day and lots per entry (target + late overfills) that need no heap
  /// allocation: their storage is built in the constructor. Beyond these a vector grows
  /// (correct, but an allocation on the risk thread).
  static constexpr std::size_t kEntriesPerDay = 16;
  static constexpr std::size_t kLotsPerEntry = 32;
  /// Entries refused per trading day (a lot of the entry refused by the risk stage or
  /// rejected by the venue) before the day stops entering (SkipReason::EntriesRefused).
  /// After each refused entry the signal re-arms only once a trade is back inside the
  /// range (docs/STRATEGY.md "No order storm").
  static constexpr int kMaxRefusedEntriesPerDay = 3;

  /// `run_id` goes into the high 32 bits of client order ids and position ids.
  /// `group_floor`: per trading day, the highest group id already used in the store
  /// (a repeat run the same day allocates the next free ids, SPEC §4).
  /// Cold path: allocates (reserves every container). `cfg` must outlive the strategy
  /// and must have been resolve()d.
  Strategy(const Config& cfg, uint32_t run_id, StrategySink& sink,
           GroupFloor group_floor = {});

  /// A market event (ev.kind == Market). Updates the range, the entry trigger, every
  /// lot's peak/stop, and sends entries/exits. Never blocks; no allocation except at a
  /// new entry signal; no floating point.
  void on_market(const Event& ev);
  /// An execution report for one of our orders (ev.kind == Exec, client_id resolved).
  /// Reports for ids this strategy never issued are ignored (counted in unknown_reports()).
  void on_exec(const Event& ev);
  /// End of data: closes the books of the last day (open lots stay open in the report).
  void on_end_of_data(const Event& ev);
  /// Control events. RunSwitch (a restart's recovery is done, docs/DESIGN.md "Restart"):
  /// client order ids and position ids from here on are `run_id << 32 | n` with the new
  /// run id; n goes on counting, so ids stay unique and order slots never collide.
  /// Reconcile (SPEC §6): resolves a position mismatch, journals the summary. Operator
  /// commands: Pause / Kill stop new entries, Resume allows them, Flatten exits every
  /// open lot (ExitReason::KillSwitch) through the normal exit path and pauses entries.
  void on_control(const Event& ev);
  /// The last reconciliation (ControlKind::Reconcile, SPEC §6); `done` false if none ran.
  struct ReconcileSummary {
    bool done = false;
    JrReconcile r{};
    std::string items;  ///< the whole text (the journal record holds a truncated copy)
  };
  [[nodiscard]] const ReconcileSummary& reconcile_summary() const { return reconcile_; }
  /// True once a reconciliation found a position it could not resolve: no more orders.
  [[nodiscard]] bool halted() const { return halted_; }

  // Results: read after the run (or between events on the same thread).
  [[nodiscard]] const std::vector<DayResult>& days() const { return days_; }
  [[nodiscard]] const std::vector<LotResult>& lots() const { return lots_; }
  [[nodiscard]] const StrategyCounters& counters() const { return counters_; }
  /// Lots currently open (ACTIVE or PENDING_CLOSING), for the risk stage's checks.
  [[nodiscard]] int open_lots() const;
  /// Realized PnL of the current trading day, in ticks.
  [[nodiscard]] Ticks day_pnl() const;
  /// Realized PnL of the whole run, in ticks.
  [[nodiscard]] Ticks cumulative_pnl() const { return cum_pnl_; }
  /// Largest fall of mark-to-market equity from its running peak, in ticks: equity =
  /// realized PnL + every open lot marked at the trade, sampled at every trade the
  /// strategy sees (gross of costs).
  [[nodiscard]] Ticks max_equity_drawdown() const { return mtm_max_dd_; }
  /// Risk state of lot `i` (index into lots()): current peak, stop and PositionFlag bits.
  struct LotRisk {
    Price peak;
    Price stop;
    uint8_t flags = 0;
  };
  [[nodiscard]] LotRisk lot_risk(std::size_t i) const;
  /// True when nothing this strategy does for the rest of the current trading day can
  /// depend on that day's further market events (a sweep's feed then skips them:
  /// PipelineOptions::skip_quiet_days): the opening range is complete, no lot is open,
  /// no entry is working, the mark-to-market equity was sampled since the last fill,
  /// and no entry can come any more today (the day is blocked or flattening, once per
  /// day has entered, or the last event was at or after entry_end). Risk thread.
  [[nodiscard]] bool day_done() const noexcept;
  /// The trading day of the last market event (invalid before the first).
  [[nodiscard]] TradingDay day() const noexcept { return day_; }
  /// Execution reports whose client id this strategy never issued (or that fell out of
  /// the order ring); they are ignored.
  [[nodiscard]] uint64_t unknown_reports() const { return unknown_reports_; }

 private:
  /// Internal per-lot state (parallel to lots_).
  struct LotState {
    Price peak;                   ///< best trade since entry
    Price trough;                 ///< worst trade since entry
    Price stop;
    ChaseState entry_chase;       ///< one order per lot: this lot's entry chase
    ChaseState exit_chase;        ///< the chase of the lot's current exit decision
    uint64_t entry_order = 0;     ///< client id of the working entry order holding this lot
    uint64_t exit_order = 0;      ///< client id of the lot's working exit order (0: none)
    int32_t entry = -1;           ///< index into entries_
    ExitReason decision = ExitReason::None;  ///< exit decided and not yet filled (it stands)
    uint8_t flags = 0;            ///< PositionFlag bits
    bool exit_ref_set = false;    ///< exit_ref was taken for the current decision
    bool wait_market = false;     ///< the exit waits for the next market event (reject, restart)
    TimeNs retry_at;              ///< a rejected exit's next order waits until this event time
    bool dirty = false;           ///< a Position record is owed at the end of the event
    bool overfill = false;        ///< a lot beyond the target (exits at once)
  };
  /// A sent order, remembered in a ring indexed by the low bits of its client id.
  struct OrderSlot {
    uint64_t id = 0;
    int32_t entry = -1;  ///< index into entries_
    int32_t lot = -1;    ///< exit: the lot; per-lot entry: the lot it was sent for; -1: multi-lot entry
    Qty qty;
    Qty filled;
    Price limit;
    OrderPurpose purpose = OrderPurpose::Entry;
    ExitReason reason = ExitReason::None;  ///< exit: the decision it executes
    uint8_t chase_n = 0;
    bool in_flight = false;
  };
  /// Internal state of one entry (one signal).
  struct EntryState {
    int32_t day = -1;         ///< index into days_
    int32_t index = 0;        ///< index into days_[day].entries
    PosSide side = PosSide::Long;
    Price range_high;
    Price range_low;
    Price opening;
    uint32_t first_group = 0; ///< first group id allocated for this entry
    uint8_t groups = 0;
    int32_t target = 0;
    int32_t filled = 0;        ///< lots filled within the target (FIFO counter of the entry)
    int32_t in_flight = 0;     ///< lots of entry orders still working
    int32_t unreported_failed = 0;  ///< lots failed since the last EntryGaveUp record
    ChaseState chase;          ///< order_per_lot = false: the one multi-lot order's chase
    uint64_t order = 0;        ///< order_per_lot = false: the working multi-lot order
    bool first_sent = false;
    bool refused = false;      ///< a lot was refused by the risk stage or rejected by the venue
    bool done = false;         ///< no more orders will be sent for this entry
    uint8_t completed_groups = 0;  ///< bit g: Group Completed journaled for first_group + g
    Price first_px;            ///< the entry's first order's limit (entry_ref of every lot)
    TimeNs first_time;         ///< the entry's first send (start of every entry lot's chase window)
    int64_t group_pnl[5] = {};
  };

  // market-side steps
  void begin_day(TradingDay day);
  void finish_day();
  void complete_range();
  void check_breakout(const Event& ev, Price p);
  void create_entry(const Event& ev, PosSide side, Price trigger);
  void flatten_all(const Event& ev);
  void on_trade_for_lots(const Event& ev, Price p);
  void process_pending(const Event& ev);

  // entries
  void try_send_entry_lot(int i, const Event& ev);
  void try_send_entry_multi(int e, const Event& ev);
  bool send_entry_order(int e, ChaseState& c, int lot, int qty, const Event& ev);
  void fail_lot(int i);
  void settle_entry(int e);
  void finish_entry(int e);
  void stop_entry(int e);
  void on_entry_terminal(OrderSlot& o, bool rejected, const Event& ev);
  int take_lot_for_fill(int e, uint64_t order_id);
  void on_entry_fill(int slot, Qty q, Price px, const Event& ev);
  int new_lot(int e, PosSide side);

  // exits
  void decide_exit(int i, ExitReason why, const Event& ev);
  void try_send_exit(int i, const Event& ev);
  void exit_give_up(int i, const ChaseOrder& o);
  void on_exit_terminal(OrderSlot& o, bool rejected, const Event& ev);
  void on_exit_fill(int slot, Price px, const Event& ev);
  void close_lot(int i, Price px, TimeNs t, ExitReason why);
  void apply_protective(int closed_lot);
  void maybe_complete_groups(int e);
  void remove_open(int i);
  void compact_live();

  // helpers
  OrderSlot* find_order(ClientOrderId id);
  OrderSlot& new_order_slot(uint64_t id);
  uint64_t next_client_id();
  [[nodiscard]] bool quote_fresh(Side side, TimeNs now) const;
  [[nodiscard]] bool stale_hold(ChaseState& c, PosSide side, Side order_side, TimeNs now, int lots);
  [[nodiscard]] bool budget_ok(int orders, int journal) const;
  void count(bool entry, uint64_t OrderCounts::*field);
  [[nodiscard]] RejectReason submit(OrderSlot& o, PositionId pos, Side side, OpenClose oc);
  void mark(int i);
  void flush_positions();
  void put_journal(JournalRecord& r);
  void journal_signal(SignalKind k, PosSide side, Price trigger, SkipReason skip, int lots);
  void journal_chase(ChaseEvent ev, OrderPurpose purpose, uint64_t new_id, Price first, Price px,
                     PositionId pos, int qty, int n);
  void journal_group(int e, uint32_t gid, GroupEvent ge, int lots, int filled);
  void skip_day(SkipReason why, PosSide side, Price trigger);
  void reconcile(const Event& ev);
  void adopt_lot(int i, Price px, const Event& ev);
  void activate_lot(int i, Price px, const Event& ev);
  void assign_rule(int i);
  void begin_event();

  const Config& cfg_;
  uint32_t run_id_;
  StrategySink& sink_;
  GroupFloor group_floor_;
  std::vector<DayResult> days_;
  std::vector<DayResult> spare_days_;        ///< preallocated, moved into days_ (no allocation)
  std::vector<EntryResult> spare_entries_;   ///< preallocated, moved into a day's entries
  std::vector<LotResult> lots_;
  std::vector<LotState> st_;
  std::vector<EntryState> entries_;
  std::vector<OrderSlot> orders_;   ///< ring of kOrderSlots
  std::vector<int32_t> open_;       ///< indices of ACTIVE / PENDING_CLOSING lots, creation order
  std::vector<int32_t> live_entries_;  ///< entries not done, creation order
  std::vector<int32_t> touched_;    ///< lots owing a Position record this event
  StrategyCounters counters_;
  ChaseLimits chase_limits_;

  // time of day in ns (resolved once)
  int64_t range_start_ns_ = 0;
  int64_t range_end_ns_ = 0;
  int64_t entry_end_ns_ = 0;
  int64_t flatten_ns_ = 0;
  int64_t max_quote_age_ns_ = 0;

  // quote (last accepted market event)
  Price bid_;
  Price ask_;
  TimeNs quote_time_;
  bool has_bid_ = false;
  bool has_ask_ = false;

  // day state
  TradingDay day_;
  int32_t day_idx_ = -1;
  int64_t last_local_ns_ = 0;    ///< local time of day of the last day-session market event
  bool mtm_sampled_ = true;      ///< equity sampled at a trade since cum_pnl_ last changed
  bool day_finished_ = false;
  bool range_done_ = false;
  OpeningRange range_;
  bool day_blocked_ = false;     ///< the day takes no (more) entries
  bool filter_journaled_ = false;
  bool flatten_active_ = false;
  bool rearm_needed_ = false;    ///< a refused entry: wait for a trade back inside the range
  uint32_t next_group_ = 1;
  int32_t day_entries_ = 0;
  int32_t refused_entries_today_ = 0;
  int32_t last_entry_ = -1;      ///< last entry of the run

  // money
  Ticks day_pnl_;
  Ticks cum_pnl_;
  Ticks mtm_peak_;     ///< running peak of mark-to-market equity
  Ticks mtm_max_dd_;   ///< largest fall from mtm_peak_

  uint64_t next_order_n_ = 1;
  uint64_t next_lot_n_ = 1;
  uint64_t unknown_reports_ = 0;
  ReconcileSummary reconcile_;
  bool halted_ = false;
  bool paused_ = false;  ///< operator pause / kill / flatten: no new entries (ControlKind)
  int orders_ev_ = 0;
  int journal_ev_ = 0;
};

}  // namespace tp
