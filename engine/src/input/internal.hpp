// Internals shared by the input readers (input_common.cpp, input_taifex.cpp,
// input_bars.cpp, input_jsonl.cpp). Not installed, not part of the public API.
//
// Everything here is cold path but written for the 22 MB TAIFEX file: string_views over
// the in-memory buffer, no per-line allocation, hand-rolled integer parsing.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tp/engine/input/readers.hpp"

namespace tp::detail {

/// How many skipped lines' errors ReadStats::issues keeps.
inline constexpr std::size_t kMaxIssues = 20;
/// Longest value quoted in an error (longer values are cut and end in "...").
inline constexpr std::size_t kMaxValueChars = 80;

/// `v` cut to kMaxValueChars (for error messages). Allocates.
std::string clip_value(std::string_view v);

/// Collects the bad lines of one read. A reader validates in more than one pass (syntax
/// per line, then time order and the price band over the whole selection), so errors
/// arrive out of line order; BadLines puts them back in order:
///   skip_bad: each reported line is counted in ReadStats::skipped and the errors of the
///     kMaxIssues smallest line numbers are kept in ReadStats::issues, sorted by line;
///   otherwise: the error of the smallest line number is kept and throw_first() throws
///     it as InputError, so the error always names the file's first bad line.
/// A reader reports each bad line once, drops it, and calls throw_first() before any
/// error about the file as a whole and before it returns. Not thread-safe (one per read).
class BadLines {
 public:
  BadLines(const std::string& file, bool skip_bad, ReadStats& stats) noexcept
      : file_(file), skip_bad_(skip_bad), stats_(stats) {}
  /// Records the bad line (the caller then drops it). Never throws (but bad_alloc).
  void report(uint32_t line, std::string_view field, std::string_view value,
              std::string_view message);
  /// Without skip_bad: throws the InputError of the first bad line reported so far, if
  /// any. With skip_bad: does nothing.
  void throw_first() const;
  /// True once a line was reported (either mode).
  [[nodiscard]] bool any() const noexcept { return any_; }
  const std::string& file() const noexcept { return file_; }

 private:
  const std::string& file_;
  bool skip_bad_;
  bool any_ = false;
  ReadStats& stats_;
  InputIssue first_;  ///< !skip_bad: the error of the smallest line so far (raw bytes)
};

/// Which of the time stamps `ts` (in file order) to keep so that the kept ones are in
/// time order (non-decreasing; strictly increasing when `strict`), dropping as few as
/// possible: the longest ordered subsequence. Among equally long choices the earlier
/// lines are kept, so of two lines out of order the later one (the one that steps
/// backwards) is dropped; one wild future time stamp is dropped alone because keeping
/// it would drop every line after it (docs/FORMATS.md "Time order"). O(n log n) time,
/// O(n) memory. Returns one flag per element (true = keep).
std::vector<bool> keep_in_time_order(const std::vector<int64_t>& ts, bool strict);

/// The error message for a dropped element `i` of keep_in_time_order: names the kept
/// neighbour it disagrees with, as "line N has " + describe(neighbour index) (`lines`
/// holds the source line of each element).
std::string time_order_message(const std::vector<int64_t>& ts, const std::vector<uint32_t>& lines,
                               const std::vector<bool>& keep, std::size_t i, bool strict,
                               const std::function<std::string(std::size_t)>& describe);

/// Why a price (already converted to ticks) is not acceptable regardless of the band:
/// nullptr when 1 <= ticks <= kMaxPriceTicks, else the message.
inline const char* price_bound_error(Price p) noexcept {
  if (p.ticks <= 0) return "price must be positive";
  if (p.ticks > kMaxPriceTicks) return "price out of range (at most 1000000000 ticks)";
  return nullptr;
}

/// Converts a parsed decimal price of the selected instrument: on the tick grid, 1 to
/// kMaxPriceTicks ticks. Returns "" and sets `out`, or the message of the error.
/// Allocates only for a message.
std::string check_price(const Instrument& inst, const Decimal& d, Price& out);

/// True when `t` lies in kMinEventNs..kMaxEventNs (exclusive).
inline bool event_time_ok(int64_t t) noexcept { return t >= kMinEventNs && t < kMaxEventNs; }
/// "event time out of range (1990-01-01 to 2099-12-31 UTC)".
extern const char* const kEventTimeRangeMessage;

/// The price band of ReadOptions (docs/FORMATS.md "Price band"): each trading day's
/// reference price and the check of a price against it. Use: observe() the selection's
/// prices in time order, settle(), then check every price with contains(). Days must be
/// observed in non-decreasing order. Cold path; allocates one entry per trading day.
class PriceBand {
 public:
  /// Number of a day's first trades whose median vets the reference.
  static constexpr int kVetTrades = 5;

  /// Throws std::invalid_argument for bad options (check_read_options).
  PriceBand(const Instrument& inst, const ReadOptions& opt);
  /// False when the band is off (price_band_pct == 0): contains() is then always true.
  [[nodiscard]] bool on() const noexcept { return pct_ > 0.0; }
  /// Pass 1: a price of trading day `day`, in time order: a trade, or (`trade` false) a
  /// book's best price (used only for a day without trades).
  void observe(TradingDay day, Price p, bool trade);
  /// Picks each observed day's reference (see ReadOptions::reference_price).
  void settle();
  /// Pass 2: whether `p` lies in the band of `day`. A day never observed is checked
  /// against the fixed reference, or accepted when there is none.
  [[nodiscard]] bool contains(TradingDay day, Price p) const noexcept;
  /// The error message for a price outside the band of `day`.
  [[nodiscard]] std::string message(TradingDay day, Price p) const;

 private:
  struct Day {
    TradingDay day;
    int trades = 0, books = 0;
    Price first_trades[kVetTrades];
    Price first_books[kVetTrades];
    Price reference;
    bool from_book = false;
  };
  const Day* find(TradingDay day) const noexcept;
  [[nodiscard]] int64_t half_width(Price reference) const noexcept;

  const Instrument& inst_;
  int64_t half_ppm_ = 0;  ///< band half-width in millionths of a percent (pct x 1e6)
  double pct_ = 0.0;
  bool fixed_ = false;
  Price fixed_ref_;
  std::vector<Day> days_;
  mutable std::size_t last_ = 0;  ///< lookup cache (days are visited in order)
};

/// Iterates the lines of a buffer. A line ends at '\n' (LF or CRLF; the '\r' is
/// dropped); the last line may lack a terminator. Never allocates.
class LineReader {
 public:
  explicit LineReader(std::string_view data) noexcept : data_(data) {}
  /// Next line (without terminator) and its 1-based number; false at the end.
  bool next(std::string_view& line) noexcept {
    if (pos_ >= data_.size()) return false;
    const char* begin = data_.data() + pos_;
    const std::size_t left = data_.size() - pos_;
    const void* nl = std::memchr(begin, '\n', left);
    std::size_t len = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - begin) : left;
    pos_ += nl ? len + 1 : len;
    if (len > 0 && begin[len - 1] == '\r') --len;
    line = std::string_view(begin, len);
    ++line_no_;
    return true;
  }
  /// 1-based number of the line last returned by next().
  uint32_t line_no() const noexcept { return line_no_; }

 private:
  std::string_view data_;
  std::size_t pos_ = 0;
  uint32_t line_no_ = 0;
};

/// Splits `line` at commas (no quoting: none of the CSV formats quote fields). Stores up
/// to `cap` fields in `out` and returns the total number of fields (may exceed cap).
inline int split_csv(std::string_view line, std::string_view* out, int cap) noexcept {
  // A plain byte loop: the fields are short, so memchr's call overhead would dominate.
  int n = 0;
  const char* p = line.data();
  const char* const end = p + line.size();
  const char* start = p;
  for (; p != end; ++p) {
    if (*p == ',') {
      if (n < cap) out[n] = std::string_view(start, static_cast<std::size_t>(p - start));
      ++n;
      start = p + 1;
    }
  }
  if (n < cap) out[n] = std::string_view(start, static_cast<std::size_t>(end - start));
  return n + 1;
}

/// `s` without leading/trailing spaces and tabs (and '\r').
inline std::string_view trim(std::string_view s) noexcept {
  std::size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return s.substr(b, e - b);
}

/// The contract ReadOptions asks for, trimmed; "" for the front month (empty or "front").
inline std::string_view requested_contract(const ReadOptions& opt) noexcept {
  const std::string_view c = trim(opt.contract);
  return c == "front" ? std::string_view{} : c;
}

/// Appends `c` to the comma-separated `list` ("202411,202412") unless it is empty or
/// already one of its items (ReadStats::contract of several days or files).
inline void add_contract(std::string& list, std::string_view c) {
  if (c.empty()) return;
  for (std::size_t pos = 0; pos <= list.size();) {
    const std::size_t end = std::min(list.find(',', pos), list.size());
    if (std::string_view(list).substr(pos, end - pos) == c) return;
    pos = end + 1;
  }
  if (!list.empty()) list.push_back(',');
  list.append(c);
}

/// Parses a non-empty string of ASCII digits (no sign, no spaces) into `out`. False on
/// anything else or when the value exceeds 10^18.
inline bool parse_digits(std::string_view s, uint64_t& out) noexcept {
  if (s.empty() || s.size() > 18) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  out = v;
  return true;
}

/// True when the event's session passes ReadOptions::sessions_day / sessions_night.
/// Events outside both sessions (Session::Closed) are kept only when neither filter is
/// in effect.
inline bool keep_session(Session s, const ReadOptions& opt) noexcept {
  switch (s) {
    case Session::Day: return opt.sessions_day;
    case Session::Night: return opt.sessions_night;
    case Session::Closed: return opt.sessions_day && opt.sessions_night;
  }
  return false;
}

/// Writes the decimal text of `p` (ticks of `tick`) into `buf` (at least 48 bytes):
/// exact, trailing fractional zeros dropped, parse_decimal reads it back. Returns the
/// length. Never allocates.
std::size_t format_price(char* buf, Price p, const Decimal& tick) noexcept;

/// Throws the InputError for a symbol that does not occur in the file at all (line 0 =
/// the file as a whole), naming `field` (the format's symbol column) and the symbol.
[[noreturn]] void throw_symbol_not_found(const std::string& file, std::string_view field,
                                         std::string_view symbol, uint64_t data_lines);

/// Detects a format from the first bytes of a file (zip archives must be opened first).
/// Returns InputFormat::Auto when nothing matches.
InputFormat detect_from_head(std::string_view head) noexcept;

}  // namespace tp::detail
