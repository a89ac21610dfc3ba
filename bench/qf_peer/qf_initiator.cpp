// QuickFIX side of bench/fix_wire_latency (qf_initiator.hpp). C++14: QuickFIX 1.15's
// headers use dynamic exception specifications. Our overrides are noexcept (allowed: at
// least as strict as the base's throw(...)) and catch everything themselves.
#include "qf_initiator.hpp"

#include "fix_dictionary.hpp"

#include <quickfix/Application.h>
#include <quickfix/DataDictionary.h>
#include <quickfix/DataDictionaryProvider.h>
#include <quickfix/MessageStore.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/SocketInitiator.h>
#include <quickfix/fix44/MarketDataIncrementalRefresh.h>
#include <quickfix/fix44/NewOrderSingle.h>

#include <atomic>
#include <mutex>
#include <sstream>

namespace tp {
namespace bench {

namespace {

// The FIX 4.4 dictionary of docs/FIX.md's profile: the venue's (tools/venue/fix/
// fix_dictionary.hpp; Debian ships no FIX44.xml, and without a dictionary QuickFIX
// cannot parse 268 as a repeating group). Installed on the session programmatically
// (UseDataDictionary=N in the settings).

constexpr int kLevels = 5;

class App final : public FIX::Application {
 public:
  std::atomic<uint64_t> md_in{0}, orders_out{0}, decode_errors{0};
  std::atomic<bool> logged_on{false};

  void onCreate(const FIX::SessionID&) noexcept override {}
  void onLogon(const FIX::SessionID&) noexcept override { logged_on.store(true); }
  void onLogout(const FIX::SessionID&) noexcept override { logged_on.store(false); }
  void toAdmin(FIX::Message&, const FIX::SessionID&) noexcept override {}
  void toApp(FIX::Message&, const FIX::SessionID&) noexcept override {}
  void fromAdmin(const FIX::Message&, const FIX::SessionID&) noexcept override {}

  void fromApp(const FIX::Message& m, const FIX::SessionID& sid) noexcept override {
    try {
      FIX::MsgType type;
      m.getHeader().getField(type);
      if (type.getValue() != "X") return;
      // Decode the whole book and the trade, as a strategy would.
      double bid_px[kLevels] = {}, ask_px[kLevels] = {};
      double bid_qty[kLevels] = {}, ask_qty[kLevels] = {};
      double last_px = 0, last_qty = 0;
      FIX::NoMDEntries n;
      m.getField(n);
      FIX44::MarketDataIncrementalRefresh::NoMDEntries g;
      FIX::MDUpdateAction action;
      FIX::MDEntryType et;
      FIX::MDEntryPx px;
      FIX::MDEntrySize sz;
      FIX::MDPriceLevel lvl;
      for (int i = 1; i <= n.getValue(); ++i) {
        m.getGroup(static_cast<unsigned>(i), g);
        g.getField(action);
        g.getField(et);
        g.getField(px);
        g.getField(sz);
        const char t = et.getValue();
        if (t == '2') {
          last_px = px.getValue();
          last_qty = sz.getValue();
          continue;
        }
        g.getField(lvl);
        const int l = lvl.getValue() - 1;
        if (l < 0 || l >= kLevels) continue;
        if (t == '0') {
          bid_px[l] = px.getValue();
          bid_qty[l] = sz.getValue();
        } else {
          ask_px[l] = px.getValue();
          ask_qty[l] = sz.getValue();
        }
      }
      md_in.fetch_add(1, std::memory_order_relaxed);
      if (ask_px[0] <= 0 || bid_qty[0] + ask_qty[0] + last_qty + last_px + bid_px[0] <= 0) {
        decode_errors.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      ++next_id_;
      FIX44::NewOrderSingle d(FIX::ClOrdID(std::to_string(next_id_)), FIX::Side(FIX::Side_BUY),
                              FIX::TransactTime(6), FIX::OrdType(FIX::OrdType_LIMIT));
      d.set(FIX::Symbol("MTX"));
      d.set(FIX::OrderQty(1));
      d.set(FIX::Price(ask_px[0]));
      d.set(FIX::TimeInForce(FIX::TimeInForce_FILL_OR_KILL));
      d.set(FIX::PositionEffect(FIX::PositionEffect_OPEN));
      if (FIX::Session::sendToTarget(d, sid)) orders_out.fetch_add(1, std::memory_order_relaxed);
    } catch (...) {
      decode_errors.fetch_add(1, std::memory_order_relaxed);
    }
  }

 private:
  uint64_t next_id_ = 0;
};

}  // namespace

struct QfInitiator::Impl {
  App app;
  std::unique_ptr<FIX::SessionSettings> settings;
  std::unique_ptr<FIX::MemoryStoreFactory> store;
  std::unique_ptr<FIX::SocketInitiator> initiator;
  std::mutex mu;
  bool started = false;
};

QfInitiator::QfInitiator() : impl_(new Impl) {}

QfInitiator::~QfInitiator() { stop(); }

const char* QfInitiator::dictionary_note() {
  return "UseDataDictionary=N + an embedded minimal FIX44 dictionary (this profile's messages; "
         "no FIX44.xml installed) set on the session, so 268 parses as a repeating group";
}

bool QfInitiator::start(uint16_t port, const std::string& sender, const std::string& target, int heartbeat_s,
                        std::string& error) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->started) return true;
  try {
    std::ostringstream cfg;
    cfg << "[DEFAULT]\n"
        << "ConnectionType=initiator\n"
        << "HeartBtInt=" << heartbeat_s << "\n"
        << "ReconnectInterval=60\n"
        << "StartTime=00:00:00\nEndTime=00:00:00\n"
        << "UseDataDictionary=N\n"
        << "ResetOnLogon=Y\n"
        << "PersistMessages=N\n"
        << "SocketNodelay=Y\n"
        << "[SESSION]\n"
        << "BeginString=FIX.4.4\n"
        << "SenderCompID=" << sender << "\n"
        << "TargetCompID=" << target << "\n"
        << "SocketConnectHost=127.0.0.1\n"
        << "SocketConnectPort=" << port << "\n";
    std::istringstream in(cfg.str());
    impl_->settings.reset(new FIX::SessionSettings(in));
    impl_->store.reset(new FIX::MemoryStoreFactory());
    // No LogFactory: QuickFIX logs nothing (no file, no screen).
    impl_->initiator.reset(new FIX::SocketInitiator(impl_->app, *impl_->store, *impl_->settings));
    std::istringstream dict_in(tp::venue::fix44_dictionary_xml());
    std::shared_ptr<FIX::DataDictionary> dd(new FIX::DataDictionary(dict_in));
    dd->checkFieldsOutOfOrder(false);
    dd->checkUserDefinedFields(false);
    FIX::DataDictionaryProvider provider;
    provider.addTransportDataDictionary(FIX::BeginString("FIX.4.4"), dd);
    for (const FIX::SessionID& sid : impl_->initiator->getSessions()) {
      FIX::Session* s = FIX::Session::lookupSession(sid);
      if (s != nullptr) s->setDataDictionaryProvider(provider);
    }
    impl_->initiator->start();
    impl_->started = true;
    return true;
  } catch (const std::exception& e) {
    error = e.what();
    impl_->initiator.reset();
    return false;
  }
}

void QfInitiator::stop() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (!impl_->started) return;
  impl_->started = false;
  try {
    impl_->initiator->stop();
  } catch (...) {
  }
  impl_->initiator.reset();
}

QfInitiatorStats QfInitiator::stats() const {
  QfInitiatorStats s;
  s.md_in = impl_->app.md_in.load(std::memory_order_relaxed);
  s.orders_out = impl_->app.orders_out.load(std::memory_order_relaxed);
  s.decode_errors = impl_->app.decode_errors.load(std::memory_order_relaxed);
  s.logged_on = impl_->app.logged_on.load(std::memory_order_relaxed);
  return s;
}

}  // namespace bench
}  // namespace tp
