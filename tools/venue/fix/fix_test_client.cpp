// QuickFIX island (C++14): the test initiator. See
// tools/venue/include/tp/venue/fix_test_client.hpp.
#include "tp/venue/fix_test_client.hpp"

#include <quickfix/Application.h>
#include <quickfix/Message.h>
#include <quickfix/MessageStore.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/ThreadedSocketInitiator.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <unistd.h>

#include "fix_dictionary.hpp"
#include "fix_log.hpp"

namespace tp {
namespace venue {

std::string FixMsg::get(int tag) const {
  for (const auto& f : fields) {
    if (f.first == tag) return f.second;
  }
  return std::string();
}

std::vector<std::string> FixMsg::all(int tag) const {
  std::vector<std::string> v;
  for (const auto& f : fields) {
    if (f.first == tag) v.push_back(f.second);
  }
  return v;
}

bool FixMsg::has(int tag) const {
  for (const auto& f : fields) {
    if (f.first == tag) return true;
  }
  return false;
}

namespace {
FixMsg decode(const FIX::Message& m, bool md) {
  static const std::set<int> kHeader = {8, 9, 35, 49, 56, 34, 52, 43, 122, 10};
  FixMsg out;
  out.md = md;
  const std::string raw = m.toString();
  std::size_t pos = 0;
  while (pos < raw.size()) {
    const std::size_t eq = raw.find('=', pos);
    const std::size_t soh = raw.find('\x01', pos);
    if (eq == std::string::npos || soh == std::string::npos || eq > soh) break;
    const int tag = std::atoi(raw.substr(pos, eq - pos).c_str());
    const std::string value = raw.substr(eq + 1, soh - eq - 1);
    if (tag == 35) out.type = value;
    if (tag == 34) out.seq = std::atoi(value.c_str());
    if (kHeader.count(tag) == 0) out.fields.emplace_back(tag, value);
    pos = soh + 1;
  }
  return out;
}
}  // namespace

struct FixTestClient::Impl : public FIX::Application {
  FixClientOptions opt;
  FixFileLogFactory log_factory;
  FIX::MemoryStoreFactory store_factory;
  std::unique_ptr<FIX::SessionSettings> settings;
  std::unique_ptr<FIX::ThreadedSocketInitiator> initiator;
  FIX::SessionID order_id{"FIX.4.4", "TICKPIPE", "TPVENUE"};
  FIX::SessionID md_id{"FIX.4.4", "TICKPIPE-MD", "TPVENUE"};
  mutable std::mutex mu;
  mutable std::condition_variable cv;
  std::vector<FixMsg> msgs;
  int logons[2] = {0, 0};
  std::function<void(const std::string&)> hook;
  bool running = false;
  std::string dictionary;  ///< temporary FIX44 data dictionary file

  explicit Impl(FixClientOptions o) : opt(std::move(o)), log_factory(opt.log_path) {}

  bool is_md(const FIX::SessionID& id) const {
    return id.getSenderCompID().getString() == "TICKPIPE-MD";
  }

  void record(const FIX::Message& m, const FIX::SessionID& id) {
    FixMsg d = decode(m, is_md(id));
    {
      std::lock_guard<std::mutex> l(mu);
      msgs.push_back(std::move(d));
    }
    cv.notify_all();
  }

  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID& id) override {
    {
      std::lock_guard<std::mutex> l(mu);
      ++logons[is_md(id) ? 1 : 0];
    }
    cv.notify_all();
  }
  void onLogout(const FIX::SessionID&) override { cv.notify_all(); }
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message&, const FIX::SessionID&) throw(FIX::DoNotSend) override {}
  void fromAdmin(const FIX::Message& m, const FIX::SessionID& id) throw(FIX::FieldNotFound,
                                                                        FIX::IncorrectDataFormat,
                                                                        FIX::IncorrectTagValue,
                                                                        FIX::RejectLogon) override {
    if (m.getHeader().getField(35) != "1") return;
    record(m, id);
    std::function<void(const std::string&)> h;
    {
      std::lock_guard<std::mutex> l(mu);
      h = hook;
    }
    if (!is_md(id) && h) h(m.isSetField(112) ? m.getField(112) : std::string());
  }
  void fromApp(const FIX::Message& m,
               const FIX::SessionID& id) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat,
                                               FIX::IncorrectTagValue,
                                               FIX::UnsupportedMessageType) override {
    record(m, id);
  }
};

FixTestClient::FixTestClient(FixClientOptions opt) : impl_(new Impl(std::move(opt))) {}
FixTestClient::~FixTestClient() {
  try {
    stop();
  } catch (...) {
  }
}

void FixTestClient::start() {
  Impl& im = *impl_;
  if (im.dictionary.empty()) im.dictionary = write_fix44_dictionary();
  std::ostringstream cfg;
  cfg << "[DEFAULT]\n"
         "ConnectionType=initiator\n"
         "SocketConnectHost=127.0.0.1\n"
      << "SocketConnectPort=" << im.opt.port << "\n"
      << "HeartBtInt=" << im.opt.heartbeat_s << "\n"
      << "ReconnectInterval=1\n"
         "BeginString=FIX.4.4\n"
      << fix44_validation_settings(im.dictionary)
      << "SocketNodelay=Y\n"
      << "ResetOnLogon=" << (im.opt.reset_seq ? "Y" : "N") << "\n"
      << "TargetCompID=TPVENUE\n";
  if (im.opt.order_session) cfg << "[SESSION]\nSenderCompID=TICKPIPE\n";
  if (im.opt.md_session) cfg << "[SESSION]\nSenderCompID=TICKPIPE-MD\n";
  try {
    std::istringstream in(cfg.str());
    im.settings.reset(new FIX::SessionSettings(in));
    im.initiator.reset(
        new FIX::ThreadedSocketInitiator(im, im.store_factory, *im.settings, im.log_factory));
    im.initiator->start();
    im.running = true;
  } catch (const FIX::Exception& e) {
    throw std::runtime_error(std::string("test client: ") + e.what());
  }
}

void FixTestClient::stop() {
  Impl& im = *impl_;
  if (!im.running) return;
  im.running = false;
  try {
    im.initiator->stop(false);
  } catch (const FIX::Exception&) {
  }
  if (!im.dictionary.empty()) ::unlink(im.dictionary.c_str());
  im.dictionary.clear();
}

bool FixTestClient::logged_on(bool md) const {
  FIX::Session* s = FIX::Session::lookupSession(md ? impl_->md_id : impl_->order_id);
  return s != nullptr && s->isLoggedOn();
}

bool FixTestClient::wait_logged_on(int timeout_ms, bool order, bool md) const {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    if ((!order || logged_on(false)) && (!md || logged_on(true))) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

bool FixTestClient::send(bool md, const std::string& msg_type,
                         const std::vector<std::pair<int, std::string>>& fields) {
  if (!logged_on(md)) return false;
  FIX::Message m;
  m.getHeader().setField(35, msg_type);
  for (const auto& f : fields) m.setField(f.first, f.second);
  try {
    return FIX::Session::sendToTarget(m, md ? impl_->md_id : impl_->order_id);
  } catch (const FIX::Exception&) {
    return false;
  }
}

bool FixTestClient::send_md_request(const std::string& md_req_id, const std::string& symbol,
                                    const std::string& maturity) {
  if (!logged_on(true)) return false;
  FIX::Message m(FIX::message_order(FIX::message_order::header),
                 FIX::message_order(FIX::message_order::trailer),
                 FIX::message_order(262, 263, 264, 265, 267, 146, 0));
  m.getHeader().setField(35, "V");
  m.setField(262, md_req_id);
  m.setField(263, "1");
  m.setField(264, "5");
  m.setField(265, "1");
  for (const char* t : {"0", "1", "2"}) {
    FIX::Group g(267, 269);
    g.setField(269, t);
    m.addGroup(g);
  }
  FIX::Group s(146, 55, FIX::message_order(55, 200, 0));
  s.setField(55, symbol);
  if (!maturity.empty()) s.setField(200, maturity);
  m.addGroup(s);
  try {
    return FIX::Session::sendToTarget(m, impl_->md_id);
  } catch (const FIX::Exception&) {
    return false;
  }
}

std::vector<FixMsg> FixTestClient::messages() const {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->msgs;
}

bool FixTestClient::wait_for(const std::function<bool(const std::vector<FixMsg>&)>& pred,
                             int timeout_ms) const {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::unique_lock<std::mutex> l(impl_->mu);
  while (!pred(impl_->msgs)) {
    if (impl_->cv.wait_until(l, until) == std::cv_status::timeout) return pred(impl_->msgs);
  }
  return true;
}

int FixTestClient::logons(bool md) const {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->logons[md ? 1 : 0];
}

void FixTestClient::set_test_request_hook(std::function<void(const std::string&)> hook) {
  std::lock_guard<std::mutex> l(impl_->mu);
  impl_->hook = std::move(hook);
}

}  // namespace venue
}  // namespace tp
