// The opening-range breakout strategy with per-lot exits (SPEC §4).
//
// docs/STRATEGY.md lists every rule implemented here with its SPEC source and every
// interpretation taken. Hot-path rules followed throughout this file:
//   * no floating point: pullbacks and multipliers are parts per million (LotRule::*_ppm),
//     distances are Ticks, times are ns;
//   * no allocation on a market tick: every container is reserved in the constructor;
//     only a new entry signal (a rare event) may allocate its EntryResult lot list;
//   * bounded output per event: at most kMaxOrdersPerEvent submits and
//     kMaxJournalPerEvent journal records (budget_ok() defers a send that would not fit;
//     decisions are sticky so a deferred send goes out on a later event).
#include "tp/engine/strategy.hpp"

#include <algorithm>
#include <cassert>

#include "tp/engine/instrument.hpp"

namespace tp {

namespace {

constexpr int64_t kPpm = 1'000'000;
/// Journal records kept free for signals written after a send in the same event.
constexpr int kJournalReserve = 8;

constexpr int64_t floor_half(int64_t a) { return a >= 0 ? a / 2 : -((-a + 1) / 2); }
constexpr int64_t ceil_half(int64_t a) { return -floor_half(-a); }
constexpr int64_t abs64(int64_t a) { return a < 0 ? -a : a; }
constexpr PosSide opposite(PosSide s) { return s == PosSide::Long ? PosSide::Short : PosSide::Long; }

constexpr bool is_open(PositionState s) {
  return s == PositionState::Active || s == PositionState::PendingClosing;
}

}  // namespace

// ------------------------------------------------------------------ construction

Strategy::Strategy(const Config& cfg, uint32_t run_id, StrategySink& sink,
                   std::vector<std::pair<TradingDay, uint16_t>> group_floor)
    : cfg_(cfg), run_id_(run_id), sink_(sink), group_floor_(std::move(group_floor)) {
  days_.reserve(kDayCapacity);
  // Result storage built up front, so that a new day or a new entry on the risk
  // thread moves a ready vector in instead of allocating one (SPEC §2: the hot path
  // never allocates).
  spare_days_.resize(kDayCapacity);
  for (DayResult& d : spare_days_) d.entries.reserve(kEntriesPerDay);
  spare_entries_.resize(kEntryCapacity);
  for (EntryResult& e : spare_entries_) e.lots.reserve(kLotsPerEntry);
  lots_.reserve(kLotCapacity);
  st_.reserve(kLotCapacity);
  entries_.reserve(kEntryCapacity);
  orders_.resize(kOrderSlots);
  open_.reserve(256);
  live_entries_.reserve(256);
  touched_.reserve(1024);
  const StrategyConfig& s = cfg.strategy;
  range_start_ns_ = int64_t{s.range_start} * kNsPerSec;
  range_end_ns_ = int64_t{s.range_end} * kNsPerSec;
  entry_end_ns_ = int64_t{s.entry_end} * kNsPerSec;
  flatten_ns_ = int64_t{s.flatten_time} * kNsPerSec;
  max_quote_age_ns_ = s.max_quote_age_ms * kNsPerMs;
  max_chase_ns_ = s.chase.max_duration_ms * kNsPerMs;
  assert(s.groups >= 1 && s.groups <= 5 && "strategy.groups must be 1..5");
  assert(s.lots_per_group >= 1 && s.lots_per_group <= 3 && "strategy.lots_per_group must be 1..3");
}

int Strategy::open_lots() const { return static_cast<int>(open_.size()); }

Ticks Strategy::day_pnl() const { return day_pnl_; }

Strategy::LotRisk Strategy::lot_risk(std::size_t i) const {
  assert(i < st_.size() && "lot index out of range");
  return LotRisk{st_[i].peak, st_[i].stop, st_[i].flags};
}

// ------------------------------------------------------------------ event entry points

void Strategy::on_market(const Event& ev) {
  if (ev.kind != EventKind::Market) return;
  const MarketData& md = ev.u.md;
  const bool day_session = md.session == Session::Day;
  const bool night_ok = md.session == Session::Night && cfg_.strategy.trade_night;
  if (!day_session && !night_ok) return;
  begin_event();
  if (md.trading_day.valid() && md.trading_day != day_) {
    if (day_idx_ >= 0) finish_day();
    begin_day(md.trading_day);
  }
  if (day_idx_ < 0) return;  // no trading day seen yet

  // A rejected exit waits for the next market event: this one (rejects during this event
  // set the flag again and wait for the one after).
  for (int32_t i : open_) st_[i].retry_on_market = false;
  bid_ = md.bid;
  ask_ = md.ask;
  has_bid_ = md.has_bid();
  has_ask_ = md.has_ask();
  quote_time_ = md.quote_time;
  const bool trade = md.has_trade();

  if (day_session) {
    const int64_t t = local_ns_of_day(ev.event_time, cfg_.instrument.utc_offset_ns);
    if (!range_done_) {
      if (t >= range_end_ns_) {
        complete_range();
      } else if (trade && t >= range_start_ns_) {
        if (!have_range_trade_) {
          have_range_trade_ = true;
          hi_ = lo_ = opening_ = md.last;
        } else {
          hi_ = std::max(hi_, md.last);
          lo_ = std::min(lo_, md.last);
        }
      }
    }
    if (t >= flatten_ns_) flatten_all(ev);
    if (trade) on_trade_for_lots(ev, md.last);
    if (trade && range_done_ && !day_blocked_ && !flatten_active_ && t < entry_end_ns_) {
      check_breakout(ev, md.last);
    }
  } else if (trade) {
    // trade_night: night events manage open lots only (docs/STRATEGY.md "Night session").
    on_trade_for_lots(ev, md.last);
  }
  process_pending(ev, true);
  flush_positions();
  compact_live();
}

void Strategy::on_exec(const Event& ev) {
  if (ev.kind != EventKind::Exec) return;
  begin_event();
  const ExecReport& er = ev.u.er;
  OrderSlot* o = find_order(er.client_id);
  if (o == nullptr) {
    ++unknown_reports_;
    return;
  }
  const int slot = static_cast<int>(o - orders_.data());
  const bool is_entry = o->purpose == OrderPurpose::Entry || o->purpose == OrderPurpose::EntryChase;

  // Flatten also starts on an execution report inside [flatten_time, day close].
  if (day_idx_ >= 0 && !flatten_active_) {
    const int64_t t = local_ns_of_day(ev.event_time, cfg_.instrument.utc_offset_ns);
    if (t >= flatten_ns_ && t <= int64_t{cfg_.hours.day_close} * kNsPerSec) flatten_all(ev);
  }

  switch (er.type) {
    case ExecType::New:
      break;
    case ExecType::Trade: {
      if ((er.flags & kExecLate) != 0) ++counters_.late_fills;
      Qty q = er.last_qty;
      if (o->filled + q > o->qty) q = o->qty - o->filled;  // never apply more than the order's size
      if (q.lots <= 0) break;
      if (is_entry) {
        on_entry_fill(slot, q, er.last_px, ev);
      } else {
        on_exit_fill(slot, er.last_px, ev);
      }
      break;
    }
    case ExecType::Canceled:
    case ExecType::Rejected: {
      if (!o->in_flight) break;  // already terminal for us (late duplicate): nothing to do
      const bool rejected = er.type == ExecType::Rejected;
      o->in_flight = false;
      if (rejected) {
        ++counters_.rejected;
      } else {
        ++counters_.cancelled;
      }
      const uint64_t id = o->id;
      if (is_entry) {
        EntryState& en = entries_[o->entry];
        const int rem = o->qty.lots - o->filled.lots;
        en.in_flight -= rem;
        if (o->purpose == OrderPurpose::EntryChase) --en.chase_in_flight;
        if (rejected) en.rejected += rem;  // rejects are never chased
        for (int32_t li : days_[en.day].entries[en.index].lots) {
          if (st_[li].bound_order == id) st_[li].bound_order = 0;
        }
        settle_entry(o->entry, ev);
      } else {
        const int i = o->lot;
        LotState& S = st_[i];
        LotResult& L = lots_[i];
        if (S.exit_order != id || L.state == PositionState::Closed) break;  // a superseded order
        S.exit_order = 0;
        S.flags = static_cast<uint8_t>(S.flags & ~kPosExitInFlight);
        mark(i);
        if (rejected) {
          // Never chased: back to ACTIVE with the decision kept, retried on the next market event.
          L.state = PositionState::Active;
          S.exit_chase_due = false;
          S.exit_chase_n = 0;
          S.retry_on_market = true;
        } else if (S.decision != ExitReason::None) {
          S.exit_chase_due = true;
          try_send_exit(i, ev);
        }
      }
      break;
    }
  }
  process_pending(ev, false);
  flush_positions();
  compact_live();
}

void Strategy::on_end_of_data(const Event& /*ev*/) {
  begin_event();
  if (day_idx_ >= 0 && !day_finished_) finish_day();
  flush_positions();
  compact_live();
}

// ------------------------------------------------------------------ day and range

void Strategy::begin_day(TradingDay day) {
  day_ = day;
  if (days_.size() < spare_days_.size()) {
    days_.push_back(std::move(spare_days_[days_.size()]));
  } else {
    days_.emplace_back();
  }
  day_idx_ = static_cast<int32_t>(days_.size()) - 1;
  days_.back().day = day;
  day_finished_ = false;
  range_done_ = false;
  have_range_trade_ = false;
  hi_ = lo_ = opening_ = Price{};
  day_blocked_ = false;
  filter_journaled_ = false;
  flatten_active_ = false;
  day_entries_ = 0;
  day_pnl_ = Ticks{};
  uint16_t floor = 0;
  for (const auto& [d, g] : group_floor_) {
    if (d == day && g > floor) floor = g;
  }
  next_group_ = static_cast<uint16_t>(floor + 1);
}

void Strategy::finish_day() {
  day_finished_ = true;
  // Sends still held at the day boundary never go out on the next day's prices.
  for (int32_t e : live_entries_) {
    if (!entries_[e].done) stop_entry(e, true);
  }
  DayResult& d = days_[day_idx_];
  if (!range_done_) {
    if (d.skipped == SkipReason::None) {
      d.skipped = SkipReason::NoRangeData;
      journal_signal(SignalKind::DaySkipped, PosSide::Long, Price{}, SkipReason::NoRangeData, 0);
    }
  } else if (d.entries.empty() && d.skipped == SkipReason::None) {
    d.skipped = SkipReason::NoBreakout;
    journal_signal(SignalKind::DaySkipped, PosSide::Long, Price{}, SkipReason::NoBreakout, 0);
  }
}

void Strategy::complete_range() {
  range_done_ = true;
  DayResult& d = days_[day_idx_];
  if (!have_range_trade_) {
    d.skipped = SkipReason::NoRangeData;
    day_blocked_ = true;
    journal_signal(SignalKind::DaySkipped, PosSide::Long, Price{}, SkipReason::NoRangeData, 0);
    return;
  }
  d.has_range = true;
  d.range_high = hi_;
  d.range_low = lo_;
  journal_signal(SignalKind::RangeSet, PosSide::Long, Price{}, SkipReason::None, 0);
  const Ticks max = cfg_.strategy.max_range_ticks;
  if (max.v > 0 && (hi_ - lo_) > max) {
    d.skipped = SkipReason::RangeTooWide;
    day_blocked_ = true;
    journal_signal(SignalKind::DaySkipped, PosSide::Long, Price{}, SkipReason::RangeTooWide, 0);
  }
}

void Strategy::check_breakout(const Event& ev, Price p) {
  PosSide side;
  if (p > hi_) {
    side = PosSide::Long;
  } else if (p < lo_) {
    side = PosSide::Short;
  } else {
    return;
  }
  const StrategyConfig& s = cfg_.strategy;
  if (s.direction == DirectionMode::LongOnly && side == PosSide::Short) return;
  if (s.direction == DirectionMode::ShortOnly && side == PosSide::Long) return;
  if (s.frequency == FrequencyMode::OncePerDay) {
    if (day_entries_ > 0) return;
  } else if (last_entry_ >= 0) {
    // Repeatable / test: only once the previous entry has nothing open or pending.
    const EntryState& prev = entries_[last_entry_];
    if (!prev.done || prev.in_flight > 0) return;
    for (int32_t i : open_) {
      if (st_[i].entry == last_entry_) return;
    }
  }
  if (s.frequency != FrequencyMode::Test) {
    const Ticks pnl = s.pnl_scope == PnlScope::Day ? day_pnl_ : cum_pnl_;
    SkipReason why = SkipReason::None;
    if (s.daily_loss_limit_ticks.v > 0 && pnl.v <= -s.daily_loss_limit_ticks.v) {
      why = SkipReason::LossLimit;
    } else if (s.profit_target_ticks.v > 0 && pnl.v >= s.profit_target_ticks.v) {
      why = SkipReason::ProfitTarget;
    }
    if (why != SkipReason::None) {
      if (!filter_journaled_) {
        filter_journaled_ = true;
        if (day_entries_ == 0) days_[day_idx_].skipped = why;
        journal_signal(SignalKind::DaySkipped, side, p, why, 0);
      }
      return;
    }
  }
  create_entry(ev, side, p);
}

// ------------------------------------------------------------------ entries

void Strategy::create_entry(const Event& ev, PosSide side, Price trigger) {
  const StrategyConfig& s = cfg_.strategy;
  const int groups = s.groups;
  const int lpg = s.lots_per_group;
  const int target = groups * lpg;
  // Unreachable within the SPEC's limits (<= 15 lots); keeps the per-event bounds.
  if (!budget_ok(target, groups + 2 + target)) return;

  const int32_t e = static_cast<int32_t>(entries_.size());
  entries_.emplace_back();
  DayResult& d = days_[day_idx_];
  {
    EntryState& en = entries_.back();
    en.day = day_idx_;
    en.index = static_cast<int32_t>(d.entries.size());
    en.side = side;
    en.range_high = hi_;
    en.range_low = lo_;
    en.opening = opening_;
    en.first_group = next_group_;
    en.groups = static_cast<uint8_t>(groups);
    en.target = target;
    en.send_due = true;
  }
  next_group_ = static_cast<uint16_t>(next_group_ + groups);
  if (static_cast<std::size_t>(e) < spare_entries_.size()) {
    d.entries.push_back(std::move(spare_entries_[static_cast<std::size_t>(e)]));
  } else {
    d.entries.emplace_back();
  }
  EntryResult& er = d.entries.back();
  er.side = side;
  er.signal_time = ev.event_time;
  er.trigger_px = trigger;
  er.target = Qty{target};
  d.skipped = SkipReason::None;
  ++day_entries_;
  last_entry_ = e;

  for (int g = 0; g < groups; ++g) {
    journal_group(e, static_cast<uint16_t>(entries_[e].first_group + g), GroupEvent::Created, lpg, 0);
  }
  journal_signal(SignalKind::Entry, side, trigger, SkipReason::None, target);
  for (int k = 0; k < target; ++k) new_lot(e, side);
  live_entries_.push_back(e);
  try_send_entry(e, ev);
}

int Strategy::new_lot(int e, PosSide side) {
  const EntryState& en = entries_[e];
  const int32_t i = static_cast<int32_t>(lots_.size());
  lots_.emplace_back();
  st_.emplace_back();
  LotResult& L = lots_.back();
  L.id = PositionId{(uint64_t{run_id_} << 32) | next_lot_n_++};
  L.day = days_[en.day].day;
  L.entry_index = en.index;
  L.side = side;
  L.state = PositionState::PendingEntry;
  L.entry_ref = en.first_sent ? en.first_px : Price{};
  st_.back().entry = e;
  days_[en.day].entries[en.index].lots.push_back(i);
  mark(i);
  return i;
}

Price Strategy::initial_stop(const EntryState& en, PosSide side, Price entry_px) const {
  const StrategyConfig& s = cfg_.strategy;
  const bool lng = side == PosSide::Long;
  switch (s.initial_stop) {
    case InitialStopMode::RangeBoundary:
      return lng ? en.range_low : en.range_high;
    case InitialStopMode::RangeMid: {
      const int64_t sum = en.range_high.ticks + en.range_low.ticks;
      return Price{lng ? floor_half(sum) : ceil_half(sum)};
    }
    case InitialStopMode::FixedPoints:
      return lng ? entry_px - s.initial_stop_ticks : entry_px + s.initial_stop_ticks;
    case InitialStopMode::OpeningPrice:
      return en.opening;
  }
  return lng ? en.range_low : en.range_high;
}

void Strategy::try_send_entry(int e, const Event& ev) {
  {
    const EntryState& en = entries_[e];
    if (en.done || !en.send_due) return;
  }
  const StrategyConfig& s = cfg_.strategy;
  EntryState& en = entries_[e];
  const int n = en.first_sent ? en.chase_n + 1 : 0;
  const int qty = en.target - en.filled - en.in_flight - en.rejected;
  if (qty <= 0) {  // a late fill made the chase unnecessary
    en.send_due = false;
    settle_entry(e, ev);
    return;
  }
  const Side side = entry_side(en.side);
  const bool lng = en.side == PosSide::Long;
  if (en.first_sent) {
    if (n > s.chase.max_retries) {
      entry_give_up(e, ChaseEvent::GiveUpRetries, Price{}, n, ev);
      return;
    }
    if (ev.event_time - en.first_time >= max_chase_ns_) {
      entry_give_up(e, ChaseEvent::GiveUpTimeout, Price{}, n, ev);
      return;
    }
  } else if (local_ns_of_day(ev.event_time, cfg_.instrument.utc_offset_ns) >= entry_end_ns_) {
    // Held past the entry window: a first send now would be a new entry (SPEC §4 window).
    stop_entry(e, true);
    return;
  }
  if (!quote_fresh(side, ev.event_time)) {
    if (!en.stale_held) {
      en.stale_held = true;
      ++counters_.stale_quote_holds;
      journal_signal(SignalKind::StaleQuote, en.side, Price{}, SkipReason::None, qty);
    }
    return;
  }
  const Price px = lng ? ask_ + Ticks{n} : bid_ - Ticks{n};
  if (en.first_sent && abs64((px - en.first_px).v) > s.chase.max_slippage_ticks.v) {
    entry_give_up(e, ChaseEvent::GiveUpSlippage, px, n, ev);
    return;
  }
  const int norders = s.order_per_lot ? qty : 1;
  if (!budget_ok(norders, norders + 1)) return;  // stays due; sent on a later event

  const bool chase = en.first_sent;
  en.send_due = false;
  en.stale_held = false;
  en.chase_n = static_cast<uint8_t>(n);
  const std::vector<int32_t>& lots = days_[en.day].entries[en.index].lots;
  if (!chase) {
    en.first_sent = true;
    en.first_px = px;
    en.first_time = ev.event_time;
    for (int32_t li : lots) {
      lots_[li].entry_ref = px;
      mark(li);
    }
  }
  int rejected_now = 0;
  for (int k = 0; k < norders; ++k) {
    const int q = s.order_per_lot ? 1 : qty;
    const uint64_t id = next_client_id();
    int32_t first_lot = -1;
    int bound = 0;
    for (int32_t li : lots) {
      if (bound == q) break;
      if (lots_[li].state == PositionState::PendingEntry && st_[li].bound_order == 0) {
        st_[li].bound_order = id;
        if (first_lot < 0) first_lot = li;
        ++bound;
      }
    }
    OrderSlot& o = orders_[(id & 0xffffffffu) % kOrderSlots];
    o = OrderSlot{};
    o.id = id;
    o.entry = e;
    o.lot = s.order_per_lot ? first_lot : -1;
    o.qty = Qty{q};
    o.limit = px;
    o.purpose = chase ? OrderPurpose::EntryChase : OrderPurpose::Entry;
    o.chase_n = static_cast<uint8_t>(n);

    OrderRequest req{};
    req.client_id = ClientOrderId{id};
    req.position = (s.order_per_lot && first_lot >= 0) ? lots_[first_lot].id : PositionId{};
    req.limit = px;
    req.qty = Qty{q};
    req.action = OrderAction::New;
    req.side = side;
    req.tif = Tif::Fok;
    req.open_close = OpenClose::Open;
    req.purpose = o.purpose;
    req.chase_n = static_cast<uint8_t>(n);
    ++orders_ev_;
    if (sink_.submit(req) != RejectReason::None) {
      ++counters_.rejected;
      en.rejected += q;
      for (int32_t li : lots) {
        if (st_[li].bound_order == id) st_[li].bound_order = 0;
      }
      ++rejected_now;
      continue;
    }
    ++counters_.sent;
    o.in_flight = true;
    en.in_flight += q;
    if (chase) {
      ++en.chase_in_flight;
      ++counters_.chased;
      journal_chase(ChaseEvent::Resend, OrderPurpose::EntryChase, id, en.first_px, px, PositionId{}, q, n);
    }
  }
  if (rejected_now > 0) settle_entry(e, ev);
}

void Strategy::settle_entry(int e, const Event& ev) {
  EntryState& en = entries_[e];
  if (en.done) {
    fail_unbound_lots(e);
    maybe_complete_groups(e);
    return;
  }
  const int remaining = en.target - en.filled - en.in_flight - en.rejected;
  if (remaining > 0) {
    // One chase at a time: a new chase step only when no chase order is working.
    if (en.chase_in_flight == 0 && !en.send_due) {
      en.send_due = true;
      try_send_entry(e, ev);
    }
    return;
  }
  if (en.in_flight == 0 && !en.send_due) {
    // Nothing is working and nothing will be sent: complete, or lots lost to rejects.
    stop_entry(e, true);
  }
}

void Strategy::stop_entry(int e, bool journal_if_unfilled) {
  EntryState& en = entries_[e];
  en.done = true;
  en.send_due = false;
  int unbound = 0;
  for (int32_t li : days_[en.day].entries[en.index].lots) {
    if (lots_[li].state == PositionState::PendingEntry && st_[li].bound_order == 0) ++unbound;
  }
  if (journal_if_unfilled && unbound > 0) {
    journal_signal(SignalKind::EntryGaveUp, en.side, Price{}, SkipReason::None, unbound);
  }
  fail_unbound_lots(e);
  maybe_complete_groups(e);
}

void Strategy::entry_give_up(int e, ChaseEvent why, Price px, int n, const Event& /*ev*/) {
  EntryState& en = entries_[e];
  int unbound = 0;
  for (int32_t li : days_[en.day].entries[en.index].lots) {
    if (lots_[li].state == PositionState::PendingEntry && st_[li].bound_order == 0) ++unbound;
  }
  ++counters_.chase_gave_up;
  journal_chase(why, OrderPurpose::EntryChase, 0, en.first_px, px, PositionId{}, unbound, n);
  stop_entry(e, true);
}

void Strategy::fail_unbound_lots(int e) {
  const EntryState& en = entries_[e];
  for (int32_t li : days_[en.day].entries[en.index].lots) {
    if (lots_[li].state == PositionState::PendingEntry && st_[li].bound_order == 0) {
      lots_[li].state = PositionState::EntryFailed;
      mark(li);
    }
  }
}

int Strategy::take_lot_for_fill(int e, uint64_t order_id) {
  const EntryState& en = entries_[e];
  int unbound = -1;
  int any = -1;
  for (int32_t li : days_[en.day].entries[en.index].lots) {
    if (lots_[li].state != PositionState::PendingEntry) continue;
    if (st_[li].bound_order == order_id) return li;
    if (st_[li].bound_order == 0 && unbound < 0) unbound = li;
    if (any < 0) any = li;
  }
  return unbound >= 0 ? unbound : any;
}

void Strategy::on_entry_fill(int slot, Qty q, Price px, const Event& ev) {
  OrderSlot& o = orders_[slot];
  const int e = o.entry;
  const bool was_in_flight = o.in_flight;
  o.filled += q;
  {
    EntryState& en = entries_[e];
    if (was_in_flight) {
      en.in_flight -= q.lots;
      if (o.filled >= o.qty) {
        o.in_flight = false;
        if (o.purpose == OrderPurpose::EntryChase) --en.chase_in_flight;
      }
    }
  }
  if (o.filled >= o.qty) ++counters_.filled;
  const int lpg = cfg_.strategy.lots_per_group;
  for (int k = 0; k < q.lots; ++k) {
    int i = take_lot_for_fill(e, o.id);
    bool over = false;
    if (i < 0) {
      over = entries_[e].filled >= entries_[e].target;
      i = new_lot(e, entries_[e].side);
    }
    EntryState& en = entries_[e];
    LotResult& L = lots_[i];
    LotState& S = st_[i];
    S.bound_order = 0;
    L.state = PositionState::Active;
    L.entry_px = px;
    L.entry_time = ev.event_time;
    L.entry_ref = en.first_px;
    L.entry_slippage = L.side == PosSide::Long ? (px - L.entry_ref) : (L.entry_ref - px);
    S.peak = px;
    S.flags = 0;
    open_.push_back(i);
    mark(i);
    if (over) {
      // A lot beyond the target (late fill): closed at once (SPEC §4 "no over-fill").
      S.overfill = true;
      L.rule = 0;
      L.group = 0;
      S.stop = px;
      decide_exit(i, ExitReason::Overfill, ev);
      continue;
    }
    const int idx = en.filled++;
    L.rule = static_cast<uint8_t>(idx % lpg + 1);
    L.group = static_cast<uint16_t>(en.first_group + idx / lpg);
    S.stop = initial_stop(en, L.side, px);
    days_[en.day].entries[en.index].filled = Qty{en.filled};
    if (flatten_active_) decide_exit(i, ExitReason::EndOfDay, ev);
  }
  settle_entry(e, ev);
}

// ------------------------------------------------------------------ exits

void Strategy::on_trade_for_lots(const Event& ev, Price p) {
  const StrategyConfig& s = cfg_.strategy;
  for (std::size_t k = 0; k < open_.size(); ++k) {
    const int32_t i = open_[k];
    LotResult& L = lots_[i];
    LotState& S = st_[i];
    if (S.overfill) continue;
    const LotRule& r = s.rules[static_cast<std::size_t>(L.rule - 1)];
    const bool lng = L.side == PosSide::Long;
    if (lng ? p > S.peak : p < S.peak) {
      S.peak = p;
      mark(i);
    }
    const bool fixed_tp = r.fixed_tp_ticks.v > 0;
    if (!fixed_tp) {
      const int64_t gain = lng ? (S.peak - L.entry_px).v : (L.entry_px - S.peak).v;
      if ((S.flags & kPosTrailingActive) == 0 && gain >= r.activation_ticks.v) {
        S.flags = static_cast<uint8_t>(S.flags | kPosTrailingActive);
        mark(i);
      }
      if ((S.flags & kPosTrailingActive) != 0) {
        // stop = peak - ceil((peak - entry) * pullback): exact integer form of
        // "exit when trade <= peak - (peak - entry) * pullback" for integer prices.
        const Ticks give{ceil_ppm(gain, r.pullback_ppm)};
        const Price stop = lng ? S.peak - give : S.peak + give;
        if (stop != S.stop) {
          S.stop = stop;
          mark(i);
        }
      }
    }
    if (L.state != PositionState::Active || S.decision != ExitReason::None) continue;
    ExitReason why = ExitReason::None;
    if (fixed_tp && (lng ? p >= L.entry_px + r.fixed_tp_ticks : p <= L.entry_px - r.fixed_tp_ticks)) {
      why = ExitReason::TakeProfit;
    } else if (lng ? p <= S.stop : p >= S.stop) {
      why = (S.flags & kPosTrailingActive) != 0     ? ExitReason::TrailingStop
            : (S.flags & kPosProtectiveActive) != 0 ? ExitReason::ProtectiveStop
                                                    : ExitReason::InitialStop;
    }
    if (why != ExitReason::None) decide_exit(i, why, ev);
  }
}

void Strategy::flatten_all(const Event& ev) {
  if (!flatten_active_) {
    flatten_active_ = true;
    // Pending entries stop chasing; lots still working may fill and then exit at once.
    for (int32_t e : live_entries_) {
      if (!entries_[e].done) stop_entry(e, true);
    }
  }
  for (std::size_t k = 0; k < open_.size(); ++k) {
    const int32_t i = open_[k];
    if (lots_[i].state == PositionState::Active && st_[i].decision == ExitReason::None) {
      decide_exit(i, st_[i].overfill ? ExitReason::Overfill : ExitReason::EndOfDay, ev);
    }
  }
}

void Strategy::decide_exit(int i, ExitReason why, const Event& ev) {
  LotState& S = st_[i];
  S.decision = why;
  S.exit_ref_set = false;
  S.exit_chase_n = 0;
  S.exit_chase_due = false;
  S.stale_held = false;
  S.retry_on_market = false;
  lots_[i].exit_reason = why;
  mark(i);
  try_send_exit(i, ev);
}

void Strategy::try_send_exit(int i, const Event& ev) {
  LotResult& L = lots_[i];
  LotState& S = st_[i];
  if (S.decision == ExitReason::None || S.exit_order != 0 || !is_open(L.state)) return;
  const StrategyConfig& s = cfg_.strategy;
  const int n = S.exit_chase_due ? S.exit_chase_n + 1 : 0;
  if (S.exit_chase_due) {
    if (n > s.chase.max_retries) {
      exit_give_up(i, ChaseEvent::GiveUpRetries, Price{}, n);
      return;
    }
    if (ev.event_time - S.exit_first_time >= max_chase_ns_) {
      exit_give_up(i, ChaseEvent::GiveUpTimeout, Price{}, n);
      return;
    }
  }
  const Side side = exit_side(L.side);
  if (!quote_fresh(side, ev.event_time)) {
    if (!S.stale_held) {
      S.stale_held = true;
      ++counters_.stale_quote_holds;
      journal_signal(SignalKind::StaleQuote, L.side, Price{}, SkipReason::None, 1);
    }
    return;
  }
  const Price px = side == Side::Sell ? bid_ - Ticks{n} : ask_ + Ticks{n};
  if (S.exit_chase_due && abs64((px - S.exit_first_px).v) > s.chase.max_slippage_ticks.v) {
    exit_give_up(i, ChaseEvent::GiveUpSlippage, px, n);
    return;
  }
  if (!budget_ok(1, 2)) return;  // decision stays; sent on a later event

  const uint64_t id = next_client_id();
  OrderSlot& o = orders_[(id & 0xffffffffu) % kOrderSlots];
  o = OrderSlot{};
  o.id = id;
  o.entry = S.entry;
  o.lot = i;
  o.qty = Qty{1};
  o.limit = px;
  o.purpose = n == 0 ? OrderPurpose::Exit : OrderPurpose::ExitChase;
  o.reason = S.decision;
  o.chase_n = static_cast<uint8_t>(n);

  OrderRequest req{};
  req.client_id = ClientOrderId{id};
  req.position = L.id;
  req.limit = px;
  req.qty = Qty{1};
  req.action = OrderAction::New;
  req.side = side;
  req.tif = Tif::Fok;
  req.open_close = OpenClose::Close;
  req.purpose = o.purpose;
  req.chase_n = static_cast<uint8_t>(n);
  ++orders_ev_;
  mark(i);
  if (sink_.submit(req) != RejectReason::None) {
    // Never chased: ACTIVE with the decision kept, retried on the next market event.
    ++counters_.rejected;
    L.state = PositionState::Active;
    S.flags = static_cast<uint8_t>(S.flags & ~kPosExitInFlight);
    S.exit_chase_due = false;
    S.exit_chase_n = 0;
    S.retry_on_market = true;
    return;
  }
  ++counters_.sent;
  o.in_flight = true;
  S.exit_order = id;
  S.stale_held = false;
  if (n == 0) {
    S.exit_first_px = px;
    S.exit_first_time = ev.event_time;
    if (!S.exit_ref_set) {
      L.exit_ref = px;
      S.exit_ref_set = true;
    }
  } else {
    ++counters_.chased;
    journal_chase(ChaseEvent::Resend, OrderPurpose::ExitChase, id, S.exit_first_px, px, L.id, 1, n);
  }
  S.exit_chase_n = static_cast<uint8_t>(n);
  S.exit_chase_due = false;
  L.state = PositionState::PendingClosing;
  S.flags = static_cast<uint8_t>(S.flags | kPosExitInFlight);
}

void Strategy::exit_give_up(int i, ChaseEvent why, Price px, int n) {
  LotResult& L = lots_[i];
  LotState& S = st_[i];
  ++counters_.chase_gave_up;
  journal_chase(why, OrderPurpose::ExitChase, 0, S.exit_first_px, px, L.id, 1, n);
  // Back to ACTIVE, decision cleared: re-evaluated on the following trades (and the
  // flatten re-triggers on the next market event after flatten_time).
  S.decision = ExitReason::None;
  S.exit_chase_due = false;
  S.exit_chase_n = 0;
  S.stale_held = false;
  S.flags = static_cast<uint8_t>(S.flags & ~kPosExitInFlight);
  L.exit_reason = ExitReason::None;
  L.state = PositionState::Active;
  mark(i);
}

void Strategy::on_exit_fill(int slot, Price px, const Event& ev) {
  OrderSlot& o = orders_[slot];
  o.filled += Qty{1};
  o.in_flight = false;
  ++counters_.filled;
  const int i = o.lot;
  LotState& S = st_[i];
  if (S.exit_order == o.id) S.exit_order = 0;
  if (lots_[i].state == PositionState::Closed) {
    // A second exit fill for a closed lot (late fill of a cancelled exit while its chase
    // also filled): the position is now beyond target the other way. Book it as an
    // Overfill lot on the opposite side and close it at once.
    const PosSide side = opposite(lots_[i].side);
    const int j = new_lot(o.entry, side);
    LotResult& J = lots_[j];
    LotState& T = st_[j];
    J.state = PositionState::Active;
    J.entry_px = px;
    J.entry_ref = px;
    J.entry_time = ev.event_time;
    J.rule = 0;
    J.group = 0;
    T.overfill = true;
    T.peak = px;
    T.stop = px;
    open_.push_back(j);
    decide_exit(j, ExitReason::Overfill, ev);
    return;
  }
  close_lot(i, px, ev.event_time, o.reason);
}

void Strategy::close_lot(int i, Price px, TimeNs t, ExitReason why) {
  LotResult& L = lots_[i];
  LotState& S = st_[i];
  const bool lng = L.side == PosSide::Long;
  L.state = PositionState::Closed;
  L.exit_px = px;
  L.exit_time = t;
  L.exit_reason = why;
  L.pnl = lng ? (px - L.entry_px) : (L.entry_px - px);
  L.exit_slippage = lng ? (L.exit_ref - px) : (px - L.exit_ref);
  S.decision = ExitReason::None;
  S.exit_chase_due = false;
  S.retry_on_market = false;
  S.flags = static_cast<uint8_t>(S.flags & ~kPosExitInFlight);
  mark(i);
  day_pnl_ = day_pnl_ + L.pnl;
  cum_pnl_ = cum_pnl_ + L.pnl;
  remove_open(i);
  if (!S.overfill) {
    EntryState& en = entries_[S.entry];
    const int g = L.group - en.first_group;
    if (g >= 0 && g < en.groups) en.group_pnl[g] += L.pnl.v;
    if (why == ExitReason::TrailingStop || why == ExitReason::TakeProfit) apply_protective(i);
  }
  maybe_complete_groups(S.entry);
}

void Strategy::apply_protective(int closed) {
  const LotResult& C = lots_[closed];
  const int k = C.rule;
  if (k < 1 || k >= cfg_.strategy.lots_per_group) return;  // no rule k+1 in this group
  const EntryState& en = entries_[st_[closed].entry];
  const int64_t p = en.group_pnl[C.group - en.first_group];
  if (p <= 0) return;
  const LotRule& r = cfg_.strategy.rules[static_cast<std::size_t>(k)];  // rule k+1
  if (r.multiplier_ppm <= 0) return;
  for (int32_t j : days_[en.day].entries[en.index].lots) {
    LotResult& L = lots_[j];
    LotState& S = st_[j];
    if (S.overfill || L.group != C.group || L.rule != k + 1) continue;
    if (L.state != PositionState::Active || S.decision != ExitReason::None) return;
    if ((S.flags & kPosTrailingActive) != 0) return;
    const Ticks d{ceil_ppm(p, r.multiplier_ppm)};
    S.stop = L.side == PosSide::Long ? L.entry_px - d : L.entry_px + d;
    S.flags = static_cast<uint8_t>(S.flags | kPosProtectiveActive);
    mark(j);
    return;
  }
}

void Strategy::maybe_complete_groups(int e) {
  EntryState& en = entries_[e];
  if (!en.done || en.in_flight > 0) return;
  const std::vector<int32_t>& lots = days_[en.day].entries[en.index].lots;
  for (int32_t li : lots) {
    if (lots_[li].state == PositionState::PendingEntry) return;
  }
  for (int g = 0; g < en.groups; ++g) {
    if ((en.completed_groups & (1u << g)) != 0) continue;
    const uint16_t gid = static_cast<uint16_t>(en.first_group + g);
    int filled = 0;
    bool open = false;
    for (int32_t li : lots) {
      if (st_[li].overfill || lots_[li].group != gid) continue;
      if (lots_[li].state == PositionState::Closed) {
        ++filled;
      } else if (is_open(lots_[li].state)) {
        open = true;
      }
    }
    if (open) continue;
    en.completed_groups = static_cast<uint8_t>(en.completed_groups | (1u << g));
    journal_group(e, gid, GroupEvent::Completed, cfg_.strategy.lots_per_group, filled);
  }
}

void Strategy::remove_open(int i) {
  const auto it = std::find(open_.begin(), open_.end(), i);
  if (it != open_.end()) open_.erase(it);
}

// ------------------------------------------------------------------ pending sends

void Strategy::process_pending(const Event& ev, bool market) {
  for (std::size_t k = 0; k < open_.size(); ++k) {
    const int32_t i = open_[k];
    LotState& S = st_[i];
    if (market) {
      // An Overfill lot whose exit gave up is re-triggered at once.
      if (S.overfill && lots_[i].state == PositionState::Active && S.decision == ExitReason::None) {
        decide_exit(i, ExitReason::Overfill, ev);
        continue;
      }
    }
    if (S.decision != ExitReason::None && S.exit_order == 0 && !S.retry_on_market) try_send_exit(i, ev);
  }
  for (std::size_t k = 0; k < live_entries_.size(); ++k) {
    const int32_t e = live_entries_[k];
    if (!entries_[e].done && entries_[e].send_due) try_send_entry(e, ev);
  }
}

void Strategy::compact_live() {
  live_entries_.erase(std::remove_if(live_entries_.begin(), live_entries_.end(),
                                     [this](int32_t e) { return entries_[e].done; }),
                      live_entries_.end());
}

// ------------------------------------------------------------------ helpers

Strategy::OrderSlot* Strategy::find_order(ClientOrderId id) {
  if ((id.v >> 32) != run_id_) return nullptr;
  const uint64_t n = id.v & 0xffffffffu;
  if (n == 0) return nullptr;
  OrderSlot& o = orders_[(n) % kOrderSlots];
  return o.id == id.v ? &o : nullptr;
}

uint64_t Strategy::next_client_id() { return (uint64_t{run_id_} << 32) | next_order_n_++; }

bool Strategy::quote_fresh(Side side, TimeNs now) const {
  const bool has = side == Side::Buy ? has_ask_ : has_bid_;
  return has && (now - quote_time_) <= max_quote_age_ns_;
}

bool Strategy::budget_ok(int orders, int journal) const {
  return orders_ev_ + orders <= kMaxOrdersPerEvent &&
         journal_ev_ + static_cast<int>(touched_.size()) + journal + kJournalReserve <= kMaxJournalPerEvent;
}

void Strategy::begin_event() {
  orders_ev_ = 0;
  journal_ev_ = 0;
}

void Strategy::mark(int i) {
  if (!st_[i].dirty) {
    st_[i].dirty = true;
    touched_.push_back(i);
  }
}

void Strategy::flush_positions() {
  for (int32_t i : touched_) {
    const LotResult& L = lots_[i];
    LotState& S = st_[i];
    S.dirty = false;
    JournalRecord r;
    r.type = JournalType::Position;
    r.u.position = JrPosition{};
    JrPosition& p = r.u.position;
    p.id = L.id;
    p.entry_time = L.entry_time;
    p.exit_time = L.exit_time;
    p.entry_px = L.entry_px;
    p.entry_ref = L.entry_ref;
    p.exit_px = L.exit_px;
    p.exit_ref = L.exit_ref;
    p.peak = S.peak;
    p.stop = S.stop;
    p.day = L.day;
    p.group = L.group;
    p.rule = L.rule;
    p.side = L.side;
    p.state = L.state;
    p.exit_reason = L.exit_reason;
    p.flags = S.flags;
    put_journal(r);
  }
  touched_.clear();
}

void Strategy::put_journal(JournalRecord& r) {
  ++journal_ev_;
  assert(journal_ev_ <= kMaxJournalPerEvent && "per-event journal bound exceeded");
  sink_.journal(r);
}

void Strategy::journal_signal(SignalKind k, PosSide side, Price trigger, SkipReason skip, int lots) {
  JournalRecord r;
  r.type = JournalType::Signal;
  r.u.signal = JrSignal{};
  JrSignal& s = r.u.signal;
  s.range_high = hi_;
  s.range_low = lo_;
  s.trigger_px = trigger;
  s.day = day_;
  s.kind = k;
  s.side = side;
  s.skip = skip;
  s.lots = Qty{lots};
  put_journal(r);
}

void Strategy::journal_chase(ChaseEvent ev, OrderPurpose purpose, uint64_t new_id, Price first, Price px,
                             PositionId pos, int qty, int n) {
  JournalRecord r;
  r.type = JournalType::Chase;
  r.u.chase = JrChase{};
  JrChase& c = r.u.chase;
  c.new_client_id = ClientOrderId{new_id};
  c.first_px = first;
  c.new_px = px;
  c.position = pos;
  c.qty = Qty{qty};
  c.n = static_cast<uint8_t>(n);
  c.event = ev;
  c.purpose = purpose;
  put_journal(r);
}

void Strategy::journal_group(int e, uint16_t gid, GroupEvent ge, int lots, int filled) {
  const EntryState& en = entries_[e];
  JournalRecord r;
  r.type = JournalType::Group;
  r.u.group = JrGroup{};
  JrGroup& g = r.u.group;
  g.signal_time = days_[en.day].entries[en.index].signal_time;
  g.range_high = en.range_high;
  g.range_low = en.range_low;
  g.day = days_[en.day].day;
  g.group_id = gid;
  g.side = en.side;
  g.event = ge;
  g.lots = Qty{lots};
  g.filled = Qty{filled};
  put_journal(r);
}

int64_t Strategy::ceil_ppm(int64_t x, int64_t ppm) const {
  // x >= 0, ppm >= 0: ceil(x * ppm / 1e6) in integers.
  return (x * ppm + kPpm - 1) / kPpm;
}

}  // namespace tp
