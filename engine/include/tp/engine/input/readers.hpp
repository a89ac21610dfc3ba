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
//   binary  - the compact binary tick format `tickpipe convert` writes (a header and the
//             InputEvent records as is); MappedTicks maps it read-only and hands the
//             pipeline a span straight into the mapping (no copy, no parse).
//
// Errors: a bad line raises InputError naming file, line, field and value (the first
// bad line of the file), unless ReadOptions::skip_bad is set, in which case the line is
// counted in ReadStats and its first few errors are kept for the report. Never a crash,
// never a silently wrong price: every reader validates every price against the
// instrument (positive, on the tick grid, within the price band around the trading
// day's reference) and bounds every price, quantity and time (kMaxPriceTicks,
// kMaxQtyLots, kMinEventNs..kMaxEventNs), so that the arithmetic downstream cannot
// overflow for any accepted input (docs/FORMATS.md "Validation").
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "tp/engine/instrument.hpp"
#include "tp/engine/messages.hpp"
#include "tp/engine/types.hpp"

namespace tp {

inline constexpr int kMaxLevels = 5;

// ---------------------------------------------------------------- bounds of accepted input
//
// What every reader accepts, so that every product downstream fits int64 with room to
// spare: price x quantity <= 1e9 x 1e6 = 1e15 (the tracker's average price x 100 of an
// order: < 2^57), a price difference < 2^30, a sum of price differences over 2^32 lots
// < 2^62, and an event time plus any configured duration (at most a day) stays far from
// INT64_MAX (2262-04-11).

/// Largest price, in ticks, any reader accepts (and any synthetic book level is made
/// at). Prices are at least 1 tick: zero and negative prices are bad input.
inline constexpr int64_t kMaxPriceTicks = 1'000'000'000;
/// Largest quantity, in lots, of one print or one book level.
inline constexpr int32_t kMaxQtyLots = 1'000'000;
/// Earliest event time accepted: 1990-01-01T00:00:00Z (ns since the Unix epoch).
inline constexpr int64_t kMinEventNs = 631'152'000LL * kNsPerSec;
/// First event time no longer accepted: 2100-01-01T00:00:00Z.
inline constexpr int64_t kMaxEventNs = 4'102'444'800LL * kNsPerSec;
/// Widest synthetic spread of the tick rule (TickRuleConfig::spread_ticks is clamped).
inline constexpr int64_t kMaxSpreadTicks = 1'000'000;
/// Widest price band, in percent of the reference (ReadOptions::price_band_pct).
inline constexpr double kMaxPriceBandPct = 1000.0;

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

static_assert(alignof(InputEvent) == 8, "the binary tick format stores InputEvent as is");
static_assert(std::is_standard_layout_v<InputEvent>);

/// Recorded input as consecutive time-ordered segments (one per file of a multi-day
/// replay), each viewing memory its owner keeps alive (TickData, MappedTicks, TickSet).
using InputSegments = std::vector<std::span<const InputEvent>>;

enum class InputFormat : uint8_t { Auto = 0, Taifex = 1, Bars = 2, Jsonl = 3, Binary = 4 };
const char* to_string(InputFormat f) noexcept;
bool parse_input_format(std::string_view s, InputFormat& out) noexcept;

/// How trades-only inputs get a best bid/offer (SPEC §3.1, the tick rule): a trade
/// above the previous trade (uptick) traded at the ask, so ask = price and
/// bid = price - spread; a downtick traded at the bid (bid = price, ask = price +
/// spread); an unchanged price keeps the previous side. The first trade counts as an
/// uptick. Sizes of the synthetic levels are `size_lots`, or the print's size when
/// `size_from_trade` is set (never below 1). A synthetic level is made only at a price of
/// 1..kMaxPriceTicks ticks: a trade at 1 tick that traded at the ask gets no synthetic bid.
struct TickRuleConfig {
  bool enabled = true;          ///< false: trades-only inputs get no book (no orders can fill)
  int64_t spread_ticks = 1;     ///< synthetic spread, 1..kMaxSpreadTicks (clamped)
  int32_t size_lots = 10;       ///< synthetic depth on each side, 1..kMaxQtyLots (clamped)
  bool size_from_trade = false; ///< use the print's size instead of size_lots
};

struct ReadOptions {
  InputFormat format = InputFormat::Auto;
  std::string symbol = "MTX";       ///< product to select (TAIFEX: 商品代號; bars: prefix of 商品代碼)
  std::string contract;             ///< TAIFEX: contract month, e.g. "202108"; empty or "front" = the front month of each trading day (taifex_front_month)
  bool skip_bad = false;            ///< count and skip bad lines instead of failing
  bool sessions_day = true;         ///< keep day-session events
  bool sessions_night = true;       ///< keep night-session events (the strategy ignores them unless enabled)
  TickRuleConfig tick_rule;
  SessionHours hours;
  bool verify_checksum = true;      ///< binary: check the records' XXH64 when opening (one pass)
  /// Price band (docs/FORMATS.md "Price band"), in percent of the trading day's reference
  /// price: a price p is accepted when |p - reference| <= floor(reference x pct / 100)
  /// ticks. Default 10: TAIFEX's daily limit. 0 turns the band off (prices must still be
  /// 1..kMaxPriceTicks ticks). 0..kMaxPriceBandPct.
  double price_band_pct = 10.0;
  /// The reference price of every trading day (price units, e.g. the previous settlement
  /// price), on the tick grid. Empty: each trading day's reference is its first trade
  /// (the first of its first five trades that lies within the band around their median,
  /// so that one wild opening print cannot become the reference); a day without trades
  /// uses its first book prices the same way.
  std::optional<Decimal> reference_price;
};

/// Checks the options every reader depends on: price_band_pct finite and in
/// 0..kMaxPriceBandPct, reference_price (when set) positive, on `inst`'s tick grid and at
/// most kMaxPriceTicks ticks. Throws std::invalid_argument naming the option and value.
/// Every reader calls it first. Cold path.
void check_read_options(const ReadOptions& opt, const Instrument& inst);

/// One kept diagnostic of a skipped line.
struct InputIssue {
  std::string file;  ///< set by TickSet::total_stats (several files); "" from a reader
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
  /// The errors of the first 20 skipped lines (by line number). field, value and message
  /// are escaped for a terminal (escape_for_message).
  std::vector<InputIssue> issues;
  std::string contract;        ///< TAIFEX: contract month actually selected (several days with different front months: "202411,202412")
  /// TAIFEX: the contract each trading day of the file used, in day order.
  struct DayContract {
    TradingDay day;
    std::string contract;
  };
  std::vector<DayContract> day_contracts;
  InputFormat format = InputFormat::Auto;
};

/// `s` made safe to print: valid UTF-8 is kept as is except control characters; every
/// byte below 0x20, 0x7f, each byte of a C1 control (U+0080..U+009F) and every byte that
/// is not part of valid UTF-8 (Big5 text, a truncated sequence, an overlong form, a
/// surrogate) becomes "\xNN" (two lower-case hex digits). A NUL never cuts the text
/// short. Allocates; never throws anything but std::bad_alloc.
std::string escape_for_message(std::string_view s);

/// Error of a bad input line: what() reads "FILE:LINE: field 'F' value 'V': MESSAGE",
/// with every part escaped by escape_for_message (file(), field() and value() return the
/// raw bytes). Line 0 means the file as a whole.
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
/// line followed by (or itself) a row starting with a 6/8-digit date -> taifex; the
/// binary magic "TPTICK01" -> binary.
/// Throws InputError (field "format") if unknown or empty, std::runtime_error if the file
/// cannot be read. Cold path: reads the whole file.
InputFormat detect_format(const std::string& path);

/// Loads `path` in the given (or detected) format for `inst`. Throws InputError on the
/// first bad line unless opt.skip_bad; throws std::runtime_error if the file cannot be
/// opened or read. Cold path: allocates. A binary file is read and copied into the
/// vector (read_binary); replay maps it instead (MappedTicks).
TickData read_ticks(const std::string& path, const Instrument& inst, const ReadOptions& opt);

/// Individual readers (same contract as read_ticks; `data` is the whole file's bytes,
/// `name` the file name used in errors). A symbol (or TAIFEX contract) that does not occur
/// in the file at all is an InputError with line 0, even with skip_bad. Every reader
/// applies the bounds and the price band of docs/FORMATS.md "Validation" (before the
/// session filters) and throws std::invalid_argument for bad options
/// (check_read_options). Cold path; allocates. Reentrant: concurrent calls share no
/// state.
///
/// read_taifex_csv: selects opt.symbol and opt.contract (empty or "front": each trading
/// day's front month by TAIFEX's roll rule, taifex_front_month; reported in
/// ReadStats::contract and day_contracts), sorts the rows by
/// second (stable: file order within a second) and spreads the n trades of one second
/// evenly across it: the i-th (0-based, file order) gets ts = second + i * 1e9 / n ns.
/// Every event is a trade (kInTrade, kInAuction for '*'), last_qty = volume(B+S) / 2;
/// day/session by trading_day_of/session_of; then the tick rule.
/// read_capital_bars: each bar closing at local minute M (a whole minute) becomes four
/// trades at M - 60 s + 0/15/30/45 s, O->L->H->C when close >= open, else O->H->L->C,
/// each of volume / 4 lots (at least 1; 1 when the volume is empty); bars must be in
/// increasing time (docs/FORMATS.md "Time order": of bars out of order, the fewest are
/// dropped); then the tick rule.
/// read_jsonl: the normalized schema of docs/FORMATS.md; prices converted exactly from
/// their decimal text; every key at most once per record; `day`, when given, must be the
/// trading day of ts_ns; ts_ns non-decreasing through the file (of lines out of order,
/// the fewest are dropped: one wild time stamp is the bad line, not the lines after it);
/// the tick rule only when the selection holds no quote/tick record.
TickData read_taifex_csv(const std::string& name, std::string_view data, const Instrument& inst,
                         const ReadOptions& opt);
TickData read_capital_bars(const std::string& name, std::string_view data, const Instrument& inst,
                           const ReadOptions& opt);
TickData read_jsonl(const std::string& name, std::string_view data, const Instrument& inst,
                    const ReadOptions& opt);

/// Applies the tick rule in place to events that carry a trade but no quote (one bid and
/// one ask level, flags kInQuote | kInSynthetic; see TickRuleConfig). Events must be in
/// time order with prices of 1..kMaxPriceTicks ticks (as every reader returns them). A
/// side whose price would fall outside 1..kMaxPriceTicks gets no level. Events with a
/// book are left alone but their trades still set the previous price. Does nothing when
/// !cfg.enabled. Never allocates.
void apply_tick_rule(std::vector<InputEvent>& events, const TickRuleConfig& cfg);

/// Writes events as normalized JSON lines (docs/FORMATS.md) to `path`, symbol =
/// inst.symbol, prices as exact decimal strings. Synthetic book levels (kInSynthetic) are
/// not written (such events become plain trades; the reader's tick rule derives them
/// again), so write -> read_jsonl with the same options reproduces the events.
/// Throws std::runtime_error on I/O failure.
void write_jsonl(const std::string& path, std::span<const InputEvent> events, const Instrument& inst);

// ---------------------------------------------------------------- binary tick format
//
// docs/FORMATS.md "binary": a 256-byte header, then record_count InputEvent records of
// 160 bytes each, as the engine holds them in memory (native little-endian x86-64; the
// layout is static_asserted above). A binary file is a cache derived from a source
// recording by `tickpipe convert`: it holds one instrument and contract, its events are
// already selected, time-ordered, and carry the tick rule's synthetic book.

inline constexpr char kBinaryMagic[8] = {'T', 'P', 'T', 'I', 'C', 'K', '0', '1'};
/// Format version this build reads and writes. Readers accept exactly this version.
inline constexpr uint32_t kBinaryVersion = 1;
inline constexpr uint32_t kBinaryHeaderBytes = 256;

/// Bits of BinaryHeader::flags.
enum BinaryFlag : uint32_t {
  kBinRealBook = 1u << 0,   ///< some record carries a recorded book (kInQuote, not synthetic)
  kBinSynthetic = 1u << 1,  ///< some record carries a synthetic book (kInSynthetic)
};

/// The header of a binary tick file, byte for byte (little-endian). Strings are
/// NUL-padded. Every reserved byte is zero.
struct BinaryHeader {
  char magic[8];                  ///< kBinaryMagic
  uint32_t version;               ///< kBinaryVersion
  uint32_t header_bytes;          ///< kBinaryHeaderBytes (records start here)
  uint32_t record_bytes;          ///< sizeof(InputEvent)
  uint32_t flags;                 ///< BinaryFlag bits
  uint64_t record_count;          ///< records that follow the header
  uint64_t records_xxh64;         ///< XXH64 (seed 0) of the record bytes
  int64_t first_ts_ns;            ///< ts of the first record (0 when empty)
  int64_t last_ts_ns;             ///< ts of the last record (0 when empty)
  int64_t tick_mantissa;          ///< the instrument's tick size: mantissa x 10^-tick_scale
  int32_t tick_scale;
  uint8_t source_format;          ///< InputFormat the events were read from
  uint8_t reserved0[3];
  int64_t utc_offset_ns;          ///< instrument's UTC offset used for day/session
  int32_t day_open_sec, day_close_sec, night_open_sec, night_close_sec;  ///< SessionHours used (s of day)
  int64_t tick_rule_spread_ticks; ///< TickRuleConfig the synthetic book was made with
  int32_t tick_rule_size_lots;
  uint8_t tick_rule_enabled;
  uint8_t tick_rule_size_from_trade;
  uint8_t reserved1[2];
  char symbol[16];                ///< product, e.g. "MTX"
  char contract[32];              ///< contract, e.g. "202108" ("" when the source has none)
  uint64_t header_xxh64;          ///< XXH64 (seed 0) of these 256 bytes with this field 0
  uint8_t reserved2[88];
};
static_assert(sizeof(BinaryHeader) == kBinaryHeaderBytes);
static_assert(std::is_trivially_copyable_v<BinaryHeader> && std::is_standard_layout_v<BinaryHeader>);
static_assert(kBinaryHeaderBytes % alignof(InputEvent) == 0, "records stay aligned in the mapping");
static_assert(std::endian::native == std::endian::little, "the binary tick format is little-endian");

/// XXH64 of `len` bytes (the xxHash 64-bit algorithm, written out in input_binary.cpp).
/// Never allocates; about 8 bytes per cycle.
uint64_t xxh64(const void* data, std::size_t len, uint64_t seed = 0) noexcept;
/// header_xxh64 for `h` (computed with that field taken as 0).
uint64_t binary_header_checksum(const BinaryHeader& h) noexcept;

/// True when the file starts with kBinaryMagic. Never throws: false when it cannot be
/// read (read_ticks / MappedTicks then report why).
bool is_binary_tick_file(const std::string& path) noexcept;

/// Writes `events` (time-ordered) as a binary tick file. `contract` is recorded for
/// the report and checked against ReadOptions::contract on open; `read_with` are the
/// options the events were read with: its tick_rule, hours and format go into the header
/// so that a reader can tell whether the stored day, session and synthetic book match
/// its own configuration. Padding bytes are written as zeros. Writes `path`.tmp and
/// renames it over `path`, so a failed write never leaves a partial file behind.
/// Throws std::invalid_argument (events out of time order, symbol longer than 15 or
/// contract longer than 31 bytes), std::runtime_error on I/O failure. Cold path.
void write_binary(const std::string& path, std::span<const InputEvent> events, const Instrument& inst,
                  std::string_view contract, const ReadOptions& read_with = {});

/// A binary tick file mapped read-only (RAII: munmap in the destructor), validated on
/// open. events() points straight into the mapping (zero_copy()) unless the options
/// ask for something the file does not hold as is: a session filter that drops events,
/// or, for a trades-only file, a tick rule other than the one it was converted with.
/// Then the selected events are copied and the tick rule re-applied (the mapping is
/// released), which gives exactly what reading the source recording would.
///
/// Validation (every failure is an InputError naming the file; binary files are
/// accepted or rejected whole, skip_bad does not apply; docs/FORMATS.md "binary"):
///   header: magic, version, header_bytes, record_bytes == sizeof(InputEvent), the
///   header checksum, file size == header_bytes + record_count * record_bytes;
///   instrument: tick size == inst.tick_size ("tick_size"), utc offset and session
///   hours == the file's ("utc_offset_ns", "hours": re-convert), ReadOptions::symbol
///   and ::contract (when set) == the file's;
///   records (line = record index + 1): XXH64 of the records when opt.verify_checksum
///   ("checksum", line 0), ts non-decreasing ("ts_ns"), at most 5 levels per side
///   ("bid_levels"/"ask_levels"), a known session and known flag bits, and the bounds of
///   docs/FORMATS.md "Validation": ts in range, trade price and size ("last",
///   "last_qty"), level prices and sizes, ordered and uncrossed books ("bid_px", ...),
///   day and session equal to those of ts ("day", "session"), and the price band of
///   `opt` over trades and recorded levels.
/// Throws std::runtime_error when the file cannot be opened, stat'ed or mapped.
/// Not thread-safe to construct; events() may be read from any thread afterwards.
class MappedTicks {
 public:
  /// Maps and validates `path`. `populate`: MAP_POPULATE (fault the whole file in now,
  /// so the pipeline never takes a page fault). Cold path: one pass over the records
  /// (two with the checksum).
  MappedTicks(const std::string& path, const Instrument& inst, const ReadOptions& opt, bool populate = true);
  ~MappedTicks();
  MappedTicks(MappedTicks&& o) noexcept;
  MappedTicks& operator=(MappedTicks&& o) noexcept;
  MappedTicks(const MappedTicks&) = delete;
  MappedTicks& operator=(const MappedTicks&) = delete;

  /// The events, time-ordered. Valid while this object lives (and is not moved from).
  [[nodiscard]] std::span<const InputEvent> events() const noexcept { return events_; }
  /// lines = records in the file, events, filtered (session filters), contract, format.
  [[nodiscard]] const ReadStats& stats() const noexcept { return stats_; }
  [[nodiscard]] const BinaryHeader& header() const noexcept { return header_; }
  /// True when events() points into the mapping (no copy was needed).
  [[nodiscard]] bool zero_copy() const noexcept { return map_ != nullptr; }
  /// Bytes mapped (0 once released for a copy).
  [[nodiscard]] std::size_t mapped_bytes() const noexcept { return map_bytes_; }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

 private:
  void release() noexcept;

  std::string path_;
  void* map_ = nullptr;
  std::size_t map_bytes_ = 0;
  BinaryHeader header_{};
  ReadStats stats_;
  std::vector<InputEvent> copy_;
  std::span<const InputEvent> events_;
};

/// Validates the binary tick file held in `data` (the whole file) exactly as MappedTicks
/// does and returns a copy of its events (same contract as the other readers; `data`
/// needs no particular alignment). Used by read_ticks (convert back to JSON lines, tests).
TickData read_binary(const std::string& name, std::string_view data, const Instrument& inst,
                     const ReadOptions& opt);

}  // namespace tp
