// Walk-forward and CSCV probability of backtest overfitting over a sweep's per-day net
// PnL matrix (tp/app/walk_forward.hpp, docs/TUNING.md).
#include "tp/app/walk_forward.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>

namespace tp::app {

namespace {

using Matrix = std::vector<std::vector<double>>;

const double kAnnual = std::sqrt(252.0);

/// Checks the matrix (non-empty, rectangular, finite); returns the number of days.
int check_matrix(const Matrix& day_net, const char* fn) {
  const std::string where = std::string(fn) + ": ";
  if (day_net.empty()) throw std::invalid_argument(where + "day_net has no parameter sets (empty matrix)");
  const std::size_t days = day_net[0].size();
  if (days == 0) throw std::invalid_argument(where + "day_net has no trading days (set 0 is empty)");
  if (days > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      day_net.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw std::invalid_argument(where + "day_net is too large");
  }
  for (std::size_t s = 0; s < day_net.size(); ++s) {
    const std::vector<double>& row = day_net[s];
    if (row.size() != days) {
      throw std::invalid_argument(where + "day_net is ragged: set " + std::to_string(s) + " has " +
                                  std::to_string(row.size()) + " days, set 0 has " + std::to_string(days));
    }
    for (std::size_t d = 0; d < days; ++d) {
      if (!std::isfinite(row[d])) {
        throw std::invalid_argument(where + "day_net[" + std::to_string(s) + "][" + std::to_string(d) +
                                    "] is not finite");
      }
    }
  }
  return static_cast<int>(days);
}

std::span<const double> days_of(const std::vector<double>& row, int begin, int end) {
  return std::span<const double>(row).subspan(static_cast<std::size_t>(begin),
                                              static_cast<std::size_t>(end - begin));
}

double sum_of(std::span<const double> x) {
  double s = 0;
  for (double v : x) s += v;
  return s;
}

/// Calmar from the net and the max drawdown (the edge cases of objective_of).
double calmar(double net, double dd) {
  if (dd > 0) return net / dd;
  return net > 0 ? HUGE_VAL : 0.0;
}

/// Sharpe from n, the sum and the sum of squared deviations from the mean.
double sharpe(std::size_t n, double sum, double m2) {
  if (n < 2) return 0.0;
  const double mean = sum / static_cast<double>(n);
  const double sd = std::sqrt(m2 / static_cast<double>(n - 1));
  return sd > 0 ? mean / sd * kAnnual : 0.0;
}

/// Sortino from n, the sum and the sum of squares of the losing days.
double sortino(std::size_t n, double sum, double down) {
  if (n < 2) return 0.0;
  const double mean = sum / static_cast<double>(n);
  const double down_dev = std::sqrt(down / static_cast<double>(n));
  return down_dev > 0 ? mean / down_dev * kAnnual : 0.0;
}

/// Best row by `o` on days [begin, end): ties go to the lowest index.
int best_set(const Matrix& day_net, int begin, int end, Objective o, double* value = nullptr) {
  int best = -1;
  double best_v = 0;
  for (std::size_t s = 0; s < day_net.size(); ++s) {
    const double v = objective_of(days_of(day_net[s], begin, end), o);
    if (best < 0 || v > best_v) {
      best = static_cast<int>(s);
      best_v = v;
    }
  }
  if (value) *value = best_v;
  return best;
}

long binomial(int n, int k) {
  long r = 1;
  for (int i = 1; i <= k; ++i) r = r * (n - k + i) / i;  // r = C(n-k+i, i), exact at each step
  return r;
}

/// Per-block figures of one set, enough to combine any selection of blocks in order.
struct BlockStats {
  double sum = 0;     ///< Σ x
  double mean = 0;    ///< sum / block days
  double m2 = 0;      ///< Σ (x - mean)^2
  double down = 0;    ///< Σ x^2 over x < 0
  double max_pre = 0; ///< max prefix sum (the empty prefix, 0, included)
  double min_pre = 0; ///< min prefix sum (0 included)
  double dd = 0;      ///< max drawdown inside the block, running peak starting at 0
};

BlockStats block_stats(std::span<const double> x) {
  BlockStats b;
  b.sum = sum_of(x);
  b.mean = b.sum / static_cast<double>(x.size());
  double cum = 0, peak = 0;
  for (double v : x) {
    b.m2 += (v - b.mean) * (v - b.mean);
    if (v < 0) b.down += v * v;
    cum += v;
    peak = std::max(peak, cum);
    b.dd = std::max(b.dd, peak - cum);
    b.max_pre = std::max(b.max_pre, cum);
    b.min_pre = std::min(b.min_pre, cum);
  }
  return b;
}

/// The objective (and the net) of the concatenation of blocks `idx` (in order), each
/// `m` days long, from their BlockStats.
struct Combined {
  double objective = 0;
  double net = 0;
};

Combined combine(const BlockStats* b, const int* idx, int k, int m, Objective o) {
  Combined c;
  const std::size_t n = static_cast<std::size_t>(k) * static_cast<std::size_t>(m);
  double sum = 0;
  for (int i = 0; i < k; ++i) sum += b[idx[i]].sum;
  c.net = sum;
  switch (o) {
    case Objective::Net:
      c.objective = sum;
      break;
    case Objective::Sharpe: {
      // Squared deviations about the overall mean: within-block plus between-block
      // (m * (block mean - mean)^2), the exact decomposition.
      const double mean = sum / static_cast<double>(n);
      double m2 = 0, between = 0;
      for (int i = 0; i < k; ++i) {
        const BlockStats& s = b[idx[i]];
        m2 += s.m2;
        between += (s.mean - mean) * (s.mean - mean);
      }
      c.objective = sharpe(n, sum, m2 + static_cast<double>(m) * between);
      break;
    }
    case Objective::Sortino: {
      double down = 0;
      for (int i = 0; i < k; ++i) down += b[idx[i]].down;
      c.objective = sortino(n, sum, down);
      break;
    }
    case Objective::Calmar: {
      // Running state across the blocks: cumulative sum, peak, drawdown. Inside a block
      // entered at cum with peak p, the drawdown is the block's own (peak from its
      // start) or p - (cum + its lowest prefix), whichever is larger.
      double cum = 0, peak = 0, dd = 0;
      for (int i = 0; i < k; ++i) {
        const BlockStats& s = b[idx[i]];
        dd = std::max({dd, s.dd, peak - (cum + s.min_pre)});
        peak = std::max(peak, cum + s.max_pre);
        cum += s.sum;
      }
      c.objective = calmar(sum, dd);
      break;
    }
  }
  return c;
}

double median_of(std::vector<double> v) {
  if (v.empty()) return 0.0;
  const std::size_t h = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(h), v.end());
  const double hi = v[h];
  if (v.size() % 2 == 1) return hi;
  const double lo = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(h));
  return (lo + hi) / 2;
}

}  // namespace

bool parse_objective(std::string_view s, Objective& out) noexcept {
  if (s == "net") out = Objective::Net;
  else if (s == "sharpe") out = Objective::Sharpe;
  else if (s == "sortino") out = Objective::Sortino;
  else if (s == "calmar") out = Objective::Calmar;
  else return false;
  return true;
}

const char* to_string(Objective o) noexcept {
  switch (o) {
    case Objective::Net: return "net";
    case Objective::Sharpe: return "sharpe";
    case Objective::Sortino: return "sortino";
    case Objective::Calmar: return "calmar";
  }
  return "?";
}

double objective_of(std::span<const double> day_net, Objective o) noexcept {
  const std::size_t n = day_net.size();
  switch (o) {
    case Objective::Net:
      return sum_of(day_net);
    case Objective::Sharpe:
    case Objective::Sortino: {
      // report_totals' arithmetic, step for step.
      if (n < 2) return 0.0;
      double mean = 0;
      for (double v : day_net) mean += v;
      mean /= static_cast<double>(n);
      double var = 0, down = 0;
      for (double v : day_net) {
        var += (v - mean) * (v - mean);
        if (v < 0) down += v * v;
      }
      if (o == Objective::Sharpe) {
        const double sd = std::sqrt(var / static_cast<double>(n - 1));
        return sd > 0 ? mean / sd * kAnnual : 0.0;
      }
      const double down_dev = std::sqrt(down / static_cast<double>(n));
      return down_dev > 0 ? mean / down_dev * kAnnual : 0.0;
    }
    case Objective::Calmar: {
      double equity = 0, peak = 0, dd = 0;
      for (double v : day_net) {
        equity += v;
        peak = std::max(peak, equity);
        dd = std::max(dd, peak - equity);
      }
      return calmar(equity, dd);
    }
  }
  return 0.0;
}

WalkForwardResult walk_forward(const Matrix& day_net, int train, int test, Objective o) {
  const int days = check_matrix(day_net, "walk_forward");
  if (train < 1) throw std::invalid_argument("walk_forward: train must be >= 1 day (got " + std::to_string(train) + ")");
  if (test < 1) throw std::invalid_argument("walk_forward: test must be >= 1 day (got " + std::to_string(test) + ")");
  if (train >= days) {
    throw std::invalid_argument("walk_forward: train (" + std::to_string(train) + " days) leaves no test day in " +
                                std::to_string(days) + " days");
  }
  WalkForwardResult r;
  r.train = train;
  r.test = test;
  r.objective = o;
  r.oos_first_day = train;
  r.oos_day_net.reserve(static_cast<std::size_t>(days - train));
  double train_sum = 0;
  for (long start = 0; start + train < days; start += test) {
    WalkForwardWindow w;
    w.train_begin = static_cast<int>(start);
    w.train_end = w.train_begin + train;
    w.test_begin = w.train_end;
    w.test_end = static_cast<int>(std::min<long>(static_cast<long>(w.test_begin) + test, days));
    w.chosen = best_set(day_net, w.train_begin, w.train_end, o, &w.train_objective);
    const std::vector<double>& row = day_net[static_cast<std::size_t>(w.chosen)];
    w.train_net = sum_of(days_of(row, w.train_begin, w.train_end));
    const std::span<const double> t = days_of(row, w.test_begin, w.test_end);
    w.test_net = sum_of(t);
    w.test_objective = objective_of(t, o);
    r.oos_day_net.insert(r.oos_day_net.end(), t.begin(), t.end());
    train_sum += w.train_objective;
    r.windows.push_back(w);
  }
  r.oos_net = sum_of(r.oos_day_net);
  r.oos_objective = objective_of(r.oos_day_net, o);
  r.is_best = best_set(day_net, 0, days, o);
  const std::span<const double> is = days_of(day_net[static_cast<std::size_t>(r.is_best)], train, days);
  r.is_net = sum_of(is);
  r.is_objective = objective_of(is, o);
  r.mean_train_objective = train_sum / static_cast<double>(r.windows.size());
  return r;
}

PboResult pbo_cscv(const Matrix& day_net, int blocks, Objective o) {
  const int days = check_matrix(day_net, "pbo_cscv");
  const int sets = static_cast<int>(day_net.size());
  if (sets < 2) throw std::invalid_argument("pbo_cscv: needs >= 2 parameter sets (got " + std::to_string(sets) + ")");
  if (blocks < 2 || blocks % 2 != 0) {
    throw std::invalid_argument("pbo_cscv: blocks must be even and >= 2 (got " + std::to_string(blocks) + ")");
  }
  if (blocks > days) {
    throw std::invalid_argument("pbo_cscv: blocks (" + std::to_string(blocks) + ") exceeds the days (" +
                                std::to_string(days) + ")");
  }
  if (blocks > kMaxPboBlocks) {
    throw std::invalid_argument("pbo_cscv: blocks (" + std::to_string(blocks) + ") exceeds " +
                                std::to_string(kMaxPboBlocks) + " (too many combinations)");
  }
  const int m = days / blocks;          // days per block
  const int first = days - m * blocks;  // the first days % blocks days are dropped
  const int k = blocks / 2;
  PboResult r;
  r.sets = sets;
  r.days_used = m * blocks;
  r.blocks = blocks;
  r.combinations = binomial(blocks, k);

  // stats[s * blocks + b]: set s, block b.
  std::vector<BlockStats> stats(static_cast<std::size_t>(sets) * static_cast<std::size_t>(blocks));
  for (int s = 0; s < sets; ++s) {
    for (int b = 0; b < blocks; ++b) {
      stats[static_cast<std::size_t>(s * blocks + b)] =
          block_stats(days_of(day_net[static_cast<std::size_t>(s)], first + b * m, first + (b + 1) * m));
    }
  }

  r.logits.reserve(static_cast<std::size_t>(r.combinations));
  std::vector<double> test_obj(static_cast<std::size_t>(sets));
  std::vector<double> is_obj, oos_obj;  // of n*, per combination
  is_obj.reserve(static_cast<std::size_t>(r.combinations));
  oos_obj.reserve(static_cast<std::size_t>(r.combinations));
  std::vector<int> tr(static_cast<std::size_t>(k)), te(static_cast<std::size_t>(k));
  for (int i = 0; i < k; ++i) tr[static_cast<std::size_t>(i)] = i;
  long overfit = 0, oos_loss = 0;
  const double n_plus_1 = static_cast<double>(sets) + 1;
  for (;;) {
    // The test blocks: the complement of tr, ascending.
    for (int b = 0, i = 0, j = 0; b < blocks; ++b) {
      if (i < k && tr[static_cast<std::size_t>(i)] == b) ++i;
      else te[static_cast<std::size_t>(j++)] = b;
    }
    int best = -1;
    double best_train = 0, best_test_net = 0;
    for (int s = 0; s < sets; ++s) {
      const BlockStats* bs = &stats[static_cast<std::size_t>(s * blocks)];
      const Combined a = combine(bs, tr.data(), k, m, o);
      const Combined t = combine(bs, te.data(), k, m, o);
      test_obj[static_cast<std::size_t>(s)] = t.objective;
      if (best < 0 || a.objective > best_train) {
        best = s;
        best_train = a.objective;
        best_test_net = t.net;
      }
    }
    // Rank of n* on the test objective, 1..N ascending, ties at their average rank.
    const double v = test_obj[static_cast<std::size_t>(best)];
    long below = 0, equal = 0;
    for (double x : test_obj) {
      if (x < v) ++below;
      else if (x == v) ++equal;
    }
    const double rank = static_cast<double>(below) + static_cast<double>(equal + 1) / 2;
    const double w = rank / n_plus_1;
    const double logit = std::log(w / (1 - w));
    r.logits.push_back(logit);
    if (logit <= 0) ++overfit;
    if (best_test_net < 0) ++oos_loss;
    is_obj.push_back(best_train);
    oos_obj.push_back(v);

    // Next combination in lexicographic order.
    int i = k - 1;
    while (i >= 0 && tr[static_cast<std::size_t>(i)] == blocks - k + i) --i;
    if (i < 0) break;
    ++tr[static_cast<std::size_t>(i)];
    for (int j = i + 1; j < k; ++j) tr[static_cast<std::size_t>(j)] = tr[static_cast<std::size_t>(j - 1)] + 1;
  }
  const double c = static_cast<double>(r.combinations);
  r.pbo = static_cast<double>(overfit) / c;
  r.prob_oos_loss = static_cast<double>(oos_loss) / c;
  r.median_logit = median_of(r.logits);

  // Degradation: least squares of OOS on IS objective of n*, finite pairs only.
  double sx = 0, sy = 0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < is_obj.size(); ++i) {
    if (!std::isfinite(is_obj[i]) || !std::isfinite(oos_obj[i])) continue;
    sx += is_obj[i];
    sy += oos_obj[i];
    ++n;
  }
  if (n > 0) {
    const double mx = sx / static_cast<double>(n), my = sy / static_cast<double>(n);
    double sxx = 0, sxy = 0;
    for (std::size_t i = 0; i < is_obj.size(); ++i) {
      if (!std::isfinite(is_obj[i]) || !std::isfinite(oos_obj[i])) continue;
      sxx += (is_obj[i] - mx) * (is_obj[i] - mx);
      sxy += (is_obj[i] - mx) * (oos_obj[i] - my);
    }
    r.degradation_slope = n >= 2 && sxx > 0 ? sxy / sxx : 0.0;
    r.degradation_intercept = my - r.degradation_slope * mx;
  }
  return r;
}

}  // namespace tp::app
