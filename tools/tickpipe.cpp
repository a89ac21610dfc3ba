// tickpipe - command line: replay, convert, inspect, live, venue.
//
// Exit status: 0 success; 2 bad input, configuration or option value (the message names
// file, line, field and value); 3 storage (LMDB) error; 4 live: the FIX session ended on
// a MsgSeqNum lower than the stored one (--reset-seq starts a new session); 1 anything
// else (a failed CPU pin among them, a ctl command the engine refused); 5 ctl: no engine
// runs on that --db; CLI11's own codes for malformed command lines.
#include <CLI/CLI.hpp>

#include "tp/app/ctl.hpp"
#include <charconv>
#include <filesystem>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unistd.h>

#include "tp/app/live.hpp"
#include "tp/app/replay.hpp"
#include "tp/app/sweep.hpp"
#include "tp/ring/agent.hpp"
#include "tp/storage/store.hpp"
#include "tp/venue/venue.hpp"

namespace {

/// "--cpus 0,1": one CPU per hot thread of `layout`, each one this process can use.
/// Throws CLI::ValidationError naming the bad value.
std::vector<int> parse_cpus(const std::string& s, tp::Layout layout) {
  std::vector<int> cpus;
  if (s.empty()) return cpus;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    int cpu = -1;
    const char* end = item.data() + item.size();
    const auto r = std::from_chars(item.data(), end, cpu);
    if (item.empty() || r.ec != std::errc{} || r.ptr != end || cpu < 0) {
      throw CLI::ValidationError("--cpus", "'" + tp::escape_for_message(item) +
                                               "' is not a CPU number (expected CPU numbers separated by "
                                               "commas, e.g. 0,1)");
    }
    if (const std::string why = tp::cpu_pin_problem(cpu); !why.empty()) {
      throw CLI::ValidationError("--cpus", why);
    }
    cpus.push_back(cpu);
  }
  if (layout == tp::Layout::Inline) {
    throw CLI::ValidationError("--cpus", "layout inline runs every stage on the calling thread and pins "
                                         "nothing (use fused, pairs or threads)");
  }
  const int hot = tp::hot_threads(layout);
  if (static_cast<int>(cpus.size()) > hot) {
    throw CLI::ValidationError("--cpus", std::to_string(cpus.size()) + " CPUs for layout " +
                                             tp::to_string(layout) + ", which runs " + std::to_string(hot) +
                                             " hot thread" + (hot == 1 ? "" : "s"));
  }
  return cpus;
}

/// "--reference-price 17450": a decimal price (the tick grid is checked by the reader).
std::optional<tp::Decimal> parse_reference(const std::string& option, const std::string& s) {
  if (s.empty()) return std::nullopt;
  tp::Decimal d;
  if (!tp::parse_decimal(s, d)) {
    throw CLI::ValidationError(option, "'" + tp::escape_for_message(s) + "' is not a decimal price");
  }
  return d;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot write " + path);
  f << text;
  if (!f) throw std::runtime_error("failed writing " + path);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tickpipe: a low-latency, lock-free trading pipeline (replay, convert, inspect)"};
  app.require_subcommand(1);

  // ---- replay
  tp::app::ReplayOptions ro;
  std::string format = "auto", layout = "fused", idle = "backoff", cpus, report_json;
  bool quiet = false, no_persist = false, no_checksum = false;
  auto* replay = app.add_subcommand("replay", "replay recorded files through the pipeline and print the report");
  replay->add_option("--data", ro.data,
                     "input files, directories or globs (TAIFEX CSV/zip, Capital 1-minute bars, JSON lines, "
                     "binary .tpk), replayed as one run in trading-day order")->required();
  replay->add_option("--format", format, "auto|taifex|bars|jsonl|binary")->capture_default_str();
  replay->add_option("--symbol", ro.read.symbol, "product to trade (MTX, TM, TX)")->capture_default_str();
  replay->add_option("--contract", ro.read.contract,
                     "contract month, e.g. 202108, or front: each trading day's front month by TAIFEX's roll "
                     "rule (the default)");
  replay->add_option("--config", ro.config_path, "strategy/risk/venue configuration (TOML)");
  replay->add_option("--db", ro.db, "LMDB directory (default: a temporary one, removed afterwards)");
  replay->add_option("--report-json", report_json, "also write the machine-readable report here");
  replay->add_option("--html", ro.html, "also write the HTML report here (one page, opens offline: candles, trades, equity)");
  replay->add_option("--layout", layout, "inline|fused|pairs|threads (fused: all stages on one hot thread + the persister)")->capture_default_str();
  replay->add_option("--idle", idle, "idle strategy of the hot threads: spin|yield|backoff|sleep")->capture_default_str();
  replay->add_option("--cpus", cpus, "comma-separated CPUs to pin the hot threads to, in stage order");
  replay->add_flag("--skip-bad", ro.read.skip_bad, "count and skip bad input lines instead of stopping");
  std::string reference;
  replay->add_option("--price-band-pct", ro.read.price_band_pct,
                     "refuse prices farther than this percent from the trading day's reference (0 = off)")
      ->check(CLI::Range(0.0, tp::kMaxPriceBandPct))
      ->capture_default_str();
  replay->add_option("--reference-price", reference,
                     "reference of the price band for every trading day, e.g. the previous settlement "
                     "(default: each day's first trade)");
  replay->add_flag("--no-persist", no_persist, "discard journal records (no LMDB)");
  replay->add_flag("--no-checksum", no_checksum, "binary input: skip the records checksum (XXH64) on open");
  replay->add_flag("--quiet", quiet, "do not print the report");

  // ---- convert
  std::vector<std::string> conv_in;
  std::string conv_out, conv_format = "auto", conv_symbol = "MTX", conv_contract, conv_to = "auto", conv_config;
  bool conv_skip = false;
  auto* convert = app.add_subcommand(
      "convert", "convert recorded files to normalized JSON lines or the binary tick format (fast replays)");
  convert->add_option("--data", conv_in, "input files, directories or globs")->required();
  convert->add_option("--out", conv_out,
                      "output file (.tpk: binary, anything else: JSON lines), or a directory: one file per "
                      "input, named after it (several inputs need a directory)")->required();
  convert->add_option("--to", conv_to, "auto|jsonl|binary (auto: by the --out extension)")->capture_default_str();
  convert->add_option("--config", conv_config,
                      "binary: configuration whose instrument, session hours and tick rule the file is made with "
                      "(default: the built-in defaults; replay with another one re-derives or refuses)");
  convert->add_option("--format", conv_format, "auto|taifex|bars|jsonl|binary")->capture_default_str();
  convert->add_option("--symbol", conv_symbol, "product")->capture_default_str();
  convert->add_option("--contract", conv_contract, "contract month, or front (the default: each day's front month)");
  convert->add_flag("--skip-bad", conv_skip, "skip bad lines");
  double conv_band = tp::ReadOptions{}.price_band_pct;
  std::string conv_reference;
  convert->add_option("--price-band-pct", conv_band,
                      "refuse prices farther than this percent from the trading day's reference (0 = off)")
      ->check(CLI::Range(0.0, tp::kMaxPriceBandPct))
      ->capture_default_str();
  convert->add_option("--reference-price", conv_reference,
                      "reference of the price band for every trading day (default: each day's first trade)");

  // ---- sweep (and sweep merge): parameter sets over many days (docs/TUNING.md)
  tp::app::SweepOptions swo;
  std::string sw_format = "auto", sw_objective = "net", sw_shard = "1/1", sw_wf, sw_reference;
  tp::app::SweepOutputs sw_out;
  bool sw_progress = false, sw_no_progress = false;
  auto* sweep = app.add_subcommand("sweep", "run a base configuration under every parameter set of a sweep file "
                                            "over many days (grid or seeded random), in parallel; rank the sets, "
                                            "walk-forward, PBO");
  sweep->require_subcommand(0, 1);
  sweep->add_option("--data", swo.data, "input files, directories or globs (as replay)");
  sweep->add_option("--sweep", swo.sweep_path, "the sweep file (TOML: mode, samples, seed, [params])");
  sweep->add_option("--config", swo.config_path, "base configuration (TOML; default: the built-in defaults)");
  sweep->add_option("--format", sw_format, "auto|taifex|bars|jsonl|binary")->capture_default_str();
  sweep->add_option("--symbol", swo.read.symbol, "product to trade (MTX, TM, TX)")->capture_default_str();
  sweep->add_option("--contract", swo.read.contract, "contract month, or front (the default)");
  sweep->add_option("--objective", sw_objective, "net|sharpe|sortino|calmar: what ranks the sets (of daily net PnL)")
      ->capture_default_str();
  sweep->add_option("--fill-models", swo.fill_models,
                    "comma-separated fill models every set runs under: book, trade_through, slippage:N; the first "
                    "ranks the sets")->capture_default_str();
  sweep->add_option("--threads", swo.threads, "sets run at once (0 = one per core)")->capture_default_str();
  sweep->add_option("--shard", sw_shard, "K/N: run only the sets with index % N == K-1 (merge them with sweep merge)")
      ->capture_default_str();
  sweep->add_flag("--skip-bad", swo.read.skip_bad, "count and skip bad input lines instead of stopping");
  sweep->add_option("--price-band-pct", swo.read.price_band_pct, "as replay")
      ->check(CLI::Range(0.0, tp::kMaxPriceBandPct))
      ->capture_default_str();
  sweep->add_option("--reference-price", sw_reference, "as replay");
  auto add_sweep_outputs = [&](CLI::App* c) {
    c->add_option("--out", sw_out.jsonl, "write the JSON lines here (a header line, then one line per set)");
    c->add_option("--csv", sw_out.csv, "write the sets ranked by the objective as CSV here");
    c->add_option("--html", sw_out.html, "write the HTML report (heatmap, top sets, walk-forward) here");
    c->add_option("--top", sw_out.summary.top, "sets in the printed table")->capture_default_str();
    c->add_option("--walk-forward", sw_wf, "train=N,test=M: walk-forward windows in trading days");
    c->add_option("--pbo-blocks", sw_out.summary.pbo_blocks,
                  "blocks of the Probability of Backtest Overfitting (CSCV; even, 0 = off)")->capture_default_str();
    c->add_option("--heatmap", sw_out.heatmap, "X,Y: the two parameters of the HTML heatmap (default: the first two)");
  };
  add_sweep_outputs(sweep);
  sweep->add_flag("--progress", sw_progress, "print a progress line (sets done, rate, ETA) every 2 s on stderr "
                                             "(default when stderr is a terminal)");
  sweep->add_flag("--no-progress", sw_no_progress, "no progress line");
  sweep->add_option("--batch", swo.batch, "sets one thread steps in lockstep over the same ticks")->capture_default_str();
  bool sw_no_skip = false;
  sweep->add_flag("--no-quiet-skip", sw_no_skip, "replay every event of a day a set can no longer trade (only to "
                                                 "measure what skipping them saves; the results are the same)");
  sweep->add_option("--write-configs", swo.write_configs,
                    "also write each set's configuration as DIR/set-N.toml (replay --config runs that set)");
  std::vector<std::string> merge_in;
  auto* merge = sweep->add_subcommand("merge", "combine the JSON lines of every shard of one sweep into the "
                                               "unsharded output (refuses incomplete or mismatched shards)");
  merge->add_option("shards", merge_in, "the shards' --out files")->required();
  add_sweep_outputs(merge);

  // ---- inspect
  std::string db, table = "journal";
  bool csv = false;
  uint32_t run = 0;
  auto* inspect = app.add_subcommand("inspect", "dump an LMDB table as JSON lines or CSV");
  inspect->add_option("--db", db, "LMDB directory")->required();
  inspect->add_option("--table", table, "journal|orders|fills|positions|groups|meta")->capture_default_str();
  inspect->add_flag("--csv", csv, "CSV instead of JSON lines");
  inspect->add_option("--run", run, "only this run id (0 = all)");

  // ---- live
  tp::app::LiveOptions lo;
  std::string live_layout = "fused", live_idle = "backoff", live_cpus, live_report_json;
  bool live_quiet = false;
  auto* live = app.add_subcommand("live", "trade live over FIX 4.4 against a venue (e.g. tickpipe venue): "
                                          "the replay pipeline with the network as feed and gateway");
  live->add_option("--venue", lo.venue, "the venue's FIX acceptor, HOST:PORT (e.g. 127.0.0.1:9878)")->required();
  live->add_option("--config", lo.config_path, "strategy/risk configuration (TOML)");
  live->add_option("--db", lo.db, "LMDB directory: journal, tables and the FIX sequence numbers (kept)")->required();
  live->add_option("--symbol", lo.symbol, "product to trade (MTX, TM, TX)")->capture_default_str();
  live->add_option("--contract", lo.contract, "contract month sent as MaturityMonthYear, e.g. 202108");
  live->add_option("--heartbeat", lo.heartbeat_s, "FIX HeartBtInt, seconds")->check(CLI::Range(1, 3600))->capture_default_str();
  live->add_flag("--fresh", lo.fresh,
                 "do not recover the previous runs' orders and lots (default: a restart recovers them, "
                 "docs/DESIGN.md \"Restart\")");
  live->add_flag("--reset-seq", lo.reset_seq,
                 "start a new FIX session (141=Y, sequence numbers from 1) instead of continuing the stored one");
  live->add_option("--max-seconds", lo.max_seconds, "stop after this long (0 = until the venue logs out or a signal)")
      ->check(CLI::Range(0.0, 1e9));
  live->add_option("--layout", live_layout, "inline|fused|pairs|threads")->capture_default_str();
  live->add_option("--idle", live_idle, "idle strategy of the hot threads: spin|yield|backoff|sleep")->capture_default_str();
  live->add_option("--cpus", live_cpus, "comma-separated CPUs to pin the hot threads to, in stage order");
  live->add_option("--report-json", live_report_json, "also write the machine-readable report here");
  live->add_flag("--quiet", live_quiet, "do not print the report");

  // ---- venue: the FIX 4.4 exchange simulator (docs/FIX.md; logic in tools/venue)
  tp::venue::VenueOptions vo;
  std::string venue_format = "auto";
  std::string ctl_db;
  std::vector<std::string> ctl_words;
  auto* ctl = app.add_subcommand("ctl", "operator control of a running tickpipe live (its --db): status | kill | "
                                        "flatten | pause | resume | limits FILE");
  ctl->add_option("--db", ctl_db, "the LMDB directory the engine runs on")->required();
  ctl->add_option("command", ctl_words, "status | kill | flatten | pause | resume | limits FILE")->required();

  auto* venue = app.add_subcommand(
      "venue", "FIX 4.4 exchange simulator: plays a recorded file as market data, matches orders (SimVenue)");
  venue->add_option("--data", vo.data, "input file (same formats as replay)")->required();
  venue->add_option("--format", venue_format, "auto|taifex|bars|jsonl|binary")->capture_default_str();
  venue->add_option("--symbol", vo.read.symbol, "product (MTX, TM, TX)")->capture_default_str();
  venue->add_option("--contract", vo.read.contract, "contract month, e.g. 202108 (default: front month)");
  venue->add_option("--config", vo.config_path, "configuration (TOML): instrument, tick rule, session hours");
  venue->add_option("--port", vo.port, "TCP port (0: a free one, printed as 'venue: listening on 127.0.0.1:PORT')")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  venue->add_option("--speed", vo.speed, "playback speed: event time / X; 0 = lockstep with the client (sync TestRequests)")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  venue->add_option("--linger-ms", vo.linger_ms, "after the file is played, exit after this long without client activity")
      ->check(CLI::Range(int64_t{0}, int64_t{86'400'000}))
      ->capture_default_str();
  venue->add_option("--max-seconds", vo.max_seconds, "exit after this many seconds in any case (0 = no limit)")
      ->check(CLI::Range(0.0, 1e7));
  venue->add_option("--max-events", vo.max_events, "play only the first N events (0 = all)")
      ->check(CLI::Range(int64_t{0}, int64_t{1'000'000'000}));
  venue->add_option("--from", vo.from, "play events from this local time HH:MM[:SS]");
  venue->add_option("--to", vo.to, "play events before this local time HH:MM[:SS]");
  venue->add_option("--log", vo.log_path, "log every FIX message in and out to this file");
  venue->add_option("--state-out", vo.state_out, "write the venue's view (orders, fills, positions, counters) as JSON at exit");
  venue->add_option("--faults", vo.faults_path, "scripted faults, one per line (docs/FIX.md \"Venue faults\")");

  CLI11_PARSE(app, argc, argv);

  try {
    if (ctl->parsed()) {
      std::string line;
      for (const std::string& w : ctl_words) line += (line.empty() ? "" : " ") + w;
      std::string answer;
      try {
        answer = tp::app::ctl_request(ctl_db, line);
      } catch (const std::runtime_error& e) {
        std::cerr << "tickpipe ctl: " << e.what() << "\n";
        return 5;
      }
      std::cout << answer;
      return answer.rfind("ok", 0) == 0 ? 0 : 1;
    }
    if (replay->parsed()) {
      if (!tp::parse_input_format(format, ro.read.format)) throw CLI::ValidationError("--format", format);
      if (!tp::parse_layout(layout, ro.pipeline.layout)) throw CLI::ValidationError("--layout", layout);
      if (!tp::parse_idle_kind(idle, ro.pipeline.idle.kind)) throw CLI::ValidationError("--idle", idle);
      ro.pipeline.cpus = parse_cpus(cpus, ro.pipeline.layout);
      ro.read.reference_price = parse_reference("--reference-price", reference);
      ro.persist = !no_persist;
      ro.read.verify_checksum = !no_checksum;
      const tp::app::ReplayResult r = tp::app::run_replay(ro);
      if (!quiet) std::cout << tp::app::format_report(r);
      if (!report_json.empty()) write_file(report_json, tp::app::format_report_json(r));
      return 0;
    }
    if (convert->parsed()) {
      tp::ReadOptions rd;
      if (!tp::parse_input_format(conv_format, rd.format)) throw CLI::ValidationError("--format", conv_format);
      rd.symbol = conv_symbol;
      rd.contract = conv_contract;
      rd.skip_bad = conv_skip;
      rd.price_band_pct = conv_band;
      rd.reference_price = parse_reference("--reference-price", conv_reference);
      const std::vector<std::string> inputs = tp::expand_input_paths(conv_in);
      std::error_code ec;
      const bool out_dir = std::filesystem::is_directory(conv_out, ec) || conv_out.ends_with('/') || inputs.size() > 1;
      bool to_binary = false;
      if (conv_to == "binary" || conv_to == "tpk") {
        to_binary = true;
      } else if (conv_to == "auto") {
        to_binary = out_dir || conv_out.ends_with(".tpk");  // a directory gets binary unless --to jsonl
      } else if (conv_to != "jsonl" && conv_to != "json") {
        throw CLI::ValidationError("--to", conv_to);
      }
      if (!conv_config.empty() && !to_binary) throw CLI::ValidationError("--config", "only with binary output");
      const tp::Config cfg = conv_config.empty() ? tp::default_config() : tp::load_config(conv_config);
      tp::Instrument inst;
      if (!conv_config.empty() || !tp::builtin_instrument(conv_symbol, inst)) inst = cfg.instrument;
      if (to_binary) {
        // The binary file is replayed in place: it carries the synthetic book of the tick
        // rule and the day/session of the configured hours (recorded in its header).
        rd.tick_rule = cfg.tick_rule;
        rd.hours = cfg.hours;
      } else {
        rd.tick_rule.enabled = false;  // keep the file as recorded; replay applies the tick rule
      }
      // Every input read once (in parallel, checked for overlapping days), then written.
      const tp::TickSet set(inputs, inst, rd);
      if (out_dir) std::filesystem::create_directories(conv_out);
      const auto segs = set.segments();
      for (std::size_t i = 0; i < set.files().size(); ++i) {
        const tp::TickFile& f = set.files()[i];
        const std::string out =
            out_dir ? (std::filesystem::path(conv_out) /
                       std::filesystem::path(f.path).filename().replace_extension(to_binary ? ".tpk" : ".jsonl"))
                          .string()
                    : conv_out;
        if (out_dir && std::filesystem::equivalent(out, f.path, ec)) {
          throw CLI::ValidationError("--out", out + " is the input " + f.path);
        }
        if (to_binary) {
          tp::ReadOptions with = rd;
          with.format = f.stats.format;
          tp::Instrument product = inst;
          product.symbol = conv_symbol;  // the header names the product the events were selected for
          tp::write_binary(out, segs[i], product, f.stats.contract, with);
        } else {
          tp::write_jsonl(out, segs[i], inst);
        }
        std::cerr << "converted " << f.path << ": " << f.events << " events (" << f.stats.skipped
                  << " bad lines skipped) to " << out << (to_binary ? " (binary)" : " (JSON lines)") << "\n";
      }
      return 0;
    }
    if (sweep->parsed()) {
      if (!sw_wf.empty()) tp::app::parse_walk_forward(sw_wf, sw_out.summary.wf_train, sw_out.summary.wf_test);
      if (merge->parsed()) {
        std::vector<tp::app::SweepRun> shards;
        for (const std::string& f : merge_in) shards.push_back(tp::app::parse_sweep_jsonl(read_file(f), f));
        const tp::app::SweepRun r = tp::app::merge_sweeps(std::move(shards), merge_in);
        tp::app::write_sweep_outputs(r, sw_out, std::cout);
        return 0;
      }
      if (swo.data.empty()) throw CLI::RequiredError("--data");
      if (swo.sweep_path.empty()) throw CLI::RequiredError("--sweep");
      if (!tp::parse_input_format(sw_format, swo.read.format)) throw CLI::ValidationError("--format", sw_format);
      if (!tp::app::parse_objective(sw_objective, swo.objective)) {
        throw CLI::ValidationError("--objective", "'" + sw_objective + "' is not net, sharpe, sortino or calmar");
      }
      tp::app::parse_shard(sw_shard, swo.shard_k, swo.shard_n);
      swo.read.reference_price = parse_reference("--reference-price", sw_reference);
      swo.progress = sw_progress || (!sw_no_progress && ::isatty(2));
      swo.skip_quiet_days = !sw_no_skip;
      const tp::app::SweepRun r = tp::app::run_sweep(swo);
      std::cerr << tp::app::format_sweep_timing(r);
      tp::app::write_sweep_outputs(r, sw_out, std::cout);
      return 0;
    }
    if (live->parsed()) {
      if (!tp::parse_layout(live_layout, lo.pipeline.layout)) throw CLI::ValidationError("--layout", live_layout);
      if (lo.pipeline.layout == tp::Layout::Inline) {
        throw CLI::ValidationError("--layout", "inline runs on the calling thread, which live needs for signals");
      }
      if (!tp::parse_idle_kind(live_idle, lo.pipeline.idle.kind)) throw CLI::ValidationError("--idle", live_idle);
      lo.pipeline.cpus = parse_cpus(live_cpus, lo.pipeline.layout);
      const tp::app::LiveResult r = tp::app::run_live(lo);
      if (!live_quiet) std::cout << tp::app::format_live_report(r);
      if (!live_report_json.empty()) write_file(live_report_json, tp::app::format_report_json(r.report));
      if (r.seq_refused) {
        std::cerr << "tickpipe: the venue's MsgSeqNum was lower than the one stored in " << lo.db
                  << ": if the venue started a new FIX session, run again with --reset-seq\n";
        return 4;
      }
      return 0;
    }
    if (venue->parsed()) {
      if (!tp::parse_input_format(venue_format, vo.read.format)) throw CLI::ValidationError("--format", venue_format);
      tp::venue::run_venue(vo, std::cout, std::cerr);
      return 0;
    }
    if (inspect->parsed()) {
      tp::storage::Table t;
      if (!tp::storage::parse_table(table, t)) throw CLI::ValidationError("--table", table);
      tp::storage::StoreOptions so;
      so.dir = db;
      so.read_only = true;
      tp::storage::Store store(so);
      store.dump(t, csv, std::cout, run);
      return 0;
    }
  } catch (const CLI::Error& e) {
    return app.exit(e);
  } catch (const tp::InputError& e) {
    std::cerr << "tickpipe: bad input: " << e.what() << "\n";
    return 2;
  } catch (const tp::ConfigError& e) {
    std::cerr << "tickpipe: bad configuration: " << e.what() << "\n";
    return 2;
  } catch (const std::invalid_argument& e) {
    std::cerr << "tickpipe: bad option: " << tp::escape_for_message(e.what()) << "\n";
    return 2;
  } catch (const tp::storage::StorageError& e) {
    std::cerr << "tickpipe: storage: " << e.what() << "\n";
    return 3;
  } catch (const std::exception& e) {
    std::cerr << "tickpipe: " << tp::escape_for_message(e.what()) << "\n";
    return 1;
  }
  return 0;
}
