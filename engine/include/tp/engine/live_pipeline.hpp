// The pipeline in wall-clock ("live") mode: a market-data adapter thread injects
// quotes, the four stages process them as they come (no event-time lookahead), and
// the gateway's orders go to a venue. Used by the tick-to-order latency harness
// (bench/pipeline_latency.cpp) and the basis of `tickpipe live` (SPEC §3.2).
//
// The venue here is the simulated venue answering at once (no latency): acks and
// fills/cancels against the last injected top of book come back through the feed, as
// a broker's callbacks would. A network venue (FIX) replaces it in a later issue.
//
// Generic over the queue joining the stages: tp::SpscRing (the engine) or
// tp::MutexQueue (the seeds' design: one thread per stage blocking on a condition
// variable), so the two can be measured side by side with the same stage code.
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "tp/engine/agent.hpp"
#include "tp/engine/config.hpp"
#include "tp/engine/pipeline.hpp"
#include "tp/engine/sim_venue.hpp"
#include "tp/engine/stages.hpp"

namespace tp {

/// A quote as an adapter hands it to the feed.
struct alignas(64) InboundQuote {
  MarketData md;
  TimeNs event_time;       ///< exchange time of the quote
  int64_t ingress_ns = 0;  ///< wall stamp of its arrival (tick-to-order latency starts here)
};
static_assert(sizeof(InboundQuote) <= 128 && std::is_trivially_copyable_v<InboundQuote>);

struct LiveFeedStats {
  uint64_t quotes = 0;
  uint64_t exec_reports = 0;
  uint64_t backpressure = 0;
};

/// Feed of the live pipeline: emits injected quotes and the venue's reports as one
/// ordered Event stream. Same threading and allocation contract as every stage.
template <template <class> class Q>
class LiveFeedAgentT final : public Agent {
 public:
  LiveFeedAgentT(Q<InboundQuote>& quotes_in, Q<OrderRequest>& venue_in, Q<Event>& out);
  int do_work() override;
  std::string_view name() const override { return "feed"; }
  [[nodiscard]] const LiveFeedStats& stats() const noexcept { return stats_; }

 private:
  Q<InboundQuote>& quotes_in_;
  Q<OrderRequest>& venue_in_;
  Q<Event>& out_;
  SimVenue venue_{0};
  uint64_t seq_ = 0;
  LiveFeedStats stats_;
};

struct LiveOptions {
  Layout layout = Layout::Fused;
  IdleConfig idle;            ///< SpscRing pipelines; MutexQueue threads block on their queue
  std::vector<int> cpus;      ///< hot threads, in order (empty = not pinned)
  int journal_cpu = -1;       ///< the journal sink's thread (keep it off the hot cores)
  /// The journal sink's idle strategy (the same as the replay pipeline's persister).
  IdleConfig journal_idle = PipelineOptions{}.persister_idle;
  /// The journal sink thread's scheduling. Normal by default: Background (SCHED_IDLE)
  /// starves it whenever a normal thread keeps its core busy, and the journal's
  /// back-pressure then stalls the hot path (measured: bench/RESULTS.md).
  AgentRunner::Sched journal_sched = AgentRunner::Sched::Normal;
  std::size_t quote_ring = 4096;
  std::size_t event_ring = 4096;
  std::size_t order_ring = 1024;
  std::size_t journal_ring = 16384;
};

/// The assembled live pipeline. Cold path: construction allocates; start()/stop()
/// create and join threads.
template <template <class> class Q>
class LivePipelineT {
 public:
  /// `logic` runs in the risk stage (not owned). `journal_sink`: an agent draining
  /// journal_rings() (e.g. the LMDB persister; SpscRing pipelines only), or nullptr to
  /// discard the records.
  LivePipelineT(const Config& cfg, TradingLogic& logic, const LiveOptions& opt);
  ~LivePipelineT();

  /// Producer side, for ONE adapter thread: hands a quote to the feed. False when the
  /// quote queue is full (back-pressure; retry). Never blocks, never allocates.
  [[nodiscard]] bool try_inject(const InboundQuote& q) { return quotes_.try_push(q); }

  /// Journal queues of tracker, risk, gateway (for a persister).
  std::vector<Q<JournalRecord>*> journal_rings() { return {&tj_, &rj_, &gj_}; }

  /// Starts the threads (inline layout: one thread runs every agent). `journal_sink`
  /// as above. Returns false if a requested pin failed (threads keep running).
  bool start(Agent* journal_sink = nullptr);
  /// Stops and joins every thread; pending queue contents are processed first.
  void stop();

  /// Orders the gateway has sent so far (any thread; acquire).
  [[nodiscard]] uint64_t orders_sent() const noexcept {
    return gateway_->counters().handled.load(std::memory_order_acquire);
  }
  /// Events the risk stage has handled so far (any thread; acquire).
  [[nodiscard]] uint64_t risk_events() const noexcept {
    return risk_->counters().handled.load(std::memory_order_acquire);
  }

  [[nodiscard]] const GatewayAgentT<Q>& gateway() const noexcept { return *gateway_; }
  [[nodiscard]] GatewayAgentT<Q>& gateway() noexcept { return *gateway_; }
  [[nodiscard]] const TrackerAgentT<Q>& tracker() const noexcept { return *tracker_; }
  [[nodiscard]] const RiskAgentT<Q>& risk() const noexcept { return *risk_; }
  [[nodiscard]] const LiveFeedAgentT<Q>& feed() const noexcept { return *feed_; }
  [[nodiscard]] int threads() const noexcept { return static_cast<int>(threads_.size() + runners_.size()); }

 private:
  class Discard;
  LiveOptions opt_;
  Q<InboundQuote> quotes_;
  Q<Event> f2t_, t2r_;
  Q<OrderRequest> r2g_, g2v_, g2t_;
  Q<JournalRecord> tj_, rj_, gj_;
  std::unique_ptr<LiveFeedAgentT<Q>> feed_;
  std::unique_ptr<TrackerAgentT<Q>> tracker_;
  std::unique_ptr<RiskAgentT<Q>> risk_;
  std::unique_ptr<GatewayAgentT<Q>> gateway_;
  std::unique_ptr<Agent> discard_;
  std::vector<std::unique_ptr<Agent>> composites_;
  std::vector<std::unique_ptr<AgentRunner>> runners_;  // SpscRing
  std::vector<std::thread> threads_;                   // MutexQueue (blocking threads)
  std::atomic<bool> running_{false};
};

using LivePipeline = LivePipelineT<SpscRing>;
using MutexLivePipeline = LivePipelineT<MutexQueue>;
extern template class LiveFeedAgentT<SpscRing>;
extern template class LiveFeedAgentT<MutexQueue>;
extern template class LivePipelineT<SpscRing>;
extern template class LivePipelineT<MutexQueue>;

}  // namespace tp
