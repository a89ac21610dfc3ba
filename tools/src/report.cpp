// The replay report (SPEC §3.1): per day the opening range and every entry with each
// lot's entry/exit/reason/slippage/PnL; totals (PnL in points and currency, win rate,
// max drawdown); order counts; tick-to-order latency percentiles; input counts.
#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tp/app/replay.hpp"

namespace tp::app {

namespace {

struct Totals {
  int64_t pnl_ticks = 0;
  int closed = 0;
  int wins = 0;
  int days_traded = 0;
  int64_t max_drawdown_ticks = 0;
};

Totals totals_of(const ReplayResult& r) {
  Totals t;
  // Closed lots in exit order for the drawdown of cumulative realized PnL.
  std::vector<const LotResult*> closed;
  for (const LotResult& l : r.lots) {
    if (l.state == PositionState::Closed) closed.push_back(&l);
  }
  std::stable_sort(closed.begin(), closed.end(),
                   [](const LotResult* a, const LotResult* b) { return a->exit_time < b->exit_time; });
  int64_t cum = 0, peak = 0;
  for (const LotResult* l : closed) {
    cum += l->pnl.v;
    peak = std::max(peak, cum);
    t.max_drawdown_ticks = std::max(t.max_drawdown_ticks, peak - cum);
    ++t.closed;
    if (l->pnl.v > 0) ++t.wins;
  }
  t.pnl_ticks = cum;
  for (const DayResult& d : r.days) {
    if (!d.entries.empty()) ++t.days_traded;
  }
  return t;
}

std::string local_time(const ReplayResult& r, TimeNs t, bool millis) {
  if (t.ns == 0) return "";
  const int64_t ns = local_ns_of_day(t, r.cfg.instrument.utc_offset_ns);
  std::string s = format_hhmmss(static_cast<int32_t>(ns / kNsPerSec));
  if (millis) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>((ns % kNsPerSec) / kNsPerMs));
    s += buf;
  }
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

std::string format_report(const ReplayResult& r) {
  const Instrument& inst = r.cfg.instrument;
  auto pts = [&](int64_t ticks) { return inst.ticks_to_points(ticks); };
  std::ostringstream o;
  char line[256];

  o << "tickpipe replay: " << inst.symbol;
  if (!r.input.contract.empty()) o << " " << r.input.contract;
  o << " (" << to_string(r.input.format) << ") " << r.data << "\n";
  o << "input:   " << fmt_count(r.input.lines) << " lines, " << fmt_count(r.input_events) << " ticks selected, "
    << fmt_count(r.input.filtered) << " other rows, " << fmt_count(r.input.skipped) << " bad lines skipped";
  std::snprintf(line, sizeof line, "; loaded in %.2f s\n", r.load_seconds);
  o << line;
  for (const InputIssue& is : r.input.issues) {
    o << "         skipped line " << is.line << ": field '" << is.field << "' value '" << is.value << "': " << is.message
      << "\n";
  }
  const StrategyConfig& s = r.cfg.strategy;
  o << "config:  " << (r.cfg.source.empty() ? "built-in defaults" : r.cfg.source) << "; " << s.groups << " group(s) x "
    << s.lots_per_group << " lot(s), direction " << to_string(s.direction) << ", " << to_string(s.frequency)
    << ", initial stop " << to_string(s.initial_stop) << ", venue latency " << r.cfg.venue.latency_ms << " ms\n";
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

  for (const DayResult& d : r.days) {
    o << format_date(d.day.yyyymmdd);
    if (d.has_range) {
      o << "  opening range " << inst.format_price(d.range_low) << " - " << inst.format_price(d.range_high) << " ("
        << fmt_points(pts((d.range_high - d.range_low).v), false) << " pts)";
    } else {
      o << "  no opening range";
    }
    if (d.skipped != SkipReason::None) o << "  skipped: " << to_string(d.skipped);
    o << "\n";
    int64_t day_pnl = 0;
    for (const EntryResult& e : d.entries) {
      o << "  " << to_string(e.side) << " breakout at " << local_time(r, e.signal_time, false) << ", trade "
        << inst.format_price(e.trigger_px) << "; " << e.filled.lots << "/" << e.target.lots << " lots filled\n";
      o << "    grp rule  entry time     entry  slip  exit time      exit  slip  reason           pnl pts   pnl "
        << inst.currency << "\n";
      for (int idx : e.lots) {
        const LotResult& l = r.lots[static_cast<std::size_t>(idx)];
        if (l.state == PositionState::EntryFailed || l.state == PositionState::PendingEntry) {
          std::snprintf(line, sizeof line, "    %3s  %3s  %-53s\n", "-", "-",
                        l.state == PositionState::EntryFailed ? "not filled (entry chase gave up)" : "not filled");
          o << line;
          continue;
        }
        const bool closed = l.state == PositionState::Closed;
        if (closed) day_pnl += l.pnl.v;
        std::snprintf(line, sizeof line, "    %3u  %4u  %-12s  %5s  %4s  %-12s  %5s  %4s  %-15s  %7s  %8s\n",
                      static_cast<unsigned>(l.group), static_cast<unsigned>(l.rule),
                      local_time(r, l.entry_time, true).c_str(), inst.format_price(l.entry_px).c_str(),
                      fmt_points(pts(l.entry_slippage.v), false).c_str(),
                      closed ? local_time(r, l.exit_time, true).c_str() : "(open)",
                      closed ? inst.format_price(l.exit_px).c_str() : "",
                      closed ? fmt_points(pts(l.exit_slippage.v), false).c_str() : "",
                      closed ? to_string(l.exit_reason) : to_string(l.state),
                      closed ? fmt_points(pts(l.pnl.v)).c_str() : "",
                      closed ? fmt_money(pts(l.pnl.v) * inst.point_value).c_str() : "");
        o << line;
      }
    }
    if (!d.entries.empty()) {
      o << "  day PnL " << fmt_points(pts(day_pnl)) << " pts (" << fmt_money(pts(day_pnl) * inst.point_value) << " "
        << inst.currency << ")\n";
    }
    o << "\n";
  }

  const Totals t = totals_of(r);
  o << "totals:  PnL " << fmt_points(pts(t.pnl_ticks)) << " pts (" << fmt_money(pts(t.pnl_ticks) * inst.point_value)
    << " " << inst.currency << "), days traded " << t.days_traded << "/" << r.days.size() << ", lots closed "
    << t.closed;
  std::snprintf(line, sizeof line, ", win rate %.1f%%", t.closed ? 100.0 * t.wins / t.closed : 0.0);
  o << line << ", max drawdown " << fmt_points(pts(t.max_drawdown_ticks), false) << " pts\n";
  o << "orders:  sent " << r.orders.sent << ", filled " << r.orders.filled << ", cancelled " << r.orders.cancelled
    << ", rejected " << r.orders.rejected << ", chased " << r.orders.chased << ", chase gave up "
    << r.orders.chase_gave_up << ", stale-quote holds " << r.orders.stale_quote_holds << ", late fills "
    << r.orders.late_fills << "\n";
  o << "tracker: " << r.tracker.reports << " execution reports, " << r.tracker.fills << " fills, "
    << r.tracker.unknown_reports << " unknown, net position " << r.tracker.net_position << " lots\n";
  o << "latency: tick-to-order (" << r.latency.count() << " orders, wall clock): p50 "
    << fmt_ns(r.latency.percentile(0.50)) << ", p90 " << fmt_ns(r.latency.percentile(0.90)) << ", p99 "
    << fmt_ns(r.latency.percentile(0.99)) << ", p99.9 " << fmt_ns(r.latency.percentile(0.999)) << ", max "
    << fmt_ns(r.latency.max()) << "\n";
  o << "flow:    feed waited " << fmt_count(r.feed.idle_waits) << "x for the pipeline (event-time lookahead); "
    << "back-pressure feed " << r.feed.backpressure << ", tracker " << r.backpressure_tracker << ", risk "
    << r.backpressure_risk << ", gateway " << r.backpressure_gateway << "\n";
  return o.str();
}

std::string format_report_json(const ReplayResult& r) {
  using json = nlohmann::ordered_json;
  const Instrument& inst = r.cfg.instrument;
  auto pts = [&](int64_t ticks) { return inst.ticks_to_points(ticks); };
  auto price = [&](Price p) { return inst.ticks_to_points(p.ticks); };
  json days = json::array();
  for (const DayResult& d : r.days) {
    json jd;
    jd["trading_day"] = format_date(d.day.yyyymmdd);
    jd["range_low"] = d.has_range ? json(price(d.range_low)) : json(nullptr);
    jd["range_high"] = d.has_range ? json(price(d.range_high)) : json(nullptr);
    jd["skipped_reason"] = d.skipped == SkipReason::None ? json(nullptr) : json(to_string(d.skipped));
    json entries = json::array();
    for (const EntryResult& e : d.entries) {
      json je;
      je["side"] = to_string(e.side);
      je["signal_time"] = local_time(r, e.signal_time, false);
      je["trigger_price"] = price(e.trigger_px);
      je["target_lots"] = e.target.lots;
      je["filled_lots"] = e.filled.lots;
      json lots = json::array();
      for (int idx : e.lots) {
        const LotResult& l = r.lots[static_cast<std::size_t>(idx)];
        json jl;
        const bool filled = l.state != PositionState::EntryFailed && l.state != PositionState::PendingEntry;
        const bool closed = l.state == PositionState::Closed;
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
        lots.push_back(std::move(jl));
      }
      je["lots"] = std::move(lots);
      entries.push_back(std::move(je));
    }
    jd["entries"] = std::move(entries);
    days.push_back(std::move(jd));
  }
  const Totals t = totals_of(r);
  json j;
  j["days"] = std::move(days);
  j["totals"] = {{"pnl_points", pts(t.pnl_ticks)},
                 {"pnl_currency", pts(t.pnl_ticks) * inst.point_value},
                 {"currency", inst.currency},
                 {"days_traded", t.days_traded},
                 {"lots_closed", t.closed},
                 {"win_rate", t.closed ? static_cast<double>(t.wins) / t.closed : 0.0},
                 {"max_drawdown_points", pts(t.max_drawdown_ticks)}};
  j["orders"] = {{"sent", r.orders.sent},         {"filled", r.orders.filled},
                 {"cancelled", r.orders.cancelled}, {"rejected", r.orders.rejected},
                 {"chased", r.orders.chased},       {"chase_gave_up", r.orders.chase_gave_up},
                 {"stale_quote_holds", r.orders.stale_quote_holds}, {"late_fills", r.orders.late_fills}};
  j["latency_ns"] = {{"count", r.latency.count()},
                     {"p50", r.latency.percentile(0.50)},
                     {"p90", r.latency.percentile(0.90)},
                     {"p99", r.latency.percentile(0.99)},
                     {"p999", r.latency.percentile(0.999)},
                     {"max", r.latency.max()}};
  j["input"] = {{"file", r.data},
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
  return j.dump(2) + "\n";
}

}  // namespace tp::app
