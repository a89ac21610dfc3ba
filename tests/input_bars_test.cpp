// Capital 1-minute bar reader (engine/src/input/bars.cpp): the real 2025-04-08..11 file,
// the bar-to-four-ticks rule, and every bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tp/engine/input/readers.hpp"
#include "tp/engine/instrument.hpp"
#include "input_test_util.hpp"

namespace tp {
namespace {

const std::string kBars = TP_SHARED_DIR "/data/capital/MTX00_1min_2025-04-08_2025-04-11.csv";
constexpr int64_t kTaipei = 8 * 3600 * kNsPerSec;
const std::string kHeader =
    "\xEF\xBB\xBF商品代碼,K線類型,交易日期,交易時間,開盤價,最高價,最低價,收盤價,成交量,建立時間\n";

using testing::mtx;

TimeNs local(int32_t date, int h, int m, int s) {
  TimeNs t;
  EXPECT_TRUE(make_time(date, h * 3600 + m * 60 + s, 0, kTaipei, t));
  return t;
}

std::string bar(const std::string& when, const std::string& o, const std::string& h,
                const std::string& l, const std::string& c, const std::string& vol,
                const std::string& sym = "MTX00") {
  return sym + ",MINUTE," + when + ",," + o + "," + h + "," + l + "," + c + "," + vol +
         ",2025-07-05 12:20:29\n";
}

TickData read(const std::string& body, ReadOptions opt = {}) {
  return read_capital_bars("bars.csv", kHeader + body, mtx(), opt);
}

InputError read_error(const std::string& body, ReadOptions opt = {}) {
  try {
    read(body, opt);
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "no InputError for:\n" << body;
  return InputError("", 0, "", "", "");
}

std::vector<int64_t> prices(const TickData& d) {
  std::vector<int64_t> v;
  for (const InputEvent& e : d.events) v.push_back(e.last.ticks);
  return v;
}

// ------------------------------------------------------------------ the real file

class BarsRealFile : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { data_ = new TickData(read_ticks(kBars, mtx(), ReadOptions{})); }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
  }
  static TickData* data_;
};
TickData* BarsRealFile::data_ = nullptr;

TEST_F(BarsRealFile, EveryBarBecomesFourTrades) {
  const TickData& d = *data_;
  EXPECT_EQ(d.stats.format, InputFormat::Bars);
  EXPECT_EQ(d.stats.lines, 3420u);
  EXPECT_EQ(d.stats.skipped, 0u);
  EXPECT_EQ(d.events.size(), 4u * 3420u);
  EXPECT_EQ(d.stats.events, 4u * 3420u);
  EXPECT_EQ(d.stats.contract, "MTX00");
  for (std::size_t i = 1; i < d.events.size(); ++i) ASSERT_LT(d.events[i - 1].ts, d.events[i].ts);
}

TEST_F(BarsRealFile, FirstBarClosingAt1501IsReplayedFrom1500) {
  // 2025/04/08 15:01  O 18248 H 18250 L 18212 C 18221  vol 1046: close < open -> O H L C.
  const auto& ev = data_->events;
  const TimeNs start = local(20250408, 15, 0, 0);
  const int64_t want[4] = {18248, 18250, 18212, 18221};
  for (int k = 0; k < 4; ++k) {
    EXPECT_EQ(ev[k].ts, start + k * 15 * kNsPerSec) << k;
    EXPECT_EQ(ev[k].last, Price{want[k]}) << k;
    EXPECT_EQ(ev[k].last_qty, Qty{261}) << k;  // 1046 / 4
    EXPECT_EQ(ev[k].day, TradingDay{20250409}) << k;
    EXPECT_EQ(ev[k].session, Session::Night) << k;
    EXPECT_EQ(ev[k].line, 2u);
    EXPECT_EQ(ev[k].flags & kInTrade, kInTrade);
  }
}

TEST_F(BarsRealFile, LimitUpDayHasAZeroWidthOpeningRange) {
  const TimeNs from = local(20250410, 8, 45, 0), to = local(20250410, 8, 47, 0);
  int n = 0;
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (const InputEvent& e : data_->events) {
    if (e.ts < from || e.ts >= to) continue;
    ++n;
    lo = std::min(lo, e.last.ticks);
    hi = std::max(hi, e.last.ticks);
    EXPECT_EQ(e.day, TradingDay{20250410});
    EXPECT_EQ(e.session, Session::Day);
  }
  EXPECT_EQ(n, 8);  // the bars closing at 08:46 and 08:47
  EXPECT_EQ(lo, 18902);
  EXPECT_EQ(hi, 18902);
}

TEST_F(BarsRealFile, EmptyVolumeMeansOneLotTicks) {
  // 2025/04/10 02:41 has an empty volume field.
  const TimeNs start = local(20250410, 2, 40, 0);
  const auto it = std::find_if(data_->events.begin(), data_->events.end(),
                               [&](const InputEvent& e) { return e.ts == start; });
  ASSERT_NE(it, data_->events.end());
  EXPECT_EQ(it->last_qty, Qty{1});
  EXPECT_EQ(it->day, TradingDay{20250410});
}

TEST_F(BarsRealFile, TradesOnlyFileGetsTheTickRuleBook) {
  for (const InputEvent& e : data_->events) {
    ASSERT_EQ(e.flags & (kInQuote | kInSynthetic), kInQuote | kInSynthetic);
    ASSERT_LT(e.bid_px[0], e.ask_px[0]);
  }
}

TEST(BarsRealFileFilters, DaySessionOnly) {
  ReadOptions opt;
  opt.sessions_night = false;
  const TickData d = read_ticks(kBars, mtx(), opt);
  EXPECT_EQ(d.events.size(), 4u * 900u);  // three day sessions of 300 bars
  EXPECT_EQ(d.stats.filtered, 3420u - 900u);
  for (const InputEvent& e : d.events) ASSERT_EQ(e.session, Session::Day);
}

TEST(BarsRealFileFilters, SymbolThatMatchesNoBarIsAnError) {
  ReadOptions opt;
  opt.symbol = "TX";  // "MTX00" is not TX followed by digits
  try {
    read_ticks(kBars, mtx(), opt);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "商品代碼");
    EXPECT_EQ(e.value(), "TX");
    EXPECT_EQ(e.line(), 0u);
  }
}

// ------------------------------------------------------------------ rules, in memory

TEST(CapitalBars, RisingBarGoesOpenLowHighClose) {
  const TickData d = read(bar("2025/04/09 09:00", "100", "110", "90", "105", "40"));
  EXPECT_EQ(prices(d), (std::vector<int64_t>{100, 90, 110, 105}));
  EXPECT_EQ(d.events[0].ts, local(20250409, 8, 59, 0));
  EXPECT_EQ(d.events[3].ts, local(20250409, 8, 59, 45));
  EXPECT_EQ(d.events[0].last_qty, Qty{10});
}

TEST(CapitalBars, UnchangedBarCountsAsRising) {
  const TickData d = read(bar("2025/04/09 09:00", "100", "110", "90", "100", "4"));
  EXPECT_EQ(prices(d), (std::vector<int64_t>{100, 90, 110, 100}));
}

TEST(CapitalBars, FallingBarGoesOpenHighLowClose) {
  const TickData d = read(bar("2025/04/09 09:00", "100", "110", "90", "95", "3"));
  EXPECT_EQ(prices(d), (std::vector<int64_t>{100, 110, 90, 95}));
  EXPECT_EQ(d.events[0].last_qty, Qty{1});  // 3 / 4 rounds to 0: at least one lot
}

TEST(CapitalBars, EmptyVolumeIsUnknownNotAnError) {
  const TickData d = read(bar("2025/04/09 09:00", "100", "100", "100", "100", ""));
  ASSERT_EQ(d.events.size(), 4u);
  EXPECT_EQ(d.events[0].last_qty, Qty{1});
  EXPECT_EQ(d.stats.skipped, 0u);
}

TEST(CapitalBars, NightBarsBelongToTheNextTradingDay) {
  const TickData d = read(bar("2025/04/09 00:00", "1", "1", "1", "1", "4") +  // starts 04/08 23:59
                          bar("2025/04/09 05:00", "1", "1", "1", "1", "4") +
                          bar("2025/04/11 15:01", "1", "1", "1", "1", "4") +  // Friday night
                          bar("2025/04/12 01:00", "1", "1", "1", "1", "4"));  // Saturday
  ASSERT_EQ(d.events.size(), 16u);
  EXPECT_EQ(d.events[0].ts, local(20250408, 23, 59, 0));
  EXPECT_EQ(d.events[0].day, TradingDay{20250409});
  EXPECT_EQ(d.events[4].day, TradingDay{20250409});
  EXPECT_EQ(d.events[8].day, TradingDay{20250414});
  EXPECT_EQ(d.events[12].day, TradingDay{20250414});
  for (const InputEvent& e : d.events) EXPECT_EQ(e.session, Session::Night);
}

TEST(CapitalBars, BarOpeningOnTheSessionCloseSplitsAtTheClose) {
  // Found by fuzz_bars (CI, 2026-12-02): the day session closes at 13:45:00 inclusive, so
  // the bar closing at 13:46 has its 13:45:00 tick in the day session and its 13:45:15,
  // :30, :45 ticks outside any session; each tick carries its own session.
  const std::string body = bar("2025/04/09 13:46", "1", "1", "1", "1", "4") +
                           bar("2025/04/10 05:01", "2", "2", "2", "2", "4");
  const TickData all = read(body);
  ASSERT_EQ(all.events.size(), 8u);
  EXPECT_EQ(all.events[0].session, Session::Day);
  EXPECT_EQ(all.events[4].session, Session::Night);
  for (int k : {1, 2, 3, 5, 6, 7}) EXPECT_EQ(all.events[k].session, Session::Closed) << k;
  for (const InputEvent& e : all.events) EXPECT_EQ(e.session, session_of(e.ts, kTaipei, SessionHours{}));

  ReadOptions day_only;
  day_only.sessions_night = false;
  const TickData day = read(body, day_only);
  ASSERT_EQ(day.events.size(), 1u);
  EXPECT_EQ(day.events[0].ts, local(20250409, 13, 45, 0));
  EXPECT_EQ(day.stats.filtered, 1u);  // the 05:01 bar has no tick in the day session
}

TEST(CapitalBars, SymbolIsMatchedAsPrefixPlusDigits) {
  const std::string body = bar("2025/04/09 09:00", "1", "1", "1", "1", "4", "TX00") +
                           bar("2025/04/09 09:01", "2", "2", "2", "2", "4", "MTX00") +
                           bar("2025/04/09 09:02", "3", "3", "3", "3", "4", "MTXW1");
  const TickData d = read(body);
  EXPECT_EQ(prices(d), (std::vector<int64_t>{2, 2, 2, 2}));
  EXPECT_EQ(d.stats.filtered, 2u);
  ReadOptions opt;
  opt.symbol = "TX";
  EXPECT_EQ(prices(read(body, opt)), (std::vector<int64_t>{1, 1, 1, 1}));
}

TEST(CapitalBars, AcceptsNoBomCrlfAndDateWithSeparateTimeColumn) {
  const std::string text =
      "商品代碼,K線類型,交易日期,交易時間,開盤價,最高價,最低價,收盤價,成交量,建立時間\r\n"
      "MTX00,MINUTE,2025/04/09,09:00,100,101,99,100,8,x\r\n";
  const TickData d = read_capital_bars("b.csv", text, mtx(), ReadOptions{});
  ASSERT_EQ(d.events.size(), 4u);
  EXPECT_EQ(d.events[0].ts, local(20250409, 8, 59, 0));
}

TEST(CapitalBars, ColumnsAreFoundByName) {
  const std::string text =
      "收盤價,成交量,開盤價,最高價,最低價,交易日期,商品代碼\n"
      "100,8,100,101,99,2025/04/09 09:00,MTX00\n";
  const TickData d = read_capital_bars("b.csv", text, mtx(), ReadOptions{});
  EXPECT_EQ(prices(d), (std::vector<int64_t>{100, 99, 101, 100}));
}

// ------------------------------------------------------------------ bad input

TEST(CapitalBarsBadInput, HighBelowOpenOrClose) {
  const InputError e = read_error(bar("2025/04/09 09:00", "100", "99", "90", "95", "4"));
  EXPECT_EQ(e.field(), "最高價");
  EXPECT_EQ(e.value(), "99");
  EXPECT_EQ(e.line(), 2u);
  EXPECT_EQ(read_error(bar("2025/04/09 09:00", "100", "101", "90", "102", "4")).field(), "最高價");
}

TEST(CapitalBarsBadInput, LowAboveOpenOrClose) {
  EXPECT_EQ(read_error(bar("2025/04/09 09:00", "100", "110", "101", "105", "4")).field(), "最低價");
  EXPECT_EQ(read_error(bar("2025/04/09 09:00", "100", "110", "96", "95", "4")).field(), "最低價");
}

TEST(CapitalBarsBadInput, NonNumericEmptyAndOffTickPrices) {
  InputError e = read_error(bar("2025/04/09 09:00", "1o0", "110", "90", "95", "4"));
  EXPECT_EQ(e.field(), "開盤價");
  EXPECT_STREQ(e.what(), "bars.csv:2: field '開盤價' value '1o0': not a decimal number");
  e = read_error(bar("2025/04/09 09:00", "100", "110", "90", "", "4"));
  EXPECT_EQ(e.field(), "收盤價");
  EXPECT_NE(std::string(e.what()).find("empty required field"), std::string::npos);
  e = read_error(bar("2025/04/09 09:00", "100", "110", "90.5", "95", "4"));
  EXPECT_EQ(e.field(), "最低價");
  EXPECT_NE(std::string(e.what()).find("tick size"), std::string::npos);
}

TEST(CapitalBarsBadInput, TruncatedLineAndWrongColumnCount) {
  InputError e = read_error("MTX00,MINUTE,2025/04/09 09:00,,100,110\n");
  EXPECT_EQ(e.field(), "columns");
  EXPECT_NE(std::string(e.what()).find("truncated line: expected 10 columns, got 6"), std::string::npos);
  e = read_error("MTX00,MINUTE,2025/04/09 09:00,,100,110,90,95,4,x,extra\n");
  EXPECT_NE(std::string(e.what()).find("got 11"), std::string::npos);
}

TEST(CapitalBarsBadInput, BadDateTimeVolumeAndSymbol) {
  EXPECT_EQ(read_error(bar("2025-4-9 09:00", "1", "1", "1", "1", "4")).field(), "交易日期");
  EXPECT_EQ(read_error(bar("2025/02/30 09:00", "1", "1", "1", "1", "4")).field(), "交易日期");
  EXPECT_EQ(read_error(bar("2025/04/09 25:00", "1", "1", "1", "1", "4")).field(), "交易日期");
  EXPECT_EQ(read_error(bar("2025/04/09", "1", "1", "1", "1", "4")).field(), "交易時間");
  EXPECT_EQ(read_error(bar("", "1", "1", "1", "1", "4")).field(), "交易日期");
  EXPECT_EQ(read_error(bar("2025/04/09 09:00", "1", "1", "1", "1", "x4")).field(), "成交量");
  EXPECT_EQ(read_error(bar("2025/04/09 09:00", "1", "1", "1", "1", "4", "")).field(), "商品代碼");
}

TEST(CapitalBarsBadInput, BarsOutOfOrderOrRepeated) {
  InputError e = read_error(bar("2025/04/09 09:01", "1", "1", "1", "1", "4") +
                            bar("2025/04/09 09:00", "1", "1", "1", "1", "4"));
  EXPECT_EQ(e.field(), "交易日期");
  EXPECT_EQ(e.line(), 3u);
  e = read_error(bar("2025/04/09 09:00", "1", "1", "1", "1", "4") +
                 bar("2025/04/09 09:00", "1", "1", "1", "1", "4"));
  EXPECT_EQ(e.line(), 3u);
}

TEST(CapitalBarsBadInput, MissingHeaderColumn) {
  try {
    read_capital_bars("b.csv", "商品代碼,交易日期,開盤價,最高價,最低價,收盤價\nMTX00,2025/04/09 09:00,1,1,1,1\n",
                      mtx(), ReadOptions{});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 1u);
    EXPECT_EQ(e.field(), "header");
    EXPECT_NE(std::string(e.what()).find("成交量"), std::string::npos);
  }
}

TEST(CapitalBarsBadInput, EmptyFileAndHeaderOnly) {
  for (const std::string& text : {std::string(), kHeader, std::string("\xEF\xBB\xBF")}) {
    try {
      read_capital_bars("b.csv", text, mtx(), ReadOptions{});
      FAIL();
    } catch (const InputError& e) {
      EXPECT_EQ(e.field(), "商品代碼");
      EXPECT_NE(std::string(e.what()).find("no data lines"), std::string::npos) << e.what();
    }
  }
}

TEST(CapitalBarsBadInput, SkipBadCountsAndContinues) {
  ReadOptions opt;
  opt.skip_bad = true;
  const TickData d = read(bar("2025/04/09 09:00", "18001", "18001", "18001", "18001", "4") +
                              bar("2025/04/09 09:01", "18005", "18004", "18001", "18001", "4") +
                              "garbage\n" + bar("2025/04/09 09:02", "18002", "18002", "18002", "18002", "4"),
                          opt);
  EXPECT_EQ(prices(d), (std::vector<int64_t>{18001, 18001, 18001, 18001, 18002, 18002, 18002, 18002}));
  EXPECT_EQ(d.stats.skipped, 2u);
  ASSERT_EQ(d.stats.issues.size(), 2u);
  EXPECT_EQ(d.stats.issues[0].line, 3u);
  EXPECT_EQ(d.stats.issues[0].field, "最高價");
  EXPECT_EQ(d.stats.issues[1].line, 4u);
}

}  // namespace
}  // namespace tp
