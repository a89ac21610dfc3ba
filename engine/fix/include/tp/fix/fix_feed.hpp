// The live FIX feed (SPEC §2, §3.2): the pipeline's single ingress and the venue side of
// its gateway, over the two FIX 4.4 sessions of docs/FIX.md. It is the `Feed` of
// PipelineT (the same stages, strategy and journal as replay):
//
//   venue ──MD session (W, X)──▶ ┐                       ┌──▶ tracker ─▶ risk ─▶ gateway ┐
//   venue ──order session (8, 9)─▶ FixFeed ──Event ring──┘                               │
//   venue ◀──order session (D, F)── FixFeed ◀──────────────── OrderRequest ring ◀────────┘
//
// * Market data: W/X are decoded into an InputEvent (5-level book, trade, flags, event
//   time = 60 TransactTime, trading day = 75, session = 336) and turned into the top of
//   book by tp::apply_input_event, the function the replay feed uses: the same file gives
//   the same MarketData live and in replay.
// * Execution reports become tp::ExecReport (client id from 11, or 41 for a cancel's
//   report; venue id from 37; prices converted exactly to ticks; a price off the tick grid
//   is refused, counted and never forwarded). A report whose ExecID (17) was seen before
//   is forwarded with kExecDuplicate: the tracker journals it and never applies it.
//   ExecType I (status) and OrderCancelReject are counted (reconciliation, SPEC §6, reads
//   them); a cancel reject is forwarded as a Rejected report of the cancel request.
// * Lost reports: when the order session logs on again after a lost connection, every
//   order still working (sent, no final report) is asked for with OrderStatusRequest
//   (H), and so is a FOK/IOC order still without its final report status_after_ns after
//   it was sent (again each time that passes); its status report supplies what was lost with the connection: a fill for the
//   difference between the venue's CumQty and the fills seen (at the price AvgPx implies),
//   and the final state (an order the venue never received is Rejected, UnknownOrder).
//   These reports carry kExecSynthetic. The tracker refuses any fill beyond an order's
//   quantity, so a late original report cannot over-fill.
// * Orders: each OrderRequest the gateway sends becomes a NewOrderSingle (D) or an
//   OrderCancelRequest (F). While the order session is not logged on, or once a stop was
//   requested, no order is sent: the feed answers it with a Rejected report, reason
//   VenueDown, flags kExecSynthetic (journaled like any reject; the strategy decides).
// * Lockstep (docs/FIX.md "Pacing"): a TestRequest `sync:<s>` on the order session is
//   answered once market-data message s has been emitted, the pipeline is idle and every
//   FOK/IOC order sent has had its final report.
// * Back-pressure: events that do not fit the output ring wait in a staging FIFO (never
//   dropped); while it is over half full, or the feed's journal ring has no room for
//   the most one poll can journal, the sockets are not read (TCP pushes back).
// * Journal: every session event (logon, logout, disconnect, garbled input, rejects sent
//   and received, gaps, gap fills, too-low sequence numbers, PossDup duplicates, refused
//   reports and market data, unhandled messages, the stop request) is a Session record
//   on the feed's journal ring (JrSession: counted per duty cycle, with the session's
//   problem text), persisted with the stages' records.
//
// Threads: do_work() on the feed's runner thread only. request_stop() from any thread
// (a moodycamel::ConcurrentQueue: the signal thread and, later, the operator's control
// channel are producers). Allocation: the constructor allocates the sessions' buffers,
// the staging FIFO and the ExecID table; do_work() never allocates, never blocks (every
// socket is non-blocking).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tp/engine/instrument.hpp"
#include "tp/engine/pipeline/pipeline.hpp"
#include "tp/fix/session.hpp"

namespace tp::fix {

struct FixFeedConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string order_sender = "TICKPIPE";   ///< 49 on the order session
  std::string md_sender = "TICKPIPE-MD";   ///< 49 on the market-data session
  std::string target = "TPVENUE";          ///< 56 on both
  int heartbeat_s = 30;
  bool reset_seq_on_logon = false;         ///< 141=Y (first run of a database)
  SeqNums order_seq;                       ///< stored sequence numbers (restart)
  SeqNums md_seq;
  std::string symbol = "MTX";              ///< 55 of V and D
  std::string contract;                    ///< 200 MaturityMonthYear ("" = not sent)
  std::string account;                     ///< 1 Account ("" = not sent)
  Instrument instrument;                   ///< tick grid of the wire prices
  std::size_t staging = 1u << 15;          ///< staging FIFO, events
  int64_t logout_timeout_ns = 2'000'000'000;  ///< stop: wait this long for the venue's Logout
  bool stop_on_venue_logout = true;        ///< the venue logging out ends the run (its file is played)
  /// A FOK/IOC order without its final report this long after it was sent (wall clock)
  /// is asked for with OrderStatusRequest, and again each time this passes.
  int64_t status_after_ns = 500'000'000;
  /// The market-data session logs on with ResetSeqNumFlag on the process's first logon:
  /// market data is never resent after a restart (stale quotes), a snapshot follows.
  bool md_reset_on_start = true;
  /// Restart (docs/DESIGN.md "Restart"): the events of the run(s) being recovered, in
  /// seq order (JournalType::Input records). They are emitted before the sessions
  /// connect, each report only once the pipeline is idle (its order is registered), so
  /// the stages rebuild exactly the state they had; the orders the stages send meanwhile
  /// are not sent again (the venue has them, or a status request at logon shows it does
  /// not). Empty: a fresh start.
  std::vector<Event> recovered;
  /// This run's id: the Control RunSwitch after the recovered events moves new ids to it,
  /// and the feed's own cancel ids (reconciliation, kill switch) are taken under it.
  uint32_t run_id = 0;
};

struct FixFeedStats {
  uint64_t md_messages = 0;        ///< W + X handled
  uint64_t md_snapshots = 0;       ///< W
  uint64_t md_bad = 0;             ///< W/X refused (a price off the tick grid, a bad field): counted, not emitted
  uint64_t md_rejects = 0;         ///< MarketDataRequestReject (Y)
  uint64_t market_events = 0;      ///< Market events emitted
  uint64_t md_held = 0;            ///< W/X applied to the book before reconciliation was done: not emitted
  uint64_t exec_reports = 0;       ///< ExecutionReports forwarded (duplicates included)
  uint64_t duplicate_exec_ids = 0; ///< of those, ExecIDs seen before (kExecDuplicate)
  uint64_t status_reports = 0;     ///< ExecType I (not forwarded)
  uint64_t cancel_rejects = 0;     ///< OrderCancelReject (9)
  uint64_t bad_reports = 0;        ///< ExecutionReports refused (unknown ExecType, price off grid, ...)
  uint64_t position_reports = 0;   ///< AP
  uint64_t orders_sent = 0;        ///< D
  uint64_t cancels_sent = 0;       ///< F
  uint64_t orders_refused = 0;     ///< not sent (VenueDown): answered with a synthetic reject
  uint64_t syncs_answered = 0;     ///< lockstep TestRequests answered
  uint64_t staged = 0;             ///< events that waited in the staging FIFO (back-pressure)
  uint64_t other_messages = 0;     ///< application messages of a type this feed does not handle
  uint64_t status_requests = 0;    ///< OrderStatusRequests sent after a re-logon (working orders)
  uint64_t recovered_fills = 0;    ///< fills learnt from a status report (their report was lost)
  uint64_t recovered_finals = 0;   ///< working orders finished by a status report
  uint64_t session_records = 0;    ///< Session records journaled
  uint64_t journal_waits = 0;      ///< duty cycles that did not read a socket: the journal ring was full
  uint64_t operator_commands = 0;  ///< tickpipe ctl commands put into the stream
  uint64_t recovered_events = 0;   ///< restart: recorded events emitted again
  uint64_t recovered_orders = 0;   ///< restart: orders the stages re-derived (not sent again)
  uint64_t recovered_working = 0;  ///< restart: of those, without a final report (asked at logon)
};

/// Sequence-number checkpoints: a SeqCheckpoint Session record is journaled whenever a
/// session's next outgoing or incoming MsgSeqNum has moved this far since the last one.
inline constexpr uint64_t kSeqCheckpointEvery = 256;
/// A restart after a crash continues the order session's outgoing numbers this far above
/// the highest journaled (the venue answers the jump with a ResendRequest, which is
/// answered with a GapFill): safe unless this many messages went out unjournaled (the
/// persister that far behind). One GapFill covers any jump.
inline constexpr uint64_t kSeqRestartMargin = 1'000'000;
/// Reconciliation asks again for a mass status / positions answer not received within
/// this time, kReconcileTries times in all, then goes on without it.
inline constexpr int64_t kReconcileRetryNs = 250'000'000;
inline constexpr int kReconcileTries = 8;

class FixFeed final : public Agent {
 public:
  /// Cold path: allocates every buffer; connects on the first do_work().
  FixFeed(const FixFeedConfig& cfg, const FeedPorts<SpscRing>& ports);
  ~FixFeed() override;
  FixFeed(const FixFeed&) = delete;
  FixFeed& operator=(const FixFeed&) = delete;

  int do_work() override;
  std::string_view name() const override { return "feed"; }

  /// Any thread: no new orders from now on, Logout both sessions, then EndOfData once
  /// the pipeline is idle (the run ends; the persister drains). Never blocks.
  void request_stop() noexcept;
  /// Any thread: an operator command (Kill, Flatten, Pause, Resume, Limits, Status) into
  /// the event stream, as a Control event at the next duty cycle after the recovery;
  /// the risk stage applies and journals it (JournalType::Operator). Kill also cancels
  /// resting orders at the venue. Never blocks; false if the queue could not allocate.
  bool request_control(const ControlEvent& ev) noexcept;

  /// True once EndOfData has been emitted (any thread).
  [[nodiscard]] bool finished() const noexcept { return finished_.load(std::memory_order_acquire); }
  /// Events pushed to the output ring so far (any thread).
  [[nodiscard]] uint64_t emitted() const noexcept { return emitted_pub_.load(std::memory_order_acquire); }
  /// The last pushed seq (release once per duty cycle): the tracker's upstream journal
  /// watermark (stage_counters.hpp DoneSeq).
  [[nodiscard]] const std::atomic<uint64_t>* emitted_seq() const noexcept { return &emitted_pub_; }

  /// Read after the feed's thread has stopped.
  [[nodiscard]] const FixFeedStats& stats() const noexcept { return stats_; }
  [[nodiscard]] const Session& order_session() const noexcept { return *ord_; }
  [[nodiscard]] const Session& md_session() const noexcept { return *md_; }
  /// True once the recovered events (if any) have all been handled (any thread).
  [[nodiscard]] bool recovered() const noexcept { return recovery_done_pub_.load(std::memory_order_acquire); }

 private:
  class OrderHandler;
  class MdHandler;
  struct Impl;

  void journal_session(int session, SessionEvent ev, uint64_t count, std::string_view text) noexcept;
  void note_problem(std::string_view what) noexcept;
  void journal_changes(int session, const SessionStats& before, const FixFeedStats& feed_before) noexcept;
  int poll_session(int session, int64_t now) noexcept;
  void on_order_message(const MessageView& m);
  void apply_status(const MessageView& m, int64_t t, char ord_status);
  void reconcile_order(const MessageView& m, uint64_t id, char ord_status);
  void step_reconcile(int64_t now);
  void settle_after_mass_status() noexcept;
  bool send_cancel(uint64_t id, uint64_t venue_id, Side side, Qty qty) noexcept;
  int cancel_resting() noexcept;  ///< cancels every working Day order; returns the cancels sent
  void send_status_requests(int64_t now);
  void emit_exec(const ExecReport& er, int64_t t) noexcept;
  void on_md_message(const MessageView& m);
  bool on_test_request(std::string_view id);
  void send_orders(int64_t now);
  void refuse(const OrderRequest& o);
  void send_market_data_request(int64_t now);
  void check_sync(int64_t now);
  Event* next_event(TimeNs t, EventKind kind) noexcept;
  int recover(int64_t now) noexcept;
  void operator_command(const ControlEvent& ev) noexcept;
  void note_report(const ExecReport& er, bool final, uint64_t cancel_id) noexcept;
  void checkpoint_seq() noexcept;
  void flush_staging() noexcept;
  [[nodiscard]] bool settled() const noexcept;

  FixFeedConfig cfg_;
  SpscRing<Event>& out_;
  SpscRing<OrderRequest>& venue_in_;
  PipelineProbe probe_;
  SpscRing<JournalRecord>& journal_;
  StageCounters& counters_;
  JournalStamper stamper_{Stage::Feed};
  uint64_t journaled_ = 0;
  std::unique_ptr<Session> ord_;
  std::unique_ptr<Session> md_;
  std::unique_ptr<OrderHandler> ord_handler_;
  std::unique_ptr<MdHandler> md_handler_;
  std::unique_ptr<Impl> impl_;
  uint64_t seq_ = 0;          ///< events created (staged or pushed)
  uint64_t pushed_ = 0;       ///< events pushed to out_
  TimeNs last_time_;          ///< event time of the last event (reports never go back in time)
  uint64_t md_seq_seen_ = 0;  ///< MsgSeqNum of the last market-data message handled
  bool stopping_ = false;
  int64_t stop_deadline_ns_ = 0;
  bool venue_done_ = false;   ///< the venue logged out (its file is played)
  std::size_t recover_next_ = 0;  ///< next index into cfg_.recovered
  bool recovery_done_ = false;
  std::atomic<bool> recovery_done_pub_{false};
  uint64_t ckpt_out_ = 0;     ///< order session's next_out at the last SeqCheckpoint
  uint64_t ckpt_in_ = 0;
  FixFeedStats stats_;
  std::atomic<uint64_t> emitted_pub_{0};
  std::atomic<bool> finished_{false};
};

}  // namespace tp::fix
