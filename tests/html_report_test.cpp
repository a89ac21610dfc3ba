// The HTML report's building blocks without a browser: minute bars from events, the
// escaping of every string (HTML text and the JSON inside <script>), the sweep heatmap,
// and the error when the chart library is missing. A stub library file stands in for
// lightweight-charts (TP_LIGHTWEIGHT_CHARTS_JS), so the test needs no npm install; the
// browser test (tests/html_report_test.sh) draws the real page.
#include "tp/app/html_report.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>

namespace tp::app {
namespace {

namespace fs = std::filesystem;

class HtmlReport : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tp-html-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    lib_ = (dir_ / "lwc.js").string();
    std::ofstream(lib_) << "/* stub lightweight-charts */ var LightweightCharts = {}; // '</script>' <!-- x\n";
    ::setenv("TP_LIGHTWEIGHT_CHARTS_JS", lib_.c_str(), 1);
  }
  void TearDown() override {
    ::unsetenv("TP_LIGHTWEIGHT_CHARTS_JS");
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
  std::string lib_;
};

InputEvent trade(int64_t ts_s, int64_t ms, int64_t px, int32_t qty, Session s, int32_t day) {
  InputEvent e{};
  e.ts = TimeNs{ts_s * kNsPerSec + ms * kNsPerMs};
  e.day = TradingDay{day};
  e.flags = kInTrade;
  e.session = s;
  e.last = Price{px};
  e.last_qty = Qty{qty};
  return e;
}

/// The number of (non-overlapping) occurrences of `needle` in `hay`.
int count(const std::string& hay, const std::string& needle) {
  int n = 0;
  for (std::size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + needle.size())) ++n;
  return n;
}

TEST_F(HtmlReport, MinuteBarsOfTheDaySessionTrades) {
  // 2021-07-26 08:45:00 +08:00 = 00:45:00 UTC = 1627260300.
  const int64_t t = 1627260300;
  std::vector<InputEvent> a = {
      trade(t - 3600 * 9, 0, 17000, 1, Session::Night, 20210726),  // night session: left out
      trade(t, 100, 17450, 2, Session::Day, 20210726),
      trade(t + 10, 0, 17460, 1, Session::Day, 20210726),
      trade(t + 59, 999, 17440, 3, Session::Day, 20210726),
      trade(t + 60, 0, 17445, 4, Session::Day, 20210726),
  };
  InputEvent quote{};  // a quote without a trade: left out
  quote.ts = TimeNs{(t + 61) * kNsPerSec};
  quote.day = TradingDay{20210726};
  quote.flags = kInQuote;
  quote.session = Session::Day;
  a.push_back(quote);
  std::vector<InputEvent> b = {trade(t + 86400 * 3, 0, 17500, 5, Session::Day, 20210729)};
  const InputSegments segs = {std::span<const InputEvent>(a), std::span<const InputEvent>(b)};
  const std::vector<MinuteBar> bars = minute_bars(segs);
  ASSERT_EQ(bars.size(), 3u);
  EXPECT_EQ(bars[0].day, TradingDay{20210726});
  EXPECT_EQ(bars[0].minute_utc_s, t);
  EXPECT_EQ(bars[0].open, 17450);
  EXPECT_EQ(bars[0].high, 17460);
  EXPECT_EQ(bars[0].low, 17440);
  EXPECT_EQ(bars[0].close, 17440);
  EXPECT_EQ(bars[0].volume, 6);
  EXPECT_EQ(bars[1].minute_utc_s, t + 60);
  EXPECT_EQ(bars[1].open, 17445);
  EXPECT_EQ(bars[1].volume, 4);
  EXPECT_EQ(bars[2].day, TradingDay{20210729});
  EXPECT_EQ(bars[2].close, 17500);
}

TEST_F(HtmlReport, ReplayPageEmbedsTheDayAndEscapesEveryString) {
  ReplayResult r;
  r.data = "evil</script><b>&\"'.zip";
  r.input.contract = "202108";
  DayResult d;
  d.day = TradingDay{20210726};
  d.has_range = true;
  d.range_high = Price{17480};
  d.range_low = Price{17453};
  EntryResult e;
  e.side = PosSide::Short;
  e.lots = {0, 1};
  d.entries.push_back(e);
  r.days.push_back(d);
  r.day_contracts.push_back("<202108>");
  LotResult closed;
  closed.day = d.day;
  closed.side = PosSide::Short;
  closed.state = PositionState::Closed;
  closed.exit_reason = ExitReason::TrailingStop;
  closed.entry_time = TimeNs{1627260420550000000};  // 08:47:00.550 +08:00
  closed.exit_time = TimeNs{1627260773906000000};   // 08:52:53.906
  closed.entry_px = Price{17452};
  closed.exit_px = Price{17439};
  closed.pnl = Ticks{13};
  LotResult open = closed;
  open.state = PositionState::Active;
  open.exit_reason = ExitReason::None;
  open.last_px = Price{17440};
  r.lots = {closed, open};
  std::vector<MinuteBar> bars = {{TradingDay{20210726}, 1627260300, 17460, 17480, 17450, 17470, 100},
                                 {TradingDay{20210726}, 1627260420, 17470, 17471, 17440, 17452, 50},
                                 {TradingDay{20210727}, 1627346700, 1, 1, 1, 1, 1}};  // not in r.days: left out

  const std::string html = format_html_report(r, bars);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  // The library is inlined, its "</script" and "<!--" written so they cannot end the script.
  EXPECT_NE(html.find("/* stub lightweight-charts */"), std::string::npos);
  EXPECT_NE(html.find("'<\\/script>' <\\!-- x"), std::string::npos);
  // One <script> per block: error hook, library, data, the page's code; nothing else closes one.
  EXPECT_EQ(count(html, "</script>"), 4);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("evil&lt;/script&gt;&lt;b&gt;&amp;&quot;&#39;.zip"), std::string::npos);
  EXPECT_NE(html.find("\\u003c202108\\u003e"), std::string::npos);  // the contract, in the JSON
  EXPECT_EQ(html.find("<202108>"), std::string::npos);
  // The day: range, the candles as minutes after the first (local time: +8 h), the lots.
  EXPECT_NE(html.find("\"rh\":17480,\"rl\":17453"), std::string::npos);
  EXPECT_NE(html.find("\"t0\":1627289100,\"b\":[[0,17460,17480,17450,17470,100],[2,17470,17471,17440,17452,50]]"),
            std::string::npos);
  EXPECT_NE(html.find("\"et\":1627289220,\"ets\":\"08:47:00.550\""), std::string::npos);  // 08:47 local
  EXPECT_NE(html.find("\"xt\":1627289520,\"xts\":\"08:52:53.906\""), std::string::npos);  // 08:52 local
  EXPECT_NE(html.find("\"why\":\"trailing_stop\""), std::string::npos);
  EXPECT_NE(html.find("\"xt\":null"), std::string::npos);  // the open lot: no exit marker
  EXPECT_EQ(html.find("\"d\":\"2021-07-27\""), std::string::npos);
  EXPECT_NE(html.find("id=\"tp-status\""), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
}

TEST_F(HtmlReport, SweepPageHeatmapTablesAndEscaping) {
  SweepHtml s;
  s.title = "sweep <of> 4 sets";
  s.objective = "net";
  s.x_param = "strategy.range_end";
  s.y_param = "rule1.trailing_pullback";
  s.x_values = {"08:47:00", "<x>"};
  s.y_values = {"0.1", "0.2&"};
  const double nan = std::numeric_limits<double>::quiet_NaN();
  s.heat = {{1.5, -2.25}, {100, nan}};
  s.table_header = {"rank", "net <TWD>"};
  s.table_rows = {{"1", "</td><script>alert(1)</script>"}};
  s.wf_header = {"window", "oos net"};
  s.wf_rows = {{"1", "+300"}};
  s.day_labels = {"2024-11-05", "2024-11-06", "2024-11-07"};
  s.best_equity = {10, 20, 30};
  s.oos_equity = {5, 15};

  const std::string html = format_sweep_html(s);
  EXPECT_NE(html.find("<title>sweep &lt;of&gt; 4 sets</title>"), std::string::npos);
  EXPECT_NE(html.find(">1.5</td>"), std::string::npos);
  EXPECT_NE(html.find(">-2.25</td>"), std::string::npos);
  EXPECT_NE(html.find(" best\" style=\"background:hsl(120,"), std::string::npos);  // 100: the best, green
  EXPECT_NE(html.find(">100</td>"), std::string::npos);
  EXPECT_NE(html.find("style=\"background:hsl(0,"), std::string::npos);  // -2.25: the lowest, red
  EXPECT_EQ(count(html, "<td class=\"none\""), 1);
  EXPECT_EQ(count(html, "<td class=\"v"), 3);
  EXPECT_NE(html.find("<th>&lt;x&gt;</th>"), std::string::npos);
  EXPECT_NE(html.find("<th class=\"l\">0.2&amp;</th>"), std::string::npos);
  EXPECT_NE(html.find("<th>net &lt;TWD&gt;</th>"), std::string::npos);
  EXPECT_NE(html.find("&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(html.find("alert(1)</script>"), std::string::npos);
  EXPECT_NE(html.find("<td>+300</td>"), std::string::npos);
  EXPECT_NE(html.find("\"best\":[10.0,20.0,30.0],\"oos\":[5.0,15.0]"), std::string::npos);
  EXPECT_EQ(count(html, "</script>"), 4);

  SweepHtml none;  // no heatmap, no tables: still a page
  const std::string empty = format_sweep_html(none);
  EXPECT_EQ(empty.find("id=\"tp-heat\""), std::string::npos);
  EXPECT_NE(empty.find("id=\"tp-status\""), std::string::npos);
}

TEST_F(HtmlReport, MissingLibraryIsAnErrorNamingThePath) {
  const std::string missing = (dir_ / "no-such-lib.js").string();
  ::setenv("TP_LIGHTWEIGHT_CHARTS_JS", missing.c_str(), 1);
  EXPECT_EQ(lightweight_charts_path(), missing);
  try {
    (void)format_sweep_html(SweepHtml{});
    FAIL() << "no error for a missing library";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(missing), std::string::npos) << what;
    EXPECT_NE(what.find("npm ci --prefix web"), std::string::npos) << what;
  }
  ::unsetenv("TP_LIGHTWEIGHT_CHARTS_JS");
  EXPECT_NE(lightweight_charts_path().find("/node_modules/lightweight-charts/dist/lightweight-charts.standalone.production.js"),
            std::string::npos);
}

TEST_F(HtmlReport, WriteErrorNamesThePath) {
  const std::string bad = (dir_ / "no-such-dir" / "page.html").string();
  try {
    write_html_file(bad, "x");
    FAIL() << "no error for an unwritable path";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
  }
  const std::string good = (dir_ / "page.html").string();
  write_html_file(good, "<p>ok</p>");
  std::ifstream in(good);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "<p>ok</p>");
}

}  // namespace
}  // namespace tp::app
