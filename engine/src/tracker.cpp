#include <cassert>
#include <stdexcept>

#include "tp/engine/stages.hpp"

namespace tp {

namespace {
inline std::size_t hash64(uint64_t v) noexcept {
  v ^= v >> 33;
  v *= 0xff51afd7ed558ccdull;
  v ^= v >> 33;
  return static_cast<std::size_t>(v);
}
}  // namespace

TrackerAgent::TrackerAgent(EventRing& in, EventRing& out, OrderRing& sent_in, JournalRing& journal,
                           std::size_t max_orders)
    : in_(in),
      out_(out),
      sent_in_(sent_in),
      journal_(journal),
      orders_(max_orders * 2),
      venue_keys_(max_orders * 2, 0),
      venue_vals_(max_orders * 2, 0),
      mask_(max_orders * 2 - 1) {
  if (max_orders < 2 || (max_orders & (max_orders - 1)) != 0) {
    throw std::invalid_argument("TrackerAgent: max_orders must be a power of two");
  }
}

TrackerAgent::OrderEntry* TrackerAgent::find_mut(ClientOrderId id) noexcept {
  std::size_t h = hash64(id.v) & mask_;
  while (orders_[h].client_id.valid()) {
    if (orders_[h].client_id == id) return &orders_[h];
    h = (h + 1) & mask_;
  }
  return nullptr;
}

const TrackerAgent::OrderEntry* TrackerAgent::find(ClientOrderId id) const noexcept {
  return const_cast<TrackerAgent*>(this)->find_mut(id);
}

TrackerAgent::OrderEntry* TrackerAgent::insert(ClientOrderId id) noexcept {
  std::size_t h = hash64(id.v) & mask_;
  while (orders_[h].client_id.valid()) {
    if (orders_[h].client_id == id) return &orders_[h];
    h = (h + 1) & mask_;
  }
  if ((used_ + 1) * 2 > orders_.size()) return nullptr;  // table full (max_orders reached)
  ++used_;
  orders_[h] = OrderEntry{};
  orders_[h].client_id = id;
  return &orders_[h];
}

ClientOrderId TrackerAgent::by_venue(VenueOrderId vid) const noexcept {
  std::size_t h = hash64(vid.v) & mask_;
  while (venue_keys_[h] != 0) {
    if (venue_keys_[h] == vid.v) return ClientOrderId{venue_vals_[h]};
    h = (h + 1) & mask_;
  }
  return ClientOrderId{};
}

void TrackerAgent::map_venue(VenueOrderId vid, ClientOrderId cid) noexcept {
  std::size_t h = hash64(vid.v) & mask_;
  while (venue_keys_[h] != 0 && venue_keys_[h] != vid.v) h = (h + 1) & mask_;
  venue_keys_[h] = vid.v;
  venue_vals_[h] = cid.v;
}

void TrackerAgent::register_sent() noexcept {
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

JournalRecord& TrackerAgent::next_record(const Event& ev, JournalType type) noexcept {
  JournalRecord* r = journal_.try_claim();  // room reserved before the event was taken
  assert(r != nullptr);
  stamper_.stamp(*r, ev.seq, ev.event_time, type);
  return *r;
}

void TrackerAgent::handle_exec(const Event& ev) noexcept {
  ExecReport er = ev.u.er;
  ++stats_.reports;
  ClientOrderId cid = er.client_id;
  if (!cid.valid() && er.venue_id.valid()) cid = by_venue(er.venue_id);
  OrderEntry* o = cid.valid() ? find_mut(cid) : nullptr;
  if (o == nullptr) {
    JournalRecord& r = next_record(ev, JournalType::UnknownReport);
    r.u.exec = er;
    journal_.commit();
    ++journaled_;
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

void TrackerAgent::handle(const Event& ev) noexcept {
  if (ev.kind == EventKind::Exec) {
    handle_exec(ev);
    return;
  }
  Event* out = out_.try_claim();
  *out = ev;
  out_.commit();
  ++produced_;
}

int TrackerAgent::do_work() {
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
  return work;
}

}  // namespace tp
