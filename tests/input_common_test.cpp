// Shared input machinery (engine/src/input/common.cpp): InputError, format detection,
// read_ticks (files, zip archives), the tick rule and the JSON-lines writer.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tp/engine/input/readers.hpp"
#include "tp/engine/instrument.hpp"
#include "input_test_util.hpp"
#include "real_day_util.hpp"

namespace tp {
namespace {

using testing::expect_same_events;

const std::string kZip = TP_SHARED_DIR "/data/taifex/Daily_2021_07_26.zip";
const std::string kBars = TP_SHARED_DIR "/data/capital/MTX00_1min_2025-04-08_2025-04-11.csv";
constexpr int64_t kOpen = 1627260300000000000;  // 2021-07-26 08:45:00 Taipei

using testing::mtx;
using testing::TempFile;


InputEvent trade_event(int64_t ts, int64_t px, int32_t qty = 1) {
  InputEvent e;
  e.ts = TimeNs{ts};
  e.flags = kInTrade;
  e.last = Price{px};
  e.last_qty = Qty{qty};
  return e;
}


// ------------------------------------------------------------------ InputError

TEST(InputError, WhatNamesFileLineFieldValueAndMessage) {
  const InputError e("ticks.csv", 42, "成交價格", "17a73", "not a decimal number");
  EXPECT_STREQ(e.what(), "ticks.csv:42: field '成交價格' value '17a73': not a decimal number");
  EXPECT_EQ(e.file(), "ticks.csv");
  EXPECT_EQ(e.line(), 42u);
  EXPECT_EQ(e.field(), "成交價格");
  EXPECT_EQ(e.value(), "17a73");
  const std::runtime_error& base = e;  // callers may catch std::runtime_error
  EXPECT_STREQ(base.what(), e.what());
}

TEST(InputError, LongValuesAreClippedInReports) {
  ReadOptions opt;
  opt.skip_bad = true;
  const std::string line(500, 'x');
  const TickData d = read_jsonl("f", line + "\n" +
                                         "{\"type\":\"trade\",\"ts_ns\":1627260300000000000,\"symbol\":\"MTX\",\"price\":\"17473\",\"qty\":1}\n",
                                mtx(), opt);
  ASSERT_EQ(d.stats.issues.size(), 1u);
  EXPECT_EQ(d.stats.issues[0].value, std::string(80, 'x') + "...");
}

// ------------------------------------------------------------------ detect_format

TEST(DetectFormat, RealFiles) {
  EXPECT_EQ(detect_format(kZip), InputFormat::Taifex);
  EXPECT_EQ(detect_format(kBars), InputFormat::Bars);
}

TEST(DetectFormat, PlainTaifexJsonlAndBarsWithoutBom) {
  const std::string big5_header =
      "\xA6\xA8\xA5\xE6\xA4\xE9\xB4\xC1,a,b,c,d,e,f,g,h\r\n";
  TempFile csv("daily.csv", big5_header + "20210726,MTX    ,202108     ,084500,17473,818,-,-,*\r\n");
  EXPECT_EQ(detect_format(csv.path()), InputFormat::Taifex);
  TempFile headerless("nohdr.csv", "20210726,MTX    ,202108     ,084500,17473,818,-,-,*\r\n");
  EXPECT_EQ(detect_format(headerless.path()), InputFormat::Taifex);
  TempFile jsonl("t.jsonl", "\n  {\"type\":\"trade\"}\n");
  EXPECT_EQ(detect_format(jsonl.path()), InputFormat::Jsonl);
  TempFile bars("b.csv", "商品代碼,K線類型\n");
  EXPECT_EQ(detect_format(bars.path()), InputFormat::Bars);
}

TEST(DetectFormat, UnknownAndEmptyFilesAreInputErrors) {
  TempFile junk("junk.txt", "hello,world\n1,2\n");
  try {
    detect_format(junk.path());
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "format");
    EXPECT_EQ(e.line(), 1u);
    EXPECT_EQ(e.value(), "hello,world");
  }
  TempFile empty("empty.csv", "");
  try {
    detect_format(empty.path());
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("empty file"), std::string::npos);
  }
}

TEST(DetectFormat, MissingFileIsARuntimeError) {
  EXPECT_THROW(detect_format("/nonexistent/tp/file.csv"), std::runtime_error);
}

// ------------------------------------------------------------------ read_ticks

TEST(ReadTicks, MissingFileOrDirectoryIsARuntimeErrorNamingThePath) {
  try {
    read_ticks("/nonexistent/tp/file.csv", mtx(), ReadOptions{});
    FAIL();
  } catch (const InputError&) {
    FAIL() << "not a bad line";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/tp/file.csv"), std::string::npos);
  }
  EXPECT_THROW(read_ticks(::testing::TempDir(), mtx(), ReadOptions{}), std::runtime_error);
}

TEST(ReadTicks, PlainTaifexFileWithDetectedFormat) {
  TempFile csv("daily.csv", "h1,h2,h3,h4,h5,h6,h7,h8,h9\r\n"
                            "20210726,MTX    ,202108     ,084500,17473,818,-,-,*\r\n");
  const TickData d = read_ticks(csv.path(), mtx(), ReadOptions{});
  EXPECT_EQ(d.stats.format, InputFormat::Taifex);
  EXPECT_EQ(d.source, csv.path());
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0].ts, TimeNs{kOpen});
}

TEST(ReadTicks, ForcedFormatWins) {
  TempFile f("t.txt", "{\"type\":\"trade\",\"ts_ns\":1627260300000000000,\"symbol\":\"MTX\",\"price\":\"17473\",\"qty\":1}\n");
  ReadOptions opt;
  opt.format = InputFormat::Jsonl;
  EXPECT_EQ(read_ticks(f.path(), mtx(), opt).events.size(), 1u);
  opt.format = InputFormat::Taifex;
  EXPECT_THROW(read_ticks(f.path(), mtx(), opt), InputError);
}

TEST(ReadTicks, EmptyFileIsAnInputError) {
  TempFile empty("empty.csv", "");
  try {
    read_ticks(empty.path(), mtx(), ReadOptions{});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), empty.path());
    EXPECT_NE(std::string(e.what()).find("empty file"), std::string::npos);
  }
}

TEST(ReadTicks, CorruptZipIsAnInputError) {
  TempFile zip("bad.zip", std::string("PK\x03\x04", 4) + std::string(100, '\x01'));
  try {
    read_ticks(zip.path(), mtx(), ReadOptions{});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "zip");
    EXPECT_EQ(e.file(), zip.path());
  }
  EXPECT_THROW(detect_format(zip.path()), InputError);
}

TEST(ReadTicks, TruncatedRealZipIsAnInputError) {
  std::ifstream in(kZip, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  ASSERT_GT(bytes.size(), 1000u);
  TempFile zip("cut.zip", bytes.substr(0, bytes.size() / 2));
  EXPECT_THROW(read_ticks(zip.path(), mtx(), ReadOptions{}), InputError);
}

// ------------------------------------------------------------------ tick rule

TEST(TickRule, UptickTradesAtTheAskDowntickAtTheBidUnchangedKeepsTheSide) {
  std::vector<InputEvent> ev = {trade_event(1, 100), trade_event(2, 101), trade_event(3, 101),
                                trade_event(4, 99), trade_event(5, 99), trade_event(6, 100)};
  apply_tick_rule(ev, TickRuleConfig{});
  const bool at_ask[] = {true, true, true, false, false, true};  // first trade: an uptick
  for (std::size_t i = 0; i < ev.size(); ++i) {
    const InputEvent& e = ev[i];
    EXPECT_EQ(e.flags, kInTrade | kInQuote | kInSynthetic) << i;
    EXPECT_EQ(e.bid_levels, 1) << i;
    EXPECT_EQ(e.ask_levels, 1) << i;
    EXPECT_EQ(at_ask[i] ? e.ask_px[0] : e.bid_px[0], e.last) << i;
    EXPECT_EQ(e.ask_px[0] - e.bid_px[0], Ticks{1}) << i;
    EXPECT_EQ(e.bid_qty[0], Qty{10}) << i;
    EXPECT_EQ(e.ask_qty[0], Qty{10}) << i;
  }
}

TEST(TickRule, SpreadAndSizeAreConfigurable) {
  std::vector<InputEvent> ev = {trade_event(1, 100, 7), trade_event(2, 98, 0)};
  TickRuleConfig cfg;
  cfg.spread_ticks = 3;
  cfg.size_from_trade = true;
  apply_tick_rule(ev, cfg);
  EXPECT_EQ(ev[0].bid_px[0], Price{97});
  EXPECT_EQ(ev[0].ask_px[0], Price{100});
  EXPECT_EQ(ev[0].bid_qty[0], Qty{7});
  EXPECT_EQ(ev[1].bid_px[0], Price{98});
  EXPECT_EQ(ev[1].ask_px[0], Price{101});
  EXPECT_EQ(ev[1].ask_qty[0], Qty{1});  // never below one lot
}

TEST(TickRule, DisabledLeavesEventsAlone) {
  std::vector<InputEvent> ev = {trade_event(1, 100)};
  TickRuleConfig cfg;
  cfg.enabled = false;
  apply_tick_rule(ev, cfg);
  EXPECT_EQ(ev[0].flags, kInTrade);
  EXPECT_EQ(ev[0].bid_levels, 0);
}

TEST(TickRule, EventsWithARealBookAreUntouchedButSetThePreviousPrice) {
  InputEvent quoted = trade_event(1, 100);
  quoted.flags |= kInQuote;
  quoted.bid_levels = 1;
  quoted.bid_px[0] = Price{95};
  InputEvent quote_only;
  quote_only.flags = kInQuote;
  std::vector<InputEvent> ev = {quoted, quote_only, trade_event(3, 100)};
  apply_tick_rule(ev, TickRuleConfig{});
  EXPECT_EQ(ev[0].bid_px[0], Price{95});
  EXPECT_EQ(ev[0].flags & kInSynthetic, 0);
  EXPECT_EQ(ev[1].flags, kInQuote);
  // 100 after 100 (an uptick, the first trade): unchanged, still at the ask.
  EXPECT_EQ(ev[2].ask_px[0], Price{100});
  EXPECT_EQ(ev[2].bid_px[0], Price{99});
}

TEST(TickRule, NonPositiveSettingsAreClamped) {
  std::vector<InputEvent> ev = {trade_event(1, 100)};
  TickRuleConfig cfg;
  cfg.spread_ticks = 0;
  cfg.size_lots = 0;
  apply_tick_rule(ev, cfg);
  EXPECT_LT(ev[0].bid_px[0], ev[0].ask_px[0]);
  EXPECT_EQ(ev[0].bid_qty[0], Qty{1});
}

// ------------------------------------------------------------------ write_jsonl

TEST(WriteJsonl, TaifexRoundTripGivesIdenticalEvents) {
  const TickData taifex = read_ticks(kZip, mtx(), ReadOptions{});
  TempFile out("mtx.jsonl");
  write_jsonl(out.path(), taifex.events, mtx());
  const TickData back = read_ticks(out.path(), mtx(), ReadOptions{});
  EXPECT_EQ(back.stats.format, InputFormat::Jsonl);
  EXPECT_EQ(back.stats.skipped, 0u);
  expect_same_events(taifex.events, back.events);
}

TEST(WriteJsonl, BarsRoundTripGivesIdenticalEvents) {
  const TickData bars = read_ticks(kBars, mtx(), ReadOptions{});
  TempFile out("bars.jsonl");
  write_jsonl(out.path(), bars.events, mtx());
  expect_same_events(bars.events, read_ticks(out.path(), mtx(), ReadOptions{}).events);
}

TEST(WriteJsonl, WritesTheDocumentedSchema) {
  InputEvent t = trade_event(kOpen, 17473, 409);
  t.day = TradingDay{20210726};
  t.flags |= kInAuction;
  t.session = Session::Day;
  InputEvent q;
  q.session = Session::Day;
  q.ts = TimeNs{kOpen + 1};
  q.day = TradingDay{20210726};
  q.flags = kInQuote;
  q.bid_levels = 2;
  q.bid_px[0] = Price{17472};
  q.bid_px[1] = Price{17471};
  q.bid_qty[0] = Qty{3};
  q.bid_qty[1] = Qty{4};
  q.ask_levels = 1;
  q.ask_px[0] = Price{17473};
  q.ask_qty[0] = Qty{5};
  InputEvent k = q;
  k.flags = kInQuote | kInTrade;
  k.last = Price{17473};
  k.last_qty = Qty{1};
  TempFile out("schema.jsonl");
  write_jsonl(out.path(), std::vector<InputEvent>{t, q, k}, mtx());
  EXPECT_EQ(out.read(),
            "{\"type\":\"trade\",\"ts_ns\":1627260300000000000,\"day\":20210726,\"symbol\":\"MTX\","
            "\"price\":\"17473\",\"qty\":409,\"auction\":true}\n"
            "{\"type\":\"quote\",\"ts_ns\":1627260300000000001,\"day\":20210726,\"symbol\":\"MTX\","
            "\"bids\":[[\"17472\",3],[\"17471\",4]],\"asks\":[[\"17473\",5]]}\n"
            "{\"type\":\"tick\",\"ts_ns\":1627260300000000001,\"day\":20210726,\"symbol\":\"MTX\","
            "\"price\":\"17473\",\"qty\":1,\"bids\":[[\"17472\",3],[\"17471\",4]],\"asks\":[[\"17473\",5]]}\n");
  const TickData back = read_ticks(out.path(), mtx(), ReadOptions{});
  expect_same_events(std::vector<InputEvent>{t, q, k}, back.events);
}

TEST(WriteJsonl, DecimalTickSizesAreWrittenExactly) {
  Instrument btc = mtx();
  btc.symbol = "BTC\"USDT";  // escaped in the output
  btc.tick_size = Decimal{1, 1};
  std::vector<InputEvent> ev = {trade_event(kOpen, 618002), trade_event(kOpen + 1, -5),
                                trade_event(kOpen + 2, 10)};
  TempFile out("btc.jsonl");
  write_jsonl(out.path(), ev, btc);
  const std::string text = out.read();
  EXPECT_NE(text.find("\"symbol\":\"BTC\\\"USDT\",\"price\":\"61800.2\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"price\":\"-0.5\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"price\":\"1\""), std::string::npos) << text;
  // Read back: the writer writes what it is given, the reader refuses a price below one
  // tick (the formatting is what this test is about, so the band is off).
  ReadOptions opt;
  opt.symbol = btc.symbol;
  opt.tick_rule.enabled = false;
  opt.price_band_pct = 0;
  opt.skip_bad = true;
  const TickData back = read_ticks(out.path(), btc, opt);
  ASSERT_EQ(back.events.size(), 2u);
  EXPECT_EQ(back.events[0].last, ev[0].last);
  EXPECT_EQ(back.events[1].last, ev[2].last);
  ASSERT_EQ(back.stats.skipped, 1u);
  EXPECT_EQ(back.stats.issues[0].line, 2u);
  EXPECT_EQ(back.stats.issues[0].field, "price");
  EXPECT_EQ(back.stats.issues[0].value, "-0.5");
}

TEST(WriteJsonl, UnwritablePathIsARuntimeError) {
  EXPECT_THROW(write_jsonl("/nonexistent/tp/out.jsonl", std::vector<InputEvent>{trade_event(1, 1)}, mtx()), std::runtime_error);
}

}  // namespace
}  // namespace tp
