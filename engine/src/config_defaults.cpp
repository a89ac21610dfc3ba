// Defaults, presets and point->tick resolution of the configuration (SPEC §4).
// The TOML loader and validation live in config_load.cpp.
#include <charconv>
#include <cmath>
#include <string>

#include "tp/engine/config.hpp"

namespace tp {

const char* to_string(DirectionMode m) noexcept {
  switch (m) {
    case DirectionMode::Both: return "BOTH";
    case DirectionMode::LongOnly: return "LONG_ONLY";
    case DirectionMode::ShortOnly: return "SHORT_ONLY";
  }
  return "?";
}

const char* to_string(FrequencyMode m) noexcept {
  switch (m) {
    case FrequencyMode::OncePerDay: return "once_per_day";
    case FrequencyMode::Repeatable: return "repeatable";
    case FrequencyMode::Test: return "test";
  }
  return "?";
}

const char* to_string(InitialStopMode m) noexcept {
  switch (m) {
    case InitialStopMode::RangeBoundary: return "range_boundary";
    case InitialStopMode::RangeMid: return "range_mid";
    case InitialStopMode::FixedPoints: return "fixed_points";
    case InitialStopMode::OpeningPrice: return "opening_price";
  }
  return "?";
}

Config default_config() {
  Config c;
  builtin_instrument("MTX", c.instrument);
  StrategyConfig& s = c.strategy;
  s.preset = "";
  s.groups = 1;
  s.lots_per_group = 3;
  // The user's current live configuration (SPEC §4).
  s.rules[0].trailing_activation_points = 15.0;
  s.rules[0].trailing_pullback = 0.10;
  s.rules[0].protective_multiplier = 0.0;
  s.rules[1].trailing_activation_points = 40.0;
  s.rules[1].trailing_pullback = 0.10;
  s.rules[1].protective_multiplier = 2.0;
  s.rules[2].trailing_activation_points = 41.0;
  s.rules[2].trailing_pullback = 0.20;
  s.rules[2].protective_multiplier = 2.0;
  resolve(c);
  return c;
}

void apply_preset(StrategyConfig& s, std::string_view preset) {
  // Notation of the seeds: lots_per_group x groups.
  struct P {
    const char* name;
    int lots;
    int groups;
  };
  static constexpr P kPresets[] = {{"conservative", 1, 2}, {"balanced", 2, 2}, {"standard", 3, 1},
                                   {"aggressive", 3, 3},   {"test", 1, 1}};
  for (const P& p : kPresets) {
    if (preset == p.name) {
      s.preset = p.name;
      s.lots_per_group = p.lots;
      s.groups = p.groups;
      return;
    }
  }
  throw ConfigError("strategy.preset: must be one of conservative, balanced, standard, aggressive, test; got '" +
                    std::string(preset) + "'");
}

namespace {
Ticks to_ticks_or_throw(const Instrument& inst, double points, const char* field) {
  Ticks t;
  if (!inst.points_to_ticks(points, t)) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, points);  // shortest: "2.5", not "2.500000"
    throw ConfigError(std::string(field) + ": " + std::string(buf, r.ptr) +
                      " points is not a whole number of ticks (tick size " +
                      inst.format_price(Price{1}) + ")");
  }
  return t;
}
int64_t to_ppm(double x) { return static_cast<int64_t>(std::llround(x * 1'000'000.0)); }
}  // namespace

void resolve(Config& c) {
  const Instrument& inst = c.instrument;
  StrategyConfig& s = c.strategy;
  for (std::size_t i = 0; i < s.rules.size(); ++i) {
    LotRule& r = s.rules[i];
    const std::string base = "strategy.rules[" + std::to_string(i + 1) + "]";
    r.activation_ticks =
        to_ticks_or_throw(inst, r.trailing_activation_points, (base + ".trailing_activation_points").c_str());
    r.fixed_tp_ticks = to_ticks_or_throw(inst, r.fixed_tp_points, (base + ".fixed_tp_points").c_str());
    r.pullback_ppm = to_ppm(r.trailing_pullback);
    r.multiplier_ppm = to_ppm(r.protective_multiplier);
  }
  s.chase.max_slippage_ticks =
      to_ticks_or_throw(inst, s.chase.max_slippage_points, "strategy.chase.max_slippage_points");
  s.max_range_ticks = to_ticks_or_throw(inst, s.max_range_points, "strategy.max_range_points");
  s.daily_loss_limit_ticks =
      to_ticks_or_throw(inst, s.daily_loss_limit_points, "strategy.daily_loss_limit_points");
  s.profit_target_ticks = to_ticks_or_throw(inst, s.profit_target_points, "strategy.profit_target_points");
  s.initial_stop_ticks = to_ticks_or_throw(inst, s.initial_stop_points, "strategy.initial_stop_points");
  c.risk.price_band_ticks = to_ticks_or_throw(inst, c.risk.price_band_points, "risk.price_band_points");
  c.risk.max_daily_loss_ticks =
      to_ticks_or_throw(inst, c.risk.max_daily_loss_points, "risk.max_daily_loss_points");
}

}  // namespace tp
