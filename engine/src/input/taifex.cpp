// Reader for the TAIFEX daily time & sales CSV (docs/FORMATS.md, "taifex").
//
// One pass over the whole buffer validates every data row (string_views, hand-rolled
// digit parsing, no per-line allocation) and keeps a compact record of the rows of the
// selected product; the contract is chosen once every contract of that product has been
// seen (front month of each trading day by TAIFEX's roll rule); the kept rows are stably sorted by second
// and the trades of each second are spread evenly across it.
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

// Column names as the (Big5) header spells them; used as field names in errors.
constexpr std::string_view kColDate = "成交日期";
constexpr std::string_view kColProduct = "商品代號";
constexpr std::string_view kColContract = "到期月份(週別)";
constexpr std::string_view kColTime = "成交時間";
constexpr std::string_view kColPrice = "成交價格";
constexpr std::string_view kColVolume = "成交數量(B+S)";
constexpr std::string_view kColNear = "近月價格";
constexpr std::string_view kColFar = "遠月價格";
constexpr std::string_view kColAuction = "開盤集合競價";
constexpr int kColumns = 9;

/// A kept row of the selected product (24 bytes; the whole product is buffered until the
/// contract is known).
struct Row {
  int64_t sec_ns;     ///< event time of the row's second (UTC ns)
  Price price;
  uint32_t line;
  int32_t qty;        ///< lots (one side)
  uint16_t contract;  ///< index into the contract list
  bool auction;
};

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

std::string list_contracts(const std::vector<std::string_view>& contracts) {
  if (contracts.empty()) return "none";
  std::vector<std::string_view> sorted(contracts);
  std::sort(sorted.begin(), sorted.end());
  std::string s;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (i) s += ", ";
    s += sorted[i];
  }
  return s;
}

}  // namespace

TickData read_taifex_csv(const std::string& name, std::string_view data, const Instrument& inst,
                         const ReadOptions& opt) {
  TickData td;
  td.source = name;
  ReadStats& st = td.stats;
  st.format = InputFormat::Taifex;
  detail::BadLines bad(name, opt.skip_bad, st);
  detail::PriceBand band(inst, opt);
  const std::string_view symbol = detail::trim(opt.symbol);
  if (symbol.empty()) {
    throw InputError(name, 0, std::string(kColProduct), "",
                     "no product selected (set the symbol, e.g. MTX)");
  }
  const int64_t off = inst.utc_offset_ns;
  const bool unit_tick = inst.tick_size.mantissa == 1 && inst.tick_size.scale == 0;

  std::vector<Row> rows;
  rows.reserve(std::min<std::size_t>(data.size() / 48 + 16, std::size_t{1} << 22));
  std::vector<std::string_view> contracts;
  std::size_t last_contract = 0;
  bool seen_product = false;
  int32_t cached_date = -1;
  int64_t cached_midnight = 0;
  bool cached_ok = false;

  detail::LineReader lr(data);
  std::string_view line;
  bool first = true;
  std::string_view f[kColumns];
  while (lr.next(line)) {
    const uint32_t ln = lr.line_no();
    if (first) {
      first = false;
      // The header is Big5 text: only its shape is checked. A file without a header
      // (first line already a data row) is accepted.
      int32_t d = 0;
      const bool data_row = line.size() > 8 && line[8] == ',' && fixed_digits(line.substr(0, 8), 8, d);
      if (!data_row) {
        const int n = detail::split_csv(line, f, kColumns);
        if (n != kColumns) {
          throw InputError(name, ln, "header", detail::clip_value(line),
                           "not a TAIFEX daily CSV header: expected " + std::to_string(kColumns) +
                               " comma-separated columns, got " + std::to_string(n));
        }
        continue;
      }
    }
    if (detail::trim(line).empty()) continue;
    ++st.lines;
    const int n = detail::split_csv(line, f, kColumns);
    if (n != kColumns) {
      bad.report(ln, "columns", line,
                 (n < kColumns ? "truncated line: expected 9 columns, got "
                               : "wrong column count: expected 9 columns, got ") +
                     std::to_string(n));
      continue;
    }
    const std::string_view product = detail::trim(f[1]);
    const bool selected = product == symbol;
    seen_product = seen_product || selected;

    // 成交日期 YYYYMMDD
    int32_t date = 0;
    if (!fixed_digits(f[0], 8, date)) {
      bad.report(ln, kColDate, f[0], f[0].empty() ? "empty required field" : "expected a date YYYYMMDD");
      continue;
    }
    if (date != cached_date) {
      TimeNs t;
      cached_ok = make_time(date, 0, 0, off, t);
      cached_midnight = t.ns;
      cached_date = date;
    }
    if (!cached_ok) {
      bad.report(ln, kColDate, f[0], "not a valid calendar date");
      continue;
    }

    // 商品代號, 到期月份(週別)
    if (product.empty()) {
      bad.report(ln, kColProduct, f[1], "empty required field");
      continue;
    }
    const std::string_view contract = detail::trim(f[2]);
    if (contract.empty()) {
      bad.report(ln, kColContract, f[2], "empty required field");
      continue;
    }
    // 成交時間 HHMMSS
    int32_t hms = 0;
    if (!fixed_digits(f[3], 6, hms) || hms / 10000 > 23 || (hms / 100) % 100 > 59 || hms % 100 > 59) {
      bad.report(ln, kColTime, f[3], f[3].empty() ? "empty required field" : "expected a time HHMMSS");
      continue;
    }
    const int32_t sec_of_day = hms / 10000 * 3600 + (hms / 100) % 100 * 60 + hms % 100;
    if (!detail::event_time_ok(cached_midnight + int64_t{sec_of_day} * kNsPerSec)) {
      bad.report(ln, kColDate, f[0], detail::kEventTimeRangeMessage);
      continue;
    }
    // 成交價格
    const std::string_view px_text = detail::trim(f[4]);
    Decimal px_dec;
    if (px_text.empty()) {
      bad.report(ln, kColPrice, f[4], "empty required field");
      continue;
    }
    if (!parse_decimal(px_text, px_dec)) {
      bad.report(ln, kColPrice, f[4], "not a decimal number");
      continue;
    }
    // 成交數量(B+S): both sides counted, contracts = volume / 2
    const std::string_view vol_text = detail::trim(f[5]);
    uint64_t vol = 0;
    if (vol_text.empty()) {
      bad.report(ln, kColVolume, f[5], "empty required field");
      continue;
    }
    if (!detail::parse_digits(vol_text, vol)) {
      bad.report(ln, kColVolume, f[5], "not a whole number");
      continue;
    }
    if (vol == 0 || vol % 2 != 0) {
      bad.report(ln, kColVolume, f[5],
                 vol == 0 ? "volume must be positive"
                          : "volume (B+S) counts both sides and must be even");
      continue;
    }
    if (vol / 2 > static_cast<uint64_t>(kMaxQtyLots)) {
      bad.report(ln, kColVolume, f[5], "volume out of range (at most 2000000, 1000000 lots a side)");
      continue;
    }
    // 近月價格, 遠月價格: '-' unless a calendar spread
    bool legs_ok = true;
    for (int c = 6; c <= 7 && legs_ok; ++c) {
      const std::string_view leg = detail::trim(f[c]);
      Decimal d;
      if (leg.empty() || (leg != "-" && !parse_decimal(leg, d))) {
        bad.report(ln, c == 6 ? kColNear : kColFar, f[c],
                   leg.empty() ? "empty required field" : "expected '-' or a decimal price");
        legs_ok = false;
      }
    }
    if (!legs_ok) continue;
    // 開盤集合競價: '*' = opening auction print, blank otherwise
    const std::string_view auction = detail::trim(f[8]);
    if (!auction.empty() && auction != "*") {
      bad.report(ln, kColAuction, f[8], "expected '*' (opening auction) or blank");
      continue;
    }
    if (!selected) {
      ++st.filtered;
      continue;
    }
    // The tick grid now; the bounds (positive, at most kMaxPriceTicks) once the contract
    // is known: a calendar spread's price may be zero or negative.
    Price px{px_dec.mantissa};  // fast path: whole-number price, tick size 1
    if (!(unit_tick && px_dec.scale == 0) && !inst.to_ticks(px_dec, px)) {
      bad.report(ln, kColPrice, f[4], detail::check_price(inst, px_dec, px));
      continue;
    }
    if (last_contract >= contracts.size() || contracts[last_contract] != contract) {
      last_contract = static_cast<std::size_t>(
          std::find(contracts.begin(), contracts.end(), contract) - contracts.begin());
      if (last_contract == contracts.size()) {
        if (contracts.size() >= std::numeric_limits<uint16_t>::max()) {
          bad.report(ln, kColContract, f[2], "too many distinct contracts");
          continue;
        }
        contracts.push_back(contract);
      }
    }
    rows.push_back(Row{cached_midnight + int64_t{sec_of_day} * kNsPerSec, px, ln,
                       static_cast<int32_t>(vol / 2), static_cast<uint16_t>(last_contract),
                       !auction.empty()});
  }

  if (!seen_product) {
    bad.throw_first();  // errors of single lines first: they name the file's first bad line
    detail::throw_symbol_not_found(name, kColProduct, symbol, st.lines);
  }

  // Contract: the requested one, or each trading day's front month by TAIFEX's roll rule
  // (taifex_front_month; weeklies such as 202107W4 and spreads such as 202108/202109
  // never count).
  const std::string_view want = detail::requested_contract(opt);
  const auto index_of = [&](std::string_view c) {
    return static_cast<std::size_t>(std::find(contracts.begin(), contracts.end(), c) - contracts.begin());
  };
  std::size_t fixed = contracts.size();
  if (!want.empty()) {
    fixed = index_of(want);
    if (fixed == contracts.size()) {
      bad.throw_first();
      throw InputError(name, 0, std::string(kColContract), std::string(want),
                       "contract does not occur for product '" + std::string(symbol) +
                           "' (contracts in the file: " + list_contracts(contracts) + ")");
    }
  }
  // The contract of each trading day (a file holds one, a concatenation several); the
  // rows are grouped by contract, not by time, so the day is looked up per second.
  std::vector<ReadStats::DayContract>& days = st.day_contracts;
  std::vector<std::size_t> day_index;  // contract index per entry of `days`
  const auto contract_for = [&](int64_t sec_ns) -> std::size_t {
    const TradingDay day = trading_day_of(TimeNs{sec_ns}, off, opt.hours);
    for (std::size_t i = days.size(); i-- > 0;) {
      if (days[i].day == day) return day_index[i];
    }
    std::size_t c = fixed;
    if (want.empty()) {
      // The roll rule over the contracts that trade: the earliest monthly contract whose
      // settlement day is after the trading day (taifex_front_month(day) whenever TAIFEX
      // lists it, as it always does).
      int32_t best = 0;
      for (std::size_t i = 0; i < contracts.size(); ++i) {
        int32_t ym = 0;
        if (!fixed_digits(contracts[i], 6, ym) || taifex_settlement_day(ym) <= day.yyyymmdd) continue;
        if (best == 0 || ym < best) {
          best = ym;
          c = i;
        }
      }
      if (best == 0) {
        bad.throw_first();
        throw InputError(name, 0, std::string(kColContract), std::to_string(taifex_front_month(day.yyyymmdd)),
                         "no monthly contract of product '" + std::string(symbol) + "' settles after trading day " +
                             format_date(day.yyyymmdd) +
                             " (the front month by TAIFEX's roll rule; contracts in the file: " +
                             list_contracts(contracts) + "); select one explicitly");
      }
    }
    days.push_back({day, std::string(contracts[c])});
    day_index.push_back(c);
    return c;
  };

  // Keep each day's contract (in place), with its prices in bounds, then order by
  // second, stably.
  std::size_t kept = 0;
  int64_t last_sec = std::numeric_limits<int64_t>::min();
  std::size_t sec_contract = 0;
  for (const Row& r : rows) {
    if (r.sec_ns != last_sec) {
      last_sec = r.sec_ns;
      sec_contract = contract_for(r.sec_ns);
    }
    if (r.contract != sec_contract) {
      ++st.filtered;
      continue;
    }
    if (const char* why = detail::price_bound_error(r.price)) {
      bad.report(r.line, kColPrice, inst.format_price(r.price), why);
      continue;
    }
    rows[kept++] = r;
  }
  rows.resize(kept);
  const auto by_second = [](const Row& a, const Row& b) { return a.sec_ns < b.sec_ns; };
  if (!std::is_sorted(rows.begin(), rows.end(), by_second)) {
    std::stable_sort(rows.begin(), rows.end(), by_second);
  }

  // The price band of each trading day (both sessions, before the session filter, so
  // that a filter never changes which prices are bad), then the session filter.
  if (band.on()) {
    int64_t sec = std::numeric_limits<int64_t>::min();
    TradingDay day;
    for (const Row& r : rows) {
      if (r.sec_ns != sec) {
        sec = r.sec_ns;
        day = trading_day_of(TimeNs{sec}, off, opt.hours);
      }
      band.observe(day, r.price, true);
    }
    band.settle();
  }
  kept = 0;
  {
    int64_t sec = std::numeric_limits<int64_t>::min();
    TradingDay day;
    bool keep_sec = true;
    for (const Row& r : rows) {
      if (r.sec_ns != sec) {
        sec = r.sec_ns;
        day = trading_day_of(TimeNs{sec}, off, opt.hours);
        keep_sec = detail::keep_session(session_of(TimeNs{sec}, off, opt.hours), opt);
      }
      if (!band.contains(day, r.price)) {
        const std::string text = inst.format_price(r.price);
        bad.report(r.line, kColPrice, text, band.message(day, r.price));
        continue;
      }
      if (!keep_sec) {
        ++st.filtered;
        continue;
      }
      rows[kept++] = r;
    }
  }
  rows.resize(kept);
  bad.throw_first();
  std::sort(days.begin(), days.end(), [](const auto& a, const auto& b) { return a.day < b.day; });
  for (const auto& d : days) detail::add_contract(st.contract, d.contract);

  // Spread the n trades of each second evenly across it: the i-th (file order) gets
  // second + i * 1e9 / n.
  td.events.resize(rows.size());
  for (std::size_t i = 0; i < rows.size();) {
    std::size_t j = i + 1;
    while (j < rows.size() && rows[j].sec_ns == rows[i].sec_ns) ++j;
    const int64_t count = static_cast<int64_t>(j - i);
    const TimeNs sec{rows[i].sec_ns};
    const TradingDay day = trading_day_of(sec, off, opt.hours);
    const Session session = session_of(sec, off, opt.hours);
    for (std::size_t k = i; k < j; ++k) {
      const Row& r = rows[k];
      InputEvent& e = td.events[k];
      e.ts = TimeNs{r.sec_ns + static_cast<int64_t>(k - i) * kNsPerSec / count};
      e.day = day;
      e.line = r.line;
      e.flags = static_cast<uint8_t>(kInTrade | (r.auction ? kInAuction : 0));
      e.session = session;
      e.last = r.price;
      e.last_qty = Qty{r.qty};
    }
    i = j;
  }
  apply_tick_rule(td.events, opt.tick_rule);
  st.events = td.events.size();
  return td;
}

}  // namespace tp
