#include "tp/app/live.hpp"

#include <lmdb.h>
#include <pthread.h>
#include <signal.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

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
  // A fresh database, or the operator starting a new FIX session (e.g. a new trading
  // day): 141=Y and both sides start at 1. Otherwise the stored numbers continue the session.
  fc.reset_seq_on_logon = opt.reset_seq || (!have_order && !have_md);
  if (fc.reset_seq_on_logon) {
    fc.order_seq = fix::SeqNums{};
    fc.md_seq = fix::SeqNums{};
  }
  r.run_id = store.begin_run("live " + opt.venue);
  auto floor = store.group_floor();

  SignalMask signals;  // before any thread starts: they all inherit the mask
  auto p = fix::make_fix_pipeline(r.cfg, fc, r.run_id, std::move(floor), opt.pipeline);
  storage::Persister persister(store, r.run_id, p->journal_rings(), r.cfg.persist.batch_records, p->journal_done_seq());
  const auto t_run = std::chrono::steady_clock::now();
  p->start(&persister);
  bool stop_asked = false;
  try {
    while (!(p->finished() && persister.committed() == p->journaled())) {
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
  store.sync();

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
               {"order_session", session_json(p->feed().order_session())},
               {"md_session", session_json(p->feed().md_session())}};
  r.extra_json = j.dump();
  return out;
}

std::string format_live_report(const LiveResult& r) { return format_report(r.report); }

}  // namespace tp::app
