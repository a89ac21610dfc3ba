#include "tp/engine/live_pipeline.hpp"

#include <chrono>
#include <stdexcept>
#include <type_traits>

namespace tp {

// ------------------------------------------------------------------ live feed

template <template <class> class Q>
LiveFeedAgentT<Q>::LiveFeedAgentT(Q<InboundQuote>& quotes_in, Q<OrderRequest>& venue_in, Q<Event>& out)
    : quotes_in_(quotes_in), venue_in_(venue_in), out_(out) {}

template <template <class> class Q>
int LiveFeedAgentT<Q>::do_work() {
  int work = 0;
  constexpr std::size_t kRoom = SimVenue::kMaxReportsPerOrder;
  // Orders first: the venue answers at once, against the last quote it saw.
  for (;;) {
    if (out_.free_slots(kRoom) < kRoom) {
      ++stats_.backpressure;
      return work;
    }
    OrderRequest o;
    if (!venue_in_.try_pop(o)) break;
    if (!venue_.accept(o)) break;  // cannot happen: processed one by one
    ExecReport reports[SimVenue::kMaxReportsPerOrder];
    const int n = venue_.process_next(reports);
    const int64_t now = wall_now_ns();
    for (int i = 0; i < n; ++i) {
      Event* e = out_.try_claim();
      e->seq = ++seq_;
      e->event_time = o.origin_time;
      e->ingress_ns = now;
      e->kind = EventKind::Exec;
      e->u.er = reports[i];
      out_.commit();
    }
    stats_.exec_reports += static_cast<uint64_t>(n);
    ++work;
  }
  for (int i = 0; i < kStageBatch; ++i) {
    if (out_.free_slots(1) < 1) {
      ++stats_.backpressure;
      break;
    }
    const InboundQuote* q = quotes_in_.front();
    if (q == nullptr) break;
    venue_.on_top_of_book(q->md);
    Event* e = out_.try_claim();
    e->seq = ++seq_;
    e->event_time = q->event_time;
    e->ingress_ns = q->ingress_ns;
    e->kind = EventKind::Market;
    e->u.md = q->md;
    out_.commit();
    quotes_in_.pop();
    ++stats_.quotes;
    ++work;
  }
  return work;
}

// ------------------------------------------------------------------ pipeline

template <template <class> class Q>
class LivePipelineT<Q>::Discard final : public Agent {
 public:
  explicit Discard(std::vector<Q<JournalRecord>*> rings) : rings_(std::move(rings)) {}
  int do_work() override {
    std::size_t n = 0;
    for (auto* r : rings_) n += r->drain([](const JournalRecord&) {});
    return static_cast<int>(n);
  }
  std::string_view name() const override { return "journal-null"; }

 private:
  std::vector<Q<JournalRecord>*> rings_;
};

template <template <class> class Q>
LivePipelineT<Q>::LivePipelineT(const Config& cfg, TradingLogic& logic, const LiveOptions& opt)
    : opt_(opt),
      quotes_(opt.quote_ring),
      f2t_(opt.event_ring),
      t2r_(opt.event_ring),
      r2g_(opt.order_ring),
      g2v_(opt.order_ring),
      g2t_(opt.order_ring),
      tj_(opt.journal_ring),
      rj_(opt.journal_ring),
      gj_(opt.journal_ring) {
  check_ring_sizes(opt.event_ring, opt.order_ring, opt.journal_ring);
  feed_ = std::make_unique<LiveFeedAgentT<Q>>(quotes_, g2v_, f2t_);
  tracker_ = std::make_unique<TrackerAgentT<Q>>(f2t_, t2r_, g2t_, tj_);
  risk_ = std::make_unique<RiskAgentT<Q>>(cfg, logic, t2r_, r2g_, rj_);
  gateway_ = std::make_unique<GatewayAgentT<Q>>(r2g_, g2v_, g2t_, gj_);
}

template <template <class> class Q>
LivePipelineT<Q>::~LivePipelineT() {
  stop();
}

template <template <class> class Q>
bool LivePipelineT<Q>::start(Agent* journal_sink) {
  if (running_.exchange(true)) return true;
  if (journal_sink == nullptr) {
    discard_ = std::make_unique<Discard>(journal_rings());
    journal_sink = discard_.get();
  }
  bool pinned = true;
  auto cpu = [&](std::size_t i) { return i < opt_.cpus.size() ? opt_.cpus[i] : -1; };

  if constexpr (std::is_same_v<Q<int>, MutexQueue<int>>) {
    // The seeds' design: one thread per stage, each blocking on its input queue's
    // condition variable when it has nothing to do.
    if (opt_.layout != Layout::Threads) {
      throw std::invalid_argument("MutexQueue pipelines run one thread per stage (layout threads)");
    }
    auto loop = [this](Agent* a, auto* wait_on) {
      a->on_start();
      while (running_.load(std::memory_order_acquire)) {
        if (a->do_work() == 0) wait_on->wait_nonempty(std::chrono::milliseconds(1));
      }
      while (a->do_work() > 0) {
      }
      a->on_close();
    };
    threads_.emplace_back(loop, feed_.get(), &quotes_);
    threads_.emplace_back(loop, tracker_.get(), &f2t_);
    threads_.emplace_back(loop, risk_.get(), &t2r_);
    threads_.emplace_back(loop, gateway_.get(), &r2g_);
    threads_.emplace_back(loop, journal_sink, &gj_);
    return true;
  } else {
    std::vector<Agent*> hot;
    if (opt_.layout == Layout::Inline) {
      composites_.push_back(std::make_unique<CompositeAgent>(
          std::vector<Agent*>{feed_.get(), tracker_.get(), risk_.get(), gateway_.get(), journal_sink}, "pipeline"));
      hot.push_back(composites_.back().get());
    } else if (opt_.layout == Layout::Fused) {
      composites_.push_back(std::make_unique<CompositeAgent>(
          std::vector<Agent*>{feed_.get(), tracker_.get(), risk_.get(), gateway_.get()}, "hot-path"));
      hot.push_back(composites_.back().get());
    } else if (opt_.layout == Layout::Pairs) {
      composites_.push_back(
          std::make_unique<CompositeAgent>(std::vector<Agent*>{feed_.get(), tracker_.get()}, "feed+tracker"));
      hot.push_back(composites_.back().get());
      composites_.push_back(
          std::make_unique<CompositeAgent>(std::vector<Agent*>{risk_.get(), gateway_.get()}, "risk+gateway"));
      hot.push_back(composites_.back().get());
    } else {
      hot = {feed_.get(), tracker_.get(), risk_.get(), gateway_.get()};
    }
    const IdleConfig idle =
        effective_idle(opt_.idle, static_cast<int>(hot.size()), std::thread::hardware_concurrency());
    for (std::size_t i = 0; i < hot.size(); ++i) {
      runners_.push_back(std::make_unique<AgentRunner>(*hot[i], idle, cpu(i)));
    }
    if (opt_.layout != Layout::Inline) {
      runners_.push_back(std::make_unique<AgentRunner>(
          *journal_sink, opt_.journal_idle, opt_.journal_cpu, opt_.journal_sched));
    }
    for (auto& r : runners_) pinned = r->start() && pinned;
    return pinned;
  }
}

template <template <class> class Q>
void LivePipelineT<Q>::stop() {
  if (!running_.exchange(false)) return;
  for (auto& r : runners_) r->stop();
  for (auto& t : threads_) t.join();
  for (auto& r : runners_) r->rethrow_if_failed();
  runners_.clear();
  threads_.clear();
  composites_.clear();
}

template class LiveFeedAgentT<SpscRing>;
template class LiveFeedAgentT<MutexQueue>;
template class LivePipelineT<SpscRing>;
template class LivePipelineT<MutexQueue>;

}  // namespace tp
