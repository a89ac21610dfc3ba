// The opening-range breakout strategy with per-lot exits (SPEC §4), as a plain class
// driven by the risk stage. It owns the lot positions (PENDING_ENTRY -> ACTIVE ->
// PENDING_CLOSING -> CLOSED) and decides every order; the tracker upstream owns the
// order state machines and resolves reports to client order ids.
//
// Threads: one thread only (the risk stage's). Not thread-safe.
// Allocation: the constructor reserves every container; on_* never allocate while the
// run stays within the reserved capacities (StrategyCapacity).
// Blocking: never.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tp/engine/config.hpp"
#include "tp/engine/journal.hpp"
#include "tp/engine/messages.hpp"
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
  uint16_t group = 0;         ///< display group (FIFO, SPEC §4)
  uint8_t rule = 0;           ///< 1..3
  PosSide side = PosSide::Long;
  PositionState state = PositionState::PendingEntry;
  ExitReason exit_reason = ExitReason::None;
  TimeNs entry_time;
  TimeNs exit_time;
  Price entry_px;
  Price entry_ref;            ///< first entry order's price (slippage reference)
  Price exit_px;
  Price exit_ref;             ///< bid1/ask1 when the exit was decided
  Ticks pnl;                  ///< (exit - entry) for LONG, (entry - exit) for SHORT
  Ticks entry_slippage;       ///< adverse distance of the fill from entry_ref (>= 0 is worse)
  Ticks exit_slippage;        ///< adverse distance of the fill from exit_ref
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

/// Order-flow counters (the report's "orders" block).
struct StrategyCounters {
  uint64_t sent = 0;        ///< orders submitted and accepted by the risk checks
  uint64_t filled = 0;      ///< orders fully filled
  uint64_t cancelled = 0;   ///< orders cancelled by the venue (FOK not filled)
  uint64_t rejected = 0;    ///< venue or risk rejects
  uint64_t chased = 0;      ///< chase resends
  uint64_t chase_gave_up = 0;
  uint64_t stale_quote_holds = 0;  ///< orders held back by the stale-quote guard
  uint64_t late_fills = 0;  ///< fills for orders already terminal
};

class Strategy {
 public:
  /// `run_id` goes into the high 32 bits of client order ids and position ids.
  /// `group_floor`: per trading day, the highest group id already used in the store
  /// (a repeat run the same day allocates the next free ids, SPEC §4).
  Strategy(const Config& cfg, uint32_t run_id, StrategySink& sink,
           std::vector<std::pair<TradingDay, uint16_t>> group_floor = {});

  /// A market event (ev.kind == Market). Updates the range, the entry trigger, every
  /// lot's peak/stop, and sends entries/exits.
  void on_market(const Event& ev);
  /// An execution report for one of our orders (ev.kind == Exec, client_id resolved).
  void on_exec(const Event& ev);
  /// End of data: closes the books of the last day (open lots stay open in the report).
  void on_end_of_data(const Event& ev);

  // Results: read after the run (or between events on the same thread).
  [[nodiscard]] const std::vector<DayResult>& days() const { return days_; }
  [[nodiscard]] const std::vector<LotResult>& lots() const { return lots_; }
  [[nodiscard]] const StrategyCounters& counters() const { return counters_; }
  /// Lots currently open (ACTIVE or PENDING_CLOSING), for the risk stage's checks.
  [[nodiscard]] int open_lots() const;
  /// Realized PnL of the current trading day, in ticks.
  [[nodiscard]] Ticks day_pnl() const;

 private:
  const Config& cfg_;
  uint32_t run_id_;
  StrategySink& sink_;
  std::vector<std::pair<TradingDay, uint16_t>> group_floor_;
  std::vector<DayResult> days_;
  std::vector<LotResult> lots_;
  StrategyCounters counters_;
};

}  // namespace tp
