#include "tp/app/replay.hpp"

#include "tp/app/html_report.hpp"

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
}  // namespace

void copy_replay_results(const Pipeline& p, ReplayResult& r) {
  copy_stage_results(p, r);
  r.feed = p.feed().stats();
  r.venue = p.feed().venue().stats();
}

void run_unpersisted(const InputSegments& events, const PipelineOptions& opt, ReplayResult& r) {
  Pipeline p(r.cfg, events, 1, {}, opt);
  r.run_id = 1;
  r.layout = opt.layout;
  const auto t_run = std::chrono::steady_clock::now();
  p.run(nullptr, {});
  r.run_seconds = seconds_since(t_run);
  copy_replay_results(p, r);
}

ReplayResult run_replay(const ReplayOptions& opt) {
  ReplayResult r;
  r.cfg = opt.config_path.empty() ? default_config() : load_config(opt.config_path);
  select_instrument(r.cfg, opt.read.symbol);
  r.layout = opt.pipeline.layout;

  ReadOptions ro = opt.read;
  ro.tick_rule = r.cfg.tick_rule;
  ro.hours = r.cfg.hours;
  // Binary tick files are mapped and replayed in place (no copy, no parse); every other
  // format is read and parsed into memory, the files in parallel.
  const auto t_load = std::chrono::steady_clock::now();
  const std::vector<std::string> paths = expand_input_paths(opt.data);
  TickSet ticks(paths, r.cfg.instrument, ro, opt.load_threads);
  r.load_seconds = seconds_since(t_load);
  r.input = ticks.total_stats();
  r.input_events = ticks.events();
  r.files = ticks.files();
  r.data = paths.size() == 1 ? paths.front()
                             : std::to_string(paths.size()) + " files: " + r.files.front().path + " .. " +
                                   r.files.back().path;
  const InputSegments events = ticks.segments();
  auto finish = [&] {
    for (const DayResult& d : r.days) r.day_contracts.push_back(ticks.contract_of(d.day));
    if (!opt.html.empty()) write_html_file(opt.html, format_html_report(r, minute_bars(ticks.segments())));
  };

  if (!opt.persist) {
    run_unpersisted(events, opt.pipeline, r);
    finish();
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
  r.run_id = store.begin_run("replay " + r.data);
  auto floor = store.group_floor();

  Pipeline p(r.cfg, events, r.run_id, std::move(floor), opt.pipeline);
  storage::Persister persister(store, r.run_id, p.journal_rings(), r.cfg.persist.batch_records, p.journal_done_seq());
  const auto t_run = std::chrono::steady_clock::now();
  p.run(&persister, [&] { return persister.committed(); });
  r.run_seconds = seconds_since(t_run);
  store.sync();
  copy_replay_results(p, r);
  r.persisted_records = persister.committed();
  r.persist_batches = persister.stats().batches;
  finish();
  return r;
}

}  // namespace tp::app
