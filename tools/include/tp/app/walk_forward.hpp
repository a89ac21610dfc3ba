// Out-of-sample checks of a parameter sweep (docs/TUNING.md "Walk-forward" and
// "Probability of Backtest Overfitting (CSCV)"): pure functions over the sweep's per-day
// net PnL matrix.
//
// Input everywhere: `day_net[s][d]`, the net PnL (the instrument's currency, as
// ReportTotals::day_net_currency) of parameter set `s` on trading day `d` (0 = the
// first day of the sweep). Every row must have the same number of days, and every value
// must be finite; otherwise, or for an empty matrix or bad sizes, the functions throw
// std::invalid_argument with a message naming the problem.
//
// Thread-safety: no shared state; any thread may call any of these at any time (the
// matrix is only read). Cold path: they allocate.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace tp::app {

/// What "best" means when choosing a parameter set.
enum class Objective : uint8_t {
  Net = 0,      ///< sum of the days' net PnL
  Sharpe = 1,   ///< daily Sharpe ratio, annualized (x sqrt 252)
  Sortino = 2,  ///< daily Sortino ratio, annualized (x sqrt 252)
  Calmar = 3,   ///< net / max drawdown of the daily net equity
};
/// "net" | "sharpe" | "sortino" | "calmar" (lower case); false (out untouched) otherwise.
bool parse_objective(std::string_view s, Objective& out) noexcept;
const char* to_string(Objective o) noexcept;

/// The objective of a per-day net PnL series (the same definitions, edge cases and
/// arithmetic as report_totals in tools/src/report.cpp, so a set's figure here equals
/// the one its replay report prints):
///   Net     = sum;
///   Sharpe  = mean / sample stdev (n - 1) * sqrt(252); 0 when n < 2 or the stdev is 0;
///   Sortino = mean / sqrt(mean of min(x, 0)^2) * sqrt(252); 0 when no day lost or n < 2;
///   Calmar  = sum / max drawdown of the cumulative sum (running peak starting at 0,
///             as ReportTotals::max_day_drawdown_currency); +inf when the drawdown is 0
///             and the sum > 0, 0 when both are 0.
/// An empty series gives 0. Does not allocate.
[[nodiscard]] double objective_of(std::span<const double> day_net, Objective o) noexcept;

/// One rolling window of walk_forward. Day indices are [begin, end).
struct WalkForwardWindow {
  int train_begin = 0, train_end = 0;
  int test_begin = 0, test_end = 0;
  int chosen = -1;              ///< set with the best objective on the training days (ties: lowest index)
  double train_objective = 0;   ///< chosen set's objective on its training days
  double train_net = 0;         ///< chosen set's net on its training days (currency)
  double test_net = 0;          ///< chosen set's net on the test days (currency)
  double test_objective = 0;    ///< chosen set's objective on the test days
};

struct WalkForwardResult {
  int train = 0, test = 0;      ///< window sizes, trading days
  Objective objective = Objective::Net;
  /// Window k: train [k*test, k*test + train), test [k*test + train, min(k*test + train + test, days));
  /// every window whose test part has at least one day (the last one may be shorter).
  std::vector<WalkForwardWindow> windows;
  /// Stitched out-of-sample series: each window's chosen set on its test days, in day
  /// order; it covers days [train, days) exactly once.
  std::vector<double> oos_day_net;
  int oos_first_day = 0;        ///< day index of oos_day_net[0] (= train)
  double oos_net = 0, oos_objective = 0;  ///< of oos_day_net
  /// In-sample reference: the set that is best over ALL days (chosen with hindsight on
  /// the whole period; ties: lowest index), measured on the same days as oos_day_net.
  int is_best = -1;
  double is_net = 0, is_objective = 0;
  /// The in-sample view per window: the mean of the windows' train_objective.
  double mean_train_objective = 0;
};

/// Rolling walk-forward over `day_net` (see the file comment): in each window, choose
/// the set that is best on the `train` days by `o`, and trade it on the next `test`
/// days. Throws std::invalid_argument when the matrix is empty, ragged or non-finite,
/// train < 1, test < 1, or train + 1 > days (no test day).
[[nodiscard]] WalkForwardResult walk_forward(const std::vector<std::vector<double>>& day_net, int train,
                                             int test, Objective o);

/// Largest `blocks` pbo_cscv accepts: C(24, 12) = 2,704,156 combinations.
inline constexpr int kMaxPboBlocks = 24;

/// Result of pbo_cscv.
struct PboResult {
  int sets = 0;                 ///< N, the parameter sets (rows)
  int days_used = 0;            ///< floor(days / blocks) * blocks: the LAST such days
  int blocks = 0;               ///< S
  long combinations = 0;        ///< C(S, S/2)
  double pbo = 0;               ///< fraction of combinations whose logit <= 0
  std::vector<double> logits;   ///< one per combination, in combination order
  double median_logit = 0;      ///< median of logits (even count: mean of the two middle ones)
  double prob_oos_loss = 0;     ///< fraction of combinations where the IS-best set's OOS net < 0
  /// Least squares OOS objective = intercept + slope * IS objective of the IS-best set,
  /// over the combinations (pairs with a non-finite value, e.g. an infinite Calmar,
  /// left out; slope 0 and intercept = mean OOS objective when the IS objectives do not
  /// vary or fewer than 2 pairs remain).
  double degradation_slope = 0, degradation_intercept = 0;
};

/// Probability of Backtest Overfitting by combinatorially symmetric cross-validation
/// (CSCV): D. H. Bailey, J. M. Borwein, M. López de Prado, Q. J. Zhu, "The Probability
/// of Backtest Overfitting" (2015; Journal of Computational Finance 20(4), 2017;
/// SSRN 2326253).
///
/// The last floor(T / blocks) * blocks of the T days are used (the first T mod blocks
/// days are dropped, so the blocks end at the latest day) and split into `blocks` equal
/// contiguous blocks. For each choice of blocks/2 blocks as the training set, in
/// lexicographic order of the chosen block indices (the first is {0 .. S/2-1}), the
/// other blocks are the test set; the days of each keep their order. Each set's
/// objective is computed on the training days and on the test days; n* = the best set
/// on the training days (ties: lowest index); its rank among all sets on the test
/// objective is 1..N ascending (N = best), tied values sharing their average rank;
/// w = rank / (N + 1) and the logit is ln(w / (1 - w)). PBO = the fraction of logits <= 0.
///
/// Each combination costs O(N * blocks): the objectives are combined from per-block
/// figures (sums, squared deviations, downside squares; for Calmar each block's sum,
/// extreme prefix sums and inner drawdown), algebraically equal to objective_of on the
/// concatenated days (rounding may differ in the last bits).
/// Throws std::invalid_argument when the matrix is empty, ragged or non-finite, it has
/// fewer than 2 sets, or blocks is odd, < 2, > days or > kMaxPboBlocks.
[[nodiscard]] PboResult pbo_cscv(const std::vector<std::vector<double>>& day_net, int blocks, Objective o);

}  // namespace tp::app
