// The compact binary tick format (docs/FORMATS.md "binary"): a 256-byte header and the
// InputEvent records as the engine holds them, so that replay can map the file and point
// the pipeline straight at it. Writer (write_binary), mapped reader (MappedTicks), copying
// reader (read_binary) and the XXH64 checksum.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "internal.hpp"
#include "tp/engine/input/readers.hpp"

namespace tp {

// The documented layout (docs/FORMATS.md) is checked here, field by field.
static_assert(offsetof(BinaryHeader, version) == 8);
static_assert(offsetof(BinaryHeader, record_count) == 24);
static_assert(offsetof(BinaryHeader, records_xxh64) == 32);
static_assert(offsetof(BinaryHeader, tick_mantissa) == 56);
static_assert(offsetof(BinaryHeader, utc_offset_ns) == 72);
static_assert(offsetof(BinaryHeader, tick_rule_spread_ticks) == 96);
static_assert(offsetof(BinaryHeader, symbol) == 112);
static_assert(offsetof(BinaryHeader, contract) == 128);
static_assert(offsetof(BinaryHeader, header_xxh64) == 160);
static_assert(offsetof(InputEvent, last) == 24);
static_assert(offsetof(InputEvent, last_qty) == 32);
static_assert(offsetof(InputEvent, bid_px) == 40);
static_assert(offsetof(InputEvent, ask_px) == 80);
static_assert(offsetof(InputEvent, bid_qty) == 120);
static_assert(offsetof(InputEvent, ask_qty) == 140);

namespace {

// ---------------------------------------------------------------- XXH64

constexpr uint64_t kP1 = 0x9E3779B185EBCA87ULL;
constexpr uint64_t kP2 = 0xC2B2AE3D27D4EB4FULL;
constexpr uint64_t kP3 = 0x165667B19E3779F9ULL;
constexpr uint64_t kP4 = 0x85EBCA77C2B2AE63ULL;
constexpr uint64_t kP5 = 0x27D4EB2F165667C5ULL;

inline uint64_t rotl(uint64_t x, int r) noexcept {
  return (x << r) | (x >> (64 - r));
}
inline uint64_t read64(const unsigned char* p) noexcept {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;  // little-endian host (static_assert in input.hpp)
}
inline uint32_t read32(const unsigned char* p) noexcept {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t round64(uint64_t acc, uint64_t in) noexcept {
  acc += in * kP2;
  acc = rotl(acc, 31);
  return acc * kP1;
}
inline uint64_t merge_round(uint64_t acc, uint64_t val) noexcept {
  acc ^= round64(0, val);
  return acc * kP1 + kP4;
}

/// Streaming XXH64 (the reference algorithm; same digest as one call over the
/// concatenation of every update). Never allocates.
class Xxh64 {
 public:
  explicit Xxh64(uint64_t seed = 0) noexcept
      : v1_(seed + kP1 + kP2), v2_(seed + kP2), v3_(seed), v4_(seed - kP1), seed_(seed) {}

  void update(const void* data, std::size_t len) noexcept {
    const auto* p = static_cast<const unsigned char*>(data);
    const unsigned char* const end = p + len;
    total_ += len;
    if (len < 32 - buffered_) {  // buffered_ < 32 always
      for (std::size_t i = 0; i < len; ++i) buf_[buffered_ + i] = p[i];
      buffered_ += len;
      return;
    }
    if (buffered_ > 0) {
      const std::size_t fill = 32 - buffered_;
      std::memcpy(buf_ + buffered_, p, fill);
      p += fill;
      stripe(buf_);
      buffered_ = 0;
    }
    // Four independent lanes: the multiplies pipeline.
    uint64_t v1 = v1_, v2 = v2_, v3 = v3_, v4 = v4_;
    while (end - p >= 32) {
      v1 = round64(v1, read64(p));
      v2 = round64(v2, read64(p + 8));
      v3 = round64(v3, read64(p + 16));
      v4 = round64(v4, read64(p + 24));
      p += 32;
    }
    v1_ = v1, v2_ = v2, v3_ = v3, v4_ = v4;
    buffered_ = static_cast<std::size_t>(end - p);
    std::memcpy(buf_, p, buffered_);
  }

  [[nodiscard]] uint64_t digest() const noexcept {
    uint64_t h;
    if (total_ >= 32) {
      h = rotl(v1_, 1) + rotl(v2_, 7) + rotl(v3_, 12) + rotl(v4_, 18);
      h = merge_round(h, v1_);
      h = merge_round(h, v2_);
      h = merge_round(h, v3_);
      h = merge_round(h, v4_);
    } else {
      h = seed_ + kP5;
    }
    h += total_;
    const unsigned char* p = buf_;
    std::size_t left = buffered_;
    while (left >= 8) {
      h ^= round64(0, read64(p));
      h = rotl(h, 27) * kP1 + kP4;
      p += 8;
      left -= 8;
    }
    if (left >= 4) {
      h ^= uint64_t{read32(p)} * kP1;
      h = rotl(h, 23) * kP2 + kP3;
      p += 4;
      left -= 4;
    }
    while (left > 0) {
      h ^= uint64_t{*p} * kP5;
      h = rotl(h, 11) * kP1;
      ++p;
      --left;
    }
    h ^= h >> 33;
    h *= kP2;
    h ^= h >> 29;
    h *= kP3;
    h ^= h >> 32;
    return h;
  }

 private:
  void stripe(const unsigned char* p) noexcept {
    v1_ = round64(v1_, read64(p));
    v2_ = round64(v2_, read64(p + 8));
    v3_ = round64(v3_, read64(p + 16));
    v4_ = round64(v4_, read64(p + 24));
  }

  uint64_t v1_, v2_, v3_, v4_;
  uint64_t seed_;
  uint64_t total_ = 0;
  unsigned char buf_[32] = {};
  std::size_t buffered_ = 0;
};

// ---------------------------------------------------------------- helpers

std::string hex64(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%016" PRIx64, v);
  return buf;
}

std::string_view fixed_string(const char* s, std::size_t cap) noexcept {
  return std::string_view(s, ::strnlen(s, cap));
}

std::string format_decimal(int64_t mantissa, int32_t scale) {
  Instrument i;
  i.tick_size = Decimal{1, std::clamp(scale, 0, 9)};
  return i.format_price(Price{mantissa});
}

/// a == b as decimal values (1 == 1.0 == 1.00).
bool same_decimal(int64_t am, int32_t as, int64_t bm, int32_t bs) noexcept {
  __extension__ typedef __int128 i128;
  if (as < 0 || as > 18 || bs < 0 || bs > 18) return false;
  i128 a = am, b = bm;
  for (int32_t s = as; s < bs; ++s) a *= 10;
  for (int32_t s = bs; s < as; ++s) b *= 10;
  return a == b;
}

/// The tick rule as it affects the synthetic book (values below 1 count as 1, the size
/// is irrelevant when taken from the trade, nothing matters when it is off).
struct TickRuleKey {
  bool enabled;
  int64_t spread;
  int32_t size;
  bool from_trade;
  friend bool operator==(const TickRuleKey&, const TickRuleKey&) = default;
};
TickRuleKey key_of(bool enabled, int64_t spread, int32_t size, bool from_trade) noexcept {
  if (!enabled) return TickRuleKey{false, 0, 0, false};
  return TickRuleKey{true, std::max<int64_t>(1, spread),
                     from_trade ? 0 : std::max<int32_t>(1, size), from_trade};
}
TickRuleKey key_of(const TickRuleConfig& c) noexcept {
  return key_of(c.enabled, c.spread_ticks, c.size_lots, c.size_from_trade);
}
TickRuleKey key_of(const BinaryHeader& h) noexcept {
  return key_of(h.tick_rule_enabled != 0, h.tick_rule_spread_ticks, h.tick_rule_size_lots,
                h.tick_rule_size_from_trade != 0);
}

std::string format_hours(int32_t a, int32_t b, int32_t c, int32_t d) {
  return "day " + format_hhmmss(a) + "-" + format_hhmmss(b) + ", night " + format_hhmmss(c) + "-" +
         format_hhmmss(d);
}

/// Validates everything but the records (docs/FORMATS.md "binary", "Validation") and
/// returns the header. `file` is the whole file.
BinaryHeader check_header(const std::string& name, std::string_view file, const Instrument& inst,
                          const ReadOptions& opt) {
  check_read_options(opt, inst);
  const std::size_t size = file.size();
  if (size == 0) {
    throw InputError(name, 0, "header", "0 bytes", "empty file: not a tickpipe binary tick file");
  }
  if (size < sizeof kBinaryMagic ||
      std::memcmp(file.data(), kBinaryMagic, sizeof kBinaryMagic) != 0) {
    throw InputError(name, 0, "magic", std::string(file.substr(0, sizeof kBinaryMagic)),
                     "not a tickpipe binary tick file (expected the magic \"TPTICK01\")");
  }
  if (size < kBinaryHeaderBytes) {
    throw InputError(name, 0, "header", std::to_string(size) + " bytes",
                     "truncated header: a binary tick file starts with a " +
                         std::to_string(kBinaryHeaderBytes) + "-byte header");
  }
  BinaryHeader h;
  std::memcpy(&h, file.data(), sizeof h);
  if (h.version != kBinaryVersion) {
    throw InputError(name, 0, "version", std::to_string(h.version),
                     "unsupported binary format version (this build reads version " +
                         std::to_string(kBinaryVersion) + "); re-convert the source recording");
  }
  if (h.header_bytes != kBinaryHeaderBytes) {
    throw InputError(name, 0, "header_bytes", std::to_string(h.header_bytes),
                     "expected " + std::to_string(kBinaryHeaderBytes));
  }
  if (h.record_bytes != sizeof(InputEvent)) {
    throw InputError(
        name, 0, "record_bytes", std::to_string(h.record_bytes),
        "record size differs from this build's InputEvent (" + std::to_string(sizeof(InputEvent)) +
            " bytes): written by an incompatible build; re-convert the source recording");
  }
  if (const uint64_t want = binary_header_checksum(h); want != h.header_xxh64) {
    throw InputError(
        name, 0, "header_xxh64", hex64(h.header_xxh64),
        "header checksum mismatch (computed " + hex64(want) + "): the header is corrupt");
  }
  constexpr uint64_t kMaxRecords =
      (std::numeric_limits<uint64_t>::max() - kBinaryHeaderBytes) / sizeof(InputEvent);
  const uint64_t expect = h.record_count > kMaxRecords
                              ? std::numeric_limits<uint64_t>::max()
                              : kBinaryHeaderBytes + h.record_count * uint64_t{sizeof(InputEvent)};
  if (expect != size) {
    throw InputError(name, 0, "record_count", std::to_string(h.record_count),
                     "the file is " + std::to_string(size) + " bytes but the header and " +
                         std::to_string(h.record_count) + " records of " +
                         std::to_string(sizeof(InputEvent)) + " bytes make " +
                         (expect == std::numeric_limits<uint64_t>::max() ? std::string("more")
                                                                         : std::to_string(expect)) +
                         (size < expect ? " (truncated file)" : " (trailing bytes)"));
  }
  if (!same_decimal(h.tick_mantissa, h.tick_scale, inst.tick_size.mantissa, inst.tick_size.scale)) {
    throw InputError(name, 0, "tick_size", format_decimal(h.tick_mantissa, h.tick_scale),
                     "the file was converted for tick size " +
                         format_decimal(h.tick_mantissa, h.tick_scale) + " but the instrument " +
                         inst.symbol + " has tick size " +
                         format_decimal(inst.tick_size.mantissa, inst.tick_size.scale) +
                         " (prices are stored in ticks); re-convert with this instrument");
  }
  if (h.utc_offset_ns != inst.utc_offset_ns) {
    throw InputError(
        name, 0, "utc_offset_ns", std::to_string(h.utc_offset_ns),
        "the file's trading days and sessions were derived with another UTC offset than the "
        "instrument's " +
            std::to_string(inst.utc_offset_ns) + "; re-convert with this configuration");
  }
  const SessionHours& sh = opt.hours;
  if (h.day_open_sec != sh.day_open_sec || h.day_close_sec != sh.day_close_sec || h.night_open_sec != sh.night_open_sec ||
      h.night_close_sec != sh.night_close_sec) {
    throw InputError(
        name, 0, "hours", format_hours(h.day_open_sec, h.day_close_sec, h.night_open_sec, h.night_close_sec),
        "the file's trading days and sessions were derived with other session hours than the "
        "configured " +
            format_hours(sh.day_open_sec, sh.day_close_sec, sh.night_open_sec, sh.night_close_sec) +
            "; re-convert with this configuration");
  }
  const std::string_view symbol = fixed_string(h.symbol, sizeof h.symbol);
  const std::string_view want_symbol = detail::trim(opt.symbol);
  if (!want_symbol.empty() && want_symbol != symbol) {
    throw InputError(name, 0, "symbol", std::string(want_symbol),
                     "symbol '" + std::string(want_symbol) +
                         "' does not occur in the file (it holds '" + std::string(symbol) + "')");
  }
  const std::string_view contract = fixed_string(h.contract, sizeof h.contract);
  const std::string_view want_contract = detail::requested_contract(opt);
  if (!want_contract.empty() && !contract.empty() && want_contract != contract) {
    throw InputError(name, 0, "contract", std::string(want_contract),
                     "contract '" + std::string(want_contract) +
                         "' does not occur in the file (it holds '" + std::string(contract) + "')");
  }
  return h;
}

/// One pass over the records: ts non-decreasing, level counts, session and flag bits,
/// and (verify) the XXH64 of the record bytes, in blocks that stay in L1 between the hash
/// and the checks. A record error found while the checksum is on is reported as the
/// checksum mismatch when the bytes are corrupt (corruption, not a writer bug).
/// Why one record's values are not what a reader accepts (docs/FORMATS.md "Validation"),
/// or nullptr. Sets `field` and `value`.
const char* record_error(const InputEvent& e, const char*& field, std::string& value) {
  if (!detail::event_time_ok(e.ts.ns)) {
    field = "ts_ns";
    value = std::to_string(e.ts.ns);
    return detail::kEventTimeRangeMessage;
  }
  if (e.flags & kInTrade) {
    if (const char* why = detail::price_bound_error(e.last)) {
      field = "last";
      value = std::to_string(e.last.ticks);
      return why;
    }
    if (e.last_qty.lots < 1 || e.last_qty.lots > kMaxQtyLots) {
      field = "last_qty";
      value = std::to_string(e.last_qty.lots);
      return "trade quantity must be 1..1000000 lots";
    }
  }
  if (e.bid_levels > kMaxLevels || e.ask_levels > kMaxLevels) {
    const bool bid = e.bid_levels > kMaxLevels;
    field = bid ? "bid_levels" : "ask_levels";
    value = std::to_string(bid ? e.bid_levels : e.ask_levels);
    return "more than 5 book levels";
  }
  if ((e.flags & kInQuote) == 0 && (e.bid_levels != 0 || e.ask_levels != 0)) {
    field = e.bid_levels != 0 ? "bid_levels" : "ask_levels";
    value = std::to_string(e.bid_levels != 0 ? e.bid_levels : e.ask_levels);
    return "book levels on a record without a book (flag kInQuote)";
  }
  for (int side = 0; side < 2; ++side) {
    const bool bid = side == 0;
    const int n = bid ? e.bid_levels : e.ask_levels;
    const Price* px = bid ? e.bid_px : e.ask_px;
    const Qty* qty = bid ? e.bid_qty : e.ask_qty;
    for (int k = 0; k < n; ++k) {
      field = bid ? "bid_px" : "ask_px";
      value = std::to_string(px[k].ticks);
      if (const char* why = detail::price_bound_error(px[k])) return why;
      if (k > 0 && (bid ? px[k] >= px[k - 1] : px[k] <= px[k - 1])) {
        return bid ? "bid levels must be strictly descending (best first)"
                   : "ask levels must be strictly ascending (best first)";
      }
      if (qty[k].lots < 1 || qty[k].lots > kMaxQtyLots) {
        field = bid ? "bid_qty" : "ask_qty";
        value = std::to_string(qty[k].lots);
        return "level quantity must be 1..1000000 lots";
      }
    }
  }
  if (e.bid_levels > 0 && e.ask_levels > 0 && e.bid_px[0] >= e.ask_px[0]) {
    field = "bid_px";
    value = std::to_string(e.bid_px[0].ticks);
    return "crossed book: the best bid is not below the best ask";
  }
  return nullptr;
}

void check_records(const std::string& name, const InputEvent* recs, uint64_t n,
                   const BinaryHeader& h, bool verify) {
  struct Bad {
    uint64_t index;
    const char* field;
    std::string value;
    std::string message;
  };
  std::optional<Bad> bad;
  Xxh64 hash(0);
  constexpr uint64_t kBlock = 64;  // 10 KiB
  constexpr uint8_t kKnownFlags = kInTrade | kInQuote | kInAuction | kInSynthetic;
  int64_t prev = std::numeric_limits<int64_t>::min();
  uint64_t hashed = 0;
  // Day and session follow from ts with the header's offset and hours (checked equal to
  // the configured ones); computed once per second.
  SessionHours hours;
  hours.day_open_sec = h.day_open_sec;
  hours.day_close_sec = h.day_close_sec;
  hours.night_open_sec = h.night_open_sec;
  hours.night_close_sec = h.night_close_sec;
  int64_t cached_sec = std::numeric_limits<int64_t>::min();
  TradingDay cached_day;
  Session cached_session = Session::Closed;
  for (uint64_t b = 0; b < n && !bad; b += kBlock) {
    const uint64_t end = std::min(n, b + kBlock);
    if (verify) {
      hash.update(recs + b, static_cast<std::size_t>(end - b) * sizeof(InputEvent));
      hashed = end;
    }
    for (uint64_t i = b; i < end; ++i) {
      const InputEvent& e = recs[i];
      if (e.ts.ns < prev) {
        bad = Bad{i, "ts_ns", std::to_string(e.ts.ns),
                  "time goes backwards: the previous record has ts_ns " + std::to_string(prev) +
                      " (records must be in non-decreasing time order)"};
        break;
      }
      prev = e.ts.ns;
      if (static_cast<uint8_t>(e.session) > static_cast<uint8_t>(Session::Closed)) {
        bad =
            Bad{i, "session", std::to_string(static_cast<unsigned>(e.session)), "unknown session"};
        break;
      }
      if ((e.flags & ~kKnownFlags) != 0) {
        bad = Bad{i, "flags", std::to_string(e.flags), "unknown flag bits"};
        break;
      }
      const char* field = nullptr;
      std::string value;
      if (const char* why = record_error(e, field, value)) {
        bad = Bad{i, field, std::move(value), why};
        break;
      }
      if (const int64_t sec = e.ts.ns / kNsPerSec; sec != cached_sec) {
        cached_sec = sec;
        cached_day = trading_day_of(e.ts, h.utc_offset_ns, hours);
        cached_session = session_of(e.ts, h.utc_offset_ns, hours);
      }
      if (e.day != cached_day) {
        bad = Bad{i, "day", std::to_string(e.day.yyyymmdd),
                  "disagrees with ts_ns " + std::to_string(e.ts.ns) + ", which belongs to trading day " +
                      std::to_string(cached_day.yyyymmdd)};
        break;
      }
      if (e.session != cached_session) {
        bad = Bad{i, "session", std::to_string(static_cast<unsigned>(e.session)),
                  "disagrees with ts_ns " + std::to_string(e.ts.ns) + " and the session hours"};
        break;
      }
    }
  }
  if (verify) {
    if (hashed < n)
      hash.update(recs + hashed, static_cast<std::size_t>(n - hashed) * sizeof(InputEvent));
    if (const uint64_t got = hash.digest(); got != h.records_xxh64) {
      throw InputError(name, 0, "checksum", hex64(got),
                       "records checksum (XXH64) does not match the header's " +
                           hex64(h.records_xxh64) +
                           ": the file is corrupt; re-convert the source recording");
    }
  }
  if (bad) {
    const uint64_t line = bad->index + 1;
    throw InputError(name, line > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(line), bad->field,
                     bad->value, "record " + std::to_string(line) + ": " + bad->message);
  }
}

/// The price band (ReadOptions::price_band_pct) over the records, which check_records
/// has found time-ordered with consistent days: trades and recorded book levels (a
/// synthetic book is derived, not data).
void check_band(const std::string& name, std::span<const InputEvent> recs, const Instrument& inst,
                const ReadOptions& opt) {
  detail::PriceBand band(inst, opt);
  if (!band.on()) return;
  const auto real_book = [](const InputEvent& e) {
    return (e.flags & kInQuote) != 0 && (e.flags & kInSynthetic) == 0;
  };
  for (const InputEvent& e : recs) {
    if (e.flags & kInTrade) {
      band.observe(e.day, e.last, true);
    } else if (real_book(e) && (e.bid_levels > 0 || e.ask_levels > 0)) {
      band.observe(e.day, e.bid_levels > 0 ? e.bid_px[0] : e.ask_px[0], false);
    }
  }
  band.settle();
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const InputEvent& e = recs[i];
    const char* field = nullptr;
    Price p;
    if ((e.flags & kInTrade) && !band.contains(e.day, e.last)) {
      field = "last";
      p = e.last;
    }
    if (real_book(e)) {
      for (int k = 0; k < e.bid_levels && field == nullptr; ++k) {
        if (!band.contains(e.day, e.bid_px[k])) {
          field = "bid_px";
          p = e.bid_px[k];
        }
      }
      for (int k = 0; k < e.ask_levels && field == nullptr; ++k) {
        if (!band.contains(e.day, e.ask_px[k])) {
          field = "ask_px";
          p = e.ask_px[k];
        }
      }
    }
    if (field != nullptr) {
      const uint64_t line = i + 1;
      throw InputError(name, line > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(line), field,
                       inst.format_price(p), "record " + std::to_string(line) + ": " + band.message(e.day, p));
    }
  }
}

/// Whether the events can be used as stored, or must be copied (session filter) and
/// their synthetic book re-derived (a trades-only file with another tick rule).
bool usable_as_is(const BinaryHeader& h, const ReadOptions& opt) noexcept {
  if (!opt.sessions_day || !opt.sessions_night) return false;
  if ((h.flags & kBinRealBook) == 0 && key_of(h) != key_of(opt.tick_rule)) return false;
  return true;
}

/// The copy path: session filters, then (selection without a recorded book) the
/// synthetic book stripped and the configured tick rule applied, exactly as the source
/// readers do it (filter first, tick rule last).
std::vector<InputEvent> select_events(std::span<const InputEvent> in, const ReadOptions& opt,
                                      ReadStats& st) {
  std::vector<InputEvent> out;
  out.reserve(in.size());
  bool any_book = false;
  for (const InputEvent& e : in) {
    if (!detail::keep_session(e.session, opt)) {
      ++st.filtered;
      continue;
    }
    any_book = any_book || ((e.flags & kInQuote) != 0 && (e.flags & kInSynthetic) == 0);
    out.push_back(e);
  }
  if (!any_book) {
    for (InputEvent& e : out) {
      if ((e.flags & kInSynthetic) == 0) continue;
      e.bid_levels = 0;
      e.ask_levels = 0;
      e.bid_px[0] = Price{};
      e.ask_px[0] = Price{};
      e.bid_qty[0] = Qty{};
      e.ask_qty[0] = Qty{};
      e.flags = static_cast<uint8_t>(e.flags & ~(kInQuote | kInSynthetic));
    }
    apply_tick_rule(out, opt.tick_rule);
  }
  return out;
}

void fill_stats(ReadStats& st, const BinaryHeader& h) {
  st.format = InputFormat::Binary;
  st.lines = h.record_count;
  st.contract = std::string(fixed_string(h.contract, sizeof h.contract));
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

void write_all(int fd, const void* data, std::size_t len, const std::string& path) {
  const auto* p = static_cast<const char*>(data);
  while (len > 0) {
    const ssize_t w = ::write(fd, p, len);
    if (w < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("cannot write '" + path + "': " + std::strerror(errno));
    }
    p += w;
    len -= static_cast<std::size_t>(w);
  }
}

}  // namespace

// ---------------------------------------------------------------- public helpers

uint64_t xxh64(const void* data, std::size_t len, uint64_t seed) noexcept {
  Xxh64 h(seed);
  h.update(data, len);
  return h.digest();
}

uint64_t binary_header_checksum(const BinaryHeader& h) noexcept {
  BinaryHeader c = h;
  c.header_xxh64 = 0;
  return xxh64(&c, sizeof c);
}

bool is_binary_tick_file(const std::string& path) noexcept {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[sizeof kBinaryMagic];
  std::size_t got = 0;
  while (got < sizeof buf) {
    const ssize_t r = ::read(fd, buf + got, sizeof buf - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<std::size_t>(r);
  }
  ::close(fd);
  return got == sizeof buf && std::memcmp(buf, kBinaryMagic, sizeof buf) == 0;
}

// ---------------------------------------------------------------- writer

void write_binary(const std::string& path, std::span<const InputEvent> events,
                  const Instrument& inst, std::string_view contract, const ReadOptions& read_with) {
  BinaryHeader h;
  std::memset(&h, 0, sizeof h);
  if (inst.symbol.size() >= sizeof h.symbol) {
    throw std::invalid_argument("write_binary: symbol '" + inst.symbol +
                                "' is longer than 15 bytes");
  }
  if (contract.size() >= sizeof h.contract) {
    throw std::invalid_argument("write_binary: contract '" + std::string(contract) +
                                "' is longer than 31 bytes");
  }
  uint32_t flags = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const InputEvent& e = events[i];
    if (i > 0 && e.ts < events[i - 1].ts) {
      throw std::invalid_argument("write_binary: events out of time order at index " +
                                  std::to_string(i));
    }
    if (e.bid_levels > kMaxLevels || e.ask_levels > kMaxLevels) {
      throw std::invalid_argument("write_binary: more than 5 book levels at index " +
                                  std::to_string(i));
    }
    if (e.flags & kInQuote) flags |= (e.flags & kInSynthetic) ? kBinSynthetic : kBinRealBook;
  }
  std::memcpy(h.magic, kBinaryMagic, sizeof h.magic);
  h.version = kBinaryVersion;
  h.header_bytes = kBinaryHeaderBytes;
  h.record_bytes = sizeof(InputEvent);
  h.flags = flags;
  h.record_count = events.size();
  h.first_ts_ns = events.empty() ? 0 : events.front().ts.ns;
  h.last_ts_ns = events.empty() ? 0 : events.back().ts.ns;
  h.tick_mantissa = inst.tick_size.mantissa;
  h.tick_scale = inst.tick_size.scale;
  h.source_format = static_cast<uint8_t>(read_with.format);
  h.utc_offset_ns = inst.utc_offset_ns;
  h.day_open_sec = read_with.hours.day_open_sec;
  h.day_close_sec = read_with.hours.day_close_sec;
  h.night_open_sec = read_with.hours.night_open_sec;
  h.night_close_sec = read_with.hours.night_close_sec;
  h.tick_rule_enabled = read_with.tick_rule.enabled ? 1 : 0;
  h.tick_rule_spread_ticks = read_with.tick_rule.spread_ticks;
  h.tick_rule_size_lots = read_with.tick_rule.size_lots;
  h.tick_rule_size_from_trade = read_with.tick_rule.size_from_trade ? 1 : 0;
  std::memcpy(h.symbol, inst.symbol.data(), inst.symbol.size());
  std::memcpy(h.contract, contract.data(), contract.size());

  const std::string tmp = path + ".tmp";
  Fd fd{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
  if (fd.fd < 0)
    throw std::runtime_error("cannot open '" + tmp + "' for writing: " + std::strerror(errno));
  try {
    // The header goes last (its checksums need the records): reserve its place first.
    const BinaryHeader blank{};
    write_all(fd.fd, &blank, sizeof blank, tmp);
    // Records go through a zeroed block so that padding bytes are written as 0 and the
    // checksum is a function of the field values only.
    constexpr std::size_t kBlock = 4096;
    std::vector<InputEvent> block(std::min(kBlock, std::max<std::size_t>(events.size(), 1)));
    Xxh64 hash(0);
    for (std::size_t b = 0; b < events.size(); b += kBlock) {
      const std::size_t n = std::min(kBlock, events.size() - b);
      std::memset(static_cast<void*>(block.data()), 0, n * sizeof(InputEvent));
      for (std::size_t i = 0; i < n; ++i) {
        const InputEvent& e = events[b + i];
        InputEvent& r = block[i];
        r.ts = e.ts;
        r.day = e.day;
        r.line = e.line;
        r.flags = e.flags;
        r.bid_levels = e.bid_levels;
        r.ask_levels = e.ask_levels;
        r.session = e.session;
        r.last = e.last;
        r.last_qty = e.last_qty;
        for (int k = 0; k < kMaxLevels; ++k) {
          r.bid_px[k] = e.bid_px[k];
          r.ask_px[k] = e.ask_px[k];
          r.bid_qty[k] = e.bid_qty[k];
          r.ask_qty[k] = e.ask_qty[k];
        }
      }
      hash.update(block.data(), n * sizeof(InputEvent));
      write_all(fd.fd, block.data(), n * sizeof(InputEvent), tmp);
    }
    h.records_xxh64 = hash.digest();
    h.header_xxh64 = binary_header_checksum(h);
    if (::lseek(fd.fd, 0, SEEK_SET) != 0) {
      throw std::runtime_error("cannot seek in '" + tmp + "': " + std::strerror(errno));
    }
    write_all(fd.fd, &h, sizeof h, tmp);
    const int c = ::close(fd.fd);
    fd.fd = -1;
    if (c != 0) throw std::runtime_error("cannot write '" + tmp + "': " + std::strerror(errno));
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      throw std::runtime_error("cannot rename '" + tmp + "' to '" + path +
                               "': " + std::strerror(errno));
    }
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
}

// ---------------------------------------------------------------- readers

TickData read_binary(const std::string& name, std::string_view data, const Instrument& inst,
                     const ReadOptions& opt) {
  const BinaryHeader h = check_header(name, data, inst, opt);
  // Copy first: `data` need not be aligned for InputEvent.
  std::vector<InputEvent> all(static_cast<std::size_t>(h.record_count));
  if (!all.empty()) {
    std::memcpy(static_cast<void*>(all.data()), data.data() + kBinaryHeaderBytes,
                all.size() * sizeof(InputEvent));
  }
  check_records(name, all.data(), h.record_count, h, opt.verify_checksum);
  check_band(name, all, inst, opt);
  TickData td;
  td.source = name;
  fill_stats(td.stats, h);
  if (usable_as_is(h, opt)) {
    td.events = std::move(all);
  } else {
    td.events = select_events(all, opt, td.stats);
  }
  td.stats.events = td.events.size();
  return td;
}

MappedTicks::MappedTicks(const std::string& path, const Instrument& inst, const ReadOptions& opt,
                         bool populate)
    : path_(path) {
  Fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.fd < 0)
    throw std::runtime_error("cannot open input file '" + path + "': " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) {
    throw std::runtime_error("cannot stat input file '" + path + "': " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode))
    throw std::runtime_error("input path '" + path + "' is not a regular file");
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size == 0) check_header(path, std::string_view{}, inst, opt);  // throws: empty file
  void* m = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | (populate ? MAP_POPULATE : 0), fd.fd, 0);
  if (m == MAP_FAILED)
    throw std::runtime_error("cannot map input file '" + path + "': " + std::strerror(errno));
  map_ = m;
  map_bytes_ = size;
  try {
    const std::string_view file(static_cast<const char*>(map_), map_bytes_);
    header_ = check_header(path, file, inst, opt);
    // The mapping is page-aligned and the header is a multiple of alignof(InputEvent), so
    // the records are correctly aligned InputEvent objects (trivially copyable, written by
    // write_binary from InputEvent values).
    const auto* recs =
        reinterpret_cast<const InputEvent*>(static_cast<const char*>(map_) + kBinaryHeaderBytes);
    const auto n = static_cast<std::size_t>(header_.record_count);
    check_records(path, recs, n, header_, opt.verify_checksum);
    check_band(path, std::span<const InputEvent>(recs, n), inst, opt);
    fill_stats(stats_, header_);
    if (usable_as_is(header_, opt)) {
      events_ = std::span<const InputEvent>(recs, n);
    } else {
      copy_ = select_events(std::span<const InputEvent>(recs, n), opt, stats_);
      events_ = copy_;
      release();
    }
    stats_.events = events_.size();
  } catch (...) {
    release();
    throw;
  }
}

MappedTicks::~MappedTicks() {
  release();
}

MappedTicks::MappedTicks(MappedTicks&& o) noexcept
    : path_(std::move(o.path_)),
      map_(std::exchange(o.map_, nullptr)),
      map_bytes_(std::exchange(o.map_bytes_, 0)),
      header_(o.header_),
      stats_(std::move(o.stats_)),
      copy_(std::move(o.copy_)),
      events_(map_ != nullptr ? std::exchange(o.events_, {}) : std::span<const InputEvent>(copy_)) {
  o.events_ = {};
}

MappedTicks& MappedTicks::operator=(MappedTicks&& o) noexcept {
  if (this != &o) {
    release();
    path_ = std::move(o.path_);
    map_ = std::exchange(o.map_, nullptr);
    map_bytes_ = std::exchange(o.map_bytes_, 0);
    header_ = o.header_;
    stats_ = std::move(o.stats_);
    copy_ = std::move(o.copy_);
    events_ = map_ != nullptr ? o.events_ : std::span<const InputEvent>(copy_);
    o.events_ = {};
  }
  return *this;
}

void MappedTicks::release() noexcept {
  if (map_ != nullptr) {
    ::munmap(map_, map_bytes_);
    map_ = nullptr;
    map_bytes_ = 0;
  }
}

}  // namespace tp
