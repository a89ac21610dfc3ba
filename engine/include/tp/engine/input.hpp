// Recorded market data as the feed replays it, and the readers that load it.
//
// Readers are cold path: they load a whole file into memory (TAIFEX files must be
// re-ordered by time anyway), validate every line, and hand the feed a time-ordered
// array of InputEvent. The feed then replays that array without allocating.
//
// Formats (auto-detected by detect_format, or forced with --format):
//   taifex  - TAIFEX daily time & sales CSV, plain or zipped (Big5 header, CRLF).
//   bars    - Capital (群益) 1-minute bar CSV; each bar becomes four trade ticks.
//   jsonl   - the normalized JSON-lines tick format (docs/FORMATS.md), via simdjson.
//
// Errors: a bad line raises InputError naming file, line, field and value, unless
// ReadOptions::skip_bad is set, in which case the line is counted in ReadStats and
// its first few errors are kept for the report. Never a crash, never a silently wrong
// price (a price off the tick grid is an error).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tp/engine/instrument.hpp"
#include "tp/engine/messages.hpp"
#include "tp/engine/types.hpp"

namespace tp {

inline constexpr int kMaxLevels = 5;

/// Bits of InputEvent::flags.
enum InputFlag : uint8_t {
  kInTrade = 1u << 0,      ///< carries a trade print (last / last_qty)
  kInQuote = 1u << 1,      ///< carries book levels (bid/ask arrays)
  kInAuction = 1u << 2,    ///< auction print
  kInSynthetic = 1u << 3,  ///< book levels synthesized by the tick rule
};

/// One market-data event of a recorded file, in event time. 160 bytes.
struct InputEvent {
  TimeNs ts;                 ///< event time (UTC ns)
  TradingDay day;            ///< trading day it belongs to (night rows: next day)
  uint32_t line = 0;         ///< 1-based source line (diagnostics)
  uint8_t flags = 0;         ///< InputFlag bits
  uint8_t bid_levels = 0;    ///< valid entries in bid_px/bid_qty (best first)
  uint8_t ask_levels = 0;    ///< valid entries in ask_px/ask_qty (best first)
  Session session = Session::Closed;
  Price last;                ///< trade price (kInTrade)
  Qty last_qty;              ///< trade size, lots (kInTrade)
  Price bid_px[kMaxLevels];
  Price ask_px[kMaxLevels];
  Qty bid_qty[kMaxLevels];
  Qty ask_qty[kMaxLevels];
};
static_assert(std::is_trivially_copyable_v<InputEvent>);
static_assert(sizeof(InputEvent) == 160, "the binary tick format stores InputEvent as is");

enum class InputFormat : uint8_t { Auto = 0, Taifex = 1, Bars = 2, Jsonl = 3 };
const char* to_string(InputFormat f) noexcept;
bool parse_input_format(std::string_view s, InputFormat& out) noexcept;

/// How trades-only inputs get a best bid/offer (SPEC §3.1, the tick rule): a trade
/// above the previous trade (uptick) traded at the ask, so ask = price and
/// bid = price - spread; a downtick traded at the bid (bid = price, ask = price +
/// spread); an unchanged price keeps the previous side. The first trade counts as an
/// uptick. Sizes of the synthetic levels are `size_lots`, or the print's size when
/// `size_from_trade` is set (never below 1).
struct TickRuleConfig {
  bool enabled = true;          ///< false: trades-only inputs get no book (no orders can fill)
  int64_t spread_ticks = 1;     ///< synthetic spread, >= 1
  int32_t size_lots = 10;       ///< synthetic depth on each side
  bool size_from_trade = false; ///< use the print's size instead of size_lots
};

struct ReadOptions {
  InputFormat format = InputFormat::Auto;
  std::string symbol = "MTX";       ///< product to select (TAIFEX: 商品代號; bars: prefix of 商品代碼)
  std::string contract;             ///< TAIFEX: contract month, e.g. "202108"; empty = front month
  bool skip_bad = false;            ///< count and skip bad lines instead of failing
  bool sessions_day = true;         ///< keep day-session events
  bool sessions_night = true;       ///< keep night-session events (the strategy ignores them unless enabled)
  TickRuleConfig tick_rule;
  SessionHours hours;
};

/// One kept diagnostic of a skipped line.
struct InputIssue {
  uint32_t line = 0;
  std::string field;
  std::string value;
  std::string message;
};

struct ReadStats {
  uint64_t lines = 0;          ///< data lines read (header excluded)
  uint64_t events = 0;         ///< events produced
  uint64_t skipped = 0;        ///< bad lines skipped (skip_bad)
  uint64_t filtered = 0;       ///< good lines of other products/contracts/sessions
  std::vector<InputIssue> issues;  ///< the first 20 skipped lines' errors
  std::string contract;        ///< TAIFEX: contract month actually selected
  InputFormat format = InputFormat::Auto;
};

/// Error of a bad input line: what() reads "FILE:LINE: field 'F' value 'V': MESSAGE".
class InputError : public std::runtime_error {
 public:
  InputError(std::string file, uint32_t line, std::string field, std::string value, std::string message);
  const std::string& file() const noexcept { return file_; }
  uint32_t line() const noexcept { return line_; }
  const std::string& field() const noexcept { return field_; }
  const std::string& value() const noexcept { return value_; }

 private:
  std::string file_;
  uint32_t line_;
  std::string field_;
  std::string value_;
};

/// A loaded, time-ordered recording.
struct TickData {
  std::vector<InputEvent> events;  ///< sorted by ts (stable: file order within equal ts)
  ReadStats stats;
  std::string source;              ///< file path
};

/// Guesses the format from the file's first bytes (docs/FORMATS.md "Detection"): a zip
/// archive is opened in memory and its first data entry is examined; a BOM (optional) and
/// a '商品代碼' header -> bars; first non-blank character '{' -> jsonl; a 9-column first
/// line followed by (or itself) a row starting with a 6/8-digit date -> taifex.
/// Throws InputError (field "format") if unknown or empty, std::runtime_error if the file
/// cannot be read. Cold path: reads the whole file.
InputFormat detect_format(const std::string& path);

/// Loads `path` in the given (or detected) format for `inst`. Throws InputError on the
/// first bad line unless opt.skip_bad; throws std::runtime_error if the file cannot be
/// opened or read. Cold path: allocates.
TickData read_ticks(const std::string& path, const Instrument& inst, const ReadOptions& opt);

/// Individual readers (same contract as read_ticks; `data` is the whole file's bytes,
/// `name` the file name used in errors). A symbol (or TAIFEX contract) that does not occur
/// in the file at all is an InputError with line 0, even with skip_bad.
///
/// read_taifex_csv: selects opt.symbol and opt.contract (empty: the front month, the
/// earliest plain YYYYMM contract; reported in ReadStats::contract), sorts the rows by
/// second (stable: file order within a second) and spreads the n trades of one second
/// evenly across it: the i-th (0-based, file order) gets ts = second + i * 1e9 / n ns.
/// Every event is a trade (kInTrade, kInAuction for '*'), last_qty = volume(B+S) / 2;
/// day/session by trading_day_of/session_of; then the tick rule.
/// read_capital_bars: each bar closing at local minute M becomes four trades at
/// M - 60 s + 0/15/30/45 s, O->L->H->C when close >= open, else O->H->L->C, each of
/// volume / 4 lots (at least 1; 1 when the volume is empty); then the tick rule.
/// read_jsonl: the normalized schema of docs/FORMATS.md; prices converted exactly from
/// their decimal text; ts_ns must not decrease; the tick rule only when the selection
/// holds no quote/tick record.
TickData read_taifex_csv(const std::string& name, std::string_view data, const Instrument& inst,
                         const ReadOptions& opt);
TickData read_capital_bars(const std::string& name, std::string_view data, const Instrument& inst,
                           const ReadOptions& opt);
TickData read_jsonl(const std::string& name, std::string_view data, const Instrument& inst,
                    const ReadOptions& opt);

/// Applies the tick rule in place to events that carry a trade but no quote (one bid and
/// one ask level, flags kInQuote | kInSynthetic; see TickRuleConfig). Events must be in
/// time order. Events with a book are left alone but their trades still set the previous
/// price. Does nothing when !cfg.enabled. Never allocates.
void apply_tick_rule(std::vector<InputEvent>& events, const TickRuleConfig& cfg);

/// Writes events as normalized JSON lines (docs/FORMATS.md) to `path`, symbol =
/// inst.symbol, prices as exact decimal strings. Synthetic book levels (kInSynthetic) are
/// not written (such events become plain trades; the reader's tick rule derives them
/// again), so write -> read_jsonl with the same options reproduces the events.
/// Throws std::runtime_error on I/O failure.
void write_jsonl(const std::string& path, const std::vector<InputEvent>& events, const Instrument& inst);

}  // namespace tp
