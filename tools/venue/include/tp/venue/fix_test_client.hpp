// A small FIX 4.4 initiator for the venue's integration tests (tests/venue_fix_test.cpp):
// the two sessions of docs/FIX.md (TICKPIPE and TICKPIPE-MD -> TPVENUE) on QuickFIX's
// ThreadedSocketInitiator, compiled in the C++14 island (library tp_venue_fix_client)
// behind this QuickFIX-free header (valid C++14 and C++20).
//
// Every application message and every TestRequest received is recorded as a FixMsg
// (tags in wire order, groups flattened). Threads: QuickFIX's connection threads record;
// the accessors may be called from any thread (one mutex). The TestRequest hook runs on
// the order session's connection thread before QuickFIX answers with its Heartbeat, so
// a hook that sleeps holds the Heartbeat back and a hook that sends orders puts them on
// the wire before it. Allocation: everything (test code).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace tp {
namespace venue {

struct FixMsg {
  bool md = false;                                  ///< received on the market-data session
  std::string type;                                 ///< 35
  int seq = 0;                                      ///< 34
  std::vector<std::pair<int, std::string>> fields;  ///< body tags in wire order
  /// First value of `tag` ("" when absent).
  std::string get(int tag) const;
  /// Every value of `tag`, in order (repeating-group fields).
  std::vector<std::string> all(int tag) const;
  bool has(int tag) const;
};

struct FixClientOptions {
  int port = 0;
  int heartbeat_s = 1;
  bool reset_seq = true;  ///< Logon with 141=Y
  std::string log_path;   ///< messages in/out ("" = none)
  bool order_session = true;
  bool md_session = true;
};

class FixTestClient {
 public:
  explicit FixTestClient(FixClientOptions opt);
  ~FixTestClient();
  FixTestClient(const FixTestClient&) = delete;
  FixTestClient& operator=(const FixTestClient&) = delete;

  void start();  ///< connects (throws std::runtime_error on bad settings)
  void stop();   ///< logs out and disconnects; idempotent

  bool logged_on(bool md) const;
  /// Waits until the wanted sessions are logged on; false on timeout.
  bool wait_logged_on(int timeout_ms, bool order = true, bool md = true) const;

  /// Sends an application message (no groups) on a session; false when not logged on.
  bool send(bool md, const std::string& msg_type,
            const std::vector<std::pair<int, std::string>>& fields);
  /// MarketDataRequest (V) of docs/FIX.md.
  bool send_md_request(const std::string& md_req_id, const std::string& symbol,
                       const std::string& maturity);

  /// Received messages so far (a copy).
  std::vector<FixMsg> messages() const;
  /// Waits until `pred(messages)` holds; false on timeout.
  bool wait_for(const std::function<bool(const std::vector<FixMsg>&)>& pred, int timeout_ms) const;
  /// Number of logons seen on a session (reconnects count).
  int logons(bool md) const;

  /// Called with 112 of every TestRequest received on the order session, on its
  /// connection thread, before the Heartbeat answer is sent.
  void set_test_request_hook(std::function<void(const std::string&)> hook);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace venue
}  // namespace tp
