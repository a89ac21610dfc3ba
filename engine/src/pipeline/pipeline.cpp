#include "tp/engine/pipeline/pipeline.hpp"
#include "tp/engine/pipeline/pipeline_impl.hpp"

#include <chrono>
#include <type_traits>

#include "tp/engine/pipeline/injected_feed.hpp"

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

namespace tp {

bool parse_layout(std::string_view s, Layout& out) noexcept {
  if (s == "inline") out = Layout::Inline;
  else if (s == "fused") out = Layout::Fused;
  else if (s == "pairs") out = Layout::Pairs;
  else if (s == "threads") out = Layout::Threads;
  else return false;
  return true;
}

const char* to_string(Layout l) noexcept {
  switch (l) {
    case Layout::Inline: return "inline";
    case Layout::Fused: return "fused";
    case Layout::Pairs: return "pairs";
    case Layout::Threads: return "threads";
  }
  return "?";
}

int hot_threads(Layout l) noexcept {
  switch (l) {
    case Layout::Inline: return 1;
    case Layout::Fused: return 1;
    case Layout::Pairs: return 2;
    case Layout::Threads: return 4;
  }
  return 1;
}

IdleConfig effective_idle(IdleConfig idle, int hot, unsigned cores) noexcept {
  if (idle.kind == IdleKind::Backoff && cores != 0 && static_cast<unsigned>(hot) + 1 > cores) {
    idle.max_spins = 0;
    idle.max_yields = 1u << 20;
  }
  return idle;
}

void check_ring_sizes(std::size_t event_ring, std::size_t order_ring, std::size_t journal_ring) {
  // A stage waits for room for the most one input can produce; a smaller ring would
  // never have it and the pipeline would stall for good.
  if (event_ring < static_cast<std::size_t>(SimVenue::kMaxReportsPerOrder)) {
    throw std::invalid_argument("event ring must hold at least " + std::to_string(SimVenue::kMaxReportsPerOrder) +
                                " events (one order's reports)");
  }
  if (order_ring < static_cast<std::size_t>(kMaxOrdersPerEvent)) {
    throw std::invalid_argument("order ring must hold at least " + std::to_string(kMaxOrdersPerEvent) +
                                " orders (kMaxOrdersPerEvent)");
  }
  if (journal_ring < static_cast<std::size_t>(kMaxJournalPerEvent)) {
    throw std::invalid_argument("journal ring must hold at least " + std::to_string(kMaxJournalPerEvent) +
                                " records (kMaxJournalPerEvent)");
  }
}

template <template <class> class Q>
int JournalDiscardT<Q>::do_work() {
  std::size_t n = 0;
  for (Q<JournalRecord>* r : rings_) n += r->drain([](const JournalRecord&) {});
  if (n) consumed_.store(consumed_.load(std::memory_order_relaxed) + n, std::memory_order_release);
  return static_cast<int>(n);
}

// ------------------------------------------------------------------ replay

Pipeline::Pipeline(const Config& cfg, std::span<const InputEvent> input, uint32_t run_id, GroupFloor group_floor,
                   const PipelineOptions& opt)
    : Pipeline(cfg, InputSegments{input}, run_id, std::move(group_floor), opt) {}

Pipeline::Pipeline(const Config& cfg, InputSegments input, uint32_t run_id, GroupFloor group_floor,
                   const PipelineOptions& opt)
    : PipelineT(
          cfg,
          [&](const FeedPorts<SpscRing>& p) {
            return std::make_unique<FeedAgent>(std::move(input), cfg.venue.latency_ns(), p.out, p.venue_in, p.probe,
                                               opt.stamp_ingress, cfg.venue.fill());
          },
          run_id, std::move(group_floor), opt) {}

template class JournalDiscardT<SpscRing>;
template class JournalDiscardT<MutexQueue>;
template class PipelineT<SpscRing, FeedAgent>;
template class PipelineT<SpscRing, InjectedFeedT<SpscRing>>;
template class PipelineT<MutexQueue, InjectedFeedT<MutexQueue>>;

}  // namespace tp
