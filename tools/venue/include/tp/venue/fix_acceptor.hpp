// The FIX 4.4 acceptor of `tickpipe venue` (docs/FIX.md), behind a plain C++ interface.
//
// QuickFIX (libquickfix 1.15) does not compile as C++17/20 (dynamic exception
// specifications), so every use of it lives in the static library tp_venue_fix, compiled
// as C++14. This header is the only thing the rest of tickpipe sees: it holds no QuickFIX
// type and is valid C++14 and C++20 (no string_view, no nested namespace definitions).
//
// Sessions: FIX.4.4 TPVENUE->TICKPIPE (order) and TPVENUE->TICKPIPE-MD (market data),
// MemoryStore, no data dictionary (FIX44.xml is not installed; nothing is validated
// against one, so tag 5001 and every tag of docs/FIX.md pass), ResetOnLogon=N: a client
// that logs on with 141=Y gets its sequence numbers reset by QuickFIX's own Logon logic,
// a client logging on with a higher MsgSeqNum gets QuickFIX's ResendRequest.
//
// Threads: QuickFIX's ThreadedSocketAcceptor, one thread per connection. Every callback
// of AcceptorEvents for a session runs on that session's connection thread, in the order
// the messages came off the wire; the two sessions' callbacks may run concurrently (the
// implementation of AcceptorEvents synchronises). This per-connection order is what makes
// the lockstep of docs/FIX.md "Pacing" correct: orders and the Heartbeat answering
// `sync:<s>` share the order connection, so every order the client sent before that
// Heartbeat has been handed to on_new_order (and answered) before on_heartbeat(sync:<s>).
// The send functions may be called from any thread (QuickFIX's Session serialises). A
// callback may call the send functions; it must not call stop().
//
// Errors: start() throws std::runtime_error (the port cannot be bound, bad settings);
// send functions return 0 / false when the session is not logged on (nothing is sent).
// Allocation: everything here allocates (cold path; FIX is not the hot path).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tp {
namespace venue {

enum class FixSession { Order = 0, MarketData = 1 };

/// NewOrderSingle (D), as received: values are the raw tag values ("" when absent).
struct FixNewOrder {
  std::string clordid;          ///< 11
  std::string account;          ///< 1
  std::string symbol;           ///< 55
  std::string maturity;         ///< 200 MaturityMonthYear
  std::string side;             ///< 54: "1" buy, "2" sell
  std::string order_qty;        ///< 38 (lots, decimal text)
  std::string ord_type;         ///< 40 ("2" limit)
  std::string price;            ///< 44 (decimal price units)
  std::string tif;              ///< 59: "4" FOK, "3" IOC, "0" Day
  std::string position_effect;  ///< 77: "O" / "C"
  std::string transact_time;    ///< 60
};

/// OrderCancelRequest (F).
struct FixCancelRequest {
  std::string clordid;       ///< 11 (the cancel's own id)
  std::string orig_clordid;  ///< 41
  std::string order_id;      ///< 37 (optional)
  std::string symbol;        ///< 55
  std::string side;          ///< 54
  std::string order_qty;     ///< 38
};

/// OrderStatusRequest (H).
struct FixStatusRequest {
  std::string clordid;   ///< 11
  std::string order_id;  ///< 37 (optional)
  std::string symbol;    ///< 55
  std::string side;      ///< 54
};

/// OrderMassStatusRequest (AF).
struct FixMassStatusRequest {
  std::string mass_status_req_id;    ///< 584
  std::string mass_status_req_type;  ///< 585 ("7" all orders)
};

/// RequestForPositions (AN).
struct FixPositionsRequest {
  std::string pos_req_id;              ///< 710
  std::string pos_req_type;            ///< 724 ("0" positions)
  std::string clearing_business_date;  ///< 715
};

/// MarketDataRequest (V). Only the first related symbol is read.
struct FixMdRequest {
  std::string md_req_id;          ///< 262
  std::string subscription_type;  ///< 263
  std::string symbol;             ///< 55 of the first 146 entry
  std::string maturity;           ///< 200 of the first 146 entry
};

/// ExecutionReport (8). Empty strings / negative numbers are not sent.
struct FixExecReport {
  std::string order_id;             ///< 37
  std::string clordid;              ///< 11
  std::string orig_clordid;         ///< 41 (cancels)
  std::string exec_id;              ///< 17
  char exec_type = '0';             ///< 150
  char ord_status = '0';            ///< 39 (0 = not sent)
  std::string symbol;               ///< 55
  std::string maturity;             ///< 200
  char side = 0;                    ///< 54 (0 = not sent)
  int64_t order_qty = -1;           ///< 38
  std::string price;                ///< 44
  char tif = 0;                     ///< 59 (0 = not sent)
  char position_effect = 0;         ///< 77 (0 = not sent)
  int64_t cum_qty = -1;             ///< 14
  int64_t leaves_qty = -1;          ///< 151
  std::string avg_px;               ///< 6
  std::string last_px;              ///< 31
  int64_t last_qty = -1;            ///< 32
  int ord_rej_reason = -1;          ///< 103
  std::string text;                 ///< 58
  std::string transact_time;        ///< 60
  std::string mass_status_req_id;   ///< 584
  int tot_num_reports = -1;         ///< 911
  bool last_rpt_requested = false;  ///< 912=Y
};

/// OrderCancelReject (9).
struct FixCancelReject {
  std::string order_id;       ///< 37 ("NONE" when unknown)
  std::string clordid;        ///< 11
  std::string orig_clordid;   ///< 41
  char ord_status = '8';      ///< 39
  char response_to = '1';     ///< 434
  int cxl_rej_reason = 1;     ///< 102
  std::string text;           ///< 58
  std::string transact_time;  ///< 60
};

/// PositionReport (AP), one NoPositions entry of PosType TQ.
struct FixPositionReport {
  std::string pos_maint_rpt_id;        ///< 721
  std::string pos_req_id;              ///< 710
  int total_num_pos_reports = 1;       ///< 727
  int pos_req_result = 0;              ///< 728
  std::string clearing_business_date;  ///< 715
  std::string symbol;                  ///< 55
  std::string maturity;                ///< 200
  std::string account;                 ///< 1
  int64_t long_qty = 0;                ///< 704
  int64_t short_qty = 0;               ///< 705
};

/// One 268 entry of W / X.
struct FixMdEntry {
  int update_action = -1;       ///< 279 (X only): 0 new, 1 change, 2 delete; -1 not sent
  char type = '0';              ///< 269: 0 bid, 1 offer, 2 trade
  std::string px;               ///< 270 (decimal price units; "" not sent)
  int64_t size = -1;            ///< 271 (lots)
  int level = 0;                ///< 1023 (1..5; 0 not sent)
  std::string trade_condition;  ///< 277 ("O" auction)
};

/// A W (snapshot) or X (incremental).
struct FixMdMessage {
  std::string md_req_id;      ///< 262
  std::string symbol;         ///< 55 (W)
  std::string maturity;       ///< 200 (W)
  std::string transact_time;  ///< 60 (9 fractional digits)
  std::string trade_date;     ///< 75
  std::string session_id;     ///< 336
  bool synthetic = false;     ///< 5001=Y
  std::vector<FixMdEntry> entries;
};

/// Callbacks of the acceptor (see the thread rules above). Implementations must not
/// throw (an exception escaping a callback is caught, logged and the message dropped).
class AcceptorEvents {
 public:
  virtual ~AcceptorEvents() = default;
  virtual void on_logon(FixSession s) = 0;
  virtual void on_logout(FixSession s) = 0;
  /// Any application message received (before its typed callback): client activity.
  virtual void on_app_message(FixSession s, const std::string& msg_type) = 0;
  virtual void on_new_order(const FixNewOrder& o) = 0;
  virtual void on_cancel_request(const FixCancelRequest& c) = 0;
  virtual void on_status_request(const FixStatusRequest& r) = 0;
  virtual void on_mass_status_request(const FixMassStatusRequest& r) = 0;
  virtual void on_positions_request(const FixPositionsRequest& r) = 0;
  virtual void on_md_request(const FixMdRequest& r) = 0;
  /// A Heartbeat on the order session (`test_req_id` = its 112, "" when absent).
  virtual void on_heartbeat(FixSession s, const std::string& test_req_id) = 0;
};

struct AcceptorOptions {
  int port = 0;          ///< TCP port to listen on (all interfaces); 0 = pick a free one
  std::string log_path;  ///< every message in/out and the session events ("" = none)
  std::string sender = "TPVENUE";
  std::string order_target = "TICKPIPE";
  std::string md_target = "TICKPIPE-MD";
};

class FixAcceptor {
 public:
  FixAcceptor(AcceptorEvents& events, AcceptorOptions opt);
  ~FixAcceptor();  ///< stops (force) if still running
  FixAcceptor(const FixAcceptor&) = delete;
  FixAcceptor& operator=(const FixAcceptor&) = delete;

  /// Binds and starts the connection threads. Returns the port listened on. Throws
  /// std::runtime_error when it cannot bind (port 0: after a few tries of a free port).
  int start();
  /// Sends Logout on each logged-on session, waits up to `grace_ms` for the clients to
  /// log out, then closes every connection. Idempotent.
  void stop(int grace_ms = 1000);

  [[nodiscard]] bool logged_on(FixSession s) const;

  /// Each returns the MsgSeqNum the message was sent with, 0 when not sent.
  int send_exec_report(const FixExecReport& er);
  int send_cancel_reject(const FixCancelReject& cr);
  int send_position_report(const FixPositionReport& ap);
  int send_md_snapshot(const FixMdMessage& w);
  int send_md_incremental(const FixMdMessage& x);
  /// MarketDataRequestReject (Y): 262, 281, 58.
  int send_md_reject(const std::string& md_req_id, int reason, const std::string& text);
  int send_test_request(FixSession s, const std::string& test_req_id);

  /// Fault injection: drops the TCP connection of a session (no Logout).
  void disconnect(FixSession s);
  /// Fault injection: the next outgoing message of `s` gets MsgSeqNum (next + skip), so
  /// the client sees a gap and asks for a resend (QuickFIX gap-fills the skipped numbers).
  void skip_sender_seq(FixSession s, int skip);
  /// Next MsgSeqNum the venue will send on `s`.
  [[nodiscard]] int next_sender_seq(FixSession s) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace venue
}  // namespace tp
