// tp::storage::Persister: batching, round-robin draining, ordering within a ring, commit
// failures that lose nothing, on_close, and three producer threads under back-pressure.
#include <gtest/gtest.h>
#include <lmdb.h>

#include <algorithm>
#include <atomic>
#include <tuple>
#include <memory>
#include <thread>
#include <vector>

#include "storage_test_util.hpp"
#include "tp/ring/agent.hpp"
#include "tp/storage/persister.hpp"

namespace tp::storage {
namespace {

using namespace tp::storage::testing;
using Ring = SpscRing<JournalRecord>;

class PersisterTest : public ::testing::Test {
 protected:
  Store& store(Durability sync = Durability::NoSync) {
    if (!store_) {
      StoreOptions o = options(tmp_.sub("db"), sync);
      o.map_size_mb = 1024;  // 600k journal records + fills rows need ~150 MiB
      store_ = std::make_unique<Store>(o);
    }
    return *store_;
  }
  TempDir tmp_;
  std::unique_ptr<Store> store_;
};

void push_signals(Ring& r, uint64_t from, uint64_t n, Stage stage = Stage::Risk) {
  for (uint64_t i = 0; i < n; ++i) {
    JournalRecord rec = signal(from + i, static_cast<int64_t>(from + i));
    rec.stage = stage;
    ASSERT_TRUE(r.try_push(rec));
  }
}

TEST_F(PersisterTest, CommitsWhatIsPendingWhenTheRingsAreEmpty) {
  Ring ring(64);
  Persister p(store(), 1, {&ring}, 512);
  EXPECT_TRUE(p.drained());
  EXPECT_EQ(p.do_work(), 0) << "idle";
  push_signals(ring, 1, 10);
  EXPECT_FALSE(p.drained());
  EXPECT_EQ(p.do_work(), 10);
  EXPECT_EQ(p.committed(), 10u);
  EXPECT_EQ(p.pending(), 0u);
  EXPECT_TRUE(p.drained());
  EXPECT_EQ(store().count(Table::Journal), 10u);
  EXPECT_EQ(p.stats().batches, 1u);
  EXPECT_EQ(p.stats().records, 10u);
  EXPECT_EQ(p.stats().max_batch, 10u);
  EXPECT_EQ(p.name(), "persister");
}

TEST_F(PersisterTest, CommitsFullBatchesOfBatchRecords) {
  Ring ring(64);
  Persister p(store(), 1, {&ring}, 4);
  push_signals(ring, 1, 10);
  EXPECT_EQ(p.do_work(), 10) << "the ring is drained whole into staging";
  EXPECT_EQ(p.committed(), 4u);
  EXPECT_EQ(p.do_work(), 4) << "then committed a batch per call";
  EXPECT_EQ(p.do_work(), 2);
  EXPECT_EQ(p.do_work(), 0);
  EXPECT_EQ(p.stats().batches, 3u);
  EXPECT_EQ(p.stats().max_batch, 4u);
  EXPECT_EQ(store().count(Table::Journal), 10u);
}

TEST_F(PersisterTest, MergesTheRingsInKeyOrder) {
  Ring a(64), b(64), c(64);
  Persister p(store(), 1, {&a, &b, &c}, 6);
  push_signals(a, 1, 20, Stage::Tracker);
  push_signals(b, 1, 20, Stage::Risk);
  push_signals(c, 1, 20, Stage::Gateway);
  EXPECT_EQ(p.do_work(), 60);
  // The first batch is the six smallest keys: seq 1 and 2 of every stage.
  JournalRecord r;
  EXPECT_TRUE(store().get_journal(1, 2, Stage::Gateway, 0, r));
  EXPECT_FALSE(store().get_journal(1, 3, Stage::Tracker, 0, r));
  while (p.do_work() > 0) {
  }
  EXPECT_TRUE(p.drained());
  EXPECT_EQ(store().count(Table::Journal), 60u);
  EXPECT_EQ(p.stats().batches, 10u);
}

// The watermark (docs/DESIGN.md "Crash consistency"): nothing above it is committed, so
// a crash leaves a prefix of the event stream; a feed's record keyed done + 1 (journaled
// before the event it emits next) is already committable.
TEST_F(PersisterTest, CommitsNothingAboveTheWatermark) {
  Ring tracker(64), risk(64), feed(64);
  std::atomic<uint64_t> done{0};
  Persister p(store(), 1, {&tracker, &risk, &feed}, 64, &done);
  push_signals(tracker, 1, 10, Stage::Tracker);
  push_signals(risk, 1, 4, Stage::Risk);  // risk is behind
  push_signals(feed, 6, 2, Stage::Feed);   // keys (6, feed) and (7, feed)
  EXPECT_EQ(p.do_work(), 16) << "drained into staging";
  EXPECT_EQ(p.committed(), 0u) << "nothing is at or below watermark 0";
  EXPECT_FALSE(p.drained());
  done.store(3);
  p.do_work();
  EXPECT_EQ(p.committed(), 6u) << "seq 1..3 of tracker and risk";
  done.store(5);
  p.do_work();
  JournalRecord r;
  EXPECT_TRUE(store().get_journal(1, 6, Stage::Feed, 0, r)) << "a feed record at done + 1 is committable";
  EXPECT_FALSE(store().get_journal(1, 7, Stage::Feed, 0, r));
  EXPECT_FALSE(store().get_journal(1, 6, Stage::Tracker, 0, r));
  EXPECT_EQ(p.committed(), 5u + 4u + 1u);  // tracker 1..5, risk 1..4, feed 6
  EXPECT_GT(p.stats().held_max, 0u);
  p.on_close();  // the producers have stopped: the rest, in key order
  EXPECT_TRUE(p.drained());
  EXPECT_EQ(store().count(Table::Journal), 16u);
  std::vector<std::tuple<uint64_t, int, uint16_t>> keys;
  store().for_each_journal(1, [&](uint32_t, const JournalRecord& x) {
    keys.emplace_back(x.seq, static_cast<int>(x.stage), x.sub);
  });
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
}

TEST_F(PersisterTest, KeepsTheOrderOfEachRing) {
  Ring ring(256);
  Persister p(store(), 1, {&ring}, 7);
  for (uint64_t i = 1; i <= 200; ++i) {
    ASSERT_TRUE(ring.try_push(position(i, static_cast<int64_t>(i), 111, PositionState::Active, static_cast<int64_t>(i))));
  }
  while (p.do_work() > 0) {
  }
  PositionRow row{};
  ASSERT_TRUE(store().get_position(PositionId(111), row));
  EXPECT_EQ(row.pos.peak, Price(200)) << "the last record of the ring is applied last";
  EXPECT_EQ(row.update_time, TimeNs(200));
}

TEST_F(PersisterTest, OnCloseDrainsAndCommitsEverything) {
  Ring a(64), b(64);
  Persister p(store(), 1, {&a, &b}, 8);
  push_signals(a, 1, 50, Stage::Tracker);
  push_signals(b, 1, 33, Stage::Risk);
  p.on_close();
  EXPECT_TRUE(p.drained());
  EXPECT_EQ(p.committed(), 83u);
  EXPECT_EQ(store().count(Table::Journal), 83u);
}

TEST_F(PersisterTest, FailedCommitKeepsTheBatchAndLosesNothing) {
  StoreOptions o = options(tmp_.sub("tiny"));
  o.map_size_mb = 1;
  Store s(o);
  Ring ring(1024);
  Persister p(s, 1, {&ring}, 512);
  uint64_t seq = 1;
  uint64_t pushed = 0;
  bool failed = false;
  for (int round = 0; round < 100 && !failed; ++round) {
    while (ring.free_slots() > 0) {
      JournalRecord r = signal(seq++, 1);
      ASSERT_TRUE(ring.try_push(r));
      ++pushed;
    }
    try {
      while (p.do_work() > 0) {
      }
    } catch (const StorageError& e) {
      EXPECT_EQ(e.code(), MDB_MAP_FULL);
      failed = true;
    }
  }
  ASSERT_TRUE(failed);
  EXPECT_EQ(p.stats().failed_commits, 1u);
  EXPECT_GT(p.pending(), 0u);
  EXPECT_FALSE(p.drained());
  EXPECT_EQ(p.committed(), s.count(Table::Journal));
  // The operator raises the map; the very same records go in, in order.
  s.set_map_size(int64_t{32} << 20);
  p.on_close();
  EXPECT_TRUE(p.drained());
  EXPECT_EQ(p.committed(), pushed);
  EXPECT_EQ(s.count(Table::Journal), pushed);
}

TEST_F(PersisterTest, RejectsBadArguments) {
  Ring ring(64);
  EXPECT_THROW(Persister(store(), 1, {&ring}, 0), std::invalid_argument);
  EXPECT_THROW(Persister(store(), 1, {&ring, nullptr}, 8), std::invalid_argument);
  Persister none(store(), 1, {}, 8);
  EXPECT_EQ(none.do_work(), 0);
  EXPECT_TRUE(none.drained());
}

/// Three producer threads, one ring each, a small ring (64) so that they constantly hit
/// back-pressure, and the persister on its own AgentRunner thread. Producers retry with
/// yield (never busy-spin: 2-core machines).
void run_producers(Store& s, uint64_t per_ring, int batch, IdleKind idle) {
  constexpr int kRings = 3;
  const Stage stages[kRings] = {Stage::Tracker, Stage::Risk, Stage::Gateway};
  std::vector<std::unique_ptr<Ring>> rings;
  std::vector<Ring*> ptrs;
  for (int i = 0; i < kRings; ++i) {
    rings.push_back(std::make_unique<Ring>(64));
    ptrs.push_back(rings.back().get());
  }
  const uint32_t run = s.begin_run("producers");
  Persister p(s, run, ptrs, batch);
  IdleConfig ic;
  ic.kind = idle;
  AgentRunner runner(p, ic);
  ASSERT_TRUE(runner.start());

  std::atomic<uint64_t> full_hits{0};
  std::vector<std::thread> producers;
  for (int i = 0; i < kRings; ++i) {
    producers.emplace_back([&, i] {
      Ring& ring = *rings[static_cast<std::size_t>(i)];
      uint64_t waits = 0;
      for (uint64_t seq = 1; seq <= per_ring; ++seq) {
        while (ring.free_slots() == 0) {  // the producer's side of flow control
          ++waits;
          std::this_thread::yield();
        }
        JournalRecord r = fill(seq, static_cast<int64_t>(seq), (static_cast<uint64_t>(i) << 40) | seq,
                               static_cast<uint32_t>(seq), static_cast<int64_t>(seq), 1, 1);
        r.stage = stages[i];
        const bool ok = ring.try_push(r);
        ASSERT_TRUE(ok) << "free_slots() promised room";
      }
      full_hits.fetch_add(waits, std::memory_order_relaxed);
    });
  }
  for (auto& t : producers) t.join();
  const uint64_t total = per_ring * kRings;
  // committed() is an acquire load: once it reads `total`, the Store has every record.
  while (p.committed() < total) std::this_thread::yield();
  runner.stop();
  EXPECT_TRUE(p.drained());
  EXPECT_EQ(p.committed(), total);
  EXPECT_EQ(s.count(Table::Journal), total);
  EXPECT_EQ(s.count(Table::Fills), total);
  EXPECT_GT(full_hits.load(), 0u) << "the ring capacity must have forced back-pressure";
  EXPECT_LE(p.stats().max_batch, static_cast<uint64_t>(batch));

  // Every key present, once, with its own payload.
  std::vector<std::vector<bool>> seen(kRings, std::vector<bool>(per_ring + 1, false));
  uint64_t visited = 0;
  s.for_each_journal(run, [&](uint32_t, const JournalRecord& r) {
    const int ring = static_cast<int>(r.stage) - 1;
    ASSERT_TRUE(ring >= 0 && ring < kRings);
    ASSERT_TRUE(r.seq >= 1 && r.seq <= per_ring);
    EXPECT_FALSE(seen[static_cast<std::size_t>(ring)][r.seq]);
    seen[static_cast<std::size_t>(ring)][r.seq] = true;
    EXPECT_EQ(r.u.fill.client_id.v, (static_cast<uint64_t>(ring) << 40) | r.seq);
    ++visited;
  });
  EXPECT_EQ(visited, total);
  for (int i = 0; i < kRings; ++i) {
    for (uint64_t seq = 1; seq <= per_ring; ++seq) {
      if (!seen[static_cast<std::size_t>(i)][seq]) {
        ADD_FAILURE() << "missing ring " << i << " seq " << seq;
        return;
      }
    }
  }
}

TEST_F(PersisterTest, ThreeProducersUnderBackPressureLoseNothing) {
  run_producers(store(), 200'000, 512, IdleKind::Yield);
}

TEST_F(PersisterTest, DurablePolicyLosesNothing) {
  run_producers(store(Durability::Durable), 2'000, 512, IdleKind::Backoff);
}

}  // namespace
}  // namespace tp::storage
