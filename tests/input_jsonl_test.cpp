// Normalized JSON-lines reader (engine/src/input/jsonl.cpp): records, exact prices,
// filters, the tick rule for trades-only files, and every bad input.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tp/engine/input/readers.hpp"
#include "tp/engine/instrument.hpp"
#include "input_test_util.hpp"

namespace tp {
namespace {

constexpr int64_t kTaipei = 8 * 3600 * kNsPerSec;
// 2021-07-26 08:45:00 Asia/Taipei.
constexpr int64_t kOpen = 1627260300000000000;

using testing::mtx;

TickData read(const std::string& text, ReadOptions opt = {}, const Instrument& inst = mtx()) {
  return read_jsonl("ticks.jsonl", text, inst, opt);
}

InputError read_error(const std::string& text, ReadOptions opt = {}) {
  try {
    read(text, opt);
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "no InputError for:\n" << text;
  return InputError("", 0, "", "", "");
}

std::string trade(int64_t ts, const std::string& price, int qty = 1, const std::string& extra = "") {
  return "{\"type\":\"trade\",\"ts_ns\":" + std::to_string(ts) + ",\"symbol\":\"MTX\",\"price\":" +
         price + ",\"qty\":" + std::to_string(qty) + extra + "}\n";
}

// ------------------------------------------------------------------ records

TEST(JsonlReader, ReadsATradeRecord) {
  const TickData d = read(
      "{\"type\":\"trade\",\"ts_ns\":1627260300000000000,\"day\":20210726,\"symbol\":\"MTX\","
      "\"price\":\"17473\",\"qty\":409,\"auction\":true}\n");
  ASSERT_EQ(d.events.size(), 1u);
  const InputEvent& e = d.events[0];
  EXPECT_EQ(d.stats.format, InputFormat::Jsonl);
  EXPECT_EQ(e.ts, TimeNs{kOpen});
  EXPECT_EQ(e.day, TradingDay{20210726});
  EXPECT_EQ(e.session, Session::Day);
  EXPECT_EQ(e.last, Price{17473});
  EXPECT_EQ(e.last_qty, Qty{409});
  EXPECT_EQ(e.line, 1u);
  EXPECT_EQ(e.flags & (kInTrade | kInAuction), kInTrade | kInAuction);
}

TEST(JsonlReader, ReadsAQuoteRecordWithFiveLevels) {
  const TickData d = read(
      "{\"type\":\"quote\",\"ts_ns\":1627260300000000000,\"symbol\":\"MTX\","
      "\"bids\":[[\"17472\",3],[\"17471\",4],[17470,5],[\"17469\",6],[\"17468\",7]],"
      "\"asks\":[[\"17473\",5]]}\n");
  ASSERT_EQ(d.events.size(), 1u);
  const InputEvent& e = d.events[0];
  EXPECT_EQ(e.flags, kInQuote);
  ASSERT_EQ(e.bid_levels, 5);
  ASSERT_EQ(e.ask_levels, 1);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(e.bid_px[i], Price{17472 - i});
    EXPECT_EQ(e.bid_qty[i], Qty{3 + i});
  }
  EXPECT_EQ(e.ask_px[0], Price{17473});
  EXPECT_EQ(e.ask_qty[0], Qty{5});
}

TEST(JsonlReader, ReadsATickRecordAndKeepsTheRealBook) {
  const TickData d = read(
      "{\"type\":\"tick\",\"ts_ns\":1627260300000000000,\"symbol\":\"MTX\",\"price\":\"17473\","
      "\"qty\":2,\"bids\":[[\"17470\",1]],\"asks\":[[\"17475\",2]]}\n" +
      trade(kOpen + 1, "\"17474\""));
  ASSERT_EQ(d.events.size(), 2u);
  EXPECT_EQ(d.events[0].flags, kInTrade | kInQuote);
  EXPECT_EQ(d.events[0].bid_px[0], Price{17470});
  // The file has book records, so the tick rule is not applied to its plain trades.
  EXPECT_EQ(d.events[1].flags, kInTrade);
  EXPECT_EQ(d.events[1].bid_levels, 0);
}

TEST(JsonlReader, TradesOnlyFileGetsTheTickRule) {
  const TickData d = read(trade(kOpen, "\"100\"") + trade(kOpen + 1, "\"101\"") + trade(kOpen + 2, "\"99\""));
  ASSERT_EQ(d.events.size(), 3u);
  for (const InputEvent& e : d.events) EXPECT_EQ(e.flags, kInTrade | kInQuote | kInSynthetic);
  EXPECT_EQ(d.events[1].ask_px[0], Price{101});
  EXPECT_EQ(d.events[2].bid_px[0], Price{99});
}

TEST(JsonlReader, PricesAreExactFromStringsAndNumbers) {
  Instrument btc = mtx();
  btc.symbol = "BTCUSDT";
  btc.tick_size = Decimal{1, 1};  // 0.1
  ReadOptions opt;
  opt.symbol = "BTCUSDT";
  opt.price_band_pct = 0;  // 0.3 is far from 61800: this test is about exact decimals
  const std::string text =
      "{\"type\":\"trade\",\"ts_ns\":1627260300000000000,\"symbol\":\"BTCUSDT\",\"price\":\"61800.20\",\"qty\":1}\n"
      "{\"type\":\"trade\",\"ts_ns\":1627260300000000001,\"symbol\":\"BTCUSDT\",\"price\":61800.3 ,\"qty\":1}\n"
      "{\"type\":\"trade\",\"ts_ns\":1627260300000000002,\"symbol\":\"BTCUSDT\",\"price\":0.3,\"qty\":1}\n";
  const TickData d = read(text, opt, btc);
  ASSERT_EQ(d.events.size(), 3u);
  EXPECT_EQ(d.events[0].last, Price{618002});
  EXPECT_EQ(d.events[1].last, Price{618003});
  EXPECT_EQ(d.events[2].last, Price{3});  // 0.1 + 0.2 style rounding cannot happen
}

TEST(JsonlReader, DayIsDerivedWhenAbsent) {
  // 2021-07-23 15:00 Taipei (Friday night) belongs to Monday 2021-07-26.
  TimeNs t;
  ASSERT_TRUE(make_time(20210723, 15 * 3600, 0, kTaipei, t));
  const TickData d = read(trade(t.ns, "\"17411\""));
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0].day, TradingDay{20210726});
  EXPECT_EQ(d.events[0].session, Session::Night);
}

TEST(JsonlReader, SkipsEmptyLinesAcceptsCrlfAndIgnoresUnknownKeys) {
  const TickData d = read("\n  \r\n" + trade(kOpen, "\"17471\"", 1, ",\"venue\":\"TAIFEX\",\"x\":[1,{\"y\":2}]") +
                          "\r\n" + "{\"ts_ns\":" + std::to_string(kOpen) +
                          ",\"qty\":2,\"price\":\"17472\",\"symbol\":\"MTX\",\"type\":\"trade\"}\r\n");
  ASSERT_EQ(d.events.size(), 2u);
  EXPECT_EQ(d.stats.lines, 2u);
  EXPECT_EQ(d.events[0].line, 3u);
  EXPECT_EQ(d.events[1].line, 5u);
  EXPECT_EQ(d.events[1].last_qty, Qty{2});
}

TEST(JsonlReader, EqualTimestampsAreInOrder) {
  EXPECT_EQ(read(trade(kOpen, "\"17471\"") + trade(kOpen, "\"17472\"")).events.size(), 2u);
}

TEST(JsonlReader, FiltersBySymbolExactly) {
  const std::string other =
      "{\"type\":\"trade\",\"ts_ns\":1627260300000000000,\"symbol\":\"MTXW1\",\"price\":\"5\",\"qty\":1}\n";
  const TickData d = read(other + trade(kOpen, "\"1\""));
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0].last, Price{1});
  EXPECT_EQ(d.stats.filtered, 1u);
}

TEST(JsonlReader, FiltersBySession) {
  ReadOptions opt;
  opt.sessions_night = false;
  TimeNs night;
  ASSERT_TRUE(make_time(20210723, 15 * 3600, 0, kTaipei, night));
  const TickData d = read(trade(night.ns, "\"17471\"") + trade(kOpen, "\"17472\""), opt);
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0].last, Price{17472});
  EXPECT_EQ(d.stats.filtered, 1u);
}

// ------------------------------------------------------------------ bad input

TEST(JsonlReaderBadInput, OutOfOrderTime) {
  const InputError e = read_error(trade(kOpen + 5, "\"1\"") + trade(kOpen, "\"2\""));
  EXPECT_EQ(e.line(), 2u);
  EXPECT_EQ(e.field(), "ts_ns");
  EXPECT_EQ(e.value(), std::to_string(kOpen));
  EXPECT_NE(std::string(e.what()).find("time goes backwards: line 1"), std::string::npos) << e.what();
}

TEST(JsonlReaderBadInput, InvalidJsonAndNonObjects) {
  EXPECT_EQ(read_error("{\"type\":\"trade\",\n").field(), "json");
  EXPECT_EQ(read_error("not json\n").field(), "json");
  EXPECT_EQ(read_error("[1,2]\n").field(), "json");
  EXPECT_EQ(read_error(trade(kOpen, "\"1\"").substr(0, 40) + "\n").field(), "json");
}

TEST(JsonlReaderBadInput, TrailingCharactersAfterTheObject) {
  std::string line = trade(kOpen, "\"1\"");
  line.pop_back();
  EXPECT_EQ(read_error(line + " x\n").field(), "json");
  EXPECT_EQ(read_error(line + line + "\n").field(), "json");
}

TEST(JsonlReaderBadInput, MalformedValueOfAnUnknownKey) {
  EXPECT_EQ(read_error(trade(kOpen, "\"1\"", 1, ",\"x\":tru")).field(), "json");
  EXPECT_EQ(read_error(trade(kOpen, "\"1\"", 1, ",\"x\":[1,{\"a\":nul}]")).field(), "json");
}

TEST(JsonlReaderBadInput, MissingOrWrongRequiredFields) {
  EXPECT_EQ(read_error("{\"ts_ns\":1627260300000000000,\"symbol\":\"MTX\",\"price\":\"1\",\"qty\":1}\n").field(), "type");
  EXPECT_EQ(read_error("{\"type\":\"fill\",\"ts_ns\":1627260300000000000,\"symbol\":\"MTX\"}\n").field(), "type");
  EXPECT_EQ(read_error("{\"type\":\"trade\",\"symbol\":\"MTX\",\"price\":\"1\",\"qty\":1}\n").field(), "ts_ns");
  EXPECT_EQ(read_error("{\"type\":\"trade\",\"ts_ns\":1.5,\"symbol\":\"MTX\",\"price\":\"1\",\"qty\":1}\n").field(), "ts_ns");
  EXPECT_EQ(read_error("{\"type\":\"trade\",\"ts_ns\":\"1\",\"symbol\":\"MTX\",\"price\":\"1\",\"qty\":1}\n").field(), "ts_ns");
  EXPECT_EQ(read_error("{\"type\":\"trade\",\"ts_ns\":1627260300000000000,\"price\":\"1\",\"qty\":1}\n").field(), "symbol");
  EXPECT_EQ(read_error("{\"type\":\"trade\",\"ts_ns\":1627260300000000000,\"symbol\":\"MTX\",\"qty\":1}\n").field(), "price");
  EXPECT_EQ(read_error("{\"type\":\"trade\",\"ts_ns\":1627260300000000000,\"symbol\":\"MTX\",\"price\":\"1\"}\n").field(), "qty");
  EXPECT_EQ(read_error(trade(kOpen, "\"1\"", 1, ",\"day\":20210231")).field(), "day");
  EXPECT_EQ(read_error(trade(kOpen, "\"1\"", 1, ",\"auction\":\"yes\"")).field(), "auction");
  const InputError e = read_error(trade(kOpen, "\"\""));
  EXPECT_EQ(e.field(), "price");
}

TEST(JsonlReaderBadInput, NonNumericExponentAndOffTickPrices) {
  InputError e = read_error(trade(kOpen, "\"17a73\""));
  EXPECT_EQ(e.field(), "price");
  EXPECT_EQ(e.value(), "17a73");
  EXPECT_STREQ(e.what(),
               "ticks.jsonl:1: field 'price' value '17a73': not a decimal number (no exponents, at "
               "most 9 decimals)");
  EXPECT_EQ(read_error(trade(kOpen, "1.7473e4")).value(), "1.7473e4");
  EXPECT_EQ(read_error(trade(kOpen, "true")).field(), "price");
  e = read_error(trade(kOpen, "\"17473.5\""));
  EXPECT_EQ(e.field(), "price");
  EXPECT_NE(std::string(e.what()).find("tick size 1"), std::string::npos);
  EXPECT_EQ(read_error(trade(kOpen, "17473.5")).value(), "17473.5");
}

TEST(JsonlReaderBadInput, BadQuantities) {
  EXPECT_EQ(read_error(trade(kOpen, "\"1\"", 0)).field(), "qty");
  EXPECT_EQ(read_error(trade(kOpen, "\"1\"", -3)).field(), "qty");
  EXPECT_EQ(read_error("{\"type\":\"trade\",\"ts_ns\":1627260300000000000,\"symbol\":\"MTX\",\"price\":\"1\",\"qty\":1.5}\n").field(), "qty");
  EXPECT_EQ(read_error("{\"type\":\"trade\",\"ts_ns\":1627260300000000000,\"symbol\":\"MTX\",\"price\":\"1\",\"qty\":\"1\"}\n").field(), "qty");
}

TEST(JsonlReaderBadInput, BadBooks) {
  const std::string head = "{\"type\":\"quote\",\"ts_ns\":1627260300000000000,\"symbol\":\"MTX\",";
  EXPECT_EQ(read_error(head + "\"bids\":[[\"10\",1],[\"10\",1]]}\n").field(), "bids");
  EXPECT_EQ(read_error(head + "\"bids\":[[\"10\",1],[\"11\",1]]}\n").field(), "bids");
  EXPECT_EQ(read_error(head + "\"asks\":[[\"11\",1],[\"10\",1]]}\n").field(), "asks");
  EXPECT_EQ(read_error(head + "\"asks\":[[\"1\",1],[\"2\",1],[\"3\",1],[\"4\",1],[\"5\",1],[\"6\",1]]}\n").field(), "asks");
  EXPECT_EQ(read_error(head + "\"asks\":[[\"1\",1,2]]}\n").field(), "asks");
  EXPECT_EQ(read_error(head + "\"asks\":[[\"1\"]]}\n").field(), "asks");
  EXPECT_EQ(read_error(head + "\"asks\":[\"1\"]}\n").field(), "asks");
  EXPECT_EQ(read_error(head + "\"asks\":{}}\n").field(), "asks");
  EXPECT_EQ(read_error(head + "\"asks\":[[\"1\",0]]}\n").field(), "asks");
  const InputError crossed = read_error(head + "\"bids\":[[\"11\",1]],\"asks\":[[\"11\",1]]}\n");
  EXPECT_EQ(crossed.field(), "bids");
  EXPECT_NE(std::string(crossed.what()).find("crossed"), std::string::npos);
  EXPECT_EQ(read_error(head + "\"price\":\"1\",\"bids\":[[\"1\",1]]}\n").field(), "price");
  EXPECT_EQ(read_error(head + "\"x\":1}\n").field(), "bids");
  EXPECT_EQ(read_error(trade(kOpen, "\"1\"", 1, ",\"bids\":[[\"1\",1]]")).field(), "bids");
}

TEST(JsonlReaderBadInput, UnknownSymbol) {
  ReadOptions opt;
  opt.symbol = "TX";
  const InputError e = read_error(trade(kOpen, "\"1\""), opt);
  EXPECT_EQ(e.line(), 0u);
  EXPECT_EQ(e.field(), "symbol");
  EXPECT_EQ(e.value(), "TX");
}

TEST(JsonlReaderBadInput, EmptyFileAndBlankLinesOnly) {
  for (const std::string text : {"", "\n\n  \r\n"}) {
    const InputError e = read_error(text);
    EXPECT_EQ(e.field(), "symbol");
    EXPECT_NE(std::string(e.what()).find("no data lines"), std::string::npos);
  }
}

TEST(JsonlReaderBadInput, SkipBadCountsAndContinues) {
  ReadOptions opt;
  opt.skip_bad = true;
  const TickData d = read(trade(kOpen + 5, "\"17471\"") + "{oops\n" + trade(kOpen, "\"17472\"") +
                              trade(kOpen + 6, "\"17473.5\"") + trade(kOpen + 7, "\"17474\""),
                          opt);
  ASSERT_EQ(d.events.size(), 2u);
  EXPECT_EQ(d.events[1].last, Price{17474});
  EXPECT_EQ(d.stats.skipped, 3u);
  EXPECT_EQ(d.stats.lines, 5u);
  ASSERT_EQ(d.stats.issues.size(), 3u);
  EXPECT_EQ(d.stats.issues[0].field, "json");
  EXPECT_EQ(d.stats.issues[1].field, "ts_ns");
  EXPECT_EQ(d.stats.issues[2].field, "price");
  EXPECT_EQ(d.stats.issues[2].line, 4u);
}

TEST(JsonlReaderBadInput, GarbageNeverCrashes) {
  ReadOptions opt;
  opt.skip_bad = true;
  std::string junk;
  for (int i = 0; i < 5000; ++i) junk += static_cast<char>((i * 7919 + 13) % 256);
  junk += "\n{\"type\":\"trade\",\"ts_ns\":1627260300000000000,\"symbol\":\"MTX\",\"price\":[[[[[[\n{\"\n";
  const TickData d = read(junk + trade(kOpen, "\"1\""), opt);
  EXPECT_EQ(d.events.size(), 1u);
  EXPECT_GT(d.stats.skipped, 0u);
}

}  // namespace
}  // namespace tp
