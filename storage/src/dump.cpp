// Store::dump - JSON lines / CSV rendering of every table (tickpipe inspect).
//
// One column vocabulary for all tables (a field has the same name and meaning wherever
// it appears): prices are integer ticks in *_ticks fields, times integer ns in *_ns
// fields, enums their engine names. Each table has a fixed column order, which is the
// JSON key order and the CSV header. Journal rows carry the key fields plus the fields
// of their record type; in CSV the journal header is the union of all payload columns
// and a record leaves the others empty. Nothing here depends on the clock or on memory
// addresses, so two equal databases dump to identical bytes.
#include <array>
#include <charconv>
#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "tp/storage/store.hpp"

namespace tp::storage {

namespace {

// ------------------------------------------------------------------ enum names

const char* side_name(Side s) noexcept {
  return s == Side::Buy || s == Side::Sell ? to_string(s) : "?";
}
const char* pos_side_name(PosSide s) noexcept {
  return s == PosSide::Long || s == PosSide::Short ? to_string(s) : "?";
}
const char* tif_name(Tif t) noexcept {
  return t == Tif::Fok || t == Tif::Ioc || t == Tif::Day ? to_string(t) : "?";
}
const char* open_close_name(OpenClose oc) noexcept {
  switch (oc) {
    case OpenClose::Open: return "OPEN";
    case OpenClose::Close: return "CLOSE";
  }
  return "?";
}
const char* action_name(OrderAction a) noexcept {
  switch (a) {
    case OrderAction::New: return "NEW";
    case OrderAction::Cancel: return "CANCEL";
  }
  return "?";
}
const char* purpose_name(OrderPurpose p) noexcept {
  switch (p) {
    case OrderPurpose::Entry: return "entry";
    case OrderPurpose::EntryChase: return "entry_chase";
    case OrderPurpose::Exit: return "exit";
    case OrderPurpose::ExitChase: return "exit_chase";
    case OrderPurpose::Flatten: return "flatten";
  }
  return static_cast<uint8_t>(p) == 0 ? "none" : "?";  // 0: order known only from reports
}
const char* exec_type_name(ExecType t) noexcept {
  switch (t) {
    case ExecType::New: return "NEW";
    case ExecType::Trade: return "TRADE";
    case ExecType::Canceled: return "CANCELED";
    case ExecType::Rejected: return "REJECTED";
  }
  return "?";
}
const char* group_event_name(GroupEvent e) noexcept {
  switch (e) {
    case GroupEvent::Created: return "created";
    case GroupEvent::Completed: return "completed";
  }
  return "?";
}
const char* signal_kind_name(SignalKind k) noexcept {
  switch (k) {
    case SignalKind::RangeSet: return "range_set";
    case SignalKind::Entry: return "entry";
    case SignalKind::DaySkipped: return "day_skipped";
    case SignalKind::EntryGaveUp: return "entry_gave_up";
    case SignalKind::StaleQuote: return "stale_quote";
    case SignalKind::ExitRestarted: return "exit_restarted";
  }
  return "?";
}
const char* chase_event_name(ChaseEvent e) noexcept {
  switch (e) {
    case ChaseEvent::Resend: return "resend";
    case ChaseEvent::GiveUpRetries: return "give_up_retries";
    case ChaseEvent::GiveUpSlippage: return "give_up_slippage";
    case ChaseEvent::GiveUpTimeout: return "give_up_timeout";
  }
  return "?";
}

// ------------------------------------------------------------------ columns

enum class C : uint8_t {
  run_id, seq, stage, sub, type, event_time_ns,
  key, value,
  client_id, fill_no, venue_id, position_id, new_client_id,
  action, exec_type, side, tif, open_close, purpose, chase_n, n, state, reason, exit_reason,
  event, kind, skip, day, group_id, rule,
  limit_ticks, px_ticks, last_px_ticks, avg_px_x100_ticks, entry_px_ticks, entry_ref_ticks,
  exit_px_ticks, exit_ref_ticks, peak_ticks, stop_ticks, range_high_ticks, range_low_ticks,
  trigger_px_ticks, first_px_ticks, new_px_ticks,
  qty, last_qty, cum_qty, leaves_qty, lots, filled,
  sent_time_ns, update_time_ns, time_ns, signal_time_ns, entry_time_ns, exit_time_ns,
  flags, trailing_active, protective_active, exit_in_flight,
  session, msg_seq, next_out, text,
  checked_orders, checked_positions, adopted, closed, fixed, venue_net_lots, local_net_lots, resolved,
  kCount
};
constexpr std::size_t kNumCols = static_cast<std::size_t>(C::kCount);

constexpr std::array<const char*, kNumCols> kColName = {
  "run_id", "seq", "stage", "sub", "type", "event_time_ns",
  "key", "value",
  "client_id", "fill_no", "venue_id", "position_id", "new_client_id",
  "action", "exec_type", "side", "tif", "open_close", "purpose", "chase_n", "n", "state", "reason", "exit_reason",
  "event", "kind", "skip", "day", "group_id", "rule",
  "limit_ticks", "px_ticks", "last_px_ticks", "avg_px_x100_ticks", "entry_px_ticks", "entry_ref_ticks",
  "exit_px_ticks", "exit_ref_ticks", "peak_ticks", "stop_ticks", "range_high_ticks", "range_low_ticks",
  "trigger_px_ticks", "first_px_ticks", "new_px_ticks",
  "qty", "last_qty", "cum_qty", "leaves_qty", "lots", "filled",
  "sent_time_ns", "update_time_ns", "time_ns", "signal_time_ns", "entry_time_ns", "exit_time_ns",
  "flags", "trailing_active", "protective_active", "exit_in_flight",
  "session", "msg_seq", "next_out", "text",
  "checked_orders", "checked_positions", "adopted", "closed", "fixed", "venue_net_lots", "local_net_lots", "resolved",
};

constexpr C kJournalCols[] = {
  C::run_id, C::seq, C::stage, C::sub, C::type, C::event_time_ns,
  C::client_id, C::venue_id, C::position_id, C::new_client_id,
  C::action, C::exec_type, C::side, C::tif, C::open_close, C::purpose, C::chase_n, C::n,
  C::state, C::reason, C::exit_reason, C::event, C::kind, C::skip, C::day, C::group_id, C::rule,
  C::fill_no,
  C::limit_ticks, C::px_ticks, C::last_px_ticks, C::avg_px_x100_ticks, C::entry_px_ticks,
  C::entry_ref_ticks, C::exit_px_ticks, C::exit_ref_ticks, C::peak_ticks, C::stop_ticks,
  C::range_high_ticks, C::range_low_ticks, C::trigger_px_ticks, C::first_px_ticks, C::new_px_ticks,
  C::qty, C::last_qty, C::cum_qty, C::leaves_qty, C::lots, C::filled,
  C::signal_time_ns, C::entry_time_ns, C::exit_time_ns,
  C::flags, C::trailing_active, C::protective_active, C::exit_in_flight,
  C::session, C::msg_seq, C::next_out, C::text,
  C::checked_orders, C::checked_positions, C::adopted, C::closed, C::fixed, C::venue_net_lots, C::local_net_lots,
  C::resolved,
};
constexpr C kOrderCols[] = {
  C::run_id, C::client_id, C::venue_id, C::position_id, C::state, C::side, C::tif, C::open_close,
  C::purpose, C::chase_n, C::reason, C::limit_ticks, C::avg_px_x100_ticks, C::qty, C::cum_qty,
  C::leaves_qty, C::sent_time_ns, C::update_time_ns, C::flags,
};
constexpr C kFillCols[] = {
  C::run_id, C::client_id, C::fill_no, C::venue_id, C::side, C::open_close, C::px_ticks, C::qty,
  C::cum_qty, C::time_ns, C::flags,
};
constexpr C kPositionCols[] = {
  C::run_id, C::position_id, C::day, C::group_id, C::rule, C::side, C::state, C::exit_reason,
  C::entry_px_ticks, C::entry_ref_ticks, C::exit_px_ticks, C::exit_ref_ticks, C::peak_ticks,
  C::stop_ticks, C::entry_time_ns, C::exit_time_ns, C::update_time_ns, C::flags,
  C::trailing_active, C::protective_active, C::exit_in_flight,
};
constexpr C kGroupCols[] = {
  C::run_id, C::day, C::group_id, C::event, C::side, C::range_high_ticks, C::range_low_ticks,
  C::lots, C::filled, C::signal_time_ns,
};
constexpr C kMetaCols[] = {C::key, C::value};

// ------------------------------------------------------------------ output

/// One output row: values by column, rendered in a table's column order.
class Line {
 public:
  void clear() noexcept { set_.fill(false); }
  void i(C c, int64_t v) noexcept { at(c) = {Kind::Int, v, 0, {}}; }
  void u(C c, uint64_t v) noexcept { at(c) = {Kind::UInt, 0, v, {}}; }
  void s(C c, std::string_view v) noexcept { at(c) = {Kind::Str, 0, 0, v}; }
  void b(C c, bool v) noexcept { at(c) = {Kind::Bool, v ? 1 : 0, 0, {}}; }

  void json(std::span<const C> cols, std::string& out) const {
    out += '{';
    bool first = true;
    for (C c : cols) {
      const auto k = static_cast<std::size_t>(c);
      if (!set_[k]) continue;
      if (!first) out += ',';
      first = false;
      out += '"';
      out += kColName[k];
      out += "\":";
      const Value& v = vals_[k];
      if (v.kind == Kind::Str) {
        json_string(v.str, out);
      } else {
        scalar(v, out);
      }
    }
    out += "}\n";
  }

  void csv(std::span<const C> cols, std::string& out) const {
    bool first = true;
    for (C c : cols) {
      if (!first) out += ',';
      first = false;
      const auto k = static_cast<std::size_t>(c);
      if (!set_[k]) continue;
      const Value& v = vals_[k];
      if (v.kind == Kind::Str) {
        csv_string(v.str, out);
      } else {
        scalar(v, out);
      }
    }
    out += '\n';
  }

  static void csv_header(std::span<const C> cols, std::string& out) {
    bool first = true;
    for (C c : cols) {
      if (!first) out += ',';
      first = false;
      out += kColName[static_cast<std::size_t>(c)];
    }
    out += '\n';
  }

 private:
  enum class Kind : uint8_t { Int, UInt, Str, Bool };
  struct Value {
    Kind kind;
    int64_t i;
    uint64_t u;
    std::string_view str;
  };

  Value& at(C c) noexcept {
    const auto k = static_cast<std::size_t>(c);
    set_[k] = true;
    return vals_[k];
  }

  static void scalar(const Value& v, std::string& out) {
    char buf[24];
    std::to_chars_result r{};
    switch (v.kind) {
      case Kind::Int: r = std::to_chars(buf, buf + sizeof buf, v.i); break;
      case Kind::UInt: r = std::to_chars(buf, buf + sizeof buf, v.u); break;
      case Kind::Bool: out += v.i != 0 ? "true" : "false"; return;
      case Kind::Str: return;
    }
    out.append(buf, r.ptr);
  }

  static void json_string(std::string_view s, std::string& out) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    for (char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (c < 0x20) {
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 15];
          } else {
            out += ch;  // UTF-8 passes through
          }
      }
    }
    out += '"';
  }

  static void csv_string(std::string_view s, std::string& out) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
      out += s;
      return;
    }
    out += '"';
    for (char ch : s) {
      if (ch == '"') out += '"';
      out += ch;
    }
    out += '"';
  }

  std::array<Value, kNumCols> vals_{};
  std::array<bool, kNumCols> set_{};
};

/// Renders rows of one table into `out` through a buffer.
class Writer {
 public:
  Writer(std::ostream& os, bool csv, std::span<const C> cols) : os_(os), csv_(csv), cols_(cols) {
    buf_.reserve(kFlushBytes + 4096);
    if (csv_) Line::csv_header(cols_, buf_);
  }
  ~Writer() {
    try {
      flush();  // also after an exception: what was rendered is written
    } catch (...) {  // a stream with exceptions enabled must not throw from here
    }
  }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  Line& line() noexcept {
    line_.clear();
    return line_;
  }
  void emit() {
    if (csv_) {
      line_.csv(cols_, buf_);
    } else {
      line_.json(cols_, buf_);
    }
    if (buf_.size() >= kFlushBytes) flush();
  }
  void flush() {
    if (!buf_.empty()) os_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    buf_.clear();
  }

 private:
  static constexpr std::size_t kFlushBytes = 64 * 1024;
  std::ostream& os_;
  bool csv_;
  std::span<const C> cols_;
  std::string buf_;
  Line line_;
};

// ------------------------------------------------------------------ payloads

void put_order(Line& l, const JrOrder& o, bool with_reason) {
  l.u(C::client_id, o.client_id.v);
  l.u(C::venue_id, o.venue_id.v);
  l.u(C::position_id, o.position.v);
  l.s(C::action, action_name(o.action));
  l.s(C::side, side_name(o.side));
  l.s(C::tif, tif_name(o.tif));
  l.s(C::open_close, open_close_name(o.open_close));
  l.s(C::purpose, purpose_name(o.purpose));
  l.u(C::chase_n, o.chase_n);
  if (with_reason) l.s(C::reason, to_string(o.reason));
  l.i(C::limit_ticks, o.limit.ticks);
  l.i(C::qty, o.qty.lots);
}

void put_order_update(Line& l, const JrOrderUpdate& u) {
  l.u(C::client_id, u.client_id.v);
  l.u(C::venue_id, u.venue_id.v);
  l.s(C::state, to_string(u.state));
  l.s(C::side, side_name(u.side));
  l.s(C::tif, tif_name(u.tif));
  l.s(C::open_close, open_close_name(u.open_close));
  l.s(C::reason, to_string(u.reason));
  l.i(C::limit_ticks, u.limit.ticks);
  l.i(C::avg_px_x100_ticks, u.avg_px_x100.ticks);
  l.i(C::qty, u.order_qty.lots);
  l.i(C::cum_qty, u.cum_qty.lots);
  l.i(C::leaves_qty, u.leaves_qty.lots);
  l.u(C::flags, u.flags);
}

void put_exec(Line& l, const ExecReport& e) {
  l.u(C::client_id, e.client_id.v);
  l.u(C::venue_id, e.venue_id.v);
  l.s(C::exec_type, exec_type_name(e.type));
  l.s(C::side, side_name(e.side));
  l.s(C::tif, tif_name(e.tif));
  l.s(C::open_close, open_close_name(e.open_close));
  l.s(C::reason, to_string(e.reason));
  l.i(C::limit_ticks, e.limit_price.ticks);
  l.i(C::last_px_ticks, e.last_px.ticks);
  l.i(C::qty, e.order_qty.lots);
  l.i(C::last_qty, e.last_qty.lots);
  l.i(C::cum_qty, e.cum_qty.lots);
  l.i(C::leaves_qty, e.leaves_qty.lots);
  l.u(C::flags, e.flags);
}

void put_fill(Line& l, const JrFill& f) {
  l.u(C::client_id, f.client_id.v);
  l.u(C::fill_no, f.fill_no);
  l.u(C::venue_id, f.venue_id.v);
  l.s(C::side, side_name(f.side));
  l.s(C::open_close, open_close_name(f.open_close));
  l.i(C::px_ticks, f.px.ticks);
  l.i(C::qty, f.qty.lots);
  l.i(C::cum_qty, f.cum_qty.lots);
  l.u(C::flags, f.flags);
}

void put_position(Line& l, const JrPosition& p) {
  l.u(C::position_id, p.id.v);
  l.i(C::day, p.day.yyyymmdd);
  l.u(C::group_id, p.group);
  l.u(C::rule, p.rule);
  l.s(C::side, pos_side_name(p.side));
  l.s(C::state, to_string(p.state));
  l.s(C::exit_reason, to_string(p.exit_reason));
  l.i(C::entry_px_ticks, p.entry_px.ticks);
  l.i(C::entry_ref_ticks, p.entry_ref.ticks);
  l.i(C::exit_px_ticks, p.exit_px.ticks);
  l.i(C::exit_ref_ticks, p.exit_ref.ticks);
  l.i(C::peak_ticks, p.peak.ticks);
  l.i(C::stop_ticks, p.stop.ticks);
  l.i(C::entry_time_ns, p.entry_time.ns);
  l.i(C::exit_time_ns, p.exit_time.ns);
  l.u(C::flags, p.flags);
  l.b(C::trailing_active, (p.flags & kPosTrailingActive) != 0);
  l.b(C::protective_active, (p.flags & kPosProtectiveActive) != 0);
  l.b(C::exit_in_flight, (p.flags & kPosExitInFlight) != 0);
}

void put_group(Line& l, const JrGroup& g) {
  l.i(C::day, g.day.yyyymmdd);
  l.u(C::group_id, g.group_id);
  l.s(C::event, group_event_name(g.event));
  l.s(C::side, pos_side_name(g.side));
  l.i(C::range_high_ticks, g.range_high.ticks);
  l.i(C::range_low_ticks, g.range_low.ticks);
  l.i(C::lots, g.lots.lots);
  l.i(C::filled, g.filled.lots);
  l.i(C::signal_time_ns, g.signal_time.ns);
}

void put_signal(Line& l, const JrSignal& s) {
  l.s(C::kind, signal_kind_name(s.kind));
  l.s(C::side, pos_side_name(s.side));
  l.s(C::skip, to_string(s.skip));
  l.i(C::day, s.day.yyyymmdd);
  l.i(C::range_high_ticks, s.range_high.ticks);
  l.i(C::range_low_ticks, s.range_low.ticks);
  l.i(C::trigger_px_ticks, s.trigger_px.ticks);
  l.i(C::lots, s.lots.lots);
}

void put_chase(Line& l, const JrChase& c) {
  l.u(C::new_client_id, c.new_client_id.v);
  l.u(C::position_id, c.position.v);
  l.s(C::event, chase_event_name(c.event));
  l.s(C::purpose, purpose_name(c.purpose));
  l.u(C::n, c.n);
  l.i(C::first_px_ticks, c.first_px.ticks);
  l.i(C::new_px_ticks, c.new_px.ticks);
  l.i(C::qty, c.qty.lots);
}

void put_session(Line& l, const JrSession& x) {
  l.s(C::session, x.session == 0 ? "order" : "md");
  l.s(C::event, to_string(x.event));
  l.u(C::n, x.count);
  l.u(C::msg_seq, x.msg_seq);
  l.u(C::next_out, x.next_out);
  const std::size_t n = x.text_len < sizeof x.text ? x.text_len : sizeof x.text;
  l.s(C::text, std::string_view(x.text, n));  // JSON/CSV-escaped by the writer
}

void put_input(Line& l, const JrInput& x) {
  switch (x.kind) {
    case EventKind::Market:
      l.s(C::kind, "market");
      l.i(C::last_px_ticks, x.body.md.last.ticks);
      l.i(C::last_qty, x.body.md.last_qty.lots);
      l.i(C::day, x.body.md.trading_day.yyyymmdd);
      return;
    case EventKind::Exec:
      l.s(C::kind, "exec");
      put_exec(l, x.body.er);
      return;
    case EventKind::EndOfData: l.s(C::kind, "end_of_data"); return;
    case EventKind::Control:
      l.s(C::kind, "control");
      l.u(C::n, x.body.control.run_id);
      return;
  }
}

void put_reconcile(Line& l, const JrReconcile& x) {
  l.u(C::checked_orders, x.checked_orders);
  l.u(C::checked_positions, x.checked_positions);
  l.u(C::adopted, x.adopted);
  l.u(C::closed, x.closed);
  l.u(C::fixed, x.fixed);
  l.i(C::venue_net_lots, x.venue_net_lots);
  l.i(C::local_net_lots, x.local_net_lots);
  l.u(C::resolved, x.resolved);
  const std::size_t n = x.items_len < sizeof x.items ? x.items_len : sizeof x.items;
  l.s(C::text, std::string_view(x.items, n));
}

void put_operator(Line& l, const JrOperator& x) {
  l.s(C::event, to_string(x.command));
  l.u(C::resolved, x.ok);
  const std::size_t n = x.text_len < sizeof x.text ? x.text_len : sizeof x.text;
  l.s(C::text, std::string_view(x.text, n));
}

void put_journal(Line& l, uint32_t run_id, const JournalRecord& r) {
  l.u(C::run_id, run_id);
  l.u(C::seq, r.seq);
  l.s(C::stage, to_string(r.stage));
  l.u(C::sub, r.sub);
  l.s(C::type, to_string(r.type));
  l.i(C::event_time_ns, r.event_time.ns);
  switch (r.type) {
    case JournalType::OrderSent: put_order(l, r.u.order, false); return;
    case JournalType::RiskReject: put_order(l, r.u.order, true); return;
    case JournalType::OrderUpdate: put_order_update(l, r.u.order_update); return;
    case JournalType::Fill: put_fill(l, r.u.fill); return;
    case JournalType::ExecReport:
    case JournalType::UnknownReport: put_exec(l, r.u.exec); return;
    case JournalType::Position: put_position(l, r.u.position); return;
    case JournalType::Group: put_group(l, r.u.group); return;
    case JournalType::Signal: put_signal(l, r.u.signal); return;
    case JournalType::Chase: put_chase(l, r.u.chase); return;
    case JournalType::Session: put_session(l, r.u.session); return;
    case JournalType::Input: put_input(l, r.u.input); return;
    case JournalType::Reconcile: put_reconcile(l, r.u.reconcile); return;
    case JournalType::Operator: put_operator(l, r.u.op); return;
  }
  // unknown type: key fields only
}

}  // namespace

void Store::dump(Table t, bool csv, std::ostream& out, uint32_t run_id) const {
  switch (t) {
    case Table::Journal: {
      Writer w(out, csv, kJournalCols);
      for_each_journal(run_id, [&w](uint32_t run, const JournalRecord& r) {
        put_journal(w.line(), run, r);
        w.emit();
      });
      return;
    }
    case Table::Orders: {
      Writer w(out, csv, kOrderCols);
      for_each_order(run_id, [&w](const OrderRow& o) {
        Line& l = w.line();
        l.u(C::run_id, o.run_id);
        l.u(C::client_id, o.client_id.v);
        l.u(C::venue_id, o.venue_id.v);
        l.u(C::position_id, o.position.v);
        l.s(C::state, to_string(o.state));
        l.s(C::side, side_name(o.side));
        l.s(C::tif, tif_name(o.tif));
        l.s(C::open_close, open_close_name(o.open_close));
        l.s(C::purpose, purpose_name(o.purpose));
        l.u(C::chase_n, o.chase_n);
        l.s(C::reason, to_string(o.reason));
        l.i(C::limit_ticks, o.limit.ticks);
        l.i(C::avg_px_x100_ticks, o.avg_px_x100.ticks);
        l.i(C::qty, o.qty.lots);
        l.i(C::cum_qty, o.cum_qty.lots);
        l.i(C::leaves_qty, o.leaves_qty.lots);
        l.i(C::sent_time_ns, o.sent_time.ns);
        l.i(C::update_time_ns, o.update_time.ns);
        l.u(C::flags, o.flags);
        w.emit();
      });
      return;
    }
    case Table::Fills: {
      Writer w(out, csv, kFillCols);
      for_each_fill(run_id, [&w](const FillRow& f) {
        Line& l = w.line();
        l.u(C::run_id, f.run_id);
        l.u(C::client_id, f.client_id.v);
        l.u(C::fill_no, f.fill_no);
        l.u(C::venue_id, f.venue_id.v);
        l.s(C::side, side_name(f.side));
        l.s(C::open_close, open_close_name(f.open_close));
        l.i(C::px_ticks, f.px.ticks);
        l.i(C::qty, f.qty.lots);
        l.i(C::cum_qty, f.cum_qty.lots);
        l.i(C::time_ns, f.time.ns);
        l.u(C::flags, f.flags);
        w.emit();
      });
      return;
    }
    case Table::Positions: {
      Writer w(out, csv, kPositionCols);
      for_each_position(run_id, [&w](const PositionRow& p) {
        Line& l = w.line();
        l.u(C::run_id, p.run_id);
        put_position(l, p.pos);
        l.i(C::update_time_ns, p.update_time.ns);
        w.emit();
      });
      return;
    }
    case Table::Groups: {
      Writer w(out, csv, kGroupCols);
      for_each_group(run_id, [&w](const GroupRow& g) {
        Line& l = w.line();
        l.u(C::run_id, g.run_id);
        put_group(l, g.group);
        w.emit();
      });
      return;
    }
    case Table::Meta: {
      Writer w(out, csv, kMetaCols);
      for_each_meta([&w](std::string_view k, std::string_view v) {
        Line& l = w.line();
        l.s(C::key, k);
        l.s(C::value, v);
        w.emit();
      });
      return;
    }
  }
}

}  // namespace tp::storage
