// The FIX 4.4 codec of tickpipe's initiator (docs/FIX.md): an encoder writing into a
// preallocated buffer and a decoder that reads a message in place. Hot path: no heap
// allocation per message, no exceptions, no locale.
//
// Threads: an Encoder / MessageView belongs to one thread (the feed agent's). Nothing
// here is shared.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tp::fix {

inline constexpr char kSoh = '\x01';
/// Most fields one decoded message may hold (a 5-level book both sides + a trade is ~70).
inline constexpr int kMaxFields = 512;
/// Largest message the engine encodes or accepts (bytes).
inline constexpr std::size_t kMaxMessage = 16 * 1024;

/// Outcome of parse(). Everything but Ok and Incomplete is garbled input: the caller
/// skips `consumed` bytes, counts it and (where the header could be read) rejects it.
enum class ParseStatus : uint8_t {
  Ok = 0,
  Incomplete = 1,      ///< not a whole message yet: read more (consumed = 0)
  BadBeginString = 2,  ///< does not start with 8=FIX.4.4<SOH>
  BadBodyLength = 3,   ///< 9 missing, not a number, or the body does not end where it says
  BadChecksum = 4,     ///< 10 missing, malformed or not the sum of the bytes mod 256
  Garbled = 5,         ///< a field without '=', a non-numeric tag, too many fields
};
const char* to_string(ParseStatus s) noexcept;

struct Field {
  int32_t tag = 0;
  uint32_t off = 0;  ///< value offset from the start of the message
  uint32_t len = 0;  ///< value length
};

/// A decoded message: the tag=value pairs of one message as offsets into the receive
/// buffer, in wire order (repeating groups stay in order: iterate with find()). Valid
/// while the bytes it was parsed from are. Trivially copyable; never allocates.
class MessageView {
 public:
  [[nodiscard]] std::string_view raw() const noexcept { return {base_, size_}; }
  [[nodiscard]] int count() const noexcept { return n_; }
  [[nodiscard]] const Field& field(int i) const noexcept { return fields_[static_cast<std::size_t>(i)]; }
  [[nodiscard]] std::string_view value(int i) const noexcept;
  /// 35 MsgType ("D", "8", "AE", ...).
  [[nodiscard]] std::string_view msg_type() const noexcept { return value(msg_type_idx_); }
  /// Index of the first field with `tag` at index >= from, or -1.
  [[nodiscard]] int find(int tag, int from = 0) const noexcept;
  /// The first `tag` value; false when absent.
  [[nodiscard]] bool get(int tag, std::string_view& out) const noexcept;
  /// The first `tag` as a non-negative decimal integer; false when absent or malformed.
  [[nodiscard]] bool get_uint(int tag, uint64_t& out) const noexcept;
  /// 34 MsgSeqNum (0 when absent or malformed).
  [[nodiscard]] uint64_t seq_num() const noexcept { return seq_; }
  /// 43 PossDupFlag = Y.
  [[nodiscard]] bool poss_dup() const noexcept;

 private:
  friend ParseStatus parse(std::string_view, MessageView&, std::size_t&) noexcept;
  const char* base_ = nullptr;
  uint32_t size_ = 0;
  int n_ = 0;
  int msg_type_idx_ = 0;
  uint64_t seq_ = 0;
  std::array<Field, kMaxFields> fields_{};
};

/// Parses the message at the front of `buf` (BeginString, BodyLength and CheckSum
/// verified; 35 must be the first body field). Ok: `out` describes it (fields 8, 9, the
/// body and 10, in wire order) and `consumed` is its length. Incomplete: consumed = 0.
/// BadBeginString / BadBodyLength / BadChecksum: consumed = bytes to skip, up to the
/// next "8=FIX" after the start, or the whole buffer but a trailing partial "8=FIX" (a
/// message cut by the read), so the stream resynchronizes. Garbled (framing and checksum
/// were right, a field inside is not): consumed = the message's length.
ParseStatus parse(std::string_view buf, MessageView& out, std::size_t& consumed) noexcept;

// ---- field value helpers (no allocation, no locale)

/// Decimal non-negative integer, the whole view; false otherwise (or on overflow).
bool parse_uint(std::string_view s, uint64_t& out) noexcept;
/// Signed decimal number "-12.5" as mantissa and scale (digits after the point, <= 9).
bool parse_decimal(std::string_view s, int64_t& mantissa, int& scale) noexcept;
/// UTCTimestamp "YYYYMMDD-HH:MM:SS[.f{1,9}]" to ns since the epoch; years 1970..2261
/// only (what int64 ns hold), anything else is refused.
bool parse_utc_timestamp(std::string_view s, int64_t& ns) noexcept;
/// LocalMktDate "YYYYMMDD" to the number 20210726.
bool parse_date(std::string_view s, uint32_t& yyyymmdd) noexcept;

/// Writes one message into a buffer it owns (kMaxMessage bytes, allocated once at
/// construction). Usage: begin(...), add*(...)..., finish() -> the bytes to send.
/// BodyLength and CheckSum are computed by finish(). A message that does not fit sets
/// overflow() and finish() returns an empty view (never writes past the buffer).
class Encoder {
 public:
  Encoder();
  ~Encoder();
  Encoder(const Encoder&) = delete;
  Encoder& operator=(const Encoder&) = delete;

  /// Starts a message: 8, (9 later), 35, 49, 56, 34, [43=Y, 122], 52.
  void begin(std::string_view msg_type, std::string_view sender, std::string_view target, uint64_t seq,
             int64_t sending_time_ns, bool poss_dup = false, int64_t orig_sending_time_ns = 0) noexcept;
  void add(int tag, std::string_view value) noexcept;
  void add_char(int tag, char value) noexcept;
  void add_int(int tag, int64_t value) noexcept;
  /// mantissa x 10^-scale, written without exponent ("17250", "61800.2", "-3.05").
  void add_decimal(int tag, int64_t mantissa, int scale) noexcept;
  /// UTCTimestamp with `frac_digits` (0, 3, 6 or 9) fractional digits.
  void add_utc_timestamp(int tag, int64_t ns, int frac_digits = 3) noexcept;
  /// Completes 9 and 10 and returns the whole message (valid until the next begin()).
  [[nodiscard]] std::string_view finish() noexcept;
  [[nodiscard]] bool overflow() const noexcept { return overflow_; }

 private:
  void put(const char* p, std::size_t n) noexcept;
  void put_tag(int tag) noexcept;
  /// buf_ + pos_ when `n` more bytes fit (the trailer's room kept), else overflow.
  char* reserve(std::size_t n) noexcept;

  char* buf_;
  std::size_t pos_ = 0;         ///< end of what is written
  std::size_t body_start_ = 0;  ///< the body is written from a fixed offset (room for 8 and 9)
  std::size_t start_ = 0;       ///< first byte of the finished message
  bool overflow_ = false;
  int64_t cached_day_ = INT64_MIN;  ///< add_utc_timestamp: the day of cached_date_
  char cached_date_[8] = {};        ///< "YYYYMMDD" of cached_day_
};

}  // namespace tp::fix
