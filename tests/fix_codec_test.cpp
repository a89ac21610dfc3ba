// tp::fix codec (engine/fix/include/tp/fix/codec.hpp, docs/FIX.md): encode/parse round
// trips, BodyLength/CheckSum against hand-computed values, every ParseStatus, value
// helpers' edge cases and a byte-flip fuzz loop.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "tp/fix/codec.hpp"

namespace {

using tp::fix::Encoder;
using tp::fix::MessageView;
using tp::fix::parse;
using tp::fix::ParseStatus;

/// '|' written for SOH in literals.
std::string soh(std::string s) {
  for (char& c : s) {
    if (c == '|') c = '\x01';
  }
  return s;
}

// 2021-07-26 01:02:03.456 UTC
constexpr int64_t kT = 1627261323LL * 1'000'000'000LL + 456'000'000LL;

std::string_view encode_nos(Encoder& e, uint64_t seq) {
  e.begin("D", "TICKPIPE", "TPVENUE", seq, kT);
  e.add_int(11, 1000000 + static_cast<int64_t>(seq));
  e.add(1, "ACC1");
  e.add(55, "MTX");
  e.add(200, "202108");
  e.add_char(54, '1');
  e.add_int(38, 2);
  e.add_char(40, '2');
  e.add_decimal(44, 172505, 1);
  e.add_char(59, '3');
  e.add_char(77, 'O');
  e.add_utc_timestamp(60, kT + 789, 9);
  return e.finish();
}

TEST(FixCodec, KnownMessageBodyLengthAndChecksum) {
  // Body length 66 and checksum 073 computed independently (sum of bytes mod 256).
  const std::string want =
      soh("8=FIX.4.4|9=66|35=0|49=TICKPIPE|56=TPVENUE|34=1|52=20210726-01:02:03.456|112=abc|10=073|");
  Encoder e;
  e.begin("0", "TICKPIPE", "TPVENUE", 1, kT);
  e.add(112, "abc");
  const std::string_view got = e.finish();
  EXPECT_FALSE(e.overflow());
  EXPECT_EQ(got, want);

  MessageView m;
  std::size_t consumed = 0;
  ASSERT_EQ(parse(want, m, consumed), ParseStatus::Ok);
  EXPECT_EQ(consumed, want.size());
  EXPECT_EQ(m.msg_type(), "0");
  EXPECT_EQ(m.seq_num(), 1u);
  // Wire order: 8 9 35 49 56 34 52 112 10.
  const int tags[] = {8, 9, 35, 49, 56, 34, 52, 112, 10};
  ASSERT_EQ(m.count(), 9);
  for (int i = 0; i < 9; ++i) EXPECT_EQ(m.field(i).tag, tags[i]) << i;
  EXPECT_EQ(m.value(0), "FIX.4.4");
  EXPECT_EQ(m.value(1), "66");
  EXPECT_EQ(m.value(8), "073");
  std::string_view v;
  ASSERT_TRUE(m.get(112, v));
  EXPECT_EQ(v, "abc");
  EXPECT_FALSE(m.get(999, v));
  EXPECT_FALSE(m.poss_dup());
}

TEST(FixCodec, NewOrderSingleRoundTrip) {
  Encoder e;
  const std::string msg(encode_nos(e, 42));
  MessageView m;
  std::size_t consumed = 0;
  ASSERT_EQ(parse(msg, m, consumed), ParseStatus::Ok);
  EXPECT_EQ(consumed, msg.size());
  EXPECT_EQ(m.msg_type(), "D");
  EXPECT_EQ(m.seq_num(), 42u);
  uint64_t u = 0;
  ASSERT_TRUE(m.get_uint(11, u));
  EXPECT_EQ(u, 1000042u);
  std::string_view v;
  ASSERT_TRUE(m.get(44, v));
  EXPECT_EQ(v, "17250.5");
  int64_t mant = 0;
  int scale = 0;
  ASSERT_TRUE(tp::fix::parse_decimal(v, mant, scale));
  EXPECT_EQ(mant, 172505);
  EXPECT_EQ(scale, 1);
  ASSERT_TRUE(m.get(60, v));
  EXPECT_EQ(v, "20210726-01:02:03.456000789");
  int64_t ns = 0;
  ASSERT_TRUE(tp::fix::parse_utc_timestamp(v, ns));
  EXPECT_EQ(ns, kT + 789);
  ASSERT_TRUE(m.get(52, v));
  EXPECT_EQ(v, "20210726-01:02:03.456");
  ASSERT_TRUE(m.get(77, v));
  EXPECT_EQ(v, "O");
}

TEST(FixCodec, ExecutionReportRoundTripWithPossDup) {
  Encoder e;
  e.begin("8", "TPVENUE", "TICKPIPE", 7, kT, true, kT - 1'000'000'000LL);
  e.add(37, "V-17");
  e.add(11, "1000042");
  e.add(17, "E-99");
  e.add_char(150, 'F');
  e.add_char(39, '1');
  e.add_int(14, 1);
  e.add_int(151, 1);
  e.add_decimal(31, -305, 2);
  e.add_decimal(6, 5, 3);
  e.add_int(32, 1);
  e.add_utc_timestamp(60, kT, 0);
  const std::string msg(e.finish());
  MessageView m;
  std::size_t consumed = 0;
  ASSERT_EQ(parse(msg, m, consumed), ParseStatus::Ok);
  EXPECT_TRUE(m.poss_dup());
  std::string_view v;
  ASSERT_TRUE(m.get(122, v));
  EXPECT_EQ(v, "20210726-01:02:02.456");
  ASSERT_TRUE(m.get(31, v));
  EXPECT_EQ(v, "-3.05");
  ASSERT_TRUE(m.get(6, v));
  EXPECT_EQ(v, "0.005");
  ASSERT_TRUE(m.get(60, v));
  EXPECT_EQ(v, "20210726-01:02:03");
  ASSERT_TRUE(m.get(17, v));
  EXPECT_EQ(v, "E-99");
  // Header order: 35 49 56 34 43 122 52.
  EXPECT_EQ(m.field(2).tag, 35);
  EXPECT_EQ(m.field(5).tag, 34);
  EXPECT_EQ(m.field(6).tag, 43);
  EXPECT_EQ(m.field(7).tag, 122);
  EXPECT_EQ(m.field(8).tag, 52);
}

TEST(FixCodec, IncrementalRefreshWithTenEntryGroup) {
  Encoder e;
  e.begin("X", "TPVENUE", "TICKPIPE-MD", 3, kT);
  e.add_utc_timestamp(60, kT, 6);
  e.add(75, "20210726");
  e.add_char(336, '1');
  e.add_int(268, 10);
  for (int i = 0; i < 10; ++i) {
    e.add_char(279, '0');
    e.add_char(269, i < 5 ? '0' : '1');
    e.add_decimal(270, 17250 + (i < 5 ? -i : i - 4), 0);
    e.add_int(271, 10 + i);
    e.add_int(1023, 1 + i % 5);
  }
  const std::string msg(e.finish());
  MessageView m;
  std::size_t consumed = 0;
  ASSERT_EQ(parse(msg, m, consumed), ParseStatus::Ok);
  uint64_t n = 0;
  ASSERT_TRUE(m.get_uint(268, n));
  EXPECT_EQ(n, 10u);
  int at = m.find(268);
  for (int i = 0; i < 10; ++i) {
    at = m.find(279, at + 1);
    ASSERT_GE(at, 0) << i;
    EXPECT_EQ(m.field(at + 1).tag, 269);
    EXPECT_EQ(m.value(at + 1), i < 5 ? "0" : "1");
    EXPECT_EQ(m.field(at + 2).tag, 270);
    int64_t px = 0;
    int sc = 0;
    ASSERT_TRUE(tp::fix::parse_decimal(m.value(at + 2), px, sc));
    EXPECT_EQ(px, 17250 + (i < 5 ? -i : i - 4));
    uint64_t size = 0;
    ASSERT_TRUE(tp::fix::parse_uint(m.value(at + 3), size));
    EXPECT_EQ(size, static_cast<uint64_t>(10 + i));
    EXPECT_EQ(m.value(at + 4), std::to_string(1 + i % 5));
  }
  EXPECT_EQ(m.find(279, at + 1), -1);
}

// A message with a correct frame around `body` (BodyLength and CheckSum computed here).
std::string frame(const std::string& body) {
  std::string m = "8=FIX.4.4\x01" "9=" + std::to_string(body.size()) + "\x01" + body;
  unsigned sum = 0;
  for (const char c : m) sum += static_cast<unsigned char>(c);
  char cks[8];
  const unsigned s = sum % 256;
  cks[0] = static_cast<char>('0' + s / 100);
  cks[1] = static_cast<char>('0' + s / 10 % 10);
  cks[2] = static_cast<char>('0' + s % 10);
  return m + "10=" + std::string(cks, 3) + "\x01";
}

ParseStatus parse_str(const std::string& s, std::size_t& consumed) {
  static MessageView m;
  return parse(s, m, consumed);
}

TEST(FixCodec, ParseErrors) {
  std::size_t c = 0;
  const std::string good = frame(soh("35=0|49=A|56=B|34=1|"));
  ASSERT_EQ(parse_str(good, c), ParseStatus::Ok);

  // Bad BeginString: skips the whole buffer (no later "8=FIX").
  std::string bad = good;
  bad[6] = '2';  // FIX.4.2
  EXPECT_EQ(parse_str(bad, c), ParseStatus::BadBeginString);
  EXPECT_EQ(c, bad.size());

  // Wrong BodyLength (one short, one long but the buffer holds more).
  std::string shorter = good;
  shorter.replace(shorter.find("9=") + 2, 2, std::to_string(std::stoi(shorter.substr(shorter.find("9=") + 2, 2)) - 1));
  EXPECT_EQ(parse_str(shorter, c), ParseStatus::BadBodyLength);
  EXPECT_EQ(c, shorter.size());
  EXPECT_EQ(parse_str(soh("8=FIX.4.4|9=x|35=0|10=000|"), c), ParseStatus::BadBodyLength);
  EXPECT_EQ(parse_str(soh("8=FIX.4.4|35=0|9=5|10=000|"), c), ParseStatus::BadBodyLength);
  EXPECT_EQ(parse_str(soh("8=FIX.4.4|9=99999999|35=0|10=000|"), c), ParseStatus::BadBodyLength);

  // Wrong checksum, malformed checksum.
  std::string cks = good;
  cks[cks.size() - 2] = cks[cks.size() - 2] == '9' ? '0' : static_cast<char>(cks[cks.size() - 2] + 1);
  EXPECT_EQ(parse_str(cks, c), ParseStatus::BadChecksum);
  EXPECT_EQ(c, cks.size());
  std::string cks2 = good;
  cks2[cks2.size() - 3] = 'x';
  EXPECT_EQ(parse_str(cks2, c), ParseStatus::BadChecksum);

  // Missing '=', non-numeric tag, tag 0, 35 not first: garbled, the message skipped.
  const std::string no_eq = frame(soh("35=0|49A|56=B|34=1|"));
  EXPECT_EQ(parse_str(no_eq, c), ParseStatus::Garbled);
  EXPECT_EQ(c, no_eq.size());
  EXPECT_EQ(parse_str(frame(soh("35=0|4x=A|56=B|")), c), ParseStatus::Garbled);
  EXPECT_EQ(parse_str(frame(soh("35=0|0=A|")), c), ParseStatus::Garbled);
  EXPECT_EQ(parse_str(frame(soh("49=A|35=0|")), c), ParseStatus::Garbled);
  // A tag of 10 digits: garbled, never an int overflow (found by fuzz_fix); 9 digits parse.
  EXPECT_EQ(parse_str(frame(soh("35=0|7652021074=A|")), c), ParseStatus::Garbled);
  EXPECT_EQ(parse_str(frame(soh("35=0|765202107=A|")), c), ParseStatus::Ok);
  // Too many fields.
  std::string many = "35=0\x01";
  for (int i = 0; i < tp::fix::kMaxFields; ++i) many += "58=x\x01";
  EXPECT_EQ(parse_str(frame(many), c), ParseStatus::Garbled);

  // Truncated at every length: Incomplete, nothing consumed.
  for (std::size_t n = 0; n < good.size(); ++n) {
    EXPECT_EQ(parse_str(good.substr(0, n), c), ParseStatus::Incomplete) << n;
    EXPECT_EQ(c, 0u);
  }
}

TEST(FixCodec, BackToBackAndResync) {
  const std::string a = frame(soh("35=0|49=A|56=B|34=1|"));
  const std::string b = frame(soh("35=1|49=A|56=B|34=2|112=x|"));
  const std::string two = a + b;
  MessageView m;
  std::size_t c = 0;
  ASSERT_EQ(parse(two, m, c), ParseStatus::Ok);
  EXPECT_EQ(c, a.size());
  EXPECT_EQ(m.seq_num(), 1u);
  ASSERT_EQ(parse(std::string_view(two).substr(c), m, c), ParseStatus::Ok);
  EXPECT_EQ(m.seq_num(), 2u);
  EXPECT_EQ(m.msg_type(), "1");

  // Garbage before a message: skip to its "8=FIX", then it parses.
  const std::string g = "garbage 8=FI 9=\x01" + a;
  ASSERT_EQ(parse(g, m, c), ParseStatus::BadBeginString);
  EXPECT_EQ(c, g.size() - a.size());
  ASSERT_EQ(parse(std::string_view(g).substr(c), m, c), ParseStatus::Ok);
  EXPECT_EQ(m.seq_num(), 1u);

  // A bad checksum followed by a good message: resync at the second.
  std::string bad = a;
  bad[bad.size() - 2] = bad[bad.size() - 2] == '9' ? '0' : static_cast<char>(bad[bad.size() - 2] + 1);
  const std::string ab = bad + b;
  ASSERT_EQ(parse(ab, m, c), ParseStatus::BadChecksum);
  EXPECT_EQ(c, bad.size());

  // Garbage ending in a partial "8=FIX": the partial prefix is kept for the next read.
  const std::string tail = "xyz8=FI";
  ASSERT_EQ(parse(tail, m, c), ParseStatus::BadBeginString);
  EXPECT_EQ(c, 3u);
}

TEST(FixCodec, ValueHelpers) {
  uint64_t u = 0;
  EXPECT_TRUE(tp::fix::parse_uint("18446744073709551615", u));
  EXPECT_EQ(u, UINT64_MAX);
  EXPECT_FALSE(tp::fix::parse_uint("18446744073709551616", u));  // overflow refused
  EXPECT_FALSE(tp::fix::parse_uint("", u));
  EXPECT_FALSE(tp::fix::parse_uint("-1", u));
  EXPECT_FALSE(tp::fix::parse_uint("1a", u));

  int64_t m = 0;
  int s = 0;
  ASSERT_TRUE(tp::fix::parse_decimal("-12.5", m, s));
  EXPECT_EQ(m, -125);
  EXPECT_EQ(s, 1);
  ASSERT_TRUE(tp::fix::parse_decimal("-0.000000001", m, s));
  EXPECT_EQ(m, -1);
  EXPECT_EQ(s, 9);
  ASSERT_TRUE(tp::fix::parse_decimal("17250", m, s));
  EXPECT_EQ(m, 17250);
  EXPECT_EQ(s, 0);
  ASSERT_TRUE(tp::fix::parse_decimal("5.", m, s));
  EXPECT_EQ(m, 5);
  EXPECT_EQ(s, 0);
  ASSERT_TRUE(tp::fix::parse_decimal(".5", m, s));
  EXPECT_EQ(m, 5);
  EXPECT_EQ(s, 1);
  ASSERT_TRUE(tp::fix::parse_decimal("9223372036854775807", m, s));
  EXPECT_EQ(m, INT64_MAX);
  EXPECT_FALSE(tp::fix::parse_decimal("9223372036854775808", m, s));  // overflow refused
  EXPECT_FALSE(tp::fix::parse_decimal("1.0000000001", m, s));         // 10 fractional digits
  EXPECT_FALSE(tp::fix::parse_decimal("1.2.3", m, s));
  EXPECT_FALSE(tp::fix::parse_decimal("-", m, s));
  EXPECT_FALSE(tp::fix::parse_decimal(".", m, s));
  EXPECT_FALSE(tp::fix::parse_decimal("1e5", m, s));
  EXPECT_FALSE(tp::fix::parse_decimal("", m, s));

  int64_t ns = 0;
  ASSERT_TRUE(tp::fix::parse_utc_timestamp("19700101-00:00:00", ns));
  EXPECT_EQ(ns, 0);
  ASSERT_TRUE(tp::fix::parse_utc_timestamp("20240229-23:59:59.123456789", ns));  // leap day
  EXPECT_EQ(ns, 1709251199LL * 1'000'000'000LL + 123456789);
  ASSERT_TRUE(tp::fix::parse_utc_timestamp("20210726-01:02:03.4", ns));
  EXPECT_EQ(ns, 1627261323LL * 1'000'000'000LL + 400'000'000);
  EXPECT_FALSE(tp::fix::parse_utc_timestamp("20230229-00:00:00", ns));  // not a leap year
  // Years int64 ns cannot hold are refused, never overflowed (found by fuzz_fix).
  EXPECT_FALSE(tp::fix::parse_utc_timestamp("00010101-00:00:00", ns));
  EXPECT_FALSE(tp::fix::parse_utc_timestamp("99991231-23:59:59", ns));
  EXPECT_FALSE(tp::fix::parse_utc_timestamp("19691231-23:59:59", ns));
  ASSERT_TRUE(tp::fix::parse_utc_timestamp("22611231-23:59:59.999999999", ns));
  EXPECT_FALSE(tp::fix::parse_utc_timestamp("21000229-00:00:00", ns));  // century, not leap
  EXPECT_TRUE(tp::fix::parse_utc_timestamp("20000229-00:00:00", ns));   // 400-year leap
  EXPECT_FALSE(tp::fix::parse_utc_timestamp("20210726-24:00:00", ns));
  EXPECT_FALSE(tp::fix::parse_utc_timestamp("20210726-01:60:00", ns));
  EXPECT_FALSE(tp::fix::parse_utc_timestamp("20210726-01:02:03.", ns));
  EXPECT_FALSE(tp::fix::parse_utc_timestamp("20210726-01:02:03.1234567890", ns));  // 10 digits
  EXPECT_FALSE(tp::fix::parse_utc_timestamp("20210726 01:02:03", ns));
  EXPECT_FALSE(tp::fix::parse_utc_timestamp("20211301-01:02:03", ns));

  uint32_t d = 0;
  ASSERT_TRUE(tp::fix::parse_date("20210726", d));
  EXPECT_EQ(d, 20210726u);
  EXPECT_FALSE(tp::fix::parse_date("20210732", d));
  EXPECT_FALSE(tp::fix::parse_date("2021072", d));

  // Encoder round trips of timestamps over a spread of instants, every precision.
  Encoder e;
  MessageView mv;
  std::size_t c = 0;
  for (int64_t t = -86'400'000'000'000LL * 365 * 60; t < 86'400'000'000'000LL * 365 * 80;
       t += 86'400'000'000'000LL * 37 + 3'723'123'456'789LL) {
    if (t < 0) continue;
    e.begin("0", "A", "B", 1, t);
    e.add_utc_timestamp(60, t, 9);
    e.add_utc_timestamp(61, t, 6);
    const std::string msg(e.finish());
    ASSERT_EQ(parse(msg, mv, c), ParseStatus::Ok);
    std::string_view v;
    ASSERT_TRUE(mv.get(60, v));
    ASSERT_TRUE(tp::fix::parse_utc_timestamp(v, ns));
    EXPECT_EQ(ns, t);
    ASSERT_TRUE(mv.get(61, v));
    ASSERT_TRUE(tp::fix::parse_utc_timestamp(v, ns));
    EXPECT_EQ(ns, t - t % 1000);
  }
}

TEST(FixCodec, EncoderOverflowNeverWritesPastTheBuffer) {
  Encoder e;
  e.begin("D", "A", "B", 1, kT);
  const std::string big(1000, 'x');
  for (int i = 0; i < 20; ++i) e.add(58, big);
  EXPECT_TRUE(e.overflow());
  EXPECT_TRUE(e.finish().empty());
  // The encoder is usable again after begin().
  e.begin("0", "A", "B", 2, kT);
  EXPECT_FALSE(e.overflow());
  EXPECT_FALSE(e.finish().empty());
}

TEST(FixCodec, ByteFlipFuzzNeverAcceptsAWrongChecksum) {
  Encoder e;
  const std::string msg(encode_nos(e, 5));
  std::mt19937 rng(12345);
  MessageView m;
  int ok = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string x = msg;
    const int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; ++f) {
      const std::size_t at = rng() % x.size();
      x[at] = static_cast<char>(rng() & 0xFF);
    }
    if (rng() % 4 == 0) x.resize(rng() % x.size());
    std::size_t c = 0;
    const ParseStatus st = parse(x, m, c);
    ASSERT_LE(c, x.size());
    if (st == ParseStatus::Incomplete) {
      EXPECT_EQ(c, 0u);
    } else {
      EXPECT_GT(c, 0u);
    }
    if (st == ParseStatus::Ok) {
      ++ok;
      // Accepted only when the checksum really is the sum of the bytes before "10=".
      const std::string_view raw = m.raw();
      const std::size_t at = raw.rfind("\x01" "10=");
      ASSERT_NE(at, std::string_view::npos);
      unsigned sum = 0;
      for (std::size_t i = 0; i <= at; ++i) sum += static_cast<unsigned char>(raw[i]);
      uint64_t want = 0;
      ASSERT_TRUE(tp::fix::parse_uint(raw.substr(at + 4, 3), want));
      EXPECT_EQ(sum % 256, want);
      for (int i = 0; i < m.count(); ++i) ASSERT_LE(m.field(i).off + m.field(i).len, raw.size());
    }
  }
  // A flip that keeps the checksum is possible (two flips cancelling), never common.
  EXPECT_LT(ok, 400);
}

}  // namespace
