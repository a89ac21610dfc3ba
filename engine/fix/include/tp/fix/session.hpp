// A FIX 4.4 initiator session (docs/FIX.md "Transport and sessions") over one
// non-blocking TCP connection: Logon/Logout, Heartbeat and TestRequest, sequence
// numbers (given at construction, read back for persistence), ResendRequest answered
// with one SequenceReset-GapFill (an application message is never resent), gap
// detection on input (-> ResendRequest), too-low MsgSeqNum (-> Logout), PossDup
// duplicates ignored, garbled input counted and, where it can be, rejected with
// Reject(3); reconnect with back-off (100 ms doubling to 5 s).
//
// Threads: one thread drives a session (poll() and the send calls), the feed agent's.
// Never blocks: poll() reads what the socket has, never waits. Allocation: the
// constructor allocates the receive buffer and the encoder; nothing after.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "tp/fix/codec.hpp"
#include "tp/fix/tcp.hpp"

namespace tp::fix {

struct SessionConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string sender;             ///< 49 SenderCompID (ours)
  std::string target;             ///< 56 TargetCompID (the venue's)
  int heartbeat_s = 30;           ///< 108 HeartBtInt
  bool reset_seq_on_logon = false;  ///< 141=Y (a fresh database): both sides restart at 1
  int64_t reconnect_min_ns = 100'000'000;
  int64_t reconnect_max_ns = 5'000'000'000;
  bool reconnect = true;          ///< false: after a disconnect the session stays Closed
};

struct SeqNums {
  uint64_t next_out = 1;  ///< MsgSeqNum of our next message
  uint64_t next_in = 1;   ///< MsgSeqNum we expect next from the venue
};

enum class SessionState : uint8_t {
  Disconnected = 0,  ///< waiting for the back-off to end
  Connecting = 1,    ///< TCP connect in progress
  LogonSent = 2,
  Active = 3,        ///< logged on: application messages flow
  LogoutSent = 4,
  Closed = 5,        ///< logged out (or gave up): poll() does nothing more
};
const char* to_string(SessionState s) noexcept;

struct SessionStats {
  uint64_t msgs_in = 0, msgs_out = 0;
  uint64_t app_in = 0, app_out = 0;
  uint64_t heartbeats_out = 0, test_requests_in = 0, test_requests_out = 0;
  uint64_t resend_requests_in = 0, resend_requests_out = 0, gap_fills_out = 0, gap_fills_in = 0;
  uint64_t garbled = 0;          ///< bytes that failed BeginString/BodyLength/CheckSum (messages)
  uint64_t rejects_out = 0;      ///< Reject(3) we sent
  uint64_t rejects_in = 0;       ///< Reject(3) the venue sent
  uint64_t poss_dup_ignored = 0;
  uint64_t seq_too_low = 0;
  uint64_t connects = 0, disconnects = 0, logons = 0;
};

/// What the session reports to its owner (called from inside poll(), same thread).
class SessionHandler {
 public:
  virtual ~SessionHandler() = default;
  /// An in-sequence application message (MsgType not a session message). `m` is valid
  /// during the call only.
  virtual void on_app_message(const MessageView& m) = 0;
  /// A TestRequest's id, before the session answers it. Return false to hold the
  /// answer: the owner then calls answer_test_request(id) itself later (lockstep
  /// pacing, docs/FIX.md "Pacing").
  virtual bool on_test_request(std::string_view /*test_req_id*/) { return true; }
  virtual void on_logon() {}
  virtual void on_logout(std::string_view /*text*/) {}
  virtual void on_disconnect() {}
  /// Garbled bytes skipped, or a session-level Reject(3) sent or received.
  virtual void on_session_problem(std::string_view /*what*/) {}
};

class Session {
 public:
  Session(SessionConfig cfg, SeqNums start);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Drives the session: connects/reconnects, reads and handles every complete message
  /// the socket has, sends heartbeats / test requests when due, detects a dead peer
  /// (no input for 2 heartbeat intervals after our TestRequest -> disconnect). Returns
  /// the number of messages handled. `now_ns`: CLOCK_MONOTONIC.
  int poll(int64_t now_ns, SessionHandler& h) noexcept;

  /// Application messages. begin_app() returns the encoder with the header written
  /// (MsgSeqNum reserved); the caller adds the body and calls send_app(). False when not
  /// Active or the socket refused the bytes (nothing was sent, the sequence number is
  /// not used).
  Encoder& begin_app(std::string_view msg_type, int64_t now_ns) noexcept;
  [[nodiscard]] bool send_app() noexcept;

  /// Answers a held TestRequest with a Heartbeat(112=id).
  void answer_test_request(std::string_view id, int64_t now_ns) noexcept;
  /// Sends Logout (state LogoutSent); the session closes when the venue answers or
  /// after 2 s.
  void logout(std::string_view text, int64_t now_ns) noexcept;

  [[nodiscard]] SessionState state() const noexcept { return state_; }
  [[nodiscard]] bool active() const noexcept { return state_ == SessionState::Active; }
  [[nodiscard]] SeqNums seq_nums() const noexcept { return seq_; }
  [[nodiscard]] const SessionStats& stats() const noexcept { return stats_; }
  [[nodiscard]] const SessionConfig& config() const noexcept { return cfg_; }

 private:
  struct Impl;
  SessionConfig cfg_;
  SeqNums seq_;
  SessionState state_ = SessionState::Disconnected;
  SessionStats stats_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tp::fix
