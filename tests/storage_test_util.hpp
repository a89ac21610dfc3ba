// Helpers shared by the storage tests: temporary directories and hand-built journal
// records (one builder per JournalType).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <functional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tp/engine/journal.hpp"
#include "tp/storage/store.hpp"
#include "tp/storage/temp_dir.hpp"

namespace tp::storage::testing {

/// A fresh directory, removed with everything in it at the end.
using tp::storage::TempDir;

inline StoreOptions options(const std::string& dir, Durability sync = Durability::NoSync) {
  StoreOptions o;
  o.dir = dir;
  o.sync = sync;
  o.map_size_mb = 64;
  return o;
}

/// Expects `f` to throw StorageError with `code` and a message containing every part.
inline ::testing::AssertionResult throws_storage(const std::function<void()>& f, int code,
                                                 std::initializer_list<std::string_view> parts = {}) {
  try {
    f();
  } catch (const StorageError& e) {
    if (e.code() != code) {
      return ::testing::AssertionFailure() << "code " << e.code() << " (want " << code << "): " << e.what();
    }
    const std::string msg = e.what();
    for (std::string_view p : parts) {
      if (msg.find(p) == std::string::npos) {
        return ::testing::AssertionFailure() << "message \"" << msg << "\" lacks \"" << p << "\"";
      }
    }
    return ::testing::AssertionSuccess() << msg;
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "wrong exception type: " << e.what();
  }
  return ::testing::AssertionFailure() << "no exception";
}

// ------------------------------------------------------------------ record builders

inline JournalRecord header(uint64_t seq, int64_t t_ns, Stage stage, uint16_t sub, JournalType type) {
  JournalRecord r;
  std::memset(static_cast<void*>(&r), 0, sizeof r);
  r.seq = seq;
  r.event_time = TimeNs(t_ns);
  r.stage = stage;
  r.sub = sub;
  r.type = type;
  return r;
}

inline JournalRecord order_sent(uint64_t seq, int64_t t, uint64_t client, int64_t limit, int32_t qty,
                                OrderAction action = OrderAction::New, uint16_t sub = 0) {
  JournalRecord r = header(seq, t, Stage::Gateway, sub, JournalType::OrderSent);
  JrOrder& o = r.u.order;
  o.client_id = ClientOrderId(client);
  o.venue_id = VenueOrderId(action == OrderAction::Cancel ? 9'000'001 : 0);
  o.position = PositionId(client + 100);
  o.limit = Price(limit);
  o.qty = Qty(qty);
  o.action = action;
  o.side = Side::Buy;
  o.tif = Tif::Fok;
  o.open_close = OpenClose::Open;
  o.purpose = OrderPurpose::Entry;
  o.chase_n = 0;
  o.reason = RejectReason::None;
  return r;
}

inline JournalRecord risk_reject(uint64_t seq, int64_t t, uint64_t client, RejectReason why,
                                 uint16_t sub = 0) {
  JournalRecord r = order_sent(seq, t, client, 17000, 1, OrderAction::New, sub);
  r.stage = Stage::Risk;
  r.type = JournalType::RiskReject;
  r.u.order.reason = why;
  r.u.order.purpose = OrderPurpose::ExitChase;
  r.u.order.chase_n = 2;
  return r;
}

inline JournalRecord order_update(uint64_t seq, int64_t t, uint64_t client, uint64_t venue, OrderState st,
                                  int32_t qty, int32_t cum, int64_t avg_x100, uint16_t sub = 0) {
  JournalRecord r = header(seq, t, Stage::Tracker, sub, JournalType::OrderUpdate);
  JrOrderUpdate& u = r.u.order_update;
  u.client_id = ClientOrderId(client);
  u.venue_id = VenueOrderId(venue);
  u.limit = Price(17000);
  u.avg_px_x100 = Price(avg_x100);
  u.order_qty = Qty(qty);
  u.cum_qty = Qty(cum);
  u.leaves_qty = Qty(is_terminal(st) ? 0 : qty - cum);
  u.state = st;
  u.side = Side::Buy;
  u.open_close = OpenClose::Open;
  u.tif = Tif::Fok;
  u.reason = RejectReason::None;
  u.flags = 0;
  return r;
}

inline JournalRecord fill(uint64_t seq, int64_t t, uint64_t client, uint32_t fill_no, int64_t px, int32_t qty,
                          int32_t cum, uint16_t sub = 0) {
  JournalRecord r = header(seq, t, Stage::Tracker, sub, JournalType::Fill);
  JrFill& f = r.u.fill;
  f.client_id = ClientOrderId(client);
  f.venue_id = VenueOrderId(9'000'001);
  f.px = Price(px);
  f.qty = Qty(qty);
  f.cum_qty = Qty(cum);
  f.fill_no = fill_no;
  f.side = Side::Sell;
  f.open_close = OpenClose::Close;
  f.flags = kExecLate;
  return r;
}

inline JournalRecord exec(uint64_t seq, int64_t t, JournalType type, uint64_t venue, uint16_t sub = 0) {
  JournalRecord r = header(seq, t, Stage::Tracker, sub, type);
  ExecReport& e = r.u.exec;
  e.client_id = ClientOrderId(0);
  e.venue_id = VenueOrderId(venue);
  e.limit_price = Price(17001);
  e.last_px = Price(17002);
  e.order_qty = Qty(2);
  e.last_qty = Qty(1);
  e.cum_qty = Qty(1);
  e.leaves_qty = Qty(1);
  e.type = ExecType::Trade;
  e.side = Side::Sell;
  e.open_close = OpenClose::Close;
  e.tif = Tif::Ioc;
  e.reason = RejectReason::None;
  e.flags = 0;
  return r;
}

inline JournalRecord position(uint64_t seq, int64_t t, uint64_t id, PositionState st, int64_t peak,
                              uint16_t sub = 0) {
  JournalRecord r = header(seq, t, Stage::Risk, sub, JournalType::Position);
  JrPosition& p = r.u.position;
  p.id = PositionId(id);
  p.entry_time = TimeNs(t - 1000);
  p.exit_time = TimeNs(st == PositionState::Closed ? t : 0);
  p.entry_px = Price(17010);
  p.entry_ref = Price(17009);
  p.exit_px = Price(st == PositionState::Closed ? 17030 : 0);
  p.exit_ref = Price(st == PositionState::Closed ? 17031 : 0);
  p.peak = Price(peak);
  p.stop = Price(16990);
  p.day = TradingDay(20240102);
  p.group = 1;
  p.rule = 2;
  p.side = PosSide::Long;
  p.state = st;
  p.exit_reason = st == PositionState::Closed ? ExitReason::TrailingStop : ExitReason::None;
  p.flags = kPosTrailingActive | kPosExitInFlight;
  return r;
}

inline JournalRecord group(uint64_t seq, int64_t t, int32_t day, uint32_t gid, GroupEvent ev, int32_t filled,
                           uint16_t sub = 0) {
  JournalRecord r = header(seq, t, Stage::Risk, sub, JournalType::Group);
  JrGroup& g = r.u.group;
  g.signal_time = TimeNs(t);
  g.range_high = Price(17050);
  g.range_low = Price(16950);
  g.day = TradingDay(day);
  g.group_id = gid;
  g.side = PosSide::Short;
  g.event = ev;
  g.lots = Qty(3);
  g.filled = Qty(filled);
  return r;
}

inline JournalRecord signal(uint64_t seq, int64_t t, uint16_t sub = 0) {
  JournalRecord r = header(seq, t, Stage::Risk, sub, JournalType::Signal);
  JrSignal& s = r.u.signal;
  s.range_high = Price(17050);
  s.range_low = Price(16950);
  s.trigger_px = Price(17051);
  s.day = TradingDay(20240102);
  s.kind = SignalKind::DaySkipped;
  s.side = PosSide::Long;
  s.skip = SkipReason::RangeTooWide;
  s.lots = Qty(3);
  return r;
}

inline JournalRecord chase(uint64_t seq, int64_t t, uint16_t sub = 0) {
  JournalRecord r = header(seq, t, Stage::Risk, sub, JournalType::Chase);
  JrChase& c = r.u.chase;
  c.new_client_id = ClientOrderId(77);
  c.first_px = Price(17000);
  c.new_px = Price(17002);
  c.position = PositionId(5);
  c.qty = Qty(2);
  c.n = 2;
  c.event = ChaseEvent::Resend;
  c.purpose = OrderPurpose::EntryChase;
  return r;
}

/// One record of every type, as a run would produce them (keys ascending).
inline std::vector<JournalRecord> sample_run() {
  return {
      signal(1, 1'000, 0),
      group(1, 1'000, 20240102, 1, GroupEvent::Created, 0, 1),
      order_sent(1, 1'000, 11, 17000, 2),
      risk_reject(2, 2'000, 12, RejectReason::Throttle),
      exec(3, 3'000, JournalType::ExecReport, 9'000'001),
      order_update(3, 3'000, 11, 9'000'001, OrderState::New, 2, 0, 0, 1),
      fill(4, 4'000, 11, 1, 17001, 2, 2),
      order_update(4, 4'000, 11, 9'000'001, OrderState::Filled, 2, 2, 1'700'100, 1),
      position(4, 4'000, 111, PositionState::Active, 17020, 0),
      chase(4, 4'000, 1),
      exec(5, 5'000, JournalType::UnknownReport, 9'999'999),
  };
}

inline std::string dump_string(const Store& s, Table t, bool csv, uint32_t run_id = 0) {
  std::ostringstream os;
  s.dump(t, csv, os, run_id);
  return os.str();
}

inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream is(text);
  for (std::string l; std::getline(is, l);) out.push_back(l);
  return out;
}

}  // namespace tp::storage::testing
