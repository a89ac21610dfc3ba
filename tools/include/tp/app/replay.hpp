// `tickpipe replay`: load a recorded file, run the real pipeline against the simulated
// venue with the LMDB persister, and build the report of SPEC §3.1.
// Cold path throughout (this is the driver, not a stage).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tp/engine/config.hpp"
#include "tp/engine/input.hpp"
#include "tp/engine/latency_histogram.hpp"
#include "tp/engine/pipeline.hpp"
#include "tp/engine/stages.hpp"
#include "tp/engine/strategy.hpp"

namespace tp::app {

struct ReplayOptions {
  std::string data;                 ///< input file
  ReadOptions read;                 ///< format, symbol, contract, skip_bad, ...
  std::string config_path;          ///< TOML file ("" = defaults)
  std::string db;                   ///< LMDB directory ("" = a temporary one, removed afterwards)
  bool persist = true;              ///< false: journal records are discarded (benchmarks)
  PipelineOptions pipeline;
};

/// Everything the report needs, copied out of the pipeline after the run.
struct ReplayResult {
  Config cfg;
  ReadStats input;
  uint64_t input_events = 0;
  std::string data;
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
};

/// Runs a replay. Throws InputError (bad input), ConfigError (bad config),
/// storage::StorageError (LMDB) or std::runtime_error.
ReplayResult run_replay(const ReplayOptions& opt);

/// The human-readable report (SPEC §3.1).
std::string format_report(const ReplayResult& r);
/// The machine-readable report (issue #2 §9 schema).
std::string format_report_json(const ReplayResult& r);

}  // namespace tp::app
