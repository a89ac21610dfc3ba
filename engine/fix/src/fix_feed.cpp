#include "tp/fix/fix_feed.hpp"

#include <concurrentqueue/concurrentqueue.h>

#include <array>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstring>
#include <ctime>

namespace tp::fix {

namespace {

/// What the control queue carries: a stop request, or an operator command for the stream.
struct Command {
  bool stop = false;
  ControlEvent ev;
};

/// CLOCK_REALTIME ns (TransactTime of what we send). Cold enough: once per order.
int64_t utc_now_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

bool is(std::string_view v, char c) noexcept { return v.size() == 1 && v[0] == c; }

/// FNV-1a of an ExecID; never 0 (0 marks an empty slot).
uint64_t id_hash(std::string_view s) noexcept {
  uint64_t h = 1469598103934665603ull;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h == 0 ? 1 : h;
}

/// The set of ExecIDs seen recently: open addressing, at most half full; the oldest
/// entries are forgotten first (a FIFO of keys), so memory stays fixed.
class RecentIds {
 public:
  explicit RecentIds(std::size_t cap_pow2) : slots_(cap_pow2 * 2, 0), fifo_(cap_pow2, 0), mask_(cap_pow2 * 2 - 1) {}
  /// True when `h` was seen; otherwise remembers it.
  bool seen_or_insert(uint64_t h) noexcept {
    if (find(h) != SIZE_MAX) return true;
    if (count_ == fifo_.size()) {  // forget the oldest
      const uint64_t old = fifo_[head_];
      head_ = (head_ + 1) % fifo_.size();
      --count_;
      erase(old);
    }
    std::size_t i = h & mask_;
    while (slots_[i] != 0) i = (i + 1) & mask_;
    slots_[i] = h;
    fifo_[(head_ + count_) % fifo_.size()] = h;
    ++count_;
    return false;
  }

 private:
  std::size_t find(uint64_t h) const noexcept {
    for (std::size_t i = h & mask_; slots_[i] != 0; i = (i + 1) & mask_) {
      if (slots_[i] == h) return i;
    }
    return SIZE_MAX;
  }
  void erase(uint64_t h) noexcept {  // backward-shift deletion keeps probe chains whole
    std::size_t i = find(h);
    if (i == SIZE_MAX) return;
    slots_[i] = 0;
    for (std::size_t j = (i + 1) & mask_; slots_[j] != 0; j = (j + 1) & mask_) {
      const std::size_t home = slots_[j] & mask_;
      const bool between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
      if (!between) {
        slots_[i] = slots_[j];
        slots_[j] = 0;
        i = j;
      }
    }
  }
  std::vector<uint64_t> slots_;
  std::vector<uint64_t> fifo_;
  std::size_t mask_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
};

/// Decimal price on the wire -> ticks, exactly (false: not a number, or off the grid).
bool wire_price(const Instrument& inst, std::string_view v, Price& out) noexcept {
  int64_t m = 0;
  int scale = 0;
  if (!parse_decimal(v, m, scale)) return false;
  return inst.to_ticks(Decimal{m, scale}, out);
}

bool wire_qty(std::string_view v, Qty& out) noexcept {
  uint64_t q = 0;
  if (!parse_uint(v, q) || q > static_cast<uint64_t>(INT32_MAX)) return false;
  out = Qty{static_cast<int32_t>(q)};
  return true;
}

}  // namespace

/// Most Session records one poll of one session can journal (callbacks + counters).
constexpr std::size_t kMaxJournalPerPoll = 32;

struct FixFeed::Impl {
  explicit Impl(std::size_t staging) : staged(staging), exec_ids(1u << 16) {}
  std::array<char, 80> problem{};  ///< the last on_session_problem text (for the next record)
  std::size_t problem_len = 0;
  std::vector<Event> staged;  ///< FIFO ring of events waiting for room in out_
  std::size_t head = 0;
  std::size_t count = 0;
  RecentIds exec_ids;
  moodycamel::ConcurrentQueue<Command> control{64};
  InputEvent book;            ///< the venue's book as the market-data session built it
  MarketData md;              ///< top of book after the last market event
  // Reconciliation (SPEC §6, docs/DESIGN.md "Reconciliation"), once per process, at the
  // order session's first logon: mass status, cancels of orphans, positions, then trading.
  enum class Rec : uint8_t { Start, MassStatus, Settle, Positions, Done };
  Rec rec = Rec::Start;
  int64_t rec_deadline_ns = 0;
  int rec_tries = 0;
  uint64_t rec_req = 0;           ///< MassStatusReqID / PosReqID
  RecentIds known_ids{1u << 16};  ///< client ids this process sent or derived again
  uint32_t cancel_n = 0;          ///< the feed's own cancel ids: run << 32 | 2^31 + n
  ControlEvent rec_out{ControlKind::Reconcile};
  std::array<char, 64> held_sync{};  ///< a held lockstep TestReqID
  std::size_t held_len = 0;
  uint64_t held_seq = 0;
  bool md_requested = false;
  int64_t md_req_id = 0;

  /// Orders (and cancel requests) sent without a final report yet, oldest first. Fixed
  /// capacity: an order that would not fit is refused (VenueDown) before it is sent.
  struct Working {
    uint64_t id;
    int64_t px_sum;  ///< ticks x lots of the fills seen
    int32_t qty;
    int32_t cum;
    Price limit;
    Side side;
    OpenClose open_close;
    Tif tif;
    bool cancel;     ///< a cancel request (its answer: a Canceled report or a cancel reject)
    int64_t asked_ns;  ///< wall time it was sent or its status last asked for (CLOCK_MONOTONIC)
  };
  static constexpr std::size_t kMaxWorking = 4096;
  std::vector<Working> working = [] {
    std::vector<Working> v;
    v.reserve(kMaxWorking);
    return v;
  }();
  bool resync = false;  ///< the order session logged on again: ask the status of every working order
  int64_t next_status_check_ns = 0;
  Working* find(uint64_t id) noexcept {
    for (Working& w : working) {
      if (w.id == id) return &w;
    }
    return nullptr;
  }
  void erase(uint64_t id) noexcept {
    for (std::size_t i = 0; i < working.size(); ++i) {
      if (working[i].id == id) {
        working.erase(working.begin() + static_cast<std::ptrdiff_t>(i));  // no allocation
        return;
      }
    }
  }
  /// Orders the lockstep waits for: FOK/IOC orders and cancel requests without their final report.
  [[nodiscard]] bool unsettled() const noexcept {
    for (const Working& w : working) {
      if (w.cancel || w.tif != Tif::Day) return true;
    }
    return false;
  }
};

/// What both sessions report the same way: journaled session events.
class SessionEvents : public SessionHandler {
 public:
  SessionEvents(FixFeed& f, int session, bool& venue_done, const bool& stopping, bool stop_on_logout)
      : f_(f), session_(session), venue_done_(venue_done), stopping_(stopping), stop_on_logout_(stop_on_logout) {}
  void on_logon() override { journal(SessionEvent::Logon, {}); }
  void on_logout(std::string_view text) override {
    journal(SessionEvent::Logout, text);
    if (stop_on_logout_ && !stopping_) venue_done_ = true;
  }
  void on_disconnect() override { journal(SessionEvent::Disconnect, {}); }
  void on_session_problem(std::string_view what) override { problem(what); }

 protected:
  virtual void journal(SessionEvent ev, std::string_view text) = 0;
  virtual void problem(std::string_view what) = 0;
  FixFeed& f_;
  int session_;

 private:
  bool& venue_done_;
  const bool& stopping_;
  bool stop_on_logout_;
};

class FixFeed::OrderHandler final : public SessionEvents {
 public:
  explicit OrderHandler(FixFeed& f)
      : SessionEvents(f, 0, f.venue_done_, f.stopping_, f.cfg_.stop_on_venue_logout) {}
  void on_app_message(const MessageView& m) override { f_.on_order_message(m); }
  bool on_test_request(std::string_view id) override { return f_.on_test_request(id); }
  void on_logon() override {
    // Logged on again after a lost connection: a report may have been lost with it.
    if (!f_.impl_->working.empty()) f_.impl_->resync = true;
    // ... and reconcile again, as on a restart (issue #10 item 5): no market data reaches
    // the strategy until the venue's orders and position are checked.
    if (f_.impl_->rec == Impl::Rec::Done) {
      f_.impl_->rec = Impl::Rec::Start;
      f_.impl_->rec_out = ControlEvent(ControlKind::Reconcile);
      f_.impl_->md_requested = true;  // the subscription stands; the market data is held meanwhile
    }
    SessionEvents::on_logon();
  }

 private:
  void journal(SessionEvent ev, std::string_view text) override { f_.journal_session(session_, ev, 1, text); }
  void problem(std::string_view what) override { f_.note_problem(what); }
};

class FixFeed::MdHandler final : public SessionEvents {
 public:
  explicit MdHandler(FixFeed& f) : SessionEvents(f, 1, f.venue_done_, f.stopping_, f.cfg_.stop_on_venue_logout) {}
  void on_app_message(const MessageView& m) override { f_.on_md_message(m); }
  void on_logon() override {
    f_.impl_->md_requested = false;
    f_.md_seq_seen_ = 0;  // a reset logon numbers market data from 1 again
    SessionEvents::on_logon();
  }

 private:
  void journal(SessionEvent ev, std::string_view text) override { f_.journal_session(session_, ev, 1, text); }
  void problem(std::string_view what) override { f_.note_problem(what); }
};

FixFeed::FixFeed(const FixFeedConfig& cfg, const FeedPorts<SpscRing>& ports)
    : cfg_(cfg),
      out_(ports.out),
      venue_in_(ports.venue_in),
      probe_(ports.probe),
      journal_(ports.journal),
      counters_(ports.counters) {
  SessionConfig o;
  o.host = cfg.host;
  o.port = cfg.port;
  o.sender = cfg.order_sender;
  o.target = cfg.target;
  o.heartbeat_s = cfg.heartbeat_s;
  o.reset_seq_on_logon = cfg.reset_seq_on_logon;
  SessionConfig m = o;
  m.sender = cfg.md_sender;
  m.reset_seq_on_logon = cfg.reset_seq_on_logon || cfg.md_reset_on_start;
  ord_ = std::make_unique<Session>(o, cfg.order_seq);
  md_ = std::make_unique<Session>(m, cfg.md_seq);
  ord_handler_ = std::make_unique<OrderHandler>(*this);
  md_handler_ = std::make_unique<MdHandler>(*this);
  impl_ = std::make_unique<Impl>(cfg.staging < 64 ? 64 : cfg.staging);
  ckpt_out_ = cfg.order_seq.next_out;
  ckpt_in_ = cfg.order_seq.next_in;
  recovery_done_ = cfg_.recovered.empty();
  recovery_done_pub_.store(recovery_done_, std::memory_order_release);
}

FixFeed::~FixFeed() = default;

void FixFeed::request_stop() noexcept {
  Command c;
  c.stop = true;
  impl_->control.enqueue(c);
}

bool FixFeed::request_control(const ControlEvent& ev) noexcept {
  Command c;
  c.ev = ev;
  return impl_->control.enqueue(c);
}

Event* FixFeed::next_event(TimeNs t, EventKind kind) noexcept {
  if (t < last_time_) t = last_time_;  // reports never go back in event time
  last_time_ = t;
  Event* e = nullptr;
  if (impl_->count == 0) e = out_.try_claim();
  if (e == nullptr) {
    assert(impl_->count < impl_->staged.size() && "staging is never read past half full");
    e = &impl_->staged[(impl_->head + impl_->count) % impl_->staged.size()];
    ++impl_->count;
    ++stats_.staged;
  }
  *e = Event{};
  e->seq = ++seq_;
  e->event_time = t;
  e->ingress_ns = wall_now_ns();
  e->kind = kind;
  return e;
}

// An event is complete when the caller returns from the handler: commit what was
// claimed directly from the ring. The staging path commits in flush_staging().
void FixFeed::flush_staging() noexcept {
  Impl& s = *impl_;
  while (s.count > 0) {
    Event* e = out_.try_claim();
    if (e == nullptr) return;
    *e = s.staged[s.head];
    out_.commit();
    s.head = (s.head + 1) % s.staged.size();
    --s.count;
    ++pushed_;
  }
}

bool FixFeed::settled() const noexcept {
  return impl_->count == 0 && venue_in_.front() == nullptr && probe_.idle(pushed_) && !impl_->unsettled();
}

// ------------------------------------------------------------------- journal

void FixFeed::note_problem(std::string_view what) noexcept {
  Impl& s = *impl_;
  s.problem_len = what.size() < s.problem.size() ? what.size() : s.problem.size();
  if (s.problem_len > 0) std::memcpy(s.problem.data(), what.data(), s.problem_len);
}

void FixFeed::journal_session(int session, SessionEvent ev, uint64_t count, std::string_view text) noexcept {
  JournalRecord* r = journal_.try_claim();
  if (r == nullptr) {  // cannot happen: room for kMaxJournalPerPoll is checked before a poll
    ++stats_.journal_waits;
    return;
  }
  *r = JournalRecord{};
  // Keyed before the next event (seq_ + 1): a session event sorts after everything the
  // stages journal for the events already emitted, so the journal stays a prefix of the
  // event stream whenever the persister commits (docs/DESIGN.md "Crash consistency").
  stamper_.stamp(*r, seq_ + 1, last_time_, JournalType::Session);
  JrSession& x = r->u.session;
  x.count = count;
  const Session& s = session == 0 ? *ord_ : *md_;
  x.msg_seq = s.seq_nums().next_in;
  x.next_out = s.seq_nums().next_out;
  x.session = static_cast<uint8_t>(session);
  x.event = ev;
  const std::size_t n = text.size() < sizeof x.text ? text.size() : sizeof x.text;
  if (n > 0) std::memcpy(x.text, text.data(), n);
  x.text_len = static_cast<uint8_t>(n);
  journal_.commit();
  ++journaled_;
  ++stats_.session_records;
  counters_.journaled.store(journaled_, std::memory_order_release);
}

void FixFeed::journal_changes(int session, const SessionStats& b, const FixFeedStats& fb) noexcept {
  const Session& ss = session == 0 ? *ord_ : *md_;
  const SessionStats& a = ss.stats();
  const std::string_view problem(impl_->problem.data(), impl_->problem_len);
  auto counted = [&](uint64_t before, uint64_t after, SessionEvent ev, std::string_view text) {
    if (after > before) journal_session(session, ev, after - before, text);
  };
  counted(b.garbled, a.garbled, SessionEvent::Garbled, problem);
  counted(b.rejects_out, a.rejects_out, SessionEvent::RejectSent, problem);
  counted(b.rejects_in, a.rejects_in, SessionEvent::RejectReceived, problem);
  counted(b.resend_requests_out, a.resend_requests_out, SessionEvent::GapDetected, {});
  counted(b.gap_fills_out, a.gap_fills_out, SessionEvent::GapFillSent, {});
  counted(b.seq_too_low, a.seq_too_low, SessionEvent::SeqTooLow, problem);
  counted(b.poss_dup_ignored, a.poss_dup_ignored, SessionEvent::PossDupIgnored, {});
  counted(fb.bad_reports, stats_.bad_reports, SessionEvent::BadReport, {});
  counted(fb.md_bad, stats_.md_bad, SessionEvent::BadMarketData, {});
  counted(fb.other_messages, stats_.other_messages, SessionEvent::Unhandled, {});
  impl_->problem_len = 0;
}

int FixFeed::poll_session(int session, int64_t now) noexcept {
  Impl& s = *impl_;
  if (s.count > s.staged.size() / 2) return 0;
  if (journal_.free_slots(kMaxJournalPerPoll) < kMaxJournalPerPoll) {
    ++stats_.journal_waits;
    return 0;
  }
  Session& ss = session == 0 ? *ord_ : *md_;
  const SessionStats before = ss.stats();
  const FixFeedStats feed_before = stats_;
  const int n = session == 0 ? ss.poll(now, *ord_handler_) : ss.poll(now, *md_handler_);
  journal_changes(session, before, feed_before);
  return n;
}

// ---------------------------------------------------------------- order session

void FixFeed::emit_exec(const ExecReport& er, int64_t t) noexcept {
  Event* e = next_event(TimeNs{t}, EventKind::Exec);
  e->u.er = er;
  if (impl_->count == 0) {  // claimed from the ring
    out_.commit();
    ++pushed_;
  }
  ++stats_.exec_reports;
}

namespace {
bool final_status(char c) noexcept { return c == '2' || c == '4' || c == '8'; }
/// AvgPx (6) in ticks, not rounded (a status report's average over several fills).
bool avg_px_ticks(const MessageView& m, Decimal tick, long double& out) noexcept {
  std::string_view v;
  int64_t mant = 0;
  int scale = 0;
  if (!m.get(6, v) || !parse_decimal(v, mant, scale)) return false;
  long double px = static_cast<long double>(mant);
  for (int i = 0; i < scale; ++i) px /= 10;
  long double tk = static_cast<long double>(tick.mantissa);
  for (int i = 0; i < tick.scale; ++i) tk /= 10;
  out = px / tk;
  return true;
}
RejectReason reject_reason(const MessageView& m) noexcept {
  uint64_t why = 99;
  if (!m.get_uint(103, why)) why = 99;
  return why == 6    ? RejectReason::DuplicateId
         : why == 5  ? RejectReason::UnknownOrder
         : why == 11 ? RejectReason::Unsupported
         : why == 13 ? RejectReason::InvalidQty
                     : RejectReason::VenueOther;
}
}  // namespace

void FixFeed::on_order_message(const MessageView& m) {
  const std::string_view type = m.msg_type();
  if (type == "AP") {
    ++stats_.position_reports;
    Impl& s = *impl_;
    if (s.rec == Impl::Rec::Positions || s.rec == Impl::Rec::Settle) {
      Qty lq{0}, sq{0};
      std::string_view v;
      if (m.get(704, v)) wire_qty(v, lq);
      if (m.get(705, v)) wire_qty(v, sq);
      s.rec_out.rec.venue_net_lots += lq.lots - sq.lots;
      ++s.rec_out.rec.checked_positions;
    }
    return;
  }
  const bool cancel_reject = type == "9";
  if (type != "8" && !cancel_reject) {
    ++stats_.other_messages;
    return;
  }
  Impl& s = *impl_;
  std::string_view v;
  ExecReport er;
  int64_t t = last_time_.ns;
  if (m.get(60, v) && !parse_utc_timestamp(v, t)) t = last_time_.ns;
  uint64_t n = 0;
  uint64_t msg_cl = 0;  // 11 of this message
  if (!m.get_uint(11, msg_cl)) msg_cl = 0;
  char ord_status = 0;
  if (m.get(39, v) && v.size() == 1) ord_status = v[0];
  if (cancel_reject) {
    ++stats_.cancel_rejects;
    if (msg_cl == 0) {
      ++stats_.bad_reports;
      return;
    }
    er.client_id = ClientOrderId{msg_cl};
    er.type = ExecType::Rejected;
    er.reason = RejectReason::UnknownOrder;
    if (m.get_uint(37, n)) er.venue_id = VenueOrderId{n};
    s.erase(msg_cl);  // the cancel request is done
    emit_exec(er, t);
    return;
  }
  if (!m.get(150, v) || v.size() != 1) {
    ++stats_.bad_reports;
    return;
  }
  switch (v[0]) {
    case '0': er.type = ExecType::New; break;
    case 'F': er.type = ExecType::Trade; break;
    case '4': er.type = ExecType::Canceled; break;
    case '8': er.type = ExecType::Rejected; break;
    case 'I': apply_status(m, t, ord_status); return;
    default: ++stats_.bad_reports; return;
  }
  // The order a report is about: a cancel's report names the cancelled order in 41.
  uint64_t orig = 0;
  const bool cancel_report = er.type == ExecType::Canceled && m.get_uint(41, orig);
  er.client_id = ClientOrderId{cancel_report ? orig : msg_cl};
  if (m.get_uint(37, n)) er.venue_id = VenueOrderId{n};
  bool ok = true;
  if (m.get(44, v)) ok &= wire_price(cfg_.instrument, v, er.limit_price);
  if (m.get(38, v)) ok &= wire_qty(v, er.order_qty);
  if (m.get(14, v)) ok &= wire_qty(v, er.cum_qty);
  if (m.get(151, v)) ok &= wire_qty(v, er.leaves_qty);
  if (er.type == ExecType::Trade) {
    ok &= m.get(31, v) && wire_price(cfg_.instrument, v, er.last_px);
    ok &= m.get(32, v) && wire_qty(v, er.last_qty) && er.last_qty.lots > 0;
  }
  if (m.get(54, v)) er.side = is(v, '2') ? Side::Sell : Side::Buy;
  if (m.get(77, v)) er.open_close = is(v, 'C') ? OpenClose::Close : OpenClose::Open;
  if (m.get(59, v)) er.tif = is(v, '4') ? Tif::Fok : is(v, '3') ? Tif::Ioc : Tif::Day;
  if (er.type == ExecType::Rejected) er.reason = reject_reason(m);
  if (!ok || (!er.client_id.valid() && !er.venue_id.valid())) {
    ++stats_.bad_reports;
    return;
  }
  if (m.get(17, v)) er.exec_id = id_hash(v);
  if (er.exec_id != 0 && s.exec_ids.seen_or_insert(er.exec_id)) {
    er.flags |= kExecDuplicate;  // forwarded for the journal, never applied
    ++stats_.duplicate_exec_ids;
  } else {
    note_report(er, final_status(ord_status), cancel_report ? msg_cl : 0);
  }
  emit_exec(er, t);
}

void FixFeed::note_report(const ExecReport& er, bool final, uint64_t cancel_id) noexcept {
  Impl& s = *impl_;
  if (Impl::Working* w = s.find(er.client_id.v)) {
    if (er.type == ExecType::Trade) {
      w->cum += er.last_qty.lots;
      w->px_sum += er.last_px.ticks * er.last_qty.lots;
    }
    if (final) s.erase(er.client_id.v);
  }
  if (cancel_id != 0) s.erase(cancel_id);
}

void FixFeed::apply_status(const MessageView& m, int64_t t, char ord_status) {
  ++stats_.status_reports;
  Impl& s = *impl_;
  std::string_view v;
  const bool mass = m.get(584, v);
  const bool last = mass && m.get(912, v) && is(v, 'Y');
  if (s.rec != Impl::Rec::Done) ++s.rec_out.rec.checked_orders;
  uint64_t id = 0;
  if (!m.get_uint(11, id)) {  // "NONE": the venue has no orders
    if (s.rec_out.rec.checked_orders > 0 && m.get(11, v) && v == "NONE") --s.rec_out.rec.checked_orders;
    if (last && s.rec == Impl::Rec::MassStatus) settle_after_mass_status();
    return;
  }
  Impl::Working* w = s.find(id);
  if (w == nullptr) {
    if (mass) reconcile_order(m, id, ord_status);
    if (last && s.rec == Impl::Rec::MassStatus) settle_after_mass_status();
    return;
  }
  if (last && s.rec == Impl::Rec::MassStatus) settle_after_mass_status();
  Qty cum{0};
  if (m.get(14, v) && !wire_qty(v, cum)) {
    ++stats_.bad_reports;
    return;
  }
  ExecReport er;
  er.client_id = ClientOrderId{id};
  uint64_t n = 0;
  if (m.get_uint(37, n)) er.venue_id = VenueOrderId{n};
  er.limit_price = w->limit;
  er.order_qty = Qty{static_cast<int32_t>(w->qty)};
  er.side = w->side;
  er.open_close = w->open_close;
  er.tif = w->tif;
  er.flags = kExecSynthetic;
  if (cum.lots > w->cum && cum.lots <= w->qty) {
    // Fills the venue made and we never heard of (a report lost with a connection):
    // one fill for the difference, at the price AvgPx implies for it.
    const int32_t diff = cum.lots - w->cum;
    int64_t missing = 0;
    long double avg = 0;
    if (avg_px_ticks(m, cfg_.instrument.tick_size, avg)) missing = std::llround(avg * cum.lots) - w->px_sum;
    er.type = ExecType::Trade;
    er.last_qty = Qty{diff};
    er.last_px = Price{(missing + diff / 2) / diff};
    er.cum_qty = cum;
    er.leaves_qty = Qty{final_status(ord_status) ? 0 : w->qty - cum.lots};
    w->cum = cum.lots;
    w->px_sum += er.last_px.ticks * diff;
    emit_exec(er, t);
    ++stats_.recovered_fills;
    if (s.rec != Impl::Rec::Done) ++s.rec_out.rec.adopted_fills;
  }
  if (final_status(ord_status)) {
    if (ord_status == '4' || ord_status == '8') {
      ExecReport fin = er;
      fin.type = ord_status == '4' ? ExecType::Canceled : ExecType::Rejected;
      fin.reason = ord_status == '8' ? reject_reason(m) : RejectReason::None;
      fin.last_qty = Qty{0};
      fin.last_px = Price{0};
      fin.cum_qty = cum;
      fin.leaves_qty = Qty{0};
      emit_exec(fin, t);
    }
    s.erase(id);
    ++stats_.recovered_finals;
    if (s.rec != Impl::Rec::Done) ++s.rec_out.rec.fixed;
  }
}

namespace {
bool working_status(char c) noexcept { return c == '0' || c == '1' || c == 'A' || c == 'E' || c == '6'; }
}  // namespace

void FixFeed::reconcile_order(const MessageView& m, uint64_t id, char ord_status) {
  Impl& s = *impl_;
  std::string_view v;
  Qty cum{0};
  Qty qty{0};
  Side side = Side::Buy;
  if (m.get(54, v)) side = is(v, '2') ? Side::Sell : Side::Buy;
  if (m.get(14, v) && !wire_qty(v, cum)) return;
  if (m.get(38, v) && !wire_qty(v, qty)) return;
  const bool known = s.known_ids.seen_or_insert(id);
  if (!known && cum.lots > 0) {
    // Fills of an order the journal never had (sent after the last committed event):
    // the position check reads them.
    Price avg;
    long double a = 0;
    if (avg_px_ticks(m, cfg_.instrument.tick_size, a)) avg = Price{static_cast<int64_t>(std::llround(a))};
    const int32_t signed_lots = side == Side::Buy ? cum.lots : -cum.lots;
    s.rec_out.rec.orphan_lots += signed_lots;
    s.rec_out.rec.orphan_px_lots += avg.ticks * signed_lots;
  }
  // Working at the venue and not with us (an orphan, or one we hold for finished): cancel it.
  if (!working_status(ord_status)) return;
  uint64_t vid = 0;
  if (!m.get_uint(37, vid)) vid = 0;
  if (send_cancel(id, vid, side, qty)) ++s.rec_out.rec.cancelled;
}

bool FixFeed::send_cancel(uint64_t id, uint64_t venue_id, Side side, Qty qty) noexcept {
  Impl& s = *impl_;
  if (s.working.size() >= Impl::kMaxWorking || !ord_->active()) return false;
  const uint64_t cancel_id = (uint64_t{cfg_.run_id} << 32) | (0x80000000u + ++s.cancel_n);
  const int64_t now = wall_now_ns();
  char a[24];
  char b[24];
  const auto ar = std::to_chars(a, a + sizeof a, cancel_id);
  const auto br = std::to_chars(b, b + sizeof b, id);
  Encoder& enc = ord_->begin_app("F", now);
  enc.add(11, std::string_view(a, static_cast<std::size_t>(ar.ptr - a)));
  enc.add(41, std::string_view(b, static_cast<std::size_t>(br.ptr - b)));
  if (venue_id != 0) enc.add_int(37, static_cast<int64_t>(venue_id));
  enc.add(55, cfg_.symbol);
  if (!cfg_.contract.empty()) enc.add(200, cfg_.contract);
  enc.add_char(54, side == Side::Buy ? '1' : '2');
  enc.add_int(38, qty.lots);
  enc.add_utc_timestamp(60, utc_now_ns(), 6);
  if (!ord_->send_app()) return false;
  ++stats_.cancels_sent;
  s.working.push_back(Impl::Working{cancel_id, 0, qty.lots, 0, Price{}, side, OpenClose::Open, Tif::Day, true, now});
  return true;
}

void FixFeed::settle_after_mass_status() noexcept {
  Impl& s = *impl_;
  s.rec = Impl::Rec::Settle;
  s.rec_deadline_ns = wall_now_ns() + kReconcileRetryNs * kReconcileTries;
}

void FixFeed::step_reconcile(int64_t now) {
  Impl& s = *impl_;
  if (s.rec == Impl::Rec::Done || !ord_->active() || stopping_) return;
  // A request can be lost (sent while the venue waited for a gap fill, which skips it):
  // asked again every kReconcileRetryNs, kReconcileTries times in all; a venue that never
  // answers is gone on without (counted 0).
  const bool due = now >= s.rec_deadline_ns;
  const bool gave_up = due && s.rec_tries >= kReconcileTries;
  auto ask_mass_status = [&] {
    char id[24];
    const auto r = std::to_chars(id, id + sizeof id, ++s.rec_req);
    Encoder& enc = ord_->begin_app("AF", now);
    enc.add(584, std::string_view(id, static_cast<std::size_t>(r.ptr - id)));
    enc.add_char(585, '7');  // all orders
    if (!ord_->send_app()) return;
    ++s.rec_tries;
    s.rec_deadline_ns = now + kReconcileRetryNs;
  };
  auto ask_positions = [&] {
    char id[24];
    const auto r = std::to_chars(id, id + sizeof id, ++s.rec_req);
    Encoder& enc = ord_->begin_app("AN", now);
    enc.add(710, std::string_view(id, static_cast<std::size_t>(r.ptr - id)));
    enc.add_int(724, 0);  // positions
    enc.add_int(263, 0);
    if (!ord_->send_app()) return;
    ++s.rec_tries;
    s.rec_deadline_ns = now + kReconcileRetryNs;
  };
  switch (s.rec) {
    case Impl::Rec::Start: {
      // Working (resting) orders are cancelled when the session returns: the strategy
      // decides again on what it sees now.
      s.rec_out.rec.cancelled += static_cast<uint32_t>(cancel_resting());
      s.rec = Impl::Rec::MassStatus;
      s.rec_tries = 0;
      ask_mass_status();
      return;
    }
    case Impl::Rec::MassStatus:
      if (!due) return;
      if (!gave_up) {
        ask_mass_status();
        return;
      }
      s.rec = Impl::Rec::Settle;
      s.rec_tries = 0;
      s.rec_deadline_ns = now + kReconcileRetryNs * kReconcileTries;
      [[fallthrough]];
    case Impl::Rec::Settle: {
      // Every status request answered and every cancel done before positions are asked.
      bool busy = s.resync;
      for (const Impl::Working& w : s.working) busy |= w.cancel || w.tif != Tif::Day;
      if (busy && now < s.rec_deadline_ns) return;
      s.rec = Impl::Rec::Positions;
      s.rec_tries = 0;
      ask_positions();
      return;
    }
    case Impl::Rec::Positions:
      if (s.rec_out.rec.checked_positions == 0) {
        if (!due) return;
        if (!gave_up) {
          ask_positions();
          return;
        }
      }
      break;
    case Impl::Rec::Done:
      return;
  }
  // Reports first, then the verdict: the strategy resolves what the venue says now.
  Event* e = next_event(last_time_, EventKind::Control);
  e->u.control = s.rec_out;
  if (impl_->count == 0) {
    out_.commit();
    ++pushed_;
  }
  s.rec = Impl::Rec::Done;
}

void FixFeed::send_status_requests(int64_t now) {
  Impl& s = *impl_;
  // After a re-logon: every working order. Otherwise: a FOK/IOC order still without its
  // final report cfg_.status_after_ns after it was sent (or last asked for) - its report
  // was lost (a connection dropped right after the venue matched it, say).
  const bool all = s.resync;
  if (!all && now < s.next_status_check_ns) return;
  s.next_status_check_ns = now + cfg_.status_after_ns / 4;
  for (Impl::Working& w : s.working) {
    if (w.cancel) continue;
    if (!all && (w.tif == Tif::Day || now - w.asked_ns < cfg_.status_after_ns)) continue;
    char id[24];
    const auto r = std::to_chars(id, id + sizeof id, w.id);
    Encoder& enc = ord_->begin_app("H", now);
    enc.add(11, std::string_view(id, static_cast<std::size_t>(r.ptr - id)));
    enc.add(55, cfg_.symbol);
    enc.add_char(54, w.side == Side::Buy ? '1' : '2');
    if (!ord_->send_app()) return;  // the session went down again: asked on the next logon
    w.asked_ns = now;
    ++stats_.status_requests;
  }
  s.resync = false;
}

bool FixFeed::on_test_request(std::string_view id) {
  constexpr std::string_view kSync = "sync:";
  if (id.substr(0, kSync.size()) != kSync || id.size() > impl_->held_sync.size()) return true;
  uint64_t s = 0;
  if (!parse_uint(id.substr(kSync.size()), s)) return true;
  std::memcpy(impl_->held_sync.data(), id.data(), id.size());
  impl_->held_len = id.size();
  impl_->held_seq = s;
  return false;  // answered by check_sync() once the pipeline has caught up
}

void FixFeed::check_sync(int64_t now) {
  Impl& s = *impl_;
  // Not before reconciliation is done: the market data seen meanwhile was not traded on.
  if (s.held_len == 0 || md_seq_seen_ < s.held_seq || !settled() || s.rec != Impl::Rec::Done) return;
  ord_->answer_test_request(std::string_view(s.held_sync.data(), s.held_len), now);
  s.held_len = 0;
  ++stats_.syncs_answered;
}

void FixFeed::refuse(const OrderRequest& o) {
  ExecReport er;
  er.client_id = o.client_id;
  er.limit_price = o.limit;
  er.order_qty = o.qty;
  er.type = ExecType::Rejected;
  er.side = o.side;
  er.open_close = o.open_close;
  er.tif = o.tif;
  er.reason = RejectReason::VenueDown;
  er.flags = kExecSynthetic;
  Event* e = next_event(last_time_, EventKind::Exec);
  e->u.er = er;
  if (impl_->count == 0) {
    out_.commit();
    ++pushed_;
  }
  ++stats_.orders_refused;
}

void FixFeed::send_orders(int64_t now) {
  const Decimal tick = cfg_.instrument.tick_size;
  for (int i = 0; i < kStageBatch; ++i) {
    const OrderRequest* req = venue_in_.front();
    if (req == nullptr) return;
    // A refused order's synthetic reject must find room (the ring or the staging FIFO).
    if (impl_->count >= impl_->staged.size() / 2) return;
    const OrderRequest o = *req;
    venue_in_.pop();
    if (stopping_ || !ord_->active() || impl_->working.size() >= Impl::kMaxWorking) {
      refuse(o);
      continue;
    }
    char id[24];
    char orig[24];
    const auto idr = std::to_chars(id, id + sizeof id, o.client_id.v);
    const std::string_view cl(id, static_cast<std::size_t>(idr.ptr - id));
    const char side = o.side == Side::Buy ? '1' : '2';
    const int64_t px_m = o.limit.ticks * tick.mantissa;
    if (o.action == OrderAction::New) {
      Encoder& enc = ord_->begin_app("D", now);
      enc.add(11, cl);
      if (!cfg_.account.empty()) enc.add(1, cfg_.account);
      enc.add(55, cfg_.symbol);
      if (!cfg_.contract.empty()) enc.add(200, cfg_.contract);
      enc.add_char(54, side);
      enc.add_int(38, o.qty.lots);
      enc.add_char(40, '2');
      enc.add_decimal(44, px_m, tick.scale);
      enc.add_char(59, o.tif == Tif::Fok ? '4' : o.tif == Tif::Ioc ? '3' : '0');
      enc.add_char(77, o.open_close == OpenClose::Close ? 'C' : 'O');
      enc.add_utc_timestamp(60, utc_now_ns(), 6);
      if (!ord_->send_app()) {
        refuse(o);
        continue;
      }
      ++stats_.orders_sent;
      impl_->known_ids.seen_or_insert(o.client_id.v);
      impl_->working.push_back(
          Impl::Working{o.client_id.v, 0, o.qty.lots, 0, o.limit, o.side, o.open_close, o.tif, false, now});
    } else {
      const auto orr = std::to_chars(orig, orig + sizeof orig, o.orig_client_id.v);
      Encoder& enc = ord_->begin_app("F", now);
      enc.add(11, cl);
      enc.add(41, std::string_view(orig, static_cast<std::size_t>(orr.ptr - orig)));
      if (o.venue_id.valid()) enc.add_int(37, static_cast<int64_t>(o.venue_id.v));
      enc.add(55, cfg_.symbol);
      if (!cfg_.contract.empty()) enc.add(200, cfg_.contract);
      enc.add_char(54, side);
      enc.add_int(38, o.qty.lots);
      enc.add_utc_timestamp(60, utc_now_ns(), 6);
      if (!ord_->send_app()) {
        refuse(o);
        continue;
      }
      ++stats_.cancels_sent;
      impl_->working.push_back(
          Impl::Working{o.client_id.v, 0, o.qty.lots, 0, o.limit, o.side, o.open_close, o.tif, true, now});
    }
  }
}

// ------------------------------------------------------------ market-data session

void FixFeed::send_market_data_request(int64_t now) {
  Impl& s = *impl_;
  Encoder& enc = md_->begin_app("V", now);
  char id[24];
  const auto r = std::to_chars(id, id + sizeof id, ++s.md_req_id);
  enc.add(262, std::string_view(id, static_cast<std::size_t>(r.ptr - id)));
  enc.add_char(263, '1');
  enc.add_int(264, kMaxLevels);
  enc.add_char(265, '1');
  enc.add_int(267, 3);
  enc.add_char(269, '0');
  enc.add_char(269, '1');
  enc.add_char(269, '2');
  enc.add_int(146, 1);
  enc.add(55, cfg_.symbol);
  if (!cfg_.contract.empty()) enc.add(200, cfg_.contract);
  s.md_requested = md_->send_app();
}

void FixFeed::on_md_message(const MessageView& m) {
  const std::string_view type = m.msg_type();
  if (type == "Y") {
    ++stats_.md_rejects;
    return;
  }
  const bool snapshot = type == "W";
  if (!snapshot && type != "X") {
    ++stats_.other_messages;
    return;
  }
  md_seq_seen_ = m.seq_num();
  ++stats_.md_messages;
  if (snapshot) ++stats_.md_snapshots;
  Impl& s = *impl_;
  // Decode into a copy: a message with one bad field changes nothing.
  InputEvent ev = s.book;
  ev.flags = 0;
  std::string_view v;
  int64_t t = 0;
  uint32_t day = 0;
  bool ok = m.get(60, v) && parse_utc_timestamp(v, t);
  ok = ok && m.get(75, v) && parse_date(v, day);
  ev.ts = TimeNs{t};
  ev.day = TradingDay{static_cast<int32_t>(day)};
  ev.session = tp::Session::Closed;
  if (m.get(336, v)) ev.session = is(v, '1') ? tp::Session::Day : is(v, '2') ? tp::Session::Night : tp::Session::Closed;
  const bool synthetic = m.get(5001, v) && is(v, 'Y');
  bool book_changed = false;
  if (snapshot) {
    ev.bid_levels = 0;
    ev.ask_levels = 0;
    book_changed = true;
  }
  uint8_t nb = ev.bid_levels, na = ev.ask_levels;
  // Repeating group 268: each entry starts at 279 (X) or 269 (W).
  const int start_tag = snapshot ? 269 : 279;
  for (int i = m.find(268); ok && i >= 0;) {
    const int first = m.find(start_tag, i + 1);
    if (first < 0) break;
    const int next = m.find(start_tag, first + 1);
    const int end = next < 0 ? m.count() : next;
    char action = '0', type_c = 0;
    Price px;
    Qty qty;
    uint64_t level = 1;
    bool has_px = false, has_qty = false, auction = false;
    for (int k = first; k < end; ++k) {
      const std::string_view fv = m.value(k);
      switch (m.field(k).tag) {
        case 279: action = fv.empty() ? '?' : fv[0]; break;
        case 269: type_c = fv.empty() ? '?' : fv[0]; break;
        case 270: has_px = wire_price(cfg_.instrument, fv, px); ok &= has_px; break;
        case 271: has_qty = wire_qty(fv, qty); ok &= has_qty; break;
        case 1023: ok &= parse_uint(fv, level) && level >= 1 && level <= kMaxLevels; break;
        case 277: auction = fv == "O"; break;
        default: break;
      }
    }
    if (!ok) break;
    if (type_c == '2') {  // trade
      ok = has_px && has_qty && qty.lots > 0;
      ev.last = px;
      ev.last_qty = qty;
      ev.flags |= kInTrade;
      if (auction) ev.flags |= kInAuction;
    } else if (type_c == '0' || type_c == '1') {
      const bool bid = type_c == '0';
      Price* pxs = bid ? ev.bid_px : ev.ask_px;
      Qty* qs = bid ? ev.bid_qty : ev.ask_qty;
      uint8_t& depth = bid ? nb : na;
      const std::size_t at = level - 1;
      book_changed = true;
      if (action == '2') {  // delete: the level and everything below it
        if (depth > at) depth = static_cast<uint8_t>(at);
      } else if (action == '0' || action == '1') {
        ok = has_px && has_qty && at <= depth;  // levels arrive best first, no holes
        if (!ok) break;
        pxs[at] = px;
        qs[at] = qty;
        if (depth < at + 1) depth = static_cast<uint8_t>(at + 1);
      } else {
        ok = false;
      }
    } else {
      ok = false;
    }
    i = end - 1;
    if (next < 0) break;
  }
  if (!ok) {
    ++stats_.md_bad;
    return;
  }
  ev.bid_levels = nb;
  ev.ask_levels = na;
  if (book_changed) {
    ev.flags |= kInQuote;
    if (synthetic) ev.flags |= kInSynthetic;
  }
  s.book = ev;
  // Nothing happened (an empty update), or an empty snapshot (the venue before its first
  // event): no market event, so live and replay see the same event stream.
  if (ev.flags == 0 || (snapshot && nb == 0 && na == 0 && (ev.flags & kInTrade) == 0)) return;
  apply_input_event(s.md, ev);
  // Before reconciliation is done the book is kept, but nothing reaches the strategy:
  // no decision on a market the engine cannot trade yet.
  if (s.rec != Impl::Rec::Done) {
    ++stats_.md_held;
    return;
  }
  Event* e = next_event(ev.ts, EventKind::Market);
  e->u.md = s.md;
  if (s.count == 0) {
    out_.commit();
    ++pushed_;
  }
  ++stats_.market_events;
}

// ------------------------------------------------------------------ operator

int FixFeed::cancel_resting() noexcept {
  Impl& s = *impl_;
  // Collected first: send_cancel adds to the working table.
  uint64_t ids[64];
  Side sides[64];
  int32_t qtys[64];
  int n = 0;
  for (const Impl::Working& w : s.working) {
    if (!w.cancel && w.tif == Tif::Day && n < 64) {
      ids[n] = w.id;
      sides[n] = w.side;
      qtys[n++] = w.qty - w.cum;
    }
  }
  int sent = 0;
  for (int i = 0; i < n; ++i) sent += send_cancel(ids[i], 0, sides[i], Qty{qtys[i]}) ? 1 : 0;
  return sent;
}

void FixFeed::operator_command(const ControlEvent& ev) noexcept {
  Impl& s = *impl_;
  // The kill switch cancels what rests at the venue; the risk stage refuses new opening
  // orders from the same event on.
  if (ev.kind == ControlKind::Kill) cancel_resting();
  Event* e = next_event(last_time_, EventKind::Control);
  e->u.control = ev;
  if (s.count == 0) {
    out_.commit();
    ++pushed_;
  }
  ++stats_.operator_commands;
}

// --------------------------------------------------------------------- restart

int FixFeed::recover(int64_t now) noexcept {
  Impl& s = *impl_;
  int work = 0;
  // Orders the stages derive again: they were sent before the restart (or, if the crash
  // came first, the status request at logon finds the venue never had them). Registered
  // as working, never sent again.
  auto take_orders = [&] {
    while (const OrderRequest* req = venue_in_.front()) {
      const OrderRequest o = *req;
      venue_in_.pop();
      if (s.working.size() < Impl::kMaxWorking) {
        s.working.push_back(Impl::Working{o.client_id.v, 0, o.qty.lots, 0, o.limit, o.side, o.open_close, o.tif,
                                          o.action == OrderAction::Cancel, now});
      }
      s.known_ids.seen_or_insert(o.client_id.v);
      ++stats_.recovered_orders;
      ++work;
    }
  };
  take_orders();
  const std::vector<Event>& log = cfg_.recovered;
  while (recover_next_ < log.size() && work < kStageBatch) {
    const Event& src = log[recover_next_];
    // A report only once everything before it has been handled: the order it is about
    // is registered with the tracker and in the working table, as it was live.
    if (src.kind == EventKind::Exec) {
      if (!probe_.idle(pushed_)) break;
      take_orders();
      if (!probe_.idle(pushed_)) break;
    }
    Event* e = out_.try_claim();
    if (e == nullptr) break;
    *e = src;
    e->ingress_ns = wall_now_ns();
    seq_ = src.seq;
    if (src.event_time > last_time_) last_time_ = src.event_time;
    if (src.kind == EventKind::Market) s.md = src.u.md;
    if (src.kind == EventKind::Exec) {
      const ExecReport& er = src.u.er;
      const bool dup = er.exec_id != 0 && s.exec_ids.seen_or_insert(er.exec_id);
      const bool final = er.type == ExecType::Canceled || er.type == ExecType::Rejected ||
                         (er.type == ExecType::Trade && er.leaves_qty.lots == 0);
      if (!dup && (er.flags & kExecDuplicate) == 0) note_report(er, final, 0);
    }
    out_.commit();
    ++pushed_;
    ++recover_next_;
    ++stats_.recovered_events;
    ++work;
  }
  if (recover_next_ == log.size() && probe_.idle(pushed_) && venue_in_.front() == nullptr) {
    // A cancel request's fate shows in its order's status; only orders stay working.
    for (std::size_t i = s.working.size(); i-- > 0;) {
      if (s.working[i].cancel) s.working.erase(s.working.begin() + static_cast<std::ptrdiff_t>(i));
    }
    stats_.recovered_working = s.working.size();
    if (cfg_.run_id != 0) {
      Event* e = out_.try_claim();
      if (e == nullptr) return work;
      *e = Event{};
      e->seq = ++seq_;
      e->event_time = last_time_;
      e->ingress_ns = wall_now_ns();
      e->kind = EventKind::Control;
      e->u.control = ControlEvent(ControlKind::RunSwitch, cfg_.run_id);
      out_.commit();
      ++pushed_;
    }
    recovery_done_ = true;
    recovery_done_pub_.store(true, std::memory_order_release);
    ++work;
  }
  emitted_pub_.store(pushed_, std::memory_order_release);
  return work;
}

void FixFeed::checkpoint_seq() noexcept {
  const SeqNums q = ord_->seq_nums();
  if (q.next_out < ckpt_out_ + kSeqCheckpointEvery && q.next_in < ckpt_in_ + kSeqCheckpointEvery) return;
  if (journal_.free_slots(1) < 1) return;  // the next duty cycle
  journal_session(0, SessionEvent::SeqCheckpoint, 1, {});
  ckpt_out_ = q.next_out;
  ckpt_in_ = q.next_in;
}

// ------------------------------------------------------------------- duty cycle

int FixFeed::do_work() {
  if (finished_.load(std::memory_order_relaxed)) return 0;
  Impl& s = *impl_;
  const int64_t now = wall_now_ns();
  int work = 0;
  Command c;
  // Operator commands wait for the recovery (they act on the rebuilt state); a stop does not.
  while ((recovery_done_ || s.control.size_approx() > 0) && s.control.try_dequeue(c)) {
    if (!c.stop) {
      if (!recovery_done_ || impl_->count >= impl_->staged.size() / 2) {
        s.control.enqueue(c);  // later (the order of operator commands is kept by their seq)
        break;
      }
      operator_command(c.ev);
      ++work;
      continue;
    }
    if (!stopping_ && journal_.free_slots(1) >= 1) {
      journal_session(0, SessionEvent::StopRequested, 1, "stop requested");
      stopping_ = true;
      stop_deadline_ns_ = now + cfg_.logout_timeout_ns;
      ord_->logout("tickpipe stopping", now);
      md_->logout("tickpipe stopping", now);
    }
  }
  // A restart first runs the recorded events through the stages; the sessions connect
  // only once the state is rebuilt.
  if (!recovery_done_) return work + recover(now);
  // A session that gave up (a Logout either way, a too-low sequence number) ends the run:
  // nothing reconnects a Closed session.
  if (!stopping_ && (ord_->state() == SessionState::Closed || md_->state() == SessionState::Closed)) {
    venue_done_ = true;
  }
  if (venue_done_ && !stopping_) {
    stopping_ = true;
    stop_deadline_ns_ = now + cfg_.logout_timeout_ns;
  }
  flush_staging();
  // Reports before market data: what the venue said about our orders comes first.
  work += poll_session(0, now);
  work += poll_session(1, now);
  step_reconcile(now);
  // Market data, and with it trading, only once reconciliation is done.
  if (md_->active() && !s.md_requested && !stopping_ && s.rec == Impl::Rec::Done) send_market_data_request(now);
  if (ord_->active() && !s.working.empty()) send_status_requests(now);
  send_orders(now);
  checkpoint_seq();
  flush_staging();
  emitted_pub_.store(pushed_, std::memory_order_release);
  check_sync(now);

  if (stopping_) {
    const bool closed = (ord_->state() == SessionState::Closed || ord_->state() == SessionState::Disconnected) &&
                        (md_->state() == SessionState::Closed || md_->state() == SessionState::Disconnected);
    if ((closed || now >= stop_deadline_ns_) && s.count == 0 && venue_in_.front() == nullptr &&
        probe_.idle(pushed_)) {
      Event* e = out_.try_claim();
      if (e != nullptr) {
        *e = Event{};
        e->seq = ++seq_;
        e->event_time = last_time_;
        e->ingress_ns = wall_now_ns();
        e->kind = EventKind::EndOfData;
        e->u.md = s.md;
        out_.commit();
        ++pushed_;
        emitted_pub_.store(pushed_, std::memory_order_release);
        finished_.store(true, std::memory_order_release);
        ++work;
      }
    }
  }
  return work;
}

}  // namespace tp::fix
