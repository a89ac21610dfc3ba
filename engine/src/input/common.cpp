// Shared parts of the input readers: InputError, format detection, reading and
// unzipping files, the tick rule, and the normalized JSON-lines writer.
// Formats are documented in docs/FORMATS.md.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <mutex>
#include <string>
#include <string_view>

#include "internal.hpp"
#include "tp/engine/input/readers.hpp"

namespace tp {

namespace {

std::string error_text(const std::string& file, uint32_t line, const std::string& field,
                       const std::string& value, const std::string& message) {
  std::string s;
  s.reserve(file.size() + field.size() + value.size() + message.size() + 32);
  s += file;
  s += ':';
  s += std::to_string(line);
  s += ": field '";
  s += field;
  s += "' value '";
  s += value;
  s += "': ";
  s += message;
  return escape_for_message(s);
}

/// Length of the valid UTF-8 sequence at the start of `s` that is not a control
/// character (C0, DEL, C1), or 0.
std::size_t printable_utf8(std::string_view s) noexcept {
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = b(0);
  if (c >= 0x20 && c < 0x7f) return 1;
  if (c < 0xc2 || c > 0xf4) return 0;  // C0/DEL, continuation bytes, overlong leads, > U+10FFFF
  const std::size_t n = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
  if (s.size() < n) return 0;
  for (std::size_t i = 1; i < n; ++i) {
    if ((b(i) & 0xc0) != 0x80) return 0;
  }
  if (n == 2) return c == 0xc2 && b(1) < 0xa0 ? 0 : 2;        // U+0080..U+009F: C1 controls
  if (n == 3) {
    if (c == 0xe0 && b(1) < 0xa0) return 0;                    // overlong
    if (c == 0xed && b(1) >= 0xa0) return 0;                   // surrogates
    return 3;
  }
  if (c == 0xf0 && b(1) < 0x90) return 0;                      // overlong
  if (c == 0xf4 && b(1) >= 0x90) return 0;                     // > U+10FFFF
  return 4;
}

constexpr std::string_view kZipMagic{"PK\x03\x04", 4};
constexpr std::string_view kUtf8Bom{"\xEF\xBB\xBF", 3};
constexpr std::size_t kHeadBytes = 4096;
/// Refuse to inflate more than this (a corrupt or hostile archive must not exhaust memory).
constexpr uint64_t kMaxUnzippedBytes = uint64_t{4} << 30;

bool is_zip(std::string_view data) noexcept { return data.substr(0, 4) == kZipMagic; }

/// Reads up to `max_bytes` of a file (the whole file by default) with POSIX calls (no
/// iostreams). Throws std::runtime_error naming the path.
std::string read_file(const std::string& path, std::size_t max_bytes = SIZE_MAX) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw std::runtime_error("cannot open input file '" + path + "': " + std::strerror(errno));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    throw std::runtime_error("cannot stat input file '" + path + "': " + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) {
    throw std::runtime_error("input path '" + path + "' is a directory");
  }
  // Read straight into the string for the size fstat reports, then in chunks until EOF
  // (pipes, or a file that is still growing).
  std::string out;
  const std::size_t known =
      S_ISREG(st.st_mode) && st.st_size > 0 ? std::min(static_cast<std::size_t>(st.st_size), max_bytes) : 0;
  out.resize(known);
  std::size_t got = 0;
  char chunk[65536];
  for (;;) {
    const bool direct = got < known;
    const std::size_t room = direct ? known - got : std::min(sizeof chunk, max_bytes - got);
    if (room == 0) break;
    const ssize_t r = ::read(fd, direct ? out.data() + got : chunk, room);
    if (r < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("cannot read input file '" + path + "': " + std::strerror(errno));
    }
    if (r == 0) break;
    if (direct) {
      got += static_cast<std::size_t>(r);
    } else {
      out.resize(got);
      out.append(chunk, static_cast<std::size_t>(r));
      got = out.size();
    }
  }
  out.resize(got);
  return out;
}

struct ZipDiscard {
  void operator()(zip_t* z) const noexcept { zip_discard(z); }
};
struct ZipFileClose {
  void operator()(zip_file_t* f) const noexcept { zip_fclose(f); }
};

/// Opens the archive `zipdata` (in memory, nothing written to disk) and returns up to
/// `max_bytes` of its data entry; `entry` receives the entry's name. The data entry is
/// the first entry that is not a directory and not macOS metadata. Throws InputError
/// (line 0, field "zip") for a corrupt archive or one without a data entry.
std::string unzip_entry(const std::string& path, std::string_view zipdata, std::string& entry,
                        uint64_t max_bytes) {
  // One archive at a time: libzip converts the entries' DOS times with the C library's
  // local-time functions (tzset state), which TSan reports as a race when TickSet reads
  // several zips at once. The parsing after this stays parallel.
  static std::mutex zip_mu;
  const std::lock_guard zip_lock(zip_mu);
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(zipdata.data(), zipdata.size(), 0, &err);
  if (src == nullptr) {
    std::string msg = std::string("cannot read zip archive: ") + zip_error_strerror(&err);
    zip_error_fini(&err);
    throw InputError(path, 0, "zip", "", msg);
  }
  std::unique_ptr<zip_t, ZipDiscard> za(zip_open_from_source(src, ZIP_RDONLY, &err));
  if (!za) {
    zip_source_free(src);
    std::string msg = std::string("not a valid zip archive: ") + zip_error_strerror(&err);
    zip_error_fini(&err);
    throw InputError(path, 0, "zip", "", msg);
  }
  zip_error_fini(&err);
  const zip_int64_t n = zip_get_num_entries(za.get(), 0);
  zip_int64_t idx = -1;
  for (zip_int64_t i = 0; i < n; ++i) {
    const char* nm = zip_get_name(za.get(), static_cast<zip_uint64_t>(i), 0);
    if (nm == nullptr) continue;
    const std::string_view s(nm);
    if (s.empty() || s.back() == '/' || s.substr(0, 9) == "__MACOSX/") continue;
    idx = i;
    entry = nm;
    break;
  }
  if (idx < 0) throw InputError(path, 0, "zip", "", "zip archive holds no data file");
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(za.get(), static_cast<zip_uint64_t>(idx), 0, &st) != 0) {
    throw InputError(path, 0, "zip", entry, std::string("cannot stat entry: ") + zip_strerror(za.get()));
  }
  if ((st.valid & ZIP_STAT_SIZE) && st.size > kMaxUnzippedBytes && max_bytes > kMaxUnzippedBytes) {
    throw InputError(path, 0, "zip", entry, "entry is larger than 4 GiB uncompressed");
  }
  std::unique_ptr<zip_file_t, ZipFileClose> zf(zip_fopen_index(za.get(), static_cast<zip_uint64_t>(idx), 0));
  if (!zf) {
    throw InputError(path, 0, "zip", entry, std::string("cannot open entry: ") + zip_strerror(za.get()));
  }
  const uint64_t limit = std::min(max_bytes, kMaxUnzippedBytes);
  std::string out;
  // One spare byte beyond the stated size lets the read that finds EOF happen without
  // growing (and zero-filling) the buffer again.
  const std::size_t want = (st.valid & ZIP_STAT_SIZE)
                               ? static_cast<std::size_t>(std::min<uint64_t>(st.size, limit)) + 1
                               : 65536;
  out.resize(want);
  std::size_t got = 0;
  while (got < limit) {
    if (got == out.size()) {
      out.resize(static_cast<std::size_t>(std::min<uint64_t>(limit, uint64_t{out.size()} * 2)));
    }
    const zip_int64_t r = zip_fread(zf.get(), out.data() + got, out.size() - got);
    if (r < 0) {
      throw InputError(path, 0, "zip", entry,
                       std::string("cannot inflate entry: ") + zip_file_strerror(zf.get()));
    }
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  if (got >= kMaxUnzippedBytes && max_bytes > kMaxUnzippedBytes) {
    throw InputError(path, 0, "zip", entry, "entry is larger than 4 GiB uncompressed");
  }
  out.resize(std::min<std::size_t>(got, static_cast<std::size_t>(limit)));
  return out;
}

/// Number of comma-separated fields of the first line of `s`.
int first_line_columns(std::string_view s, std::string_view& rest) noexcept {
  const std::size_t nl = s.find('\n');
  std::string_view line = s.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view{} : s.substr(nl + 1);
  return static_cast<int>(std::count(line.begin(), line.end(), ',')) + 1;
}

/// "20210726," or "210726," at the start of a line (a TAIFEX data row's date).
bool starts_with_date_field(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  return (i == 8 || i == 6) && i < s.size() && s[i] == ',';
}

void append(std::string& out, std::string_view s) { out.append(s.data(), s.size()); }

void append_int(std::string& out, int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  out += '"';
}

void append_price(std::string& out, Price p, const Decimal& tick) {
  char buf[64];
  const std::size_t n = detail::format_price(buf, p, tick);
  out += '"';
  out.append(buf, n);
  out += '"';
}

void append_levels(std::string& out, const Price* px, const Qty* qty, int n, const Decimal& tick) {
  out += '[';
  for (int i = 0; i < n; ++i) {
    if (i) out += ',';
    out += '[';
    append_price(out, px[i], tick);
    out += ',';
    append_int(out, qty[i].lots);
    out += ']';
  }
  out += ']';
}

}  // namespace

// ---------------------------------------------------------------- InputError

std::string escape_for_message(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t n = printable_utf8(s.substr(i));
    if (n > 0) {
      out.append(s.data() + i, n);
      i += n;
      continue;
    }
    static constexpr char kHex[] = "0123456789abcdef";
    const auto u = static_cast<unsigned char>(s[i]);
    out += "\\x";
    out += kHex[u >> 4];
    out += kHex[u & 15];
    ++i;
  }
  return out;
}

InputError::InputError(std::string file, uint32_t line, std::string field, std::string value,
                       std::string message)
    : std::runtime_error(error_text(file, line, field, value, message)),
      file_(std::move(file)),
      line_(line),
      field_(std::move(field)),
      value_(std::move(value)) {}

namespace detail {

std::string clip_value(std::string_view v) {
  if (v.size() <= kMaxValueChars) return std::string(v);
  std::string s(v.substr(0, kMaxValueChars));
  s += "...";
  return s;
}

void BadLines::report(uint32_t line, std::string_view field, std::string_view value,
                      std::string_view message) {
  if (!skip_bad_) {
    if (!any_ || line < first_.line) {
      first_ = InputIssue{{}, line, std::string(field), clip_value(value), std::string(message)};
    }
    any_ = true;
    return;
  }
  any_ = true;
  ++stats_.skipped;
  std::vector<InputIssue>& v = stats_.issues;
  if (v.size() >= kMaxIssues && line >= v.back().line) return;
  // Keep the kMaxIssues smallest lines, sorted (reports arrive mostly in line order).
  auto pos = v.end();
  while (pos != v.begin() && (pos - 1)->line > line) --pos;
  v.insert(pos, InputIssue{{}, line, escape_for_message(field), escape_for_message(clip_value(value)),
                           escape_for_message(message)});
  if (v.size() > kMaxIssues) v.pop_back();
}

void BadLines::throw_first() const {
  if (skip_bad_ || !any_) return;
  throw InputError(file_, first_.line, first_.field, first_.value, first_.message);
}

const char* const kEventTimeRangeMessage =
    "event time out of range (1990-01-01 to 2099-12-31 UTC)";

std::string check_price(const Instrument& inst, const Decimal& d, Price& out) {
  Price p;
  if (!inst.to_ticks(d, p)) {
    char buf[64];
    const std::size_t n = format_price(buf, Price{1}, inst.tick_size);
    return "price is not a multiple of the tick size " + std::string(buf, n) + " (or out of range)";
  }
  if (const char* why = price_bound_error(p)) return why;
  out = p;
  return {};
}

std::vector<bool> keep_in_time_order(const std::vector<int64_t>& ts, bool strict) {
  const std::size_t n = ts.size();
  std::vector<bool> keep(n, true);
  if (n < 2) return keep;
  // Fast path: already in order (every real recording).
  bool sorted = true;
  for (std::size_t i = 1; i < n && sorted; ++i) sorted = strict ? ts[i - 1] < ts[i] : ts[i - 1] <= ts[i];
  if (sorted) return keep;
  // from[i]: length of the longest ordered subsequence that starts at i. Computed from
  // the right as the longest ordered run of -ts (patience sorting, O(n log n)).
  std::vector<uint32_t> from(n);
  std::vector<int64_t> tails;  // tails[k]: smallest last value of a run of length k + 1
  tails.reserve(64);
  for (std::size_t j = n; j-- > 0;) {
    const int64_t v = -ts[j];  // |ts| < 2^63: event times are range-checked first
    const auto it = strict ? std::lower_bound(tails.begin(), tails.end(), v)
                           : std::upper_bound(tails.begin(), tails.end(), v);
    from[j] = static_cast<uint32_t>(it - tails.begin()) + 1;
    if (it == tails.end()) {
      tails.push_back(v);
    } else {
      *it = v;
    }
  }
  const uint32_t best = static_cast<uint32_t>(tails.size());
  // Greedy from the left: keep each element that can still start an optimal completion.
  uint32_t kept = 0;
  bool have = false;
  int64_t last = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const bool fits = !have || (strict ? ts[i] > last : ts[i] >= last);
    if (fits && kept < best && from[i] == best - kept) {
      ++kept;
      have = true;
      last = ts[i];
    } else {
      keep[i] = false;
    }
  }
  return keep;
}

std::string time_order_message(const std::vector<int64_t>& ts, const std::vector<uint32_t>& lines,
                               const std::vector<bool>& keep, std::size_t i, bool strict,
                               const std::function<std::string(std::size_t)>& describe) {
  std::size_t prev = i;
  while (prev > 0 && !keep[prev - 1]) --prev;
  if (prev > 0 && (strict ? ts[i] <= ts[prev - 1] : ts[i] < ts[prev - 1])) {
    return std::string(strict && ts[i] == ts[prev - 1] ? "time repeats" : "time goes backwards") +
           ": line " + std::to_string(lines[prev - 1]) + " has " + describe(prev - 1) +
           " (lines must be in " + (strict ? "increasing" : "non-decreasing") + " time order)";
  }
  std::size_t next = i + 1;
  while (next < ts.size() && !keep[next]) ++next;
  if (next < ts.size()) {
    return "time is later than the lines after it (line " + std::to_string(lines[next]) + " has " +
           describe(next) + "): a wild time stamp, dropped so that the lines after it are kept";
  }
  return "time out of order";
}

// ---------------------------------------------------------------- price band

PriceBand::PriceBand(const Instrument& inst, const ReadOptions& opt) : inst_(inst) {
  check_read_options(opt, inst);
  pct_ = opt.price_band_pct;
  half_ppm_ = static_cast<int64_t>(std::llround(pct_ * 1e6));
  if (opt.reference_price) {
    fixed_ = true;
    (void)inst.to_ticks(*opt.reference_price, fixed_ref_);  // checked above
  }
}

void PriceBand::observe(TradingDay day, Price p, bool trade) {
  if (!on() || fixed_) return;
  if (days_.empty() || days_.back().day != day) {
    days_.push_back(Day{});
    days_.back().day = day;
  }
  Day& d = days_.back();
  if (trade) {
    if (d.trades < kVetTrades) d.first_trades[d.trades++] = p;
  } else if (d.books < kVetTrades) {
    d.first_books[d.books++] = p;
  }
}

void PriceBand::settle() {
  for (Day& d : days_) {
    const bool book = d.trades == 0;
    const Price* first = book ? d.first_books : d.first_trades;
    const int n = book ? d.books : d.trades;
    if (n == 0) continue;
    Price sorted[kVetTrades];
    for (int i = 0; i < n; ++i) {  // insertion sort of at most five prices
      int j = i;
      for (; j > 0 && sorted[j - 1] > first[i]; --j) sorted[j] = sorted[j - 1];
      sorted[j] = first[i];
    }
    const Price median = sorted[(n - 1) / 2];
    const int64_t half = half_width(median);
    d.reference = median;
    for (int i = 0; i < n; ++i) {
      const int64_t dist = first[i].ticks > median.ticks ? first[i].ticks - median.ticks
                                                         : median.ticks - first[i].ticks;
      if (dist <= half) {
        d.reference = first[i];
        break;
      }
    }
    d.from_book = book;
  }
}

int64_t PriceBand::half_width(Price reference) const noexcept {
  // reference <= kMaxPriceTicks (1e9) and half_ppm_ <= 1e9: the product fits.
  return reference.ticks * half_ppm_ / 100'000'000;
}

const PriceBand::Day* PriceBand::find(TradingDay day) const noexcept {
  if (days_.empty()) return nullptr;
  if (last_ < days_.size() && days_[last_].day == day) return &days_[last_];
  const auto it = std::lower_bound(days_.begin(), days_.end(), day,
                                   [](const Day& d, TradingDay x) { return d.day < x; });
  if (it == days_.end() || it->day != day) return nullptr;
  last_ = static_cast<std::size_t>(it - days_.begin());
  return &*it;
}

bool PriceBand::contains(TradingDay day, Price p) const noexcept {
  if (!on()) return true;
  Price ref = fixed_ref_;
  if (!fixed_) {
    const Day* d = find(day);
    if (d == nullptr || (d->trades == 0 && d->books == 0)) return true;
    ref = d->reference;
  }
  const int64_t dist = p.ticks > ref.ticks ? p.ticks - ref.ticks : ref.ticks - p.ticks;
  return dist <= half_width(ref);
}

std::string PriceBand::message(TradingDay day, Price p) const {
  Price ref = fixed_ref_;
  std::string what = "the given reference price";
  if (!fixed_) {
    const Day* d = find(day);
    if (d != nullptr) ref = d->reference;
    what = std::string(d != nullptr && d->from_book ? "the first book price" : "the first trade") +
           " of trading day " + format_date(day.yyyymmdd);
  }
  const int64_t half = half_width(ref);
  char pct[32];
  std::snprintf(pct, sizeof pct, "%g", pct_);
  return "price " + inst_.format_price(p) + " is outside the " + pct + "% price band " +
         inst_.format_price(Price{ref.ticks - half}) + ".." + inst_.format_price(Price{ref.ticks + half}) +
         " around the reference " + inst_.format_price(ref) + " (" + what +
         "; see --price-band-pct and --reference-price)";
}

void throw_symbol_not_found(const std::string& file, std::string_view field,
                            std::string_view symbol, uint64_t data_lines) {
  std::string msg = "symbol '" + std::string(symbol) + "' does not occur in the file";
  if (data_lines == 0) msg += " (the file has no data lines)";
  throw InputError(file, 0, std::string(field), std::string(symbol), msg);
}

std::size_t format_price(char* buf, Price p, const Decimal& tick) noexcept {
  __extension__ typedef __int128 i128;
  __extension__ typedef unsigned __int128 u128;
  static constexpr uint64_t kPow10[] = {1,      10,      100,      1000,      10000,
                                        100000, 1000000, 10000000, 100000000, 1000000000};
  const int scale = tick.scale < 0 ? 0 : (tick.scale > 9 ? 9 : tick.scale);
  const i128 v = static_cast<i128>(p.ticks) * tick.mantissa;
  const bool neg = v < 0;
  const u128 a = static_cast<u128>(neg ? -v : v);
  const u128 ip = a / kPow10[scale];
  uint64_t fp = static_cast<uint64_t>(a % kPow10[scale]);
  char* o = buf;
  if (neg) *o++ = '-';
  // |ticks * mantissa| < 2^127: at most 39 digits, but prices are far smaller; print
  // the integer part through two 64-bit halves to stay exact either way.
  char digits[48];
  int nd = 0;
  u128 x = ip;
  do {
    digits[nd++] = static_cast<char>('0' + static_cast<int>(x % 10));
    x /= 10;
  } while (x != 0 && nd < 40);
  while (nd > 0) *o++ = digits[--nd];
  if (scale > 0 && fp != 0) {
    int d = scale;
    while (fp % 10 == 0) {
      fp /= 10;
      --d;
    }
    *o++ = '.';
    for (int i = d - 1; i >= 0; --i) {
      o[i] = static_cast<char>('0' + static_cast<int>(fp % 10));
      fp /= 10;
    }
    o += d;
  }
  return static_cast<std::size_t>(o - buf);
}

InputFormat detect_from_head(std::string_view head) noexcept {
  if (head.substr(0, sizeof kBinaryMagic) == std::string_view(kBinaryMagic, sizeof kBinaryMagic)) {
    return InputFormat::Binary;
  }
  if (is_zip(head)) return InputFormat::Taifex;
  std::string_view s = head;
  if (s.substr(0, 3) == kUtf8Bom) s.remove_prefix(3);
  if (s.substr(0, std::string_view("商品代碼").size()) == "商品代碼") return InputFormat::Bars;
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
  if (i < s.size() && s[i] == '{') return InputFormat::Jsonl;
  std::string_view rest;
  if (first_line_columns(s, rest) == 9) {
    // Headerless file (the first line is a data row) or a header and then a data row.
    if (starts_with_date_field(s) || starts_with_date_field(rest)) return InputFormat::Taifex;
  }
  return InputFormat::Auto;
}

}  // namespace detail

// ---------------------------------------------------------------- options

void check_read_options(const ReadOptions& opt, const Instrument& inst) {
  if (!(std::isfinite(opt.price_band_pct) && opt.price_band_pct >= 0.0 &&
        opt.price_band_pct <= kMaxPriceBandPct)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", opt.price_band_pct);
    throw std::invalid_argument(std::string("price band (--price-band-pct) must be 0 (off) to 1000 percent, got ") +
                                buf);
  }
  if (opt.reference_price) {
    const Decimal& d = *opt.reference_price;
    Price p;
    std::string why = detail::check_price(inst, d, p);
    if (!why.empty()) {
      char buf[64];
      Instrument unit;
      unit.tick_size = Decimal{1, d.scale < 0 || d.scale > 9 ? 0 : d.scale};
      const std::size_t n = detail::format_price(buf, Price{d.mantissa}, unit.tick_size);
      throw std::invalid_argument("reference price (--reference-price) " + std::string(buf, n) +
                                  " of " + inst.symbol + ": " + why);
    }
  }
}

// ---------------------------------------------------------------- detection, reading

InputFormat detect_format(const std::string& path) {
  const std::string start = read_file(path, kHeadBytes);
  std::string_view head = start;
  std::string name = path;
  std::string inner;
  if (is_zip(head)) {
    std::string entry;
    const std::string bytes = read_file(path);  // the directory is at the end
    inner = unzip_entry(path, bytes, entry, kHeadBytes);
    name = path + "!" + entry;
    head = inner;
  }
  const InputFormat f = detail::detect_from_head(head);
  if (f == InputFormat::Auto) {
    const std::string_view first = head.substr(0, head.find('\n'));
    throw InputError(name, head.empty() ? 0 : 1, "format", detail::clip_value(detail::trim(first)),
                     head.empty() ? "empty file: cannot detect the input format"
                                  : "unknown input format (expected a TAIFEX daily CSV, a Capital "
                                    "1-minute bar CSV, normalized JSON lines or a binary tick file; "
                                    "see --format)");
  }
  return f;
}

TickData read_ticks(const std::string& path, const Instrument& inst, const ReadOptions& opt) {
  const std::string bytes = read_file(path);
  std::string_view data = bytes;
  std::string name = path;
  std::string inner;
  if (is_zip(data)) {
    std::string entry;
    inner = unzip_entry(path, data, entry, UINT64_MAX);
    name = path + "!" + entry;
    data = inner;
  }
  InputFormat f = opt.format;
  if (f == InputFormat::Auto) {
    const std::string_view head = data.substr(0, kHeadBytes);
    f = detail::detect_from_head(head);
    if (f == InputFormat::Auto) {
      const std::string_view first = head.substr(0, head.find('\n'));
      throw InputError(name, data.empty() ? 0 : 1, "format", detail::clip_value(detail::trim(first)),
                       data.empty() ? "empty file: cannot detect the input format"
                                    : "unknown input format (expected a TAIFEX daily CSV, a "
                                      "Capital 1-minute bar CSV, normalized JSON lines or a binary "
                                      "tick file; see --format)");
    }
  }
  TickData td;
  switch (f) {
    case InputFormat::Taifex: td = read_taifex_csv(name, data, inst, opt); break;
    case InputFormat::Bars: td = read_capital_bars(name, data, inst, opt); break;
    case InputFormat::Jsonl: td = read_jsonl(name, data, inst, opt); break;
    case InputFormat::Binary: td = read_binary(name, data, inst, opt); break;
    case InputFormat::Auto: break;
  }
  td.source = path;
  return td;
}

// ---------------------------------------------------------------- tick rule

void apply_tick_rule(std::vector<InputEvent>& events, const TickRuleConfig& cfg) {
  if (!cfg.enabled) return;
  const int64_t spread = std::clamp<int64_t>(cfg.spread_ticks, 1, kMaxSpreadTicks);
  const int32_t fixed_size = std::clamp<int32_t>(cfg.size_lots, 1, kMaxQtyLots);
  bool have_prev = false;
  bool at_ask = true;  // side the previous trade traded at (first trade: an uptick)
  Price prev;
  for (InputEvent& e : events) {
    if (!(e.flags & kInTrade)) continue;
    if (!have_prev || e.last > prev) {
      at_ask = true;
    } else if (e.last < prev) {
      at_ask = false;
    }  // unchanged: keep the previous side
    have_prev = true;
    prev = e.last;
    if (e.flags & kInQuote) continue;
    const Qty size{cfg.size_from_trade ? std::clamp<int32_t>(e.last_qty.lots, 1, kMaxQtyLots)
                                       : fixed_size};
    // The other side is made only where a price can be (1..kMaxPriceTicks ticks).
    e.bid_px[0] = at_ask ? e.last - Ticks{spread} : e.last;
    e.ask_px[0] = at_ask ? e.last : e.last + Ticks{spread};
    e.bid_levels = e.bid_px[0].ticks >= 1 ? 1 : 0;
    e.ask_levels = e.ask_px[0].ticks <= kMaxPriceTicks ? 1 : 0;
    if (e.bid_levels == 0) e.bid_px[0] = Price{};
    if (e.ask_levels == 0) e.ask_px[0] = Price{};
    e.bid_qty[0] = e.bid_levels ? size : Qty{};
    e.ask_qty[0] = e.ask_levels ? size : Qty{};
    e.flags = static_cast<uint8_t>(e.flags | kInQuote | kInSynthetic);
  }
}

// ---------------------------------------------------------------- JSON-lines writer

void write_jsonl(const std::string& path, std::span<const InputEvent> events,
                 const Instrument& inst) {
  struct FileCloser {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "wb"));
  if (!file) {
    throw std::runtime_error("cannot open '" + path + "' for writing: " + std::strerror(errno));
  }
  std::string sym;
  append_json_string(sym, inst.symbol);
  std::string out;
  out.reserve(1 << 20);
  auto flush = [&] {
    if (!out.empty() && std::fwrite(out.data(), 1, out.size(), file.get()) != out.size()) {
      throw std::runtime_error("cannot write '" + path + "': " + std::strerror(errno));
    }
    out.clear();
  };
  for (const InputEvent& e : events) {
    const bool trade = (e.flags & kInTrade) != 0;
    // Synthetic levels (tick rule) are not data: they are dropped, and the reader
    // derives them again from the trades with its own TickRuleConfig.
    const bool book = (e.flags & kInQuote) != 0 && (e.flags & kInSynthetic) == 0;
    if (!trade && !book) continue;
    append(out, trade ? (book ? "{\"type\":\"tick\",\"ts_ns\":" : "{\"type\":\"trade\",\"ts_ns\":")
                      : "{\"type\":\"quote\",\"ts_ns\":");
    append_int(out, e.ts.ns);
    if (e.day.valid()) {
      append(out, ",\"day\":");
      append_int(out, e.day.yyyymmdd);
    }
    append(out, ",\"symbol\":");
    append(out, sym);
    if (trade) {
      append(out, ",\"price\":");
      append_price(out, e.last, inst.tick_size);
      append(out, ",\"qty\":");
      append_int(out, e.last_qty.lots);
      if (e.flags & kInAuction) append(out, ",\"auction\":true");
    }
    if (book) {
      append(out, ",\"bids\":");
      append_levels(out, e.bid_px, e.bid_qty, std::min<int>(e.bid_levels, kMaxLevels), inst.tick_size);
      append(out, ",\"asks\":");
      append_levels(out, e.ask_px, e.ask_qty, std::min<int>(e.ask_levels, kMaxLevels), inst.tick_size);
    }
    append(out, "}\n");
    if (out.size() >= (1u << 20) - 1024) flush();
  }
  flush();
  if (std::fclose(file.release()) != 0) {
    throw std::runtime_error("cannot write '" + path + "': " + std::strerror(errno));
  }
}

}  // namespace tp
