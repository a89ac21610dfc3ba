#include "tp/engine/venue/sim_venue.hpp"

#include <cassert>
#include <stdexcept>

namespace tp {

SimVenue::SimVenue(int64_t latency_ns, std::size_t max_pending, std::size_t max_orders)
    : latency_ns_(latency_ns), pending_(max_pending), mask_(max_pending - 1), ids_(max_orders * 2, 0),
      ids_mask_(max_orders * 2 - 1) {
  if (max_pending < 2 || (max_pending & (max_pending - 1)) != 0 || max_orders < 2 ||
      (max_orders & (max_orders - 1)) != 0) {
    throw std::invalid_argument("SimVenue: max_pending and max_orders must be powers of two");
  }
}

void SimVenue::on_market(const InputEvent& ev) noexcept {
  if ((ev.flags & kInQuote) == 0) return;
  nbids_ = ev.bid_levels;
  nasks_ = ev.ask_levels;
  for (int i = 0; i < nbids_; ++i) bids_[i] = Level{ev.bid_px[i], ev.bid_qty[i], Qty{0}};
  for (int i = 0; i < nasks_; ++i) asks_[i] = Level{ev.ask_px[i], ev.ask_qty[i], Qty{0}};
}

void SimVenue::on_top_of_book(const MarketData& md) noexcept {
  nbids_ = md.has_bid() ? 1 : 0;
  nasks_ = md.has_ask() ? 1 : 0;
  if (nbids_) bids_[0] = Level{md.bid, md.bid_qty, Qty{0}};
  if (nasks_) asks_[0] = Level{md.ask, md.ask_qty, Qty{0}};
}

bool SimVenue::accept(const OrderRequest& o) noexcept {
  if (tail_ - head_ > mask_) return false;
  assert((head_ == tail_ || pending_[(tail_ - 1) & mask_].origin_time <= o.origin_time) &&
         "orders must reach the venue in event-time order");
  pending_[tail_ & mask_] = o;
  ++tail_;
  return true;
}

TimeNs SimVenue::next_arrival() const noexcept {
  assert(has_pending());
  return pending_[head_ & mask_].origin_time + latency_ns_;
}

bool SimVenue::seen_before(ClientOrderId id) noexcept {
  // Open addressing, linear probing; 0 marks an empty slot (client ids are never 0).
  std::size_t h = static_cast<std::size_t>(id.v * 0x9E3779B97F4A7C15ull) & ids_mask_;
  while (ids_[h] != 0) {
    if (ids_[h] == id.v) return true;
    h = (h + 1) & ids_mask_;
  }
  if (ids_used_ * 2 < ids_.size()) {  // keep the table at most half full
    ids_[h] = id.v;
    ++ids_used_;
  }
  return false;
}

int SimVenue::process_next(ExecReport* out) noexcept {
  assert(has_pending());
  const OrderRequest o = pending_[head_ & mask_];
  ++head_;
  return match(o, out);
}

int SimVenue::match(const OrderRequest& o, ExecReport* out) noexcept {
  ++stats_.orders;
  ExecReport base;
  base.client_id = o.client_id;
  base.limit_price = o.limit;
  base.order_qty = o.qty;
  base.side = o.side;
  base.open_close = o.open_close;
  base.tif = o.tif;

  auto reject = [&](RejectReason why) {
    ExecReport r = base;
    r.type = ExecType::Rejected;
    r.reason = why;
    r.cum_qty = Qty{0};
    r.leaves_qty = Qty{0};
    out[0] = r;
    ++stats_.rejects;
    return 1;
  };

  if (o.action == OrderAction::Cancel) return reject(RejectReason::UnknownOrder);
  if (o.qty.lots <= 0) return reject(RejectReason::InvalidQty);
  if (o.limit.ticks <= 0) return reject(RejectReason::InvalidPrice);
  if (o.tif == Tif::Day) return reject(RejectReason::Unsupported);
  if (!o.client_id.valid() || seen_before(o.client_id)) return reject(RejectReason::DuplicateId);

  int n = 0;
  const VenueOrderId vid{next_venue_id_++};
  ExecReport ack = base;
  ack.venue_id = vid;
  ack.type = ExecType::New;
  ack.leaves_qty = o.qty;
  out[n++] = ack;

  // What the book offers at or better than the limit.
  Level* book = o.side == Side::Buy ? asks_ : bids_;
  const int depth = o.side == Side::Buy ? nasks_ : nbids_;
  auto marketable = [&](Price px) { return o.side == Side::Buy ? px <= o.limit : px >= o.limit; };
  int32_t available = 0;
  for (int i = 0; i < depth && marketable(book[i].px); ++i) {
    available += book[i].qty.lots - book[i].taken.lots;
  }
  const int32_t want = o.qty.lots;
  const int32_t fill = o.tif == Tif::Fok ? (available >= want ? want : 0) : (available < want ? available : want);

  int32_t cum = 0;
  for (int i = 0; i < depth && cum < fill && marketable(book[i].px); ++i) {
    const int32_t free = book[i].qty.lots - book[i].taken.lots;
    if (free <= 0) continue;
    const int32_t take = free < fill - cum ? free : fill - cum;
    book[i].taken.lots += take;
    cum += take;
    ExecReport f;
    f.venue_id = vid;  // fills carry only the venue's id
    f.type = ExecType::Trade;
    f.side = o.side;
    f.open_close = o.open_close;
    f.tif = o.tif;
    f.limit_price = o.limit;
    f.order_qty = o.qty;
    f.last_qty = Qty{take};
    f.last_px = book[i].px;
    f.cum_qty = Qty{cum};
    f.leaves_qty = Qty{want - cum};
    out[n++] = f;
    ++stats_.fills;
    stats_.filled_lots += static_cast<uint64_t>(take);
  }
  if (cum < want) {
    ExecReport c;
    c.venue_id = vid;  // cancels carry only the venue's id
    c.type = ExecType::Canceled;
    c.side = o.side;
    c.open_close = o.open_close;
    c.tif = o.tif;
    c.limit_price = o.limit;
    c.order_qty = o.qty;
    c.cum_qty = Qty{cum};
    c.leaves_qty = Qty{0};
    out[n++] = c;
    ++stats_.cancels;
  }
  return n;
}

}  // namespace tp
