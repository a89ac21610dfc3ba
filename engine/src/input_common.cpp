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
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "input_internal.hpp"
#include "tp/engine/input.hpp"

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
  return s;
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
    throw InputError(file_, line, std::string(field), clip_value(value), std::string(message));
  }
  ++stats_.skipped;
  if (stats_.issues.size() < kMaxIssues) {
    stats_.issues.push_back(
        InputIssue{line, std::string(field), clip_value(value), std::string(message)});
  }
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
  const int64_t spread = cfg.spread_ticks < 1 ? 1 : cfg.spread_ticks;
  const int32_t fixed_size = cfg.size_lots < 1 ? 1 : cfg.size_lots;
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
    const Qty size{cfg.size_from_trade ? std::max<int32_t>(1, e.last_qty.lots) : fixed_size};
    if (at_ask) {
      e.ask_px[0] = e.last;
      e.bid_px[0] = e.last - Ticks{spread};
    } else {
      e.bid_px[0] = e.last;
      e.ask_px[0] = e.last + Ticks{spread};
    }
    e.bid_qty[0] = size;
    e.ask_qty[0] = size;
    e.bid_levels = 1;
    e.ask_levels = 1;
    e.flags = static_cast<uint8_t>(e.flags | kInQuote | kInSynthetic);
  }
}

// ---------------------------------------------------------------- JSON-lines writer

void write_jsonl(const std::string& path, const std::vector<InputEvent>& events,
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
