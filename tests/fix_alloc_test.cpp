// Zero heap allocations on tp::fix's hot path (codec.hpp, session.hpp: "no allocation
// per message" / "nothing after the constructor").
//
// This binary replaces the global operator new / delete (every form) with versions that
// count calls while g_armed is set. Armed only around the code under test: Encoder and
// parse() calls; Session::poll() and Session::send_app() calls (the scripted peer and
// gtest run unarmed, and allocate freely). After a warm-up, the count must stay 0.
//
// Sanitizer builds replace operator new themselves: the tests are skipped there and the
// replacement is compiled out.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <new>
#include <string>

#include "fix_test_peer.hpp"
#include "tp/fix/codec.hpp"
#include "tp/fix/session.hpp"

#include "alloc_counting.hpp"

namespace {
bool g_armed = false;  // one thread
unsigned long g_news = 0;
unsigned long g_deletes = 0;

struct Arm {
  Arm() { g_armed = true; }
  ~Arm() { g_armed = false; }
  Arm(const Arm&) = delete;
  Arm& operator=(const Arm&) = delete;
};
}  // namespace

#if TP_ALLOC_COUNTING
namespace {
void* counted_new(std::size_t n) {
  if (g_armed) ++g_news;
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void* counted_new_aligned(std::size_t n, std::align_val_t a) {
  if (g_armed) ++g_news;
  const auto al = static_cast<std::size_t>(a);
  void* p = std::aligned_alloc(al, (n + al - 1) / al * al);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void counted_delete(void* p) noexcept {
  if (p != nullptr && g_armed) ++g_deletes;
  std::free(p);
}
}  // namespace

void* operator new(std::size_t n) { return counted_new(n); }
void* operator new[](std::size_t n) { return counted_new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return counted_new(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return counted_new(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t n, std::align_val_t a) { return counted_new_aligned(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted_new_aligned(n, a); }
void operator delete(void* p) noexcept { counted_delete(p); }
void operator delete[](void* p) noexcept { counted_delete(p); }
void operator delete(void* p, std::size_t) noexcept { counted_delete(p); }
void operator delete[](void* p, std::size_t) noexcept { counted_delete(p); }
void operator delete(void* p, std::align_val_t) noexcept { counted_delete(p); }
void operator delete[](void* p, std::align_val_t) noexcept { counted_delete(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { counted_delete(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { counted_delete(p); }
#endif

namespace {

using tp::fix::Encoder;
using tp::fix::MessageView;
using tp::fix::ParseStatus;

constexpr int64_t kT = 1627261323LL * 1'000'000'000LL;

#if TP_ALLOC_COUNTING
#define TP_SKIP_IF_NOT_COUNTING() (void)0
#else
#define TP_SKIP_IF_NOT_COUNTING() GTEST_SKIP() << "sanitizer build: operator new is the sanitizer's"
#endif

std::string_view nos(Encoder& e, uint64_t i) {
  e.begin("D", "TICKPIPE", "TPVENUE", i, kT + static_cast<int64_t>(i));
  e.add_int(11, static_cast<int64_t>(1'000'000 + i));
  e.add(55, "MTX");
  e.add(200, "202108");
  e.add_char(54, i % 2 == 0 ? '1' : '2');
  e.add_int(38, 1 + static_cast<int64_t>(i % 5));
  e.add_char(40, '2');
  e.add_decimal(44, 172500 + static_cast<int64_t>(i % 100), 1);
  e.add_char(59, '3');
  e.add_char(77, 'O');
  e.add_utc_timestamp(60, kT + static_cast<int64_t>(i) * 1000, 9);
  return e.finish();
}

std::string er(Encoder& e, uint64_t i) {
  e.begin("8", "TPVENUE", "TICKPIPE", i, kT);
  e.add(37, "V-" + std::to_string(i));
  e.add_int(11, static_cast<int64_t>(1'000'000 + i));
  e.add(17, "E-" + std::to_string(i));
  e.add_char(150, 'F');
  e.add_char(39, '2');
  e.add(55, "MTX");
  e.add_char(54, '1');
  e.add_int(38, 2);
  e.add_int(14, 2);
  e.add_int(151, 0);
  e.add_decimal(6, 172505, 1);
  e.add_decimal(31, 172505, 1);
  e.add_int(32, 2);
  e.add_utc_timestamp(60, kT, 9);
  return std::string(e.finish());
}

std::string md_x(Encoder& e, uint64_t i) {
  e.begin("X", "TPVENUE", "TICKPIPE-MD", i, kT);
  e.add_utc_timestamp(60, kT, 9);
  e.add(75, "20210726");
  e.add_char(336, '1');
  e.add_int(268, 11);
  for (int k = 0; k < 10; ++k) {
    e.add_char(279, '0');
    e.add_char(269, k < 5 ? '0' : '1');
    e.add_decimal(270, 17250 + k, 0);
    e.add_int(271, 3 + k);
    e.add_int(1023, 1 + k % 5);
  }
  e.add_char(269, '2');
  e.add_decimal(270, 17251, 0);
  e.add_int(271, 1);
  return std::string(e.finish());
}

TEST(FixAlloc, CodecEncodeAndParseAllocateNothing) {
  TP_SKIP_IF_NOT_COUNTING();
  Encoder enc;  // constructed unarmed: its buffer is the one allocation
  const std::string ers[2] = {er(enc, 1), er(enc, 2)};
  const std::string xs[2] = {md_x(enc, 3), md_x(enc, 4)};
  MessageView m;
  std::size_t sum = 0;
  for (uint64_t i = 0; i < 100; ++i) sum += nos(enc, i).size();  // warm-up
  g_news = g_deletes = 0;
  {
    Arm arm;
    for (uint64_t i = 0; i < 10'000; ++i) sum += nos(enc, i).size();
    for (int i = 0; i < 10'000; ++i) {
      std::size_t c = 0;
      if (tp::fix::parse(ers[i % 2], m, c) != ParseStatus::Ok) sum = 0;
      uint64_t cum = 0;
      int64_t px = 0;
      int sc = 0;
      std::string_view v;
      if (m.get_uint(14, cum) && m.get(31, v) && tp::fix::parse_decimal(v, px, sc)) sum += cum;
      if (m.get(60, v)) {
        int64_t ns = 0;
        sum += tp::fix::parse_utc_timestamp(v, ns) ? 1 : 0;
      }
    }
    for (int i = 0; i < 10'000; ++i) {
      std::size_t c = 0;
      if (tp::fix::parse(xs[i % 2], m, c) != ParseStatus::Ok) sum = 0;
      for (int at = m.find(270); at >= 0; at = m.find(270, at + 1)) {
        int64_t px = 0;
        int sc = 0;
        sum += tp::fix::parse_decimal(m.value(at), px, sc) ? 1 : 0;
      }
    }
  }
  EXPECT_GT(sum, 10'000u * 30u);
  EXPECT_EQ(g_news, 0u);
  EXPECT_EQ(g_deletes, 0u);
}

struct CountingHandler : tp::fix::SessionHandler {
  uint64_t reports = 0, test_reqs = 0;
  void on_app_message(const MessageView& m) override {
    uint64_t v = 0;
    if (m.msg_type() == "8" && m.get_uint(14, v)) ++reports;
  }
  bool on_test_request(std::string_view) override {
    ++test_reqs;
    return true;
  }
};

TEST(FixAlloc, SessionPollAndSendAppAllocateNothingAfterLogon) {
  TP_SKIP_IF_NOT_COUNTING();
  tp::fix::test::Peer peer;
  tp::fix::SessionConfig c;
  c.port = peer.port();
  c.sender = "TICKPIPE";
  c.target = "TPVENUE";
  c.heartbeat_s = 1;
  c.reset_seq_on_logon = true;
  tp::fix::Session s(c, {});
  CountingHandler h;
  int64_t now = 1'000'000'000'000LL;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  auto alive = [&] { return std::chrono::steady_clock::now() < deadline; };

  while (alive() && peer.count("A") == 0) {
    s.poll(now, h);
    peer.pump();
    peer.wait(1);
  }
  peer.send("A", [](Encoder& e) {
    e.add_int(98, 0);
    e.add_int(108, 1);
  });
  while (alive() && !s.active()) {
    s.poll(now, h);
    peer.pump();
    peer.wait(1);
  }
  ASSERT_TRUE(s.active());

  g_news = g_deletes = 0;
  constexpr uint64_t kMsgs = 1000;
  uint64_t sent = 0, d_seen = 0, reports_sent = 0;
  while (alive() && (h.reports < kMsgs || sent < kMsgs)) {
    if (sent < kMsgs && sent <= h.reports + 8) {
      Arm arm;
      Encoder& e = s.begin_app("D", now);
      e.add_int(11, static_cast<int64_t>(1'000'000 + sent));
      e.add(55, "MTX");
      e.add_char(54, '1');
      e.add_int(38, 1);
      e.add_char(40, '2');
      e.add_decimal(44, 172500, 1);
      e.add_char(59, '3');
      e.add_utc_timestamp(60, kT, 9);
      if (s.send_app()) ++sent;
    }
    {
      Arm arm;
      s.poll(now, h);
    }
    now += 100'000;  // 0.1 ms per round
    peer.pump();
    for (const auto& m : peer.rx) d_seen += m.type() == "D" ? 1 : 0;
    peer.rx.clear();
    while (reports_sent < d_seen) {  // one report per order
      peer.send("8", [&](Encoder& e) {
        e.add(37, "V-1");
        e.add_int(11, 1'000'000);
        e.add(17, "E-1");
        e.add_char(150, 'F');
        e.add_char(39, '2');
        e.add_int(14, 1);
        e.add_int(151, 0);
        e.add_decimal(31, 172500, 1);
        e.add_int(32, 1);
      });
      if (++reports_sent % 100 == 0) peer.send("1", [](Encoder& e) { e.add(112, "sync"); });
    }
  }
  // Timers: a Heartbeat and a TestRequest come due (nothing sent / received for 1.3 s).
  now += 1'300'000'000;
  const uint64_t heartbeats = s.stats().heartbeats_out;  // so far: answers to TestRequests
  {
    Arm arm;
    s.poll(now, h);
  }
  EXPECT_EQ(sent, kMsgs);
  EXPECT_EQ(h.reports, kMsgs);
  EXPECT_GT(h.test_reqs, 0u);
  EXPECT_EQ(s.stats().heartbeats_out, heartbeats + 1);
  EXPECT_EQ(s.stats().test_requests_out, 1u);
  EXPECT_TRUE(s.active());
  EXPECT_EQ(g_news, 0u);
  EXPECT_EQ(g_deletes, 0u);
}

}  // namespace
