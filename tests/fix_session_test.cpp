// tp::fix::Session (engine/fix/include/tp/fix/session.hpp, docs/FIX.md) against a
// scripted loopback counterparty (fix_test_peer.hpp). Scenarios after the themes of
// QuickFIX's FIX 4.4 acceptance suite (test/definitions/server/fix44: 1a logon and logon
// seq too high, 2b seq too high, 2c seq too low, 2d/3b garbled and bad checksum, 2e
// PossDup already received, 2k CompID mismatch, 4a heartbeat, 4b/6 test requests, 7
// reject received, 8 resend request, 11a/11c sequence reset, 13b unsolicited logout,
// 14b required field missing), written anew for an initiator, plus held test requests
// (docs/FIX.md "Pacing") and reconnect with back-off.
//
// Time: the session's clock is virtual (Fixture::now_), advanced explicitly by a test
// to cross a heartbeat interval or a back-off; the sockets are real. Every wait is a
// poll loop with a real-time deadline (run_until), so nothing sleeps and hopes.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "fix_test_peer.hpp"
#include "tp/fix/session.hpp"

namespace {

using tp::fix::Encoder;
using tp::fix::MessageView;
using tp::fix::SeqNums;
using tp::fix::Session;
using tp::fix::SessionConfig;
using tp::fix::SessionState;
using tp::fix::test::Peer;

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kSec = 1'000'000'000;

struct Recorder : tp::fix::SessionHandler {
  std::vector<std::string> app;  ///< MsgType + "/" + MsgSeqNum
  std::vector<std::string> test_reqs, problems, logouts;
  int logons = 0, disconnects = 0;
  bool hold = false;
  void on_app_message(const MessageView& m) override {
    app.push_back(std::string(m.msg_type()) + "/" + std::to_string(m.seq_num()));
  }
  bool on_test_request(std::string_view id) override {
    test_reqs.emplace_back(id);
    return !hold;
  }
  void on_logon() override { ++logons; }
  void on_logout(std::string_view text) override { logouts.emplace_back(text); }
  void on_disconnect() override { ++disconnects; }
  void on_session_problem(std::string_view what) override { problems.emplace_back(what); }
};

class SessionTest : public ::testing::Test {
 protected:
  Peer peer;
  Recorder h;
  std::unique_ptr<Session> s;
  int64_t now_ = 1000 * kSec;

  void make(bool reset = true, SeqNums start = {}) {
    SessionConfig c;
    c.port = peer.port();
    c.sender = "TICKPIPE";
    c.target = "TPVENUE";
    c.heartbeat_s = 1;
    c.reset_seq_on_logon = reset;
    c.reconnect_min_ns = 20 * kMs;
    c.reconnect_max_ns = 80 * kMs;
    s = std::make_unique<Session>(c, start);
  }

  /// Polls session and peer until `done` holds or 1 s of real time passed.
  template <class Pred>
  bool run_until(Pred done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (std::chrono::steady_clock::now() < deadline) {
      s->poll(now_, h);
      peer.pump();
      if (done()) return true;
      peer.wait(1);
    }
    return false;
  }
  /// A few rounds of both sides (for "nothing happens" checks).
  void settle() {
    for (int i = 0; i < 20; ++i) {
      s->poll(now_, h);
      peer.pump();
      peer.wait(1);
    }
  }
  std::size_t rx_mark() const { return peer.rx.size(); }
  int count_since(std::size_t mark, std::string_view type) const {
    int n = 0;
    for (std::size_t i = mark; i < peer.rx.size(); ++i) n += peer.rx[i].type() == type ? 1 : 0;
    return n;
  }

  void logon(bool reset = true, SeqNums start = {}) {
    make(reset, start);
    ASSERT_TRUE(run_until([&] { return peer.count("A") >= 1; }));
    peer.send("A", [](Encoder& e) {
      e.add_int(98, 0);
      e.add_int(108, 1);
    });
    ASSERT_TRUE(run_until([&] { return s->active(); }));
  }
  void send_app(std::string_view type) {
    Encoder& e = s->begin_app(type, now_);
    e.add(11, "1");
    ASSERT_TRUE(s->send_app());
  }
};

TEST_F(SessionTest, LogonWithResetFlag) {
  logon();
  const auto* a = peer.last("A");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->get(34), "1");
  EXPECT_EQ(a->get(49), "TICKPIPE");
  EXPECT_EQ(a->get(56), "TPVENUE");
  EXPECT_EQ(a->get(98), "0");
  EXPECT_EQ(a->get(108), "1");
  EXPECT_EQ(a->get(141), "Y");
  EXPECT_EQ(h.logons, 1);
  EXPECT_EQ(s->seq_nums().next_out, 2u);
  EXPECT_EQ(s->seq_nums().next_in, 2u);
  EXPECT_EQ(s->stats().logons, 1u);
  EXPECT_EQ(s->stats().connects, 1u);
  // Application messages flow, numbered on.
  send_app("D");
  ASSERT_TRUE(run_until([&] { return peer.count("D") == 1; }));
  EXPECT_EQ(peer.last("D")->get(34), "2");
  peer.send("8", [](Encoder& e) { e.add(11, "1"); });
  ASSERT_TRUE(run_until([&] { return h.app.size() == 1; }));
  EXPECT_EQ(h.app[0], "8/2");
}

TEST_F(SessionTest, SendAppRefusedBeforeLogon) {
  make();
  Encoder& e = s->begin_app("D", now_);
  e.add(11, "1");
  EXPECT_FALSE(s->send_app());
  EXPECT_EQ(s->seq_nums().next_out, 1u);
}

TEST_F(SessionTest, HeartbeatAfterTheInterval) {
  logon();
  const std::size_t mark = rx_mark();
  now_ += 900 * kMs;
  settle();
  EXPECT_EQ(count_since(mark, "0"), 0);
  peer.send("0");  // keep our side quiet about TestRequests
  now_ += 200 * kMs;  // 1.1 s since the Logon: a Heartbeat is due
  ASSERT_TRUE(run_until([&] { return count_since(mark, "0") == 1; }));
  EXPECT_FALSE(peer.last("0")->has(112));
  EXPECT_EQ(s->stats().heartbeats_out, 1u);
  EXPECT_EQ(count_since(mark, "1"), 0);
}

TEST_F(SessionTest, TestRequestAnswered) {
  logon();
  peer.send("1", [](Encoder& e) { e.add(112, "T-1"); });
  ASSERT_TRUE(run_until([&] { return peer.count("0") == 1; }));
  EXPECT_EQ(peer.last("0")->get(112), "T-1");
  ASSERT_EQ(h.test_reqs.size(), 1u);
  EXPECT_EQ(h.test_reqs[0], "T-1");
  EXPECT_EQ(s->stats().test_requests_in, 1u);
}

TEST_F(SessionTest, HeldTestRequestAnsweredLater) {
  logon();
  h.hold = true;
  peer.send("1", [](Encoder& e) { e.add(112, "sync:5"); });
  ASSERT_TRUE(run_until([&] { return h.test_reqs.size() == 1; }));
  settle();
  EXPECT_EQ(peer.count("0"), 0);  // held
  s->answer_test_request("sync:5", now_);
  ASSERT_TRUE(run_until([&] { return peer.count("0") == 1; }));
  EXPECT_EQ(peer.last("0")->get(112), "sync:5");
}

TEST_F(SessionTest, SilentPeerGetsTestRequestThenDisconnect) {
  logon();
  now_ += 1250 * kMs;  // > 1.2 x HeartBtInt without input
  ASSERT_TRUE(run_until([&] { return peer.count("1") == 1; }));
  const std::string id = peer.last("1")->get(112);
  EXPECT_FALSE(id.empty());
  EXPECT_EQ(s->stats().test_requests_out, 1u);
  // Answered: stays up.
  peer.send("0", [&](Encoder& e) { e.add(112, id); });
  now_ += 100 * kMs;
  ASSERT_TRUE(run_until([&] { return s->stats().msgs_in == 2; }));
  now_ += 1100 * kMs;
  settle();
  EXPECT_TRUE(s->active());
  // Silent again: TestRequest, then one interval later the connection is dropped.
  now_ += 200 * kMs;
  ASSERT_TRUE(run_until([&] { return peer.count("1") == 2; }));
  now_ += 1000 * kMs;
  ASSERT_TRUE(run_until([&] { return s->state() == SessionState::Disconnected; }));
  EXPECT_EQ(h.disconnects, 1);
}

TEST_F(SessionTest, SeqTooHighSendsResendRequestAndWaitsForTheGap) {
  logon();  // next_in = 2
  peer.next_out = 5;  // the venue "lost" 2..4
  peer.send("8", [](Encoder& e) { e.add(11, "a"); });  // 5
  peer.send("8", [](Encoder& e) { e.add(11, "b"); });  // 6: also above the gap
  ASSERT_TRUE(run_until([&] { return s->stats().msgs_in == 3; }));
  settle();
  ASSERT_EQ(peer.count("2"), 1);  // one ResendRequest, not one per message
  EXPECT_EQ(peer.last("2")->get(7), "2");
  EXPECT_EQ(peer.last("2")->get(16), "0");
  EXPECT_TRUE(h.app.empty());
  EXPECT_EQ(s->seq_nums().next_in, 2u);
  // The venue fills 2..4 with a GapFill and resends 5 and 6 as PossDup.
  peer.send("4", [](Encoder& e) {
    e.add_char(123, 'Y');
    e.add_int(36, 5);
  }, 2, true);
  peer.send("8", [](Encoder& e) { e.add(11, "a"); }, 5, true);
  peer.send("8", [](Encoder& e) { e.add(11, "b"); }, 6, true);
  ASSERT_TRUE(run_until([&] { return h.app.size() == 2; }));
  EXPECT_EQ(h.app[0], "8/5");
  EXPECT_EQ(h.app[1], "8/6");
  EXPECT_EQ(s->seq_nums().next_in, 7u);
  EXPECT_EQ(s->stats().gap_fills_in, 1u);
  EXPECT_EQ(s->stats().resend_requests_out, 1u);
  // A new gap later gets a new ResendRequest.
  peer.next_out = 9;
  peer.send("0");
  ASSERT_TRUE(run_until([&] { return peer.count("2") == 2; }));
  EXPECT_EQ(peer.last("2")->get(7), "7");
}

TEST_F(SessionTest, LogonAboveExpectedThenResendRequest) {
  make(false, SeqNums{10, 3});
  ASSERT_TRUE(run_until([&] { return peer.count("A") == 1; }));
  EXPECT_FALSE(peer.last("A")->has(141));
  EXPECT_EQ(peer.last("A")->get(34), "10");
  peer.send("A", [](Encoder& e) {
    e.add_int(98, 0);
    e.add_int(108, 1);
  }, 6);
  ASSERT_TRUE(run_until([&] { return peer.count("2") == 1; }));
  EXPECT_TRUE(s->active());
  EXPECT_EQ(peer.last("2")->get(7), "3");
  peer.send("4", [](Encoder& e) {
    e.add_char(123, 'Y');
    e.add_int(36, 7);
  }, 3, true);
  ASSERT_TRUE(run_until([&] { return s->seq_nums().next_in == 7; }));
}

TEST_F(SessionTest, ResendRequestAnsweredWithOneGapFillNeverAnAppResend) {
  logon();
  send_app("D");  // 2
  send_app("D");  // 3
  send_app("F");  // 4
  ASSERT_TRUE(run_until([&] { return peer.count("D") + peer.count("F") == 3; }));
  peer.send("2", [](Encoder& e) {
    e.add_int(7, 2);
    e.add_int(16, 0);
  });
  ASSERT_TRUE(run_until([&] { return peer.count("4") == 1; }));
  settle();
  const auto* g = peer.last("4");
  EXPECT_EQ(g->get(34), "2");
  EXPECT_EQ(g->get(43), "Y");
  EXPECT_TRUE(g->has(122));
  EXPECT_EQ(g->get(123), "Y");
  EXPECT_EQ(g->get(36), "5");
  EXPECT_EQ(peer.count("D"), 2);  // nothing resent
  EXPECT_EQ(peer.count("F"), 1);
  EXPECT_EQ(s->stats().gap_fills_out, 1u);
  EXPECT_EQ(s->stats().resend_requests_in, 1u);
  EXPECT_EQ(s->seq_nums().next_out, 5u);  // the GapFill uses no new number
  send_app("D");
  ASSERT_TRUE(run_until([&] { return peer.count("D") == 3; }));
  EXPECT_EQ(peer.last("D")->get(34), "5");
}

TEST_F(SessionTest, SeqTooLowLogsOutAndCloses) {
  logon();  // next_in = 2
  peer.send("0", {}, 1);
  ASSERT_TRUE(run_until([&] { return peer.count("5") == 1; }));
  EXPECT_EQ(peer.last("5")->get(58), "MsgSeqNum too low, expecting 2 but received 1");
  ASSERT_TRUE(run_until([&] { return s->state() == SessionState::Closed; }));
  ASSERT_TRUE(run_until([&] { return peer.peer_closed; }));
  EXPECT_EQ(s->stats().seq_too_low, 1u);
  EXPECT_EQ(h.disconnects, 1);
  // Closed stays closed.
  now_ += 10 * kSec;
  settle();
  EXPECT_EQ(peer.accepts, 1);
}

TEST_F(SessionTest, PossDupTooLowIgnored) {
  logon();
  peer.send("8", [](Encoder& e) { e.add(11, "dup"); }, 1, true);
  peer.send("1", [](Encoder& e) { e.add(112, "after"); });
  ASSERT_TRUE(run_until([&] { return peer.count("0") == 1; }));
  EXPECT_EQ(s->stats().poss_dup_ignored, 1u);
  EXPECT_TRUE(h.app.empty());
  EXPECT_TRUE(s->active());
  EXPECT_EQ(s->seq_nums().next_in, 3u);
}

TEST_F(SessionTest, GarbledMessageCountedAndSkipped) {
  logon();
  Encoder e;
  e.begin("8", "TPVENUE", "TICKPIPE", 2, 0);
  e.add(11, "x");
  std::string bad(e.finish());
  bad[bad.size() - 2] = bad[bad.size() - 2] == '9' ? '0' : static_cast<char>(bad[bad.size() - 2] + 1);
  peer.send_raw(bad);
  peer.send("1", [](Encoder& x) { x.add(112, "still-there"); });  // seq 2: the garbled one did not count
  ASSERT_TRUE(run_until([&] { return peer.count("0") == 1; }));
  EXPECT_EQ(peer.last("0")->get(112), "still-there");
  EXPECT_EQ(s->stats().garbled, 1u);
  EXPECT_EQ(s->stats().rejects_out, 0u);  // garbled input is never answered
  EXPECT_EQ(peer.count("3"), 0);
  EXPECT_FALSE(h.problems.empty());
  EXPECT_TRUE(s->active());
  EXPECT_TRUE(h.app.empty());
}

TEST_F(SessionTest, BadFieldRejected) {
  logon();
  peer.send("1");  // TestRequest without 112 (seq 2)
  ASSERT_TRUE(run_until([&] { return peer.count("3") == 1; }));
  const auto* r = peer.last("3");
  EXPECT_EQ(r->get(45), "2");
  EXPECT_EQ(r->get(371), "112");
  EXPECT_EQ(r->get(372), "1");
  EXPECT_EQ(r->get(373), "1");
  EXPECT_FALSE(r->get(58).empty());
  EXPECT_EQ(s->seq_nums().next_in, 3u);  // a rejected message uses its number
  // Wrong SenderCompID: 373=9.
  peer.sender = "SOMEONE";
  peer.send("0");
  ASSERT_TRUE(run_until([&] { return peer.count("3") == 2; }));
  EXPECT_EQ(peer.last("3")->get(373), "9");
  EXPECT_EQ(peer.last("3")->get(371), "49");
  peer.sender = "TPVENUE";
  // MsgSeqNum missing: 373=1, 371=34.
  // A BodyLength too short (20 for 28) is garbled, not rejected.
  peer.send_raw("8=FIX.4.4\x01" "9=20\x01" "35=0\x01" "49=TPVENUE\x01" "56=TICKPIPE\x01" "10=000\x01");
  ASSERT_TRUE(run_until([&] { return s->stats().garbled == 1; }));
  Encoder e;
  e.begin("0", "TPVENUE", "TICKPIPE", 0, 0);
  std::string no_seq(e.finish());  // 34=0 is not a valid MsgSeqNum
  peer.send_raw(no_seq);
  ASSERT_TRUE(run_until([&] { return peer.count("3") == 3; }));
  EXPECT_EQ(peer.last("3")->get(371), "34");
  EXPECT_EQ(s->stats().rejects_out, 3u);
  EXPECT_TRUE(s->active());
}

TEST_F(SessionTest, SequenceResetResetMode) {
  logon();  // next_in = 2
  // NewSeqNo above: taken, whatever the MsgSeqNum (here a stale 1).
  peer.send("4", [](Encoder& e) { e.add_int(36, 10); }, 1);
  ASSERT_TRUE(run_until([&] { return s->seq_nums().next_in == 10; }));
  // NewSeqNo below the expected number: rejected (373=5), next_in unchanged.
  peer.send("4", [](Encoder& e) { e.add_int(36, 4); }, 10);
  ASSERT_TRUE(run_until([&] { return peer.count("3") == 1; }));
  EXPECT_EQ(peer.last("3")->get(373), "5");
  EXPECT_EQ(peer.last("3")->get(371), "36");
  EXPECT_EQ(s->seq_nums().next_in, 10u);
  peer.next_out = 10;
  peer.send("8", [](Encoder& e) { e.add(11, "1"); });
  ASSERT_TRUE(run_until([&] { return h.app.size() == 1; }));
  EXPECT_EQ(h.app[0], "8/10");
}

TEST_F(SessionTest, RejectReceivedIsCountedAndReported) {
  logon();
  peer.send("3", [](Encoder& e) {
    e.add_int(45, 2);
    e.add(58, "bad thing");
  });
  ASSERT_TRUE(run_until([&] { return s->stats().rejects_in == 1; }));
  ASSERT_FALSE(h.problems.empty());
  EXPECT_NE(h.problems.back().find("bad thing"), std::string::npos);
  EXPECT_TRUE(s->active());
  EXPECT_EQ(s->seq_nums().next_in, 3u);
  EXPECT_TRUE(h.app.empty());
}

TEST_F(SessionTest, CounterpartyLogout) {
  logon();
  peer.send("5", [](Encoder& e) { e.add(58, "end of day"); });
  ASSERT_TRUE(run_until([&] { return s->state() == SessionState::Closed; }));
  ASSERT_TRUE(run_until([&] { return peer.count("5") == 1 && peer.peer_closed; }));
  ASSERT_EQ(h.logouts.size(), 1u);
  EXPECT_EQ(h.logouts[0], "end of day");
  EXPECT_EQ(s->seq_nums().next_in, 3u);
}

TEST_F(SessionTest, OurLogoutAnswered) {
  logon();
  s->logout("bye", now_);
  EXPECT_EQ(s->state(), SessionState::LogoutSent);
  ASSERT_TRUE(run_until([&] { return peer.count("5") == 1; }));
  EXPECT_EQ(peer.last("5")->get(58), "bye");
  peer.send("5");
  ASSERT_TRUE(run_until([&] { return s->state() == SessionState::Closed; }));
  EXPECT_EQ(peer.count("5"), 1);  // not answered twice
}

TEST_F(SessionTest, DisconnectReconnectsWithBackoffAndKeptSeqNums) {
  logon();
  send_app("D");  // 2
  peer.send("8", [](Encoder& e) { e.add(11, "1"); });  // 2
  ASSERT_TRUE(run_until([&] { return peer.count("D") == 1 && h.app.size() == 1; }));
  const SeqNums kept = s->seq_nums();
  EXPECT_EQ(kept.next_out, 3u);
  EXPECT_EQ(kept.next_in, 3u);

  for (int round = 0; round < 2; ++round) {
    const int64_t backoff = (20 << round) * kMs;  // 20 ms, then 40 ms
    peer.close_conn();
    ASSERT_TRUE(run_until([&] { return s->state() == SessionState::Disconnected; }));
    EXPECT_EQ(h.disconnects, round + 1);
    const int accepts = peer.accepts;
    now_ += backoff - 1 * kMs;
    settle();
    EXPECT_EQ(s->state(), SessionState::Disconnected) << round;
    EXPECT_EQ(peer.accepts, accepts);
    now_ += 1 * kMs;
    const std::size_t mark = rx_mark();
    ASSERT_TRUE(run_until([&] { return count_since(mark, "A") == 1; })) << round;
    const auto* a = peer.last("A");
    EXPECT_EQ(a->get(34), std::to_string(kept.next_out + static_cast<uint64_t>(round)));
    EXPECT_FALSE(a->has(141));
    if (round == 0) {
      // Not answered: a second disconnect doubles the back-off.
      continue;
    }
    peer.send("A", [](Encoder& e) {
      e.add_int(98, 0);
      e.add_int(108, 1);
    });
    ASSERT_TRUE(run_until([&] { return s->active(); }));
  }
  EXPECT_EQ(h.logons, 2);
  EXPECT_EQ(s->seq_nums().next_in, kept.next_in + 1);
  EXPECT_EQ(s->stats().connects, 3u);
  // Back-off is reset by the Logon: the next drop reconnects after 20 ms again.
  peer.close_conn();
  ASSERT_TRUE(run_until([&] { return s->state() == SessionState::Disconnected; }));
  now_ += 20 * kMs;
  ASSERT_TRUE(run_until([&] { return s->state() == SessionState::LogonSent; }));
}

}  // namespace
