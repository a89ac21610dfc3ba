// The order tracker: registration from the gateway, venue-id map, state machine,
// unknown and late reports, journal records.
#include <gtest/gtest.h>

#include <vector>

#include "tp/engine/pipeline/stages.hpp"

namespace tp {
namespace {

class TrackerTest : public ::testing::Test {
 protected:
  EventRing in{64};
  EventRing out{64};
  OrderRing sent{64};
  JournalRing journal{256};
  TrackerAgent tracker{in, out, sent, journal, 64};
  uint64_t seq = 0;

  void send(uint64_t cid, Side side = Side::Buy, int32_t qty = 1, int64_t px = 100) {
    OrderRequest o;
    o.client_id = ClientOrderId{cid};
    o.side = side;
    o.qty = Qty{qty};
    o.limit = Price{px};
    ASSERT_TRUE(sent.try_push(o));
  }
  void report(const ExecReport& er) {
    Event e;
    e.seq = ++seq;
    e.event_time = TimeNs{static_cast<int64_t>(seq) * 1000};
    e.kind = EventKind::Exec;
    e.u.er = er;
    ASSERT_TRUE(in.try_push(e));
  }
  void market() {
    Event e;
    e.seq = ++seq;
    e.kind = EventKind::Market;
    e.u.md.last = Price{100};
    e.u.md.flags = kMdHasTrade;
    ASSERT_TRUE(in.try_push(e));
  }
  static ExecReport ack(uint64_t cid, uint64_t vid, int32_t qty = 1) {
    ExecReport r;
    r.type = ExecType::New;
    r.client_id = ClientOrderId{cid};
    r.venue_id = VenueOrderId{vid};
    r.order_qty = Qty{qty};
    r.leaves_qty = Qty{qty};
    return r;
  }
  static ExecReport fill(uint64_t vid, int32_t q, int64_t px, int32_t cum, int32_t leaves) {
    ExecReport r;
    r.type = ExecType::Trade;
    r.venue_id = VenueOrderId{vid};
    r.last_qty = Qty{q};
    r.last_px = Price{px};
    r.cum_qty = Qty{cum};
    r.leaves_qty = Qty{leaves};
    return r;
  }
  static ExecReport cancel(uint64_t vid) {
    ExecReport r;
    r.type = ExecType::Canceled;
    r.venue_id = VenueOrderId{vid};
    return r;
  }
  std::vector<Event> forwarded() {
    std::vector<Event> v;
    Event e;
    while (out.try_pop(e)) v.push_back(e);
    return v;
  }
  std::vector<JournalRecord> records() {
    std::vector<JournalRecord> v;
    JournalRecord r;
    while (journal.try_pop(r)) v.push_back(r);
    return v;
  }
};

TEST_F(TrackerTest, ForwardsMarketEventsUnchanged) {
  market();
  tracker.do_work();
  auto f = forwarded();
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, EventKind::Market);
  EXPECT_EQ(f[0].u.md.last, Price{100});
  EXPECT_TRUE(records().empty());
  EXPECT_EQ(tracker.counters().handled.load(), 1u);
  EXPECT_EQ(tracker.counters().produced.load(), 1u);
}

TEST_F(TrackerTest, ResolvesFillsByVenueIdLearntFromTheAck) {
  send(42);
  report(ack(42, 9001));
  report(fill(9001, 1, 101, 1, 0));
  tracker.do_work();
  auto f = forwarded();
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[1].u.er.client_id, ClientOrderId{42}) << "fill carried only the venue id";
  const auto* o = tracker.find(ClientOrderId{42});
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->state, OrderState::Filled);
  EXPECT_EQ(o->cum, Qty{1});
  EXPECT_EQ(o->venue_id, VenueOrderId{9001});
  EXPECT_EQ(tracker.stats().net_position, 1);
}

TEST_F(TrackerTest, OrderStateMachinePendingNewNewCancelled) {
  send(1);
  tracker.do_work();
  ASSERT_NE(tracker.find(ClientOrderId{1}), nullptr);
  EXPECT_EQ(tracker.find(ClientOrderId{1})->state, OrderState::PendingNew);
  report(ack(1, 77));
  tracker.do_work();
  EXPECT_EQ(tracker.find(ClientOrderId{1})->state, OrderState::New);
  report(cancel(77));
  tracker.do_work();
  EXPECT_EQ(tracker.find(ClientOrderId{1})->state, OrderState::Cancelled);
}

TEST_F(TrackerTest, PartialFillsThenFilledWithAveragePrice) {
  send(5, Side::Sell, 3);
  report(ack(5, 500, 3));
  report(fill(500, 1, 100, 1, 2));
  report(fill(500, 2, 103, 3, 0));
  tracker.do_work();
  const auto* o = tracker.find(ClientOrderId{5});
  EXPECT_EQ(o->state, OrderState::Filled);
  EXPECT_EQ(tracker.stats().net_position, -3);
  // Journal: last OrderUpdate has avg price (100*1 + 103*2)/3 = 102 -> x100 = 10200.
  auto recs = records();
  const JournalRecord* last_update = nullptr;
  for (const auto& r : recs) {
    if (r.type == JournalType::OrderUpdate) last_update = &r;
  }
  ASSERT_NE(last_update, nullptr);
  EXPECT_EQ(last_update->u.order_update.avg_px_x100, Price{10200});
  EXPECT_EQ(last_update->u.order_update.state, OrderState::Filled);
}

TEST_F(TrackerTest, UnknownReportIsJournaledCountedAndNotForwarded) {
  report(fill(123456, 1, 100, 1, 0));  // venue id never acked
  report(ack(999, 1));                 // client id never sent
  tracker.do_work();
  EXPECT_TRUE(forwarded().empty());
  EXPECT_EQ(tracker.stats().unknown_reports, 2u);
  auto recs = records();
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].type, JournalType::UnknownReport);
  EXPECT_EQ(recs[0].u.exec.venue_id, VenueOrderId{123456});
  EXPECT_EQ(recs[1].type, JournalType::UnknownReport);
  EXPECT_EQ(tracker.counters().handled.load(), 2u) << "handled even though not forwarded";
}

TEST_F(TrackerTest, FillAfterCancelIsFlaggedLateAndStillCounted) {
  send(9);
  report(ack(9, 90));
  report(cancel(90));
  report(fill(90, 1, 100, 1, 0));
  tracker.do_work();
  auto f = forwarded();
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[2].u.er.type, ExecType::Trade);
  EXPECT_TRUE(f[2].u.er.flags & kExecLate);
  EXPECT_EQ(tracker.stats().late_reports, 1u);
  EXPECT_EQ(tracker.stats().net_position, 1) << "a late fill is real money";
}

TEST_F(TrackerTest, JournalKeysAreOriginSeqAndSubCount) {
  send(3);
  report(ack(3, 30));
  report(fill(30, 1, 100, 1, 0));
  tracker.do_work();
  auto recs = records();
  // ack: ExecReport, OrderUpdate (seq 1); fill: Fill, ExecReport, OrderUpdate (seq 2)
  ASSERT_EQ(recs.size(), 5u);
  EXPECT_EQ(recs[0].seq, 1u);
  EXPECT_EQ(recs[0].sub, 0u);
  EXPECT_EQ(recs[1].sub, 1u);
  EXPECT_EQ(recs[2].seq, 2u);
  EXPECT_EQ(recs[2].type, JournalType::Fill);
  EXPECT_EQ(recs[2].sub, 0u);
  EXPECT_EQ(recs[4].sub, 2u);
  for (const auto& r : recs) EXPECT_EQ(r.stage, Stage::Tracker);
}

TEST_F(TrackerTest, WaitsWhenTheJournalRingIsFullAndLosesNothing) {
  JournalRing tiny(8);
  JournalRecord filler;
  ASSERT_TRUE(tiny.try_push(filler));  // two slots taken by someone else's records
  ASSERT_TRUE(tiny.try_push(filler));
  EventRing in2(64), out2(64);
  OrderRing sent2(64);
  TrackerAgent t(in2, out2, sent2, tiny, 64);
  OrderRequest o;
  o.client_id = ClientOrderId{1};
  o.qty = Qty{1};
  ASSERT_TRUE(sent2.try_push(o));
  Event e;
  e.kind = EventKind::Exec;
  e.seq = 1;
  e.u.er = ack(1, 10);
  ASSERT_TRUE(in2.try_push(e));
  e.seq = 2;
  e.u.er = fill(10, 1, 100, 1, 0);
  ASSERT_TRUE(in2.try_push(e));
  EXPECT_EQ(t.do_work(), 1);  // ack: 2 records (4 free); the fill needs room for 5
  EXPECT_EQ(t.do_work(), 0);
  EXPECT_GE(t.counters().backpressure.load(), 1u);
  JournalRecord r;
  int drained = 0;
  while (tiny.try_pop(r)) ++drained;
  EXPECT_EQ(drained, 4);
  EXPECT_EQ(t.do_work(), 1);
  while (tiny.try_pop(r)) ++drained;
  EXPECT_EQ(drained, 7);
}

TEST(TrackerEviction, ForgetsOldestFinishedOrdersAndNeverAWorkingOne) {
  // A small table (16 orders) and 2000 orders through it, with up to 6 working at a
  // time in random order: every report of a working order must still resolve, which
  // exercises the backward-shift deletion of both hash tables.
  EventRing in(64), out(64);
  OrderRing sent(64);
  JournalRing journal(1024);
  TrackerAgent t(in, out, sent, journal, 16);
  std::vector<uint64_t> working;
  uint64_t next_id = 1, seq = 0;
  uint32_t rng = 12345;
  auto rnd = [&] { return rng = rng * 1664525u + 1013904223u; };
  auto push = [&](const ExecReport& er) {
    Event e;
    e.seq = ++seq;
    e.kind = EventKind::Exec;
    e.u.er = er;
    ASSERT_TRUE(in.try_push(e));
    ASSERT_EQ(t.do_work(), 1);
    Event f;
    ASSERT_TRUE(out.try_pop(f)) << "report of a working order was not resolved";
    JournalRecord r;
    while (journal.try_pop(r)) {}
  };
  for (int step = 0; step < 4000; ++step) {
    if (working.size() < 6 && (working.empty() || rnd() % 2 == 0) && next_id <= 2000) {
      const uint64_t id = (uint64_t{7} << 32) | (next_id * 2654435761u % 100000);
      ++next_id;
      OrderRequest o;
      o.client_id = ClientOrderId{id};
      o.qty = Qty{1};
      ASSERT_TRUE(sent.try_push(o));
      ExecReport a;
      a.type = ExecType::New;
      a.client_id = ClientOrderId{id};
      a.venue_id = VenueOrderId{9'000'000 + id};
      push(a);
      working.push_back(id);
    } else if (!working.empty()) {
      const std::size_t k = rnd() % working.size();
      const uint64_t id = working[k];
      working.erase(working.begin() + static_cast<std::ptrdiff_t>(k));
      ExecReport f;  // by venue id only
      f.type = ExecType::Trade;
      f.venue_id = VenueOrderId{9'000'000 + id};
      f.last_qty = Qty{1};
      f.last_px = Price{100};
      f.cum_qty = Qty{1};
      push(f);
    }
  }
  EXPECT_EQ(t.stats().unknown_reports, 0u);
  EXPECT_GT(t.stats().orders_evicted, 1000u);
  EXPECT_EQ(t.stats().fills, next_id - 1 - working.size());
}

}  // namespace
}  // namespace tp
