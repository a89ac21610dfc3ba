// `tickpipe venue` (see tools/venue/include/tp/venue/venue.hpp and docs/FIX.md).
//
// Threads and locks:
//  * the calling thread of run_venue() plays the market data (W, then one X per event),
//    paced by --speed, and in lockstep (--speed 0) sends `sync:<s>` TestRequests and
//    waits for their Heartbeats;
//  * QuickFIX's connection threads (one per session) deliver the orders and requests.
//  * mu_ guards every piece of venue state (the SimVenue with its book, orders, fills,
//    positions, counters, faults) and is held while a message derived from that state is
//    sent, so that what goes out on a session is in the order the state changed (an
//    order's ack always precedes a fill of it found by a later book on the MD thread).
//  * Callbacks QuickFIX may call while holding one of its session locks (logon, logout,
//    heartbeat) never take mu_: they use atomics and sync_mu_, which is never held while
//    sending. So mu_ -> QuickFIX session lock is the only lock order.
#include "tp/venue/venue.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <ostream>
#include <span>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "tp/engine/config/config.hpp"
#include "tp/engine/venue/sim_venue.hpp"
#include "tp/venue/faults.hpp"
#include "tp/venue/fix_acceptor.hpp"

namespace tp::venue {

std::string format_transact_time(TimeNs t) {
  const int64_t sec = t.ns >= 0 ? t.ns / kNsPerSec : (t.ns - kNsPerSec + 1) / kNsPerSec;
  const int64_t frac = t.ns - sec * kNsPerSec;
  const int32_t date = local_date(TimeNs{sec * kNsPerSec}, 0);
  const int64_t sod = ((sec % 86400) + 86400) % 86400;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%08d-%02d:%02d:%02d.%09lld", date, static_cast<int>(sod / 3600),
                static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60),
                static_cast<long long>(frac));
  return buf;
}

namespace {

std::atomic<int> g_signal{0};
extern "C" void venue_on_signal(int s) {
  g_signal.store(s);
}
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler stores into an atomic");

using Clock = std::chrono::steady_clock;

struct OrderRec {
  std::string clordid;
  std::string order_id = "NONE";  ///< venue id once acknowledged
  std::string account;
  std::string price_text;  ///< 44 as received
  Side side = Side::Buy;
  int64_t qty = 0;
  Price limit;
  Tif tif = Tif::Day;
  char tif_char = 0;
  char position_effect = 0;  ///< 'O', 'C' or 0
  char status = '0';         ///< OrdStatus
  int64_t cum = 0;
  int64_t px_qty_sum = 0;  ///< sum of fill px (ticks) x qty
  VenueOrderId vid;
  bool acked = false;
  int64_t number = 0;             ///< 1-based count of the NewOrderSingle (fault keys)
  bool dup_fill_pending = false;  ///< duplicate_fill: send the first fill twice
  [[nodiscard]] int64_t leaves() const { return status == '0' || status == '1' ? qty - cum : 0; }
};

struct FillRec {
  std::string exec_id;
  std::string clordid;
  std::string order_id;
  Price px;
  int64_t qty = 0;
};

bool parse_int(const std::string& s, int64_t& v) {
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return !s.empty() && r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

const char* tif_name(Tif t) {
  return t == Tif::Fok ? "FOK" : t == Tif::Ioc ? "IOC" : "DAY";
}

const char* status_name(char s) {
  switch (s) {
    case '0':
      return "NEW";
    case '1':
      return "PARTIALLY_FILLED";
    case '2':
      return "FILLED";
    case '4':
      return "CANCELED";
    case '8':
      return "REJECTED";
    default:
      return "?";
  }
}

int rej_code(RejectReason r) {
  switch (r) {
    case RejectReason::InvalidQty:
      return 13;
    case RejectReason::Unsupported:
      return 11;
    case RejectReason::UnknownOrder:
      return 5;
    case RejectReason::DuplicateId:
      return 6;
    default:
      return 99;
  }
}

class Venue final : public AcceptorEvents {
 public:
  Venue(const VenueOptions& opt, Config cfg, std::vector<InputEvent> events, std::string contract,
        std::vector<Fault> faults)
      : opt_(opt),
        cfg_(std::move(cfg)),
        inst_(cfg_.instrument),
        events_(std::move(events)),
        contract_(std::move(contract)),
        faults_(std::move(faults)),
        sim_(0) {
    sim_.enable_resting(4096);
    if (!events_.empty()) {
      current_ts_ = events_.front().ts;  // the venue clock before the first event
      current_day_ = events_.front().day;
    }
    AcceptorOptions ao;
    ao.port = opt_.port;
    ao.log_path = opt_.log_path;
    acceptor_ = std::make_unique<FixAcceptor>(*this, ao);
  }

  VenueSummary run(std::ostream& out, std::ostream& err);

  // ---- AcceptorEvents (connection threads)
  void on_logon(FixSession s) override {
    logon_gen_[index(s)].fetch_add(1);
    activity();
    wake();
  }
  void on_logout(FixSession) override {
    activity();
    wake();
  }
  void on_app_message(FixSession, const std::string&) override { activity(); }
  void on_heartbeat(FixSession s, const std::string& id) override {
    if (s != FixSession::Order || id.empty()) return;
    {
      std::lock_guard l(sync_mu_);
      last_hb_ = id;
    }
    sync_cv_.notify_all();
  }
  void on_new_order(const FixNewOrder& o) override;
  void on_cancel_request(const FixCancelRequest& c) override;
  void on_status_request(const FixStatusRequest& r) override;
  void on_mass_status_request(const FixMassStatusRequest& r) override;
  void on_positions_request(const FixPositionsRequest& r) override;
  void on_md_request(const FixMdRequest& r) override;

 private:
  static int index(FixSession s) { return s == FixSession::Order ? 0 : 1; }
  void activity() { last_activity_ns_.store(Clock::now().time_since_epoch().count()); }
  void wake() { sync_cv_.notify_all(); }
  bool should_stop() const {
    return g_signal.load() != 0 || (opt_.max_seconds > 0 && Clock::now() >= deadline_);
  }
  /// Sleeps until `t` in slices of at most 50 ms; false when the venue must stop.
  bool sleep_until(Clock::time_point t) {
    std::unique_lock l(sync_mu_);
    while (Clock::now() < t) {
      if (should_stop()) return false;
      sync_cv_.wait_until(l, std::min(t, Clock::now() + std::chrono::milliseconds(50)));
    }
    return !should_stop();
  }

  // ---- helpers, under mu_
  std::string next_exec_id() { return "E" + std::to_string(++exec_seq_); }
  std::string px(Price p) const { return inst_.format_price(p); }
  std::string avg_px(const OrderRec& r) const;
  FixExecReport base_er(const OrderRec& r) const;
  void send_order_msg_sent(int seq);
  int send_er(const FixExecReport& er) {
    const int seq = acceptor_->send_exec_report(er);
    send_order_msg_sent(seq);
    return seq;
  }
  void reject_order(OrderRec* rec, const FixNewOrder& o, int code, const std::string& text);
  void apply_reports(std::span<const ExecReport> reps, OrderRec* rec,
                     const std::string& cancel_clordid);
  void apply_fill(OrderRec& r, const ExecReport& rep);
  void count_fault(FaultKind k) {
    ++faults_by_kind_[static_cast<int>(k)];
    ++faults_total_;
  }
  void session_faults_after_orders();
  void run_session_fault(Fault& f);
  OrderRec* find(const std::string& clordid, const std::string& order_id);
  void send_snapshot(int& seq);
  void play_event(const InputEvent& ev, int& seq);
  void after_md_sent();
  FixMdMessage build_md(const InputEvent& ev);
  bool sync(int seq);
  void write_state() const;

  const VenueOptions& opt_;
  Config cfg_;
  const Instrument& inst_;
  std::vector<InputEvent> events_;
  std::string contract_;
  std::unique_ptr<FixAcceptor> acceptor_;
  Clock::time_point deadline_ = Clock::time_point::max();

  // state (mu_)
  std::mutex mu_;
  std::vector<Fault> faults_;
  SimVenue sim_;
  TimeNs current_ts_;
  TradingDay current_day_;
  std::vector<OrderRec> orders_;
  std::unordered_map<std::string, std::size_t> by_clordid_;
  std::unordered_map<uint64_t, std::size_t> by_vid_;
  std::unordered_set<std::string> used_clordids_;  ///< of D and F
  std::vector<FillRec> fills_;
  int64_t long_ = 0;
  int64_t short_ = 0;
  uint64_t next_internal_id_ = 1;
  uint64_t exec_seq_ = 0;
  uint64_t unknown_seq_ = 0;
  uint64_t pos_rpt_seq_ = 0;
  int64_t orders_received_ = 0;
  int64_t orders_answered_ = 0;
  int64_t order_msgs_sent_ = 0;
  int64_t md_msgs_sent_ = 0;
  uint64_t rejects_ = 0;
  uint64_t cancels_ = 0;
  uint64_t dup_fills_sent_ = 0;
  uint64_t faults_total_ = 0;
  uint64_t faults_by_kind_[kFaultKinds] = {};
  bool md_requested_ = false;
  bool md_halted_ = false;
  bool halted_ = false;
  std::string md_req_id_;
  int prev_bids_ = 0;
  int prev_asks_ = 0;
  Price prev_bid_px_[kMaxLevels];
  Price prev_ask_px_[kMaxLevels];
  int64_t prev_bid_qty_[kMaxLevels] = {};
  int64_t prev_ask_qty_[kMaxLevels] = {};

  // lockstep / waking (sync_mu_, never held while sending)
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  std::string last_hb_;
  std::atomic<int> logon_gen_[2] = {0, 0};
  std::atomic<int64_t> last_activity_ns_{0};
  std::atomic<uint64_t> sync_timeouts_{0};
};

std::string Venue::avg_px(const OrderRec& r) const {
  if (r.cum == 0) return "0";
  if (r.px_qty_sum % r.cum == 0) return px(Price{r.px_qty_sum / r.cum});
  long double tick = static_cast<long double>(inst_.tick_size.mantissa);
  for (int i = 0; i < inst_.tick_size.scale; ++i) tick /= 10;
  const long double v =
      static_cast<long double>(r.px_qty_sum) * tick / static_cast<long double>(r.cum);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6Lf", v);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

FixExecReport Venue::base_er(const OrderRec& r) const {
  FixExecReport er;
  er.order_id = r.order_id;
  er.clordid = r.clordid;
  er.ord_status = r.status;
  er.symbol = inst_.symbol;
  er.maturity = contract_;
  er.side = r.side == Side::Buy ? '1' : '2';
  er.order_qty = r.qty;
  er.price = r.price_text;
  er.tif = r.tif_char;
  er.position_effect = r.position_effect;
  er.cum_qty = r.cum;
  er.leaves_qty = r.leaves();
  er.avg_px = avg_px(r);
  er.transact_time = format_transact_time(current_ts_);
  return er;
}

void Venue::send_order_msg_sent(int seq) {
  if (seq <= 0) return;
  ++order_msgs_sent_;
  for (Fault& f : faults_) {
    if ((f.kind == FaultKind::Disconnect || f.kind == FaultKind::SeqGap) && !f.md_session &&
        f.after_msgs >= 0 && f.fired == 0 && order_msgs_sent_ >= f.after_msgs) {
      run_session_fault(f);
    }
  }
}

void Venue::run_session_fault(Fault& f) {
  f.fired = 1;
  count_fault(f.kind);
  const FixSession s = f.md_session ? FixSession::MarketData : FixSession::Order;
  if (f.kind == FaultKind::Disconnect) {
    acceptor_->disconnect(s);
  } else {
    acceptor_->skip_sender_seq(s, static_cast<int>(f.skip));
  }
}

void Venue::session_faults_after_orders() {
  for (Fault& f : faults_) {
    if ((f.kind == FaultKind::Disconnect || f.kind == FaultKind::SeqGap) && f.after_orders >= 0 &&
        f.fired == 0 && orders_answered_ >= f.after_orders) {
      run_session_fault(f);
    }
  }
}

void Venue::reject_order(OrderRec* rec, const FixNewOrder& o, int code, const std::string& text) {
  ++rejects_;
  FixExecReport er;
  if (rec != nullptr) {
    rec->status = '8';
    er = base_er(*rec);
  } else {  // no record (missing or duplicate ClOrdID): echo what came
    er.order_id = "NONE";
    er.clordid = o.clordid;
    er.ord_status = '8';
    er.symbol = o.symbol;
    er.maturity = o.maturity;
    if (o.side.size() == 1) er.side = o.side[0];
    int64_t q = 0;
    if (parse_int(o.order_qty, q)) er.order_qty = q;
    er.price = o.price;
    er.cum_qty = 0;
    er.leaves_qty = 0;
    er.avg_px = "0";
    er.transact_time = format_transact_time(current_ts_);
  }
  er.exec_id = next_exec_id();
  er.exec_type = '8';
  er.ord_rej_reason = code;
  er.text = text;
  send_er(er);
}

void Venue::apply_fill(OrderRec& r, const ExecReport& rep) {
  const int64_t q = rep.last_qty.lots;
  r.cum += q;
  r.px_qty_sum += rep.last_px.ticks * q;
  r.status = r.cum >= r.qty ? '2' : '1';
  const int64_t q_abs = q;
  if (r.side == Side::Buy) {
    const int64_t c = r.position_effect == 'O' ? 0 : std::min(short_, q_abs);
    short_ -= c;
    long_ += q_abs - c;
  } else {
    const int64_t c = r.position_effect == 'O' ? 0 : std::min(long_, q_abs);
    long_ -= c;
    short_ += q_abs - c;
  }
  FixExecReport er = base_er(r);
  er.exec_id = next_exec_id();
  er.exec_type = 'F';
  er.last_px = px(rep.last_px);
  er.last_qty = q;
  fills_.push_back(FillRec{er.exec_id, r.clordid, r.order_id, rep.last_px, q});
  send_er(er);
  if (r.dup_fill_pending) {  // fault duplicate_fill: the same report, the same ExecID, again
    r.dup_fill_pending = false;
    ++dup_fills_sent_;
    send_er(er);
  }
}

void Venue::apply_reports(std::span<const ExecReport> reps, OrderRec* rec,
                          const std::string& cancel_clordid) {
  for (const ExecReport& rep : reps) {
    OrderRec* r = rec;
    if (r == nullptr || (rep.venue_id.valid() && r->vid.valid() && r->vid != rep.venue_id)) {
      const auto it = by_vid_.find(rep.venue_id.v);
      if (it == by_vid_.end()) continue;  // cannot happen: every venue id was acked here
      r = &orders_[it->second];
    }
    switch (rep.type) {
      case ExecType::New: {
        r->vid = rep.venue_id;
        r->order_id = std::to_string(rep.venue_id.v);
        by_vid_[rep.venue_id.v] = static_cast<std::size_t>(r - orders_.data());
        r->status = '0';
        r->acked = true;
        bool drop = false;
        for (Fault& f : faults_) {
          if (f.kind == FaultKind::DropAck && order_fault_due(f, r->number, r->clordid)) {
            ++f.fired;
            count_fault(f.kind);
            drop = true;
            break;
          }
        }
        if (!drop) {
          FixExecReport er = base_er(*r);
          er.exec_id = next_exec_id();
          er.exec_type = '0';
          send_er(er);
        }
        break;
      }
      case ExecType::Trade:
        apply_fill(*r, rep);
        break;
      case ExecType::Canceled: {
        r->status = '4';
        ++cancels_;
        FixExecReport er = base_er(*r);
        er.exec_id = next_exec_id();
        er.exec_type = '4';
        if (!cancel_clordid.empty()) {
          er.clordid = cancel_clordid;
          er.orig_clordid = r->clordid;
        }
        send_er(er);
        break;
      }
      case ExecType::Rejected:
        reject_order(r, FixNewOrder{}, rej_code(rep.reason), to_string(rep.reason));
        break;
    }
  }
}

void Venue::on_new_order(const FixNewOrder& o) {
  int64_t delay_ms = 0;
  std::size_t idx = 0;
  {
    std::lock_guard l(mu_);
    const int64_t k = ++orders_received_;
    auto done = [&] {
      ++orders_answered_;
      session_faults_after_orders();
    };
    if (o.clordid.empty()) {
      reject_order(nullptr, o, 99, "missing ClOrdID (11)");
      return done();
    }
    if (!used_clordids_.insert(o.clordid).second) {
      reject_order(nullptr, o, 6, "duplicate ClOrdID " + o.clordid);
      return done();
    }
    OrderRec rec;
    rec.clordid = o.clordid;
    rec.account = o.account;
    rec.price_text = o.price;
    rec.tif_char = o.tif.size() == 1 ? o.tif[0] : '0';
    rec.position_effect = o.position_effect.size() == 1 ? o.position_effect[0] : 0;
    rec.side = o.side == "2" ? Side::Sell : Side::Buy;
    rec.status = '8';
    rec.number = k;
    int64_t q = 0;
    const bool qty_ok = parse_int(o.order_qty, q) && q > 0 && q <= kMaxQtyLots;
    rec.qty = qty_ok ? q : 0;
    const bool px_ok = inst_.parse_price(o.price, rec.limit) && rec.limit.ticks > 0;
    orders_.push_back(rec);
    idx = orders_.size() - 1;
    by_clordid_[o.clordid] = idx;
    OrderRec& r = orders_[idx];
    std::string why;
    int code = 99;
    if (o.symbol != inst_.symbol) {
      why = "unknown symbol '" + o.symbol + "' (this venue plays " + inst_.symbol + ")";
    } else if (!o.maturity.empty() && !contract_.empty() && o.maturity != contract_) {
      why = "unknown contract '" + o.maturity + "' (this venue plays " + contract_ + ")";
    } else if (o.side != "1" && o.side != "2") {
      why = "bad Side (54) '" + o.side + "'";
    } else if (!qty_ok) {
      code = 13;
      why = "incorrect quantity (38) '" + o.order_qty + "'";
    } else if (o.ord_type != "2") {
      code = 11;
      why = "only limit orders (40=2), got 40='" + o.ord_type + "'";
    } else if (o.tif != "4" && o.tif != "3" && o.tif != "0" && !o.tif.empty()) {
      code = 11;
      why = "unsupported TimeInForce (59) '" + o.tif + "'";
    } else if (!px_ok) {
      why = "bad Price (44) '" + o.price + "' (positive, on the tick grid)";
    } else if (!o.position_effect.empty() && o.position_effect != "O" && o.position_effect != "C") {
      why = "bad PositionEffect (77) '" + o.position_effect + "'";
    }
    if (!why.empty()) {
      reject_order(&r, o, code, why);
      return done();
    }
    r.tif = o.tif == "4" ? Tif::Fok : o.tif == "3" ? Tif::Ioc : Tif::Day;
    for (Fault& f : faults_) {
      if (f.kind == FaultKind::Halt && order_fault_due(f, k, o.clordid)) {
        if (!halted_) count_fault(f.kind);
        halted_ = true;
        if (f.halt_md) md_halted_ = true;
        ++f.fired;
      }
    }
    if (halted_) {
      reject_order(&r, o, 99, "venue halted (fault)");
      return done();
    }
    for (Fault& f : faults_) {
      if (f.kind == FaultKind::Reject && order_fault_due(f, k, o.clordid)) {
        ++f.fired;
        count_fault(f.kind);
        reject_order(&r, o, 99, "rejected by fault (line " + std::to_string(f.line) + ")");
        return done();
      }
    }
    for (Fault& f : faults_) {
      if (f.kind == FaultKind::Delay && order_fault_due(f, k, o.clordid)) {
        ++f.fired;
        count_fault(f.kind);
        delay_ms = f.delay_ms;
        break;
      }
    }
  }
  // Fault delay: this session's thread answers late (the order session stalls, as a slow
  // venue would); the market data goes on meanwhile.
  if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));

  std::lock_guard l(mu_);
  OrderRec& r = orders_[idx];
  const int64_t k = r.number;
  OrderRequest req;
  req.origin_time = current_ts_;
  req.client_id = ClientOrderId{next_internal_id_++};
  req.limit = r.limit;
  req.qty = Qty{static_cast<int32_t>(r.qty)};
  req.side = r.side;
  req.tif = r.tif;
  req.open_close = r.position_effect == 'C' ? OpenClose::Close : OpenClose::Open;
  for (Fault& f : faults_) {
    if (r.tif == Tif::Ioc && f.kind == FaultKind::PartialIoc && order_fault_due(f, k, r.clordid)) {
      ++f.fired;
      count_fault(f.kind);
      const int64_t cap = f.qty > 0 ? f.qty : std::max<int64_t>(1, r.qty / 2);
      req.qty = Qty{static_cast<int32_t>(std::min(cap, r.qty))};
      break;
    }
  }
  for (Fault& f : faults_) {
    if (f.kind == FaultKind::DuplicateFill && order_fault_due(f, k, r.clordid)) {
      ++f.fired;
      count_fault(f.kind);
      r.dup_fill_pending = true;
      break;
    }
  }
  ExecReport out[SimVenue::kMaxReportsPerOrder];
  int n = 0;
  if (sim_.accept(req)) n = sim_.process_next(out);
  apply_reports(std::span<const ExecReport>(out, static_cast<std::size_t>(n)), &orders_[idx], "");
  if (r.tif != Tif::Day && r.leaves() > 0) {
    // partial_ioc: SimVenue matched the smaller order completely; what the client asked
    // for beyond it is cancelled like any IOC remainder.
    r.status = '4';
    ++cancels_;
    FixExecReport er = base_er(r);
    er.exec_id = next_exec_id();
    er.exec_type = '4';
    send_er(er);
  }
  if (r.dup_fill_pending && r.leaves() == 0)
    r.dup_fill_pending = false;  // no fill left to duplicate
  for (Fault& f : faults_) {
    if (f.kind == FaultKind::UnknownReport && order_fault_due(f, k, r.clordid)) {
      ++f.fired;
      count_fault(f.kind);
      // A fill report for an order that never existed: a ClOrdID near UINT64_MAX that no
      // client numbering reaches, an OrderID the venue never assigned.
      const uint64_t n_unknown = ++unknown_seq_;
      FixExecReport er;
      er.order_id = "U" + std::to_string(n_unknown);
      er.clordid = std::to_string(18'446'744'073'709'551'000ull + n_unknown);
      er.exec_id = next_exec_id();
      er.exec_type = 'F';
      er.ord_status = '2';
      er.symbol = inst_.symbol;
      er.maturity = contract_;
      er.side = '1';
      er.order_qty = 1;
      er.price = r.price_text;
      er.cum_qty = 1;
      er.leaves_qty = 0;
      er.avg_px = r.price_text;
      er.last_px = r.price_text;
      er.last_qty = 1;
      er.transact_time = format_transact_time(current_ts_);
      send_er(er);
    }
  }
  ++orders_answered_;
  session_faults_after_orders();
}

OrderRec* Venue::find(const std::string& clordid, const std::string& order_id) {
  if (!clordid.empty()) {
    const auto it = by_clordid_.find(clordid);
    if (it != by_clordid_.end()) return &orders_[it->second];
  }
  if (!order_id.empty()) {
    for (OrderRec& r : orders_) {
      if (r.order_id == order_id && r.acked) return &r;
    }
  }
  return nullptr;
}

void Venue::on_cancel_request(const FixCancelRequest& c) {
  std::lock_guard l(mu_);
  FixCancelReject cr;
  cr.clordid = c.clordid;
  cr.orig_clordid = c.orig_clordid;
  cr.order_id = c.order_id;
  cr.transact_time = format_transact_time(current_ts_);
  auto reject = [&](int reason, char status, const std::string& text) {
    cr.cxl_rej_reason = reason;
    cr.ord_status = status;
    cr.text = text;
    send_order_msg_sent(acceptor_->send_cancel_reject(cr));
  };
  if (c.clordid.empty()) return reject(99, '8', "missing ClOrdID (11)");
  if (!used_clordids_.insert(c.clordid).second)
    return reject(6, '8', "duplicate ClOrdID " + c.clordid);
  OrderRec* r = find(c.orig_clordid, c.order_id);
  if (r == nullptr) return reject(1, '8', "unknown order");
  cr.order_id = r->order_id;
  cr.orig_clordid = r->clordid;
  if (r->leaves() <= 0)
    return reject(0, r->status, std::string("too late to cancel: ") + status_name(r->status));
  OrderRequest req;
  req.origin_time = current_ts_;
  req.client_id = ClientOrderId{next_internal_id_++};
  req.action = OrderAction::Cancel;
  req.venue_id = r->vid;
  req.side = r->side;
  ExecReport out[SimVenue::kMaxReportsPerOrder];
  const int n = sim_.accept(req) ? sim_.process_next(out) : 0;
  if (n == 1 && out[0].type == ExecType::Canceled) {
    apply_reports(std::span<const ExecReport>(out, 1), r, c.clordid);
  } else {
    reject(1, r->status, "order not resting at the venue");
  }
}

void Venue::on_status_request(const FixStatusRequest& q) {
  std::lock_guard l(mu_);
  OrderRec* r = find(q.clordid, q.order_id);
  FixExecReport er;
  if (r != nullptr) {
    er = base_er(*r);
  } else {
    er.order_id = q.order_id.empty() ? "NONE" : q.order_id;
    er.clordid = q.clordid;
    er.ord_status = '8';
    er.symbol = q.symbol;
    if (q.side.size() == 1) er.side = q.side[0];
    er.cum_qty = 0;
    er.leaves_qty = 0;
    er.avg_px = "0";
    er.ord_rej_reason = 5;
    er.text = "unknown order";
    er.transact_time = format_transact_time(current_ts_);
  }
  er.exec_id = next_exec_id();
  er.exec_type = 'I';
  send_er(er);
}

void Venue::on_mass_status_request(const FixMassStatusRequest& q) {
  std::lock_guard l(mu_);
  if (orders_.empty()) {
    FixExecReport er;
    er.order_id = "NONE";
    er.clordid = "NONE";
    er.exec_id = next_exec_id();
    er.exec_type = 'I';
    er.ord_status = 0;
    er.symbol = inst_.symbol;
    er.mass_status_req_id = q.mass_status_req_id;
    er.tot_num_reports = 0;
    er.last_rpt_requested = true;
    er.text = "no orders";
    er.transact_time = format_transact_time(current_ts_);
    send_er(er);
    return;
  }
  for (std::size_t i = 0; i < orders_.size(); ++i) {
    FixExecReport er = base_er(orders_[i]);
    er.exec_id = next_exec_id();
    er.exec_type = 'I';
    er.mass_status_req_id = q.mass_status_req_id;
    er.tot_num_reports = static_cast<int>(orders_.size());
    er.last_rpt_requested = i + 1 == orders_.size();
    send_er(er);
  }
}

void Venue::on_positions_request(const FixPositionsRequest& q) {
  std::lock_guard l(mu_);
  FixPositionReport ap;
  ap.pos_maint_rpt_id = "P" + std::to_string(++pos_rpt_seq_);
  ap.pos_req_id = q.pos_req_id;
  ap.total_num_pos_reports = 1;
  ap.pos_req_result = 0;
  ap.clearing_business_date =
      !q.clearing_business_date.empty()
          ? q.clearing_business_date
          : (current_day_.valid() ? std::to_string(current_day_.yyyymmdd) : "");
  ap.symbol = inst_.symbol;
  ap.maturity = contract_;
  ap.long_qty = long_;
  ap.short_qty = short_;
  send_order_msg_sent(acceptor_->send_position_report(ap));
}

void Venue::on_md_request(const FixMdRequest& q) {
  std::lock_guard l(mu_);
  if (q.symbol != inst_.symbol ||
      (!q.maturity.empty() && !contract_.empty() && q.maturity != contract_)) {
    acceptor_->send_md_reject(q.md_req_id, 0,
                              "unknown symbol " + q.symbol +
                                  (q.maturity.empty() ? "" : " " + q.maturity) +
                                  " (this venue plays " + inst_.symbol + " " + contract_ + ")");
    return;
  }
  if (md_requested_) {
    acceptor_->send_md_reject(q.md_req_id, 1,
                              "already subscribed (one subscription per venue run)");
    return;
  }
  md_req_id_ = q.md_req_id;
  md_requested_ = true;
  wake();
}

FixMdMessage Venue::build_md(const InputEvent& ev) {
  FixMdMessage md;
  md.md_req_id = md_req_id_;
  md.transact_time = format_transact_time(ev.ts);
  md.trade_date = std::to_string(ev.day.yyyymmdd);
  md.session_id = ev.session == Session::Day ? "1" : ev.session == Session::Night ? "2" : "0";
  md.synthetic = (ev.flags & kInSynthetic) != 0;
  const int action = 0;
  if ((ev.flags & kInQuote) != 0) {
    for (int i = 0; i < ev.bid_levels; ++i) {
      md.entries.push_back(
          FixMdEntry{action, '0', px(ev.bid_px[i]), ev.bid_qty[i].lots, i + 1, ""});
    }
    for (int i = ev.bid_levels; i < prev_bids_; ++i) {
      md.entries.push_back(FixMdEntry{2, '0', px(prev_bid_px_[i]), -1, i + 1, ""});
    }
    for (int i = 0; i < ev.ask_levels; ++i) {
      md.entries.push_back(
          FixMdEntry{action, '1', px(ev.ask_px[i]), ev.ask_qty[i].lots, i + 1, ""});
    }
    for (int i = ev.ask_levels; i < prev_asks_; ++i) {
      md.entries.push_back(FixMdEntry{2, '1', px(prev_ask_px_[i]), -1, i + 1, ""});
    }
    prev_bids_ = ev.bid_levels;
    prev_asks_ = ev.ask_levels;
    for (int i = 0; i < kMaxLevels; ++i) {
      prev_bid_px_[i] = ev.bid_px[i];
      prev_ask_px_[i] = ev.ask_px[i];
      prev_bid_qty_[i] = ev.bid_qty[i].lots;
      prev_ask_qty_[i] = ev.ask_qty[i].lots;
    }
  }
  if ((ev.flags & kInTrade) != 0) {
    md.entries.push_back(FixMdEntry{0, '2', px(ev.last), ev.last_qty.lots, 0,
                                    (ev.flags & kInAuction) != 0 ? "O" : ""});
  }
  return md;
}

/// Sends the W: the venue's current book (docs/FIX.md: empty, 268=0, before the first
/// event; the book of the last event played otherwise). `seq` = its MD MsgSeqNum (0: not sent).
void Venue::send_snapshot(int& seq) {
  std::lock_guard l(mu_);
  seq = 0;
  FixMdMessage md;
  md.md_req_id = md_req_id_;
  md.symbol = inst_.symbol;
  md.maturity = contract_;
  md.transact_time = format_transact_time(current_ts_);
  if (current_day_.valid()) md.trade_date = std::to_string(current_day_.yyyymmdd);
  for (int i = 0; i < prev_bids_; ++i)
    md.entries.push_back(FixMdEntry{-1, '0', px(prev_bid_px_[i]), prev_bid_qty_[i], i + 1, ""});
  for (int i = 0; i < prev_asks_; ++i)
    md.entries.push_back(FixMdEntry{-1, '1', px(prev_ask_px_[i]), prev_ask_qty_[i], i + 1, ""});
  seq = acceptor_->send_md_snapshot(md);
  if (seq > 0) after_md_sent();
}

void Venue::after_md_sent() {
  ++md_msgs_sent_;
  for (Fault& f : faults_) {
    if ((f.kind == FaultKind::Disconnect || f.kind == FaultKind::SeqGap) && f.md_session &&
        f.after_msgs >= 0 && f.fired == 0 && md_msgs_sent_ >= f.after_msgs) {
      run_session_fault(f);
    }
  }
}

/// Applies `ev` as the venue's book, sends its X, then the fills of resting orders the
/// new book causes. `seq` = the MD MsgSeqNum used (0: the MD session is gone / halted).
void Venue::play_event(const InputEvent& ev, int& seq) {
  std::lock_guard l(mu_);
  seq = 0;
  if (md_halted_) return;
  sim_.on_market(ev);
  current_ts_ = ev.ts;
  current_day_ = ev.day;
  const FixMdMessage md = build_md(ev);
  seq = acceptor_->send_md_incremental(md);
  if (seq <= 0) return;
  after_md_sent();
  ExecReport out[4 * kMaxLevels];
  for (;;) {
    const int n = sim_.match_resting(out, 4 * kMaxLevels);
    if (n == 0) break;
    apply_reports(std::span<const ExecReport>(out, static_cast<std::size_t>(n)), nullptr, "");
  }
}

bool Venue::sync(int seq) {
  const std::string first_id = "sync:" + std::to_string(seq);
  std::string id = first_id;
  auto deadline = Clock::now() + std::chrono::milliseconds(opt_.sync_timeout_ms);
  int sent_gen = -1;
  std::unique_lock l(sync_mu_);
  for (;;) {
    if (last_hb_ == id || last_hb_ == first_id) return true;  // a reconnected client may answer either
    if (should_stop()) return false;
    if (Clock::now() >= deadline) {
      sync_timeouts_.fetch_add(1);
      return false;
    }
    const int gen = logon_gen_[0].load();
    if (gen != sent_gen && acceptor_->logged_on(FixSession::Order)) {
      // (Re)send after every logon of the order session: a TestRequest sent before a
      // disconnect is lost with the connection. After a reconnect the client may be a
      // restarted engine whose market-data numbering began again (ResetSeqNumFlag): it
      // is asked for "sync:0", answered once it has caught up with what it was sent.
      if (sent_gen != -1) {
        id = "sync:0";
        // The client was away: its time to answer starts again at this logon (the
        // reconnect's back-off and reconciliation are not a lost sync).
        deadline = Clock::now() + std::chrono::milliseconds(opt_.sync_timeout_ms);
      }
      l.unlock();
      const int s = acceptor_->send_test_request(FixSession::Order, id);
      l.lock();
      if (s > 0) sent_gen = gen;
      continue;
    }
    sync_cv_.wait_until(l, std::min(deadline, Clock::now() + std::chrono::milliseconds(50)));
  }
}

void Venue::write_state() const {
  if (opt_.state_out.empty()) return;
  using nlohmann::ordered_json;
  ordered_json j;
  j["symbol"] = inst_.symbol;
  j["contract"] = contract_;
  ordered_json orders = ordered_json::array();
  for (const OrderRec& r : orders_) {
    ordered_json o;
    o["clordid"] = r.clordid;
    o["order_id"] = r.order_id;
    o["side"] = r.side == Side::Buy ? "BUY" : "SELL";
    o["qty"] = r.qty;
    o["limit"] = r.price_text;
    o["tif"] = tif_name(r.tif);
    o["status"] = status_name(r.status);
    o["cum"] = r.cum;
    o["leaves"] = r.leaves();
    o["avg_px"] = avg_px(r);
    orders.push_back(std::move(o));
  }
  j["orders"] = std::move(orders);
  ordered_json fills = ordered_json::array();
  for (const FillRec& f : fills_) {
    fills.push_back(ordered_json{{"exec_id", f.exec_id},
                                 {"clordid", f.clordid},
                                 {"order_id", f.order_id},
                                 {"px", px(f.px)},
                                 {"qty", f.qty}});
  }
  j["fills"] = std::move(fills);
  j["positions"] = ordered_json::array({ordered_json{
      {"symbol", inst_.symbol}, {"contract", contract_}, {"long", long_}, {"short", short_}}});
  ordered_json faults;
  for (int i = 0; i < kFaultKinds; ++i)
    faults[to_string(static_cast<FaultKind>(i))] = faults_by_kind_[i];
  j["counters"] = ordered_json{{"events", events_.size()},
                               {"md_messages", md_msgs_sent_},
                               {"orders", orders_received_},
                               {"fills", fills_.size()},
                               {"duplicate_fills_sent", dup_fills_sent_},
                               {"rejects", rejects_},
                               {"cancels", cancels_},
                               {"sync_timeouts", sync_timeouts_.load()},
                               {"faults_total", faults_total_},
                               {"faults", std::move(faults)}};
  const std::string tmp = opt_.state_out + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw std::runtime_error("cannot write " + tmp);
    f << j.dump(2) << "\n";
    if (!f) throw std::runtime_error("failed writing " + tmp);
  }
  if (std::rename(tmp.c_str(), opt_.state_out.c_str()) != 0) {
    throw std::runtime_error("cannot rename " + tmp + " to " + opt_.state_out);
  }
}

VenueSummary Venue::run(std::ostream& out, std::ostream& err) {
  const auto t0 = Clock::now();
  if (opt_.max_seconds > 0) {
    deadline_ = t0 + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(opt_.max_seconds));
  }
  activity();
  const int port = acceptor_->start();
  out << "venue: listening on 127.0.0.1:" << port << std::endl;  // flushed: a test reads it

  // Wait for the MarketDataRequest (and, in lockstep, the order session).
  {
    std::unique_lock l(sync_mu_);
    for (;;) {
      if (should_stop()) break;
      bool ready = false;
      {
        std::lock_guard s(mu_);
        ready = md_requested_;
      }
      if (ready && (opt_.speed > 0 || acceptor_->logged_on(FixSession::Order))) break;
      // A client came and went without playing anything: linger, then exit.
      const bool anyone =
          acceptor_->logged_on(FixSession::Order) || acceptor_->logged_on(FixSession::MarketData);
      const bool came = logon_gen_[0].load() + logon_gen_[1].load() > 0;
      if (came && !anyone &&
          Clock::now().time_since_epoch().count() - last_activity_ns_.load() >=
              opt_.linger_ms * kNsPerMs) {
        break;
      }
      sync_cv_.wait_for(l, std::chrono::milliseconds(50));
    }
  }
  bool play = false;
  {
    std::lock_guard s(mu_);
    play = md_requested_;
  }
  if (play && !should_stop() && !events_.empty()) {
    int seq = 0;
    send_snapshot(seq);
    if (seq > 0 && opt_.speed == 0) sync(seq);
    const auto play_start = Clock::now();
    const TimeNs first = events_.front().ts;
    for (const InputEvent& ev : events_) {
      if (seq <= 0 || should_stop()) break;
      if (opt_.speed > 0) {
        const auto offset = std::chrono::nanoseconds(
            static_cast<int64_t>(static_cast<double>(ev.ts - first) / opt_.speed));
        if (!sleep_until(play_start + offset)) break;
      }
      play_event(ev, seq);
      if (seq > 0 && opt_.speed == 0) sync(seq);
    }
  }
  // Linger: until linger_ms without client activity.
  while (!should_stop()) {
    const int64_t idle_ns = Clock::now().time_since_epoch().count() - last_activity_ns_.load();
    if (idle_ns >= opt_.linger_ms * kNsPerMs) break;
    std::unique_lock l(sync_mu_);
    sync_cv_.wait_for(l, std::chrono::milliseconds(50));
  }
  acceptor_->stop(1000);

  std::lock_guard l(mu_);
  write_state();
  VenueSummary s;
  s.events = events_.size();
  s.md_messages = static_cast<uint64_t>(md_msgs_sent_);
  s.orders = static_cast<uint64_t>(orders_received_);
  s.fills = fills_.size();
  s.rejects = rejects_;
  s.sync_timeouts = sync_timeouts_.load();
  s.faults = faults_total_;
  s.port = port;
  err << "venue: " << s.md_messages << " md messages (" << s.events << " events), " << s.orders
      << " orders, " << s.fills << " fills, " << s.rejects << " rejects, " << s.sync_timeouts
      << " sync timeouts, " << s.faults << " faults"
      << (g_signal.load() != 0 ? " (stopped by signal)" : "") << "\n";
  return s;
}

}  // namespace

VenueSummary run_venue(const VenueOptions& opt, std::ostream& out, std::ostream& err) {
  if (!(opt.speed >= 0) || opt.speed > 1e9)
    throw std::invalid_argument("--speed must be 0 (lockstep) or positive");
  if (opt.linger_ms < 0) throw std::invalid_argument("--linger-ms must be >= 0");
  if (!(opt.max_seconds >= 0)) throw std::invalid_argument("--max-seconds must be >= 0");
  if (opt.max_events < 0) throw std::invalid_argument("--max-events must be >= 0");
  if (opt.port < 0 || opt.port > 65535) throw std::invalid_argument("--port must be 0..65535");
  int32_t from_sec = -1;
  int32_t to_sec = -1;
  if (!opt.from.empty() && !parse_hhmmss(opt.from, from_sec)) {
    throw std::invalid_argument("--from '" + escape_for_message(opt.from) + "' is not HH:MM[:SS]");
  }
  if (!opt.to.empty() && !parse_hhmmss(opt.to, to_sec)) {
    throw std::invalid_argument("--to '" + escape_for_message(opt.to) + "' is not HH:MM[:SS]");
  }
  std::vector<Fault> faults;
  if (!opt.faults_path.empty()) faults = parse_faults(opt.faults_path);

  Config cfg = opt.config_path.empty() ? default_config() : load_config(opt.config_path);
  // The exchange simulator matches against the book it sends (resting orders included):
  // the replay-only fill models have no meaning here, and are refused rather than ignored.
  if (cfg.venue.fill_model != FillModel::Book) {
    throw ConfigError(cfg.source + ": venue.fill_model '" + to_string(cfg.venue.fill_model) +
                      "' is for replay only; tickpipe venue matches with the book model (set it to \"book\")");
  }
  select_instrument(cfg, opt.read.symbol);
  ReadOptions ro = opt.read;
  ro.tick_rule = cfg.tick_rule;
  ro.hours = cfg.hours;
  TickData td = read_ticks(opt.data, cfg.instrument, ro);
  std::vector<InputEvent> events;
  for (const InputEvent& ev : td.events) {
    const int32_t sod = local_seconds_of_day(ev.ts, cfg.instrument.utc_offset_ns);
    if (from_sec >= 0 && sod < from_sec) continue;
    if (to_sec >= 0 && sod >= to_sec) continue;
    events.push_back(ev);
    if (opt.max_events > 0 && static_cast<int64_t>(events.size()) >= opt.max_events) break;
  }
  std::string contract = td.stats.contract.empty() ? opt.read.contract : td.stats.contract;

  g_signal.store(0);
  struct sigaction sa {};
  sa.sa_handler = venue_on_signal;
  sigemptyset(&sa.sa_mask);
  struct sigaction old_int {
  }, old_term{};
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  struct Restore {
    struct sigaction i, t;
    ~Restore() {
      sigaction(SIGINT, &i, nullptr);
      sigaction(SIGTERM, &t, nullptr);
    }
  } restore{old_int, old_term};

  Venue v(opt, std::move(cfg), std::move(events), std::move(contract), std::move(faults));
  return v.run(out, err);
}

}  // namespace tp::venue
