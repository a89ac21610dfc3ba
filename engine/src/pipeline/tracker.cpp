#include <cassert>
#include <stdexcept>

#include "tp/engine/pipeline/stages.hpp"

namespace tp {

namespace {
inline std::size_t hash64(uint64_t v) noexcept {
  v ^= v >> 33;
  v *= 0xff51afd7ed558ccdull;
  v ^= v >> 33;
  return static_cast<std::size_t>(v);
}
}  // namespace

template <template <class> class Q>
TrackerAgentT<Q>::TrackerAgentT(Q<Event>& in, Q<Event>& out, Q<OrderRequest>& sent_in, Q<JournalRecord>& journal,
                                std::size_t max_orders)
    : in_(in),
      out_(out),
      sent_in_(sent_in),
      journal_(journal),
      orders_(max_orders * 2),
      venue_keys_(max_orders * 2, 0),
      venue_vals_(max_orders * 2, 0),
      mask_(max_orders * 2 - 1),
      terminal_(max_orders) {
  if (max_orders < 2 || (max_orders & (max_orders - 1)) != 0) {
    throw std::invalid_argument("TrackerAgent: max_orders must be a power of two");
  }
}

template <template <class> class Q>
typename TrackerAgentT<Q>::OrderEntry* TrackerAgentT<Q>::find_mut(ClientOrderId id) noexcept {
  std::size_t h = hash64(id.v) & mask_;
  while (orders_[h].client_id.valid()) {
    if (orders_[h].client_id == id) return &orders_[h];
    h = (h + 1) & mask_;
  }
  return nullptr;
}

template <template <class> class Q>
const typename TrackerAgentT<Q>::OrderEntry* TrackerAgentT<Q>::find(ClientOrderId id) const noexcept {
  return const_cast<TrackerAgentT*>(this)->find_mut(id);
}

template <template <class> class Q>
typename TrackerAgentT<Q>::OrderEntry* TrackerAgentT<Q>::insert(ClientOrderId id) noexcept {
  std::size_t h = hash64(id.v) & mask_;
  while (orders_[h].client_id.valid()) {
    if (orders_[h].client_id == id) return &orders_[h];
    h = (h + 1) & mask_;
  }
  if ((used_ + 1) * 2 > orders_.size()) {
    evict_terminal();
    // The probe position may have moved: find the free slot again.
    h = hash64(id.v) & mask_;
    while (orders_[h].client_id.valid()) h = (h + 1) & mask_;
    if ((used_ + 1) * 2 > orders_.size()) return nullptr;  // full of working orders
  }
  ++used_;
  orders_[h] = OrderEntry{};
  orders_[h].client_id = id;
  return &orders_[h];
}

template <template <class> class Q>
ClientOrderId TrackerAgentT<Q>::by_venue(VenueOrderId vid) const noexcept {
  std::size_t h = hash64(vid.v) & mask_;
  while (venue_keys_[h] != 0) {
    if (venue_keys_[h] == vid.v) return ClientOrderId{venue_vals_[h]};
    h = (h + 1) & mask_;
  }
  return ClientOrderId{};
}

template <template <class> class Q>
void TrackerAgentT<Q>::map_venue(VenueOrderId vid, ClientOrderId cid) noexcept {
  std::size_t h = hash64(vid.v) & mask_;
  while (venue_keys_[h] != 0 && venue_keys_[h] != vid.v) h = (h + 1) & mask_;
  venue_keys_[h] = vid.v;
  venue_vals_[h] = cid.v;
}

template <template <class> class Q>
void TrackerAgentT<Q>::note_terminal(ClientOrderId id) noexcept {
  // The FIFO has one slot per order the table can hold, so it cannot overflow: every id
  // in it is in the table, and the table holds at most max_orders.
  terminal_[(terminal_head_ + terminal_count_) % terminal_.size()] = id.v;
  ++terminal_count_;
}

template <template <class> class Q>
void TrackerAgentT<Q>::evict_terminal() noexcept {
  // Forget the oldest finished orders until the table is 3/8 full (or none are left):
  // a late report for one of them would then be journaled as unknown, never lost.
  while (terminal_count_ > 0 && used_ * 8 > orders_.size() * 3) {
    const ClientOrderId id{terminal_[terminal_head_]};
    terminal_head_ = (terminal_head_ + 1) % terminal_.size();
    --terminal_count_;
    std::size_t i = hash64(id.v) & mask_;
    while (orders_[i].client_id.valid() && orders_[i].client_id != id) i = (i + 1) & mask_;
    if (!orders_[i].client_id.valid()) continue;
    const VenueOrderId vid = orders_[i].venue_id;
    erase_order_at(i);
    if (vid.valid()) erase_venue(vid);
    ++stats_.orders_evicted;
  }
}

template <template <class> class Q>
void TrackerAgentT<Q>::erase_order_at(std::size_t i) noexcept {
  // Backward-shift deletion keeps linear probing correct without tombstones.
  std::size_t j = i;
  for (;;) {
    j = (j + 1) & mask_;
    if (!orders_[j].client_id.valid()) break;
    const std::size_t home = hash64(orders_[j].client_id.v) & mask_;
    // Move j into the hole at i unless its home lies cyclically in (i, j].
    const bool home_between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
    if (!home_between) {
      orders_[i] = orders_[j];
      i = j;
    }
  }
  orders_[i] = OrderEntry{};
  --used_;
}

template <template <class> class Q>
void TrackerAgentT<Q>::erase_venue(VenueOrderId vid) noexcept {
  std::size_t i = hash64(vid.v) & mask_;
  while (venue_keys_[i] != 0 && venue_keys_[i] != vid.v) i = (i + 1) & mask_;
  if (venue_keys_[i] == 0) return;
  std::size_t j = i;
  for (;;) {
    j = (j + 1) & mask_;
    if (venue_keys_[j] == 0) break;
    const std::size_t home = hash64(venue_keys_[j]) & mask_;
    const bool home_between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
    if (!home_between) {
      venue_keys_[i] = venue_keys_[j];
      venue_vals_[i] = venue_vals_[j];
      i = j;
    }
  }
  venue_keys_[i] = 0;
  venue_vals_[i] = 0;
}

template <template <class> class Q>
void TrackerAgentT<Q>::register_sent() noexcept {
  OrderRequest o;
  while (sent_in_.try_pop(o)) {
    if (o.action != OrderAction::New) continue;
    OrderEntry* e = insert(o.client_id);
    if (e == nullptr) continue;  // full: its reports will be journaled as unknown, never dropped
    if (e->qty.lots != 0) continue;  // already known (a resend of the same id)
    e->position = o.position;
    e->limit = o.limit;
    e->qty = o.qty;
    e->leaves = o.qty;
    e->side = o.side;
    e->open_close = o.open_close;
    e->tif = o.tif;
    e->state = OrderState::PendingNew;
    ++stats_.orders_registered;
  }
}

template <template <class> class Q>
JournalRecord& TrackerAgentT<Q>::next_record(const Event& ev, JournalType type) noexcept {
  JournalRecord* r = journal_.try_claim();  // room reserved before the event was taken
  assert(r != nullptr);
  stamper_.stamp(*r, ev.seq, ev.event_time, type);
  return *r;
}

/// A report that is journaled and never applied (no order, a duplicate, an over-fill).
template <template <class> class Q>
void TrackerAgentT<Q>::journal_unknown(const Event& ev, const ExecReport& er) noexcept {
  JournalRecord& r = next_record(ev, JournalType::UnknownReport);
  r.u.exec = er;
  journal_.commit();
  ++journaled_;
}

template <template <class> class Q>
void TrackerAgentT<Q>::handle_exec(const Event& ev) noexcept {
  ExecReport er = ev.u.er;
  ++stats_.reports;
  if (er.flags & kExecDuplicate) {  // the same ExecID twice: the record, never a second fill
    journal_unknown(ev, er);
    ++stats_.duplicate_reports;
    return;
  }
  ClientOrderId cid = er.client_id;
  if (!cid.valid() && er.venue_id.valid()) cid = by_venue(er.venue_id);
  OrderEntry* o = cid.valid() ? find_mut(cid) : nullptr;
  if (o == nullptr) {
    journal_unknown(ev, er);
    ++stats_.unknown_reports;
    return;
  }
  er.client_id = cid;
  er.side = o->side;  // the order's own fields win over what a report may omit
  er.open_close = o->open_close;
  const bool was_terminal = is_terminal(o->state);
  if (was_terminal) {
    er.flags |= kExecLate;
    ++stats_.late_reports;
  }

  switch (er.type) {
    case ExecType::New:
      if (er.venue_id.valid()) {
        o->venue_id = er.venue_id;
        map_venue(er.venue_id, cid);
      }
      if (o->state == OrderState::PendingNew) o->state = OrderState::New;
      break;
    case ExecType::Trade: {
      if (o->cum.lots + er.last_qty.lots > o->qty.lots) {  // more than was ordered: never applied
        er.flags |= kExecOverfill;
        journal_unknown(ev, er);
        ++stats_.overfills;
        return;
      }
      o->cum += er.last_qty;
      o->leaves = er.leaves_qty;
      o->px_qty_sum += er.last_px.ticks * er.last_qty.lots;
      ++o->fills;
      ++stats_.fills;
      stats_.net_position += o->side == Side::Buy ? er.last_qty.lots : -er.last_qty.lots;
      o->state = o->cum >= o->qty ? OrderState::Filled : OrderState::PartiallyFilled;
      JournalRecord& f = next_record(ev, JournalType::Fill);
      f.u.fill = JrFill{cid, o->venue_id, er.last_px, er.last_qty, o->cum, o->fills, o->side, o->open_close, er.flags};
      journal_.commit();
      ++journaled_;
      break;
    }
    case ExecType::Canceled:
      o->leaves = Qty{0};
      if (!was_terminal) o->state = OrderState::Cancelled;
      break;
    case ExecType::Rejected:
      o->leaves = Qty{0};
      if (!was_terminal) o->state = OrderState::Rejected;
      break;
  }

  if (!was_terminal && is_terminal(o->state)) note_terminal(cid);

  JournalRecord& x = next_record(ev, JournalType::ExecReport);
  x.u.exec = er;
  journal_.commit();
  JournalRecord& u = next_record(ev, JournalType::OrderUpdate);
  JrOrderUpdate& ou = u.u.order_update;
  ou = JrOrderUpdate{};
  ou.client_id = cid;
  ou.venue_id = o->venue_id;
  ou.limit = o->limit;
  ou.avg_px_x100 = Price{o->cum.lots > 0 ? o->px_qty_sum * 100 / o->cum.lots : 0};
  ou.order_qty = o->qty;
  ou.cum_qty = o->cum;
  ou.leaves_qty = o->leaves;
  ou.state = o->state;
  ou.side = o->side;
  ou.open_close = o->open_close;
  ou.tif = o->tif;
  ou.reason = er.reason;
  ou.flags = er.flags;
  journal_.commit();
  journaled_ += 2;

  Event* out = out_.try_claim();  // room reserved
  *out = ev;
  out->u.er = er;
  out_.commit();
  ++produced_;
}

template <template <class> class Q>
void TrackerAgentT<Q>::handle(const Event& ev) noexcept {
  if (journal_inputs_) {
    JournalRecord& r = next_record(ev, JournalType::Input);
    r.u.input.kind = ev.kind;
    r.u.input.body = ev.u;
    journal_.commit();
    ++journaled_;
  }
  if (ev.kind == EventKind::Exec) {
    handle_exec(ev);
    return;
  }
  Event* out = out_.try_claim();
  *out = ev;
  out_.commit();
  ++produced_;
}

template <template <class> class Q>
int TrackerAgentT<Q>::do_work() {
  const uint64_t up = done_.upstream();  // before looking at the input (DoneSeq)
  register_sent();
  int work = 0;
  for (; work < kStageBatch; ++work) {
    const Event* ev = in_.front();
    if (ev == nullptr) break;
    if (out_.free_slots(1) < 1 ||
        journal_.free_slots(kMaxJournalPerReport) < static_cast<std::size_t>(kMaxJournalPerReport)) {
      counters_.backpressure.fetch_add(1, std::memory_order_relaxed);
      break;
    }
    if (ev->kind == EventKind::Exec) register_sent();  // the order was sent before its report existed
    handle(*ev);
    in_.pop();
    ++handled_;
    counters_.publish(handled_, produced_, journaled_);
  }
  const Event* next = in_.front();
  done_.publish(counters_, up, next != nullptr ? next->seq : 0);
  return work;
}

template class TrackerAgentT<SpscRing>;
template class TrackerAgentT<MutexQueue>;

}  // namespace tp
