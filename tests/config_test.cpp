// Configuration: defaults (SPEC §4), presets, the TOML loader, every validation error,
// resolve() to ticks, the example files in config/ and describe().
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <initializer_list>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tp/engine/config/config.hpp"

namespace tp {
namespace {

constexpr const char* kName = "cfg.toml";

std::string config_path(const char* file) {
  return std::string(TP_CONFIG_DIR) + "/" + file;
}

/// Loads `text` expecting a ConfigError whose message contains every one of `parts`.
::testing::AssertionResult fails_with(std::string_view text,
                                      std::initializer_list<std::string_view> parts) {
  try {
    (void)load_config_text(text, kName);
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    for (std::string_view p : parts) {
      if (msg.find(p) == std::string::npos) {
        return ::testing::AssertionFailure() << "message \"" << msg << "\" lacks \"" << p << "\"";
      }
    }
    return ::testing::AssertionSuccess() << msg;
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "wrong exception type: " << e.what();
  }
  return ::testing::AssertionFailure() << "no error for:\n" << text;
}

/// Runs validate() on `c` expecting a ConfigError containing every one of `parts`.
::testing::AssertionResult invalid(const Config& c, std::initializer_list<std::string_view> parts) {
  try {
    validate(c);
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    for (std::string_view p : parts) {
      if (msg.find(p) == std::string::npos) {
        return ::testing::AssertionFailure() << "message \"" << msg << "\" lacks \"" << p << "\"";
      }
    }
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "validate() accepted the configuration";
}

// ------------------------------------------------------------------ defaults

TEST(ConfigDefaults, MatchSpecSection4) {
  const Config c = default_config();
  EXPECT_EQ(c.instrument.symbol, "MTX");
  EXPECT_EQ(c.instrument.tick_size.mantissa, 1);
  EXPECT_EQ(c.instrument.tick_size.scale, 0);
  EXPECT_EQ(c.instrument.point_value, 50.0);
  EXPECT_EQ(c.instrument.currency, "TWD");
  EXPECT_EQ(c.instrument.utc_offset_ns, 8 * 3600 * kNsPerSec);
  EXPECT_EQ(c.hours.day_open_sec, 8 * 3600 + 45 * 60);
  EXPECT_EQ(c.hours.day_close_sec, 13 * 3600 + 45 * 60);
  EXPECT_EQ(c.hours.night_open_sec, 15 * 3600);
  EXPECT_EQ(c.hours.night_close_sec, 5 * 3600);

  const StrategyConfig& s = c.strategy;
  EXPECT_EQ(s.preset, "");
  EXPECT_EQ(s.groups, 1);
  EXPECT_EQ(s.lots_per_group, 3);
  EXPECT_EQ(s.direction, DirectionMode::Both);
  EXPECT_EQ(s.frequency, FrequencyMode::OncePerDay);
  EXPECT_EQ(s.range_start_sec, 8 * 3600 + 45 * 60);
  EXPECT_EQ(s.range_end_sec, 8 * 3600 + 47 * 60);
  EXPECT_EQ(s.entry_end_sec, 13 * 3600);
  EXPECT_EQ(s.flatten_time_sec, 13 * 3600 + 44 * 60);
  EXPECT_FALSE(s.trade_night);
  EXPECT_EQ(s.initial_stop, InitialStopMode::RangeBoundary);
  EXPECT_EQ(s.max_quote_age_ms, 10'000);
  EXPECT_TRUE(s.order_per_lot);
  EXPECT_EQ(s.chase.max_retries, 5);
  EXPECT_EQ(s.chase.max_slippage_points, 5.0);
  EXPECT_EQ(s.chase.max_duration_ms, 30'000);
  EXPECT_EQ(s.chase.max_slippage_ticks, Ticks{5});
  // Live rules: 15 / 10%; 40 / 10% / x2.0; 41 / 20% / x2.0.
  EXPECT_EQ(s.rules[0].trailing_activation_points, 15.0);
  EXPECT_EQ(s.rules[0].trailing_pullback, 0.10);
  EXPECT_EQ(s.rules[0].protective_multiplier, 0.0);
  EXPECT_EQ(s.rules[1].trailing_activation_points, 40.0);
  EXPECT_EQ(s.rules[1].trailing_pullback, 0.10);
  EXPECT_EQ(s.rules[1].protective_multiplier, 2.0);
  EXPECT_EQ(s.rules[2].trailing_activation_points, 41.0);
  EXPECT_EQ(s.rules[2].trailing_pullback, 0.20);
  EXPECT_EQ(s.rules[2].protective_multiplier, 2.0);
  for (const LotRule& r : s.rules) EXPECT_EQ(r.fixed_tp_points, 0.0);
  // Resolved.
  EXPECT_EQ(s.rules[0].activation_ticks, Ticks{15});
  EXPECT_EQ(s.rules[1].activation_ticks, Ticks{40});
  EXPECT_EQ(s.rules[2].activation_ticks, Ticks{41});
  EXPECT_EQ(s.rules[0].pullback_ppm, 100'000);
  EXPECT_EQ(s.rules[2].pullback_ppm, 200'000);
  EXPECT_EQ(s.rules[1].multiplier_ppm, 2'000'000);
  EXPECT_NO_THROW(validate(c));
}

TEST(ConfigDefaults, EmptyFileIsTheDefaults) {
  const Config c = load_config_text("", kName);
  const Config d = default_config();
  EXPECT_EQ(c.source, kName);
  EXPECT_EQ(c.strategy.groups, d.strategy.groups);
  EXPECT_EQ(c.strategy.lots_per_group, d.strategy.lots_per_group);
  EXPECT_EQ(c.risk.max_position_lots, d.risk.max_position_lots);
  EXPECT_EQ(c.venue.latency_ms, d.venue.latency_ms);
  EXPECT_EQ(c.persist.batch_records, d.persist.batch_records);
}

// ------------------------------------------------------------------ example files

void expect_same(const Config& a, const Config& b) {
  EXPECT_EQ(a.instrument.symbol, b.instrument.symbol);
  EXPECT_EQ(a.instrument.tick_size.mantissa, b.instrument.tick_size.mantissa);
  EXPECT_EQ(a.instrument.tick_size.scale, b.instrument.tick_size.scale);
  EXPECT_EQ(a.instrument.point_value, b.instrument.point_value);
  EXPECT_EQ(a.instrument.currency, b.instrument.currency);
  EXPECT_EQ(a.instrument.utc_offset_ns, b.instrument.utc_offset_ns);
  EXPECT_EQ(a.hours.day_open_sec, b.hours.day_open_sec);
  EXPECT_EQ(a.hours.day_close_sec, b.hours.day_close_sec);
  EXPECT_EQ(a.hours.night_open_sec, b.hours.night_open_sec);
  EXPECT_EQ(a.hours.night_close_sec, b.hours.night_close_sec);
  const StrategyConfig& s = a.strategy;
  const StrategyConfig& t = b.strategy;
  EXPECT_EQ(s.preset, t.preset);
  EXPECT_EQ(s.groups, t.groups);
  EXPECT_EQ(s.lots_per_group, t.lots_per_group);
  EXPECT_EQ(s.direction, t.direction);
  EXPECT_EQ(s.frequency, t.frequency);
  EXPECT_EQ(s.range_start_sec, t.range_start_sec);
  EXPECT_EQ(s.range_end_sec, t.range_end_sec);
  EXPECT_EQ(s.entry_end_sec, t.entry_end_sec);
  EXPECT_EQ(s.flatten_time_sec, t.flatten_time_sec);
  EXPECT_EQ(s.trade_night, t.trade_night);
  EXPECT_EQ(s.max_range_points, t.max_range_points);
  EXPECT_EQ(s.daily_loss_limit_points, t.daily_loss_limit_points);
  EXPECT_EQ(s.profit_target_points, t.profit_target_points);
  EXPECT_EQ(s.pnl_scope, t.pnl_scope);
  EXPECT_EQ(s.initial_stop, t.initial_stop);
  EXPECT_EQ(s.initial_stop_points, t.initial_stop_points);
  EXPECT_EQ(s.max_quote_age_ms, t.max_quote_age_ms);
  EXPECT_EQ(s.order_per_lot, t.order_per_lot);
  EXPECT_EQ(s.chase.max_retries, t.chase.max_retries);
  EXPECT_EQ(s.chase.max_slippage_points, t.chase.max_slippage_points);
  EXPECT_EQ(s.chase.max_duration_ms, t.chase.max_duration_ms);
  EXPECT_EQ(a.costs.commission_per_lot, b.costs.commission_per_lot);
  EXPECT_EQ(a.costs.exchange_fee_per_lot, b.costs.exchange_fee_per_lot);
  EXPECT_EQ(a.costs.tax_rate, b.costs.tax_rate);
  for (std::size_t i = 0; i < s.rules.size(); ++i) {
    SCOPED_TRACE("rule " + std::to_string(i + 1));
    EXPECT_EQ(s.rules[i].trailing_activation_points, t.rules[i].trailing_activation_points);
    EXPECT_EQ(s.rules[i].trailing_pullback, t.rules[i].trailing_pullback);
    EXPECT_EQ(s.rules[i].protective_multiplier, t.rules[i].protective_multiplier);
    EXPECT_EQ(s.rules[i].fixed_tp_points, t.rules[i].fixed_tp_points);
    EXPECT_EQ(s.rules[i].activation_ticks, t.rules[i].activation_ticks);
    EXPECT_EQ(s.rules[i].pullback_ppm, t.rules[i].pullback_ppm);
    EXPECT_EQ(s.rules[i].multiplier_ppm, t.rules[i].multiplier_ppm);
  }
  EXPECT_EQ(a.risk.kill_switch, b.risk.kill_switch);
  EXPECT_EQ(a.risk.max_position_lots, b.risk.max_position_lots);
  EXPECT_EQ(a.risk.max_order_lots, b.risk.max_order_lots);
  EXPECT_EQ(a.risk.price_band_points, b.risk.price_band_points);
  EXPECT_EQ(a.risk.max_orders_per_sec, b.risk.max_orders_per_sec);
  EXPECT_EQ(a.risk.max_daily_loss_points, b.risk.max_daily_loss_points);
  EXPECT_EQ(a.risk.price_band_ticks, b.risk.price_band_ticks);
  EXPECT_EQ(a.venue.latency_ms, b.venue.latency_ms);
  EXPECT_EQ(a.venue.fill_model, b.venue.fill_model);
  EXPECT_EQ(a.venue.slippage_ticks, b.venue.slippage_ticks);
  EXPECT_EQ(a.persist.sync, b.persist.sync);
  EXPECT_EQ(a.persist.batch_records, b.persist.batch_records);
  EXPECT_EQ(a.persist.map_size_mb, b.persist.map_size_mb);
  EXPECT_EQ(a.tick_rule.enabled, b.tick_rule.enabled);
  EXPECT_EQ(a.tick_rule.spread_ticks, b.tick_rule.spread_ticks);
  EXPECT_EQ(a.tick_rule.size_lots, b.tick_rule.size_lots);
  EXPECT_EQ(a.tick_rule.size_from_trade, b.tick_rule.size_from_trade);
}

TEST(ConfigFiles, DefaultTomlIsExactlyTheBuiltInDefaults) {
  const Config c = load_config(config_path("default.toml"));
  EXPECT_EQ(c.source, config_path("default.toml"));
  expect_same(c, default_config());
}

TEST(ConfigFiles, EveryExampleFileLoads) {
  for (const char* f : {"default.toml", "conservative.toml", "balanced.toml", "standard.toml",
                        "aggressive.toml", "test.toml"}) {
    SCOPED_TRACE(f);
    EXPECT_NO_THROW((void)load_config(config_path(f)));
  }
}

TEST(ConfigFiles, PresetFilesHaveTheirSizeAndTheBacktestRules) {
  struct Case {
    const char* file;
    const char* preset;
    int lots;
    int groups;
  };
  for (const Case& k :
       {Case{"conservative.toml", "conservative", 1, 2}, Case{"balanced.toml", "balanced", 2, 2},
        Case{"standard.toml", "standard", 3, 1}, Case{"aggressive.toml", "aggressive", 3, 3},
        Case{"test.toml", "test", 1, 1}}) {
    SCOPED_TRACE(k.file);
    const Config c = load_config(config_path(k.file));
    EXPECT_EQ(c.strategy.preset, k.preset);
    EXPECT_EQ(c.strategy.lots_per_group, k.lots);
    EXPECT_EQ(c.strategy.groups, k.groups);
    // Backtest rules: 15 / 40 / 65 points activation, 20% pullback.
    EXPECT_EQ(c.strategy.rules[0].activation_ticks, Ticks{15});
    EXPECT_EQ(c.strategy.rules[1].activation_ticks, Ticks{40});
    EXPECT_EQ(c.strategy.rules[2].activation_ticks, Ticks{65});
    for (const LotRule& r : c.strategy.rules) EXPECT_EQ(r.pullback_ppm, 200'000);
    EXPECT_EQ(c.strategy.rules[0].multiplier_ppm, 0);
    EXPECT_EQ(c.strategy.rules[1].multiplier_ppm, 2'000'000);
    EXPECT_EQ(c.strategy.rules[2].multiplier_ppm, 2'000'000);
  }
}

TEST(ConfigFiles, MissingFileNamesThePath) {
  try {
    (void)load_config("/nonexistent/dir/cfg.toml");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/cfg.toml"), std::string::npos)
        << e.what();
  }
}

TEST(ConfigFiles, ErrorsInAFileNameThatFile) {
  const std::string path = ::testing::TempDir() + "tp_config_test_bad.toml";
  {
    std::ofstream out(path);
    out << "[strategy]\ngroups = 7\n";
  }
  try {
    (void)load_config(path);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), path + ": strategy.groups must be 1..5, got 7");
  }
  std::remove(path.c_str());
}

// ------------------------------------------------------------------ presets

TEST(ConfigPresets, ApplyPresetUsesLotsPerGroupTimesGroups) {
  struct Case {
    const char* name;
    int lots;
    int groups;
  };
  for (const Case& k : {Case{"conservative", 1, 2}, Case{"balanced", 2, 2}, Case{"standard", 3, 1},
                        Case{"aggressive", 3, 3}, Case{"test", 1, 1}}) {
    SCOPED_TRACE(k.name);
    StrategyConfig s;
    apply_preset(s, k.name);
    EXPECT_EQ(s.preset, k.name);
    EXPECT_EQ(s.lots_per_group, k.lots);
    EXPECT_EQ(s.groups, k.groups);
  }
}

TEST(ConfigPresets, UnknownPresetIsAnError) {
  StrategyConfig s;
  EXPECT_THROW(apply_preset(s, "yolo"), ConfigError);
  EXPECT_TRUE(fails_with("[strategy]\npreset = \"yolo\"\n",
                         {"cfg.toml:2:", "strategy.preset",
                          "conservative, balanced, standard, aggressive, test", "yolo"}));
}

TEST(ConfigPresets, PresetFromTomlThenExplicitSizeOverrides) {
  Config c = load_config_text("[strategy]\npreset = \"aggressive\"\n", kName);
  EXPECT_EQ(c.strategy.lots_per_group, 3);
  EXPECT_EQ(c.strategy.groups, 3);
  // Key order in the file does not matter: the preset is applied first.
  c = load_config_text("[strategy]\ngroups = 5\npreset = \"aggressive\"\n", kName);
  EXPECT_EQ(c.strategy.preset, "aggressive");
  EXPECT_EQ(c.strategy.lots_per_group, 3);
  EXPECT_EQ(c.strategy.groups, 5);
  c = load_config_text("[strategy]\npreset = \"balanced\"\nlots_per_group = 1\n", kName);
  EXPECT_EQ(c.strategy.lots_per_group, 1);
  EXPECT_EQ(c.strategy.groups, 2);
}

// ------------------------------------------------------------------ loading values

TEST(ConfigLoad, ReadsEverySection) {
  const Config c = load_config_text(R"(
[instrument]
symbol = "TM"
[session]
day_open = "08:30"
night_close = 04:59:00
[strategy]
groups = 2
lots_per_group = 2
direction = "long_only"
frequency = "repeatable"
range_start = "09:00:00"
range_end = "09:15"
entry_end = "12:00:00"
flatten_time = "13:30:00"
trade_night = true
max_range_points = 80
daily_loss_limit_points = 100
profit_target_points = 200.0
pnl_scope = "cumulative"
initial_stop = "fixed_points"
initial_stop_points = 30
max_quote_age_ms = 2500
order_per_lot = false
[strategy.chase]
max_retries = 3
max_slippage_points = 4
max_duration_ms = 10000
[[strategy.rules]]
trailing_activation_points = 20
trailing_pullback = 0.25
[[strategy.rules]]
fixed_tp_points = 50
[risk]
kill_switch = true
max_position_lots = 4
max_order_lots = 2
price_band_points = 50
max_orders_per_sec = 10
max_daily_loss_points = 300
[venue]
latency_ms = 20
[persist]
sync = "durable"
batch_records = 64
map_size_mb = 256
[tick_rule]
enabled = false
spread_ticks = 2
size_lots = 3
size_from_trade = true
)",
                                    kName);
  EXPECT_EQ(c.instrument.symbol, "TM");
  EXPECT_EQ(c.instrument.point_value, 10.0);  // built-in TM
  EXPECT_EQ(c.hours.day_open_sec, 8 * 3600 + 30 * 60);
  EXPECT_EQ(c.hours.night_close_sec, 4 * 3600 + 59 * 60);
  const StrategyConfig& s = c.strategy;
  EXPECT_EQ(s.groups, 2);
  EXPECT_EQ(s.lots_per_group, 2);
  EXPECT_EQ(s.direction, DirectionMode::LongOnly);
  EXPECT_EQ(s.frequency, FrequencyMode::Repeatable);
  EXPECT_EQ(s.range_start_sec, 9 * 3600);
  EXPECT_EQ(s.range_end_sec, 9 * 3600 + 15 * 60);
  EXPECT_EQ(s.entry_end_sec, 12 * 3600);
  EXPECT_EQ(s.flatten_time_sec, 13 * 3600 + 30 * 60);
  EXPECT_TRUE(s.trade_night);
  EXPECT_EQ(s.max_range_ticks, Ticks{80});
  EXPECT_EQ(s.daily_loss_limit_ticks, Ticks{100});
  EXPECT_EQ(s.profit_target_ticks, Ticks{200});
  EXPECT_EQ(s.pnl_scope, PnlScope::Cumulative);
  EXPECT_EQ(s.initial_stop, InitialStopMode::FixedPoints);
  EXPECT_EQ(s.initial_stop_ticks, Ticks{30});
  EXPECT_EQ(s.max_quote_age_ms, 2500);
  EXPECT_FALSE(s.order_per_lot);
  EXPECT_EQ(s.chase.max_retries, 3);
  EXPECT_EQ(s.chase.max_slippage_ticks, Ticks{4});
  EXPECT_EQ(s.chase.max_duration_ms, 10'000);
  EXPECT_EQ(s.rules[0].activation_ticks, Ticks{20});
  EXPECT_EQ(s.rules[0].pullback_ppm, 250'000);
  EXPECT_EQ(s.rules[1].fixed_tp_ticks, Ticks{50});
  // Keys a rule table leaves out keep that rule's default.
  EXPECT_EQ(s.rules[1].trailing_activation_points, 40.0);
  EXPECT_EQ(s.rules[1].protective_multiplier, 2.0);
  EXPECT_TRUE(c.risk.kill_switch);
  EXPECT_EQ(c.risk.max_position_lots, 4);
  EXPECT_EQ(c.risk.max_order_lots, 2);
  EXPECT_EQ(c.risk.price_band_ticks, Ticks{50});
  EXPECT_EQ(c.risk.max_orders_per_sec, 10);
  EXPECT_EQ(c.risk.max_daily_loss_ticks, Ticks{300});
  EXPECT_EQ(c.venue.latency_ms, 20);
  EXPECT_EQ(c.venue.latency_ns(), 20 * kNsPerMs);
  EXPECT_EQ(c.persist.sync, SyncPolicy::Durable);
  EXPECT_EQ(c.persist.batch_records, 64);
  EXPECT_EQ(c.persist.map_size_mb, 256);
  EXPECT_FALSE(c.tick_rule.enabled);
  EXPECT_EQ(c.tick_rule.spread_ticks, 2);
  EXPECT_EQ(c.tick_rule.size_lots, 3);
  EXPECT_TRUE(c.tick_rule.size_from_trade);
}

TEST(ConfigLoad, CustomInstrumentNeedsTickAndPointValue) {
  const Config c = load_config_text(R"(
[instrument]
symbol = "BTCUSDT"
tick_size = "0.1"
point_value = 1
currency = "USDT"
utc_offset_minutes = 0
)",
                                    kName);
  EXPECT_EQ(c.instrument.symbol, "BTCUSDT");
  EXPECT_EQ(c.instrument.tick_size.mantissa, 1);
  EXPECT_EQ(c.instrument.tick_size.scale, 1);
  EXPECT_EQ(c.instrument.utc_offset_ns, 0);
  EXPECT_EQ(c.strategy.rules[0].activation_ticks, Ticks{150});  // 15 points / 0.1
  EXPECT_TRUE(fails_with("[instrument]\nsymbol = \"NQ\"\n",
                         {"cfg.toml", "instrument.tick_size", "required", "NQ"}));
}

// ------------------------------------------------------------------ TOML errors

// SPEC §4: the instrument follows the traded symbol (issue: `replay --symbol TX` priced
// TX at MTX's 50 TWD per point).
TEST(ConfigInstrument, FollowsTheTradedSymbolWhenTheConfigNamesNone) {
  Config c = load_config_text("[strategy]\ngroups = 2\n", kName);
  select_instrument(c, "TX");
  EXPECT_EQ(c.instrument.symbol, "TX");
  EXPECT_DOUBLE_EQ(c.instrument.point_value, 200.0);
  select_instrument(c, "TM");
  EXPECT_DOUBLE_EQ(c.instrument.point_value, 10.0);
  Config d = default_config();
  select_instrument(d, "MTX");
  EXPECT_DOUBLE_EQ(d.instrument.point_value, 50.0);
  EXPECT_EQ(d.strategy.rules[0].activation_ticks, Ticks{15});  // resolved
}

TEST(ConfigInstrument, DisagreeingSymbolIsAnError) {
  Config c = load_config_text("[instrument]\nsymbol = \"MTX\"\n", kName);
  try {
    select_instrument(c, "TX");
    FAIL() << "MTX config replayed as TX";
  } catch (const ConfigError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("cfg.toml"), std::string::npos) << m;
    EXPECT_NE(m.find("instrument.symbol"), std::string::npos) << m;
    EXPECT_NE(m.find("'MTX'"), std::string::npos) << m;
    EXPECT_NE(m.find("'TX'"), std::string::npos) << m;
  }
  Config same = load_config_text("[instrument]\nsymbol = \"TX\"\n", kName);
  select_instrument(same, "TX");
  EXPECT_DOUBLE_EQ(same.instrument.point_value, 200.0);
}

TEST(ConfigInstrument, UnknownSymbolWithoutInstrumentIsAnError) {
  Config c = default_config();
  EXPECT_THROW(select_instrument(c, "BTCUSDT"), ConfigError);
  Config custom = load_config_text(
      "[instrument]\nsymbol = \"BTCUSDT\"\ntick_size = \"0.1\"\npoint_value = 1\ncurrency = \"USDT\"\n", kName);
  select_instrument(custom, "BTCUSDT");
  EXPECT_EQ(custom.instrument.symbol, "BTCUSDT");
}

TEST(ConfigCosts, ReadAndValidated) {
  const Config c = load_config_text(
      "[costs]\ncommission_per_lot = 20\nexchange_fee_per_lot = 13.5\ntax_rate = 0.0001\n", kName);
  EXPECT_DOUBLE_EQ(c.costs.commission_per_lot, 20.0);
  EXPECT_DOUBLE_EQ(c.costs.exchange_fee_per_lot, 13.5);
  EXPECT_DOUBLE_EQ(c.costs.tax_rate, 0.0001);
  EXPECT_DOUBLE_EQ(default_config().costs.tax_rate, 0.00002);
  EXPECT_TRUE(fails_with("[costs]\ncommission_per_lot = -1\n", {"cfg.toml", "costs.commission_per_lot", "0..1000000"}));
  EXPECT_TRUE(fails_with("[costs]\ntax_rate = 0.5\n", {"costs.tax_rate", "0..0.01"}));
  EXPECT_TRUE(fails_with("[costs]\nfee = 1\n", {"fee"}));
}

TEST(ConfigErrors, ParseErrorReportsFileLineColumn) {
  EXPECT_TRUE(fails_with("[strategy]\ngroups = 2\nlots_per_group = = 3\n", {"cfg.toml:3:"}));
  EXPECT_TRUE(fails_with("[strategy\n", {"cfg.toml:1:"}));
  EXPECT_TRUE(
      fails_with("[strategy]\ngroups = 1\ngroups = 2\n", {"cfg.toml:3:"}));  // duplicate key
}

TEST(ConfigErrors, UnknownKeysAndTablesAreNamed) {
  EXPECT_TRUE(fails_with("[strategy]\ngrups = 2\n",
                         {"cfg.toml:2:1", "unknown key 'strategy.grups'", "groups"}));
  EXPECT_TRUE(
      fails_with("[strategy.chase]\nmax_retry = 2\n", {"unknown key 'strategy.chase.max_retry'"}));
  EXPECT_TRUE(
      fails_with("[strategy]\nlots_per_group = 1\n[[strategy.rules]]\ntrailing_pulback = 0.2\n",
                 {"unknown key 'strategy.rules[1].trailing_pulback'"}));
  EXPECT_TRUE(fails_with("[stratgy]\ngroups = 2\n", {"unknown table [stratgy]"}));
  EXPECT_TRUE(
      fails_with("[strategy.chace]\nmax_retries = 2\n", {"unknown table [strategy.chace]"}));
  EXPECT_TRUE(fails_with("[[strategy.rulez]]\nfixed_tp_points = 1\n",
                         {"unknown table [[strategy.rulez]]"}));
  EXPECT_TRUE(fails_with("groups = 2\n", {"unknown key 'groups'"}));
  EXPECT_TRUE(fails_with("[instrument]\ntick = \"1\"\n", {"unknown key 'instrument.tick'"}));
  EXPECT_TRUE(
      fails_with("[session]\nday_start = \"08:45\"\n", {"unknown key 'session.day_start'"}));
  EXPECT_TRUE(fails_with("[risk]\nkillswitch = true\n", {"unknown key 'risk.killswitch'"}));
  EXPECT_TRUE(fails_with("[venue]\nlatency = 5\n", {"unknown key 'venue.latency'"}));
  EXPECT_TRUE(fails_with("[persist]\nbatch = 5\n", {"unknown key 'persist.batch'"}));
  EXPECT_TRUE(fails_with("[tick_rule]\nspread = 5\n", {"unknown key 'tick_rule.spread'"}));
}

TEST(ConfigErrors, WrongTypesNameFieldAndExpectedType) {
  EXPECT_TRUE(fails_with("[strategy]\ngroups = \"3\"\n",
                         {"cfg.toml:2:", "strategy.groups must be an integer", "string \"3\""}));
  EXPECT_TRUE(
      fails_with("[strategy]\ngroups = 2.0\n", {"strategy.groups must be an integer", "float"}));
  EXPECT_TRUE(
      fails_with("[strategy]\ntrade_night = 1\n", {"strategy.trade_night must be a boolean"}));
  EXPECT_TRUE(fails_with("[strategy]\nrange_start = 845\n",
                         {"strategy.range_start must be a time of day"}));
  EXPECT_TRUE(fails_with("[strategy]\nrange_start = \"8:45\"\n",
                         {"strategy.range_start must be a time of day"}));
  EXPECT_TRUE(fails_with("[strategy]\nrange_start = \"25:00\"\n",
                         {"strategy.range_start must be a time of day"}));
  EXPECT_TRUE(fails_with("[strategy]\nmax_range_points = \"80\"\n",
                         {"strategy.max_range_points must be a number"}));
  EXPECT_TRUE(
      fails_with("[strategy]\ndirection = \"UP\"\n",
                 {"strategy.direction must be one of \"BOTH|LONG_ONLY|SHORT_ONLY\"", "\"UP\""}));
  EXPECT_TRUE(fails_with("[strategy]\nfrequency = 1\n",
                         {"strategy.frequency must be one of \"once_per_day|repeatable|test\""}));
  EXPECT_TRUE(fails_with("[strategy]\ninitial_stop = \"atr\"\n",
                         {"strategy.initial_stop must be one of",
                          "range_boundary|range_mid|fixed_points|opening_price"}));
  EXPECT_TRUE(fails_with("[strategy]\npnl_scope = \"week\"\n",
                         {"strategy.pnl_scope must be one of \"day|cumulative\""}));
  EXPECT_TRUE(fails_with("[persist]\nsync = \"always\"\n",
                         {"persist.sync must be one of \"nosync|durable\""}));
  EXPECT_TRUE(fails_with("[venue]\nfill_model = \"optimistic\"\n",
                         {"venue.fill_model must be one of \"book|trade_through|slippage\"", "\"optimistic\""}));
  EXPECT_TRUE(fails_with("[venue]\nslippage_ticks = 101\n", {"cfg.toml", "venue.slippage_ticks", "0..100"}));
  EXPECT_TRUE(fails_with("[venue]\nslippage_ticks = -1\n", {"venue.slippage_ticks", "0..100"}));
  EXPECT_TRUE(fails_with("[instrument]\ntick_size = 0.5\n",
                         {"instrument.tick_size must be a decimal string"}));
  EXPECT_TRUE(fails_with("[instrument]\ntick_size = \"1e-2\"\n",
                         {"instrument.tick_size must be a decimal string"}));
  EXPECT_TRUE(fails_with("[instrument]\nsymbol = 5\n", {"instrument.symbol must be a string"}));
  EXPECT_TRUE(fails_with("strategy = 5\n", {"strategy must be a table"}));
  EXPECT_TRUE(fails_with("[strategy]\nchase = 5\n", {"strategy.chase must be a table"}));
  EXPECT_TRUE(fails_with("[strategy]\nrules = 5\n",
                         {"strategy.rules must be an array of [[strategy.rules]] tables"}));
  EXPECT_TRUE(fails_with("[strategy]\nrules = [1, 2, 3]\n", {"strategy.rules must be an array"}));
  EXPECT_TRUE(
      fails_with("[risk]\nmax_order_lots = 1.5\n", {"risk.max_order_lots must be an integer"}));
}

TEST(ConfigErrors, EnumsAreCaseInsensitive) {
  const Config c =
      load_config_text("[strategy]\ndirection = \"short_only\"\nfrequency = \"TEST\"\n", kName);
  EXPECT_EQ(c.strategy.direction, DirectionMode::ShortOnly);
  EXPECT_EQ(c.strategy.frequency, FrequencyMode::Test);
}

// ------------------------------------------------------------------ range errors
// Every message: "cfg.toml: FIELD must be RANGE, got VALUE".

TEST(ConfigValidation, Groups) {
  EXPECT_TRUE(
      fails_with("[strategy]\ngroups = 7\n", {"cfg.toml: strategy.groups must be 1..5, got 7"}));
  EXPECT_TRUE(fails_with("[strategy]\ngroups = 0\n", {"strategy.groups must be 1..5, got 0"}));
  // Checked before narrowing: 2^32 + 1 must not wrap to 1.
  EXPECT_TRUE(fails_with("[strategy]\ngroups = 4294967297\n",
                         {"strategy.groups must be 1..5, got 4294967297"}));
  EXPECT_NO_THROW((void)load_config_text("[strategy]\ngroups = 5\nlots_per_group = 1\n", kName));
}

TEST(ConfigValidation, LotsPerGroup) {
  EXPECT_TRUE(fails_with("[strategy]\nlots_per_group = 4\n",
                         {"cfg.toml: strategy.lots_per_group must be 1..3, got 4"}));
  EXPECT_TRUE(fails_with("[strategy]\nlots_per_group = 0\n",
                         {"strategy.lots_per_group must be 1..3, got 0"}));
}

TEST(ConfigValidation, FewerRulesThanLotsPerGroup) {
  EXPECT_TRUE(fails_with(
      "[strategy]\nlots_per_group = 3\n[[strategy.rules]]\ntrailing_activation_points = 15\n"
      "[[strategy.rules]]\ntrailing_activation_points = 30\n",
      {"cfg.toml: strategy.rules must be 3 [[strategy.rules]] tables", "lots_per_group", "got 2"}));
  EXPECT_TRUE(fails_with("[strategy]\nlots_per_group = 2\nrules = []\n",
                         {"strategy.rules must be 2..3", "got 0"}));
  // Four tables: more than the three rules.
  EXPECT_TRUE(
      fails_with("[strategy]\nlots_per_group = 1\n"
                 "[[strategy.rules]]\n[[strategy.rules]]\n[[strategy.rules]]\n[[strategy.rules]]\n",
                 {"strategy.rules must be 1..3", "got 4"}));
  // Enough rules: fine, and one rule is enough for one lot per group.
  const Config c = load_config_text(
      "[strategy]\nlots_per_group = 1\n[[strategy.rules]]\ntrailing_activation_points = 12\n",
      kName);
  EXPECT_EQ(c.strategy.rules[0].activation_ticks, Ticks{12});
}

TEST(ConfigValidation, TrailingPullbackIsAnOpenInterval) {
  for (const char* v : {"0", "1", "1.5", "-0.1", "0.0", "1.0", "nan"}) {
    SCOPED_TRACE(v);
    EXPECT_TRUE(fails_with(
        std::string("[strategy]\nlots_per_group = 1\n[[strategy.rules]]\ntrailing_pullback = ") +
            v + "\n",
        {"cfg.toml: strategy.rules[1].trailing_pullback must be in (0, 1) exclusive", "got "}));
  }
  EXPECT_TRUE(
      fails_with("[strategy]\nlots_per_group = "
                 "2\n[[strategy.rules]]\n[[strategy.rules]]\ntrailing_pullback = 1\n",
                 {"strategy.rules[2].trailing_pullback must be in (0, 1) exclusive", "got 1"}));
  EXPECT_NO_THROW((void)load_config_text(
      "[strategy]\nlots_per_group = 1\n[[strategy.rules]]\ntrailing_pullback = 0.999\n", kName));
}

TEST(ConfigValidation, TrailingActivationPositive) {
  EXPECT_TRUE(fails_with(
      "[strategy]\nlots_per_group = 1\n[[strategy.rules]]\ntrailing_activation_points = 0\n",
      {"cfg.toml: strategy.rules[1].trailing_activation_points must be > 0 and <= 1000000, got 0"}));
  EXPECT_TRUE(fails_with(
      "[strategy]\nlots_per_group = 1\n[[strategy.rules]]\ntrailing_activation_points = -5\n",
      {"strategy.rules[1].trailing_activation_points must be > 0 and <= 1000000, got -5"}));
  EXPECT_TRUE(fails_with(
      "[strategy]\nlots_per_group = 1\n[[strategy.rules]]\ntrailing_activation_points = inf\n",
      {"strategy.rules[1].trailing_activation_points must be > 0 and <= 1000000, got inf"}));
}

TEST(ConfigValidation, ProtectiveMultiplierAndFixedTpNonNegative) {
  EXPECT_TRUE(
      fails_with("[strategy]\nlots_per_group = 1\n[[strategy.rules]]\nprotective_multiplier = -1\n",
                 {"cfg.toml: strategy.rules[1].protective_multiplier must be 0..100, got -1"}));
  EXPECT_TRUE(
      fails_with("[strategy]\nlots_per_group = 1\n[[strategy.rules]]\nfixed_tp_points = -10\n",
                 {"cfg.toml: strategy.rules[1].fixed_tp_points must be 0..1000000, got -10"}));
}

TEST(ConfigValidation, WindowOrder) {
  EXPECT_TRUE(fails_with("[strategy]\nrange_start = \"08:47\"\nrange_end = \"08:47\"\n",
                         {"cfg.toml: strategy.range_start must be before strategy.range_end "
                          "(08:47:00), got 08:47:00"}));
  EXPECT_TRUE(fails_with(
      "[strategy]\nrange_end = \"13:01\"\n",
      {"strategy.range_end must be at or before strategy.entry_end (13:00:00), got 13:01:00"}));
  EXPECT_TRUE(fails_with(
      "[strategy]\nentry_end = \"13:50\"\n",
      {"strategy.entry_end must be at or before strategy.flatten_time (13:44:00), got 13:50:00"}));
  // Equal is allowed for range_end <= entry_end <= flatten_time.
  EXPECT_NO_THROW((void)load_config_text(
      "[strategy]\nrange_end = \"09:00\"\nentry_end = \"09:00\"\nflatten_time = \"09:00\"\n",
      kName));
}

TEST(ConfigValidation, SessionOrder) {
  EXPECT_TRUE(fails_with(
      "[session]\nday_open = \"14:00\"\n",
      {"cfg.toml: session.day_open must be before session.day_close (13:45:00), got 14:00:00"}));
}

TEST(ConfigValidation, MaxQuoteAge) {
  EXPECT_TRUE(fails_with("[strategy]\nmax_quote_age_ms = 0\n",
                         {"cfg.toml: strategy.max_quote_age_ms must be 1..86400000, got 0"}));
  EXPECT_TRUE(fails_with("[strategy]\nmax_quote_age_ms = -1\n",
                         {"strategy.max_quote_age_ms must be 1..86400000, got -1"}));
}

TEST(ConfigValidation, Chase) {
  EXPECT_TRUE(fails_with("[strategy.chase]\nmax_retries = 21\n",
                         {"cfg.toml: strategy.chase.max_retries must be 0..20, got 21"}));
  EXPECT_TRUE(fails_with("[strategy.chase]\nmax_retries = -1\n",
                         {"strategy.chase.max_retries must be 0..20, got -1"}));
  EXPECT_TRUE(fails_with("[strategy.chase]\nmax_slippage_points = -1\n",
                         {"cfg.toml: strategy.chase.max_slippage_points must be 0..1000000, got -1"}));
  EXPECT_TRUE(fails_with("[strategy.chase]\nmax_duration_ms = -5\n",
                         {"cfg.toml: strategy.chase.max_duration_ms must be 0..86400000, got -5"}));
  EXPECT_NO_THROW(
      (void)load_config_text("[strategy.chase]\nmax_retries = 0\nmax_duration_ms = 0\n", kName));
}

TEST(ConfigValidation, StrategyDistances) {
  EXPECT_TRUE(fails_with("[strategy]\nmax_range_points = -1\n",
                         {"strategy.max_range_points must be 0..1000000, got -1"}));
  EXPECT_TRUE(fails_with("[strategy]\ndaily_loss_limit_points = -1\n",
                         {"strategy.daily_loss_limit_points must be 0..1000000, got -1"}));
  EXPECT_TRUE(fails_with("[strategy]\nprofit_target_points = -1\n",
                         {"strategy.profit_target_points must be 0..1000000, got -1"}));
  EXPECT_TRUE(fails_with(
      "[strategy]\ninitial_stop = \"fixed_points\"\n",
      {"strategy.initial_stop_points must be > 0 when strategy.initial_stop = \"fixed_points\"",
       "got 0"}));
}

TEST(ConfigValidation, Venue) {
  EXPECT_TRUE(fails_with("[venue]\nlatency_ms = 60001\n",
                         {"cfg.toml: venue.latency_ms must be 0..60000, got 60001"}));
  EXPECT_TRUE(
      fails_with("[venue]\nlatency_ms = -1\n", {"venue.latency_ms must be 0..60000, got -1"}));
  EXPECT_NO_THROW((void)load_config_text("[venue]\nlatency_ms = 0\n", kName));
  EXPECT_NO_THROW((void)load_config_text("[venue]\nlatency_ms = 60000\n", kName));
}

TEST(ConfigValidation, Persist) {
  EXPECT_TRUE(fails_with("[persist]\nbatch_records = 0\n",
                         {"cfg.toml: persist.batch_records must be 1..65536, got 0"}));
  EXPECT_TRUE(fails_with("[persist]\nbatch_records = 65537\n",
                         {"persist.batch_records must be 1..65536, got 65537"}));
  EXPECT_TRUE(fails_with("[persist]\nmap_size_mb = 15\n",
                         {"cfg.toml: persist.map_size_mb must be 16..1048576, got 15"}));
  EXPECT_TRUE(fails_with("[persist]\nmap_size_mb = 1048577\n",
                         {"persist.map_size_mb must be 16..1048576, got 1048577"}));
}

TEST(ConfigValidation, Instrument) {
  EXPECT_TRUE(fails_with("[instrument]\ntick_size = \"0\"\n",
                         {"cfg.toml: instrument.tick_size must be > 0, got 0"}));
  EXPECT_TRUE(fails_with("[instrument]\ntick_size = \"-0.5\"\n",
                         {"instrument.tick_size must be > 0, got -0.5"}));
  EXPECT_TRUE(fails_with("[instrument]\npoint_value = 0\n",
                         {"cfg.toml: instrument.point_value must be > 0, got 0"}));
  EXPECT_TRUE(fails_with("[instrument]\npoint_value = -50\n",
                         {"instrument.point_value must be > 0, got -50"}));
  EXPECT_TRUE(fails_with("[instrument]\nutc_offset_minutes = 900\n",
                         {"instrument.utc_offset_minutes must be -720..840, got 900"}));
}

TEST(ConfigValidation, RiskLimits) {
  EXPECT_TRUE(fails_with("[risk]\nmax_position_lots = -1\n",
                         {"cfg.toml: risk.max_position_lots must be >= 0, got -1"}));
  EXPECT_TRUE(
      fails_with("[risk]\nmax_order_lots = -1\n", {"risk.max_order_lots must be >= 0, got -1"}));
  EXPECT_TRUE(fails_with("[risk]\nprice_band_points = -1\n",
                         {"risk.price_band_points must be 0..1000000, got -1"}));
  EXPECT_TRUE(fails_with("[risk]\nmax_orders_per_sec = -1\n",
                         {"risk.max_orders_per_sec must be >= 0, got -1"}));
  EXPECT_TRUE(fails_with("[risk]\nmax_daily_loss_points = -1\n",
                         {"risk.max_daily_loss_points must be 0..1000000, got -1"}));
  EXPECT_TRUE(fails_with("[risk]\nmax_position_lots = 3000000000\n",
                         {"risk.max_position_lots must be >= 0, got 3000000000"}));
  EXPECT_NO_THROW(
      (void)load_config_text("[risk]\nmax_position_lots = 0\nmax_orders_per_sec = 0\n", kName));
}

TEST(ConfigValidation, TickRule) {
  EXPECT_TRUE(fails_with("[tick_rule]\nspread_ticks = 0\n",
                         {"cfg.toml: tick_rule.spread_ticks must be 1..1000000, got 0"}));
  EXPECT_TRUE(fails_with("[tick_rule]\nsize_lots = 0\n",
                         {"cfg.toml: tick_rule.size_lots must be 1..1000000, got 0"}));
}

TEST(ConfigValidation, ValidateOnAConfigBuiltInCode) {
  Config c = default_config();
  c.strategy.groups = 6;
  EXPECT_TRUE(invalid(c, {"config: strategy.groups must be 1..5, got 6"}));
  c = default_config();
  c.source = "mine.toml";
  c.strategy.rules[2].trailing_pullback = 0.0;
  EXPECT_TRUE(invalid(
      c, {"mine.toml: strategy.rules[3].trailing_pullback must be in (0, 1) exclusive", "got 0"}));
  c = default_config();
  c.instrument.tick_size = Decimal{0, 0};
  EXPECT_TRUE(invalid(c, {"instrument.tick_size must be > 0, got 0"}));
  c = default_config();
  c.persist.batch_records = 100'000;
  EXPECT_TRUE(invalid(c, {"persist.batch_records must be 1..65536, got 100000"}));
}

// ------------------------------------------------------------------ resolve()

TEST(ConfigResolve, PointsToTicksWithADecimalTickSize) {
  Config c = default_config();
  c.instrument.tick_size = Decimal{5, 2};  // 0.05
  c.strategy.rules[0].trailing_activation_points = 15.0;
  c.strategy.rules[1].fixed_tp_points = 2.35;
  c.strategy.chase.max_slippage_points = 0.25;
  c.risk.price_band_points = 100.0;
  resolve(c);
  EXPECT_EQ(c.strategy.rules[0].activation_ticks, Ticks{300});
  EXPECT_EQ(c.strategy.rules[1].fixed_tp_ticks, Ticks{47});
  EXPECT_EQ(c.strategy.chase.max_slippage_ticks, Ticks{5});
  EXPECT_EQ(c.risk.price_band_ticks, Ticks{2000});
  EXPECT_EQ(c.strategy.rules[1].multiplier_ppm, 2'000'000);
}

TEST(ConfigResolve, OffGridDistanceThrowsNamingTheField) {
  Config c = default_config();
  c.strategy.initial_stop_points = 2.5;
  try {
    resolve(c);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("strategy.initial_stop_points"), std::string::npos)
        << e.what();
  }
  // Through the loader the file name is prefixed.
  EXPECT_TRUE(
      fails_with("[strategy]\ninitial_stop = \"fixed_points\"\ninitial_stop_points = 2.5\n",
                 {"cfg.toml: ", "strategy.initial_stop_points", "not a whole number of ticks"}));
  EXPECT_TRUE(fails_with("[instrument]\ntick_size = \"0.5\"\n[risk]\nprice_band_points = 10.25\n",
                         {"cfg.toml: ", "risk.price_band_points", "not a whole number of ticks"}));
  EXPECT_TRUE(fails_with(
      "[strategy]\nlots_per_group = 1\n[[strategy.rules]]\ntrailing_activation_points = 15.5\n",
      {"strategy.rules[1].trailing_activation_points", "not a whole number of ticks"}));
  // A half-point tick makes 15.5 points valid (31 ticks).
  const Config ok = load_config_text(
      "[instrument]\ntick_size = \"0.5\"\n[strategy]\nlots_per_group = "
      "1\n[[strategy.rules]]\ntrailing_activation_points = 15.5\n",
      kName);
  EXPECT_EQ(ok.strategy.rules[0].activation_ticks, Ticks{31});
}

// ------------------------------------------------------------------ venue fill model

TEST(ConfigVenue, FillModelDefaultsToBookAndLoadsEachModel) {
  const Config d = default_config();
  EXPECT_EQ(d.venue.fill_model, FillModel::Book);
  EXPECT_EQ(d.venue.slippage_ticks, 0);
  const Config t = load_config_text("[venue]\nfill_model = \"trade_through\"\n", kName);
  EXPECT_EQ(t.venue.fill_model, FillModel::TradeThrough);
  const Config s = load_config_text("[venue]\nfill_model = \"SLIPPAGE\"\nslippage_ticks = 2\n", kName);
  EXPECT_EQ(s.venue.fill().model, FillModel::Slippage);
  EXPECT_EQ(s.venue.fill().slippage_ticks, 2);
  // slippage_ticks is accepted with any model (only slippage uses it).
  EXPECT_EQ(load_config_text("[venue]\nslippage_ticks = 3\n", kName).venue.fill().model, FillModel::Book);
  const std::string text = describe(s);
  EXPECT_NE(text.find("fill_model slippage, slippage_ticks 2 ticks"), std::string::npos) << text;
}

// ------------------------------------------------------------------ describe()

TEST(ConfigDescribe, ListsEveryFieldFromTheTable) {
  const Config c = load_config(config_path("standard.toml"));
  const std::string d = describe(c);
  for (const char* part :
       {"standard.toml", "preset standard", "symbol MTX", "point_value 50 TWD per point", "utc_offset_minutes 480",
        "groups 1", "lots_per_group 3 lots", "range_start 08:45:00", "range_end 08:47:00", "entry_end 13:00:00",
        "flatten_time 13:44:00", "rule 1", "trailing_activation_points 15 points", "trailing_pullback 20%",
        "rule 3", "trailing_activation_points 65 points", "protective_multiplier 2", "latency_ms 5 ms",
        "sync nosync", "tax_rate 0.002%", "commission_per_lot 0 TWD"}) {
    EXPECT_NE(d.find(part), std::string::npos) << "missing \"" << part << "\" in\n" << d;
  }
  // Every non-custom field of the table is named.
  for (const ConfigField& f : config_fields()) {
    if (f.ref == nullptr) continue;
    EXPECT_NE(d.find(std::string(f.name) + " "), std::string::npos) << f.key();
  }
  // Only the rules in use are shown.
  const std::string t = describe(load_config(config_path("test.toml")));
  EXPECT_NE(t.find("rule 1"), std::string::npos);
  EXPECT_EQ(t.find("rule 2"), std::string::npos) << t;
  EXPECT_NE(describe(default_config()).find("built-in defaults"), std::string::npos);
}

// ------------------------------------------------------------------ the field table

TEST(ConfigFields, EveryKeyIsUniqueAndDocumented) {
  std::vector<std::string> keys;
  for (const ConfigField& f : config_fields()) {
    SCOPED_TRACE(f.key());
    EXPECT_FALSE(f.doc.empty());
    EXPECT_EQ(std::find(keys.begin(), keys.end(), f.key()), keys.end()) << "duplicate key";
    keys.push_back(f.key());
    EXPECT_EQ(f.custom || f.kind == ConfigFieldKind::Table, f.ref == nullptr);
    if (f.kind == ConfigFieldKind::Enum) {
      EXPECT_NE(std::string(f.choices).find(f.def_text), std::string::npos);
    }
  }
  EXPECT_GE(keys.size(), 50u);
}

// config/default.toml lists exactly the table's fields, each with the table's default.
TEST(ConfigFields, DefaultTomlListsEveryFieldWithItsDefault) {
  std::ifstream in(config_path("default.toml"));
  ASSERT_TRUE(in) << config_path("default.toml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The keys of the file, section by section ([[strategy.rules]] counted per rule).
  std::vector<std::string> file_keys;
  std::string section;
  int rule = 0;
  std::istringstream lines(text);
  for (std::string l; std::getline(lines, l);) {
    const std::size_t hash = l.find('#');
    if (hash != std::string::npos) l.resize(hash);
    while (!l.empty() && (l.back() == ' ' || l.back() == '\r')) l.pop_back();
    const std::size_t start = l.find_first_not_of(' ');
    if (start == std::string::npos) continue;
    l = l.substr(start);
    if (l.rfind("[[", 0) == 0) {
      section = l.substr(2, l.find("]]") - 2);
      ++rule;
      continue;
    }
    if (l[0] == '[') {
      section = l.substr(1, l.find(']') - 1);
      continue;
    }
    const std::size_t eq = l.find('=');
    ASSERT_NE(eq, std::string::npos) << l;
    std::string key = l.substr(0, eq);
    while (!key.empty() && key.back() == ' ') key.pop_back();
    file_keys.push_back(section == "strategy.rules" ? section + "[" + std::to_string(rule) + "]." + key
                                                    : section + "." + key);
  }
  const Config file = load_config(config_path("default.toml"));
  const Config table = default_config();
  for (const ConfigField& f : config_fields()) {
    if (f.kind == ConfigFieldKind::Table) continue;
    for (std::size_t r = 0; r < (f.per_rule() ? 3u : 1u); ++r) {
      const std::string key = f.key(r);
      SCOPED_TRACE(key);
      EXPECT_NE(std::find(file_keys.begin(), file_keys.end(), key), file_keys.end())
          << "config/default.toml does not list " << key;
    }
  }
  for (const std::string& k : file_keys) {
    bool known = false;
    for (const ConfigField& f : config_fields()) {
      for (std::size_t r = 0; r < (f.per_rule() ? 3u : 1u); ++r) known = known || f.key(r) == k;
    }
    EXPECT_TRUE(known) << "config/default.toml has " << k << ", which the field table does not describe";
  }
  expect_same(file, table);  // and every value in the file is the table's default
}

}  // namespace
}  // namespace tp
