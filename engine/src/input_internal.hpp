// Internals shared by the input readers (input_common.cpp, input_taifex.cpp,
// input_bars.cpp, input_jsonl.cpp). Not installed, not part of the public API.
//
// Everything here is cold path but written for the 22 MB TAIFEX file: string_views over
// the in-memory buffer, no per-line allocation, hand-rolled integer parsing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "tp/engine/input.hpp"

namespace tp::detail {

/// How many skipped lines' errors ReadStats::issues keeps.
inline constexpr std::size_t kMaxIssues = 20;
/// Longest value quoted in an error (longer values are cut and end in "...").
inline constexpr std::size_t kMaxValueChars = 80;

/// `v` cut to kMaxValueChars (for error messages). Allocates.
std::string clip_value(std::string_view v);

/// Reports bad lines: throws InputError (file, line, field, value, message) unless
/// skip_bad, in which case the line is counted in ReadStats::skipped and the first
/// kMaxIssues errors are kept in ReadStats::issues. Not thread-safe (one per read).
class BadLines {
 public:
  BadLines(const std::string& file, bool skip_bad, ReadStats& stats) noexcept
      : file_(file), skip_bad_(skip_bad), stats_(stats) {}
  /// Throws InputError unless skip_bad; otherwise records and returns (the caller then
  /// drops the line).
  void report(uint32_t line, std::string_view field, std::string_view value,
              std::string_view message);
  const std::string& file() const noexcept { return file_; }

 private:
  const std::string& file_;
  bool skip_bad_;
  ReadStats& stats_;
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
