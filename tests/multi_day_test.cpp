// Multi-day replay (issue 11 item 1) on the real TAIFEX days around the November 2024
// settlement (third Wednesday 2024-11-20): TAIFEX's roll rule picks each day's front
// month, several files replay as one run whose every day trades exactly as it does
// alone, the multi-day figures add up, `--data` takes directories and globs, and
// `tickpipe convert` turns a list of days into binary tick files that replay the same.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "tp/app/replay.hpp"
#include "tp/engine/input/tick_set.hpp"
#include "tp/storage/temp_dir.hpp"
#include "process_util.hpp"

namespace tp {
namespace {

const std::string kDir = TP_SHARED_DIR "/data/taifex";
std::string day(const char* d) { return kDir + "/Daily_" + d + ".zip"; }
const std::vector<std::string> kThree = {day("2024_11_19"), day("2024_11_20"), day("2024_11_21")};

app::ReplayResult replay(std::vector<std::string> data) {
  app::ReplayOptions ro;
  ro.data = std::move(data);
  ro.read.symbol = "MTX";
  ro.persist = false;
  return app::run_replay(ro);
}

TEST(FrontMonth, ThirdWednesdaySettlesAndTheSettlementDayRolls) {
  EXPECT_EQ(taifex_settlement_day(202411), 20241120);
  EXPECT_EQ(taifex_settlement_day(202412), 20241218);
  EXPECT_EQ(taifex_settlement_day(202108), 20210818);
  EXPECT_EQ(taifex_settlement_day(202107), 20210721);
  EXPECT_EQ(taifex_settlement_day(202413), 0);
  EXPECT_EQ(taifex_front_month(20241119), 202411);
  EXPECT_EQ(taifex_front_month(20241120), 202412);  // the settlement day rolls
  EXPECT_EQ(taifex_front_month(20241121), 202412);
  EXPECT_EQ(taifex_front_month(20241218), 202501);  // and across the year
  EXPECT_EQ(taifex_front_month(20241231), 202501);
  EXPECT_EQ(taifex_front_month(20210726), 202108);
}

TEST(MultiDay, EachDayUsesItsFrontMonthAndTradesAsItDoesAlone) {
  const app::ReplayResult all = replay(kThree);
  ASSERT_EQ(all.files.size(), 3u);
  ASSERT_EQ(all.days.size(), 3u);
  EXPECT_EQ(all.input.contract, "202411,202412");
  EXPECT_EQ(all.day_contracts, (std::vector<std::string>{"202411", "202412", "202412"}));
  std::size_t lots = 0;
  for (std::size_t i = 0; i < kThree.size(); ++i) {
    const app::ReplayResult one = replay({kThree[i]});
    ASSERT_EQ(one.days.size(), 1u);
    EXPECT_EQ(one.days[0].day, all.days[i].day);
    EXPECT_EQ(one.day_contracts[0], all.day_contracts[i]);
    EXPECT_EQ(one.input_events, all.files[i].events);
    for (const LotResult& l : one.lots) {
      ASSERT_LT(lots, all.lots.size());
      const LotResult& m = all.lots[lots++];
      EXPECT_EQ(m.day, l.day);
      EXPECT_EQ(m.rule, l.rule);
      EXPECT_EQ(m.entry_time, l.entry_time);
      EXPECT_EQ(m.entry_px, l.entry_px);
      EXPECT_EQ(m.exit_time, l.exit_time);
      EXPECT_EQ(m.exit_px, l.exit_px);
      EXPECT_EQ(m.exit_reason, l.exit_reason);
      EXPECT_EQ(m.pnl, l.pnl);
    }
  }
  EXPECT_EQ(lots, all.lots.size());
  EXPECT_GE(lots, 3u) << "the three days trade";
}

TEST(MultiDay, FiguresAcrossDaysAddUp) {
  const app::ReplayResult r = replay(kThree);
  const app::ReportTotals t = app::report_totals(r);
  ASSERT_EQ(t.day_net_currency.size(), 3u);
  double sum = 0, peak = 0, dd = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    sum += t.day_net_currency[i];
    EXPECT_DOUBLE_EQ(t.equity_currency[i], sum);
    peak = std::max(peak, sum);
    dd = std::max(dd, peak - sum);
  }
  ASSERT_EQ(t.lots_open, 0);
  EXPECT_NEAR(sum, t.net_currency, 1e-6) << "every lot closed: the days' nets are the net";
  EXPECT_DOUBLE_EQ(t.max_day_drawdown_currency, dd);
  const double mean = sum / 3;
  double var = 0, down = 0;
  for (double v : t.day_net_currency) {
    var += (v - mean) * (v - mean);
    if (v < 0) down += v * v;
  }
  ASSERT_GT(down, 0) << "2024-11-20 loses";
  EXPECT_NEAR(t.sharpe, mean / std::sqrt(var / 2) * std::sqrt(252.0), 1e-9);
  EXPECT_NEAR(t.sortino, mean / std::sqrt(down / 3) * std::sqrt(252.0), 1e-9);
  EXPECT_EQ(t.trades, 3);
  EXPECT_GE(t.longest_losing_streak, 0);
  EXPECT_GT(t.avg_win_currency, 0);
  EXPECT_LT(t.avg_loss_currency, 0);
  EXPECT_GT(t.profit_factor, 0);
  const std::string text = app::format_report(r);
  EXPECT_NE(text.find("across 3 days"), std::string::npos) << text;
  EXPECT_NE(text.find("2024-11-20  202412"), std::string::npos) << text;
}

TEST(MultiDay, DirectoriesAndGlobsExpandInNameOrder) {
  const std::vector<std::string> dir = expand_input_paths({kDir});
  ASSERT_EQ(dir.size(), 42u) << "the 42 bundled days; the LICENSE file is not an input";
  EXPECT_EQ(dir.front(), kDir + "/Daily_2021_07_26.zip");
  EXPECT_EQ(dir.back(), kDir + "/Daily_2024_12_31.zip");
  const std::vector<std::string> glob = expand_input_paths({kDir + "/Daily_2024_11_2?.zip"});
  EXPECT_EQ(glob.size(), 8u);  // 20, 21, 22, 25, 26, 27, 28, 29
  // A file named twice (directly and through a glob) is kept once.
  EXPECT_EQ(expand_input_paths({day("2024_11_20"), kDir + "/Daily_2024_11_20.*"}).size(), 1u);
  EXPECT_THROW(expand_input_paths({kDir + "/nothing_*.zip"}), InputError);
  EXPECT_THROW(expand_input_paths({kDir + "/Daily_1999_01_01.zip"}), InputError);
}

TEST(MultiDay, TheSameDayTwiceIsAnErrorNamingBothFiles) {
  storage::TempDir tmp("tp-multi");
  const std::string copy = tmp.sub("copy_of_2024_11_20.zip");
  std::filesystem::copy_file(day("2024_11_20"), copy);
  try {
    replay({day("2024_11_20"), copy});
    FAIL() << "overlapping days replayed";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.field(), "--data");
    EXPECT_NE(what.find("Daily_2024_11_20.zip"), std::string::npos) << what;
    EXPECT_NE(what.find("copy_of_2024_11_20.zip"), std::string::npos) << what;
  }
}

TEST(MultiDay, ConvertedDirectoryReplaysTheSame) {
  storage::TempDir tmp("tp-multi");
  int rc = 0;
  test::run_capture({TP_TICKPIPE_BIN, "convert", "--data", kThree[0], kThree[1], kThree[2], "--symbol", "MTX", "--out",
                     tmp.sub("tpk")},
                    rc, std::chrono::seconds(180));
  ASSERT_EQ(rc, 0);
  const app::ReplayResult bin = replay({tmp.sub("tpk")});
  const app::ReplayResult zip = replay(kThree);
  ASSERT_EQ(bin.files.size(), 3u);
  for (const TickFile& f : bin.files) EXPECT_TRUE(f.mapped) << f.path;
  EXPECT_EQ(bin.day_contracts, zip.day_contracts);
  EXPECT_EQ(bin.input_events, zip.input_events);
  ASSERT_EQ(bin.lots.size(), zip.lots.size());
  for (std::size_t i = 0; i < bin.lots.size(); ++i) {
    EXPECT_EQ(bin.lots[i].entry_time, zip.lots[i].entry_time) << i;
    EXPECT_EQ(bin.lots[i].exit_px, zip.lots[i].exit_px) << i;
    EXPECT_EQ(bin.lots[i].pnl, zip.lots[i].pnl) << i;
  }
}

}  // namespace
}  // namespace tp
