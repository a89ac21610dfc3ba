// `tickpipe sweep` (issue 11 items 2 and 4) on three real TAIFEX days (2024-11-19..21):
// configuration overrides load like the file would say them; the night session never
// changes a day-only configuration's lots; the sweep file's grid and seeded random sets
// are deterministic; a sweep's set gives exactly what `replay` gives for the same
// configuration (the same pipeline code); shards merge into the unsharded bytes; merge
// refuses missing, repeated, foreign and truncated shards.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "tp/app/sweep.hpp"
#include "tp/engine/input/tick_set.hpp"
#include "tp/storage/temp_dir.hpp"

namespace tp {
namespace {

const std::string kDir = TP_SHARED_DIR "/data/taifex";
std::string day(const char* d) { return kDir + "/Daily_" + d + ".zip"; }
const std::vector<std::string> kThree = {day("2024_11_19"), day("2024_11_20"), day("2024_11_21")};

std::string write(const storage::TempDir& dir, const std::string& name, const std::string& text) {
  const std::string p = dir.path() + "/" + name;
  std::ofstream(p) << text;
  return p;
}

Config mtx_defaults() {
  Config cfg = default_config();
  select_instrument(cfg, "MTX");
  return cfg;
}

/// The three real days, read as replay reads them with `cfg`.
TickSet three_days(const Config& cfg) {
  ReadOptions ro;
  ro.tick_rule = cfg.tick_rule;
  ro.hours = cfg.hours;
  return TickSet(kThree, cfg.instrument, ro);
}

template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(ConfigOverride, WritesFieldsAsTheFileWouldSayThem) {
  const std::vector<ConfigOverride> ov = {{"strategy.rules[2].trailing_pullback", "0.3"},
                                          {"strategy.entry_end", "\"11:00\""},
                                          {"strategy.groups", "2"},
                                          {"venue.latency_ms", "7"}};
  const Config c = load_config_text_with("[strategy]\ngroups = 1\n", ov, "base.toml");
  EXPECT_DOUBLE_EQ(c.strategy.rules[1].trailing_pullback, 0.3);
  EXPECT_EQ(c.strategy.rules[1].pullback_ppm, 300000);  // resolved
  EXPECT_EQ(c.strategy.entry_end_sec, 11 * 3600);
  EXPECT_EQ(c.strategy.groups, 2);  // the override wins over the file
  EXPECT_EQ(c.venue.latency_ms, 7);
  // The added [[strategy.rules]] tables keep every other rule's default.
  const Config d = default_config();
  EXPECT_DOUBLE_EQ(c.strategy.rules[0].trailing_activation_points, d.strategy.rules[0].trailing_activation_points);
  EXPECT_DOUBLE_EQ(c.strategy.rules[2].trailing_pullback, d.strategy.rules[2].trailing_pullback);
  EXPECT_DOUBLE_EQ(c.strategy.rules[1].trailing_activation_points, d.strategy.rules[1].trailing_activation_points);
}

TEST(ConfigOverride, RefusesUnknownKeysBadValuesAndOutOfRange) {
  EXPECT_NE(error_of([] { load_config_text_with("", std::vector<ConfigOverride>{{"strategy.grups", "2"}}, "b"); }).find("strategy.grups"),
            std::string::npos);
  EXPECT_NE(error_of([] { load_config_text_with("", std::vector<ConfigOverride>{{"strategy.groups", "two"}}, "b"); }).find("not a TOML value"),
            std::string::npos);
  EXPECT_NE(error_of([] { load_config_text_with("", std::vector<ConfigOverride>{{"strategy.groups", "99"}}, "b"); }).find("strategy.groups"),
            std::string::npos);
  // Not on the tick grid: the same check as a file (MTX ticks are 1 point).
  EXPECT_NE(error_of([] {
              load_config_text_with("", std::vector<ConfigOverride>{{"strategy.rules[1].trailing_activation_points", "2.5"}}, "b");
            }).find("trailing_activation_points"),
            std::string::npos);
  EXPECT_TRUE(config_override_key("strategy.rules[3].fixed_tp_points"));
  EXPECT_FALSE(config_override_key("strategy.rules[4].fixed_tp_points"));
  EXPECT_FALSE(config_override_key("strategy.rules"));
}

TEST(DaySessionSegments, TheNightNeverChangesADayOnlyRun) {
  const Config cfg = mtx_defaults();
  const TickSet ticks = three_days(cfg);
  const InputSegments all = ticks.segments(), day_only = ticks.day_session_segments();
  std::size_t n_all = 0, n_day = 0;
  for (const auto& s : all) n_all += s.size();
  for (const auto& s : day_only) {
    n_day += s.size();
    for (const InputEvent& e : s) ASSERT_NE(e.session, Session::Night);
  }
  EXPECT_LT(n_day, n_all);
  EXPECT_GT(n_day, n_all / 4);
  app::ReplayResult a, b;
  a.cfg = b.cfg = cfg;
  PipelineOptions po;
  po.layout = Layout::Inline;
  app::run_unpersisted(all, po, a);
  app::run_unpersisted(day_only, po, b);
  ASSERT_EQ(a.lots.size(), b.lots.size());
  ASSERT_GT(a.lots.size(), 0u);
  for (std::size_t i = 0; i < a.lots.size(); ++i) {
    EXPECT_EQ(a.lots[i].entry_time, b.lots[i].entry_time) << i;
    EXPECT_EQ(a.lots[i].exit_time, b.lots[i].exit_time) << i;
    EXPECT_EQ(a.lots[i].entry_px, b.lots[i].entry_px) << i;
    EXPECT_EQ(a.lots[i].exit_px, b.lots[i].exit_px) << i;
    EXPECT_EQ(a.lots[i].exit_reason, b.lots[i].exit_reason) << i;
    EXPECT_EQ(a.lots[i].mfe, b.lots[i].mfe) << i;
    EXPECT_EQ(a.lots[i].mae, b.lots[i].mae) << i;
  }
  EXPECT_EQ(a.equity_drawdown, b.equity_drawdown);
  EXPECT_EQ(a.orders.sent, b.orders.sent);
}

TEST(QuietDays, SkippingTheRestOfADoneDayChangesNoLot) {
  const Config cfg = mtx_defaults();
  const TickSet ticks = three_days(cfg);
  for (const bool night : {true, false}) {
    const InputSegments segs = night ? ticks.segments() : ticks.day_session_segments();
    app::ReplayResult a, b;
    a.cfg = b.cfg = cfg;
    PipelineOptions po;
    po.layout = Layout::Inline;
    app::run_unpersisted(segs, po, a);
    po.skip_quiet_days = true;
    app::run_unpersisted(segs, po, b);
    EXPECT_EQ(a.feed.skipped_events, 0u);
    // Every day is done once its entry has exited (about 09:00 on these days): most of its
    // day session goes (with the night: the night belongs to the next trading day and stays).
    EXPECT_GT(b.feed.skipped_events, a.feed.market_events / (night ? 3 : 2)) << night;
    EXPECT_EQ(b.feed.market_events + b.feed.skipped_events, a.feed.market_events);
    ASSERT_EQ(a.lots.size(), b.lots.size());
    for (std::size_t i = 0; i < a.lots.size(); ++i) {
      EXPECT_EQ(a.lots[i].entry_time, b.lots[i].entry_time) << i;
      EXPECT_EQ(a.lots[i].exit_time, b.lots[i].exit_time) << i;
      EXPECT_EQ(a.lots[i].exit_px, b.lots[i].exit_px) << i;
      EXPECT_EQ(a.lots[i].mfe, b.lots[i].mfe) << i;
      EXPECT_EQ(a.lots[i].mae, b.lots[i].mae) << i;
    }
    ASSERT_EQ(a.days.size(), b.days.size());
    for (std::size_t i = 0; i < a.days.size(); ++i) {
      EXPECT_EQ(a.days[i].range_high, b.days[i].range_high);
      EXPECT_EQ(a.days[i].skipped, b.days[i].skipped);
    }
    EXPECT_EQ(a.equity_drawdown, b.equity_drawdown);
    EXPECT_EQ(a.orders.sent, b.orders.sent);
    EXPECT_EQ(a.venue.fills, b.venue.fills);
  }
}

TEST(SweepSpec, GridOrderRangesAndErrors) {
  storage::TempDir dir("sweep-spec");
  const app::SweepSpec s = app::load_sweep_spec(write(dir, "g.toml", R"(
[params]
"strategy.rules[1].trailing_pullback" = { from = 0.1, to = 0.3, step = 0.1 }
"strategy.rules[1].trailing_activation_points" = [10, 20]
"strategy.entry_end" = ["10:00", "13:00"]
)"));
  ASSERT_EQ(s.params.size(), 3u);
  // Key order: entry_end < rules[1].trailing_activation_points < rules[1].trailing_pullback.
  EXPECT_EQ(s.params[0].key, "strategy.entry_end");
  EXPECT_EQ(s.params[2].values, (std::vector<std::string>{"0.1", "0.2", "0.3"}));
  EXPECT_EQ(app::sweep_size(s), 2u * 2u * 3u);
  const auto first = app::sweep_set(s, 0), second = app::sweep_set(s, 1), last = app::sweep_set(s, 11);
  EXPECT_EQ(first[0].value, "\"10:00\"");
  EXPECT_EQ(first[2].value, "0.1");
  EXPECT_EQ(second[2].value, "0.2");  // the last key varies fastest
  EXPECT_EQ(second[1].value, "10");
  EXPECT_EQ(last[0].value, "\"13:00\"");
  EXPECT_EQ(last[1].value, "20");
  EXPECT_EQ(last[2].value, "0.3");
  std::set<std::string> distinct;
  for (std::size_t i = 0; i < app::sweep_size(s); ++i) {
    std::string k;
    for (const auto& o : app::sweep_set(s, i)) k += o.value + "|";
    distinct.insert(k);
  }
  EXPECT_EQ(distinct.size(), 12u);

  auto bad = [&](const std::string& text) {
    return error_of([&] { app::load_sweep_spec(write(dir, "bad.toml", text)); });
  };
  EXPECT_NE(bad("[params]\n\"strategy.nope\" = [1]\n").find("strategy.nope"), std::string::npos);
  EXPECT_NE(bad("[params]\n\"strategy.groups\" = []\n").find("empty"), std::string::npos);
  EXPECT_NE(bad("[params]\n\"strategy.groups\" = { from = 3, to = 1, step = 1 }\n").find("range"), std::string::npos);
  EXPECT_NE(bad("[params]\n\"strategy.groups\" = { uniform = [1, 3] }\n").find("random"), std::string::npos);
  EXPECT_NE(bad("mode = \"random\"\n[params]\n\"strategy.groups\" = [1]\n").find("samples"), std::string::npos);
  EXPECT_NE(bad("mode = \"grids\"\n[params]\n\"strategy.groups\" = [1]\n").find("mode"), std::string::npos);
  EXPECT_NE(bad("[params]\n").find("at least one"), std::string::npos);
}

TEST(SweepSpec, RandomSetsAreSeededAndIndependentOfTheCount) {
  storage::TempDir dir("sweep-random");
  const std::string body = R"(
[params]
"strategy.rules[1].trailing_pullback" = { uniform = [0.05, 0.40], step = 0.01 }
"strategy.rules[1].trailing_activation_points" = { from = 10, to = 40, step = 5 }
"strategy.direction" = ["both", "long"]
)";
  const auto a = app::load_sweep_spec(write(dir, "a.toml", "mode = \"random\"\nsamples = 50\nseed = 7\n" + body));
  const auto b = app::load_sweep_spec(write(dir, "b.toml", "mode = \"random\"\nsamples = 500\nseed = 7\n" + body));
  const auto c = app::load_sweep_spec(write(dir, "c.toml", "mode = \"random\"\nsamples = 50\nseed = 8\n" + body));
  EXPECT_EQ(app::sweep_size(a), 50u);
  int differ = 0;
  std::set<std::string> pullbacks;
  for (std::size_t i = 0; i < 50; ++i) {
    const auto x = app::sweep_set(a, i), y = app::sweep_set(b, i), z = app::sweep_set(c, i);
    for (std::size_t k = 0; k < x.size(); ++k) EXPECT_EQ(x[k].value, y[k].value);  // same seed, same set i
    if (x[2].value != z[2].value) ++differ;
    const double pb = std::stod(x[2].value);
    EXPECT_GE(pb, 0.05);
    EXPECT_LE(pb, 0.40);
    EXPECT_NEAR(pb * 100, std::round(pb * 100), 1e-9);  // on the step
    const int act = std::stoi(x[1].value);
    EXPECT_EQ(act % 5, 0);
    EXPECT_GE(act, 10);
    EXPECT_LE(act, 40);
    pullbacks.insert(x[2].value);
  }
  EXPECT_GT(differ, 30);            // another seed draws other sets
  EXPECT_GT(pullbacks.size(), 15u);  // and the draws spread over the range
}

class SweepRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new storage::TempDir("sweep-run");
    sweep_ = write(*dir_, "s.toml", R"(
[params]
"strategy.rules[1].trailing_activation_points" = [10, 25]
"strategy.rules[1].trailing_pullback" = [0.1, 0.3]
)");
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static app::SweepOptions options() {
    app::SweepOptions o;
    o.data = kThree;
    o.read.symbol = "MTX";
    o.sweep_path = sweep_;
    o.threads = 2;
    return o;
  }
  static storage::TempDir* dir_;
  static std::string sweep_;
};
storage::TempDir* SweepRun::dir_ = nullptr;
std::string SweepRun::sweep_;

TEST_F(SweepRun, EverySetIsExactlyItsReplay) {
  const app::SweepRun r = app::run_sweep(options());
  ASSERT_EQ(r.results.size(), 4u);
  ASSERT_EQ(r.days.size(), 3u);
  EXPECT_EQ(r.days.front(), "2024-11-19");
  std::set<double> nets;
  for (const app::SweepSetResult& s : r.results) {
    // The same configuration through `replay` (all events, the night included).
    std::string toml = "[[strategy.rules]]\n";
    for (const ConfigOverride& o : s.params) {
      toml += o.key.substr(o.key.rfind('.') + 1) + " = " + o.value + "\n";
    }
    toml += "[[strategy.rules]]\n[[strategy.rules]]\n";  // rules 2 and 3: their defaults
    app::ReplayOptions ro;
    ro.data = kThree;
    ro.read.symbol = "MTX";
    ro.persist = false;
    ro.config_path = write(*dir_, "set" + std::to_string(s.set) + ".toml", toml);
    const app::ReplayResult rep = app::run_replay(ro);
    const app::ReportTotals t = app::report_totals(rep);
    ASSERT_EQ(s.models.size(), 1u);
    const app::SweepModelResult& m = s.models[0];
    EXPECT_EQ(m.fill_model, "book");
    EXPECT_DOUBLE_EQ(m.net_currency, t.net_currency) << s.set;
    EXPECT_DOUBLE_EQ(m.gross_currency, t.gross_currency) << s.set;
    EXPECT_EQ(m.trades, t.trades) << s.set;
    EXPECT_EQ(m.lots_closed, t.lots_closed) << s.set;
    EXPECT_EQ(m.day_net, t.day_net_currency) << s.set;
    EXPECT_DOUBLE_EQ(m.sharpe, t.sharpe) << s.set;
    EXPECT_DOUBLE_EQ(m.objective, t.net_currency) << s.set;  // objective net = sum of day_net
    nets.insert(m.net_currency);
  }
  EXPECT_GT(nets.size(), 1u);  // the swept exit rule changes the result
}

TEST_F(SweepRun, ShardsMergeIntoTheUnshardedBytes) {
  const std::string whole = app::format_sweep_jsonl(app::run_sweep(options()));
  std::vector<app::SweepRun> shards;
  std::vector<std::string> names, texts;
  for (uint32_t k = 1; k <= 3; ++k) {  // 3 shards of 4 sets: 2 + 1 + 1
    app::SweepOptions o = options();
    o.shard_k = k;
    o.shard_n = 3;
    o.threads = 1;
    o.batch = 16;  // the shards step their sets in lockstep: the same bytes
    texts.push_back(app::format_sweep_jsonl(app::run_sweep(o)));
    names.push_back("shard" + std::to_string(k));
  }
  // Any order of the shard files.
  for (int i : {2, 0, 1}) shards.push_back(app::parse_sweep_jsonl(texts[i], names[i]));
  const std::vector<std::string> order = {names[2], names[0], names[1]};
  const app::SweepRun merged = app::merge_sweeps(shards, order);
  EXPECT_EQ(app::format_sweep_jsonl(merged), whole);
  EXPECT_EQ(app::format_sweep_csv(merged), app::format_sweep_csv(app::parse_sweep_jsonl(whole, "whole")));

  auto parse = [&](int i) { return app::parse_sweep_jsonl(texts[i], names[i]); };
  // A missing shard.
  EXPECT_NE(error_of([&] { app::merge_sweeps({parse(0), parse(1)}, {names[0], names[1]}); }).find("shard 3/3 is missing"),
            std::string::npos);
  // The same shard twice.
  EXPECT_NE(error_of([&] { app::merge_sweeps({parse(0), parse(0), parse(1)}, {"a", "b", "c"}); }).find("given twice"),
            std::string::npos);
  // A truncated shard (its last set line lost).
  std::string cut = texts[0].substr(0, texts[0].rfind('\n', texts[0].size() - 2) + 1);
  EXPECT_NE(error_of([&] {
              app::merge_sweeps({app::parse_sweep_jsonl(cut, "cut"), parse(1), parse(2)}, {"cut", names[1], names[2]});
            }).find("incomplete"),
            std::string::npos);
  // A shard of another sweep (another base configuration).
  app::SweepOptions other = options();
  other.config_path = write(*dir_, "other.toml", "[venue]\nlatency_ms = 6\n");
  other.shard_k = 3;
  other.shard_n = 3;
  const std::string foreign = app::format_sweep_jsonl(app::run_sweep(other));
  EXPECT_NE(error_of([&] {
              app::merge_sweeps({parse(0), parse(1), app::parse_sweep_jsonl(foreign, "foreign")},
                                {names[0], names[1], "foreign"});
            }).find("not the same sweep"),
            std::string::npos);
  // Not a sweep file at all.
  EXPECT_NE(error_of([&] { app::parse_sweep_jsonl("{\"set\": 1}\n", "x.jsonl"); }).find("x.jsonl:1"),
            std::string::npos);
}

TEST_F(SweepRun, ASetTheConfigurationRefusesNamesTheSet) {
  storage::TempDir dir("sweep-bad");
  app::SweepOptions o = options();
  o.sweep_path = write(dir, "bad.toml", "[params]\n\"strategy.rules[1].trailing_activation_points\" = [10, 2.5]\n");
  const std::string e = error_of([&] { app::run_sweep(o); });
  EXPECT_NE(e.find("sweep set 1"), std::string::npos) << e;
  EXPECT_NE(e.find("trailing_activation_points"), std::string::npos) << e;
}

}  // namespace
}  // namespace tp
