// libFuzzer target: the engine's FIX 4.4 decoder (tp::fix::parse and the value helpers
// the live feed uses, docs/FIX.md). The input is a byte stream as a socket delivers it:
// parsed message after message the way tp::fix::Session does. Checked on every input:
//  * parse() always makes progress or says Incomplete (never loops), never reads past the
//    buffer (ASan), and reports a consumed length within the buffer;
//  * a message parsed Ok starts with 8=FIX.4.4, ends with a three-digit 10= whose value is
//    the byte sum mod 256 of everything before it, and 9= equals its body length;
//  * every field of an Ok message lies inside it; the value helpers (integer, decimal,
//    timestamp, date) and the instrument's exact price conversion never crash on any value.
// A violation aborts (a finding).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tp/engine/instrument.hpp"
#include "tp/fix/codec.hpp"

namespace {

[[noreturn]] void fail() { std::abort(); }

void check_ok(std::string_view raw, const tp::fix::MessageView& m) {
  if (raw.substr(0, 10) != "8=FIX.4.4\x01") fail();
  if (raw.size() < 7 || raw[raw.size() - 1] != '\x01') fail();
  const std::size_t ten = raw.size() - 7;  // "10=NNN\x01"
  if (raw.substr(ten, 3) != "10=") fail();
  unsigned sum = 0;
  for (std::size_t i = 0; i < ten; ++i) sum += static_cast<unsigned char>(raw[i]);
  const unsigned want = (static_cast<unsigned>(raw[ten + 3] - '0') * 100) +
                        (static_cast<unsigned>(raw[ten + 4] - '0') * 10) + static_cast<unsigned>(raw[ten + 5] - '0');
  if (sum % 256 != want) fail();
  static tp::Instrument mtx = [] {
    tp::Instrument i;
    (void)tp::builtin_instrument("MTX", i);
    i.tick_size = tp::Decimal{5, 1};  // 0.5: exercises the grid check
    return i;
  }();
  for (int i = 0; i < m.count(); ++i) {
    const tp::fix::Field& f = m.field(i);
    if (static_cast<std::size_t>(f.off) + f.len > raw.size()) fail();
    const std::string_view v = m.value(i);
    uint64_t u = 0;
    int64_t mant = 0;
    int scale = 0;
    int64_t ns = 0;
    uint32_t day = 0;
    (void)tp::fix::parse_uint(v, u);
    if (tp::fix::parse_decimal(v, mant, scale)) {
      if (scale < 0 || scale > 9) fail();
      tp::Price p;
      (void)mtx.to_ticks(tp::Decimal{mant, scale}, p);
    }
    (void)tp::fix::parse_utc_timestamp(v, ns);
    (void)tp::fix::parse_date(v, day);
  }
  // Repeating-group walk the way the feed does it: every 279/269 entry to the next.
  for (int i = m.find(268); i >= 0;) {
    const int first = m.find(269, i + 1);
    if (first < 0 || first <= i) break;
    i = first;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view buf(reinterpret_cast<const char*>(data), size);
  static tp::fix::MessageView m;  // large (kMaxFields): not on the stack
  for (int guard = 0; !buf.empty(); ++guard) {
    if (guard > 1'000'000) fail();
    std::size_t consumed = 0;
    const tp::fix::ParseStatus st = tp::fix::parse(buf, m, consumed);
    if (st == tp::fix::ParseStatus::Incomplete) {
      if (consumed != 0) fail();
      break;
    }
    if (consumed == 0 || consumed > buf.size()) fail();
    if (st == tp::fix::ParseStatus::Ok) {
      if (m.raw().data() != buf.data() || m.raw().size() != consumed) fail();
      check_ok(buf.substr(0, consumed), m);
    }
    buf.remove_prefix(consumed);
  }
  return 0;
}
