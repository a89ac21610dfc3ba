// What every reader refuses (docs/FORMATS.md "Validation"): prices that are not positive,
// too large or outside the day's price band, quantities and times out of bounds,
// duplicate JSON keys, a JSON `day` that disagrees with `ts_ns`, lines out of time order
// (one wild time stamp drops only its own line), and the escaping of error messages.
// Every case names file, line, field and value, and --skip-bad loses no good line.
#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "input_test_util.hpp"
#include "tp/engine/input/readers.hpp"
#include "tp/engine/instrument.hpp"

namespace tp {
namespace {

using testing::mtx;

constexpr int64_t kTaipei = 8 * 3600 * kNsPerSec;
constexpr int64_t kOpen = 1627260300000000000;  // 2021-07-26 08:45:00 Taipei

// ------------------------------------------------------------------ helpers

const std::string kTaifexHeader =
    "\xA6\xA8\xA5\xE6\xA4\xE9\xB4\xC1,\xB0\xD3\xAB~\xA5N\xB8\xB9,\xA8\xEC\xB4\xC1\xA4\xEB\xA5"
    "\xF7(\xB6g\xA7O),\xA6\xA8\xA5\xE6\xAE\xC9\xB6\xA1,\xA6\xA8\xA5\xE6\xBB\xF9\xAE\xE6,\xA6"
    "\xA8\xA5\xE6\xBC\xC6\xB6q(B+S),\xAA\xF1\xA4\xEB\xBB\xF9\xAE\xE6,\xBB\xB7\xA4\xEB\xBB\xF9"
    "\xAE\xE6,\xB6}\xBDL\xB6\xB0\xA6X\xC4v\xBB\xF9 \r\n";

/// A TAIFEX row of MTX 202108 on 2021-07-26.
std::string taifex_row(const std::string& time, const std::string& price, const std::string& vol = "2",
                       const std::string& date = "20210726") {
  return date + ",MTX    ,202108     ," + time + "," + price + "," + vol + ",-,-, \r\n";
}

TickData read_taifex(const std::string& body, ReadOptions opt = {}) {
  return read_taifex_csv("day.csv", kTaifexHeader + body, mtx(), opt);
}

const std::string kBarsHeader =
    "\xEF\xBB\xBF商品代碼,K線類型,交易日期,交易時間,開盤價,最高價,最低價,收盤價,成交量,建立時間\n";

std::string bar(const std::string& when, const std::string& o, const std::string& h,
                const std::string& l, const std::string& c, const std::string& vol = "8") {
  return "MTX00,MINUTE," + when + ",," + o + "," + h + "," + l + "," + c + "," + vol +
         ",2025-07-05 12:20:29\n";
}

TickData read_bars(const std::string& body, ReadOptions opt = {}) {
  return read_capital_bars("bars.csv", kBarsHeader + body, mtx(), opt);
}

std::string trade(int64_t ts, const std::string& price, int qty = 1, const std::string& extra = "") {
  return "{\"type\":\"trade\",\"ts_ns\":" + std::to_string(ts) + ",\"symbol\":\"MTX\",\"price\":" +
         price + ",\"qty\":" + std::to_string(qty) + extra + "}\n";
}

std::string quote(int64_t ts, const std::string& bids, const std::string& asks) {
  return "{\"type\":\"quote\",\"ts_ns\":" + std::to_string(ts) + ",\"symbol\":\"MTX\",\"bids\":" + bids +
         ",\"asks\":" + asks + "}\n";
}

TickData read_json(const std::string& text, ReadOptions opt = {}) {
  return read_jsonl("ticks.jsonl", text, mtx(), opt);
}

ReadOptions skip_bad() {
  ReadOptions o;
  o.skip_bad = true;
  return o;
}

/// Runs `f` expecting an InputError; returns it.
template <class F>
InputError error_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "no InputError";
  return InputError("", 0, "", "", "");
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// ------------------------------------------------------------------ TAIFEX prices

TEST(TaifexValidation, ZeroNegativeAndHugePricesAreErrors) {
  const std::string good = taifex_row("090000", "17473");
  for (const std::string px : {"0", "-17450", "2000000000000000000", "1000000001"}) {
    const InputError e = error_of([&] { read_taifex(good + taifex_row("090001", px)); });
    EXPECT_EQ(e.file(), "day.csv") << px;
    EXPECT_EQ(e.line(), 3u) << px;
    EXPECT_EQ(e.field(), "成交價格") << px;
    EXPECT_EQ(e.value(), px) << px;
    const std::string what = e.what();
    EXPECT_TRUE(contains(what, px[0] == '-' || px == "0" ? "price must be positive" : "price out of range"))
        << what;
  }
}

TEST(TaifexValidation, SkipBadDropsTheBadPricesAndKeepsEveryGoodRow) {
  const TickData d = read_taifex(taifex_row("090000", "17473") + taifex_row("090001", "0") +
                                     taifex_row("090002", "-17450") + taifex_row("090003", "17474") +
                                     taifex_row("090004", "2000000000000000000") +
                                     taifex_row("090005", "17475"),
                                 skip_bad());
  ASSERT_EQ(d.events.size(), 3u);
  EXPECT_EQ(d.events[0].last, Price{17473});
  EXPECT_EQ(d.events[1].last, Price{17474});
  EXPECT_EQ(d.events[2].last, Price{17475});
  EXPECT_EQ(d.stats.skipped, 3u);
  ASSERT_EQ(d.stats.issues.size(), 3u);
  EXPECT_EQ(d.stats.issues[0].line, 3u);
  EXPECT_EQ(d.stats.issues[1].line, 4u);
  EXPECT_EQ(d.stats.issues[2].line, 6u);
  EXPECT_EQ(d.stats.issues[2].value, "2000000000000000000");
}

TEST(TaifexValidation, PriceOutsideTheDailyBandIsAnError) {
  // Reference 17473 (the day's first trade): the band is 17473 +/- 1747 = 15726..19220.
  const std::string body = taifex_row("084500", "17473") + taifex_row("090000", "19220") +
                           taifex_row("090001", "15726") + taifex_row("090002", "19221");
  const InputError e = error_of([&] { read_taifex(body); });
  EXPECT_EQ(e.line(), 5u);
  EXPECT_EQ(e.field(), "成交價格");
  EXPECT_EQ(e.value(), "19221");
  const std::string what = e.what();
  EXPECT_TRUE(contains(what, "outside the 10% price band 15726..19220 around the reference 17473")) << what;
  EXPECT_TRUE(contains(what, "first trade of trading day 2021-07-26")) << what;
  // The bounds themselves are inside.
  const TickData d = read_taifex(body, skip_bad());
  EXPECT_EQ(d.events.size(), 3u);
  EXPECT_EQ(d.stats.skipped, 1u);
}

TEST(TaifexValidation, BandIsConfigurableAndCanBeTurnedOff) {
  const std::string body = taifex_row("084500", "17473") + taifex_row("090000", "18400");
  ReadOptions narrow;
  narrow.price_band_pct = 5;  // 17473 +/- 873
  EXPECT_EQ(error_of([&] { read_taifex(body, narrow); }).value(), "18400");
  ReadOptions off;
  off.price_band_pct = 0;
  EXPECT_EQ(read_taifex(body + taifex_row("090001", "999999999"), off).events.size(), 3u);
  // Off still bounds the price.
  EXPECT_EQ(error_of([&] { read_taifex(body + taifex_row("090001", "1000000001"), off); }).line(), 4u);
}

TEST(TaifexValidation, AGivenReferencePriceIsUsedForEveryDay) {
  ReadOptions opt;
  opt.reference_price = Decimal{16000, 0};  // band 14400..17600
  const std::string body = taifex_row("084500", "17473") + taifex_row("090000", "17600") +
                           taifex_row("090001", "17601");
  const InputError e = error_of([&] { read_taifex(body, opt); });
  EXPECT_EQ(e.line(), 4u) << e.what();
  EXPECT_TRUE(contains(e.what(), "band 14400..17600 around the reference 16000 (the given reference price"))
      << e.what();
  opt.skip_bad = true;
  const TickData d = read_taifex(body, opt);
  ASSERT_EQ(d.events.size(), 2u);
  EXPECT_EQ(d.events[1].last, Price{17600});
  // The same reference holds for another trading day.
  opt.skip_bad = false;
  EXPECT_EQ(error_of([&] { read_taifex(taifex_row("090000", "12000", "2", "20210727"), opt); }).value(),
            "12000");
}

TEST(TaifexValidation, AWildOpeningPrintDoesNotBecomeTheReference) {
  // The day's first print is ten times too high: the median of the first five trades
  // vets it, the next trade becomes the reference, and only the wild print is bad.
  const std::string body = taifex_row("084500", "174730") + taifex_row("084501", "17474") +
                           taifex_row("084502", "17475") + taifex_row("084503", "17476") +
                           taifex_row("084504", "17477") + taifex_row("084505", "17478");
  const InputError e = error_of([&] { read_taifex(body); });
  EXPECT_EQ(e.line(), 2u);
  EXPECT_EQ(e.value(), "174730");
  EXPECT_TRUE(contains(e.what(), "around the reference 17474")) << e.what();
  const TickData d = read_taifex(body, skip_bad());
  EXPECT_EQ(d.events.size(), 5u);
  EXPECT_EQ(d.stats.skipped, 1u);
}

TEST(TaifexValidation, EachTradingDayHasItsOwnReferenceAndTheNightBelongsToTheNextDay) {
  // Friday night (trading day 2021-07-26) starts at 17400; Monday's day session
  // continues it. Thursday 2021-07-22 is another trading day with its own reference.
  const std::string body = taifex_row("090000", "15000", "2", "20210722") +
                           taifex_row("150000", "17400", "2", "20210723") +
                           taifex_row("084500", "17473");
  const TickData d = read_taifex(body);
  ASSERT_EQ(d.events.size(), 3u);
  EXPECT_EQ(d.events[0].day, TradingDay{20210722});
  EXPECT_EQ(d.events[1].day, TradingDay{20210726});
}

TEST(TaifexValidation, VolumeAndDateAreBounded) {
  const std::string good = taifex_row("090000", "17473");
  EXPECT_EQ(read_taifex(good + taifex_row("090001", "17473", "2000000")).events[1].last_qty,
            Qty{kMaxQtyLots});
  InputError e = error_of([&] { read_taifex(good + taifex_row("090001", "17473", "2000002")); });
  EXPECT_EQ(e.field(), "成交數量(B+S)");
  EXPECT_EQ(e.value(), "2000002");
  e = error_of([&] { read_taifex(taifex_row("090000", "17473", "2", "19891231")); });
  EXPECT_EQ(e.field(), "成交日期");
  EXPECT_TRUE(contains(e.what(), "out of range")) << e.what();
  e = error_of([&] { read_taifex(taifex_row("090000", "17473", "2", "21000101")); });
  EXPECT_EQ(e.field(), "成交日期");
  // The bound is on the event time: 1990-01-01 07:59:59 Taipei is 1989-12-31 23:59:59 UTC.
  EXPECT_EQ(error_of([&] { read_taifex(taifex_row("075959", "17473", "2", "19900101")); }).line(), 2u);
  EXPECT_EQ(read_taifex(taifex_row("080000", "17473", "2", "19900101")).events.size(), 1u);
}

TEST(TaifexValidation, TheFirstBadLineIsReportedWhicheverCheckFindsIt) {
  // Line 3 is out of the band (found after sorting), line 4 is not a number (found
  // while reading): the error names line 3.
  const std::string body = taifex_row("084500", "17473") + taifex_row("090000", "30000") +
                           taifex_row("090001", "17x");
  EXPECT_EQ(error_of([&] { read_taifex(body); }).line(), 3u);
}

// ------------------------------------------------------------------ bars

TEST(BarsValidation, LowOfZeroAndNegativePricesAreErrors) {
  InputError e = error_of([&] { read_bars(bar("2025/04/09 09:00", "18000", "18010", "0", "18005")); });
  EXPECT_EQ(e.file(), "bars.csv");
  EXPECT_EQ(e.line(), 2u);
  EXPECT_EQ(e.field(), "最低價");
  EXPECT_EQ(e.value(), "0");
  EXPECT_TRUE(contains(e.what(), "price must be positive")) << e.what();
  e = error_of([&] { read_bars(bar("2025/04/09 09:00", "-5", "18010", "-5", "18005")); });
  EXPECT_EQ(e.field(), "開盤價");
}

TEST(BarsValidation, PriceOutsideTheBandIsAnErrorNamingTheColumn) {
  const std::string body = bar("2025/04/09 09:00", "18000", "18010", "17990", "18005") +
                           bar("2025/04/09 09:01", "18005", "19900", "18000", "18001");
  const InputError e = error_of([&] { read_bars(body); });
  EXPECT_EQ(e.line(), 3u);
  EXPECT_EQ(e.field(), "最高價");
  EXPECT_EQ(e.value(), "19900");
  const TickData d = read_bars(body, skip_bad());
  EXPECT_EQ(d.events.size(), 4u);
  EXPECT_EQ(d.stats.skipped, 1u);
}

TEST(BarsValidation, VolumeIsBounded) {
  EXPECT_EQ(read_bars(bar("2025/04/09 09:00", "18000", "18000", "18000", "18000", "4000003")).events[0].last_qty,
            Qty{kMaxQtyLots});
  const InputError e =
      error_of([&] { read_bars(bar("2025/04/09 09:00", "18000", "18000", "18000", "18000", "4000004")); });
  EXPECT_EQ(e.field(), "成交量");
}

TEST(BarsValidation, OneWildFutureBarIsDroppedAloneAndNamed) {
  std::string body;
  for (int m = 0; m < 5; ++m) {
    body += bar("2025/04/09 09:0" + std::to_string(m), "18000", "18001", "17999", "18000");
  }
  body += bar("2031/04/09 09:05", "18000", "18001", "17999", "18000");  // line 7
  for (int m = 5; m < 10; ++m) {
    body += bar("2025/04/09 09:0" + std::to_string(m), "18000", "18001", "17999", "18000");
  }
  const InputError e = error_of([&] { read_bars(body); });
  EXPECT_EQ(e.line(), 7u);
  EXPECT_EQ(e.field(), "交易日期");
  EXPECT_TRUE(contains(e.what(), "later than the lines after it (line 8")) << e.what();
  const TickData d = read_bars(body, skip_bad());
  EXPECT_EQ(d.events.size(), 40u);
  EXPECT_EQ(d.stats.skipped, 1u);
  EXPECT_EQ(d.stats.issues[0].line, 7u);
}

TEST(BarsValidation, ARepeatedBarIsTheBadOne) {
  const std::string body = bar("2025/04/09 09:00", "18000", "18001", "17999", "18000") +
                           bar("2025/04/09 09:01", "18000", "18001", "17999", "18000") +
                           bar("2025/04/09 09:01", "18000", "18001", "17999", "18000") +
                           bar("2025/04/09 09:02", "18000", "18001", "17999", "18000");
  const InputError e = error_of([&] { read_bars(body); });
  EXPECT_EQ(e.line(), 4u);
  EXPECT_TRUE(contains(e.what(), "time repeats: line 3")) << e.what();
}

TEST(BarsValidation, ABarClosesOnAWholeMinute) {
  // Regression (fuzz_bars): a bar closing at 11:21:37 after one closing at 11:21 put its
  // first tick (11:20:37) before the previous bar's last (11:20:45).
  const std::string body = bar("2025/04/10 11:21", "18902", "18902", "18902", "18902") +
                           bar("2025/04/10 11:21:37", "18902", "18902", "18804", "18902");
  const InputError e = error_of([&] { read_bars(body); });
  EXPECT_EQ(e.line(), 3u);
  EXPECT_EQ(e.field(), "交易日期");
  EXPECT_EQ(e.value(), "2025/04/10 11:21:37");
  EXPECT_TRUE(contains(e.what(), "closes on a whole minute")) << e.what();
  const TickData d = read_bars(body + bar("2025/04/10 11:22:00", "18902", "18902", "18902", "18902"), skip_bad());
  EXPECT_EQ(d.events.size(), 8u);
  for (std::size_t i = 1; i < d.events.size(); ++i) EXPECT_LE(d.events[i - 1].ts, d.events[i].ts) << i;
}

// ------------------------------------------------------------------ JSON lines

TEST(JsonlValidation, ZeroNegativeAndHugePricesAreErrors) {
  InputError e = error_of([&] { read_json(trade(kOpen, "\"0\"")); });
  EXPECT_EQ(e.line(), 1u);
  EXPECT_EQ(e.field(), "price");
  EXPECT_EQ(e.value(), "0");
  EXPECT_TRUE(contains(e.what(), "price must be positive")) << e.what();
  EXPECT_EQ(error_of([&] { read_json(trade(kOpen, "-17450")); }).value(), "-17450");
  EXPECT_EQ(error_of([&] { read_json(trade(kOpen, "\"1000000001\"")); }).field(), "price");
  e = error_of([&] { read_json(quote(kOpen, "[[\"-1\",1]]", "[[\"17474\",1]]")); });
  EXPECT_EQ(e.field(), "bids");
  EXPECT_EQ(e.value(), "-1");
  e = error_of([&] { read_json(quote(kOpen, "[[\"17473\",1]]", "[[\"0\",1]]")); });
  EXPECT_EQ(e.field(), "asks");
}

TEST(JsonlValidation, BookPricesOutsideTheBandAreErrors) {
  const std::string text = trade(kOpen, "\"17473\"") +
                           quote(kOpen + 1, "[[\"17472\",1],[\"12000\",1]]", "[[\"17474\",1]]");
  const InputError e = error_of([&] { read_json(text); });
  EXPECT_EQ(e.line(), 2u);
  EXPECT_EQ(e.field(), "bids");
  EXPECT_EQ(e.value(), "12000");
}

TEST(JsonlValidation, AQuoteOnlyDayTakesItsReferenceFromTheBook) {
  const std::string text = quote(kOpen, "[[\"17472\",1]]", "[[\"17474\",1]]") +
                           quote(kOpen + 1, "[[\"19500\",1]]", "[[\"19501\",1]]");
  const InputError e = error_of([&] { read_json(text); });
  EXPECT_EQ(e.line(), 2u);
  EXPECT_TRUE(contains(e.what(), "first book price of trading day 2021-07-26")) << e.what();
}

TEST(JsonlValidation, QuantitiesAndTimesAreBounded) {
  EXPECT_EQ(read_json(trade(kOpen, "\"17473\"", kMaxQtyLots)).events[0].last_qty, Qty{kMaxQtyLots});
  EXPECT_EQ(error_of([&] { read_json(trade(kOpen, "\"17473\"", kMaxQtyLots + 1)); }).field(), "qty");
  EXPECT_EQ(error_of([&] { read_json(quote(kOpen, "[[\"17472\",1000001]]", "[]")); }).field(), "bids");
  InputError e = error_of([&] { read_json(trade(kMaxEventNs, "\"17473\"")); });
  EXPECT_EQ(e.field(), "ts_ns");
  EXPECT_TRUE(contains(e.what(), "out of range")) << e.what();
  EXPECT_EQ(error_of([&] { read_json(trade(kMinEventNs - 1, "\"17473\"")); }).field(), "ts_ns");
  EXPECT_EQ(error_of([&] { read_json(trade(1, "\"17473\"")); }).field(), "ts_ns");
}

TEST(JsonlValidation, DuplicateKeysAreErrorsNotLastOneWins) {
  InputError e = error_of([&] { read_json(trade(kOpen, "\"17473\"", 1, ",\"price\":\"17000\"")); });
  EXPECT_EQ(e.line(), 1u);
  EXPECT_EQ(e.field(), "price");
  EXPECT_TRUE(contains(e.what(), "duplicate key")) << e.what();
  EXPECT_EQ(error_of([&] { read_json(trade(kOpen, "\"17473\"", 1, ",\"type\":\"quote\"")); }).field(), "type");
  EXPECT_EQ(error_of([&] { read_json(trade(kOpen, "\"17473\"", 1, ",\"ts_ns\":1")); }).field(), "ts_ns");
  // Unknown keys too, also when one is spelled with an escape.
  e = error_of([&] { read_json(trade(kOpen, "\"17473\"", 1, ",\"venue\":1,\"v\\u0065nue\":2")); });
  EXPECT_EQ(e.field(), "venue");
  EXPECT_TRUE(contains(e.what(), "duplicate key")) << e.what();
  // Distinct unknown keys are fine.
  EXPECT_EQ(read_json(trade(kOpen, "\"17473\"", 1, ",\"a\":1,\"b\":2")).events.size(), 1u);
}

TEST(JsonlValidation, DayMustAgreeWithTsNs) {
  const std::string text = trade(kOpen, "\"17473\"", 1, ",\"day\":20210726") +
                           trade(kOpen + 1, "\"17474\"", 1, ",\"day\":20210727");
  const InputError e = error_of([&] { read_json(text); });
  EXPECT_EQ(e.line(), 2u);
  EXPECT_EQ(e.field(), "day");
  EXPECT_EQ(e.value(), "20210727");
  EXPECT_TRUE(contains(e.what(), "belongs to trading day 20210726")) << e.what();
  // A night-session time belongs to the next trading day; that day is right.
  TimeNs night;
  ASSERT_TRUE(make_time(20210723, 15 * 3600, 0, kTaipei, night));
  EXPECT_EQ(read_json(trade(night.ns, "\"17473\"", 1, ",\"day\":20210726")).events.size(), 1u);
  EXPECT_EQ(error_of([&] { read_json(trade(night.ns, "\"17473\"", 1, ",\"day\":20210723")); }).field(), "day");
}

TEST(JsonlValidation, OneFutureTsNsUnderSkipBadDropsOnlyItselfAndIsNamed) {
  // 1 good line, the wild one (a year ahead) on line 2, then 698 good lines.
  std::string text = trade(kOpen, "\"17473\"");
  text += trade(kOpen + 365LL * 86400 * kNsPerSec, "\"17473\"");
  for (int i = 0; i < 698; ++i) text += trade(kOpen + (i + 1) * 1'000'000LL, "\"17473\"");
  const TickData d = read_json(text, skip_bad());
  EXPECT_EQ(d.events.size(), 699u);
  EXPECT_EQ(d.stats.skipped, 1u);
  ASSERT_EQ(d.stats.issues.size(), 1u);
  EXPECT_EQ(d.stats.issues[0].line, 2u);
  EXPECT_EQ(d.stats.issues[0].field, "ts_ns");
  EXPECT_TRUE(contains(d.stats.issues[0].message, "later than the lines after it (line 3"))
      << d.stats.issues[0].message;
  const InputError e = error_of([&] { read_json(text); });
  EXPECT_EQ(e.line(), 2u);
}

TEST(JsonlValidation, ABackwardStepIsTheBadLine) {
  const std::string text = trade(kOpen, "\"17473\"") + trade(kOpen + 10, "\"17473\"") +
                           trade(kOpen + 5, "\"17473\"") + trade(kOpen + 20, "\"17473\"") +
                           trade(kOpen + 30, "\"17473\"");
  const InputError e = error_of([&] { read_json(text); });
  EXPECT_EQ(e.line(), 3u);
  EXPECT_TRUE(contains(e.what(), "time goes backwards: line 2")) << e.what();
}

TEST(JsonlValidation, AWildPastTsNsAtTheStartIsDroppedAlone) {
  std::string text = trade(kOpen + 100, "\"17473\"");
  for (int i = 0; i < 5; ++i) text += trade(kOpen + i, "\"17473\"");
  const TickData d = read_json(text, skip_bad());
  EXPECT_EQ(d.events.size(), 5u);
  ASSERT_EQ(d.stats.issues.size(), 1u);
  EXPECT_EQ(d.stats.issues[0].line, 1u);
}

TEST(JsonlValidation, OutOfOrderLinesOfOtherSymbolsAreSkippedNotFiltered) {
  const std::string other = "{\"type\":\"trade\",\"ts_ns\":" + std::to_string(kOpen - 5) +
                            ",\"symbol\":\"TX\",\"price\":\"17473\",\"qty\":1}\n";
  const TickData d = read_json(trade(kOpen, "\"17473\"") + other + trade(kOpen + 1, "\"17473\""), skip_bad());
  EXPECT_EQ(d.events.size(), 2u);
  EXPECT_EQ(d.stats.skipped, 1u);
  EXPECT_EQ(d.stats.filtered, 0u);
}

// ------------------------------------------------------------------ binary

InputEvent binary_trade(int64_t ts, int64_t px) {
  InputEvent e;
  e.ts = TimeNs{ts};
  e.day = TradingDay{20210726};
  e.session = Session::Day;
  e.flags = kInTrade;
  e.last = Price{px};
  e.last_qty = Qty{1};
  return e;
}

/// A valid binary file of three trades and a recorded quote; `edit` changes record
/// `index` and the checksums are recomputed (a file a buggy or hostile writer made).
std::string binary_file(std::size_t index, void (*edit)(InputEvent&)) {
  std::vector<InputEvent> ev = {binary_trade(kOpen, 17473), binary_trade(kOpen + 1, 17474),
                                binary_trade(kOpen + 2, 17475)};
  InputEvent q = binary_trade(kOpen + 3, 0);
  q.flags = kInQuote;
  q.last_qty = Qty{};
  q.bid_levels = 1;
  q.bid_px[0] = Price{17474};
  q.bid_qty[0] = Qty{2};
  q.ask_levels = 1;
  q.ask_px[0] = Price{17476};
  q.ask_qty[0] = Qty{3};
  ev.push_back(q);
  testing::TempFile f("t.tpk");
  write_binary(f.path(), ev, mtx(), "202108");
  std::string bytes = f.read();
  InputEvent r;
  char* at = bytes.data() + kBinaryHeaderBytes + index * sizeof(InputEvent);
  std::memcpy(&r, at, sizeof r);
  edit(r);
  std::memcpy(at, &r, sizeof r);
  BinaryHeader h;
  std::memcpy(&h, bytes.data(), sizeof h);
  h.records_xxh64 = xxh64(bytes.data() + kBinaryHeaderBytes, bytes.size() - kBinaryHeaderBytes);
  h.header_xxh64 = binary_header_checksum(h);
  std::memcpy(bytes.data(), &h, sizeof h);
  return bytes;
}

InputError binary_error(std::size_t index, void (*edit)(InputEvent&)) {
  const std::string bytes = binary_file(index, edit);
  return error_of([&] { read_binary("t.tpk", bytes, mtx(), ReadOptions{}); });
}

TEST(BinaryValidation, AnUneditedFileIsValid) {
  const std::string bytes = binary_file(0, [](InputEvent&) {});
  EXPECT_EQ(read_binary("t.tpk", bytes, mtx(), ReadOptions{}).events.size(), 4u);
}

TEST(BinaryValidation, RecordsWithPricesQuantitiesOrTimesOutOfBoundsAreRejected) {
  InputError e = binary_error(1, [](InputEvent& r) { r.last = Price{0}; });
  EXPECT_EQ(e.line(), 2u);
  EXPECT_EQ(e.field(), "last");
  EXPECT_EQ(e.value(), "0");
  EXPECT_TRUE(contains(e.what(), "record 2: price must be positive")) << e.what();
  EXPECT_EQ(binary_error(1, [](InputEvent& r) { r.last = Price{2'000'000'000'000'000'000}; }).field(), "last");
  EXPECT_EQ(binary_error(1, [](InputEvent& r) { r.last_qty = Qty{0}; }).field(), "last_qty");
  EXPECT_EQ(binary_error(1, [](InputEvent& r) { r.last_qty = Qty{kMaxQtyLots + 1}; }).field(), "last_qty");
  EXPECT_EQ(binary_error(3, [](InputEvent& r) { r.bid_px[0] = Price{-17474}; }).field(), "bid_px");
  EXPECT_EQ(binary_error(3, [](InputEvent& r) { r.ask_qty[0] = Qty{0}; }).field(), "ask_qty");
  EXPECT_EQ(binary_error(3, [](InputEvent& r) { r.bid_px[0] = Price{17477}; }).value(), "17477")
      << "crossed book";
  EXPECT_EQ(binary_error(3, [](InputEvent& r) { r.bid_levels = 2; r.bid_px[1] = Price{17475}; r.bid_qty[1] = Qty{1}; })
                .field(),
            "bid_px")
      << "bids must descend";
  EXPECT_EQ(binary_error(2, [](InputEvent& r) { r.bid_levels = 1; }).field(), "bid_levels")
      << "levels on a record without a book";
  e = binary_error(3, [](InputEvent& r) { r.ts = TimeNs{kMaxEventNs}; });
  EXPECT_EQ(e.field(), "ts_ns");
}

TEST(BinaryValidation, DayAndSessionMustFollowFromTheTime) {
  InputError e = binary_error(2, [](InputEvent& r) { r.day = TradingDay{20210727}; });
  EXPECT_EQ(e.line(), 3u);
  EXPECT_EQ(e.field(), "day");
  EXPECT_EQ(binary_error(2, [](InputEvent& r) { r.session = Session::Night; }).field(), "session");
}

TEST(BinaryValidation, PricesOutsideTheBandAreRejected) {
  const InputError e = binary_error(2, [](InputEvent& r) { r.last = Price{20000}; });
  EXPECT_EQ(e.line(), 3u);
  EXPECT_EQ(e.field(), "last");
  EXPECT_EQ(e.value(), "20000");
  EXPECT_TRUE(contains(e.what(), "outside the 10% price band")) << e.what();
  const std::string bytes = binary_file(2, [](InputEvent& r) { r.last = Price{20000}; });
  ReadOptions off;
  off.price_band_pct = 0;
  EXPECT_EQ(read_binary("t.tpk", bytes, mtx(), off).events.size(), 4u) << "the band is an option";
  EXPECT_EQ(binary_error(3, [](InputEvent& r) { r.ask_px[0] = Price{30000}; }).field(), "ask_px");
}

// ------------------------------------------------------------------ options

TEST(ReadOptionsValidation, BadBandOrReferenceIsAnInvalidArgument) {
  const std::string text = trade(kOpen, "\"17473\"");
  for (const double pct : {-1.0, 1000.5, std::numeric_limits<double>::quiet_NaN()}) {
    ReadOptions o;
    o.price_band_pct = pct;
    EXPECT_THROW(read_json(text, o), std::invalid_argument) << pct;
  }
  ReadOptions o;
  o.price_band_pct = 1000;
  EXPECT_EQ(read_json(text, o).events.size(), 1u);
  for (const Decimal ref : {Decimal{0, 0}, Decimal{-1, 0}, Decimal{174735, 1}, Decimal{1000000001, 0}}) {
    o.reference_price = ref;
    try {
      read_json(text, o);
      ADD_FAILURE() << ref.mantissa;
    } catch (const std::invalid_argument& e) {
      EXPECT_TRUE(contains(e.what(), "reference price")) << e.what();
    }
  }
  o.reference_price = Decimal{174730, 1};  // 17473.0 is on the grid
  EXPECT_EQ(read_json(text, o).events.size(), 1u);
}

// ------------------------------------------------------------------ tick rule bounds

TEST(TickRuleBounds, NoSyntheticLevelBelowOneTickOrAboveTheBound) {
  ReadOptions o;
  o.price_band_pct = 0;
  TickData d = read_json(trade(kOpen, "\"1\""), o);  // first trade: an uptick, at the ask
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0].ask_levels, 1);
  EXPECT_EQ(d.events[0].ask_px[0], Price{1});
  EXPECT_EQ(d.events[0].bid_levels, 0) << "no bid at 0 ticks";
  d = read_json(trade(kOpen, "\"1000000000\"") + trade(kOpen + 1, "\"999999999\""), o);
  ASSERT_EQ(d.events.size(), 2u);
  EXPECT_EQ(d.events[1].bid_px[0], Price{999'999'999});
  EXPECT_EQ(d.events[1].ask_px[0], Price{kMaxPriceTicks});
  o.tick_rule.spread_ticks = 5;
  d = read_json(trade(kOpen, "\"1000000000\"") + trade(kOpen + 1, "\"999999999\""), o);
  EXPECT_EQ(d.events[1].ask_levels, 0) << "no ask above kMaxPriceTicks";
  o.tick_rule.size_lots = 2'000'000'000;  // clamped
  d = read_json(trade(kOpen, "\"17473\""), o);
  EXPECT_EQ(d.events[0].ask_qty[0], Qty{kMaxQtyLots});
}

// ------------------------------------------------------------------ escaping

TEST(EscapeForMessage, KeepsValidUtf8AndEscapesEverythingElse) {
  EXPECT_EQ(escape_for_message("成交價格 17473"), "成交價格 17473");
  EXPECT_EQ(escape_for_message(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(escape_for_message("\x1b[31mred\n"), "\\x1b[31mred\\x0a");
  EXPECT_EQ(escape_for_message("\x7f"), "\\x7f");
  EXPECT_EQ(escape_for_message("\xA6\xA8\xA5\xE6"), "\\xa6\\xa8\\xa5\\xe6") << "Big5 is not UTF-8";
  EXPECT_EQ(escape_for_message("\xC2\x9B"), "\\xc2\\x9b") << "C1 control (CSI)";
  EXPECT_EQ(escape_for_message("\xC2\xA0"), "\xC2\xA0") << "U+00A0 is printable";
  EXPECT_EQ(escape_for_message("\xC0\xAF"), "\\xc0\\xaf") << "overlong";
  EXPECT_EQ(escape_for_message("\xED\xA0\x80"), "\\xed\\xa0\\x80") << "surrogate";
  EXPECT_EQ(escape_for_message("\xE6\x88"), "\\xe6\\x88") << "truncated";
  EXPECT_EQ(escape_for_message("\xF4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80") << "above U+10FFFF";
  EXPECT_EQ(escape_for_message("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80") << "U+1F600";
}

TEST(EscapeForMessage, InputErrorWhatNeverCutsAtNulAndNeverPrintsRawBytes) {
  const InputError e("f\xff.csv", 3, "fi\x01" "eld", std::string("17\0" "473", 6), "bad\n");
  EXPECT_STREQ(e.what(), "f\\xff.csv:3: field 'fi\\x01eld' value '17\\x00473': bad\\x0a");
  EXPECT_EQ(e.value(), std::string("17\0" "473", 6)) << "the accessors keep the raw bytes";
}

TEST(EscapeForMessage, ANulOrBig5BytesInAFieldReachTheMessageEscaped) {
  InputError e = error_of([&] { read_taifex(taifex_row("090000", std::string("17\0" "473", 6))); });
  EXPECT_TRUE(contains(e.what(), "value '17\\x00473': not a decimal number")) << e.what();
  e = error_of([&] { read_taifex(taifex_row("090000", "\xA6\xA8")); });
  EXPECT_TRUE(contains(e.what(), "value '\\xa6\\xa8'")) << e.what();
  // The skip-bad report keeps escaped text too.
  const TickData d = read_taifex(taifex_row("090000", "17473") + taifex_row("090001", "\xA6\xA8"), skip_bad());
  ASSERT_EQ(d.stats.issues.size(), 1u);
  EXPECT_EQ(d.stats.issues[0].value, "\\xa6\\xa8");
}

}  // namespace
}  // namespace tp
