// A slow persister makes the producing stages wait; it never loses or reorders a record
// (SPEC §2 "A full journal ring never drops a record", issue #3 §4).
//
// The slowest persister there is: Durable sync (an fsync per commit) and batch_records = 1
// (one write transaction per record), behind the smallest rings the stages accept.
//
// Why the rings are not smaller, and why the gateway has a test of its own:
//  * The risk stage reserves kMaxJournalPerEvent (128) journal slots before it takes an
//    event, so a pipeline with journal_ring < 128 can never run (risk waits forever), and
//    the tracker (4 slots per report) and the gateway (1 slot per order) would need more
//    than 124 / 127 unpersisted records of their own to wait on their journal ring. The
//    real day journals 152 records in all (6 orders), so on it only risk can wait for
//    journal room - and then the stages before it wait for room in their event rings.
//  * The feed runs ahead of the pipeline by at most the venue latency (event-time
//    lookahead). At the default 5 ms the TAIFEX ticks are mostly further apart, so the
//    stages run in lock-step and nothing queues up behind risk; a 100 ms order latency
//    lets events queue, so the tracker (and the feed) wait too.
//  * The gateway's only journal producer is risk's orders; its journal ring cannot fill
//    in a real replay, so GatewayWaitsForASlowPersister drives a gateway with an 8-slot
//    journal ring directly.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tp/app/replay.hpp"
#include "tp/ring/agent.hpp"
#include "tp/storage/persister.hpp"
#include "tp/storage/store.hpp"
#include "tp/storage/temp_dir.hpp"
#include "real_day_util.hpp"

namespace tp {
namespace {

using storage::TempDir;
using testing::morning_slice;




Config test_config() {
  Config cfg = default_config();
  cfg.venue.latency_ms = 100;  // lookahead window: lets events queue behind a waiting stage
  return cfg;
}

struct Rings {
  std::size_t event = 4096, order = 256, journal = 16384;  // the PipelineOptions defaults
};

struct RunOutcome {
  std::string tables;  ///< dumps of journal, orders, fills, positions, groups
  uint64_t journaled = 0;
  uint64_t committed = 0;
  uint64_t stored = 0;  ///< Store::count(Journal)
  uint64_t bp_feed = 0, bp_tracker = 0, bp_risk = 0, bp_gateway = 0;
  storage::PersisterStats persister;
  double seconds = 0;
};

RunOutcome run(Layout layout, storage::Durability sync, int batch_records, Rings rings) {
  TempDir dir;
  storage::StoreOptions so;
  so.dir = dir.path();
  so.sync = sync;
  storage::Store store(so);
  const uint32_t run_id = store.begin_run("persister back-pressure test");
  const Config cfg = test_config();
  PipelineOptions po;
  po.layout = layout;
  po.event_ring = rings.event;
  po.order_ring = rings.order;
  po.journal_ring = rings.journal;
  Pipeline p(cfg, morning_slice(), run_id, store.group_floor(), po);
  storage::Persister pers(store, run_id, p.journal_rings(), batch_records, p.journal_done_seq());
  const auto t0 = std::chrono::steady_clock::now();
  p.run(&pers, [&] { return pers.committed(); });
  RunOutcome o;
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  o.journaled = p.journaled();
  o.committed = pers.committed();
  o.stored = store.count(storage::Table::Journal);
  o.bp_feed = p.feed().stats().backpressure;
  o.bp_tracker = p.tracker().counters().backpressure.load();
  o.bp_risk = p.risk().counters().backpressure.load();
  o.bp_gateway = p.gateway().counters().backpressure.load();
  o.persister = pers.stats();
  std::ostringstream out;
  for (storage::Table t : {storage::Table::Journal, storage::Table::Orders, storage::Table::Fills,
                           storage::Table::Positions, storage::Table::Groups}) {
    out << "== " << storage::to_string(t) << "\n";
    store.dump(t, false, out);
  }
  o.tables = out.str();
  return o;
}

void print(const char* what, const RunOutcome& o) {
  std::printf("%-26s %.2f s, journaled %llu, committed %llu in %llu txns; back-pressure feed %llu tracker %llu "
              "risk %llu gateway %llu\n",
              what, o.seconds, static_cast<unsigned long long>(o.journaled),
              static_cast<unsigned long long>(o.committed), static_cast<unsigned long long>(o.persister.batches),
              static_cast<unsigned long long>(o.bp_feed), static_cast<unsigned long long>(o.bp_tracker),
              static_cast<unsigned long long>(o.bp_risk), static_cast<unsigned long long>(o.bp_gateway));
}

/// The reference: big rings, NoSync, the default batch.
const RunOutcome& reference() {
  static const RunOutcome ref = [] {
    RunOutcome r = run(Layout::Fused, storage::Durability::NoSync, 512, Rings{});
    print("reference (NoSync, 512):", r);
    return r;
  }();
  return ref;
}

void expect_slow_run_waited_and_lost_nothing(Layout layout) {
  ASSERT_GT(morning_slice().size(), 10'000u);
  const RunOutcome& ref = reference();
  ASSERT_NE(ref.tables.find("order_sent"), std::string::npos) << "the slice must contain trading";
  ASSERT_EQ(ref.committed, ref.journaled);

  // The smallest rings the stages accept: the feed reserves one order's reports, risk
  // kMaxOrdersPerEvent orders and kMaxJournalPerEvent journal records.
  Rings tiny;
  tiny.event = 8;
  static_assert(SimVenue::kMaxReportsPerOrder <= 8);
  tiny.order = kMaxOrdersPerEvent;
  tiny.journal = kMaxJournalPerEvent;
  const RunOutcome slow = run(layout, storage::Durability::Durable, 1, tiny);
  const std::string what = std::string(to_string(layout)) + " (Durable, 1):";
  print(what.c_str(), slow);

  EXPECT_GT(slow.bp_risk, 0u) << "risk waited for journal room";
  EXPECT_GT(slow.bp_tracker, 0u) << "the tracker waited for room behind risk";
  EXPECT_EQ(slow.committed, slow.journaled) << "every journaled record was committed";
  EXPECT_EQ(slow.stored, slow.journaled) << "and is in the journal table";
  EXPECT_EQ(slow.persister.max_batch, 1u);
  EXPECT_EQ(slow.persister.batches, slow.committed) << "one write transaction per record";
  EXPECT_EQ(slow.persister.failed_commits, 0u);
  EXPECT_EQ(slow.journaled, ref.journaled);
  EXPECT_EQ(slow.tables, ref.tables) << "nothing lost, nothing reordered";
}

TEST(PersisterBackpressure, FusedLayoutWaitsForADurableOneRecordPersisterAndLosesNothing) {
  expect_slow_run_waited_and_lost_nothing(Layout::Fused);
}

TEST(PersisterBackpressure, PairsLayoutWaitsForADurableOneRecordPersisterAndLosesNothing) {
  expect_slow_run_waited_and_lost_nothing(Layout::Pairs);
}

TEST(PersisterBackpressure, ThreadsLayoutWaitsForADurableOneRecordPersisterAndLosesNothing) {
  expect_slow_run_waited_and_lost_nothing(Layout::Threads);
}

TEST(PersisterBackpressure, GatewayWaitsForASlowPersister) {
  constexpr int kOrders = 300;
  TempDir dir;
  storage::StoreOptions so;
  so.dir = dir.path();
  so.sync = storage::Durability::Durable;
  storage::Store store(so);
  const uint32_t run_id = store.begin_run("gateway back-pressure test");

  OrderRing in(64);
  OrderRing venue_out(512);  // nobody consumes these two: room for every order
  OrderRing sent_out(512);
  JournalRing journal(8);
  GatewayAgent gateway(in, venue_out, sent_out, journal);
  storage::Persister pers(store, run_id, {&journal}, 1);
  AgentRunner gw_runner(gateway, IdleConfig{});
  AgentRunner pers_runner(pers, IdleConfig{});
  gw_runner.start();
  pers_runner.start();

  for (int i = 1; i <= kOrders; ++i) {
    OrderRequest o;
    o.origin_seq = static_cast<uint64_t>(i);
    o.origin_time = TimeNs{1'627'260'300'000'000'000 + i * kNsPerMs};
    o.origin_ingress_ns = wall_now_ns();
    o.client_id = ClientOrderId{(uint64_t{run_id} << 32) | static_cast<uint64_t>(i)};
    o.position = PositionId{(uint64_t{run_id} << 32) | static_cast<uint64_t>(i)};
    o.limit = Price{17'000 + i};
    o.qty = Qty{1};
    o.side = i % 2 ? Side::Buy : Side::Sell;
    while (!in.try_push(o)) std::this_thread::yield();
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while ((gateway.counters().handled.load() < kOrders || pers.committed() < kOrders) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  gw_runner.stop();
  pers_runner.stop();
  gw_runner.rethrow_if_failed();
  pers_runner.rethrow_if_failed();

  const uint64_t bp = gateway.counters().backpressure.load();
  std::printf("gateway: %d orders, back-pressure %llu, %llu txns\n", kOrders, static_cast<unsigned long long>(bp),
              static_cast<unsigned long long>(pers.stats().batches));
  EXPECT_GT(bp, 0u) << "the gateway waited for journal room";
  EXPECT_EQ(gateway.counters().journaled.load(), uint64_t{kOrders});
  EXPECT_EQ(pers.committed(), uint64_t{kOrders}) << "every OrderSent was committed";
  EXPECT_EQ(store.count(storage::Table::Journal), uint64_t{kOrders});
  EXPECT_EQ(store.count(storage::Table::Orders), uint64_t{kOrders});
  EXPECT_EQ(venue_out.size_approx(), std::size_t{kOrders}) << "every order was still sent";
  uint64_t next = 1;
  store.for_each_journal(run_id, [&](uint32_t, const JournalRecord& r) {
    EXPECT_EQ(r.type, JournalType::OrderSent);
    EXPECT_EQ(r.seq, next);
    EXPECT_EQ(r.u.order.client_id.v & 0xffff'ffffu, next) << "in the order sent";
    EXPECT_EQ(r.u.order.limit, Price{17'000 + static_cast<int64_t>(next)});
    ++next;
  });
  EXPECT_EQ(next, uint64_t{kOrders} + 1);
}

}  // namespace
}  // namespace tp
