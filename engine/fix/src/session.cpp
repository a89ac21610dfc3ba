// The FIX 4.4 initiator session (session.hpp, docs/FIX.md "Transport and sessions").
#include "tp/fix/session.hpp"

#include <time.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <utility>

namespace tp::fix {

namespace {

constexpr std::size_t kRecvCap = 1 << 20;
constexpr std::size_t kSendCap = 1 << 20;
constexpr int64_t kNsPerSec = 1'000'000'000;
constexpr int64_t kConnectTimeoutNs = 5 * kNsPerSec;
constexpr int64_t kLogoutTimeoutNs = 2 * kNsPerSec;

// SessionRejectReason (373).
constexpr int kRejRequiredTagMissing = 1;
constexpr int kRejValueIncorrect = 5;
constexpr int kRejIncorrectDataFormat = 6;
constexpr int kRejCompIdProblem = 9;

int64_t utc_now_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * kNsPerSec + ts.tv_nsec;
}

/// A fixed-size text (Logout / Reject 58, problem reports): never allocates, truncates.
class Text {
 public:
  Text& operator<<(std::string_view s) noexcept {
    const std::size_t k = std::min(s.size(), sizeof b_ - n_);
    std::memcpy(b_ + n_, s.data(), k);
    n_ += k;
    return *this;
  }
  Text& operator<<(uint64_t v) noexcept {
    char tmp[24];
    auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
    return *this << std::string_view(tmp, static_cast<std::size_t>(r.ptr - tmp));
  }
  [[nodiscard]] std::string_view view() const noexcept { return {b_, n_}; }

 private:
  char b_[240];
  std::size_t n_ = 0;
};

}  // namespace

const char* to_string(SessionState s) noexcept {
  switch (s) {
    case SessionState::Disconnected: return "disconnected";
    case SessionState::Connecting: return "connecting";
    case SessionState::LogonSent: return "logon sent";
    case SessionState::Active: return "active";
    case SessionState::LogoutSent: return "logout sent";
    case SessionState::Closed: return "closed";
  }
  return "?";
}

struct Session::Impl {
  explicit Impl(Session& s) : self(s), rbuf(new char[kRecvCap]), obuf(new char[kSendCap]) {}

  Session& self;
  SessionHandler* h = nullptr;  ///< during poll(); null outside it
  TcpConnection conn;
  std::unique_ptr<char[]> rbuf;
  std::size_t rlen = 0;
  std::unique_ptr<char[]> obuf;
  std::size_t ooff = 0, olen = 0;  ///< unsent bytes: obuf[ooff, olen)
  bool io_failed = false;          ///< a write failed (outside poll): dropped at the next poll
  Encoder app_enc;
  Encoder sess_enc;
  MessageView view;

  int64_t hb_ns = 30 * kNsPerSec;
  int64_t last_sent_ns = 0, last_recv_ns = 0;
  int64_t test_req_sent_ns = -1;  ///< our TestRequest outstanding since; -1 none
  uint64_t test_req_counter = 0;
  int64_t state_since_ns = 0;
  int64_t next_connect_ns = 0;
  int64_t backoff_ns = 0;
  bool logged_on_once = false;
  bool resend_pending = false;
  uint64_t resend_until = 0;  ///< the seq that revealed the gap: pending until next_in passes it
  uint64_t generation = 0;    ///< bumped on every drop(): a message loop stops on a change
  int64_t app_now_ns = 0;

  [[nodiscard]] bool connected() const noexcept {
    const SessionState s = self.state_;
    return s == SessionState::LogonSent || s == SessionState::Active || s == SessionState::LogoutSent;
  }

  void problem(std::string_view what) noexcept {
    if (h != nullptr) h->on_session_problem(what);
  }

  // ---- output

  void flush() noexcept {
    while (ooff < olen) {
      const long w = conn.write(obuf.get() + ooff, olen - ooff);
      if (w < 0) {
        io_failed = true;
        return;
      }
      if (w == 0) break;
      ooff += static_cast<std::size_t>(w);
    }
    if (ooff == olen) ooff = olen = 0;
  }

  /// Appends one whole message to the outbound buffer and tries to send it now.
  bool queue(std::string_view msg, int64_t now) noexcept {
    if (msg.empty() || io_failed || !conn.is_open()) return false;
    if (kSendCap - olen < msg.size() && ooff > 0) {
      std::memmove(obuf.get(), obuf.get() + ooff, olen - ooff);
      olen -= ooff;
      ooff = 0;
    }
    if (kSendCap - olen < msg.size()) return false;
    std::memcpy(obuf.get() + olen, msg.data(), msg.size());
    olen += msg.size();
    ++self.stats_.msgs_out;
    last_sent_ns = now;
    flush();
    return true;
  }

  Encoder& start(std::string_view type) noexcept {
    sess_enc.begin(type, self.cfg_.sender, self.cfg_.target, self.seq_.next_out, utc_now_ns());
    return sess_enc;
  }
  bool send(int64_t now) noexcept {
    if (!queue(sess_enc.finish(), now)) return false;
    ++self.seq_.next_out;
    return true;
  }

  void send_logon(int64_t now) noexcept {
    const bool reset = self.cfg_.reset_seq_on_logon && !logged_on_once;
    if (reset) self.seq_ = SeqNums{};
    Encoder& e = start("A");
    e.add_int(98, 0);
    e.add_int(108, self.cfg_.heartbeat_s);
    if (reset) e.add_char(141, 'Y');
    send(now);
  }
  void send_heartbeat(std::string_view test_req_id, int64_t now) noexcept {
    Encoder& e = start("0");
    if (!test_req_id.empty()) e.add(112, test_req_id);
    if (send(now)) ++self.stats_.heartbeats_out;
  }
  void send_logout(std::string_view text, int64_t now) noexcept {
    Encoder& e = start("5");
    if (!text.empty()) e.add(58, text);
    send(now);
  }
  void send_resend_request(int64_t now) noexcept {
    Encoder& e = start("2");
    e.add_int(7, static_cast<int64_t>(self.seq_.next_in));
    e.add_int(16, 0);
    if (send(now)) ++self.stats_.resend_requests_out;
  }
  /// One SequenceReset-GapFill over [begin, next_out): MsgSeqNum = begin, PossDup.
  void send_gap_fill(uint64_t begin, int64_t now) noexcept {
    if (begin == 0 || begin >= self.seq_.next_out) return;  // nothing we sent is missing
    const int64_t t = utc_now_ns();
    sess_enc.begin("4", self.cfg_.sender, self.cfg_.target, begin, t, true, t);
    sess_enc.add_char(123, 'Y');
    sess_enc.add_int(36, static_cast<int64_t>(self.seq_.next_out));
    if (queue(sess_enc.finish(), now)) ++self.stats_.gap_fills_out;
  }
  void send_reject(const MessageView& m, int ref_tag, int reason, std::string_view text, int64_t now) noexcept {
    Encoder& e = start("3");
    if (m.seq_num() != 0) e.add_int(45, static_cast<int64_t>(m.seq_num()));
    if (ref_tag != 0) e.add_int(371, ref_tag);
    e.add(372, m.msg_type());
    e.add_int(373, reason);
    e.add(58, text);
    if (send(now)) ++self.stats_.rejects_out;
    problem(text);
  }

  // ---- connection

  /// Closes the connection. final (or !cfg.reconnect): Closed; else Disconnected with the
  /// next connect after the back-off (doubling up to reconnect_max_ns).
  void drop(int64_t now, std::string_view why, bool final) noexcept {
    const bool was_up = connected();
    flush();  // a last Logout, if the kernel takes it
    conn.close();
    rlen = 0;
    ooff = olen = 0;
    io_failed = false;
    resend_pending = false;
    test_req_sent_ns = -1;
    ++generation;
    if (final || !self.cfg_.reconnect) {
      self.state_ = SessionState::Closed;
    } else {
      self.state_ = SessionState::Disconnected;
      next_connect_ns = now + backoff_ns;
      backoff_ns = std::min(backoff_ns * 2, self.cfg_.reconnect_max_ns);
    }
    state_since_ns = now;
    if (!why.empty()) problem(why);
    if (was_up) {
      ++self.stats_.disconnects;
      if (h != nullptr) h->on_disconnect();
    }
  }

  // ---- input

  void handle_logout(const MessageView& m, int64_t now) noexcept {
    std::string_view text;
    (void)m.get(58, text);
    if (m.seq_num() == self.seq_.next_in) ++self.seq_.next_in;
    if (self.state_ != SessionState::LogoutSent) send_logout({}, now);
    if (h != nullptr) h->on_logout(text);
    drop(now, {}, true);
  }

  void too_low(const MessageView& m, int64_t now) noexcept {
    ++self.stats_.seq_too_low;
    Text t;
    t << "MsgSeqNum too low, expecting " << self.seq_.next_in << " but received " << m.seq_num();
    send_logout(t.view(), now);
    drop(now, t.view(), true);
  }

  void on_logon_reply(const MessageView& m, int64_t now) noexcept {
    const uint64_t seq = m.seq_num();
    if (seq < self.seq_.next_in) {
      too_low(m, now);
      return;
    }
    self.state_ = SessionState::Active;
    state_since_ns = now;
    ++self.stats_.logons;
    logged_on_once = true;
    backoff_ns = self.cfg_.reconnect_min_ns;
    if (seq > self.seq_.next_in) {
      send_resend_request(now);
      resend_pending = true;
      resend_until = seq;
    } else {
      ++self.seq_.next_in;
    }
    if (h != nullptr) h->on_logon();
  }

  void on_message(const MessageView& m, int64_t now) noexcept {
    ++self.stats_.msgs_in;
    last_recv_ns = now;
    test_req_sent_ns = -1;  // any input proves the peer alive
    const std::string_view type = m.msg_type();
    const uint64_t seq = m.seq_num();

    // Header: 34 present and numeric, 49/56 the configured pair.
    if (seq == 0) {
      const bool present = m.find(34) >= 0;
      send_reject(m, 34, present ? kRejIncorrectDataFormat : kRejRequiredTagMissing,
                  present ? "MsgSeqNum not a positive number" : "MsgSeqNum missing", now);
      return;
    }
    std::string_view sender, target;
    if (!m.get(49, sender) || sender != self.cfg_.target || !m.get(56, target) || target != self.cfg_.sender) {
      const bool bad_sender = sender != self.cfg_.target;
      send_reject(m, bad_sender ? 49 : 56, kRejCompIdProblem,
                  bad_sender ? "SenderCompID problem" : "TargetCompID problem", now);
      if (seq == self.seq_.next_in) ++self.seq_.next_in;
      return;
    }

    if (self.state_ == SessionState::LogonSent) {
      if (type == "A") {
        on_logon_reply(m, now);
      } else if (type == "5") {
        handle_logout(m, now);
      } else {
        Text t;
        t << "expected Logon, received MsgType " << type;
        drop(now, t.view(), false);
      }
      return;
    }

    // SequenceReset-Reset: no sequence check; NewSeqNo must not go back.
    std::string_view gap_fill_flag;
    const bool is_seq_reset = type == "4";
    const bool gap_fill = is_seq_reset && m.get(123, gap_fill_flag) && gap_fill_flag == "Y";
    if (is_seq_reset && !gap_fill) {
      uint64_t new_seq = 0;
      if (!m.get_uint(36, new_seq)) {
        send_reject(m, 36, m.find(36) < 0 ? kRejRequiredTagMissing : kRejIncorrectDataFormat, "NewSeqNo bad", now);
      } else if (new_seq < self.seq_.next_in) {
        send_reject(m, 36, kRejValueIncorrect, "NewSeqNo lower than the expected MsgSeqNum", now);
      } else {
        self.seq_.next_in = new_seq;
        if (resend_pending && self.seq_.next_in > resend_until) resend_pending = false;
      }
      return;
    }

    if (seq > self.seq_.next_in) {
      // A gap. A Logout is honoured and a ResendRequest answered anyway (either side
      // waiting on the other would deadlock); everything else above the gap is dropped:
      // our ResendRequest has EndSeqNo 0, so the venue resends it after the gap.
      if (type == "5") {
        handle_logout(m, now);
        return;
      }
      if (type == "2") on_resend_request(m, now);
      if (!resend_pending) {
        send_resend_request(now);
        resend_pending = true;
        resend_until = seq;
      }
      return;
    }
    if (seq < self.seq_.next_in) {
      if (m.poss_dup()) {
        ++self.stats_.poss_dup_ignored;
      } else {
        too_low(m, now);
      }
      return;
    }

    // In sequence.
    if (gap_fill) {
      uint64_t new_seq = 0;
      ++self.stats_.gap_fills_in;
      if (!m.get_uint(36, new_seq)) {
        ++self.seq_.next_in;
        send_reject(m, 36, m.find(36) < 0 ? kRejRequiredTagMissing : kRejIncorrectDataFormat, "NewSeqNo bad", now);
      } else if (new_seq <= seq) {
        ++self.seq_.next_in;
        send_reject(m, 36, kRejValueIncorrect, "NewSeqNo not above MsgSeqNum", now);
      } else {
        self.seq_.next_in = new_seq;
      }
    } else {
      ++self.seq_.next_in;
      dispatch(m, type, now);
    }
    if (resend_pending && self.seq_.next_in > resend_until) resend_pending = false;
  }

  void on_resend_request(const MessageView& m, int64_t now) noexcept {
    ++self.stats_.resend_requests_in;
    uint64_t begin = 0;
    if (!m.get_uint(7, begin)) {
      send_reject(m, 7, m.find(7) < 0 ? kRejRequiredTagMissing : kRejIncorrectDataFormat, "BeginSeqNo bad", now);
      return;
    }
    send_gap_fill(begin, now);
  }

  void dispatch(const MessageView& m, std::string_view type, int64_t now) noexcept {
    if (type.size() == 1) {
      switch (type[0]) {
        case '0': return;  // Heartbeat: last_recv_ns already moved
        case '1': {
          ++self.stats_.test_requests_in;
          std::string_view id;
          if (!m.get(112, id)) {
            send_reject(m, 112, kRejRequiredTagMissing, "TestReqID missing", now);
            return;
          }
          if (h == nullptr || h->on_test_request(id)) send_heartbeat(id, now);
          return;
        }
        case '2': on_resend_request(m, now); return;
        case '3': {
          ++self.stats_.rejects_in;
          std::string_view text;
          (void)m.get(58, text);
          Text t;
          t << "Reject(3) received: " << text;
          problem(t.view());
          return;
        }
        case '5': handle_logout(m, now); return;
        case 'A': problem("Logon received on an active session (ignored)"); return;
        default: break;
      }
    }
    ++self.stats_.app_in;
    if (h != nullptr) h->on_app_message(m);
  }

  /// Reads what the socket has and handles every whole message. Returns the count.
  int pump(int64_t now) noexcept {
    bool peer_closed = false;
    while (rlen < kRecvCap) {
      const long n = conn.read(rbuf.get() + rlen, kRecvCap - rlen);
      if (n > 0) {
        rlen += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0) peer_closed = true;
      break;
    }
    int handled = 0;
    std::size_t off = 0;
    const uint64_t gen = generation;
    while (off < rlen) {
      std::size_t consumed = 0;
      const ParseStatus st = parse({rbuf.get() + off, rlen - off}, view, consumed);
      if (st == ParseStatus::Incomplete) break;
      off += consumed;
      if (st == ParseStatus::Ok) {
        ++handled;
        on_message(view, now);
      } else {
        ++self.stats_.garbled;
        problem(to_string(st));
      }
      if (generation != gen) return handled;  // dropped: the buffer is gone
    }
    if (off > 0) {
      std::memmove(rbuf.get(), rbuf.get() + off, rlen - off);
      rlen -= off;
    }
    if (peer_closed) {
      const bool ours = self.state_ == SessionState::LogoutSent;
      drop(now, ours ? std::string_view{} : std::string_view{conn.last_error()}, ours);
    }
    return handled;
  }

  void timers(int64_t now) noexcept {
    switch (self.state_) {
      case SessionState::LogonSent:
        if (now - state_since_ns > std::max(2 * hb_ns, kLogoutTimeoutNs)) drop(now, "no answer to our Logon", false);
        return;
      case SessionState::LogoutSent:
        if (now - state_since_ns > kLogoutTimeoutNs) drop(now, {}, true);
        return;
      case SessionState::Active:
        if (now - last_sent_ns >= hb_ns) send_heartbeat({}, now);
        if (test_req_sent_ns < 0) {
          if (now - last_recv_ns >= hb_ns + hb_ns / 5) {
            Text id;
            id << "TP-" << ++test_req_counter;
            Encoder& e = start("1");
            e.add(112, id.view());
            if (send(now)) ++self.stats_.test_requests_out;
            test_req_sent_ns = now;
          }
        } else if (now - test_req_sent_ns >= hb_ns) {
          drop(now, "no answer to our TestRequest", false);
        }
        return;
      default: return;
    }
  }
};

Session::Session(SessionConfig cfg, SeqNums start)
    : cfg_(std::move(cfg)), seq_(start), impl_(std::make_unique<Impl>(*this)) {
  if (cfg_.heartbeat_s <= 0) cfg_.heartbeat_s = 30;
  if (cfg_.reconnect_min_ns <= 0) cfg_.reconnect_min_ns = 1;
  cfg_.reconnect_max_ns = std::max(cfg_.reconnect_max_ns, cfg_.reconnect_min_ns);
  impl_->hb_ns = cfg_.heartbeat_s * kNsPerSec;
  impl_->backoff_ns = cfg_.reconnect_min_ns;
}

Session::~Session() = default;

int Session::poll(int64_t now_ns, SessionHandler& h) noexcept {
  Impl& im = *impl_;
  im.h = &h;
  int handled = 0;
  if (state_ == SessionState::Disconnected && now_ns >= im.next_connect_ns) {
    if (im.conn.connect(cfg_.host, cfg_.port)) {
      state_ = SessionState::Connecting;
      im.state_since_ns = now_ns;
    } else {
      im.drop(now_ns, im.conn.last_error(), false);
    }
  }
  if (state_ == SessionState::Connecting) {
    const int r = im.conn.poll_connected();
    if (r == 1) {
      ++stats_.connects;
      state_ = SessionState::LogonSent;
      im.state_since_ns = now_ns;
      im.last_recv_ns = now_ns;
      im.send_logon(now_ns);
    } else if (r < 0) {
      im.drop(now_ns, im.conn.last_error(), false);
    } else if (now_ns - im.state_since_ns > kConnectTimeoutNs) {
      im.drop(now_ns, "connect timed out", false);
    }
  }
  if (im.connected()) {
    im.flush();
    if (im.io_failed) {
      im.drop(now_ns, im.conn.last_error(), false);
    } else {
      handled = im.pump(now_ns);
      if (im.connected()) im.timers(now_ns);
      if (im.connected()) {
        im.flush();
        if (im.io_failed) im.drop(now_ns, im.conn.last_error(), false);
      }
    }
  }
  im.h = nullptr;
  return handled;
}

Encoder& Session::begin_app(std::string_view msg_type, int64_t now_ns) noexcept {
  impl_->app_now_ns = now_ns;
  impl_->app_enc.begin(msg_type, cfg_.sender, cfg_.target, seq_.next_out, utc_now_ns());
  return impl_->app_enc;
}

bool Session::send_app() noexcept {
  if (state_ != SessionState::Active) return false;
  if (!impl_->queue(impl_->app_enc.finish(), impl_->app_now_ns)) return false;
  ++seq_.next_out;
  ++stats_.app_out;
  return true;
}

void Session::answer_test_request(std::string_view id, int64_t now_ns) noexcept {
  if (state_ != SessionState::Active) return;
  impl_->send_heartbeat(id, now_ns);
}

void Session::logout(std::string_view text, int64_t now_ns) noexcept {
  switch (state_) {
    case SessionState::Active:
    case SessionState::LogonSent:
      impl_->send_logout(text, now_ns);
      state_ = SessionState::LogoutSent;
      impl_->state_since_ns = now_ns;
      return;
    case SessionState::Disconnected:
    case SessionState::Connecting:
      impl_->conn.close();
      state_ = SessionState::Closed;
      return;
    default: return;
  }
}

}  // namespace tp::fix
