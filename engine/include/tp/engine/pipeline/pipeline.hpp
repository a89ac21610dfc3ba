// The assembled pipeline of SPEC §2: the rings, the tracker, risk and gateway stages
// around a feed agent, and the one place that maps a layout to threads
// (docs/DESIGN.md "Layouts"). One mechanism for every feed: the replay feed (a recorded
// file and the simulated venue, in event time: FeedAgent), the injected-quote feed of the
// latency harness (InjectedFeedT, injected_feed.hpp) and, next, the live FIX feed.
//
// Generic over the queue joining the stages: tp::SpscRing (the engine) or tp::MutexQueue
// (the seeds' mutex + condition variable design, one blocking thread per stage), so the
// two are measured side by side with the same stage code.
//
// Cold path: construction allocates every ring and table; start()/stop()/run() create
// and join threads. The stages themselves never allocate once running.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "tp/ring/agent.hpp"
#include "tp/engine/config/config.hpp"
#include "tp/engine/pipeline/stages.hpp"

namespace tp {

enum class Layout : uint8_t {
  Inline = 0,   ///< every agent, the persister too, on one thread
  Fused = 1,    ///< [feed+tracker+risk+gateway] on one hot thread + [persister]: the 2-core default
  Threads = 2,  ///< one thread per stage + persister
  Pairs = 3,    ///< [feed+tracker] [risk+gateway] + [persister]
};
/// "inline" | "fused" | "pairs" | "threads".
bool parse_layout(std::string_view s, Layout& out) noexcept;
const char* to_string(Layout l) noexcept;
/// Hot threads a layout uses (the persister's thread not counted; inline: 1).
int hot_threads(Layout l) noexcept;

/// The idle strategy hot threads actually get: `requested`, except that a Backoff
/// strategy turns into pure yielding when the busy threads (hot + persister) outnumber
/// the cores - then parking a stage for microseconds stalls the pipeline and spinning
/// steals the core its producer needs.
IdleConfig effective_idle(IdleConfig requested, int hot, unsigned cores) noexcept;

struct PipelineOptions {
  Layout layout = Layout::Fused;
  IdleConfig idle;                  ///< hot threads (MutexQueue threads block on their queue)
  IdleConfig persister_idle{IdleKind::Backoff, 100, 10, 10'000, 1'000'000, 100'000};
  /// The persister thread's scheduling. Normal by default: Background (SCHED_IDLE)
  /// starves it whenever a normal thread keeps its core busy, and the journal's
  /// back-pressure then stalls the hot path (measured: bench/RESULTS.md).
  AgentRunner::Sched persister_sched = AgentRunner::Sched::Normal;
  std::vector<int> cpus;            ///< CPU for each hot thread in order (empty = not pinned)
  int persister_cpu = -1;
  std::size_t event_ring = 4096;    ///< feed->tracker, tracker->risk capacity
  std::size_t order_ring = 256;     ///< risk->gateway, gateway->venue, gateway->tracker
  std::size_t journal_ring = 16384; ///< each stage's journal ring
  /// Live: the tracker journals every event (JournalType::Input), the log a restart
  /// recovers from (docs/DESIGN.md "Restart"). Replay leaves it off.
  bool journal_inputs = false;
  /// Replay feed: stamp every event's ingress with the wall clock (the tick-to-order
  /// latency histogram starts there). A sweep turns it off: no clock read per event
  /// (measured: 14% of a replay's run time), and no latency is reported.
  bool stamp_ingress = true;
  /// Replay feed with the owned strategy: skip the rest of a trading day once the
  /// strategy can do nothing more that day (Strategy::day_done, FeedAgent::skip_quiet_days).
  /// The lots, days and money are the same (tests/sweep_test.cpp); the event counts are
  /// not, so only a sweep turns it on.
  bool skip_quiet_days = false;
};

/// Throws std::invalid_argument when a ring is too small for the most one input can
/// produce (events < SimVenue::kMaxReportsPerOrder, orders < kMaxOrdersPerEvent,
/// journal < kMaxJournalPerEvent): such a pipeline could never make progress.
void check_ring_sizes(std::size_t event_ring, std::size_t order_ring, std::size_t journal_ring);

/// Drains journal queues and throws the records away (runs without persistence, e.g.
/// benchmarks). Counts what it discarded.
template <template <class> class Q>
class JournalDiscardT final : public Agent {
 public:
  explicit JournalDiscardT(std::vector<Q<JournalRecord>*> rings) : rings_(std::move(rings)) {}
  int do_work() override;
  std::string_view name() const override { return "journal-null"; }
  [[nodiscard]] uint64_t consumed() const noexcept { return consumed_.load(std::memory_order_acquire); }

 private:
  std::vector<Q<JournalRecord>*> rings_;
  std::atomic<uint64_t> consumed_{0};
};
using JournalDiscard = JournalDiscardT<SpscRing>;

/// What a feed agent is wired to: it is the single ingress (writes `out`, SPEC §2) and
/// the venue side of the gateway (reads `venue_in`); `probe` shows the downstream stages'
/// progress (the replay feed's event-time lookahead). `journal` is the feed's own journal
/// ring (session events of a live feed; the replay feed journals nothing) and `counters`
/// where it publishes what it journaled (counters.journaled, the feed's thread only).
template <template <class> class Q>
struct FeedPorts {
  Q<Event>& out;
  Q<OrderRequest>& venue_in;
  PipelineProbe probe;
  Q<JournalRecord>& journal;
  StageCounters& counters;
};

/// The pipeline around a feed of type `Feed` (an Agent built by the caller's
/// `make_feed(ports)`). The risk stage runs the SPEC §4 strategy (owned) or an external
/// TradingLogic.
template <template <class> class Q, class Feed>
class PipelineT {
 public:
  using MakeFeed = std::function<std::unique_ptr<Feed>(const FeedPorts<Q>&)>;

  /// Runs the SPEC §4 strategy with `run_id` and the store's `group_floor`.
  PipelineT(const Config& cfg, const MakeFeed& make_feed, uint32_t run_id, GroupFloor group_floor,
            const PipelineOptions& opt);
  /// Runs `logic` (not owned; must outlive the pipeline) in the risk stage.
  PipelineT(const Config& cfg, const MakeFeed& make_feed, TradingLogic& logic, const PipelineOptions& opt);
  ~PipelineT();
  PipelineT(const PipelineT&) = delete;
  PipelineT& operator=(const PipelineT&) = delete;

  /// The journal queues (tracker, risk, gateway, feed), for the persister.
  [[nodiscard]] std::vector<Q<JournalRecord>*> journal_rings();
  /// The pipeline's journal watermark (the gateway's StageCounters::done_seq): every
  /// record any stage will journal for an origin seq <= this value is already in
  /// journal_rings(). The persister commits only below it, so LMDB always holds a prefix
  /// of the one event stream (docs/DESIGN.md "Crash consistency"). Any thread (acquire).
  [[nodiscard]] const std::atomic<uint64_t>* journal_done_seq() const noexcept {
    return &gateway_->counters().done_seq;
  }

  /// Starts the threads of the layout: the hot threads (cpus[i] each, idle strategy
  /// `idle`) and the journal sink's thread (`persister_*`); inline: one thread runs every
  /// agent, the sink too. `journal_sink` drains journal_rings() (nullptr: a discard).
  /// MutexQueue pipelines run one blocking thread per stage (layout threads only).
  /// Throws std::invalid_argument, before any thread starts, when a requested CPU
  /// cannot be used (cpu_pin_problem), and std::runtime_error (the threads stopped) when
  /// a pin fails all the same. Calling it while running does nothing.
  void start(Agent* journal_sink = nullptr);
  /// Stops and joins every thread (each finishes its current duty cycle), then rethrows
  /// the first agent exception, if any. Safe to call twice.
  void stop();

  /// Replay: runs to completion. Inline runs every agent on the caller's thread; other
  /// layouts start(), wait (sleeping) until the feed has finished, the pipeline is idle
  /// and persisted() == journaled(), then stop(). `persister` drains the journal
  /// (nullptr: discarded). Requires a Feed with finished() and emitted(). Throws as
  /// start() and stop() do.
  void run(Agent* persister, const std::function<uint64_t()>& persisted);

  /// Inline stepping, for many pipelines in lockstep on one thread over the same ticks
  /// (a sweep: each chunk of the input is read from memory once for all of them).
  /// begin_inline() once (journal records discarded), then step_inline(h) runs every
  /// agent's duty cycle, on the caller's thread, until a cycle does no work, with the
  /// feed paused at event time h (FeedAgent::set_horizon); kNoHorizon runs
  /// to the end. The events, their order and the results are those of run() (the
  /// feed's decisions never depend on where it paused). Returns true once finished.
  /// end_inline() after. A Feed without set_horizon() runs to the end at the first step.
  /// Throws what an agent throws.
  void begin_inline();
  bool step_inline(int64_t horizon_ns);
  void end_inline();

  /// Feed finished and every stage idle (any thread). Requires Feed::finished/emitted.
  [[nodiscard]] bool finished() const noexcept;
  /// Records the stages have pushed to their journal queues (any thread; acquire).
  [[nodiscard]] uint64_t journaled() const noexcept;
  /// Orders the gateway has sent so far (any thread; acquire).
  [[nodiscard]] uint64_t orders_sent() const noexcept { return gateway_->counters().handled.load(std::memory_order_acquire); }

  [[nodiscard]] const Feed& feed() const noexcept { return *feed_; }
  [[nodiscard]] Feed& feed() noexcept { return *feed_; }
  [[nodiscard]] const TrackerAgentT<Q>& tracker() const noexcept { return *tracker_; }
  [[nodiscard]] const RiskAgentT<Q>& risk() const noexcept { return *risk_; }
  [[nodiscard]] const GatewayAgentT<Q>& gateway() const noexcept { return *gateway_; }
  [[nodiscard]] GatewayAgentT<Q>& gateway() noexcept { return *gateway_; }
  [[nodiscard]] const PipelineOptions& options() const noexcept { return opt_; }
  /// Threads the last start()/run() used (inline run(): 1, the caller's).
  [[nodiscard]] int threads_used() const noexcept { return threads_used_; }

 private:
  PipelineT(const Config& cfg, const MakeFeed& make_feed, const PipelineOptions& opt);
  [[nodiscard]] PipelineProbe probe() const noexcept;
  [[nodiscard]] bool any_failed() const noexcept;
  void link_done_seqs() noexcept;

  PipelineOptions opt_;
  Q<Event> feed_to_tracker_;
  Q<Event> tracker_to_risk_;
  Q<OrderRequest> risk_to_gateway_;
  Q<OrderRequest> gateway_to_venue_;
  Q<OrderRequest> gateway_to_tracker_;
  Q<JournalRecord> tracker_journal_;
  Q<JournalRecord> risk_journal_;
  Q<JournalRecord> gateway_journal_;
  Q<JournalRecord> feed_journal_;
  StageCounters feed_counters_;
  std::unique_ptr<TrackerAgentT<Q>> tracker_;
  std::unique_ptr<RiskAgentT<Q>> risk_;
  std::unique_ptr<GatewayAgentT<Q>> gateway_;
  std::unique_ptr<Feed> feed_;
  std::unique_ptr<Agent> discard_;
  std::vector<std::unique_ptr<Agent>> composites_;
  std::unique_ptr<JournalDiscardT<Q>> step_discard_;   ///< begin_inline()
  std::unique_ptr<Agent> step_all_;
  std::vector<std::unique_ptr<AgentRunner>> runners_;  ///< SpscRing layouts
  std::vector<std::thread> threads_;                   ///< MutexQueue: blocking threads
  std::atomic<bool> running_{false};
  int threads_used_ = 0;
};

/// The replay pipeline (SPEC §3.1): the recorded `input` (alive and unchanged while the
/// pipeline exists) through the replay feed and its simulated venue, in event time.
class Pipeline final : public PipelineT<SpscRing, FeedAgent> {
 public:
  Pipeline(const Config& cfg, std::span<const InputEvent> input, uint32_t run_id, GroupFloor group_floor,
           const PipelineOptions& opt);
  /// A multi-day replay: the segments one after the other (FeedAgent), e.g. TickSet::segments().
  Pipeline(const Config& cfg, InputSegments input, uint32_t run_id, GroupFloor group_floor,
           const PipelineOptions& opt);
};

extern template class JournalDiscardT<SpscRing>;
extern template class JournalDiscardT<MutexQueue>;
extern template class PipelineT<SpscRing, FeedAgent>;

}  // namespace tp
