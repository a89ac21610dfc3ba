// `tickpipe venue`: the exchange simulator (docs/FIX.md). A FIX 4.4 acceptor (the
// QuickFIX island, fix_acceptor.hpp) in front of tp::SimVenue (latency 0, resting mode):
// it plays a recorded file as market data on the MD session (one W, then one X per
// event), matches the orders of the order session against the book of the last market
// data message sent, injects the scripted faults of faults.hpp, logs every message and
// writes its own view of the run (--state-out) as JSON.
//
// Units: prices on the wire are decimal price units (Instrument::format_price), times
// UTC; options: speed is a factor of event time, *_ms wall-clock milliseconds.
// Threads: run_venue() plays the market data on the calling thread; the acceptor's
// connection threads handle the orders (under one lock, see venue.cpp). Errors: bad
// input throws tp::InputError / tp::ConfigError / std::invalid_argument (exit 2 in the
// CLI), a port that cannot be bound std::runtime_error. Allocation: everything (cold).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

#include "tp/engine/input/readers.hpp"

namespace tp::venue {

struct VenueOptions {
  std::string data;         ///< recorded file (any format read_ticks reads)
  std::string config_path;  ///< TOML config ("" = defaults): instrument, tick rule, hours;
                            ///< a venue.fill_model other than book is a ConfigError (replay only)
  ReadOptions read;         ///< symbol, contract, format (tick rule/hours from the config)
  int port = 0;             ///< 0 = a free port
  double speed = 1.0;       ///< > 0 event time / speed; 0 = lockstep (docs/FIX.md "Pacing")
  int64_t linger_ms =
      2000;  ///< after the file is played: exit after this long without client activity
  double max_seconds = 0;  ///< > 0: exit after this long in any case
  int64_t max_events = 0;  ///< > 0: play only the first N events (after --from/--to)
  std::string from;        ///< "HH:MM[:SS]" local exchange time: first event time played ("" = all)
  std::string to;          ///< "HH:MM[:SS]": events at or after this are not played ("" = all)
  std::string log_path;    ///< every FIX message in/out ("" = none)
  std::string state_out;   ///< JSON view written at exit ("" = none)
  std::string faults_path;         ///< faults file ("" = none)
  int64_t sync_timeout_ms = 5000;  ///< lockstep: Heartbeat wait before moving on anyway
};

struct VenueSummary {
  uint64_t events = 0;       ///< events selected for playing
  uint64_t md_messages = 0;  ///< W + X sent
  uint64_t orders = 0;       ///< NewOrderSingle received
  uint64_t fills = 0;        ///< fill reports (distinct ExecIDs)
  uint64_t rejects = 0;      ///< orders rejected
  uint64_t sync_timeouts = 0;
  uint64_t faults = 0;  ///< faults applied, all kinds
  int port = 0;
};

/// Runs the venue until the file is played and linger_ms passed without client activity,
/// SIGINT/SIGTERM, or max_seconds. Prints `venue: listening on 127.0.0.1:<port>` (flushed)
/// to `out` once listening, the one-line summary to `err` at the end.
VenueSummary run_venue(const VenueOptions& opt, std::ostream& out, std::ostream& err);

/// "YYYYMMDD-HH:MM:SS.nnnnnnnnn" (UTC) of an event time: TransactTime (60) of docs/FIX.md.
std::string format_transact_time(TimeNs t);

}  // namespace tp::venue
