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
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "process_util.hpp"
#include "tp/storage/temp_dir.hpp"

namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string kTickpipe = TP_TICKPIPE_BIN;
const std::string kDay = std::string(TP_SHARED_DIR) + "/data/taifex/Daily_2021_07_26.zip";

std::vector<json> json_lines(const std::string& text) {
  std::vector<json> v;
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) {
    if (!l.empty()) v.push_back(json::parse(l));
  }
  return v;
}

json read_json(const std::string& path) {
  std::ifstream f(path);
  return json::parse(f);
}

/// The real day as JSON lines, cut to [from_ns, to_ns) of event time: one file that both
/// the venue and replay read.
std::string make_slice(const std::string& dir, int64_t from_ns, int64_t to_ns) {
  const std::string full = dir + "/full.jsonl";
  int rc = 0;
  tp::test::run_capture({kTickpipe, "convert", "--data", kDay, "--symbol", "MTX", "--contract", "202108", "--out", full},
                        rc, 120s);
  EXPECT_EQ(rc, 0);
  const std::string slice = dir + "/slice.jsonl";
  std::ifstream in(full);
  std::ofstream out(slice);
  std::string l;
  while (std::getline(in, l)) {
    const auto p = l.find("\"ts_ns\":");
    if (p == std::string::npos) continue;
    const int64_t ts = std::stoll(l.substr(p + 8));
    if (ts >= from_ns && ts < to_ns) out << l << "\n";
  }
  return slice;
}

struct LiveRun {
  json report;                 ///< --report-json of live
  std::vector<json> orders;    ///< inspect --table orders
  std::vector<json> fills;     ///< inspect --table fills
  json venue;                  ///< the venue's --state-out
  std::string live_stdout;
};

LiveRun run_loopback(const std::string& dir, const std::string& data, const std::string& config,
                     const std::vector<std::string>& venue_extra = {}) {
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
  const std::string db = dir + "/live-db";
  tp::test::Child live({kTickpipe, "live", "--venue", addr, "--db", db, "--config", config, "--symbol", "MTX",
                        "--max-seconds", "240", "--report-json", dir + "/live.json"},
                       dir + "/live.err");
  const int live_rc = live.wait(260s);
  r.live_stdout = live.rest_of_stdout();
  const int venue_rc = venue.wait(30s);
  EXPECT_EQ(live_rc, 0) << r.live_stdout;
  EXPECT_EQ(venue_rc, 0);
  if (live_rc != 0 || venue_rc != 0) return r;
  r.report = read_json(dir + "/live.json");
  r.venue = read_json(state);
  int rc = 0;
  r.orders = json_lines(tp::test::run_capture({kTickpipe, "inspect", "--db", db, "--table", "orders"}, rc));
  EXPECT_EQ(rc, 0);
  r.fills = json_lines(tp::test::run_capture({kTickpipe, "inspect", "--db", db, "--table", "fills"}, rc));
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

// 08:44 to 09:15 Asia/Taipei on 2021-07-26: the opening range, the short breakout at
// 08:47 and the trailing-stop exits of all three lots.
constexpr int64_t kFrom = 1627260240'000000000;  // 2021-07-26 00:44:00 UTC
constexpr int64_t kTo = 1627262100'000000000;    // 2021-07-26 01:15:00 UTC

TEST(LiveLoopback, RealDaySliceBothBooksAgreeAndMatchReplay) {
  tp::storage::TempDir tmp("tickpipe-live");
  const std::string dir = tmp.path();
  const std::string data = make_slice(dir, kFrom, kTo);
  const std::string config = dir + "/lockstep.toml";
  std::ofstream(config) << "[venue]\nlatency_ms = 0\n";

  const LiveRun live = run_loopback(dir, data, config);
  ASSERT_FALSE(live.report.is_null()) << live.live_stdout;

  // Parity with replay: the same lots, prices, times, reasons.
  const json replay = replay_report(dir, data, config);
  const auto want = lot_keys(replay);
  const auto got = lot_keys(live.report);
  ASSERT_FALSE(want.empty()) << "the slice must trade";
  EXPECT_EQ(got, want);

  // Both books: the engine's journal against the venue's own record.
  std::map<std::string, json> venue_orders;
  for (const json& o : live.venue.at("orders")) venue_orders[o.at("clordid").get<std::string>()] = o;
  int sent = 0;
  for (const json& o : live.orders) {
    const std::string id = std::to_string(o.at("client_id").get<uint64_t>());
    if (o.at("reason") == "venue_down") continue;  // never left the engine
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
  // Positions: the engine's net position is the venue's.
  int64_t venue_net = 0;
  for (const json& p : live.venue.at("positions")) venue_net += p.at("long").get<int64_t>() - p.at("short").get<int64_t>();
  EXPECT_EQ(live.report.at("live").at("net_position_lots").get<int64_t>(), venue_net);
  // A clean session: nothing garbled, rejected, refused or duplicated.
  const json& fx = live.report.at("live");
  EXPECT_EQ(fx.at("orders_refused"), 0);
  EXPECT_EQ(fx.at("duplicate_exec_ids"), 0);
  EXPECT_EQ(fx.at("bad_reports"), 0);
  EXPECT_EQ(fx.at("md_bad"), 0);
  EXPECT_EQ(fx.at("order_session").at("garbled"), 0);
  EXPECT_EQ(fx.at("order_session").at("rejects_in"), 0);
  EXPECT_EQ(fx.at("md_session").at("rejects_in"), 0);
  EXPECT_EQ(fx.at("stopped_by"), "venue_logout");
  EXPECT_GT(fx.at("syncs_answered").get<int64_t>(), 20000) << "lockstep: one sync per market-data message";
}

}  // namespace
