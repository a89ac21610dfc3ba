// The injected-quote feed: the pipeline in wall-clock ("live") mode. A market-data
// adapter thread injects quotes, the stages process them as they come (no event-time
// lookahead), and the gateway's orders go to the simulated venue answering at once (no
// latency): acks and fills/cancels against the last injected top of book come back
// through the feed, as a broker's callbacks would. Used by the tick-to-order latency
// harness (bench/pipeline_latency.cpp); the live FIX feed (SPEC §3.2) takes its place in
// the same PipelineT.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <type_traits>
#include <vector>

#include "tp/ring/agent.hpp"
#include "tp/engine/config/config.hpp"
#include "tp/engine/pipeline/pipeline.hpp"
#include "tp/engine/venue/sim_venue.hpp"
#include "tp/engine/pipeline/stages.hpp"

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

/// Feed of injected quotes: emits them and the venue's reports as one ordered Event
/// stream. It owns the queue the adapter pushes into. Same threading and allocation
/// contract as every stage.
template <template <class> class Q>
class InjectedFeedT final : public Agent {
 public:
  /// Cold path: allocates the quote queue (`quote_ring` slots).
  InjectedFeedT(std::size_t quote_ring, const FeedPorts<Q>& ports);
  int do_work() override;
  std::string_view name() const override { return "feed"; }
  [[nodiscard]] const LiveFeedStats& stats() const noexcept { return stats_; }

  /// Producer side, for ONE adapter thread: hands a quote to the feed. False when the
  /// quote queue is full (back-pressure; retry). Never blocks, never allocates.
  [[nodiscard]] bool try_inject(const InboundQuote& q) { return quotes_in_.try_push(q); }
  /// A live feed never finishes by itself (it runs until stop()).
  [[nodiscard]] bool finished() const noexcept { return false; }
  /// Events emitted so far (the feed's thread only).
  [[nodiscard]] uint64_t emitted() const noexcept { return seq_; }
  /// The last emitted seq, published (release) once per duty cycle after the events are
  /// pushed: the tracker's upstream journal watermark (stage_counters.hpp DoneSeq).
  [[nodiscard]] const std::atomic<uint64_t>* emitted_seq() const noexcept { return &emitted_pub_; }
  /// MutexQueue pipelines: blocks until a quote is queued or `d` passes (the feed's thread).
  /// (A ring pipeline never blocks: there it only yields.)
  void wait_input(std::chrono::milliseconds d) {
    if constexpr (std::is_same_v<Q<int>, MutexQueue<int>>) {
      quotes_in_.wait_nonempty(d);
    } else {
      std::this_thread::yield();
    }
  }

 private:
  Q<InboundQuote> quotes_in_;
  Q<OrderRequest>& venue_in_;
  Q<Event>& out_;
  SimVenue venue_{0};
  uint64_t seq_ = 0;
  std::atomic<uint64_t> emitted_pub_{0};
  LiveFeedStats stats_;
};

/// The pipeline fed by injected quotes (latency harness; SPEC §8).
template <template <class> class Q>
using LivePipelineT = PipelineT<Q, InjectedFeedT<Q>>;
using LivePipeline = LivePipelineT<SpscRing>;
using MutexLivePipeline = LivePipelineT<MutexQueue>;

/// Builds an injected-quote pipeline running `logic` (not owned).
template <template <class> class Q>
std::unique_ptr<LivePipelineT<Q>> make_live_pipeline(const Config& cfg, TradingLogic& logic,
                                                     const PipelineOptions& opt, std::size_t quote_ring = 4096) {
  return std::make_unique<LivePipelineT<Q>>(
      cfg, [quote_ring](const FeedPorts<Q>& p) { return std::make_unique<InjectedFeedT<Q>>(quote_ring, p); }, logic,
      opt);
}

extern template class InjectedFeedT<SpscRing>;
extern template class InjectedFeedT<MutexQueue>;
extern template class PipelineT<SpscRing, InjectedFeedT<SpscRing>>;
extern template class PipelineT<MutexQueue, InjectedFeedT<MutexQueue>>;

}  // namespace tp


