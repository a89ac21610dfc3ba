// The definitions of PipelineT's members (pipeline.hpp). Included by the one
// translation unit that instantiates PipelineT for a Feed type: engine/src/pipeline/
// pipeline.cpp (replay, injected feed) and the FIX library (the live FIX feed). Not for
// general use: every other file includes pipeline.hpp only.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>

#include "tp/engine/pipeline/pipeline.hpp"

namespace tp {

// ------------------------------------------------------------------ PipelineT

template <template <class> class Q, class Feed>
PipelineT<Q, Feed>::PipelineT(const Config& /*cfg*/, const MakeFeed& /*make_feed*/, const PipelineOptions& opt)
    : opt_(opt),
      feed_to_tracker_(opt.event_ring),
      tracker_to_risk_(opt.event_ring),
      risk_to_gateway_(opt.order_ring),
      gateway_to_venue_(opt.order_ring),
      gateway_to_tracker_(opt.order_ring),
      tracker_journal_(opt.journal_ring),
      risk_journal_(opt.journal_ring),
      gateway_journal_(opt.journal_ring),
      feed_journal_(opt.journal_ring) {
  check_ring_sizes(opt.event_ring, opt.order_ring, opt.journal_ring);
  tracker_ = std::make_unique<TrackerAgentT<Q>>(feed_to_tracker_, tracker_to_risk_, gateway_to_tracker_,
                                                tracker_journal_);
  tracker_->set_journal_inputs(opt.journal_inputs);
  gateway_ = std::make_unique<GatewayAgentT<Q>>(risk_to_gateway_, gateway_to_venue_, gateway_to_tracker_,
                                                gateway_journal_);
}

template <template <class> class Q, class Feed>
PipelineT<Q, Feed>::PipelineT(const Config& cfg, const MakeFeed& make_feed, uint32_t run_id, GroupFloor group_floor,
                              const PipelineOptions& opt)
    : PipelineT(cfg, make_feed, opt) {
  risk_ = std::make_unique<RiskAgentT<Q>>(cfg, run_id, tracker_to_risk_, risk_to_gateway_, risk_journal_,
                                          std::move(group_floor));
  feed_ = make_feed(FeedPorts<Q>{feed_to_tracker_, gateway_to_venue_, probe(), feed_journal_, feed_counters_});
  link_done_seqs();
  if constexpr (requires(Feed& f) { f.skip_quiet_days(risk_->quiet_day()); }) {
    if (opt.skip_quiet_days) {
      risk_->publish_quiet_days();
      feed_->skip_quiet_days(risk_->quiet_day());
    }
  }
}

template <template <class> class Q, class Feed>
PipelineT<Q, Feed>::PipelineT(const Config& cfg, const MakeFeed& make_feed, TradingLogic& logic,
                              const PipelineOptions& opt)
    : PipelineT(cfg, make_feed, opt) {
  risk_ = std::make_unique<RiskAgentT<Q>>(cfg, logic, tracker_to_risk_, risk_to_gateway_, risk_journal_);
  feed_ = make_feed(FeedPorts<Q>{feed_to_tracker_, gateway_to_venue_, probe(), feed_journal_, feed_counters_});
  link_done_seqs();
}

template <template <class> class Q, class Feed>
void PipelineT<Q, Feed>::link_done_seqs() noexcept {
  // The journal watermark runs down the pipeline: feed -> tracker -> risk -> gateway; the
  // gateway's is the persister's commit bound (docs/DESIGN.md "Crash consistency").
  tracker_->set_done_upstream(feed_->emitted_seq());
  risk_->set_done_upstream(&tracker_->counters().done_seq);
  gateway_->set_done_upstream(&risk_->counters().done_seq);
}

template <template <class> class Q, class Feed>
PipelineT<Q, Feed>::~PipelineT() {
  // Threads must not outlive the stages they run; an agent's exception is dropped here
  // (the caller did not stop() to see it).
  try {
    stop();
  } catch (...) {
  }
}

template <template <class> class Q, class Feed>
std::vector<Q<JournalRecord>*> PipelineT<Q, Feed>::journal_rings() {
  return {&tracker_journal_, &risk_journal_, &gateway_journal_, &feed_journal_};
}

template <template <class> class Q, class Feed>
PipelineProbe PipelineT<Q, Feed>::probe() const noexcept {
  return PipelineProbe{&tracker_->counters(), &risk_->counters(), &gateway_->counters()};
}

template <template <class> class Q, class Feed>
bool PipelineT<Q, Feed>::finished() const noexcept {
  return feed_->finished() && probe().idle(feed_->emitted());
}

template <template <class> class Q, class Feed>
uint64_t PipelineT<Q, Feed>::journaled() const noexcept {
  return tracker_->counters().journaled.load(std::memory_order_acquire) +
         risk_->counters().journaled.load(std::memory_order_acquire) +
         gateway_->counters().journaled.load(std::memory_order_acquire) +
         feed_counters_.journaled.load(std::memory_order_acquire);
}

template <template <class> class Q, class Feed>
bool PipelineT<Q, Feed>::any_failed() const noexcept {
  for (const auto& r : runners_) {
    if (r->failed()) return true;
  }
  return false;
}

template <template <class> class Q, class Feed>
void PipelineT<Q, Feed>::start(Agent* journal_sink) {
  if (running_.exchange(true)) return;
  if (journal_sink == nullptr) {
    discard_ = std::make_unique<JournalDiscardT<Q>>(journal_rings());
    journal_sink = discard_.get();
  }
  if constexpr (std::is_same_v<Q<int>, MutexQueue<int>>) {
    // The seeds' design: one thread per stage, each blocking on its input queue's
    // condition variable when it has nothing to do.
    if (opt_.layout != Layout::Threads) {
      running_.store(false);
      throw std::invalid_argument("MutexQueue pipelines run one thread per stage (layout threads)");
    }
    auto loop = [this](Agent* a, auto wait) {
      a->on_start();
      while (running_.load(std::memory_order_acquire)) {
        if (a->do_work() == 0) wait();
      }
      while (a->do_work() > 0) {
      }
      a->on_close();
    };
    threads_.emplace_back(loop, feed_.get(), [this] { feed_->wait_input(std::chrono::milliseconds(1)); });
    threads_.emplace_back(loop, tracker_.get(), [this] { feed_to_tracker_.wait_nonempty(std::chrono::milliseconds(1)); });
    threads_.emplace_back(loop, risk_.get(), [this] { tracker_to_risk_.wait_nonempty(std::chrono::milliseconds(1)); });
    threads_.emplace_back(loop, gateway_.get(), [this] { risk_to_gateway_.wait_nonempty(std::chrono::milliseconds(1)); });
    threads_.emplace_back(loop, journal_sink, [this] { gateway_journal_.wait_nonempty(std::chrono::milliseconds(1)); });
    threads_used_ = static_cast<int>(threads_.size());
  } else {
    // The one place a layout becomes threads (docs/DESIGN.md "Layouts").
    std::vector<Agent*> hot;
    auto compose = [&](std::vector<Agent*> agents, const char* name) {
      composites_.push_back(std::make_unique<CompositeAgent>(std::move(agents), name));
      hot.push_back(composites_.back().get());
    };
    switch (opt_.layout) {
      case Layout::Inline:
        compose({feed_.get(), tracker_.get(), risk_.get(), gateway_.get(), journal_sink}, "pipeline");
        break;
      case Layout::Fused:
        compose({feed_.get(), tracker_.get(), risk_.get(), gateway_.get()}, "hot-path");
        break;
      case Layout::Pairs:
        compose({feed_.get(), tracker_.get()}, "feed+tracker");
        compose({risk_.get(), gateway_.get()}, "risk+gateway");
        break;
      case Layout::Threads:
        hot = {feed_.get(), tracker_.get(), risk_.get(), gateway_.get()};
        break;
    }
    const IdleConfig idle =
        effective_idle(opt_.idle, static_cast<int>(hot.size()), std::thread::hardware_concurrency());
    auto cpu = [&](std::size_t i) { return i < opt_.cpus.size() ? opt_.cpus[i] : -1; };
    for (std::size_t i = 0; i < hot.size(); ++i) runners_.push_back(std::make_unique<AgentRunner>(*hot[i], idle, cpu(i)));
    if (opt_.layout != Layout::Inline) {
      runners_.push_back(std::make_unique<AgentRunner>(*journal_sink, opt_.persister_idle, opt_.persister_cpu,
                                                       opt_.persister_sched));
    }
    threads_used_ = static_cast<int>(runners_.size());
    // A requested pin that cannot be done is an error, never a silently unpinned run:
    // checked before any thread starts, and again by each thread as it pins itself.
    for (std::size_t i = 0; i <= hot.size(); ++i) {
      const bool sink = i == hot.size();
      const int c = sink ? (opt_.layout == Layout::Inline ? -1 : opt_.persister_cpu) : cpu(i);
      if (c < 0) continue;
      if (const std::string why = cpu_pin_problem(c); !why.empty()) {
        runners_.clear();
        composites_.clear();
        running_.store(false);
        throw std::invalid_argument("cannot pin the " + (sink ? std::string("persister") : "hot thread " + std::to_string(i)) +
                                    ": " + why);
      }
    }
    for (auto& r : runners_) {
      if (!r->start()) {
        const std::string why = r->pin_error();
        for (auto& x : runners_) x->stop();
        runners_.clear();
        composites_.clear();
        running_.store(false);
        throw std::runtime_error(why);
      }
    }
  }
}

template <template <class> class Q, class Feed>
void PipelineT<Q, Feed>::stop() {
  if (!running_.exchange(false)) return;
  for (auto& r : runners_) r->stop();
  for (auto& t : threads_) t.join();
  std::vector<std::unique_ptr<AgentRunner>> runners = std::move(runners_);
  runners_.clear();
  threads_.clear();
  for (auto& r : runners) r->rethrow_if_failed();
  composites_.clear();
}

template <template <class> class Q, class Feed>
void PipelineT<Q, Feed>::run(Agent* persister, const std::function<uint64_t()>& persisted) {
  std::unique_ptr<JournalDiscardT<Q>> discard;
  if (persister == nullptr) {
    discard = std::make_unique<JournalDiscardT<Q>>(journal_rings());
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
  start(persister);
  // The driver thread only watches; it sleeps so that it never competes for a core.
  while (!done() && !any_failed()) std::this_thread::sleep_for(std::chrono::microseconds(200));
  stop();
}

template <template <class> class Q, class Feed>
void PipelineT<Q, Feed>::begin_inline() {
  step_discard_ = std::make_unique<JournalDiscardT<Q>>(journal_rings());
  step_all_ = std::make_unique<CompositeAgent>(
      std::vector<Agent*>{feed_.get(), tracker_.get(), risk_.get(), gateway_.get(), step_discard_.get()}, "pipeline");
  threads_used_ = 1;
  step_all_->on_start();
}

template <template <class> class Q, class Feed>
bool PipelineT<Q, Feed>::step_inline(int64_t horizon_ns) {
  constexpr bool pausable = requires(Feed& f) { f.set_horizon(int64_t{}); };
  if constexpr (pausable) feed_->set_horizon(horizon_ns);
  auto done = [&] { return finished() && step_discard_->consumed() == journaled(); };
  if (!pausable || horizon_ns == kNoHorizon) {  // a feed that cannot pause runs to the end
    while (!done()) step_all_->do_work();
    return true;
  }
  while (step_all_->do_work() > 0) {
  }
  return done();
}

template <template <class> class Q, class Feed>
void PipelineT<Q, Feed>::end_inline() {
  if (step_all_) step_all_->on_close();
  step_all_.reset();
  step_discard_.reset();
}

}  // namespace tp
