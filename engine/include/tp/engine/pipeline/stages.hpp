// The four pipeline stages of SPEC §2 as agents: feed, tracker, risk, gateway.
// See docs/DESIGN.md for the data flow, flow control and determinism rules.
//
// Common contract of every stage:
//  * do_work() is called only from the stage's runner thread (one thread per stage;
//    stages may share a thread when fused). It never blocks, never takes a lock, never
//    allocates, never touches disk. It handles at most kBatch inputs and returns the
//    number of inputs handled.
//  * Before consuming an input it makes sure every output ring (incl. its journal ring)
//    has room for the most that input can produce; if not, it leaves the input in
//    place, counts back-pressure, and returns (retryable, never a drop).
//  * Progress is published through StageCounters (see stage_counters.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "tp/ring/agent.hpp"
#include "tp/engine/config/config.hpp"
#include "tp/engine/input/readers.hpp"
#include "tp/engine/journal.hpp"
#include "tp/engine/latency_histogram.hpp"
#include "tp/engine/messages.hpp"
#include "tp/engine/venue/sim_venue.hpp"
#include "tp/engine/pipeline/stage_counters.hpp"
#include "tp/engine/strategy/strategy.hpp"
#include "tp/ring/mutex_queue.hpp"
#include "tp/ring/spsc_ring.hpp"

namespace tp {

using EventRing = SpscRing<Event>;
using OrderRing = SpscRing<OrderRequest>;
using JournalRing = SpscRing<JournalRecord>;

inline constexpr int kStageBatch = 64;

// ------------------------------------------------------------------------- feed

struct FeedStats {
  uint64_t market_events = 0;  ///< input events emitted
  uint64_t exec_reports = 0;   ///< venue reports emitted
  uint64_t idle_waits = 0;     ///< lookahead waits: times the feed had to let the pipeline settle
  uint64_t backpressure = 0;   ///< times the output ring was full
  uint64_t skipped_events = 0; ///< input events of quiet days not emitted (skip_quiet_days)
};

/// The top of book after input event `in` (SPEC §3.1): `md` is the previous top of book,
/// updated in place. One function for every feed that carries InputEvents (the replay
/// feed, the live FIX feed decoding the venue's market data), so both see the same
/// MarketData for the same event. Never allocates.
void apply_input_event(MarketData& md, const InputEvent& in) noexcept;

/// The single ingress (SPEC §2): replays a recorded, time-ordered array of InputEvent
/// and the simulated venue's reports as one totally ordered Event stream.
///
/// Ordering rule (determinism, docs/DESIGN.md): the next event is the earlier of the
/// next input event and the next venue arrival (input first on a tie). Before emitting
/// an event at time T it waits until the pipeline is idle if any event it emitted since
/// the pipeline was last idle has time + latency < T, because that event could still
/// produce an order reaching the venue before T. After the input and the venue are
/// exhausted and the pipeline is idle it emits one EndOfData event and is finished.
///
/// The input is a list of segments (one per recorded file of a multi-day replay, mapped
/// or parsed in place, never copied), replayed one after the other: every segment sorted
/// by ts and each starting at or after the previous one's last event (the caller checks,
/// tick_set.hpp). Empty segments are skipped.
/// FeedAgent::set_horizon / PipelineT::step_inline: no horizon (run to the end).
inline constexpr int64_t kNoHorizon = INT64_MAX;

class FeedAgent final : public Agent {
 public:
  /// `input` must outlive the agent. The probe's counters belong to the downstream
  /// stages. `stamp_ingress` false leaves Event::ingress_ns 0 (no clock read per event:
  /// sweeps, where no tick-to-order latency is reported). `fill`: the simulated venue's
  /// fill model (config venue.fill_model / slippage_ticks; SimVenue). Its book is
  /// set from the last quote only when an order arrives, and trade_through reads its
  /// window back from the input cursor then, so no model costs anything per input
  /// event. Cold path (allocates the segment list); throws std::invalid_argument for a
  /// bad `fill` (SimVenue::set_fill_model).
  FeedAgent(InputSegments input, int64_t latency_ns, EventRing& out, OrderRing& venue_in, PipelineProbe probe,
            bool stamp_ingress = true, const FillModelConfig& fill = {});

  int do_work() override;
  std::string_view name() const override { return "feed"; }

  /// True once EndOfData has been emitted (any thread).
  [[nodiscard]] bool finished() const noexcept { return finished_.load(std::memory_order_acquire); }
  /// Events emitted so far (any thread).
  [[nodiscard]] uint64_t emitted() const noexcept { return emitted_pub_.load(std::memory_order_acquire); }
  /// The last emitted seq (release after each push): the tracker's upstream journal
  /// watermark (stage_counters.hpp DoneSeq).
  [[nodiscard]] const std::atomic<uint64_t>* emitted_seq() const noexcept { return &emitted_pub_; }
  /// Event-time horizon: input events and venue arrivals at or after `t` wait until it
  /// is raised (kNoHorizon: none, the default). A sweep steps many inline pipelines in
  /// lockstep over the same ticks with it (PipelineT::step_inline); the events and their
  /// order are those of an unpaused run. The feed's thread only.
  void set_horizon(int64_t t_ns) noexcept { horizon_ns_ = t_ns; }
  /// Quiet days: once the pipeline is idle, no order is at the venue and `quiet` (the
  /// risk stage's RiskAgentT::quiet_day) names the trading day of the next input event,
  /// the feed skips that event without emitting it (the book and the feed's market
  /// state still take it), and so the rest of that day. A strategy's results are the
  /// same; the events emitted (counts, seqs) are fewer. Call before the feed's thread
  /// starts; nullptr (the default): nothing is skipped.
  void skip_quiet_days(const std::atomic<int32_t>* quiet) noexcept { quiet_ = quiet; }
  /// Read after the feed's thread has stopped.
  [[nodiscard]] const FeedStats& stats() const noexcept { return stats_; }
  [[nodiscard]] const SimVenue& venue() const noexcept { return venue_; }

 private:
  void collect_orders() noexcept;
  Event* claim(TimeNs t, EventKind kind) noexcept;
  void publish(TimeNs t) noexcept;

  InputSegments input_;
  std::size_t seg_ = 0;          ///< segment of the next input event (== size: exhausted)
  std::size_t next_ = 0;         ///< index of the next input event in its segment
  SimVenue venue_;
  int64_t latency_ns_;
  EventRing& out_;
  OrderRing& venue_in_;
  PipelineProbe probe_;
  bool stamp_ingress_;
  int64_t horizon_ns_ = kNoHorizon;
  const std::atomic<int32_t>* quiet_ = nullptr;
  uint64_t seq_ = 0;
  bool unsettled_ = false;       ///< emitted something since the pipeline was last idle
  TimeNs first_unsettled_;       ///< event time of the oldest such event
  TimeNs last_time_;             ///< event time of the last emitted event
  bool has_pending_order_ = false;
  bool waiting_ = false;         ///< inside one lookahead wait (counted once)
  const InputEvent* last_quote_ = nullptr;     ///< the last emitted quote
  const InputEvent* applied_quote_ = nullptr;  ///< the quote the venue's book was last set from
  OrderRequest pending_order_;   ///< an order the venue queue could not take yet
  // Current top of book (as the feed publishes it).
  MarketData md_;
  FeedStats stats_;
  std::atomic<uint64_t> emitted_pub_{0};
  std::atomic<bool> finished_{false};
};

// ---------------------------------------------------------------------- tracker

struct TrackerStats {
  uint64_t reports = 0;         ///< execution reports handled
  uint64_t unknown_reports = 0; ///< reports matching no order (journaled, not forwarded)
  uint64_t late_reports = 0;    ///< reports for orders already terminal
  uint64_t duplicate_reports = 0; ///< fills a live feed marked kExecDuplicate (journaled, not applied)
  uint64_t overfills = 0;       ///< fills beyond an order's quantity (journaled, not applied)
  uint64_t fills = 0;
  uint64_t orders_registered = 0;
  uint64_t orders_evicted = 0;  ///< finished orders forgotten to make room (oldest first)
  int64_t net_position = 0;     ///< lots, buys minus sells, from fills
};

/// Order tracker (SPEC §4 "Report matching"): order state machines keyed by client
/// order id, the venue-id -> client-id map learnt from acks, fills and the net
/// position. Orders are registered from the gateway's "sent" ring, which the tracker
/// always drains before handling a report (the order was sent before the venue could
/// answer, so it is already there). A report matching nothing is journaled as
/// UnknownReport, counted, and not forwarded. Market events and EndOfData are
/// forwarded unchanged; resolved reports are forwarded with client_id set and
/// kExecLate for reports on terminal orders.
///
/// `Q` is the queue joining the stages: tp::SpscRing (the engine) or tp::MutexQueue
/// (the seeds' design, kept as the measured baseline).
template <template <class> class Q>
class TrackerAgentT final : public Agent {
 public:
  /// `max_orders`: orders the table holds (power of two). When it is half full the
  /// oldest finished orders are forgotten first (a later report for one of them is
  /// journaled as unknown); working orders are never forgotten. Cold path.
  TrackerAgentT(Q<Event>& in, Q<Event>& out, Q<OrderRequest>& sent_in, Q<JournalRecord>& journal,
                std::size_t max_orders = 1u << 12);

  int do_work() override;
  std::string_view name() const override { return "tracker"; }
  [[nodiscard]] const StageCounters& counters() const noexcept { return counters_; }
  /// The upstream journal watermark this stage's counters().done_seq follows (the
  /// feed's emitted seq for the tracker, the previous stage's done_seq otherwise; see
  /// DoneSeq). Null (the default): none. Call before the stage's thread starts.
  void set_done_upstream(const std::atomic<uint64_t>* up) noexcept { done_.set_upstream(up); }
  [[nodiscard]] const TrackerStats& stats() const noexcept { return stats_; }
  /// Live: journal every event as it came from the feed (JournalType::Input, the first
  /// record of its seq): the log a restart runs through the stages again
  /// (docs/DESIGN.md "Restart"). Off (replay: the input is the file). Before the thread
  /// starts.
  void set_journal_inputs(bool on) noexcept { journal_inputs_ = on; }

  struct OrderEntry {
    ClientOrderId client_id;
    VenueOrderId venue_id;
    PositionId position;
    Price limit;
    int64_t px_qty_sum = 0;  ///< sum of fill price (ticks) x qty, for the average price
    Qty qty;
    Qty cum;
    Qty leaves;
    uint32_t fills = 0;
    OrderState state = OrderState::PendingNew;
    Side side = Side::Buy;
    OpenClose open_close = OpenClose::Open;
    Tif tif = Tif::Fok;
  };
  /// Looks up an order (tests, reports). nullptr if unknown.
  [[nodiscard]] const OrderEntry* find(ClientOrderId id) const noexcept;

 private:
  static constexpr int kMaxJournalPerReport = 5;  ///< Input + ExecReport/Unknown + OrderUpdate + Fill, with room
  void register_sent() noexcept;
  void handle(const Event& ev) noexcept;
  void handle_exec(const Event& ev) noexcept;
  void journal_unknown(const Event& ev, const ExecReport& er) noexcept;
  OrderEntry* find_mut(ClientOrderId id) noexcept;
  OrderEntry* insert(ClientOrderId id) noexcept;
  ClientOrderId by_venue(VenueOrderId vid) const noexcept;
  void map_venue(VenueOrderId vid, ClientOrderId cid) noexcept;
  void note_terminal(ClientOrderId id) noexcept;
  void evict_terminal() noexcept;
  void erase_order_at(std::size_t i) noexcept;
  void erase_venue(VenueOrderId vid) noexcept;
  JournalRecord& next_record(const Event& ev, JournalType type) noexcept;

  Q<Event>& in_;
  Q<Event>& out_;
  Q<OrderRequest>& sent_in_;
  Q<JournalRecord>& journal_;
  std::vector<OrderEntry> orders_;       ///< open addressing by client id
  std::vector<uint64_t> venue_keys_;     ///< open addressing venue id -> client id
  std::vector<uint64_t> venue_vals_;
  std::size_t mask_;
  std::size_t used_ = 0;
  std::vector<uint64_t> terminal_;       ///< FIFO of finished orders' ids, oldest first
  std::size_t terminal_head_ = 0;
  std::size_t terminal_count_ = 0;
  JournalStamper stamper_{Stage::Tracker};
  bool journal_inputs_ = false;
  uint64_t handled_ = 0;
  uint64_t produced_ = 0;
  uint64_t journaled_ = 0;
  StageCounters counters_;
  DoneSeq done_;
  TrackerStats stats_;
};

// ------------------------------------------------------------------------- risk

struct RiskStats {
  uint64_t events = 0;
  uint64_t orders = 0;  ///< orders accepted and forwarded
  uint64_t rejects = 0; ///< orders refused by a pre-trade check
  uint64_t rejects_by_reason[32] = {};
};

/// The decision logic the risk stage runs. tp::Strategy (SPEC §4) is the product; the
/// latency harness plugs in a minimal logic. Called on the risk thread only.
class TradingLogic {
 public:
  virtual ~TradingLogic() = default;
  virtual void on_market(const Event& ev, StrategySink& sink) = 0;
  virtual void on_exec(const Event& ev, StrategySink& sink) = 0;
  virtual void on_end_of_data(const Event& ev, StrategySink& sink) = 0;
  /// A Control event (EventKind::Control). Default: ignored.
  virtual void on_control(const Event& /*ev*/, StrategySink& /*sink*/) {}
  /// Lots open now and the day's realized PnL, for the pre-trade checks.
  [[nodiscard]] virtual int open_lots() const = 0;
  [[nodiscard]] virtual Ticks day_pnl() const = 0;
};

/// The risk stage: runs the Strategy on every event and the pre-trade checks of
/// SPEC §6 on every order the strategy submits, in this order (the first that fails is
/// the RejectReason journaled as RiskReject and returned to the strategy):
///   InvalidQty    qty <= 0
///   MaxOrderSize  qty > risk.max_order_lots
///   Throttle      risk.max_orders_per_sec orders already sent in the last second of
///                 event time (every order counts)
///   InvalidPrice  limit <= 0
///   PriceBand     |limit - reference| > risk.price_band_points, or no reference yet;
///                 the reference is the last trade, else the mid of the last two-sided
///                 quote. Applies to closing orders too: no exit fills at an absurd price.
///   --- closing orders (open_close Close) stop here: they reduce risk ---
///   KillSwitch    risk.kill_switch
///   MaxPosition   open lots + working opening lots + qty > risk.max_position_lots
///   DailyLoss     the day's realized PnL <= -risk.max_daily_loss_points
/// Each limit is off at 0. Risk thread only; never allocates, never blocks.
template <template <class> class Q>
class RiskAgentT final : public Agent, private StrategySink {
 public:
  /// Runs the SPEC §4 strategy (owned).
  RiskAgentT(const Config& cfg, uint32_t run_id, Q<Event>& in, Q<OrderRequest>& out, Q<JournalRecord>& journal,
             GroupFloor group_floor = {});
  /// Runs an external logic (not owned; must outlive the agent).
  RiskAgentT(const Config& cfg, TradingLogic& logic, Q<Event>& in, Q<OrderRequest>& out,
             Q<JournalRecord>& journal);
  ~RiskAgentT() override;

  int do_work() override;
  std::string_view name() const override { return "risk"; }
  [[nodiscard]] const StageCounters& counters() const noexcept { return counters_; }
  /// The upstream journal watermark this stage's counters().done_seq follows (the
  /// feed's emitted seq for the tracker, the previous stage's done_seq otherwise; see
  /// DoneSeq). Null (the default): none. Call before the stage's thread starts.
  void set_done_upstream(const std::atomic<uint64_t>* up) noexcept { done_.set_upstream(up); }
  [[nodiscard]] const RiskStats& stats() const noexcept { return stats_; }
  /// Quiet days (PipelineOptions::skip_quiet_days): after each event the stage stores
  /// here the trading day (yyyymmdd) whose remaining market events cannot matter to the
  /// owned strategy (Strategy::day_done), else 0, with release, before it publishes the
  /// event as handled. Call publish_quiet_days() before the stage's thread starts; a
  /// stage with an external logic publishes nothing.
  void publish_quiet_days() noexcept { publish_quiet_ = strategy_ != nullptr; }
  [[nodiscard]] const std::atomic<int32_t>* quiet_day() const noexcept { return &quiet_day_; }
  /// The strategy (read its results after the risk thread has stopped).
  /// Precondition: constructed with the owned strategy.
  [[nodiscard]] const Strategy& strategy() const noexcept { return *strategy_; }

 private:
  RejectReason submit(OrderRequest& req) override;
  void journal(JournalRecord& rec) override;
  RejectReason check(const OrderRequest& req) noexcept;
  void track(const Event& ev) noexcept;
  void on_control(const Event& ev) noexcept;

  class OwnedStrategy;
  const Config& cfg_;
  RiskLimits lim_;  ///< the pre-trade limits in force: the configuration's, until an operator's Limits / Kill
  Q<Event>& in_;
  Q<OrderRequest>& out_;
  Q<JournalRecord>& journal_;
  std::unique_ptr<OwnedStrategy> owned_;
  Strategy* strategy_ = nullptr;  ///< the owned strategy, if any
  TradingLogic* logic_;
  bool publish_quiet_ = false;
  int32_t quiet_cache_ = 0;
  std::atomic<int32_t> quiet_day_{0};
  const Event* cur_ = nullptr;
  JournalStamper stamper_{Stage::Risk};
  // Pre-trade state.
  Price reference_;            ///< price band reference: last trade, else quote mid
  bool has_reference_ = false;
  bool has_trade_ = false;
  std::vector<TimeNs> sends_;  ///< ring of recent send times (throttle)
  std::size_t sends_head_ = 0;
  std::size_t sends_count_ = 0;
  struct Working {
    ClientOrderId id;
    int32_t open_lots;
  };
  std::vector<Working> working_;  ///< working opening orders (fixed capacity)
  int64_t working_open_lots_ = 0;
  uint64_t handled_ = 0;
  uint64_t produced_ = 0;
  uint64_t journaled_ = 0;
  StageCounters counters_;
  DoneSeq done_;
  RiskStats stats_;
};

// ---------------------------------------------------------------------- gateway

struct GatewayStats {
  uint64_t orders = 0;
  uint64_t cancels = 0;
};

/// The order gateway: stamps each order's send time, tells the tracker (first), sends
/// it to the venue (the simulated venue's ring in replay), journals OrderSent, and
/// records tick-to-order latency (send wall time - the origin event's feed wall time).
template <template <class> class Q>
class GatewayAgentT final : public Agent {
 public:
  GatewayAgentT(Q<OrderRequest>& in, Q<OrderRequest>& venue_out, Q<OrderRequest>& sent_out,
                Q<JournalRecord>& journal);

  int do_work() override;
  std::string_view name() const override { return "gateway"; }
  [[nodiscard]] const StageCounters& counters() const noexcept { return counters_; }
  /// The upstream journal watermark this stage's counters().done_seq follows (the
  /// feed's emitted seq for the tracker, the previous stage's done_seq otherwise; see
  /// DoneSeq). Null (the default): none. Call before the stage's thread starts.
  void set_done_upstream(const std::atomic<uint64_t>* up) noexcept { done_.set_upstream(up); }
  [[nodiscard]] const GatewayStats& stats() const noexcept { return stats_; }
  /// Tick-to-order latency (read after the gateway's thread has stopped).
  [[nodiscard]] const LatencyHistogram& latency() const noexcept { return latency_; }
  /// Leaves the first `n` orders out of the latency histogram (warm-up). Call before
  /// the gateway's thread starts.
  void skip_latency_samples(uint64_t n) noexcept { skip_latency_ = n; }

 private:
  Q<OrderRequest>& in_;
  Q<OrderRequest>& venue_out_;
  Q<OrderRequest>& sent_out_;
  Q<JournalRecord>& journal_;
  JournalStamper stamper_{Stage::Gateway};
  LatencyHistogram latency_;
  uint64_t skip_latency_ = 0;
  uint64_t handled_ = 0;
  uint64_t journaled_ = 0;
  StageCounters counters_;
  DoneSeq done_;
  GatewayStats stats_;
};

using TrackerAgent = TrackerAgentT<SpscRing>;
using RiskAgent = RiskAgentT<SpscRing>;
using GatewayAgent = GatewayAgentT<SpscRing>;
extern template class TrackerAgentT<SpscRing>;
extern template class TrackerAgentT<MutexQueue>;
extern template class RiskAgentT<SpscRing>;
extern template class RiskAgentT<MutexQueue>;
extern template class GatewayAgentT<SpscRing>;
extern template class GatewayAgentT<MutexQueue>;

}  // namespace tp
