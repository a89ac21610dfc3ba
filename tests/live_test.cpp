// End to end on loopback (SPEC §3.2, docs/FIX.md): `tickpipe venue --speed 0` plays a
// slice of the real 2021-07-26 MTX day, `tickpipe live` trades it over FIX 4.4, and
//  * both sides' books agree: every order the engine journaled reached the venue with
//    the same client order id, side, quantity, limit and time in force; every fill the
//    venue made is a fill in the engine's journal (price, quantity), none more; the
//    engine's net position is the venue's;
//  * parity with replay: the same slice through `tickpipe replay` (order latency 0, the
//    lockstep venue's) gives the same lots: side, rule, entry and exit prices and times,
//    exit reasons, PnL.
// Every process has a deadline and is killed past it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "live_util.hpp"
#include "tp/storage/temp_dir.hpp"

namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

using tp::test::json_lines;
using tp::test::kTickpipe;
using tp::test::make_slice;
using tp::test::read_json;

struct LiveRun {
  json report;                 ///< --report-json of live
  std::vector<json> orders;    ///< inspect --table orders
  std::vector<json> fills;     ///< inspect --table fills
  std::vector<json> journal;   ///< inspect --table journal
  json venue;                  ///< the venue's --state-out
  std::string live_stdout;
};

LiveRun run_loopback(const std::string& dir, const std::string& data, const std::string& config,
                     const std::vector<std::string>& venue_extra = {}, const std::vector<std::string>& live_extra = {},
                     int expect_live_rc = 0, const std::string& db_dir = "") {
  LiveRun r;
  const std::string state = dir + "/venue_state.json";
  std::vector<std::string> vargs = {kTickpipe, "venue", "--data", data, "--symbol", "MTX", "--config", config,
                                    "--port", "0", "--speed", "0", "--linger-ms", "300", "--max-seconds", "240",
                                    "--state-out", state, "--log", dir + "/venue.log"};
  vargs.insert(vargs.end(), venue_extra.begin(), venue_extra.end());
  tp::test::Child venue(vargs, dir + "/venue.err");
  std::string line;
  EXPECT_TRUE(venue.read_line(line, 30s)) << "the venue did not say where it listens";
  const std::string prefix = "venue: listening on ";
  EXPECT_EQ(line.rfind(prefix, 0), 0u) << line;
  const std::string addr = line.substr(prefix.size());
  const std::string db = db_dir.empty() ? dir + "/live-db" : db_dir;
  std::vector<std::string> largs = {kTickpipe, "live", "--venue", addr, "--db", db, "--config", config, "--symbol",
                                    "MTX", "--max-seconds", "240", "--report-json", dir + "/live.json"};
  largs.insert(largs.end(), live_extra.begin(), live_extra.end());
  tp::test::Child live(largs, dir + "/live.err");
  const int live_rc = live.wait(260s);
  r.live_stdout = live.rest_of_stdout();
  const int venue_rc = venue.wait(30s);
  EXPECT_EQ(live_rc, expect_live_rc) << r.live_stdout;
  EXPECT_EQ(venue_rc, 0);
  if (live_rc != expect_live_rc || venue_rc != 0) return r;
  r.report = read_json(dir + "/live.json");
  r.venue = read_json(state);
  int rc = 0;
  r.orders = json_lines(tp::test::run_capture({kTickpipe, "inspect", "--db", db, "--table", "orders"}, rc));
  EXPECT_EQ(rc, 0);
  r.fills = json_lines(tp::test::run_capture({kTickpipe, "inspect", "--db", db, "--table", "fills"}, rc));
  EXPECT_EQ(rc, 0);
  r.journal = json_lines(tp::test::run_capture({kTickpipe, "inspect", "--db", db, "--table", "journal"}, rc));
  EXPECT_EQ(rc, 0);
  return r;
}

json replay_report(const std::string& dir, const std::string& data, const std::string& config) {
  int rc = 0;
  const std::string out = dir + "/replay.json";
  tp::test::run_capture({kTickpipe, "replay", "--data", data, "--symbol", "MTX", "--config", config, "--no-persist",
                         "--quiet", "--report-json", out},
                        rc, 120s);
  EXPECT_EQ(rc, 0);
  return read_json(out);
}

/// The lots of a report, keyed by what must agree.
std::vector<std::string> lot_keys(const json& report) {
  std::vector<std::string> v;
  for (const json& d : report.at("days")) {
    v.push_back("day " + d.at("trading_day").dump() + " range " + d.at("range_low").dump() + "-" +
                d.at("range_high").dump() + " skipped " + d.at("skipped_reason").dump());
    for (const json& e : d.at("entries")) {
      v.push_back("  entry " + e.at("side").dump() + " signal " + e.at("signal_time").dump() + " trigger " +
                  e.at("trigger_price").dump() + " filled " + e.at("filled_lots").dump());
      for (const json& l : e.at("lots")) {
        std::ostringstream k;
        k << "    rule " << l.at("rule") << " state " << l.at("state") << " entry "
          << l.at("entry_time") << " @ " << l.at("entry_price") << " exit " << l.at("exit_time") << " @ "
          << l.at("exit_price") << " " << l.at("exit_reason") << " pnl " << l.at("pnl_points");
        v.push_back(k.str());
      }
    }
  }
  return v;
}

/// Both books agree (SPEC §6: every fill accounted for): every order the engine sent is
/// at the venue with the same side, time in force, quantity, limit, state and filled
/// quantity and the venue has no other; the fills are the same (client order id, price,
/// quantity; a duplicated report counted once); the net positions are equal.
void expect_books_agree(const LiveRun& live) {
  std::map<std::string, json> venue_orders;
  for (const json& o : live.venue.at("orders")) venue_orders[o.at("clordid").get<std::string>()] = o;
  int sent = 0;
  for (const json& o : live.orders) {
    const std::string id = std::to_string(o.at("client_id").get<uint64_t>());
    // Orders refused inside the engine never left it: the feed's VenueDown and the risk
    // stage's pre-trade checks (SPEC §6).
    static const std::set<std::string> kEngineSide = {"venue_down",     "kill_switch", "max_position",
                                                      "max_order_size", "price_band",  "throttle",
                                                      "daily_loss",     "invalid_qty", "invalid_price"};
    if (kEngineSide.count(o.at("reason").get<std::string>())) continue;
    if (!venue_orders.count(id) && o.at("state") == "REJECTED" && o.at("reason") == "unknown_order") {
      continue;  // lost on its way (a dropped connection); the venue's status report says it never had it
    }
    ++sent;
    ASSERT_TRUE(venue_orders.count(id)) << "order " << id << " is not at the venue";
    const json& v = venue_orders[id];
    EXPECT_EQ(v.at("side"), o.at("side")) << id;
    EXPECT_EQ(v.at("tif"), o.at("tif")) << id;
    EXPECT_EQ(v.at("qty").get<int64_t>(), o.at("qty").get<int64_t>()) << id;
    EXPECT_EQ(v.at("cum").get<int64_t>(), o.at("cum_qty").get<int64_t>()) << id;
    EXPECT_EQ(v.at("limit").get<std::string>(), std::to_string(o.at("limit_ticks").get<int64_t>())) << id;  // MTX: 1 tick = 1 point
    EXPECT_EQ(v.at("status"), o.at("state")) << id;
  }
  EXPECT_EQ(sent, static_cast<int>(venue_orders.size())) << "the venue has orders the engine did not journal";
  std::multiset<std::string> venue_fills, engine_fills;
  for (const json& f : live.venue.at("fills")) {
    venue_fills.insert(f.at("clordid").get<std::string>() + " " + f.at("px").get<std::string>() + " x " +
                       f.at("qty").dump());
  }
  for (const json& f : live.fills) {
    engine_fills.insert(std::to_string(f.at("client_id").get<uint64_t>()) + " " +
                        std::to_string(f.at("px_ticks").get<int64_t>()) + " x " + f.at("qty").dump());
  }
  EXPECT_EQ(engine_fills, venue_fills);
  int64_t venue_net = 0;
  for (const json& p : live.venue.at("positions")) venue_net += p.at("long").get<int64_t>() - p.at("short").get<int64_t>();
  EXPECT_EQ(live.report.at("live").at("net_position_lots").get<int64_t>(), venue_net);
}

/// The journal's Session records of one event kind ("gap_detected", ...): their count sum.
uint64_t journaled_session_events(const LiveRun& live, const std::string& event) {
  uint64_t n = 0;
  for (const json& r : live.journal) {
    if (r.value("type", "") == "session" && r.value("event", "") == event) n += r.at("n").get<uint64_t>();
  }
  return n;
}

// 08:44 to 09:15 Asia/Taipei on 2021-07-26: the opening range, the short breakout at
// 08:47 (three one-lot FOK entries: orders 1-3) and the trailing-stop exits of all three
// lots (orders 4-6).
constexpr int64_t kFrom = 1627260240'000000000;  // 2021-07-26 00:44:00 UTC
constexpr int64_t kTo = 1627262100'000000000;    // 2021-07-26 01:15:00 UTC

class LiveLoopback : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new tp::storage::TempDir("tickpipe-live");
    data_ = make_slice(tmp_->path(), kFrom, kTo);
    config_ = tmp_->path() + "/lockstep.toml";
    std::ofstream(config_) << "[venue]\nlatency_ms = 0\n";
  }
  static void TearDownTestSuite() {
    delete tmp_;
    tmp_ = nullptr;
  }
  /// A fresh directory for one run (venue state, logs, the engine's database).
  std::string run_dir(const std::string& name) {
    const std::string d = tmp_->path() + "/" + name;
    fs::create_directories(d);
    return d;
  }
  /// venue + live with `faults` (one fault a line; "" = none).
  LiveRun run(const std::string& name, const std::string& faults, const std::vector<std::string>& live_extra = {},
              int expect_rc = 0, const std::string& db = "") {
    const std::string d = run_dir(name);
    std::vector<std::string> extra;
    if (!faults.empty()) {
      std::ofstream(d + "/faults.txt") << faults << "\n";
      extra = {"--faults", d + "/faults.txt"};
    }
    return run_loopback(d, data_, config_, extra, live_extra, expect_rc, db);
  }
  static tp::storage::TempDir* tmp_;
  static std::string data_;
  static std::string config_;
};
tp::storage::TempDir* LiveLoopback::tmp_ = nullptr;
std::string LiveLoopback::data_;
std::string LiveLoopback::config_;

TEST_F(LiveLoopback, RealDaySliceBothBooksAgreeAndMatchReplay) {
  const LiveRun live = run("clean", "");
  ASSERT_FALSE(live.report.is_null()) << live.live_stdout;

  // Parity with replay: the same lots, prices, times, reasons.
  const json replay = replay_report(tmp_->path(), data_, config_);
  const auto want = lot_keys(replay);
  const auto got = lot_keys(live.report);
  ASSERT_GT(want.size(), 3u) << "the slice must trade";
  EXPECT_EQ(got, want);

  expect_books_agree(live);
  // A clean session: nothing garbled, rejected, refused or duplicated.
  const json& fx = live.report.at("live");
  EXPECT_EQ(fx.at("orders_sent"), 6);
  EXPECT_EQ(fx.at("orders_refused"), 0);
  EXPECT_EQ(fx.at("duplicate_exec_ids"), 0);
  EXPECT_EQ(fx.at("bad_reports"), 0);
  EXPECT_EQ(fx.at("md_bad"), 0);
  EXPECT_EQ(fx.at("order_session").at("garbled"), 0);
  EXPECT_EQ(fx.at("order_session").at("rejects_in"), 0);
  EXPECT_EQ(fx.at("md_session").at("rejects_in"), 0);
  EXPECT_EQ(fx.at("stopped_by"), "session_ended");
  EXPECT_GT(fx.at("syncs_answered").get<int64_t>(), 20000) << "lockstep: one sync per market-data message";
  EXPECT_EQ(journaled_session_events(live, "logon"), 2u);
  EXPECT_EQ(journaled_session_events(live, "logout"), 2u);
  EXPECT_EQ(live.venue.at("counters").at("sync_timeouts"), 0);
}

// A second run on the same database continues the stored FIX session: against a venue
// that restarted its own (sequence numbers from 1) the session is refused (exit 4, a
// message saying what to do) and nothing trades; with --reset-seq it starts a new one,
// trades the same day again with the next run id and the next free group ids.
TEST_F(LiveLoopback, RestartOnTheSameDatabaseKeepsTheSequenceNumbers) {
  const std::string db = run_dir("restart") + "/db";
  const LiveRun first = run("restart-1", "", {}, 0, db);
  ASSERT_FALSE(first.report.is_null()) << first.live_stdout;
  const uint64_t out1 = first.report.at("live").at("order_session").at("next_seq_out").get<uint64_t>();
  ASSERT_GT(out1, 20000u);
  int rc = 0;
  const auto meta = json_lines(tp::test::run_capture({kTickpipe, "inspect", "--db", db, "--table", "meta"}, rc));
  std::string stored;
  for (const json& m : meta) {
    if (m.at("key") == "fix/TICKPIPE/next_out") stored = m.at("value").get<std::string>();
  }
  EXPECT_EQ(stored, std::to_string(out1)) << "the stored next outgoing MsgSeqNum";

  const LiveRun refused = run("restart-2", "", {}, 4, db);
  ASSERT_FALSE(refused.report.is_null());
  EXPECT_EQ(refused.report.at("live").at("orders_sent"), 0) << "nothing trades on a refused session";
  EXPECT_GE(refused.report.at("live").at("order_session").at("seq_too_low").get<int>(), 1);

  const LiveRun again = run("restart-3", "", {"--reset-seq"}, 0, db);
  ASSERT_FALSE(again.report.is_null()) << again.live_stdout;
  EXPECT_EQ(again.report.at("run").at("run_id"), 3) << "run 2 was the refused one";
  EXPECT_EQ(lot_keys(again.report).size(), lot_keys(first.report).size());
  for (const json& d : again.report.at("days")) {
    for (const json& e : d.at("entries")) {
      for (const json& l : e.at("lots")) EXPECT_GT(l.at("group").get<int>(), 1) << "the next free group id";
    }
  }
}

// ---- one test per venue fault: what the engine does (journaled, counted, position right)

TEST_F(LiveLoopback, VenueRejectsTheFirstTwoEntries) {
  const LiveRun live = run("reject", "reject next=2 after_orders=0");
  ASSERT_FALSE(live.report.is_null()) << live.live_stdout;
  EXPECT_EQ(live.venue.at("counters").at("faults").at("reject"), 2);
  // The strategy sees two venue rejects of its entry orders (journaled as rejected
  // orders), the third lot fills; positions and fills agree with the venue.
  int rejected = 0;
  for (const json& o : live.orders) rejected += o.at("state") == "REJECTED" ? 1 : 0;
  EXPECT_EQ(rejected, 2);
  EXPECT_EQ(live.report.at("orders").at("entry").at("rejected"), 2);
  expect_books_agree(live);
}

TEST_F(LiveLoopback, DuplicateFillIsJournaledAndAppliedOnce) {
  const LiveRun live = run("dupfill", "duplicate_fill after_orders=0 next=3");
  ASSERT_FALSE(live.report.is_null()) << live.live_stdout;
  EXPECT_EQ(live.venue.at("counters").at("duplicate_fills_sent"), 3);
  const json& fx = live.report.at("live");
  EXPECT_EQ(fx.at("duplicate_exec_ids"), 3);
  EXPECT_EQ(fx.at("tracker_duplicate_reports"), 3);
  expect_books_agree(live);  // no over-fill: three entry lots, three fills
  int unknown = 0;
  for (const json& r : live.journal) unknown += r.value("type", "") == "unknown_report" ? 1 : 0;
  EXPECT_EQ(unknown, 3) << "each duplicate is journaled";
}

TEST_F(LiveLoopback, UnknownReportIsJournaledAndCounted) {
  const LiveRun live = run("unknown", "unknown_report after_orders=0");
  ASSERT_FALSE(live.report.is_null()) << live.live_stdout;
  EXPECT_EQ(live.venue.at("counters").at("faults").at("unknown_report"), 1);
  EXPECT_EQ(live.report.at("live").at("tracker_unknown_reports"), 1);
  int unknown = 0;
  for (const json& r : live.journal) unknown += r.value("type", "") == "unknown_report" ? 1 : 0;
  EXPECT_EQ(unknown, 1);
  // The venue's record of it is not a fill of ours; everything else agrees.
  LiveRun mine = live;
  json fills = json::array();
  for (const json& f : live.venue.at("fills")) {
    if (f.at("clordid").get<std::string>().rfind("1844674407370955", 0) != 0) fills.push_back(f);
  }
  mine.venue["fills"] = fills;
  expect_books_agree(mine);
}

TEST_F(LiveLoopback, DroppedAckStillFillsFromTheFillReport) {
  const LiveRun live = run("dropack", "drop_ack after_orders=0 next=3");
  ASSERT_FALSE(live.report.is_null()) << live.live_stdout;
  EXPECT_EQ(live.venue.at("counters").at("faults").at("drop_ack"), 3);
  EXPECT_EQ(live.report.at("live").at("tracker_unknown_reports"), 0);
  expect_books_agree(live);
  const json replay = replay_report(run_dir("dropack-replay"), data_, config_);
  EXPECT_EQ(lot_keys(live.report), lot_keys(replay)) << "the same trades without the acks";
}

TEST_F(LiveLoopback, DelayedReportsKeepLockstepParity) {
  const LiveRun live = run("delay", "delay delay_ms=200 after_orders=0 next=2");
  ASSERT_FALSE(live.report.is_null()) << live.live_stdout;
  EXPECT_EQ(live.venue.at("counters").at("faults").at("delay"), 2);
  EXPECT_EQ(live.venue.at("counters").at("sync_timeouts"), 0);
  expect_books_agree(live);
  const json replay = replay_report(run_dir("delay-replay"), data_, config_);
  EXPECT_EQ(lot_keys(live.report), lot_keys(replay)) << "the engine waits for the late report (lockstep)";
}

TEST_F(LiveLoopback, DisconnectReconnectsWithTheSameSequenceNumbers) {
  // After the venue's 3rd application message on the order session (the first entry's
  // reports), it drops the connection without a Logout.
  const LiveRun live = run("disconnect", "disconnect after_msgs=3 session=order");
  ASSERT_FALSE(live.report.is_null()) << live.live_stdout;
  EXPECT_EQ(live.venue.at("counters").at("faults").at("disconnect"), 1);
  const json& os = live.report.at("live").at("order_session");
  EXPECT_EQ(os.at("logons"), 2) << "logged on again";
  EXPECT_GE(os.at("disconnects").get<int>(), 1);
  EXPECT_EQ(journaled_session_events(live, "disconnect") >= 1, true);
  EXPECT_EQ(os.at("seq_too_low"), 0);
  // The entry fill lost with the connection comes back from the status request, the
  // order sent into the dead connection is rejected as unknown to the venue.
  const json& fx = live.report.at("live");
  EXPECT_GE(fx.at("status_requests").get<int>(), 1);
  EXPECT_EQ(live.venue.at("counters").at("sync_timeouts"), 0);
  // Reconciled at the first logon and again when the session came back (issue #10 item 5).
  int reconciles = 0;
  for (const json& r : live.journal) reconciles += r.value("type", "") == "reconcile" ? 1 : 0;
  EXPECT_EQ(reconciles, 2);
  expect_books_agree(live);
}

TEST_F(LiveLoopback, SequenceGapIsResentAndNothingIsLost) {
  const LiveRun live = run("seqgap", "seq_gap after_msgs=2 skip=3 session=order");
  ASSERT_FALSE(live.report.is_null()) << live.live_stdout;
  EXPECT_EQ(live.venue.at("counters").at("faults").at("seq_gap"), 1);
  const json& os = live.report.at("live").at("order_session");
  EXPECT_GE(os.at("resend_requests_out").get<int>(), 1);
  EXPECT_GE(journaled_session_events(live, "gap_detected"), 1u);
  expect_books_agree(live);
  const json replay = replay_report(run_dir("seqgap-replay"), data_, config_);
  EXPECT_EQ(lot_keys(live.report), lot_keys(replay)) << "every report arrived after the resend";
}

TEST_F(LiveLoopback, HaltRejectsTheExitsAndThePositionStaysRight) {
  // Trading halts after the three entries: every exit is rejected; the lots stay open
  // (PENDING_CLOSING, their exits standing), the engine's position is the venue's.
  const LiveRun live = run("halt", "halt after_orders=3");
  ASSERT_FALSE(live.report.is_null()) << live.live_stdout;
  EXPECT_GE(live.venue.at("counters").at("faults").at("halt").get<int>(), 1);
  int rejected = 0;
  for (const json& o : live.orders) rejected += o.at("state") == "REJECTED" ? 1 : 0;
  EXPECT_GT(rejected, 0);
  EXPECT_EQ(live.report.at("live").at("net_position_lots"), -3);
  // Each standing exit tries again at most once a second of event time
  // (strategy.chase.reject_retry_ms), not on every quote: 3 lots x ~22 minutes.
  EXPECT_LE(live.venue.at("counters").at("orders").get<int>(), 3 + 3 * 22 * 60 + 3);
  expect_books_agree(live);
}

}  // namespace
