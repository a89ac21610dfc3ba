#include <cassert>

#include "tp/engine/pipeline/stages.hpp"

namespace tp {

template <template <class> class Q>
GatewayAgentT<Q>::GatewayAgentT(Q<OrderRequest>& in, Q<OrderRequest>& venue_out, Q<OrderRequest>& sent_out,
                                Q<JournalRecord>& journal)
    : in_(in), venue_out_(venue_out), sent_out_(sent_out), journal_(journal) {}

template <template <class> class Q>
int GatewayAgentT<Q>::do_work() {
  const uint64_t up = done_.upstream();  // before looking at the input (DoneSeq)
  int work = 0;
  for (; work < kStageBatch; ++work) {
    const OrderRequest* req = in_.front();
    if (req == nullptr) break;
    if (venue_out_.free_slots(1) < 1 || sent_out_.free_slots(1) < 1 || journal_.free_slots(1) < 1) {
      counters_.backpressure.fetch_add(1, std::memory_order_relaxed);
      break;
    }
    OrderRequest o = *req;
    o.sent_ns = wall_now_ns();
    if (skip_latency_ > 0) {
      --skip_latency_;
    } else {
      latency_.record(o.sent_ns - o.origin_ingress_ns);
    }
    // The tracker must know the order before the venue can possibly answer it.
    [[maybe_unused]] const bool a = sent_out_.try_push(o);
    [[maybe_unused]] const bool b = venue_out_.try_push(o);
    assert(a && b && "room was reserved");
    JournalRecord* r = journal_.try_claim();
    stamper_.stamp(*r, o.origin_seq, o.origin_time, JournalType::OrderSent);
    r->u.order = JrOrder{o.client_id, o.venue_id, o.position, o.limit, o.qty, o.action, o.side,
                         o.tif,       o.open_close, o.purpose, o.chase_n, RejectReason::None};
    journal_.commit();
    ++journaled_;
    if (o.action == OrderAction::Cancel) ++stats_.cancels; else ++stats_.orders;
    in_.pop();
    ++handled_;
    counters_.publish(handled_, 0, journaled_);
  }
  // The orders of one event may be split across calls: done only below the next one's.
  const OrderRequest* next = in_.front();
  done_.publish(counters_, up, next != nullptr ? next->origin_seq : 0);
  return work;
}

template class GatewayAgentT<SpscRing>;
template class GatewayAgentT<MutexQueue>;

}  // namespace tp
