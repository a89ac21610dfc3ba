// Replay throughput on the real TAIFEX day (SPEC §8 "Replay throughput (ticks/s) for JSON
// lines and binary input vs the cost of merely reading and parsing the same file";
// issue #3 §3), in one binary and one run:
//
//   BM_ParseTaifexZip        read + unzip + parse + sort the TAIFEX zip (reference)
//   BM_ParseJsonl            read_jsonl over the file's bytes already in memory
//   BM_ReadJsonlFile         read_ticks of the JSON-lines file (read + parse)
//   BM_ReplayJsonl/persist/sum  app::run_replay of the JSON-lines file: read, parse, the
//                            pipeline (inline), persistence off (0) or a temporary LMDB (1)
//   BM_MapBinary/sum/pop     MappedTicks: map + validate the binary file, records
//                            checksum on/off, MAP_POPULATE on/off
//   BM_ReplayBinary/persist/sum  app::run_replay of the binary file (mapped, zero-copy),
//                            records checksum on (1) or off (0, `replay --no-checksum`)
//   BM_Pipeline/layout       the pipeline alone on events already in memory (construction
//                            of the rings and stages included): inline (0), fused (1)
//   BM_PipelineConstruct     constructing the Pipeline alone (the fixed cost per replay)
//
// One iteration = the whole trading day (199,567 MTX 202108 trades, 449,454 CSV lines,
// the same day as JSON lines and binary converted once in setup, under /tmp). Counters:
// (load_ms / run_ms: ReplayResult::load_seconds / run_seconds, mean per iteration)
// ticks/s = events handed to the pipeline per second (kIsRate); lines/s for the JSON-lines
// parsers. Results are validated after each loop against a reference replay of the
// TAIFEX zip made in setup: the same number of events, lots, orders sent and journal
// records, else the row fails (SkipWithError).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "tp/app/replay.hpp"
#include "tp/engine/config/config.hpp"
#include "tp/engine/input/readers.hpp"
#include "tp/engine/pipeline/pipeline.hpp"

namespace {

const std::string kZip = std::string(TP_SHARED_DIR) + "/data/taifex/Daily_2021_07_26.zip";

std::string slurp(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) throw std::runtime_error("cannot open " + path);
  std::string s;
  char buf[1 << 16];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  std::fclose(f);
  return s;
}

/// Everything prepared once: the reference replay and the converted files.
struct Day {
  tp::Config cfg = tp::default_config();
  tp::TickData taifex;     ///< the TAIFEX day, default tick rule (what replay feeds)
  std::string jsonl_path;  ///< converted as `tickpipe convert` does (tick rule off)
  std::string jsonl_bytes;
  uint64_t jsonl_lines = 0;
  std::string binary_path;  ///< converted as `tickpipe convert --out x.tpk` does
  // the reference replay (TAIFEX zip, inline, persistence off)
  std::size_t lots = 0;
  uint64_t sent = 0;
  uint64_t journal = 0;

  Day() {
    const std::string stem = "/tmp/tp_replay_bench_" + std::to_string(::getpid());
    jsonl_path = stem + ".jsonl";
    binary_path = stem + ".tpk";
    tp::ReadOptions ro;
    ro.contract = "202108";
    ro.tick_rule = cfg.tick_rule;
    ro.hours = cfg.hours;
    taifex = tp::read_ticks(kZip, cfg.instrument, ro);
    tp::ReadOptions raw = ro;
    raw.tick_rule.enabled = false;
    tp::write_jsonl(jsonl_path, tp::read_ticks(kZip, cfg.instrument, raw).events, cfg.instrument);
    jsonl_bytes = slurp(jsonl_path);
    for (char c : jsonl_bytes) jsonl_lines += c == '\n';
    tp::ReadOptions with = ro;
    with.format = tp::InputFormat::Taifex;
    tp::write_binary(binary_path, taifex.events, cfg.instrument, taifex.stats.contract, with);

    tp::app::ReplayOptions rep;
    rep.data = {kZip};
    rep.read.contract = "202108";
    rep.pipeline.layout = tp::Layout::Inline;
    rep.persist = false;
    const tp::app::ReplayResult r = tp::app::run_replay(rep);
    lots = r.lots.size();
    sent = r.orders.sent;
    journal = r.journal_records;
    if (r.input_events != taifex.events.size() || lots == 0 || sent == 0) {
      throw std::runtime_error("reference replay of the TAIFEX day traded nothing");
    }
  }
  ~Day() {
    std::remove(jsonl_path.c_str());
    std::remove(binary_path.c_str());
  }
};

Day& day() {
  static Day d;
  return d;
}

void set_ticks(benchmark::State& state, std::size_t events) {
  state.counters["ticks/s"] =
      benchmark::Counter(static_cast<double>(events) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}

/// Fails the row unless the replay matches the reference.
void check_replay(benchmark::State& state, const tp::app::ReplayResult& r, bool persisted) {
  const Day& d = day();
  if (r.input_events != d.taifex.events.size()) state.SkipWithError("wrong number of events");
  if (r.lots.size() != d.lots) state.SkipWithError("lots differ from the reference replay");
  if (r.orders.sent != d.sent) state.SkipWithError("orders sent differ from the reference replay");
  if (r.journal_records != d.journal)
    state.SkipWithError("journal records differ from the reference replay");
  if (persisted && r.persisted_records != r.journal_records)
    state.SkipWithError("not every record persisted");
}

// ------------------------------------------------------------------ parse only

void BM_ParseTaifexZip(benchmark::State& state) {
  Day& d = day();
  tp::ReadOptions ro;
  ro.contract = "202108";
  std::size_t events = 0;
  uint64_t lines = 0;
  for (auto _ : state) {
    tp::TickData td = tp::read_ticks(kZip, d.cfg.instrument, ro);
    events = td.events.size();
    lines = td.stats.lines;
    benchmark::DoNotOptimize(td.events.data());
  }
  if (events != d.taifex.events.size()) state.SkipWithError("wrong number of events");
  set_ticks(state, events);
  state.counters["lines/s"] = benchmark::Counter(static_cast<double>(lines * state.iterations()),
                                                 benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ParseTaifexZip)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ParseJsonl(benchmark::State& state) {
  Day& d = day();
  tp::ReadOptions ro;
  ro.tick_rule = d.cfg.tick_rule;
  std::size_t events = 0;
  for (auto _ : state) {
    tp::TickData td = tp::read_jsonl(d.jsonl_path, d.jsonl_bytes, d.cfg.instrument, ro);
    events = td.events.size();
    benchmark::DoNotOptimize(td.events.data());
  }
  if (events != d.taifex.events.size()) state.SkipWithError("wrong number of events");
  set_ticks(state, events);
  state.counters["lines/s"] = benchmark::Counter(
      static_cast<double>(d.jsonl_lines * state.iterations()), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<int64_t>(d.jsonl_bytes.size() * state.iterations()));
}
BENCHMARK(BM_ParseJsonl)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ReadJsonlFile(benchmark::State& state) {
  Day& d = day();
  tp::ReadOptions ro;
  ro.tick_rule = d.cfg.tick_rule;
  std::size_t events = 0;
  for (auto _ : state) {
    tp::TickData td = tp::read_ticks(d.jsonl_path, d.cfg.instrument, ro);
    events = td.events.size();
    benchmark::DoNotOptimize(td.events.data());
  }
  if (events != d.taifex.events.size()) state.SkipWithError("wrong number of events");
  set_ticks(state, events);
  state.counters["lines/s"] = benchmark::Counter(
      static_cast<double>(d.jsonl_lines * state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ReadJsonlFile)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_MapBinary(benchmark::State& state) {
  Day& d = day();
  tp::ReadOptions ro;
  ro.verify_checksum = state.range(0) != 0;
  const bool populate = state.range(1) != 0;
  std::size_t events = 0;
  bool zero_copy = false;
  for (auto _ : state) {
    tp::MappedTicks m(d.binary_path, d.cfg.instrument, ro, populate);
    events = m.events().size();
    zero_copy = m.zero_copy();
    // Touch the first byte of each record, as a consumer would (without MAP_POPULATE the
    // page faults land here).
    int64_t sum = 0;
    for (const tp::InputEvent& e : m.events()) sum += e.ts.ns;
    benchmark::DoNotOptimize(sum);
  }
  if (events != d.taifex.events.size()) state.SkipWithError("wrong number of events");
  if (!zero_copy) state.SkipWithError("the mapping was not used in place");
  set_ticks(state, events);
}
BENCHMARK(BM_MapBinary)
    ->ArgNames({"sum", "pop"})
    ->Args({1, 1})
    ->Args({0, 1})
    ->Args({1, 0})
    ->Args({0, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// ------------------------------------------------------------------ full replays

void replay_bench(benchmark::State& state, const std::string& path) {
  Day& d = day();
  tp::app::ReplayOptions ro;
  ro.data = {path};
  ro.pipeline.layout = tp::Layout::Inline;
  ro.persist = state.range(0) != 0;
  ro.read.verify_checksum = state.range(1) != 0;  // binary only (`replay --no-checksum`)
  tp::app::ReplayResult r;
  double load = 0, run = 0;
  for (auto _ : state) {
    r = tp::app::run_replay(ro);
    load += r.load_seconds;
    run += r.run_seconds;
    benchmark::DoNotOptimize(r.lots.data());
  }
  check_replay(state, r, ro.persist);
  set_ticks(state, d.taifex.events.size());
  const double n = static_cast<double>(state.iterations());
  state.counters["load_ms"] = benchmark::Counter(load * 1e3 / n);
  state.counters["run_ms"] = benchmark::Counter(run * 1e3 / n);
}

void BM_ReplayJsonl(benchmark::State& state) {
  replay_bench(state, day().jsonl_path);
}
BENCHMARK(BM_ReplayJsonl)
    ->ArgNames({"persist", "sum"})
    ->Args({0, 1})
    ->Args({1, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_ReplayBinary(benchmark::State& state) {
  replay_bench(state, day().binary_path);
}
BENCHMARK(BM_ReplayBinary)
    ->ArgNames({"persist", "sum"})
    ->Args({0, 1})
    ->Args({1, 1})
    ->Args({0, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// ------------------------------------------------------------------ pipeline only

void BM_Pipeline(benchmark::State& state) {
  Day& d = day();
  tp::PipelineOptions po;
  po.layout = static_cast<tp::Layout>(state.range(0));
  std::size_t lots = 0;
  uint64_t sent = 0, journal = 0;
  for (auto _ : state) {
    tp::Pipeline p(d.cfg, d.taifex.events, 1, {}, po);
    p.run(nullptr, {});
    lots = p.risk().strategy().lots().size();
    sent = p.risk().strategy().counters().sent;
    journal = p.journaled();
  }
  if (lots != d.lots || sent != d.sent || journal != d.journal) {
    state.SkipWithError("the pipeline's result differs from the reference replay");
  }
  set_ticks(state, d.taifex.events.size());
}
BENCHMARK(BM_Pipeline)
    ->ArgName("layout")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_PipelineConstruct(benchmark::State& state) {
  Day& d = day();
  tp::PipelineOptions po;
  po.layout = tp::Layout::Inline;
  for (auto _ : state) {
    tp::Pipeline p(d.cfg, d.taifex.events, 1, {}, po);
    benchmark::DoNotOptimize(&p);
  }
}
BENCHMARK(BM_PipelineConstruct)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
