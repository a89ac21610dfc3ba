// A FIX 4.4 initiator session (docs/FIX.md "Transport and sessions") over one
// non-blocking TCP connection: Logon/Logout, Heartbeat and TestRequest, sequence
// numbers (given at construction, read back for persistence), ResendRequest answered
// with one SequenceReset-GapFill (an application message is never resent), gap
// detection on input (-> ResendRequest), too-low MsgSeqNum (-> Logout), PossDup
// duplicates ignored, garbled input counted and, where it can be, rejected with
// Reject(3); reconnect with back-off (100 ms doubling to 5 s).
//
// Policies (docs/FIX.md):
//  * Gap (MsgSeqNum above the expected one): one ResendRequest 7=expected 16=0; the
//    message and every later one above the expected number are dropped (not queued)
//    until the venue's resent / PossDup / GapFill messages fill the gap: with 16=0 the
//    venue resends all of them. A Logout above the gap is honoured, a ResendRequest
//    above it answered, anyway.
//  * Too low without PossDupFlag: Logout "MsgSeqNum too low, expecting X but received
//    Y", then the session closes for good (Closed: reconnecting with the same numbers
//    would fail the same way; the owner decides). Too low with 43=Y: ignored.
//  * Garbled input (framing or CheckSum wrong, or a field without '='): skipped,
//    counted in stats.garbled, reported, never answered. A well-framed message with
//    a bad header (34 missing or not a number, 49/56 not the configured pair) or a bad
//    session field (112, 7, 36): Reject(3) 45/371/372/373/58.
//  * Any MsgType that is not a session message goes to on_app_message (the owner
//    rejects what it does not know).
//  * Liveness: Heartbeat when we sent nothing for HeartBtInt; TestRequest when nothing
//    came for 1.2 x HeartBtInt; disconnect when still nothing one HeartBtInt later.
//  * A venue Logout is answered and closes the session (Closed). A lost connection
//    (or no Logon answer within max(2 x HeartBtInt, 2 s)) -> Disconnected, reconnect
//    after reconnect_min_ns doubling up to reconnect_max_ns (reset at each Logon), Logon
//    again with the kept sequence numbers (141=Y only before the first Logon).
//
// Threads: one thread drives a session (poll() and the send calls), the feed agent's.
// Never blocks: poll() reads what the socket has, never waits. Allocation: the
// constructor allocates the receive and outbound buffers (1 MiB each) and the encoders;
// nothing after (texts are fixed-size, views point into the buffers).
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

  /// Drives the session: connects/reconnects, flushes the outbound buffer, reads and
  /// handles every complete message the socket has, sends heartbeats / test requests
  /// when due, detects a dead peer (no input for one HeartBtInt after our TestRequest ->
  /// disconnect). Returns the number of messages handled (garbled ones not counted).
  /// `now_ns`: CLOCK_MONOTONIC (timers); SendingTime (52) is read from CLOCK_REALTIME.
  int poll(int64_t now_ns, SessionHandler& h) noexcept;

  /// Application messages. begin_app() returns the encoder with the header written
  /// (MsgSeqNum reserved); the caller adds the body and calls send_app(), before the
  /// next poll(). send_app() appends the message to the outbound buffer and writes what
  /// the socket takes now (poll() sends the rest). False when not Active, the message
  /// overflowed the encoder or the outbound buffer (1 MiB) is full: nothing was sent,
  /// the sequence number is not used.
  Encoder& begin_app(std::string_view msg_type, int64_t now_ns) noexcept;
  [[nodiscard]] bool send_app() noexcept;

  /// Answers a held TestRequest with a Heartbeat(112=id) (nothing when not Active).
  void answer_test_request(std::string_view id, int64_t now_ns) noexcept;
  /// Sends Logout (state LogoutSent); the session closes (Closed) when the venue answers
  /// or after 2 s. Not connected: Closed at once.
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
