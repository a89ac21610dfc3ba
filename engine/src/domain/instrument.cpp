#include "tp/engine/instrument.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

namespace tp {

namespace {
__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;
constexpr int64_t kPow10[] = {1,         10,         100,         1000,         10000,
                              100000,    1000000,    10000000,    100000000,    1000000000,
                              10000000000LL};

std::chrono::sys_days to_sys_days(int32_t yyyymmdd, bool& ok) {
  using namespace std::chrono;
  const int y = yyyymmdd / 10000;
  const unsigned m = static_cast<unsigned>((yyyymmdd / 100) % 100);
  const unsigned d = static_cast<unsigned>(yyyymmdd % 100);
  const year_month_day ymd{year{y}, month{m}, day{d}};
  ok = ymd.ok() && y >= 1970 && y <= 2200;
  return sys_days{ymd};
}

int32_t from_sys_days(std::chrono::sys_days sd) {
  using namespace std::chrono;
  const year_month_day ymd{sd};
  return static_cast<int32_t>(int(ymd.year()) * 10000 + int(unsigned(ymd.month())) * 100 +
                              int(unsigned(ymd.day())));
}
}  // namespace

bool parse_decimal(std::string_view s, Decimal& out) noexcept {
  if (s.empty()) return false;
  std::size_t i = 0;
  bool neg = false;
  if (s[0] == '-' || s[0] == '+') {
    neg = s[0] == '-';
    i = 1;
  }
  if (i >= s.size()) return false;
  int64_t mant = 0;
  int32_t scale = 0;
  bool seen_dot = false;
  bool seen_digit = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.') {
      if (seen_dot) return false;
      seen_dot = true;
      continue;
    }
    if (c < '0' || c > '9') return false;
    seen_digit = true;
    if (mant > (std::numeric_limits<int64_t>::max() - 9) / 10) return false;
    mant = mant * 10 + (c - '0');
    if (seen_dot) {
      if (++scale > 9) return false;
    }
  }
  if (!seen_digit) return false;
  out.mantissa = neg ? -mant : mant;
  out.scale = scale;
  return true;
}

bool Instrument::to_ticks(const Decimal& px, Price& out) const noexcept {
  // px = pm * 10^-ps, tick = tm * 10^-ts. ticks = px / tick = pm * 10^ts / (tm * 10^ps).
  if (tick_size.mantissa <= 0 || tick_size.scale < 0 || tick_size.scale > 9 || px.scale < 0 || px.scale > 9) {
    return false;
  }
  const int32_t common = px.scale > tick_size.scale ? px.scale : tick_size.scale;
  i128 num = static_cast<i128>(px.mantissa) * kPow10[common - px.scale];
  const i128 den = static_cast<i128>(tick_size.mantissa) * kPow10[common - tick_size.scale];
  if (num % den != 0) return false;
  num /= den;
  if (num > std::numeric_limits<int64_t>::max() / 4 || num < std::numeric_limits<int64_t>::min() / 4) {
    return false;
  }
  out = Price{static_cast<int64_t>(num)};
  return true;
}

bool Instrument::parse_price(std::string_view s, Price& out) const noexcept {
  Decimal d;
  return parse_decimal(s, d) && to_ticks(d, out);
}

bool Instrument::points_to_ticks(double points, Ticks& out) const noexcept {
  if (!std::isfinite(points)) return false;
  const double tick = static_cast<double>(tick_size.mantissa) /
                      static_cast<double>(kPow10[tick_size.scale]);
  const double t = points / tick;
  const double r = std::round(t);
  if (std::fabs(t - r) > 1e-6 || std::fabs(r) > 1e15) return false;
  out = Ticks{static_cast<int64_t>(r)};
  return true;
}

double Instrument::ticks_to_points(int64_t ticks) const noexcept {
  return static_cast<double>(ticks) * static_cast<double>(tick_size.mantissa) /
         static_cast<double>(kPow10[tick_size.scale]);
}

std::string Instrument::format_price(Price p) const {
  // value = ticks * tm * 10^-ts, printed exactly with ts decimals (trailing zeros trimmed).
  const i128 v = static_cast<i128>(p.ticks) * tick_size.mantissa;
  const bool neg = v < 0;
  const u128 a = static_cast<u128>(neg ? -v : v);
  const u128 div = static_cast<u128>(kPow10[tick_size.scale]);
  const auto ip = static_cast<unsigned long long>(a / div);
  auto fp = static_cast<unsigned long long>(a % div);
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%s%llu", neg ? "-" : "", ip);
  if (tick_size.scale > 0 && fp != 0) {
    int digits = tick_size.scale;
    while (fp % 10 == 0) {
      fp /= 10;
      --digits;
    }
    std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), ".%0*llu", digits, fp);
  }
  return buf;
}

bool builtin_instrument(std::string_view symbol, Instrument& out) {
  Instrument i;
  i.symbol = std::string(symbol);
  i.tick_size = Decimal{1, 0};
  i.currency = "TWD";
  if (symbol == "MTX") {
    i.point_value = 50.0;
  } else if (symbol == "TM") {
    i.point_value = 10.0;
  } else if (symbol == "TX") {
    i.point_value = 200.0;
  } else {
    return false;
  }
  out = i;
  return true;
}

int32_t local_date(TimeNs t, int64_t utc_offset_ns) noexcept {
  const int64_t local = t.ns + utc_offset_ns;
  int64_t days = local / (86400 * kNsPerSec);
  if (local % (86400 * kNsPerSec) < 0) --days;
  return from_sys_days(std::chrono::sys_days{std::chrono::days{days}});
}

bool make_time(int32_t yyyymmdd, int32_t sec_of_day, int64_t ns, int64_t utc_offset_ns,
               TimeNs& out) noexcept {
  bool ok = false;
  const auto sd = to_sys_days(yyyymmdd, ok);
  if (!ok || sec_of_day < 0 || sec_of_day > 86400 || ns < 0 || ns >= kNsPerSec) return false;
  const int64_t days = sd.time_since_epoch().count();
  out = TimeNs{days * 86400 * kNsPerSec + int64_t{sec_of_day} * kNsPerSec + ns - utc_offset_ns};
  return true;
}

bool is_weekend(int32_t yyyymmdd) noexcept {
  bool ok = false;
  const auto sd = to_sys_days(yyyymmdd, ok);
  const std::chrono::weekday wd{sd};
  return wd == std::chrono::Saturday || wd == std::chrono::Sunday;
}

int32_t next_weekday(int32_t yyyymmdd) noexcept {
  bool ok = false;
  auto sd = to_sys_days(yyyymmdd, ok);
  do {
    sd += std::chrono::days{1};
  } while (std::chrono::weekday{sd} == std::chrono::Saturday ||
           std::chrono::weekday{sd} == std::chrono::Sunday);
  return from_sys_days(sd);
}

int32_t taifex_settlement_day(int32_t yyyymm) noexcept {
  const int32_t y = yyyymm / 100, m = yyyymm % 100;
  if (m < 1 || m > 12) return 0;
  const std::chrono::year_month_weekday third{std::chrono::year{y} / m / std::chrono::Wednesday[3]};
  return from_sys_days(std::chrono::sys_days{third});
}

int32_t taifex_front_month(int32_t yyyymmdd) noexcept {
  int32_t ym = yyyymmdd / 100;
  if (yyyymmdd >= taifex_settlement_day(ym)) ym = ym % 100 == 12 ? (ym / 100 + 1) * 100 + 1 : ym + 1;
  return ym;
}

bool parse_hhmmss(std::string_view s, int32_t& sec_of_day) noexcept {
  auto two = [](std::string_view v, int& out) {
    if (v.size() != 2 || v[0] < '0' || v[0] > '9' || v[1] < '0' || v[1] > '9') return false;
    out = (v[0] - '0') * 10 + (v[1] - '0');
    return true;
  };
  int h = 0, m = 0, sec = 0;
  if (s.size() == 5 && s[2] == ':') {
    if (!two(s.substr(0, 2), h) || !two(s.substr(3, 2), m)) return false;
  } else if (s.size() == 8 && s[2] == ':' && s[5] == ':') {
    if (!two(s.substr(0, 2), h) || !two(s.substr(3, 2), m) || !two(s.substr(6, 2), sec)) return false;
  } else {
    return false;
  }
  if (h > 23 || m > 59 || sec > 59) return false;
  sec_of_day = h * 3600 + m * 60 + sec;
  return true;
}

std::string format_hhmmss(int32_t s) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  return buf;
}

std::string format_date(int32_t d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d / 10000, (d / 100) % 100, d % 100);
  return buf;
}

Session session_of(TimeNs t, int64_t utc_offset_ns, const SessionHours& h) noexcept {
  const int32_t s = local_seconds_of_day(t, utc_offset_ns);
  if (s >= h.day_open_sec && s <= h.day_close_sec) return Session::Day;
  if (s >= h.night_open_sec || s <= h.night_close_sec) return Session::Night;
  return Session::Closed;
}

TradingDay trading_day_of(TimeNs t, int64_t utc_offset_ns, const SessionHours& h) noexcept {
  const int32_t s = local_seconds_of_day(t, utc_offset_ns);
  const int32_t date = local_date(t, utc_offset_ns);
  if (s >= h.night_open_sec) return TradingDay{next_weekday(date)};
  if (is_weekend(date)) return TradingDay{next_weekday(date)};
  return TradingDay{date};
}

std::string utc_offset_text(int64_t utc_offset_ns) {
  const int64_t minutes = utc_offset_ns / (60 * kNsPerSec);
  const int64_t a = minutes < 0 ? -minutes : minutes;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%02lld:%02lld", minutes < 0 ? '-' : '+', static_cast<long long>(a / 60),
                static_cast<long long>(a % 60));
  return buf;
}

}  // namespace tp
