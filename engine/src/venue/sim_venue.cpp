#include "tp/engine/venue/sim_venue.hpp"

#include <cassert>
#include <stdexcept>
#include <string>

namespace tp {

SimVenue::SimVenue(int64_t latency_ns, std::size_t max_pending, std::size_t max_orders)
    : latency_ns_(latency_ns), pending_(max_pending), mask_(max_pending - 1), ids_(max_orders * 2, 0),
      ids_mask_(max_orders * 2 - 1) {
  if (max_pending < 2 || (max_pending & (max_pending - 1)) != 0 || max_orders < 2 ||
      (max_orders & (max_orders - 1)) != 0) {
    throw std::invalid_argument("SimVenue: max_pending and max_orders must be powers of two");
  }
}

void SimVenue::set_fill_model(const FillModelConfig& m) {
  if (m.slippage_ticks < 0 || m.slippage_ticks > kMaxSlippageTicks) {
    throw std::invalid_argument("SimVenue: slippage_ticks must be 0.." + std::to_string(kMaxSlippageTicks) +
                                ", got " + std::to_string(m.slippage_ticks));
  }
  if (resting_enabled_ && m.model != FillModel::Book) {
    throw std::invalid_argument(std::string("SimVenue: resting mode matches with the book model only, not ") +
                                to_string(m.model));
  }
  model_ = m;
  shift_ = m.model == FillModel::Slippage ? m.slippage_ticks : 0;
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

int SimVenue::process_next(ExecReport* out, const InputCursor& applied) noexcept {
  assert(has_pending());
  const OrderRequest o = pending_[head_ & mask_];
  ++head_;
  return match(o, o.origin_time + latency_ns_, applied, out);
}

int SimVenue::match(const OrderRequest& o, TimeNs arrival, const InputCursor& applied, ExecReport* out) noexcept {
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

  if (o.action == OrderAction::Cancel) {
    if (resting_enabled_) {
      const int n = cancel_resting(o, out);
      if (n > 0) return n;
    }
    return reject(RejectReason::UnknownOrder);
  }
  if (o.qty.lots <= 0) return reject(RejectReason::InvalidQty);
  if (o.limit.ticks <= 0) return reject(RejectReason::InvalidPrice);
  if (o.tif == Tif::Day && !resting_enabled_) return reject(RejectReason::Unsupported);
  if (!o.client_id.valid() || seen_before(o.client_id)) return reject(RejectReason::DuplicateId);

  int n = 0;
  const VenueOrderId vid{next_venue_id_++};
  ExecReport ack = base;
  ack.venue_id = vid;
  ack.type = ExecType::New;
  ack.leaves_qty = o.qty;
  out[n++] = ack;

  // What the book offers at or better than the limit (Slippage: the moved book).
  const int32_t want = o.qty.lots;
  auto fill_of = [&](int32_t available) {
    return o.tif == Tif::Fok ? (available >= want ? want : 0) : (available < want ? available : want);
  };
  int32_t available = available_for(o, shift_);
  if (model_.model == FillModel::TradeThrough && o.tif != Tif::Day) {
    const int32_t printed = window_prints(o, arrival, applied, 0);
    if (printed < available) available = printed;
  }
  const int32_t fill = fill_of(available);
  if (model_.model != FillModel::Book) {
    if (fill < fill_of(available_for(o, 0))) ++stats_.model_refusals;
    if (model_.model == FillModel::TradeThrough && fill > 0) (void)window_prints(o, arrival, applied, fill);
  }

  int32_t cum = 0;
  n += take(o, vid, fill, cum, out + n);
  if (cum < want && o.tif == Tif::Day && resting_.size() < resting_.capacity()) {
    resting_.push_back(Resting{o, vid, cum});  // never reallocates: capacity reserved
    return n;
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

int32_t SimVenue::available_for(const OrderRequest& o, int64_t shift) const noexcept {
  const Level* book = o.side == Side::Buy ? asks_ : bids_;
  const int depth = o.side == Side::Buy ? nasks_ : nbids_;
  const Ticks moved{o.side == Side::Buy ? shift : -shift};
  int32_t available = 0;
  for (int i = 0; i < depth; ++i) {
    const Price px = book[i].px + moved;
    const bool marketable = o.side == Side::Buy ? px <= o.limit : px >= o.limit;
    if (!marketable) break;
    available += book[i].qty.lots - book[i].taken.lots;
  }
  return available;
}

int32_t SimVenue::window_prints(const OrderRequest& o, TimeNs arrival, const InputCursor& applied,
                                int32_t consume) noexcept {
  if (applied.segments == nullptr) return 0;
  const InputSegments& segs = *applied.segments;
  // The window: event times in (lo, arrival]; latency 0 makes it the instant itself.
  const int64_t lo = arrival.ns - (latency_ns_ > 0 ? latency_ns_ : 1);
  const int sd = o.side == Side::Buy ? 0 : 1;
  UsedPrint* used = used_[sd];
  int& nused = nused_[sd];
  if (consume == 0) {  // forget prints no window can hold any more (arrivals never go back)
    int k = 0;
    for (int i = 0; i < nused; ++i) {
      if (used[i].ev->ts.ns > lo) used[k++] = used[i];
    }
    nused = k;
  }
  // Back from the cursor to the window's first event (events are in time order).
  std::size_t s = applied.seg < segs.size() ? applied.seg : segs.size();
  std::size_t i = s < segs.size() ? (applied.next < segs[s].size() ? applied.next : segs[s].size()) : 0;
  const std::size_t end_s = s;
  const std::size_t end_i = i;
  for (;;) {
    std::size_t ps = s;
    std::size_t pi = i;
    while (pi == 0 && ps > 0) pi = segs[--ps].size();
    if (pi == 0) break;
    --pi;
    if (segs[ps][pi].ts.ns <= lo) break;
    s = ps;
    i = pi;
  }
  // Forward over the window, earliest first.
  int32_t found = 0;
  int slots = kMaxUsedPrints - nused;
  for (;;) {
    while (s < end_s && i >= segs[s].size()) {
      ++s;
      i = 0;
    }
    if (s >= end_s && i >= end_i) break;
    const InputEvent& ev = segs[s][i++];
    if ((ev.flags & kInTrade) == 0 || (ev.flags & kInAuction) != 0) continue;
    if (ev.ts.ns <= lo || ev.ts > arrival) continue;  // causal even for a cursor past the arrival
    if (o.side == Side::Buy ? ev.last > o.limit : ev.last < o.limit) continue;
    int slot = -1;
    for (int k = 0; k < nused; ++k) {
      if (used[k].ev == &ev) {
        slot = k;
        break;
      }
    }
    if (slot < 0 && slots == 0) continue;  // table full: not counted
    const int32_t free = ev.last_qty.lots - (slot >= 0 ? used[slot].lots : 0);
    if (free <= 0) continue;
    if (slot < 0) --slots;
    found += free;
    if (consume > 0) {
      const int32_t take_lots = free < consume ? free : consume;
      if (slot < 0) {
        slot = nused++;
        used[slot] = UsedPrint{&ev, 0};
      }
      used[slot].lots += take_lots;
      consume -= take_lots;
      if (consume == 0) break;
    }
  }
  return found;
}

int SimVenue::take(const OrderRequest& o, VenueOrderId vid, int32_t fill, int32_t& cum, ExecReport* out) noexcept {
  Level* book = o.side == Side::Buy ? asks_ : bids_;
  const int depth = o.side == Side::Buy ? nasks_ : nbids_;
  const Ticks moved{o.side == Side::Buy ? shift_ : -shift_};
  auto marketable = [&](Price px) { return o.side == Side::Buy ? px <= o.limit : px >= o.limit; };
  const int32_t want = o.qty.lots;
  const int32_t target = cum + fill;
  int n = 0;
  for (int i = 0; i < depth && cum < target && marketable(book[i].px + moved); ++i) {
    const int32_t free = book[i].qty.lots - book[i].taken.lots;
    if (free <= 0) continue;
    const int32_t take_lots = free < target - cum ? free : target - cum;
    book[i].taken.lots += take_lots;
    cum += take_lots;
    ExecReport f;
    f.venue_id = vid;  // fills carry only the venue's id
    f.type = ExecType::Trade;
    f.side = o.side;
    f.open_close = o.open_close;
    f.tif = o.tif;
    f.limit_price = o.limit;
    f.order_qty = o.qty;
    f.last_qty = Qty{take_lots};
    f.last_px = book[i].px + moved;
    f.cum_qty = Qty{cum};
    f.leaves_qty = Qty{want - cum};
    out[n++] = f;
    ++stats_.fills;
    stats_.filled_lots += static_cast<uint64_t>(take_lots);
  }
  return n;
}

void SimVenue::enable_resting(std::size_t max_resting) {
  if (max_resting == 0) throw std::invalid_argument("SimVenue: max_resting must be at least 1");
  if (model_.model != FillModel::Book) {
    throw std::invalid_argument(std::string("SimVenue: resting mode matches with the book model only, not ") +
                                to_string(model_.model));
  }
  resting_.reserve(max_resting);
  resting_enabled_ = true;
}

int SimVenue::cancel_resting(const OrderRequest& o, ExecReport* out) noexcept {
  for (std::size_t i = 0; i < resting_.size(); ++i) {
    if (resting_[i].vid != o.venue_id) continue;
    const Resting r = resting_[i];
    resting_.erase(resting_.begin() + static_cast<std::ptrdiff_t>(i));  // no allocation
    ExecReport c;
    c.venue_id = r.vid;  // cancels carry only the venue's id
    c.type = ExecType::Canceled;
    c.side = r.o.side;
    c.open_close = r.o.open_close;
    c.tif = r.o.tif;
    c.limit_price = r.o.limit;
    c.order_qty = r.o.qty;
    c.cum_qty = Qty{r.cum};
    c.leaves_qty = Qty{0};
    out[0] = c;
    ++stats_.cancels;
    return 1;
  }
  return 0;
}

int SimVenue::match_resting(ExecReport* out, int max_out) noexcept {
  int n = 0;
  std::size_t i = 0;
  while (i < resting_.size() && max_out - n >= kMaxLevels) {
    Resting& r = resting_[i];
    const int32_t leaves = r.o.qty.lots - r.cum;
    const int32_t available = available_for(r.o);
    if (available <= 0) {
      ++i;
      continue;
    }
    n += take(r.o, r.vid, available < leaves ? available : leaves, r.cum, out + n);
    if (r.cum >= r.o.qty.lots) {
      resting_.erase(resting_.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
  return n;
}

}  // namespace tp
