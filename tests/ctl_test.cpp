// Operator control (issue #10 item 6; tp/app/ctl.hpp): `tickpipe ctl` against a running
// `tickpipe live` (the venue paced at 100x the real day's slice): pause, resume and new
// risk limits before the entry (max position 1: one lot enters, not three), status with
// the open lot, flatten through the exit path, the kill switch; every command journaled
// with its result; bad commands and a database without an engine are clear errors.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "live_util.hpp"
#include "tp/storage/store.hpp"
#include "tp/storage/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;
using tp::test::json;
using tp::test::kTickpipe;

/// `tickpipe ctl --db DB words...`: its stdout; `rc` its exit status.
std::string ctl(const std::string& db, const std::vector<std::string>& words, int& rc) {
  std::vector<std::string> a = {kTickpipe, "ctl", "--db", db};
  a.insert(a.end(), words.begin(), words.end());
  return tp::test::run_capture(a, rc, 20s);
}

json status(const std::string& db) {
  int rc = 0;
  const std::string out = ctl(db, {"status"}, rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out.rfind("ok: ", 0), 0u) << out;
  return rc == 0 ? json::parse(out.substr(4)) : json{};
}

TEST(OperatorControl, CommandsReachTheRunningEngineAndAreJournaled) {
  tp::storage::TempDir tmp("tp-ctl");
  const std::string slice = tp::test::make_slice(tmp.path(), tp::test::kSliceFrom, tp::test::kSliceTo);
  const std::string db = tmp.sub("db");
  int rc = 0;
  const std::string none = ctl(db, {"status"}, rc);
  EXPECT_EQ(rc, 5) << "no engine runs on " << db;

  tp::test::Child venue({kTickpipe, "venue", "--data", slice, "--symbol", "MTX", "--port", "0", "--speed", "100",
                         "--linger-ms", "300", "--max-seconds", "120"},
                        tmp.sub("venue.err"));
  std::string line;
  ASSERT_TRUE(venue.read_line(line, 30s));
  const std::string addr = line.substr(std::string("venue: listening on ").size());
  tp::test::Child live({kTickpipe, "live", "--venue", addr, "--db", db, "--symbol", "MTX", "--max-seconds", "100",
                        "--quiet"},
                       tmp.sub("live.err"));
  for (int i = 0; i < 500 && !std::filesystem::exists(db + "/ctl.sock"); ++i) std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(std::filesystem::exists(db + "/ctl.sock"));

  const std::string limits = tmp.sub("limits.toml");
  std::ofstream(limits) << "[risk]\nmax_position_lots = 1\n";
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{{"pause"}, {"resume"}, {"limits", limits}}) {
    const std::string out = ctl(db, cmd, rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(out.rfind("ok: ", 0), 0u) << out;
  }
  const std::string bad = ctl(db, {"bogus"}, rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(bad.find("unknown command"), std::string::npos) << bad;
  const std::string bad_file = ctl(db, {"limits", tmp.sub("missing.toml")}, rc);
  EXPECT_EQ(rc, 1);
  EXPECT_EQ(bad_file.rfind("error: ", 0), 0u) << bad_file;

  // The entry (08:47): one lot under max position 1.
  json st;
  for (int i = 0; i < 400; ++i) {
    st = status(db);
    if (!st.is_null() && !st.at("open_lots").empty()) break;
    std::this_thread::sleep_for(25ms);
  }
  ASSERT_EQ(st.at("open_lots").size(), 1u) << st.dump();
  EXPECT_EQ(st.at("open_lots").at(0).at("state"), "ACTIVE");
  EXPECT_TRUE(st.at("counters").at("persisted").get<uint64_t>() > 0);

  EXPECT_EQ(ctl(db, {"flatten"}, rc).rfind("ok: ", 0), 0u);
  for (int i = 0; i < 400; ++i) {
    st = status(db);
    if (!st.is_null() && st.at("open_lots").empty()) break;
    std::this_thread::sleep_for(25ms);
  }
  EXPECT_TRUE(st.at("open_lots").empty()) << st.dump();
  EXPECT_EQ(ctl(db, {"kill"}, rc).rfind("ok: ", 0), 0u);
  std::this_thread::sleep_for(300ms);
  live.signal(SIGTERM);
  EXPECT_EQ(live.wait(60s), 0);
  venue.signal(SIGTERM);
  venue.wait(30s);

  // Journaled with their results; the lot left through the exit path, reason kill_switch.
  std::map<std::string, int> ops;
  int lots = 0;
  std::string exit_reason;
  {
    tp::storage::StoreOptions o;
    o.dir = db;
    o.read_only = true;
    tp::storage::Store s(o);
    s.for_each_journal(0, [&](uint32_t, const tp::JournalRecord& r) {
      if (r.type == tp::JournalType::Operator && r.u.op.ok == 1) ++ops[tp::to_string(r.u.op.command)];
    });
    s.for_each_position(0, [&](const tp::storage::PositionRow& p) {
      if (p.pos.state == tp::PositionState::EntryFailed) return;
      ++lots;
      exit_reason = tp::to_string(p.pos.exit_reason);
    });
  }
  for (const char* k : {"pause", "resume", "limits", "flatten", "kill", "status"}) {
    EXPECT_GE(ops[k], 1) << k << " journaled";
  }
  EXPECT_EQ(lots, 1) << "max position 1 held";
  EXPECT_EQ(exit_reason, "kill_switch");
}

}  // namespace
