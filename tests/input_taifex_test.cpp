// TAIFEX daily time & sales reader (engine/src/input/taifex.cpp): the real 2021-07-26
// file, and small in-memory files for every rule and every bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "tp/engine/input/readers.hpp"
#include "tp/engine/instrument.hpp"
#include "input_test_util.hpp"

namespace tp {
namespace {

const std::string kZip = TP_SHARED_DIR "/data/taifex/Daily_2021_07_26.zip";
constexpr int64_t kTaipei = 8 * 3600 * kNsPerSec;

// The file's header line, Big5 (cp950) encoded, as TAIFEX publishes it.
const std::string kBig5Header =
    "\xA6\xA8\xA5\xE6\xA4\xE9\xB4\xC1,\xB0\xD3\xAB~\xA5N\xB8\xB9,\xA8\xEC\xB4\xC1\xA4\xEB\xA5"
    "\xF7(\xB6g\xA7O),\xA6\xA8\xA5\xE6\xAE\xC9\xB6\xA1,\xA6\xA8\xA5\xE6\xBB\xF9\xAE\xE6,\xA6"
    "\xA8\xA5\xE6\xBC\xC6\xB6q(B+S),\xAA\xF1\xA4\xEB\xBB\xF9\xAE\xE6,\xBB\xB7\xA4\xEB\xBB\xF9"
    "\xAE\xE6,\xB6}\xBDL\xB6\xB0\xA6X\xC4v\xBB\xF9 \r\n";

using testing::mtx;

TimeNs local(int32_t date, int h, int m, int s, int64_t ns = 0) {
  TimeNs t;
  EXPECT_TRUE(make_time(date, h * 3600 + m * 60 + s, ns, kTaipei, t));
  return t;
}

/// A CSV row in the file's layout (space-padded product and contract, CRLF).
std::string row(const std::string& date, const std::string& product, const std::string& contract,
                const std::string& time, const std::string& price, const std::string& vol,
                const std::string& auction = " ") {
  std::string p = product, c = contract;
  p.resize(std::max<std::size_t>(p.size(), 7), ' ');
  c.resize(std::max<std::size_t>(c.size(), 11), ' ');
  return date + "," + p + "," + c + "," + time + "," + price + "," + vol + ",-,-," + auction + "\r\n";
}

TickData read(const std::string& body, ReadOptions opt = {}) {
  return read_taifex_csv("mem.csv", kBig5Header + body, mtx(), opt);
}

/// Reads `body` expecting an InputError; returns it.
InputError read_error(const std::string& body, ReadOptions opt = {}) {
  try {
    read(body, opt);
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "no InputError for:\n" << body;
  return InputError("", 0, "", "", "");
}

// ------------------------------------------------------------------ the real file

class TaifexRealFile : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto t0 = std::chrono::steady_clock::now();
    data_ = new TickData(read_ticks(kZip, mtx(), ReadOptions{}));
    const auto t1 = std::chrono::steady_clock::now();
    load_ms_ = std::chrono::duration<double, std::milli>(t1 - t0).count();
    std::printf("[ timing   ] read + unzip + parse + sort of %s: %.1f ms (%zu events)\n",
                kZip.c_str(), load_ms_, data_->events.size());
  }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
  }
  static TickData* data_;
  static double load_ms_;
};
TickData* TaifexRealFile::data_ = nullptr;
double TaifexRealFile::load_ms_ = 0;

TEST_F(TaifexRealFile, SelectsMtxFrontMonthWithAllItsTrades) {
  const TickData& d = *data_;
  EXPECT_EQ(d.stats.format, InputFormat::Taifex);
  EXPECT_EQ(d.stats.contract, "202108");
  EXPECT_EQ(d.events.size(), 199567u);
  EXPECT_EQ(d.stats.events, 199567u);
  EXPECT_EQ(d.stats.lines, 449454u);
  EXPECT_EQ(d.stats.skipped, 0u);
  EXPECT_EQ(d.stats.filtered, 449454u - 199567u);
  EXPECT_EQ(d.source, kZip);
  const auto day = std::count_if(d.events.begin(), d.events.end(),
                                 [](const InputEvent& e) { return e.session == Session::Day; });
  EXPECT_EQ(day, 149710);
}

TEST_F(TaifexRealFile, EveryEventBelongsToTradingDay20210726) {
  for (const InputEvent& e : data_->events) {
    ASSERT_EQ(e.day, TradingDay{20210726}) << "line " << e.line;
    ASSERT_NE(e.session, Session::Closed) << "line " << e.line;
    ASSERT_TRUE(e.flags & kInTrade);
    ASSERT_GT(e.last_qty.lots, 0);
  }
}

TEST_F(TaifexRealFile, OpeningRangeMatchesTheKnownNumbers) {
  const TimeNs from = local(20210726, 8, 45, 0), to = local(20210726, 8, 47, 0);
  int64_t n = 0, lo = INT64_MAX, hi = INT64_MIN;
  for (const InputEvent& e : data_->events) {
    if (e.ts < from || e.ts >= to) continue;
    ++n;
    lo = std::min(lo, e.last.ticks);
    hi = std::max(hi, e.last.ticks);
  }
  EXPECT_EQ(n, 2522);
  EXPECT_EQ(lo, 17453);
  EXPECT_EQ(hi, 17480);
}

TEST_F(TaifexRealFile, EventsAreStrictlyTimeOrderedAndStayInsideTheirSecond) {
  const auto& ev = data_->events;
  for (std::size_t i = 1; i < ev.size(); ++i) {
    ASSERT_LT(ev[i - 1].ts, ev[i].ts) << "index " << i;
  }
  // The first print of each second sits exactly on the second.
  for (std::size_t i = 0; i < ev.size(); ++i) {
    if (i == 0 || ev[i].ts.ns / kNsPerSec != ev[i - 1].ts.ns / kNsPerSec) {
      ASSERT_EQ(ev[i].ts.ns % kNsPerSec, 0) << "index " << i;
    }
  }
}

TEST_F(TaifexRealFile, NightSessionOpensTheDayWithAnAuctionPrint) {
  const InputEvent& e = data_->events.front();
  EXPECT_EQ(e.ts, local(20210723, 15, 0, 0));
  EXPECT_EQ(e.day, TradingDay{20210726});
  EXPECT_EQ(e.session, Session::Night);
  EXPECT_EQ(e.last, Price{17411});
  EXPECT_EQ(e.last_qty, Qty{47});  // volume (B+S) 94
  EXPECT_TRUE(e.flags & kInAuction);
}

TEST_F(TaifexRealFile, DaySessionOpeningAuctionPrint) {
  const TimeNs open = local(20210726, 8, 45, 0);
  const auto it = std::find_if(data_->events.begin(), data_->events.end(),
                               [&](const InputEvent& e) { return e.ts == open; });
  ASSERT_NE(it, data_->events.end());
  EXPECT_EQ(it->last, Price{17473});
  EXPECT_EQ(it->last_qty, Qty{409});  // volume (B+S) 818
  EXPECT_TRUE(it->flags & kInAuction);
  EXPECT_EQ(it->session, Session::Day);
  EXPECT_FALSE(std::next(it)->flags & kInAuction);
}

TEST_F(TaifexRealFile, TradesOnlyFileGetsTheTickRuleBook) {
  for (const InputEvent& e : data_->events) {
    ASSERT_EQ(e.flags & (kInQuote | kInSynthetic), kInQuote | kInSynthetic);
    ASSERT_EQ(e.bid_levels, 1);
    ASSERT_EQ(e.ask_levels, 1);
    ASSERT_EQ(e.ask_px[0] - e.bid_px[0], Ticks{1});
    ASSERT_TRUE(e.last == e.bid_px[0] || e.last == e.ask_px[0]);
  }
}

TEST_F(TaifexRealFile, LoadTimeStaysUnderAGenerousCeiling) {
  // Not a benchmark: a generous ceiling that still catches an accidental O(n^2) or a
  // per-line allocation storm (sanitizer builds are several times slower).
  EXPECT_LT(load_ms_, 10000.0);
}

TEST(TaifexRealFileFilters, DaySessionOnly) {
  ReadOptions opt;
  opt.sessions_night = false;
  const TickData d = read_ticks(kZip, mtx(), opt);
  EXPECT_EQ(d.events.size(), 149710u);
  EXPECT_EQ(d.stats.filtered, 449454u - 149710u);
  for (const InputEvent& e : d.events) ASSERT_EQ(e.session, Session::Day);
}

TEST(TaifexRealFileFilters, NightSessionOnly) {
  ReadOptions opt;
  opt.sessions_day = false;
  const TickData d = read_ticks(kZip, mtx(), opt);
  EXPECT_EQ(d.events.size(), 199567u - 149710u);
  for (const InputEvent& e : d.events) ASSERT_EQ(e.session, Session::Night);
}

TEST(TaifexRealFileFilters, ExplicitContractsIncludingAWeekly) {
  ReadOptions opt;
  opt.contract = "202109";
  EXPECT_EQ(read_ticks(kZip, mtx(), opt).events.size(), 3624u);
  opt.contract = "202107W4";
  const TickData w = read_ticks(kZip, mtx(), opt);
  EXPECT_EQ(w.events.size(), 393u);
  EXPECT_EQ(w.stats.contract, "202107W4");
}

TEST(TaifexRealFileFilters, TxFrontMonth) {
  Instrument tx;
  ASSERT_TRUE(builtin_instrument("TX", tx));
  ReadOptions opt;
  opt.symbol = "TX";
  const TickData d = read_ticks(kZip, tx, opt);
  EXPECT_EQ(d.stats.contract, "202108");
  EXPECT_EQ(d.events.size(), 95414u);
}

TEST(TaifexRealFileFilters, SymbolAbsentFromTheFileIsAnError) {
  ReadOptions opt;
  opt.symbol = "NOPE";
  try {
    read_ticks(kZip, mtx(), opt);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "商品代號");
    EXPECT_EQ(e.value(), "NOPE");
    EXPECT_NE(std::string(e.what()).find("does not occur"), std::string::npos) << e.what();
    EXPECT_EQ(e.file(), kZip + "!Daily_2021_07_26.csv");
  }
}

TEST(TaifexRealFileFilters, ContractAbsentFromTheFileIsAnError) {
  ReadOptions opt;
  opt.contract = "203012";
  try {
    read_ticks(kZip, mtx(), opt);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "到期月份(週別)");
    EXPECT_EQ(e.value(), "203012");
    EXPECT_NE(std::string(e.what()).find("202108"), std::string::npos) << e.what();
  }
}

// ------------------------------------------------------------------ rules, in memory

TEST(TaifexCsv, SpreadsTheTradesOfOneSecondEvenly) {
  const TickData d = read(row("20210726", "MTX", "202108", "090000", "17470", "2") +
                          row("20210726", "MTX", "202108", "090000", "17471", "4") +
                          row("20210726", "MTX", "202108", "090000", "17472", "6") +
                          row("20210726", "MTX", "202108", "090001", "17473", "8"));
  ASSERT_EQ(d.events.size(), 4u);
  const TimeNs s = local(20210726, 9, 0, 0);
  EXPECT_EQ(d.events[0].ts, s);
  EXPECT_EQ(d.events[1].ts, s + 333'333'333);
  EXPECT_EQ(d.events[2].ts, s + 666'666'666);
  EXPECT_EQ(d.events[3].ts, s + kNsPerSec);
  EXPECT_EQ(d.events[1].last, Price{17471});
  EXPECT_EQ(d.events[2].last_qty, Qty{3});
  EXPECT_EQ(d.events[3].line, 5u);
}

TEST(TaifexCsv, SortsRowsByTimeKeepingFileOrderWithinASecond) {
  // Grouped by contract, not by time; the selected contract's rows interleave.
  const TickData d = read(row("20210726", "MTX", "202108", "090002", "17473", "2") +
                          row("20210726", "MTX", "202108", "090001", "17471", "2") +
                          row("20210726", "TX", "202108", "090000", "9", "2") +
                          row("20210726", "MTX", "202109", "090000", "9", "2") +
                          row("20210726", "MTX", "202108", "090001", "17472", "2") +
                          row("20210726", "MTX", "202108", "090000", "17470", "2"));
  ASSERT_EQ(d.events.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(d.events[i].last, Price{17470 + i}) << i;
  EXPECT_EQ(d.events[1].ts, local(20210726, 9, 0, 1));
  EXPECT_EQ(d.events[2].ts, local(20210726, 9, 0, 1) + 500'000'000);
  EXPECT_EQ(d.events[1].line, 3u);
  EXPECT_EQ(d.events[2].line, 6u);
  EXPECT_EQ(d.stats.filtered, 2u);
}

TEST(TaifexCsv, FrontMonthIgnoresWeekliesAndSpreads) {
  const TickData d = read(row("20210726", "MTX", "202107W4", "090000", "1", "2") +
                          row("20210726", "MTX", "202108/202109", "090000", "-3", "2") +
                          row("20210726", "MTX", "202109", "090000", "2", "2") +
                          row("20210726", "MTX", "202108", "090000", "3", "2"));
  EXPECT_EQ(d.stats.contract, "202108");
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0].last, Price{3});
}

TEST(TaifexCsv, SpreadContractCanBeSelectedExplicitly) {
  ReadOptions opt;
  opt.contract = "202108/202109";
  const TickData d = read(row("20210726", "MTX", "202108/202109", "090000", "25", "2") +
                              row("20210726", "MTX", "202108", "090000", "-3", "2"),
                          opt);
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0].last, Price{25});
}

TEST(TaifexCsv, ASelectedSpreadMustHavePositivePricesToo) {
  // A calendar spread's price may be zero or negative; the engine's prices are positive,
  // so such a spread cannot be replayed (its rows are bad input once it is selected).
  ReadOptions opt;
  opt.contract = "202108/202109";
  const InputError e = read_error(row("20210726", "MTX", "202108/202109", "090000", "-3", "2"), opt);
  EXPECT_EQ(e.line(), 2u);
  EXPECT_EQ(e.field(), "成交價格");
  EXPECT_EQ(e.value(), "-3");
  EXPECT_NE(std::string(e.what()).find("price must be positive"), std::string::npos) << e.what();
}

TEST(TaifexCsv, NoMonthlyContractToUseAsFrontMonthIsAnError) {
  const InputError e = read_error(row("20210726", "MTX", "202107W4", "090000", "1", "2"));
  EXPECT_EQ(e.field(), "到期月份(週別)");
  EXPECT_NE(std::string(e.what()).find("202107W4"), std::string::npos);
}

TEST(TaifexCsv, NightRowsBelongToTheNextTradingDay) {
  const TickData d = read(row("20210723", "MTX", "202108", "150000", "17471", "2") +
                          row("20210723", "MTX", "202108", "235959", "17472", "2") +
                          row("20210724", "MTX", "202108", "000000", "17473", "2") +
                          row("20210724", "MTX", "202108", "050000", "17474", "2") +
                          row("20210726", "MTX", "202108", "084500", "17475", "2", "*") +
                          row("20210726", "MTX", "202108", "134500", "17476", "2"));
  ASSERT_EQ(d.events.size(), 6u);
  for (const InputEvent& e : d.events) EXPECT_EQ(e.day, TradingDay{20210726}) << e.line;
  for (int i = 0; i < 4; ++i) EXPECT_EQ(d.events[i].session, Session::Night) << i;
  EXPECT_EQ(d.events[4].session, Session::Day);
  EXPECT_EQ(d.events[5].session, Session::Day);
  EXPECT_EQ(d.events[4].flags & kInAuction, kInAuction);
  EXPECT_EQ(d.events[5].flags & kInAuction, 0);
}

TEST(TaifexCsv, AcceptsLfLineEndsAndAMissingFinalNewline) {
  std::string body = row("20210726", "MTX", "202108", "090000", "17471", "2") +
                     row("20210726", "MTX", "202108", "090001", "17472", "2");
  std::string lf;
  for (char c : body) {
    if (c != '\r') lf += c;
  }
  lf.pop_back();  // no final newline
  const TickData d = read(lf);
  ASSERT_EQ(d.events.size(), 2u);
  EXPECT_EQ(d.events[1].last, Price{17472});
}

TEST(TaifexCsv, SkipsBlankLines) {
  const TickData d = read("\r\n" + row("20210726", "MTX", "202108", "090000", "1", "2") + "\r\n\r\n");
  EXPECT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.stats.lines, 1u);
}

TEST(TaifexCsv, AcceptsAFileWithoutHeader) {
  const TickData d = read_taifex_csv("mem.csv", row("20210726", "MTX", "202108", "090000", "1", "2"),
                                     mtx(), ReadOptions{});
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0].line, 1u);
}

TEST(TaifexCsv, DecimalPricesOnTheTickGridAreExact) {
  Instrument inst = mtx();
  inst.tick_size = Decimal{5, 2};  // 0.05
  const TickData d = read_taifex_csv("mem.csv", kBig5Header + row("20210726", "CBF", "202108", "090000", "36.75", "2"),
                                     inst, [] { ReadOptions o; o.symbol = "CBF"; return o; }());
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0].last, Price{735});
}

TEST(TaifexCsv, OtherProductsWithOffGridPricesAreFilteredNotBad) {
  const TickData d = read(row("20210726", "CBF", "202108", "090000", "36.7", "52") +
                          row("20210726", "MTX", "202108", "090000", "17473", "2"));
  EXPECT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.stats.filtered, 1u);
  EXPECT_EQ(d.stats.skipped, 0u);
}

TEST(TaifexCsv, TickRuleCanBeDisabled) {
  ReadOptions opt;
  opt.tick_rule.enabled = false;
  const TickData d = read(row("20210726", "MTX", "202108", "090000", "1", "2"), opt);
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0].flags, kInTrade);
  EXPECT_EQ(d.events[0].bid_levels, 0);
}

// ------------------------------------------------------------------ bad input

TEST(TaifexCsvBadInput, ErrorTextNamesFileLineFieldAndValue) {
  const InputError e = read_error(row("20210726", "MTX", "202108", "090000", "17473", "2") +
                                  row("20210726", "MTX", "202108", "090001", "17a73", "2"));
  EXPECT_EQ(e.file(), "mem.csv");
  EXPECT_EQ(e.line(), 3u);
  EXPECT_EQ(e.field(), "成交價格");
  EXPECT_EQ(e.value(), "17a73");
  EXPECT_STREQ(e.what(), "mem.csv:3: field '成交價格' value '17a73': not a decimal number");
}

TEST(TaifexCsvBadInput, TruncatedLine) {
  const InputError e = read_error("20210726,MTX    ,202108     ,084500,17473\r\n");
  EXPECT_EQ(e.line(), 2u);
  EXPECT_EQ(e.field(), "columns");
  EXPECT_NE(std::string(e.what()).find("truncated line: expected 9 columns, got 5"), std::string::npos);
}

TEST(TaifexCsvBadInput, WrongColumnCount) {
  const InputError e = read_error("20210726,MTX    ,202108     ,084500,17473,2,-,-, ,extra\r\n");
  EXPECT_EQ(e.field(), "columns");
  EXPECT_NE(std::string(e.what()).find("got 10"), std::string::npos);
}

TEST(TaifexCsvBadInput, NonNumericPrice) {
  EXPECT_EQ(read_error(row("20210726", "MTX", "202108", "090000", "abc", "2")).field(), "成交價格");
}

TEST(TaifexCsvBadInput, EmptyRequiredFields) {
  InputError e = read_error(row("20210726", "MTX", "202108", "090000", "", "2"));
  EXPECT_EQ(e.field(), "成交價格");
  EXPECT_NE(std::string(e.what()).find("empty required field"), std::string::npos);
  EXPECT_EQ(read_error(row("20210726", "", "202108", "090000", "1", "2")).field(), "商品代號");
  EXPECT_EQ(read_error(row("20210726", "MTX", "", "090000", "1", "2")).field(), "到期月份(週別)");
  EXPECT_EQ(read_error(row("", "MTX", "202108", "090000", "1", "2")).field(), "成交日期");
  EXPECT_EQ(read_error(row("20210726", "MTX", "202108", "", "1", "2")).field(), "成交時間");
  EXPECT_EQ(read_error(row("20210726", "MTX", "202108", "090000", "1", "")).field(), "成交數量(B+S)");
  EXPECT_EQ(read_error("20210726,MTX    ,202108     ,090000,1,2,,-, \r\n").field(), "近月價格");
}

TEST(TaifexCsvBadInput, OddOrZeroVolume) {
  InputError e = read_error(row("20210726", "MTX", "202108", "090000", "17473", "3"));
  EXPECT_EQ(e.field(), "成交數量(B+S)");
  EXPECT_EQ(e.value(), "3");
  EXPECT_NE(std::string(e.what()).find("even"), std::string::npos);
  e = read_error(row("20210726", "MTX", "202108", "090000", "17473", "0"));
  EXPECT_EQ(e.field(), "成交數量(B+S)");
  EXPECT_NE(std::string(e.what()).find("positive"), std::string::npos);
  EXPECT_EQ(read_error(row("20210726", "MTX", "202108", "090000", "17473", "-2")).field(), "成交數量(B+S)");
}

TEST(TaifexCsvBadInput, OffTickPrice) {
  const InputError e = read_error(row("20210726", "MTX", "202108", "090000", "17473.5", "2"));
  EXPECT_EQ(e.field(), "成交價格");
  EXPECT_EQ(e.value(), "17473.5");
  EXPECT_NE(std::string(e.what()).find("tick size 1"), std::string::npos);
}

TEST(TaifexCsvBadInput, BadDateTimeAndAuctionFlag) {
  EXPECT_EQ(read_error(row("2021072", "MTX", "202108", "090000", "1", "2")).field(), "成交日期");
  EXPECT_EQ(read_error(row("20210231", "MTX", "202108", "090000", "1", "2")).field(), "成交日期");
  EXPECT_EQ(read_error(row("20210726", "MTX", "202108", "096000", "1", "2")).field(), "成交時間");
  EXPECT_EQ(read_error(row("20210726", "MTX", "202108", "9:00:00", "1", "2")).field(), "成交時間");
  EXPECT_EQ(read_error(row("20210726", "MTX", "202108", "090000", "1", "2", "x")).field(), "開盤集合競價");
}

TEST(TaifexCsvBadInput, BadRowsOfOtherProductsAreBadToo) {
  // The file is validated as a whole; only the tick grid depends on the product.
  EXPECT_EQ(read_error(row("20210726", "TX", "202108", "090000", "1", "3") +
                       row("20210726", "MTX", "202108", "090000", "1", "2"))
                .line(),
            2u);
}

TEST(TaifexCsvBadInput, UnknownProduct) {
  ReadOptions opt;
  opt.symbol = "ZZZ";
  const InputError e = read_error(row("20210726", "MTX", "202108", "090000", "1", "2"), opt);
  EXPECT_EQ(e.line(), 0u);
  EXPECT_EQ(e.field(), "商品代號");
  EXPECT_EQ(e.value(), "ZZZ");
  EXPECT_EQ(std::string(e.what()), "mem.csv:0: field '商品代號' value 'ZZZ': symbol 'ZZZ' does not occur in the file");
}

TEST(TaifexCsvBadInput, EmptyFileAndHeaderOnly) {
  try {
    read_taifex_csv("empty.csv", "", mtx(), ReadOptions{});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "商品代號");
    EXPECT_NE(std::string(e.what()).find("no data lines"), std::string::npos);
  }
  const InputError e = read_error("");
  EXPECT_NE(std::string(e.what()).find("no data lines"), std::string::npos);
}

TEST(TaifexCsvBadInput, HeaderWithWrongColumnCount) {
  try {
    read_taifex_csv("x.csv", "a,b,c\r\n" + row("20210726", "MTX", "202108", "090000", "1", "2"), mtx(),
                    ReadOptions{});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 1u);
    EXPECT_EQ(e.field(), "header");
  }
}

TEST(TaifexCsvBadInput, SkipBadCountsKeepsTwentyIssuesAndContinues) {
  std::string body = row("20210726", "MTX", "202108", "090000", "17471", "2");
  for (int i = 0; i < 25; ++i) body += row("20210726", "MTX", "202108", "090001", "17471.5", "2");
  body += "truncated\r\n";
  body += row("20210726", "MTX", "202108", "090002", "17472", "2");
  ReadOptions opt;
  opt.skip_bad = true;
  const TickData d = read(body, opt);
  ASSERT_EQ(d.events.size(), 2u);
  EXPECT_EQ(d.events[1].last, Price{17472});
  EXPECT_EQ(d.stats.skipped, 26u);
  EXPECT_EQ(d.stats.lines, 28u);
  ASSERT_EQ(d.stats.issues.size(), 20u);
  EXPECT_EQ(d.stats.issues[0].line, 3u);
  EXPECT_EQ(d.stats.issues[0].field, "成交價格");
  EXPECT_EQ(d.stats.issues[0].value, "17471.5");
  EXPECT_FALSE(d.stats.issues[0].message.empty());
}

TEST(TaifexCsvBadInput, SkipBadStillRejectsAnUnknownProduct) {
  ReadOptions opt;
  opt.skip_bad = true;
  opt.symbol = "ZZZ";
  EXPECT_THROW(read(row("20210726", "MTX", "202108", "090000", "1", "2"), opt), InputError);
}

TEST(TaifexCsvBadInput, GarbageNeverCrashes) {
  ReadOptions opt;
  opt.skip_bad = true;
  std::string junk = kBig5Header;
  for (int i = 0; i < 2000; ++i) junk += static_cast<char>((i * 7919) % 256);
  junk += "\n" + row("20210726", "MTX", "202108", "090000", "1", "2");
  const TickData d = read_taifex_csv("junk.csv", junk, mtx(), opt);
  EXPECT_EQ(d.events.size(), 1u);
  EXPECT_GT(d.stats.skipped, 0u);
}

}  // namespace
}  // namespace tp
