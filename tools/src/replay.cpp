#include "tp/app/replay.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>

#include "tp/storage/persister.hpp"
#include "tp/storage/temp_dir.hpp"
#include "tp/storage/store.hpp"

namespace tp::app {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}


void copy_results(const Pipeline& p, ReplayResult& r) {
  copy_stage_results(p, r);
  r.feed = p.feed().stats();
  r.venue = p.feed().venue().stats();
}
}  // namespace

ReplayResult run_replay(const ReplayOptions& opt) {
  ReplayResult r;
  r.cfg = opt.config_path.empty() ? default_config() : load_config(opt.config_path);
  select_instrument(r.cfg, opt.read.symbol);
  r.data = opt.data;
  r.layout = opt.pipeline.layout;

  ReadOptions ro = opt.read;
  ro.tick_rule = r.cfg.tick_rule;
  ro.hours = r.cfg.hours;
  // A binary tick file is mapped and replayed in place (no copy, no parse); every other
  // format is read and parsed into memory.
  const auto t_load = std::chrono::steady_clock::now();
  const bool binary = ro.format == InputFormat::Binary ||
                      (ro.format == InputFormat::Auto && is_binary_tick_file(opt.data));
  TickData td;
  std::optional<MappedTicks> mapped;
  std::span<const InputEvent> events;
  if (binary) {
    mapped.emplace(opt.data, r.cfg.instrument, ro);
    r.input = mapped->stats();
    events = mapped->events();
  } else {
    td = read_ticks(opt.data, r.cfg.instrument, ro);
    r.input = td.stats;
    events = td.events;
  }
  r.load_seconds = seconds_since(t_load);
  r.input_events = events.size();

  if (!opt.persist) {
    Pipeline p(r.cfg, events, 1, {}, opt.pipeline);
    r.run_id = 1;
    const auto t_run = std::chrono::steady_clock::now();
    p.run(nullptr, {});
    r.run_seconds = seconds_since(t_run);
    copy_results(p, r);
    return r;
  }

  std::unique_ptr<storage::TempDir> tmp;
  std::string dir = opt.db;
  if (dir.empty()) {
    tmp = std::make_unique<storage::TempDir>("tickpipe-db");
    dir = tmp->path();
  } else {
    r.db = dir;
  }
  storage::StoreOptions so;
  so.dir = dir;
  so.sync = r.cfg.persist.sync == SyncPolicy::Durable ? storage::Durability::Durable : storage::Durability::NoSync;
  so.map_size_mb = r.cfg.persist.map_size_mb;
  storage::Store store(so);
  r.run_id = store.begin_run("replay " + opt.data);
  auto floor = store.group_floor();

  Pipeline p(r.cfg, events, r.run_id, std::move(floor), opt.pipeline);
  storage::Persister persister(store, r.run_id, p.journal_rings(), r.cfg.persist.batch_records, p.journal_done_seq());
  const auto t_run = std::chrono::steady_clock::now();
  p.run(&persister, [&] { return persister.committed(); });
  r.run_seconds = seconds_since(t_run);
  store.sync();
  copy_results(p, r);
  r.persisted_records = persister.committed();
  r.persist_batches = persister.stats().batches;
  return r;
}

}  // namespace tp::app
