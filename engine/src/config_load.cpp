// The TOML configuration loader, validation and the human-readable summary
// (config.hpp). Cold path only: allocates, throws ConfigError.
//
// This is the only translation unit that includes toml++ (it is linked privately into
// tp_engine), so the rest of the engine never sees the TOML types.
//
// Error messages (STYLE §5, cold path):
//   * TOML syntax errors:       "FILE:LINE:COL: <toml++ description>"
//   * unknown key or table:     "FILE:LINE:COL: unknown key 'strategy.grups' (...)"
//   * wrong type / bad string:  "FILE:LINE:COL: strategy.groups must be an integer, got string
//   \"3\""
//   * value out of range:       "FILE: strategy.groups must be 1..5, got 7"
//   * not on the tick grid:     "FILE: strategy.initial_stop_points: 2.5 points is not ..."
// where FILE is Config::source ("config" for a configuration built in code).
#include <sys/stat.h>
#include <toml++/toml.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

#include "tp/engine/config.hpp"

namespace tp {

namespace {

// ------------------------------------------------------------------ formatting

std::string fmt_double(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string fmt_decimal(const Decimal& d) {
  const bool neg = d.mantissa < 0;
  // |INT64_MIN| does not fit; parse_decimal never produces it, but stay safe.
  const uint64_t a =
      neg ? uint64_t{0} - static_cast<uint64_t>(d.mantissa) : static_cast<uint64_t>(d.mantissa);
  std::string digits = std::to_string(a);
  if (d.scale > 0) {
    const auto scale = static_cast<std::size_t>(d.scale);
    if (digits.size() <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
    digits.insert(digits.size() - scale, 1, '.');
  }
  return (neg ? "-" : "") + digits;
}

std::string fmt_offset(int64_t utc_offset_ns) { return "UTC" + utc_offset_text(utc_offset_ns); }

std::string fmt_time(int32_t sec_of_day) {
  if (sec_of_day < 0 || sec_of_day >= 86400) return std::to_string(sec_of_day) + " s";
  return format_hhmmss(sec_of_day);
}

/// "10%" for 0.10 (via parts per million, so 0.2 prints 20 and not 20.000000000000004).
std::string fmt_percent(double fraction) {
  if (!std::isfinite(fraction)) return fmt_double(fraction);
  return fmt_double(static_cast<double>(std::llround(fraction * 1'000'000.0)) / 10'000.0) + "%";
}

const char* pnl_scope_name(PnlScope s) noexcept {
  return s == PnlScope::Day ? "day" : "cumulative";
}
const char* sync_name(SyncPolicy s) noexcept {
  return s == SyncPolicy::NoSync ? "nosync" : "durable";
}

/// The name used at the start of every message.
std::string label(const std::string& source) {
  return source.empty() ? std::string("config") : source;
}

std::string at(const std::string& src, const toml::source_region& r) {
  if (r.begin.line == 0) return src;
  return src + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column);
}

const char* type_name(toml::node_type t) noexcept {
  switch (t) {
    case toml::node_type::none:
      return "nothing";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
  }
  return "?";
}

/// "string \"3\"", "float 2.5", "table": what the file actually has, for type errors.
std::string describe_node(const toml::node& n) {
  std::string s = type_name(n.type());
  if (const auto* v = n.as_string()) return s + " \"" + v->get() + "\"";
  if (const auto* v = n.as_integer()) return s + " " + std::to_string(v->get());
  if (const auto* v = n.as_floating_point()) return s + " " + fmt_double(v->get());
  if (const auto* v = n.as_boolean()) return s + (v->get() ? " true" : " false");
  return s;
}

// ------------------------------------------------------------------ range checks
// Shared by the loader (which must check integers before narrowing them) and by
// validate(). Every message: "FILE: FIELD must be RANGE, got VALUE".

struct IntRange {
  int64_t lo;
  int64_t hi;
};
constexpr int64_t kI32Max = std::numeric_limits<int32_t>::max();
constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();

constexpr IntRange kGroups{1, 5};
constexpr IntRange kLotsPerGroup{1, 3};
constexpr IntRange kQuoteAgeMs{1, kMaxDurationMs};
constexpr IntRange kChaseRetries{0, 20};
constexpr IntRange kChaseDurationMs{0, kMaxDurationMs};
constexpr IntRange kLimitI32{0, kI32Max};  // risk limits (0 disables)
constexpr IntRange kLatencyMs{0, 60'000};
constexpr IntRange kBatchRecords{1, 65'536};
constexpr IntRange kMapSizeMb{16, 1'048'576};
constexpr IntRange kSpreadTicks{1, 1'000'000};
constexpr IntRange kSizeLots{1, kMaxQtyLots};
constexpr IntRange kUtcOffsetMin{-12 * 60, 14 * 60};
/// Largest protective multiplier: its parts per million x a group's PnL in ticks fit.
constexpr double kMaxMultiplier = 100.0;

std::string range_text(IntRange r) {
  if (r.hi == kI64Max || r.hi == kI32Max) return ">= " + std::to_string(r.lo);
  return std::to_string(r.lo) + ".." + std::to_string(r.hi);
}

[[noreturn]] void range_error(const std::string& src, std::string_view field,
                              std::string_view range, std::string_view got) {
  throw ConfigError(src + ": " + std::string(field) + " must be " + std::string(range) + ", got " +
                    std::string(got));
}

void check_int(const std::string& src, std::string_view field, int64_t v, IntRange r) {
  if (v < r.lo || v > r.hi) range_error(src, field, range_text(r), std::to_string(v));
}

/// v >= 0 (and finite).
void check_non_negative(const std::string& src, std::string_view field, double v) {
  if (!(std::isfinite(v) && v >= 0.0)) range_error(src, field, ">= 0", fmt_double(v));
}

/// v > 0 (and finite).
void check_positive(const std::string& src, std::string_view field, double v) {
  if (!(std::isfinite(v) && v > 0.0)) range_error(src, field, "> 0", fmt_double(v));
}

void check_time_of_day(const std::string& src, std::string_view field, int32_t v) {
  if (v < 0 || v >= 86400)
    range_error(src, field, "a time of day 00:00:00..23:59:59", std::to_string(v) + " s");
}

/// a < b (or a <= b when !strict), both times of day of fields `fa` and `fb`.
void check_order(const std::string& src, std::string_view fa, int32_t a, std::string_view fb,
                 int32_t b, bool strict) {
  if (strict ? a < b : a <= b) return;
  range_error(src, fa,
              std::string(strict ? "before " : "at or before ") + std::string(fb) + " (" +
                  fmt_time(b) + ")",
              fmt_time(a));
}

// ------------------------------------------------------------------ table reader

/// Reads the keys of one TOML table into typed fields, naming each field by its full
/// dotted path ("strategy.chase.max_retries") in errors.
class Reader {
 public:
  Reader(const toml::table& t, std::string path, const std::string& src)
      : t_(t), path_(std::move(path)), src_(src) {}

  [[nodiscard]] std::string field(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  /// Every key of the table must be in `allowed`; a typo is an error naming it.
  void check_keys(std::initializer_list<std::string_view> allowed) const {
    for (auto&& [k, v] : t_) {
      bool ok = false;
      for (std::string_view a : allowed) ok = ok || a == k.str();
      if (ok) continue;
      std::string what;
      if (v.is_table()) {
        what = "unknown table [" + field(k.str()) + "]";
      } else if (v.is_array_of_tables()) {
        what = "unknown table [[" + field(k.str()) + "]]";
      } else {
        what = "unknown key '" + field(k.str()) + "'";
      }
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      throw ConfigError(at(src_, k.source()) + ": " + what + " (" +
                        (path_.empty() ? std::string("top level") : "[" + path_ + "]") +
                        " accepts: " + list + ")");
    }
  }

  [[nodiscard]] const toml::node* get(std::string_view key) const { return t_.get(key); }

  [[noreturn]] void type_error(std::string_view key, const toml::node& n,
                               std::string_view expected) const {
    throw ConfigError(at(src_, n.source()) + ": " + field(key) + " must be " +
                      std::string(expected) + ", got " + describe_node(n));
  }

  /// Integer in range `r` (checked before narrowing to T, so 2^32+1 is not read as 1).
  template <class T>
  bool read_int(std::string_view key, IntRange r, T& out) const {
    const toml::node* n = get(key);
    if (n == nullptr) return false;
    const auto* v = n->as_integer();
    if (v == nullptr) type_error(key, *n, "an integer");
    check_int(src_, field(key), v->get(), r);
    out = static_cast<T>(v->get());
    return true;
  }

  /// A number; an integer is accepted for a float field ("40" means 40.0).
  bool read_double(std::string_view key, double& out) const {
    const toml::node* n = get(key);
    if (n == nullptr) return false;
    if (const auto* f = n->as_floating_point()) {
      out = f->get();
    } else if (const auto* i = n->as_integer()) {
      out = static_cast<double>(i->get());
    } else {
      type_error(key, *n, "a number");
    }
    return true;
  }

  bool read_bool(std::string_view key, bool& out) const {
    const toml::node* n = get(key);
    if (n == nullptr) return false;
    const auto* v = n->as_boolean();
    if (v == nullptr) type_error(key, *n, "a boolean (true or false)");
    out = v->get();
    return true;
  }

  bool read_string(std::string_view key, std::string& out) const {
    const toml::node* n = get(key);
    if (n == nullptr) return false;
    const auto* v = n->as_string();
    if (v == nullptr) type_error(key, *n, "a string");
    out = v->get();
    return true;
  }

  /// "HH:MM" or "HH:MM:SS" (a string), or a bare TOML local time (08:45:00).
  bool read_time(std::string_view key, int32_t& out) const {
    const toml::node* n = get(key);
    if (n == nullptr) return false;
    if (const auto* t = n->as_time()) {
      const toml::time tm = t->get();
      if (tm.nanosecond != 0)
        type_error(key, *n, "a time of day \"HH:MM[:SS]\" without fractional seconds");
      out = tm.hour * 3600 + tm.minute * 60 + tm.second;
      return true;
    }
    const auto* s = n->as_string();
    if (s == nullptr || !parse_hhmmss(s->get(), out))
      type_error(key, *n, "a time of day \"HH:MM\" or \"HH:MM:SS\"");
    return true;
  }

  /// One of the names in `values` (case-insensitive).
  template <class E>
  bool read_enum(std::string_view key, std::initializer_list<std::pair<std::string_view, E>> values,
                 E& out) const {
    const toml::node* n = get(key);
    if (n == nullptr) return false;
    std::string list;
    for (const auto& [name, e] : values) list += (list.empty() ? "" : "|") + std::string(name);
    const auto* s = n->as_string();
    if (s != nullptr) {
      for (const auto& [name, e] : values) {
        if (iequals(name, s->get())) {
          out = e;
          return true;
        }
      }
    }
    type_error(key, *n, "one of \"" + list + "\"");
  }

  /// A sub-table; nullptr when absent; error when present but not a table.
  [[nodiscard]] const toml::table* table(std::string_view key) const {
    const toml::node* n = get(key);
    if (n == nullptr) return nullptr;
    const auto* t = n->as_table();
    if (t == nullptr) type_error(key, *n, "a table");
    return t;
  }

  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  static bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      auto lower = [](char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
      };
      if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
  }

  const toml::table& t_;
  std::string path_;
  const std::string& src_;
};

// ------------------------------------------------------------------ sections

void load_instrument(const Reader& r, const std::string& src, Instrument& inst, bool& given) {
  r.check_keys({"symbol", "tick_size", "point_value", "currency", "utc_offset_minutes"});
  std::string symbol;
  if (r.read_string("symbol", symbol)) {
    given = true;
    if (symbol.empty()) range_error(src, r.field("symbol"), "a product code such as MTX", "\"\"");
    const int64_t offset = inst.utc_offset_ns;
    if (builtin_instrument(symbol, inst)) {
      inst.utc_offset_ns = offset;
    } else {
      // Not built in: the file must say what a tick and a point are (never guess a price scale).
      inst.symbol = symbol;
      for (const char* k : {"tick_size", "point_value", "currency"}) {
        if (r.get(k) == nullptr) {
          throw ConfigError(src + ": " + r.field(k) + " is required for symbol '" + symbol +
                            "' (built-in symbols: MTX, TM, TX)");
        }
      }
    }
  }
  if (const toml::node* n = r.get("tick_size")) {
    std::string text;
    if (const auto* s = n->as_string()) {
      text = s->get();
    } else if (const auto* i = n->as_integer()) {
      text = std::to_string(i->get());
    } else {
      r.type_error("tick_size", *n, "a decimal string such as \"1\" or \"0.05\"");
    }
    Decimal d;
    if (!parse_decimal(text, d))
      r.type_error("tick_size", *n, "a decimal string such as \"1\" or \"0.05\"");
    inst.tick_size = d;
  }
  r.read_double("point_value", inst.point_value);
  r.read_string("currency", inst.currency);
  int64_t minutes = 0;
  if (r.read_int("utc_offset_minutes", kUtcOffsetMin, minutes))
    inst.utc_offset_ns = minutes * 60 * kNsPerSec;
}

void load_session(const Reader& r, SessionHours& h) {
  r.check_keys({"day_open", "day_close", "night_open", "night_close"});
  r.read_time("day_open", h.day_open);
  r.read_time("day_close", h.day_close);
  r.read_time("night_open", h.night_open);
  r.read_time("night_close", h.night_close);
}

void load_rule(const Reader& r, LotRule& rule) {
  r.check_keys({"trailing_activation_points", "trailing_pullback", "protective_multiplier",
                "fixed_tp_points"});
  r.read_double("trailing_activation_points", rule.trailing_activation_points);
  r.read_double("trailing_pullback", rule.trailing_pullback);
  r.read_double("protective_multiplier", rule.protective_multiplier);
  r.read_double("fixed_tp_points", rule.fixed_tp_points);
}

void load_strategy(const Reader& r, const std::string& src, StrategyConfig& s) {
  r.check_keys({"preset",
                "groups",
                "lots_per_group",
                "direction",
                "frequency",
                "range_start",
                "range_end",
                "entry_end",
                "flatten_time",
                "trade_night",
                "max_range_points",
                "daily_loss_limit_points",
                "profit_target_points",
                "pnl_scope",
                "initial_stop",
                "initial_stop_points",
                "max_quote_age_ms",
                "order_per_lot",
                "chase",
                "rules"});
  // The preset first, so that explicit groups / lots_per_group override it.
  std::string preset;
  if (r.read_string("preset", preset) && !preset.empty()) {
    try {
      apply_preset(s, preset);
    } catch (const ConfigError& e) {
      throw ConfigError(at(src, r.get("preset")->source()) + ": " + e.what());
    }
  }
  r.read_int("groups", kGroups, s.groups);
  r.read_int("lots_per_group", kLotsPerGroup, s.lots_per_group);
  r.read_enum<DirectionMode>("direction",
                             {{"BOTH", DirectionMode::Both},
                              {"LONG_ONLY", DirectionMode::LongOnly},
                              {"SHORT_ONLY", DirectionMode::ShortOnly}},
                             s.direction);
  r.read_enum<FrequencyMode>("frequency",
                             {{"once_per_day", FrequencyMode::OncePerDay},
                              {"repeatable", FrequencyMode::Repeatable},
                              {"test", FrequencyMode::Test}},
                             s.frequency);
  r.read_time("range_start", s.range_start);
  r.read_time("range_end", s.range_end);
  r.read_time("entry_end", s.entry_end);
  r.read_time("flatten_time", s.flatten_time);
  r.read_bool("trade_night", s.trade_night);
  r.read_double("max_range_points", s.max_range_points);
  r.read_double("daily_loss_limit_points", s.daily_loss_limit_points);
  r.read_double("profit_target_points", s.profit_target_points);
  r.read_enum<PnlScope>("pnl_scope", {{"day", PnlScope::Day}, {"cumulative", PnlScope::Cumulative}},
                        s.pnl_scope);
  r.read_enum<InitialStopMode>("initial_stop",
                               {{"range_boundary", InitialStopMode::RangeBoundary},
                                {"range_mid", InitialStopMode::RangeMid},
                                {"fixed_points", InitialStopMode::FixedPoints},
                                {"opening_price", InitialStopMode::OpeningPrice}},
                               s.initial_stop);
  r.read_double("initial_stop_points", s.initial_stop_points);
  r.read_int("max_quote_age_ms", kQuoteAgeMs, s.max_quote_age_ms);
  r.read_bool("order_per_lot", s.order_per_lot);

  if (const toml::table* t = r.table("chase")) {
    const Reader c(*t, r.field("chase"), src);
    c.check_keys({"max_retries", "max_slippage_points", "max_duration_ms"});
    c.read_int("max_retries", kChaseRetries, s.chase.max_retries);
    c.read_double("max_slippage_points", s.chase.max_slippage_points);
    c.read_int("max_duration_ms", kChaseDurationMs, s.chase.max_duration_ms);
  }

  if (const toml::node* n = r.get("rules")) {
    const auto* arr = n->as_array();
    if (arr == nullptr || !arr->is_array_of_tables()) {
      if (arr == nullptr || !arr->empty())
        r.type_error("rules", *n, "an array of [[strategy.rules]] tables");
    }
    const std::size_t given = arr->size();
    if (given < static_cast<std::size_t>(s.lots_per_group) || given > s.rules.size()) {
      const std::string lo = std::to_string(s.lots_per_group);
      range_error(src, r.field("rules"),
                  (s.lots_per_group == 3 ? lo : lo + "..3") +
                      " [[strategy.rules]] tables (at least strategy.lots_per_group = " + lo +
                      ": rule i applies to lot i of every group)",
                  std::to_string(given));
    }
    for (std::size_t i = 0; i < given; ++i) {
      const std::string name = r.field("rules") + "[" + std::to_string(i + 1) + "]";
      const toml::node& elem = (*arr)[i];
      const toml::table* t = elem.as_table();
      if (t == nullptr) {
        throw ConfigError(at(src, elem.source()) + ": " + name + " must be a table, got " +
                          describe_node(elem));
      }
      load_rule(Reader(*t, name, src), s.rules[i]);
    }
  }
}

void load_risk(const Reader& r, RiskLimits& k) {
  r.check_keys({"kill_switch", "max_position_lots", "max_order_lots", "price_band_points",
                "max_orders_per_sec", "max_daily_loss_points"});
  r.read_bool("kill_switch", k.kill_switch);
  r.read_int("max_position_lots", kLimitI32, k.max_position_lots);
  r.read_int("max_order_lots", kLimitI32, k.max_order_lots);
  r.read_double("price_band_points", k.price_band_points);
  r.read_int("max_orders_per_sec", kLimitI32, k.max_orders_per_sec);
  r.read_double("max_daily_loss_points", k.max_daily_loss_points);
}

void load_costs(const Reader& r, CostConfig& c) {
  r.check_keys({"commission_per_lot", "exchange_fee_per_lot", "tax_rate"});
  r.read_double("commission_per_lot", c.commission_per_lot);
  r.read_double("exchange_fee_per_lot", c.exchange_fee_per_lot);
  r.read_double("tax_rate", c.tax_rate);
}

void load_venue(const Reader& r, VenueConfig& v) {
  r.check_keys({"latency_ms"});
  r.read_int("latency_ms", kLatencyMs, v.latency_ms);
}

void load_persist(const Reader& r, PersistConfig& p) {
  r.check_keys({"sync", "batch_records", "map_size_mb"});
  r.read_enum<SyncPolicy>(
      "sync", {{"nosync", SyncPolicy::NoSync}, {"durable", SyncPolicy::Durable}}, p.sync);
  r.read_int("batch_records", kBatchRecords, p.batch_records);
  r.read_int("map_size_mb", kMapSizeMb, p.map_size_mb);
}

void load_tick_rule(const Reader& r, TickRuleConfig& t) {
  r.check_keys({"enabled", "spread_ticks", "size_lots", "size_from_trade"});
  r.read_bool("enabled", t.enabled);
  r.read_int("spread_ticks", kSpreadTicks, t.spread_ticks);
  r.read_int("size_lots", kSizeLots, t.size_lots);
  r.read_bool("size_from_trade", t.size_from_trade);
}

Config load_table(const toml::table& root, const std::string& name) {
  Config c = default_config();
  c.source = name;
  const std::string src = label(name);
  const Reader top(root, "", src);
  top.check_keys({"instrument", "session", "strategy", "risk", "costs", "venue", "persist", "tick_rule"});
  if (const toml::table* t = top.table("instrument"))
    load_instrument(Reader(*t, "instrument", src), src, c.instrument, c.instrument_given);
  if (const toml::table* t = top.table("session"))
    load_session(Reader(*t, "session", src), c.hours);
  if (const toml::table* t = top.table("strategy"))
    load_strategy(Reader(*t, "strategy", src), src, c.strategy);
  if (const toml::table* t = top.table("risk")) load_risk(Reader(*t, "risk", src), c.risk);
  if (const toml::table* t = top.table("costs")) load_costs(Reader(*t, "costs", src), c.costs);
  if (const toml::table* t = top.table("venue")) load_venue(Reader(*t, "venue", src), c.venue);
  if (const toml::table* t = top.table("persist"))
    load_persist(Reader(*t, "persist", src), c.persist);
  if (const toml::table* t = top.table("tick_rule"))
    load_tick_rule(Reader(*t, "tick_rule", src), c.tick_rule);
  validate(c);
  try {
    resolve(c);
  } catch (const ConfigError& e) {
    throw ConfigError(src + ": " + e.what());
  }
  return c;
}

}  // namespace

// ------------------------------------------------------------------ public API

Config load_config_text(std::string_view toml_text, const std::string& name) {
  const std::string src = label(name);
  toml::table root;
  try {
    root = toml::parse(toml_text, std::string_view(src));
  } catch (const toml::parse_error& e) {
    throw ConfigError(at(src, e.source()) + ": " + std::string(e.description()));
  }
  return load_table(root, name);
}

Config load_config(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    throw ConfigError(path + ": " +
                      (S_ISDIR(st.st_mode) ? "is a directory, not a configuration file"
                                           : "is not a regular file"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open configuration file");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw ConfigError(path + ": cannot read configuration file");
  return load_config_text(ss.str(), path);
}

void validate(const Config& c) {
  const std::string src = label(c.source);

  // [instrument]
  const Instrument& inst = c.instrument;
  if (inst.symbol.empty())
    range_error(src, "instrument.symbol", "a product code such as MTX", "\"\"");
  if (inst.tick_size.scale < 0 || inst.tick_size.scale > 9) {
    range_error(src, "instrument.tick_size", "a decimal with at most 9 fractional digits",
                fmt_decimal(inst.tick_size));
  }
  if (inst.tick_size.mantissa <= 0)
    range_error(src, "instrument.tick_size", "> 0", fmt_decimal(inst.tick_size));
  check_positive(src, "instrument.point_value", inst.point_value);
  if (inst.currency.empty())
    range_error(src, "instrument.currency", "a currency code such as TWD", "\"\"");
  if (inst.utc_offset_ns % (60 * kNsPerSec) != 0 ||
      inst.utc_offset_ns < kUtcOffsetMin.lo * 60 * kNsPerSec ||
      inst.utc_offset_ns > kUtcOffsetMin.hi * 60 * kNsPerSec) {
    range_error(
        src, "instrument.utc_offset_minutes", "whole minutes in " + range_text(kUtcOffsetMin),
        fmt_double(static_cast<double>(inst.utc_offset_ns) / static_cast<double>(60 * kNsPerSec)));
  }

  // [session]
  const SessionHours& h = c.hours;
  check_time_of_day(src, "session.day_open", h.day_open);
  check_time_of_day(src, "session.day_close", h.day_close);
  check_time_of_day(src, "session.night_open", h.night_open);
  check_time_of_day(src, "session.night_close", h.night_close);
  check_order(src, "session.day_open", h.day_open, "session.day_close", h.day_close, true);
  check_order(src, "session.day_close", h.day_close, "session.night_open", h.night_open, false);
  check_order(src, "session.night_close", h.night_close, "session.day_open", h.day_open, false);

  // [strategy]
  const StrategyConfig& s = c.strategy;
  check_int(src, "strategy.groups", s.groups, kGroups);
  check_int(src, "strategy.lots_per_group", s.lots_per_group, kLotsPerGroup);
  for (std::size_t i = 0; i < s.rules.size(); ++i) {
    const LotRule& r = s.rules[i];
    const std::string base = "strategy.rules[" + std::to_string(i + 1) + "].";
    check_positive(src, base + "trailing_activation_points", r.trailing_activation_points);
    if (!(r.trailing_pullback > 0.0 && r.trailing_pullback < 1.0)) {
      range_error(src, base + "trailing_pullback", "in (0, 1) exclusive (a fraction: 0.2 = 20%)",
                  fmt_double(r.trailing_pullback));
    }
    check_non_negative(src, base + "protective_multiplier", r.protective_multiplier);
    if (r.protective_multiplier > kMaxMultiplier) {
      range_error(src, base + "protective_multiplier", "0..100", fmt_double(r.protective_multiplier));
    }
    check_non_negative(src, base + "fixed_tp_points", r.fixed_tp_points);
  }
  check_time_of_day(src, "strategy.range_start", s.range_start);
  check_time_of_day(src, "strategy.range_end", s.range_end);
  check_time_of_day(src, "strategy.entry_end", s.entry_end);
  check_time_of_day(src, "strategy.flatten_time", s.flatten_time);
  check_order(src, "strategy.range_start", s.range_start, "strategy.range_end", s.range_end, true);
  check_order(src, "strategy.range_end", s.range_end, "strategy.entry_end", s.entry_end, false);
  check_order(src, "strategy.entry_end", s.entry_end, "strategy.flatten_time", s.flatten_time,
              false);
  check_non_negative(src, "strategy.max_range_points", s.max_range_points);
  check_non_negative(src, "strategy.daily_loss_limit_points", s.daily_loss_limit_points);
  check_non_negative(src, "strategy.profit_target_points", s.profit_target_points);
  if (s.initial_stop == InitialStopMode::FixedPoints) {
    if (!(std::isfinite(s.initial_stop_points) && s.initial_stop_points > 0.0)) {
      range_error(src, "strategy.initial_stop_points",
                  "> 0 when strategy.initial_stop = \"fixed_points\"",
                  fmt_double(s.initial_stop_points));
    }
  } else {
    check_non_negative(src, "strategy.initial_stop_points", s.initial_stop_points);
  }
  check_int(src, "strategy.max_quote_age_ms", s.max_quote_age_ms, kQuoteAgeMs);
  check_int(src, "strategy.chase.max_retries", s.chase.max_retries, kChaseRetries);
  check_non_negative(src, "strategy.chase.max_slippage_points", s.chase.max_slippage_points);
  check_int(src, "strategy.chase.max_duration_ms", s.chase.max_duration_ms, kChaseDurationMs);

  // [risk] (0 disables a limit)
  const RiskLimits& k = c.risk;
  check_int(src, "risk.max_position_lots", k.max_position_lots, kLimitI32);
  check_int(src, "risk.max_order_lots", k.max_order_lots, kLimitI32);
  check_non_negative(src, "risk.price_band_points", k.price_band_points);
  check_int(src, "risk.max_orders_per_sec", k.max_orders_per_sec, kLimitI32);
  check_non_negative(src, "risk.max_daily_loss_points", k.max_daily_loss_points);

  // [costs]
  check_non_negative(src, "costs.commission_per_lot", c.costs.commission_per_lot);
  check_non_negative(src, "costs.exchange_fee_per_lot", c.costs.exchange_fee_per_lot);
  check_non_negative(src, "costs.tax_rate", c.costs.tax_rate);
  if (c.costs.tax_rate > 0.01)
    range_error(src, "costs.tax_rate", "0..0.01 (a fraction: 0.00002 = 0.002%)", fmt_double(c.costs.tax_rate));

  // [venue], [persist], [tick_rule]
  check_int(src, "venue.latency_ms", c.venue.latency_ms, kLatencyMs);
  check_int(src, "persist.batch_records", c.persist.batch_records, kBatchRecords);
  check_int(src, "persist.map_size_mb", c.persist.map_size_mb, kMapSizeMb);
  check_int(src, "tick_rule.spread_ticks", c.tick_rule.spread_ticks, kSpreadTicks);
  check_int(src, "tick_rule.size_lots", c.tick_rule.size_lots, kSizeLots);
}

void select_instrument(Config& c, std::string_view symbol) {
  const std::string src = label(c.source);
  if (c.instrument_given) {
    if (c.instrument.symbol != symbol) {
      throw ConfigError(src + ": field 'instrument.symbol' value '" + c.instrument.symbol +
                        "' disagrees with the traded symbol '" + std::string(symbol) +
                        "' (--symbol): prices would be valued at the wrong point value");
    }
    return;
  }
  Instrument inst;
  if (!builtin_instrument(symbol, inst)) {
    throw ConfigError(src + ": no built-in instrument for the traded symbol '" + std::string(symbol) +
                      "' (built-in: MTX, TM, TX); give [instrument] symbol, tick_size, point_value, currency");
  }
  inst.utc_offset_ns = c.instrument.utc_offset_ns;
  c.instrument = inst;
  try {
    resolve(c);
  } catch (const ConfigError& e) {
    throw ConfigError(src + ": " + e.what());
  }
}

std::string describe(const Config& c) {
  const Instrument& inst = c.instrument;
  const StrategyConfig& s = c.strategy;
  const RiskLimits& k = c.risk;
  auto pts = [](double v) { return fmt_double(v) + (v == 1.0 ? " point" : " points"); };
  auto off_or_pts = [&](double v) { return v > 0.0 ? pts(v) : std::string("off"); };
  auto off_or = [](int64_t v, const std::string& unit) {
    return v > 0 ? std::to_string(v) + unit : std::string("off");
  };
  std::ostringstream o;
  o << "config      " << (c.source.empty() ? std::string("(built-in defaults)") : c.source)
    << (s.preset.empty() ? std::string() : ", preset " + s.preset) << "\n";
  o << "instrument  " << inst.symbol << ", tick " << fmt_decimal(inst.tick_size) << ", "
    << fmt_double(inst.point_value) << " " << inst.currency << " per point, exchange time "
    << fmt_offset(inst.utc_offset_ns) << "\n";
  o << "session     day " << fmt_time(c.hours.day_open) << "-" << fmt_time(c.hours.day_close)
    << ", night " << fmt_time(c.hours.night_open) << "-" << fmt_time(c.hours.night_close) << " ("
    << (s.trade_night ? "traded" : "not traded") << ")\n";
  o << "size        " << s.lots_per_group << " lot(s) per group x " << s.groups
    << " group(s) = " << s.lots_per_group * s.groups << " lot(s), direction "
    << to_string(s.direction) << ", frequency " << to_string(s.frequency) << "\n";
  o << "windows     opening range " << fmt_time(s.range_start) << "-" << fmt_time(s.range_end)
    << ", entries until " << fmt_time(s.entry_end) << ", flatten at " << fmt_time(s.flatten_time)
    << "\n";
  o << "filters     max range " << off_or_pts(s.max_range_points) << ", daily loss limit "
    << off_or_pts(s.daily_loss_limit_points) << ", profit target "
    << off_or_pts(s.profit_target_points) << " (PnL scope " << pnl_scope_name(s.pnl_scope) << ")\n";
  o << "entry       FOK " << (s.order_per_lot ? "one order per lot" : "one order for all lots")
    << ", max quote age " << s.max_quote_age_ms << " ms, initial stop "
    << to_string(s.initial_stop);
  if (s.initial_stop == InitialStopMode::FixedPoints) o << " " << pts(s.initial_stop_points);
  o << "\n";
  o << "chase       " << s.chase.max_retries << " retries, max slippage "
    << pts(s.chase.max_slippage_points) << ", max " << s.chase.max_duration_ms << " ms\n";
  const auto used = static_cast<std::size_t>(s.lots_per_group);
  for (std::size_t i = 0; i < s.rules.size() && i < used; ++i) {
    const LotRule& r = s.rules[i];
    o << "rule " << (i + 1) << "      ";
    if (r.fixed_tp_points > 0.0) {
      o << "take profit at " << pts(r.fixed_tp_points);
    } else {
      o << "trailing from " << pts(r.trailing_activation_points) << ", pullback "
        << fmt_percent(r.trailing_pullback);
    }
    if (r.protective_multiplier > 0.0)
      o << ", protective stop x" << fmt_double(r.protective_multiplier);
    o << "\n";
  }
  o << "risk        kill switch " << (k.kill_switch ? "ON" : "off") << ", max position "
    << off_or(k.max_position_lots, " lots") << ", max order " << off_or(k.max_order_lots, " lots")
    << ", price band " << off_or_pts(k.price_band_points) << ", max "
    << off_or(k.max_orders_per_sec, " orders/s") << ", max daily loss "
    << off_or_pts(k.max_daily_loss_points) << "\n";
  o << "costs       commission " << fmt_double(c.costs.commission_per_lot) << " " << inst.currency
    << ", exchange fee " << fmt_double(c.costs.exchange_fee_per_lot) << " " << inst.currency
    << " per lot per side, transaction tax " << fmt_percent(c.costs.tax_rate) << " of contract value per side\n";
  o << "venue       simulated latency " << c.venue.latency_ms << " ms\n";
  o << "persist     " << sync_name(c.persist.sync) << ", " << c.persist.batch_records
    << " records per batch, map " << c.persist.map_size_mb << " MB\n";
  o << "tick rule   ";
  if (c.tick_rule.enabled) {
    o << "on, spread " << c.tick_rule.spread_ticks << " tick(s), size "
      << (c.tick_rule.size_from_trade ? std::string("from the trade")
                                      : std::to_string(c.tick_rule.size_lots) + " lots");
  } else {
    o << "off";
  }
  o << "\n";
  return o.str();
}

}  // namespace tp
