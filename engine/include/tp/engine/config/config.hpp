// Engine configuration: the strategy of SPEC §4, the pre-trade risk limits of SPEC §6,
// the simulated venue and persistence. Loaded from a TOML file (config/*.toml) by
// load_config(); every field has the SPEC's default so an empty file is valid.
//
// Units: prices and distances in the config are in price units ("points", decimal);
// they are converted to ticks by resolve() with the instrument's tick size. Times of
// day are "HH:MM[:SS]" local exchange time; durations are *_ms.
//
// Errors: load_config/validate throw ConfigError whose message names the file, the
// field (e.g. "strategy.groups") and the allowed range ("must be 1..5, got 7").
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

#include "tp/engine/input/readers.hpp"
#include "tp/engine/instrument.hpp"
#include "tp/engine/types.hpp"
#include "tp/engine/venue/fill_model.hpp"

namespace tp {

enum class DirectionMode : uint8_t { Both = 0, LongOnly = 1, ShortOnly = 2 };
/// SPEC §4 / seed 000: once per day (default), repeatable, or test (ignores the
/// frequency and the day's loss/profit filters).
enum class FrequencyMode : uint8_t { OncePerDay = 0, Repeatable = 1, Test = 2 };
/// Initial stop of a lot (SPEC §4).
enum class InitialStopMode : uint8_t { RangeBoundary = 0, RangeMid = 1, FixedPoints = 2, OpeningPrice = 3 };
/// Scope of the loss/profit filter: the trading day's PnL or the run's cumulative PnL.
enum class PnlScope : uint8_t { Day = 0, Cumulative = 1 };

const char* to_string(DirectionMode m) noexcept;
const char* to_string(FrequencyMode m) noexcept;
const char* to_string(InitialStopMode m) noexcept;

// Every value below gets its default, range, unit and doc from the field table
// (config_fields(), engine/src/config/fields.cpp) through default_config(); the member
// initializers only zero the fields. Build a Config with default_config(), never `Config{}`.

/// Exit rule of one lot position (SPEC §4 "Lot rules").
struct LotRule {
  double trailing_activation_points{};  ///< trailing starts once peak >= entry + this
  double trailing_pullback{};           ///< stop = peak - (peak - entry) * pullback, in (0,1)
  double protective_multiplier{};        ///< > 0: protective stop = entry -/+ P * m (0 = none)
  double fixed_tp_points{};              ///< > 0: take profit at entry +/- this instead of trailing
  // resolved by resolve():
  Ticks activation_ticks;
  Ticks fixed_tp_ticks;
  int64_t pullback_ppm{};                  ///< pullback in parts per million (integer math)
  int64_t multiplier_ppm{};                ///< protective multiplier in parts per million
};

struct ChaseConfig {
  int max_retries{};              ///< SPEC §4: give up after this many retries
  double max_slippage_points{}; ///< give up when the chase price is more than this from the first price
  int64_t max_duration_ms{}; ///< give up this long after the first send
  /// After the venue rejected an exit order (halted, closed, ...), the exit's next order
  /// waits this long in event time; 0: the next market event. The exit stands either way (SPEC §4); this keeps a halted venue from getting
  /// an order on every quote.
  int64_t reject_retry_ms{};
  Ticks max_slippage_ticks;         ///< resolved
};

struct StrategyConfig {
  std::string preset;                    ///< "", conservative, balanced, standard, aggressive, test
  int groups{};                        ///< groups per entry
  int lots_per_group{};                ///< lots per group
  DirectionMode direction = DirectionMode::Both;
  FrequencyMode frequency = FrequencyMode::OncePerDay;
  int32_t range_start_sec{};   ///< opening range window start (inclusive)
  int32_t range_end_sec{};     ///< opening range window end (exclusive)
  int32_t entry_end_sec{};              ///< no new entries at or after this time
  int32_t flatten_time_sec{}; ///< flatten everything open at this time
  bool trade_night{};                   ///< night session off by default (SPEC §4)
  double max_range_points{};              ///< > 0: skip the day if range is wider
  double daily_loss_limit_points{};       ///< > 0: no new entry once PnL <= -this
  double profit_target_points{};          ///< > 0: no new entry once PnL >= this
  PnlScope pnl_scope = PnlScope::Day;
  InitialStopMode initial_stop = InitialStopMode::RangeBoundary;
  double initial_stop_points{};           ///< FixedPoints: distance from entry
  int64_t max_quote_age_ms{};          ///< never send on a quote older than this
  bool order_per_lot{};                  ///< one FOK order per lot (default) or one for all
  std::array<LotRule, 3> rules{};             ///< rule 1..3 (live config defaults, SPEC §4)
  ChaseConfig chase;
  // resolved by resolve():
  Ticks max_range_ticks;
  Ticks daily_loss_limit_ticks;
  Ticks profit_target_ticks;
  Ticks initial_stop_ticks;
};

/// Pre-trade checks of the risk stage (SPEC §6). 0 disables a limit.
struct RiskLimits {
  bool kill_switch{};           ///< refuse every opening order
  int max_position_lots{};         ///< |net position + working opening orders| cap
  int max_order_lots{};            ///< per-order size cap
  double price_band_points{};   ///< limit must be within this of the last trade
  int max_orders_per_sec{};        ///< order-rate throttle (event time, rolling 1 s)
  double max_daily_loss_points{}; ///< refuse opening orders once the day's PnL <= -this
  Ticks price_band_ticks;             ///< resolved
  Ticks max_daily_loss_ticks;         ///< resolved
};

/// The simulated venue of replay (SPEC §3.1: event time, file time + order latency) and
/// its fill model (SimVenue, docs/DESIGN.md "Fill models"). `tickpipe venue` matches with
/// the book model only and refuses another.
struct VenueConfig {
  int64_t latency_ms{};      ///< order latency in event time (order -> venue), also acks
  FillModel fill_model = FillModel::Book;  ///< book (default), trade_through, slippage
  int32_t slippage_ticks{};  ///< ticks the book is moved against every order; fill_model slippage only
  int64_t latency_ns() const { return latency_ms * kNsPerMs; }
  FillModelConfig fill() const { return FillModelConfig{fill_model, slippage_ticks}; }
};

/// Trading costs per side and lot (SPEC §4 "PnL and slippage"), in the instrument's
/// currency; the report shows gross PnL (fills only) and net PnL (after these).
struct CostConfig {
  double commission_per_lot{};    ///< broker commission per lot per side (your broker's rate)
  double exchange_fee_per_lot{};  ///< exchange and clearing fee per lot per side
  double tax_rate{};          ///< futures transaction tax, fraction of contract value
                                      ///< per side (TAIFEX index futures: 0.002%), 0..0.01
};

enum class SyncPolicy : uint8_t { NoSync = 0, Durable = 1 };

struct PersistConfig {
  SyncPolicy sync = SyncPolicy::NoSync;  ///< replay default: no fsync per batch
  int batch_records{};               ///< records per LMDB write transaction
  int64_t map_size_mb{};            ///< LMDB map size
};

struct Config {
  Instrument instrument;
  StrategyConfig strategy;
  RiskLimits risk;
  CostConfig costs;
  VenueConfig venue;
  PersistConfig persist;
  TickRuleConfig tick_rule;
  SessionHours hours;
  std::string source;  ///< file the config came from ("" = defaults)
  bool instrument_given = false;  ///< the file set [instrument] symbol (else it follows the traded symbol)
};

/// A bad configuration. what() is the message with non-printable and non-UTF-8 bytes
/// escaped (escape_for_message), so values echoed from the file print safely.
// ------------------------------------------------------------------ the field table

/// How a field is written in the TOML file.
enum class ConfigFieldKind : uint8_t {
  Int,      ///< integer in [lo, hi]
  Number,   ///< number (an integer is accepted) in [lo, hi], each end open or closed
  Bool,
  Time,     ///< time of day "HH:MM[:SS]" or a TOML local time; stored as seconds of day
  Enum,     ///< one of `choices` (case-insensitive), stored as the enum's uint8_t value
  String,
  Decimal,  ///< decimal string ("0.05"), stored exactly (instrument.tick_size)
  Table,    ///< a sub-table or array of tables (strategy.chase, strategy.rules)
};

/// Where a field lives in a Config (one pointer type per stored type).
using ConfigFieldRef = std::variant<int32_t*, int64_t*, double*, bool*, uint8_t*, std::string*, Decimal*>;

/// One configuration field, described once (config_fields()): its key, type, unit,
/// range, default and doc drive the loader, validate(), describe(), default_config()
/// and the test that config/default.toml lists every field with its default.
struct ConfigField {
  std::string_view section;   ///< "strategy.chase"; "strategy.rules" = each [[strategy.rules]] table
  std::string_view name;      ///< key inside the section
  ConfigFieldKind kind;
  std::string_view unit;      ///< "points", "ms", "lots", "fraction" (shown as a percentage), ...
  double lo, hi;              ///< Int / Number / Time range
  bool lo_open, hi_open;      ///< Number: an open end excludes the bound itself
  double def[3];              ///< Int / Number / Bool / Time default (strategy.rules: per rule)
  std::string_view def_text;  ///< String / Enum / Decimal default
  std::string_view choices;   ///< Enum: the names, '|'-separated, in the enum's value order
  std::string_view doc;       ///< one line, for describe() and config/default.toml
  bool custom;                ///< read by dedicated code (symbol, preset, sub-tables)
  ConfigFieldRef (*ref)(Config& c, std::size_t rule);  ///< nullptr for custom fields
  int64_t scale = 1;          ///< stored = file value x scale (instrument.utc_offset_minutes -> ns)

  /// "strategy.groups", "strategy.rules[2].trailing_pullback" (rule 0-based).
  [[nodiscard]] std::string key(std::size_t rule = 0) const;
  [[nodiscard]] bool per_rule() const noexcept { return section == "strategy.rules"; }
};

/// Every field, in the order of config/default.toml. Any thread; never allocates.
std::span<const ConfigField> config_fields() noexcept;

class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(const std::string& message) : std::runtime_error(escape_for_message(message)) {}
};

/// Returns the defaults (SPEC §4 live config: 1 group x 3 lots; rules 15/10%,
/// 40/10%/x2.0, 41/20%/x2.0; MTX instrument).
Config default_config();

/// Applies a preset (lots_per_group x groups): conservative 1x2, balanced 2x2,
/// standard 3x1, aggressive 3x3, test 1x1. Throws ConfigError for an unknown name.
void apply_preset(StrategyConfig& s, std::string_view preset);

/// Longest duration any *_ms field accepts (one day): ms x kNsPerMs and an event time
/// plus it always fit int64.
inline constexpr int64_t kMaxDurationMs = 86'400'000;

/// Loads a TOML file on top of default_config() (a [strategy] preset is applied first,
/// explicit groups/lots_per_group override it), then validate()s and resolve()s.
/// Throws ConfigError when `path` cannot be opened or read or is not a regular file (a
/// directory is an error, never "no settings").
Config load_config(const std::string& path);
/// Same, from TOML text (tests). `name` is used in error messages.
Config load_config_text(std::string_view toml, const std::string& name);

/// One field written over a configuration (a sweep's parameter): `key` as
/// ConfigField::key names it ("strategy.entry_end", "strategy.rules[2].trailing_pullback",
/// rules 1-based), `value` a TOML value ("15", "0.2", "\"13:00\"", "true", "\"range_mid\"").
struct ConfigOverride {
  std::string key;
  std::string value;
};

/// Loads TOML text (`toml`, "" = defaults) with `overrides` written into it first, in
/// order, as if the text said them (a [[strategy.rules]] table is added when the key
/// names a rule the text lacks; an added table keeps that rule's defaults). Then the
/// same checks and errors as load_config_text, with `name` as the source. Throws
/// ConfigError for a key that is not a field (naming it) or a value that is not TOML.
/// Cold path; allocates.
Config load_config_text_with(std::string_view toml, std::span<const ConfigOverride> overrides,
                             const std::string& name);
/// The TOML text load_config_text_with reads (the overrides written into `toml`), after
/// the same checks: a file that `replay --config` loads as that configuration. Throws
/// as load_config_text_with. Cold path.
std::string config_text_with(std::string_view toml, std::span<const ConfigOverride> overrides,
                             const std::string& name);
/// True when `key` names a field a ConfigOverride may set (not a table, not custom,
/// except strategy.preset); `kind` gets its kind. Any thread.
bool config_override_key(std::string_view key, ConfigFieldKind* kind = nullptr);

/// Checks every field against its allowed range; throws ConfigError naming the first
/// bad field, its value and the allowed range.
void validate(const Config& c);
/// Converts point-valued fields to ticks with the instrument's tick size. Throws
/// ConfigError when a distance is not a whole number of ticks.
void resolve(Config& c);

/// The instrument follows the traded symbol (SPEC §4 "PnL and slippage": MTX 50, TX 200,
/// TM 10 TWD per point). A config without [instrument] takes the built-in instrument of
/// `symbol` (keeping its utc offset) and is resolved again; a config whose
/// [instrument].symbol differs from `symbol` is a ConfigError, never a silent relabelling;
/// so is a symbol with no built-in instrument and none in the config.
/// Cold path (allocates); throws ConfigError naming the file, the field and both symbols.
void select_instrument(Config& c, std::string_view symbol);

/// Human-readable dump of the effective configuration (for reports).
std::string describe(const Config& c);

}  // namespace tp
