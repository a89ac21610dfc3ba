// Defaults, presets and point->tick resolution of the configuration (SPEC §4).
// The TOML loader and validation live in load.cpp, the field table in fields.cpp.
#include <charconv>
#include <cmath>
#include <string>

#include "tp/engine/config/config.hpp"

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
  // Every field's default from the field table (config_fields(), the only place a
  // default is written).
  Config c;
  for (const ConfigField& f : config_fields()) {
    if (f.ref == nullptr) continue;
    for (std::size_t rule = 0; rule < (f.per_rule() ? c.strategy.rules.size() : 1); ++rule) {
      const ConfigFieldRef r = f.ref(c, rule);
      const double v = f.def[f.per_rule() ? rule : 0];
      if (auto* p = std::get_if<int32_t*>(&r)) **p = static_cast<int32_t>(std::llround(v) * f.scale);
      if (auto* p = std::get_if<int64_t*>(&r)) **p = static_cast<int64_t>(std::llround(v)) * f.scale;
      if (auto* p = std::get_if<double*>(&r)) **p = v;
      if (auto* p = std::get_if<bool*>(&r)) **p = v != 0.0;
      if (auto* p = std::get_if<std::string*>(&r)) **p = std::string(f.def_text);
      if (auto* p = std::get_if<Decimal*>(&r)) (void)parse_decimal(f.def_text, **p);
      if (auto* p = std::get_if<uint8_t*>(&r)) {
        // The default's index among the choices.
        uint8_t k = 0;
        std::string_view rest = f.choices;
        while (!rest.empty() && rest.substr(0, rest.find('|')) != f.def_text) {
          const std::size_t bar = rest.find('|');
          rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
          ++k;
        }
        **p = k;
      }
    }
  }
  c.instrument.symbol = "MTX";  // the instrument.symbol default (a custom field: built in)
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
