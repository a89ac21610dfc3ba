// Crash consistency (docs/DESIGN.md "Crash consistency"; issue #10 item 1): kill -9 the
// engine at seeded random moments and check that what LMDB holds is the effect of a
// prefix of the one event stream.
//
// The journal of a run is a function of its input and configuration (byte-identical
// across runs and thread layouts), so one uninterrupted run gives the reference. After
// every kill:
//   * the committed journal is exactly the first N records of the reference, in key
//     order (no gap, nothing out of order, nothing extra);
//   * the tables (orders, fills, positions, groups, meta unknown_reports) are exactly
//     what those N records produce when applied to an empty store.
// `persist.sync = durable` with `batch_records = 1`: a commit per record, so the kills
// land between many commits. Replay trials (four real days) cycle the fused, pairs and threads layouts;
// live trials run `tickpipe live` against `tickpipe venue --speed 0` on loopback.
// Trials: TP_CRASH_TRIALS (replay, default 50) and TP_CRASH_LIVE_TRIALS (default 16);
// seed TP_CRASH_SEED. Each suite prints its counts.
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <lmdb.h>

#include "live_util.hpp"
#include "tp/storage/store.hpp"
#include "tp/storage/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;
using tp::JournalRecord;
using tp::storage::Store;
using tp::storage::StoreOptions;
using tp::storage::Table;

using tp::test::kTickpipe;
const std::string& kDay = tp::test::kRealDay;

/// The committed journal of `dir` in key order; empty when the kill came before the
/// store existed (no data.mdb, or its tables were not created yet).
std::vector<JournalRecord> committed_journal(const std::string& dir) {
  std::vector<JournalRecord> v;
  StoreOptions o;
  o.dir = dir;
  o.read_only = true;
  try {
    Store s(o);
    s.for_each_journal(0, [&](uint32_t, const JournalRecord& r) { v.push_back(r); });
  } catch (const tp::storage::StorageError& e) {
    if (e.code() != ENOENT && e.code() != MDB_NOTFOUND) throw;
  }
  return v;
}

std::string tables_of(const Store& s) {
  std::ostringstream out;
  for (Table t : {Table::Orders, Table::Fills, Table::Positions, Table::Groups}) {
    out << "== " << tp::storage::to_string(t) << "\n";
    s.dump(t, false, out);
  }
  out << "== unknown_reports " << s.get_counter("unknown_reports") << "\n";
  return out.str();
}

/// The tables a store holds after a crash, or "" when there is no store.
std::string committed_tables(const std::string& dir) {
  StoreOptions o;
  o.dir = dir;
  o.read_only = true;
  try {
    Store s(o);
    return tables_of(s);
  } catch (const tp::storage::StorageError& e) {
    if (e.code() != ENOENT && e.code() != MDB_NOTFOUND) throw;
  }
  return "";
}

/// The tables `records` produce when applied to an empty store (run id 1, as in the
/// killed run's fresh database).
std::string rebuilt_tables(const std::vector<JournalRecord>& records) {
  tp::storage::TempDir tmp("tp-rebuild");
  StoreOptions o;
  o.dir = tmp.sub("db");
  Store s(o);
  const uint32_t run = s.begin_run("rebuild");
  EXPECT_EQ(run, 1u);
  s.write_batch(run, records);
  return tables_of(s);
}

bool same_record(const JournalRecord& a, const JournalRecord& b) { return std::memcmp(&a, &b, sizeof a) == 0; }

/// A live run's journal without the feed's Session records: which FIX session logs on
/// first, and where a sequence-number checkpoint falls, is up to the sockets' timing;
/// every other record is a function of the venue's (lockstep) stream.
std::vector<JournalRecord> without_session_records(const std::vector<JournalRecord>& v) {
  std::vector<JournalRecord> out;
  for (const JournalRecord& r : v) {
    if (r.type != tp::JournalType::Session) out.push_back(r);
  }
  return out;
}

struct Campaign {
  int trials = 0;
  int killed = 0;       ///< still running at its kill moment
  int exited = 0;       ///< finished before its kill moment
  int empty = 0;        ///< nothing committed yet
  int partial = 0;      ///< 0 < committed < total
  int complete = 0;     ///< every record committed
  int not_prefix = 0;   ///< committed journal not a prefix of the reference (must be 0)
  int table_mismatch = 0;  ///< tables differ from the committed records' effect (must be 0)
  void print(const char* what, std::size_t total) const {
    std::printf(
        "crash campaign (%s): trials %d, kill -9 %d, exited before the kill %d; committed: none %d, "
        "partial %d, all %zu records %d; not a prefix %d, tables disagreeing %d\n",
        what, trials, killed, exited, empty, partial, total, complete, not_prefix, table_mismatch);
  }
};

/// Checks one killed run's database against the reference journal.
void check_trial(const std::string& db, const std::vector<JournalRecord>& ref, Campaign& c, int trial,
                 bool live = false) {
  const std::vector<JournalRecord> all = committed_journal(db);
  const std::vector<JournalRecord> got = live ? without_session_records(all) : all;
  bool prefix = got.size() <= ref.size();
  for (std::size_t i = 0; prefix && i < got.size(); ++i) {
    if (!same_record(got[i], ref[i])) {
      prefix = false;
      ADD_FAILURE() << "trial " << trial << ": journal record " << i << " (seq " << got[i].seq << " stage "
                    << tp::to_string(got[i].stage) << " sub " << got[i].sub << ") is not the reference's (seq "
                    << ref[i].seq << " stage " << tp::to_string(ref[i].stage) << " sub " << ref[i].sub << ")";
    }
  }
  if (!prefix) ++c.not_prefix;
  if (got.empty()) ++c.empty;
  else if (got.size() < ref.size()) ++c.partial;
  else ++c.complete;
  if (!all.empty()) {
    const std::string have = committed_tables(db);
    const std::string want = rebuilt_tables(all);
    if (have != want) {
      ++c.table_mismatch;
      ADD_FAILURE() << "trial " << trial << ": the tables are not the effect of the " << got.size()
                    << " committed records";
    }
  }
}

std::string write_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

const char* kDurable = "[persist]\nsync = \"durable\"\nbatch_records = 1\n";

TEST(CrashConsistency, ReplayKilledAtRandomMomentsLeavesAPrefix) {
  tp::storage::TempDir tmp("tp-crash");
  const std::string cfg = write_file(tmp.sub("durable.toml"), kDurable);
  // Four real days (2024-11-05..08, MTX front month) as one binary tick file: it loads in
  // milliseconds, so the kills land while the run commits rather than while it parses.
  const std::string multi = tmp.sub("days.jsonl");
  int rc = 0;
  {
    std::ofstream out(multi);
    for (const char* d : {"2024_11_05", "2024_11_06", "2024_11_07", "2024_11_08"}) {
      const std::string one = tmp.sub(std::string(d) + ".jsonl");
      tp::test::run_capture({kTickpipe, "convert", "--data", std::string(TP_SHARED_DIR) + "/data/taifex/Daily_" + d + ".zip",
                             "--symbol", "MTX", "--out", one},
                            rc, 120s);
      ASSERT_EQ(rc, 0) << d;
      out << std::ifstream(one).rdbuf();
    }
  }
  const std::string tpk = tmp.sub("days.tpk");
  tp::test::run_capture({kTickpipe, "convert", "--data", multi, "--symbol", "MTX", "--out", tpk}, rc, 120s);
  ASSERT_EQ(rc, 0);
  const std::vector<std::string> base = {kTickpipe, "replay", "--data", tpk, "--no-checksum", "--symbol", "MTX", "--config", cfg, "--quiet"};
  auto args = [&](const std::string& db, const char* layout) {
    std::vector<std::string> a = base;
    a.insert(a.end(), {"--db", db, "--layout", layout});
    return a;
  };
  // The reference: one uninterrupted run per layout, timed (a kill moment is drawn over
  // its own layout's run). The three journals are the same, byte for byte.
  const char* layouts[] = {"fused", "pairs", "threads"};
  std::vector<JournalRecord> ref;
  int64_t ref_ms[3] = {};
  for (int l = 0; l < 3; ++l) {
    const std::string db = tmp.sub(std::string("ref-") + layouts[l]);
    const auto t0 = std::chrono::steady_clock::now();
    tp::test::run_capture(args(db, layouts[l]), rc, 120s);
    ref_ms[l] = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_EQ(rc, 0) << layouts[l];
    const std::vector<JournalRecord> j = committed_journal(db);
    if (l == 0) {
      ref = j;
      continue;
    }
    ASSERT_EQ(j.size(), ref.size()) << layouts[l];
    for (std::size_t i = 0; i < j.size(); ++i) ASSERT_TRUE(same_record(j[i], ref[i])) << layouts[l] << " record " << i;
  }
  ASSERT_GT(ref.size(), 400u) << "four real days journal orders, fills and lots";

  const int trials = tp::test::env_int("TP_CRASH_TRIALS", 50);
  std::mt19937_64 rng(static_cast<uint64_t>(tp::test::env_int("TP_CRASH_SEED", 20261202)));
  Campaign c;
  for (int t = 0; t < trials; ++t) {
    const std::string db = tmp.sub("trial" + std::to_string(t));
    // Uniform over the whole run (startup included) and a little past it.
    std::uniform_int_distribution<int64_t> when(0, ref_ms[t % 3] * 11 / 10 + 1);
    const auto kill_at = std::chrono::milliseconds(when(rng));
    tp::test::Child child(args(db, layouts[t % 3]));
    const int st = child.wait(kill_at);  // kill -9 at `kill_at` if still running
    ++c.trials;
    if (st == -1) ++c.killed; else ++c.exited;
    check_trial(db, ref, c, t);
    if (std::getenv("TP_CRASH_VERBOSE") != nullptr) {
      std::printf("trial %d: %s, kill at %lld ms of %lld: %zu records committed\n", t, layouts[t % 3],
                  static_cast<long long>(kill_at.count()), static_cast<long long>(ref_ms[t % 3]),
                  committed_journal(db).size());
    }
    std::filesystem::remove_all(db);
  }
  c.print("replay", ref.size());
  EXPECT_EQ(c.not_prefix, 0);
  EXPECT_EQ(c.table_mismatch, 0);
  // Not vacuous: a good share of the kills landed while records were being committed.
  EXPECT_GE(c.partial * 4, trials) << "too few kills landed mid-run";
}

TEST(CrashConsistency, LiveKilledAtRandomMomentsLeavesAPrefix) {
  tp::storage::TempDir tmp("tp-crash-live");
  const std::string cfg = write_file(tmp.sub("durable.toml"), kDurable);
  // A slice of the real day (08:44-09:15, the range and the entries) as JSON lines.
  const std::string slice = tp::test::make_slice(tmp.path(), tp::test::kSliceFrom, tp::test::kSliceTo);
  // Starts a lockstep venue; returns its address.
  auto start_venue = [&](std::unique_ptr<tp::test::Child>& v, const std::string& tag) {
    v = std::make_unique<tp::test::Child>(
        std::vector<std::string>{kTickpipe, "venue", "--data", slice, "--symbol", "MTX", "--port", "0", "--speed", "0",
                                 "--linger-ms", "100", "--max-seconds", "120"},
        tmp.sub("venue-" + tag + ".err"));
    std::string line;
    EXPECT_TRUE(v->read_line(line, 30s)) << "the venue did not say where it listens";
    const std::string prefix = "venue: listening on ";
    return line.rfind(prefix, 0) == 0 ? line.substr(prefix.size()) : std::string();
  };
  auto live_args = [&](const std::string& addr, const std::string& db) {
    return std::vector<std::string>{kTickpipe, "live", "--venue", addr, "--db", db, "--config", cfg,
                                    "--symbol", "MTX", "--max-seconds", "120", "--quiet"};
  };

  std::unique_ptr<tp::test::Child> venue;
  const std::string addr = start_venue(venue, "ref");
  ASSERT_FALSE(addr.empty());
  const auto t0 = std::chrono::steady_clock::now();
  tp::test::Child ref_live(live_args(addr, tmp.sub("ref")), tmp.sub("live-ref.err"));
  ASSERT_EQ(ref_live.wait(150s), 0);
  const auto ref_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  EXPECT_EQ(venue->wait(30s), 0);
  const std::vector<JournalRecord> ref = without_session_records(committed_journal(tmp.sub("ref")));
  ASSERT_GT(ref.size(), 100u);

  const int trials = tp::test::env_int("TP_CRASH_LIVE_TRIALS", 16);
  std::mt19937_64 rng(static_cast<uint64_t>(tp::test::env_int("TP_CRASH_SEED", 20261202)) + 1);
  Campaign c;
  for (int t = 0; t < trials; ++t) {
    const std::string db = tmp.sub("trial" + std::to_string(t));
    const std::string a = start_venue(venue, std::to_string(t));
    ASSERT_FALSE(a.empty());
    std::uniform_int_distribution<int64_t> when(0, ref_ms.count() * 11 / 10 + 1);
    const auto kill_at = std::chrono::milliseconds(when(rng));
    tp::test::Child live(live_args(a, db), tmp.sub("live-" + std::to_string(t) + ".err"));
    const int st = live.wait(kill_at);
    ++c.trials;
    if (st == -1) ++c.killed; else ++c.exited;
    venue.reset();  // the venue goes too (kill -9 if it still runs)
    check_trial(db, ref, c, t, true);
    std::filesystem::remove_all(db);
  }
  c.print("live", ref.size());
  EXPECT_EQ(c.not_prefix, 0);
  EXPECT_EQ(c.table_mismatch, 0);
  EXPECT_GE(c.partial * 4, trials) << "too few kills landed mid-run";
}

}  // namespace
