// Reconciliation before trading (SPEC §6; docs/DESIGN.md "Reconciliation"), one test per
// case, end to end: `tickpipe venue --speed 0` on the real day's slice and `tickpipe live`.
// What the venue holds before the engine connects is made by the QuickFIX test client
// logging on as the engine's own session (an earlier process of the same trader).
//  * an order the venue has working and the journal does not: cancelled;
//  * a position the venue has and no intent of the engine explains: no trading starts
//    (the mismatch is journaled and reported);
//  * an order the engine journaled whose fill it never heard of (killed while the venue
//    held the report back): after the restart its status is asked for and the fill is
//    applied exactly once; the local order's state is fixed from the venue's report;
//  * every run journals its summary (checked_orders, checked_positions, adopted, closed,
//    fixed, items).
// The lots the venue no longer holds (an exit filled after the last committed event) are
// closed by reconciliation; the fault campaign (fault_campaign_test.cpp) exercises them.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "live_util.hpp"
#include "tp/storage/store.hpp"
#include "tp/storage/temp_dir.hpp"
#include "tp/venue/fix_test_client.hpp"

namespace {

using namespace std::chrono_literals;
using tp::test::json;
using tp::test::kTickpipe;
using tp::venue::FixClientOptions;
using tp::venue::FixMsg;
using tp::venue::FixTestClient;

class Reconcile : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new tp::storage::TempDir("tp-reconcile");
    slice_ = tp::test::make_slice(tmp_->path(), tp::test::kSliceFrom, tp::test::kSliceTo);
    cfg_ = tmp_->sub("live.toml");
    std::ofstream(cfg_) << "[venue]\nlatency_ms = 0\n[persist]\nsync = \"durable\"\n";
  }
  static void TearDownTestSuite() {
    delete tmp_;
    tmp_ = nullptr;
  }
  void SetUp() override {
    dir_ = tmp_->sub(::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  /// Starts the lockstep venue (optionally with faults); returns its port.
  int start_venue(const std::string& faults = "") {
    std::vector<std::string> a = {kTickpipe, "venue",   "--data", slice_, "--symbol", "MTX",   "--config",
                                  cfg_,      "--port",  "0",      "--speed", "0",     "--linger-ms", "8000",
                                  "--max-seconds", "120", "--state-out", dir_ + "/venue.json", "--log",
                                  dir_ + "/venue.log"};
    if (!faults.empty()) {
      std::ofstream(dir_ + "/faults.txt") << faults << "\n";
      a.insert(a.end(), {"--faults", dir_ + "/faults.txt"});
    }
    venue_ = std::make_unique<tp::test::Child>(a, dir_ + "/venue.err");
    std::string line;
    EXPECT_TRUE(venue_->read_line(line, 30s));
    const std::string prefix = "venue: listening on ";
    EXPECT_EQ(line.rfind(prefix, 0), 0u) << line;
    addr_ = line.substr(prefix.size());
    return std::stoi(addr_.substr(addr_.rfind(':') + 1));
  }
  std::vector<std::string> live_args(const std::string& db) const {
    return {kTickpipe, "live", "--venue", addr_, "--db", db, "--config", cfg_, "--symbol", "MTX",
            "--max-seconds", "40", "--report-json", db + ".json"};
  }
  /// One engine run on `db` until the venue has played its file; its stdout (the report).
  std::string run_engine(const std::string& db) {
    tp::test::Child live(live_args(db), dir_ + "/live.err");
    EXPECT_EQ(live.wait(120s), 0);
    std::string out = live.rest_of_stdout();
    EXPECT_EQ(venue_->wait(60s), 0);
    return out;
  }
  std::vector<tp::JrReconcile> reconciles(const std::string& db) const {
    std::vector<tp::JrReconcile> v;
    tp::storage::StoreOptions o;
    o.dir = db;
    o.read_only = true;
    tp::storage::Store s(o);
    s.for_each_journal(0, [&](uint32_t, const tp::JournalRecord& r) {
      if (r.type == tp::JournalType::Reconcile) v.push_back(r.u.reconcile);
    });
    return v;
  }
  static std::string items(const tp::JrReconcile& r) { return std::string(r.items, r.items_len); }
  json venue_state() const { return tp::test::read_json(dir_ + "/venue.json"); }

  static tp::storage::TempDir* tmp_;
  static std::string slice_;
  static std::string cfg_;
  std::string dir_;
  std::string addr_;
  std::unique_ptr<tp::test::Child> venue_;
};
tp::storage::TempDir* Reconcile::tmp_ = nullptr;
std::string Reconcile::slice_;
std::string Reconcile::cfg_;

std::vector<std::pair<int, std::string>> new_order(const std::string& id, char side, const std::string& px, char tif) {
  return {{11, id}, {55, "MTX"}, {54, std::string(1, side)}, {38, "1"}, {40, "2"}, {44, px},
          {59, std::string(1, tif)}, {77, "O"}, {60, "20210726-00:44:00.000"}};
}

bool has_report(const std::vector<FixMsg>& m, const std::string& id, const std::string& exec_type) {
  for (const FixMsg& x : m) {
    if (x.type == "8" && x.get(11) == id && x.get(150) == exec_type) return true;
  }
  return false;
}

TEST_F(Reconcile, AnOrderTheVenueHasAndTheJournalDoesNotIsCancelled) {
  const int port = start_venue();
  {
    FixClientOptions o;
    o.port = port;
    o.md_session = false;
    o.log_path = dir_ + "/client.log";
    FixTestClient c(o);
    c.start();
    ASSERT_TRUE(c.wait_logged_on(10'000, true, false));
    // A Day buy far below the market: it rests at the venue.
    ASSERT_TRUE(c.send(false, "D", new_order("777000001", '1', "10000", '0')));
    ASSERT_TRUE(c.wait_for([](const std::vector<FixMsg>& m) { return has_report(m, "777000001", "0"); }, 10'000));
    c.stop();
  }
  const std::string db = dir_ + "/db";
  const std::string out = run_engine(db);
  const json v = venue_state();
  bool cancelled = false;
  for (const json& ord : v.at("orders")) {
    if (ord.at("clordid") == "777000001") cancelled = ord.at("status") == "CANCELED";  // the venue spells it FIX-style
  }
  EXPECT_TRUE(cancelled) << "the orphan order was cancelled\n" << out;
  const auto r = reconciles(db);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_GE(r[0].checked_orders, 1u);
  EXPECT_EQ(r[0].checked_positions, 1u);
  EXPECT_EQ(r[0].closed, 1u);
  EXPECT_EQ(r[0].resolved, 1);
  EXPECT_NE(items(r[0]).find("cancelled 1 orphan order"), std::string::npos) << items(r[0]);
  EXPECT_NE(out.find("reconcile:"), std::string::npos) << "the summary is printed";
  // The engine then traded the day as usual.
  const json rep = tp::test::read_json(db + ".json");
  EXPECT_GT(rep.at("live").at("orders_sent").get<int>(), 0);
}

TEST_F(Reconcile, APositionNoIntentExplainsStopsTrading) {
  const int port = start_venue();
  {
    FixClientOptions o;
    o.port = port;
    o.log_path = dir_ + "/client.log";
    FixTestClient c(o);
    c.start();
    ASSERT_TRUE(c.wait_logged_on(10'000));
    ASSERT_TRUE(c.send_md_request("md-1", "MTX", ""));
    // The first two-sided book, then a FOK buy through it: one lot long at the venue.
    ASSERT_TRUE(c.wait_for(
        [](const std::vector<FixMsg>& m) {
          for (const FixMsg& x : m) {
            if (!x.md || x.type != "X") continue;
            bool bid = false, ask = false;
            for (const std::string& t : x.all(269)) {
              bid |= t == "0";
              ask |= t == "1";
            }
            if (bid && ask) return true;
          }
          return false;
        },
        20'000));
    ASSERT_TRUE(c.send(false, "D", new_order("777000002", '1', "99999", '4')));
    ASSERT_TRUE(c.wait_for([](const std::vector<FixMsg>& m) { return has_report(m, "777000002", "F"); }, 10'000));
    c.stop();
  }
  const std::string db = dir_ + "/db";
  const std::string out = run_engine(db);
  const auto r = reconciles(db);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].venue_net_lots, 1);
  EXPECT_EQ(r[0].local_net_lots, 0);
  EXPECT_EQ(r[0].resolved, 0) << "a position no intent explains is not traded around";
  EXPECT_NE(items(r[0]).find("position mismatch"), std::string::npos) << items(r[0]);
  EXPECT_NE(out.find("trading refused"), std::string::npos) << out;
  const json rep = tp::test::read_json(db + ".json");
  EXPECT_EQ(rep.at("live").at("orders_sent").get<int>(), 0) << "no trading starts";
  const json v = venue_state();
  EXPECT_EQ(v.at("positions").at(0).at("long"), 1);
}

TEST_F(Reconcile, AFillTheJournalLacksIsAppliedOnceAfterARestart) {
  // The venue holds the answer to the engine's first order back 1.5 s; the engine is
  // killed meanwhile, after it journaled the order, and restarted on the same database.
  start_venue("delay_ms=1500 after_orders=0");
  const std::string db = dir_ + "/db";
  {
    tp::test::Child live(live_args(db), dir_ + "/live1.err");
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    bool sent = false;
    while (!sent && std::chrono::steady_clock::now() < deadline) {
      std::ifstream log(dir_ + "/venue.log");
      std::string l;
      while (std::getline(log, l)) sent |= l.find("|35=D|") != std::string::npos;
      if (!sent) std::this_thread::sleep_for(20ms);
    }
    ASSERT_TRUE(sent) << "the engine sent its first order";
    std::this_thread::sleep_for(300ms);  // the order is journaled; its answer is still held back
    EXPECT_EQ(live.wait(1ms), -1) << "killed while the venue held the report";
  }
  tp::test::Child live(live_args(db), dir_ + "/live2.err");
  ASSERT_EQ(live.wait(120s), 0);
  const std::string out = live.rest_of_stdout();
  EXPECT_EQ(venue_->wait(60s), 0);
  const json v = venue_state();
  // Every venue fill of every order is in the engine's fills table exactly once.
  tp::test::EngineState e = tp::test::read_engine(db);
  std::map<uint64_t, int64_t>& engine_filled = e.filled;
  std::map<uint64_t, tp::storage::OrderRow>& orders = e.orders;
  const int64_t engine_net = e.net_lots;
  const json& first = v.at("orders").at(0);
  const uint64_t first_id = std::stoull(first.at("clordid").get<std::string>());
  ASSERT_TRUE(orders.count(first_id)) << "the first order was journaled before the kill";
  EXPECT_EQ(first.at("status"), "FILLED");
  EXPECT_EQ(engine_filled[first_id], 1) << "its fill applied once";
  EXPECT_EQ(orders[first_id].state, tp::OrderState::Filled) << "its state fixed from the venue's report";
  for (const json& ord : v.at("orders")) {
    const uint64_t id = std::stoull(ord.at("clordid").get<std::string>());
    EXPECT_EQ(engine_filled[id], ord.at("cum").get<int64_t>()) << id;
  }
  int64_t venue_net = 0;
  for (const json& p : v.at("positions")) venue_net += p.at("long").get<int64_t>() - p.at("short").get<int64_t>();
  EXPECT_EQ(engine_net, venue_net);
  const auto r = reconciles(db);
  ASSERT_EQ(r.size(), 2u) << "one per run";
  EXPECT_EQ(r[1].resolved, 1);
  EXPECT_GE(r[1].checked_orders, 1u);
  EXPECT_NE(out.find("restart: recovered run 1"), std::string::npos) << out;
}

}  // namespace
