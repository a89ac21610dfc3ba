// Walk-forward and CSCV PBO over a per-day net PnL matrix (tp/app/walk_forward.hpp,
// docs/TUNING.md). Every expected number is derived by hand in a comment next to it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "tp/app/replay.hpp"
#include "tp/app/walk_forward.hpp"

namespace {

using tp::app::Objective;
using Matrix = std::vector<std::vector<double>>;

const double kRoot252 = std::sqrt(252.0);
const double kInf = std::numeric_limits<double>::infinity();
constexpr Objective kAll[] = {Objective::Net, Objective::Sharpe, Objective::Sortino, Objective::Calmar};

double obj(std::vector<double> x, Objective o) { return tp::app::objective_of(x, o); }

// ------------------------------------------------------------------ objectives

TEST(Objective, ParseAndName) {
  for (Objective o : kAll) {
    Objective back = Objective::Net;
    ASSERT_TRUE(tp::app::parse_objective(tp::app::to_string(o), back)) << tp::app::to_string(o);
    EXPECT_EQ(back, o);
  }
  EXPECT_STREQ(tp::app::to_string(Objective::Calmar), "calmar");
  Objective out = Objective::Sortino;
  EXPECT_FALSE(tp::app::parse_objective("Sharpe", out));  // lower case only
  EXPECT_FALSE(tp::app::parse_objective("", out));
  EXPECT_FALSE(tp::app::parse_objective("pnl", out));
  EXPECT_EQ(out, Objective::Sortino);  // untouched on failure
}

TEST(Objective, HandComputedSeries) {
  // x = 100, -50, 200, -50: sum 200, mean 50; deviations 50, -100, 150, -100, squares
  // 2500 + 10000 + 22500 + 10000 = 45000, sample variance 45000/3 = 15000.
  const std::vector<double> x = {100, -50, 200, -50};
  EXPECT_DOUBLE_EQ(obj(x, Objective::Net), 200);
  // Sharpe = 50 / sqrt(15000) * sqrt(252) = 50 * sqrt(0.0168) = 6.48074...
  EXPECT_NEAR(obj(x, Objective::Sharpe), 50 * std::sqrt(252.0 / 15000.0), 1e-12);
  EXPECT_NEAR(obj(x, Objective::Sharpe), 6.4807407, 1e-6);
  // Downside: (2500 + 2500) / 4 = 1250, sqrt = 35.355; 50 / 35.355 = sqrt(2);
  // Sortino = sqrt(2) * sqrt(252) = sqrt(504) = 22.44994...
  EXPECT_NEAR(obj(x, Objective::Sortino), std::sqrt(504.0), 1e-12);
  // Equity 100, 50, 250, 200; peak 100, 100, 250, 250; drawdown 50; Calmar 200 / 50 = 4.
  EXPECT_DOUBLE_EQ(obj(x, Objective::Calmar), 4.0);

  // The running peak starts at 0: -10, +30 -> equity -10, 20; drawdown 10 (from 0), Calmar 20/10.
  EXPECT_DOUBLE_EQ(obj({-10, 30}, Objective::Calmar), 2.0);
  // No losing day: Sortino 0; Sharpe of 1, 3 = 2 / sqrt(2) * sqrt(252) = sqrt(504).
  EXPECT_EQ(obj({1, 3}, Objective::Sortino), 0.0);
  EXPECT_NEAR(obj({1, 3}, Objective::Sharpe), std::sqrt(504.0), 1e-12);
  // Two equal losing days: stdev 0 -> Sharpe 0; downside sqrt((4+4)/2) = 2, Sortino
  // -2/2 * sqrt(252); equity -2, -4 below the 0 peak, drawdown 4, Calmar -4/4 = -1.
  EXPECT_EQ(obj({-2, -2}, Objective::Sharpe), 0.0);
  EXPECT_NEAR(obj({-2, -2}, Objective::Sortino), -kRoot252, 1e-12);
  EXPECT_DOUBLE_EQ(obj({-2, -2}, Objective::Calmar), -1.0);
}

TEST(Objective, EdgeCases) {
  // One day: Sharpe and Sortino need 2 days (0); Calmar of a gain with no drawdown is
  // +inf, of a loss -5 / 5 = -1.
  EXPECT_EQ(obj({5}, Objective::Net), 5.0);
  EXPECT_EQ(obj({5}, Objective::Sharpe), 0.0);
  EXPECT_EQ(obj({5}, Objective::Sortino), 0.0);
  EXPECT_EQ(obj({5}, Objective::Calmar), kInf);
  EXPECT_EQ(obj({-5}, Objective::Sortino), 0.0);
  EXPECT_DOUBLE_EQ(obj({-5}, Objective::Calmar), -1.0);
  // Zero stdev, no losing day, no drawdown.
  EXPECT_EQ(obj({3, 3, 3}, Objective::Sharpe), 0.0);
  EXPECT_EQ(obj({3, 3, 3}, Objective::Sortino), 0.0);
  EXPECT_EQ(obj({3, 3, 3}, Objective::Calmar), kInf);
  // Zero drawdown and zero sum: Calmar 0 (a set that never traded).
  EXPECT_EQ(obj({0, 0, 0}, Objective::Calmar), 0.0);
  EXPECT_EQ(obj({0, 0, 0}, Objective::Sharpe), 0.0);
  // Empty: 0 for every objective.
  for (Objective o : kAll) EXPECT_EQ(tp::app::objective_of(std::span<const double>(), o), 0.0);
}

// The figures of report_totals (tools/src/report.cpp) from a synthetic replay result:
// one closed one-lot LONG entry per day (no trade on day 3), tax on, so the day nets are
// fractional. objective_of on its day_net_currency must give the report's Sharpe,
// Sortino and drawdown bit for bit.
TEST(Objective, AgreesWithReportTotals) {
  tp::app::ReplayResult r;
  r.cfg.costs = tp::CostConfig{};
  r.cfg.costs.tax_rate = 0.00002;
  r.cfg.costs.commission_per_lot = 13.3;  // 26.6 per closed lot: fractional nets
  const int64_t pnl_ticks[] = {12, -30, 7, 0, 41, -3, -18, 25};
  for (int d = 0; d < 8; ++d) {
    tp::DayResult day;
    if (d != 3) {
      tp::LotResult l;
      l.state = tp::PositionState::Closed;
      l.side = tp::PosSide::Long;
      l.entry_px = tp::Price{17000 + 13 * d};
      l.exit_px = tp::Price{l.entry_px.ticks + pnl_ticks[d]};
      l.pnl = tp::Ticks{pnl_ticks[d]};
      l.exit_time = tp::TimeNs{1000 + d};
      tp::EntryResult e;
      e.lots.push_back(static_cast<int>(r.lots.size()));
      r.lots.push_back(l);
      day.entries.push_back(e);
    }
    r.days.push_back(day);
  }
  const tp::app::ReportTotals t = tp::app::report_totals(r);
  ASSERT_EQ(t.day_net_currency.size(), 8u);
  EXPECT_NE(t.day_net_currency[0], std::floor(t.day_net_currency[0]));  // fractional (tax)
  EXPECT_EQ(t.day_net_currency[3], 0.0);
  const std::span<const double> x(t.day_net_currency);
  EXPECT_EQ(tp::app::objective_of(x, Objective::Sharpe), t.sharpe);
  EXPECT_EQ(tp::app::objective_of(x, Objective::Sortino), t.sortino);
  ASSERT_GT(t.max_day_drawdown_currency, 0);
  EXPECT_EQ(tp::app::objective_of(x, Objective::Calmar), t.equity_currency.back() / t.max_day_drawdown_currency);
  EXPECT_EQ(tp::app::objective_of(x, Objective::Net), t.equity_currency.back());
}

// ------------------------------------------------------------------ walk-forward

//  day:   0   1   2   3   4   5   6   7   8   9
Matrix wf_matrix() {
  return {
      {10, 10, 10, -5, -5, 1, 1, 0, 0, 2},       // set 0: total 25
      {0, 0, 0, 20, 20, -10, -10, 3, 3, -4},     // set 1: total 22
      {1, 1, 1, 1, 1, 8, 8, 8, 8, 1},            // set 2: total 38
  };
}

TEST(WalkForward, NetWindowsHandComputed) {
  // train 3, test 2 over 10 days: windows start at 0, 2, 4, 6 (6 + 3 = 9 < 10); the last
  // test window is [9, 10), one day; a window at 8 would have no test day.
  const tp::app::WalkForwardResult r = tp::app::walk_forward(wf_matrix(), 3, 2, Objective::Net);
  EXPECT_EQ(r.train, 3);
  EXPECT_EQ(r.test, 2);
  EXPECT_EQ(r.objective, Objective::Net);
  ASSERT_EQ(r.windows.size(), 4u);
  struct Want {
    int tb, te, sb, se, chosen;
    double train_net, test_net;
  };
  const Want want[] = {
      // train [0,3): 30, 0, 3 -> set 0; its test [3,5) = -5 - 5 = -10
      {0, 3, 3, 5, 0, 30, -10},
      // train [2,5): 10-5-5 = 0, 0+20+20 = 40, 3 -> set 1; test [5,7) = -20
      {2, 5, 5, 7, 1, 40, -20},
      // train [4,7): -5+1+1 = -3, 20-10-10 = 0, 1+8+8 = 17 -> set 2; test [7,9) = 16
      {4, 7, 7, 9, 2, 17, 16},
      // train [6,9): 1, -4, 24 -> set 2; test [9,10) = 1 (the short last window)
      {6, 9, 9, 10, 2, 24, 1},
  };
  for (std::size_t k = 0; k < 4; ++k) {
    SCOPED_TRACE(k);
    const tp::app::WalkForwardWindow& w = r.windows[k];
    EXPECT_EQ(w.train_begin, want[k].tb);
    EXPECT_EQ(w.train_end, want[k].te);
    EXPECT_EQ(w.test_begin, want[k].sb);
    EXPECT_EQ(w.test_end, want[k].se);
    EXPECT_EQ(w.chosen, want[k].chosen);
    EXPECT_EQ(w.train_net, want[k].train_net);
    EXPECT_EQ(w.train_objective, want[k].train_net);  // Net: objective = net
    EXPECT_EQ(w.test_net, want[k].test_net);
    EXPECT_EQ(w.test_objective, want[k].test_net);
  }
  // Stitched: set 0 on days 3-4, set 1 on 5-6, set 2 on 7-8 and 9.
  EXPECT_EQ(r.oos_first_day, 3);
  EXPECT_EQ(r.oos_day_net, (std::vector<double>{-5, -5, -10, -10, 8, 8, 1}));
  EXPECT_EQ(r.oos_net, -13);
  EXPECT_EQ(r.oos_objective, -13);
  // With hindsight set 2 (total 38) wins; on days 3..9 it made 1+1+8+8+8+8+1 = 35.
  EXPECT_EQ(r.is_best, 2);
  EXPECT_EQ(r.is_net, 35);
  EXPECT_EQ(r.is_objective, 35);
  EXPECT_DOUBLE_EQ(r.mean_train_objective, (30 + 40 + 17 + 24) / 4.0);
}

TEST(WalkForward, SharpeWindowsAndTies) {
  // Sharpe on the same matrix:
  //   [0,3): every set constant -> all 0, a tie -> the lowest index, set 0; test [3,5) -10.
  //   [2,5): set 0 10,-5,-5 mean 0 -> 0; set 1 0,20,20 > 0; set 2 constant 0 -> set 1.
  //   [4,7): set 0 mean -1 < 0; set 1 20,-10,-10 mean 0; set 2 1,8,8 > 0 -> set 2.
  //   [6,9): set 0 1,0,0: (1/3) / sqrt(1/3) * sqrt(252) = sqrt(84) > 0; set 1 mean < 0;
  //          set 2 8,8,8 constant -> 0 -> set 0; test [9,10) is set 0's day 9, +2, and a
  //          one-day Sharpe is 0.
  const tp::app::WalkForwardResult r = tp::app::walk_forward(wf_matrix(), 3, 2, Objective::Sharpe);
  ASSERT_EQ(r.windows.size(), 4u);
  EXPECT_EQ(r.windows[0].chosen, 0);
  EXPECT_EQ(r.windows[0].train_objective, 0.0);
  EXPECT_EQ(r.windows[0].train_net, 30);
  EXPECT_EQ(r.windows[1].chosen, 1);
  EXPECT_EQ(r.windows[2].chosen, 2);
  EXPECT_EQ(r.windows[3].chosen, 0);
  EXPECT_NEAR(r.windows[3].train_objective, std::sqrt(84.0), 1e-9);
  EXPECT_EQ(r.windows[3].train_net, 1);
  EXPECT_EQ(r.windows[3].test_net, 2);
  EXPECT_EQ(r.windows[3].test_objective, 0.0);
  EXPECT_EQ(r.oos_day_net, (std::vector<double>{-5, -5, -10, -10, 8, 8, 2}));
  EXPECT_EQ(r.oos_net, -12);
  EXPECT_EQ(r.oos_objective, obj(r.oos_day_net, Objective::Sharpe));
  // Whole period: set 2 mean 3.8, sample variance 117.6 / 9 -> ratio 1.05; set 0 2.5 /
  // sqrt(298.5 / 9) = 0.43; set 1 2.2 / sqrt(985.6 / 9) = 0.21 -> set 2.
  EXPECT_EQ(r.is_best, 2);
  EXPECT_EQ(r.is_net, 35);
  EXPECT_EQ(r.is_objective, obj({1, 1, 8, 8, 8, 8, 1}, Objective::Sharpe));
  double mean = 0;
  for (const auto& w : r.windows) mean += w.train_objective;
  EXPECT_DOUBLE_EQ(r.mean_train_objective, mean / 4);

  // Identical sets tie everywhere: the lowest index is chosen.
  const Matrix same = {{1, -1, 2, 3}, {1, -1, 2, 3}};
  for (Objective o : kAll) {
    const tp::app::WalkForwardResult s = tp::app::walk_forward(same, 2, 1, o);
    for (const auto& w : s.windows) EXPECT_EQ(w.chosen, 0);
    EXPECT_EQ(s.is_best, 0);
  }
}

TEST(WalkForward, OneWindowAndTestLongerThanTheRest) {
  // train 9 of 10 days: one window, test [9, 10) though test = 5.
  const tp::app::WalkForwardResult r = tp::app::walk_forward(wf_matrix(), 9, 5, Objective::Net);
  ASSERT_EQ(r.windows.size(), 1u);
  EXPECT_EQ(r.windows[0].test_begin, 9);
  EXPECT_EQ(r.windows[0].test_end, 10);
  // Days 0..8: set 0 23, set 1 26, set 2 37 -> set 2, day 9 = +1.
  EXPECT_EQ(r.windows[0].chosen, 2);
  EXPECT_EQ(r.oos_day_net, (std::vector<double>{1}));
  EXPECT_EQ(r.oos_first_day, 9);
}

TEST(WalkForward, InvalidArguments) {
  const Matrix m = wf_matrix();
  EXPECT_THROW((void)tp::app::walk_forward(m, 0, 2, Objective::Net), std::invalid_argument);
  EXPECT_THROW((void)tp::app::walk_forward(m, 3, 0, Objective::Net), std::invalid_argument);
  EXPECT_THROW((void)tp::app::walk_forward(m, -1, 2, Objective::Net), std::invalid_argument);
  EXPECT_THROW((void)tp::app::walk_forward(m, 10, 1, Objective::Net), std::invalid_argument);  // no test day
  EXPECT_THROW((void)tp::app::walk_forward(m, 11, 1, Objective::Net), std::invalid_argument);
  EXPECT_THROW((void)tp::app::walk_forward(Matrix{}, 1, 1, Objective::Net), std::invalid_argument);
  EXPECT_THROW((void)tp::app::walk_forward(Matrix{{}, {}}, 1, 1, Objective::Net), std::invalid_argument);
  EXPECT_THROW((void)tp::app::walk_forward(Matrix{{1, 2, 3}, {1, 2}}, 1, 1, Objective::Net), std::invalid_argument);
  EXPECT_THROW((void)tp::app::walk_forward(Matrix{{1, std::nan(""), 3}}, 1, 1, Objective::Net),
               std::invalid_argument);
  EXPECT_THROW((void)tp::app::walk_forward(Matrix{{1, kInf, 3}}, 1, 1, Objective::Net), std::invalid_argument);
  try {
    (void)tp::app::walk_forward(Matrix{{1, 2, 3}, {1, 2}}, 1, 1, Objective::Net);
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("set 1 has 2 days"), std::string::npos) << e.what();
  }
}

// ------------------------------------------------------------------ PBO (CSCV)

Matrix noise(int sets, int days, uint64_t seed, double sd = 1000) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> n(0, sd);
  Matrix m(static_cast<std::size_t>(sets), std::vector<double>(static_cast<std::size_t>(days)));
  for (auto& row : m)
    for (double& v : row) v = n(rng);
  return m;
}

/// The definition, spelled out: objective_of on the concatenated days of each half.
std::vector<double> naive_logits(const Matrix& m, int blocks, Objective o) {
  const int days = static_cast<int>(m[0].size());
  const int len = days / blocks, first = days - len * blocks, k = blocks / 2;
  const int n = static_cast<int>(m.size());
  // Combinations as sorted block-index vectors, in lexicographic order (recursively).
  std::vector<double> out;
  std::vector<int> pick;
  auto run = [&](auto&& self, int next) -> void {
    if (static_cast<int>(pick.size()) == k) {
      std::vector<double> tr_obj(static_cast<std::size_t>(n)), te_obj(static_cast<std::size_t>(n));
      for (int s = 0; s < n; ++s) {
        std::vector<double> tr, te;
        for (int b = 0; b < blocks; ++b) {
          const bool in = std::find(pick.begin(), pick.end(), b) != pick.end();
          for (int d = first + b * len; d < first + (b + 1) * len; ++d) (in ? tr : te).push_back(m[s][d]);
        }
        tr_obj[s] = tp::app::objective_of(tr, o);
        te_obj[s] = tp::app::objective_of(te, o);
      }
      int best = 0;
      for (int s = 1; s < n; ++s)
        if (tr_obj[s] > tr_obj[best]) best = s;
      double below = 0, equal = 0;
      for (int s = 0; s < n; ++s) {
        if (te_obj[s] < te_obj[best]) ++below;
        if (te_obj[s] == te_obj[best]) ++equal;
      }
      const double w = (below + (equal + 1) / 2) / (n + 1);
      out.push_back(std::log(w / (1 - w)));
      return;
    }
    for (int b = next; b < blocks; ++b) {
      pick.push_back(b);
      self(self, b + 1);
      pick.pop_back();
    }
  };
  run(run, 0);
  return out;
}

TEST(Pbo, DominantSetIsNeverOverfit) {
  // Set 0 beats every other set on every day by construction (1 to 5 above the day's
  // best of the 9 noise sets), so it is the IS-best and the OOS-best in every split:
  // rank N = 10, w = 10/11, logit = ln(10) for all 70 combinations.
  Matrix m = noise(10, 40, 7);
  for (int d = 0; d < 40; ++d) {
    double top = -kInf;
    for (std::size_t s = 1; s < m.size(); ++s) top = std::max(top, m[s][d]);
    m[0][d] = top + 1 + d % 5;  // positive margin that varies over days
  }
  const tp::app::PboResult r = tp::app::pbo_cscv(m, 8, Objective::Net);
  EXPECT_EQ(r.sets, 10);
  EXPECT_EQ(r.blocks, 8);
  EXPECT_EQ(r.days_used, 40);
  ASSERT_EQ(r.combinations, 70);
  ASSERT_EQ(r.logits.size(), 70u);
  for (double l : r.logits) EXPECT_NEAR(l, std::log(10.0), 1e-12);
  EXPECT_EQ(r.pbo, 0.0);
  EXPECT_NEAR(r.median_logit, std::log(10.0), 1e-12);
  // The same set wins every split and its train + test net is its total over the 40
  // days, so OOS = total - IS: slope -1, intercept the total.
  double total = 0;
  for (double v : m[0]) total += v;
  EXPECT_NEAR(r.degradation_slope, -1.0, 1e-9);
  EXPECT_NEAR(r.degradation_intercept, total, 1e-6 * std::abs(total) + 1e-6);
  EXPECT_EQ(r.prob_oos_loss, 0.0);  // the max of 9 noise days is > 0 on every day here
}

TEST(Pbo, PureNoiseIsAboutAHalf) {
  // 200 sets of independent noise, 64 days, 8 blocks: the IS-best set's OOS rank is
  // uniform, so PBO averages 0.5. One matrix gives only 70 strongly correlated splits:
  // over 200 seeds a single PBO spreads from 0.21 to 0.73 (5th..95th percentile), so a
  // single-seed band is loose; seed 42 gives 0.500 for Sharpe (checked).
  const tp::app::PboResult r = tp::app::pbo_cscv(noise(200, 64, 42), 8, Objective::Sharpe);
  EXPECT_EQ(r.combinations, 70);
  EXPECT_GT(r.pbo, 0.3);
  EXPECT_LT(r.pbo, 0.7);
  // The mean over 20 seeds has a spread of about 0.035 (0.16 / sqrt 20); measured 0.471
  // (net), 0.480 (sharpe), 0.497 (sortino), 0.513 (calmar). The band 0.4..0.6 rejects a
  // selection that persists (PBO -> 0) or reverses (-> 1) and a biased rank.
  for (Objective o : kAll) {
    double mean = 0;
    for (uint64_t seed = 1; seed <= 20; ++seed) mean += tp::app::pbo_cscv(noise(200, 64, seed), 8, o).pbo;
    mean /= 20;
    EXPECT_GT(mean, 0.4) << tp::app::to_string(o);
    EXPECT_LT(mean, 0.6) << tp::app::to_string(o);
  }
}

TEST(Pbo, AntiPersistentIsAlwaysOverfit) {
  // Integer noise with each set's last day set so the set's total is exactly 0: then a
  // set's test net is minus its train net, the train-best is the test-worst (rank 1,
  // or the bottom of a tie) in every split, every logit < 0, PBO = 1.
  Matrix m = noise(30, 48, 99);
  for (auto& row : m) {
    double sum = 0;
    for (std::size_t d = 0; d + 1 < row.size(); ++d) {
      row[d] = std::round(row[d]);
      sum += row[d];
    }
    row.back() = -sum;
  }
  const tp::app::PboResult r = tp::app::pbo_cscv(m, 8, Objective::Net);
  ASSERT_EQ(r.logits.size(), 70u);
  for (double l : r.logits) EXPECT_LT(l, 0);
  EXPECT_EQ(r.pbo, 1.0);
  EXPECT_NEAR(r.median_logit, std::log(1.0 / 30.0), 1e-12);  // rank 1 of 30
  EXPECT_NEAR(r.degradation_slope, -1.0, 1e-12);              // OOS = -IS
  EXPECT_NEAR(r.degradation_intercept, 0.0, 1e-9);
  EXPECT_EQ(r.prob_oos_loss, 1.0);  // the best train net is > 0, so its test net < 0
}

TEST(Pbo, CombinationCountsAndDroppedDays) {
  EXPECT_EQ(tp::app::pbo_cscv(noise(3, 8, 1), 8, Objective::Net).combinations, 70);    // C(8,4)
  const tp::app::PboResult r16 = tp::app::pbo_cscv(noise(2, 16, 1), 16, Objective::Net);
  EXPECT_EQ(r16.combinations, 12870);                                                 // C(16,8)
  EXPECT_EQ(r16.logits.size(), 12870u);
  EXPECT_EQ(tp::app::pbo_cscv(noise(2, 2, 1), 2, Objective::Net).combinations, 2);    // C(2,1)
  EXPECT_EQ(tp::app::pbo_cscv(noise(2, 20, 1), 20, Objective::Net).combinations, 184756);  // C(20,10)

  // 19 days, 8 blocks of 2: the first 3 days are dropped; changing them changes nothing,
  // changing day 3 (the first used one) does.
  Matrix m = noise(12, 19, 5);
  const tp::app::PboResult a = tp::app::pbo_cscv(m, 8, Objective::Sharpe);
  EXPECT_EQ(a.days_used, 16);
  Matrix early = m;
  for (auto& row : early) row[0] = row[1] = row[2] = 1e6;
  EXPECT_EQ(tp::app::pbo_cscv(early, 8, Objective::Sharpe).logits, a.logits);
  Matrix day3 = m;
  for (std::size_t s = 0; s < day3.size(); ++s) day3[s][3] = 1e4 * static_cast<double>(s);
  EXPECT_NE(tp::app::pbo_cscv(day3, 8, Objective::Sharpe).logits, a.logits);
}

TEST(Pbo, TiesHandCase) {
  // 3 sets, 2 days, 2 blocks of one day: combinations {block 0} and {block 1}.
  //   set 0: 5, 0   set 1: 5, 3   set 2: 1, 1
  // 1) train day 0: sets 0 and 1 tie at 5 -> n* = set 0 (lowest index); test day 1:
  //    0 < 1 < 3, rank 1, w = 1/4, logit ln(1/3).
  // 2) train day 1: n* = set 1 (3); test day 0: 1 < 5 = 5, set 1 shares ranks 2 and 3,
  //    average 2.5, w = 2.5/4 = 0.625, logit ln(0.625/0.375) = ln(5/3).
  const Matrix m = {{5, 0}, {5, 3}, {1, 1}};
  const tp::app::PboResult r = tp::app::pbo_cscv(m, 2, Objective::Net);
  ASSERT_EQ(r.logits.size(), 2u);
  EXPECT_NEAR(r.logits[0], std::log(1.0 / 3.0), 1e-12);
  EXPECT_NEAR(r.logits[1], std::log(5.0 / 3.0), 1e-12);
  EXPECT_EQ(r.pbo, 0.5);
  EXPECT_NEAR(r.median_logit, (std::log(1.0 / 3.0) + std::log(5.0 / 3.0)) / 2, 1e-12);
  EXPECT_EQ(r.prob_oos_loss, 0.0);  // test nets 0 and 5: neither < 0
  // Pairs (IS, OOS) = (5, 0), (3, 5): slope (5 - 0) / (3 - 5) = -2.5, intercept 0 + 2.5 * 5.
  EXPECT_NEAR(r.degradation_slope, -2.5, 1e-12);
  EXPECT_NEAR(r.degradation_intercept, 12.5, 1e-12);

  // Ties on the test side at the median: 4 sets; train day 0 picks set 0 (5); day 1 all
  // equal (1, 1, 1, 1): rank (1+4)/2 = 2.5 = (N+1)/2, w = 0.5, logit 0 -> counts as overfit.
  // Train day 1: all tie, n* = set 0; test day 0: 5 is the unique best, rank 4, ln(4).
  const Matrix all_tie = {{5, 1}, {3, 1}, {4, 1}, {0, 1}};
  const tp::app::PboResult t = tp::app::pbo_cscv(all_tie, 2, Objective::Net);
  EXPECT_EQ(t.logits[0], 0.0);
  EXPECT_NEAR(t.logits[1], std::log(4.0), 1e-12);
  EXPECT_EQ(t.pbo, 0.5);
}

TEST(Pbo, BlockFiguresMatchTheDefinition) {
  // The per-block arithmetic against objective_of on the concatenated days, for every
  // objective (37 days, 6 blocks of 6: day 0 dropped; 20 combinations). A drift makes
  // the Calmar drawdown cross blocks.
  Matrix m = noise(25, 37, 2024, 100);
  for (std::size_t s = 0; s < m.size(); ++s)
    for (double& v : m[s]) v += 5.0 * (static_cast<double>(s % 5) - 2);
  m[3].assign(37, 0.0);   // a set that never trades
  m[4].assign(37, -50.0);  // constant losses (Sharpe 0, Calmar -1)
  for (Objective o : kAll) {
    SCOPED_TRACE(tp::app::to_string(o));
    const tp::app::PboResult r = tp::app::pbo_cscv(m, 6, o);
    const std::vector<double> want = naive_logits(m, 6, o);
    ASSERT_EQ(r.logits.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(r.logits[i], want[i], 1e-12) << i;
  }
}

TEST(Pbo, InvalidArguments) {
  const Matrix m = noise(4, 30, 3);
  EXPECT_THROW((void)tp::app::pbo_cscv(m, 3, Objective::Net), std::invalid_argument);   // odd
  EXPECT_THROW((void)tp::app::pbo_cscv(m, 0, Objective::Net), std::invalid_argument);
  EXPECT_THROW((void)tp::app::pbo_cscv(m, -2, Objective::Net), std::invalid_argument);
  EXPECT_THROW((void)tp::app::pbo_cscv(m, 32, Objective::Net), std::invalid_argument);  // > days
  EXPECT_THROW((void)tp::app::pbo_cscv(noise(2, 40, 3), 26, Objective::Net), std::invalid_argument);  // > kMaxPboBlocks
  EXPECT_THROW((void)tp::app::pbo_cscv(noise(1, 30, 3), 2, Objective::Net), std::invalid_argument);  // one set
  EXPECT_THROW((void)tp::app::pbo_cscv(Matrix{}, 2, Objective::Net), std::invalid_argument);
  EXPECT_THROW((void)tp::app::pbo_cscv(Matrix{{}, {}}, 2, Objective::Net), std::invalid_argument);
  EXPECT_THROW((void)tp::app::pbo_cscv(Matrix{{1, 2, 3, 4}, {1, 2, 3}}, 2, Objective::Net), std::invalid_argument);
  EXPECT_THROW((void)tp::app::pbo_cscv(Matrix{{1, 2}, {1, std::nan("")}}, 2, Objective::Net),
               std::invalid_argument);
  EXPECT_NO_THROW((void)tp::app::pbo_cscv(m, 10, Objective::Net));  // 30 days, 10 blocks of 3
  EXPECT_NO_THROW((void)tp::app::pbo_cscv(noise(2, 6, 3), 6, Objective::Net));  // blocks = days
}

}  // namespace
