// `tickpipe replay`: load a recorded file, run the real pipeline against the simulated
// venue with the LMDB persister, and build the report of SPEC §3.1.
// Cold path throughout (this is the driver, not a stage).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tp/engine/config/config.hpp"
#include "tp/engine/input/readers.hpp"
#include "tp/engine/input/tick_set.hpp"
#include "tp/engine/latency_histogram.hpp"
#include "tp/engine/pipeline/pipeline.hpp"
#include "tp/engine/pipeline/stages.hpp"
#include "tp/engine/strategy/strategy.hpp"

namespace tp::app {

struct ReplayOptions {
  /// Input files, directories or globs (expand_input_paths), replayed in trading-day
  /// order as one run: the strategy's once-per-day state resets at each trading day,
  /// the risk limits' daily loss too; files may hold several days each.
  std::vector<std::string> data;
  unsigned load_threads = 0;        ///< files read at once (0 = the machine's cores)
  ReadOptions read;                 ///< format, symbol, contract, skip_bad, ...
  std::string config_path;          ///< TOML file ("" = defaults)
  std::string db;                   ///< LMDB directory ("" = a temporary one, removed afterwards)
  bool persist = true;              ///< false: journal records are discarded (benchmarks)
  PipelineOptions pipeline;
  std::string html;                 ///< also write the HTML report here (tp/app/html_report.hpp; "" = none)
};

/// Everything the report needs, copied out of the pipeline after the run.
struct ReplayResult {
  std::string mode = "replay";      ///< "replay" or "live" (the report's title)
  std::string input_line;           ///< live: replaces the report's input line (the venue, the sessions)
  std::string extra_lines;          ///< live: appended to the report (FIX feed and session counters)
  std::string extra_json;           ///< live: a JSON object, the JSON report's "live" (the same counters)
  Config cfg;
  ReadStats input;
  uint64_t input_events = 0;
  std::string data;                 ///< the input, as the report names it (a path, or "N files: FIRST .. LAST")
  std::vector<TickFile> files;      ///< replay: the input files in trading-day order
  std::vector<std::string> day_contracts;  ///< parallel to days: the contract each day traded ("" unknown)
  std::string db;                   ///< "" when the database was temporary
  uint32_t run_id = 0;
  Layout layout = Layout::Fused;
  int threads = 0;
  double load_seconds = 0;          ///< reading + parsing the file
  double run_seconds = 0;           ///< pipeline run (wall)
  std::vector<DayResult> days;
  std::vector<LotResult> lots;
  StrategyCounters orders;
  FeedStats feed;
  SimVenueStats venue;
  TrackerStats tracker;
  RiskStats risk;
  GatewayStats gateway;
  uint64_t backpressure_tracker = 0, backpressure_risk = 0, backpressure_gateway = 0;
  uint64_t journal_records = 0;     ///< records journaled by the stages
  uint64_t persisted_records = 0;   ///< records committed to LMDB
  uint64_t persist_batches = 0;
  LatencyHistogram latency;
  Ticks equity_drawdown;            ///< max fall of mark-to-market equity (Strategy::max_equity_drawdown)
};

/// The report's money figures (SPEC §3.1, §4 "PnL and slippage"), computed from the lots.
/// Currency is the instrument's; points are price units. Gross = fills only; net = gross
/// minus the costs of CostConfig (every side traded, open lots' entry side included).
struct ReportTotals {
  double gross_points = 0;        ///< realized PnL of closed lots
  double gross_currency = 0;
  double costs_currency = 0;      ///< commission + fees + tax of every side traded
  double net_currency = 0;        ///< gross_currency - costs_currency
  double unrealized_points = 0;   ///< open lots marked at the last trade they saw
  double unrealized_currency = 0;
  int lots_open = 0;
  int lots_closed = 0;
  int lot_wins = 0;               ///< closed lots with pnl > 0
  int trades = 0;                 ///< entries whose every filled lot is closed (a trade)
  int trade_wins = 0;             ///< of those, the ones whose lots' PnL adds up to > 0
  int days_traded = 0;
  double max_drawdown_points = 0;         ///< realized PnL, in exit order
  double max_equity_drawdown_points = 0;  ///< mark-to-market equity, at every trade
  // Across days (issue 11 item 1; docs/STRATEGY.md "Multi-day figures"): every trading
  // day of the run counts, a day without a trade as 0.
  std::vector<double> day_net_currency;   ///< parallel to ReplayResult::days: closed lots' gross - every filled lot's costs
  std::vector<double> equity_currency;    ///< cumulative day_net_currency (the equity curve, end of each day)
  double max_day_drawdown_currency = 0;   ///< largest fall of equity_currency from its running peak (start at 0)
  double profit_factor = 0;               ///< sum of winning trades' net / -sum of losing trades' net (0: no loss and no win; +inf: no loss)
  double avg_win_currency = 0;            ///< mean net of winning trades
  double avg_loss_currency = 0;           ///< mean net of losing trades (negative)
  int longest_losing_streak = 0;          ///< consecutive losing trades (net <= 0), in entry order
  double sharpe = 0;                      ///< mean / sample stdev of day_net_currency, times sqrt(252); 0 when < 2 days or stdev 0
  double sortino = 0;                     ///< mean / downside deviation (sqrt of mean of min(x,0)^2), times sqrt(252); 0 when no losing day
};
/// Cold path; allocates.
ReportTotals report_totals(const ReplayResult& r);

/// Copies what every pipeline has (the strategy's days and lots, the stages' counters,
/// the journal count, the latency histogram) into `r`, after the pipeline has stopped.
/// `P` is a PipelineT running the owned SPEC §4 strategy; the feed's own figures are the
/// caller's.
template <class P>
void copy_stage_results(const P& p, ReplayResult& r) {
  const Strategy& s = p.risk().strategy();
  r.days = s.days();
  r.lots = s.lots();
  r.orders = s.counters();
  r.tracker = p.tracker().stats();
  r.risk = p.risk().stats();
  r.gateway = p.gateway().stats();
  r.backpressure_tracker = p.tracker().counters().backpressure.load();
  r.backpressure_risk = p.risk().counters().backpressure.load();
  r.backpressure_gateway = p.gateway().counters().backpressure.load();
  r.journal_records = p.journaled();
  r.latency = p.gateway().latency();
  r.threads = p.threads_used();
  r.equity_drawdown = s.max_equity_drawdown();
}

/// copy_stage_results plus the replay feed's and simulated venue's figures.
void copy_replay_results(const Pipeline& p, ReplayResult& r);

/// One run of `r.cfg` (resolved) over `events` with no persistence (journal records
/// discarded), run id 1: `replay --no-persist`, and every parameter set of a sweep, so
/// both run the same pipeline code. Fills r's run figures (days, lots, stage counters,
/// feed and venue stats, run_seconds); the input figures are the caller's. The
/// caller's thread runs an Inline layout; any other layout starts its threads. Cold
/// path around the run (allocates the pipeline); throws as Pipeline::run does.
void run_unpersisted(const InputSegments& events, const PipelineOptions& opt, ReplayResult& r);

/// Runs a replay. Throws InputError (bad input), ConfigError (bad config),
/// storage::StorageError (LMDB) or std::runtime_error.
ReplayResult run_replay(const ReplayOptions& opt);

/// The human-readable report (SPEC §3.1).
std::string format_report(const ReplayResult& r);
/// The machine-readable report (SPEC §3.1 `--report-json`): the same figures as rows with units in the keys.
std::string format_report_json(const ReplayResult& r);

}  // namespace tp::app
