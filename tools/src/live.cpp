#include "tp/app/live.hpp"

#include <lmdb.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <chrono>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "tp/app/ctl.hpp"
#include "tp/fix/fix_pipeline.hpp"
#include "tp/storage/persister.hpp"
#include "tp/storage/store.hpp"

namespace tp::app {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string seq_key(const std::string& sender, const char* which) { return "fix/" + sender + "/" + which; }

/// Stored sequence numbers of one session; false when the database has none.
bool load_seq(const storage::Store& store, const std::string& sender, fix::SeqNums& out) {
  std::string out_s, in_s;
  if (!store.get_meta(seq_key(sender, "next_out"), out_s) || !store.get_meta(seq_key(sender, "next_in"), in_s)) {
    return false;
  }
  uint64_t o = 0, i = 0;
  if (!fix::parse_uint(out_s, o) || !fix::parse_uint(in_s, i) || o == 0 || i == 0) {
    throw storage::StorageError("meta " + seq_key(sender, "next_out") + " / next_in", MDB_INCOMPATIBLE,
                                "not sequence numbers ('" + out_s + "', '" + in_s + "'): the meta table was edited");
  }
  out = fix::SeqNums{o, i};
  return true;
}

void store_seq(storage::Store& store, const std::string& sender, const fix::SeqNums& s) {
  store.put_meta(seq_key(sender, "next_out"), std::to_string(s.next_out));
  store.put_meta(seq_key(sender, "next_in"), std::to_string(s.next_in));
}

std::string run_key(uint32_t run, const char* what) { return "run/" + std::to_string(run) + "/" + what; }

std::string floor_text(const GroupFloor& f) {
  std::string t;
  for (const auto& [day, g] : f) t += std::to_string(day.yyyymmdd) + ":" + std::to_string(g) + ",";
  return t;
}

GroupFloor parse_floor(const std::string& t, uint32_t run) {
  GroupFloor f;
  std::size_t at = 0;
  while (at < t.size()) {
    const std::size_t colon = t.find(':', at);
    const std::size_t comma = t.find(',', at);
    uint64_t d = 0, g = 0;
    if (colon == std::string::npos || comma == std::string::npos || colon > comma ||
        !fix::parse_uint(std::string_view(t).substr(at, colon - at), d) ||
        !fix::parse_uint(std::string_view(t).substr(colon + 1, comma - colon - 1), g) || d > INT32_MAX ||
        g > UINT32_MAX) {
      throw storage::StorageError("meta " + run_key(run, "group_floor"), MDB_INCOMPATIBLE,
                                  "not a group floor ('" + t + "'): the meta table was edited");
    }
    f.emplace_back(TradingDay{static_cast<int32_t>(d)}, static_cast<uint32_t>(g));
    at = comma + 1;
  }
  return f;
}

/// What a restart recovers (docs/DESIGN.md "Restart"): the chain of live runs that
/// continued one another, their recorded events, and the state they leave behind.
struct RecoveryPlan {
  std::vector<uint32_t> chain;      ///< oldest first; empty: a fresh start
  std::vector<Event> events;        ///< the chain's Input records, in seq order
  storage::RecoveryRanges ranges;
  GroupFloor floor;                 ///< the group floor the chain's first run started with
  bool last_clean = false;          ///< the last run stopped cleanly
  uint64_t journal_next_in = 0;     ///< order session: highest next_in journaled by the last run
  uint64_t journal_next_out = 0;    ///< order session: highest next_out journaled by the last run
};

bool meta_u32(const storage::Store& store, const std::string& key, uint32_t& out) {
  std::string v;
  uint64_t n = 0;
  if (!store.get_meta(key, v)) return false;
  if (!fix::parse_uint(v, n) || n == 0 || n > UINT32_MAX) {
    throw storage::StorageError("meta " + key, MDB_INCOMPATIBLE, "not a run id ('" + v + "'): the meta table was edited");
  }
  out = static_cast<uint32_t>(n);
  return true;
}

/// Nothing left open in the database: no lot and no order in a non-final state.
bool flat(const storage::Store& store) {
  bool open = false;
  store.for_each_position(0, [&](const storage::PositionRow& p) {
    open |= p.pos.state == PositionState::PendingEntry || p.pos.state == PositionState::Active ||
            p.pos.state == PositionState::PendingClosing;
  });
  store.for_each_order(0, [&](const storage::OrderRow& o) { open |= !is_terminal(o.state); });
  return !open;
}

/// The local trading day now (UTC+8, TAIFEX), yyyymmdd.
int32_t trading_day_now(int64_t utc_offset_ns) {
  const std::time_t t = static_cast<std::time_t>((wall_now_ns() + utc_offset_ns) / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

RecoveryPlan plan_recovery(const storage::Store& store, bool fresh, int64_t utc_offset_ns) {
  RecoveryPlan plan;
  uint32_t last = 0;
  if (fresh || !meta_u32(store, "live/last_run", last)) return plan;
  std::string clean;
  plan.last_clean = store.get_meta(run_key(last, "clean"), clean) && clean == "1";
  // Follow the chain back: each run names the run it recovered.
  std::vector<uint32_t> chain{last};
  for (uint32_t prev = 0; meta_u32(store, run_key(chain.back(), "recovers"), prev);) {
    if (prev >= chain.back()) {
      throw storage::StorageError("meta " + run_key(chain.back(), "recovers"), MDB_INCOMPATIBLE,
                                  "a run recovers a later run: the meta table was edited");
    }
    chain.push_back(prev);
  }
  std::reverse(chain.begin(), chain.end());
  std::vector<Event> events;
  int32_t last_day = 0;
  for (const uint32_t run : chain) {
    uint64_t last_seq = 0;
    store.for_each_journal(run, [&](uint32_t, const JournalRecord& r) {
      if (r.type == JournalType::Input && r.stage == Stage::Tracker) {
        Event e;
        e.seq = r.seq;
        e.event_time = r.event_time;
        e.kind = r.u.input.kind;
        e.u = r.u.input.body;
        if (e.kind == EventKind::Market && e.u.md.trading_day.valid()) last_day = e.u.md.trading_day.yyyymmdd;
        events.push_back(e);
        last_seq = r.seq;
      }
      if (run == chain.back() && r.type == JournalType::Session && r.u.session.session == 0) {
        plan.journal_next_in = std::max(plan.journal_next_in, r.u.session.msg_seq);
        plan.journal_next_out = std::max(plan.journal_next_out, r.u.session.next_out);
      }
    });
    if (last_seq > plan.ranges.through()) plan.ranges.ranges.push_back({last_seq, run});
  }
  // A clean stop with nothing open on an earlier trading day starts a new chain: there is
  // no state to carry (today's once-per-day and PnL rules start afresh).
  if (events.empty() || (plan.last_clean && flat(store) && last_day != trading_day_now(utc_offset_ns))) {
    plan.ranges = {};
    return plan;
  }
  plan.chain = chain;
  plan.events = std::move(events);
  std::string f;
  if (store.get_meta(run_key(chain.front(), "group_floor"), f)) plan.floor = parse_floor(f, chain.front());
  return plan;
}

/// Blocks SIGINT/SIGTERM in this thread (and every thread started after) for its life.
class SignalMask {
 public:
  SignalMask() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  ~SignalMask() {
    // A signal that came while masked is consumed here, not delivered after we return.
    timespec zero{};
    while (sigtimedwait(&set_, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SignalMask(const SignalMask&) = delete;
  SignalMask& operator=(const SignalMask&) = delete;
  /// Waits up to `ms` for SIGINT/SIGTERM; true if one came.
  bool wait(int ms) const {
    timespec ts{ms / 1000, static_cast<long>(ms % 1000) * 1'000'000};
    return sigtimedwait(&set_, nullptr, &ts) > 0;
  }

 private:
  sigset_t set_{};
  sigset_t old_{};
};

std::string session_line(const char* name, const fix::Session& s) {
  const fix::SessionStats& st = s.stats();
  std::ostringstream o;
  o << "         " << name << " session " << s.config().sender << ": " << st.msgs_in << " in / " << st.msgs_out
    << " out, logons " << st.logons << ", disconnects " << st.disconnects << ", resend requests in "
    << st.resend_requests_in << " / out " << st.resend_requests_out << ", gap fills out " << st.gap_fills_out
    << ", garbled " << st.garbled << ", rejects in " << st.rejects_in << " / out " << st.rejects_out
    << ", poss-dup ignored " << st.poss_dup_ignored << "; next seq out " << s.seq_nums().next_out << ", in "
    << s.seq_nums().next_in << "\n";
  return o.str();
}

/// One operator command (tp/app/ctl.hpp): status is answered from the committed tables,
/// the others go into the stream as Control events. Driver thread.
std::string operator_command(const std::string& line, const storage::Store& store, fix::FixPipeline& p,
                             const storage::Persister& persister, const ReplayResult& r) {
  std::istringstream in(line);
  std::string cmd, arg;
  in >> cmd >> arg;
  auto queue = [&](ControlKind k, const ControlEvent* with = nullptr) {
    ControlEvent ev = with != nullptr ? *with : ControlEvent(k);
    ev.kind = k;
    if (!p.feed().request_control(ev)) return std::string("error: the control queue is full");
    return "ok: " + cmd + " queued; the journal records its result (type operator)";
  };
  if (cmd == "kill") return queue(ControlKind::Kill);
  if (cmd == "flatten") return queue(ControlKind::Flatten);
  if (cmd == "pause") return queue(ControlKind::Pause);
  if (cmd == "resume") return queue(ControlKind::Resume);
  if (cmd == "limits") {
    if (arg.empty()) return "error: limits FILE: a TOML file with a [risk] section";
    Config c = load_config(arg);  // throws ConfigError naming file, line and field
    select_instrument(c, r.cfg.instrument.symbol);
    ControlEvent ev(ControlKind::Limits);
    LimitsUpdate& u = ev.limits;
    u.kill_switch = c.risk.kill_switch ? 1 : 0;
    u.max_position_lots = c.risk.max_position_lots;
    u.max_order_lots = c.risk.max_order_lots;
    u.max_orders_per_sec = c.risk.max_orders_per_sec;
    u.price_band_ticks = static_cast<int32_t>(c.risk.price_band_ticks.v);
    u.max_daily_loss_ticks = static_cast<int32_t>(c.risk.max_daily_loss_ticks.v);
    return queue(ControlKind::Limits, &ev);
  }
  if (cmd == "status") {
    using json = nlohmann::ordered_json;
    json lots = json::array();
    json orders = json::array();
    int64_t realized = 0;
    int64_t day_realized = 0;
    TradingDay last_day{};
    store.for_each_position(0, [&](const storage::PositionRow& row) {
      const JrPosition& x = row.pos;
      if (x.day > last_day) last_day = x.day;
    });
    store.for_each_position(0, [&](const storage::PositionRow& row) {
      const JrPosition& x = row.pos;
      const int sign = x.side == PosSide::Long ? 1 : -1;
      if (x.state == PositionState::Closed) {
        const int64_t pnl = sign * (x.exit_px.ticks - x.entry_px.ticks);
        realized += pnl;
        if (x.day == last_day) day_realized += pnl;
        return;
      }
      if (x.state == PositionState::EntryFailed) return;
      lots.push_back(json{{"position_id", x.id.v},
                          {"side", x.side == PosSide::Long ? "LONG" : "SHORT"},
                          {"state", to_string(x.state)},
                          {"entry_px_ticks", x.entry_px.ticks},
                          {"stop_ticks", x.stop.ticks},
                          {"peak_ticks", x.peak.ticks},
                          {"trailing_active", (x.flags & kPosTrailingActive) != 0},
                          {"protective_active", (x.flags & kPosProtectiveActive) != 0}});
    });
    store.for_each_order(0, [&](const storage::OrderRow& o) {
      if (is_terminal(o.state)) return;
      orders.push_back(json{{"client_id", o.client_id.v},
                            {"side", o.side == Side::Buy ? "BUY" : "SELL"},
                            {"state", to_string(o.state)},
                            {"qty", o.qty.lots},
                            {"cum_qty", o.cum_qty.lots},
                            {"limit_ticks", o.limit.ticks}});
    });
    (void)queue(ControlKind::Status);
    const json j{{"run_id", r.run_id},
                 {"open_lots", lots},
                 {"working_orders", orders},
                 {"day", last_day.yyyymmdd},
                 {"day_pnl_ticks", day_realized},
                 {"realized_pnl_ticks", realized},
                 {"counters",
                  json{{"events", p.feed().emitted()},
                       {"journaled", p.journaled()},
                       {"persisted", persister.committed()},
                       {"orders_sent", p.orders_sent()},
                       {"recovered", p.feed().recovered()}}},
                 {"latency", "tick-to-order percentiles are in the report at stop (the histogram is the hot "
                             "thread's)"}};
    return "ok: " + j.dump();
  }
  return "error: unknown command '" + cmd + "' (status | kill | flatten | pause | resume | limits FILE)";
}

}  // namespace

void parse_host_port(const std::string& s, std::string& host, uint16_t& port) {
  const auto colon = s.rfind(':');
  unsigned p = 0;
  const char* b = s.data() + (colon == std::string::npos ? 0 : colon + 1);
  const char* e = s.data() + s.size();
  const auto r = std::from_chars(b, e, p);
  if (colon == std::string::npos || colon == 0 || r.ec != std::errc{} || r.ptr != e || p == 0 || p > 65535) {
    throw std::invalid_argument("--venue '" + s + "': expected HOST:PORT, e.g. 127.0.0.1:9878");
  }
  host = s.substr(0, colon);
  port = static_cast<uint16_t>(p);
}

LiveResult run_live(const LiveOptions& opt) {
  LiveResult out;
  ReplayResult& r = out.report;
  r.mode = "live";
  r.cfg = opt.config_path.empty() ? default_config() : load_config(opt.config_path);
  select_instrument(r.cfg, opt.symbol);
  r.layout = opt.pipeline.layout;
  r.data = "venue " + opt.venue;
  r.input.contract = opt.contract;

  fix::FixFeedConfig fc;
  parse_host_port(opt.venue, fc.host, fc.port);
  fc.heartbeat_s = opt.heartbeat_s;
  fc.symbol = opt.symbol;
  fc.contract = opt.contract;
  fc.instrument = r.cfg.instrument;
  if (opt.db.empty()) throw std::invalid_argument("--db is required: live trading keeps its journal");
  r.db = opt.db;

  storage::StoreOptions so;
  so.dir = opt.db;
  so.sync = r.cfg.persist.sync == SyncPolicy::Durable ? storage::Durability::Durable : storage::Durability::NoSync;
  so.map_size_mb = r.cfg.persist.map_size_mb;
  storage::Store store(so);
  const bool have_order = load_seq(store, fc.order_sender, fc.order_seq);
  const bool have_md = load_seq(store, fc.md_sender, fc.md_seq);
  RecoveryPlan plan = plan_recovery(store, opt.fresh, r.cfg.instrument.utc_offset_ns);
  // A fresh database, or the operator starting a new FIX session (e.g. a new trading
  // day): 141=Y and both sides start at 1. Otherwise the stored numbers continue the
  // session; after a crash (the last run did not stop cleanly) from the highest the
  // journal holds, the outgoing ones a margin above it (docs/DESIGN.md "Restart").
  const bool journal_seq = plan.journal_next_out > 0 && !plan.last_clean;
  fc.reset_seq_on_logon = opt.reset_seq || (!have_order && !have_md && !journal_seq);
  if (fc.reset_seq_on_logon) {
    fc.order_seq = fix::SeqNums{};
    fc.md_seq = fix::SeqNums{};
  } else if (journal_seq) {
    fc.order_seq.next_in = std::max(fc.order_seq.next_in, plan.journal_next_in);
    fc.order_seq.next_out = std::max(fc.order_seq.next_out, plan.journal_next_out + fix::kSeqRestartMargin);
  }
  r.run_id = store.begin_run("live " + opt.venue);
  GroupFloor floor = store.group_floor();
  store.put_meta(run_key(r.run_id, "group_floor"), floor_text(floor));
  if (!plan.chain.empty()) {
    store.put_meta(run_key(r.run_id, "recovers"), std::to_string(plan.chain.back()));
    floor = plan.floor;  // the strategy starts as the chain's first run did
    fc.recovered = std::move(plan.events);
  }
  fc.run_id = r.run_id;
  store.put_meta("live/last_run", std::to_string(r.run_id));
  store.sync();
  out.recovered_runs = plan.chain;
  out.recovered_events = fc.recovered.size();
  // The strategy numbers ids under the chain's first run until the recovered events'
  // RunSwitch points move it on (the last one to this run).
  const uint32_t strategy_run = plan.chain.empty() ? r.run_id : plan.chain.front();

  SignalMask signals;  // before any thread starts: they all inherit the mask
  PipelineOptions po = opt.pipeline;
  po.journal_inputs = true;
  auto p = fix::make_fix_pipeline(r.cfg, fc, strategy_run, std::move(floor), po);
  fc.recovered.clear();
  fc.recovered.shrink_to_fit();
  storage::Persister persister(store, r.run_id, p->journal_rings(), r.cfg.persist.batch_records, p->journal_done_seq());
  persister.set_recovery(plan.ranges);
  const auto t_run = std::chrono::steady_clock::now();
  ControlServer ctl(ctl_socket_path(opt.db));
  auto command = [&](const std::string& line) { return operator_command(line, store, *p, persister, r); };
  p->start(&persister);
  bool stop_asked = false;
  try {
    while (!(p->finished() && persister.committed() == p->journaled())) {
      ctl.poll(command);
      if (signals.wait(20) && !stop_asked) {
        stop_asked = true;
        out.stopped_by_signal = true;
        p->feed().request_stop();
      }
      if (!stop_asked && opt.max_seconds > 0 && seconds_since(t_run) >= opt.max_seconds) {
        stop_asked = true;
        p->feed().request_stop();
      }
    }
  } catch (...) {
    p->stop();
    throw;
  }
  p->stop();  // rethrows an agent's exception
  r.run_seconds = seconds_since(t_run);
  out.order_seq = p->feed().order_session().seq_nums();
  out.md_seq = p->feed().md_session().seq_nums();
  store_seq(store, fc.order_sender, out.order_seq);
  store_seq(store, fc.md_sender, out.md_seq);
  store.put_meta(run_key(r.run_id, "clean"), "1");
  store.sync();
  out.recovery = persister.stats();

  copy_stage_results(*p, r);
  out.feed = p->feed().stats();
  out.order_session = p->feed().order_session().stats();
  out.md_session = p->feed().md_session().stats();
  r.feed.market_events = out.feed.market_events;
  r.feed.exec_reports = out.feed.exec_reports;
  r.input_events = out.feed.market_events;
  r.persisted_records = persister.committed();
  r.persist_batches = persister.stats().batches;

  std::ostringstream in;
  in << "venue " << opt.venue << " (FIX 4.4), " << out.feed.md_messages << " market-data messages ("
     << out.feed.md_snapshots << " snapshots, " << out.feed.md_bad << " refused), " << out.feed.market_events
     << " market events";
  r.input_line = in.str();
  std::ostringstream x;
  const fix::FixFeedStats& f = out.feed;
  x << "fix:     orders sent " << f.orders_sent << ", cancels sent " << f.cancels_sent << ", refused (venue down) "
    << f.orders_refused << "; execution reports " << f.exec_reports << " (duplicate ExecIDs " << f.duplicate_exec_ids
    << ", refused " << f.bad_reports << ", status " << f.status_reports << "), cancel rejects " << f.cancel_rejects
    << ", lockstep syncs " << f.syncs_answered << ", staged " << f.staged << "; after re-logon: status requests "
    << f.status_requests << ", recovered fills " << f.recovered_fills << ", finals " << f.recovered_finals
    << "; overfills refused " << r.tracker.overfills << "\n";
  const Strategy::ReconcileSummary& rec = p->risk().strategy().reconcile_summary();
  out.reconciled = rec.done;
  out.reconcile = rec.r;
  out.reconcile_items = rec.items;
  if (rec.done) {
    x << "reconcile: checked orders " << rec.r.checked_orders << ", positions " << rec.r.checked_positions
      << "; venue net " << rec.r.venue_net_lots << " lots, engine " << rec.r.local_net_lots << "; adopted "
      << rec.r.adopted << ", closed " << rec.r.closed << ", fixed " << rec.r.fixed << "; "
      << (rec.r.resolved ? "resolved" : "NOT RESOLVED") << ": " << rec.items << "\n";
  } else {
    x << "reconcile: not reached (the order session never logged on)\n";
  }
  if (!out.recovered_runs.empty()) {
    x << "restart: recovered run";
    for (const uint32_t id : out.recovered_runs) x << " " << id;
    x << ": " << f.recovered_events << " recorded events through the stages again, " << f.recovered_orders
      << " orders derived again (not resent), " << f.recovered_working
      << " still working (asked at logon); records derived again: " << out.recovery.recovery_matched
      << " identical to the journal, " << out.recovery.recovery_differed << " different, "
      << out.recovery.recovery_new << " new (past the crash point)\n";
  }
  x << session_line("order", p->feed().order_session());
  x << session_line("md", p->feed().md_session());
  const bool too_low = out.order_session.seq_too_low + out.md_session.seq_too_low > 0;
  out.seq_refused = too_low;
  x << "stop:    " << (out.stopped_by_signal ? "signal" : stop_asked ? "--max-seconds" : "the FIX session ended (Logout)")
    << (too_low ? " - the venue's MsgSeqNum was lower than the stored one: if the venue started a new FIX "
                  "session, run again with --reset-seq"
                : "")
    << "; tracker duplicate reports " << r.tracker.duplicate_reports << "\n";
  r.extra_lines = x.str();
  using json = nlohmann::ordered_json;
  auto session_json = [](const fix::Session& s) {
    const fix::SessionStats& st = s.stats();
    return json{{"sender", s.config().sender},
                {"msgs_in", st.msgs_in},
                {"msgs_out", st.msgs_out},
                {"logons", st.logons},
                {"disconnects", st.disconnects},
                {"resend_requests_in", st.resend_requests_in},
                {"resend_requests_out", st.resend_requests_out},
                {"gap_fills_in", st.gap_fills_in},
                {"gap_fills_out", st.gap_fills_out},
                {"garbled", st.garbled},
                {"rejects_in", st.rejects_in},
                {"rejects_out", st.rejects_out},
                {"poss_dup_ignored", st.poss_dup_ignored},
                {"seq_too_low", st.seq_too_low},
                {"next_seq_out", s.seq_nums().next_out},
                {"next_seq_in", s.seq_nums().next_in}};
  };
  const json j{{"md_messages", f.md_messages},
               {"md_snapshots", f.md_snapshots},
               {"md_bad", f.md_bad},
               {"md_rejects", f.md_rejects},
               {"market_events", f.market_events},
               {"exec_reports", f.exec_reports},
               {"duplicate_exec_ids", f.duplicate_exec_ids},
               {"bad_reports", f.bad_reports},
               {"status_reports", f.status_reports},
               {"cancel_rejects", f.cancel_rejects},
               {"orders_sent", f.orders_sent},
               {"cancels_sent", f.cancels_sent},
               {"orders_refused", f.orders_refused},
               {"syncs_answered", f.syncs_answered},
               {"staged", f.staged},
               {"other_messages", f.other_messages},
               {"status_requests", f.status_requests},
               {"recovered_fills", f.recovered_fills},
               {"recovered_finals", f.recovered_finals},
               {"session_records", f.session_records},
               {"journal_waits", f.journal_waits},
               {"tracker_overfills", r.tracker.overfills},
               {"tracker_duplicate_reports", r.tracker.duplicate_reports},
               {"tracker_unknown_reports", r.tracker.unknown_reports},
               {"tracker_late_reports", r.tracker.late_reports},
               {"net_position_lots", r.tracker.net_position},
               {"stopped_by", out.stopped_by_signal ? "signal" : stop_asked ? "max_seconds" : "session_ended"},
               {"reconcile",
                json{{"done", rec.done},
                     {"checked_orders", rec.r.checked_orders},
                     {"checked_positions", rec.r.checked_positions},
                     {"adopted", rec.r.adopted},
                     {"closed", rec.r.closed},
                     {"fixed", rec.r.fixed},
                     {"venue_net_lots", rec.r.venue_net_lots},
                     {"local_net_lots", rec.r.local_net_lots},
                     {"resolved", rec.r.resolved != 0},
                     {"items", rec.items}}},
               {"restart",
                json{{"recovered_runs", out.recovered_runs},
                     {"recovered_events", f.recovered_events},
                     {"recovered_orders", f.recovered_orders},
                     {"recovered_working", f.recovered_working},
                     {"records_matched", out.recovery.recovery_matched},
                     {"records_differed", out.recovery.recovery_differed},
                     {"records_new", out.recovery.recovery_new}}},
               {"order_session", session_json(p->feed().order_session())},
               {"md_session", session_json(p->feed().md_session())}};
  r.extra_json = j.dump();
  return out;
}

std::string format_live_report(const LiveResult& r) { return format_report(r.report); }

}  // namespace tp::app
