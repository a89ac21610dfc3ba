#include <cassert>

#include "tp/engine/pipeline/stages.hpp"

#include <cstdio>
#include <cstring>

namespace tp {

namespace {
constexpr std::size_t kMaxWorking = 256;
constexpr std::size_t kMaxThrottle = 4096;
}  // namespace

/// The SPEC §4 strategy as the risk stage's logic (it holds the sink it was built with).
template <template <class> class Q>
class RiskAgentT<Q>::OwnedStrategy final : public TradingLogic {
 public:
  OwnedStrategy(const Config& cfg, uint32_t run_id, StrategySink& sink,
                GroupFloor floor)
      : s(cfg, run_id, sink, std::move(floor)) {}
  void on_market(const Event& ev, StrategySink&) override { s.on_market(ev); }
  void on_exec(const Event& ev, StrategySink&) override { s.on_exec(ev); }
  void on_end_of_data(const Event& ev, StrategySink&) override { s.on_end_of_data(ev); }
  void on_control(const Event& ev, StrategySink&) override { s.on_control(ev); }
  int open_lots() const override { return s.open_lots(); }
  Ticks day_pnl() const override { return s.day_pnl(); }
  Strategy s;
};

template <template <class> class Q>
RiskAgentT<Q>::RiskAgentT(const Config& cfg, uint32_t run_id, Q<Event>& in, Q<OrderRequest>& out,
                          Q<JournalRecord>& journal, GroupFloor group_floor)
    : cfg_(cfg), lim_(cfg.risk), in_(in), out_(out), journal_(journal), sends_(kMaxThrottle) {
  StrategySink& sink = *this;
  owned_ = std::make_unique<OwnedStrategy>(cfg, run_id, sink, std::move(group_floor));
  strategy_ = &owned_->s;
  logic_ = owned_.get();
  working_.reserve(kMaxWorking);
}

template <template <class> class Q>
RiskAgentT<Q>::RiskAgentT(const Config& cfg, TradingLogic& logic, Q<Event>& in, Q<OrderRequest>& out,
                          Q<JournalRecord>& journal)
    : cfg_(cfg), lim_(cfg.risk), in_(in), out_(out), journal_(journal), logic_(&logic), sends_(kMaxThrottle) {
  working_.reserve(kMaxWorking);
}

template <template <class> class Q>
RiskAgentT<Q>::~RiskAgentT() = default;

template <template <class> class Q>
void RiskAgentT<Q>::journal(JournalRecord& rec) {
  assert(cur_ != nullptr && "journal() outside an event");
  JournalRecord* r = journal_.try_claim();  // room reserved before the event was taken
  assert(r != nullptr);
  const JournalType type = rec.type;
  *r = rec;
  stamper_.stamp(*r, cur_->seq, cur_->event_time, type);
  journal_.commit();
  ++journaled_;
}

template <template <class> class Q>
void RiskAgentT<Q>::on_control(const Event& ev) noexcept {
  const ControlEvent& c = ev.u.control;
  char text[93];
  int n = 0;
  switch (c.kind) {
    case ControlKind::Kill:
      lim_.kill_switch = true;
      n = std::snprintf(text, sizeof text, "kill switch on: no new opening orders; %d lots open", logic_->open_lots());
      break;
    case ControlKind::Limits: {
      const LimitsUpdate& u = c.limits;
      lim_.kill_switch = u.kill_switch != 0;
      lim_.max_position_lots = u.max_position_lots;
      lim_.max_order_lots = u.max_order_lots;
      lim_.max_orders_per_sec = u.max_orders_per_sec;
      lim_.price_band_ticks = Ticks{u.price_band_ticks};
      lim_.max_daily_loss_ticks = Ticks{u.max_daily_loss_ticks};
      n = std::snprintf(text, sizeof text,
                        "limits: kill %d, max position %d, max order %d, %d/s, band %d ticks, daily loss %d ticks",
                        u.kill_switch, u.max_position_lots, u.max_order_lots, u.max_orders_per_sec,
                        u.price_band_ticks, u.max_daily_loss_ticks);
      break;
    }
    case ControlKind::Flatten:
      n = std::snprintf(text, sizeof text, "flatten: %d lots exit through the exit path", logic_->open_lots());
      break;
    case ControlKind::Pause: n = std::snprintf(text, sizeof text, "paused: no new entries"); break;
    case ControlKind::Resume: n = std::snprintf(text, sizeof text, "resumed: entries allowed"); break;
    case ControlKind::Status:
      n = std::snprintf(text, sizeof text, "status asked: %d lots open, day PnL %lld ticks", logic_->open_lots(),
                        static_cast<long long>(logic_->day_pnl().v));
      break;
    case ControlKind::RunSwitch:
    case ControlKind::Reconcile:
      break;
  }
  logic_->on_control(ev, *this);  // the strategy's part (run switch, reconcile, flatten, pause)
  if (n <= 0) return;
  JournalRecord rec;
  rec.type = JournalType::Operator;
  rec.u.op.command = c.kind;
  rec.u.op.ok = 1;
  const std::size_t len = static_cast<std::size_t>(n) < sizeof text ? static_cast<std::size_t>(n) : sizeof text - 1;
  std::memcpy(rec.u.op.text, text, len);
  rec.u.op.text_len = static_cast<uint8_t>(len);
  journal(rec);
}

template <template <class> class Q>
RejectReason RiskAgentT<Q>::check(const OrderRequest& req) noexcept {
  const RiskLimits& lim = lim_;
  if (req.qty.lots <= 0) return RejectReason::InvalidQty;
  if (lim.max_order_lots > 0 && req.qty.lots > lim.max_order_lots) return RejectReason::MaxOrderSize;
  // Order-rate throttle over a rolling second of event time (all orders: the seeds'
  // live incident was a storm of duplicate exits).
  if (lim.max_orders_per_sec > 0) {
    const std::size_t cap = static_cast<std::size_t>(lim.max_orders_per_sec) < kMaxThrottle
                                ? static_cast<std::size_t>(lim.max_orders_per_sec)
                                : kMaxThrottle;
    while (sends_count_ > 0 && cur_->event_time - sends_[sends_head_] >= kNsPerSec) {
      sends_head_ = (sends_head_ + 1) % kMaxThrottle;
      --sends_count_;
    }
    if (sends_count_ >= cap) return RejectReason::Throttle;
  }
  if (req.limit.ticks <= 0) return RejectReason::InvalidPrice;
  // Price band for every order, closing ones too: no exit may fill at an absurd price.
  // The reference is the last trade, else the mid of the last two-sided quote; with no
  // reference at all the band cannot vouch for the price, so the order is refused.
  if (lim.price_band_ticks.v > 0) {
    if (!has_reference_) return RejectReason::PriceBand;
    const int64_t off = (req.limit - reference_).v;
    if ((off < 0 ? -off : off) > lim.price_band_ticks.v) return RejectReason::PriceBand;
  }
  if (req.open_close == OpenClose::Close) return RejectReason::None;  // reducing risk
  if (lim.kill_switch) return RejectReason::KillSwitch;
  if (lim.max_position_lots > 0 &&
      logic_->open_lots() + working_open_lots_ + req.qty.lots > lim.max_position_lots) {
    return RejectReason::MaxPosition;
  }
  if (lim.max_daily_loss_ticks.v > 0 && logic_->day_pnl().v <= -lim.max_daily_loss_ticks.v) {
    return RejectReason::DailyLoss;
  }
  return RejectReason::None;
}

template <template <class> class Q>
RejectReason RiskAgentT<Q>::submit(OrderRequest& req) {
  assert(cur_ != nullptr && "submit() outside an event");
  req.origin_seq = cur_->seq;
  req.origin_time = cur_->event_time;
  req.origin_ingress_ns = cur_->ingress_ns;
  const RejectReason why = check(req);
  if (why != RejectReason::None) {
    ++stats_.rejects;
    ++stats_.rejects_by_reason[static_cast<uint8_t>(why) & 31u];
    JournalRecord rec;
    rec.type = JournalType::RiskReject;
    rec.u.order = JrOrder{req.client_id, req.venue_id, req.position, req.limit, req.qty, req.action, req.side,
                          req.tif,       req.open_close, req.purpose, req.chase_n, why};
    journal(rec);
    return why;
  }
  if (lim_.max_orders_per_sec > 0) {
    sends_[(sends_head_ + sends_count_) % kMaxThrottle] = cur_->event_time;
    ++sends_count_;
  }
  if (req.open_close == OpenClose::Open && req.action == OrderAction::New && working_.size() < kMaxWorking) {
    working_.push_back(Working{req.client_id, req.qty.lots});
    working_open_lots_ += req.qty.lots;
  }
  OrderRequest* o = out_.try_claim();  // room reserved before the event was taken
  assert(o != nullptr);
  *o = req;
  out_.commit();
  ++produced_;
  ++stats_.orders;
  return RejectReason::None;
}

template <template <class> class Q>
void RiskAgentT<Q>::track(const Event& ev) noexcept {
  if (ev.kind == EventKind::Market) {
    const MarketData& md = ev.u.md;
    if (md.has_trade()) {
      reference_ = md.last;
      has_reference_ = true;
      has_trade_ = true;
    } else if (!has_trade_ && md.has_bid() && md.has_ask()) {
      reference_ = Price{md.bid.ticks + (md.ask - md.bid).v / 2};
      has_reference_ = true;
    }
    return;
  }
  if (ev.kind != EventKind::Exec) return;
  const ExecReport& er = ev.u.er;
  for (std::size_t i = 0; i < working_.size(); ++i) {
    if (working_[i].id != er.client_id) continue;
    int32_t done = 0;
    if (er.type == ExecType::Trade) done = er.last_qty.lots;
    if (er.type == ExecType::Canceled || er.type == ExecType::Rejected || er.leaves_qty.lots == 0) {
      done = working_[i].open_lots;
    }
    if (done > working_[i].open_lots) done = working_[i].open_lots;
    working_[i].open_lots -= done;
    working_open_lots_ -= done;
    if (working_[i].open_lots == 0) {
      working_[i] = working_.back();
      working_.pop_back();
    }
    return;
  }
}

template <template <class> class Q>
int RiskAgentT<Q>::do_work() {
  const uint64_t up = done_.upstream();  // before looking at the input (DoneSeq)
  int work = 0;
  for (; work < kStageBatch; ++work) {
    const Event* ev = in_.front();
    if (ev == nullptr) break;
    if (out_.free_slots(kMaxOrdersPerEvent) < static_cast<std::size_t>(kMaxOrdersPerEvent) ||
        journal_.free_slots(kMaxJournalPerEvent) < static_cast<std::size_t>(kMaxJournalPerEvent)) {
      counters_.backpressure.fetch_add(1, std::memory_order_relaxed);
      break;
    }
    cur_ = ev;
    // Working-order bookkeeping first (so a fill is not counted twice), then the strategy.
    track(*ev);
    switch (ev->kind) {
      case EventKind::Market: logic_->on_market(*ev, *this); break;
      case EventKind::Exec: logic_->on_exec(*ev, *this); break;
      case EventKind::EndOfData: logic_->on_end_of_data(*ev, *this); break;
      case EventKind::Control: on_control(*ev); break;
    }
    cur_ = nullptr;
    if (publish_quiet_) {
      const int32_t q = strategy_->day_done() ? strategy_->day().yyyymmdd : 0;
      if (q != quiet_cache_) {
        quiet_cache_ = q;
        quiet_day_.store(q, std::memory_order_release);  // before handled_ is published
      }
    }
    in_.pop();
    ++handled_;
    ++stats_.events;
    counters_.publish(handled_, produced_, journaled_);
  }
  const Event* next = in_.front();
  done_.publish(counters_, up, next != nullptr ? next->seq : 0);
  return work;
}

template class RiskAgentT<SpscRing>;
template class RiskAgentT<MutexQueue>;

}  // namespace tp
