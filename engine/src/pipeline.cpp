#include "tp/engine/pipeline.hpp"

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

int JournalDiscard::do_work() {
  std::size_t n = 0;
  for (JournalRing* r : rings_) n += r->drain([](const JournalRecord&) {});
  if (n) consumed_.store(consumed_.load(std::memory_order_relaxed) + n, std::memory_order_release);
  return static_cast<int>(n);
}

Pipeline::Pipeline(const Config& cfg, std::span<const InputEvent> input, uint32_t run_id,
                   std::vector<std::pair<TradingDay, uint16_t>> group_floor, const PipelineOptions& opt)
    : opt_(opt),
      feed_to_tracker_(opt.event_ring),
      tracker_to_risk_(opt.event_ring),
      risk_to_gateway_(opt.order_ring),
      gateway_to_venue_(opt.order_ring),
      gateway_to_tracker_(opt.order_ring),
      tracker_journal_(opt.journal_ring),
      risk_journal_(opt.journal_ring),
      gateway_journal_(opt.journal_ring) {
  check_ring_sizes(opt.event_ring, opt.order_ring, opt.journal_ring);
  tracker_ = std::make_unique<TrackerAgent>(feed_to_tracker_, tracker_to_risk_, gateway_to_tracker_, tracker_journal_);
  risk_ = std::make_unique<RiskAgent>(cfg, run_id, tracker_to_risk_, risk_to_gateway_, risk_journal_,
                                      std::move(group_floor));
  gateway_ = std::make_unique<GatewayAgent>(risk_to_gateway_, gateway_to_venue_, gateway_to_tracker_, gateway_journal_);
  feed_ = std::make_unique<FeedAgent>(input, cfg.venue.latency_ns(), feed_to_tracker_, gateway_to_venue_,
                                      PipelineProbe{&tracker_->counters(), &risk_->counters(), &gateway_->counters()});
}

Pipeline::~Pipeline() = default;

std::vector<JournalRing*> Pipeline::journal_rings() {
  return {&tracker_journal_, &risk_journal_, &gateway_journal_};
}

bool Pipeline::finished() const noexcept {
  return feed_->finished() && PipelineProbe{&tracker_->counters(), &risk_->counters(), &gateway_->counters()}.idle(
                                  feed_->emitted());
}

uint64_t Pipeline::journaled() const noexcept {
  return tracker_->counters().journaled.load(std::memory_order_acquire) +
         risk_->counters().journaled.load(std::memory_order_acquire) +
         gateway_->counters().journaled.load(std::memory_order_acquire);
}


void Pipeline::run(Agent* persister, const std::function<uint64_t()>& persisted) {
  std::unique_ptr<JournalDiscard> discard;
  if (persister == nullptr) {
    discard = std::make_unique<JournalDiscard>(journal_rings());
    persister = discard.get();
  }
  auto caught_up = [&]() -> bool {
    return discard ? discard->consumed() == journaled() : persisted() == journaled();
  };
  auto done = [&]() -> bool { return finished() && caught_up(); };

  if (opt_.layout == Layout::Inline) {
    threads_used_ = 1;  // the caller's
    CompositeAgent all({feed_.get(), tracker_.get(), risk_.get(), gateway_.get(), persister}, "pipeline");
    all.on_start();
    while (!done()) all.do_work();
    all.on_close();
    return;
  }

  std::vector<std::unique_ptr<Agent>> owned;
  std::vector<std::unique_ptr<AgentRunner>> runners;
  auto hot_cpu = [&](std::size_t i) { return i < opt_.cpus.size() ? opt_.cpus[i] : -1; };
  std::vector<Agent*> hot;
  if (opt_.layout == Layout::Fused) {
    owned.push_back(std::make_unique<CompositeAgent>(
        std::vector<Agent*>{feed_.get(), tracker_.get(), risk_.get(), gateway_.get()}, "hot-path"));
    hot.push_back(owned.back().get());
  } else if (opt_.layout == Layout::Pairs) {
    owned.push_back(std::make_unique<CompositeAgent>(std::vector<Agent*>{feed_.get(), tracker_.get()}, "feed+tracker"));
    hot.push_back(owned.back().get());
    owned.push_back(std::make_unique<CompositeAgent>(std::vector<Agent*>{risk_.get(), gateway_.get()}, "risk+gateway"));
    hot.push_back(owned.back().get());
  } else {
    hot = {feed_.get(), tracker_.get(), risk_.get(), gateway_.get()};
  }
  const IdleConfig idle =
      effective_idle(opt_.idle, static_cast<int>(hot.size()), std::thread::hardware_concurrency());
  for (std::size_t i = 0; i < hot.size(); ++i) {
    runners.push_back(std::make_unique<AgentRunner>(*hot[i], idle, hot_cpu(i)));
  }
  runners.push_back(std::make_unique<AgentRunner>(*persister, opt_.persister_idle, opt_.persister_cpu));
  threads_used_ = static_cast<int>(runners.size());
  // A requested pin that cannot be done is an error, never a silently unpinned run.
  for (std::size_t i = 0; i <= hot.size(); ++i) {
    const int cpu = i < hot.size() ? hot_cpu(i) : opt_.persister_cpu;
    if (cpu < 0) continue;
    if (const std::string why = cpu_pin_problem(cpu); !why.empty()) {
      throw std::invalid_argument("cannot pin the " +
                                  (i < hot.size() ? "hot thread " + std::to_string(i) : std::string("persister")) +
                                  ": " + why);
    }
  }
  for (auto& r : runners) {
    if (!r->start()) {
      const std::string why = r->pin_error();
      for (auto& x : runners) x->stop();
      throw std::runtime_error(why);
    }
  }

  // The driver thread only watches; it sleeps so that it never competes for a core.
  auto any_failed = [&] {
    for (auto& r : runners) {
      if (r->failed()) return true;
    }
    return false;
  };
  while (!done() && !any_failed()) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  for (auto& r : runners) r->stop();
  for (auto& r : runners) r->rethrow_if_failed();
}

}  // namespace tp
