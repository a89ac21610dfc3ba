// The replay report (SPEC §3.1): the instrument and the effective configuration; per day
// the opening range and every entry with each lot's entry/exit/reason/slippage/PnL/MFE/MAE
// and gross/net money; totals (gross and net PnL, costs, win rate per lot and per trade,
// realized and mark-to-market drawdown, open lots marked at the last trade); order counts
// split entry/exit; tick-to-order latency percentiles; input counts.
#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tp/app/replay.hpp"
#include "tp/engine/strategy/costs.hpp"
#include "tp/engine/strategy/exit_rules.hpp"

namespace tp::app {

namespace {

/// Entry/exit split of one order-count field, "total (entry/exit)".
template <class F>
std::string split(const StrategyCounters& c, F f) {
  return std::to_string(f(c.entry) + f(c.exit)) + " (" + std::to_string(f(c.entry)) + "/" +
         std::to_string(f(c.exit)) + ")";
}

bool lot_filled(const LotResult& l) {
  return l.state != PositionState::EntryFailed && l.state != PositionState::PendingEntry;
}

LotCosts costs_of(const ReplayResult& r, const LotResult& l) {
  return lot_costs(r.cfg.costs, r.cfg.instrument, l.entry_px, l.exit_px, l.state == PositionState::Closed);
}

/// Exchange-local "YYYY-MM-DD HH:MM:SS[.mmm]" (the report names the zone once), or with
/// `iso` the ISO 8601 form with the offset ("2021-07-26T08:47:00.550+08:00").
std::string local_time(const ReplayResult& r, TimeNs t, bool iso = false) {
  if (t.ns == 0) return "";
  const int64_t off = r.cfg.instrument.utc_offset_ns;
  const int64_t ns = local_ns_of_day(t, off);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%c%s.%03d", format_date(local_date(t, off)).c_str(), iso ? 'T' : ' ',
                format_hhmmss(static_cast<int32_t>(ns / kNsPerSec)).c_str(),
                static_cast<int>((ns % kNsPerSec) / kNsPerMs));
  std::string s = buf;
  if (iso) s += utc_offset_text(off);
  return s;
}

std::string fmt_points(double v, bool sign = true) {
  char buf[32];
  if (v == std::floor(v)) {
    std::snprintf(buf, sizeof buf, sign ? "%+.0f" : "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, sign ? "%+.1f" : "%.1f", v);
  }
  return buf;
}

std::string fmt_money(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.0f", v);
  return buf;
}

/// A non-negative amount (costs, point value): no sign, up to 2 decimals when fractional.
std::string fmt_money_plain(double v) {
  char buf[32];
  if (v == std::floor(v)) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f", v);
  }
  return buf;
}

std::string fmt_count(uint64_t v) {
  std::string s = std::to_string(v);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<std::size_t>(i), ",");
  return s;
}

std::string fmt_ns(int64_t ns) {
  char buf[32];
  if (ns < 10'000) std::snprintf(buf, sizeof buf, "%" PRId64 " ns", ns);
  else if (ns < 10'000'000) std::snprintf(buf, sizeof buf, "%.1f us", static_cast<double>(ns) / 1e3);
  else std::snprintf(buf, sizeof buf, "%.1f ms", static_cast<double>(ns) / 1e6);
  return buf;
}

}  // namespace

ReportTotals report_totals(const ReplayResult& r) {
  const Instrument& inst = r.cfg.instrument;
  auto pts = [&](int64_t ticks) { return inst.ticks_to_points(ticks); };
  ReportTotals t;
  // Closed lots in exit order for the drawdown of cumulative realized PnL.
  std::vector<const LotResult*> closed;
  for (const LotResult& l : r.lots) {
    if (!lot_filled(l)) continue;
    t.costs_currency += costs_of(r, l).total();
    if (l.state == PositionState::Closed) {
      closed.push_back(&l);
    } else {
      ++t.lots_open;
      t.unrealized_points += pts(lot_pnl(l.side, l.entry_px, l.last_px).v);
    }
  }
  std::stable_sort(closed.begin(), closed.end(),
                   [](const LotResult* a, const LotResult* b) { return a->exit_time < b->exit_time; });
  int64_t cum = 0, peak = 0, dd = 0;
  for (const LotResult* l : closed) {
    cum += l->pnl.v;
    peak = std::max(peak, cum);
    dd = std::max(dd, peak - cum);
    ++t.lots_closed;
    if (l->pnl.v > 0) ++t.lot_wins;
  }
  t.gross_points = pts(cum);
  t.gross_currency = t.gross_points * inst.point_value;
  t.net_currency = t.gross_currency - t.costs_currency;
  t.unrealized_currency = t.unrealized_points * inst.point_value;
  t.max_drawdown_points = pts(dd);
  t.max_equity_drawdown_points = pts(r.equity_drawdown.v);
  std::vector<double> trade_net;  // net of every trade, in entry order
  for (const DayResult& d : r.days) {
    if (!d.entries.empty()) ++t.days_traded;
    double day_net = 0;
    for (const EntryResult& e : d.entries) {
      // A trade: an entry with filled lots, every one of them closed.
      int filled = 0;
      bool all_closed = true;
      int64_t pnl = 0;
      double net = 0;
      for (int idx : e.lots) {
        const LotResult& l = r.lots[static_cast<std::size_t>(idx)];
        if (!lot_filled(l)) continue;
        ++filled;
        const double cost = costs_of(r, l).total();
        day_net -= cost;
        net -= cost;
        if (l.state != PositionState::Closed) {
          all_closed = false;
          continue;
        }
        pnl += l.pnl.v;
        const double gross = pts(l.pnl.v) * inst.point_value;
        day_net += gross;
        net += gross;
      }
      if (filled == 0 || !all_closed) continue;
      ++t.trades;
      if (pnl > 0) ++t.trade_wins;
      trade_net.push_back(net);
    }
    t.day_net_currency.push_back(day_net);
  }
  double equity = 0, eq_peak = 0;
  for (double v : t.day_net_currency) {
    equity += v;
    t.equity_currency.push_back(equity);
    eq_peak = std::max(eq_peak, equity);
    t.max_day_drawdown_currency = std::max(t.max_day_drawdown_currency, eq_peak - equity);
  }
  double wins = 0, losses = 0;
  int n_win = 0, n_loss = 0, streak = 0;
  for (double v : trade_net) {
    if (v > 0) {
      wins += v;
      ++n_win;
      streak = 0;
    } else {
      losses += v;
      ++n_loss;
      t.longest_losing_streak = std::max(t.longest_losing_streak, ++streak);
    }
  }
  t.profit_factor = losses < 0 ? wins / -losses : (wins > 0 ? HUGE_VAL : 0.0);
  t.avg_win_currency = n_win ? wins / n_win : 0.0;
  t.avg_loss_currency = n_loss ? losses / n_loss : 0.0;
  const std::size_t n = t.day_net_currency.size();
  if (n >= 2) {
    double mean = 0;
    for (double v : t.day_net_currency) mean += v;
    mean /= static_cast<double>(n);
    double var = 0, down = 0;
    for (double v : t.day_net_currency) {
      var += (v - mean) * (v - mean);
      if (v < 0) down += v * v;
    }
    const double sd = std::sqrt(var / static_cast<double>(n - 1));
    const double down_dev = std::sqrt(down / static_cast<double>(n));
    const double annual = std::sqrt(252.0);
    t.sharpe = sd > 0 ? mean / sd * annual : 0.0;
    t.sortino = down_dev > 0 ? mean / down_dev * annual : 0.0;
  }
  return t;
}

std::string format_report(const ReplayResult& r) {
  const Instrument& inst = r.cfg.instrument;
  auto pts = [&](int64_t ticks) { return inst.ticks_to_points(ticks); };
  std::ostringstream o;
  char line[320];

  o << "tickpipe " << r.mode << ": " << inst.symbol;
  if (!r.input.contract.empty()) o << " " << r.input.contract;
  if (r.mode != "live") o << " (" << to_string(r.input.format) << ")";
  o << " " << r.data << "\n";
  o << "instrument: " << inst.symbol << ", tick " << inst.format_price(Price{1}) << ", " << fmt_money_plain(inst.point_value)
    << " " << inst.currency << " per point; times are exchange time, UTC" << utc_offset_text(inst.utc_offset_ns)
    << "\n";
  if (!r.input_line.empty()) {
    o << "input:   " << r.input_line << "\n";
  } else {
    o << "input:   " << fmt_count(r.input.lines) << " lines, " << fmt_count(r.input_events) << " ticks selected, "
      << fmt_count(r.input.filtered) << " other rows, " << fmt_count(r.input.skipped) << " bad lines skipped";
    std::snprintf(line, sizeof line, "; loaded in %.2f s\n", r.load_seconds);
    o << line;
  }
  for (const InputIssue& is : r.input.issues) {
    o << "         skipped " << (is.file.empty() ? "" : is.file + " ") << "line " << is.line << ": field '" << is.field << "' value '" << is.value << "': " << is.message
      << "\n";
  }
  // The effective configuration, every field (describe()).
  {
    std::istringstream cfg(describe(r.cfg));
    std::string l;
    bool first = true;
    while (std::getline(cfg, l)) {
      o << (first ? "config:  " : "         ") << l << "\n";
      first = false;
    }
  }
  const double eps = r.run_seconds > 0 ? static_cast<double>(r.feed.market_events) / r.run_seconds : 0;
  std::snprintf(line, sizeof line, "run:     layout %s (%d thread%s), run id %u, %s events in %.2f s (%.2f M ticks/s)\n",
                to_string(r.layout), r.threads, r.threads == 1 ? "" : "s", r.run_id,
                fmt_count(r.feed.market_events + r.feed.exec_reports + 1).c_str(), r.run_seconds, eps / 1e6);
  o << line;
  o << "journal: " << fmt_count(r.journal_records) << " records";
  if (r.persisted_records || r.persist_batches) {
    o << ", " << fmt_count(r.persisted_records) << " committed to LMDB in " << fmt_count(r.persist_batches)
      << " batches (" << (r.cfg.persist.sync == SyncPolicy::Durable ? "durable" : "no-sync") << ")";
    o << (r.db.empty() ? " [temporary database]" : " at " + r.db);
  } else {
    o << " (persistence off)";
  }
  o << "\n\n";

  for (std::size_t di = 0; di < r.days.size(); ++di) {
    const DayResult& d = r.days[di];
    o << format_date(d.day.yyyymmdd);
    if (r.files.size() > 1 && di < r.day_contracts.size() && !r.day_contracts[di].empty()) {
      o << "  " << r.day_contracts[di];
    }
    if (d.has_range) {
      o << "  opening range " << inst.format_price(d.range_low) << " - " << inst.format_price(d.range_high) << " ("
        << fmt_points(pts((d.range_high - d.range_low).v), false) << " pts)";
    } else {
      o << "  no opening range";
    }
    if (d.skipped != SkipReason::None) o << "  skipped: " << to_string(d.skipped);
    o << "\n";
    int64_t day_pnl = 0;
    double day_costs = 0;
    for (const EntryResult& e : d.entries) {
      o << "  " << to_string(e.side) << " breakout at " << local_time(r, e.signal_time) << ", trade "
        << inst.format_price(e.trigger_px) << "; " << e.filled.lots << "/" << e.target.lots << " lots filled\n";
      std::snprintf(line, sizeof line, "    %3s %4s  %-23s  %6s %4s  %-23s  %6s %4s  %-15s %7s %4s %4s %9s %9s\n", "grp",
                    "rule", "entry time", "entry", "slip", "exit time", "exit", "slip", "reason", "pnl pts", "MFE",
                    "MAE", ("gross " + inst.currency).c_str(), ("net " + inst.currency).c_str());
      o << line;
      for (int idx : e.lots) {
        const LotResult& l = r.lots[static_cast<std::size_t>(idx)];
        if (!lot_filled(l)) {
          std::snprintf(line, sizeof line, "    %3s %4s  %s\n", "-", "-",
                        l.state == PositionState::EntryFailed ? "not filled (entry chase gave up or refused)"
                                                              : "not filled");
          o << line;
          continue;
        }
        const bool closed = l.state == PositionState::Closed;
        const double cost = costs_of(r, l).total();
        day_costs += cost;
        // An open lot is marked at the last trade it saw (unrealized).
        const Ticks pnl = closed ? l.pnl : lot_pnl(l.side, l.entry_px, l.last_px);
        const double gross = pts(pnl.v) * inst.point_value;
        if (closed) day_pnl += l.pnl.v;
        std::snprintf(line, sizeof line, "    %3u %4u  %-23s  %6s %4s  %-23s  %6s %4s  %-15s %7s %4s %4s %9s %9s\n",
                      static_cast<unsigned>(l.group), static_cast<unsigned>(l.rule), local_time(r, l.entry_time).c_str(),
                      inst.format_price(l.entry_px).c_str(), fmt_points(pts(l.entry_slippage.v), false).c_str(),
                      closed ? local_time(r, l.exit_time).c_str() : "(open, marked at last)",
                      inst.format_price(closed ? l.exit_px : l.last_px).c_str(),
                      closed ? fmt_points(pts(l.exit_slippage.v), false).c_str() : "",
                      closed ? to_string(l.exit_reason) : to_string(l.state), fmt_points(pts(pnl.v)).c_str(),
                      fmt_points(pts(l.mfe.v), false).c_str(), fmt_points(pts(l.mae.v), false).c_str(),
                      fmt_money(gross).c_str(), closed ? fmt_money(gross - cost).c_str() : "");
        o << line;
      }
    }
    if (!d.entries.empty()) {
      const double gross = pts(day_pnl) * inst.point_value;
      o << "  day PnL " << fmt_points(pts(day_pnl)) << " pts, gross " << fmt_money(gross) << " " << inst.currency
        << ", costs " << fmt_money_plain(day_costs) << ", net " << fmt_money(gross - day_costs) << " " << inst.currency
        << "\n";
    }
    o << "\n";
  }

  const ReportTotals t = report_totals(r);
  o << "totals:  PnL " << fmt_points(t.gross_points) << " pts, gross " << fmt_money(t.gross_currency) << " "
    << inst.currency << ", costs " << fmt_money_plain(t.costs_currency) << ", net " << fmt_money(t.net_currency) << " "
    << inst.currency << "; days traded " << t.days_traded << "/" << r.days.size() << "\n";
  std::snprintf(line, sizeof line,
                "         lots closed %d, win rate %.1f%% per lot; trades %d, win rate %.1f%% per trade\n",
                t.lots_closed, t.lots_closed ? 100.0 * t.lot_wins / t.lots_closed : 0.0, t.trades,
                t.trades ? 100.0 * t.trade_wins / t.trades : 0.0);
  o << line;
  o << "         max drawdown " << fmt_points(t.max_drawdown_points, false) << " pts realized, "
    << fmt_points(t.max_equity_drawdown_points, false) << " pts mark-to-market";
  if (t.lots_open > 0) {
    o << "; " << t.lots_open << " lot(s) open at the end, unrealized " << fmt_points(t.unrealized_points) << " pts ("
      << fmt_money(t.unrealized_currency) << " " << inst.currency << ")";
  }
  o << "\n";
  if (r.days.size() > 1) {
    std::snprintf(line, sizeof line,
                  "         across %zu days: max drawdown %s %s (daily net equity), profit factor %.2f, avg win %s / "
                  "avg loss %s %s per trade, longest losing streak %d, Sharpe %.2f, Sortino %.2f (daily, x sqrt 252)\n",
                  r.days.size(), fmt_money(-t.max_day_drawdown_currency).c_str(), inst.currency.c_str(), t.profit_factor,
                  fmt_money(t.avg_win_currency).c_str(), fmt_money(t.avg_loss_currency).c_str(), inst.currency.c_str(),
                  t.longest_losing_streak, t.sharpe, t.sortino);
    o << line;
    o << "         day         contract   net " << inst.currency << "   equity " << inst.currency << "\n";
    for (std::size_t di = 0; di < r.days.size(); ++di) {
      std::snprintf(line, sizeof line, "         %s  %-9s %9s %12s\n", format_date(r.days[di].day.yyyymmdd).c_str(),
                    di < r.day_contracts.size() ? r.day_contracts[di].c_str() : "",
                    fmt_money(t.day_net_currency[di]).c_str(), fmt_money(t.equity_currency[di]).c_str());
      o << line;
    }
  }
  const StrategyCounters& c = r.orders;
  o << "orders:  total (entry/exit): sent " << split(c, [](const OrderCounts& k) { return k.sent; }) << ", filled "
    << split(c, [](const OrderCounts& k) { return k.filled; }) << ", cancelled "
    << split(c, [](const OrderCounts& k) { return k.cancelled; }) << ", rejected "
    << split(c, [](const OrderCounts& k) { return k.rejected; }) << ", chased "
    << split(c, [](const OrderCounts& k) { return k.chased; }) << ", chase gave up "
    << split(c, [](const OrderCounts& k) { return k.chase_gave_up; }) << "\n";
  o << "         stale-quote holds " << c.stale_quote_holds << ", late fills " << c.late_fills << ", refused entries "
    << c.refused_entries << ", exit restarts " << c.exit_restarts
    << (c.exit_restarts > 0 ? " (ALERT: an exit chase gave up and started again)" : "") << "\n";
  if (r.mode == "replay") {  // the simulated venue (live: the FIX counterparty)
    const VenueConfig& v = r.cfg.venue;
    o << "venue:   fill model " << to_string(v.fill_model);
    if (v.fill_model == FillModel::Slippage) o << " (" << v.slippage_ticks << " ticks)";
    o << ": " << r.venue.orders << " orders, " << r.venue.fills << " fills (" << r.venue.filled_lots << " lots), "
      << r.venue.cancels << " cancels, " << r.venue.rejects << " rejects";
    if (v.fill_model != FillModel::Book) {
      o << "; " << r.venue.model_refusals << " order(s) filled less than the book model would have";
    }
    o << "\n";
  }
  o << "tracker: " << r.tracker.reports << " execution reports, " << r.tracker.fills << " fills, "
    << r.tracker.unknown_reports << " unknown, net position " << r.tracker.net_position << " lots\n";
  o << "latency: tick-to-order (" << r.latency.count() << " orders, wall clock): p50 "
    << fmt_ns(r.latency.percentile(0.50)) << ", p90 " << fmt_ns(r.latency.percentile(0.90)) << ", p99 "
    << fmt_ns(r.latency.percentile(0.99)) << ", p99.9 " << fmt_ns(r.latency.percentile(0.999)) << ", max "
    << fmt_ns(r.latency.max()) << "\n";
  o << "flow:    feed waited " << fmt_count(r.feed.idle_waits) << "x for the pipeline (event-time lookahead); "
    << "back-pressure feed " << r.feed.backpressure << ", tracker " << r.backpressure_tracker << ", risk "
    << r.backpressure_risk << ", gateway " << r.backpressure_gateway << "\n";
  o << r.extra_lines;
  return o.str();
}

std::string format_report_json(const ReplayResult& r) {
  using json = nlohmann::ordered_json;
  const Instrument& inst = r.cfg.instrument;
  auto pts = [&](int64_t ticks) { return inst.ticks_to_points(ticks); };
  auto price = [&](Price p) { return inst.ticks_to_points(p.ticks); };
  auto counts = [](const OrderCounts& k) {
    return json{{"sent", k.sent},     {"filled", k.filled}, {"cancelled", k.cancelled},
                {"rejected", k.rejected}, {"chased", k.chased}, {"chase_gave_up", k.chase_gave_up}};
  };
  json days = json::array();
  for (std::size_t di = 0; di < r.days.size(); ++di) {
    const DayResult& d = r.days[di];
    json jd;
    jd["trading_day"] = format_date(d.day.yyyymmdd);
    jd["contract"] = di < r.day_contracts.size() ? json(r.day_contracts[di]) : json(nullptr);
    jd["range_low"] = d.has_range ? json(price(d.range_low)) : json(nullptr);
    jd["range_high"] = d.has_range ? json(price(d.range_high)) : json(nullptr);
    jd["skipped_reason"] = d.skipped == SkipReason::None ? json(nullptr) : json(to_string(d.skipped));
    json entries = json::array();
    int64_t day_pnl = 0;
    double day_costs = 0;
    for (const EntryResult& e : d.entries) {
      json je;
      je["side"] = to_string(e.side);
      je["signal_time"] = local_time(r, e.signal_time, true);
      je["trigger_price"] = price(e.trigger_px);
      je["target_lots"] = e.target.lots;
      je["filled_lots"] = e.filled.lots;
      json lots = json::array();
      for (int idx : e.lots) {
        const LotResult& l = r.lots[static_cast<std::size_t>(idx)];
        json jl;
        const bool filled = lot_filled(l);
        const bool closed = l.state == PositionState::Closed;
        const double cost = filled ? costs_of(r, l).total() : 0.0;
        day_costs += cost;
        if (closed) day_pnl += l.pnl.v;
        jl["position_id"] = l.id.v;
        jl["group"] = l.group;
        jl["rule"] = l.rule;
        jl["state"] = to_string(l.state);
        jl["entry_time"] = filled ? json(local_time(r, l.entry_time, true)) : json(nullptr);
        jl["entry_price"] = filled ? json(price(l.entry_px)) : json(nullptr);
        jl["entry_slippage_points"] = filled ? json(pts(l.entry_slippage.v)) : json(nullptr);
        jl["exit_time"] = closed ? json(local_time(r, l.exit_time, true)) : json(nullptr);
        jl["exit_price"] = closed ? json(price(l.exit_px)) : json(nullptr);
        jl["exit_slippage_points"] = closed ? json(pts(l.exit_slippage.v)) : json(nullptr);
        jl["exit_reason"] = closed ? json(to_string(l.exit_reason)) : json(nullptr);
        jl["pnl_points"] = closed ? json(pts(l.pnl.v)) : json(nullptr);
        jl["pnl_currency"] = closed ? json(pts(l.pnl.v) * inst.point_value) : json(nullptr);
        jl["costs_currency"] = filled ? json(cost) : json(nullptr);
        jl["net_pnl_currency"] = closed ? json(pts(l.pnl.v) * inst.point_value - cost) : json(nullptr);
        jl["mfe_points"] = filled ? json(pts(l.mfe.v)) : json(nullptr);
        jl["mae_points"] = filled ? json(pts(l.mae.v)) : json(nullptr);
        const bool open = filled && !closed;
        jl["mark_price"] = open ? json(price(l.last_px)) : json(nullptr);
        jl["unrealized_points"] = open ? json(pts(lot_pnl(l.side, l.entry_px, l.last_px).v)) : json(nullptr);
        lots.push_back(std::move(jl));
      }
      je["lots"] = std::move(lots);
      entries.push_back(std::move(je));
    }
    jd["entries"] = std::move(entries);
    jd["pnl_points"] = pts(day_pnl);
    jd["pnl_currency"] = pts(day_pnl) * inst.point_value;
    jd["costs_currency"] = day_costs;
    jd["net_pnl_currency"] = pts(day_pnl) * inst.point_value - day_costs;
    days.push_back(std::move(jd));
  }
  const ReportTotals t = report_totals(r);
  json j;
  j["instrument"] = {{"symbol", inst.symbol},
                     {"tick_size", inst.format_price(Price{1})},
                     {"point_value", inst.point_value},
                     {"currency", inst.currency},
                     {"utc_offset", utc_offset_text(inst.utc_offset_ns)}};
  {
    json lines = json::array();
    std::istringstream cfg(describe(r.cfg));
    std::string l;
    while (std::getline(cfg, l)) lines.push_back(l);
    j["config"] = {{"source", r.cfg.source}, {"effective", std::move(lines)}};
  }
  j["days"] = std::move(days);
  j["totals"] = {{"pnl_points", t.gross_points},
                 {"pnl_currency", t.gross_currency},
                 {"costs_currency", t.costs_currency},
                 {"net_pnl_currency", t.net_currency},
                 {"currency", inst.currency},
                 {"days_traded", t.days_traded},
                 {"lots_closed", t.lots_closed},
                 {"win_rate", t.lots_closed ? static_cast<double>(t.lot_wins) / t.lots_closed : 0.0},
                 {"trades", t.trades},
                 {"trade_win_rate", t.trades ? static_cast<double>(t.trade_wins) / t.trades : 0.0},
                 {"max_drawdown_points", t.max_drawdown_points},
                 {"max_equity_drawdown_points", t.max_equity_drawdown_points},
                 {"lots_open", t.lots_open},
                 {"unrealized_points", t.unrealized_points},
                 {"unrealized_currency", t.unrealized_currency},
                 {"max_day_drawdown_currency", t.max_day_drawdown_currency},
                 {"profit_factor", std::isfinite(t.profit_factor) ? json(t.profit_factor) : json(nullptr)},
                 {"avg_win_currency", t.avg_win_currency},
                 {"avg_loss_currency", t.avg_loss_currency},
                 {"longest_losing_streak", t.longest_losing_streak},
                 {"sharpe_daily_annualized", t.sharpe},
                 {"sortino_daily_annualized", t.sortino},
                 {"day_net_currency", t.day_net_currency},
                 {"equity_currency", t.equity_currency}};
  const StrategyCounters& c = r.orders;
  j["orders"] = {{"sent", c.sent},
                 {"filled", c.filled},
                 {"cancelled", c.cancelled},
                 {"rejected", c.rejected},
                 {"chased", c.chased},
                 {"chase_gave_up", c.chase_gave_up},
                 {"entry", counts(c.entry)},
                 {"exit", counts(c.exit)},
                 {"stale_quote_holds", c.stale_quote_holds},
                 {"late_fills", c.late_fills},
                 {"refused_entries", c.refused_entries},
                 {"exit_restarts", c.exit_restarts}};
  if (r.mode == "replay") j["venue"] = {{"fill_model", to_string(r.cfg.venue.fill_model)},
                                       {"slippage_ticks", r.cfg.venue.slippage_ticks},
                                       {"orders", r.venue.orders},
                                       {"fills", r.venue.fills},
                                       {"filled_lots", r.venue.filled_lots},
                                       {"cancels", r.venue.cancels},
                                       {"rejects", r.venue.rejects},
                                       {"model_refusals", r.venue.model_refusals}};
  j["latency_ns"] = {{"count", r.latency.count()},
                     {"p50", r.latency.percentile(0.50)},
                     {"p90", r.latency.percentile(0.90)},
                     {"p99", r.latency.percentile(0.99)},
                     {"p999", r.latency.percentile(0.999)},
                     {"max", r.latency.max()}};
  json files = json::array();
  for (const TickFile& f : r.files) {
    files.push_back({{"path", f.path}, {"contract", f.stats.contract}, {"events", f.events},
                     {"first_day", f.first_day.valid() ? json(format_date(f.first_day.yyyymmdd)) : json(nullptr)},
                     {"last_day", f.last_day.valid() ? json(format_date(f.last_day.yyyymmdd)) : json(nullptr)}});
  }
  j["input"] = {{"file", r.data},
                {"files", std::move(files)},
                {"format", to_string(r.input.format)},
                {"contract", r.input.contract},
                {"lines", r.input.lines},
                {"ticks", r.input_events},
                {"filtered", r.input.filtered},
                {"skipped", r.input.skipped}};
  j["run"] = {{"run_id", r.run_id},
              {"layout", to_string(r.layout)},
              {"threads", r.threads},
              {"events", r.feed.market_events + r.feed.exec_reports + 1},
              {"seconds", r.run_seconds},
              {"journal_records", r.journal_records},
              {"persisted_records", r.persisted_records},
              {"unknown_reports", r.tracker.unknown_reports},
              {"backpressure", r.feed.backpressure + r.backpressure_tracker + r.backpressure_risk +
                                   r.backpressure_gateway}};
  j["mode"] = r.mode;
  if (!r.extra_json.empty()) j["live"] = json::parse(r.extra_json);
  return j.dump(2) + "\n";
}

}  // namespace tp::app
