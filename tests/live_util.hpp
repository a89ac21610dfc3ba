// Helpers of the end-to-end live tests (live_test, crash_consistency_test,
// fault_campaign_test): the real day's slice as JSON lines, JSON-lines parsing.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <set>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "process_util.hpp"
#include "tp/storage/store.hpp"

namespace tp::test {

using json = nlohmann::json;

inline const std::string kTickpipe = TP_TICKPIPE_BIN;
inline const std::string kRealDay = std::string(TP_SHARED_DIR) + "/data/taifex/Daily_2021_07_26.zip";
/// 2021-07-26 08:44 - 09:15 local (UTC+8): the opening range, the entries and their exits.
inline constexpr int64_t kSliceFrom = 1627260240000000000LL;
inline constexpr int64_t kSliceTo = 1627262100000000000LL;

/// An integer from the environment (trial counts, seeds), `dflt` when unset or empty.
inline int env_int(const char* name, int dflt) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : dflt;
}

inline std::vector<json> json_lines(const std::string& text) {
  std::vector<json> v;
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) {
    if (!l.empty()) v.push_back(json::parse(l));
  }
  return v;
}

inline json read_json(const std::string& path) {
  std::ifstream f(path);
  return json::parse(f);
}

/// The real day as JSON lines, cut to [from_ns, to_ns) of event time: one file that both
/// the venue and replay read.
inline std::string make_slice(const std::string& dir, int64_t from_ns, int64_t to_ns) {
  using namespace std::chrono_literals;
  const std::string full = dir + "/full.jsonl";
  int rc = 0;
  tp::test::run_capture({kTickpipe, "convert", "--data", kRealDay, "--symbol", "MTX", "--contract", "202108", "--out", full},
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

/// The engine's side of a live test: its committed orders, fills, open lots, the
/// reconciliations and operator commands journaled.
struct EngineState {
  std::map<uint64_t, tp::storage::OrderRow> orders;
  std::map<uint64_t, int64_t> filled;  ///< client id -> lots in the fills table
  int64_t net_lots = 0;                ///< open lots, signed
  int64_t reconciled_lots = 0;
  std::vector<tp::JrReconcile> reconciles;
  std::set<uint32_t> runs;
  std::set<uint32_t> runs_reconciled;
};

/// What the engine's database holds after a run (read-only open; all runs).
inline EngineState read_engine(const std::string& db) {
  EngineState e;
  tp::storage::StoreOptions o;
  o.dir = db;
  o.read_only = true;
  tp::storage::Store s(o);
  s.for_each_order(0, [&](const tp::storage::OrderRow& r) { e.orders[r.client_id.v] = r; });
  s.for_each_fill(0, [&](const tp::storage::FillRow& f) { e.filled[f.client_id.v] += f.qty.lots; });
  s.for_each_position(0, [&](const tp::storage::PositionRow& p) {
    const int sign = p.pos.side == tp::PosSide::Long ? 1 : -1;
    if (p.pos.state == tp::PositionState::Active || p.pos.state == tp::PositionState::PendingClosing) e.net_lots += sign;
    if (p.pos.exit_reason == tp::ExitReason::Reconciled) ++e.reconciled_lots;
  });
  s.for_each_journal(0, [&](uint32_t run, const tp::JournalRecord& r) {
    e.runs.insert(run);
    if (r.type == tp::JournalType::Reconcile) {
      e.reconciles.push_back(r.u.reconcile);
      e.runs_reconciled.insert(run);
    }
  });
  return e;
}

}  // namespace tp::test
