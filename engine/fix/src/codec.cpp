// FIX 4.4 codec (codec.hpp, docs/FIX.md): parse() in place, Encoder into one buffer.
#include "tp/fix/codec.hpp"

#include <charconv>
#include <cstring>

namespace tp::fix {

namespace {

constexpr std::string_view kBegin = "8=FIX.4.4\x01";
constexpr std::string_view kResync = "8=FIX";
// Room before the body for "8=FIX.4.4<SOH>9=<up to 5 digits><SOH>" (10 + 8 bytes).
constexpr std::size_t kPrefixRoom = 18;
constexpr std::size_t kTrailer = 7;  // "10=XXX<SOH>"
constexpr int kMaxTagDigits = 9;

inline bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

/// Bytes to skip after a garbled message starting at buf[0]: up to the next "8=FIX"
/// after the start; when there is none, everything but a trailing partial "8=FIX"
/// (so a message split by the read after its first bytes is not lost).
std::size_t resync(std::string_view buf) noexcept {
  const std::size_t n = buf.size();
  const std::size_t at = buf.find(kResync, 1);
  if (at != std::string_view::npos) return at;
  for (std::size_t keep = kResync.size() - 1; keep > 0; --keep) {
    if (n > keep && buf.substr(n - keep) == kResync.substr(0, keep)) return n - keep;
  }
  return n;
}

inline unsigned checksum(const char* p, std::size_t n) noexcept {
  unsigned sum = 0;
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  for (std::size_t i = 0; i < n; ++i) sum += u[i];
  return sum & 0xFFu;
}

// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian, UTC).
constexpr int64_t days_from_civil(int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct Civil {
  int64_t y;
  unsigned m, d;
};
constexpr Civil civil_from_days(int64_t z) noexcept {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2 ? 1 : 0), m, d};
}
static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(days_from_civil(2000, 3, 1) == 11017);
static_assert(civil_from_days(11017).y == 2000 && civil_from_days(11017).m == 3);

constexpr bool is_leap(int64_t y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
constexpr unsigned days_in_month(int64_t y, unsigned m) noexcept {
  constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

/// `n` digits at s[0..n) as a number; false if any is not a digit.
inline bool fixed_digits(const char* s, int n, unsigned& out) noexcept {
  unsigned v = 0;
  for (int i = 0; i < n; ++i) {
    if (!is_digit(s[i])) return false;
    v = v * 10 + static_cast<unsigned>(s[i] - '0');
  }
  out = v;
  return true;
}

/// memcpy for the short runs of a FIX field: fixed-size (inlined) 8-byte chunks, then
/// bytes; a libc call per field costs more than the copy.
inline void copy_short(char* dst, const char* src, std::size_t n) noexcept {
  while (n >= 8) {
    std::memcpy(dst, src, 8);
    dst += 8;
    src += 8;
    n -= 8;
  }
  if (n >= 4) {
    std::memcpy(dst, src, 4);
    dst += 4;
    src += 4;
    n -= 4;
  }
  for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
}

inline void put2(char* p, unsigned v) noexcept {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

}  // namespace

const char* to_string(ParseStatus s) noexcept {
  switch (s) {
    case ParseStatus::Ok: return "ok";
    case ParseStatus::Incomplete: return "incomplete";
    case ParseStatus::BadBeginString: return "bad BeginString";
    case ParseStatus::BadBodyLength: return "bad BodyLength";
    case ParseStatus::BadChecksum: return "bad CheckSum";
    case ParseStatus::Garbled: return "garbled field";
  }
  return "?";
}

// ---------------------------------------------------------------- MessageView

std::string_view MessageView::value(int i) const noexcept {
  if (i < 0 || i >= n_) return {};
  const Field& f = fields_[static_cast<std::size_t>(i)];
  return {base_ + f.off, f.len};
}

int MessageView::find(int tag, int from) const noexcept {
  for (int i = from < 0 ? 0 : from; i < n_; ++i) {
    if (fields_[static_cast<std::size_t>(i)].tag == tag) return i;
  }
  return -1;
}

bool MessageView::get(int tag, std::string_view& out) const noexcept {
  const int i = find(tag);
  if (i < 0) return false;
  out = value(i);
  return true;
}

bool MessageView::get_uint(int tag, uint64_t& out) const noexcept {
  std::string_view v;
  return get(tag, v) && parse_uint(v, out);
}

bool MessageView::poss_dup() const noexcept {
  std::string_view v;
  return get(43, v) && v == "Y";
}

// ---------------------------------------------------------------- parse

ParseStatus parse(std::string_view buf, MessageView& out, std::size_t& consumed) noexcept {
  consumed = 0;
  const std::size_t n = buf.size();
  const char* b = buf.data();
  // 8=FIX.4.4<SOH>
  if (n < kBegin.size()) {
    if (buf == kBegin.substr(0, n)) return ParseStatus::Incomplete;
    consumed = resync(buf);
    return ParseStatus::BadBeginString;
  }
  if (std::memcmp(b, kBegin.data(), kBegin.size()) != 0) {
    consumed = resync(buf);
    return ParseStatus::BadBeginString;
  }
  // 9=<digits><SOH>
  std::size_t p = kBegin.size();
  if (n < p + 2) return ParseStatus::Incomplete;
  if (b[p] != '9' || b[p + 1] != '=') {
    consumed = resync(buf);
    return ParseStatus::BadBodyLength;
  }
  p += 2;
  const std::size_t len_off = p;
  std::size_t body_len = 0;
  while (p < n && is_digit(b[p])) {
    body_len = body_len * 10 + static_cast<std::size_t>(b[p] - '0');
    ++p;
    if (p - len_off > 6) break;
  }
  if (p == n) return ParseStatus::Incomplete;
  if (p == len_off || b[p] != kSoh || body_len > kMaxMessage || body_len == 0) {
    consumed = resync(buf);
    return ParseStatus::BadBodyLength;
  }
  ++p;
  const std::size_t body = p;
  const std::size_t cks_off = body + body_len;  // where "10=" must start
  if (n < cks_off + kTrailer) {
    // Still possibly whole once more bytes arrive, unless what is there already proves
    // the length wrong (a "10=" field ending inside the claimed body is not proof: a
    // value may contain those bytes; wait).
    return ParseStatus::Incomplete;
  }
  if (b[cks_off - 1] != kSoh || b[cks_off] != '1' || b[cks_off + 1] != '0' || b[cks_off + 2] != '=') {
    consumed = resync(buf);
    return ParseStatus::BadBodyLength;
  }
  unsigned want = 0;
  if (!fixed_digits(b + cks_off + 3, 3, want) || b[cks_off + 6] != kSoh) {
    consumed = resync(buf);
    return ParseStatus::BadChecksum;
  }
  if (checksum(b, cks_off) != want) {
    consumed = resync(buf);
    return ParseStatus::BadChecksum;
  }
  const std::size_t msg_len = cks_off + kTrailer;

  // Fields, in wire order: 8 and 9 first, then the body, then 10.
  out.base_ = b;
  out.size_ = static_cast<uint32_t>(msg_len);
  out.seq_ = 0;
  out.msg_type_idx_ = 2;
  out.fields_[0] = Field{8, 2, static_cast<uint32_t>(kBegin.size() - 3)};
  out.fields_[1] = Field{9, static_cast<uint32_t>(len_off), static_cast<uint32_t>(body - 1 - len_off)};
  int nf = 2;
  std::size_t q = body;
  while (q < cks_off) {
    int32_t tag = 0;
    const std::size_t tag_off = q;
    while (q < cks_off && is_digit(b[q])) {
      if (q - tag_off >= static_cast<std::size_t>(kMaxTagDigits)) {  // checked before the multiplication (fuzz_fix: int overflow)
        consumed = msg_len;
        return ParseStatus::Garbled;
      }
      tag = tag * 10 + (b[q] - '0');
      ++q;
    }
    if (q == tag_off || q >= cks_off || b[q] != '=' || tag == 0) {
      consumed = msg_len;
      return ParseStatus::Garbled;
    }
    ++q;
    const std::size_t val_off = q;
    while (b[q] != kSoh) ++q;  // stops at cks_off - 1 at the latest (checked SOH)
    if (nf >= kMaxFields - 1) {
      consumed = msg_len;
      return ParseStatus::Garbled;
    }
    out.fields_[static_cast<std::size_t>(nf)] =
        Field{tag, static_cast<uint32_t>(val_off), static_cast<uint32_t>(q - val_off)};
    ++nf;
    ++q;
  }
  // 35 must be the first body field.
  if (nf < 3 || out.fields_[2].tag != 35 || out.fields_[2].len == 0) {
    consumed = msg_len;
    return ParseStatus::Garbled;
  }
  out.fields_[static_cast<std::size_t>(nf)] = Field{10, static_cast<uint32_t>(cks_off + 3), 3};
  ++nf;
  out.n_ = nf;
  // 34 is in the header, near the front.
  for (int i = 3; i < nf; ++i) {
    if (out.fields_[static_cast<std::size_t>(i)].tag == 34) {
      uint64_t s = 0;
      if (parse_uint(out.value(i), s)) out.seq_ = s;
      break;
    }
  }
  consumed = msg_len;
  return ParseStatus::Ok;
}

// ---------------------------------------------------------------- value helpers

bool parse_uint(std::string_view s, uint64_t& out) noexcept {
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (const char c : s) {
    if (!is_digit(c)) return false;
    const auto d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

bool parse_decimal(std::string_view s, int64_t& mantissa, int& scale) noexcept {
  std::size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
    neg = s[i] == '-';
    ++i;
  }
  uint64_t v = 0;
  int digits = 0;
  int frac = -1;  // digits after the point; -1 before it
  constexpr uint64_t kLimit = static_cast<uint64_t>(INT64_MAX);
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.') {
      if (frac >= 0) return false;
      frac = 0;
      continue;
    }
    if (!is_digit(c)) return false;
    const auto d = static_cast<uint64_t>(c - '0');
    if (v > (kLimit - d) / 10) return false;
    v = v * 10 + d;
    ++digits;
    if (frac >= 0 && ++frac > 9) return false;
  }
  if (digits == 0) return false;
  mantissa = neg ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
  scale = frac < 0 ? 0 : frac;
  return true;
}

bool parse_date(std::string_view s, uint32_t& yyyymmdd) noexcept {
  unsigned y = 0, m = 0, d = 0;
  if (s.size() != 8 || !fixed_digits(s.data(), 4, y) || !fixed_digits(s.data() + 4, 2, m) ||
      !fixed_digits(s.data() + 6, 2, d))
    return false;
  if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return false;
  yyyymmdd = y * 10000 + m * 100 + d;
  return true;
}

bool parse_utc_timestamp(std::string_view s, int64_t& ns) noexcept {
  // YYYYMMDD-HH:MM:SS[.f{1,9}]
  if (s.size() < 17 || s[8] != '-' || s[11] != ':' || s[14] != ':') return false;
  uint32_t ymd = 0;
  if (!parse_date(s.substr(0, 8), ymd)) return false;
  // int64 ns since the epoch reach 2262-04-11: years 1970..2261 only (found by fuzz_fix:
  // year 0001 overflowed the multiplication).
  if (ymd < 19700101 || ymd > 22611231) return false;
  unsigned hh = 0, mm = 0, ss = 0;
  if (!fixed_digits(s.data() + 9, 2, hh) || !fixed_digits(s.data() + 12, 2, mm) ||
      !fixed_digits(s.data() + 15, 2, ss))
    return false;
  if (hh > 23 || mm > 59 || ss > 60) return false;  // 60: a leap second
  int64_t frac = 0;
  if (s.size() > 17) {
    if (s[17] != '.' || s.size() == 18 || s.size() > 27) return false;
    int nd = 0;
    for (std::size_t i = 18; i < s.size(); ++i, ++nd) {
      if (!is_digit(s[i])) return false;
      frac = frac * 10 + (s[i] - '0');
    }
    for (; nd < 9; ++nd) frac *= 10;
  }
  const int64_t days = days_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100);
  ns = ((days * 86400 + hh * 3600 + mm * 60 + ss) * 1'000'000'000LL) + frac;
  return true;
}

// ---------------------------------------------------------------- Encoder

Encoder::Encoder() : buf_(new char[kMaxMessage]) {}
Encoder::~Encoder() { delete[] buf_; }

void Encoder::put(const char* p, std::size_t n) noexcept {
  if (n > kMaxMessage - kTrailer - pos_) {
    overflow_ = true;
    return;
  }
  copy_short(buf_ + pos_, p, n);
  pos_ += n;
}

char* Encoder::reserve(std::size_t n) noexcept {
  if (n > kMaxMessage - kTrailer - pos_) {
    overflow_ = true;
    return nullptr;
  }
  return buf_ + pos_;
}

void Encoder::put_tag(int tag) noexcept {
  char* p = reserve(12);  // 10 digits and '='
  if (p == nullptr) return;
  char* e = std::to_chars(p, p + 11, tag).ptr;
  *e++ = '=';
  pos_ = static_cast<std::size_t>(e - buf_);
}

void Encoder::begin(std::string_view msg_type, std::string_view sender, std::string_view target, uint64_t seq,
                    int64_t sending_time_ns, bool poss_dup, int64_t orig_sending_time_ns) noexcept {
  pos_ = kPrefixRoom;
  body_start_ = kPrefixRoom;
  start_ = 0;
  overflow_ = false;
  add(35, msg_type);
  add(49, sender);
  add(56, target);
  put_tag(34);
  char tmp[24];
  auto r = std::to_chars(tmp, tmp + sizeof tmp, seq);
  put(tmp, static_cast<std::size_t>(r.ptr - tmp));
  put(&kSoh, 1);
  if (poss_dup) {
    add_char(43, 'Y');
    add_utc_timestamp(122, orig_sending_time_ns, 3);
  }
  add_utc_timestamp(52, sending_time_ns, 3);
}

void Encoder::add(int tag, std::string_view value) noexcept {
  put_tag(tag);
  put(value.data(), value.size());
  put(&kSoh, 1);
}

void Encoder::add_char(int tag, char value) noexcept {
  put_tag(tag);
  const char v[2] = {value, kSoh};
  put(v, 2);
}

void Encoder::add_int(int tag, int64_t value) noexcept {
  put_tag(tag);
  char* p = reserve(21);  // sign, 19 digits, SOH
  if (p == nullptr) return;
  char* e = std::to_chars(p, p + 20, value).ptr;
  *e++ = kSoh;
  pos_ = static_cast<std::size_t>(e - buf_);
}

void Encoder::add_decimal(int tag, int64_t mantissa, int scale) noexcept {
  if (scale < 0 || scale > 18) {
    overflow_ = true;
    return;
  }
  put_tag(tag);
  // Digits of |mantissa| (unsigned: INT64_MIN has no positive counterpart).
  const uint64_t mag = mantissa < 0 ? 0 - static_cast<uint64_t>(mantissa) : static_cast<uint64_t>(mantissa);
  char digits[24];
  auto r = std::to_chars(digits, digits + sizeof digits, mag);
  auto nd = static_cast<int>(r.ptr - digits);
  char tmp[48];
  int k = 0;
  if (mantissa < 0) tmp[k++] = '-';
  if (nd <= scale) {  // 0.00ddd
    tmp[k++] = '0';
    tmp[k++] = '.';
    for (int i = 0; i < scale - nd; ++i) tmp[k++] = '0';
    for (int i = 0; i < nd; ++i) tmp[k++] = digits[i];
  } else {
    for (int i = 0; i < nd - scale; ++i) tmp[k++] = digits[i];
    if (scale > 0) {
      tmp[k++] = '.';
      for (int i = nd - scale; i < nd; ++i) tmp[k++] = digits[i];
    }
  }
  tmp[k++] = kSoh;
  put(tmp, static_cast<std::size_t>(k));
}

void Encoder::add_utc_timestamp(int tag, int64_t ns, int frac_digits) noexcept {
  if (frac_digits != 0 && frac_digits != 3 && frac_digits != 6 && frac_digits != 9) {
    overflow_ = true;
    return;
  }
  put_tag(tag);
  constexpr int64_t kNsPerDay = 86'400'000'000'000LL;
  int64_t days = ns / kNsPerDay;
  int64_t rem = ns % kNsPerDay;
  if (rem < 0) {
    rem += kNsPerDay;
    --days;
  }
  if (days != cached_day_) {  // the date changes once a day: format it once
    const Civil c = civil_from_days(days);
    const auto y = static_cast<unsigned>(c.y < 0 ? 0 : c.y > 9999 ? 9999 : c.y);
    put2(cached_date_, y / 100);
    put2(cached_date_ + 2, y % 100);
    put2(cached_date_ + 4, c.m);
    put2(cached_date_ + 6, c.d);
    cached_day_ = days;
  }
  const auto sec_of_day = static_cast<unsigned>(rem / 1'000'000'000LL);
  auto frac = static_cast<uint32_t>(rem % 1'000'000'000LL);
  char tmp[32];
  std::memcpy(tmp, cached_date_, 8);
  tmp[8] = '-';
  put2(tmp + 9, sec_of_day / 3600);
  tmp[11] = ':';
  put2(tmp + 12, sec_of_day / 60 % 60);
  tmp[14] = ':';
  put2(tmp + 15, sec_of_day % 60);
  int k = 17;
  if (frac_digits > 0) {
    tmp[k++] = '.';
    for (int i = frac_digits; i < 9; ++i) frac /= 10;
    for (int i = frac_digits - 1; i >= 0; --i) {
      tmp[k + i] = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    k += frac_digits;
  }
  tmp[k++] = kSoh;
  put(tmp, static_cast<std::size_t>(k));
}

std::string_view Encoder::finish() noexcept {
  if (overflow_) return {};
  const std::size_t body_len = pos_ - body_start_;
  // "9=<len><SOH>" right before the body, "8=FIX.4.4<SOH>" before that.
  char len_field[16];
  len_field[0] = '9';
  len_field[1] = '=';
  auto r = std::to_chars(len_field + 2, len_field + sizeof len_field - 1, body_len);
  *r.ptr++ = kSoh;
  const auto lf = static_cast<std::size_t>(r.ptr - len_field);
  start_ = body_start_ - lf - kBegin.size();
  std::memcpy(buf_ + start_, kBegin.data(), kBegin.size());
  std::memcpy(buf_ + start_ + kBegin.size(), len_field, lf);
  const unsigned sum = checksum(buf_ + start_, pos_ - start_);
  char* t = buf_ + pos_;  // put() always leaves kTrailer bytes free
  t[0] = '1';
  t[1] = '0';
  t[2] = '=';
  t[3] = static_cast<char>('0' + sum / 100);
  t[4] = static_cast<char>('0' + sum / 10 % 10);
  t[5] = static_cast<char>('0' + sum % 10);
  t[6] = kSoh;
  pos_ += kTrailer;
  return {buf_ + start_, pos_ - start_};
}

}  // namespace tp::fix
