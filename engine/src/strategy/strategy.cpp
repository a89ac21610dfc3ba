// The opening-range breakout strategy with per-lot exits (SPEC §4).
//
// docs/STRATEGY.md lists every rule implemented here with its SPEC source and every
// interpretation taken. The rules themselves are pure functions named after them:
// strategy/opening_range.hpp, entry_signal.hpp, lot_assignment.hpp, chase.hpp (one chase
// for entries and exits) and exit_rules.hpp; this file sequences them over events and
// keeps the books. Hot-path rules followed throughout this file:
//   * no floating point: pullbacks and multipliers are parts per million (LotRule::*_ppm),
//     distances are Ticks, times are ns;
//   * no allocation on a market tick: every container is reserved in the constructor;
//   * bounded output per event: at most kMaxOrdersPerEvent submits and
//     kMaxJournalPerEvent journal records (budget_ok() defers a send that would not fit;
//     decisions are sticky so a deferred send goes out on a later event).
#include "tp/engine/strategy/strategy.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <string>

#include "tp/engine/instrument.hpp"
#include "tp/engine/strategy/entry_signal.hpp"
#include "tp/engine/strategy/exit_rules.hpp"
#include "tp/engine/strategy/lot_assignment.hpp"

namespace tp {

namespace {

/// Journal records kept free for signals written after a send in the same event.
constexpr int kJournalReserve = 8;

constexpr PosSide opposite(PosSide s) { return s == PosSide::Long ? PosSide::Short : PosSide::Long; }

constexpr bool is_open(PositionState s) {
  return s == PositionState::Active || s == PositionState::PendingClosing;
}

constexpr bool is_entry_purpose(OrderPurpose p) { return p == OrderPurpose::Entry || p == OrderPurpose::EntryChase; }

}  // namespace

// ------------------------------------------------------------------ construction

Strategy::Strategy(const Config& cfg, uint32_t run_id, StrategySink& sink, GroupFloor group_floor)
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
  range_start_ns_ = int64_t{s.range_start_sec} * kNsPerSec;
  range_end_ns_ = int64_t{s.range_end_sec} * kNsPerSec;
  entry_end_ns_ = int64_t{s.entry_end_sec} * kNsPerSec;
  flatten_ns_ = int64_t{s.flatten_time_sec} * kNsPerSec;
  max_quote_age_ns_ = s.max_quote_age_ms * kNsPerMs;
  chase_limits_.max_retries = s.chase.max_retries;
  chase_limits_.max_slippage = s.chase.max_slippage_ticks;
  chase_limits_.max_duration_ns = s.chase.max_duration_ms * kNsPerMs;
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
  if (halted_) return;  // reconciliation refused to trade (SPEC §6): no decisions, no orders
  begin_event();
  if (md.trading_day.valid() && md.trading_day != day_) {
    if (day_idx_ >= 0) finish_day();
    begin_day(md.trading_day);
  }
  if (day_idx_ < 0) return;  // no trading day seen yet

  // An exit that was rejected or restarted waits for the next market event: this one
  // (rejects during this event set the flag again and wait for the one after).
  for (int32_t i : open_) st_[i].wait_market = false;
  bid_ = md.bid;
  ask_ = md.ask;
  has_bid_ = md.has_bid();
  has_ask_ = md.has_ask();
  quote_time_ = md.quote_time;
  const bool trade = md.has_trade();

  if (day_session) {
    const int64_t t = local_ns_of_day(ev.event_time, cfg_.instrument.utc_offset_ns);
    last_local_ns_ = t;
    if (!range_done_) {
      if (t >= range_end_ns_) {
        complete_range();
      } else if (trade && in_range_window(t, range_start_ns_, range_end_ns_)) {
        range_.add_trade(md.last);
      }
    }
    if (t >= flatten_ns_) flatten_all(ev);
    if (trade) on_trade_for_lots(ev, md.last);
    if (trade && range_done_ && !day_blocked_ && !flatten_active_ && !paused_ && t < entry_end_ns_) {
      check_breakout(ev, md.last);
    }
  } else if (trade) {
    // trade_night: night events manage open lots only (docs/STRATEGY.md "Night session").
    on_trade_for_lots(ev, md.last);
  }
  process_pending(ev);
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
  const bool is_entry = is_entry_purpose(o->purpose);

  // Flatten also starts on an execution report inside [flatten_time, day close].
  if (day_idx_ >= 0 && !flatten_active_) {
    const int64_t t = local_ns_of_day(ev.event_time, cfg_.instrument.utc_offset_ns);
    if (t >= flatten_ns_ && t <= int64_t{cfg_.hours.day_close_sec} * kNsPerSec) flatten_all(ev);
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
      count(is_entry, rejected ? &OrderCounts::rejected : &OrderCounts::cancelled);
      if (is_entry) {
        on_entry_terminal(*o, rejected, ev);
      } else {
        on_exit_terminal(*o, rejected, ev);
      }
      break;
    }
  }
  process_pending(ev);
  flush_positions();
  compact_live();
}

void Strategy::on_control(const Event& ev) {
  if (ev.kind != EventKind::Control) return;
  if (ev.u.control.kind == ControlKind::RunSwitch && ev.u.control.run_id != 0) {
    // The counters go on (slots stay unique); only the run id in the high half changes.
    run_id_ = ev.u.control.run_id;
  } else if (ev.u.control.kind == ControlKind::Reconcile) {
    begin_event();
    reconcile(ev);
    flush_positions();
    compact_live();
  } else if (ev.u.control.kind == ControlKind::Pause || ev.u.control.kind == ControlKind::Kill) {
    paused_ = true;  // the kill switch also stops entries here (the risk stage refuses them anyway)
  } else if (ev.u.control.kind == ControlKind::Resume) {
    paused_ = false;
  } else if (ev.u.control.kind == ControlKind::Flatten) {
    // The operator's flatten: every open lot exits through the normal exit path (chase
    // included); pending entries stop. Entries stay paused until a resume.
    begin_event();
    paused_ = true;
    for (int32_t e : live_entries_) {
      if (!entries_[e].done) stop_entry(e);
    }
    for (std::size_t k = 0; k < open_.size(); ++k) {
      const int32_t i = open_[k];
      if (lots_[i].state == PositionState::Active && st_[i].decision == ExitReason::None) {
        decide_exit(i, st_[i].overfill ? ExitReason::Overfill : ExitReason::KillSwitch, ev);
      }
    }
    process_pending(ev);
    flush_positions();
    compact_live();
  }
}

// A lot's entry fill: ACTIVE at `px` (an entry order's fill, or a fill reconciliation adopted).
void Strategy::activate_lot(int i, Price px, const Event& ev) {
  LotResult& L = lots_[i];
  LotState& S = st_[i];
  const EntryState& en = entries_[S.entry];
  S.entry_order = 0;
  S.entry_chase.due = false;
  L.state = PositionState::Active;
  L.entry_px = px;
  L.entry_time = ev.event_time;
  L.entry_ref = en.first_px;
  L.entry_slippage = slippage(entry_side(L.side), L.entry_ref, px);
  L.last_px = px;
  S.peak = px;
  S.trough = px;
  S.flags = 0;
  open_.push_back(i);
  mark(i);
}

// The next FIFO slot of its entry (rule, group) and the initial stop (SPEC §4).
void Strategy::assign_rule(int i) {
  LotResult& L = lots_[i];
  LotState& S = st_[i];
  EntryState& en = entries_[S.entry];
  const StrategyConfig& s = cfg_.strategy;
  const LotSlot fifo = fifo_slot(en.filled++, s.lots_per_group, en.first_group);
  L.rule = fifo.rule;
  L.group = fifo.group;
  S.stop = initial_stop(s.initial_stop, L.side, RangeLevels{en.range_high, en.range_low, en.opening}, L.entry_px,
                        s.initial_stop_ticks);
  days_[en.day].entries[en.index].filled = Qty{en.filled};
}

// A PENDING_ENTRY lot whose fill the venue made and the engine never heard of.
void Strategy::adopt_lot(int i, Price px, const Event& ev) {
  activate_lot(i, px, ev);
  assign_rule(i);
}

void Strategy::reconcile(const Event& ev) {
  const ControlEvent& c = ev.u.control;
  ReconcileSummary& out = reconcile_;
  out = ReconcileSummary{};
  out.done = true;
  JrReconcile& r = out.r;
  r.checked_orders = c.rec.checked_orders;
  r.checked_positions = c.rec.checked_positions;
  r.fixed = c.rec.fixed;
  r.adopted = c.rec.adopted_fills;
  r.closed = c.rec.cancelled;
  r.venue_net_lots = c.rec.venue_net_lots;
  int local = 0;
  for (int32_t i : open_) local += lots_[i].side == PosSide::Long ? 1 : -1;
  r.local_net_lots = local;
  auto item = [&out](const std::string& t) { out.items += (out.items.empty() ? "" : "; ") + t; };
  if (c.rec.cancelled > 0) item("cancelled " + std::to_string(c.rec.cancelled) + " orphan order(s)");
  if (c.rec.fixed > 0) item("fixed " + std::to_string(c.rec.fixed) + " order(s) from the venue's status");
  // The price of what the venue did without us: the orphan fills' average, else the
  // last quote's mid, else each lot's own entry.
  const bool orphan_px = c.rec.orphan_lots != 0;
  const Price mid = (has_bid_ && has_ask_) ? Price{(bid_.ticks + ask_.ticks) / 2} : Price{};
  auto px_for = [&](int lot) {
    if (orphan_px) return Price{c.rec.orphan_px_lots / c.rec.orphan_lots};
    return mid.ticks != 0 ? mid : lots_[lot].entry_px;
  };
  if (c.rec.checked_positions == 0) {  // the venue sent no position report: nothing to compare
    item("no position report from the venue: positions not checked");
    r.venue_net_lots = local;
  }
  const int venue_net = c.rec.checked_positions == 0 ? local : c.rec.venue_net_lots;
  int diff = venue_net - local;
  // The venue holds fewer lots on our side: exits it filled that the journal lost. Close
  // as many lots, those with an exit decided first, then the newest.
  while (diff != 0 && local != 0 && (diff > 0) == (local < 0)) {
    int pick = -1;
    for (int32_t i : open_) {
      if ((lots_[i].side == PosSide::Long) != (local > 0)) continue;
      if (lots_[i].state == PositionState::PendingClosing) {
        pick = i;
        break;
      }
      pick = i;  // open_ is in creation order: the last one seen is the newest
    }
    if (pick < 0) break;
    const Price px = px_for(pick);
    if (lots_[pick].exit_ref.ticks == 0) lots_[pick].exit_ref = px;
    close_lot(pick, px, ev.event_time, ExitReason::Reconciled);
    ++r.closed;
    item("closed lot " + std::to_string(lots_[pick].id.v) + " (the venue no longer holds it)");
    local += local > 0 ? -1 : 1;
    diff = venue_net - local;
  }
  // The venue holds more: a fill of an entry whose order was lost. Adopt it into a lot
  // still waiting for its entry (same side, no order working); otherwise refuse to trade.
  while (diff != 0) {
    const PosSide side = diff > 0 ? PosSide::Long : PosSide::Short;
    int pick = -1;
    for (int32_t e : live_entries_) {
      for (int32_t li : days_[entries_[e].day].entries[entries_[e].index].lots) {
        if (lots_[li].state == PositionState::PendingEntry && lots_[li].side == side && st_[li].entry_order == 0) {
          pick = li;
          break;
        }
      }
      if (pick >= 0) break;
    }
    if (pick < 0) break;
    adopt_lot(pick, px_for(pick), ev);
    ++r.adopted;
    item("adopted lot " + std::to_string(lots_[pick].id.v));
    diff += diff > 0 ? -1 : 1;
  }
  r.resolved = diff == 0 ? 1 : 0;
  if (diff != 0) {
    halted_ = true;
    item("position mismatch: the venue holds " + std::to_string(venue_net) + " lot(s) net, the engine " +
         std::to_string(venue_net - diff) + " - trading refused");
  }
  if (out.items.empty()) item("in agreement");
  JournalRecord rec;
  rec.type = JournalType::Reconcile;
  rec.u.reconcile = r;
  const std::size_t n = out.items.size() < sizeof r.items ? out.items.size() : sizeof r.items;
  std::memcpy(rec.u.reconcile.items, out.items.data(), n);
  rec.u.reconcile.items_len = static_cast<uint8_t>(n);
  put_journal(rec);
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
  range_ = OpeningRange{};
  day_blocked_ = false;
  filter_journaled_ = false;
  flatten_active_ = false;
  rearm_needed_ = false;
  day_entries_ = 0;
  refused_entries_today_ = 0;
  day_pnl_ = Ticks{};
  uint32_t floor = 0;
  for (const auto& [d, g] : group_floor_) {
    if (d == day && g > floor) floor = g;
  }
  next_group_ = floor + 1;  // floor <= UINT32_MAX - 1 never wraps to 0: kMaxGroupId guards it
}

void Strategy::finish_day() {
  day_finished_ = true;
  // Sends still held at the day boundary never go out on the next day's prices.
  for (int32_t e : live_entries_) {
    if (!entries_[e].done) stop_entry(e);
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
  if (!range_.has_trade) {
    d.skipped = SkipReason::NoRangeData;
    day_blocked_ = true;
    journal_signal(SignalKind::DaySkipped, PosSide::Long, Price{}, SkipReason::NoRangeData, 0);
    return;
  }
  d.has_range = true;
  d.range_high = range_.high;
  d.range_low = range_.low;
  journal_signal(SignalKind::RangeSet, PosSide::Long, Price{}, SkipReason::None, 0);
  if (range_.too_wide(cfg_.strategy.max_range_ticks)) {
    d.skipped = SkipReason::RangeTooWide;
    day_blocked_ = true;
    journal_signal(SignalKind::DaySkipped, PosSide::Long, Price{}, SkipReason::RangeTooWide, 0);
  }
}

void Strategy::skip_day(SkipReason why, PosSide side, Price trigger) {
  if (day_entries_ == 0) days_[day_idx_].skipped = why;
  journal_signal(SignalKind::DaySkipped, side, trigger, why, 0);
}

void Strategy::check_breakout(const Event& ev, Price p) {
  if (rearm_needed_) {
    // A refused entry re-arms only once the price is back inside the range.
    if (inside_range(p, range_.high, range_.low)) rearm_needed_ = false;
    return;
  }
  const StrategyConfig& s = cfg_.strategy;
  const Breakout b = breakout(p, range_.high, range_.low, s.direction);
  if (b == Breakout::None) return;
  const PosSide side = b == Breakout::Long ? PosSide::Long : PosSide::Short;
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
        skip_day(why, side, p);
      }
      return;
    }
  }
  if (!group_ids_left(next_group_, s.groups)) {
    // Refuse rather than wrap: a wrapped id would overwrite a stored group (SPEC §4).
    day_blocked_ = true;
    skip_day(SkipReason::GroupIdsExhausted, side, p);
    return;
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
    en.range_high = range_.high;
    en.range_low = range_.low;
    en.opening = range_.opening;
    en.first_group = next_group_;
    en.groups = static_cast<uint8_t>(groups);
    en.target = target;
    en.chase.due = !s.order_per_lot;
  }
  next_group_ += static_cast<uint32_t>(groups);
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
    journal_group(e, entries_[e].first_group + static_cast<uint32_t>(g), GroupEvent::Created, lpg, 0);
  }
  journal_signal(SignalKind::Entry, side, trigger, SkipReason::None, target);
  for (int k = 0; k < target; ++k) {
    const int i = new_lot(e, side);
    st_[i].entry_chase.due = s.order_per_lot;
  }
  live_entries_.push_back(e);
  if (s.order_per_lot) {
    for (int32_t li : days_[entries_[e].day].entries[entries_[e].index].lots) try_send_entry_lot(li, ev);
  } else {
    try_send_entry_multi(e, ev);
  }
  settle_entry(e);
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

/// One order per lot: lot i's next entry order (its first, or its own next retry).
void Strategy::try_send_entry_lot(int i, const Event& ev) {
  LotState& S = st_[i];
  if (lots_[i].state != PositionState::PendingEntry || !S.entry_chase.due || S.entry_order != 0) return;
  const int e = S.entry;
  if (entries_[e].done) {  // the entry stopped (flatten, day change): nothing more goes out
    fail_lot(i);
    return;
  }
  send_entry_order(e, S.entry_chase, i, 1, ev);
}

/// One order for all lots (`order_per_lot = false`): the entry's unfilled quantity.
void Strategy::try_send_entry_multi(int e, const Event& ev) {
  EntryState& en = entries_[e];
  if (en.done || !en.chase.due || en.order != 0) return;
  const int qty = en.target - en.filled - en.in_flight;
  if (qty <= 0) {  // a late fill made the chase unnecessary
    en.chase.due = false;
    return;
  }
  send_entry_order(e, en.chase, -1, qty, ev);
}

/// Sends the next order of an entry chase `c` for `qty` lots (lot >= 0: that lot's own
/// order). Returns false when nothing went out (held, deferred, refused, given up).
bool Strategy::send_entry_order(int e, ChaseState& c, int lot, int qty, const Event& ev) {
  EntryState& en = entries_[e];
  const Side side = entry_side(en.side);
  if (!c.started && local_ns_of_day(ev.event_time, cfg_.instrument.utc_offset_ns) >= entry_end_ns_) {
    // Held past the entry window: a first send now would be a new entry (SPEC §4 window).
    if (lot >= 0) {
      fail_lot(lot);
    } else {
      stop_entry(e);
    }
    return false;
  }
  // No over-fill: lots in flight + filled never exceed the target (a late fill can take a
  // lot whose order is still working; the chase then waits for that order to end).
  if (en.filled + en.in_flight + qty > en.target) return false;
  if (stale_hold(c, en.side, side, ev.event_time, qty)) return false;
  const ChaseOrder next = next_chase_order(c, side, bid_, ask_, ev.event_time, chase_limits_);
  if (next.verdict != ChaseEvent::Resend) {
    count(true, &OrderCounts::chase_gave_up);
    journal_chase(next.verdict, OrderPurpose::EntryChase, 0, c.first_px, next.px,
                  lot >= 0 ? lots_[lot].id : PositionId{}, qty, next.n);
    c.due = false;
    if (lot >= 0) {
      fail_lot(lot);
    } else {
      stop_entry(e);
    }
    return false;
  }
  if (!budget_ok(1, 2)) return false;  // stays due; sent on a later event

  if (!en.first_sent) {
    en.first_sent = true;
    en.first_px = next.px;
    en.first_time = ev.event_time;
    for (int32_t li : days_[en.day].entries[en.index].lots) {
      lots_[li].entry_ref = next.px;
      mark(li);
    }
  }
  const uint64_t id = next_client_id();
  OrderSlot& o = new_order_slot(id);
  o.entry = e;
  o.lot = lot;
  o.qty = Qty{qty};
  o.limit = next.px;
  o.purpose = next.n == 0 ? OrderPurpose::Entry : OrderPurpose::EntryChase;
  o.chase_n = static_cast<uint8_t>(next.n);
  // The lots the order holds: its own lot, or the first `qty` unheld pending lots.
  int held = 0;
  for (int32_t li : days_[en.day].entries[en.index].lots) {
    if (held == qty) break;
    if (lots_[li].state != PositionState::PendingEntry || st_[li].entry_order != 0) continue;
    if (lot >= 0 && li != lot) continue;
    st_[li].entry_order = id;
    ++held;
  }
  chase_sent(c, next, en.first_time);
  const PositionId pos = lot >= 0 ? lots_[lot].id : PositionId{};
  if (submit(o, pos, side, OpenClose::Open) != RejectReason::None) {
    // Refused by the risk checks: never chased; the lots it held fail.
    en.refused = true;
    for (int32_t li : days_[en.day].entries[en.index].lots) {
      if (st_[li].entry_order == id) {
        st_[li].entry_order = 0;
        fail_lot(li);
      }
    }
    if (lot < 0) stop_entry(e);
    return false;
  }
  en.in_flight += qty;
  if (lot < 0) en.order = id;
  if (next.n > 0) {
    count(true, &OrderCounts::chased);
    journal_chase(ChaseEvent::Resend, OrderPurpose::EntryChase, id, c.first_px, next.px, pos, qty, next.n);
  }
  return true;
}

void Strategy::on_entry_terminal(OrderSlot& o, bool rejected, const Event& ev) {
  const int e = o.entry;
  EntryState& en = entries_[e];
  const int rem = o.qty.lots - o.filled.lots;
  en.in_flight -= rem;
  if (en.order == o.id) en.order = 0;
  for (int32_t li : days_[en.day].entries[en.index].lots) {
    LotState& S = st_[li];
    if (S.entry_order != o.id) continue;
    S.entry_order = 0;
    if (rejected || en.done) {
      fail_lot(li);  // rejects are never chased; a stopped entry sends nothing more
    } else if (o.lot >= 0) {
      S.entry_chase.due = true;  // this lot alone is chased, at once, with its own retry number
    }
  }
  if (rejected) {
    en.refused = true;
    if (o.lot < 0) stop_entry(e);
  } else if (o.lot < 0 && !en.done) {
    en.chase.due = true;
  }
  if (o.lot >= 0) {
    try_send_entry_lot(o.lot, ev);
  } else {
    try_send_entry_multi(e, ev);
  }
  settle_entry(e);
}

void Strategy::fail_lot(int i) {
  LotResult& L = lots_[i];
  if (L.state != PositionState::PendingEntry) return;
  L.state = PositionState::EntryFailed;
  st_[i].entry_chase.due = false;
  ++entries_[st_[i].entry].unreported_failed;
  mark(i);
}

/// After any change to an entry: journal failed lots, finish the entry when no lot is
/// pending any more, count a refused entry.
void Strategy::settle_entry(int e) {
  EntryState& en = entries_[e];
  if (en.unreported_failed > 0) {
    journal_signal(SignalKind::EntryGaveUp, en.side, Price{}, SkipReason::None, en.unreported_failed);
    en.unreported_failed = 0;
  }
  if (!en.done) {
    bool pending = false;
    for (int32_t li : days_[en.day].entries[en.index].lots) {
      if (lots_[li].state == PositionState::PendingEntry) pending = true;
    }
    if (!pending) finish_entry(e);
  }
  maybe_complete_groups(e);
}

/// The entry sends nothing more. No order storm (docs/STRATEGY.md): a refused entry
/// re-arms the signal only after the price is back inside the range, and the day stops
/// entering after kMaxRefusedEntriesPerDay refused entries.
void Strategy::finish_entry(int e) {
  EntryState& en = entries_[e];
  if (en.done) return;
  en.done = true;
  en.chase.due = false;
  if (!en.refused) return;
  ++counters_.refused_entries;
  if (en.day != day_idx_) return;
  rearm_needed_ = true;
  if (++refused_entries_today_ >= kMaxRefusedEntriesPerDay && !day_blocked_) {
    day_blocked_ = true;
    skip_day(SkipReason::EntriesRefused, en.side, Price{});
  }
}

/// No more sends for the entry (flatten, day change, a multi-lot give-up): lots not held
/// by a working order fail; held lots wait for their order (fill: ACTIVE; cancel: fail).
void Strategy::stop_entry(int e) {
  EntryState& en = entries_[e];
  finish_entry(e);
  for (int32_t li : days_[en.day].entries[en.index].lots) {
    if (lots_[li].state == PositionState::PendingEntry && st_[li].entry_order == 0) fail_lot(li);
  }
  if (en.unreported_failed > 0) {
    journal_signal(SignalKind::EntryGaveUp, en.side, Price{}, SkipReason::None, en.unreported_failed);
    en.unreported_failed = 0;
  }
  maybe_complete_groups(e);
}

int Strategy::take_lot_for_fill(int e, uint64_t order_id) {
  const EntryState& en = entries_[e];
  int unheld = -1;
  int any = -1;
  for (int32_t li : days_[en.day].entries[en.index].lots) {
    if (lots_[li].state != PositionState::PendingEntry) continue;
    if (st_[li].entry_order == order_id) return li;
    if (st_[li].entry_order == 0 && unheld < 0) unheld = li;
    if (any < 0) any = li;
  }
  return unheld >= 0 ? unheld : any;
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
        if (en.order == o.id) en.order = 0;
      }
    }
  }
  if (o.filled >= o.qty) count(true, &OrderCounts::filled);
  for (int k = 0; k < q.lots; ++k) {
    int i = take_lot_for_fill(e, o.id);
    bool over = false;
    if (i < 0) {
      over = entries_[e].filled >= entries_[e].target;
      i = new_lot(e, entries_[e].side);
    }
    activate_lot(i, px, ev);
    LotResult& L = lots_[i];
    LotState& S = st_[i];
    if (over) {
      // A lot beyond the target (late fill): closed at once (SPEC §4 "no over-fill").
      S.overfill = true;
      L.rule = 0;
      L.group = 0;
      S.stop = px;
      decide_exit(i, ExitReason::Overfill, ev);
      continue;
    }
    assign_rule(i);
    if (flatten_active_) decide_exit(i, ExitReason::EndOfDay, ev);
  }
  settle_entry(e);
}

// ------------------------------------------------------------------ exits

void Strategy::on_trade_for_lots(const Event& ev, Price p) {
  const StrategyConfig& s = cfg_.strategy;
  Ticks equity = cum_pnl_;  // mark-to-market before this trade's exits are decided
  for (std::size_t k = 0; k < open_.size(); ++k) {
    const int32_t i = open_[k];
    LotResult& L = lots_[i];
    LotState& S = st_[i];
    const bool lng = L.side == PosSide::Long;
    L.last_px = p;
    equity = equity + lot_pnl(L.side, L.entry_px, p);
    if (lng ? p < S.trough : p > S.trough) {
      S.trough = p;
      L.mae = Ticks{-gain_ticks(L.side, L.entry_px, p)};
    }
    if (lng ? p > S.peak : p < S.peak) {
      S.peak = p;
      L.mfe = Ticks{gain_ticks(L.side, L.entry_px, p)};
      mark(i);
    }
    if (S.overfill) continue;
    const LotRule& r = s.rules[static_cast<std::size_t>(L.rule - 1)];
    const bool fixed_tp = r.fixed_tp_ticks.v > 0;
    if (!fixed_tp) {
      if ((S.flags & kPosTrailingActive) == 0 && trailing_armed(L.side, L.entry_px, S.peak, r.activation_ticks)) {
        S.flags = static_cast<uint8_t>(S.flags | kPosTrailingActive);
        mark(i);
      }
      if ((S.flags & kPosTrailingActive) != 0) {
        const Price stop = trailing_stop(L.side, L.entry_px, S.peak, r.pullback_ppm);
        if (stop != S.stop) {
          S.stop = stop;
          mark(i);
        }
      }
    }
    if (L.state != PositionState::Active || S.decision != ExitReason::None) continue;
    ExitReason why = ExitReason::None;
    if (fixed_tp && take_profit_hit(L.side, L.entry_px, r.fixed_tp_ticks, p)) {
      why = ExitReason::TakeProfit;
    } else if (stop_hit(L.side, S.stop, p)) {
      why = stop_reason(S.flags);
    }
    if (why != ExitReason::None) decide_exit(i, why, ev);
  }
  if (equity > mtm_peak_) mtm_peak_ = equity;
  if (mtm_peak_ - equity > mtm_max_dd_) mtm_max_dd_ = mtm_peak_ - equity;
  mtm_sampled_ = true;
}

bool Strategy::day_done() const noexcept {
  if (halted_) return true;  // on_market decides nothing any more
  if (day_idx_ < 0 || !range_done_ || paused_) return false;
  if (!open_.empty() || !live_entries_.empty() || !mtm_sampled_) return false;
  const StrategyConfig& s = cfg_.strategy;
  return day_blocked_ || flatten_active_ || last_local_ns_ >= entry_end_ns_ ||
         (s.frequency == FrequencyMode::OncePerDay && day_entries_ > 0);
}

void Strategy::flatten_all(const Event& ev) {
  if (!flatten_active_) {
    flatten_active_ = true;
    // Pending entries stop chasing; lots still working may fill and then exit at once.
    for (int32_t e : live_entries_) {
      if (!entries_[e].done) stop_entry(e);
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
  LotResult& L = lots_[i];
  S.decision = why;
  S.exit_chase = ChaseState{};
  S.exit_chase.due = true;
  S.wait_market = false;
  // The decision price (SPEC §4 slippage): the stop level for a stop exit; otherwise the
  // first exit order's limit, taken when it goes out.
  S.exit_ref_set = is_stop_exit(why);
  if (S.exit_ref_set) L.exit_ref = S.stop;
  L.exit_reason = why;
  L.state = PositionState::PendingClosing;  // an exit once decided stands
  mark(i);
  try_send_exit(i, ev);
}

void Strategy::try_send_exit(int i, const Event& ev) {
  LotResult& L = lots_[i];
  LotState& S = st_[i];
  if (S.decision == ExitReason::None || S.exit_order != 0 || !is_open(L.state) || !S.exit_chase.due ||
      S.wait_market || ev.event_time < S.retry_at) {
    return;
  }
  const Side side = exit_side(L.side);
  if (stale_hold(S.exit_chase, L.side, side, ev.event_time, 1)) return;
  const ChaseOrder next = next_chase_order(S.exit_chase, side, bid_, ask_, ev.event_time, chase_limits_);
  if (next.verdict != ChaseEvent::Resend) {
    exit_give_up(i, next);
    return;
  }
  if (!budget_ok(1, 2)) return;  // decision stays; sent on a later event

  const uint64_t id = next_client_id();
  OrderSlot& o = new_order_slot(id);
  o.entry = S.entry;
  o.lot = i;
  o.qty = Qty{1};
  o.limit = next.px;
  o.purpose = next.n == 0 ? OrderPurpose::Exit : OrderPurpose::ExitChase;
  o.reason = S.decision;
  o.chase_n = static_cast<uint8_t>(next.n);
  mark(i);
  chase_sent(S.exit_chase, next, ev.event_time);
  if (submit(o, L.id, side, OpenClose::Close) != RejectReason::None) {
    // Never chased: the decision stands and a fresh first order goes out on the next
    // market event (same decision price).
    chase_restart(S.exit_chase);
    S.wait_market = true;
    return;
  }
  S.exit_order = id;
  if (next.n == 0 && !S.exit_ref_set) {
    L.exit_ref = next.px;
    S.exit_ref_set = true;
  }
  if (next.n > 0) {
    count(false, &OrderCounts::chased);
    journal_chase(ChaseEvent::Resend, OrderPurpose::ExitChase, id, S.exit_chase.first_px, next.px, L.id, 1, next.n);
  }
  S.flags = static_cast<uint8_t>(S.flags | kPosExitInFlight);
}

void Strategy::exit_give_up(int i, const ChaseOrder& o) {
  LotResult& L = lots_[i];
  LotState& S = st_[i];
  count(false, &OrderCounts::chase_gave_up);
  journal_chase(o.verdict, OrderPurpose::ExitChase, 0, S.exit_chase.first_px, o.px, L.id, 1, o.n);
  // An exit once decided stands (SPEC §4): the lot stays PENDING_CLOSING with its reason
  // and decision price; a new chase starts on the next quote. Raised as an alert.
  ++counters_.exit_restarts;
  journal_signal(SignalKind::ExitRestarted, L.side, Price{}, SkipReason::None, 1);
  chase_restart(S.exit_chase);
  S.wait_market = true;
  mark(i);
}

void Strategy::on_exit_terminal(OrderSlot& o, bool rejected, const Event& ev) {
  const int i = o.lot;
  LotState& S = st_[i];
  if (S.exit_order != o.id || lots_[i].state == PositionState::Closed) return;  // a superseded order
  S.exit_order = 0;
  S.flags = static_cast<uint8_t>(S.flags & ~kPosExitInFlight);
  mark(i);
  if (rejected) {
    // Never chased: a fresh first order on the next market event at least
    // chase.reject_retry_ms later (a halted venue gets one order a second per lot, not
    // one per quote); the decision stands.
    chase_restart(S.exit_chase);
    S.wait_market = true;
    S.retry_at = ev.event_time + cfg_.strategy.chase.reject_retry_ms * kNsPerMs;
  } else {
    S.exit_chase.due = true;  // chase at once: bid1 - n / ask1 + n
    try_send_exit(i, ev);
  }
}

void Strategy::on_exit_fill(int slot, Price px, const Event& ev) {
  OrderSlot& o = orders_[slot];
  o.filled += Qty{1};
  o.in_flight = false;
  count(false, &OrderCounts::filled);
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
    J.last_px = px;
    J.rule = 0;
    J.group = 0;
    T.overfill = true;
    T.peak = px;
    T.trough = px;
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
  L.state = PositionState::Closed;
  L.exit_px = px;
  L.exit_time = t;
  L.exit_reason = why;
  L.last_px = px;
  L.pnl = lot_pnl(L.side, L.entry_px, px);
  L.exit_slippage = slippage(exit_side(L.side), L.exit_ref, px);
  S.decision = ExitReason::None;
  S.exit_chase.due = false;
  S.wait_market = false;
  S.flags = static_cast<uint8_t>(S.flags & ~kPosExitInFlight);
  mark(i);
  day_pnl_ = day_pnl_ + L.pnl;
  cum_pnl_ = cum_pnl_ + L.pnl;
  mtm_sampled_ = false;
  remove_open(i);
  if (!S.overfill) {
    EntryState& en = entries_[S.entry];
    const int64_t g = int64_t{L.group} - int64_t{en.first_group};
    if (g >= 0 && g < en.groups) en.group_pnl[g] += L.pnl.v;
    if (is_profit_exit(why)) apply_protective(i);
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
    S.stop = protective_stop(L.side, L.entry_px, p, r.multiplier_ppm);
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
    const uint32_t gid = en.first_group + static_cast<uint32_t>(g);
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

/// Sends everything due that could not go out when it was decided (stale quote, per-event
/// budget, a reject or restart waiting for this market event, the over-fill guard).
void Strategy::process_pending(const Event& ev) {
  for (std::size_t k = 0; k < open_.size(); ++k) {
    const int32_t i = open_[k];
    const LotState& S = st_[i];
    if (S.decision != ExitReason::None && S.exit_order == 0) try_send_exit(i, ev);
  }
  const bool per_lot = cfg_.strategy.order_per_lot;
  for (std::size_t k = 0; k < live_entries_.size(); ++k) {
    const int32_t e = live_entries_[k];
    if (entries_[e].done) continue;
    if (per_lot) {
      const EntryState& en = entries_[e];
      for (int32_t li : days_[en.day].entries[en.index].lots) try_send_entry_lot(li, ev);
    } else {
      try_send_entry_multi(e, ev);
    }
    settle_entry(e);
  }
}

void Strategy::compact_live() {
  live_entries_.erase(std::remove_if(live_entries_.begin(), live_entries_.end(),
                                     [this](int32_t e) { return entries_[e].done; }),
                      live_entries_.end());
}

// ------------------------------------------------------------------ helpers

Strategy::OrderSlot* Strategy::find_order(ClientOrderId id) {
  const uint64_t n = id.v & 0xffffffffu;
  if (n == 0) return nullptr;
  OrderSlot& o = orders_[(n) % kOrderSlots];
  return o.id == id.v ? &o : nullptr;
}

Strategy::OrderSlot& Strategy::new_order_slot(uint64_t id) {
  OrderSlot& o = orders_[(id & 0xffffffffu) % kOrderSlots];
  o = OrderSlot{};
  o.id = id;
  return o;
}

uint64_t Strategy::next_client_id() { return (uint64_t{run_id_} << 32) | next_order_n_++; }

bool Strategy::quote_fresh(Side side, TimeNs now) const {
  const bool has = side == Side::Buy ? has_ask_ : has_bid_;
  return has && (now - quote_time_) <= max_quote_age_ns_;
}

/// Whether the send must wait for a fresh quote; journals the hold once per held send.
bool Strategy::stale_hold(ChaseState& c, PosSide side, Side order_side, TimeNs now, int lots) {
  if (quote_fresh(order_side, now)) return false;
  if (!c.stale_held) {
    c.stale_held = true;
    ++counters_.stale_quote_holds;
    journal_signal(SignalKind::StaleQuote, side, Price{}, SkipReason::None, lots);
  }
  return true;
}

bool Strategy::budget_ok(int orders, int journal) const {
  return orders_ev_ + orders <= kMaxOrdersPerEvent &&
         journal_ev_ + static_cast<int>(touched_.size()) + journal + kJournalReserve <= kMaxJournalPerEvent;
}

void Strategy::count(bool entry, uint64_t OrderCounts::*field) {
  // (A named reference: g++ 12 applies ++ to a copy in `++((c ? a : b).*field)`.)
  OrderCounts& side = entry ? counters_.entry : counters_.exit;
  ++(side.*field);
  if (field == &OrderCounts::sent) ++counters_.sent;
  else if (field == &OrderCounts::filled) ++counters_.filled;
  else if (field == &OrderCounts::cancelled) ++counters_.cancelled;
  else if (field == &OrderCounts::rejected) ++counters_.rejected;
  else if (field == &OrderCounts::chased) ++counters_.chased;
  else ++counters_.chase_gave_up;
}

/// Builds the FOK request for slot `o` and submits it; counts it as sent or rejected.
/// On acceptance the slot is in flight.
RejectReason Strategy::submit(OrderSlot& o, PositionId pos, Side side, OpenClose oc) {
  if (halted_) return RejectReason::KillSwitch;  // reconciliation refused to trade
  OrderRequest req{};
  req.client_id = ClientOrderId{o.id};
  req.position = pos;
  req.limit = o.limit;
  req.qty = o.qty;
  req.action = OrderAction::New;
  req.side = side;
  req.tif = Tif::Fok;
  req.open_close = oc;
  req.purpose = o.purpose;
  req.chase_n = o.chase_n;
  ++orders_ev_;
  const bool entry = oc == OpenClose::Open;
  const RejectReason why = sink_.submit(req);
  if (why != RejectReason::None) {
    count(entry, &OrderCounts::rejected);
    return why;
  }
  count(entry, &OrderCounts::sent);
  o.in_flight = true;
  return why;
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
  s.range_high = range_.high;
  s.range_low = range_.low;
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

void Strategy::journal_group(int e, uint32_t gid, GroupEvent ge, int lots, int filled) {
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

}  // namespace tp
