// The binary tick format (engine/src/input/binary.cpp): XXH64, the writer, MappedTicks
// (zero-copy and copy paths), read_binary, replay of a binary file, and every
// validation error (docs/FORMATS.md "binary").
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tp/app/replay.hpp"
#include "tp/engine/config/config.hpp"
#include "tp/engine/input/readers.hpp"
#include "tp/engine/instrument.hpp"
#include "input_test_util.hpp"
#include "real_day_util.hpp"

namespace tp {
namespace {

const std::string kZip = TP_SHARED_DIR "/data/taifex/Daily_2021_07_26.zip";
constexpr int64_t kOpen = 1627260300000000000;  // 2021-07-26 08:45:00 Taipei
constexpr int64_t kSec = kNsPerSec;

using testing::taifex_day;
/// Every field of every event, the source line and unused book levels included.
void expect_same_events(std::span<const InputEvent> a, std::span<const InputEvent> b) {
  testing::expect_same_events(a, b, testing::EventFields{true, true});
}

using testing::mtx;
using TempPath = testing::TempFile;


InputEvent trade(int64_t ts, int64_t px, int32_t qty = 1) {
  InputEvent e;
  e.ts = TimeNs{ts};
  e.flags = kInTrade;
  e.last = Price{px};
  e.last_qty = Qty{qty};
  e.day = TradingDay{20210726};
  e.session = Session::Day;
  return e;
}

/// A few events with a recorded book (as read from JSON lines): no tick rule involved.
std::vector<InputEvent> book_events() {
  std::vector<InputEvent> v;
  InputEvent q = trade(kOpen, 17473, 409);
  q.flags = kInTrade | kInQuote | kInAuction;
  q.bid_levels = 2;
  q.bid_px[0] = Price{17472};
  q.bid_px[1] = Price{17471};
  q.bid_qty[0] = Qty{3};
  q.bid_qty[1] = Qty{4};
  q.ask_levels = 1;
  q.ask_px[0] = Price{17473};
  q.ask_qty[0] = Qty{5};
  q.line = 1;
  v.push_back(q);
  InputEvent t = trade(kOpen + kSec, 17474, 2);
  t.line = 2;
  v.push_back(t);
  InputEvent b = q;
  b.ts = TimeNs{kOpen + kSec};  // equal times are fine (non-decreasing)
  b.flags = kInQuote;
  b.last = Price{};
  b.last_qty = Qty{};
  b.line = 3;
  v.push_back(b);
  return v;
}



/// The TAIFEX day written as a binary file once for the suite (as `tickpipe convert` does).
const std::string& taifex_binary() {
  static const std::string path = [] {
    const std::string p =
        ::testing::TempDir() + "tp_binary_day_" + std::to_string(::getpid()) + ".tpk";
    ReadOptions with;
    with.format = InputFormat::Taifex;
    write_binary(p, taifex_day().events, mtx(), taifex_day().stats.contract, with);
    std::atexit([] {
      std::remove(
          (::testing::TempDir() + "tp_binary_day_" + std::to_string(::getpid()) + ".tpk").c_str());
    });
    return p;
  }();
  return path;
}

BinaryHeader header_of(const std::string& bytes) {
  BinaryHeader h;
  std::memcpy(&h, bytes.data(), sizeof h);
  return h;
}
void put_header(std::string& bytes, const BinaryHeader& h) {
  std::memcpy(bytes.data(), &h, sizeof h);
}

/// Recomputes both checksums after a deliberate edit (a file a buggy writer could make).
void reseal(std::string& bytes) {
  BinaryHeader h = header_of(bytes);
  h.records_xxh64 = xxh64(bytes.data() + kBinaryHeaderBytes, bytes.size() - kBinaryHeaderBytes);
  h.header_xxh64 = binary_header_checksum(h);
  put_header(bytes, h);
}

InputEvent record_at(const std::string& bytes, std::size_t i) {
  InputEvent e;
  std::memcpy(&e, bytes.data() + kBinaryHeaderBytes + i * sizeof(InputEvent), sizeof e);
  return e;
}
void put_record(std::string& bytes, std::size_t i, const InputEvent& e) {
  std::memcpy(bytes.data() + kBinaryHeaderBytes + i * sizeof(InputEvent), &e, sizeof e);
}

/// The InputError MappedTicks raises for the file at `path` (and checks that read_ticks
/// raises the same one).
InputError open_error(const std::string& path, ReadOptions opt = {},
                      const Instrument& inst = mtx()) {
  opt.format = InputFormat::Binary;
  std::string mapped_what;
  try {
    MappedTicks m(path, inst, opt);
    ADD_FAILURE() << "MappedTicks: no InputError for " << path;
  } catch (const InputError& e) {
    mapped_what = e.what();
  }
  try {
    read_ticks(path, inst, opt);
  } catch (const InputError& e) {
    EXPECT_EQ(mapped_what, e.what()) << "read_ticks and MappedTicks report the same error";
    return e;
  }
  ADD_FAILURE() << "read_ticks: no InputError for " << path;
  return InputError("", 0, "", "", "");
}

/// A small valid file of book_events() as bytes.
std::string small_file_bytes(const TempPath& t) {
  write_binary(t.path(), book_events(), mtx(), "202108");
  return t.read();
}

// ------------------------------------------------------------------ XXH64

TEST(Xxh64, MatchesTheReferenceVectors) {
  EXPECT_EQ(xxh64("", 0), 0xEF46DB3751D8E999ULL);
  EXPECT_EQ(xxh64("a", 1), 0xD24EC4F1A98C6E5BULL);
  EXPECT_EQ(xxh64("abc", 3), 0x44BC2CF5AD770999ULL);
  const std::string s = "Nobody inspects the spammish repetition";  // 39 bytes: the stripe loop
  EXPECT_EQ(xxh64(s.data(), s.size()), 0xFBCEA83C8A378BF1ULL);
  const std::string f = "The quick brown fox jumps over the lazy dog";
  EXPECT_EQ(xxh64(f.data(), f.size()), 0x0B242D361FDA71BCULL);
}

TEST(Xxh64, SeedChangesTheHash) {
  EXPECT_NE(xxh64("abc", 3, 0), xxh64("abc", 3, 1));
}

// ------------------------------------------------------------------ names, detection

TEST(BinaryFormat, NamesAndDetection) {
  InputFormat f = InputFormat::Auto;
  ASSERT_TRUE(parse_input_format("binary", f));
  EXPECT_EQ(f, InputFormat::Binary);
  f = InputFormat::Auto;
  ASSERT_TRUE(parse_input_format("tpk", f));
  EXPECT_EQ(f, InputFormat::Binary);
  EXPECT_STREQ(to_string(InputFormat::Binary), "binary");
  EXPECT_EQ(static_cast<int>(InputFormat::Binary), 4);

  TempPath t("day.tpk");
  write_binary(t.path(), book_events(), mtx(), "");
  EXPECT_EQ(detect_format(t.path()), InputFormat::Binary);
  EXPECT_TRUE(is_binary_tick_file(t.path()));
  EXPECT_FALSE(is_binary_tick_file(kZip));
  EXPECT_FALSE(is_binary_tick_file(t.path() + ".missing"));
}

TEST(BinaryFormat, HeaderRecordsTheInstrumentAndTheReadOptions) {
  TempPath t("day.tpk");
  ReadOptions with;
  with.format = InputFormat::Jsonl;
  with.tick_rule.spread_ticks = 2;
  write_binary(t.path(), book_events(), mtx(), "202108", with);
  const std::string bytes = t.read();
  ASSERT_EQ(bytes.size(), kBinaryHeaderBytes + 3 * sizeof(InputEvent))
      << "header + records, nothing else";
  const BinaryHeader h = header_of(bytes);
  EXPECT_EQ(std::string(h.magic, 8), "TPTICK01");
  EXPECT_EQ(h.version, kBinaryVersion);
  EXPECT_EQ(h.header_bytes, 256u);
  EXPECT_EQ(h.record_bytes, 160u);
  EXPECT_EQ(h.record_count, 3u);
  EXPECT_EQ(h.flags, uint32_t{kBinRealBook});
  EXPECT_EQ(h.first_ts_ns, kOpen);
  EXPECT_EQ(h.last_ts_ns, kOpen + kSec);
  EXPECT_EQ(h.tick_mantissa, 1);
  EXPECT_EQ(h.tick_scale, 0);
  EXPECT_EQ(h.source_format, static_cast<uint8_t>(InputFormat::Jsonl));
  EXPECT_EQ(h.utc_offset_ns, 8 * 3600 * kSec);
  EXPECT_EQ(h.day_open_sec, SessionHours{}.day_open_sec);
  EXPECT_EQ(h.tick_rule_enabled, 1);
  EXPECT_EQ(h.tick_rule_spread_ticks, 2);
  EXPECT_STREQ(h.symbol, "MTX");
  EXPECT_STREQ(h.contract, "202108");
  EXPECT_EQ(h.records_xxh64, xxh64(bytes.data() + 256, bytes.size() - 256));
  EXPECT_EQ(h.header_xxh64, binary_header_checksum(h));
}

TEST(BinaryFormat, PaddingIsWrittenAsZerosSoTheChecksumDependsOnValuesOnly) {
  std::vector<InputEvent> a = book_events();
  std::vector<InputEvent> b = a;
  for (InputEvent& e : b) {  // garbage in the padding bytes (20..23, 36..39)
    auto* raw = reinterpret_cast<unsigned char*>(&e);
    std::memset(raw + 20, 0xAB, 4);
    std::memset(raw + 36, 0xCD, 4);
  }
  TempPath ta("a.tpk"), tb("b.tpk");
  write_binary(ta.path(), a, mtx(), "");
  write_binary(tb.path(), b, mtx(), "");
  EXPECT_EQ(ta.read(), tb.read());
}

// ------------------------------------------------------------------ round trips

TEST(MappedTicks, SmallFileRoundTripIsZeroCopy) {
  TempPath t("small.tpk");
  write_binary(t.path(), book_events(), mtx(), "202108");
  const MappedTicks m(t.path(), mtx(), ReadOptions{});
  EXPECT_TRUE(m.zero_copy());
  EXPECT_EQ(m.mapped_bytes(), kBinaryHeaderBytes + 3 * sizeof(InputEvent));
  expect_same_events(m.events(), book_events());
  EXPECT_EQ(m.stats().format, InputFormat::Binary);
  EXPECT_EQ(m.stats().lines, 3u);
  EXPECT_EQ(m.stats().events, 3u);
  EXPECT_EQ(m.stats().filtered, 0u);
  EXPECT_EQ(m.stats().contract, "202108");
  EXPECT_EQ(reinterpret_cast<uintptr_t>(m.events().data()) % alignof(InputEvent), 0u);
}

TEST(MappedTicks, TaifexToBinaryToMappedGivesIdenticalEvents) {
  const MappedTicks m(taifex_binary(), mtx(), ReadOptions{});
  EXPECT_TRUE(m.zero_copy()) << "the default tick rule and hours match the file's";
  EXPECT_EQ(m.events().size(), 199'567u);
  expect_same_events(m.events(), taifex_day().events);
  EXPECT_EQ(m.stats().contract, "202108");
  EXPECT_EQ(m.header().flags, uint32_t{kBinSynthetic}) << "TAIFEX is trades-only: a synthetic book";
  // read_ticks (the copying reader) agrees.
  const TickData d = read_ticks(taifex_binary(), mtx(), ReadOptions{});
  EXPECT_EQ(d.stats.format, InputFormat::Binary);
  expect_same_events(d.events, taifex_day().events);
}

TEST(MappedTicks, WithoutPopulateOrChecksumGivesTheSameEvents) {
  ReadOptions ro;
  ro.verify_checksum = false;
  const MappedTicks m(taifex_binary(), mtx(), ro, /*populate=*/false);
  expect_same_events(m.events(), taifex_day().events);
}

TEST(MappedTicks, BinaryToJsonLinesReproducesTheSourceConversion) {
  // binary -> read_ticks (tick rule off) -> JSON lines == TAIFEX -> JSON lines.
  TempPath a("a.jsonl"), b("b.jsonl");
  ReadOptions off;
  off.contract = "202108";
  off.tick_rule.enabled = false;
  write_jsonl(a.path(), read_ticks(kZip, mtx(), off).events, mtx());
  write_jsonl(b.path(), read_ticks(taifex_binary(), mtx(), off).events, mtx());
  EXPECT_EQ(a.read(), b.read());
}

TEST(MappedTicks, AnotherTickRuleReDerivesTheSyntheticBookInACopy) {
  ReadOptions ro;
  ro.contract = "202108";
  ro.tick_rule.spread_ticks = 3;
  ro.tick_rule.size_from_trade = true;
  const MappedTicks m(taifex_binary(), mtx(), ro);
  EXPECT_FALSE(m.zero_copy());
  EXPECT_EQ(m.mapped_bytes(), 0u) << "the mapping is released once copied";
  expect_same_events(m.events(), read_ticks(kZip, mtx(), ro).events);

  ro.tick_rule.enabled = false;  // no book at all, as reading the source would give
  const MappedTicks off(taifex_binary(), mtx(), ro);
  expect_same_events(off.events(), read_ticks(kZip, mtx(), ro).events);
}

TEST(MappedTicks, SessionFiltersSelectACopyLikeTheSourceReader) {
  ReadOptions ro;
  ro.contract = "202108";
  ro.sessions_night = false;
  const MappedTicks m(taifex_binary(), mtx(), ro);
  const TickData src = read_ticks(kZip, mtx(), ro);
  EXPECT_FALSE(m.zero_copy());
  EXPECT_EQ(m.events().size(), 149'710u) << "the day session (docs/FORMATS.md reference numbers)";
  EXPECT_EQ(m.stats().filtered, 199'567u - 149'710u);
  expect_same_events(m.events(), src.events);
}

TEST(MappedTicks, FileConvertedWithoutTickRuleGetsTheConfiguredOne) {
  TempPath t("raw.tpk");
  ReadOptions off;
  off.contract = "202108";
  off.tick_rule.enabled = false;
  const TickData raw = read_ticks(kZip, mtx(), off);
  write_binary(t.path(), raw.events, mtx(), raw.stats.contract, off);
  const MappedTicks m(t.path(), mtx(), ReadOptions{});
  EXPECT_FALSE(m.zero_copy());
  expect_same_events(m.events(), taifex_day().events);
}

TEST(MappedTicks, MoveKeepsTheEventsValid) {
  TempPath t("small.tpk");
  write_binary(t.path(), book_events(), mtx(), "");
  MappedTicks a(t.path(), mtx(), ReadOptions{});
  const InputEvent* data = a.events().data();
  MappedTicks b(std::move(a));
  EXPECT_EQ(b.events().data(), data);
  EXPECT_TRUE(b.zero_copy());
  EXPECT_TRUE(a.events().empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
  expect_same_events(b.events(), book_events());
  ReadOptions night_only;
  night_only.sessions_day = false;
  MappedTicks c(t.path(), mtx(), night_only);  // a copy (all day events filtered)
  EXPECT_TRUE(c.events().empty());
  c = std::move(b);
  expect_same_events(c.events(), book_events());
}

TEST(MappedTicks, EmptySelectionIsAValidFile) {
  TempPath t("none.tpk");
  write_binary(t.path(), std::vector<InputEvent>{}, mtx(), "");
  EXPECT_EQ(t.read().size(), kBinaryHeaderBytes);
  const MappedTicks m(t.path(), mtx(), ReadOptions{});
  EXPECT_TRUE(m.events().empty());
  EXPECT_EQ(m.header().first_ts_ns, 0);
}

// ------------------------------------------------------------------ replay

TEST(BinaryReplay, GivesTheSameLotsAsTheTaifexReplay) {
  app::ReplayOptions a;
  a.data = {kZip};
  a.read.contract = "202108";
  a.pipeline.layout = Layout::Inline;
  a.persist = false;
  app::ReplayOptions b = a;
  b.data = {taifex_binary()};
  b.read.contract = "";
  const app::ReplayResult ra = app::run_replay(a);
  const app::ReplayResult rb = app::run_replay(b);
  EXPECT_EQ(rb.input.format, InputFormat::Binary);
  EXPECT_EQ(rb.input_events, ra.input_events);
  EXPECT_EQ(rb.input.contract, "202108");
  EXPECT_GT(rb.load_seconds, 0.0);
  ASSERT_FALSE(ra.lots.empty());
  ASSERT_EQ(ra.lots.size(), rb.lots.size());
  for (std::size_t i = 0; i < ra.lots.size(); ++i) {
    EXPECT_EQ(ra.lots[i].entry_px, rb.lots[i].entry_px);
    EXPECT_EQ(ra.lots[i].entry_time, rb.lots[i].entry_time);
    EXPECT_EQ(ra.lots[i].exit_px, rb.lots[i].exit_px);
    EXPECT_EQ(ra.lots[i].exit_reason, rb.lots[i].exit_reason);
    EXPECT_EQ(ra.lots[i].exit_time, rb.lots[i].exit_time);
  }
  EXPECT_EQ(ra.orders.sent, rb.orders.sent);
  EXPECT_EQ(ra.journal_records, rb.journal_records);
}

TEST(BinaryReplay, PersistsLikeAnyOtherInputAndHonoursAForcedFormat) {
  app::ReplayOptions ro;
  ro.data = {taifex_binary()};
  ro.read.format = InputFormat::Binary;
  ro.pipeline.layout = Layout::Inline;
  const app::ReplayResult r = app::run_replay(ro);
  EXPECT_EQ(r.input_events, 199'567u);
  EXPECT_GT(r.persisted_records, 0u);
  EXPECT_EQ(r.journal_records, r.persisted_records);
}

TEST(BinaryReplay, BadBinaryInputIsAnInputError) {
  TempPath t("bad.tpk");
  std::string bytes = small_file_bytes(t);
  bytes[kBinaryHeaderBytes + 30] ^= 0x01;  // a price bit
  t.write(bytes);
  app::ReplayOptions ro;
  ro.data = {t.path()};
  ro.pipeline.layout = Layout::Inline;
  ro.persist = false;
  try {
    app::run_replay(ro);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "checksum");
  }
}

// ------------------------------------------------------------------ validation errors

TEST(BinaryErrors, EmptyFile) {
  TempPath t("empty.tpk");
  t.write("");
  const InputError e = open_error(t.path());
  EXPECT_EQ(e.field(), "header");
  EXPECT_EQ(e.line(), 0u);
  EXPECT_NE(std::string(e.what()).find("empty file"), std::string::npos) << e.what();
  // Without a forced format, detection reports the empty file.
  try {
    read_ticks(t.path(), mtx(), ReadOptions{});
    FAIL();
  } catch (const InputError& d) {
    EXPECT_EQ(d.field(), "format");
  }
}

TEST(BinaryErrors, BadMagic) {
  TempPath t("magic.tpk");
  std::string bytes = small_file_bytes(t);
  bytes[6] = '9';
  t.write(bytes);
  const InputError e = open_error(t.path());
  EXPECT_EQ(e.field(), "magic");
  EXPECT_EQ(e.value(), "TPTICK91");
  t.write("abc");  // shorter than the magic
  EXPECT_EQ(open_error(t.path()).field(), "magic");
  t.write(std::string("\x00\x01TPTI\xff\n", 8));
  const InputError raw = open_error(t.path());
  EXPECT_EQ(raw.value(), std::string("\x00\x01TPTI\xff\n", 8)) << "value() holds the bytes";
  EXPECT_NE(std::string(raw.what()).find("value '\\x00\\x01TPTI\\xff\\x0a'"), std::string::npos)
      << "what() escapes them: " << raw.what();
}

TEST(BinaryErrors, TruncatedHeader) {
  TempPath t("hdr.tpk");
  const std::string bytes = small_file_bytes(t);
  t.write(bytes.substr(0, 100));
  const InputError e = open_error(t.path());
  EXPECT_EQ(e.field(), "header");
  EXPECT_EQ(e.value(), "100 bytes");
}

TEST(BinaryErrors, TruncatedFile) {
  TempPath t("trunc.tpk");
  const std::string bytes = small_file_bytes(t);
  t.write(bytes.substr(0, bytes.size() - 1));
  const InputError e = open_error(t.path());
  EXPECT_EQ(e.field(), "record_count");
  EXPECT_EQ(e.value(), "3");
  EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
}

TEST(BinaryErrors, TrailingBytes) {
  TempPath t("trail.tpk");
  t.write(small_file_bytes(t) + "x");
  const InputError e = open_error(t.path());
  EXPECT_EQ(e.field(), "record_count");
  EXPECT_NE(std::string(e.what()).find("trailing"), std::string::npos) << e.what();
}

TEST(BinaryErrors, HugeRecordCountDoesNotOverflow) {
  TempPath t("huge.tpk");
  std::string bytes = small_file_bytes(t);
  BinaryHeader h = header_of(bytes);
  h.record_count = UINT64_MAX / 2;
  h.header_xxh64 = binary_header_checksum(h);
  put_header(bytes, h);
  t.write(bytes);
  EXPECT_EQ(open_error(t.path()).field(), "record_count");
}

TEST(BinaryErrors, WrongRecordSize) {
  TempPath t("recsize.tpk");
  std::string bytes = small_file_bytes(t);
  BinaryHeader h = header_of(bytes);
  h.record_bytes = 128;
  put_header(bytes, h);
  t.write(bytes);
  const InputError e = open_error(t.path());
  EXPECT_EQ(e.field(), "record_bytes");
  EXPECT_EQ(e.value(), "128");
}

TEST(BinaryErrors, UnsupportedVersion) {
  TempPath t("version.tpk");
  std::string bytes = small_file_bytes(t);
  BinaryHeader h = header_of(bytes);
  h.version = 2;
  put_header(bytes, h);
  t.write(bytes);
  const InputError e = open_error(t.path());
  EXPECT_EQ(e.field(), "version");
  EXPECT_EQ(e.value(), "2");
}

TEST(BinaryErrors, WrongHeaderSize) {
  TempPath t("hsize.tpk");
  std::string bytes = small_file_bytes(t);
  BinaryHeader h = header_of(bytes);
  h.header_bytes = 512;
  put_header(bytes, h);
  t.write(bytes);
  EXPECT_EQ(open_error(t.path()).field(), "header_bytes");
}

TEST(BinaryErrors, CorruptHeader) {
  TempPath t("hcorrupt.tpk");
  std::string bytes = small_file_bytes(t);
  bytes[offsetof(BinaryHeader, symbol)] = 'T';  // "MTX" -> "TTX" without resealing
  t.write(bytes);
  EXPECT_EQ(open_error(t.path()).field(), "header_xxh64");
}

TEST(BinaryErrors, WrongTickSize) {
  TempPath t("tick.tpk");
  small_file_bytes(t);
  Instrument half = mtx();
  half.tick_size = Decimal{5, 1};  // 0.5
  const InputError e = open_error(t.path(), ReadOptions{}, half);
  EXPECT_EQ(e.field(), "tick_size");
  EXPECT_EQ(e.value(), "1");
  EXPECT_NE(std::string(e.what()).find("0.5"), std::string::npos) << e.what();
  Instrument same = mtx();
  same.tick_size = Decimal{10, 1};  // 1.0 is the same tick size
  EXPECT_NO_THROW(MappedTicks(t.path(), same, ReadOptions{}));
}

TEST(BinaryErrors, OtherUtcOffsetOrSessionHours) {
  TempPath t("hours.tpk");
  small_file_bytes(t);
  Instrument utc = mtx();
  utc.utc_offset_ns = 0;
  EXPECT_EQ(open_error(t.path(), ReadOptions{}, utc).field(), "utc_offset_ns");
  ReadOptions ro;
  ro.hours.day_close_sec = 13 * 3600 + 30 * 60;
  const InputError e = open_error(t.path(), ro);
  EXPECT_EQ(e.field(), "hours");
  EXPECT_NE(std::string(e.what()).find("13:30:00"), std::string::npos) << e.what();
}

TEST(BinaryErrors, SymbolOrContractNotInTheFile) {
  TempPath t("sym.tpk");
  small_file_bytes(t);
  ReadOptions ro;
  ro.symbol = "TX";
  const InputError e = open_error(t.path(), ro);
  EXPECT_EQ(e.field(), "symbol");
  EXPECT_EQ(e.value(), "TX");
  EXPECT_EQ(e.line(), 0u);
  ro.symbol = "";  // any symbol
  ro.contract = "202109";
  const InputError c = open_error(t.path(), ro);
  EXPECT_EQ(c.field(), "contract");
  EXPECT_NE(std::string(c.what()).find("202108"), std::string::npos) << c.what();
  ro.contract = "202108";
  EXPECT_NO_THROW(MappedTicks(t.path(), mtx(), ro));
}

TEST(BinaryErrors, ChecksumMismatch) {
  TempPath t("sum.tpk");
  std::string bytes = small_file_bytes(t);
  bytes[kBinaryHeaderBytes + sizeof(InputEvent) + 24] ^= 0x04;  // record 2's price
  t.write(bytes);
  const InputError e = open_error(t.path());
  EXPECT_EQ(e.field(), "checksum");
  EXPECT_EQ(e.line(), 0u);
  // The check can be skipped (then the corrupt price is what it is).
  ReadOptions ro;
  ro.verify_checksum = false;
  const MappedTicks m(t.path(), mtx(), ro);
  EXPECT_EQ(m.events()[1].last, Price{17474 ^ 0x04});
}

TEST(BinaryErrors, OutOfOrderTimestamps) {
  TempPath t("order.tpk");
  std::string bytes = small_file_bytes(t);
  InputEvent e = record_at(bytes, 2);
  e.ts = TimeNs{kOpen - 1};
  put_record(bytes, 2, e);
  t.write(bytes);
  // Unsealed: corruption, reported as such (the checksum runs first).
  EXPECT_EQ(open_error(t.path()).field(), "checksum");
  // Without the checksum, or with valid checksums (a writer bug): the record is named.
  ReadOptions no_sum;
  no_sum.verify_checksum = false;
  const InputError a = open_error(t.path(), no_sum);
  EXPECT_EQ(a.field(), "ts_ns");
  EXPECT_EQ(a.line(), 3u) << "line = record index + 1";
  EXPECT_EQ(a.value(), std::to_string(kOpen - 1));
  reseal(bytes);
  t.write(bytes);
  EXPECT_EQ(open_error(t.path()).field(), "ts_ns");
}

TEST(BinaryErrors, TooManyLevelsUnknownSessionOrFlags) {
  TempPath t("rec.tpk");
  const std::string good = small_file_bytes(t);
  {
    std::string bytes = good;
    InputEvent e = record_at(bytes, 0);
    e.ask_levels = 6;
    put_record(bytes, 0, e);
    reseal(bytes);
    t.write(bytes);
    const InputError err = open_error(t.path());
    EXPECT_EQ(err.field(), "ask_levels");
    EXPECT_EQ(err.line(), 1u);
  }
  {
    std::string bytes = good;
    InputEvent e = record_at(bytes, 1);
    e.session = static_cast<Session>(7);
    put_record(bytes, 1, e);
    reseal(bytes);
    t.write(bytes);
    EXPECT_EQ(open_error(t.path()).field(), "session");
  }
  {
    std::string bytes = good;
    InputEvent e = record_at(bytes, 1);
    e.flags = static_cast<uint8_t>(e.flags | 0x80);
    put_record(bytes, 1, e);
    reseal(bytes);
    t.write(bytes);
    EXPECT_EQ(open_error(t.path()).field(), "flags");
  }
}

TEST(BinaryErrors, SkipBadDoesNotApplyToBinaryFiles) {
  TempPath t("skip.tpk");
  std::string bytes = small_file_bytes(t);
  bytes[kBinaryHeaderBytes + 30] ^= 0x01;
  t.write(bytes);
  ReadOptions ro;
  ro.skip_bad = true;
  EXPECT_EQ(open_error(t.path(), ro).field(), "checksum");
}

TEST(BinaryErrors, MissingFileOrDirectoryIsARuntimeError) {
  EXPECT_THROW(MappedTicks("/nonexistent/day.tpk", mtx(), ReadOptions{}), std::runtime_error);
  try {
    MappedTicks("/nonexistent/day.tpk", mtx(), ReadOptions{});
  } catch (const InputError&) {
    FAIL() << "not an InputError";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/day.tpk"), std::string::npos);
  }
  EXPECT_THROW(MappedTicks(::testing::TempDir(), mtx(), ReadOptions{}), std::runtime_error);
}

// ------------------------------------------------------------------ writer errors

TEST(WriteBinary, RefusesEventsOutOfTimeOrder) {
  TempPath t("w.tpk");
  std::vector<InputEvent> v = {trade(kOpen + 1, 17473), trade(kOpen, 17474)};
  EXPECT_THROW(write_binary(t.path(), v, mtx(), ""), std::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(t.path()));
  EXPECT_FALSE(std::filesystem::exists(t.path() + ".tmp"));
}

TEST(WriteBinary, RefusesLongSymbolOrContractAndTooManyLevels) {
  TempPath t("w.tpk");
  Instrument inst = mtx();
  inst.symbol = "ABCDEFGHIJKLMNOP";  // 16 bytes
  EXPECT_THROW(write_binary(t.path(), book_events(), inst, ""), std::invalid_argument);
  EXPECT_THROW(write_binary(t.path(), book_events(), mtx(), std::string(32, '2')),
               std::invalid_argument);
  std::vector<InputEvent> v = book_events();
  v[0].bid_levels = 6;
  EXPECT_THROW(write_binary(t.path(), v, mtx(), ""), std::invalid_argument);
}

TEST(WriteBinary, UnwritablePathIsARuntimeError) {
  EXPECT_THROW(write_binary("/nonexistent-dir/x.tpk", book_events(), mtx(), ""),
               std::runtime_error);
}

TEST(WriteBinary, ReplacesAnExistingFile) {
  TempPath t("w.tpk");
  t.write("old contents");
  write_binary(t.path(), book_events(), mtx(), "");
  const MappedTicks m(t.path(), mtx(), ReadOptions{});
  EXPECT_EQ(m.events().size(), 3u);
}

}  // namespace
}  // namespace tp
