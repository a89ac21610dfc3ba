#include "tp/engine/pipeline/injected_feed.hpp"

#include <chrono>
#include <stdexcept>
#include <type_traits>

namespace tp {

// ------------------------------------------------------------------ live feed

template <template <class> class Q>
InjectedFeedT<Q>::InjectedFeedT(std::size_t quote_ring, const FeedPorts<Q>& ports)
    : quotes_in_(quote_ring), venue_in_(ports.venue_in), out_(ports.out) {}

template <template <class> class Q>
int InjectedFeedT<Q>::do_work() {
  int work = 0;
  constexpr std::size_t kRoom = SimVenue::kMaxReportsPerOrder;
  // Orders first: the venue answers at once, against the last quote it saw.
  for (;;) {
    if (out_.free_slots(kRoom) < kRoom) {
      ++stats_.backpressure;
      if (work > 0) emitted_pub_.store(seq_, std::memory_order_release);
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
  if (work > 0) emitted_pub_.store(seq_, std::memory_order_release);
  return work;
}

template class InjectedFeedT<SpscRing>;
template class InjectedFeedT<MutexQueue>;

}  // namespace tp
