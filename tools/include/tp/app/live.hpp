// `tickpipe live`: the engine trading over FIX 4.4 (SPEC §3.2, docs/FIX.md): the live
// pipeline (tp::fix::FixPipeline: the same stages, strategy and journal as replay) with
// the LMDB persister, until the venue logs out (its file is played), SIGINT/SIGTERM, or
// `max_seconds`. Stops cleanly: no new orders, Logout, persister drained. The FIX
// sequence numbers are stored in the database's meta table (`fix/<SenderCompID>/next_out`,
// `/next_in`) and reused by the next run on the same --db.
// Cold path throughout (the driver, not a stage).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tp/app/replay.hpp"
#include "tp/fix/fix_feed.hpp"
#include "tp/storage/persister.hpp"

namespace tp::app {

struct LiveOptions {
  std::string venue;         ///< "HOST:PORT" (numeric IPv4)
  std::string config_path;   ///< TOML ("" = defaults)
  std::string db;            ///< LMDB directory (created if missing; kept)
  std::string symbol = "MTX";
  std::string contract;      ///< 200 MaturityMonthYear ("" = not sent)
  int heartbeat_s = 30;
  bool reset_seq = false;    ///< start a new FIX session: 141=Y, both sides at 1 (a fresh database does it anyway)
  bool fresh = false;        ///< do not recover the previous runs' state (docs/DESIGN.md "Restart")
  double max_seconds = 0;    ///< stop after this long (0 = no limit)
  PipelineOptions pipeline;
};

struct LiveResult {
  ReplayResult report;       ///< the replay report's figures (mode "live")
  fix::FixFeedStats feed;
  fix::SessionStats order_session;
  fix::SessionStats md_session;
  fix::SeqNums order_seq;    ///< as stored at the end
  fix::SeqNums md_seq;
  bool stopped_by_signal = false;
  bool seq_refused = false;  ///< a session ended on a MsgSeqNum lower than the stored one (exit 4)
  std::vector<uint32_t> recovered_runs;  ///< restart: the runs whose state was recovered, oldest first
  uint64_t recovered_events = 0;         ///< restart: their recorded events run through the stages again
  storage::PersisterStats recovery;      ///< recovery_matched / _differed / _new
  bool reconciled = false;               ///< reconciliation ran (SPEC §6)
  JrReconcile reconcile{};               ///< its summary
  std::string reconcile_items;
};

/// Parses "HOST:PORT". Throws std::invalid_argument naming the value.
void parse_host_port(const std::string& s, std::string& host, uint16_t& port);

/// Runs the engine live. Blocks SIGINT/SIGTERM in every thread it starts and waits for
/// them on the calling thread. Throws ConfigError, storage::StorageError,
/// std::invalid_argument (bad option) or std::runtime_error.
LiveResult run_live(const LiveOptions& opt);

/// The report: the replay report's sections plus the FIX feed and session counters.
std::string format_live_report(const LiveResult& r);

}  // namespace tp::app
