// `tickpipe venue` end to end: the built binary on a slice of the real TAIFEX day
// (MTX 202108, 2021-07-26), driven by a QuickFIX initiator (tp_venue_fix_client, the
// C++14 island) over loopback. Every venue runs with --max-seconds as a backstop and
// every wait here has a timeout: a hung venue is killed and fails the test, it never
// hangs CI.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tp/engine/config/config.hpp"
#include "tp/engine/input/readers.hpp"
#include "tp/venue/fix_test_client.hpp"
#include "tp/venue/venue.hpp"

namespace fs = std::filesystem;
using tp::venue::FixClientOptions;
using tp::venue::FixMsg;
using tp::venue::FixTestClient;

namespace {

const std::string kData = std::string(TP_SHARED_DIR) + "/data/taifex/Daily_2021_07_26.zip";
constexpr int kEvents = 300;

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

/// A `tickpipe venue` child process: stdout piped (the port line), stderr to a file.
class VenueProc {
 public:
  VenueProc(const fs::path& dir, std::vector<std::string> extra, int max_events = kEvents)
      : dir_(dir) {
    std::vector<std::string> args = {TP_TICKPIPE,     "venue",
                                     "--data",        kData,
                                     "--symbol",      "MTX",
                                     "--contract",    "202108",
                                     "--max-events",  std::to_string(max_events),
                                     "--port",        "0",
                                     "--log",         (dir / "venue.log").string(),
                                     "--state-out",   (dir / "state.json").string(),
                                     "--max-seconds", "60"};
    args.insert(args.end(), extra.begin(), extra.end());
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe");
    const std::string err_path = (dir / "venue.stderr").string();
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], 1);
      const int e = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (e >= 0) dup2(e, 2);
      close(fds[0]);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(fds[1]);
    out_ = fds[0];
  }
  ~VenueProc() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) close(out_);
  }

  /// The port from `venue: listening on 127.0.0.1:<port>`; 0 after `timeout_ms`.
  int port(int timeout_ms = 30'000) {
    std::string line;
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < until) {
      pollfd p{out_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char c;
      if (read(out_, &c, 1) != 1) return 0;
      if (c == '\n') break;
      line += c;
    }
    const std::string prefix = "venue: listening on 127.0.0.1:";
    if (line.rfind(prefix, 0) != 0) return 0;
    return std::atoi(line.c_str() + prefix.size());
  }

  /// Exit status, or -1 when it did not exit within `timeout_ms` (then it is killed).
  int wait(int timeout_ms = 30'000) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < until) {
      int st = 0;
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    exited_ = true;
    return -1;
  }
  void signal(int s) { kill(pid_, s); }

  std::string stderr_text() const { return read_file(dir_ / "venue.stderr"); }
  nlohmann::json state() const { return nlohmann::json::parse(read_file(dir_ / "state.json")); }

 private:
  fs::path dir_;
  pid_t pid_ = -1;
  int out_ = -1;
  bool exited_ = false;
};

class VenueFixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kData)) GTEST_SKIP() << "real data not found: " << kData;
    dir_ = fs::temp_directory_path() /
           ("tp-venue-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }
  std::unique_ptr<FixTestClient> connect(int port) {
    FixClientOptions o;
    o.port = port;
    o.log_path = (dir_ / "client.log").string();
    auto c = std::make_unique<FixTestClient>(o);
    c->start();
    EXPECT_TRUE(c->wait_logged_on(10'000)) << "both sessions log on";
    return c;
  }
  fs::path dir_;
};

/// The events the venue plays: the same reader and options.
std::vector<tp::InputEvent> expected_events() {
  tp::Config cfg = tp::default_config();
  tp::select_instrument(cfg, "MTX");
  tp::ReadOptions ro;
  ro.symbol = "MTX";
  ro.contract = "202108";
  ro.tick_rule = cfg.tick_rule;
  ro.hours = cfg.hours;
  tp::TickData td = tp::read_ticks(kData, cfg.instrument, ro);
  td.events.resize(std::min<std::size_t>(td.events.size(), kEvents));
  return td.events;
}

int count_type(const std::vector<FixMsg>& m, const std::string& t, bool md) {
  int n = 0;
  for (const FixMsg& x : m) n += (x.type == t && x.md == md) ? 1 : 0;
  return n;
}

std::vector<FixMsg> reports_for(const std::vector<FixMsg>& m, const std::string& clordid) {
  std::vector<FixMsg> out;
  for (const FixMsg& x : m) {
    if (!x.md && x.type == "8" && x.get(150) != "I" && x.get(11) == clordid) out.push_back(x);
  }
  return out;
}

std::vector<std::pair<int, std::string>> new_order(const std::string& id, const char* side, int qty,
                                                   const std::string& px, const char* tif) {
  return {{11, id},  {55, "MTX"}, {200, "202108"}, {54, side}, {38, std::to_string(qty)},
          {40, "2"}, {44, px},    {59, tif},       {77, "O"},  {60, "20210726-00:45:00.000"}};
}

/// Best bid / ask price and size of an X (level 1 entries).
struct Top {
  std::string bid, ask;
  int bid_qty = 0, ask_qty = 0;
};
Top top_of(const FixMsg& x) {
  Top t;
  std::string type, px, action;
  int size = 0;
  int level = 0;
  auto flush = [&] {
    if (level == 1 && action != "2") {
      if (type == "0") {
        t.bid = px;
        t.bid_qty = size;
      } else if (type == "1") {
        t.ask = px;
        t.ask_qty = size;
      }
    }
    type.clear();
    px.clear();
    action.clear();
    size = 0;
    level = 0;
  };
  bool in = false;
  for (const auto& [tag, v] : x.fields) {
    if (tag == 279 || (tag == 269 && !x.has(279))) {
      if (in) flush();
      in = true;
    }
    if (tag == 279) action = v;
    if (tag == 269) type = v;
    if (tag == 270) px = v;
    if (tag == 271) size = std::atoi(v.c_str());
    if (tag == 1023) level = std::atoi(v.c_str());
  }
  if (in) flush();
  return t;
}

const FixMsg* md_with_seq(const std::vector<FixMsg>& m, int seq) {
  for (const FixMsg& x : m) {
    if (x.md && x.seq == seq && (x.type == "X" || x.type == "W")) return &x;
  }
  return nullptr;
}

// ---------------------------------------------------------------- market data

TEST_F(VenueFixTest, PlaysOneSnapshotThenOneIncrementalPerEvent) {
  const std::vector<tp::InputEvent> events = expected_events();
  ASSERT_EQ(events.size(), static_cast<std::size_t>(kEvents));
  VenueProc v(dir_, {"--speed", "0", "--linger-ms", "300"});
  const int port = v.port();
  ASSERT_GT(port, 0) << v.stderr_text();
  auto c = connect(port);
  ASSERT_TRUE(c->send_md_request("md1", "MTX", "202108"));
  ASSERT_TRUE(
      c->wait_for([](const auto& m) { return count_type(m, "X", true) >= kEvents; }, 30'000))
      << "got " << count_type(c->messages(), "X", true) << " X";
  // Lockstep: the last X is followed by its sync TestRequest; leave only once it came
  // (the client answers it as it arrives), else the venue rightly counts a sync timeout.
  ASSERT_TRUE(c->wait_for(
      [](const auto& m) {
        int last = 0;
        for (const FixMsg& x : m) {
          if (x.md && x.type == "X") last = std::max(last, x.seq);
        }
        for (const FixMsg& x : m) {
          if (!x.md && x.type == "1" && x.get(112) == "sync:" + std::to_string(last)) return true;
        }
        return false;
      },
      30'000));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the Heartbeat goes out after the record
  c->stop();
  ASSERT_EQ(v.wait(), 0) << v.stderr_text();

  const std::vector<FixMsg> m = c->messages();
  std::vector<const FixMsg*> md;
  for (const FixMsg& x : m) {
    if (x.md) md.push_back(&x);
  }
  ASSERT_EQ(md.size(), static_cast<std::size_t>(kEvents + 1));
  EXPECT_EQ(md[0]->type, "W");
  EXPECT_EQ(md[0]->get(262), "md1");
  EXPECT_EQ(md[0]->get(55), "MTX");
  EXPECT_EQ(md[0]->get(200), "202108");
  EXPECT_EQ(md[0]->get(268), "0")
      << "docs/FIX.md: the W is the venue's book before the first event: empty";
  tp::Instrument inst;
  ASSERT_TRUE(tp::builtin_instrument("MTX", inst));
  int trades = 0;
  for (int i = 0; i < kEvents; ++i) {
    const FixMsg& x = *md[static_cast<std::size_t>(i) + 1];
    const tp::InputEvent& ev = events[static_cast<std::size_t>(i)];
    ASSERT_EQ(x.type, "X") << i;
    EXPECT_EQ(x.seq, md[0]->seq + 1 + i) << "one X per event, in order";
    const std::string tt = x.get(60);
    ASSERT_EQ(tt.size(), 27u) << tt << ": 9 fractional digits";
    EXPECT_EQ(tt, tp::venue::format_transact_time(ev.ts));
    EXPECT_EQ(x.get(75), std::to_string(ev.day.yyyymmdd));
    EXPECT_EQ(x.get(336), ev.session == tp::Session::Day     ? "1"
                          : ev.session == tp::Session::Night ? "2"
                                                             : "0");
    EXPECT_EQ(x.get(5001), "Y") << "TAIFEX is trades-only: the tick rule's book";
    const Top t = top_of(x);
    EXPECT_EQ(t.bid, inst.format_price(ev.bid_px[0])) << i;
    EXPECT_EQ(t.ask, inst.format_price(ev.ask_px[0])) << i;
    EXPECT_EQ(t.ask_qty, ev.ask_qty[0].lots);
    const std::vector<std::string> types = x.all(269);
    EXPECT_EQ(static_cast<int>(types.size()), std::atoi(x.get(268).c_str()));
    const bool has_trade = std::find(types.begin(), types.end(), "2") != types.end();
    EXPECT_EQ(has_trade, (ev.flags & tp::kInTrade) != 0);
    if (has_trade) {
      ++trades;
      // the trade entry is the last one: its 270 / 271 are the last values
      EXPECT_EQ(x.all(270).back(), inst.format_price(ev.last));
      EXPECT_EQ(x.all(271).back(), std::to_string(ev.last_qty.lots));
      EXPECT_EQ(x.get(277) == "O", (ev.flags & tp::kInAuction) != 0);
    }
  }
  EXPECT_EQ(trades, kEvents);
  const nlohmann::json s = v.state();
  EXPECT_EQ(s["counters"]["md_messages"], kEvents + 1);
  EXPECT_EQ(s["counters"]["sync_timeouts"], 0);
}

TEST_F(VenueFixTest, WallClockSpeedPacesTheEvents) {
  const std::vector<tp::InputEvent> events = expected_events();
  const double span_s = static_cast<double>(events.back().ts - events.front().ts) / 1e9;
  ASSERT_GT(span_s, 0.5);
  const double speed = span_s / 1.0;  // about one second of playing
  VenueProc v(dir_, {"--speed", std::to_string(speed), "--linger-ms", "300"});
  const int port = v.port();
  ASSERT_GT(port, 0) << v.stderr_text();
  auto c = connect(port);
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(c->send_md_request("md1", "MTX", ""));
  ASSERT_TRUE(
      c->wait_for([](const auto& m) { return count_type(m, "X", true) >= kEvents; }, 30'000));
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_GT(took, 0.8) << "paced by event time / speed";
  EXPECT_LT(took, 10.0);
  c->stop();
  EXPECT_EQ(v.wait(), 0) << v.stderr_text();
}

TEST_F(VenueFixTest, UnknownSymbolGetsAMarketDataRequestReject) {
  VenueProc v(dir_, {"--speed", "0", "--linger-ms", "300"});
  const int port = v.port();
  ASSERT_GT(port, 0) << v.stderr_text();
  auto c = connect(port);
  ASSERT_TRUE(c->send_md_request("bad", "TXO", ""));
  ASSERT_TRUE(c->wait_for([](const auto& m) { return count_type(m, "Y", true) == 1; }, 10'000));
  for (const FixMsg& x : c->messages()) {
    if (x.type == "Y") {
      EXPECT_EQ(x.get(262), "bad");
      EXPECT_EQ(x.get(281), "0");
    }
  }
  c->stop();
  EXPECT_EQ(v.wait(), 0) << v.stderr_text();
}

// ---------------------------------------------------------------- orders, lockstep

TEST_F(VenueFixTest, LockstepOrdersMatchTheBookOfTheirSync) {
  VenueProc v(dir_, {"--speed", "0", "--linger-ms", "500"});
  const int port = v.port();
  ASSERT_GT(port, 0) << v.stderr_text();
  auto c = connect(port);
  FixTestClient* cl = c.get();

  std::atomic<int> syncs{0};
  std::atomic<int> held_seq{0}, seen_during_hold{0};
  Top book;  // the book the orders were sent on
  std::atomic<bool> sent{false};
  c->set_test_request_hook([&](const std::string& id) {
    if (id.rfind("sync:", 0) != 0) return;
    const int s = std::atoi(id.c_str() + 5);
    // (a) the market data message s has been seen
    cl->wait_for([&](const auto& m) { return md_with_seq(m, s) != nullptr; }, 5'000);
    const int n = ++syncs;
    if (n == 3) {
      // Hold the Heartbeat: the venue must not send the next market data meanwhile.
      held_seq = s;
      std::this_thread::sleep_for(std::chrono::milliseconds(400));
      int max_seq = 0;
      for (const FixMsg& x : cl->messages()) {
        if (x.md) max_seq = std::max(max_seq, x.seq);
      }
      seen_during_hold = max_seq;
    }
    if (n == 10) {
      const std::vector<FixMsg> m = cl->messages();
      book = top_of(*md_with_seq(m, s));
      const int ask = std::atoi(book.ask.c_str());
      cl->send(false, "D", new_order("1001", "1", 1, book.ask, "4"));  // FOK, marketable
      cl->send(false, "D",
               new_order("1002", "1", 1, std::to_string(ask - 10), "4"));  // FOK, not marketable
      cl->send(false, "D", new_order("1001", "1", 1, book.ask, "4"));      // duplicate ClOrdID
      cl->send(false, "D",
               new_order("1003", "1", book.ask_qty + 5, book.ask, "3"));  // IOC, partial
      cl->send(false, "D",
               new_order("1004", "2", 2, std::to_string(ask + 300), "0"));  // Day, rests
      cl->send(false, "F",
               {{11, "1005"},
                {41, "1004"},
                {55, "MTX"},
                {54, "2"},
                {38, "2"},
                {60, "20210726-00:45:00"}});
      cl->send(false, "F",
               {{11, "1006"},
                {41, "9999"},
                {55, "MTX"},
                {54, "1"},
                {38, "1"},
                {60, "20210726-00:45:00"}});
      cl->send(false, "H", {{11, "1001"}, {55, "MTX"}, {54, "1"}});
      cl->send(false, "AF", {{584, "mass1"}, {585, "7"}});
      cl->send(false, "AN", {{710, "pos1"}, {724, "0"}, {715, "20210726"}});
      sent = true;
    }
  });
  ASSERT_TRUE(c->send_md_request("md1", "MTX", "202108"));
  ASSERT_TRUE(
      c->wait_for([](const auto& m) { return count_type(m, "X", true) >= kEvents; }, 60'000));
  c->stop();
  ASSERT_EQ(v.wait(), 0) << v.stderr_text();
  ASSERT_TRUE(sent.load());
  const std::vector<FixMsg> m = c->messages();

  // Lockstep: nothing after market data message s while its Heartbeat was held.
  EXPECT_EQ(seen_during_hold.load(), held_seq.load());
  EXPECT_EQ(syncs.load(), kEvents + 1) << "one sync per W / X";

  const int ask = std::atoi(book.ask.c_str());
  ASSERT_GT(ask, 0);
  // FOK marketable: New then one fill at the book's ask (the book of that sync).
  {
    const auto r = reports_for(m, "1001");
    ASSERT_GE(r.size(), 3u);
    EXPECT_EQ(r[0].get(150), "0");
    EXPECT_EQ(r[1].get(150), "F");
    EXPECT_EQ(r[1].get(31), book.ask);
    EXPECT_EQ(r[1].get(32), "1");
    EXPECT_EQ(r[1].get(39), "2");
    EXPECT_EQ(r[1].get(14), "1");
    EXPECT_EQ(r[1].get(151), "0");
    EXPECT_EQ(r[1].get(6), book.ask);
    EXPECT_FALSE(r[1].get(37).empty());
    EXPECT_NE(r[0].get(17), r[1].get(17)) << "unique ExecIDs";
    // the duplicate is rejected 103=6 and does not touch the order
    EXPECT_EQ(r[2].get(150), "8");
    EXPECT_EQ(r[2].get(103), "6");
  }
  // FOK not marketable: New, Canceled.
  {
    const auto r = reports_for(m, "1002");
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[1].get(150), "4");
    EXPECT_EQ(r[1].get(39), "4");
    EXPECT_EQ(r[1].get(14), "0");
  }
  // IOC larger than the ask: fills what is left of the ask (one lot went to 1001), cancels the
  // rest.
  {
    const auto r = reports_for(m, "1003");
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[1].get(150), "F");
    EXPECT_EQ(r[1].get(31), book.ask);
    EXPECT_EQ(r[1].get(32), std::to_string(book.ask_qty - 1));
    EXPECT_EQ(r[1].get(39), "1");
    EXPECT_EQ(r[2].get(150), "4");
    EXPECT_EQ(r[2].get(14), std::to_string(book.ask_qty - 1));
    EXPECT_EQ(r[2].get(151), "0");
  }
  // Day rests (New, no cancel), then F cancels it: 150=4 with 11 = the cancel, 41 = the order.
  {
    const auto r = reports_for(m, "1004");
    ASSERT_GE(r.size(), 1u);
    EXPECT_EQ(r[0].get(150), "0");
    EXPECT_EQ(r[0].get(151), "2");
    const auto cx = reports_for(m, "1005");
    ASSERT_EQ(cx.size(), 1u);
    EXPECT_EQ(cx[0].get(150), "4");
    EXPECT_EQ(cx[0].get(41), "1004");
    EXPECT_EQ(cx[0].get(37), r[0].get(37));
    EXPECT_EQ(cx[0].get(151), "0");
  }
  // Cancel of an unknown order: OrderCancelReject 102=1.
  {
    bool found = false;
    for (const FixMsg& x : m) {
      if (x.type == "9" && x.get(11) == "1006") {
        found = true;
        EXPECT_EQ(x.get(102), "1");
        EXPECT_EQ(x.get(434), "1");
      }
    }
    EXPECT_TRUE(found);
  }
  // H: one 150=I with the order's state.
  {
    int n = 0;
    for (const FixMsg& x : m) {
      if (x.type == "8" && x.get(150) == "I" && x.get(11) == "1001" && !x.has(584)) {
        ++n;
        EXPECT_EQ(x.get(39), "2");
        EXPECT_EQ(x.get(14), "1");
      }
    }
    EXPECT_EQ(n, 1);
  }
  // AF: one 150=I per order known (1001..1004), 911 = 4, 912=Y on the last only.
  {
    std::vector<FixMsg> mass;
    for (const FixMsg& x : m) {
      if (x.type == "8" && x.get(584) == "mass1") mass.push_back(x);
    }
    ASSERT_EQ(mass.size(), 4u);
    for (std::size_t i = 0; i < mass.size(); ++i) {
      EXPECT_EQ(mass[i].get(150), "I");
      EXPECT_EQ(mass[i].get(911), "4");
      EXPECT_EQ(mass[i].get(912), i + 1 == mass.size() ? "Y" : "");
    }
    EXPECT_EQ(mass[3].get(11), "1004");
    EXPECT_EQ(mass[3].get(39), "4");
  }
  // AN -> AP: long = every lot bought (opening), short 0.
  {
    int n = 0;
    for (const FixMsg& x : m) {
      if (x.type == "AP") {
        ++n;
        EXPECT_EQ(x.get(710), "pos1");
        EXPECT_EQ(x.get(728), "0");
        EXPECT_EQ(x.get(703), "TQ");
        EXPECT_EQ(x.get(704), std::to_string(book.ask_qty));
        EXPECT_EQ(x.get(705), "0");
      }
    }
    EXPECT_EQ(n, 1);
  }
  // The venue's own view agrees.
  const nlohmann::json s = v.state();
  EXPECT_EQ(s["counters"]["orders"], 5);
  EXPECT_EQ(s["counters"]["fills"], 2);
  EXPECT_EQ(s["counters"]["rejects"], 1);
  EXPECT_EQ(s["counters"]["sync_timeouts"], 0);
  EXPECT_EQ(s["positions"][0]["long"], book.ask_qty);
  std::map<std::string, std::string> status;
  for (const auto& o : s["orders"]) status[o["clordid"]] = o["status"];
  EXPECT_EQ(status["1001"], "FILLED");
  EXPECT_EQ(status["1002"], "CANCELED");
  EXPECT_EQ(status["1003"], "CANCELED");
  EXPECT_EQ(status["1004"], "CANCELED");
  ASSERT_EQ(s["fills"].size(), 2u);
  EXPECT_EQ(s["fills"][0]["px"], book.ask);
}

TEST_F(VenueFixTest, LockstepWaitsForTheOrderSessionAndCountsSyncTimeouts) {
  // Only the MD session: the venue waits for the order session before playing; then the
  // order session logs on but never answers the first sync within the timeout.
  VenueProc v(dir_, {"--speed", "0", "--linger-ms", "300"}, 3);
  const int port = v.port();
  ASSERT_GT(port, 0) << v.stderr_text();
  FixClientOptions o;
  o.port = port;
  o.order_session = false;
  FixTestClient md(o);
  md.start();
  ASSERT_TRUE(md.wait_logged_on(10'000, false, true));
  ASSERT_TRUE(md.send_md_request("md1", "MTX", "202108"));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(count_type(md.messages(), "W", true), 0)
      << "no market data before the order session logs on";
  FixClientOptions oo;
  oo.port = port;
  oo.md_session = false;
  oo.heartbeat_s = 30;  // the held Heartbeat must not look like a dead connection
  FixTestClient orders(oo);
  std::atomic<int> holds{0};
  orders.set_test_request_hook([&](const std::string& id) {
    if (id.rfind("sync:", 0) == 0 && holds++ == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(5'600));
  });
  orders.start();
  ASSERT_TRUE(md.wait_for([](const auto& m) { return count_type(m, "X", true) >= 3; }, 30'000));
  md.stop();
  orders.stop();
  ASSERT_EQ(v.wait(), 0) << v.stderr_text();
  EXPECT_EQ(v.state()["counters"]["sync_timeouts"], 1);
}

// ---------------------------------------------------------------- faults

TEST_F(VenueFixTest, ScriptedFaultsAreAppliedAndCounted) {
  {
    std::ofstream f(dir_ / "faults.txt");
    f << "# orders 2 and 3 are rejected\n"
         "reject next=2 after_orders=1\n"
         "duplicate_fill clordid=4\n"
         "partial_ioc clordid=5 qty=1\n"
         "unknown_report clordid=6\n"
         "drop_ack clordid=7\n"
         "delay_ms=200 clordid=8\n"
         "disconnect after_orders=8\n";
  }
  VenueProc v(dir_,
              {"--speed", "0", "--linger-ms", "1500", "--faults", (dir_ / "faults.txt").string()});
  const int port = v.port();
  ASSERT_GT(port, 0) << v.stderr_text();
  auto c = connect(port);
  FixTestClient* cl = c.get();
  Top book;
  std::atomic<bool> sent{false};
  std::atomic<int> syncs{0};
  c->set_test_request_hook([&](const std::string& id) {
    if (id.rfind("sync:", 0) != 0) return;
    const int s = std::atoi(id.c_str() + 5);
    cl->wait_for([&](const auto& m) { return md_with_seq(m, s) != nullptr; }, 5'000);
    if (++syncs != 5) return;
    book = top_of(*md_with_seq(cl->messages(), s));
    cl->send(false, "D", new_order("1", "1", 1, book.ask, "4"));
    cl->send(false, "D", new_order("2", "1", 1, book.ask, "4"));
    cl->send(false, "D", new_order("3", "1", 1, book.ask, "4"));
    cl->send(false, "D", new_order("4", "1", 1, book.ask, "4"));
    cl->send(false, "D", new_order("5", "1", 3, book.ask, "3"));
    cl->send(false, "D", new_order("6", "1", 1, book.ask, "4"));
    cl->send(false, "D", new_order("7", "1", 1, book.ask, "4"));
    cl->send(false, "D", new_order("8", "1", 1, book.ask, "4"));
    sent = true;
  });
  ASSERT_TRUE(c->send_md_request("md1", "MTX", "202108"));
  ASSERT_TRUE(
      c->wait_for([](const auto& m) { return count_type(m, "X", true) >= kEvents; }, 60'000));
  ASSERT_TRUE(sent.load());
  EXPECT_GE(c->logons(false), 2) << "the order session was dropped and reconnected";
  c->stop();
  ASSERT_EQ(v.wait(), 0) << v.stderr_text();
  const std::vector<FixMsg> m = c->messages();

  EXPECT_EQ(reports_for(m, "1").back().get(39), "2");
  for (const char* id : {"2", "3"}) {
    const auto r = reports_for(m, id);
    ASSERT_EQ(r.size(), 1u) << id;
    EXPECT_EQ(r[0].get(150), "8");
    EXPECT_EQ(r[0].get(103), "99");
  }
  {  // the fill of 4 twice, with the same ExecID
    std::vector<FixMsg> fills;
    for (const FixMsg& x : reports_for(m, "4")) {
      if (x.get(150) == "F") fills.push_back(x);
    }
    ASSERT_EQ(fills.size(), 2u);
    EXPECT_EQ(fills[0].get(17), fills[1].get(17));
  }
  {  // IOC of 3 filled 1 (partial_ioc qty=1), the rest cancelled
    const auto r = reports_for(m, "5");
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[1].get(32), "1");
    EXPECT_EQ(r[2].get(150), "4");
    EXPECT_EQ(r[2].get(14), "1");
    EXPECT_EQ(r[2].get(38), "3");
  }
  {  // a fill report for an order that does not exist
    int unknown = 0;
    for (const FixMsg& x : m) {
      if (x.type == "8" && x.get(11) == "18446744073709551001") ++unknown;
    }
    EXPECT_EQ(unknown, 1);
  }
  {  // no ack for 7, its fill still comes
    const auto r = reports_for(m, "7");
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].get(150), "F");
  }
  const nlohmann::json s = v.state();
  const auto& f = s["counters"]["faults"];
  EXPECT_EQ(f["reject"], 2);
  EXPECT_EQ(f["duplicate_fill"], 1);
  EXPECT_EQ(f["partial_ioc"], 1);
  EXPECT_EQ(f["unknown_report"], 1);
  EXPECT_EQ(f["drop_ack"], 1);
  EXPECT_EQ(f["delay"], 1);
  EXPECT_EQ(f["disconnect"], 1);
  EXPECT_EQ(s["counters"]["faults_total"], 8);
  EXPECT_EQ(s["counters"]["orders"], 8);
  EXPECT_EQ(s["counters"]["rejects"], 2);
  EXPECT_EQ(s["counters"]["duplicate_fills_sent"], 1);
  // The venue's fills are distinct ExecIDs (the duplicate is the same fill).
  std::set<std::string> ids;
  for (const auto& x : s["fills"]) ids.insert(x["exec_id"].get<std::string>());
  EXPECT_EQ(ids.size(), s["fills"].size());
}

TEST_F(VenueFixTest, HaltSeqGapAndMarketDataHalt) {
  {
    std::ofstream f(dir_ / "faults.txt");
    f << "seq_gap after_msgs=2 skip=5\n"
         "halt after_orders=2 md=Y\n";
  }
  VenueProc v(dir_,
              {"--speed", "0", "--linger-ms", "800", "--faults", (dir_ / "faults.txt").string()});
  const int port = v.port();
  ASSERT_GT(port, 0) << v.stderr_text();
  auto c = connect(port);
  FixTestClient* cl = c.get();
  std::atomic<int> syncs{0};
  c->set_test_request_hook([&](const std::string& id) {
    if (id.rfind("sync:", 0) != 0) return;
    const int s = std::atoi(id.c_str() + 5);
    cl->wait_for([&](const auto& m) { return md_with_seq(m, s) != nullptr; }, 5'000);
    if (++syncs != 3) return;
    const Top book = top_of(*md_with_seq(cl->messages(), s));
    for (const char* id2 : {"1", "2", "3", "4"})
      cl->send(false, "D", new_order(id2, "1", 1, book.ask, "4"));
  });
  ASSERT_TRUE(c->send_md_request("md1", "MTX", "202108"));
  ASSERT_TRUE(c->wait_for([](const auto& m) { return reports_for(m, "4").size() == 1; }, 30'000));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  c->stop();
  ASSERT_EQ(v.wait(), 0) << v.stderr_text();
  const std::vector<FixMsg> m = c->messages();
  for (const char* id : {"3", "4"}) {
    const auto r = reports_for(m, id);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].get(150), "8");
    EXPECT_EQ(r[0].get(58), "venue halted (fault)");
  }
  EXPECT_EQ(reports_for(m, "1").back().get(39), "2") << "orders before the halt trade";
  EXPECT_LT(count_type(m, "X", true), kEvents) << "md=Y: the market data stops";
  // The seq gap was gap-filled by QuickFIX's resend logic: every report still arrived.
  EXPECT_EQ(reports_for(m, "2").size(), 2u);
  const std::string log = read_file(dir_ / "venue.log");
  EXPECT_NE(log.find("fault: seq_gap"), std::string::npos);
  EXPECT_NE(log.find("|35=2|"), std::string::npos) << "the client asked for a resend";
  const nlohmann::json s = v.state();
  EXPECT_EQ(s["counters"]["faults"]["halt"], 1);
  EXPECT_EQ(s["counters"]["faults"]["seq_gap"], 1);
  EXPECT_EQ(s["counters"]["rejects"], 2);
}

TEST_F(VenueFixTest, BadFaultsLineIsAClearErrorExit2) {
  {
    std::ofstream f(dir_ / "faults.txt");
    f << "reject after_orders=1\n"
         "\n"
         "reject next=x after_orders=1\n";
  }
  VenueProc v(dir_, {"--faults", (dir_ / "faults.txt").string()});
  EXPECT_EQ(v.wait(), 2);
  const std::string err = v.stderr_text();
  EXPECT_NE(err.find("faults.txt:3"), std::string::npos) << err;
  EXPECT_NE(err.find("'next'"), std::string::npos) << err;
  EXPECT_NE(err.find("'x'"), std::string::npos) << err;
}

// The replay-only fill models (docs/DESIGN.md "Fill models") are refused, not ignored:
// the exchange simulator matches against the book it sends.
TEST_F(VenueFixTest, ReplayOnlyFillModelIsAClearErrorExit2) {
  {
    std::ofstream f(dir_ / "cfg.toml");
    f << "[venue]\nfill_model = \"trade_through\"\n";
  }
  VenueProc v(dir_, {"--config", (dir_ / "cfg.toml").string()});
  EXPECT_EQ(v.wait(), 2);
  const std::string err = v.stderr_text();
  EXPECT_NE(err.find("cfg.toml"), std::string::npos) << err;
  EXPECT_NE(err.find("venue.fill_model 'trade_through'"), std::string::npos) << err;
  EXPECT_NE(err.find("book"), std::string::npos) << err;
}

TEST_F(VenueFixTest, SigtermStopsTheVenueAndWritesItsState) {
  VenueProc v(dir_, {"--speed", "0"});
  ASSERT_GT(v.port(), 0) << v.stderr_text();
  v.signal(SIGTERM);
  EXPECT_EQ(v.wait(10'000), 0) << v.stderr_text();
  EXPECT_EQ(v.state()["counters"]["md_messages"], 0);
  EXPECT_NE(v.stderr_text().find("stopped by signal"), std::string::npos);
}

}  // namespace
