// `tickpipe sweep`: a base configuration plus a sweep file naming configuration fields
// with lists or ranges (grid) or distributions (random, seeded); every parameter set
// runs the real pipeline with the simulated venue over every day (run_unpersisted, the
// code of `replay --no-persist`: no second implementation of any rule), on the
// machine's cores, all sets sharing one decoded TickSet. Results: one JSON line per
// set (its parameters, the report's totals and the per-day net PnL vector, under each
// fill model asked for) after a header line, a CSV ranked by the objective, the
// walk-forward table and the Probability of Backtest Overfitting (walk_forward.hpp).
// `--shard K/N` runs a deterministic share of the sets; merge_sweeps() combines shard
// outputs into exactly the bytes of the unsharded run. docs/TUNING.md has the formats.
//
// Cold path throughout (the driver); allocates; worker threads run one set each at a
// time, each on its own pipeline (Layout::Inline), reading the shared, immutable ticks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "tp/app/replay.hpp"
#include "tp/app/walk_forward.hpp"
#include "tp/engine/config/config.hpp"

namespace tp::app {

/// One swept field of a sweep file ([params] table, key = ConfigField::key).
struct SweepParam {
  enum class Dist : uint8_t {
    List,     ///< [v1, v2, ...]: grid: each value; random: one of them, uniformly
    Range,    ///< { from, to, step }: grid: from, from+step, ... <= to; random: one of those points
    Uniform,  ///< { uniform = [lo, hi] } (random only): lo + u (hi - lo), u in [0,1); with
              ///< `step`, rounded to lo + k step
  };
  std::string key;
  ConfigFieldKind kind = ConfigFieldKind::Number;
  Dist dist = Dist::List;
  std::vector<std::string> values;  ///< List (TOML value texts) and Range (the expanded points)
  double lo = 0, hi = 0, step = 0;  ///< Uniform
};

/// A parsed sweep file (TOML):
///   mode = "grid" | "random"    (default grid)
///   samples = 1000              (random: sets to draw)
///   seed = 1                    (random)
///   [params]
///   "strategy.rules[1].trailing_activation_points" = [10, 15, 20]
///   "strategy.rules[1].trailing_pullback" = { from = 0.05, to = 0.30, step = 0.05 }
///   "strategy.entry_end" = ["10:00", "13:00"]
///   "strategy.rules[2].trailing_pullback" = { uniform = [0.05, 0.40], step = 0.01 }
/// Parameters are kept in key order (TOML tables are unordered); in a grid the last key
/// varies fastest.
struct SweepSpec {
  std::string path;
  std::string text;                  ///< the file as read (part of the sweep id)
  bool random = false;
  uint64_t samples = 0;
  uint64_t seed = 1;
  std::vector<SweepParam> params;
};

/// Reads and checks a sweep file. Throws ConfigError naming the file, the key and the
/// bad value (unknown field, empty list, a range with step <= 0 or to < from, a uniform
/// in grid mode, a random sweep without samples, a grid over 10,000,000 sets).
SweepSpec load_sweep_spec(const std::string& path);
/// Parameter sets of the sweep (grid: the product of the value counts; random: samples).
std::size_t sweep_size(const SweepSpec& s);
/// The overrides of set `index` (< sweep_size): deterministic, independent of the other
/// sets (a random set draws from a generator seeded by (seed, index) alone), so shards
/// agree without talking to each other.
std::vector<ConfigOverride> sweep_set(const SweepSpec& s, std::size_t index);

/// One fill model a sweep runs every set under: "book", "trade_through" or "slippage:N"
/// (the venue.fill_model / venue.slippage_ticks fields written over the set).
struct FillModelChoice {
  std::string name;                   ///< as given ("slippage:2")
  std::vector<ConfigOverride> overrides;
};
/// Parses "--fill-models book,trade_through,slippage:2". Throws std::invalid_argument.
std::vector<FillModelChoice> parse_fill_models(const std::string& list);

struct SweepOptions {
  std::vector<std::string> data;      ///< as replay's --data
  ReadOptions read;
  unsigned load_threads = 0;
  std::string config_path;            ///< base configuration ("" = defaults)
  std::string sweep_path;
  Objective objective = Objective::Net;
  std::string fill_models = "book";   ///< parse_fill_models; the first one ranks the sets
  unsigned threads = 0;               ///< sets run at once (0 = the machine's cores)
  uint32_t shard_k = 1, shard_n = 1;  ///< run the sets with index % n == k - 1
  bool progress = false;              ///< a progress line on stderr (sets done, rate, ETA)
  /// Also write each set's configuration (base + its parameters + the first fill model)
  /// as DIR/set-N.toml, which `replay --config` loads as exactly that set ("" = none).
  std::string write_configs;
  /// Pipelines one thread steps in lockstep over the same ticks (each chunk of
  /// `chunk_events` input events read from memory once for all of them). Measured
  /// (bench/RESULTS.md "Sweep"): 1.28x faster at 16 while skipped events were applied one
  /// by one, no gain (0.97x) since the quiet-day skip is a binary search; so 1.
  std::size_t batch = 1;
  std::size_t chunk_events = 2048;
  /// Skip the rest of a trading day once a set can do nothing more that day
  /// (PipelineOptions::skip_quiet_days). Off only to measure what it saves.
  bool skip_quiet_days = true;
};

/// One set under one fill model: the report's totals (report_totals) that a ranking needs.
struct SweepModelResult {
  std::string fill_model;
  double objective = 0;               ///< objective_of(day_net, objective)
  double net_currency = 0, gross_currency = 0, costs_currency = 0;
  int trades = 0, trade_wins = 0, lots_closed = 0, lots_open = 0;
  double profit_factor = 0, max_day_drawdown_currency = 0, sharpe = 0, sortino = 0;
  double avg_win_currency = 0, avg_loss_currency = 0;
  int longest_losing_streak = 0;
  uint64_t entry_slippage_ticks = 0;  ///< sum over filled lots of their entry slippage
  std::vector<double> day_net;        ///< parallel to SweepRun::days
};

struct SweepSetResult {
  std::size_t set = 0;
  std::vector<ConfigOverride> params;
  std::vector<SweepModelResult> models;  ///< in SweepRun::fill_models order
  std::string line;                      ///< its JSON line (no newline), as written
};

/// A sweep's output: what format_sweep_jsonl writes and parse_sweep_jsonl reads back.
struct SweepRun {
  std::string sweep_id;               ///< hex fingerprint of everything that decides the results
  std::size_t sets_total = 0;
  uint32_t shard_k = 1, shard_n = 1;
  Objective objective = Objective::Net;
  std::vector<std::string> fill_models;
  std::vector<std::string> param_keys;
  std::vector<std::string> days;      ///< "YYYY-MM-DD" trading days of the data
  std::vector<std::string> data;      ///< input file names
  std::vector<SweepSetResult> results;  ///< by set index
  // Timing (not written to the JSON lines, which are byte-reproducible):
  double load_seconds = 0, run_seconds = 0;
  uint64_t events = 0, day_session_events = 0;  ///< the input's events, those of its day sessions
  unsigned threads = 0;
};

/// Runs the sweep (its shard). Throws InputError, ConfigError (the sweep file, or a set
/// whose values the configuration refuses: naming the set and its parameters),
/// std::invalid_argument (options).
SweepRun run_sweep(const SweepOptions& opt);

/// The JSON lines: a header line, then one line per set in set order. Deterministic:
/// the same sweep gives the same bytes whatever the threads or shards.
std::string format_sweep_jsonl(const SweepRun& r);
/// Reads format_sweep_jsonl output back; `name` for errors. Throws std::runtime_error
/// naming the file and line.
SweepRun parse_sweep_jsonl(const std::string& text, const std::string& name);
/// Combines shard outputs into the unsharded output. Throws std::runtime_error for
/// shards of different sweeps (sweep_id, sets_total, shard count), a missing or
/// repeated shard, or a shard missing a set or holding one twice.
SweepRun merge_sweeps(std::vector<SweepRun> shards, const std::vector<std::string>& names);

/// The sets ranked by the first fill model's objective (best first, ties by set):
/// rank, set, each parameter, the objective under each model, and the totals.
std::string format_sweep_csv(const SweepRun& r);

struct SweepSummaryOptions {
  std::size_t top = 10;
  int wf_train = 0, wf_test = 0;      ///< walk-forward windows in trading days (0 = none)
  int pbo_blocks = 8;                 ///< CSCV blocks (0 = no PBO)
};
/// The human-readable summary: the top sets, the walk-forward table with the stitched
/// out-of-sample result beside the in-sample one, and the PBO. Only for a whole sweep
/// (shard 1/1 or merged).
std::string format_sweep_summary(const SweepRun& r, const SweepSummaryOptions& o);

/// What `sweep` and `sweep merge` write besides the printed summary ("" = not written).
struct SweepOutputs {
  std::string jsonl, csv, html;
  std::string heatmap;                ///< "X,Y" parameter keys of the HTML heatmap ("" = the first two)
  SweepSummaryOptions summary;
};
/// Writes the files of `o` and prints the summary to `out` (a shard of several: one
/// line saying which sets it holds; the summary needs every set). Throws
/// std::runtime_error naming a file that cannot be written.
void write_sweep_outputs(const SweepRun& r, const SweepOutputs& o, std::ostream& out);
/// The HTML page of a sweep (html_report.hpp): heatmap of the objective over two
/// parameters (o.heatmap, else the first two; each cell the best set there), the top
/// sets, the walk-forward table and the best set's equity curve.
std::string format_sweep_page(const SweepRun& r, const SweepOutputs& o);
/// "sweep: 1000 sets x 41 days in 52.1 s on 2 threads (19.2 sets/s, 787 set-days/s) ..."
std::string format_sweep_timing(const SweepRun& r);
/// "train=20,test=5" -> 20, 5. Throws std::invalid_argument.
void parse_walk_forward(const std::string& s, int& train, int& test);
/// "3/8" -> 3, 8 (1 <= K <= N). Throws std::invalid_argument.
void parse_shard(const std::string& s, uint32_t& k, uint32_t& n);

}  // namespace tp::app
