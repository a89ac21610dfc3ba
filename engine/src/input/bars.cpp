// Reader for the Capital (群益) 1-minute bar CSV (docs/FORMATS.md, "bars").
//
// Columns are located by their header names, so extra or reordered columns are fine.
// Each bar closing at local minute M becomes four trade ticks stamped M - 60 s + 0, 15,
// 30 and 45 s: O->L->H->C when close >= open, O->H->L->C otherwise (SPEC §3.1).
#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "internal.hpp"
#include "tp/engine/input/readers.hpp"

namespace tp {

namespace {

constexpr std::string_view kColSymbol = "商品代碼";
constexpr std::string_view kColDate = "交易日期";
constexpr std::string_view kColTime = "交易時間";
constexpr std::string_view kColOpen = "開盤價";
constexpr std::string_view kColHigh = "最高價";
constexpr std::string_view kColLow = "最低價";
constexpr std::string_view kColClose = "收盤價";
constexpr std::string_view kColVolume = "成交量";
constexpr std::string_view kUtf8Bom{"\xEF\xBB\xBF", 3};
constexpr std::string_view kOhlcNames[4] = {kColOpen, kColHigh, kColLow, kColClose};
constexpr int kMaxColumns = 64;
constexpr int64_t kBarNs = 60 * kNsPerSec;
constexpr int64_t kTickStepNs = 15 * kNsPerSec;

/// Exactly `n` ASCII digits.
bool fixed_digits(std::string_view s, std::size_t n, int32_t& out) noexcept {
  if (s.size() != n) return false;
  int32_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

/// "YYYY/MM/DD" or "YYYY-MM-DD" -> YYYYMMDD (calendar validity is checked by make_time).
bool parse_date(std::string_view s, int32_t& out) noexcept {
  if (s.size() != 10 || (s[4] != '/' && s[4] != '-') || s[7] != s[4]) return false;
  int32_t y = 0, m = 0, d = 0;
  if (!fixed_digits(s.substr(0, 4), 4, y) || !fixed_digits(s.substr(5, 2), 2, m) ||
      !fixed_digits(s.substr(8, 2), 2, d)) {
    return false;
  }
  out = y * 10000 + m * 100 + d;
  return true;
}

/// A validated bar of the selected symbol (the text views point into the file's buffer).
struct Bar {
  int64_t close_ns;
  uint32_t line;
  Price ohlc[4];
  Qty qty;
  std::string_view date_text;
  std::string_view ohlc_text[4];
};

/// A bar's symbol matches when it is the requested symbol, optionally followed by digits
/// only (the broker's continuous-contract suffix: "MTX00" matches "MTX"). An empty
/// request matches everything.
bool symbol_matches(std::string_view code, std::string_view want) noexcept {
  if (want.empty()) return true;
  if (code.substr(0, want.size()) != want) return false;
  for (char c : code.substr(want.size())) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

TickData read_capital_bars(const std::string& name, std::string_view data, const Instrument& inst,
                           const ReadOptions& opt) {
  TickData td;
  td.source = name;
  ReadStats& st = td.stats;
  st.format = InputFormat::Bars;
  detail::BadLines bad(name, opt.skip_bad, st);
  detail::PriceBand band(inst, opt);
  const std::string_view symbol = detail::trim(opt.symbol);
  const int64_t off = inst.utc_offset_ns;
  if (data.substr(0, 3) == kUtf8Bom) data.remove_prefix(3);

  detail::LineReader lr(data);
  std::string_view line;
  if (!lr.next(line)) detail::throw_symbol_not_found(name, kColSymbol, symbol, 0);

  // Header: locate the columns by name.
  std::string_view f[kMaxColumns];
  const int ncols = detail::split_csv(line, f, kMaxColumns);
  if (ncols > kMaxColumns) {
    throw InputError(name, 1, "header", detail::clip_value(line), "too many columns");
  }
  int c_sym = -1, c_date = -1, c_time = -1, c_open = -1, c_high = -1, c_low = -1, c_close = -1,
      c_vol = -1;
  for (int i = 0; i < ncols; ++i) {
    const std::string_view h = detail::trim(f[i]);
    if (h == kColSymbol) c_sym = i;
    else if (h == kColDate) c_date = i;
    else if (h == kColTime) c_time = i;
    else if (h == kColOpen) c_open = i;
    else if (h == kColHigh) c_high = i;
    else if (h == kColLow) c_low = i;
    else if (h == kColClose) c_close = i;
    else if (h == kColVolume) c_vol = i;
  }
  const std::pair<int, std::string_view> required[] = {
      {c_sym, kColSymbol}, {c_date, kColDate},   {c_open, kColOpen}, {c_high, kColHigh},
      {c_low, kColLow},    {c_close, kColClose}, {c_vol, kColVolume}};
  for (const auto& [idx, col] : required) {
    if (idx < 0) {
      throw InputError(name, 1, "header", detail::clip_value(line),
                       "not a Capital 1-minute bar CSV header: missing column " + std::string(col));
    }
  }

  bool seen_symbol = false;
  int32_t cached_date = -1;
  int64_t cached_midnight = 0;
  bool cached_ok = false;
  std::vector<Bar> bars;
  bars.reserve(data.size() / 80);

  while (lr.next(line)) {
    const uint32_t ln = lr.line_no();
    if (detail::trim(line).empty()) continue;
    ++st.lines;
    const int n = detail::split_csv(line, f, kMaxColumns);
    if (n != ncols) {
      bad.report(ln, "columns", line,
                 (n < ncols ? "truncated line: expected " : "wrong column count: expected ") +
                     std::to_string(ncols) + " columns, got " + std::to_string(n));
      continue;
    }
    // 商品代碼
    const std::string_view code = detail::trim(f[c_sym]);
    if (code.empty()) {
      bad.report(ln, kColSymbol, f[c_sym], "empty required field");
      continue;
    }
    const bool selected = symbol_matches(code, symbol);
    if (selected && !seen_symbol) {
      seen_symbol = true;
      st.contract = std::string(code);
    }
    // 交易日期 "YYYY/MM/DD HH:MM" = the bar's closing minute (交易時間 supplies the time
    // when 交易日期 holds only the date).
    const std::string_view dt = detail::trim(f[c_date]);
    if (dt.empty()) {
      bad.report(ln, kColDate, f[c_date], "empty required field");
      continue;
    }
    int32_t date = 0;
    if (!parse_date(dt.substr(0, 10), date) || (dt.size() > 10 && dt[10] != ' ')) {
      bad.report(ln, kColDate, f[c_date], "expected a date and closing minute YYYY/MM/DD HH:MM");
      continue;
    }
    std::string_view tm_text = detail::trim(dt.substr(10));
    std::string_view tm_field = kColDate;
    if (tm_text.empty() && c_time >= 0) {
      tm_text = detail::trim(f[c_time]);
      tm_field = kColTime;
    }
    int32_t sec_of_day = 0;
    if (!parse_hhmmss(tm_text, sec_of_day)) {
      bad.report(ln, tm_field, tm_field == kColDate ? f[c_date] : f[c_time],
                 tm_text.empty() ? "missing the bar's closing time HH:MM" : "expected a time HH:MM");
      continue;
    }
    if (sec_of_day % 60 != 0) {
      // Found by fuzz_bars: a bar closing at 11:21:37 put its ticks (from 11:20:37)
      // before the previous bar's last tick (11:20:45).
      bad.report(ln, tm_field, tm_field == kColDate ? f[c_date] : f[c_time],
                 "a 1-minute bar closes on a whole minute (HH:MM or HH:MM:00)");
      continue;
    }
    if (date != cached_date) {
      TimeNs t;
      cached_ok = make_time(date, 0, 0, off, t);
      cached_midnight = t.ns;
      cached_date = date;
    }
    if (!cached_ok) {
      bad.report(ln, kColDate, f[c_date], "not a valid calendar date");
      continue;
    }
    const int64_t close_ns = cached_midnight + int64_t{sec_of_day} * kNsPerSec;
    if (!detail::event_time_ok(close_ns - kBarNs) || !detail::event_time_ok(close_ns - kBarNs + 3 * kTickStepNs)) {
      bad.report(ln, kColDate, f[c_date], detail::kEventTimeRangeMessage);
      continue;
    }
    // 開盤價 最高價 最低價 收盤價: decimal syntax always, tick grid for the selected symbol.
    const int cols[4] = {c_open, c_high, c_low, c_close};
    Price ohlc[4];
    bool ok = true;
    for (int k = 0; k < 4 && ok; ++k) {
      const std::string_view text = detail::trim(f[cols[k]]);
      Decimal d;
      if (text.empty()) {
        bad.report(ln, kOhlcNames[k], f[cols[k]], "empty required field");
        ok = false;
      } else if (!parse_decimal(text, d)) {
        bad.report(ln, kOhlcNames[k], f[cols[k]], "not a decimal number");
        ok = false;
      } else if (selected) {
        if (std::string why = detail::check_price(inst, d, ohlc[k]); !why.empty()) {
          bad.report(ln, kOhlcNames[k], f[cols[k]], why);
          ok = false;
        }
      }
    }
    if (!ok) continue;
    // 成交量: may be empty (unknown volume; a real quirk of the broker's data).
    const std::string_view vol_text = detail::trim(f[c_vol]);
    uint64_t vol = 0;
    const bool vol_known = !vol_text.empty();
    if (vol_known && !detail::parse_digits(vol_text, vol)) {
      bad.report(ln, kColVolume, f[c_vol], "not a whole number");
      continue;
    }
    if (vol / 4 > static_cast<uint64_t>(kMaxQtyLots)) {
      bad.report(ln, kColVolume, f[c_vol], "volume out of range (at most 4000003: 1000000 lots a tick)");
      continue;
    }
    if (!selected) {
      ++st.filtered;
      continue;
    }
    const Price o = ohlc[0], h = ohlc[1], l = ohlc[2], c = ohlc[3];
    if (h < std::max(o, c) || h < l) {
      bad.report(ln, kColHigh, f[c_high], "high is below the open, close or low");
      continue;
    }
    if (l > std::min(o, c)) {
      bad.report(ln, kColLow, f[c_low], "low is above the open or close");
      continue;
    }
    Bar b;
    b.close_ns = close_ns;
    b.line = ln;
    for (int k = 0; k < 4; ++k) {
      b.ohlc[k] = ohlc[k];
      b.ohlc_text[k] = f[cols[k]];
    }
    b.qty = Qty{vol_known ? std::max<int32_t>(1, static_cast<int32_t>(vol / 4)) : 1};
    b.date_text = f[c_date];
    bars.push_back(b);
  }
  if (!seen_symbol) {
    bad.throw_first();  // errors of single lines first: they name the file's first bad line
    detail::throw_symbol_not_found(name, kColSymbol, symbol, st.lines);
  }

  // Time order: each bar once, in increasing time; a bar out of order is dropped so that
  // as many bars as possible are kept (docs/FORMATS.md "Time order").
  std::vector<int64_t> times(bars.size());
  std::vector<uint32_t> lines(bars.size());
  for (std::size_t i = 0; i < bars.size(); ++i) {
    times[i] = bars[i].close_ns;
    lines[i] = bars[i].line;
  }
  const std::vector<bool> in_order = detail::keep_in_time_order(times, true);
  std::size_t kept = 0;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    if (!in_order[i]) {
      bad.report(bars[i].line, kColDate, bars[i].date_text,
                 "bar out of order: " +
                     detail::time_order_message(times, lines, in_order, i, true, [&](std::size_t j) {
                       return "the bar closing at " + std::string(detail::trim(bars[j].date_text));
                     }));
      continue;
    }
    bars[kept++] = bars[i];
  }
  bars.resize(kept);

  // The price band of each trading day (before the session filter), then the events.
  const auto path_of = [](const Bar& b, Price out[4]) {
    const Price o = b.ohlc[0], h = b.ohlc[1], l = b.ohlc[2], c = b.ohlc[3];
    out[0] = o;
    out[1] = c >= o ? l : h;
    out[2] = c >= o ? h : l;
    out[3] = c;
  };
  if (band.on()) {
    for (const Bar& b : bars) {
      const TradingDay day = trading_day_of(TimeNs{b.close_ns - kBarNs}, off, opt.hours);
      Price path[4];
      path_of(b, path);
      for (const Price p : path) band.observe(day, p, true);
    }
    band.settle();
  }
  td.events.reserve(bars.size() * 4);
  for (const Bar& b : bars) {
    const TimeNs start{b.close_ns - kBarNs};
    const TradingDay day = trading_day_of(start, off, opt.hours);
    bool in_band = true;
    for (int k = 0; k < 4 && in_band; ++k) {
      if (!band.contains(day, b.ohlc[k])) {
        bad.report(b.line, kOhlcNames[k], b.ohlc_text[k], band.message(day, b.ohlc[k]));
        in_band = false;
      }
    }
    if (!in_band) continue;
    // Session and trading day per tick, not per bar: the sessions close on an inclusive
    // whole second (13:45:00, 05:00:00), so a bar opening on the close has its first
    // tick in the session and the next three outside it (found by fuzz_bars).
    Price path[4];
    path_of(b, path);
    bool any = false;
    for (int k = 0; k < 4; ++k) {
      const TimeNs ts = start + k * kTickStepNs;
      const Session session = session_of(ts, off, opt.hours);
      if (!detail::keep_session(session, opt)) continue;
      any = true;
      InputEvent e;
      e.ts = ts;
      e.day = trading_day_of(ts, off, opt.hours);
      e.line = b.line;
      e.flags = kInTrade;
      e.session = session;
      e.last = path[k];
      e.last_qty = b.qty;
      td.events.push_back(e);
    }
    if (!any) ++st.filtered;
  }
  bad.throw_first();
  apply_tick_rule(td.events, opt.tick_rule);
  st.events = td.events.size();
  return td;
}

}  // namespace tp
