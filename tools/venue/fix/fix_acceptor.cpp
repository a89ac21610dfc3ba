// QuickFIX island (C++14): the FIX 4.4 acceptor of `tickpipe venue`. See
// tools/venue/include/tp/venue/fix_acceptor.hpp for the contract.
#include "tp/venue/fix_acceptor.hpp"

#include <quickfix/Application.h>
#include <quickfix/Log.h>
#include <quickfix/Message.h>
#include <quickfix/MessageStore.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/ThreadedSocketAcceptor.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "fix_dictionary.hpp"
#include "fix_log.hpp"

namespace tp {
namespace venue {

namespace {

thread_local int t_last_sent_seq = 0;  // MsgSeqNum of the last message this thread sent

std::string get(const FIX::FieldMap& m, int tag) {
  std::string v;
  if (m.isSetField(tag)) v = m.getField(tag);
  return v;
}

void set_if(FIX::FieldMap& m, int tag, const std::string& v) {
  if (!v.empty()) m.setField(tag, v);
}
void set_if(FIX::FieldMap& m, int tag, int64_t v) {
  if (v >= 0) m.setField(tag, std::to_string(v));
}
void set_if(FIX::FieldMap& m, int tag, char v) {
  if (v != 0) m.setField(tag, std::string(1, v));
}

/// Picks a free TCP port by binding port 0 and releasing it (QuickFIX binds it again with
/// SO_REUSEADDR right after; a race with another process is retried by the caller).
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("venue: cannot create a socket to pick a free port");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_ANY);
  a.sin_port = 0;
  socklen_t len = sizeof(a);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("venue: cannot pick a free port");
  }
  const int port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

/// MemoryStore whose get() returns the stored messages within [begin, end] even when
/// `begin` itself was never stored. QuickFIX's MemoryStore looks `begin` up exactly, so
/// after a seq_gap fault (skipped outgoing numbers) a ResendRequest starting in the gap
/// would get nothing and QuickFIX would gap-fill over the messages sent after the gap;
/// with this store it gap-fills the skipped numbers only and resends the rest (43=Y).
class GapTolerantStore : public FIX::MemoryStore {
 public:
  bool set(int num, const std::string& msg) throw(FIX::IOException) override {
    messages_[num] = msg;
    return FIX::MemoryStore::set(num, msg);
  }
  void get(int begin, int end, std::vector<std::string>& out) const
      throw(FIX::IOException) override {
    out.clear();
    for (auto it = messages_.lower_bound(begin); it != messages_.end() && it->first <= end; ++it) {
      out.push_back(it->second);
    }
  }
  void reset() throw(FIX::IOException) override {
    messages_.clear();
    FIX::MemoryStore::reset();
  }

 private:
  std::map<int, std::string> messages_;
};

class GapTolerantStoreFactory : public FIX::MessageStoreFactory {
 public:
  FIX::MessageStore* create(const FIX::SessionID&) override { return new GapTolerantStore(); }
  void destroy(FIX::MessageStore* s) override { delete s; }
};

}  // namespace

struct FixAcceptor::Impl : public FIX::Application {
  AcceptorEvents& events;
  AcceptorOptions opt;
  FixFileLogFactory log_factory;
  GapTolerantStoreFactory store_factory;
  std::unique_ptr<FIX::SessionSettings> settings;
  std::unique_ptr<FIX::ThreadedSocketAcceptor> acceptor;
  FIX::SessionID order_id;
  FIX::SessionID md_id;
  std::atomic<bool> running{false};
  std::string dictionary;  ///< temporary FIX44 data dictionary file (removed by stop)

  Impl(AcceptorEvents& ev, AcceptorOptions o)
      : events(ev),
        opt(std::move(o)),
        log_factory(opt.log_path),
        order_id("FIX.4.4", opt.sender, opt.order_target),
        md_id("FIX.4.4", opt.sender, opt.md_target) {}

  FixSession which(const FIX::SessionID& id) const {
    return id.getTargetCompID().getString() == opt.md_target ? FixSession::MarketData
                                                             : FixSession::Order;
  }
  const FIX::SessionID& id_of(FixSession s) const {
    return s == FixSession::MarketData ? md_id : order_id;
  }

  // ---- FIX::Application
  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID& id) override { events.on_logon(which(id)); }
  void onLogout(const FIX::SessionID& id) override { events.on_logout(which(id)); }
  void toAdmin(FIX::Message& m, const FIX::SessionID&) override {
    t_last_sent_seq = std::atoi(get(m.getHeader(), 34).c_str());
  }
  void toApp(FIX::Message& m, const FIX::SessionID&) throw(FIX::DoNotSend) override {
    t_last_sent_seq = std::atoi(get(m.getHeader(), 34).c_str());
  }
  void fromAdmin(const FIX::Message& m, const FIX::SessionID& id) throw(FIX::FieldNotFound,
                                                                        FIX::IncorrectDataFormat,
                                                                        FIX::IncorrectTagValue,
                                                                        FIX::RejectLogon) override {
    if (get(m.getHeader(), 35) == "0") events.on_heartbeat(which(id), get(m, 112));
  }
  void fromApp(const FIX::Message& m,
               const FIX::SessionID& id) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat,
                                               FIX::IncorrectTagValue,
                                               FIX::UnsupportedMessageType) override {
    const std::string type = get(m.getHeader(), 35);
    const FixSession s = which(id);
    events.on_app_message(s, type);
    if (s == FixSession::MarketData) {
      if (type != "V") throw FIX::UnsupportedMessageType();
      FixMdRequest r;
      r.md_req_id = get(m, 262);
      r.subscription_type = get(m, 263);
      FIX::Group g(146, 55);
      if (m.hasGroup(1, g)) {  // the first NoRelatedSym entry
        m.getGroup(1, g);
        r.symbol = get(g, 55);
        r.maturity = get(g, 200);
      }
      events.on_md_request(r);
      return;
    }
    if (type == "D") {
      FixNewOrder o;
      o.clordid = get(m, 11);
      o.account = get(m, 1);
      o.symbol = get(m, 55);
      o.maturity = get(m, 200);
      o.side = get(m, 54);
      o.order_qty = get(m, 38);
      o.ord_type = get(m, 40);
      o.price = get(m, 44);
      o.tif = get(m, 59);
      o.position_effect = get(m, 77);
      o.transact_time = get(m, 60);
      events.on_new_order(o);
    } else if (type == "F") {
      FixCancelRequest c;
      c.clordid = get(m, 11);
      c.orig_clordid = get(m, 41);
      c.order_id = get(m, 37);
      c.symbol = get(m, 55);
      c.side = get(m, 54);
      c.order_qty = get(m, 38);
      events.on_cancel_request(c);
    } else if (type == "H") {
      FixStatusRequest r;
      r.clordid = get(m, 11);
      r.order_id = get(m, 37);
      r.symbol = get(m, 55);
      r.side = get(m, 54);
      events.on_status_request(r);
    } else if (type == "AF") {
      FixMassStatusRequest r;
      r.mass_status_req_id = get(m, 584);
      r.mass_status_req_type = get(m, 585);
      events.on_mass_status_request(r);
    } else if (type == "AN") {
      FixPositionsRequest r;
      r.pos_req_id = get(m, 710);
      r.pos_req_type = get(m, 724);
      r.clearing_business_date = get(m, 715);
      events.on_positions_request(r);
    } else {
      throw FIX::UnsupportedMessageType();
    }
  }

  int send(FIX::Message& m, FixSession s) {
    FIX::Session* session = FIX::Session::lookupSession(id_of(s));
    if (session == nullptr || !session->isLoggedOn()) return 0;
    t_last_sent_seq = 0;
    try {
      if (!FIX::Session::sendToTarget(m, id_of(s))) return 0;
    } catch (const FIX::Exception& e) {
      log_factory.event("send failed: " + std::string(e.what()));
      return 0;
    }
    return t_last_sent_seq;
  }

  int send_md(const FixMdMessage& md, bool snapshot) {
    // Header fields of docs/FIX.md before the 268 group (a custom body order: QuickFIX
    // would otherwise sort the body by tag and put 336 / 5001 after the group).
    FIX::Message m(FIX::message_order(FIX::message_order::header),
                   FIX::message_order(FIX::message_order::trailer),
                   FIX::message_order(262, 55, 200, 60, 75, 336, 5001, 268, 0));
    m.getHeader().setField(35, snapshot ? "W" : "X");
    set_if(m, 262, md.md_req_id);
    if (snapshot) {
      set_if(m, 55, md.symbol);
      set_if(m, 200, md.maturity);
    }
    set_if(m, 60, md.transact_time);
    set_if(m, 75, md.trade_date);
    set_if(m, 336, md.session_id);
    if (md.synthetic) m.setField(5001, "Y");
    m.setField(268, std::to_string(md.entries.size()));
    for (const FixMdEntry& e : md.entries) {
      FIX::Group g(268, snapshot ? 269 : 279,
                   snapshot ? FIX::message_order(269, 270, 271, 1023, 277, 0)
                            : FIX::message_order(279, 269, 270, 271, 1023, 277, 0));
      if (!snapshot && e.update_action >= 0) g.setField(279, std::to_string(e.update_action));
      g.setField(269, std::string(1, e.type));
      set_if(g, 270, e.px);
      set_if(g, 271, e.size);
      if (e.level > 0) g.setField(1023, std::to_string(e.level));
      set_if(g, 277, e.trade_condition);
      m.addGroup(g);
    }
    return send(m, FixSession::MarketData);
  }
};

FixAcceptor::FixAcceptor(AcceptorEvents& events, AcceptorOptions opt)
    : impl_(new Impl(events, std::move(opt))) {}

FixAcceptor::~FixAcceptor() {
  try {
    stop(0);
  } catch (...) {
  }
}

int FixAcceptor::start() {
  Impl& im = *impl_;
  std::string last_error;
  if (im.dictionary.empty()) im.dictionary = write_fix44_dictionary();
  for (int attempt = 0; attempt < 5; ++attempt) {
    const int port = im.opt.port != 0 ? im.opt.port : free_port();
    std::ostringstream cfg;
    cfg << "[DEFAULT]\n"
           "ConnectionType=acceptor\n"
        << "SocketAcceptPort=" << port << "\n"
        << "SocketReuseAddress=Y\n"
           "SocketNodelay=Y\n"
           "BeginString=FIX.4.4\n"
        << "SenderCompID=" << im.opt.sender << "\n"
        << fix44_validation_settings(im.dictionary)
        << "ResetOnLogon=N\n"
           "ResetOnLogout=N\n"
           "ResetOnDisconnect=N\n"
           "PersistMessages=Y\n"
           "TimestampPrecision=3\n"
           "[SESSION]\n"
        << "TargetCompID=" << im.opt.order_target << "\n"
        << "[SESSION]\n"
        << "TargetCompID=" << im.opt.md_target << "\n";
    try {
      std::istringstream in(cfg.str());
      im.settings.reset(new FIX::SessionSettings(in));
      im.acceptor.reset(
          new FIX::ThreadedSocketAcceptor(im, im.store_factory, *im.settings, im.log_factory));
      im.acceptor->start();
      im.running = true;
      return port;
    } catch (const FIX::Exception& e) {
      last_error = e.what();
      im.acceptor.reset();
      if (im.opt.port != 0) break;  // a fixed port: no retry
    }
  }
  throw std::runtime_error("venue: cannot listen: " + last_error);
}

void FixAcceptor::stop(int grace_ms) {
  Impl& im = *impl_;
  if (!im.running.exchange(false)) return;
  for (FixSession s : {FixSession::Order, FixSession::MarketData}) {
    FIX::Session* session = FIX::Session::lookupSession(im.id_of(s));
    if (session != nullptr && session->isLoggedOn()) session->logout("venue shutting down");
  }
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
  while (std::chrono::steady_clock::now() < until &&
         (logged_on(FixSession::Order) || logged_on(FixSession::MarketData))) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  try {
    im.acceptor->stop(true);
  } catch (const FIX::Exception& e) {
    im.log_factory.event("stop: " + std::string(e.what()));
  }
  if (!im.dictionary.empty()) ::unlink(im.dictionary.c_str());
  im.dictionary.clear();
}

bool FixAcceptor::logged_on(FixSession s) const {
  FIX::Session* session = FIX::Session::lookupSession(impl_->id_of(s));
  return session != nullptr && session->isLoggedOn();
}

int FixAcceptor::send_exec_report(const FixExecReport& er) {
  FIX::Message m;
  m.getHeader().setField(35, "8");
  set_if(m, 37, er.order_id);
  set_if(m, 11, er.clordid);
  set_if(m, 41, er.orig_clordid);
  set_if(m, 17, er.exec_id);
  set_if(m, 150, er.exec_type);
  set_if(m, 39, er.ord_status);
  set_if(m, 55, er.symbol);
  set_if(m, 200, er.maturity);
  set_if(m, 54, er.side);
  set_if(m, 38, er.order_qty);
  set_if(m, 44, er.price);
  set_if(m, 59, er.tif);
  set_if(m, 77, er.position_effect);
  set_if(m, 14, er.cum_qty);
  set_if(m, 151, er.leaves_qty);
  set_if(m, 6, er.avg_px);
  set_if(m, 31, er.last_px);
  set_if(m, 32, er.last_qty);
  if (er.ord_rej_reason >= 0) m.setField(103, std::to_string(er.ord_rej_reason));
  set_if(m, 58, er.text);
  set_if(m, 60, er.transact_time);
  set_if(m, 584, er.mass_status_req_id);
  if (er.tot_num_reports >= 0) m.setField(911, std::to_string(er.tot_num_reports));
  if (er.last_rpt_requested) m.setField(912, "Y");
  return impl_->send(m, FixSession::Order);
}

int FixAcceptor::send_cancel_reject(const FixCancelReject& cr) {
  FIX::Message m;
  m.getHeader().setField(35, "9");
  m.setField(37, cr.order_id.empty() ? std::string("NONE") : cr.order_id);
  set_if(m, 11, cr.clordid);
  set_if(m, 41, cr.orig_clordid);
  set_if(m, 39, cr.ord_status);
  set_if(m, 434, cr.response_to);
  m.setField(102, std::to_string(cr.cxl_rej_reason));
  set_if(m, 58, cr.text);
  set_if(m, 60, cr.transact_time);
  return impl_->send(m, FixSession::Order);
}

int FixAcceptor::send_position_report(const FixPositionReport& ap) {
  FIX::Message m(FIX::message_order(FIX::message_order::header),
                 FIX::message_order(FIX::message_order::trailer),
                 FIX::message_order(721, 710, 727, 728, 715, 1, 55, 200, 702, 0));
  m.getHeader().setField(35, "AP");
  set_if(m, 721, ap.pos_maint_rpt_id);
  set_if(m, 710, ap.pos_req_id);
  m.setField(727, std::to_string(ap.total_num_pos_reports));
  m.setField(728, std::to_string(ap.pos_req_result));
  set_if(m, 715, ap.clearing_business_date);
  set_if(m, 1, ap.account);
  set_if(m, 55, ap.symbol);
  set_if(m, 200, ap.maturity);
  FIX::Group g(702, 703, FIX::message_order(703, 704, 705, 0));
  g.setField(703, "TQ");
  g.setField(704, std::to_string(ap.long_qty));
  g.setField(705, std::to_string(ap.short_qty));
  m.addGroup(g);
  return impl_->send(m, FixSession::Order);
}

int FixAcceptor::send_md_snapshot(const FixMdMessage& w) {
  return impl_->send_md(w, true);
}
int FixAcceptor::send_md_incremental(const FixMdMessage& x) {
  return impl_->send_md(x, false);
}

int FixAcceptor::send_md_reject(const std::string& md_req_id, int reason, const std::string& text) {
  FIX::Message m;
  m.getHeader().setField(35, "Y");
  set_if(m, 262, md_req_id);
  m.setField(281, std::to_string(reason));
  set_if(m, 58, text);
  return impl_->send(m, FixSession::MarketData);
}

int FixAcceptor::send_test_request(FixSession s, const std::string& test_req_id) {
  FIX::Message m;
  m.getHeader().setField(35, "1");
  m.setField(112, test_req_id);
  return impl_->send(m, s);
}

void FixAcceptor::disconnect(FixSession s) {
  FIX::Session* session = FIX::Session::lookupSession(impl_->id_of(s));
  if (session != nullptr) {
    impl_->log_factory.event("fault: disconnect " + impl_->id_of(s).toString());
    session->disconnect();
  }
}

void FixAcceptor::skip_sender_seq(FixSession s, int skip) {
  FIX::Session* session = FIX::Session::lookupSession(impl_->id_of(s));
  if (session == nullptr || skip <= 0) return;
  const int next = session->getExpectedSenderNum();
  impl_->log_factory.event("fault: seq_gap " + impl_->id_of(s).toString() + " " +
                           std::to_string(next) + " -> " + std::to_string(next + skip));
  try {
    session->setNextSenderMsgSeqNum(next + skip);
  } catch (const FIX::Exception& e) {
    impl_->log_factory.event("seq_gap failed: " + std::string(e.what()));
  }
}

int FixAcceptor::next_sender_seq(FixSession s) const {
  FIX::Session* session = FIX::Session::lookupSession(impl_->id_of(s));
  return session == nullptr ? 0 : session->getExpectedSenderNum();
}

}  // namespace venue
}  // namespace tp
